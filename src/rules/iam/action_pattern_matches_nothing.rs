use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::action::glob_matches;
use crate::iam::Catalog;
use crate::rules::iam::support::action_patterns;
use crate::rules::{FileContext, Rule};
use crate::suggest::distance_ignore_case;

declare_rule! {
    /// ## What it does
    /// Reports an action pattern with wildcards that matches no action of the catalogue, such
    /// as `s3:Gett*` or `ec2:Describe*Vpcs`.
    ///
    /// ## Why it matters
    /// A pattern that matches nothing grants (or denies) nothing. It is almost always a typo
    /// in the fixed part of the pattern, and the intended permissions are missing.
    ///
    /// ## Example
    /// ```yaml
    /// Action: s3:Gett*
    /// ```
    ///
    /// ## Fix
    /// Correct the fixed part so that the pattern matches the intended actions:
    /// ```yaml
    /// Action: s3:Get*
    /// ```
    pub struct ActionPatternMatchesNothing {
        name: "action-pattern-matches-nothing",
        code: "I022",
        severity: Error,
        family: Iam,
        summary: "An action pattern with wildcards that matches no action",
    }
}

impl Rule for ActionPatternMatchesNothing {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let catalog = Catalog::active();
        for (item, pattern) in action_patterns(ctx) {
            if !pattern.has_wildcard() {
                continue;
            }
            // A literal prefix that names no service is `unknown-service`'s finding.
            if !pattern.service_has_wildcard() && item.service().is_none() {
                continue;
            }
            if pattern.expand(catalog).next().is_some() {
                continue;
            }
            let help = closest_prefix_help(pattern.service(), pattern.name());
            out.push(
                Diagnostic::new(
                    &Self::META,
                    item.span,
                    format!("`{pattern}` matches no action"),
                )
                .with_help(help),
            );
        }
    }
}

/// Say which part of the pattern fails: the fixed head (a typo: suggest the nearest head that
/// makes the pattern match), or what follows the first wildcard.
fn closest_prefix_help(service: &str, name: &str) -> String {
    let catalog = Catalog::active();
    let head = &name[..name.find(['*', '?']).unwrap_or(name.len())];
    let rest = &name[head.len()..];
    let Some(s) = (!service.contains(['*', '?']))
        .then(|| catalog.service(service))
        .flatten()
    else {
        return NO_HINT.to_string();
    };
    if let Some(example) = s.actions_with_prefix(head).next() {
        return format!(
            "`{}` has actions starting with `{head}` (such as `{}`), but none that also matches \
             `{rest}`",
            s.prefix,
            example.full_name()
        );
    }
    // A typo in the fixed part: the nearest head of a real action that makes the pattern match.
    let mut best: Option<(usize, String)> = None;
    for action in s.actions() {
        let action_name = action.name();
        for len in head.len().saturating_sub(2)..=head.len() + 2 {
            let Some(candidate_head) = action_name.get(..len) else {
                continue;
            };
            let d = distance_ignore_case(head, candidate_head);
            if d == 0 || d > 2 || best.as_ref().is_some_and(|(bd, _)| d >= *bd) {
                continue;
            }
            let candidate = format!("{candidate_head}{rest}");
            if glob_matches(&candidate, action_name) {
                best = Some((d, candidate));
            }
        }
    }
    if let Some((_, candidate)) = best {
        return format!("did you mean `{}:{candidate}`?", s.prefix);
    }
    let mut cut = head.len();
    while cut > 0 {
        if let Some(h) = head.get(..cut) {
            if let Some(example) = s.actions_with_prefix(h).next() {
                return format!(
                    "no `{}` action starts with `{head}`; actions starting with `{h}` include `{}`",
                    s.prefix,
                    example.full_name()
                );
            }
        }
        cut -= 1;
    }
    NO_HINT.to_string()
}

const NO_HINT: &str = "check the pattern's fixed part against the Service Authorization Reference";

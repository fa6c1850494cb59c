use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::iam::usage::popularity;
use crate::iam::{ActionItem, ActionPattern, Catalog, PatternError};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Action`/`NotAction` item that is not an action at all: not of the form
    /// `service:Name` (a service prefix of letters, digits and hyphens, a colon, a name of
    /// letters and digits with `*`/`?` wildcards), such as `s3 GetObject`, `:GetObject`, `s3:`,
    /// an empty string, or a bare `GetObject`. When the intended action is clear the help
    /// gives it (`s3 GetObject` → `s3:GetObject`); a bare name gets the services that have an
    /// action of that name.
    ///
    /// ## Why it matters
    /// IAM rejects the policy (`MalformedPolicyDocument`), so the stack fails to deploy.
    ///
    /// ## Example
    /// ```yaml
    /// Action:
    ///   - s3 GetObject
    ///   - GetItem
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// Action:
    ///   - s3:GetObject
    ///   - dynamodb:GetItem
    /// ```
    pub struct InvalidAction {
        name: "invalid-action",
        code: "I031",
        severity: Error,
        family: Iam,
        summary: "An action that is not of the form `service:Name`",
    }
}

impl Rule for InvalidAction {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = std::collections::HashSet::new();
        let items = ctx
            .policies()
            .iter()
            .flat_map(|p| &p.statements)
            .flat_map(|s| [&s.action, &s.not_action].into_iter().flatten())
            .flat_map(|list| &list.items);
        for item in items {
            let (Some(text), Some(Err(error))) = (item.text, &item.pattern) else {
                continue;
            };
            // Branches of one `Fn::If` can share an item: report it once.
            if !seen.insert(item.span) {
                continue;
            }
            out.push(diagnostic(ctx, item, text, error));
        }
    }
}

fn diagnostic(
    ctx: &FileContext<'_>,
    item: &ActionItem<'_>,
    text: &str,
    error: &PatternError,
) -> Diagnostic {
    let catalog = Catalog::active();
    let message = match error {
        PatternError::Empty => "an action cannot be empty".to_string(),
        PatternError::MissingColon => format!("`{text}` has no service prefix"),
        PatternError::EmptyService => format!("`{text}` has an empty service prefix"),
        PatternError::EmptyName => format!("`{text}` has no action name after the colon"),
        PatternError::BadChar { ch, .. } if ch.is_whitespace() => {
            format!("`{text}` contains a space; an action is `service:Name` without spaces")
        }
        PatternError::BadChar { ch, .. } => format!(
            "`{text}` is not an action: `{}` cannot appear in one (an action is `service:Name`)",
            ch.escape_debug()
        ),
    };
    let mut d = Diagnostic::new(&InvalidAction::META, item.span, message);
    let exact = ctx.source.text.get(item.span.start..item.span.end) == Some(text);
    match corrected(catalog, text, error) {
        Some(fixed) => {
            d = d.with_help(format!("did you mean `{fixed}`?"));
            if exact && !text.is_empty() {
                d = d.with_fix(Fix {
                    description: format!("replace `{text}` with `{fixed}`"),
                    edits: vec![Edit {
                        span: item.span,
                        replacement: fixed,
                    }],
                });
            }
        }
        None => {
            d = d.with_help(match error {
                PatternError::Empty => {
                    "remove the empty item, or write the action as `service:Name`".to_string()
                }
                PatternError::MissingColon | PatternError::EmptyService => {
                    match services_with_action(catalog, bare_name(text)).as_slice() {
                        [] => "write the service prefix and a colon before the action's name, \
                               as in `s3:GetObject`"
                            .to_string(),
                        [one] => format!("did you mean `{one}`?"),
                        several => format!(
                            "did you mean one of {}? (the action's service prefix is missing)",
                            several
                                .iter()
                                .map(|a| format!("`{a}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    }
                }
                PatternError::EmptyName => {
                    let service = text.trim_end_matches(':');
                    format!(
                        "write the action's name after `{service}:` (`{service}:*` would grant \
                         every action of the service)"
                    )
                }
                PatternError::BadChar { .. } => "write the action as the Service Authorization \
                                                 Reference names it, as in `s3:GetObject`"
                    .to_string(),
            });
        }
    }
    d
}

/// The action the author most likely meant, when one reading is clearly right: the text with
/// surrounding spaces removed, or with the run of separators between a known service prefix and
/// a known action (`s3 GetObject`, `s3::GetObject`, `s3.GetObject`) turned into one colon, or a
/// known service prefix followed by `*` (`ec2*` → `ec2:*`).
fn corrected(catalog: &Catalog, text: &str, error: &PatternError) -> Option<String> {
    let valid_known = |candidate: &str| {
        let pattern = ActionPattern::parse(candidate).ok()?;
        let known = if pattern.has_wildcard() {
            catalog.service(pattern.service()).is_some() && pattern.expand(catalog).next().is_some()
        } else {
            pattern.resolve(catalog).is_some()
        };
        known.then(|| candidate.to_string())
    };
    let trimmed = text.trim();
    if trimmed != text {
        if let Some(ok) = valid_known(trimmed) {
            return Some(ok);
        }
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '*' || c == '?';
    if let Some(start) = trimmed.find(|c: char| !is_word(c)) {
        let end = trimmed[start..]
            .find(is_word)
            .map_or(trimmed.len(), |e| start + e);
        if start > 0 && end < trimmed.len() {
            let candidate = format!("{}:{}", &trimmed[..start], &trimmed[end..]);
            if let Some(ok) = valid_known(&candidate) {
                return Some(ok);
            }
            // `s3:Get Object`: the space is inside the name.
            let joined: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
            if let Some(ok) = valid_known(&joined) {
                return Some(ok);
            }
        }
    }
    if matches!(error, PatternError::MissingColon) {
        if let Some(service) = trimmed.strip_suffix('*') {
            if catalog.service(service).is_some() {
                return Some(format!("{service}:*"));
            }
        }
    }
    None
}

/// The name part of a bare or prefix-less action (`GetItem`, `:GetItem`).
fn bare_name(text: &str) -> &str {
    text.trim().trim_start_matches(':')
}

/// `service:Name` of every service that has an action named `name` (case-insensitive), most
/// familiar first, at most four.
fn services_with_action(catalog: &Catalog, name: &str) -> Vec<String> {
    if name.is_empty() || name.contains(['*', '?', ':', ' ']) {
        return Vec::new();
    }
    let mut found: Vec<(u32, String)> = catalog
        .services()
        .iter()
        .filter_map(|s| s.action(name))
        .map(|a| {
            let full = a.full_name();
            (popularity(&full.to_ascii_lowercase()), full)
        })
        .collect();
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().take(4).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(text: &str) -> Option<String> {
        let error = ActionPattern::parse(text).expect_err("malformed");
        corrected(Catalog::embedded(), text, &error)
    }

    #[test]
    fn obvious_corrections() {
        assert_eq!(fix("s3 GetObject").as_deref(), Some("s3:GetObject"));
        assert_eq!(fix("s3::GetObject").as_deref(), Some("s3:GetObject"));
        assert_eq!(fix(" s3:GetObject").as_deref(), Some("s3:GetObject"));
        assert_eq!(fix("s3:Get Object").as_deref(), Some("s3:GetObject"));
        assert_eq!(fix("ec2*").as_deref(), Some("ec2:*"));
        assert_eq!(fix("GetObject"), None);
        assert_eq!(fix("nosuch thing"), None);
        assert_eq!(fix(""), None);
    }

    #[test]
    fn bare_names_find_their_services() {
        let found = services_with_action(Catalog::embedded(), "GetItem");
        assert!(found.contains(&"dynamodb:GetItem".to_string()), "{found:?}");
        assert!(services_with_action(Catalog::embedded(), "NoSuchActionAnywhere").is_empty());
    }
}

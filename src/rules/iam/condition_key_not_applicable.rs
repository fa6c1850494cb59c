use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{ActionRef, Catalog, ConditionKey, Statement};
use crate::rules::iam::support::name_some;
use crate::rules::{FileContext, Rule};
use crate::template::spans::whole_value_span;

declare_rule! {
    /// ## What it does
    /// Reports a service condition key that none of the statement's actions supports, by the
    /// Service Authorization Reference (the keys each action and its resource types take), such
    /// as `s3:prefix` on `s3:GetObject` or `iam:PassedToService` on `iam:CreateRole`. AWS global
    /// keys (`aws:…`) apply to every action and are never reported; neither are the keys of
    /// identity providers (`saml:aud`), statements with `NotAction`, or statements whose actions
    /// are computed. A key its service does not define at all is `unknown-condition-key`'s.
    ///
    /// ## Why it matters
    /// A request that an action does not annotate with the key has no value for it: the
    /// condition is then false for every request (or, with a negated operator or `…IfExists`,
    /// true for every request), so the statement grants nothing, or guards nothing, while it
    /// reads as a precise restriction.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: s3:GetObject
    ///   Resource: arn:aws:s3:::reports/*
    ///   Condition:
    ///     StringLike: {s3:prefix: "2026/*"}
    /// ```
    ///
    /// ## Fix
    /// `s3:prefix` is a key of `s3:ListBucket`: restrict the object ARN instead, or move the
    /// condition to the listing statement:
    /// ```yaml
    /// - Effect: Allow
    ///   Action: s3:GetObject
    ///   Resource: arn:aws:s3:::reports/2026/*
    /// ```
    pub struct ConditionKeyNotApplicable {
        name: "condition-key-not-applicable",
        code: "I034",
        severity: Warning,
        family: Iam,
        summary: "A service condition key that none of the statement's actions supports",
    }
}

/// Every catalogue action the statement's `Action` names, or `None` when some item is not a
/// known, literal action pattern (then nothing can be said about the keys).
fn statement_actions(st: &Statement<'_>) -> Option<Vec<ActionRef<'static>>> {
    if st.not_action.is_some() || st.action.is_none() {
        return None;
    }
    let mut actions = Vec::new();
    for item in st.actions() {
        let pattern = item.valid()?;
        if pattern.service_has_wildcard() || item.service().is_none() || item.actions().is_empty() {
            return None;
        }
        actions.extend_from_slice(item.actions());
    }
    (!actions.is_empty()).then_some(actions)
}

/// Whether a catalogue key covers a key as written. Besides `${TagKey}` templates, the
/// Service Authorization Reference writes some tag keys as `…/tag-key` or `…/<key>`: their
/// last segment stands for any text too.
fn key_matches(key: &ConditionKey, written: &str) -> bool {
    key.matches(written) || placeholder_matches(key.name, written)
}

fn placeholder_matches(catalogue: &str, written: &str) -> bool {
    let Some(slash) = catalogue.rfind('/') else {
        return false;
    };
    let last = &catalogue[slash + 1..];
    let placeholder =
        last.eq_ignore_ascii_case("tag-key") || (last.starts_with('<') && last.ends_with('>'));
    placeholder
        && written.len() > slash + 1
        && written.is_char_boundary(slash + 1)
        && written[..=slash].eq_ignore_ascii_case(&catalogue[..=slash])
}

impl Rule for ConditionKeyNotApplicable {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let catalog = Catalog::active();
        let mut seen = HashSet::new();
        for policy in ctx.policies() {
            for st in &policy.statements {
                let Some(condition) = &st.condition else {
                    continue;
                };
                let Some(actions) = statement_actions(st) else {
                    continue;
                };
                for entry in condition.operators.iter().flat_map(|o| &o.entries) {
                    let Some((prefix, _)) = entry.name.split_once(':') else {
                        continue;
                    };
                    // Global keys apply to every request; keys of identity providers and
                    // unknown services are not the catalogue's to judge.
                    if prefix.eq_ignore_ascii_case("aws") {
                        continue;
                    }
                    let Some(service) = catalog.service(prefix) else {
                        continue;
                    };
                    if service.condition_key(entry.name).is_none() {
                        continue;
                    }
                    let supported = actions
                        .iter()
                        .any(|a| a.condition_keys().any(|k| key_matches(k, entry.name)));
                    if supported {
                        continue;
                    }
                    let mut takers: Vec<ActionRef<'static>> = service
                        .actions()
                        .filter(|a| a.condition_keys().any(|k| key_matches(k, entry.name)))
                        .collect();
                    // A key the reference ties to no action (`states:HTTPEndpoint`, which
                    // `states:InvokeHTTPEndpoint` is documented to take) says nothing about
                    // which actions support it: unknown, so silent.
                    if takers.is_empty() {
                        continue;
                    }
                    let span = whole_value_span(entry.key, &ctx.source.text);
                    if !seen.insert(span) {
                        continue;
                    }
                    super::support::by_familiarity(&mut takers);
                    let n = takers.len();
                    let help = format!(
                        "`{}` is a key of {}{}; remove the condition or move it to a \
                         statement with those actions",
                        entry.name,
                        name_some(&takers, 3),
                        if n > 3 {
                            format!(" and {} other actions", n - 3)
                        } else {
                            String::new()
                        }
                    );
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            span,
                            format!(
                                "no action of this statement supports the condition key `{}`",
                                entry.name
                            ),
                        )
                        .with_help(help),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::placeholder_matches as key_matches;

    #[test]
    fn placeholder_tag_keys() {
        assert!(key_matches(
            "secretsmanager:ResourceTag/tag-key",
            "secretsmanager:ResourceTag/App"
        ));
        assert!(key_matches(
            "s3:ExistingObjectTag/<key>",
            "s3:ExistingObjectTag/team"
        ));
        assert!(!key_matches(
            "secretsmanager:ResourceTag/tag-key",
            "secretsmanager:Name"
        ));
        assert!(!key_matches("s3:prefix", "s3:delimiter"));
    }
}

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{Catalog, ConditionKey, Service};
use crate::rules::iam::support::patterns;
use crate::rules::{FileContext, Rule};
use crate::suggest::closest;
use crate::template::spans::whole_value_span;

declare_rule! {
    /// ## What it does
    /// Reports a condition key that does not exist: an `aws:` key that is not one of AWS's
    /// global condition keys, or a key of a service the statement's actions belong to that the
    /// service does not define (for its actions or its resource types). Tag keys written into
    /// the key (`aws:ResourceTag/Owner`) are understood.
    ///
    /// A key without a prefix (`SourceArn` for `aws:SourceArn`) is reported too.
    ///
    /// Keys of services the statement's actions do not name, and of services or identity
    /// providers the catalogue does not know (`saml:aud`, `token.actions.githubusercontent.com:sub`),
    /// are left alone.
    ///
    /// ## Why it matters
    /// IAM does not validate condition keys. A condition on a key that is never present is
    /// false for every request (or, with `…IfExists` and negated operators, true for every
    /// request), so the statement silently grants nothing or restricts nothing.
    ///
    /// ## Example
    /// ```yaml
    /// Condition:
    ///   StringEquals:
    ///     aws:PrincipalOrgId: o-a1b2c3d4e5
    ///     aws:SourceAccounts: '123456789012'
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// Condition:
    ///   StringEquals:
    ///     aws:PrincipalOrgID: o-a1b2c3d4e5
    ///     aws:SourceAccount: '123456789012'
    /// ```
    pub struct UnknownConditionKey {
        name: "unknown-condition-key",
        code: "I029",
        severity: Error,
        family: Iam,
        summary: "A condition key that neither AWS nor the statement's services define",
    }
}

impl Rule for UnknownConditionKey {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let catalog = Catalog::active();
        for policy in ctx.policies() {
            for statement in &policy.statements {
                let Some(condition) = &statement.condition else {
                    continue;
                };
                let services: Vec<&Service> = patterns(statement)
                    .filter_map(|(i, _)| i.service())
                    .collect();
                for operator in &condition.operators {
                    for entry in &operator.entries {
                        if !entry.name.contains(':') {
                            out.push(
                                Diagnostic::new(
                                    &Self::META,
                                    whole_value_span(entry.key, &ctx.source.text),
                                    format!(
                                        "`{}` has no prefix; a condition key is `aws:Name` or \
                                         `service:Name`",
                                        entry.name
                                    ),
                                )
                                .with_help(unprefixed_help(catalog, &services, entry.name)),
                            );
                            continue;
                        }
                        let Some(help) = unknown(catalog, &services, entry.name) else {
                            continue;
                        };
                        out.push(
                            Diagnostic::new(
                                &Self::META,
                                whole_value_span(entry.key, &ctx.source.text),
                                format!("`{}` is not a known condition key", entry.name),
                            )
                            .with_help(help),
                        );
                    }
                }
            }
        }
    }
}

/// The prefixed key a key written without its prefix most likely is: a global key, or a key
/// of one of the statement's services.
fn unprefixed_help(catalog: &Catalog, services: &[&Service], key: &str) -> String {
    let with_prefix = |prefix: &str| format!("{prefix}:{key}");
    let global = with_prefix("aws");
    if catalog
        .global_condition_keys()
        .iter()
        .any(|k| k.matches(&global))
    {
        return format!(
            "did you mean `{}`?",
            canonical(catalog.global_condition_keys(), &global)
        );
    }
    for service in services {
        let candidate = with_prefix(service.prefix);
        if service.condition_key(&candidate).is_some() {
            return format!(
                "did you mean `{}`?",
                canonical(service.condition_keys(), &candidate)
            );
        }
    }
    "write the key with its prefix, e.g. `aws:SourceArn` or `s3:prefix`".to_string()
}

/// The spelling the catalogue gives a key (`aws:SourceArn` for `aws:sourcearn`).
fn canonical(keys: &[ConditionKey], key: &str) -> String {
    keys.iter()
        .find(|k| k.name.eq_ignore_ascii_case(key))
        .map_or_else(|| key.to_string(), |k| k.name.to_string())
}

/// `aws:` keys AWS documents outside the global key list: `aws:SourceOwner` in SNS and SES
/// resource policies (the predecessor of `aws:SourceAccount`).
const LEGACY_AWS_KEYS: &[&str] = &["aws:SourceOwner"];

/// `Some(help)` when the key is certainly unknown.
fn unknown(catalog: &Catalog, services: &[&Service], key: &str) -> Option<String> {
    let (prefix, _) = key.split_once(':')?;
    if prefix.eq_ignore_ascii_case("aws") {
        let globals = catalog.global_condition_keys();
        if globals.iter().any(|k| k.matches(key))
            || LEGACY_AWS_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key))
            || aws_keys_of_services().contains(&key.to_ascii_lowercase())
        {
            return None;
        }
        return Some(help(key, globals.iter(), "AWS global condition keys"));
    }
    let service = services
        .iter()
        .find(|s| s.prefix.eq_ignore_ascii_case(prefix))?;
    if service.condition_key(key).is_some()
        || service
            .condition_keys()
            .iter()
            .any(|k| angle_template_matches(k.name, key))
    {
        return None;
    }
    Some(help(
        key,
        service.condition_keys().iter(),
        &format!("the condition keys of `{}`", service.prefix),
    ))
}

fn help<'k>(key: &str, candidates: impl Iterator<Item = &'k ConditionKey>, list: &str) -> String {
    // Compare a tag key's head (`aws:ResourceTag/`) with the templates' heads.
    let (head, tail) = match key.find('/') {
        Some(i) => (&key[..=i], &key[i + 1..]),
        None => (key, ""),
    };
    let names: Vec<(String, bool)> = candidates
        .map(|k| match k.name.find("${").or_else(|| k.name.find('<')) {
            Some(i) => (k.name[..i].to_string(), true),
            None => (k.name.to_string(), false),
        })
        .collect();
    let suggestion = if tail.is_empty() {
        closest(
            key,
            names.iter().filter(|(_, t)| !t).map(|(n, _)| n.as_str()),
        )
        .map(str::to_string)
    } else {
        closest(
            head,
            names.iter().filter(|(_, t)| *t).map(|(n, _)| n.as_str()),
        )
        .map(|h| format!("{h}{tail}"))
    };
    match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("use one of {list} (see the Service Authorization Reference)"),
    }
}

/// `aws:` keys that services list for their own actions (e.g. `aws:TagKeys` before it became
/// global), lower-cased. Built only when a key is not a global one.
fn aws_keys_of_services() -> &'static HashSet<String> {
    static KEYS: OnceLock<HashSet<String>> = OnceLock::new();
    KEYS.get_or_init(|| {
        Catalog::active()
            .services()
            .iter()
            .flat_map(|s| s.condition_keys())
            .filter(|k| k.name.len() > 4 && k.name[..4].eq_ignore_ascii_case("aws:"))
            .filter(|k| !k.name.contains("${"))
            .map(|k| k.name.to_ascii_lowercase())
            .collect()
    })
}

/// A few keys are documented with `<key>` rather than `${TagKey}` for the variable part
/// (`s3:ExistingObjectTag/<key>`); the catalogue's own matcher only knows the latter.
pub fn angle_template_matches(template: &str, key: &str) -> bool {
    let (Some(open), Some(close)) = (template.find('<'), template.find('>')) else {
        return false;
    };
    if close < open {
        return false;
    }
    let (head, tail) = (&template[..open], &template[close + 1..]);
    key.len() > head.len() + tail.len()
        && key.is_char_boundary(head.len())
        && key.is_char_boundary(key.len() - tail.len())
        && key[..head.len()].eq_ignore_ascii_case(head)
        && key[key.len() - tail.len()..].eq_ignore_ascii_case(tail)
}

//! What several IAM catalogue rules share: reading a statement's resources as ARNs, expanding
//! action patterns, naming a few actions of a group, and writing an ARN back as YAML. (Facts
//! read from embedded data files are in `crate::iam`: `iam::usage`.)

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::iam::arn::ResourceArn;
use crate::iam::scope::ScopedResource;
use crate::iam::usage::popularity;
use crate::iam::{ActionItem, ActionPattern, ActionRef, Item, Statement};
use crate::rules::FileContext;
use crate::source::Span;

/// The statement's `Resource` items as ARNs, with the items they came from.
pub fn scoped_resources<'s, 'a>(
    ctx: &FileContext<'_>,
    items: &'s [Item<'a>],
) -> Vec<(&'s Item<'a>, ScopedResource)> {
    items
        .iter()
        .map(|item| {
            let parsed = item.resource(ctx.template);
            // An ARN `invalid-arn` reports is not judged again here.
            let arn = match &parsed.problem {
                Some(problem) => ResourceArn::Malformed(problem.clone()),
                None => parsed.arn.clone(),
            };
            let resource = ScopedResource {
                arn,
                text: item.value.to_string(),
                symbolic: !item.value.is_literal(),
            };
            (item, resource)
        })
        .collect()
}

/// The action items of `Action` that are well-formed literal patterns.
pub fn patterns<'s, 'a>(
    statement: &'s Statement<'a>,
) -> impl Iterator<Item = (&'s ActionItem<'a>, &'s ActionPattern<'a>)> {
    statement
        .actions()
        .iter()
        .filter_map(|item| item.valid().map(|p| (item, p)))
}

/// Every well-formed action pattern of the file: the `Action` and `NotAction` items of every
/// statement of every policy, with the item (for its span).
pub fn action_patterns<'c, 'a>(
    ctx: &'c FileContext<'a>,
) -> impl Iterator<Item = (&'c ActionItem<'a>, &'c ActionPattern<'a>)> + 'c {
    ctx.policies()
        .iter()
        .flat_map(|p| &p.statements)
        .flat_map(|s| [&s.action, &s.not_action].into_iter().flatten())
        .flat_map(|list| &list.items)
        .filter_map(|item| item.valid().map(|pattern| (item, pattern)))
}

/// Actions some purpose pack requires (lower case): the ones a workload is known to need, such
/// as `s3:GetEncryptionConfiguration` for Run Command output, are worth naming first.
fn needed_by_a_purpose() -> &'static HashSet<String> {
    static NEEDED: OnceLock<HashSet<String>> = OnceLock::new();
    NEEDED.get_or_init(|| {
        crate::purpose::PackSet::active()
            .packs()
            .iter()
            .flat_map(|p| p.required_actions())
            .map(str::to_ascii_lowercase)
            .collect()
    })
}

/// The actions in the order a message should name them: reading before changing (what a
/// workload is most likely to miss), then those a known purpose needs, then the most familiar.
pub fn by_familiarity(actions: &mut [ActionRef<'static>]) {
    let needed = needed_by_a_purpose();
    actions.sort_by_cached_key(|a| {
        let name = a.full_name();
        let lower = name.to_ascii_lowercase();
        let count = popularity(&lower);
        (
            a.access_level().is_mutating(),
            !needed.contains(&lower),
            std::cmp::Reverse(count),
            name,
        )
    });
}

/// "`s3:ListBucket`, `s3:GetBucketLocation`, `s3:GetEncryptionConfiguration`" for the first
/// `limit` actions.
pub fn name_some(actions: &[ActionRef<'static>], limit: usize) -> String {
    actions
        .iter()
        .take(limit)
        .map(|a| format!("`{}`", a.full_name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An ARN as the user would write it in the file's syntax: plain, or as a `Fn::Sub` when it has
/// `${…}` parts.
pub fn as_written(text: &str, symbolic: bool, json: bool) -> String {
    match (symbolic, json) {
        (true, false) => format!("!Sub '{text}'"),
        (false, false) => format!("'{text}'"),
        (true, true) => format!("{{\"Fn::Sub\": \"{text}\"}}"),
        (false, true) => format!("\"{text}\""),
    }
}

/// `key: value` in the file's syntax (`"key": value` in JSON), for help texts.
pub fn key_value(key: &str, value: &str, json: bool) -> String {
    if json {
        format!("\"{key}\": {value}")
    } else {
        format!("{key}: {value}")
    }
}

/// The span of bytes `range` of an item's text, when the source spells the text as is.
pub fn sub_span(span: Span, text: &str, range: std::ops::Range<usize>) -> Span {
    if span.len() == text.len() && range.end <= text.len() {
        span.sub(range.start, range.end)
    } else {
        span
    }
}

/// The bytes that spell an item's value: inside the quotes of a `!Sub '…'` too.
pub fn value_span(item: &Item<'_>) -> Span {
    let spans = item.value.parts.iter().map(|p| p.span());
    spans.reduce(|a, b| a.cover(b)).unwrap_or(item.span)
}

//! What several IAM catalogue rules share: reading a statement's resources as ARNs, expanding
//! action patterns, naming a few actions of a group, and writing an ARN back as YAML. (Facts
//! read from embedded data files are in `crate::iam`: `iam::usage`.)

use std::collections::HashSet;
use std::sync::OnceLock;

use crate::iam::arn::ResourceArn;
use crate::iam::scope::ScopedResource;
use crate::iam::usage::{popularity, service_role_copy};
use crate::iam::{
    ActionItem, ActionPattern, ActionRef, AttachTarget, IdentityKind, Item, Policy, PolicyKind,
    Statement,
};
use crate::rules::FileContext;
use crate::source::Span;

/// The service principals (`ecs.amazonaws.com`) that every role of this template the policy
/// applies to trusts: the role it is written in, or the roles it is attached to. Empty when it
/// applies to no role of the template.
pub fn trusted_services(ctx: &FileContext<'_>, policy: &Policy<'_>) -> Vec<String> {
    let mut roles: Vec<&str> = policy
        .attached_to
        .iter()
        .filter(|a| a.kind == IdentityKind::Role)
        .filter_map(|a| match a.target {
            AttachTarget::Resource(id) => Some(id),
            _ => None,
        })
        .collect();
    if let Some(owner) = policy.owner.filter(|o| o.resource_type == "AWS::IAM::Role") {
        roles.push(owner.logical_id);
    }
    roles.sort_unstable();
    roles.dedup();
    let trusted_by = |role: &str| -> Vec<String> {
        ctx.policies()
            .iter()
            .filter(|p| {
                p.kind == PolicyKind::Trust && p.owner.is_some_and(|o| o.logical_id == role)
            })
            .flat_map(|p| &p.statements)
            .flat_map(|s| s.principal.iter().flat_map(|b| &b.entries))
            .filter(|e| e.kind == "Service")
            .flat_map(|e| &e.values)
            .map(|v| {
                v.value
                    .to_string()
                    .replace("${AWS::URLSuffix}", "amazonaws.com")
            })
            .collect()
    };
    let Some((first, rest)) = roles.split_first() else {
        return Vec::new();
    };
    let mut services = trusted_by(first);
    for role in rest {
        let other = trusted_by(role);
        services.retain(|s| other.contains(s));
    }
    services
}

/// Whether the statement copies the documented policy of the role of an AWS service that the
/// policy's role trusts (`rules/iam/service-roles.tsv`): AWS's own design, not the template's.
pub fn copies_service_role(
    ctx: &FileContext<'_>,
    policy: &Policy<'_>,
    statement: &Statement<'_>,
) -> bool {
    let written: Vec<&str> = statement.actions().iter().filter_map(|a| a.text).collect();
    // A computed action (`!Ref`) could be anything.
    if written.len() != statement.actions().len() {
        return false;
    }
    trusted_services(ctx, policy)
        .iter()
        .any(|service| service_role_copy(service, &written).is_some())
}

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

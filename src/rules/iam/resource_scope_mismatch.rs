use crate::iam::Effect;
use std::collections::BTreeMap;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::scope::{child_text, parent_text, Gap, Scope};
use crate::iam::ActionRef;
use crate::rules::iam::support::{
    as_written, by_familiarity, name_some, patterns, scoped_resources, value_span,
};
use crate::rules::{FileContext, Rule};
use crate::source::Span;

declare_rule! {
    /// ## What it does
    /// For `Allow` statements, reports actions that none of the statement's resources can
    /// grant: bucket-level S3 actions on `bucket/*`, object-level ones on the bare bucket,
    /// actions of one service on another service's ARNs, or actions on a resource type they do
    /// not apply to.
    ///
    /// Wildcard actions (`s3:*`, `s3:Get*`) are expanded through the catalogue; for them only
    /// the actions that need a resource containing, or contained in, one of the statement's
    /// resources are reported (a wildcard is not expected to fit every action it covers).
    /// One diagnostic per statement and cause, naming a few actions and the count, with the
    /// ARN to add. An error when a named action is never granted; a warning when only part of
    /// a wildcard is (`s3:*` on `bucket/*` may well mean "everything on the objects").
    ///
    /// Actions for which AWS's reference lists no resource type are documented as taking
    /// `Resource: "*"`, but some services check them against an ARN of their own: Step
    /// Functions' `states:SendTaskSuccess` against the state machine, CloudWatch Logs'
    /// `logs:DescribeLogGroups` against `arn:…:log-group::log-stream:`. Where such a form is
    /// known (`rules/iam/authorized-resources.tsv`, each with its source), the action is judged
    /// by it: `arn:aws:logs:*:*:*` grants `logs:DescribeLogGroups`, one log group's ARN does
    /// not (an error). Where nothing is known and the statement names an ARN of the action's
    /// own service, the finding is a warning that says it is uncertain; on other services'
    /// ARNs only it is an error. The help suggests `Resource: "*"` only where the service
    /// documents it unambiguously (EC2's `Describe*` actions).
    ///
    /// Resources that cannot be known from the template (a parameter holding an ARN,
    /// `!ImportValue`, a dynamic reference) fit every action, so nothing is reported for them.
    /// An `!If` is judged branch by branch: each branch's ARN is one of the statement's
    /// resources, and an `AWS::NoValue` branch adds none (`!If [HasBucket, 'arn:aws:s3:::b',
    /// !Ref AWS::NoValue]` on `s3:GetObject` is reported, since the bucket ARN holds no object).
    /// CloudFormation transform ARNs (`arn:aws:cloudformation:REGION:aws:transform/NAME`) are
    /// resources of `cloudformation:CreateChangeSet`.
    ///
    /// ## Why it matters
    /// IAM matches each action against the ARNs of the resource types it applies to. An
    /// action none of whose resource types can match the statement's `Resource` is not
    /// granted, although the policy seems to grant it: `s3:*` on `arn:aws:s3:::bucket/*` does
    /// not allow `s3:ListBucket`, and the workload fails with `AccessDenied`.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: s3:*
    ///   Resource: !Sub 'arn:aws:s3:::${S3Bucket}/*'
    /// ```
    ///
    /// ## Fix
    /// Add the ARN the actions need (or move them to a statement that has it):
    /// ```yaml
    /// - Effect: Allow
    ///   Action: s3:*
    ///   Resource:
    ///     - !Sub 'arn:aws:s3:::${S3Bucket}'
    ///     - !Sub 'arn:aws:s3:::${S3Bucket}/*'
    /// ```
    pub struct ResourceScopeMismatch {
        name: "resource-scope-mismatch",
        code: "I024",
        severity: Error,
        family: Iam,
        summary: "Actions that none of the statement's resources can grant",
    }
}

/// The findings of one cause in one statement.
struct Group {
    gap: Gap,
    /// (span, text) of each action item contributing, in order.
    items: Vec<(Span, String)>,
    wildcard: bool,
    /// An action named without wildcards contributes: it is certainly not granted.
    named: bool,
    actions: Vec<ActionRef<'static>>,
}

impl Rule for ResourceScopeMismatch {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for statement in &policy.statements {
                if statement.effect() != Some(Effect::Allow) || statement.resource.is_none() {
                    continue;
                }
                let resources = scoped_resources(ctx, statement.resources());
                if resources.is_empty() {
                    continue;
                }
                let mut scope = Scope::new(resources.iter().map(|(_, r)| r.clone()).collect());
                let mut groups: BTreeMap<String, Group> = BTreeMap::new();
                for (item, pattern) in patterns(statement) {
                    let wildcard = pattern.has_wildcard();
                    for &action in item.actions() {
                        if scope.fits(&action) {
                            continue;
                        }
                        let gap = scope.gap(&action);
                        if wildcard && !matches!(gap, Gap::Parent { .. } | Gap::Child { .. }) {
                            continue;
                        }
                        let group = groups.entry(key(&gap)).or_insert_with(|| Group {
                            gap: gap.clone(),
                            items: Vec::new(),
                            wildcard: false,
                            named: false,
                            actions: Vec::new(),
                        });
                        if !group.items.iter().any(|(s, _)| *s == item.span) {
                            group.items.push((item.span, pattern.as_str().to_string()));
                        }
                        group.wildcard |= wildcard;
                        group.named |= !wildcard;
                        if !group.actions.contains(&action) {
                            group.actions.push(action);
                        }
                    }
                }
                for group in groups.into_values() {
                    out.push(diagnostic(group, &resources, &scope, ctx.is_json()));
                }
            }
        }
    }
}

fn key(gap: &Gap) -> String {
    match gap {
        Gap::StarOnly { .. } => "star".into(),
        Gap::StarOnlyPerhaps => "star?".into(),
        Gap::Documented { format, .. } => format!("form {format}"),
        Gap::Parent {
            resource_type,
            resource,
            ..
        } => format!("parent {resource_type} {resource}"),
        Gap::Child {
            resource_type,
            resource,
            ..
        } => format!("child {resource_type} {resource}"),
        Gap::WrongService { service } => format!("service {service}"),
        Gap::OtherType { resource_types, .. } => format!("type {}", resource_types.join(",")),
    }
}

fn type_of_format(action: &ActionRef<'static>, format: &str) -> &'static str {
    action
        .service()
        .resource_types()
        .iter()
        .find(|rt| rt.arn_formats.contains(&format))
        .map_or("other", |rt| rt.name)
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn diagnostic(
    mut group: Group,
    resources: &[(&crate::iam::Item<'_>, crate::iam::scope::ScopedResource)],
    scope: &Scope,
    json: bool,
) -> Diagnostic {
    let meta = &ResourceScopeMismatch::META;
    by_familiarity(&mut group.actions);
    let n = group.actions.len();
    let pats = group
        .items
        .iter()
        .map(|(_, t)| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let some = name_some(&group.actions, 3);
    // Wildcards are summarised by count; named actions are all in `pats` already.
    let many = group.wildcard;
    let (it, needs) = if n > 1 {
        ("they", "need")
    } else {
        ("it", "needs")
    };
    // "`s3:ListBucket`, `s3:GetBucketLocation` on … grant", "`s3:*` on … grants".
    let grants = if group.items.len() > 1 {
        "grant"
    } else {
        "grants"
    };
    let first = group.actions[0];
    let all_resources = match scope.resources() {
        [one] => format!("`{}`", one.text),
        _ => "the statement's resources".to_string(),
    };
    let (message, help, label_on) = match &group.gap {
        Gap::Parent {
            resource_type,
            resource,
            format,
            child_format,
        } => {
            let r = &scope.resources()[*resource];
            let res = &r.text;
            let child = type_of_format(&first, child_format);
            let message = if many {
                format!(
                    "{pats} on `{res}` {grants} no {resource_type}-level action: {n} {} such as \
                     {some} need the {resource_type} ARN",
                    plural(n, "action")
                )
            } else {
                format!(
                    "{pats} on `{res}` {grants} nothing: {it} {needs} the {resource_type} ARN, \
                     not {} {child} ARN",
                    article(child)
                )
            };
            let help = match parent_text(res, format, child_format) {
                Some(parent) => format!(
                    "add `{}` to Resource",
                    as_written(&parent, r.symbolic, json)
                ),
                None => format!("add the {resource_type} ARN (`{format}`) to Resource"),
            };
            (
                message,
                help,
                Some((*resource, format!("{} {child} ARN", article(child)))),
            )
        }
        Gap::Child {
            resource_type,
            resource,
            format,
            parent_format,
        } => {
            let r = &scope.resources()[*resource];
            let res = &r.text;
            let parent = type_of_format(&first, parent_format);
            let suggestion = child_text(res, format, parent_format);
            let message = if many {
                format!(
                    "{pats} on `{res}` {grants} no {resource_type}-level action: {n} {} such as \
                     {some} need {} {resource_type} ARN",
                    plural(n, "action"),
                    article(resource_type)
                )
            } else {
                format!(
                    "{pats} on `{res}` {grants} nothing: {it} {needs} {} {resource_type} ARN, \
                     not {} {parent} ARN",
                    article(resource_type),
                    article(parent)
                )
            };
            let help = match suggestion {
                Some(child) => {
                    format!("add `{}` to Resource", as_written(&child, r.symbolic, json))
                }
                None => format!(
                    "add {} {resource_type} ARN (`{format}`) to Resource",
                    article(resource_type)
                ),
            };
            (
                message,
                help,
                Some((*resource, format!("{} {parent} ARN", article(parent)))),
            )
        }
        Gap::StarOnly {
            documented: Some(source),
        } => {
            let message = if n > 1 {
                format!(
                    "{n} actions, such as {some}, are only authorised by `Resource: \"*\"`; on \
                     {all_resources} they grant nothing"
                )
            } else {
                format!(
                    "{some} is only authorised by `Resource: \"*\"`; on {all_resources} it \
                     grants nothing"
                )
            };
            let help = format!(
                "move {} to a statement of {} own with `Resource: \"*\"` (documented at {source})",
                if n > 1 { "them" } else { "it" },
                if n > 1 { "their" } else { "its" },
            );
            (message, help, None)
        }
        Gap::StarOnly { documented: None } => {
            let prefix = first.service().prefix;
            let message = if n > 1 {
                format!(
                    "{n} actions, such as {some}, act on no resource of {all_resources}: AWS \
                     lists no resource type for them, and none of the statement's resources is \
                     a `{prefix}` resource"
                )
            } else {
                format!(
                    "{some} acts on no resource of {all_resources}: AWS lists no resource type \
                     for it, and none of the statement's resources is a `{prefix}` resource"
                )
            };
            let help = format!(
                "move {} to a statement of {} own, on the `{prefix}` resource the service \
                 authorises {} against",
                if n > 1 { "them" } else { "it" },
                if n > 1 { "their" } else { "its" },
                if n > 1 { "them" } else { "it" },
            );
            (message, help, None)
        }
        Gap::Documented { format, source } => {
            let written = written_form(format);
            let message = if n > 1 {
                format!(
                    "{n} actions, such as {some}, are authorised against `{written}`, which \
                     {all_resources} cannot match: they grant nothing"
                )
            } else {
                format!(
                    "{some} is authorised against `{written}`, which {all_resources} cannot \
                     match: it grants nothing"
                )
            };
            let help = format!(
                "add `{}` to Resource: it is the ARN the service checks ({source})",
                as_written(&written, true, json)
            );
            (message, help, None)
        }
        Gap::StarOnlyPerhaps => {
            let grant = if scope.resources().len() > 1 {
                "grant"
            } else {
                "grants"
            };
            let message = if n > 1 {
                format!(
                    "AWS lists no resource type for {n} actions, such as {some}; whether \
                     {all_resources} {grant} them depends on the ARN the service checks, which \
                     is not documented"
                )
            } else {
                format!(
                    "AWS lists no resource type for {some}; whether {all_resources} {grant} it \
                     depends on the ARN the service checks, which is not documented"
                )
            };
            let help = "check that the call is allowed: an `AccessDenied` error names the ARN \
                        the service checked, and IAM's policy simulator tells too"
                .to_string();
            (message, help, None)
        }
        Gap::WrongService { service } => {
            let example = first.typical_arn_format().unwrap_or("");
            let message = format!(
                "{pats} {} on `{service}` resources, but {all_resources} {} no `{service}` ARN",
                if group.items.len() > 1 { "act" } else { "acts" },
                if scope.resources().len() > 1 {
                    "include"
                } else {
                    "is"
                },
            );
            let help = format!(
                "add the ARN of the `{service}` resource it should act on (`{example}`), or move the action to the statement that names it"
            );
            (message, help, None)
        }
        Gap::OtherType {
            resource_types,
            format,
        } => {
            let types = resource_types
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(" or ");
            let not_one = match scope.resources() {
                [one] => format!("`{}` is not one", one.text),
                _ => "none of the statement's resources is one".to_string(),
            };
            let message = if many {
                format!(
                    "{n} {} such as {some} apply only to {types} resources, and {not_one}",
                    plural(n, "action")
                )
            } else {
                format!(
                    "{pats} {} only to {types} resources, and {not_one}",
                    if group.items.len() > 1 {
                        "apply"
                    } else {
                        "applies"
                    }
                )
            };
            let help = match format {
                Some(f) => format!("add an ARN of the form `{f}` to Resource"),
                None => "add the ARN of the resource the action should act on".to_string(),
            };
            (message, help, None)
        }
    };
    let (primary, _) = group.items[0];
    let mut d = Diagnostic::new(meta, primary, message).with_help(help);
    // Only part of a wildcard left out: often what the author meant (`s3:*` for "everything on
    // the objects"), so a warning; a named action that is never granted is an error.
    if !group.named || group.gap == Gap::StarOnlyPerhaps {
        d = d.with_severity(Severity::Warning);
    }
    for (span, text) in group.items.iter().skip(1) {
        d = d.with_label(*span, format!("`{text}` too"));
    }
    match label_on {
        Some((index, text)) => {
            if let Some((item, _)) = resources.get(index) {
                d = d.with_label(value_span(item), format!("this is {text}"));
            }
        }
        None => {
            for (item, _) in resources {
                d = d.with_label(value_span(item), "the statement's resource");
            }
        }
    }
    d
}

/// A catalogue ARN format as a template would write it: `${Partition}` becomes
/// `${AWS::Partition}` (and so on), any other variable `*`.
fn written_form(format: &str) -> String {
    let mut out = String::new();
    let mut rest = format;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let name = &rest[start + 2..start + len];
        out.push_str(match name {
            "Partition" => "${AWS::Partition}",
            "Region" => "${AWS::Region}",
            "Account" => "${AWS::AccountId}",
            _ => "*",
        });
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

use std::collections::HashMap;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::iam::{
    suggest_action, ActionItem, ActionList, ActionPattern, ActionRef, Catalog, Service,
};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an action that its service does not have, such as `ssm:GetParamter`, with the
    /// closest real action. A near-miss service prefix is caught too: `sms:GetParameter` is
    /// most likely `ssm:GetParameter`.
    ///
    /// An API call written as an action (`sqs:SendMessageBatch`, `s3:HeadObject`) names the
    /// action that authorizes it. When that action is listed in the same statement too (SAM's
    /// `SQSPollerPolicy` does this), the name has no effect and is harmless: a warning that
    /// says so.
    ///
    /// ## Why it matters
    /// IAM does not validate action names: a misspelt action grants nothing, and the permission
    /// the author meant is missing until the workload fails with `AccessDenied`. In a `Deny`
    /// statement the misspelling silently removes a guard rail.
    ///
    /// ## Example
    /// ```yaml
    /// Action:
    ///   - ssm:GetParamter
    /// ```
    ///
    /// ## Fix
    /// Write the action as the Service Authorization Reference names it:
    /// ```yaml
    /// Action:
    ///   - ssm:GetParameter
    /// ```
    pub struct UnknownAction {
        name: "unknown-action",
        code: "I021",
        severity: Error,
        family: Iam,
        summary: "An action its service does not have",
    }
}

impl Rule for UnknownAction {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let catalog = Catalog::active();
        // A misspelt action is often repeated across a template's policies; its suggestion is
        // a search through the catalogue, so work it out once per spelling.
        let mut helps: HashMap<String, String> = HashMap::new();
        let lists = ctx
            .policies()
            .iter()
            .flat_map(|p| &p.statements)
            .flat_map(|s| [&s.action, &s.not_action].into_iter().flatten());
        for list in lists {
            for (item, pattern) in list
                .items
                .iter()
                .filter_map(|item| item.valid().map(|p| (item, p)))
            {
                self.check_item(catalog, list, item, pattern, &mut helps, out);
            }
        }
    }
}

impl UnknownAction {
    fn check_item(
        &self,
        catalog: &Catalog,
        list: &ActionList<'_>,
        item: &ActionItem<'_>,
        pattern: &ActionPattern<'_>,
        helps: &mut HashMap<String, String>,
        out: &mut Vec<Diagnostic>,
    ) {
        if pattern.has_wildcard() {
            return;
        }
        // An unknown prefix is `unknown-service`'s finding.
        let Some(service) = item.service() else {
            return;
        };
        if !item.actions().is_empty() {
            return;
        }
        if UNDOCUMENTED.iter().any(|u| {
            u.split_once(':').is_some_and(|(sv, n)| {
                sv.eq_ignore_ascii_case(service.prefix) && n.eq_ignore_ascii_case(pattern.name())
            })
        }) {
            return;
        }
        // An API call's name next to the action that authorizes it (SAM's SQSPollerPolicy
        // lists `sqs:DeleteMessageBatch` beside `sqs:DeleteMessage`): no effect, no harm.
        if let Some(authorizer) = authorizer(service, pattern.name()) {
            let listed = list
                .items
                .iter()
                .find(|other| other.actions().contains(&authorizer));
            if let Some(other) = listed {
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        item.span,
                        format!(
                            "`{pattern}` is not an IAM action, and has no effect: \
                             `{}`, listed in this statement, authorizes that call",
                            authorizer.full_name()
                        ),
                    )
                    .with_severity(Severity::Warning)
                    .with_label(other.span, "authorizes it")
                    .with_help("remove it: IAM ignores action names that do not exist"),
                );
                return;
            }
        }
        let help = helps
            .entry(pattern.as_str().to_ascii_lowercase())
            .or_insert_with(|| help(catalog, service, pattern.service(), pattern.name()))
            .clone();
        out.push(
            Diagnostic::new(
                &Self::META,
                item.span,
                format!("`{}` is not an action of `{}`", pattern, service.prefix),
            )
            .with_help(help),
        );
    }
}

/// The action that authorizes an API call written as if it were an action: a batch call's
/// single-item action (`sqs:SendMessageBatch` → `sqs:SendMessage`), or one of
/// [`AUTHORIZED_BY`].
fn authorizer(service: &'static Service, name: &str) -> Option<ActionRef<'static>> {
    let documented = AUTHORIZED_BY.iter().find_map(|(written, action, _)| {
        let (sv, n) = written.split_once(':')?;
        (sv.eq_ignore_ascii_case(service.prefix) && n.eq_ignore_ascii_case(name))
            .then(|| Catalog::active().lookup(action))
            .flatten()
    });
    documented.or_else(|| service.action(name.strip_suffix("Batch")?))
}

/// Actions IAM honours that the Service Authorization Reference does not list: `SNS:Receive` is
/// in the default access policy the SNS console writes for every topic.
const UNDOCUMENTED: &[&str] = &["sns:Receive"];

/// API calls that have no action of their own, with the action that authorizes them (from the
/// services' documentation), and a common invented name with the action meant.
const AUTHORIZED_BY: &[(&str, &str, &str)] = &[
    (
        "bedrock:Converse",
        "bedrock:InvokeModel",
        "the `Converse` call",
    ),
    (
        "bedrock:ConverseStream",
        "bedrock:InvokeModelWithResponseStream",
        "the `ConverseStream` call",
    ),
    ("s3:HeadObject", "s3:GetObject", "the `HeadObject` call"),
    ("s3:HeadBucket", "s3:ListBucket", "the `HeadBucket` call"),
    (
        "s3:DeleteObjects",
        "s3:DeleteObject",
        "the `DeleteObjects` call",
    ),
    (
        "dynamodb:CreateItem",
        "dynamodb:PutItem",
        "creating an item",
    ),
];

fn help(catalog: &Catalog, service: &Service, written_service: &str, name: &str) -> String {
    if let Some((_, action, what)) = AUTHORIZED_BY.iter().find(|(written, _, _)| {
        written.split_once(':').is_some_and(|(sv, n)| {
            sv.eq_ignore_ascii_case(service.prefix) && n.eq_ignore_ascii_case(name)
        })
    }) {
        return format!("IAM has no action of that name: `{action}` authorizes {what}");
    }
    // Batch API calls are authorized by the single-item action (`sqs:SendMessageBatch`).
    if let Some(single) = name
        .strip_suffix("Batch")
        .and_then(|single| service.action(single))
    {
        return format!(
            "there is no separate IAM action for the batch call: `{}` authorizes it",
            single.full_name()
        );
    }
    // An API name cut short (`kms:ReEncrypt` for `kms:ReEncryptFrom`/`kms:ReEncryptTo`).
    let completions: Vec<String> = service
        .actions_with_prefix(name)
        .take(4)
        .map(|a| format!("`{}`", a.full_name()))
        .collect();
    match completions.as_slice() {
        [] => {}
        [one] => return format!("did you mean {one}?"),
        [a, b] => return format!("did you mean {a} or {b}?"),
        [a, b, c] => return format!("did you mean one of {a}, {b}, {c}?"),
        [a, b, c, ..] => return format!("did you mean one of {a}, {b}, {c}, …?"),
    }
    match suggest_action(catalog, written_service, name) {
        Some(action) => format!("did you mean `{}`?", action.full_name()),
        None => format!(
            "`{}` ({}) has no action of that name; check the Service Authorization Reference, \
             or use `--iam-data` with a newer catalogue if the action is new",
            service.prefix, service.name
        ),
    }
}

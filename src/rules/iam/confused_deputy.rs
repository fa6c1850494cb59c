use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::extract::{permissions, PermissionKind};
use crate::iam::{ConditionBlock, Effect, PolicyKind};
use crate::rules::{FileContext, Rule};
use crate::template::spans::whole_value_span;
use crate::template::string_template;

declare_rule! {
    /// ## What it does
    /// Reports a resource-based permission granted to an AWS service principal with nothing
    /// tying it to the source resource or account: an `AWS::Lambda::Permission` for a service
    /// (`s3.amazonaws.com`, `events.amazonaws.com` …) without `SourceArn` or `SourceAccount`,
    /// and an `Allow` statement for a service principal in an S3 bucket, SQS queue, SNS topic or
    /// KMS key policy without an `aws:SourceArn`, `aws:SourceAccount` (or `aws:SourceOrgID`,
    /// `aws:SourceOrgPaths`, the SNS-era `aws:SourceOwner`) condition. KMS conditions that name
    /// the caller's resource (`kms:EncryptionContext:…`, `kms:ViaService`, `kms:CallerAccount`)
    /// count as such a tie. Alexa skills' `EventSourceToken` does too.
    ///
    /// ## Why it matters
    /// The service acts for any of its customers. Without a source condition, a resource in
    /// another AWS account (someone else's bucket notification, rule or trail) can make the
    /// service call your function or write to your queue, topic, bucket or key: the confused
    /// deputy problem, which AWS documents for every service principal.
    ///
    /// ## Example
    /// ```yaml
    /// InvokeFromBucket:
    ///   Type: AWS::Lambda::Permission
    ///   Properties:
    ///     Action: lambda:InvokeFunction
    ///     FunctionName: !Ref Function
    ///     Principal: s3.amazonaws.com
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     Principal: s3.amazonaws.com
    ///     SourceArn: !GetAtt Bucket.Arn
    ///     SourceAccount: !Ref AWS::AccountId
    /// ```
    pub struct ConfusedDeputy {
        name: "confused-deputy",
        code: "I040",
        severity: Warning,
        family: Iam,
        summary: "A permission for an AWS service without a source condition",
    }
}

/// Resource policies the rule reads, with what they protect.
const POLICIES: &[(&str, &str)] = &[
    ("AWS::S3::BucketPolicy", "bucket"),
    ("AWS::SQS::QueuePolicy", "queue"),
    ("AWS::SQS::QueueInlinePolicy", "queue"),
    ("AWS::SNS::TopicPolicy", "topic"),
    ("AWS::SNS::TopicInlinePolicy", "topic"),
    ("AWS::KMS::Key", "key"),
    ("AWS::KMS::ReplicaKey", "key"),
];

/// Condition keys that tie a service's request to the resource or account it acts for.
const SOURCE_KEYS: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceOwner",
    "kms:ViaService",
    "kms:CallerAccount",
];

/// Whether a condition ties the request to its source (a test that must hold, not `…IfExists`).
fn tied_to_source(condition: Option<&ConditionBlock<'_>>) -> bool {
    condition.is_some_and(|c| {
        c.operators.iter().any(|op| {
            !op.name.ends_with("IfExists")
                && op.name != "Null"
                && op.entries.iter().any(|e| {
                    SOURCE_KEYS.iter().any(|k| k.eq_ignore_ascii_case(e.name))
                        || e.name
                            .get(..21)
                            .is_some_and(|h| h.eq_ignore_ascii_case("kms:EncryptionContext"))
                })
        })
    })
}

/// An AWS service principal name (`events.amazonaws.com`, `logs.us-east-1.amazonaws.com`).
fn is_service_principal(text: &str) -> bool {
    [".amazonaws.com", ".amazonaws.com.cn"]
        .iter()
        .any(|s| text.len() > s.len() && text.ends_with(s))
}

impl Rule for ConfusedDeputy {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = HashSet::new();
        for policy in ctx.policies() {
            if policy.kind != PolicyKind::Resource {
                continue;
            }
            let Some((_, what)) = policy
                .owner
                .and_then(|o| POLICIES.iter().find(|(t, _)| *t == o.resource_type))
            else {
                continue;
            };
            for st in &policy.statements {
                if st.effect() != Some(Effect::Allow) || tied_to_source(st.condition.as_ref()) {
                    continue;
                }
                let services = st
                    .principal
                    .iter()
                    .flat_map(|b| &b.entries)
                    .filter(|e| e.kind == "Service")
                    .flat_map(|e| &e.values);
                for item in services {
                    let Some(name) = item.literal() else {
                        continue;
                    };
                    if !is_service_principal(&name) || !seen.insert(item.span) {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            item.span,
                            format!(
                                "`{name}` may use this {what} for any AWS account's resources: the \
                                 statement has no `aws:SourceArn` or `aws:SourceAccount` condition"
                            ),
                        )
                        .with_help(
                            "add a condition naming the resource or account the service acts \
                             for, e.g. `ArnLike: {aws:SourceArn: …}` or `StringEquals: \
                             {aws:SourceAccount: !Ref AWS::AccountId}`",
                        ),
                    );
                }
            }
        }
        let Some(template) = ctx.template else {
            return;
        };
        for permission in permissions(template) {
            if permission.kind != PermissionKind::LambdaPermission || !permission.limits.is_empty()
            {
                continue;
            }
            for principal in &permission.principals {
                let Some(name) = string_template(principal, &ctx.source.text).literal() else {
                    continue;
                };
                if !is_service_principal(&name) {
                    continue;
                }
                let span = whole_value_span(principal, &ctx.source.text);
                if !seen.insert(span) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        span,
                        format!(
                            "`{name}` may invoke the function on behalf of any AWS account: \
                             `{}` has no `SourceArn` or `SourceAccount`",
                            permission.owner.logical_id
                        ),
                    )
                    .with_help(
                        "add `SourceArn` (the bucket, rule, topic or API that invokes it) and, \
                         for S3, `SourceAccount: !Ref AWS::AccountId`",
                    ),
                );
            }
        }
    }
}

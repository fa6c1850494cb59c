use super::edits::{literal, value_span};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{Policy, PolicyKind, Statement};
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports a `Sid` used by two statements of one policy document where the Sid must be
    /// unique: IAM policies (identity and trust), SQS queue and SNS topic policies.
    /// Statements that are alternatives of a condition (`Fn::If` branches) may share one.
    ///
    /// ## Why it matters
    /// IAM, SQS and SNS reject the document, so the stack fails; tools referring to a
    /// statement by its Sid would pick the wrong one anyway.
    ///
    /// ## Example
    /// ```yaml
    /// Statement:
    ///   - Sid: ReadBucket
    ///     Effect: Allow
    ///     Action: s3:ListBucket
    ///     Resource: !GetAtt Bucket.Arn
    ///   - Sid: ReadBucket
    ///     Effect: Allow
    ///     Action: s3:GetObject
    ///     Resource: !Sub "${Bucket.Arn}/*"
    /// ```
    ///
    /// ## Fix
    /// Give each statement its own Sid (`ListBucket`, `ReadObjects`) or drop the Sids.
    pub struct DuplicateSid {
        name: "duplicate-sid",
        code: "I008",
        severity: Error,
        family: Iam,
        summary: "Two statements of one policy with the same Sid",
    }
}

/// IAM (identity and trust policies), SQS and SNS reject duplicate Sids; S3, KMS and other
/// services accept them, so there a duplicate is only untidy and not reported.
fn unique_sids_required(policy: &Policy<'_>) -> bool {
    match policy.kind {
        PolicyKind::Identity | PolicyKind::Trust => true,
        _ => policy.owner.is_some_and(|o| {
            o.resource_type.starts_with("AWS::SQS::") || o.resource_type.starts_with("AWS::SNS::")
        }),
    }
}

impl Rule for DuplicateSid {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            if !unique_sids_required(policy) {
                continue;
            }
            let mut seen: Vec<(&str, &Statement<'_>)> = Vec::new();
            for st in &policy.statements {
                let Some(sid) = st.sid else { continue };
                let Some(text) = literal(sid.value) else {
                    continue;
                };
                // Branches of one `Fn::If`, or two conditional statements that may exclude
                // each other, are not duplicates for sure.
                let first = seen.iter().find(|(s, other)| {
                    *s == text && other.index != st.index && !(other.conditional && st.conditional)
                });
                if let Some((_, first)) = first {
                    let first_span = first
                        .sid
                        .map_or(first.node.span, |s| value_span(s.value, ctx.source));
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            value_span(sid.value, ctx.source),
                            format!("Sid `{text}` is already used in this policy"),
                        )
                        .with_label(first_span, "first used here")
                        .with_help(
                            "give each statement a unique Sid (letters and digits), or remove it",
                        ),
                    );
                    continue;
                }
                seen.push((text, st));
            }
        }
    }
}

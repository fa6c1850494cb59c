use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a policy document without a `Version` element.
    ///
    /// ## Why it matters
    /// Without `Version`, IAM reads the document with the 2008-10-17 language, where policy
    /// variables such as `${aws:username}` are plain text and newer features are missing. The
    /// policy then grants something different from what it says.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Statement:
    ///     - Effect: Allow
    ///       Action: s3:ListBucket
    ///       Resource: arn:aws:s3:::home-${aws:username}
    /// ```
    ///
    /// ## Fix
    /// Add the version before `Statement`:
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    ///   Statement: …
    /// ```
    pub struct MissingPolicyVersion {
        name: "missing-policy-version",
        code: "I003",
        severity: Warning,
        family: Iam,
        summary: "A policy document without Version (read as the 2008-10-17 language)",
    }
}

impl Rule for MissingPolicyVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            if policy.version.is_some() {
                continue;
            }
            // A document without `Statement` either is not one (missing-policy-element says
            // so) or is broken in a bigger way.
            let Some(statement) = policy.statement else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &Self::META,
                    super::edits::value_span(statement.key, ctx.source),
                    format!("{} has no `Version`", policy.describe()),
                )
                .with_help(
                    "add `Version: \"2012-10-17\"` next to `Statement`; without it IAM uses the \
                     2008-10-17 language, where policy variables like `${aws:username}` are not \
                     replaced",
                ),
            );
        }
    }
}

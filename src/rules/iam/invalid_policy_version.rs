use super::edits::{literal, replace_value, value_span};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::iam::support::key_value;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports a policy `Version` other than the two versions of the policy language,
    /// `2012-10-17` and `2008-10-17`. An unquoted `Version: 2012-10-17` is fine: CloudFormation
    /// reads it as a string.
    ///
    /// ## Why it matters
    /// `Version` is not a date the author picks: it names the policy language. IAM rejects any
    /// other value, so the stack fails.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Version: 2021-01-01
    ///   Statement: []
    /// ```
    ///
    /// ## Fix
    /// Use the current language version:
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    /// ```
    pub struct InvalidPolicyVersion {
        name: "invalid-policy-version",
        code: "I002",
        severity: Error,
        family: Iam,
        summary: "A policy Version other than 2012-10-17 or 2008-10-17",
    }
}

pub(crate) const VERSIONS: [&str; 2] = ["2012-10-17", "2008-10-17"];

impl Rule for InvalidPolicyVersion {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            let Some(version) = policy.version else {
                continue;
            };
            let Some(text) = literal(version.value) else {
                continue;
            };
            if VERSIONS.contains(&text) {
                continue;
            }
            let mut d = Diagnostic::new(
                &Self::META,
                value_span(version.value, ctx.source),
                format!("`{text}` is not a policy language version"),
            )
            .with_help(format!(
                "write `{}` (the current policy language; the only other one is `2008-10-17`)",
                key_value("Version", "\"2012-10-17\"", ctx.is_json())
            ));
            if let Some(fix) = replace_value(
                version.value,
                ctx.source,
                VERSIONS[0],
                format!("replace `{text}` with `2012-10-17`"),
            ) {
                d = d.with_fix(fix);
            }
            out.push(d);
        }
    }
}

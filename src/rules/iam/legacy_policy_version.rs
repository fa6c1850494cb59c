use super::edits::{literal, replace_value, value_span};
use super::missing_policy_version::policy_variables;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::iam::support::key_value;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports a policy document that asks for the old policy language with an explicit
    /// `Version: "2008-10-17"`, naming the policy variables (`${aws:username}`, `${s3:prefix}`)
    /// it uses, which that language leaves as plain text.
    ///
    /// ## Why it matters
    /// Policies written for the 2008 language get none of the newer features: policy variables
    /// are not replaced, so a resource such as `arn:aws:s3:::home/${aws:username}/*` matches
    /// only an object literally named `${aws:username}`. Console-generated bucket and topic
    /// policies from before 2012 still carry the old version; copying them carries the trap
    /// along.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2008-10-17"
    ///   Statement:
    ///     - Effect: Allow
    ///       Action: s3:GetObject
    ///       Resource: arn:aws:s3:::home/${aws:username}/*
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    /// ```
    pub struct LegacyPolicyVersion {
        name: "legacy-policy-version",
        code: "I035",
        severity: Warning,
        family: Iam,
        summary: "A policy that asks for the 2008-10-17 language, where policy variables do not work",
    }
}

const LEGACY: &str = "2008-10-17";

impl Rule for LegacyPolicyVersion {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            let Some(version) = policy.version else {
                continue;
            };
            if literal(version.value) != Some(LEGACY) {
                continue;
            }
            let variables = policy_variables(policy.node, 4);
            let message = match variables.as_slice() {
                [] => format!(
                    "{} uses the 2008-10-17 policy language, which has no policy variables and \
                     none of the newer features",
                    policy.describe()
                ),
                vars => format!(
                    "{} uses the 2008-10-17 policy language, which leaves {} unreplaced",
                    policy.describe(),
                    vars.iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let mut d =
                Diagnostic::new(&Self::META, value_span(version.value, ctx.source), message)
                    .with_help(format!(
                        "write `{}`: for a document without policy variables it grants the same",
                        key_value("Version", "\"2012-10-17\"", ctx.is_json())
                    ));
            // Only safe when nothing in the document reads differently under the new language.
            if variables.is_empty() {
                if let Some(fix) = replace_value(
                    version.value,
                    ctx.source,
                    "2012-10-17",
                    "replace `2008-10-17` with `2012-10-17`".to_string(),
                ) {
                    d = d.with_fix(fix);
                }
            }
            out.push(d);
        }
    }
}

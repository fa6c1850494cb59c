use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::{Policy, PolicyKind, Statement};
use crate::rules::{FileContext, Rule};
use crate::suggest::closest;

declare_rule! {
    /// ## What it does
    /// Reports a policy document without `Statement`, and a statement without an element it
    /// needs: `Effect`; `Action` or `NotAction`; `Resource` or `NotResource` in an identity
    /// policy; `Principal` or `NotPrincipal` in a resource or trust policy.
    ///
    /// ## Why it matters
    /// IAM rejects the document, so the stack fails to deploy.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    ///   Statement:
    ///     - Effect: Allow
    ///       Action: s3:GetObject
    /// ```
    ///
    /// ## Fix
    /// Add the missing element:
    /// ```yaml
    ///     - Effect: Allow
    ///       Action: s3:GetObject
    ///       Resource: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/*"
    /// ```
    pub struct MissingPolicyElement {
        name: "missing-policy-element",
        code: "I005",
        severity: Error,
        family: Iam,
        summary: "A policy or statement lacking a required element",
    }
}

impl MissingPolicyElement {
    fn statement(policy: &Policy<'_>, st: &Statement<'_>, json: bool, out: &mut Vec<Diagnostic>) {
        if st.node.as_mapping().is_none() || crate::template::intrinsic(st.node).is_some() {
            return;
        }
        let has = |name: &str| st.entry(name).is_some();
        let mut missing: Vec<(&str, String)> = Vec::new();
        if !has("Effect") {
            let (allow, deny) = if json {
                ("\"Effect\": \"Allow\"", "\"Effect\": \"Deny\"")
            } else {
                ("Effect: Allow", "Effect: Deny")
            };
            missing.push(("`Effect`", format!("add `{allow}` or `{deny}`")));
        }
        if !has("Action") && !has("NotAction") {
            missing.push((
                "`Action`",
                "add `Action` with the actions the statement covers".to_string(),
            ));
        }
        match policy.kind {
            PolicyKind::Identity if !has("Resource") && !has("NotResource") => missing.push((
                "`Resource`",
                "add `Resource` with the ARNs the actions apply to (`\"*\"` only for actions \
                 that take no resource)"
                    .to_string(),
            )),
            PolicyKind::Resource | PolicyKind::Trust
                if !has("Principal") && !has("NotPrincipal") =>
            {
                let example = if json {
                    "\"Principal\": {\"Service\": \"lambda.amazonaws.com\"}"
                } else {
                    "Principal: {Service: lambda.amazonaws.com}"
                };
                missing.push((
                    "`Principal`",
                    format!(
                        "add `Principal` naming who the statement applies to, e.g. `{example}`"
                    ),
                ))
            }
            _ => {}
        }
        for (what, help) in missing {
            // A misspelt element (`Actions`) is invalid-policy-element's finding, with the
            // name it meant: one mistake, one diagnostic.
            let name = what.trim_matches('`');
            let misspelt = st.entries.iter().any(|e| {
                e.key
                    .as_str()
                    .is_some_and(|k| closest(k, [name, &format!("Not{name}")]).is_some())
            });
            if misspelt {
                continue;
            }
            let kind = if what == "`Resource`" || what == "`Principal`" {
                let article = if policy.kind == PolicyKind::Identity {
                    "an"
                } else {
                    "a"
                };
                format!(" (required in {article} {} policy)", policy.kind.as_str())
            } else {
                String::new()
            };
            out.push(
                Diagnostic::new(
                    &MissingPolicyElement::META,
                    st.node.span,
                    format!("statement has no {what}{kind}"),
                )
                .with_help(help),
            );
        }
    }
}

impl Rule for MissingPolicyElement {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            if policy.statement.is_none() {
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        policy.node.span,
                        format!("{} has no `Statement`", policy.describe()),
                    )
                    .with_help("add `Statement:` with a list of statements"),
                );
                continue;
            }
            for st in &policy.statements {
                Self::statement(policy, st, ctx.is_json(), out);
            }
        }
    }
}

use super::edits::suggest_key;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::vocabulary::{POLICY_ELEMENTS as DOCUMENT, STATEMENT_ELEMENTS as STATEMENT};
use crate::yaml::{Entry, Node};

declare_rule! {
    /// ## What it does
    /// Reports a key that is not part of the policy language: at the top of a policy
    /// document (`Version`, `Id`, `Statement`), in a statement (`Sid`, `Effect`, `Principal`,
    /// `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource`, `Condition`). Element
    /// names are case-sensitive. (An unknown principal type is `invalid-principal`'s.)
    ///
    /// ## Why it matters
    /// IAM rejects the document, or (for a misspelt optional element) the author's intent is
    /// silently lost.
    ///
    /// ## Example
    /// ```yaml
    /// Statement:
    ///   - Effect: Allow
    ///     Actions: s3:GetObject
    ///     Resource: arn:aws:s3:::my-bucket/*
    /// ```
    ///
    /// ## Fix
    /// Use the element's exact name:
    /// ```yaml
    ///     Action: s3:GetObject
    /// ```
    pub struct InvalidPolicyElement {
        name: "invalid-policy-element",
        code: "I004",
        severity: Error,
        family: Iam,
        summary: "A key that is not an element of the IAM policy language",
    }
}

impl InvalidPolicyElement {
    fn check_key(
        ctx: &FileContext<'_>,
        key: &Node,
        valid: &[&str],
        place: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        let Some(name) = key.as_str() else { return };
        if valid.contains(&name) {
            return;
        }
        let list = valid
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let d = Diagnostic::new(
            &Self::META,
            super::edits::value_span(key, ctx.source),
            format!("`{name}` is not a valid {place} element"),
        );
        let d = suggest_key(
            d,
            key,
            ctx.source,
            name,
            valid,
            format!("a {place} may only contain {list}"),
        );
        out.push(d);
    }

    fn check_entries(
        ctx: &FileContext<'_>,
        entries: &[Entry],
        valid: &[&str],
        place: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        for e in entries {
            Self::check_key(ctx, &e.key, valid, place, out);
        }
    }
}

impl Rule for InvalidPolicyElement {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = std::collections::HashSet::new();
        for policy in ctx.policies() {
            Self::check_entries(ctx, policy.entries, DOCUMENT, "policy document", out);
            for st in &policy.statements {
                // Branches of one `Fn::If` can share a mapping: report each key once.
                if !seen.insert(std::ptr::from_ref(st.node)) {
                    continue;
                }
                Self::check_entries(ctx, st.entries, STATEMENT, "statement", out);
                // A principal type (`AWS`, `Service` …) is `invalid-principal`'s.
            }
        }
    }
}

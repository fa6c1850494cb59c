use super::edits::value_span;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports a statement using an element together with its negation: `Action` with
    /// `NotAction`, `Resource` with `NotResource`, `Principal` with `NotPrincipal`.
    ///
    /// ## Why it matters
    /// A statement takes one or the other; IAM rejects the document.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Deny
    ///   Action: s3:*
    ///   NotAction: s3:GetObject
    ///   Resource: "*"
    /// ```
    ///
    /// ## Fix
    /// Keep one of them, or split the intent into two statements:
    /// ```yaml
    /// - Effect: Deny
    ///   NotAction: s3:GetObject
    ///   Resource: "*"
    /// ```
    pub struct ConflictingPolicyElements {
        name: "conflicting-policy-elements",
        code: "I006",
        severity: Error,
        family: Iam,
        summary: "A statement with both an element and its Not- form",
    }
}

const PAIRS: [(&str, &str); 3] = [
    ("Action", "NotAction"),
    ("Resource", "NotResource"),
    ("Principal", "NotPrincipal"),
];

impl Rule for ConflictingPolicyElements {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let mut seen = std::collections::HashSet::new();
        for policy in ctx.policies() {
            for st in &policy.statements {
                if !seen.insert(std::ptr::from_ref(st.node)) {
                    continue;
                }
                for (plain, not) in PAIRS {
                    let (Some(a), Some(b)) = (st.entry(plain), st.entry(not)) else {
                        continue;
                    };
                    let (first, second) = if a.key.span.start <= b.key.span.start {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    let second_name = second.key.as_str().unwrap_or(not);
                    let first_name = first.key.as_str().unwrap_or(plain);
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            value_span(&second.key, ctx.source),
                            format!(
                                "a statement cannot have both `{first_name}` and `{second_name}`"
                            ),
                        )
                        .with_label(
                            value_span(&first.key, ctx.source),
                            format!("`{first_name}` is here"),
                        )
                        .with_help(format!(
                            "keep either `{plain}` (what the statement covers) or `{not}` \
                             (everything except); split into two statements if you need both"
                        )),
                    );
                }
            }
        }
    }
}

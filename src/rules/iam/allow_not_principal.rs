use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::Effect;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement that uses `NotPrincipal`.
    ///
    /// ## Why it matters
    /// `Allow` with `NotPrincipal` grants access to everyone except the listed principals,
    /// anonymous users included. AWS advises against this combination.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   NotPrincipal: {AWS: arn:aws:iam::111122223333:root}
    ///   Action: sqs:SendMessage
    ///   Resource: "*"
    /// ```
    ///
    /// ## Fix
    /// Name the principals to allow with `Principal`:
    /// ```yaml
    /// - Effect: Allow
    ///   Principal: {Service: sns.amazonaws.com}
    /// ```
    pub struct AllowNotPrincipal {
        name: "allow-not-principal",
        code: "I012",
        severity: Warning,
        family: Iam,
        summary: "An Allow statement with NotPrincipal (grants everyone else)",
    }
}

impl Rule for AllowNotPrincipal {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            // In an identity policy any principal is wrong: principal-in-identity-policy says so.
            if policy.kind == crate::iam::PolicyKind::Identity {
                continue;
            }
            for st in &policy.statements {
                let Some(element) = st.not_principal.as_ref().map(|e| e.element) else {
                    continue;
                };
                // With the positive element too, conflicting-policy-elements reports the mistake.
                if st.effect() != Some(Effect::Allow) || st.principal.is_some() {
                    continue;
                }
                let mut d = Diagnostic::new(
                    &Self::META,
                    super::edits::value_span(element.key, ctx.source),
                    "`Allow` with `NotPrincipal` grants everyone except the listed principals, anonymous users included",
                )
                .with_help("name the allowed principals under `Principal` instead; `NotPrincipal` belongs in `Deny` statements");
                if let Some(effect) = st.effect {
                    d = d.with_label(
                        super::edits::value_span(effect.value, ctx.source),
                        "this statement allows",
                    );
                }
                out.push(d);
            }
        }
    }
}

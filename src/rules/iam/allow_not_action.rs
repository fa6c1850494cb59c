use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::Effect;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement that uses `NotAction`.
    ///
    /// ## Why it matters
    /// `Allow` with `NotAction` grants every action of every service except the listed ones,
    /// including actions AWS adds later. It is almost always far broader than intended.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   NotAction: iam:*
    ///   Resource: "*"
    /// ```
    ///
    /// ## Fix
    /// List the actions to allow with `Action`; keep `NotAction` for `Deny` statements
    /// ("deny everything except"):
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [s3:GetObject, s3:ListBucket]
    ///   Resource: …
    /// ```
    pub struct AllowNotAction {
        name: "allow-not-action",
        code: "I010",
        severity: Warning,
        family: Iam,
        summary: "An Allow statement with NotAction (grants every other action)",
    }
}

impl Rule for AllowNotAction {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for st in &policy.statements {
                let Some(element) = st.not_action.as_ref().map(|e| e.element) else {
                    continue;
                };
                // With the positive element too, conflicting-policy-elements reports the mistake.
                if st.effect() != Some(Effect::Allow) || st.action.is_some() {
                    continue;
                }
                let mut d = Diagnostic::new(
                    &Self::META,
                    super::edits::value_span(element.key, ctx.source),
                    "`Allow` with `NotAction` grants every action except the listed ones",
                )
                .with_help("list the allowed actions under `Action` instead, or use `NotAction` in a `Deny` statement");
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

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::Effect;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// Reports an `Allow` statement that uses `NotResource`.
    ///
    /// ## Why it matters
    /// `Allow` with `NotResource` grants the actions on every resource except the listed
    /// ones, in every account the principal can reach, including resources created later.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: s3:*
    ///   NotResource: arn:aws:s3:::audit-logs/*
    /// ```
    ///
    /// ## Fix
    /// List the resources the actions apply to with `Resource`, and keep `NotResource` for
    /// `Deny` statements:
    /// ```yaml
    /// - Effect: Allow
    ///   Action: s3:*
    ///   Resource: arn:aws:s3:::app-data/*
    /// ```
    pub struct AllowNotResource {
        name: "allow-not-resource",
        code: "I011",
        severity: Warning,
        family: Iam,
        summary: "An Allow statement with NotResource (grants on every other resource)",
    }
}

impl Rule for AllowNotResource {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for st in &policy.statements {
                let Some(element) = st.not_resource.as_ref().map(|e| e.element) else {
                    continue;
                };
                // With the positive element too, conflicting-policy-elements reports the mistake.
                if st.effect() != Some(Effect::Allow) || st.resource.is_some() {
                    continue;
                }
                let mut d = Diagnostic::new(
                    &Self::META,
                    super::edits::value_span(element.key, ctx.source),
                    "`Allow` with `NotResource` grants the actions on every resource except the listed ones",
                )
                .with_help("list the resources under `Resource` instead, or use `NotResource` in a `Deny` statement");
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

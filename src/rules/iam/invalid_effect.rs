use super::edits::{literal, replace_value, value_span};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::Effect;
use crate::rules::{FileContext, Rule};
use crate::suggest::closest;

declare_rule! {
    /// ## What it does
    /// Reports a statement `Effect` other than `Allow` or `Deny`. The values are case-sensitive,
    /// so `allow` is as wrong as `Permit`.
    ///
    /// ## Why it matters
    /// IAM rejects the whole policy document, so the stack fails to create or update the
    /// resource carrying it.
    ///
    /// ## Example
    /// ```yaml
    /// Statement:
    ///   - Effect: allow
    ///     Action: s3:GetObject
    ///     Resource: arn:aws:s3:::my-bucket/*
    /// ```
    ///
    /// ## Fix
    /// Write `Allow` or `Deny` exactly (the rule offers the edit):
    /// ```yaml
    ///   - Effect: Allow
    /// ```
    pub struct InvalidEffect {
        name: "invalid-effect",
        code: "I001",
        severity: Error,
        family: Iam,
        summary: "A statement Effect that is neither `Allow` nor `Deny`",
    }
}

const EFFECTS: [&str; 2] = [Effect::Allow.as_str(), Effect::Deny.as_str()];

impl Rule for InvalidEffect {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            for st in &policy.statements {
                let Some(effect) = st.effect else { continue };
                let Some(text) = literal(effect.value) else {
                    continue;
                };
                if EFFECTS.contains(&text) {
                    continue;
                }
                let span = value_span(effect.value, ctx.source);
                let mut d =
                    Diagnostic::new(&Self::META, span, format!("`{text}` is not a valid Effect"));
                match closest(text, EFFECTS) {
                    Some(meant) => {
                        d = d.with_help(format!(
                            "did you mean `{meant}`? Effect is case-sensitive: write `Allow` or `Deny`"
                        ));
                        if let Some(fix) = replace_value(
                            effect.value,
                            ctx.source,
                            meant,
                            format!("replace `{text}` with `{meant}`"),
                        ) {
                            d = d.with_fix(fix);
                        }
                    }
                    None => d = d.with_help("write `Allow` or `Deny`"),
                }
                out.push(d);
            }
        }
    }
}

use super::edits::{literal, value_span};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::iam::Statement;
use crate::rules::{FileContext, Rule, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Reports a `Sid` used by two statements of one policy document. Statements that are
    /// alternatives of a condition (`Fn::If` branches) may share one.
    ///
    /// ## Why it matters
    /// Statement IDs must be unique within a policy; IAM and the services holding resource
    /// policies reject duplicates, and tools referring to a statement by its Sid pick the
    /// wrong one.
    ///
    /// ## Example
    /// ```yaml
    /// Statement:
    ///   - Sid: ReadBucket
    ///     Effect: Allow
    ///     Action: s3:ListBucket
    ///     Resource: !GetAtt Bucket.Arn
    ///   - Sid: ReadBucket
    ///     Effect: Allow
    ///     Action: s3:GetObject
    ///     Resource: !Sub "${Bucket.Arn}/*"
    /// ```
    ///
    /// ## Fix
    /// Give each statement its own Sid (`ListBucket`, `ReadObjects`) or drop the Sids.
    pub struct DuplicateSid {
        name: "duplicate-sid",
        code: "I008",
        severity: Error,
        family: Iam,
        summary: "Two statements of one policy with the same Sid",
    }
}

impl Rule for DuplicateSid {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for policy in ctx.policies() {
            let mut seen: Vec<(&str, &Statement<'_>)> = Vec::new();
            for st in &policy.statements {
                let Some(sid) = st.sid else { continue };
                let Some(text) = literal(sid.value) else {
                    continue;
                };
                // Branches of one `Fn::If`, or two conditional statements that may exclude
                // each other, are not duplicates for sure.
                let first = seen.iter().find(|(s, other)| {
                    *s == text && other.index != st.index && !(other.conditional && st.conditional)
                });
                if let Some((_, first)) = first {
                    let first_span = first
                        .sid
                        .map_or(first.node.span, |s| value_span(s.value, ctx.source));
                    out.push(
                        Diagnostic::new(
                            &Self::META,
                            value_span(sid.value, ctx.source),
                            format!("Sid `{text}` is already used in this policy"),
                        )
                        .with_label(first_span, "first used here")
                        .with_help(
                            "give each statement a unique Sid (letters and digits), or remove it",
                        ),
                    );
                    continue;
                }
                seen.push((text, st));
            }
        }
    }
}

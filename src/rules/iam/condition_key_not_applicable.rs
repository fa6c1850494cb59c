use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};

declare_rule! {
    /// ## What it does
    /// TODO(new-rule): say what the rule reports, in one or two sentences.
    ///
    /// ## Why it matters
    /// TODO(new-rule): say what goes wrong at deploy time or later when this is left in.
    ///
    /// ## Example
    /// ```yaml
    /// TODO(new-rule): the smallest template excerpt that the rule reports
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// TODO(new-rule): the same excerpt, corrected
    /// ```
    pub struct ConditionKeyNotApplicable {
        name: "condition-key-not-applicable",
        code: "I034",
        severity: Warning,
        family: Iam,
        summary: "TODO(new-rule) one fragment saying what is reported",
    }
}

impl Rule for ConditionKeyNotApplicable {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        // TODO(new-rule): report each offending node with
        // `Diagnostic::new(&Self::META, span, message).with_help(...)`, pointing at the exact
        // bytes at fault. `ctx.template` is the template model, `ctx.policies()` every IAM
        // policy of the file.
        let _ = (ctx, out);
    }
}

use crate::declare_rule;
use crate::rules::Rule;

declare_rule! {
    /// ## What it does
    /// Reports a suppression — a `# cfn-policy-lint: ignore[rule]` comment, an
    /// `ignore-file[rule]` comment or a `Metadata: cfn-policy-lint: ignore: [rule]` entry —
    /// that suppressed nothing, names a rule that does not exist, or is not a suppression at
    /// all (a misspelt `ignore`).
    ///
    /// A suppression of a rule that is not enabled is not reported (the rule did not run, so
    /// the suppression may still be needed), and neither is `ignore-file[rule]` for a known
    /// rule: the rule is then skipped for the file, so whether it would still find something
    /// is not known.
    ///
    /// ## Why it matters
    /// Stale suppressions hide the next real finding on that line and mislead readers about
    /// what is wrong with the template. A misspelt rule name suppresses nothing at all.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Topic:
    ///     Type: AWS::SNS::Topic  # cfn-policy-lint: ignore[duplicate-key] nothing here
    /// ```
    ///
    /// ## Fix
    /// Remove the suppression (or correct the rule name):
    /// ```yaml
    /// Resources:
    ///   Topic:
    ///     Type: AWS::SNS::Topic
    /// ```
    pub struct UnusedSuppression {
        name: "unused-suppression",
        code: "S001",
        severity: Info,
        family: Yaml,
        summary: "Suppression comment or Metadata entry that suppresses nothing",
    }
}

// Findings come from the suppression stage in `crate::suppress`, after the other rules ran.
// Its findings are made by `crate::checkers::suppressions`.
impl Rule for UnusedSuppression {}

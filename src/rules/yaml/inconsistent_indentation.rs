use crate::declare_rule;
use crate::rules::Rule;

declare_rule! {
    /// ## What it does
    /// Reports every mapping key or list item whose column (after expanding tabs to 8-column
    /// stops) matches no open block, or differs from the column of its siblings. It knows the
    /// structure of CloudFormation templates and IAM policies: a `Resource` key belongs to the
    /// policy statement that holds `Effect` and `Action`, `Outputs` belongs at the column of
    /// `Resources`, `Properties` next to `Type`. The message names the block it belongs to, a
    /// label marks a correctly placed sibling and the help text gives the column to move it to.
    ///
    /// Like `tab-indentation`, this is found by the indentation doctor, which does not stop at the
    /// first error: when its repair parses, every other rule runs on the repaired text and
    /// reports at the original lines.
    ///
    /// ## Why it matters
    /// Indentation is structure in YAML. A key one column off either breaks the template or,
    /// worse, silently lands in another mapping: a `Resource` that slips out of its statement
    /// leaves a policy statement without resources.
    ///
    /// ## Example
    /// ```yaml
    /// Statement:
    ///   - Effect: Allow
    ///     Action:
    ///       - ssm:GetParameter
    ///  Resource: '*'          # column 2: matches no block
    /// ```
    ///
    /// ## Fix
    /// Move the key (and the lines nested under it) to the column the help text names:
    /// ```yaml
    /// Statement:
    ///   - Effect: Allow
    ///     Action:
    ///       - ssm:GetParameter
    ///     Resource: '*'
    /// ```
    pub struct InconsistentIndentation {
        name: "inconsistent-indentation",
        code: "Y003",
        severity: Error,
        family: Yaml,
        stage: Yaml,
        summary: "A key or list item indented to a column that matches no enclosing block",
    }
}

// Its findings are made by `crate::checkers::indentation`.
impl Rule for InconsistentIndentation {}

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::template::is_valid_sub_variable;

declare_rule! {
    /// ## What it does
    /// Reports a `${…}` in a `!Sub` string whose name CloudFormation does not accept: `${}`,
    /// or a name with characters other than letters, digits, `_`, `.` and `:`, such as a
    /// shell expansion (`${HOME:-/root}`) or a name with spaces (`${ Env }`, `${Bucket Name}`).
    ///
    /// Strings in the variable map, unevaluated sections (`Metadata`, `Parameters`) and
    /// templates that a preprocessor renders first are left alone.
    ///
    /// ## Why it matters
    /// CloudFormation rejects the whole template ("variable names in Fn::Sub syntax must
    /// contain only alphanumeric characters, underscores, periods, and colons"). It happens
    /// most in `UserData` scripts wrapped in `!Sub`, where shell variables share the syntax.
    ///
    /// ## Example
    /// ```yaml
    /// UserData: !Base64
    ///   Fn::Sub: |
    ///     #!/bin/bash
    ///     echo "${HOME:-/root}" > /tmp/${AWS::StackName}
    /// ```
    ///
    /// ## Fix
    /// Write `${!…}` for text the shell should see, so the Sub leaves it as `${…}`:
    /// ```yaml
    /// UserData: !Base64
    ///   Fn::Sub: |
    ///     #!/bin/bash
    ///     echo "${!HOME:-/root}" > /tmp/${AWS::StackName}
    /// ```
    pub struct InvalidSubVariable {
        name: "invalid-sub-variable",
        code: "T005",
        severity: Error,
        family: Template,
        summary: "A `${…}` in a Sub string with a name CloudFormation rejects",
    }
}

impl Rule for InvalidSubVariable {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(template) = ctx.template else { return };
        if !template.is_mapping || template.has_unknown_content() {
            return;
        }
        let source = ctx.source.text.as_str();
        for problem in template.sub_problems() {
            let name = problem.name;
            let without_spaces: String = name.split_whitespace().collect();
            let (message, help) = if name.is_empty() {
                (
                    "`${}` names no variable".to_string(),
                    "write the name of a parameter, resource or pseudo parameter inside, or `${!}` for the text `${}`".to_string(),
                )
            } else if is_valid_sub_variable(&without_spaces) {
                (
                    format!("`${{{name}}}` has spaces inside the braces"),
                    format!("write `${{{without_spaces}}}`"),
                )
            } else {
                (
                    format!(
                        "`${{{name}}}` is not a Sub variable: names hold only letters, digits, `_`, `.` and `:`"
                    ),
                    format!(
                        "CloudFormation rejects the template; if this is text for a shell or \
                         another tool, write `${{!{name}}}` and the Sub leaves `${{{name}}}` as it is"
                    ),
                )
            };
            out.push(Diagnostic::new(&Self::META, problem.span(source), message).with_help(help));
        }
    }
}

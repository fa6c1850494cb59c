use crate::declare_rule;
use crate::rules::Rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that is not valid YAML (JSON templates are read as YAML too, as
    /// CloudFormation does), at the position where reading stopped, with the likely cause in plain
    /// words: an unclosed quote or bracket, a key without `: `, a line indented like no other,
    /// a second document, nesting beyond the depth limit.
    ///
    /// Tab indentation and mis-indented keys are explained by `tab-indentation` and
    /// `inconsistent-indentation` instead; this rule reports what those cannot explain.
    ///
    /// ## Why it matters
    /// CloudFormation rejects the whole template with a terse message, and no other check can run
    /// on a file that does not parse.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Queue:
    ///     Type: 'AWS::SQS::Queue
    ///     Properties: {}
    /// ```
    /// The quote opened before `AWS::SQS::Queue` is never closed.
    ///
    /// ## Fix
    /// Follow the help text: close the quote or bracket, add the space after the colon, or align
    /// the line with its siblings.
    /// ```yaml
    /// Resources:
    ///   Queue:
    ///     Type: 'AWS::SQS::Queue'
    ///     Properties: {}
    /// ```
    pub struct YamlSyntax {
        name: "yaml-syntax",
        code: "Y001",
        severity: Error,
        family: Yaml,
        stage: Yaml,
        summary: "A file that is not valid YAML or JSON",
    }
}

// Its findings are made by `crate::checkers::syntax`.
impl Rule for YamlSyntax {}

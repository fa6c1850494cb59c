use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a property that the schema requires and the template does not give: `required`
    /// at the top of a resource and inside nested definitions, "one of A, B is required"
    /// (`oneOf`/`anyOf` alternatives) and properties another property depends on
    /// (`dependentRequired`). A property given in only one branch of an `Fn::If` (the other is
    /// `AWS::NoValue`) is reported for the other branch, naming the condition. The help shows a
    /// stub with the property's type and description. In a `Fn::ForEach` loop over a
    /// parameter's list, a mapping with a key the loop's identifier completes may hold any
    /// property, so nothing is reported missing there.
    ///
    /// ## Why it matters
    /// CloudFormation rejects the resource when the stack is created or updated, after every
    /// resource before it was already deployed.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Function:
    ///     Type: AWS::Lambda::Function
    ///     Properties:
    ///       Runtime: python3.12
    ///       Handler: index.handler
    ///       Code:
    ///         ZipFile: "def handler(event, context): return 1"
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     Properties:
    ///       Role: !GetAtt FunctionRole.Arn
    ///       Runtime: python3.12
    /// ```
    pub struct MissingRequiredProperty {
        name: "missing-required-property",
        code: "R003",
        severity: Error,
        family: Schema,
        summary: "A property the resource's schema requires is absent",
    }
}

impl Rule for MissingRequiredProperty {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        ctx.schema_diagnostics(Kind::MissingRequiredProperty, &Self::META, out);
    }
}

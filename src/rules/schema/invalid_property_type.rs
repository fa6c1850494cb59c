use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a property value whose type is not the one the schema asks for, with
    /// CloudFormation's own coercions: `"true"`/`"false"` are booleans, numeric strings are
    /// numbers, numbers and booleans are strings; a scalar where a list is expected is an
    /// error. A value computed by an intrinsic is judged by its result type when that is known
    /// (`!Sub` and `!Join` give strings, `!Split` and `!GetAZs` lists, `!Ref` of a parameter its
    /// parameter's type, `!GetAtt` its attribute's type); `!FindInMap`, `!ImportValue` and
    /// `!Select` are unknown and never reported. Each branch of an `Fn::If` is checked.
    /// Resources in `Fn::ForEach` loops are checked for each value of the collection (see
    /// `invalid-property-value`); a mistake every value shares is reported once.
    ///
    /// ## Why it matters
    /// CloudFormation rejects the value at deploy time ("Value of property … must be of type
    /// List of String").
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Queue:
    ///     Type: AWS::SQS::Queue
    ///     Properties:
    ///       FifoQueue: maybe
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     Properties:
    ///       FifoQueue: true
    /// ```
    pub struct InvalidPropertyType {
        name: "invalid-property-type",
        code: "R004",
        severity: Error,
        family: Schema,
        summary: "A property value of the wrong type (a word for a boolean, a scalar for a list)",
    }
}

impl Rule for InvalidPropertyType {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        ctx.schema_diagnostics(Kind::InvalidPropertyType, &Self::META, out);
    }
}

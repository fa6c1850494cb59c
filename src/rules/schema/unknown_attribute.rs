use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports `!GetAtt Resource.Attribute` and `${Resource.Attribute}` in `!Sub` strings whose
    /// attribute the resource's type does not have, with the attribute that was probably meant.
    /// Custom resources and the outputs of nested stacks (`Outputs.Name`) can have any
    /// attribute and are not checked. Resources a `Fn::ForEach` loop generates are known by
    /// the names a literal collection gives them (`OrdersQueue`) and, inside a loop, by the
    /// loop's pattern (`!GetAtt ${Name}Queue.Arn`).
    ///
    /// ## Why it matters
    /// CloudFormation rejects the template ("Template error: resource Bucket does not support
    /// attribute type Arnn in Fn::GetAtt").
    ///
    /// ## Example
    /// ```yaml
    /// Outputs:
    ///   BucketArn:
    ///     Value: !GetAtt Bucket.Arnn
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     Value: !GetAtt Bucket.Arn
    /// ```
    pub struct UnknownAttribute {
        name: "unknown-attribute",
        code: "R006",
        severity: Error,
        family: Schema,
        summary: "A `Fn::GetAtt` attribute the resource's type does not have",
    }
}

impl Rule for UnknownAttribute {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        ctx.schema_diagnostics(Kind::UnknownAttribute, &Self::META, out);
    }
}

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a literal property value the schema does not allow: not among its `enum`
    /// values, not matching its `pattern`, shorter or longer than `minLength`/`maxLength`,
    /// outside `minimum`/`maximum`, or a list with fewer or more items than
    /// `minItems`/`maxItems`. The help lists the allowed values when there are at most 12, or
    /// names the nearest ones. Values computed by intrinsics are not judged.
    ///
    /// A resource declared in a `Fn::ForEach` loop is checked for each value of the loop's
    /// collection, with `${Id}`, `&{Id}`, `!Ref Id` and a `!Sub` of identifiers alone replaced
    /// by the value; a value only some of the collection's values make wrong is reported once,
    /// at the loop body, naming them ("(for `Mode` = `Enable`)"). A collection that is a
    /// parameter's list is unknown: what its values complete is not judged.
    ///
    /// ## Why it matters
    /// The service rejects the value when the resource is created, and the stack rolls back.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    ///     Properties:
    ///       VersioningConfiguration:
    ///         Status: On
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///       VersioningConfiguration:
    ///         Status: Enabled
    /// ```
    pub struct InvalidPropertyValue {
        name: "invalid-property-value",
        code: "R005",
        severity: Error,
        family: Schema,
        summary: "A property value outside the schema's enum, pattern, length, range or item count",
    }
}

impl Rule for InvalidPropertyValue {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        ctx.schema_diagnostics(Kind::InvalidPropertyValue, &Self::META, out);
    }
}

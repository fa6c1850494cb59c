use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a property, at any depth of a resource's `Properties`, that the resource type's
    /// schema does not define, and suggests the property that was probably meant among those
    /// the schema allows there. When exactly one allowed name is one or two edits away,
    /// `--fix` renames the property.
    ///
    /// In a `Fn::ForEach` loop a property name written with the loop's identifier
    /// (`Bucket${Part}`) is read for each value, and reported for the values that make it
    /// unknown; such a name is never renamed by `--fix`. When the collection is a parameter's
    /// list, such names are not judged.
    ///
    /// ## Why it matters
    /// CloudFormation rejects the template at deploy time ("Encountered unsupported property").
    /// A misspelt optional property is worse when the misspelling is tolerated somewhere: the
    /// setting silently never applies.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    ///     Properties:
    ///       BucketNme: my-bucket
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///     Properties:
    ///       BucketName: my-bucket
    /// ```
    pub struct UnknownProperty {
        name: "unknown-property",
        code: "R002",
        severity: Error,
        family: Schema,
        summary: "A property the resource's schema does not define",
    }
}

impl Rule for UnknownProperty {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        ctx.schema_diagnostics(Kind::UnknownProperty, &Self::META, out);
    }
}

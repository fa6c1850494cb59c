use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a resource `Type` that no CloudFormation resource schema defines, with the type
    /// that was probably meant, and a type that one of the checked regions does not offer.
    /// Custom resources (`Custom::…`, `AWS::CloudFormation::CustomResource`), modules
    /// (`…::MODULE`), third-party and private registry types, and templates using a macro are
    /// left alone. The regions are `us-east-1` unless `--regions` or the configuration's
    /// `regions:` say otherwise.
    ///
    /// ## Why it matters
    /// CloudFormation rejects the whole template when one type is unknown, and a type missing
    /// from a region fails only when the stack is deployed there.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Alerts:
    ///     Type: AWS::SNS::Topics
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    /// Resources:
    ///   Alerts:
    ///     Type: AWS::SNS::Topic
    /// ```
    pub struct UnknownResourceType {
        name: "unknown-resource-type",
        code: "R001",
        severity: Error,
        family: Schema,
        summary: "A resource `Type` no schema defines, or one a checked region does not offer",
    }
}

impl Rule for UnknownResourceType {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        ctx.schema_diagnostics(Kind::UnknownResourceType, &Self::META, out);
    }
}

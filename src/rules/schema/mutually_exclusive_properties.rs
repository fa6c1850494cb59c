use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports properties given together that the schema says exclude each other: the
    /// alternatives of a `oneOf`, a `not: {required: […]}`, and `dependentExcluded`. A property
    /// that `Fn::If` may remove is not counted as given.
    ///
    /// ## Why it matters
    /// CloudFormation or the service rejects the resource at deploy time, and which of the two
    /// settings was meant is not something a deploy can guess.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Route:
    ///     Type: AWS::EC2::Route
    ///     Properties:
    ///       RouteTableId: !Ref RouteTable
    ///       DestinationCidrBlock: 0.0.0.0/0
    ///       GatewayId: !Ref InternetGateway
    ///       NatGatewayId: !Ref NatGateway
    /// ```
    ///
    /// ## Fix
    /// ```yaml
    ///       DestinationCidrBlock: 0.0.0.0/0
    ///       GatewayId: !Ref InternetGateway
    /// ```
    pub struct MutuallyExclusiveProperties {
        name: "mutually-exclusive-properties",
        code: "R007",
        severity: Error,
        family: Schema,
        summary: "Properties the schema forbids together are both given",
    }
}

impl Rule for MutuallyExclusiveProperties {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        ctx.schema_diagnostics(Kind::MutuallyExclusiveProperties, &Self::META, out);
    }
}

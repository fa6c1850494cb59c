//! Permissions granted by a resource of their own rather than by a policy document: a Lambda
//! function's `AWS::Lambda::Permission`, a layer's `AWS::Lambda::LayerVersionPermission`, a VPC
//! endpoint service's `AWS::EC2::VPCEndpointServicePermissions`, and the older form of
//! `AWS::Events::EventBusPolicy` (`Principal` and `Action` as properties). Each is read into one
//! [`Permission`]: who it is for, and what limits who may use it.

use super::locate::flat_items;
use crate::iam::model::Owner;
use crate::template::{alternatives, intrinsic, is_no_value, Template};
use crate::yaml::Node;

/// Which resource type grants the permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PermissionKind {
    LambdaPermission,
    LayerVersionPermission,
    EndpointServicePermissions,
    EventBusPolicy,
}

impl PermissionKind {
    /// What the permission lets its principal do, for messages.
    pub fn grants(self) -> &'static str {
        match self {
            PermissionKind::LambdaPermission => "invoke the function",
            PermissionKind::LayerVersionPermission => "use the layer version",
            PermissionKind::EndpointServicePermissions => "connect to the endpoint service",
            PermissionKind::EventBusPolicy => "put events on the bus",
        }
    }
}

/// One permission resource.
#[derive(Clone, Debug)]
pub struct Permission<'a> {
    pub kind: PermissionKind,
    pub owner: Owner<'a>,
    /// Every principal value written (each `Fn::If` branch, each list item).
    pub principals: Vec<&'a Node>,
    /// The properties that narrow who may use it, when present: `SourceArn`, `SourceAccount`,
    /// `PrincipalOrgID`, `EventSourceToken`, `OrganizationId`, `Condition`.
    pub limits: Vec<(&'static str, &'a Node)>,
    /// The resource has a `Condition` attribute: it exists only when the template says so.
    pub conditional: bool,
}

/// The properties holding the principal, and those limiting it, per resource type.
const SHAPES: &[(&str, PermissionKind, &str, &[&str])] = &[
    (
        "AWS::Lambda::Permission",
        PermissionKind::LambdaPermission,
        "Principal",
        &[
            "SourceArn",
            "SourceAccount",
            "PrincipalOrgID",
            "EventSourceToken",
        ],
    ),
    (
        "AWS::Lambda::LayerVersionPermission",
        PermissionKind::LayerVersionPermission,
        "Principal",
        &["OrganizationId"],
    ),
    (
        "AWS::EC2::VPCEndpointServicePermissions",
        PermissionKind::EndpointServicePermissions,
        "AllowedPrincipals",
        &[],
    ),
    (
        "AWS::Events::EventBusPolicy",
        PermissionKind::EventBusPolicy,
        "Principal",
        &["Condition"],
    ),
];

/// Every permission resource of the template, in source order.
pub fn permissions<'a>(template: &Template<'a>) -> Vec<Permission<'a>> {
    let mut out = Vec::new();
    for resource in &template.resources {
        let Some((resource_type, kind, principal_key, limit_keys)) = SHAPES
            .iter()
            .find(|(t, ..)| resource.type_ == Some(*t))
            .copied()
        else {
            continue;
        };
        let owner = Owner {
            logical_id: resource.logical_id,
            resource_type,
            node: resource.node,
        };
        let Some(properties) = resource.properties else {
            continue;
        };
        for props in alternatives(properties) {
            if props.as_mapping().is_none() || intrinsic(props).is_some() {
                continue;
            }
            // The bus policy's statement form is a policy document (see `locate`).
            if kind == PermissionKind::EventBusPolicy && props.get("Statement").is_some() {
                continue;
            }
            let Some(principal) = props.get(principal_key) else {
                continue;
            };
            let principals = flat_items(principal);
            if principals.is_empty() {
                continue;
            }
            let limits = limit_keys
                .iter()
                .filter_map(|k| props.get(k).filter(|v| !is_no_value(v)).map(|v| (*k, v)))
                .collect();
            out.push(Permission {
                kind,
                owner,
                principals,
                limits,
                conditional: resource.condition.is_some(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, ParseOptions};

    #[test]
    fn reads_permission_resources() {
        let text = "\
Resources:
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn
      Principal: s3.amazonaws.com
      SourceAccount: !Ref AWS::AccountId
  Layer:
    Type: AWS::Lambda::LayerVersionPermission
    Condition: IsPublic
    Properties:
      Action: lambda:GetLayerVersion
      LayerVersionArn: !Ref L
      Principal: '*'
  Endpoint:
    Type: AWS::EC2::VPCEndpointServicePermissions
    Properties:
      ServiceId: !Ref S
      AllowedPrincipals: ['*', !If [C, arn:aws:iam::111122223333:root, !Ref AWS::NoValue]]
  Bus:
    Type: AWS::Events::EventBusPolicy
    Properties:
      StatementId: s
      Statement: {Effect: Allow, Principal: '*', Action: events:PutEvents, Resource: '*'}
";
        let doc = yaml::parse(text, &ParseOptions::default()).unwrap();
        let template = Template::from_document(&doc);
        let found = permissions(&template);
        let summary: Vec<_> = found
            .iter()
            .map(|p| {
                (
                    p.kind,
                    p.principals.len(),
                    p.limits.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
                    p.conditional,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    PermissionKind::LambdaPermission,
                    1,
                    vec!["SourceAccount"],
                    false
                ),
                (PermissionKind::LayerVersionPermission, 1, vec![], true),
                (PermissionKind::EndpointServicePermissions, 2, vec![], false),
            ]
        );
    }
}

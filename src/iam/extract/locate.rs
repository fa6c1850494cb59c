//! Where policy documents live: the table of resource types and the properties that hold a
//! document, and the walk that lists every such place in a template with its owner, its kind
//! and the identities it applies to. Kept apart from reading, so that teaching the linter a new
//! resource type is a change to this file alone.

use crate::iam::model::{AttachTarget, Attachment, IdentityKind, Owner, PolicyKind};
use crate::template::{alternatives, intrinsic, is_no_value, Call, Template};
use crate::yaml::Node;

/// Where a policy document may be, in a resource of a given type.
struct Site {
    resource_type: &'static str,
    path: &'static [&'static str],
    kind: PolicyKind,
}

const fn site(
    resource_type: &'static str,
    path: &'static [&'static str],
    kind: PolicyKind,
) -> Site {
    Site {
        resource_type,
        path,
        kind,
    }
}

/// Single-document properties. Inline `Policies` lists and SAM policies are handled apart.
const SITES: &[Site] = &[
    site(
        "AWS::IAM::Policy",
        &["PolicyDocument"],
        PolicyKind::Identity,
    ),
    site(
        "AWS::IAM::ManagedPolicy",
        &["PolicyDocument"],
        PolicyKind::Identity,
    ),
    site(
        "AWS::IAM::RolePolicy",
        &["PolicyDocument"],
        PolicyKind::Identity,
    ),
    site(
        "AWS::IAM::UserPolicy",
        &["PolicyDocument"],
        PolicyKind::Identity,
    ),
    site(
        "AWS::IAM::GroupPolicy",
        &["PolicyDocument"],
        PolicyKind::Identity,
    ),
    site(
        "AWS::SSO::PermissionSet",
        &["InlinePolicy"],
        PolicyKind::Identity,
    ),
    site(
        "AWS::IAM::Role",
        &["AssumeRolePolicyDocument"],
        PolicyKind::Trust,
    ),
    site(
        "AWS::Serverless::Function",
        &["AssumeRolePolicyDocument"],
        PolicyKind::Trust,
    ),
    site(
        "AWS::S3::BucketPolicy",
        &["PolicyDocument"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::S3Express::BucketPolicy",
        &["PolicyDocument"],
        PolicyKind::Resource,
    ),
    site("AWS::S3::AccessPoint", &["Policy"], PolicyKind::Resource),
    site(
        "AWS::S3::MultiRegionAccessPointPolicy",
        &["Policy"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::SQS::QueuePolicy",
        &["PolicyDocument"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::SQS::QueueInlinePolicy",
        &["PolicyDocument"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::SNS::TopicPolicy",
        &["PolicyDocument"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::SNS::TopicInlinePolicy",
        &["PolicyDocument"],
        PolicyKind::Resource,
    ),
    site("AWS::KMS::Key", &["KeyPolicy"], PolicyKind::Resource),
    site("AWS::KMS::ReplicaKey", &["KeyPolicy"], PolicyKind::Resource),
    site(
        "AWS::ECR::Repository",
        &["RepositoryPolicyText"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::ECR::RegistryPolicy",
        &["PolicyText"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::OpenSearchService::Domain",
        &["AccessPolicies"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::Elasticsearch::Domain",
        &["AccessPolicies"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::SecretsManager::ResourcePolicy",
        &["ResourcePolicy"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::Logs::ResourcePolicy",
        &["PolicyDocument"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::Logs::Destination",
        &["DestinationPolicy"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::EFS::FileSystem",
        &["FileSystemPolicy"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::Backup::BackupVault",
        &["AccessPolicy"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::ApiGateway::RestApi",
        &["Policy"],
        PolicyKind::Resource,
    ),
    site("AWS::Events::EventBus", &["Policy"], PolicyKind::Resource),
    site(
        "AWS::EC2::VPCEndpoint",
        &["PolicyDocument"],
        PolicyKind::Endpoint,
    ),
    site(
        "AWS::Lambda::LayerVersionPermission",
        &["Policy"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::DynamoDB::Table",
        &["ResourcePolicy", "PolicyDocument"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::Kinesis::ResourcePolicy",
        &["ResourcePolicy"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::CodeArtifact::Domain",
        &["PermissionsPolicyDocument"],
        PolicyKind::Resource,
    ),
    site(
        "AWS::CodeArtifact::Repository",
        &["PermissionsPolicyDocument"],
        PolicyKind::Resource,
    ),
];

/// One place holding a policy document (or a `Fn::If` choosing between documents).
#[derive(Clone, Debug)]
pub struct Location<'a> {
    pub owner: Owner<'a>,
    pub path: String,
    pub kind: PolicyKind,
    pub managed: bool,
    pub host: &'a Node,
    pub attached_to: Vec<Attachment<'a>>,
    pub name: Option<&'a Node>,
    /// The host is a resource's properties holding a single `Statement` (no document around
    /// it): `AWS::Events::EventBusPolicy`.
    pub statement_only: bool,
}

/// Every policy location of a template, in source order of resources.
pub fn locate<'a>(template: &Template<'a>) -> Vec<Location<'a>> {
    let mut out = Vec::new();
    for resource in &template.resources {
        let (Some(resource_type), Some(properties)) = (resource.type_, resource.properties) else {
            continue;
        };
        let owner = Owner {
            logical_id: resource.logical_id,
            resource_type,
            node: resource.node,
        };
        // `Properties: !If [C, {...}, {...}]` chooses between whole property sets: each
        // branch's policies are read, like those of a resource of their own.
        for props in alternatives(properties) {
            if props.as_mapping().is_some() && intrinsic(props).is_none() {
                locate_in(template, owner, resource_type, props, &mut out);
            }
        }
    }
    out
}

/// The policy locations of one resource's properties.
fn locate_in<'a>(
    template: &Template<'a>,
    owner: Owner<'a>,
    resource_type: &'a str,
    props: &'a Node,
    out: &mut Vec<Location<'a>>,
) {
    let base = Location {
        owner,
        path: String::new(),
        kind: PolicyKind::Identity,
        managed: resource_type == "AWS::IAM::ManagedPolicy",
        host: props,
        attached_to: attachments(template, resource_type, owner.logical_id, props),
        name: props
            .get("PolicyName")
            .or_else(|| props.get("ManagedPolicyName")),
        statement_only: false,
    };
    for s in SITES.iter().filter(|s| s.resource_type == resource_type) {
        let mut node = Some(props);
        for key in s.path {
            node = node.and_then(|n| n.get(key));
        }
        if let Some(host) = node {
            let mut attached_to = base.attached_to.clone();
            if s.kind != PolicyKind::Identity {
                attached_to.clear();
            }
            out.push(Location {
                path: format!("Properties.{}", s.path.join(".")),
                kind: s.kind,
                host,
                attached_to,
                ..base.clone()
            });
        }
    }
    match resource_type {
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
            inline_policies(&base, props, out)
        }
        // One statement of the bus's resource policy (the older form, with `Action`,
        // `Principal` and `Condition` as properties of their own, is not read).
        "AWS::Events::EventBusPolicy" if props.get("Statement").is_some() => {
            out.push(Location {
                path: "Properties.Statement".to_string(),
                kind: PolicyKind::Resource,
                host: props,
                attached_to: Vec::new(),
                name: None,
                statement_only: true,
                ..base.clone()
            });
        }
        "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => {
            sam_policies(&base, props, out)
        }
        _ => {}
    }
}

/// The identities an identity policy of this resource applies to.
fn attachments<'a>(
    template: &Template<'a>,
    resource_type: &str,
    logical_id: &'a str,
    props: &'a Node,
) -> Vec<Attachment<'a>> {
    let mut out = Vec::new();
    let mut add = |kind: IdentityKind, value: Option<&'a Node>| {
        let Some(value) = value else { return };
        for node in flat_items(value) {
            let target = match intrinsic(node).map(|i| i.call) {
                Some(Call::Ref { name }) if template.resource(name.text).is_some() => {
                    AttachTarget::Resource(name.text)
                }
                _ => AttachTarget::Written(node),
            };
            out.push(Attachment { kind, target });
        }
    };
    match resource_type {
        "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => {
            add(IdentityKind::Role, props.get("Roles"));
            add(IdentityKind::User, props.get("Users"));
            add(IdentityKind::Group, props.get("Groups"));
        }
        "AWS::IAM::RolePolicy" => add(IdentityKind::Role, props.get("RoleName")),
        "AWS::IAM::UserPolicy" => add(IdentityKind::User, props.get("UserName")),
        "AWS::IAM::GroupPolicy" => add(IdentityKind::Group, props.get("GroupName")),
        "AWS::IAM::Role" => out.push(Attachment {
            kind: IdentityKind::Role,
            target: AttachTarget::Resource(logical_id),
        }),
        "AWS::IAM::User" => out.push(Attachment {
            kind: IdentityKind::User,
            target: AttachTarget::Resource(logical_id),
        }),
        "AWS::IAM::Group" => out.push(Attachment {
            kind: IdentityKind::Group,
            target: AttachTarget::Resource(logical_id),
        }),
        "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => out.push(Attachment {
            kind: IdentityKind::Role,
            target: AttachTarget::SamGenerated(logical_id),
        }),
        _ => {}
    }
    out
}

/// `Policies: [{PolicyName, PolicyDocument}, …]` of a role, user or group.
fn inline_policies<'a>(base: &Location<'a>, props: &'a Node, out: &mut Vec<Location<'a>>) {
    let Some(list) = props.get("Policies") else {
        return;
    };
    for (i, item) in indexed_items(list) {
        if let Some(host) = item.get("PolicyDocument") {
            out.push(Location {
                path: format!("Properties.Policies[{i}].PolicyDocument"),
                kind: PolicyKind::Identity,
                managed: false,
                host,
                name: item.get("PolicyName"),
                ..base.clone()
            });
        }
    }
}

/// SAM `Policies`: a managed policy name or ARN, a SAM policy template
/// (`S3ReadPolicy: {BucketName: …}`), an inline document (`{Statement: […]}`), or a list of
/// these. Only inline documents are policies here.
fn sam_policies<'a>(base: &Location<'a>, props: &'a Node, out: &mut Vec<Location<'a>>) {
    let Some(value) = props.get("Policies") else {
        return;
    };
    let single = value.as_sequence().is_none() && intrinsic(value).is_none();
    for (i, item) in indexed_items(value) {
        if item.get("Statement").is_none() || intrinsic(item).is_some() {
            continue;
        }
        out.push(Location {
            path: if single {
                "Properties.Policies".to_string()
            } else {
                format!("Properties.Policies[{i}]")
            },
            kind: PolicyKind::Identity,
            managed: false,
            host: item,
            name: None,
            ..base.clone()
        });
    }
}

/// The values of a list-or-scalar element, with `Fn::If` branches expanded and `AWS::NoValue`
/// dropped, each with its list index.
fn indexed_items(value: &Node) -> Vec<(usize, &Node)> {
    let mut out = Vec::new();
    for alt in alternatives(value) {
        if is_no_value(alt) {
            continue;
        }
        match alt.as_sequence() {
            Some(items) if alt.tag.is_none() => {
                for (i, item) in items.iter().enumerate() {
                    out.extend(
                        alternatives(item)
                            .into_iter()
                            .filter(|n| !is_no_value(n))
                            .map(|n| (i, n)),
                    );
                }
            }
            _ => out.push((0, alt)),
        }
    }
    out
}

/// The values of a list-or-scalar element, with `Fn::If` branches expanded and `AWS::NoValue`
/// dropped.
pub(super) fn flat_items(value: &Node) -> Vec<&Node> {
    indexed_items(value).into_iter().map(|(_, n)| n).collect()
}

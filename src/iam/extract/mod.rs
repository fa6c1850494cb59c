//! Finding every policy document of a file and reading it into the [`super::model`].
//!
//! Two passes: [`locate`] lists where documents are (resource, property path, kind, the
//! identities they apply to); [`extract`] reads each of them. Documents written as strings
//! (`PolicyDocument: '{"Statement": …}'`, or built with `Fn::Sub`/`Fn::Join`) are parsed with
//! the YAML reader (JSON is YAML) into an [`EmbeddedDocuments`] store the caller owns, so the
//! resulting model can borrow their nodes just like the template's own.

use super::action::ActionPattern;
use super::model::*;
use crate::source::Span;
use crate::template::spans::whole_value_span;
use crate::template::{
    alternatives, intrinsic, is_no_value, string_template, Call, Function, Template,
};
use crate::yaml::{self, Document, Entry, Node, NodeKind, ParseOptions, Tag};
use std::sync::OnceLock;

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
        let (Some(resource_type), Some(props)) = (resource.type_, resource.properties) else {
            continue;
        };
        let owner = Owner {
            logical_id: resource.logical_id,
            resource_type,
            node: resource.node,
        };
        let base = Location {
            owner,
            path: String::new(),
            kind: PolicyKind::Identity,
            managed: resource_type == "AWS::IAM::ManagedPolicy",
            host: props,
            attached_to: attachments(template, resource_type, resource.logical_id, props),
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
                inline_policies(&base, props, &mut out)
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
                sam_policies(&base, props, &mut out)
            }
            _ => {}
        }
    }
    out
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

fn flat_items(value: &Node) -> Vec<&Node> {
    indexed_items(value).into_iter().map(|(_, n)| n).collect()
}

/// Like [`indexed_items`], also telling whether the value came from an `Fn::If` branch.
fn conditional_items(value: &Node) -> Vec<(&Node, bool)> {
    let mut out = Vec::new();
    let top = alternatives(value);
    let top_conditional = top.len() > 1;
    for alt in top {
        if is_no_value(alt) {
            continue;
        }
        match alt.as_sequence() {
            Some(items) if alt.tag.is_none() => {
                for item in items {
                    let alts = alternatives(item);
                    let conditional = top_conditional || alts.len() > 1;
                    out.extend(
                        alts.into_iter()
                            .filter(|n| !is_no_value(n))
                            .map(|n| (n, conditional)),
                    );
                }
            }
            _ => out.push((alt, top_conditional)),
        }
    }
    out
}

/// A policy document parsed out of a string.
#[derive(Debug)]
pub struct EmbeddedDocument {
    /// The span of the node holding the string (the key used to find it again).
    pub host: Span,
    pub document: Document,
    pub exact: bool,
}

/// Storage for documents parsed out of strings; owned by whoever owns the file's AST, so
/// the policy model can borrow from it.
#[derive(Debug, Default)]
pub struct EmbeddedDocuments {
    docs: OnceLock<Vec<EmbeddedDocument>>,
}

impl EmbeddedDocuments {
    fn get_or_parse<'a>(&'a self, hosts: &[&'a Node], source: &str) -> &'a [EmbeddedDocument] {
        self.docs.get_or_init(|| {
            hosts
                .iter()
                .filter_map(|h| parse_embedded(h, source))
                .collect()
        })
    }
}

/// A string-valued expression holding a policy document: its text, the scalar it was read
/// from when that scalar's text is the document (so spans can point inside it), and whether
/// `${…}` in it are Sub variables.
fn document_text(host: &Node) -> Option<(String, Option<&Node>, bool)> {
    match intrinsic(host) {
        None => {
            let text = host.as_str()?;
            Some((text.to_string(), Some(host), false))
        }
        Some(i) => match i.call {
            Call::Sub { template, .. } => {
                Some((template.as_str()?.to_string(), Some(template), true))
            }
            Call::Join { .. } => Some((string_template(host, "").to_string(), None, true)),
            _ => None,
        },
    }
}

/// Whether `node` is a string (or string expression) rather than a document mapping.
fn is_string_host(node: &Node) -> bool {
    match intrinsic(node) {
        None => node.as_scalar().is_some(),
        Some(i) => matches!(i.function, Function::Sub | Function::Join),
    }
}

fn parse_embedded(host: &Node, source: &str) -> Option<EmbeddedDocument> {
    let (text, scalar, sub) = document_text(host)?;
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let mut document = yaml::parse(&text, &ParseOptions::default()).ok()?;
    // The string's value maps byte for byte onto the source when the scalar is written
    // without escapes (a plain or block scalar, or quotes without escapes).
    let base = scalar.and_then(|s| {
        let span = whole_value_span(s, source);
        (source.get(span.start..span.end) == Some(text.as_str())).then_some(span.start)
    });
    let fallback = scalar.map_or(host.span, |s| s.span);
    if let Some(root) = &mut document.root {
        relocate(root, base, fallback, sub, 0);
    }
    for c in &mut document.comments {
        c.span = base.map_or(fallback, |b| shift(c.span, b));
    }
    Some(EmbeddedDocument {
        host: host.span,
        document,
        exact: base.is_some(),
    })
}

fn shift(span: Span, by: usize) -> Span {
    Span::new(span.start + by, span.end + by)
}

/// Move the spans of a parsed string into the file's coordinates; mark strings with `${…}` of
/// a Sub as Sub templates so they read symbolically.
fn relocate(node: &mut Node, base: Option<usize>, fallback: Span, sub: bool, depth: usize) {
    let to_file = |s: Span| base.map_or(fallback, |b| shift(s, b));
    node.span = to_file(node.span);
    if let Some(tag) = &mut node.tag {
        tag.span = to_file(tag.span);
    }
    if sub && node.tag.is_none() && node.as_str().is_some_and(|s| s.contains("${")) {
        node.tag = Some(Box::new(Tag {
            text: "!Sub".to_string(),
            span: node.span,
        }));
    }
    if depth > 512 {
        return;
    }
    match &mut node.kind {
        NodeKind::Sequence(items) => {
            for item in items {
                relocate(item, base, fallback, sub, depth + 1);
            }
        }
        NodeKind::Mapping(entries) => {
            for e in entries {
                relocate(&mut e.key, base, fallback, sub, depth + 1);
                relocate(&mut e.value, base, fallback, sub, depth + 1);
            }
        }
        _ => {}
    }
}

/// Whether a file's root is an IAM policy document rather than a template: a mapping with
/// `Statement` (or a `Version` that is a policy version) and none of a template's sections.
pub fn is_policy_document(root: &Node) -> bool {
    let Some(entries) = root.as_mapping() else {
        return false;
    };
    let has = |k: &str| entries.iter().any(|e| e.key.as_str() == Some(k));
    if has("Resources") || has("AWSTemplateFormatVersion") || has("Parameters") {
        return false;
    }
    let policy_version = root
        .get("Version")
        .and_then(Node::as_str)
        .is_some_and(|v| v.starts_with("20") && v.len() == 10);
    has("Statement") || policy_version
}

/// Every policy of a file: the template's documents, or the file itself when it is a policy
/// document. `store` receives documents parsed out of strings; without it they are skipped.
pub fn extract<'a>(
    document: Option<&'a Document>,
    template: Option<&Template<'a>>,
    source: &'a str,
    store: Option<&'a EmbeddedDocuments>,
) -> Vec<Policy<'a>> {
    if let Some(root) = document.and_then(|d| d.root.as_ref()) {
        if is_policy_document(root) {
            return vec![standalone(root, source)];
        }
    }
    let Some(template) = template else {
        return Vec::new();
    };
    let locations = locate(template);
    let hosts: Vec<&'a Node> = locations
        .iter()
        .flat_map(|l| alternatives(l.host))
        .filter(|h| is_string_host(h))
        .collect();
    let embedded: &'a [EmbeddedDocument] = match store {
        Some(store) if !hosts.is_empty() => store.get_or_parse(&hosts, source),
        _ => &[],
    };
    let mut out = Vec::new();
    for loc in &locations {
        let alts = alternatives(loc.host);
        let conditional = alts.len() > 1;
        for alt in alts {
            if is_no_value(alt) {
                continue;
            }
            let (node, origin) = if is_string_host(alt) {
                match embedded.iter().find(|e| e.host == alt.span) {
                    Some(e) => match &e.document.root {
                        Some(root) => (root, DocumentOrigin::JsonString { exact: e.exact }),
                        None => continue,
                    },
                    None => continue,
                }
            } else if alt.as_mapping().is_some() && intrinsic(alt).is_none() {
                (alt, DocumentOrigin::Inline)
            } else {
                continue;
            };
            out.push(read_policy(loc, alt, node, origin, conditional, source));
        }
    }
    out
}

/// A whole file that is a policy document. Its kind follows its content: principals make it
/// a resource policy, principals with only `sts:AssumeRole*` actions a trust policy.
pub fn standalone<'a>(root: &'a Node, source: &'a str) -> Policy<'a> {
    let mut policy = read_document(root, root, DocumentOrigin::Standalone, false, source);
    let with_principal: Vec<&Statement<'_>> = policy
        .statements
        .iter()
        .filter(|s| s.principal.is_some() || s.not_principal.is_some())
        .collect();
    policy.kind = if with_principal.is_empty() {
        PolicyKind::Identity
    } else if with_principal.iter().all(|s| {
        !s.actions().is_empty()
            && s.actions().iter().all(|a| {
                a.text
                    .is_some_and(|t| t.to_ascii_lowercase().starts_with("sts:assumerole"))
            })
    }) {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    };
    policy
}

fn read_policy<'a>(
    loc: &Location<'a>,
    host: &'a Node,
    node: &'a Node,
    origin: DocumentOrigin,
    conditional: bool,
    source: &'a str,
) -> Policy<'a> {
    let mut p = read_document(host, node, origin, conditional, source);
    if loc.statement_only {
        // Of the resource's properties only `Statement` belongs to the policy.
        let entries = p.entries;
        p.entries = entries
            .iter()
            .position(|e| e.key.as_str() == Some("Statement"))
            .map_or(&[], |i| &entries[i..=i]);
        p.version = None;
        p.id = None;
        p.statement_only = true;
    }
    p.kind = loc.kind;
    p.owner = Some(loc.owner);
    p.path = loc.path.clone();
    p.managed = loc.managed;
    p.attached_to = loc.attached_to.clone();
    p.name = loc.name;
    p
}

fn read_document<'a>(
    host: &'a Node,
    node: &'a Node,
    origin: DocumentOrigin,
    conditional: bool,
    source: &'a str,
) -> Policy<'a> {
    let entries = node.as_mapping().unwrap_or_default();
    let element = |name: &str| {
        entries
            .iter()
            .find(|e| e.key.as_str() == Some(name))
            .map(Element::from_entry)
    };
    let statement = element("Statement");
    let mut statements = Vec::new();
    if let Some(st) = statement {
        for alt in alternatives(st.value) {
            if is_no_value(alt) {
                continue;
            }
            let alt_conditional = !std::ptr::eq(alt, st.value);
            match alt.as_sequence() {
                Some(items) if intrinsic(alt).is_none() => {
                    for (index, item) in items.iter().enumerate() {
                        let branches = alternatives(item);
                        let item_conditional = alt_conditional || branches.len() > 1;
                        for b in branches {
                            if !is_no_value(b) {
                                statements.push(read_statement(b, index, item_conditional, source));
                            }
                        }
                    }
                }
                _ => statements.push(read_statement(alt, 0, alt_conditional, source)),
            }
        }
    }
    Policy {
        kind: PolicyKind::Identity,
        owner: None,
        path: String::new(),
        managed: false,
        host,
        node,
        origin,
        conditional,
        entries,
        version: element("Version"),
        id: element("Id"),
        statement,
        statements,
        attached_to: Vec::new(),
        name: None,
        statement_only: false,
    }
}

fn read_statement<'a>(
    node: &'a Node,
    index: usize,
    conditional: bool,
    source: &'a str,
) -> Statement<'a> {
    let entries: &'a [Entry] = match intrinsic(node) {
        None => node.as_mapping().unwrap_or_default(),
        Some(_) => &[],
    };
    let element = |name: &str| {
        entries
            .iter()
            .find(|e| e.key.as_str() == Some(name))
            .map(Element::from_entry)
    };
    let actions = |name: &str| {
        element(name).map(|element| ActionList {
            element,
            items: conditional_items(element.value)
                .into_iter()
                .map(|(n, c)| action_item(n, c, source))
                .collect(),
        })
    };
    let resources = |name: &str| {
        element(name).map(|element| ResourceList {
            element,
            items: values(element.value, source),
        })
    };
    let principals = |name: &str| element(name).map(|e| principal_block(e, source));
    Statement {
        node,
        index,
        conditional,
        entries,
        sid: element("Sid"),
        effect: element("Effect"),
        action: actions("Action"),
        not_action: actions("NotAction"),
        resource: resources("Resource"),
        not_resource: resources("NotResource"),
        principal: principals("Principal"),
        not_principal: principals("NotPrincipal"),
        condition: element("Condition").map(|e| condition_block(e, source)),
    }
}

fn action_item<'a>(node: &'a Node, conditional: bool, source: &str) -> ActionItem<'a> {
    let text = if node.tag.is_none() {
        node.as_str()
    } else {
        None
    };
    ActionItem::new(
        node,
        whole_value_span(node, source),
        text,
        text.map(ActionPattern::parse),
        conditional,
    )
}

fn values<'a>(value: &'a Node, source: &str) -> Vec<Item<'a>> {
    conditional_items(value)
        .into_iter()
        .map(|(node, conditional)| {
            Item::new(
                node,
                item_span(node, source),
                string_template(node, source),
                conditional,
            )
        })
        .collect()
}

/// A literal's own bytes; an intrinsic's whole expression.
fn item_span(node: &Node, source: &str) -> Span {
    if node.tag.is_none() && node.as_scalar().is_some() {
        whole_value_span(node, source)
    } else {
        node.span
    }
}

fn principal_block<'a>(element: Element<'a>, source: &str) -> PrincipalBlock<'a> {
    let mut block = PrincipalBlock {
        element,
        wildcard: None,
        entries: Vec::new(),
    };
    for alt in alternatives(element.value) {
        if is_no_value(alt) {
            continue;
        }
        if alt.as_scalar().is_some() && alt.tag.is_none() {
            block.wildcard = Some(Item::new(
                alt,
                item_span(alt, source),
                string_template(alt, source),
                !std::ptr::eq(alt, element.value),
            ));
            continue;
        }
        if intrinsic(alt).is_some() {
            continue;
        }
        for e in alt.as_mapping().unwrap_or_default() {
            let Some(kind) = e.key.as_str() else { continue };
            block.entries.push(PrincipalEntry {
                key: &e.key,
                kind,
                values: values(&e.value, source),
            });
        }
    }
    block
}

fn condition_block<'a>(element: Element<'a>, source: &str) -> ConditionBlock<'a> {
    let mut block = ConditionBlock {
        element,
        operators: Vec::new(),
    };
    for alt in alternatives(element.value) {
        if is_no_value(alt) || intrinsic(alt).is_some() {
            continue;
        }
        for op in alt.as_mapping().unwrap_or_default() {
            let Some(name) = op.key.as_str() else {
                continue;
            };
            let mut operator = ConditionOperator {
                key: &op.key,
                name,
                node: &op.value,
                entries: Vec::new(),
            };
            for value_alt in alternatives(&op.value) {
                if is_no_value(value_alt) || intrinsic(value_alt).is_some() {
                    continue;
                }
                for e in value_alt.as_mapping().unwrap_or_default() {
                    let Some(key) = e.key.as_str() else { continue };
                    operator.entries.push(ConditionEntry {
                        key: &e.key,
                        name: key,
                        node: &e.value,
                        values: values(&e.value, source),
                    });
                }
            }
            block.operators.push(operator);
        }
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::StringPart;

    fn with_policies(text: &str, f: impl FnOnce(&[Policy<'_>])) {
        let doc = yaml::parse(text, &ParseOptions::default()).expect("parses");
        let template = Template::from_document(&doc);
        let store = EmbeddedDocuments::default();
        let policies = extract(Some(&doc), Some(&template), text, Some(&store));
        f(&policies);
    }

    fn at(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    #[test]
    fn finds_identity_trust_and_resource_policies_with_owners() {
        let text = "\
Resources:
  AppRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, 'ssm:GetParamter']
                Resource: !Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'
  Extra:
    Type: AWS::IAM::Policy
    Properties:
      Roles: [!Ref AppRole, external-role]
      PolicyDocument:
        Statement:
          Effect: Deny
          Action: '*'
          Resource: '*'
  Bucket:
    Type: AWS::S3::Bucket
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: s3:GetObject
            Resource: !Sub '${Bucket.Arn}/*'
            Condition:
              StringEquals: {aws:SourceAccount: !Ref AWS::AccountId}
";
        with_policies(text, |ps| {
            let kinds: Vec<_> = ps.iter().map(|p| (p.kind, p.path.as_str())).collect();
            assert_eq!(
                kinds,
                [
                    (PolicyKind::Trust, "Properties.AssumeRolePolicyDocument"),
                    (
                        PolicyKind::Identity,
                        "Properties.Policies[0].PolicyDocument"
                    ),
                    (PolicyKind::Identity, "Properties.PolicyDocument"),
                    (PolicyKind::Resource, "Properties.PolicyDocument"),
                ]
            );
            let inline = &ps[1];
            assert_eq!(inline.version_text(), Some("2012-10-17"));
            assert_eq!(
                inline.attached_to,
                [Attachment {
                    kind: IdentityKind::Role,
                    target: AttachTarget::Resource("AppRole")
                }]
            );
            let st = &inline.statements[0];
            assert!(st.is_allow());
            let typo = &st.actions()[1];
            assert_eq!(at(text, typo.span), "ssm:GetParamter");
            assert_eq!(typo.valid().map(|p| p.name()), Some("GetParamter"));
            let arn = &st.resources()[0].value;
            assert_eq!(arn.to_string(), "arn:${AWS::Partition}:s3:::${Bucket}/*");
            // A single statement mapping and attachments by Ref and by name.
            let extra = &ps[2];
            assert_eq!(extra.statements.len(), 1);
            assert!(extra.statements[0].is_deny());
            assert_eq!(extra.attached_to.len(), 2);
            assert!(matches!(
                extra.attached_to[1].target,
                AttachTarget::Written(_)
            ));
            let public = &ps[3].statements[0];
            let principal = public.principal.as_ref().unwrap();
            assert_eq!(principal.public_items().len(), 1);
            assert!(public
                .condition
                .as_ref()
                .unwrap()
                .has_key("AWS:SourceAccount"));
        });
    }

    #[test]
    fn json_string_documents_map_spans_into_the_string() {
        let text = r#"Resources:
  Domain:
    Type: AWS::OpenSearchService::Domain
    Properties:
      AccessPolicies: '{"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "es:ESHttpGet", "Resource": "*"}]}'
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: !Sub |
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
                        "Action": "kms:*", "Resource": "*"}]}
"#;
        with_policies(text, |ps| {
            assert_eq!(ps.len(), 2);
            assert_eq!(ps[0].origin, DocumentOrigin::JsonString { exact: true });
            let st = &ps[0].statements[0];
            let effect = st.effect.unwrap();
            assert_eq!(at(text, effect.value.span), "\"allow\"");
            assert_eq!(at(text, st.actions()[0].span), "es:ESHttpGet");
            let key = &ps[1].statements[0];
            let principal = &key.principal.as_ref().unwrap().entries[0];
            let arn = &principal.values[0];
            assert_eq!(arn.value.to_string(), "arn:aws:iam::${AWS::AccountId}:root");
            assert!(matches!(
                arn.value.parts[1],
                StringPart::Ref {
                    name: "AWS::AccountId",
                    ..
                }
            ));
            assert_eq!(at(text, arn.value.parts[1].span()), "${AWS::AccountId}");
        });
    }

    #[test]
    fn conditional_statements_and_sam_policies() {
        let text = "\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - AWSLambdaBasicExecutionRole
        - S3ReadPolicy: {BucketName: !Ref B}
        - Statement:
            - !If
              - IsProd
              - Effect: Allow
                Action: [s3:GetObject, !If [Extra, s3:PutObject, !Ref AWS::NoValue]]
                Resource: '*'
              - !Ref AWS::NoValue
            - Effect: Allow
              Action: logs:PutLogEvents
              Resource: '*'
";
        with_policies(text, |ps| {
            assert_eq!(ps.len(), 1);
            let p = &ps[0];
            assert_eq!(p.path, "Properties.Policies[2]");
            assert_eq!(p.attached_to[0].target, AttachTarget::SamGenerated("Fn"));
            assert_eq!(p.statements.len(), 2);
            assert!(p.statements[0].conditional);
            assert_eq!(p.statements[1].index, 1);
            let actions: Vec<_> = p.statements[0].actions().iter().map(|a| a.text).collect();
            assert_eq!(actions, [Some("s3:GetObject"), Some("s3:PutObject")]);
            assert!(p.statements[0].actions()[1].conditional);
        });
    }

    #[test]
    fn standalone_documents_are_one_policy() {
        let text = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}, \"Action\": \"sts:AssumeRole\"}]}";
        let doc = yaml::parse(text, &ParseOptions::default()).unwrap();
        assert!(is_policy_document(doc.root.as_ref().unwrap()));
        let ps = extract(Some(&doc), None, text, None);
        assert_eq!(ps.len(), 1);
        assert_eq!(ps[0].kind, PolicyKind::Trust);
        assert_eq!(ps[0].origin, DocumentOrigin::Standalone);
        let template =
            yaml::parse("Resources: {}\nStatement: x\n", &ParseOptions::default()).unwrap();
        assert!(!is_policy_document(template.root.as_ref().unwrap()));
    }
}

//! Who holds permissions: a role, user or group of the template with everything attached to it
//! (inline policies, the template's policies naming it, its `ManagedPolicyArns`), or a policy
//! attached to nothing the template defines, which stands alone.

use crate::iam::{managed_policy, AttachTarget, ManagedPolicy, Policy, PolicyKind};
use crate::source::Span;
use crate::template::{alternatives, intrinsic, is_no_value, string_template, Call, Template};
use crate::yaml::Node;
use std::collections::{HashMap, HashSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKind {
    Role,
    User,
    Group,
    /// A policy attached to no identity of the template.
    Policy,
}

/// One holder of permissions and everything that grants it permissions.
#[derive(Debug)]
pub struct Principal<'p, 'a> {
    pub kind: PrincipalKind,
    /// The role, user or group; for a standalone policy, the policy's resource.
    pub logical_id: Option<&'a str>,
    /// The resource's key node (where to point when it has no policy document).
    pub key: Option<&'a Node>,
    pub policies: Vec<&'p Policy<'a>>,
    /// AWS managed policies attached by ARN, with the span of the ARN.
    pub managed: Vec<(&'static ManagedPolicy, Span)>,
    /// Some attached policy cannot be seen (a customer managed ARN, a parameter, an import).
    pub opaque: bool,
    /// A standalone policy attached to identities outside the template, which may hold other
    /// permissions.
    pub partial: bool,
    /// Service principals of a role's trust policy; `None` when not known.
    pub trusted_services: Option<Vec<String>>,
    /// Purposes declared in `Metadata: cfn-policy-lint: purposes`, with each name's node.
    pub declared: Vec<&'a Node>,
}

const IDENTITY_TYPES: &[(&str, PrincipalKind)] = &[
    ("AWS::IAM::Role", PrincipalKind::Role),
    ("AWS::IAM::User", PrincipalKind::User),
    ("AWS::IAM::Group", PrincipalKind::Group),
];

/// Every principal of the file. A standalone policy file is one principal.
pub fn principals<'p, 'a>(
    template: Option<&Template<'a>>,
    policies: &'p [Policy<'a>],
    source: &str,
) -> Vec<Principal<'p, 'a>> {
    let mut out = Vec::new();
    let Some(template) = template else {
        for p in policies.iter().filter(|p| p.kind == PolicyKind::Identity) {
            out.push(standalone(p, false));
        }
        return out;
    };
    // Who each policy belongs to and is attached to, looked up per resource below: a large
    // template has thousands of each, so no scanning every policy for every resource.
    let mut attached: HashMap<&str, Vec<&'p Policy<'a>>> = HashMap::new();
    let mut by_owner: HashMap<&str, Vec<&'p Policy<'a>>> = HashMap::new();
    for p in policies {
        if let Some(owner) = p.owner {
            by_owner.entry(owner.logical_id).or_default().push(p);
        }
        if p.kind != PolicyKind::Identity {
            continue;
        }
        for (i, a) in p.attached_to.iter().enumerate() {
            if let AttachTarget::Resource(id) = a.target {
                let first = !p.attached_to[..i]
                    .iter()
                    .any(|b| b.target == AttachTarget::Resource(id));
                if first {
                    attached.entry(id).or_default().push(p);
                }
            }
        }
    }
    for resource in &template.resources {
        let Some(kind) = IDENTITY_TYPES
            .iter()
            .find(|(t, _)| resource.type_ == Some(*t))
            .map(|(_, k)| *k)
        else {
            continue;
        };
        let id = resource.logical_id;
        let mut principal = Principal {
            kind,
            logical_id: Some(id),
            key: Some(resource.key),
            policies: attached.get(id).cloned().unwrap_or_default(),
            managed: Vec::new(),
            opaque: false,
            partial: false,
            trusted_services: None,
            declared: declared(resource.metadata),
        };
        if let Some(arns) = resource.property("ManagedPolicyArns") {
            for item in items(arns) {
                attach_arn(template, &by_owner, item, source, &mut principal);
            }
        }
        if kind == PrincipalKind::Role {
            principal.trusted_services = Some(trusted_services(owned(&by_owner, id)));
        }
        let from_policies: Vec<&'a Node> = principal
            .policies
            .iter()
            .filter(|p| p.owner.is_some_and(|o| o.logical_id != id))
            .flat_map(|p| declared(p.owner.and_then(|o| o.node.get("Metadata"))))
            .collect();
        for d in from_policies {
            if !principal.declared.iter().any(|e| e.as_str() == d.as_str()) {
                principal.declared.push(d);
            }
        }
        out.push(principal);
    }
    // Owners of the policies some principal already holds (kept up to date as standalone
    // principals are added below: a policy with one document per `Fn::If` branch is one).
    let mut held: HashSet<&str> = out
        .iter()
        .flat_map(|pr: &Principal<'p, 'a>| &pr.policies)
        .filter_map(|q| q.owner.map(|o| o.logical_id))
        .collect();
    for p in policies.iter().filter(|p| p.kind == PolicyKind::Identity) {
        let in_template = p.attached_to.iter().any(|a| {
            matches!(a.target, AttachTarget::Resource(id) if template.resource(id).is_some_and(|r| IDENTITY_TYPES.iter().any(|(t, _)| r.type_ == Some(*t))))
        });
        let by_arn = p.owner.is_some_and(|o| held.contains(o.logical_id));
        // SAM functions get a generated role with policy templates this program cannot see.
        let sam = p
            .attached_to
            .iter()
            .any(|a| matches!(a.target, AttachTarget::SamGenerated(_)));
        if in_template || by_arn || sam {
            continue;
        }
        let partial = !p.attached_to.is_empty();
        if let Some(owner) = p.owner {
            held.insert(owner.logical_id);
        }
        out.push(standalone(p, partial));
    }
    out
}

fn standalone<'p, 'a>(policy: &'p Policy<'a>, partial: bool) -> Principal<'p, 'a> {
    Principal {
        kind: PrincipalKind::Policy,
        logical_id: policy.owner.map(|o| o.logical_id),
        key: None,
        policies: vec![policy],
        managed: Vec::new(),
        opaque: false,
        partial,
        trusted_services: None,
        declared: declared(policy.owner.and_then(|o| o.node.get("Metadata"))),
    }
}

/// The values of a list-or-scalar property, every `Fn::If` branch included.
fn items(value: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    for alt in alternatives(value) {
        if is_no_value(alt) {
            continue;
        }
        match alt.as_sequence() {
            Some(list) if alt.tag.is_none() => {
                for item in list {
                    out.extend(alternatives(item).into_iter().filter(|n| !is_no_value(n)));
                }
            }
            _ => out.push(alt),
        }
    }
    out
}

/// One `ManagedPolicyArns` item: a policy of this template, an AWS managed policy, or
/// something this program cannot see.
fn attach_arn<'p, 'a>(
    template: &Template<'a>,
    by_owner: &HashMap<&str, Vec<&'p Policy<'a>>>,
    item: &'a Node,
    source: &str,
    principal: &mut Principal<'p, 'a>,
) {
    if let Some(Call::Ref { name }) = intrinsic(item).map(|i| i.call) {
        if template
            .resource(name.text)
            .is_some_and(|r| r.type_ == Some("AWS::IAM::ManagedPolicy"))
        {
            for &p in owned(by_owner, name.text) {
                if !principal.policies.iter().any(|q| std::ptr::eq(*q, p)) {
                    principal.policies.push(p);
                }
            }
            return;
        }
    }
    let text = string_template(item, source).to_string();
    match aws_managed_name(&text).and_then(managed_policy) {
        Some(m) => principal.managed.push((m, item.span)),
        None => principal.opaque = true,
    }
}

/// `AmazonSSMManagedInstanceCore` of `arn:${AWS::Partition}:iam::aws:policy/…/AmazonSSM…`.
fn aws_managed_name(arn: &str) -> Option<&str> {
    let (_, rest) = arn.split_once(":iam::aws:policy/")?;
    let name = rest.rsplit('/').next()?;
    (!name.is_empty() && !name.contains(['$', '{', '}'])).then_some(name)
}

/// The `Service` principals the role's trust policy names.
/// The policies whose owner is the resource `id`, in source order.
fn owned<'m, 'p, 'a>(
    by_owner: &'m HashMap<&str, Vec<&'p Policy<'a>>>,
    id: &str,
) -> &'m [&'p Policy<'a>] {
    by_owner.get(id).map(Vec::as_slice).unwrap_or_default()
}

/// `owned` are the policies of the role's own resource.
fn trusted_services(owned: &[&Policy<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    for p in owned.iter().filter(|p| p.kind == PolicyKind::Trust) {
        for s in &p.statements {
            for e in s.principal.iter().flat_map(|b| &b.entries) {
                if e.kind == "Service" {
                    out.extend(e.values.iter().map(|v| v.value.to_string()));
                }
            }
        }
    }
    out
}

/// The purpose names of `Metadata: cfn-policy-lint: purposes: [...]` (also a single string).
pub fn declared(metadata: Option<&Node>) -> Vec<&Node> {
    let Some(purposes) = metadata
        .and_then(|m| m.get("cfn-policy-lint"))
        .and_then(|c| c.get("purposes"))
    else {
        return Vec::new();
    };
    match purposes.as_sequence() {
        Some(list) => list.iter().filter(|n| n.as_str().is_some()).collect(),
        None => purposes.as_str().map(|_| purposes).into_iter().collect(),
    }
}

//! Finding a template's wirings and judging each against its role.
//!
//! For every resource of a wiring's type: its sites (the property paths, list items included),
//! the conditions, the role the `role` paths lead to, and for each required action the resource
//! it needs, bound to the site's values. The role's policy set is assembled from the principal
//! the purpose analysis sees (inline policies, the template's policies attached either way, AWS
//! managed policies by ARN), its permissions boundary, or SAM's generated role; then
//! [`crate::iam::eval`] answers. Whatever cannot be resolved — a role given as a parameter or an
//! import, a value under `Fn::If`, a resource type this program cannot name the ARN of — makes
//! the wiring silent.

use std::collections::HashMap;

use regex::Regex;

use super::{Condition, Need, Wiring};
use crate::iam::eval::{evaluate, Answer, Boundary, PolicySet, Resolved, Resolver};
use crate::iam::{managed_policy, AttachTarget, Policy, PolicyKind, Statement};
use crate::purpose::principal::{Principal, PrincipalKind};
use crate::source::Span;
use crate::template::states::{read_definition, TaskState, UNKNOWN};
use crate::template::{alternatives, is_no_value, string_template, Resource, StringPart, Template};
use crate::yaml::Node;

/// One wiring whose role lacks something.
#[derive(Debug)]
pub struct WiringFinding<'w, 'p, 'a> {
    pub wiring: &'w Wiring,
    pub resource: &'a str,
    /// The wiring property (primary span).
    pub site: Span,
    /// The role: its logical id and key (for a role SAM generates, the function's or state
    /// machine's).
    pub role: (&'a str, Span),
    /// The role is the one SAM generates: requirements go into the resource's `Policies`.
    pub generated: bool,
    pub missing: Vec<MissingGrant<'p, 'a>>,
}

/// One required action the role is not allowed.
#[derive(Debug)]
pub struct MissingGrant<'p, 'a> {
    pub action: String,
    /// The resource it needs, in the template's own terms: `!GetAtt OrdersQueue.Arn`,
    /// `!Sub 'arn:…'`, `'*'` (YAML, for the help).
    pub resource_yaml: String,
    /// Short name for messages: `` `OrdersQueue` `` or the ARN text.
    pub resource_name: String,
    /// Allow statements granting the action on other resources, with those resources' names.
    pub near: Vec<(&'p Statement<'a>, Vec<String>)>,
    pub denied_by: Option<&'p Statement<'a>>,
    pub by_boundary: bool,
}

/// A wiring that asks for a purpose pack: the principal and where the wiring is.
#[derive(Debug)]
pub struct PackWiring<'w, 'a> {
    pub wiring: &'w Wiring,
    pub pack: &'w str,
    pub role: &'a str,
    pub site: Span,
}

/// All findings of one template.
#[derive(Debug, Default)]
pub struct Wired<'w, 'p, 'a> {
    pub findings: Vec<WiringFinding<'w, 'p, 'a>>,
    pub packs: Vec<PackWiring<'w, 'a>>,
}

/// Where a role path leads.
#[derive(Clone, Copy, Debug)]
enum RoleTarget<'t, 'a> {
    Role(&'t Resource<'a>),
    /// The role SAM generates for a function or state machine without `Role`.
    Generated(&'t Resource<'a>),
}

/// A place a wiring is written: a value of the template, or a task of a state machine's
/// definition (whose values are `Fn::Sub` text).
struct Site<'a> {
    node: &'a Node,
    task: Option<TaskState>,
    /// A shell command of user data, as `Fn::Sub` text.
    command: Option<String>,
    /// The key or value to point at.
    span: Span,
}

const MAX_SITES: usize = 256;

pub fn find<'w, 'p, 't, 'a>(
    wirings: &[&'w Wiring],
    template: &'t Template<'a>,
    source: &'t str,
    policies: &'p [Policy<'a>],
    principals: &[Principal<'p, 'a>],
) -> Wired<'w, 'p, 'a> {
    let mut out = Wired::default();
    if wirings.is_empty() {
        return out;
    }
    let resolver = Resolver::new(template, source);
    // SAM connectors add policies to the roles they connect: expanded from SAM's connector
    // profiles onto the source's role. One this program cannot expand leaves every role unknown.
    let (connector_grants, connectors) = connector_policies(template, &resolver);
    let by_id: HashMap<&str, &Principal<'p, 'a>> = principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Role)
        .filter_map(|p| p.logical_id.map(|id| (id, p)))
        .collect();
    let mut types: HashMap<&str, Vec<&'w Wiring>> = HashMap::new();
    for &w in wirings {
        for t in w.resource.items() {
            types.entry(t.as_str()).or_default().push(w);
        }
    }
    let mut sets: HashMap<&str, Option<PolicySet<'p, 'a>>> = HashMap::new();
    for resource in &template.resources {
        if resource.in_loop {
            continue;
        }
        let Some(wirings) = resource.type_.and_then(|t| types.get(t)) else {
            continue;
        };
        for &wiring in wirings {
            for site in sites(wiring, resource, source) {
                let ctx = Ctx {
                    resolver: &resolver,
                    resource,
                    site: site.node,
                    task: site.task.as_ref(),
                    command: site.command.as_deref(),
                };
                if !wiring.when.iter().all(|c| ctx.holds(c)) {
                    continue;
                }
                let Some(role) = ctx.role(wiring) else {
                    continue;
                };
                if let Some(pack) = &wiring.pack {
                    if let RoleTarget::Role(r) = role {
                        out.packs.push(PackWiring {
                            wiring,
                            pack,
                            role: r.logical_id,
                            site: site.span,
                        });
                    }
                    continue;
                }
                let (role_id, role_key) = match role {
                    RoleTarget::Role(r) | RoleTarget::Generated(r) => (r.logical_id, r.key.span),
                };
                let policy_set = sets.entry(role_id).or_insert_with(|| match role {
                    RoleTarget::Role(r) => by_id
                        .get(r.logical_id)
                        .map(|p| role_set(p, r, template, policies, &resolver)),
                    RoleTarget::Generated(r) => {
                        super::sam::generated_role(r, template, source, policies)
                    }
                });
                let Some(policy_set) = policy_set.as_mut() else {
                    continue;
                };
                policy_set.opaque |= connectors;
                if let Some(grants) = connector_grants.get(role_id) {
                    for g in grants {
                        if !policy_set.generated.contains(g) {
                            policy_set.generated.push(g.clone());
                        }
                    }
                }
                let policy_set = &*policy_set;
                if wiring.satisfied_by.iter().any(|m| {
                    policy_set
                        .managed
                        .iter()
                        .any(|p| p.name.eq_ignore_ascii_case(m))
                }) {
                    continue;
                }
                let mut missing = Vec::new();
                for need in &wiring.requires {
                    if need
                        .when
                        .as_ref()
                        .is_some_and(|c| !c.items().iter().all(|c| ctx.holds(c)))
                    {
                        continue;
                    }
                    let Some(bound) = ctx.bind(need) else {
                        continue;
                    };
                    if bound.guarded {
                        continue;
                    }
                    for action in &need.actions {
                        if let Answer::NotAllowed {
                            near,
                            denied_by,
                            by_boundary,
                        } = evaluate(policy_set, &resolver, action, &bound.resolved)
                        {
                            if missing.iter().any(|m: &MissingGrant<'_, '_>| {
                                m.action == *action && m.resource_yaml == bound.yaml
                            }) {
                                continue;
                            }
                            let near = near
                                .into_iter()
                                .map(|s| {
                                    let names = s
                                        .resources()
                                        .iter()
                                        .map(|i| name_of_value(&i.value))
                                        .collect();
                                    (s, names)
                                })
                                .collect();
                            missing.push(MissingGrant {
                                action: action.clone(),
                                resource_yaml: bound.yaml.clone(),
                                resource_name: bound.name.clone(),
                                near,
                                denied_by,
                                by_boundary,
                            });
                        }
                    }
                }
                if !missing.is_empty() {
                    out.findings.push(WiringFinding {
                        wiring,
                        resource: resource.logical_id,
                        site: site.span,
                        role: (role_id, role_key),
                        generated: matches!(role, RoleTarget::Generated(_)),
                        missing,
                    });
                }
            }
        }
    }
    out
}

/// What the template's SAM connectors grant, by the logical id of the role holding it (a role of
/// the template, or the resource whose role SAM generates); `true` when some connector could
/// not be expanded.
fn connector_policies<'t, 'a>(
    template: &'t Template<'a>,
    resolver: &Resolver<'t, 'a>,
) -> (
    HashMap<String, Vec<crate::iam::eval::GeneratedStatement>>,
    bool,
) {
    use crate::iam::sam;
    let mut out: HashMap<String, Vec<crate::iam::eval::GeneratedStatement>> = HashMap::new();
    let mut unknown = false;
    // (source resource, connector properties) for standalone and embedded connectors.
    let mut connectors: Vec<(Option<&'t Resource<'a>>, &'a Node)> = Vec::new();
    for r in &template.resources {
        if r.type_ == Some("AWS::Serverless::Connector") {
            let source = r
                .property("Source")
                .and_then(|s| s.get("Id"))
                .and_then(Node::as_str)
                .and_then(|id| template.resource(id));
            match r.properties {
                Some(p) => connectors.push((source, p)),
                None => unknown = true,
            }
        }
        if let Some(embedded) = r.node.get("Connectors").and_then(Node::as_mapping) {
            for c in embedded {
                match c.value.get("Properties") {
                    Some(p) => connectors.push((Some(r), p)),
                    None => unknown = true,
                }
            }
        }
    }
    for (source, props) in connectors {
        let Some(source) = source.filter(|s| s.type_.is_some()) else {
            unknown = true;
            continue;
        };
        let permissions: Vec<&str> = props
            .get("Permissions")
            .and_then(Node::as_sequence)
            .map(|l| l.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        let destinations: Vec<&Node> = match props.get("Destination") {
            Some(d) if d.as_sequence().is_some() && d.tag.is_none() => {
                d.as_sequence().unwrap_or_default().iter().collect()
            }
            Some(d) => vec![d],
            None => Vec::new(),
        };
        if destinations.is_empty() || permissions.is_empty() {
            unknown = true;
            continue;
        }
        let source_type = source.type_.unwrap_or("");
        let ctx = Ctx {
            resolver,
            resource: source,
            site: source.node,
            task: None,
            command: None,
        };
        for d in destinations {
            let Some(target) = d
                .get("Id")
                .and_then(Node::as_str)
                .and_then(|id| template.resource(id))
            else {
                unknown = true;
                continue;
            };
            let destination_type = target.type_.unwrap_or("");
            let policy = sam::connector_policy(
                source_type,
                destination_type,
                &permissions,
                &|f| sam::connector_id_value(source_type, source.logical_id, f),
                &|f| sam::connector_id_value(destination_type, target.logical_id, f),
            );
            match policy {
                Some(p) if p.kind == sam::ConnectorPolicyKind::RolePolicy => {
                    let holder = match (p.attached_to, ctx.follow(source, 0)) {
                        (sam::ConnectorSide::Source, Some(RoleTarget::Role(r)))
                        | (sam::ConnectorSide::Source, Some(RoleTarget::Generated(r))) => {
                            r.logical_id
                        }
                        _ => {
                            unknown = true;
                            continue;
                        }
                    };
                    let grants = out.entry(holder.to_string()).or_default();
                    for st in p.statements {
                        grants.push(crate::iam::eval::GeneratedStatement {
                            allow: st.effect_allow,
                            actions: st.actions,
                            resources: st.resources,
                            origin: "a SAM connector".into(),
                        });
                    }
                }
                // Resource policies on the destination let a service in; they grant no role.
                Some(_) => {}
                None => unknown = true,
            }
        }
    }
    (out, unknown)
}

/// The policy set of a role of the template.
fn role_set<'p, 'a>(
    principal: &Principal<'p, 'a>,
    role: &Resource<'a>,
    template: &Template<'a>,
    policies: &'p [Policy<'a>],
    resolver: &Resolver<'_, '_>,
) -> PolicySet<'p, 'a> {
    let mut set = PolicySet {
        statements: principal
            .policies
            .iter()
            .filter(|p| p.kind == PolicyKind::Identity)
            .flat_map(|p| p.statements.iter())
            .collect(),
        managed: principal.managed.iter().map(|(m, _)| *m).collect(),
        generated: Vec::new(),
        opaque: principal.opaque || principal.partial,
        boundary: Boundary::None,
    };
    // A policy document this program could not read (a JSON string with an error, a
    // `Fn::Transform`) may grant anything.
    if role
        .property("Policies")
        .is_some_and(|p| alternatives(p).len() > 1 || p.as_sequence().is_none())
        || role
            .property("ManagedPolicyArns")
            .is_some_and(|p| alternatives(p).len() > 1)
    {
        set.opaque = true;
    }
    if let Some(b) = role.property("PermissionsBoundary") {
        set.boundary = boundary(b, template, policies, resolver);
    }
    set
}

fn boundary<'p, 'a>(
    node: &Node,
    template: &Template<'a>,
    policies: &'p [Policy<'a>],
    resolver: &Resolver<'_, '_>,
) -> Boundary<'p, 'a> {
    if let Some(r) = resolver.referenced(node) {
        if r.type_ == Some("AWS::IAM::ManagedPolicy") {
            let statements = policies
                .iter()
                .filter(|p| p.owner.is_some_and(|o| o.logical_id == r.logical_id))
                .flat_map(|p| p.statements.iter())
                .collect();
            return Boundary::Known(Box::new(PolicySet {
                statements,
                ..PolicySet::default()
            }));
        }
        return Boundary::Opaque;
    }
    let text = string_template(node, resolver.source).to_string();
    match text
        .split_once(":iam::aws:policy/")
        .and_then(|(_, name)| managed_policy(name.rsplit('/').next().unwrap_or(name)))
    {
        Some(m) if !template.resources.is_empty() => Boundary::Known(Box::new(PolicySet {
            managed: vec![m],
            ..PolicySet::default()
        })),
        _ => Boundary::Opaque,
    }
}

/// The sites of a wiring on one resource.
fn sites<'a>(wiring: &Wiring, resource: &Resource<'a>, source: &str) -> Vec<Site<'a>> {
    let Some(paths) = wiring.site.as_ref() else {
        return vec![Site {
            node: resource.node,
            task: None,
            command: None,
            span: resource.type_node.map_or(resource.key.span, |n| n.span),
        }];
    };
    if paths.items() == ["states"] {
        // Every Task state of the definition (the ones it could read; the rest are unknown).
        let Some(definition) = read_definition(resource, source) else {
            return Vec::new();
        };
        return definition
            .tasks
            .into_iter()
            .take(MAX_SITES)
            .map(|t| Site {
                node: resource.node,
                span: t.span,
                task: Some(t),
                command: None,
            })
            .collect();
    }
    let Some(props) = resource.properties else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for path in paths.items() {
        if let Some(path) = path.strip_prefix("shell:") {
            // Each command of a user data script (`Fn::Base64` of a string or `!Sub`).
            let mut found = Vec::new();
            walk(props, &segments(path), &mut found);
            for site in found {
                let node = match crate::template::intrinsic(site.node).map(|i| i.call) {
                    Some(crate::template::Call::Base64 { value }) => value,
                    _ => site.node,
                };
                let text = string_template(node, source).to_string();
                let written = source.get(node.span.start..node.span.end).unwrap_or("");
                for range in crate::source::shell_commands(&text) {
                    let command = text[range].trim().to_string();
                    // Point at the command itself when the script is written as it reads
                    // (a block scalar), else at the whole user data.
                    let span = match written.find(&command) {
                        Some(at) if !command.is_empty() => {
                            Span::new(node.span.start + at, node.span.start + at + command.len())
                        }
                        _ => node.span,
                    };
                    out.push(Site {
                        node,
                        task: None,
                        command: Some(command),
                        span,
                    });
                }
            }
            continue;
        }
        walk(props, &segments(path), &mut out);
    }
    out.truncate(MAX_SITES);
    out
}

/// A path as segments: names, `[*]` (every list item), `*` (every mapping value).
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in path.split('.') {
        match part.strip_suffix("[*]") {
            Some(name) => {
                if !name.is_empty() {
                    out.push(name);
                }
                out.push("[*]");
            }
            None => out.push(part),
        }
    }
    out
}

fn walk<'a>(node: &'a Node, path: &[&str], out: &mut Vec<Site<'a>>) {
    // Under `Fn::If` the value differs by branch: this program does not judge it.
    let [only] = alternatives(node)[..] else {
        return;
    };
    if is_no_value(only) {
        return;
    }
    let Some((first, rest)) = path.split_first() else {
        out.push(Site {
            node: only,
            task: None,
            command: None,
            span: only.span,
        });
        return;
    };
    match *first {
        "[*]" => {
            for item in only.as_sequence().unwrap_or_default() {
                walk(item, rest, out);
            }
        }
        "*" => {
            for e in only.as_mapping().unwrap_or_default() {
                walk(&e.value, rest, out);
            }
        }
        name => {
            if let Some(e) = only.get_entry(name) {
                if rest.is_empty() {
                    let [value] = alternatives(&e.value)[..] else {
                        return;
                    };
                    if !is_no_value(value) {
                        out.push(Site {
                            node: value,
                            task: None,
                            command: None,
                            span: value.span,
                        });
                    }
                } else {
                    walk(&e.value, rest, out);
                }
            }
        }
    }
}

/// A requirement's resource, resolved and spelled for the help.
struct Bound {
    resolved: Resolved,
    yaml: String,
    name: String,
    /// The resource has a resource-based policy of the template that may grant the role
    /// directly: the identity policy is not the whole story.
    guarded: bool,
}

struct Ctx<'r, 't, 'a> {
    resolver: &'r Resolver<'t, 'a>,
    resource: &'t Resource<'a>,
    site: &'a Node,
    task: Option<&'r TaskState>,
    command: Option<&'r str>,
}

/// A value a condition or placeholder reads: a node of the template, or `Fn::Sub` text from a
/// state machine's definition.
enum Value<'a> {
    Node(&'a Node),
    Text(String),
}

impl<'t, 'a> Ctx<'_, 't, 'a> {
    /// The value at a path: `site`, `site.X.Y`, `X.Y` under `Properties`; `->` follows a
    /// reference to a resource of the template and continues under its `Properties`.
    fn value(&self, path: &str) -> Option<&'a Node> {
        match self.read(path)? {
            Value::Node(n) => Some(n),
            Value::Text(_) => None,
        }
    }

    /// [`Ctx::value`], also for a task's values (`site.Resource`, `site.FunctionName`).
    fn read(&self, path: &str) -> Option<Value<'a>> {
        if let (Some(command), "site") = (self.command, path) {
            return Some(Value::Text(command.to_string()));
        }
        if let Some(task) = self.task.filter(|_| path.starts_with("site")) {
            let mut hops = path.split("->");
            let first = hops.next()?;
            let rest = first.strip_prefix("site.")?;
            let text = if rest == "Resource" {
                task.resource.clone()
            } else {
                task.parameter(rest)?.to_string()
            };
            if text.contains(UNKNOWN) {
                return None;
            }
            let mut hops = hops.peekable();
            if hops.peek().is_none() {
                return Some(Value::Text(text));
            }
            let mut target = self
                .resolver
                .template
                .resource(single_reference(&text)?.0)?;
            let mut node = None;
            for hop in hops {
                if let Some(n) = node {
                    target = self.resolver.referenced(n)?;
                }
                node = Some(lookup(target.properties?, hop)?);
            }
            return node.map(Value::Node);
        }
        self.node_at(path).map(Value::Node)
    }

    fn node_at(&self, path: &str) -> Option<&'a Node> {
        let mut hops = path.split("->");
        let first = hops.next()?;
        let mut node = if first == "site" {
            Some(self.site)
        } else if let Some(rest) = first.strip_prefix("site.") {
            lookup(self.site, rest)
        } else {
            lookup(self.resource.properties?, first)
        }?;
        for hop in hops {
            let target = self.resolver.referenced(node)?;
            node = lookup(target.properties?, hop)?;
        }
        Some(node)
    }

    fn holds(&self, c: &Condition) -> bool {
        let value = self.read(&c.path);
        if let Some(present) = c.present {
            if present {
                return value.is_some();
            }
            // Absent means written nowhere: a value under `Fn::If` may be there.
            return value.is_none() && !self.written(&c.path);
        }
        let Some(value) = value else {
            return false;
        };
        let (text, literal, node) = match value {
            Value::Node(n) => {
                // User data is written `Fn::Base64: !Sub …`: the text is what is encoded.
                let n = match crate::template::intrinsic(n).map(|i| i.call) {
                    Some(crate::template::Call::Base64 { value: inner }) => inner,
                    _ => n,
                };
                if n.tag.is_none() && (n.as_mapping().is_some() || n.as_sequence().is_some()) {
                    // A mapping (request templates): its scalars, one per line.
                    let mut all = String::new();
                    n.walk(&mut |x: &Node| {
                        if let Some(text) = x.as_str() {
                            all.push_str(text);
                            all.push('\n');
                        }
                    });
                    (all, None, Some(n))
                } else {
                    let t = string_template(n, self.resolver.source);
                    (t.to_string(), t.literal(), Some(n))
                }
            }
            Value::Text(t) => {
                let literal = (!t.contains("${")).then(|| t.clone());
                (t, literal, None)
            }
        };
        if let Some(equals) = &c.equals {
            return literal
                .is_some_and(|l| equals.items().iter().any(|e| e.eq_ignore_ascii_case(&l)));
        }
        if let Some(pattern) = &c.matches {
            return regex_cached(pattern).is_some_and(|r| r.is_match(&text));
        }
        if let Some(service) = &c.service {
            let found = match node {
                Some(n) => self.service_of(n),
                None => self.service_of_text(&text),
            };
            return found.is_some_and(|s| s.eq_ignore_ascii_case(service));
        }
        false
    }

    /// Whether a path under `Properties` or the site is written at all, whatever its value
    /// (`Fn::If` included).
    fn written(&self, path: &str) -> bool {
        if path.contains("->") || self.task.is_some() && path.starts_with("site") {
            return false;
        }
        let (mut node, rest) = if path == "site" {
            return true;
        } else if let Some(rest) = path.strip_prefix("site.") {
            (Some(self.site), rest)
        } else {
            (self.resource.properties, path)
        };
        for key in rest.split('.') {
            let key = key.strip_suffix("[0]").unwrap_or(key);
            node = match node {
                Some(n) if n.as_mapping().is_some() => n.get(key),
                // A computed mapping (`Fn::If` around it) may hold anything.
                Some(n) => return n.tag.is_some() || crate::template::intrinsic(n).is_some(),
                None => None,
            };
        }
        node.is_some()
    }

    /// [`Ctx::service_of`] for `Fn::Sub` text.
    fn service_of_text(&self, text: &str) -> Option<String> {
        if let Some((name, _)) = single_reference(text) {
            let arn = self.resolver.arn_of(name)?;
            return service_in(&arn.toks);
        }
        service_in(&self.resolver.sub_text(text).toks)
    }

    /// The IAM service of an ARN value: a literal ARN's, or a template resource's.
    fn service_of(&self, value: &Node) -> Option<String> {
        if let Some(r) = self.resolver.referenced(value) {
            let arn = self.resolver.arn_of(r.logical_id)?;
            return service_in(&arn.toks);
        }
        // `!Sub arn:${AWS::Partition}:ssm:…`: the service field is read from the tokens, where
        // `${AWS::Partition}` is one symbol.
        service_in(&self.resolver.value(value).toks)
    }

    /// Where the wiring's role paths lead.
    fn role(&self, wiring: &Wiring) -> Option<RoleTarget<'t, 'a>> {
        for path in wiring.role.items() {
            if path == "self" {
                return self.follow(self.resource, 0);
            }
            if path == "tagged-instances" {
                return self.tagged_instances_role();
            }
            if let Some(node) = self.value(path) {
                let target = self.resolver.referenced(node)?;
                return self.follow(target, 0);
            }
        }
        None
    }

    /// The role of the instances an SSM target selects by tag (`Key: tag:Name`, `Values: [web]`,
    /// or `Key: tag-key`), when they are instances of the template with literal tags and all run
    /// with one role. Anything else (another stack's instances, several roles) is unknown.
    fn tagged_instances_role(&self) -> Option<RoleTarget<'t, 'a>> {
        let key = self.site.get("Key")?.as_str()?;
        let values: Vec<&str> = self
            .site
            .get("Values")?
            .as_sequence()?
            .iter()
            .map(Node::as_str)
            .collect::<Option<_>>()?;
        let (tag, any_value) = match key.strip_prefix("tag:") {
            Some(tag) => (tag, false),
            None if key == "tag-key" => (*values.first()?, true),
            None => return None,
        };
        let mut role: Option<RoleTarget<'t, 'a>> = None;
        let mut found = false;
        for r in self
            .resolver
            .template
            .resources
            .iter()
            .filter(|r| r.type_ == Some("AWS::EC2::Instance"))
        {
            let Some(tags) = r.property("Tags").and_then(Node::as_sequence) else {
                continue;
            };
            let selected = tags.iter().any(|t| {
                t.get("Key").and_then(Node::as_str) == Some(tag)
                    && (any_value
                        || t.get("Value")
                            .and_then(Node::as_str)
                            .is_some_and(|v| values.contains(&v)))
            });
            if !selected {
                continue;
            }
            found = true;
            let this = self.follow(r, 0)?;
            match (role, this) {
                (None, _) => role = Some(this),
                (Some(RoleTarget::Role(a)), RoleTarget::Role(b))
                    if a.logical_id == b.logical_id => {}
                _ => return None,
            }
        }
        role.filter(|_| found)
    }

    /// From a resource to the role it runs with.
    fn follow(&self, r: &'t Resource<'a>, depth: usize) -> Option<RoleTarget<'t, 'a>> {
        if depth > 4 || r.in_loop {
            return None;
        }
        let next = |path: &str| -> Option<RoleTarget<'t, 'a>> {
            let node = lookup(r.properties?, path)?;
            let target = self.resolver.referenced(node)?;
            self.follow(target, depth + 1)
        };
        match r.type_? {
            "AWS::IAM::Role" => Some(RoleTarget::Role(r)),
            "AWS::IAM::InstanceProfile" => {
                let roles = r.property("Roles")?.as_sequence()?;
                let [one] = roles else { return None };
                let target = self.resolver.referenced(one)?;
                self.follow(target, depth + 1)
            }
            "AWS::Lambda::Function" => next("Role"),
            "AWS::Lambda::Alias" | "AWS::Lambda::Version" => next("FunctionName"),
            "AWS::EC2::Instance" => match r.property("IamInstanceProfile") {
                Some(_) => next("IamInstanceProfile"),
                None => {
                    let lt = lookup(r.properties?, "LaunchTemplate.LaunchTemplateId")
                        .or_else(|| lookup(r.properties?, "LaunchTemplate.LaunchTemplateName"))?;
                    let target = self.resolver.referenced(lt)?;
                    self.follow(target, depth + 1)
                }
            },
            "AWS::EC2::LaunchTemplate" => next("LaunchTemplateData.IamInstanceProfile.Arn")
                .or_else(|| next("LaunchTemplateData.IamInstanceProfile.Name")),
            "AWS::Serverless::Function" | "AWS::Serverless::StateMachine" => {
                match r.property("Role") {
                    Some(_) => next("Role"),
                    None => {
                        // `Globals` may give the role; then it is not generated.
                        let global = self
                            .resolver
                            .template
                            .globals
                            .and_then(|g| g.get("Function"))
                            .and_then(|f| f.get("Role"));
                        (global.is_none()).then_some(RoleTarget::Generated(r))
                    }
                }
            }
            _ => None,
        }
    }

    /// A requirement's resource: its tokens and how to write it.
    fn bind(&self, need: &Need) -> Option<Bound> {
        let text = need.resource.as_str();
        if text == "*" {
            return Some(Bound {
                resolved: Resolved {
                    toks: vec![crate::iam::arn::Tok::STAR],
                    exact: true,
                },
                yaml: "'*'".into(),
                name: "`*`".into(),
                guarded: false,
            });
        }
        let mut resolved = Resolved {
            toks: Vec::new(),
            exact: true,
        };
        let mut sub = String::new();
        let mut whole: Option<(String, String)> = None;
        let mut guarded = false;
        let mut pieces = 0;
        let mut rest = text;
        while !rest.is_empty() {
            pieces += 1;
            if let Some(after) = rest.strip_prefix('{') {
                let end = after.find('}')?;
                let placeholder = &after[..end];
                rest = &after[end + 1..];
                let (kind, path) = placeholder.split_once(':').unwrap_or(("", placeholder));
                let piece = self.placeholder(kind, path)?;
                guarded |= piece.guarded;
                resolved.exact &= piece.resolved.exact;
                resolved.toks.extend(piece.resolved.toks);
                sub.push_str(&piece.sub);
                whole = piece.whole;
                continue;
            }
            if let Some(after) = rest.strip_prefix("${") {
                let end = after.find('}')?;
                sub.push_str(&rest[..end + 3]);
                resolved.toks.push(crate::iam::arn::Tok::SEGMENT);
                rest = &after[end + 1..];
                continue;
            }
            let next = rest[1..].find(['{', '$']).map_or(rest.len(), |i| i + 1);
            let literal = &rest[..next];
            sub.push_str(literal);
            for c in literal.chars() {
                resolved.toks.push(if c == '*' {
                    crate::iam::arn::Tok::STAR
                } else {
                    crate::iam::arn::Tok::Char(c)
                });
            }
            rest = &rest[next..];
        }
        let (yaml, name) = match whole.filter(|_| pieces == 1) {
            Some((yaml, name)) => (yaml, name),
            None => (format!("!Sub '{sub}'"), format!("`{sub}`")),
        };
        Some(Bound {
            resolved,
            yaml,
            name,
            guarded,
        })
    }

    fn placeholder(&self, kind: &str, path: &str) -> Option<Piece> {
        if let Some(command) = self.command {
            return self.command_placeholder(kind, path, command);
        }
        if kind.is_empty() && path == "name" {
            let mut r = Resolved {
                toks: Vec::new(),
                exact: true,
            };
            let arn = self.resolver.name_of(self.resource.logical_id)?;
            r.toks = arn.toks;
            r.exact = arn.exact;
            return Some(Piece {
                resolved: r,
                sub: format!("${{{}}}", self.resource.logical_id),
                whole: None,
                guarded: false,
            });
        }
        let node = match self.read(path)? {
            Value::Node(n) => n,
            Value::Text(text) => return self.text_placeholder(kind, &text),
        };
        match kind {
            "" => {
                let t = string_template(node, self.resolver.source);
                let target = self.resolver.referenced(node);
                Some(Piece {
                    resolved: self.resolver.string(&t, 0),
                    sub: t.to_string(),
                    whole: Some(yaml_of(&t)).map(|y| (y, name_of_value(&t))),
                    guarded: target.is_some_and(|r| self.has_resource_policy(r)),
                })
            }
            "arn" => {
                if let Some(r) = self.resolver.referenced(node) {
                    return self.resource_arn(r);
                }
                let t = string_template(node, self.resolver.source);
                let Some(literal) = t.literal() else {
                    // `!Sub arn:${AWS::Partition}:ssm:…:parameter/x`: an ARN in the template's terms.
                    if !t.to_string().starts_with("arn:") {
                        return None;
                    }
                    return Some(Piece {
                        resolved: self.resolver.string(&t, 0),
                        sub: t.to_string(),
                        whole: Some((yaml_of(&t), name_of_value(&t))),
                        guarded: false,
                    });
                };
                let arn = queue_url_arn(&literal)
                    .or_else(|| literal.starts_with("arn:").then(|| trim_arn(&literal)))?;
                Some(Piece {
                    resolved: self.resolver.sub_text(&arn.replace("${", "${!")),
                    sub: arn.clone(),
                    whole: Some((format!("'{arn}'"), format!("`{arn}`"))),
                    guarded: false,
                })
            }
            "ecr-repository" => self.ecr_repository(node),
            "resource-in" => {
                // The first resource of the template the value names (the function in an API
                // Gateway invocation URI, the queue in an SQS integration path).
                let t = string_template(node, self.resolver.source);
                let r = t.parts.iter().find_map(|p| match p {
                    StringPart::Ref { name, .. } | StringPart::GetAtt { resource: name, .. } => {
                        self.resolver.template.resource(name)
                    }
                    _ => None,
                })?;
                self.resource_arn(r)
            }
            "s3-uri" => {
                // `s3://bucket/key` as the object's ARN.
                let mut t = string_template(node, self.resolver.source);
                let Some(StringPart::Literal { text, .. }) = t.parts.first_mut() else {
                    return None;
                };
                *text = text.strip_prefix("s3://")?.to_string();
                let inner = self.resolver.string(&t, 1);
                let mut toks = Vec::new();
                for c in "arn:".chars() {
                    toks.push(crate::iam::arn::Tok::Char(c));
                }
                toks.push(crate::iam::arn::Tok::SEGMENT);
                for c in ":s3:::".chars() {
                    toks.push(crate::iam::arn::Tok::Char(c));
                }
                toks.extend(inner.toks);
                let sub = format!("arn:${{AWS::Partition}}:s3:::{t}");
                Some(Piece {
                    resolved: Resolved {
                        toks,
                        exact: inner.exact,
                    },
                    whole: Some((format!("!Sub '{sub}'"), format!("`{sub}`"))),
                    sub,
                    guarded: false,
                })
            }
            _ => None,
        }
    }

    /// A placeholder bound to a user data command: `{flag:--name}` (the value after a flag),
    /// `{s3-object:site}` and `{s3-bucket:site}` (the object or bucket of its first `s3://`
    /// URI), as ARN text. A value with a shell variable or substitution is unknown.
    fn command_placeholder(&self, kind: &str, path: &str, command: &str) -> Option<Piece> {
        let word = |start: usize| -> Option<&str> {
            let rest = &command[start..];
            let rest = rest.trim_start_matches(['=', ' ']);
            let (quoted, rest) = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => (Some(q), &rest[1..]),
                _ => (None, rest),
            };
            let end = match quoted {
                Some(q) => rest.find(q)?,
                None => rest.find(char::is_whitespace).unwrap_or(rest.len()),
            };
            let w = &rest[..end];
            // `$VAR`, `$(…)` and backticks are the shell's; `${Name}` is the template's.
            let shell = w.contains('`')
                || w.char_indices()
                    .any(|(i, c)| c == '$' && !w[i..].starts_with("${"));
            (!w.is_empty() && !shell).then_some(w)
        };
        let text = match kind {
            "flag" => {
                let at = command
                    .match_indices(path)
                    .find(|(i, _)| {
                        let after = command[i + path.len()..].chars().next();
                        matches!(after, Some(' ' | '='))
                    })
                    .map(|(i, _)| i + path.len())?;
                let value = word(at)?;
                if value.starts_with("arn:") {
                    return None;
                }
                value.to_string()
            }
            "s3-object" | "s3-bucket" => {
                let at = command.find("s3://")? + "s3://".len();
                let uri = word(at)?;
                let uri = if kind == "s3-bucket" {
                    uri.split('/').next()?
                } else {
                    uri
                };
                format!("arn:${{AWS::Partition}}:s3:::{uri}")
            }
            _ => return None,
        };
        let resolved = self.resolver.sub_text(&text);
        Some(Piece {
            resolved,
            whole: Some((format!("!Sub '{text}'"), format!("`{text}`"))),
            sub: text,
            guarded: false,
        })
    }

    /// A placeholder bound to `Fn::Sub` text (a state machine task's value).
    fn text_placeholder(&self, kind: &str, text: &str) -> Option<Piece> {
        let single = single_reference(text);
        match kind {
            "" => Some(Piece {
                resolved: self.resolver.sub_text(text),
                sub: text.to_string(),
                whole: Some(match single {
                    Some((name, Some(attr))) => {
                        (format!("!GetAtt {name}.{attr}"), format!("`{name}`"))
                    }
                    Some((name, None)) => (format!("!Ref {name}"), format!("`{name}`")),
                    None if !text.contains("${") => (format!("'{text}'"), format!("`{text}`")),
                    None => (format!("!Sub '{text}'"), format!("`{text}`")),
                }),
                guarded: single
                    .and_then(|(n, _)| self.resolver.template.resource(n))
                    .is_some_and(|r| self.has_resource_policy(r)),
            }),
            "arn" => {
                if let Some((name, _)) = single {
                    let r = self.resolver.template.resource(name)?;
                    return self.resource_arn(r);
                }
                let arn = queue_url_arn(text).unwrap_or_else(|| trim_arn(text));
                if !arn.starts_with("arn:") {
                    return None;
                }
                Some(Piece {
                    resolved: self.resolver.sub_text(&arn),
                    whole: Some(if arn.contains("${") {
                        (format!("!Sub '{arn}'"), format!("`{arn}`"))
                    } else {
                        (format!("'{arn}'"), format!("`{arn}`"))
                    }),
                    sub: arn,
                    guarded: false,
                })
            }
            _ => None,
        }
    }

    /// The repository ARN of an ECR image URI (`123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1`,
    /// `!Sub ${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/${Repo}:latest`,
    /// `!Sub ${Repo.RepositoryUri}:latest`).
    fn ecr_repository(&self, node: &Node) -> Option<Piece> {
        let t = string_template(node, self.resolver.source);
        if let Some(StringPart::GetAtt {
            resource,
            attribute: Some("RepositoryUri"),
            ..
        }) = t.parts.first()
        {
            let resolved = self.resolver.arn_of(resource)?;
            return Some(Piece {
                resolved,
                sub: format!("${{{resource}.Arn}}"),
                whole: Some((format!("!GetAtt {resource}.Arn"), format!("`{resource}`"))),
                guarded: self
                    .resolver
                    .template
                    .resource(resource)
                    .is_some_and(|r| self.has_resource_policy(r)),
            });
        }
        let text = t.to_string();
        let (host, path) = text.split_once('/')?;
        let mut labels = host.split('.');
        let account = labels.next()?;
        let region = host.split(".dkr.ecr.").nth(1)?.split('.').next()?;
        let name = path.split([':', '@']).next()?;
        if name.is_empty() {
            return None;
        }
        let sub = format!("arn:${{AWS::Partition}}:ecr:{region}:{account}:repository/{name}");
        let resolved = self.resolver.sub_text(&sub);
        Some(Piece {
            resolved,
            whole: Some((format!("!Sub '{sub}'"), format!("`{name}`"))),
            sub,
            guarded: false,
        })
    }

    /// The ARN of a template resource as a requirement's resource, written as the template
    /// writes it (`!GetAtt Queue.Arn`, `!Ref Topic`).
    fn resource_arn(&self, r: &Resource<'_>) -> Option<Piece> {
        let resolved = self.resolver.arn_of(r.logical_id)?;
        let expr = self.resolver.arn_expression(r.logical_id)?;
        Some(Piece {
            resolved,
            sub: format!("${{{expr}}}"),
            whole: Some((
                if expr.contains('.') {
                    format!("!GetAtt {expr}")
                } else {
                    format!("!Ref {expr}")
                },
                format!("`{}`", r.logical_id),
            )),
            guarded: self.has_resource_policy(r),
        })
    }

    /// Whether a resource-based policy of the template on `target` names a principal other
    /// than a service or an account (which would delegate to IAM): then it may grant the role
    /// directly.
    fn has_resource_policy(&self, target: &Resource<'_>) -> bool {
        let template = self.resolver.template;
        let id = target.logical_id;
        let mentions = |node: Option<&Node>| -> bool {
            let mut found = false;
            if let Some(n) = node {
                n.walk(&mut |x: &Node| {
                    if let Some(s) = x.as_str() {
                        if s == id
                            || s.starts_with(&format!("{id}."))
                            || s.contains(&format!("${{{id}"))
                        {
                            found = true;
                        }
                    }
                });
            }
            found
        };
        let key_policy = target
            .property("KeyPolicy")
            .or_else(|| target.property("RepositoryPolicyText"))
            .or_else(|| target.property("FileSystemPolicy"));
        if key_policy.is_some_and(grants_beyond_accounts) {
            return true;
        }
        template.resources.iter().any(|r| {
            matches!(
                r.type_,
                Some(
                    "AWS::SQS::QueuePolicy"
                        | "AWS::SNS::TopicPolicy"
                        | "AWS::S3::BucketPolicy"
                        | "AWS::SecretsManager::ResourcePolicy"
                        | "AWS::Lambda::Permission"
                        | "AWS::KMS::Grant"
                )
            ) && mentions(r.properties)
                && r.properties.is_some_and(|p| {
                    r.type_ == Some("AWS::Lambda::Permission") || grants_beyond_accounts(p)
                })
        })
    }
}

/// A piece of a requirement's resource.
struct Piece {
    resolved: Resolved,
    sub: String,
    /// How to write it when it is the whole resource: YAML and a short name.
    whole: Option<(String, String)>,
    guarded: bool,
}

/// Whether a policy names a principal that is neither a service nor an account (root): such a
/// statement grants that principal directly.
fn grants_beyond_accounts(policy: &Node) -> bool {
    let mut found = false;
    policy.walk(&mut |n: &Node| {
        let Some(entries) = n.as_mapping() else {
            return;
        };
        // Only what an Allow statement names grants anything.
        let allows = entries.iter().any(|e| {
            e.key.as_str() == Some("Effect")
                && e.value.as_str().is_some_and(|v| v.eq_ignore_ascii_case("Allow"))
        });
        if !allows {
            return;
        }
        for e in entries {
            if e.key.as_str() != Some("Principal") {
                continue;
            }
            let value = &e.value;
            if value.as_str() == Some("*") {
                found = true;
            }
            if let Some(aws) = value.get("AWS") {
                let items: Vec<&Node> = match aws.as_sequence() {
                    Some(list) if aws.tag.is_none() => list.iter().collect(),
                    _ => vec![aws],
                };
                for item in items {
                    let text = item.as_str().unwrap_or("");
                    let account = item.tag.is_some() && text.contains("AccountId")
                        || text.ends_with(":root")
                        || text.chars().all(|c| c.is_ascii_digit()) && text.len() == 12;
                    let sub_root = crate::template::intrinsic(item).is_some_and(|i| {
                        matches!(i.call, crate::template::Call::Sub { template, .. } if template.as_str().is_some_and(|s| s.ends_with(":root")))
                            || matches!(i.call, crate::template::Call::Ref { name } if name.text == "AWS::AccountId")
                    });
                    if !(account || sub_root) {
                        found = true;
                    }
                }
            }
            if value.get("CanonicalUser").is_some() || value.get("Federated").is_some() {
                found = true;
            }
        }
    });
    found
}

fn lookup<'a>(node: &'a Node, path: &str) -> Option<&'a Node> {
    let mut node = node;
    for key in path.split('.') {
        let [only] = alternatives(node)[..] else {
            return None;
        };
        node = match key.strip_suffix("[0]") {
            Some(k) => only.get(k)?.as_sequence()?.first()?,
            None => only.get(key)?,
        };
    }
    let [only] = alternatives(node)[..] else {
        return None;
    };
    (!is_no_value(only)).then_some(only)
}

/// A literal ARN without what follows the resource where a service appends it (a secret's
/// JSON key and version: `…:secret:name-AbCdEf:password::`).
fn trim_arn(arn: &str) -> String {
    if arn.split(':').nth(2) == Some("secretsmanager") {
        return arn.split(':').take(7).collect::<Vec<_>>().join(":");
    }
    arn.to_string()
}

/// `${Name}` or `${Name.Attr}` as the whole text: the name and attribute.
fn single_reference(text: &str) -> Option<(&str, Option<&str>)> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    if inner.is_empty() || inner.contains(['$', '{', '}', '!']) || inner.starts_with("AWS::") {
        return None;
    }
    Some(match inner.split_once('.') {
        Some((name, attr)) => (name, Some(attr)),
        None => (inner, None),
    })
}

/// `arn:…` of an SQS queue URL.
fn queue_url_arn(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    let region = host.strip_prefix("sqs.")?.split('.').next()?;
    let (account, name) = path.split_once('/')?;
    Some(format!("arn:aws:sqs:{region}:{account}:{name}"))
}

fn service_in(toks: &[crate::iam::arn::Tok]) -> Option<String> {
    let text: String = toks
        .iter()
        .map(|t| match t {
            crate::iam::arn::Tok::Char(c) => *c,
            _ => '\u{1}',
        })
        .collect();
    let mut fields = text.split(':');
    (fields.next() == Some("arn")).then_some(())?;
    fields.next();
    let s = fields.next()?;
    (!s.contains('\u{1}')).then(|| s.to_string())
}

/// A value written as YAML in the template's terms.
fn yaml_of(t: &crate::template::StringTemplate<'_>) -> String {
    match t.parts.as_slice() {
        [StringPart::GetAtt {
            resource,
            attribute: Some(a),
            ..
        }] => format!("!GetAtt {resource}.{a}"),
        [StringPart::Ref { name, .. }] => format!("!Ref {name}"),
        _ => match t.literal() {
            Some(l) => format!("'{l}'"),
            None => format!("!Sub '{t}'"),
        },
    }
}

/// A value's short name in messages: `` `Queue` `` for a reference, `` `Queue.StreamArn` `` for
/// another attribute, else its text (also for "granted on `OldQueue`").
fn name_of_value(t: &crate::template::StringTemplate<'_>) -> String {
    match t.parts.as_slice() {
        [StringPart::GetAtt {
            resource,
            attribute: Some(a),
            ..
        }] if *a != "Arn" => format!("`{resource}.{a}`"),
        [StringPart::GetAtt { resource, .. }] | [StringPart::Ref { name: resource, .. }] => {
            format!("`{resource}`")
        }
        _ => format!("`{t}`"),
    }
}

fn regex_cached(pattern: &str) -> Option<Regex> {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<String, Option<Regex>>> = std::cell::RefCell::new(HashMap::new());
    }
    CACHE.with(|c| {
        c.borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| Regex::new(pattern).ok())
            .clone()
    })
}

/// Used by the SAM module: statements the template's documents attach to a generated role.
pub(super) fn sam_documents<'p, 'a>(
    policies: &'p [Policy<'a>],
    id: &str,
) -> Vec<&'p Statement<'a>> {
    policies
        .iter()
        .filter(|p| {
            p.attached_to
                .iter()
                .any(|a| a.target == AttachTarget::SamGenerated(id))
        })
        .flat_map(|p| p.statements.iter())
        .collect()
}

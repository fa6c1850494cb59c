//! The CloudFormation resource schemas and validation against them.
//!
//! - [`catalog`]: the embedded schemas (`rules/schema/`), an index read on first use and each
//!   type decoded the first time a template names it; region availability; what editors need
//!   ("describe type T", "describe property path P of type T").
//! - [`value`]: what a template value is, as far as its type can be known (literals, intrinsics
//!   with known result types, `Fn::If` branches, `AWS::NoValue`).
//! - `validate`: `Properties` against the schema.
//! - `loops`: a resource of `Fn::ForEach` loops validated for each expansion, the findings
//!   merged.
//!
//! [`check`] runs everything once per file and returns plain findings, each with the [`Kind`]
//! of problem; the rules of the `schema` family each report their kind.
//!
//! A resource declared inside `Fn::ForEach` loops is validated once per combination of the
//! values of the identifiers it uses (`loops`), without building an expanded template; a
//! finding every expansion shares is reported once, at the bytes of the loop body.

pub mod catalog;
mod loops;
mod validate;
pub mod value;

pub use catalog::{catalog, Catalog, PropertyInfo, ResourceType, DEFAULT_REGION};

use crate::diagnostic::Finding;
use crate::source::Span;
use crate::suggest;
use crate::template::{intrinsic, spans::value_span, AttributeRef, Call, RefKind, Template};
use crate::yaml::Node;
use validate::Validator;

/// Which schema rule a finding belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    UnknownResourceType,
    UnknownProperty,
    MissingRequiredProperty,
    InvalidPropertyType,
    InvalidPropertyValue,
    UnknownAttribute,
    MutuallyExclusiveProperties,
}

pub type Problem = Finding<Kind>;

/// Whether `type_name` is defined by something other than a published schema: a custom
/// resource, a module, or a third-party or private registry type (whose schema only its
/// account knows).
pub fn is_user_defined(type_name: &str) -> bool {
    type_name.starts_with("Custom::")
        || type_name == "AWS::CloudFormation::CustomResource"
        || type_name.ends_with("::MODULE")
        || !(type_name.starts_with("AWS::")
            || type_name.starts_with("Alexa::")
            || type_name.starts_with("AMZN::"))
}

/// Every schema problem of the template, for the given regions (the first is the one whose
/// schemas are used).
pub fn check<'a>(template: &Template<'a>, source: &'a str, regions: &[&str]) -> Vec<Problem> {
    let mut out = Vec::new();
    if !template.is_mapping {
        return out;
    }
    let catalog = catalog();
    // A macro may define its own types and rewrite anything; `rain` directives and Serverless
    // Framework variables make the file a fragment. (An `Fn::Transform` only makes the value
    // it stands in unknown, which validation already treats so.)
    let opaque = template.has_opaque_transform() || template.has_preprocessor_syntax();
    for r in &template.resources {
        let (Some(type_name), Some(type_node)) = (r.type_, r.type_node) else {
            continue;
        };
        // A type a loop's values complete (`AWS::${Service}::…`) is not judged, nor a
        // resource its loops never generate.
        if type_node.tag.is_some()
            || r.in_loop && (type_name.contains('{') || !loops::expands(template, r))
        {
            continue;
        }
        if !catalog.contains(type_name) {
            if !opaque && !is_user_defined(type_name)
                || type_name.to_ascii_lowercase().starts_with("aws::")
                    && !type_name.starts_with("AWS::")
            {
                out.push(unknown_type(type_node, type_name, source));
            }
            continue;
        }
        if r.is_serverless() && !template.is_sam() {
            continue;
        }
        for region in regions {
            if catalog.available_in(type_name, region) == Some(false) {
                out.push(
                    Problem::new(
                        Kind::UnknownResourceType,
                        value_span(type_node, 0..type_name.len(), source),
                        format!("`{type_name}` is not available in {region}"),
                    )
                    .with_help(format!(
                        "remove {region} from the regions checked (`--regions`, `regions:`), or \
                         use a type that {region} offers"
                    )),
                );
            }
        }
        if opaque {
            continue;
        }
        let Some(rt) = catalog.get(type_name) else {
            continue;
        };
        let anchor = r
            .node
            .get_entry("Properties")
            .map(|e| e.key.span)
            .unwrap_or(r.key.span);
        let validate = |bindings: &loops::Bindings<'a>| {
            let mut v = Validator::new(template, source, rt);
            v.skip_top_required = r.is_serverless() && template.globals.is_some();
            v.loops = bindings.clone();
            v.resource(r.properties, anchor);
            v.out
        };
        if r.in_loop {
            // Each expansion of the loop body, its findings merged (`loops`).
            out.extend(loops::validate_expansions(template, r, validate));
        } else {
            out.extend(validate(&loops::Bindings::default()));
        }
    }
    if !opaque {
        attributes(template, source, &mut out);
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert((p.kind, p.span, p.message.clone())));
    out
}

/// What SAM resolves in `Fn::GetAtt` and `${…}` besides the generated resource's attributes
/// (its "referenceable properties" of generated resources).
const SAM_REFERENCEABLE: &[&str] = &[
    "Stage",
    "Deployment",
    "DomainName",
    "Alias",
    "Version",
    "DestinationTopic",
    "DestinationQueue",
];

fn unknown_type(node: &Node, type_name: &str, source: &str) -> Problem {
    let catalog = catalog();
    let span = value_span(node, 0..type_name.len(), source);
    let mut p = Problem::new(
        Kind::UnknownResourceType,
        span,
        format!("`{type_name}` is not a CloudFormation resource type"),
    );
    // Compare within the same service first: `AWS::SNS::Topics` → `AWS::SNS::Topic`.
    let best = suggest::closest(type_name, catalog.type_names());
    if let Some(best) = best {
        p = p.with_help(format!("did you mean `{best}`?"));
    }
    p
}

/// `!GetAtt X.Attr` and `${X.Attr}` whose attribute the type of `X` does not have.
fn attributes(template: &Template<'_>, source: &str, out: &mut Vec<Problem>) {
    for section in &template.sections {
        if section.name != "Resources" && section.name != "Outputs" {
            continue;
        }
        let mut found = Vec::new();
        section.value.walk(&mut |n: &Node| {
            if let Some(i) = intrinsic(n) {
                if let Call::GetAtt {
                    resource,
                    attribute: AttributeRef::Name(attr),
                } = i.call
                {
                    found.push((
                        resource.text,
                        attr.text,
                        value_span(attr.node, attr.range, source),
                    ));
                }
            }
        });
        for (resource, attribute, span) in found {
            if let Some(p) = attribute_problem(template, resource, attribute, span) {
                out.push(p);
            }
        }
    }
    for reference in template.references() {
        if reference.kind != RefKind::SubAttribute {
            continue;
        }
        let Some(attribute) = reference.attribute else {
            continue;
        };
        // `${Name.Attr}`: the attribute's bytes inside the `${…}`.
        let start = reference.range.start + 2 + reference.name.len() + 1;
        let range = start..start + attribute.len();
        let span = value_span(reference.node, range, source);
        if let Some(p) = attribute_problem(template, reference.name, attribute, span) {
            out.push(p);
        }
    }
}

fn attribute_problem(
    template: &Template<'_>,
    resource: &str,
    attribute: &str,
    span: Span,
) -> Option<Problem> {
    let r = loops::resource_named(template, resource)?;
    if r.type_node.is_some_and(|n| n.tag.is_some()) {
        return None;
    }
    let type_name = r.type_?;
    if is_user_defined(type_name) || (r.is_serverless() && !template.is_sam()) {
        return None;
    }
    let rt = catalog().get(type_name)?;
    if rt.attribute(attribute).is_some() {
        return None;
    }
    // A SAM type whose schema names no attributes passes them through to what it generates;
    // SAM also resolves the properties it documents as referenceable (`MyApi.Stage`).
    if r.is_serverless()
        && (rt.attribute_names().next().is_none()
            || SAM_REFERENCEABLE.iter().any(|r| {
                attribute == *r
                    || attribute
                        .strip_prefix(r)
                        .is_some_and(|rest| rest.starts_with('.'))
            }))
    {
        return None;
    }
    let names: Vec<&str> = rt.attribute_names().collect();
    let mut p = Problem::new(
        Kind::UnknownAttribute,
        span,
        format!("`{type_name}` has no attribute `{attribute}`"),
    );
    let help = match suggest::closest(attribute, names.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None if names.is_empty() => format!("`{type_name}` has no attributes for `Fn::GetAtt`"),
        None if names.len() <= 12 => format!("its attributes: {}", validate::list(&names)),
        None => format!(
            "it has {} attributes; see the resource's documentation",
            names.len()
        ),
    };
    p = p.with_help(help);
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, ParseOptions};

    fn problems(text: &str, regions: &[&str]) -> Vec<Problem> {
        let doc = parse(text, &ParseOptions::default()).expect("parses");
        let template = Template::from_document(&doc);
        check(&template, text, regions)
    }

    #[test]
    fn a_near_unique_misspelling_gets_a_rename_fix() {
        let text =
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketNme: x\n";
        let found = problems(text, &[DEFAULT_REGION]);
        assert_eq!(found.len(), 1, "{found:?}");
        let fix = found[0].fix.as_ref().expect("a fix");
        assert_eq!(fix.edits[0].replacement, "BucketName");
        assert_eq!(
            &text[fix.edits[0].span.start..fix.edits[0].span.end],
            "BucketNme"
        );
    }

    #[test]
    fn region_availability_and_unknown_values() {
        // A type us-east-1 offers but a region of China does not.
        let text = "Resources:\n  A:\n    Type: AWS::Bedrock::Agent\n    Properties:\n      AgentName: a\n";
        let found = problems(text, &["cn-north-1"]);
        assert!(found
            .iter()
            .any(|p| p.kind == Kind::UnknownResourceType && p.message.contains("cn-north-1")));
        assert!(problems(text, &[DEFAULT_REGION]).is_empty());
        // Values of unknown type are silent.
        let text = "Resources:\n  Q2:\n    Type: AWS::SQS::Queue\n    Properties:\n      FifoQueue: !FindInMap [M, a, b]\n      DelaySeconds: !ImportValue x\n";
        assert!(problems(text, &[DEFAULT_REGION]).is_empty());
    }

    /// A template whose `Resources` are `body`, with a `CommaDelimitedList` parameter `Names`.
    fn in_loop(body: &str) -> (String, Vec<Problem>) {
        let text = format!(
            "Transform: AWS::LanguageExtensions\nParameters:\n  Names: {{Type: CommaDelimitedList}}\nResources:\n{body}"
        );
        let found = problems(&text, &[DEFAULT_REGION]);
        (text, found)
    }

    fn at<'t>(text: &'t str, p: &Problem) -> &'t str {
        &text[p.span.start..p.span.end]
    }

    #[test]
    fn a_wrong_type_in_a_loop_body_is_found_once_at_the_body() {
        let (text, found) = in_loop(
            "  Fn::ForEach::Q:\n    - N\n    - [a, b, c]\n    - ${N}Queue:\n        Type: AWS::SQS::Queue\n        Properties:\n          FifoQueue: maybe\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, Kind::InvalidPropertyType);
        assert_eq!(at(&text, &found[0]), "maybe");
        // Every expansion has it: no value is named.
        assert!(
            !found[0].message.contains("for `N`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_body_valid_for_every_value_is_silent() {
        let (_, found) = in_loop(
            "  Fn::ForEach::T:\n    - Name\n    - [Points, Score, Leaderboard]\n    - Table${Name}:\n        Type: AWS::DynamoDB::Table\n        Properties:\n          TableName: !Ref Name\n          BillingMode: PAY_PER_REQUEST\n          AttributeDefinitions:\n            - {AttributeName: id, AttributeType: S}\n          KeySchema:\n            - {AttributeName: id, KeyType: HASH}\n          Tags:\n            - {Key: !Sub '${Name}-tag', Value: '&{Name}'}\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_value_dependent_error_names_the_value() {
        let (text, found) = in_loop(
            "  Fn::ForEach::B:\n    - Mode\n    - [Enabled, Beta, Suspended]\n    - Bucket${Mode}:\n        Type: AWS::S3::Bucket\n        Properties:\n          VersioningConfiguration:\n            Status: ${Mode}\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, Kind::InvalidPropertyValue);
        assert_eq!(at(&text, &found[0]), "${Mode}");
        assert!(
            found[0].message.contains("`Beta`")
                && found[0].message.ends_with("(for `Mode` = `Beta`)"),
            "{}",
            found[0].message
        );
        // `!Ref Mode` and a `!Sub` of the identifier alone are the same value.
        for written in ["!Ref Mode", "!Sub '${Mode}'"] {
            let (_, found) = in_loop(&format!(
                "  Fn::ForEach::B:\n    - Mode\n    - [Enabled, Beta]\n    - Bucket${{Mode}}:\n        Type: AWS::S3::Bucket\n        Properties:\n          VersioningConfiguration:\n            Status: {written}\n"
            ));
            assert_eq!(found.len(), 1, "{written}: {found:?}");
            assert!(found[0].message.ends_with("(for `Mode` = `Beta`)"));
        }
        // Wrong for several values: one finding, naming them all.
        let (_, found) = in_loop(
            "  Fn::ForEach::Q:\n    - N\n    - [a, b, '3']\n    - ${N}Queue:\n        Type: AWS::SQS::Queue\n        Properties:\n          DelaySeconds: !Ref N\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .message
                .ends_with("(for `N` = `a`; likewise for `N` = `b`)"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn a_parameter_collection_leaves_value_dependent_parts_unjudged() {
        let (text, found) = in_loop(
            "  Fn::ForEach::B:\n    - Mode\n    - !Ref Names\n    - Bucket${Mode}:\n        Type: AWS::S3::Bucket\n        Properties:\n          VersioningConfiguration:\n            Status: !Ref Mode\n          ${Mode}Setting: 1\n          Tags:\n            - Key: !Sub '${Mode}'\n              Value: ${Mode}\n          BucketNme: x\n",
        );
        // Only the misspelling, which no value changes.
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(at(&text, &found[0]), "BucketNme");
        // A required property a templated key might give is not reported missing; a loop
        // over an empty list generates nothing, so its resources are not judged.
        let (_, found) = in_loop(
            "  Fn::ForEach::Q:\n    - K\n    - !Ref Names\n    - Sub${K}:\n        Type: AWS::SNS::Subscription\n        Properties:\n          ${K}: x\n  Fn::ForEach::E:\n    - K\n    - []\n    - Q${K}:\n        Type: AWS::SQS::Queu\n        Properties:\n          FifoQueue: maybe\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn nested_loops_and_templated_property_names() {
        let (text, found) = in_loop(
            "  Fn::ForEach::Outer:\n    - Env\n    - [dev, prod]\n    - Fn::ForEach::Inner:\n        - Kind\n        - [Enabled, Bogus]\n        - Bucket${Env}${Kind}:\n            Type: AWS::S3::Bucket\n            Properties:\n              VersioningConfiguration:\n                Status: ${Kind}\n              Bucket${Env}: x\n",
        );
        let mut found = found;
        found.sort_by_key(|p| p.span.start);
        let messages: Vec<(&str, &str)> = found
            .iter()
            .map(|p| (at(&text, p), p.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (
                    "${Kind}",
                    "`Bogus` is not an allowed value of `Status` (for `Kind` = `Bogus`)"
                ),
                (
                    "Bucket${Env}",
                    "`Bucketdev` is not a property of `AWS::S3::Bucket` (for `Env` = `dev`; likewise for `Env` = `prod`)"
                ),
            ]
        );
        // A key that some values complete into a property: `Bucket${Env}` with `Env` = `Name`
        // is `BucketName`.
        let (_, found) = in_loop(
            "  Fn::ForEach::B:\n    - Env\n    - [Name, Nope]\n    - B${Env}:\n        Type: AWS::S3::Bucket\n        Properties:\n          Bucket${Env}: my-bucket\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.ends_with("(for `Env` = `Nope`)"),
            "{}",
            found[0].message
        );
        assert!(found[0].fix.is_none());
    }
}

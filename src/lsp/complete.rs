//! Completion: IAM action names inside `Action`/`NotAction` (from the catalogue, with their
//! access level), condition operators and condition keys inside a statement's `Condition`, the
//! targets of `!Ref`, `!GetAtt` and `${…}` in `!Sub`, and, from the schema provider, resource
//! types and property names.
//!
//! The word being typed is read from the text (back from the cursor to a space, quote, bracket
//! or comma) and is what a chosen item replaces; where it stands is read from the YAML tree.

use super::schema::{self, SchemaProvider};
use super::view::{Parsed, Step};
use crate::iam::Catalog;
use crate::rules::iam::unknown_condition_operator::OPERATORS;
use crate::source::{SourceFile, Span};
use crate::template::{Template, PSEUDO_PARAMETERS};
use crate::yaml::Node;
use regex::Regex;
use std::sync::OnceLock;

/// What a completion item says; the server turns it into an LSP item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    /// What is inserted (the label when `None`).
    pub insert: Option<String>,
    pub detail: Option<String>,
    pub kind: Kind,
    /// The document bytes the item replaces: the word typed so far.
    pub replace: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Action,
    Service,
    Operator,
    ConditionKey,
    Parameter,
    Resource,
    Attribute,
    ResourceType,
    /// A part of resource type names (`AWS::S3::`), offered when too many types match.
    Namespace,
    Property,
}

/// Completions at document offset `offset`. `parsed` is the document's tree when the text
/// parses (or its repair does).
pub fn complete(source: &SourceFile, parsed: Option<&Parsed>, offset: usize) -> Vec<Item> {
    complete_with(source, parsed, offset, schema::provider())
}

/// [`complete`] with resource types, properties and attributes from `schema`.
pub(super) fn complete_with(
    source: &SourceFile,
    parsed: Option<&Parsed>,
    offset: usize,
    schema: &dyn SchemaProvider,
) -> Vec<Item> {
    let text = &source.text;
    let offset = crate::source::floor_char_boundary(text, offset.min(text.len()));
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    let before = &text[line_start..offset];
    let word_start = offset - word_len(before);
    let word = &text[word_start..offset];
    let replace = Span::new(word_start, offset);
    let typing_key;
    let parsed = match parsed {
        Some(p) => Some(p),
        None => {
            typing_key = Parsed::with_key_at(source, offset)
                .or_else(|| Parsed::with_value_at(source, offset));
            typing_key.as_ref()
        }
    };
    if let Some(items) = intrinsic_target(before, parsed, replace, schema) {
        return items;
    }
    // On an empty line, where a key is about to be typed: the tree with a key there.
    let new_key = if word.is_empty() {
        Parsed::with_new_key_at(source, offset)
    } else {
        None
    };
    let Some(parsed) = new_key.as_ref().or(parsed) else {
        return Vec::new();
    };
    let path = parsed.path_at(source, offset);
    if let Some(i) = statement_element(&path, &["Action", "NotAction"]) {
        let rest = &path[i + 1..];
        let in_value = !path[i].on_key && rest.iter().all(|s| s.key.is_none() && !s.on_key);
        return if in_value && rest.len() <= 1 {
            actions(word, replace)
        } else {
            Vec::new()
        };
    }
    if let Some(c) = statement_element(&path, &["Condition"]) {
        if path[c].on_key {
            return Vec::new();
        }
        let rest = &path[c + 1..];
        let scalar = |s: &Step<'_>| s.node.as_scalar().is_some();
        return match rest {
            [] => operators(word, replace),
            [op] if op.on_key => operators(word, replace),
            [op] if scalar(op) => condition_keys(path[c - 1].node, word, replace),
            [_, key] if key.on_key => condition_keys(path[c - 1].node, word, replace),
            _ => Vec::new(),
        };
    }
    schema_items(&path, word, replace, schema)
}

/// How many bytes at the end of `before` belong to the word being typed.
fn word_len(before: &str) -> usize {
    before
        .chars()
        .rev()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '"' | '\'' | '[' | ',' | '{' | '('))
        .map(char::len_utf8)
        .sum()
}

/// The index in `path` of a statement element named one of `names` (the step entering its
/// value, or its key): a key of a mapping that is a `Statement`, or an item of one.
fn statement_element(path: &[Step<'_>], names: &[&str]) -> Option<usize> {
    (1..path.len()).rev().find(|&i| {
        path[i].key.is_some_and(|k| names.contains(&k))
            && (path[i - 1].key == Some("Statement")
                || (i >= 2 && path[i - 1].key.is_none() && path[i - 2].key == Some("Statement")))
    })
}

/// `s3:Get` → the S3 actions starting with `Get`; `s` → the services starting with `s`.
fn actions(word: &str, replace: Span) -> Vec<Item> {
    let catalog = Catalog::active();
    let Some((prefix, name)) = word.split_once(':') else {
        return catalog
            .services()
            .iter()
            .filter(|s| starts_with_ignore_case(s.prefix, word))
            .map(|s| Item {
                label: s.prefix.to_string(),
                insert: Some(format!("{}:", s.prefix)),
                detail: Some(s.name.to_string()),
                kind: Kind::Service,
                replace,
            })
            .collect();
    };
    let Some(service) = catalog.service(prefix) else {
        return Vec::new();
    };
    service
        .actions_with_prefix(name)
        .map(|a| Item {
            label: a.full_name(),
            insert: None,
            detail: Some(a.access_level().to_string()),
            kind: Kind::Action,
            replace,
        })
        .collect()
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Every condition operator: each base operator, its `IfExists` form (`Null` has none), and
/// both with the set prefixes.
fn operators(word: &str, replace: Span) -> Vec<Item> {
    let mut names = Vec::new();
    for op in OPERATORS {
        names.push(op.to_string());
        if *op != "Null" {
            names.push(format!("{op}IfExists"));
        }
    }
    let base = names.clone();
    for prefix in ["ForAllValues:", "ForAnyValue:"] {
        names.extend(base.iter().map(|n| format!("{prefix}{n}")));
    }
    names
        .into_iter()
        .filter(|n| starts_with_ignore_case(n, word))
        .map(|label| Item {
            label,
            insert: None,
            detail: None,
            kind: Kind::Operator,
            replace,
        })
        .collect()
}

/// The global condition keys and those of the services the statement's actions name.
fn condition_keys(statement: &Node, word: &str, replace: Span) -> Vec<Item> {
    let catalog = Catalog::active();
    let mut prefixes: Vec<&str> = Vec::new();
    for element in ["Action", "NotAction"] {
        let Some(value) = statement.get(element) else {
            continue;
        };
        let items: Vec<&Node> = match value.as_sequence() {
            Some(items) => items.iter().collect(),
            None => vec![value],
        };
        for item in items {
            if let Some((prefix, _)) = item.as_str().and_then(|s| s.split_once(':')) {
                if !prefixes.iter().any(|p| p.eq_ignore_ascii_case(prefix)) {
                    prefixes.push(prefix);
                }
            }
        }
    }
    let services = prefixes.iter().filter_map(|p| catalog.service(p));
    let keys = catalog
        .global_condition_keys()
        .iter()
        .chain(services.flat_map(|s| s.condition_keys().iter().filter(|k| k.declared)));
    let mut out: Vec<Item> = Vec::new();
    for key in keys {
        if !starts_with_ignore_case(key.name, word) || out.iter().any(|i| i.label == key.name) {
            continue;
        }
        out.push(Item {
            label: key.name.to_string(),
            insert: None,
            detail: (!key.value_type.is_empty()).then(|| key.value_type.to_string()),
            kind: Kind::ConditionKey,
            replace,
        });
    }
    out
}

fn patterns() -> &'static [(Regex, Target); 3] {
    static PATTERNS: OnceLock<[(Regex, Target); 3]> = OnceLock::new();
    PATTERNS.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("a valid pattern");
        [
            (
                re(r#"(?:!Ref\s+|\bRef['"]?\s*:\s*)['"]?[A-Za-z0-9:._-]*$"#),
                Target::Ref,
            ),
            (
                re(r#"(?:!GetAtt\s+|Fn::GetAtt['"]?\s*:\s*\[?\s*)['"]?[A-Za-z0-9._-]*$"#),
                Target::GetAtt,
            ),
            (re(r"\$\{[A-Za-z0-9:._-]*$"), Target::Sub),
        ]
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Ref,
    GetAtt,
    Sub,
}

/// Names for `!Ref`, `!GetAtt` (a resource, then after the dot its attributes) and `${…}` in a
/// `!Sub` string, when the line before the cursor ends inside one of them.
fn intrinsic_target(
    before: &str,
    parsed: Option<&Parsed>,
    replace: Span,
    schema: &dyn SchemaProvider,
) -> Option<Vec<Item>> {
    let target = patterns()
        .iter()
        .find(|(re, _)| re.is_match(before))
        .map(|(_, t)| *t)?;
    let word = before
        .rsplit(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '[' | '{'))
        .next()
        .unwrap_or("");
    let replace = Span::new(replace.end - word.len(), replace.end);
    let template = parsed.and_then(Parsed::template);
    let Some(template) = template else {
        return Some(Vec::new());
    };
    let mut out = Vec::new();
    let with_attribute = target != Target::Ref;
    if let (true, Some((resource, attribute))) = (with_attribute, word.split_once('.')) {
        let type_name = template.resource(resource).and_then(|r| r.type_);
        let attributes = type_name.map_or_else(Vec::new, |t| schema.attributes(t));
        let replace = Span::new(replace.end - attribute.len(), replace.end);
        for a in attributes {
            if starts_with_ignore_case(&a, attribute) {
                out.push(Item {
                    label: a,
                    insert: None,
                    detail: type_name.map(str::to_string),
                    kind: Kind::Attribute,
                    replace,
                });
            }
        }
        return Some(out);
    }
    if target != Target::GetAtt {
        names(&template, word, replace, &mut out);
    } else {
        resources(&template, word, replace, &mut out);
    }
    Some(out)
}

/// Parameters, resources and pseudo parameters: what `!Ref` and `${…}` can name.
fn names(template: &Template<'_>, word: &str, replace: Span, out: &mut Vec<Item>) {
    for p in &template.parameters {
        if starts_with_ignore_case(p.name, word) {
            out.push(Item {
                label: p.name.to_string(),
                insert: None,
                detail: Some(format!("parameter ({})", p.type_.unwrap_or("no Type"))),
                kind: Kind::Parameter,
                replace,
            });
        }
    }
    resources(template, word, replace, out);
    for name in PSEUDO_PARAMETERS {
        if starts_with_ignore_case(name, word) {
            out.push(Item {
                label: name.to_string(),
                insert: None,
                detail: Some("pseudo parameter".into()),
                kind: Kind::Parameter,
                replace,
            });
        }
    }
}

fn resources(template: &Template<'_>, word: &str, replace: Span, out: &mut Vec<Item>) {
    for r in template.resources.iter().filter(|r| !r.in_loop) {
        if starts_with_ignore_case(r.logical_id, word) {
            out.push(Item {
                label: r.logical_id.to_string(),
                insert: None,
                detail: Some(r.type_.unwrap_or("resource").to_string()),
                kind: Kind::Resource,
                replace,
            });
        }
    }
}

/// A resource's `Type` value and its property names, from the schema provider.
fn schema_items(
    path: &[Step<'_>],
    word: &str,
    replace: Span,
    provider: &dyn SchemaProvider,
) -> Vec<Item> {
    if path.len() < 4 || path[1].key != Some("Resources") {
        return Vec::new();
    }
    let last = path[path.len() - 1];
    let described = match path[3].key {
        Some("Type") if path.len() == 4 && !last.on_key => {
            (provider.resource_types(word), Kind::ResourceType)
        }
        Some("Properties") if last.typing_key() && !(last.on_key && path.len() == 4) => {
            let Some(type_name) = path[2].node.get("Type").and_then(Node::as_str) else {
                return Vec::new();
            };
            // The keys from `Properties` down to the mapping the key is typed in: a key being
            // typed on a line of its own reads as the value of the key above it.
            let inner = if last.on_key {
                path.len() - 1
            } else {
                path.len()
            };
            let parents: Vec<&str> = path[4..inner].iter().filter_map(|s| s.key).collect();
            (provider.property_names(type_name, &parents), Kind::Property)
        }
        _ => return Vec::new(),
    };
    let (names, kind) = described;
    // The keys already written in the mapping the key is typed in, but the one at the cursor.
    let written: Vec<&str> = match (last.on_key, path.len().checked_sub(2)) {
        (true, Some(i)) => path[i]
            .node
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|e| !std::ptr::eq(&e.key, last.node))
            .filter_map(|e| e.key.as_str())
            .collect(),
        _ => Vec::new(),
    };
    names
        .into_iter()
        .filter(|(name, _)| {
            starts_with_ignore_case(name, word) && !written.contains(&name.as_str())
        })
        .map(|(label, detail)| Item {
            kind: match kind {
                Kind::ResourceType if label.ends_with("::") => Kind::Namespace,
                kind => kind,
            },
            label,
            insert: None,
            detail: (!detail.is_empty()).then_some(detail),
            replace,
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Completions where `|` is in `text` (which is given without it), as (label, detail), and
    /// the replaced text.
    fn at(text_with_cursor: &str) -> (Vec<(String, Option<String>)>, Option<String>) {
        let offset = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replace('|', "");
        let source = SourceFile::new("t.yaml", text.clone());
        let parsed = Parsed::of(&source);
        let items = complete(&source, parsed.as_ref(), offset);
        let replaced = items
            .first()
            .map(|i| text[i.replace.start..i.replace.end].to_string());
        (
            items.into_iter().map(|i| (i.label, i.detail)).collect(),
            replaced,
        )
    }

    fn labels(items: &[(String, Option<String>)]) -> Vec<&str> {
        items.iter().map(|(l, _)| l.as_str()).collect()
    }

    const POLICY: &str = "\
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action:
                  - s3:GetObject
                  - ACTION
                Resource: '*'
                Condition:
                  CONDITION
";

    fn policy_with(action: &str, condition: &str) -> String {
        POLICY
            .replace("ACTION", action)
            .replace("CONDITION", condition)
    }

    #[test]
    fn actions_complete_from_the_catalogue_with_their_access_level() {
        let (items, replaced) = at(&policy_with("s3:GetObjectA|", "StringEquals: {}"));
        assert_eq!(replaced.as_deref(), Some("s3:GetObjectA"));
        let expected: Vec<String> = Catalog::active()
            .service("s3")
            .unwrap()
            .actions_with_prefix("GetObjectA")
            .map(|a| a.full_name())
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(labels(&items), expected);
        assert!(items
            .iter()
            .any(|(l, d)| l == "s3:GetObjectAcl" && d.as_deref() == Some("Read")));
        // A service prefix being typed: the services.
        let (items, _) = at(&policy_with("ssmmess|", "StringEquals: {}"));
        assert_eq!(labels(&items), ["ssmmessages"]);
        // Case does not matter; JSON style and `NotAction` work alike.
        let json = r#"{"Statement": [{"Effect": "Allow", "NotAction": ["S3:getobjectacl|"]}]}"#;
        let (items, _) = at(json);
        assert!(labels(&items).contains(&"s3:GetObjectAcl"), "{items:?}");
        // Not in a statement: nothing.
        let (items, _) = at("Resources:\n  X:\n    Action: s3:Get|\n");
        assert!(items.is_empty(), "{items:?}");
    }

    #[test]
    fn condition_operators_and_keys_complete_in_a_condition() {
        let (items, replaced) = at(&policy_with("s3:PutObject", "StringEq|"));
        assert_eq!(replaced.as_deref(), Some("StringEq"));
        assert_eq!(
            labels(&items),
            [
                "StringEquals",
                "StringEqualsIfExists",
                "StringEqualsIgnoreCase",
                "StringEqualsIgnoreCaseIfExists"
            ]
        );
        let (items, _) = at(&policy_with("s3:PutObject", "ForAnyValue:StringL|"));
        assert_eq!(
            labels(&items),
            ["ForAnyValue:StringLike", "ForAnyValue:StringLikeIfExists"]
        );
        // Keys: the global ones and those of the statement's services.
        let (items, _) = at(&policy_with(
            "s3:PutObject",
            "StringEquals:\n                    aws:SourceAcc|",
        ));
        assert_eq!(labels(&items), ["aws:SourceAccount"]);
        let (items, _) = at(&policy_with(
            "s3:PutObject",
            "StringEquals:\n                    aws:SourceIp: x\n                    s3:x-amz-a|",
        ));
        assert!(labels(&items).contains(&"s3:x-amz-acl"), "{items:?}");
        assert!(items
            .iter()
            .any(|(l, d)| l == "s3:x-amz-acl" && d.as_deref() == Some("String")));
        // Keys of services the statement does not name are not offered.
        let (items, _) = at(&policy_with(
            "s3:PutObject",
            "StringEquals:\n                    ec2:Reg|",
        ));
        assert!(items.is_empty(), "{items:?}");
    }

    const REFS: &str = "\
Parameters:
  BucketName: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: VALUE
";

    #[test]
    fn ref_getatt_and_sub_complete_with_the_template_names() {
        let (items, replaced) = at(&REFS.replace("VALUE", "!Ref Buck|"));
        assert_eq!(replaced.as_deref(), Some("Buck"));
        assert_eq!(labels(&items), ["BucketName", "Bucket", "BucketPolicy"]);
        assert_eq!(items[0].1.as_deref(), Some("parameter (String)"));
        assert_eq!(items[1].1.as_deref(), Some("AWS::S3::Bucket"));
        let (items, _) = at(&REFS.replace("VALUE", "!Ref AWS::Reg|"));
        assert_eq!(labels(&items), ["AWS::Region"]);
        let (items, _) = at(&REFS.replace("VALUE", "!GetAtt B|"));
        assert_eq!(labels(&items), ["Bucket", "BucketPolicy"]);
        let (items, replaced) = at(&REFS.replace("VALUE", "!Sub 'arn:aws:s3:::${Bu|}'"));
        assert_eq!(replaced.as_deref(), Some("Bu"));
        assert_eq!(labels(&items), ["BucketName", "Bucket", "BucketPolicy"]);
        let (items, _) = at(&REFS.replace("VALUE", "{Ref: |}"));
        assert_eq!(items.len(), 3 + PSEUDO_PARAMETERS.len());
        // Attributes come from the schema provider, and none is set here.
        let (items, _) = at(&REFS.replace("VALUE", "!GetAtt Bucket.A|"));
        assert!(items.is_empty());
    }

    /// A schema provider that knows one resource type, for the completions it feeds.
    pub(crate) struct OneBucket;

    impl SchemaProvider for OneBucket {
        fn resource_type_hover(&self, type_name: &str) -> Option<String> {
            (type_name == "AWS::S3::Bucket").then(|| "A bucket.".to_string())
        }
        fn property_hover(&self, type_name: &str, path: &[&str]) -> Option<String> {
            (type_name == "AWS::S3::Bucket").then(|| format!("The property {}.", path.join(".")))
        }
        fn resource_types(&self, _prefix: &str) -> Vec<(String, String)> {
            vec![("AWS::S3::Bucket".into(), "A bucket".into())]
        }
        fn property_names(&self, type_name: &str, path: &[&str]) -> Vec<(String, String)> {
            match (type_name, path) {
                ("AWS::S3::Bucket", []) => vec![
                    ("BucketName".into(), "Its name".into()),
                    ("VersioningConfiguration".into(), "Versioning".into()),
                ],
                ("AWS::S3::Bucket", ["VersioningConfiguration"]) => {
                    vec![("Status".into(), "Enabled or Suspended".into())]
                }
                _ => Vec::new(),
            }
        }
        fn attributes(&self, type_name: &str) -> Vec<String> {
            if type_name == "AWS::S3::Bucket" {
                vec!["Arn".into(), "DomainName".into()]
            } else {
                Vec::new()
            }
        }
    }

    fn with_schema(text_with_cursor: &str) -> Vec<String> {
        let offset = text_with_cursor.find('|').unwrap();
        let text = text_with_cursor.replace('|', "");
        let source = SourceFile::new("t.yaml", text);
        let parsed = Parsed::of(&source);
        complete_with(&source, parsed.as_ref(), offset, &OneBucket)
            .into_iter()
            .map(|i| i.label)
            .collect()
    }

    #[test]
    fn resource_types_properties_and_attributes_come_from_the_schema_provider() {
        let resources = "Resources:\n  B:\n    Type: AWS::S3::Bu|\n";
        assert_eq!(with_schema(resources), ["AWS::S3::Bucket"]);
        // A value that ends with a colon as it is typed (it would read as a mapping).
        let resources = "Resources:\n  B:\n    Type: AWS::S3::|\n  C:\n    Type: AWS::SQS::Queue\n";
        assert_eq!(with_schema(resources), ["AWS::S3::Bucket"]);
        let resources = "Resources:\n  B:\n    Type: AWS:|\n";
        assert_eq!(with_schema(resources), ["AWS::S3::Bucket"]);
        let top = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Buck|\n";
        assert_eq!(with_schema(top), ["BucketName"]);
        // On the `Properties` key itself, or in a value on its key's line: nothing.
        let on_properties =
            "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Prope|rties:\n      BucketName: x\n";
        assert!(with_schema(on_properties).is_empty());
        let value = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: Buck|\n";
        assert!(with_schema(value).is_empty());
        let nested = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        St|\n";
        assert_eq!(with_schema(nested), ["Status"]);
        // Nothing typed yet on a line of its own: what the indentation places it in.
        let empty = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      VersioningConfiguration:\n        Status: Enabled\n      |\n";
        assert_eq!(with_schema(empty), ["BucketName"]);
        let empty = empty.replace("\n      |\n", "\n        |\n");
        assert!(with_schema(&empty).is_empty(), "Status is written");
        let empty = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      |\n  C:\n    Type: AWS::S3::Bucket\n";
        assert_eq!(
            with_schema(empty),
            ["BucketName", "VersioningConfiguration"]
        );
        assert_eq!(
            with_schema(&REFS.replace("VALUE", "!GetAtt Bucket.A|")),
            ["Arn"]
        );
    }
}

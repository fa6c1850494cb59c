//! What a template value is, as far as its type can be known before deployment: a literal, an
//! intrinsic whose result type is known (`!Sub` is a string, `!Split` a list, `!Ref` of a
//! parameter its parameter's type, `!GetAtt` its attribute's schema type), a choice between
//! `Fn::If` branches, a removal (`AWS::NoValue`), or unknown (`!FindInMap`, `!ImportValue`,
//! `!Select`, tags this program does not know).

use super::catalog::{catalog, ResourceType};
use super::loops::{Bindings, Expanded};
use crate::template::{intrinsic, Call, Function, Template};
use crate::yaml::{Entry, Node, NodeKind, Resolved};
use serde_json::Value;

/// The JSON type of a value, as a schema's `type` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Json {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
}

impl Json {
    pub fn from_name(name: &str) -> Option<Json> {
        Some(match name {
            "string" => Json::String,
            "number" => Json::Number,
            "integer" => Json::Integer,
            "boolean" => Json::Boolean,
            "object" => Json::Object,
            "array" => Json::Array,
            _ => return None,
        })
    }

    /// As a message names it: "a string", "a list".
    pub fn noun(self) -> &'static str {
        match self {
            Json::String => "a string",
            Json::Number => "a number",
            Json::Integer => "an integer",
            Json::Boolean => "a boolean",
            Json::Object => "a mapping",
            Json::Array => "a list",
        }
    }
}

/// A value as validation sees it.
#[derive(Clone, Debug)]
pub enum Shape<'a> {
    /// A literal scalar, resolved as CloudFormation's YAML reader does.
    Scalar(Resolved<'a>),
    /// A string a `Fn::ForEach` expansion completes: `${Id}` in a scalar or a `!Sub` whose
    /// only variables are loop identifiers, or `!Ref Id`.
    Expanded(String),
    Object(&'a [Entry]),
    Array(&'a [Node]),
    /// An intrinsic whose result has this type (`!Sub` → string); what it holds is unknown.
    Computed {
        json: Json,
        /// How the value is written, for messages (`!Sub`, `!Ref Subnets`).
        written: String,
    },
    /// `Fn::If`: the condition's name and the two branches.
    Choice {
        condition: &'a str,
        then: &'a Node,
        otherwise: &'a Node,
    },
    /// `!Ref AWS::NoValue`: the property is removed.
    Removed,
    Unknown,
}

/// What the value of `node` is.
pub fn shape<'a>(node: &'a Node, template: &Template<'_>) -> Shape<'a> {
    if let Some(call) = intrinsic(node) {
        return computed(call.function, &call.call, template);
    }
    if node.tag.is_some() && !node.tag_text().is_some_and(|t| t.starts_with("!!")) {
        return Shape::Unknown; // an unknown local tag: another rule reports it
    }
    match &node.kind {
        NodeKind::Scalar(_) => match node.resolved() {
            Some(r) => Shape::Scalar(r),
            None => Shape::Unknown,
        },
        NodeKind::Mapping(entries) => {
            // Content a transform or the LanguageExtensions produce is unknown here, and so is
            // a function this program does not know (`Fn::GetStackOutput`, newer than it).
            let generated = entries.iter().any(|e| {
                e.key.as_str().is_some_and(|k| {
                    k == "Fn::Transform"
                        || k.starts_with("Fn::ForEach::")
                        || (entries.len() == 1 && k.starts_with("Fn::"))
                })
            });
            if generated {
                Shape::Unknown
            } else {
                Shape::Object(entries)
            }
        }
        NodeKind::Sequence(items) => Shape::Array(items),
        NodeKind::Alias(_) => Shape::Unknown,
    }
}

/// What the value of `node` is in one expansion of the `Fn::ForEach` loops around it.
pub fn shape_in<'a>(node: &'a Node, template: &Template<'_>, loops: &Bindings<'_>) -> Shape<'a> {
    if loops.is_empty() {
        return shape(node, template);
    }
    if let Some(call) = intrinsic(node) {
        match call.call {
            Call::Ref { name } => match loops.get(name.text) {
                Some(Some(value)) => return Shape::Expanded(value.to_string()),
                Some(None) => return Shape::Unknown,
                None => {}
            },
            Call::Sub {
                template: text,
                variables: None,
            } => {
                // The loop's values go in first; with no other variable left the result is
                // known text (`${!Literal}` gives `${Literal}`).
                if let Some(Expanded::Known(std::borrow::Cow::Owned(t))) =
                    text.as_str().map(|t| loops.expand(t))
                {
                    if !has_variable(&t) {
                        return Shape::Expanded(t.replace("${!", "${"));
                    }
                }
            }
            _ => {}
        }
        return shape(node, template);
    }
    if node.tag.is_none() || node.tag_text().is_some_and(|t| t == "!!str") {
        if let Some(text) = node.as_str() {
            match loops.expand(text) {
                Expanded::Unknown => return Shape::Unknown,
                Expanded::Known(std::borrow::Cow::Owned(t)) => return Shape::Expanded(t),
                Expanded::Known(_) => {}
            }
        }
    }
    shape(node, template)
}

/// Whether a `Fn::Sub` string has a `${…}` variable (`${!…}` is literal text).
fn has_variable(text: &str) -> bool {
    text.match_indices("${")
        .any(|(i, _)| !text[i + 2..].starts_with('!'))
}

fn computed<'a>(function: Function, call: &Call<'a>, template: &Template<'_>) -> Shape<'a> {
    let typed = |json: Json, written: String| Shape::Computed { json, written };
    let tag = function.short_tag();
    match call {
        Call::If {
            condition,
            then,
            otherwise,
        } => Shape::Choice {
            condition: condition.text,
            then,
            otherwise,
        },
        Call::Ref { name } => {
            let written = format!("!Ref {}", name.text);
            match name.text {
                "AWS::NoValue" => Shape::Removed,
                "AWS::NotificationARNs" => typed(Json::Array, written),
                n if n.starts_with("AWS::") => typed(Json::String, written),
                n => match template.parameter(n) {
                    Some(p) => match p.type_.map(parameter_json) {
                        Some(Some(json)) => typed(json, written),
                        _ => Shape::Unknown,
                    },
                    None => match template.resource(n) {
                        Some(_) => typed(Json::String, written),
                        None => Shape::Unknown,
                    },
                },
            }
        }
        Call::GetAtt {
            resource,
            attribute,
        } => match attribute.as_str() {
            Some(attr) => match attribute_json(template, resource.text, attr) {
                Some(json) => typed(json, format!("!GetAtt {}.{attr}", resource.text)),
                None => Shape::Unknown,
            },
            None => Shape::Unknown,
        },
        Call::Sub { .. } | Call::Join { .. } | Call::Base64 { .. } | Call::ToJsonString { .. } => {
            typed(Json::String, tag)
        }
        Call::Split { .. } | Call::GetAZs { .. } | Call::Cidr { .. } => typed(Json::Array, tag),
        Call::Length { .. } => typed(Json::Integer, tag),
        _ => Shape::Unknown,
    }
}

/// The JSON type of a parameter of CloudFormation type `type_`.
pub fn parameter_json(type_: &str) -> Option<Json> {
    let t = type_.trim();
    let inner = t
        .strip_prefix("AWS::SSM::Parameter::Value<")
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(t);
    if inner.starts_with("List<") || inner == "CommaDelimitedList" {
        return Some(Json::Array);
    }
    if inner == "Number" {
        return Some(Json::Number);
    }
    if inner == "String" || inner.starts_with("AWS::") {
        return Some(Json::String);
    }
    None
}

/// The JSON type of `!GetAtt resource.attribute`, when the resource's schema says it.
pub fn attribute_json(template: &Template<'_>, resource: &str, attribute: &str) -> Option<Json> {
    let r = super::loops::resource_named(template, resource)?;
    let rt: &ResourceType = catalog().get(r.type_?)?;
    let schema = rt.attribute(attribute)??;
    match schema.get("type") {
        Some(Value::String(t)) => Json::from_name(t),
        _ => None,
    }
}

/// The scalar as text, the way CloudFormation turns a YAML scalar into a string.
pub fn scalar_text(value: &Resolved<'_>) -> Option<String> {
    Some(match value {
        Resolved::Null => return None,
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Float(f) => f.to_string(),
        Resolved::Str(s) => s.to_string(),
    })
}

/// The scalar as a number, when it is one or a string CloudFormation reads as one.
pub fn scalar_number(value: &Resolved<'_>) -> Option<f64> {
    match value {
        Resolved::Int(i) => Some(*i as f64),
        Resolved::Float(f) => Some(*f),
        Resolved::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Whether a literal scalar is acceptable where the schema wants `json`, with CloudFormation's
/// coercions: numbers and booleans become strings, `"true"`/`"false"` booleans, numeric strings
/// numbers.
pub fn scalar_fits(value: &Resolved<'_>, json: Json) -> bool {
    match (value, json) {
        (Resolved::Null, _) => true, // a null is not judged here
        (_, Json::String) => true,
        (Resolved::Bool(_), Json::Boolean) => true,
        (Resolved::Str(s), Json::Boolean) => {
            s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
        }
        (Resolved::Int(_), Json::Integer | Json::Number) => true,
        (Resolved::Float(_), Json::Number) => true,
        (Resolved::Float(f), Json::Integer) => f.fract() == 0.0,
        (Resolved::Str(s), Json::Number) => s.trim().parse::<f64>().is_ok_and(f64::is_finite),
        (Resolved::Str(s), Json::Integer) => s.trim().parse::<i64>().is_ok(),
        _ => false,
    }
}

/// Whether a computed value of type `have` may be what the schema wants (`want`): its content
/// is unknown, so a string may well be `"true"` or `"42"`.
pub fn computed_fits(have: Json, want: Json) -> bool {
    match (have, want) {
        (Json::Array, Json::Array) | (Json::Object, Json::Object) => true,
        (Json::Array, _) | (_, Json::Array) => false,
        (Json::Object, _) => false,
        // A string where a mapping is expected: CloudFormation accepts JSON text for some
        // mapping-typed properties, so this is left alone.
        (_, Json::Object) => true,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coercions_follow_cloudformation() {
        assert!(scalar_fits(&Resolved::Str("true"), Json::Boolean));
        assert!(scalar_fits(&Resolved::Str("False"), Json::Boolean));
        assert!(!scalar_fits(&Resolved::Str("maybe"), Json::Boolean));
        assert!(scalar_fits(&Resolved::Str("42"), Json::Integer));
        assert!(!scalar_fits(&Resolved::Str("4.5"), Json::Integer));
        assert!(scalar_fits(&Resolved::Str("4.5"), Json::Number));
        assert!(scalar_fits(&Resolved::Int(3), Json::String));
        assert!(scalar_fits(&Resolved::Bool(true), Json::String));
        assert!(!scalar_fits(&Resolved::Int(1), Json::Boolean));
        assert!(!scalar_fits(&Resolved::Str("a"), Json::Array));
        assert!(!computed_fits(Json::String, Json::Array));
        assert!(!computed_fits(Json::Array, Json::String));
        assert!(computed_fits(Json::String, Json::Boolean));
    }

    #[test]
    fn parameter_types() {
        assert_eq!(parameter_json("String"), Some(Json::String));
        assert_eq!(parameter_json("Number"), Some(Json::Number));
        assert_eq!(
            parameter_json("List<AWS::EC2::Subnet::Id>"),
            Some(Json::Array)
        );
        assert_eq!(parameter_json("CommaDelimitedList"), Some(Json::Array));
        assert_eq!(
            parameter_json("AWS::SSM::Parameter::Value<List<String>>"),
            Some(Json::Array)
        );
        assert_eq!(
            parameter_json("AWS::SSM::Parameter::Value<String>"),
            Some(Json::String)
        );
        assert_eq!(parameter_json("AWS::EC2::VPC::Id"), Some(Json::String));
        assert_eq!(parameter_json("Strng"), None);
    }
}

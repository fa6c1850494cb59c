//! CloudFormation intrinsic functions, recognised in both spellings and normalised into one
//! representation: the short YAML tag (`!GetAtt Bucket.Arn`) and the long single-key mapping
//! (`{"Fn::GetAtt": ["Bucket", "Arn"]}`) both become an [`Intrinsic`] with the same [`Call`].
//!
//! Every argument stays a `&Node` into the document, so rules can point at it.

use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use std::ops::Range;

/// Every function CloudFormation evaluates, including the condition functions and the functions
/// only valid in the `Rules` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Function {
    Ref,
    Base64,
    Cidr,
    FindInMap,
    GetAtt,
    GetAZs,
    ImportValue,
    Join,
    Length,
    Select,
    Split,
    Sub,
    ToJsonString,
    Transform,
    And,
    Equals,
    If,
    Not,
    Or,
    Condition,
    Contains,
    EachMemberEquals,
    EachMemberIn,
    RefAll,
    ValueOf,
    ValueOfAll,
}

impl Function {
    pub const ALL: &'static [Function] = &[
        Function::Ref,
        Function::Base64,
        Function::Cidr,
        Function::FindInMap,
        Function::GetAtt,
        Function::GetAZs,
        Function::ImportValue,
        Function::Join,
        Function::Length,
        Function::Select,
        Function::Split,
        Function::Sub,
        Function::ToJsonString,
        Function::Transform,
        Function::And,
        Function::Equals,
        Function::If,
        Function::Not,
        Function::Or,
        Function::Condition,
        Function::Contains,
        Function::EachMemberEquals,
        Function::EachMemberIn,
        Function::RefAll,
        Function::ValueOf,
        Function::ValueOfAll,
    ];

    /// The name without `Fn::` (`GetAtt`, `Ref`, `Condition`).
    pub fn bare_name(self) -> &'static str {
        match self {
            Function::Ref => "Ref",
            Function::Base64 => "Base64",
            Function::Cidr => "Cidr",
            Function::FindInMap => "FindInMap",
            Function::GetAtt => "GetAtt",
            Function::GetAZs => "GetAZs",
            Function::ImportValue => "ImportValue",
            Function::Join => "Join",
            Function::Length => "Length",
            Function::Select => "Select",
            Function::Split => "Split",
            Function::Sub => "Sub",
            Function::ToJsonString => "ToJsonString",
            Function::Transform => "Transform",
            Function::And => "And",
            Function::Equals => "Equals",
            Function::If => "If",
            Function::Not => "Not",
            Function::Or => "Or",
            Function::Condition => "Condition",
            Function::Contains => "Contains",
            Function::EachMemberEquals => "EachMemberEquals",
            Function::EachMemberIn => "EachMemberIn",
            Function::RefAll => "RefAll",
            Function::ValueOf => "ValueOf",
            Function::ValueOfAll => "ValueOfAll",
        }
    }

    /// The long form key: `Ref` and `Condition` have no `Fn::` prefix.
    pub fn long_name(self) -> String {
        match self {
            Function::Ref | Function::Condition => self.bare_name().to_string(),
            other => format!("Fn::{}", other.bare_name()),
        }
    }

    /// The YAML short form tag, e.g. `!GetAtt`.
    pub fn short_tag(self) -> String {
        format!("!{}", self.bare_name())
    }

    /// The function a YAML tag such as `!Sub` stands for.
    pub fn from_tag(tag: &str) -> Option<Function> {
        let bare = tag.strip_prefix('!')?;
        Function::ALL
            .iter()
            .copied()
            .find(|f| f.bare_name() == bare)
    }

    /// The function a mapping key such as `Fn::Sub` or `Ref` stands for. `Condition` is not
    /// recognised here: as a key it is usually a resource attribute, see [`condition_operand`].
    pub fn from_long_name(key: &str) -> Option<Function> {
        if key == "Ref" {
            return Some(Function::Ref);
        }
        let bare = key.strip_prefix("Fn::")?;
        Function::ALL
            .iter()
            .copied()
            .find(|f| *f != Function::Ref && *f != Function::Condition && f.bare_name() == bare)
    }

    /// Every short form tag, for "did you mean" on unknown tags.
    pub fn all_tags() -> Vec<String> {
        Function::ALL.iter().map(|f| f.short_tag()).collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `!Tag value`
    Short,
    /// `{ "Fn::Name": value }` / `{ "Ref": name }`
    Long,
}

/// A name written inside a scalar: all of it (`!Ref Bucket`) or a piece of it (the `Bucket` of
/// `!GetAtt Bucket.Arn`). `range` is a byte range of the scalar's value; turn it into a source
/// span with [`super::spans::value_span`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameRef<'a> {
    pub text: &'a str,
    pub node: &'a Node,
    pub range: Range<usize>,
}

impl<'a> NameRef<'a> {
    /// The whole value of a scalar node.
    pub fn whole(node: &'a Node) -> Option<NameRef<'a>> {
        let text = node.as_str()?;
        Some(NameRef {
            text,
            node,
            range: 0..text.len(),
        })
    }
}

/// The attribute of a `GetAtt`: a name, or an expression (`!GetAtt [Res, !Ref AttrParam]`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeRef<'a> {
    Name(NameRef<'a>),
    Expr(&'a Node),
}

impl<'a> AttributeRef<'a> {
    pub fn as_str(&self) -> Option<&'a str> {
        match self {
            AttributeRef::Name(n) => Some(n.text),
            AttributeRef::Expr(_) => None,
        }
    }
}

/// The arguments of an intrinsic, by function. `Malformed` when they do not have the documented
/// shape (a rule about argument shapes can report it; reference rules skip it).
#[derive(Clone, Debug, PartialEq)]
pub enum Call<'a> {
    Ref {
        name: NameRef<'a>,
    },
    GetAtt {
        resource: NameRef<'a>,
        attribute: AttributeRef<'a>,
    },
    /// `template` is the scalar holding the Sub string (parse it with [`super::sub::parse_sub`]);
    /// `variables` the optional mapping of the list form.
    Sub {
        template: &'a Node,
        variables: Option<&'a Node>,
    },
    Join {
        delimiter: &'a Node,
        items: &'a Node,
    },
    If {
        condition: NameRef<'a>,
        then: &'a Node,
        otherwise: &'a Node,
    },
    Select {
        index: &'a Node,
        list: &'a Node,
    },
    Split {
        delimiter: &'a Node,
        source: &'a Node,
    },
    FindInMap {
        map: &'a Node,
        top_key: &'a Node,
        second_key: &'a Node,
        default: Option<&'a Node>,
    },
    GetAZs {
        region: &'a Node,
    },
    ImportValue {
        name: &'a Node,
    },
    Base64 {
        value: &'a Node,
    },
    Cidr {
        block: &'a Node,
        count: &'a Node,
        bits: &'a Node,
    },
    Length {
        list: &'a Node,
    },
    ToJsonString {
        value: &'a Node,
    },
    /// `Fn::Transform`: a macro call `{Name, Parameters}`.
    Transform {
        name: Option<&'a Node>,
        parameters: Option<&'a Node>,
    },
    Equals {
        left: &'a Node,
        right: &'a Node,
    },
    And(&'a [Node]),
    Or(&'a [Node]),
    Not(&'a Node),
    Condition {
        name: NameRef<'a>,
    },
    /// `Fn::Contains`, `Fn::EachMemberEquals`, `Fn::EachMemberIn`, `Fn::RefAll`, `Fn::ValueOf`,
    /// `Fn::ValueOfAll` (the `Rules` section's functions), arguments as written.
    RuleFunction {
        arguments: &'a Node,
    },
    Malformed,
}

/// One intrinsic function call.
#[derive(Clone, Debug, PartialEq)]
pub struct Intrinsic<'a> {
    pub function: Function,
    pub form: Form,
    /// The whole expression: the tagged node, or the single-key mapping.
    pub node: &'a Node,
    /// The tag (`!Sub`) or the key (`Fn::Sub`).
    pub name_span: Span,
    /// The node holding the arguments: for the short form that is `node` itself (it carries the
    /// tag), for the long form the mapping's value.
    pub argument: &'a Node,
    pub call: Call<'a>,
}

/// Recognise `node` as an intrinsic function call, in either form. Unknown tags and unknown
/// `Fn::` keys are not intrinsics (see [`unknown_function_key`]).
pub fn intrinsic(node: &Node) -> Option<Intrinsic<'_>> {
    if let Some(tag) = &node.tag {
        let function = Function::from_tag(&tag.text)?;
        return Some(Intrinsic {
            function,
            form: Form::Short,
            node,
            name_span: tag.span,
            argument: node,
            call: call(function, node),
        });
    }
    long_form(node)
}

/// Recognise the long form `{ "Fn::X": … }` only, ignoring any tag on the node. In
/// `!Base64 {Fn::Sub: …}` the tag and the mapping belong to one node: the `!Base64` call's
/// argument is itself a `Fn::Sub` call, found with this function.
pub fn long_form(node: &Node) -> Option<Intrinsic<'_>> {
    let entries = node.as_mapping()?;
    let [entry] = entries else { return None };
    let function = Function::from_long_name(entry.key.as_str()?)?;
    Some(Intrinsic {
        function,
        form: Form::Long,
        node,
        name_span: entry.key.span,
        argument: &entry.value,
        call: call(function, &entry.value),
    })
}

/// `{ Condition: Name }` as an operand of `Fn::And`/`Fn::Or`/`Fn::Not` or as a whole condition
/// (only meaningful inside the `Conditions` section and condition functions), plus the short
/// `!Condition Name`.
pub fn condition_operand(node: &Node) -> Option<NameRef<'_>> {
    if node.tag_text() == Some("!Condition") {
        return NameRef::whole(node);
    }
    if node.tag.is_some() {
        return None;
    }
    let [entry] = node.as_mapping()? else {
        return None;
    };
    if entry.key.as_str() == Some("Condition") && entry.value.tag.is_none() {
        return NameRef::whole(&entry.value);
    }
    None
}

/// A single-key mapping whose key looks like an intrinsic (`Fn::Something`) but names none.
pub fn unknown_function_key(node: &Node) -> Option<&Node> {
    let [entry] = node.as_mapping()? else {
        return None;
    };
    let key = entry.key.as_str()?;
    (key.starts_with("Fn::")
        && !key.starts_with("Fn::ForEach::")
        && Function::from_long_name(key).is_none())
    .then_some(&entry.key)
}

/// Is this `!Ref AWS::NoValue` (or `{Ref: AWS::NoValue}`), which removes the property it is the
/// value of?
pub fn is_no_value(node: &Node) -> bool {
    matches!(
        intrinsic(node).map(|i| i.call),
        Some(Call::Ref { name }) if name.text == "AWS::NoValue"
    )
}

/// The values `node` may take once conditions are decided: the leaves of nested `Fn::If`s in
/// source order (both branches, recursively), or `node` itself. `AWS::NoValue` leaves are kept;
/// filter them with [`is_no_value`].
pub fn alternatives(node: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    collect_alternatives(node, &mut out, 0);
    out
}

fn collect_alternatives<'a>(node: &'a Node, out: &mut Vec<&'a Node>, depth: usize) {
    if depth < 64 {
        if let Some(Intrinsic {
            call: Call::If {
                then, otherwise, ..
            },
            ..
        }) = intrinsic(node)
        {
            collect_alternatives(then, out, depth + 1);
            collect_alternatives(otherwise, out, depth + 1);
            return;
        }
    }
    out.push(node);
}

fn items(node: &Node) -> Option<&[Node]> {
    node.as_sequence()
}

fn call(function: Function, arg: &Node) -> Call<'_> {
    parse_call(function, arg).unwrap_or(Call::Malformed)
}

fn parse_call(function: Function, arg: &Node) -> Option<Call<'_>> {
    Some(match function {
        // `Ref: !Sub 'Size${Name}'` (LanguageExtensions, inside `Fn::ForEach`) builds the name:
        // it is no name as written (see `super::foreach`).
        Function::Ref if arg.tag_text().is_some_and(|t| t != "!Ref") => return None,
        Function::Ref => Call::Ref {
            name: NameRef::whole(arg)?,
        },
        Function::Condition => Call::Condition {
            name: NameRef::whole(arg)?,
        },
        Function::GetAtt => get_att(arg)?,
        Function::Sub => match &arg.kind {
            NodeKind::Scalar(_) => Call::Sub {
                template: arg,
                variables: None,
            },
            NodeKind::Sequence(list) => match list.as_slice() {
                [template, variables] if template.as_scalar().is_some() => Call::Sub {
                    template,
                    variables: Some(variables),
                },
                [template] if template.as_scalar().is_some() => Call::Sub {
                    template,
                    variables: None,
                },
                _ => return None,
            },
            _ => return None,
        },
        Function::Join => match items(arg)? {
            [delimiter, items] => Call::Join { delimiter, items },
            _ => return None,
        },
        Function::If => match items(arg)? {
            [condition, then, otherwise] => Call::If {
                condition: NameRef::whole(condition)?,
                then,
                otherwise,
            },
            _ => return None,
        },
        Function::Select => match items(arg)? {
            [index, list] => Call::Select { index, list },
            _ => return None,
        },
        Function::Split => match items(arg)? {
            [delimiter, source] => Call::Split { delimiter, source },
            _ => return None,
        },
        Function::FindInMap => match items(arg)? {
            [map, top_key, second_key] => Call::FindInMap {
                map,
                top_key,
                second_key,
                default: None,
            },
            // The LanguageExtensions transform adds a fourth `{DefaultValue: …}` argument.
            [map, top_key, second_key, default] => Call::FindInMap {
                map,
                top_key,
                second_key,
                default: Some(default),
            },
            _ => return None,
        },
        Function::GetAZs => Call::GetAZs { region: arg },
        Function::ImportValue => Call::ImportValue { name: arg },
        Function::Base64 => Call::Base64 { value: arg },
        Function::Cidr => match items(arg)? {
            [block, count, bits] => Call::Cidr { block, count, bits },
            _ => return None,
        },
        Function::Length => Call::Length { list: arg },
        Function::ToJsonString => Call::ToJsonString { value: arg },
        Function::Transform => {
            arg.as_mapping()?;
            Call::Transform {
                name: arg.get("Name"),
                parameters: arg.get("Parameters"),
            }
        }
        Function::Equals => match items(arg)? {
            [left, right] => Call::Equals { left, right },
            _ => return None,
        },
        Function::And => Call::And(items(arg)?),
        Function::Or => Call::Or(items(arg)?),
        Function::Not => match items(arg)? {
            [operand] => Call::Not(operand),
            _ => return None,
        },
        Function::Contains
        | Function::EachMemberEquals
        | Function::EachMemberIn
        | Function::RefAll
        | Function::ValueOf
        | Function::ValueOfAll => Call::RuleFunction { arguments: arg },
    })
}

fn get_att(arg: &Node) -> Option<Call<'_>> {
    match &arg.kind {
        // `Res.Attr`, where the attribute may itself contain dots (`Stack.Outputs.Name`).
        NodeKind::Scalar(s) => {
            let (resource, attribute) = s.value.split_once('.')?;
            let split = resource.len();
            Some(Call::GetAtt {
                resource: NameRef {
                    text: resource,
                    node: arg,
                    range: 0..split,
                },
                attribute: AttributeRef::Name(NameRef {
                    text: attribute,
                    node: arg,
                    range: split + 1..s.value.len(),
                }),
            })
        }
        NodeKind::Sequence(list) => match list.as_slice() {
            [resource, attribute] => Some(Call::GetAtt {
                resource: NameRef::whole(resource)?,
                attribute: match intrinsic(attribute) {
                    Some(_) => AttributeRef::Expr(attribute),
                    None => AttributeRef::Name(NameRef::whole(attribute)?),
                },
            }),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::testing::*;

    #[test]
    fn short_and_long_forms_normalise_to_the_same_call() {
        let short = tagged("!GetAtt", scalar("Bucket.Arn"));
        let long = map(vec![(
            "Fn::GetAtt",
            seq(vec![scalar("Bucket"), scalar("Arn")]),
        )]);
        for node in [&short, &long] {
            let i = intrinsic(node).expect("intrinsic");
            assert_eq!(i.function, Function::GetAtt);
            let Call::GetAtt {
                resource,
                attribute,
            } = i.call
            else {
                panic!("not a GetAtt: {:?}", i.call)
            };
            assert_eq!(resource.text, "Bucket");
            assert_eq!(attribute.as_str(), Some("Arn"));
        }
        assert_eq!(intrinsic(&short).unwrap().form, Form::Short);
        assert_eq!(intrinsic(&long).unwrap().form, Form::Long);
    }

    #[test]
    fn get_att_keeps_nested_attribute_and_offsets() {
        let node = tagged("!GetAtt", scalar("Stack.Outputs.VpcId"));
        let Some(Intrinsic {
            call:
                Call::GetAtt {
                    resource,
                    attribute: AttributeRef::Name(attr),
                },
            ..
        }) = intrinsic(&node)
        else {
            panic!("expected GetAtt")
        };
        assert_eq!((resource.text, resource.range), ("Stack", 0..5));
        assert_eq!((attr.text, attr.range), ("Outputs.VpcId", 6..19));
    }

    #[test]
    fn sub_in_both_shapes() {
        let plain = tagged("!Sub", scalar("arn:${AWS::Partition}:s3:::${B}"));
        assert!(matches!(
            intrinsic(&plain).unwrap().call,
            Call::Sub {
                variables: None,
                ..
            }
        ));
        let listed = map(vec![(
            "Fn::Sub",
            seq(vec![scalar("${X}"), map(vec![("X", scalar("1"))])]),
        )]);
        let Call::Sub {
            template,
            variables: Some(vars),
        } = intrinsic(&listed).unwrap().call
        else {
            panic!("expected Sub with variables")
        };
        assert_eq!(template.as_str(), Some("${X}"));
        assert!(vars.get("X").is_some());
    }

    #[test]
    fn malformed_arguments_are_flagged_not_dropped() {
        let node = tagged("!If", seq(vec![scalar("OnlyOne")]));
        let i = intrinsic(&node).unwrap();
        assert_eq!(i.function, Function::If);
        assert_eq!(i.call, Call::Malformed);
    }

    #[test]
    fn non_intrinsics_are_not_recognised() {
        assert!(intrinsic(&tagged("!GetAttr", scalar("A.B"))).is_none());
        assert!(intrinsic(&map(vec![("Ref", scalar("A")), ("X", scalar("B"))])).is_none());
        assert!(intrinsic(&map(vec![("Condition", scalar("A"))])).is_none());
        assert!(intrinsic(&scalar("Ref")).is_none());
        let bad = map(vec![("Fn::GetAttr", scalar("A.B"))]);
        assert!(unknown_function_key(&bad).is_some());
    }

    #[test]
    fn if_alternatives_and_no_value() {
        let node = tagged(
            "!If",
            seq(vec![
                scalar("C"),
                scalar("a"),
                tagged(
                    "!If",
                    seq(vec![
                        scalar("D"),
                        scalar("b"),
                        tagged("!Ref", scalar("AWS::NoValue")),
                    ]),
                ),
            ]),
        );
        let alts = alternatives(&node);
        assert_eq!(alts.len(), 3);
        assert_eq!(alts[0].as_str(), Some("a"));
        assert_eq!(alts[1].as_str(), Some("b"));
        assert!(is_no_value(alts[2]));
        assert!(!is_no_value(alts[1]));
        let Some(Intrinsic {
            call: Call::If { condition, .. },
            ..
        }) = intrinsic(&node)
        else {
            panic!("expected If")
        };
        assert_eq!(condition.text, "C");
    }

    #[test]
    fn function_names_round_trip() {
        for f in Function::ALL {
            assert_eq!(Function::from_tag(&f.short_tag()), Some(*f));
            if *f != Function::Condition {
                assert_eq!(Function::from_long_name(&f.long_name()), Some(*f));
            }
        }
        assert_eq!(Function::from_long_name("Fn::Ref"), None);
    }
}

//! Every place the template names another part of itself: `Ref`, `GetAtt`, the variables of
//! `Sub` strings, `DependsOn`, `Condition` attributes and condition functions, `FindInMap`
//! map names. Both the undefined-reference and unused-parameter rules read this one list.

use super::intrinsic::{
    condition_operand, intrinsic, long_form, AttributeRef, Call, Form, NameRef,
};
use super::model::Template;
use super::spans::value_span;
use super::sub::{parse_sub_skipping_empty, SubPart, SubVariable};
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `!Ref Name`: a parameter, resource or pseudo parameter.
    Ref,
    /// `!GetAtt Resource.Attribute`: `name` is the resource.
    GetAtt,
    /// `${Name}` in a Sub string: a parameter, resource or pseudo parameter.
    SubName,
    /// `${Resource.Attribute}` in a Sub string: `name` is the resource.
    SubAttribute,
    /// An entry of a resource's `DependsOn`: a resource.
    DependsOn,
    /// A resource's or output's `Condition`, the first argument of `Fn::If`, `!Condition`
    /// operands: a condition.
    Condition,
    /// The first argument of `Fn::FindInMap`: a mapping.
    FindInMap,
}

/// One use of a name.
#[derive(Clone, Debug)]
pub struct Reference<'a> {
    pub kind: RefKind,
    /// The name referred to (for attributes: the resource).
    pub name: &'a str,
    /// The attribute of `GetAtt` / `${Res.Attr}`, when written as a name.
    pub attribute: Option<&'a str>,
    /// The scalar the name is written in.
    pub node: &'a Node,
    /// The bytes to underline, as a range of `node`'s value: the name itself, or the whole
    /// `${…}` for a Sub variable.
    pub range: Range<usize>,
    /// The top-level section the use is in.
    pub section: &'a str,
}

impl Reference<'_> {
    /// The source bytes of the reference (`source` is the text the document was parsed from).
    pub fn span(&self, source: &str) -> Span {
        value_span(self.node, self.range.clone(), source)
    }
}

/// Sections whose intrinsics CloudFormation evaluates (plus SAM `Globals` and `Rules`).
/// `Metadata` at the top level is documentation, `Parameters` and `Mappings` hold no
/// intrinsics.
const WALKED: &[&str] = &[
    "Resources",
    "Outputs",
    "Conditions",
    "Rules",
    "Globals",
    "Hooks",
];

/// A `${…}` of an evaluated Sub string that CloudFormation rejects.
#[derive(Clone, Debug)]
pub struct SubProblem<'a> {
    /// The scalar holding the Sub string.
    pub node: &'a Node,
    /// The whole `${…}`, as a range of the string's value.
    pub range: Range<usize>,
    /// The name as written (empty for `${}`).
    pub name: &'a str,
}

impl SubProblem<'_> {
    pub fn span(&self, source: &str) -> Span {
        value_span(self.node, self.range.clone(), source)
    }
}

/// Whether CloudFormation accepts `name` as a Sub variable: letters, digits, `_`, `.` and `:`
/// (its error for anything else says so: "variable names in Fn::Sub syntax must contain only
/// alphanumeric characters, underscores, periods, and colons").
pub fn is_valid_sub_variable(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':'))
}

/// What one walk of the template finds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Walked<'a> {
    references: Vec<Reference<'a>>,
    sub_problems: Vec<SubProblem<'a>>,
}

impl<'a> Template<'a> {
    /// Every reference in the template, in source order within each section (walked once,
    /// on first use).
    pub fn references(&self) -> &[Reference<'a>] {
        &self.walked().references
    }

    /// Every `${…}` of an evaluated Sub string whose name CloudFormation rejects (`${}`,
    /// `${HOME:-/root}`); these are not among [`Template::references`].
    pub fn sub_problems(&self) -> &[SubProblem<'a>] {
        &self.walked().sub_problems
    }

    fn walked(&self) -> &Walked<'a> {
        self.walked.get_or_init(|| self.walk_references())
    }

    fn walk_references(&self) -> Walked<'a> {
        let mut w = Walker {
            out: Vec::new(),
            sub_problems: Vec::new(),
            scope: Vec::new(),
            section: "",
            in_conditions: false,
        };
        for section in &self.sections {
            if !WALKED.contains(&section.name) {
                continue;
            }
            w.section = section.name;
            w.in_conditions = section.name == "Conditions";
            match section.name {
                "Resources" => w.definitions(section.value, true),
                "Outputs" => w.definitions(section.value, false),
                _ => w.walk(section.value, 0),
            }
        }
        Walked {
            references: w.out,
            sub_problems: w.sub_problems,
        }
    }
}

/// Nesting beyond this is not a real template; stop rather than overflow the stack.
const MAX_DEPTH: usize = 200;

struct Walker<'a> {
    out: Vec<Reference<'a>>,
    sub_problems: Vec<SubProblem<'a>>,
    /// Names bound locally: a Sub's variable map keys, `Fn::ForEach` identifiers.
    scope: Vec<&'a str>,
    section: &'a str,
    in_conditions: bool,
}

impl<'a> Walker<'a> {
    fn push(&mut self, kind: RefKind, name: &NameRef<'a>, attribute: Option<&'a str>) {
        if name.text.is_empty() || self.scope.contains(&name.text) {
            return;
        }
        self.out.push(Reference {
            kind,
            name: name.text,
            attribute,
            node: name.node,
            range: name.range.clone(),
            section: self.section,
        });
    }

    /// The entries of `Resources` or `Outputs`: their `DependsOn`/`Condition` attributes are
    /// references too.
    fn definitions(&mut self, section: &'a Node, resources: bool) {
        for entry in section.as_mapping().unwrap_or_default() {
            if let Some((identifier, collection, body)) = for_each(&entry.key, &entry.value) {
                self.walk(collection, 1);
                self.scope.push(identifier);
                self.definitions(body, resources);
                self.scope.pop();
                continue;
            }
            for attr in entry.value.as_mapping().unwrap_or_default() {
                match attr.key.as_str() {
                    Some("Condition") if attr.value.tag.is_none() => {
                        if let Some(name) = NameRef::whole(&attr.value) {
                            self.push(RefKind::Condition, &name, None);
                        }
                    }
                    Some("DependsOn") if resources => {
                        let items = match &attr.value.kind {
                            NodeKind::Sequence(items) => items.iter().collect(),
                            _ => vec![&attr.value],
                        };
                        for item in items {
                            match NameRef::whole(item) {
                                Some(name) if item.tag.is_none() => {
                                    self.push(RefKind::DependsOn, &name, None)
                                }
                                _ => self.walk(item, 1),
                            }
                        }
                    }
                    _ => self.walk(&attr.value, 1),
                }
            }
        }
    }

    fn walk(&mut self, node: &'a Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        if self.in_conditions {
            if let Some(name) = condition_operand(node) {
                self.push(RefKind::Condition, &name, None);
                return;
            }
        }
        if let Some(i) = intrinsic(node) {
            self.call(i.call, i.form, i.argument, depth);
            return;
        }
        self.children(node, depth);
    }

    fn children(&mut self, node: &'a Node, depth: usize) {
        match &node.kind {
            NodeKind::Sequence(items) => items.iter().for_each(|n| self.walk(n, depth + 1)),
            NodeKind::Mapping(entries) => {
                for entry in entries {
                    if let Some((identifier, collection, body)) = for_each(&entry.key, &entry.value)
                    {
                        self.walk(collection, depth + 1);
                        self.scope.push(identifier);
                        self.walk(body, depth + 1);
                        self.scope.pop();
                    } else {
                        self.walk(&entry.value, depth + 1);
                    }
                }
            }
            NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
        }
    }

    fn call(&mut self, call: Call<'a>, form: Form, argument: &'a Node, depth: usize) {
        let d = depth + 1;
        match call {
            Call::Ref { name } => self.push(RefKind::Ref, &name, None),
            Call::GetAtt {
                resource,
                attribute,
            } => match attribute {
                AttributeRef::Name(attr) => self.push(RefKind::GetAtt, &resource, Some(attr.text)),
                AttributeRef::Expr(expr) => {
                    self.push(RefKind::GetAtt, &resource, None);
                    self.walk(expr, d);
                }
            },
            Call::Sub {
                template,
                variables,
            } => {
                let mut bound = 0;
                if let Some(vars) = variables {
                    match vars.as_mapping() {
                        Some(entries) if intrinsic(vars).is_none() => {
                            for e in entries {
                                self.walk(&e.value, d);
                                if let Some(k) = e.key.as_str() {
                                    self.scope.push(k);
                                    bound += 1;
                                }
                            }
                        }
                        _ => self.walk(vars, d),
                    }
                }
                self.sub_string(template);
                self.scope.truncate(self.scope.len() - bound);
            }
            Call::If {
                condition,
                then,
                otherwise,
            } => {
                self.push(RefKind::Condition, &condition, None);
                self.walk(then, d);
                self.walk(otherwise, d);
            }
            Call::Condition { name } => self.push(RefKind::Condition, &name, None),
            Call::FindInMap {
                map,
                top_key,
                second_key,
                default,
            } => {
                match NameRef::whole(map) {
                    Some(name) if map.tag.is_none() => self.push(RefKind::FindInMap, &name, None),
                    _ => self.walk(map, d),
                }
                self.walk(top_key, d);
                self.walk(second_key, d);
                if let Some(default) = default {
                    self.walk(default, d);
                }
            }
            // The nodes of every other call are plain arguments: visit them. For the short form
            // the argument node carries the tag itself, so visit its children, not it again.
            _ => match form {
                Form::Short => match long_form(argument) {
                    Some(inner) => self.call(inner.call, inner.form, inner.argument, d),
                    None => self.children(argument, depth),
                },
                Form::Long => self.walk(argument, d),
            },
        }
    }

    fn sub_string(&mut self, template: &'a Node) {
        let Some(text) = template.as_str() else {
            return;
        };
        // A malformed string is a different problem; its well-formed prefix is not worth
        // reporting on its own. An empty `${}` is skipped (and recorded); an unclosed `${` is
        // left alone, as what CloudFormation makes of one is not documented.
        let Ok((parts, empty)) = parse_sub_skipping_empty(text) else {
            return;
        };
        for range in empty {
            self.sub_problems.push(SubProblem {
                node: template,
                range,
                name: "",
            });
        }
        for part in parts {
            let SubPart::Variable { name, range, .. } = part else {
                continue;
            };
            if !is_valid_sub_variable(name) {
                self.sub_problems.push(SubProblem {
                    node: template,
                    range,
                    name,
                });
                continue;
            }
            let (kind, target, attribute) = match SubVariable::classify(name) {
                SubVariable::Pseudo(n) | SubVariable::Name(n) => (RefKind::SubName, n, None),
                SubVariable::Attribute {
                    resource,
                    attribute,
                } => (RefKind::SubAttribute, resource, Some(attribute)),
            };
            // Bound variables are matched by their whole text (`${Var}`), loop identifiers too.
            if self.scope.contains(&name) || self.scope.contains(&target) {
                continue;
            }
            self.push(
                kind,
                &NameRef {
                    text: target,
                    node: template,
                    range,
                },
                attribute,
            );
        }
    }
}

/// `Fn::ForEach::Name: [Identifier, Collection, Body]`.
fn for_each<'a>(key: &'a Node, value: &'a Node) -> Option<(&'a str, &'a Node, &'a Node)> {
    if !key.as_str()?.starts_with("Fn::ForEach::") {
        return None;
    }
    match value.as_sequence()? {
        [identifier, collection, body] => Some((identifier.as_str()?, collection, body)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::testing::*;

    fn names(t: &Template<'_>) -> Vec<(RefKind, String)> {
        t.references()
            .iter()
            .map(|r| (r.kind, r.name.to_string()))
            .collect()
    }

    #[test]
    fn collects_every_kind_and_respects_sub_variables() {
        let root = map(vec![
            (
                "Conditions",
                map(vec![(
                    "Both",
                    tagged(
                        "!And",
                        seq(vec![
                            map(vec![("Condition", scalar("IsProd"))]),
                            tagged("!Condition", scalar("IsBig")),
                        ]),
                    ),
                )]),
            ),
            (
                "Resources",
                map(vec![(
                    "Role",
                    map(vec![
                        ("Type", scalar("AWS::IAM::Role")),
                        ("Condition", scalar("Both")),
                        ("DependsOn", scalar("Bucket")),
                        (
                            "Properties",
                            map(vec![
                                ("A", tagged("!Ref", scalar("Env"))),
                                ("B", tagged("!GetAtt", scalar("Bucket.Arn"))),
                                (
                                    "C",
                                    tagged(
                                        "!Sub",
                                        seq(vec![
                                            scalar("${Local}-${Queue.Arn}-${AWS::Region}"),
                                            map(vec![("Local", tagged("!Ref", scalar("Other")))]),
                                        ]),
                                    ),
                                ),
                                (
                                    "D",
                                    map(vec![(
                                        "Fn::If",
                                        seq(vec![
                                            scalar("IsProd"),
                                            map(vec![(
                                                "Fn::FindInMap",
                                                seq(vec![
                                                    scalar("Sizes"),
                                                    scalar("a"),
                                                    scalar("b"),
                                                ]),
                                            )]),
                                            scalar("x"),
                                        ]),
                                    )]),
                                ),
                            ]),
                        ),
                    ]),
                )]),
            ),
        ]);
        let t = Template::from_root(&root);
        let s = |k, n: &str| (k, n.to_string());
        assert_eq!(
            names(&t),
            vec![
                s(RefKind::Condition, "IsProd"),
                s(RefKind::Condition, "IsBig"),
                s(RefKind::Condition, "Both"),
                s(RefKind::DependsOn, "Bucket"),
                s(RefKind::Ref, "Env"),
                s(RefKind::GetAtt, "Bucket"),
                s(RefKind::Ref, "Other"),
                s(RefKind::SubAttribute, "Queue"),
                s(RefKind::SubName, "AWS::Region"),
                s(RefKind::Condition, "IsProd"),
                s(RefKind::FindInMap, "Sizes"),
            ]
        );
    }

    #[test]
    fn a_long_form_call_carrying_a_short_tag_is_both() {
        // `UserData: !Base64 {Fn::Sub: '${Param}'}`: one node, two calls.
        let root = map(vec![(
            "Outputs",
            map(vec![(
                "Out",
                map(vec![(
                    "Value",
                    tagged("!Base64", map(vec![("Fn::Sub", scalar("${Param}"))])),
                )]),
            )]),
        )]);
        let t = Template::from_root(&root);
        assert_eq!(names(&t), vec![(RefKind::SubName, "Param".to_string())]);
    }

    #[test]
    fn for_each_identifiers_are_bound_in_their_body() {
        let root = map(vec![(
            "Resources",
            map(vec![(
                "Fn::ForEach::Topics",
                seq(vec![
                    scalar("Name"),
                    tagged("!Ref", scalar("TopicNames")),
                    map(vec![(
                        "${Name}Topic",
                        map(vec![(
                            "Properties",
                            map(vec![(
                                "TopicName",
                                tagged("!Sub", scalar("${Name}-${Suffix}")),
                            )]),
                        )]),
                    )]),
                ]),
            )]),
        )]);
        let t = Template::from_root(&root);
        assert_eq!(
            names(&t),
            vec![
                (RefKind::Ref, "TopicNames".to_string()),
                (RefKind::SubName, "Suffix".to_string())
            ]
        );
    }
}

//! `Fn::ForEach` loops (the `AWS::LanguageExtensions` transform): what each loop generates and
//! what it uses, read from the template as written, without expanding it.
//!
//! A loop is an entry `Fn::ForEach::Name: [Identifier, Collection, {OutputKey: Body}]` of
//! `Resources`, `Outputs` or `Conditions`, or of another loop's output mapping (nested loops).
//! Each output key is a pattern in which `${Identifier}` stands for a value of the collection
//! and `&{Identifier}` for that value with its non-alphanumeric characters removed; the keys of
//! enclosing loops' identifiers may appear too.
//!
//! What rules and other stages can ask (the API, meant for reuse):
//! - [`Template::loops`]: every loop of the three sections, outer loops before the loops they
//!   hold, each a [`ForEach`] with its identifier, collection node, output mapping, the section
//!   it generates into and its enclosing loop.
//! - [`ForEach::values`]: the collection's values when it is written as a list of plain strings
//!   (a parameter or another intrinsic gives `None`: unknown until deploy time).
//! - [`Template::generated`]: the keys the loops write into a section, each a [`LoopName`]
//!   with its pattern and, when every loop around it has literal values, the exact names
//!   (`Queue${Name}` over `[A, B]` → `QueueA`, `QueueB`).
//! - [`Template::loop_references`]: the `Ref`s whose name is built inside a loop
//!   (`Ref: !Sub 'Size${Name}'`), each a [`LoopName`] with its pattern and, when known,
//!   the exact names; parameters used only this way are used.
//! - [`pattern_matches`]: whether a name fits a pattern, when the values are not known.
//!
//! The collection itself (`!Ref Names`) is an ordinary reference, found by
//! [`Template::references`] like any other.

use super::intrinsic::{intrinsic, long_form, Call};
use super::model::Template;
use crate::yaml::{Node, NodeKind};

/// The sections whose entries a loop may generate.
const LOOP_SECTIONS: &[&str] = &["Resources", "Outputs", "Conditions"];

/// Nesting beyond this is not a real template; stop rather than overflow the stack.
const MAX_DEPTH: usize = 64;

/// One `Fn::ForEach` loop.
#[derive(Clone, Debug)]
pub struct ForEach<'a> {
    /// The loop's name: `Topics` of `Fn::ForEach::Topics`.
    pub name: &'a str,
    /// The `Fn::ForEach::Name` key.
    pub key: &'a Node,
    /// The section whose entries it generates: `Resources`, `Outputs` or `Conditions`.
    pub section: &'a str,
    pub identifier: &'a str,
    pub collection: &'a Node,
    /// The output mapping: keys are patterns, values are the definitions.
    pub body: &'a Node,
    /// The enclosing loop, as an index into [`Template::loops`].
    pub outer: Option<usize>,
}

impl<'a> ForEach<'a> {
    /// The collection's values when written as a list of plain strings.
    pub fn values(&self) -> Option<Vec<&'a str>> {
        if self.collection.tag.is_some() {
            return None;
        }
        self.collection
            .as_sequence()?
            .iter()
            .map(|item| {
                if item.tag.is_none() {
                    item.as_str()
                } else {
                    None
                }
            })
            .collect()
    }
}

/// A name a loop builds from its identifiers: a key it writes into a section (a logical ID, an
/// output or a condition name: [`Template::generated`]), or the name of a `Ref` whose argument
/// is a `Fn::Sub` (`Ref: !Sub 'Size${Name}'`: [`Template::loop_references`]).
#[derive(Clone, Debug)]
pub struct LoopName<'a> {
    /// As written (`Queue${Name}`, `Size${Name}`).
    pub pattern: &'a str,
    /// The scalar holding it: the key, or the `Fn::Sub` string.
    pub node: &'a Node,
    /// The exact names, when every enclosing loop's values are literal.
    pub names: Option<Vec<String>>,
    /// The innermost loop building it, as an index into [`Template::loops`].
    pub in_loop: usize,
}

/// What the loops of a template are, found once.
#[derive(Clone, Debug, Default)]
pub(crate) struct Loops<'a> {
    loops: Vec<ForEach<'a>>,
    generated: Vec<LoopName<'a>>,
    references: Vec<LoopName<'a>>,
}

impl<'a> Template<'a> {
    /// Every `Fn::ForEach` loop of `Resources`, `Outputs` and `Conditions`, outer loops first.
    pub fn loops(&self) -> &[ForEach<'a>] {
        &self.found_loops().loops
    }

    /// The keys the loops write into `section` (`Resources`, `Outputs`, `Conditions`).
    pub fn generated<'t>(
        &'t self,
        section: &'t str,
    ) -> impl Iterator<Item = &'t LoopName<'a>> + 't {
        let loops = &self.found_loops().loops;
        self.found_loops()
            .generated
            .iter()
            .filter(move |g| loops[g.in_loop].section == section)
    }

    /// The `Ref`s whose names loops build with `Fn::Sub`.
    pub fn loop_references(&self) -> &[LoopName<'a>] {
        &self.found_loops().references
    }

    fn found_loops(&self) -> &Loops<'a> {
        self.loops.get_or_init(|| {
            let mut found = Loops::default();
            for section in &self.sections {
                if LOOP_SECTIONS.contains(&section.name) {
                    find_loops(section.value, section.name, None, &mut found, 0);
                }
            }
            found
        })
    }
}

/// The loops among the entries of `mapping` (a section, or a loop's output mapping).
fn find_loops<'a>(
    mapping: &'a Node,
    section: &'a str,
    outer: Option<usize>,
    found: &mut Loops<'a>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    for entry in mapping.as_mapping().unwrap_or_default() {
        let Some(name) = entry
            .key
            .as_str()
            .and_then(|k| k.strip_prefix("Fn::ForEach::"))
        else {
            continue;
        };
        let Some([identifier, collection, body]) = entry.value.as_sequence() else {
            continue;
        };
        let Some(identifier) = identifier.as_str() else {
            continue;
        };
        let index = found.loops.len();
        found.loops.push(ForEach {
            name,
            key: &entry.key,
            section,
            identifier,
            collection,
            body,
            outer,
        });
        let bindings = bindings(&found.loops, index);
        for output in body.as_mapping().unwrap_or_default() {
            let Some(pattern) = output.key.as_str() else {
                continue;
            };
            if pattern.starts_with("Fn::ForEach::") {
                continue;
            }
            found.generated.push(LoopName {
                pattern,
                node: &output.key,
                names: bindings.as_ref().map(|b| expand_all(pattern, b)),
                in_loop: index,
            });
            collect_references(&output.value, index, bindings.as_deref(), found, 0);
        }
        find_loops(body, section, Some(index), found, depth + 1);
    }
}

/// `Ref: !Sub '…'` and `{Ref: {Fn::Sub: '…'}}` below `node` (not inside nested loops, which
/// record their own).
fn collect_references<'a>(
    node: &'a Node,
    in_loop: usize,
    bindings: Option<&[Vec<(&'a str, &'a str)>]>,
    found: &mut Loops<'a>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(sub) = ref_of_sub(node) {
        if let Some(pattern) = sub.as_str() {
            found.references.push(LoopName {
                pattern,
                node: sub,
                names: bindings.map(|b| expand_all(pattern, b)),
                in_loop,
            });
        }
        return;
    }
    match &node.kind {
        NodeKind::Sequence(items) => {
            for item in items {
                collect_references(item, in_loop, bindings, found, depth + 1);
            }
        }
        NodeKind::Mapping(entries) => {
            for entry in entries {
                let nested = entry
                    .key
                    .as_str()
                    .is_some_and(|k| k.starts_with("Fn::ForEach::"));
                if !nested {
                    collect_references(&entry.value, in_loop, bindings, found, depth + 1);
                }
            }
        }
        NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
    }
}

/// The `Fn::Sub` string node of a `Ref` whose argument is a `Fn::Sub` call:
/// `Ref: !Sub '…'`, `Ref: {Fn::Sub: '…'}` or `!Ref {Fn::Sub: '…'}`.
fn ref_of_sub(node: &Node) -> Option<&Node> {
    let argument = match node.tag_text() {
        Some("!Ref") => node,
        Some(_) => return None,
        None => {
            let [entry] = node.as_mapping()? else {
                return None;
            };
            (entry.key.as_str() == Some("Ref")).then_some(&entry.value)?
        }
    };
    let call = if argument.tag_text() == Some("!Sub") {
        intrinsic(argument)?
    } else {
        long_form(argument)?
    };
    match call.call {
        Call::Sub {
            template,
            variables: None,
        } => Some(template),
        _ => None,
    }
}

/// Every combination of values of loop `index` and the loops around it: one list of
/// (identifier, value) per combination. `None` when some collection is not literal.
fn bindings<'a>(loops: &[ForEach<'a>], index: usize) -> Option<Vec<Vec<(&'a str, &'a str)>>> {
    let mut chain = Vec::new();
    let mut at = Some(index);
    while let Some(i) = at {
        chain.push(&loops[i]);
        at = loops[i].outer;
    }
    let mut combinations: Vec<Vec<(&str, &str)>> = vec![Vec::new()];
    for l in chain.iter().rev() {
        let values = l.values()?;
        let mut next = Vec::with_capacity(combinations.len() * values.len());
        for combination in &combinations {
            for value in &values {
                let mut c = combination.clone();
                c.push((l.identifier, *value));
                next.push(c);
            }
        }
        // A template with loops that large is not worth expanding name by name.
        if next.len() > 10_000 {
            return None;
        }
        combinations = next;
    }
    Some(combinations)
}

fn expand_all(pattern: &str, bindings: &[Vec<(&str, &str)>]) -> Vec<String> {
    let mut names: Vec<String> = bindings.iter().map(|b| expand(pattern, b)).collect();
    names.sort();
    names.dedup();
    names
}

/// `pattern` with `${Id}` replaced by the value and `&{Id}` by the value's letters and digits.
pub fn expand(pattern: &str, binding: &[(&str, &str)]) -> String {
    let mut out = pattern.to_string();
    for (identifier, value) in binding {
        out = out.replace(&format!("${{{identifier}}}"), value);
        let alphanumeric: String = value.chars().filter(char::is_ascii_alphanumeric).collect();
        out = out.replace(&format!("&{{{identifier}}}"), &alphanumeric);
    }
    out
}

/// Whether `name` fits a loop pattern in which every `${…}` and `&{…}` stands for any
/// non-empty text.
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let mut literals = Vec::new();
    let mut rest = pattern;
    loop {
        let next = [rest.find("${"), rest.find("&{")]
            .into_iter()
            .flatten()
            .min();
        let Some(start) = next else {
            literals.push(rest);
            break;
        };
        literals.push(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => return false,
        }
    }
    let [first, middle @ .., last] = literals.as_slice() else {
        return pattern == name;
    };
    let Some(mut remaining) = name.strip_prefix(first) else {
        return false;
    };
    for lit in middle {
        // Each variable stands for at least one character.
        let Some(i) = remaining.get(1..).and_then(|r| r.find(lit)) else {
            return false;
        };
        remaining = &remaining[i + 1 + lit.len()..];
    }
    remaining.ends_with(last) && remaining.len() > last.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, ParseOptions};

    const TEMPLATE: &str = "\
Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList}
  SizeA: {Type: Number}
  SizeB: {Type: Number}
Conditions:
  Fn::ForEach::Envs:
    - Env
    - [dev, prod]
    - Is${Env}: !Equals [!Ref AWS::StackName, !Sub '${Env}']
Resources:
  Fn::ForEach::Queues:
    - Name
    - [A, B]
    - Queue${Name}:
        Type: AWS::SQS::Queue
        Properties:
          DelaySeconds:
            Ref: !Sub Size${Name}
      Fn::ForEach::Dlqs:
        - Kind
        - [main, retry-1]
        - Dlq${Name}&{Kind}:
            Type: AWS::SQS::Queue
  Fn::ForEach::Topics:
    - T
    - !Ref Names
    - ${T}Topic:
        Type: AWS::SNS::Topic
";

    fn names<'g>(generated: &'g LoopName<'_>) -> Option<Vec<&'g str>> {
        generated
            .names
            .as_ref()
            .map(|n| n.iter().map(String::as_str).collect())
    }

    #[test]
    fn finds_loops_what_they_generate_and_the_refs_they_build() {
        let doc = parse(TEMPLATE, &ParseOptions::default()).unwrap();
        let t = Template::from_document(&doc);
        let loops = t.loops();
        let found: Vec<(&str, &str, Option<usize>)> =
            loops.iter().map(|l| (l.name, l.section, l.outer)).collect();
        assert_eq!(
            found,
            [
                ("Envs", "Conditions", None),
                ("Queues", "Resources", None),
                ("Dlqs", "Resources", Some(1)),
                ("Topics", "Resources", None),
            ]
        );
        assert_eq!(loops[1].values(), Some(vec!["A", "B"]));
        assert_eq!(loops[3].values(), None);

        let resources: Vec<&LoopName<'_>> = t.generated("Resources").collect();
        assert_eq!(resources.len(), 3);
        assert_eq!(names(resources[0]), Some(vec!["QueueA", "QueueB"]));
        // Nested: both identifiers, `&{}` without the dash.
        assert_eq!(
            names(resources[1]),
            Some(vec!["DlqAmain", "DlqAretry1", "DlqBmain", "DlqBretry1"])
        );
        // A parameter as collection: only the pattern is known.
        assert_eq!(resources[2].pattern, "${T}Topic");
        assert_eq!(names(resources[2]), None);
        let conditions: Vec<&LoopName<'_>> = t.generated("Conditions").collect();
        assert_eq!(names(conditions[0]), Some(vec!["Isdev", "Isprod"]));

        let refs = t.loop_references();
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].pattern, "Size${Name}");
        assert_eq!(refs[0].names, Some(vec!["SizeA".into(), "SizeB".into()]));
    }

    #[test]
    fn patterns_match_generated_names() {
        assert!(pattern_matches("${Name}Topic", "OrdersTopic"));
        assert!(pattern_matches("Queue&{Name}Dlq", "QueueABDlq"));
        assert!(pattern_matches("${A}${B}", "xy"));
        assert!(!pattern_matches("${A}x${B}", "xy"));
        assert!(!pattern_matches("${Name}Topic", "Topic"));
        assert!(!pattern_matches("${Name}Topic", "OrdersQueue"));
        assert!(pattern_matches("Plain", "Plain"));
        assert!(!pattern_matches("Plain", "Plainer"));
    }
}

//! Where the branches of `Fn::If` are: every `then` and `else` value of every `Fn::If` of a
//! document, with the condition that selects it. A finding inside a branch only holds when
//! that condition has that value, and says so (see `rules::iam::branches`).

use super::intrinsic::{intrinsic, Call};
use crate::source::Span;
use crate::yaml::Node;

/// One branch of an `Fn::If`: its value's span, the condition's name, and which value of the
/// condition selects it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Branch<'a> {
    pub span: Span,
    pub condition: &'a str,
    pub when: bool,
}

/// Nesting bound, as for every walk of untrusted input.
const MAX_DEPTH: usize = 256;

/// Every `Fn::If` branch under `root`, outermost first (a branch precedes the branches nested in
/// it), in source order otherwise.
pub fn if_branches(root: &Node) -> Vec<Branch<'_>> {
    let mut out = Vec::new();
    collect(root, &mut out, 0);
    out
}

fn collect<'a>(node: &'a Node, out: &mut Vec<Branch<'a>>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(Call::If {
        condition,
        then,
        otherwise,
    }) = intrinsic(node).map(|i| i.call)
    {
        for (value, when) in [(then, true), (otherwise, false)] {
            // A tagged value (`!Ref AWS::NoValue`) starts at its tag.
            let span = value
                .tag
                .as_ref()
                .map_or(value.span, |t| t.span.cover(value.span));
            out.push(Branch {
                span,
                condition: condition.text,
                when,
            });
            collect(value, out, depth + 1);
        }
        return;
    }
    if let Some(items) = node.as_sequence() {
        for item in items {
            collect(item, out, depth + 1);
        }
    } else if let Some(entries) = node.as_mapping() {
        for e in entries {
            collect(&e.value, out, depth + 1);
        }
    }
}

/// The branches that contain `span`, outermost first: the conditions under which a finding at
/// `span` holds. A span that is the whole `Fn::If` is in no branch.
pub fn branches_around<'b, 'a>(branches: &'b [Branch<'a>], span: Span) -> Vec<&'b Branch<'a>> {
    branches
        .iter()
        .filter(|b| b.span.start <= span.start && span.end <= b.span.end && !b.span.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{self, ParseOptions};

    #[test]
    fn branches_nest_outermost_first() {
        let text = "\
A: !If [C1, {B: !If [C2, x, y]}, z]
D: {Fn::If: [C3, [1, 2], !Ref AWS::NoValue]}
";
        let doc = yaml::parse(text, &ParseOptions::default()).unwrap();
        let branches = if_branches(doc.root.as_ref().unwrap());
        let names: Vec<_> = branches
            .iter()
            .map(|b| (b.condition, b.when, &text[b.span.start..b.span.end]))
            .collect();
        assert_eq!(
            names,
            [
                ("C1", true, "{B: !If [C2, x, y]}"),
                ("C2", true, "x"),
                ("C2", false, "y"),
                ("C1", false, "z"),
                ("C3", true, "[1, 2]"),
                ("C3", false, "!Ref AWS::NoValue"),
            ]
        );
        let x = text.find('x').unwrap();
        let around = branches_around(&branches, Span::new(x, x + 1));
        let conditions: Vec<_> = around.iter().map(|b| (b.condition, b.when)).collect();
        assert_eq!(conditions, [("C1", true), ("C2", true)]);
        // The whole `Fn::If` is in no branch of its own.
        let d = text.find("{Fn::If").unwrap();
        assert!(branches_around(&branches, Span::new(d, text.len() - 1)).is_empty());
    }
}

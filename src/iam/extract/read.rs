//! Reading one policy document's nodes into the [`crate::iam::model`]: statements, actions,
//! resources, principals and conditions, with `Fn::If` branches expanded and marked
//! conditional. Where the document was found and whether it was written as a string are the
//! other parts' business: this one is handed nodes.

use super::locate::Location;
use crate::iam::action::ActionPattern;
use crate::iam::model::{
    ActionItem, ActionList, ConditionBlock, ConditionEntry, ConditionOperator, DocumentOrigin,
    Element, Item, Policy, PolicyKind, PrincipalBlock, PrincipalEntry, ResourceList, Statement,
};
use crate::source::Span;
use crate::template::spans::whole_value_span;
use crate::template::{alternatives, intrinsic, is_no_value, string_template};
use crate::yaml::{Entry, Node};

/// Like [`indexed_items`], also telling whether the value came from an `Fn::If` branch.
fn conditional_items(value: &Node) -> Vec<(&Node, bool)> {
    let mut out = Vec::new();
    let top = alternatives(value);
    let top_conditional = top.len() > 1;
    for alt in top {
        if is_no_value(alt) {
            continue;
        }
        match alt.as_sequence() {
            Some(items) if alt.tag.is_none() => {
                for item in items {
                    let alts = alternatives(item);
                    let conditional = top_conditional || alts.len() > 1;
                    out.extend(
                        alts.into_iter()
                            .filter(|n| !is_no_value(n))
                            .map(|n| (n, conditional)),
                    );
                }
            }
            _ => out.push((alt, top_conditional)),
        }
    }
    out
}

/// A whole file that is a policy document. Its kind follows its content: principals make it
/// a resource policy, principals with only `sts:AssumeRole*` actions a trust policy.
pub fn standalone<'a>(root: &'a Node, source: &'a str) -> Policy<'a> {
    let mut policy = read_document(root, root, DocumentOrigin::Standalone, false, source);
    let with_principal: Vec<&Statement<'_>> = policy
        .statements
        .iter()
        .filter(|s| s.principal.is_some() || s.not_principal.is_some())
        .collect();
    policy.kind = if with_principal.is_empty() {
        PolicyKind::Identity
    } else if with_principal.iter().all(|s| {
        !s.actions().is_empty()
            && s.actions().iter().all(|a| {
                a.text
                    .is_some_and(|t| t.to_ascii_lowercase().starts_with("sts:assumerole"))
            })
    }) {
        PolicyKind::Trust
    } else {
        PolicyKind::Resource
    };
    policy
}

pub(super) fn read_policy<'a>(
    loc: &Location<'a>,
    host: &'a Node,
    node: &'a Node,
    origin: DocumentOrigin,
    conditional: bool,
    source: &'a str,
) -> Policy<'a> {
    let mut p = read_document(host, node, origin, conditional, source);
    if loc.statement_only {
        // Of the resource's properties only `Statement` belongs to the policy.
        let entries = p.entries;
        p.entries = entries
            .iter()
            .position(|e| e.key.as_str() == Some("Statement"))
            .map_or(&[], |i| &entries[i..=i]);
        p.version = None;
        p.id = None;
        p.statement_only = true;
    }
    p.kind = loc.kind;
    p.owner = Some(loc.owner);
    p.path = loc.path.clone();
    p.managed = loc.managed;
    p.attached_to = loc.attached_to.clone();
    p.name = loc.name;
    p
}

fn read_document<'a>(
    host: &'a Node,
    node: &'a Node,
    origin: DocumentOrigin,
    conditional: bool,
    source: &'a str,
) -> Policy<'a> {
    let entries = node.as_mapping().unwrap_or_default();
    let element = |name: &str| {
        entries
            .iter()
            .find(|e| e.key.as_str() == Some(name))
            .map(Element::from_entry)
    };
    let statement = element("Statement");
    let mut statements = Vec::new();
    if let Some(st) = statement {
        for alt in alternatives(st.value) {
            if is_no_value(alt) {
                continue;
            }
            let alt_conditional = !std::ptr::eq(alt, st.value);
            match alt.as_sequence() {
                Some(items) if intrinsic(alt).is_none() => {
                    for (index, item) in items.iter().enumerate() {
                        let branches = alternatives(item);
                        let item_conditional = alt_conditional || branches.len() > 1;
                        for b in branches {
                            if !is_no_value(b) {
                                statements.push(read_statement(b, index, item_conditional, source));
                            }
                        }
                    }
                }
                _ => statements.push(read_statement(alt, 0, alt_conditional, source)),
            }
        }
    }
    Policy {
        kind: PolicyKind::Identity,
        owner: None,
        path: String::new(),
        managed: false,
        host,
        node,
        origin,
        conditional,
        entries,
        version: element("Version"),
        id: element("Id"),
        statement,
        statements,
        attached_to: Vec::new(),
        name: None,
        statement_only: false,
    }
}

fn read_statement<'a>(
    node: &'a Node,
    index: usize,
    conditional: bool,
    source: &'a str,
) -> Statement<'a> {
    let entries: &'a [Entry] = match intrinsic(node) {
        None => node.as_mapping().unwrap_or_default(),
        Some(_) => &[],
    };
    let element = |name: &str| {
        entries
            .iter()
            .find(|e| e.key.as_str() == Some(name))
            .map(Element::from_entry)
    };
    let actions = |name: &str| {
        element(name).map(|element| ActionList {
            element,
            items: conditional_items(element.value)
                .into_iter()
                .map(|(n, c)| action_item(n, c, source))
                .collect(),
        })
    };
    let resources = |name: &str| {
        element(name).map(|element| ResourceList {
            element,
            items: values(element.value, source),
        })
    };
    let principals = |name: &str| element(name).map(|e| principal_block(e, source));
    Statement {
        node,
        index,
        conditional,
        entries,
        sid: element("Sid"),
        effect: element("Effect"),
        action: actions("Action"),
        not_action: actions("NotAction"),
        resource: resources("Resource"),
        not_resource: resources("NotResource"),
        principal: principals("Principal"),
        not_principal: principals("NotPrincipal"),
        condition: element("Condition").map(|e| condition_block(e, source)),
    }
}

fn action_item<'a>(node: &'a Node, conditional: bool, source: &str) -> ActionItem<'a> {
    let text = if node.tag.is_none() {
        node.as_str()
    } else {
        None
    };
    ActionItem::new(
        node,
        whole_value_span(node, source),
        text,
        text.map(ActionPattern::parse),
        conditional,
    )
}

fn values<'a>(value: &'a Node, source: &str) -> Vec<Item<'a>> {
    conditional_items(value)
        .into_iter()
        .map(|(node, conditional)| {
            Item::new(
                node,
                item_span(node, source),
                string_template(node, source),
                conditional,
            )
        })
        .collect()
}

/// A literal's own bytes; an intrinsic's whole expression.
fn item_span(node: &Node, source: &str) -> Span {
    if node.tag.is_none() && node.as_scalar().is_some() {
        whole_value_span(node, source)
    } else {
        node.span
    }
}

fn principal_block<'a>(element: Element<'a>, source: &str) -> PrincipalBlock<'a> {
    let mut block = PrincipalBlock {
        element,
        wildcard: None,
        entries: Vec::new(),
    };
    for alt in alternatives(element.value) {
        if is_no_value(alt) {
            continue;
        }
        if alt.as_scalar().is_some() && alt.tag.is_none() {
            block.wildcard = Some(Item::new(
                alt,
                item_span(alt, source),
                string_template(alt, source),
                !std::ptr::eq(alt, element.value),
            ));
            continue;
        }
        if intrinsic(alt).is_some() {
            continue;
        }
        for e in alt.as_mapping().unwrap_or_default() {
            let Some(kind) = e.key.as_str() else { continue };
            block.entries.push(PrincipalEntry {
                key: &e.key,
                kind,
                values: values(&e.value, source),
            });
        }
    }
    block
}

fn condition_block<'a>(element: Element<'a>, source: &str) -> ConditionBlock<'a> {
    let mut block = ConditionBlock {
        element,
        operators: Vec::new(),
    };
    for alt in alternatives(element.value) {
        if is_no_value(alt) || intrinsic(alt).is_some() {
            continue;
        }
        for op in alt.as_mapping().unwrap_or_default() {
            let Some(name) = op.key.as_str() else {
                continue;
            };
            let mut operator = ConditionOperator {
                key: &op.key,
                name,
                node: &op.value,
                entries: Vec::new(),
            };
            for value_alt in alternatives(&op.value) {
                if is_no_value(value_alt) || intrinsic(value_alt).is_some() {
                    continue;
                }
                for e in value_alt.as_mapping().unwrap_or_default() {
                    let Some(key) = e.key.as_str() else { continue };
                    operator.entries.push(ConditionEntry {
                        key: &e.key,
                        name: key,
                        node: &e.value,
                        values: values(&e.value, source),
                    });
                }
            }
            block.operators.push(operator);
        }
    }
    block
}

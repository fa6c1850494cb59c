//! Typed view of a CloudFormation template, borrowing the YAML tree.
//!
//! - [`Template`] (model.rs): sections, parameters, resources, outputs, each keeping its nodes.
//! - [`intrinsic()`](intrinsic::intrinsic): `!Tag` and `Fn::` forms normalised into one [`Intrinsic`].
//! - [`sub`]: the `Fn::Sub` string language (nom), with byte offsets.
//! - [`string_template`]: a string-valued expression as literal and symbolic pieces.
//! - [`Template::references`] (refs.rs): every use of a name, for the reference rules.
//! - [`spans`]: from byte ranges of a scalar's value to source spans.
//! - [`external`]: values filled in outside the template (dynamic references, tool variables).
//! - [`foreach`]: `Fn::ForEach` loops, what they generate and the references they build.
//! - [`branches`]: where the branches of every `Fn::If` are, and the condition choosing each.
//! - [`states`]: the service calls of a Step Functions state machine's definition.

pub mod branches;
pub mod external;
pub mod foreach;
pub mod intrinsic;
pub mod model;
pub mod refs;
pub mod spans;
pub mod states;
pub mod strtemplate;
pub mod sub;

pub use intrinsic::{
    alternatives, intrinsic, is_no_value, AttributeRef, Call, Form, Function, Intrinsic, NameRef,
};
pub use model::{
    Named, Output, Parameter, Resource, Section, Template, PACKAGING_SECTIONS, SECTIONS,
};
pub use refs::{is_valid_sub_variable, RefKind, Reference, SubProblem};
pub use strtemplate::{string_template, StringPart, StringTemplate};

/// Pseudo parameters every template can `Ref`.
pub const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

/// Builders of hand-made trees for parser-independent tests.
#[cfg(test)]
pub(crate) mod testing {
    use crate::source::Span;
    use crate::yaml::{Entry, Node, NodeKind, Scalar, ScalarStyle, Tag};

    pub fn scalar(value: &str) -> Node {
        Node {
            span: Span::default(),
            tag: None,
            anchor: None,
            kind: NodeKind::Scalar(Scalar {
                value: value.to_string(),
                style: ScalarStyle::Plain,
            }),
        }
    }

    /// A scalar spanning `source[start..end]`.
    pub fn scalar_at(
        source: &str,
        start: usize,
        end: usize,
        value: &str,
        style: ScalarStyle,
    ) -> Node {
        assert!(end <= source.len());
        Node {
            span: Span::new(start, end),
            tag: None,
            anchor: None,
            kind: NodeKind::Scalar(Scalar {
                value: value.to_string(),
                style,
            }),
        }
    }

    pub fn tagged(tag: &str, mut node: Node) -> Node {
        node.tag = Some(Box::new(Tag {
            text: tag.to_string(),
            span: Span::default(),
        }));
        node
    }

    pub fn tagged_at(tag: &str, node: Node) -> Node {
        tagged(tag, node)
    }

    pub fn seq(items: Vec<Node>) -> Node {
        Node {
            span: Span::default(),
            tag: None,
            anchor: None,
            kind: NodeKind::Sequence(items),
        }
    }

    pub fn map(entries: Vec<(&str, Node)>) -> Node {
        Node {
            span: Span::default(),
            tag: None,
            anchor: None,
            kind: NodeKind::Mapping(
                entries
                    .into_iter()
                    .map(|(k, value)| Entry {
                        key: scalar(k),
                        value,
                    })
                    .collect(),
            ),
        }
    }
}

//! Policy documents written as strings (`PolicyDocument: '{"Statement": …}'`, or built with
//! `Fn::Sub`/`Fn::Join`). Each is parsed once per file into a store the caller owns and its
//! spans are moved into the file's coordinates, so the model borrows its nodes like the
//! template's own and findings point inside the string.

use crate::source::Span;
use crate::template::spans::whole_value_span;
use crate::template::{intrinsic, string_template, Call, Function};
use crate::yaml::{self, Document, Node, NodeKind, ParseOptions, Tag};
use std::sync::OnceLock;

/// A policy document parsed out of a string.
#[derive(Debug)]
pub struct EmbeddedDocument {
    /// The span of the node holding the string (the key used to find it again).
    pub host: Span,
    pub document: Document,
    pub exact: bool,
}

/// Storage for documents parsed out of strings; owned by whoever owns the file's AST, so
/// the policy model can borrow from it.
#[derive(Debug, Default)]
pub struct EmbeddedDocuments {
    docs: OnceLock<Vec<EmbeddedDocument>>,
}

impl EmbeddedDocuments {
    pub(super) fn get_or_parse<'a>(
        &'a self,
        hosts: &[&'a Node],
        source: &str,
    ) -> &'a [EmbeddedDocument] {
        self.docs.get_or_init(|| {
            hosts
                .iter()
                .filter_map(|h| parse_embedded(h, source))
                .collect()
        })
    }
}

/// A string-valued expression holding a policy document: its text, the scalar it was read
/// from when that scalar's text is the document (so spans can point inside it), and whether
/// `${…}` in it are Sub variables.
fn document_text(host: &Node) -> Option<(String, Option<&Node>, bool)> {
    match intrinsic(host) {
        None => {
            let text = host.as_str()?;
            Some((text.to_string(), Some(host), false))
        }
        Some(i) => match i.call {
            Call::Sub { template, .. } => {
                Some((template.as_str()?.to_string(), Some(template), true))
            }
            Call::Join { .. } => Some((string_template(host, "").to_string(), None, true)),
            _ => None,
        },
    }
}

/// Whether `node` is a string (or string expression) rather than a document mapping.
pub(super) fn is_string_host(node: &Node) -> bool {
    match intrinsic(node) {
        None => node.as_scalar().is_some(),
        Some(i) => matches!(i.function, Function::Sub | Function::Join),
    }
}

fn parse_embedded(host: &Node, source: &str) -> Option<EmbeddedDocument> {
    let (text, scalar, sub) = document_text(host)?;
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let mut document = yaml::parse(&text, &ParseOptions::default()).ok()?;
    // The string's value maps byte for byte onto the source when the scalar is written
    // without escapes (a plain or block scalar, or quotes without escapes).
    let base = scalar.and_then(|s| {
        let span = whole_value_span(s, source);
        (source.get(span.start..span.end) == Some(text.as_str())).then_some(span.start)
    });
    let fallback = scalar.map_or(host.span, |s| s.span);
    if let Some(root) = &mut document.root {
        relocate(root, base, fallback, sub, 0);
    }
    for c in &mut document.comments {
        c.span = base.map_or(fallback, |b| shift(c.span, b));
    }
    Some(EmbeddedDocument {
        host: host.span,
        document,
        exact: base.is_some(),
    })
}

fn shift(span: Span, by: usize) -> Span {
    Span::new(span.start + by, span.end + by)
}

/// Move the spans of a parsed string into the file's coordinates; mark strings with `${…}` of
/// a Sub as Sub templates so they read symbolically.
fn relocate(node: &mut Node, base: Option<usize>, fallback: Span, sub: bool, depth: usize) {
    let to_file = |s: Span| base.map_or(fallback, |b| shift(s, b));
    node.span = to_file(node.span);
    if let Some(tag) = &mut node.tag {
        tag.span = to_file(tag.span);
    }
    if sub && node.tag.is_none() && node.as_str().is_some_and(|s| s.contains("${")) {
        node.tag = Some(Box::new(Tag {
            text: "!Sub".to_string(),
            span: node.span,
        }));
    }
    if depth > 512 {
        return;
    }
    match &mut node.kind {
        NodeKind::Sequence(items) => {
            for item in items {
                relocate(item, base, fallback, sub, depth + 1);
            }
        }
        NodeKind::Mapping(entries) => {
            for e in entries {
                relocate(&mut e.key, base, fallback, sub, depth + 1);
                relocate(&mut e.value, base, fallback, sub, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, with_policies};
    use crate::iam::model::DocumentOrigin;
    use crate::template::StringPart;

    #[test]
    fn json_string_documents_map_spans_into_the_string() {
        let text = r#"Resources:
  Domain:
    Type: AWS::OpenSearchService::Domain
    Properties:
      AccessPolicies: '{"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "es:ESHttpGet", "Resource": "*"}]}'
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: !Sub |
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
                        "Action": "kms:*", "Resource": "*"}]}
"#;
        with_policies(text, |ps| {
            assert_eq!(ps.len(), 2);
            assert_eq!(ps[0].origin, DocumentOrigin::JsonString { exact: true });
            let st = &ps[0].statements[0];
            let effect = st.effect.unwrap();
            assert_eq!(at(text, effect.value.span), "\"allow\"");
            assert_eq!(at(text, st.actions()[0].span), "es:ESHttpGet");
            let key = &ps[1].statements[0];
            let principal = &key.principal.as_ref().unwrap().entries[0];
            let arn = &principal.values[0];
            assert_eq!(arn.value.to_string(), "arn:aws:iam::${AWS::AccountId}:root");
            assert!(matches!(
                arn.value.parts[1],
                StringPart::Ref {
                    name: "AWS::AccountId",
                    ..
                }
            ));
            assert_eq!(at(text, arn.value.parts[1].span()), "${AWS::AccountId}");
        });
    }
}

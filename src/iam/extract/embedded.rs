//! Policy documents written as strings (`PolicyDocument: '{"Statement": …}'`, or built with
//! `Fn::Sub`/`Fn::Join`). Each is parsed once per file into a store the caller owns and its
//! spans are moved into the file's coordinates, so the model borrows its nodes like the
//! template's own and findings point inside the string.

use crate::source::Span;
use crate::template::spans::whole_value_span;
use crate::template::{intrinsic, string_template, Call, Function};
use crate::yaml::{self, Document, Node, NodeKind, ParseOptions, ScalarStyle, Tag};
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
pub fn is_string_host(node: &Node) -> bool {
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

/// Why a policy written as a string is not a JSON object, and where: the byte at which a JSON
/// reader gives up, mapped back into the file when the string is spelled as is in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonProblem {
    pub span: Span,
    pub message: String,
}

/// The problem of a policy document written as a string (`host` is a string or a `Fn::Sub`),
/// if it is not a JSON object. `${…}` variables of a `Fn::Sub` stand for unknown text: inside a
/// JSON string they are text, outside one a value. Documents built with `Fn::Join` are not
/// judged (their pieces are not spelled out in one place).
pub fn json_problem(host: &Node, source: &str) -> Option<JsonProblem> {
    let (text, scalar, sub) = document_text(host)?;
    let scalar = scalar?;
    let prepared = if sub {
        blank_sub_variables(&text)
    } else {
        text.clone()
    };
    let span = whole_value_span(scalar, source);
    let exact = source.get(span.start..span.end) == Some(text.as_str());
    let at = |offset: usize| -> Span {
        let offset = offset.min(text.len());
        // One character (or the end of the string) at `offset`.
        let len = text[offset..].chars().next().map_or(0, char::len_utf8);
        if exact {
            return Span::new(span.start + offset, span.start + offset + len);
        }
        match literal_block_offset(scalar, source, &text, offset) {
            Some(at) => Span::new(at, at + len),
            None => span,
        }
    };
    match serde_json::from_str::<serde_json::Value>(&prepared) {
        Ok(serde_json::Value::Object(_)) => None,
        // `!Sub "${PolicyJson}"`: the whole document comes from elsewhere.
        Ok(_) if sub && text.contains("${") => None,
        Ok(_) => Some(JsonProblem {
            span,
            message: "this string is not a policy document: a policy must be a JSON object \
                      (`{\"Version\": …, \"Statement\": […]}`)"
                .to_string(),
        }),
        Err(e) => {
            let mut offset = offset_of(&prepared, e.line(), e.column());
            // Text that ends too early: point at its last character.
            let content_end = prepared.trim_end().len();
            if offset >= content_end {
                offset = prepared[..content_end]
                    .char_indices()
                    .next_back()
                    .map_or(0, |(i, _)| i);
            }
            // The reader stops after a trailing comma; the comma is the mistake.
            if e.to_string().starts_with("trailing comma") {
                if let Some(comma) = prepared[..offset].rfind(',') {
                    offset = comma;
                }
            }
            let reason = e.to_string();
            let reason = reason
                .rsplit_once(" at line ")
                .map_or(reason.as_str(), |(head, _)| head);
            Some(JsonProblem {
                span: at(offset),
                message: format!("this policy document is not valid JSON: {}", plain(reason)),
            })
        }
    }
}

/// Where byte `offset` of a literal block scalar's value (`|`) is in the source: the value's
/// lines are the block's lines without their common indentation. `None` when the block does not
/// read back exactly so (another style, tabs, chomping indicators with explicit indentation).
fn literal_block_offset(scalar: &Node, source: &str, value: &str, offset: usize) -> Option<usize> {
    if scalar.as_scalar()?.style != ScalarStyle::Literal {
        return None;
    }
    let raw = source.get(scalar.span.start..scalar.span.end)?;
    let body_start = raw.find('\n')? + 1;
    let body = &raw[body_start..];
    let indent = body
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())?;
    let line_index = value[..offset].matches('\n').count();
    let column = offset - value[..offset].rfind('\n').map_or(0, |i| i + 1);
    let mut line_start = body_start;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        if i == line_index {
            let content = line.get(indent..).unwrap_or("");
            let expected = value.lines().nth(line_index).unwrap_or("");
            if !content.trim_end_matches(['\n', '\r']).starts_with(expected) {
                return None;
            }
            return Some(scalar.span.start + line_start + indent + column);
        }
        line_start += line.len();
    }
    None
}

/// The JSON reader's complaint in the words of someone fixing a policy by hand.
fn plain(reason: &str) -> String {
    const PLAIN: &[(&str, &str)] = &[
        (
            "EOF while parsing a list",
            "the text ends before a `]` closes the list",
        ),
        (
            "EOF while parsing an object",
            "the text ends before a `}` closes the object",
        ),
        (
            "EOF while parsing a string",
            "a string is not closed by a `\"`",
        ),
        (
            "EOF while parsing a value",
            "the text ends where a value is expected",
        ),
        (
            "trailing comma",
            "a comma before the closing bracket (JSON allows none)",
        ),
        (
            "key must be a string",
            "keys must be strings in double quotes",
        ),
        (
            "expected value",
            "a value is expected here (strings need double quotes)",
        ),
        ("expected `,` or `}`", "a `,` or `}` is expected here"),
        ("expected `,` or `]`", "a `,` or `]` is expected here"),
        ("expected `:`", "a `:` is expected after the key"),
        ("trailing characters", "text after the end of the document"),
    ];
    PLAIN
        .iter()
        .find(|(raw, _)| *raw == reason)
        .map_or_else(|| reason.to_string(), |(_, plain)| plain.to_string())
}

/// `${Name}` of a `Fn::Sub` replaced by text of the same length that keeps the JSON's shape:
/// `x`s inside a JSON string, a string token outside one. (`${!Literal}` stays: it is text.)
fn blank_sub_variables(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let (mut i, mut in_string, mut escaped) = (0, false, false);
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'$' && bytes.get(i + 1) == Some(&b'{') && bytes.get(i + 2) != Some(&b'!') {
            if let Some(close) = text[i..].find('}') {
                let len = close + 1;
                if in_string {
                    out.extend(std::iter::repeat_n(b'x', len));
                } else {
                    out.push(b'"');
                    out.extend(std::iter::repeat_n(b'x', len - 2));
                    out.push(b'"');
                }
                i += len;
                continue;
            }
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
        i += 1;
    }
    // Only ASCII was replaced, by ASCII of the same length: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

/// The byte offset of a 1-based line and column (columns count bytes, as the JSON reader
/// does; column 0 is the end of the previous line).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let offset = (line_start + column.saturating_sub(1)).min(text.len());
    // Back to a character boundary.
    (0..=offset)
        .rev()
        .find(|&o| text.is_char_boundary(o))
        .unwrap_or(0)
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

    #[test]
    fn json_problems_point_into_the_string() {
        use super::json_problem;
        use crate::yaml::{self, ParseOptions};
        let text = "A: '{\"Statement\": [}'\nB: '{\"Statement\": []}'\nC: !Sub '{\"Resource\": ${List}, \"S\": \"${AWS::Region}\"}'\nD: Test\nE: !Sub '${Whole}'\nF: '{\"Statement\": ['\n";
        let doc = yaml::parse(text, &ParseOptions::default()).unwrap();
        let root = doc.root.as_ref().unwrap();
        let problem = |k: &str| json_problem(root.get(k).unwrap(), text);
        let a = problem("A").expect("A is broken");
        assert_eq!(&text[a.span.start..a.span.end], "}");
        assert!(
            a.message
                .starts_with("this policy document is not valid JSON"),
            "{}",
            a.message
        );
        assert_eq!(problem("B"), None);
        assert_eq!(problem("C"), None);
        assert!(problem("D").is_some());
        assert_eq!(problem("E"), None);
        let f = problem("F").expect("F is truncated");
        assert!(f.message.contains("ends before"), "{}", f.message);
    }
}

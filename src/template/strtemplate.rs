//! A string-valued expression as a sequence of literal and symbolic pieces, so that
//! `!Sub 'arn:${AWS::Partition}:s3:::${Bucket}/*'` and
//! `!Join ['', ['arn:aws:s3:::', !Ref Bucket, '/*']]` can both be read as
//! `arn:` · Ref(AWS::Partition) · `:s3:::` · Ref(Bucket) · `/*`.

use super::intrinsic::{intrinsic, AttributeRef, Call};
use super::spans::{value_span, whole_value_span};
use super::sub::{parse_sub, SubPart, SubVariable};
use crate::source::Span;
use crate::yaml::Node;
use std::fmt;

/// One piece of a [`StringTemplate`]. Every piece has the source span it came from.
#[derive(Clone, Debug, PartialEq)]
pub enum StringPart<'a> {
    /// Known text. Adjacent literal text from one scalar is one piece.
    Literal { text: String, span: Span },
    /// The value of a parameter, resource or pseudo parameter (`AWS::Region`).
    Ref { name: &'a str, span: Span },
    /// An attribute of a resource; `attribute` is `None` when it is computed.
    GetAtt {
        resource: &'a str,
        attribute: Option<&'a str>,
        span: Span,
    },
    /// Anything whose value cannot be known from the template alone (`Fn::If`, `Fn::Select`,
    /// `Fn::ImportValue`, a list where a string is expected, a malformed Sub …).
    Unknown { node: &'a Node, span: Span },
}

impl StringPart<'_> {
    pub fn span(&self) -> Span {
        match self {
            StringPart::Literal { span, .. }
            | StringPart::Ref { span, .. }
            | StringPart::GetAtt { span, .. }
            | StringPart::Unknown { span, .. } => *span,
        }
    }
}

/// A string-valued expression, piece by piece.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StringTemplate<'a> {
    pub parts: Vec<StringPart<'a>>,
}

impl StringTemplate<'_> {
    /// The string, when every piece is literal.
    pub fn literal(&self) -> Option<String> {
        let mut s = String::new();
        for part in &self.parts {
            match part {
                StringPart::Literal { text, .. } => s.push_str(text),
                _ => return None,
            }
        }
        Some(s)
    }

    pub fn is_literal(&self) -> bool {
        self.parts
            .iter()
            .all(|p| matches!(p, StringPart::Literal { .. }))
    }
}

/// Renders in Sub syntax: literal text as is, `${Name}`, `${Res.Attr}`, `${?}` for unknowns.
impl fmt::Display for StringTemplate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                StringPart::Literal { text, .. } => f.write_str(text)?,
                StringPart::Ref { name, .. } => write!(f, "${{{name}}}")?,
                StringPart::GetAtt {
                    resource,
                    attribute,
                    ..
                } => write!(f, "${{{resource}.{}}}", attribute.unwrap_or("?"))?,
                StringPart::Unknown { .. } => f.write_str("${?}")?,
            }
        }
        Ok(())
    }
}

/// Read `node` as a string template. `source` is the text the document was parsed from (for
/// exact spans inside scalars). Conditional values (`Fn::If`) are `Unknown`: expand them first
/// with [`super::intrinsic::alternatives`] to get one template per branch.
pub fn string_template<'a>(node: &'a Node, source: &str) -> StringTemplate<'a> {
    let mut out = StringTemplate::default();
    Builder { source }.node(node, &mut out, 0);
    out
}

/// Bindings of a Sub's variable map, visible inside its string.
type Bindings<'b, 'a> = &'b [(&'a str, &'a Node)];

struct Builder<'s> {
    source: &'s str,
}

const MAX_DEPTH: usize = 64;

impl Builder<'_> {
    fn node<'a>(&self, node: &'a Node, out: &mut StringTemplate<'a>, depth: usize) {
        let unknown = StringPart::Unknown {
            node,
            span: node.span,
        };
        if depth > MAX_DEPTH {
            out.parts.push(unknown);
            return;
        }
        let Some(i) = intrinsic(node) else {
            match node.as_str() {
                Some(text) if node.tag.is_none() => {
                    push_literal(out, text.to_string(), whole_value_span(node, self.source))
                }
                _ => out.parts.push(unknown),
            }
            return;
        };
        match i.call {
            Call::Ref { name } => out.parts.push(StringPart::Ref {
                name: name.text,
                span: value_span(name.node, name.range, self.source),
            }),
            Call::GetAtt {
                resource,
                attribute,
            } => {
                let span = match &attribute {
                    AttributeRef::Name(a) if std::ptr::eq(a.node, resource.node) => value_span(
                        resource.node,
                        resource.range.start..a.range.end,
                        self.source,
                    ),
                    _ => node.span,
                };
                out.parts.push(StringPart::GetAtt {
                    resource: resource.text,
                    attribute: attribute.as_str(),
                    span,
                })
            }
            Call::Sub {
                template,
                variables,
            } => {
                let mut bindings = Vec::new();
                if let Some(entries) = variables.and_then(Node::as_mapping) {
                    for e in entries {
                        if let Some(k) = e.key.as_str() {
                            bindings.push((k, &e.value));
                        }
                    }
                }
                self.sub(template, &bindings, out, depth);
            }
            Call::Join { delimiter, items } => {
                let (Some(delim), Some(list)) = (delimiter.as_str(), items.as_sequence()) else {
                    out.parts.push(unknown);
                    return;
                };
                let delim_span = whole_value_span(delimiter, self.source);
                for (idx, item) in list.iter().enumerate() {
                    if idx > 0 && !delim.is_empty() {
                        push_literal(out, delim.to_string(), delim_span);
                    }
                    self.node(item, out, depth + 1);
                }
            }
            _ => out.parts.push(unknown),
        }
    }

    fn sub<'a>(
        &self,
        template: &'a Node,
        bindings: Bindings<'_, 'a>,
        out: &mut StringTemplate<'a>,
        depth: usize,
    ) {
        let Some(text) = template.as_str() else {
            out.parts.push(StringPart::Unknown {
                node: template,
                span: template.span,
            });
            return;
        };
        let Ok(parts) = parse_sub(text) else {
            out.parts.push(StringPart::Unknown {
                node: template,
                span: template.span,
            });
            return;
        };
        for part in parts {
            let span = value_span(template, part.range(), self.source);
            match part {
                SubPart::Literal { text, .. } => push_literal(out, text, span),
                SubPart::Variable { name, .. } => {
                    if let Some((_, value)) = bindings.iter().find(|(k, _)| *k == name) {
                        self.node(value, out, depth + 1);
                        continue;
                    }
                    out.parts.push(match SubVariable::classify(name) {
                        SubVariable::Pseudo(n) | SubVariable::Name(n) => {
                            StringPart::Ref { name: n, span }
                        }
                        SubVariable::Attribute {
                            resource,
                            attribute,
                        } => StringPart::GetAtt {
                            resource,
                            attribute: Some(attribute),
                            span,
                        },
                    });
                }
            }
        }
    }
}

fn push_literal(out: &mut StringTemplate<'_>, text: String, span: Span) {
    if text.is_empty() {
        return;
    }
    out.parts.push(StringPart::Literal { text, span });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::testing::*;

    #[test]
    fn sub_and_join_read_the_same() {
        let sub = tagged("!Sub", scalar("arn:${AWS::Partition}:s3:::${Bucket}/*"));
        let join = tagged(
            "!Join",
            seq(vec![
                scalar(""),
                seq(vec![
                    scalar("arn:"),
                    tagged("!Ref", scalar("AWS::Partition")),
                    scalar(":s3:::"),
                    tagged("!Ref", scalar("Bucket")),
                    scalar("/*"),
                ]),
            ]),
        );
        for node in [&sub, &join] {
            let t = string_template(node, "");
            assert_eq!(t.to_string(), "arn:${AWS::Partition}:s3:::${Bucket}/*");
            assert!(!t.is_literal());
            assert!(matches!(t.parts[3], StringPart::Ref { name: "Bucket", .. }));
        }
    }

    #[test]
    fn sub_variables_are_substituted_and_escapes_are_literal() {
        let node = tagged(
            "!Sub",
            seq(vec![
                scalar("${Prefix}/${!Literal}/${Role.Arn}"),
                map(vec![("Prefix", scalar("logs"))]),
            ]),
        );
        let t = string_template(&node, "");
        assert_eq!(t.to_string(), "logs/${Literal}/${Role.Arn}");
        assert!(matches!(
            t.parts.last(),
            Some(StringPart::GetAtt {
                resource: "Role",
                attribute: Some("Arn"),
                ..
            })
        ));
    }

    #[test]
    fn plain_strings_are_literal_and_conditionals_unknown() {
        assert_eq!(
            string_template(&scalar("*"), "").literal().as_deref(),
            Some("*")
        );
        let cond = tagged("!If", seq(vec![scalar("C"), scalar("a"), scalar("b")]));
        assert!(matches!(
            string_template(&cond, "").parts.as_slice(),
            [StringPart::Unknown { .. }]
        ));
    }

    #[test]
    fn spans_point_into_the_source() {
        let src = "R: !Sub 'arn:aws:s3:::${Bukcet}/*'";
        let node = tagged_at(
            "!Sub",
            scalar_at(
                src,
                8,
                src.len(),
                "arn:aws:s3:::${Bukcet}/*",
                crate::yaml::ScalarStyle::SingleQuoted,
            ),
        );
        let t = string_template(&node, src);
        let span = t.parts[1].span();
        assert_eq!(&src[span.start..span.end], "${Bukcet}");
    }
}

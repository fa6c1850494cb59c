//! Reading ARNs into [`Tok`]ens and fields: a `Resource` item, and the catalogue's ARN formats
//! it is matched against, so that both sides of every comparison are in the same terms.
//!
//! A [`StringTemplate`] is first flattened into [`Tok`]ens (one per literal character, one per
//! symbolic piece). The field split is a nom parser over an encoding of those tokens in which each
//! symbolic piece is a single private-use character, so a symbol can never be mistaken for a `:`.

use nom::bytes::complete::{tag_no_case, take_till};
use nom::character::complete::char;
use nom::{IResult, Parser};

use super::references::reference_format;
use super::{Arn, ArnProblem, Field, ResourceArn, Tok};
use crate::source::Span;
use crate::template::{StringPart, StringTemplate, Template};

/// A token with the source span it came from.
type Spanned = (Tok, Span);

/// Read a `Resource` item.
pub fn parse_resource(t: &StringTemplate<'_>, template: Option<&Template<'_>>) -> ResourceArn {
    if t.parts.is_empty() {
        return ResourceArn::Malformed(ArnProblem {
            span: Span::default(),
            message: "empty resource".into(),
            help: "write an ARN such as `arn:aws:s3:::my-bucket`, or `*`".into(),
        });
    }
    if let Some(text) = t.literal() {
        if text == "*" {
            return ResourceArn::Star;
        }
    }
    // A dynamic reference (`{{resolve:ssm:…}}`) is resolved at deploy time, a Serverless
    // Framework variable (`${self:custom.bucket}`) before CloudFormation sees the file: unknown,
    // like a parameter.
    if t.parts.iter().any(|part| {
        matches!(part, StringPart::Literal { text, .. } if crate::template::external::resolved_elsewhere(text))
    }) {
        return ResourceArn::Unknown;
    }
    let mut toks: Vec<Spanned> = Vec::new();
    let mut hides_colon: Vec<bool> = Vec::new();
    let mut from_reference = false;
    for (index, part) in t.parts.iter().enumerate() {
        match part {
            StringPart::Literal { text, span } => push_text(&mut toks, text, *span),
            StringPart::Ref { name, span } => {
                if index == 0 {
                    match reference_format(template, name, None) {
                        Some(format) => {
                            from_reference = true;
                            push_format(&mut toks, format, *span);
                        }
                        None => return ResourceArn::Unknown,
                    }
                } else {
                    toks.push((symbol_tok(name), *span));
                }
            }
            StringPart::GetAtt {
                resource,
                attribute,
                span,
            } => {
                if index == 0 {
                    match reference_format(template, resource, Some(attribute.unwrap_or(""))) {
                        Some(format) => {
                            from_reference = true;
                            push_format(&mut toks, format, *span);
                        }
                        None => return ResourceArn::Unknown,
                    }
                } else {
                    toks.push((symbol_tok(attribute.unwrap_or("")), *span));
                }
            }
            // An unknown piece at the start is a whole ARN; elsewhere it may hold anything,
            // colons included.
            StringPart::Unknown { span, .. } => {
                if index == 0 {
                    return ResourceArn::Unknown;
                }
                hides_colon.resize(toks.len(), false);
                toks.push((Tok::STAR, *span));
                hides_colon.push(true);
            }
        }
    }
    hides_colon.resize(toks.len(), false);
    split_fields(&toks, &hides_colon, from_reference)
}

/// Read a plain string resource (a standalone policy file, a test).
pub fn parse_literal(text: &str, span: Span) -> ResourceArn {
    let t = StringTemplate {
        parts: vec![StringPart::Literal {
            text: text.to_string(),
            span,
        }],
    };
    parse_resource(&t, None)
}

fn push_text(toks: &mut Vec<Spanned>, text: &str, span: Span) {
    // Byte-exact spans only when the source spells the text as is (no escapes).
    let exact = span.len() == text.len();
    for (offset, c) in text.char_indices() {
        let s = if exact {
            span.sub(offset, offset + c.len_utf8())
        } else {
            span
        };
        let tok = match c {
            '*' => Tok::STAR,
            '?' => Tok::QUESTION,
            c => Tok::Char(c),
        };
        toks.push((tok, s));
    }
}

/// The token for a `${Name}` inside an ARN. Names that say they hold a path or prefix may
/// contain `/`; any other value is taken to be one path segment, which is what lets
/// `arn:aws:s3:::${Bucket}/*` be an object ARN and never a bucket ARN.
fn symbol_tok(name: &str) -> Tok {
    let lower = name.to_ascii_lowercase();
    if [
        "path", "prefix", "key", "folder", "dir", "object", "resource",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        Tok::PATH
    } else {
        Tok::SEGMENT
    }
}

/// Format variables whose values never contain `/`.
const SINGLE_SEGMENT_VARIABLES: &[&str] = &[
    "Partition",
    "Region",
    "Account",
    "BucketName",
    "TableName",
    "FunctionName",
    "QueueName",
    "TopicName",
    "StreamName",
    "KeyId",
];

/// Tokens of a catalogue ARN format such as `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
/// The last variable may also hold colons (`log-group:${LogGroupName}` covers
/// `log-group:name:*`).
pub fn format_tokens(format: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(format.len());
    let mut rest = format;
    let mut vars = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            if let Some(close) = after.find('}') {
                let name = &after[..close];
                let slash = !SINGLE_SEGMENT_VARIABLES.contains(&name);
                // A variable stands for at least one character: an access point ARN always
                // has a region, so `arn:aws:s3:::x` is no access point. The account is the
                // exception: resources AWS owns have none
                // (`arn:aws:ssm:us-east-1::document/AWS-RunShellScript`).
                if name != "Account" {
                    out.push(Tok::Any {
                        many: false,
                        colon: false,
                        slash,
                    });
                }
                vars.push(out.len());
                out.push(Tok::Any {
                    many: true,
                    colon: false,
                    slash,
                });
                rest = &after[close + 1..];
                continue;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(match c {
                '*' => Tok::STAR,
                c => Tok::Char(c),
            });
        }
        rest = chars.as_str();
    }
    if let Some(&last) = vars.last() {
        // Only when nothing but the variable ends the format. The name's first character is
        // never a colon (`log-group::log-stream:` is no log group's ARN): only the rest may hold
        // them.
        if last + 1 == out.len() {
            if let Some(Tok::Any { colon, .. }) = out.get_mut(last) {
                *colon = true;
            }
        }
    }
    out
}

fn push_format(toks: &mut Vec<Spanned>, format: &[Tok], span: Span) {
    toks.extend(format.iter().map(|t| (*t, span)));
}

/// Private-use characters standing for symbolic tokens in the encoding nom parses.
const SYMBOL_CHAR: char = '\u{E000}';
/// A symbol that may contain colons: it could hide field separators.
const SYMBOL_WITH_COLON_CHAR: char = '\u{E001}';

fn encode(toks: &[Spanned], hides_colon: &[bool]) -> (String, Vec<usize>) {
    let mut text = String::with_capacity(toks.len());
    let mut token_at = Vec::with_capacity(toks.len() + 1);
    for (index, (tok, _)) in toks.iter().enumerate() {
        let c = match tok {
            Tok::Char(c) => *c,
            // IAM matches each field on its own: a written `*` never spans a `:`.
            Tok::Any { .. } if hides_colon[index] => SYMBOL_WITH_COLON_CHAR,
            Tok::Any { .. } => SYMBOL_CHAR,
        };
        for _ in 0..c.len_utf8() {
            token_at.push(index);
        }
        text.push(c);
    }
    token_at.push(toks.len());
    (text, token_at)
}

fn field_text(input: &str) -> IResult<&str, &str> {
    take_till(|c| c == ':' || c == SYMBOL_WITH_COLON_CHAR).parse(input)
}

/// `arn:partition:service:region:account:` with the resource as the rest.
fn arn_head(input: &str) -> IResult<&str, [&str; 4]> {
    let (rest, (_, _, p, _, s, _, r, _, a, _)) = (
        tag_no_case("arn"),
        char(':'),
        field_text,
        char(':'),
        field_text,
        char(':'),
        field_text,
        char(':'),
        field_text,
        char(':'),
    )
        .parse(input)?;
    Ok((rest, [p, s, r, a]))
}

fn split_fields(toks: &[Spanned], hides_colon: &[bool], from_reference: bool) -> ResourceArn {
    let whole = toks
        .iter()
        .map(|(_, s)| *s)
        .reduce(|a, b| a.cover(b))
        .unwrap_or_default();
    let (encoded, token_at) = encode(toks, hides_colon);
    let field = |text: &str| -> Field {
        let start = text.as_ptr() as usize - encoded.as_ptr() as usize;
        let (from, to) = (token_at[start], token_at[start + text.len()]);
        let slice = &toks[from..to];
        let span = match (slice.first(), slice.last()) {
            (Some(a), Some(b)) => a.1.cover(b.1),
            _ => toks
                .get(from)
                .map(|t| Span::new(t.1.start, t.1.start))
                .unwrap_or(whole),
        };
        Field {
            toks: slice.iter().map(|(t, _)| *t).collect(),
            span,
        }
    };
    match arn_head(&encoded) {
        Ok((resource, [p, s, r, a])) => ResourceArn::Arn(Arn {
            partition: field(p),
            service: field(s),
            region: field(r),
            account: field(a),
            resource: field(resource),
            toks: field_local(toks, hides_colon, encoded.len() - resource.len(), &token_at),
            from_reference,
        }),
        Err(_) => {
            // A symbol may hide the missing colons.
            if hides_colon.iter().any(|h| *h) {
                return ResourceArn::Unknown;
            }
            if let Some(padded) = pad_trailing_star(toks) {
                let hides = vec![false; padded.len()];
                return split_fields(&padded, &hides, from_reference);
            }
            ResourceArn::Malformed(malformed(toks, whole))
        }
    }
}

/// IAM lets a `*` that ends an ARN match past `:` boundaries, so `arn:aws:logs:*` matches every
/// logs ARN, exactly as `arn:aws:logs:*:*:*` does. An ARN cut short after its service field
/// that ends with a written `*` is read as that: the missing fields are added as `*` (at the
/// end, zero-width, so spans still point at what was written). Anything else with too few
/// fields matches nothing and stays malformed.
fn pad_trailing_star(toks: &[Spanned]) -> Option<Vec<Spanned>> {
    let (last, last_span) = toks.last()?;
    if *last != Tok::STAR {
        return None;
    }
    let text: String = toks
        .iter()
        .map(|(t, _)| match t {
            Tok::Char(c) => *c,
            Tok::Any { .. } => '*',
        })
        .collect();
    let fields: Vec<&str> = text.split(':').collect();
    let head_ok = fields.len() >= 4
        && fields.len() < 6
        && fields[0].eq_ignore_ascii_case("arn")
        && !fields[1].is_empty()
        && !fields[2].is_empty()
        && fields[2].chars().all(is_service_char);
    if !head_ok {
        return None;
    }
    let end = Span::new(last_span.end, last_span.end);
    let mut padded = toks.to_vec();
    for _ in fields.len()..6 {
        padded.push((Tok::Char(':'), end));
        padded.push((Tok::STAR, end));
    }
    Some(padded)
}

/// The tokens, with wildcards written before the resource field unable to span a `:`.
fn field_local(
    toks: &[Spanned],
    hides_colon: &[bool],
    resource_start: usize,
    token_at: &[usize],
) -> Vec<Tok> {
    let first_resource_token = token_at.get(resource_start).copied().unwrap_or(toks.len());
    toks.iter()
        .enumerate()
        .map(|(i, (t, _))| match *t {
            Tok::Any { many, slash, .. } if i < first_resource_token && !hides_colon[i] => {
                Tok::Any {
                    many,
                    colon: false,
                    slash,
                }
            }
            t => t,
        })
        .collect()
}

fn malformed(toks: &[Spanned], whole: Span) -> ArnProblem {
    let text: String = toks
        .iter()
        .map(|(t, _)| match t {
            Tok::Char(c) => *c,
            Tok::Any { many: false, .. } => '?',
            Tok::Any { .. } => '*',
        })
        .collect();
    let lower = text.to_ascii_lowercase();
    if !lower.starts_with("arn:") {
        let (message, help) = match text.split_once(':') {
            Some((service, _)) if !service.is_empty() && service.chars().all(is_service_char) => (
                format!("`{text}` is not an ARN: it lacks the `arn:<partition>:` prefix"),
                format!("write `arn:aws:{text}`"),
            ),
            _ => (
                format!("`{text}` is not an ARN"),
                "a resource is `*` or an ARN `arn:<partition>:<service>:<region>:<account>:<resource>`, e.g. `arn:aws:s3:::my-bucket`".to_string(),
            ),
        };
        return ArnProblem {
            span: whole,
            message,
            help,
        };
    }
    let fields = text.split(':').count();
    ArnProblem {
        span: whole,
        message: format!("ARN `{text}` has {fields} of the 6 `:`-separated fields"),
        help: "an ARN is `arn:<partition>:<service>:<region>:<account>:<resource>`; leave a field empty but keep its colon, e.g. `arn:aws:s3:::my-bucket`".into(),
    }
}

fn is_service_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

#[cfg(test)]
mod tests {
    use super::super::testing::{arn, fits};
    use super::*;

    #[test]
    fn splits_fields_with_spans() {
        let ResourceArn::Arn(a) = arn("arn:aws:logs:us-east-1:123456789012:log-group:x:*") else {
            panic!()
        };
        assert_eq!(a.partition.literal().as_deref(), Some("aws"));
        assert_eq!(a.service.literal().as_deref(), Some("logs"));
        assert_eq!(a.region.span, Span::new(13, 22));
        assert_eq!(a.account.literal().as_deref(), Some("123456789012"));
        assert_eq!(a.resource.span, Span::new(36, 49));
    }

    #[test]
    fn malformed_and_unknown() {
        let ResourceArn::Malformed(p) = arn("s3:::bucket") else {
            panic!()
        };
        assert_eq!(p.help, "write `arn:aws:s3:::bucket`");
        assert!(matches!(arn("arn:aws:s3"), ResourceArn::Malformed(_)));
        assert_eq!(arn("*"), ResourceArn::Star);
        assert!(matches!(
            arn("arn:aws:s3:bucket"),
            ResourceArn::Malformed(_)
        ));
        assert!(matches!(arn("arn:aws:*"), ResourceArn::Malformed(_)));
        assert!(matches!(arn("arn:aws:s3:*x"), ResourceArn::Malformed(_)));
    }

    #[test]
    fn a_trailing_name_holds_colons_but_never_starts_with_one() {
        let group = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
        assert!(fits("arn:aws:logs:*:*:log-group:app:*", group));
        assert!(fits("arn:aws:logs:*:*:log-group:*", group));
        assert!(!fits("arn:aws:logs:*:*:log-group::log-stream:", group));
    }

    #[test]
    fn dynamic_references_and_tool_variables_are_unknown() {
        for text in [
            "{{resolve:ssm:/app/queue-arn}}",
            "{{resolve:secretsmanager:app:SecretString:arn}}/*",
            "arn:aws:kms:us-east-1:{{resolve:ssm-secure:account}}:key/*",
            "arn:aws:s3:::${self:custom.bucket}/*",
        ] {
            assert_eq!(arn(text), ResourceArn::Unknown, "{text}");
        }
        assert!(matches!(arn("{{ssm:/app/arn}}"), ResourceArn::Malformed(_)));
    }

    #[test]
    fn a_trailing_star_spans_the_missing_fields() {
        let ResourceArn::Arn(a) = arn("arn:aws:logs:*") else {
            panic!()
        };
        assert_eq!(a.service.literal().as_deref(), Some("logs"));
        assert_eq!(a.region.span, Span::new(13, 14));
        assert!(fits(
            "arn:aws:logs:*",
            "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}"
        ));
        assert!(fits(
            "arn:aws:sns:*:*",
            "arn:${Partition}:sns:${Region}:${Account}:${TopicName}"
        ));
        assert!(!fits(
            "arn:aws:sns:*:*",
            "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}"
        ));
    }
}

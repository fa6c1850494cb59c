//! The `Fn::Sub` string language: literal text, `${Name}`, `${Resource.Attribute}`,
//! `${AWS::Region}` and the escape `${!Literal}` (which stands for the text `${Literal}`).
//!
//! Offsets are byte offsets into the *value* of the string (after YAML unescaping); mapping them
//! onto the source file is [`super::spans`]' job.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_till, take_until};
use nom::combinator::{map, not, recognize, verify};
use nom::sequence::{delimited, terminated};
use nom::{IResult, Parser};
use std::ops::Range;

/// One piece of a `Fn::Sub` string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubPart<'s> {
    /// Text that is copied as is. `text` differs from the bytes at `range` only for the
    /// `${!Literal}` escape, whose text is `${Literal}`.
    Literal { text: String, range: Range<usize> },
    /// `${name}`; `range` covers `${` … `}`, `name_range` just the name.
    Variable {
        name: &'s str,
        range: Range<usize>,
        name_range: Range<usize>,
    },
}

impl SubPart<'_> {
    pub fn range(&self) -> Range<usize> {
        match self {
            SubPart::Literal { range, .. } | SubPart::Variable { range, .. } => range.clone(),
        }
    }
}

/// What a `${…}` variable names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubVariable<'s> {
    /// `${AWS::Region}` and friends (any name starting with `AWS::`).
    Pseudo(&'s str),
    /// `${Resource.Attribute}` (the attribute may itself contain dots).
    Attribute {
        resource: &'s str,
        attribute: &'s str,
    },
    /// `${Name}`: a parameter, a resource, or a key of the Sub's own variable map.
    Name(&'s str),
}

impl<'s> SubVariable<'s> {
    pub fn classify(name: &'s str) -> SubVariable<'s> {
        if name.starts_with("AWS::") {
            return SubVariable::Pseudo(name);
        }
        match name.split_once('.') {
            Some((resource, attribute)) => SubVariable::Attribute {
                resource,
                attribute,
            },
            None => SubVariable::Name(name),
        }
    }
}

/// Why a Sub string is malformed, and where (byte offset in the value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubError {
    pub offset: usize,
    pub message: String,
}

/// Split a Sub string into parts. Adjacent literal text is merged into one part.
pub fn parse_sub(input: &str) -> Result<Vec<SubPart<'_>>, SubError> {
    let mut parts: Vec<SubPart<'_>> = Vec::new();
    let mut rest_input = input;
    while !rest_input.is_empty() {
        let start = input.len() - rest_input.len();
        let (after, piece) = piece(rest_input).map_err(|_| SubError {
            offset: start,
            message: if rest_input.starts_with("${") {
                "`${` is never closed with `}`".to_string()
            } else {
                "cannot read this part of the Sub string".to_string()
            },
        })?;
        let end = input.len() - after.len();
        match piece {
            Piece::Text(text) => push_literal(&mut parts, text.to_string(), start..end),
            Piece::Escaped(inner) => push_literal(&mut parts, format!("${{{inner}}}"), start..end),
            Piece::Var(name) => {
                if name.is_empty() {
                    return Err(SubError {
                        offset: start,
                        message: "`${}` names no variable".to_string(),
                    });
                }
                let name_start = start + 2;
                parts.push(SubPart::Variable {
                    name,
                    range: start..end,
                    name_range: name_start..name_start + name.len(),
                });
            }
        }
        rest_input = after;
    }
    Ok(parts)
}

/// [`parse_sub`], except that each empty `${}` is skipped (its range returned) and reading goes
/// on after it, so one `${}` does not hide the variables of the rest of the string.
pub fn parse_sub_skipping_empty(
    input: &str,
) -> Result<(Vec<SubPart<'_>>, Vec<Range<usize>>), SubError> {
    let mut parts = Vec::new();
    let mut empty = Vec::new();
    let mut base = 0;
    loop {
        match parse_sub(&input[base..]) {
            Ok(rest) => {
                parts.extend(rest.into_iter().map(|p| shifted(p, base)));
                return Ok((parts, empty));
            }
            Err(e) if input[base + e.offset..].starts_with("${}") => {
                let at = base + e.offset;
                if let Ok(head) = parse_sub(&input[base..at]) {
                    parts.extend(head.into_iter().map(|p| shifted(p, base)));
                }
                empty.push(at..at + 3);
                base = at + 3;
            }
            Err(e) => {
                return Err(SubError {
                    offset: base + e.offset,
                    message: e.message,
                })
            }
        }
    }
}

fn shifted(part: SubPart<'_>, by: usize) -> SubPart<'_> {
    let shift = |r: Range<usize>| r.start + by..r.end + by;
    match part {
        SubPart::Literal { text, range } => SubPart::Literal {
            text,
            range: shift(range),
        },
        SubPart::Variable {
            name,
            range,
            name_range,
        } => SubPart::Variable {
            name,
            range: shift(range),
            name_range: shift(name_range),
        },
    }
}

fn push_literal(parts: &mut Vec<SubPart<'_>>, text: String, range: Range<usize>) {
    if let Some(SubPart::Literal {
        text: prev,
        range: prev_range,
    }) = parts.last_mut()
    {
        if prev_range.end == range.start {
            prev.push_str(&text);
            prev_range.end = range.end;
            return;
        }
    }
    parts.push(SubPart::Literal { text, range });
}

enum Piece<'s> {
    Text(&'s str),
    Escaped(&'s str),
    Var(&'s str),
}

fn piece(input: &str) -> IResult<&str, Piece<'_>> {
    alt((
        map(
            delimited(tag("${!"), take_until("}"), tag("}")),
            Piece::Escaped,
        ),
        map(delimited(tag("${"), take_until("}"), tag("}")), Piece::Var),
        map(text_run, Piece::Text),
    ))
    .parse(input)
}

/// Literal text up to the next `${`. A `$` not followed by `{` is ordinary text.
fn text_run(input: &str) -> IResult<&str, &str> {
    alt((
        verify(take_till(|c| c == '$'), |s: &str| !s.is_empty()),
        recognize(terminated(tag("$"), not(tag("{")))),
    ))
    .parse(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_variables_are_skipped_and_the_rest_still_read() {
        let text = "a${}b${Env}${}${AWS::Region}";
        let (parts, empty) = parse_sub_skipping_empty(text).unwrap();
        assert_eq!(empty, vec![1..4, 11..14]);
        let vars: Vec<(&str, std::ops::Range<usize>)> = parts
            .iter()
            .filter_map(|p| match p {
                SubPart::Variable { name, range, .. } => Some((*name, range.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(vars, vec![("Env", 5..11), ("AWS::Region", 14..28)]);
        for (name, range) in vars {
            assert_eq!(&text[range], format!("${{{name}}}"));
        }
        // Other malformations still fail, at their offset in the whole string.
        assert_eq!(
            parse_sub_skipping_empty("x${}y${open").unwrap_err().offset,
            5
        );
    }

    fn lit(text: &str, range: Range<usize>) -> SubPart<'static> {
        SubPart::Literal {
            text: text.to_string(),
            range,
        }
    }

    #[test]
    fn splits_literals_and_variables_with_offsets() {
        let s = "arn:${AWS::Partition}:s3:::${Bucket}/*";
        let parts = parse_sub(s).unwrap();
        assert_eq!(
            parts,
            vec![
                lit("arn:", 0..4),
                SubPart::Variable {
                    name: "AWS::Partition",
                    range: 4..21,
                    name_range: 6..20
                },
                lit(":s3:::", 21..27),
                SubPart::Variable {
                    name: "Bucket",
                    range: 27..36,
                    name_range: 29..35
                },
                lit("/*", 36..38),
            ]
        );
        assert_eq!(&s[27..36], "${Bucket}");
    }

    #[test]
    fn escape_yields_literal_dollar_brace_text() {
        let parts = parse_sub("echo ${!HOME} ${Name.Arn}").unwrap();
        assert_eq!(parts[0], lit("echo ${HOME} ", 0..14));
        assert_eq!(
            parts[1],
            SubPart::Variable {
                name: "Name.Arn",
                range: 14..25,
                name_range: 16..24
            }
        );
    }

    #[test]
    fn lone_dollars_are_text() {
        assert_eq!(
            parse_sub("cost $5 $").unwrap(),
            vec![lit("cost $5 $", 0..9)]
        );
        assert_eq!(parse_sub("").unwrap(), vec![]);
    }

    #[test]
    fn unterminated_variable_reports_its_offset() {
        let err = parse_sub("ok ${Bucket").unwrap_err();
        assert_eq!(err.offset, 3);
        let err = parse_sub("a ${}").unwrap_err();
        assert_eq!(err.offset, 2);
    }

    #[test]
    fn multibyte_text_keeps_byte_offsets() {
        let parts = parse_sub("é${X}").unwrap();
        assert_eq!(parts[0], lit("é", 0..2));
        assert_eq!(parts[1].range(), 2..6);
    }

    #[test]
    fn classifies_variables() {
        assert_eq!(
            SubVariable::classify("AWS::Region"),
            SubVariable::Pseudo("AWS::Region")
        );
        assert_eq!(
            SubVariable::classify("Vpc.Outputs.Id"),
            SubVariable::Attribute {
                resource: "Vpc",
                attribute: "Outputs.Id"
            }
        );
        assert_eq!(SubVariable::classify("Bucket"), SubVariable::Name("Bucket"));
    }
}

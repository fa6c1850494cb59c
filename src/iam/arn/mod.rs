//! ARNs as written in a policy's `Resource`: literal text, IAM wildcards and symbolic pieces from
//! `!Sub`/`!Join`/`!Ref`/`!GetAtt`, split into partition, service, region, account and resource.
//!
//! This module holds the vocabulary every part shares ([`Tok`], [`Field`], [`Arn`],
//! [`ResourceArn`]); each concept has its own file: `parse` (text and catalogue formats into
//! tokens and fields), `references` (a `!Ref` or `!GetAtt` that stands for a whole ARN),
//! `validate` (literal fields that cannot be right) and `intersect` (whether two patterns can
//! match the same ARN).

mod intersect;
mod parse;
mod references;
mod validate;

pub use intersect::intersects;
pub use parse::{format_tokens, parse_literal, parse_resource};
pub use validate::{validate, PARTITIONS};

use crate::source::Span;

/// One element of an ARN or an ARN format, for matching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A literal character (IAM compares ARNs case-sensitively, but this linter is lenient).
    Char(char),
    /// Any text (`many`) or exactly one character, restricted to what may appear in it.
    Any {
        many: bool,
        colon: bool,
        slash: bool,
    },
}

impl Tok {
    /// `*` in a policy ARN.
    pub const STAR: Tok = Tok::Any {
        many: true,
        colon: true,
        slash: true,
    };
    /// `?` in a policy ARN.
    pub const QUESTION: Tok = Tok::Any {
        many: false,
        colon: true,
        slash: true,
    };
    /// A value that stays within one path segment of one field (`${AWS::Region}`, `${Bucket}`).
    pub const SEGMENT: Tok = Tok::Any {
        many: true,
        colon: false,
        slash: false,
    };
    /// A value within one field that may contain `/` (`${KeyPrefix}`).
    pub const PATH: Tok = Tok::Any {
        many: true,
        colon: false,
        slash: true,
    };
}

/// A field of an ARN: its tokens and where they were written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Field {
    pub toks: Vec<Tok>,
    pub span: Span,
}

impl Field {
    /// The text when the field is wholly literal and free of wildcards.
    pub fn literal(&self) -> Option<String> {
        let mut text = String::new();
        self.literal_in(&mut text)?;
        Some(text)
    }

    /// [`Field::literal`] written into `buf` (reused between calls) instead of a new string.
    pub fn literal_in<'b>(&self, buf: &'b mut String) -> Option<&'b str> {
        buf.clear();
        for t in &self.toks {
            match t {
                Tok::Char(c) => buf.push(*c),
                Tok::Any { .. } => return None,
            }
        }
        Some(buf.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }
}

/// A resource ARN split into its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Arn {
    pub partition: Field,
    pub service: Field,
    pub region: Field,
    pub account: Field,
    pub resource: Field,
    /// All tokens, `arn:` included, for matching against formats.
    pub toks: Vec<Tok>,
    /// The resource's own pieces were replaced by the ARN format of a referenced resource.
    pub from_reference: bool,
}

/// What a `Resource` item stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum ResourceArn {
    /// Exactly `*`.
    Star,
    /// An ARN with its fields.
    Arn(Arn),
    /// Cannot be known from the template (a parameter holding an ARN, `!If`, `!ImportValue`, the
    /// ARN of a resource type this linter does not know): matches anything.
    Unknown,
    /// Text that is no ARN at all (literal, so certainly wrong).
    Malformed(ArnProblem),
}

impl ResourceArn {
    pub fn arn(&self) -> Option<&Arn> {
        match self {
            ResourceArn::Arn(a) => Some(a),
            _ => None,
        }
    }

    /// Known precisely enough to tell which resource types it can be.
    pub fn is_known(&self) -> bool {
        matches!(self, ResourceArn::Star | ResourceArn::Arn(_))
    }
}

/// Why an ARN is invalid: what to say and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnProblem {
    pub span: Span,
    pub message: String,
    pub help: String,
}

/// Helpers shared by the tests of the parts.
#[cfg(test)]
mod testing {
    use super::*;

    pub(super) fn arn(text: &str) -> ResourceArn {
        parse_literal(text, Span::new(0, text.len()))
    }

    pub(super) fn fits(resource: &str, format: &str) -> bool {
        match arn(resource) {
            ResourceArn::Arn(a) => intersects(&a.toks, &format_tokens(format)),
            other => panic!("{resource}: {other:?}"),
        }
    }
}

//! Turning a byte range of a scalar's *value* into the bytes of the source that spell it.
//!
//! Within a plain scalar on one line, or a quoted one without escapes, value and source agree
//! byte for byte. Otherwise (a `''` in a single-quoted scalar, a `\n` escape, a folded or block
//! scalar) the range is located by its text: the k-th occurrence of the same text in the source
//! token, where k counts its occurrences earlier in the value. When even that is ambiguous the
//! whole scalar is returned, which is imprecise but never points at the wrong thing.

use crate::source::Span;
use crate::yaml::{Node, ScalarStyle};
use std::ops::Range;

/// The source span of `range` (bytes of `node`'s scalar value) in `source`, the text `node` was
/// parsed from. Falls back to the node's span when the bytes cannot be located exactly.
pub fn value_span(node: &Node, range: Range<usize>, source: &str) -> Span {
    let whole = node.span;
    let Some(scalar) = node.as_scalar() else {
        return whole;
    };
    let value = scalar.value.as_str();
    let Some(needle) = value.get(range.clone()) else {
        return whole;
    };
    let Some(raw) = source.get(whole.start..whole.end) else {
        return whole;
    };
    if range.is_empty() {
        return whole;
    }
    // The text between the quotes, or the token itself for unquoted scalars.
    let (inner_offset, inner) = match scalar.style {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if raw.len() >= 2 => {
            (1, raw.get(1..raw.len() - 1).unwrap_or(""))
        }
        _ => (0, raw),
    };
    if inner == value {
        return whole.sub(inner_offset + range.start, inner_offset + range.end);
    }
    let nth = value
        .match_indices(needle)
        .take_while(|(i, _)| *i < range.start)
        .count();
    let in_value = value.match_indices(needle).count();
    let in_raw: Vec<usize> = inner.match_indices(needle).map(|(i, _)| i).collect();
    // Escapes can create or hide occurrences; only trust the search when the counts agree.
    if in_raw.len() == in_value {
        if let Some(pos) = in_raw.get(nth) {
            let start = inner_offset + pos;
            return whole.sub(start, start + needle.len());
        }
    }
    whole
}

/// The source span of the whole value of a scalar (without its quotes, when the quoted text
/// equals the value), or the node's span.
pub fn whole_value_span(node: &Node, source: &str) -> Span {
    match node.as_str() {
        Some(v) if !v.is_empty() => value_span(node, 0..v.len(), source),
        _ => node.span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::testing::scalar_at;

    #[test]
    fn plain_scalars_map_one_to_one() {
        let src = "X: arn:${Bucket}/*";
        let node = scalar_at(src, 3, 18, "arn:${Bucket}/*", ScalarStyle::Plain);
        let span = value_span(&node, 4..13, src);
        assert_eq!(&src[span.start..span.end], "${Bucket}");
    }

    #[test]
    fn quoted_scalars_skip_the_quote() {
        let src = "X: 'arn:${Bucket}/*'";
        let node = scalar_at(src, 3, 20, "arn:${Bucket}/*", ScalarStyle::SingleQuoted);
        let span = value_span(&node, 4..13, src);
        assert_eq!(&src[span.start..span.end], "${Bucket}");
    }

    #[test]
    fn doubled_quotes_and_escapes_are_located_by_text() {
        let src = "X: 'it''s ${Bukcet}'";
        let node = scalar_at(src, 3, 20, "it's ${Bukcet}", ScalarStyle::SingleQuoted);
        let span = value_span(&node, 5..14, src);
        assert_eq!(&src[span.start..span.end], "${Bukcet}");

        let src = r#"X: "a\n${B} ${B}""#;
        let node = scalar_at(src, 3, 17, "a\n${B} ${B}", ScalarStyle::DoubleQuoted);
        let second = value_span(&node, 7..11, src);
        assert_eq!(second.start, 12);
        assert_eq!(&src[second.start..second.end], "${B}");
    }

    #[test]
    fn block_scalars_find_the_line_text() {
        let src = "X: !Sub |\n  echo ${A}\n  echo ${Bukcet}\n";
        let node = scalar_at(
            src,
            8,
            src.len(),
            "echo ${A}\necho ${Bukcet}\n",
            ScalarStyle::Literal,
        );
        let span = value_span(&node, 15..24, src);
        assert_eq!(&src[span.start..span.end], "${Bukcet}");
    }

    #[test]
    fn ambiguous_text_falls_back_to_the_whole_scalar() {
        // The escape `\x41` hides an `A` from the source text, so occurrence counts differ.
        let src = r#"X: "A\x41""#;
        let node = scalar_at(src, 3, 10, "AA", ScalarStyle::DoubleQuoted);
        assert_eq!(value_span(&node, 1..2, src), Span::new(3, 10));
    }
}

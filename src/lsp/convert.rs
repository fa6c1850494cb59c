//! Byte offsets to LSP positions (0-based lines, UTF-16 code units) and `file://` URIs to
//! paths.

use crate::source::{floor_char_boundary, SourceFile, Span};
use lsp_types::{Position, Range, Uri};
use std::path::PathBuf;

/// The LSP position of byte `offset` (clamped to the text, floored to a character boundary).
pub fn position(source: &SourceFile, offset: usize) -> Position {
    let offset = floor_char_boundary(&source.text, offset);
    let line = source.lines.line_of(offset);
    let start = source.lines.line_start(line).unwrap_or(0).min(offset);
    let character = source.text[start..offset].encode_utf16().count();
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        character: u32::try_from(character).unwrap_or(u32::MAX),
    }
}

/// The byte offset of an LSP position, clamped to the end of its line (and of the text). A
/// position inside a surrogate pair means the end of that character.
pub fn offset(source: &SourceFile, position: Position) -> usize {
    let text = &source.text;
    let Some(start) = source.lines.line_start(position.line as usize) else {
        return text.len();
    };
    let line_end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    let mut units = 0u32;
    for (i, c) in text[start..line_end].char_indices() {
        if units >= position.character {
            return start + i;
        }
        units += c.len_utf16() as u32;
    }
    line_end
}

pub fn range(source: &SourceFile, span: Span) -> Range {
    let end = span.end.max(span.start);
    Range {
        start: position(source, span.start),
        end: position(source, end),
    }
}

/// The local path of a `file:` URI, percent-decoded; `None` for other schemes.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///path` has an empty authority; `file://localhost/path` names this machine.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    let decoded = String::from_utf8(bytes).ok()?;
    // `/C:/x` on Windows is `C:/x`.
    let decoded = match decoded.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() && cfg!(windows) => {
            decoded[1..].to_string()
        }
        _ => decoded,
    };
    Some(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn columns_count_utf16_code_units() {
        // `é` is 2 bytes and 1 unit; `😀` is 4 bytes and 2 units.
        let source = SourceFile::new("t", "a: é😀x\n\tb\n");
        let x = source.text.find('x').unwrap();
        assert_eq!(
            position(&source, x),
            Position {
                line: 0,
                character: 6
            }
        );
        let b = source.text.find('b').unwrap();
        assert_eq!(
            position(&source, b),
            Position {
                line: 1,
                character: 1
            }
        );
        // Inside the emoji: floored to its start.
        let emoji = source.text.find('😀').unwrap();
        assert_eq!(position(&source, emoji + 2).character, 4);
        assert_eq!(
            position(&source, 999),
            Position {
                line: 2,
                character: 0
            }
        );
    }

    #[test]
    fn positions_become_offsets() {
        let source = SourceFile::new("t", "a: é😀x\n\tb\n");
        let x = source.text.find('x').unwrap();
        assert_eq!(offset(&source, position(&source, x)), x);
        let at = |line, character| offset(&source, Position { line, character });
        assert_eq!(at(1, 1), source.text.find('b').unwrap());
        // Past the end of a line: its end; past the last line: the end of the text.
        assert_eq!(at(0, 99), source.text.find('\n').unwrap());
        assert_eq!(at(9, 0), source.text.len());
        // Inside the emoji's surrogate pair: its end (the next character's start).
        assert_eq!(at(0, 5), x);
    }

    #[test]
    fn file_uris_become_paths() {
        let uri = Uri::from_str("file:///tmp/a%20b/t.yaml").unwrap();
        assert_eq!(file_path(&uri), Some(PathBuf::from("/tmp/a b/t.yaml")));
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(file_path(&uri), None);
    }
}

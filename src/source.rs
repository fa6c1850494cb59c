//! Source text, byte spans and the per-file line index shared by the parser, rules and renderers.

use std::fmt;

/// A half-open byte range `[start, end)` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub const fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// A sub-span given offsets relative to this span's start.
    pub fn sub(&self, rel_start: usize, rel_end: usize) -> Span {
        Span::new(self.start + rel_start, self.start + rel_end)
    }

    /// The smallest span covering both.
    pub fn cover(&self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// A 1-based line and column (column counted in Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Offsets of line starts, built once per file.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        line_starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        LineIndex { line_starts }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line).copied()
    }

    /// Byte range of 0-based `line` without its line terminator.
    pub fn line_span(&self, text: &str, line: usize) -> Option<Span> {
        let start = self.line_start(line)?;
        let mut end = self.line_start(line + 1).unwrap_or(text.len());
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(Span::new(start, end))
    }

    /// 1-based line and column of a byte offset (clamped to the text).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = text[start..offset].chars().count() + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and column, if it exists.
    pub fn offset(&self, text: &str, pos: Position) -> Option<usize> {
        let line = pos.line.checked_sub(1)?;
        let span = self.line_span(text, line)?;
        // Column n is the n-th character; one past the last is the end of the line.
        let within = pos
            .column
            .checked_sub(1)
            .and_then(|n| text[span.start..span.end].char_indices().nth(n))
            .map_or(span.end, |(byte, _)| span.start + byte);
        Some(within)
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter_map(|(i, b)| (*b == b'\n').then_some(i))
}

/// The largest char boundary not after `offset`.
pub fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One input file: its path as found and its text, with a line index.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as found from the argument the user gave (used verbatim in output).
    pub path: String,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let lines = LineIndex::new(&text);
        SourceFile {
            path: path.into(),
            text,
            lines,
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }

    pub fn slice(&self, span: Span) -> &str {
        let start = floor_char_boundary(&self.text, span.start);
        let end = floor_char_boundary(&self.text, span.end.max(span.start));
        &self.text[start..end]
    }

    pub fn extension(&self) -> Option<&str> {
        std::path::Path::new(&self.path)
            .extension()
            .and_then(|e| e.to_str())
    }
}

/// Maps byte offsets in a derived text (a repaired file, a Markdown code block) back to the
/// original text. Each derived line starts at a known original offset; within a line, a derived
/// byte maps to `original_line_start + shift` where the shift grows by the bytes removed or
/// inserted before that point (recorded as breakpoints).
#[derive(Clone, Debug, Default)]
pub struct OffsetMap {
    /// (derived offset, original offset) at which a constant shift starts; sorted by derived.
    points: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// The identity map.
    pub fn identity() -> Self {
        OffsetMap {
            points: vec![(0, 0)],
        }
    }

    /// Record that derived offset `derived` corresponds to original offset `original`, and that
    /// following bytes map one-to-one until the next point. Points must be pushed in order.
    pub fn push(&mut self, derived: usize, original: usize) {
        if let Some(last) = self.points.last() {
            if last.0 == derived {
                self.points.pop();
            }
        }
        self.points.push((derived, original));
    }

    pub fn map(&self, derived: usize) -> usize {
        if self.points.is_empty() {
            return derived;
        }
        let idx = match self.points.binary_search_by_key(&derived, |p| p.0) {
            Ok(i) => i,
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let (d, o) = self.points[idx];
        o + derived.saturating_sub(d)
    }

    pub fn map_span(&self, span: Span) -> Span {
        let start = self.map(span.start);
        let end = self.map(span.end).max(start);
        Span::new(start, end)
    }
}

/// The commands of a shell script, as byte ranges of `text`: lines, with backslash
/// continuations joined and comment lines left out. No shell grammar: the readers of
/// cross-file names and of user data look for commands, and a line they do not understand
/// contributes nothing.
pub fn shell_commands(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let begin = *start.get_or_insert(line_start);
        if begin == line_start && body.trim_start().starts_with('#') {
            start = None;
            continue;
        }
        if body.ends_with('\\') {
            continue;
        }
        out.push(begin..line_start + body.len());
        start = None;
    }
    if let Some(begin) = start {
        out.push(begin..text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_chars() {
        let text = "ab\nçd\r\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 3), Position { line: 2, column: 1 });
        // 'd' is after the two-byte 'ç'
        assert_eq!(idx.position(text, 5), Position { line: 2, column: 2 });
        assert_eq!(idx.position(text, 8), Position { line: 3, column: 1 });
        assert_eq!(idx.line_span(text, 1), Some(Span::new(3, 6)));
        assert_eq!(idx.offset(text, Position { line: 2, column: 2 }), Some(5));
    }

    #[test]
    fn offset_map_shifts_after_points() {
        let mut m = OffsetMap::identity();
        m.push(10, 4); // 6 bytes were inserted before derived offset 10
        assert_eq!(m.map(3), 3);
        assert_eq!(m.map(12), 6);
    }
}

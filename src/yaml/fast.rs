//! A fast reader for the YAML that templates are actually written in.
//!
//! Kept whole because it is one state machine: one cursor whose block, flow and scalar readers
//! call one another, fuzzed and reviewed against the general parser as a unit.
//!
//! Nearly every CloudFormation template uses a small part of YAML: block mappings and sequences
//! indented with spaces, plain and quoted scalars (over one line or several), `|`/`>` block
//! scalars, local `!Tag`s, comments, and flow collections (which is all a JSON template is). This
//! module reads that part straight into the [`super::ast`] tree, several times faster than the
//! general event parser.
//!
//! It never decides that a file is wrong. Whenever it meets anything outside that part — an
//! anchor or alias, a `%` directive, a second document, a tab in indentation, an escaped line
//! break, an indentation it does not expect — or any syntax error, it returns `None`, and
//! [`super::parse`] reads the file again with the general parser, which explains the files it
//! rejects. For every text the fast reader accepts, the general parser builds the identical tree
//! (spans, styles, tags and comments included): `tests/fast_reader.rs` and the `fast_reader` fuzz
//! target hold it to that, so which reader ran can never change a finding.

use super::ast::{Comment, Document, Entry, Node, NodeKind, Scalar, ScalarStyle, Tag};
use super::parser::MAX_BUFFERED_COMMENTS;
use crate::source::Span;

/// Deepest nesting the fast reader follows; deeper files go to the general parser, which also
/// owns the depth error.
const MAX_FAST_DEPTH: usize = 64;

/// Longest implicit key YAML allows, which the general parser measures from the key's start to
/// its `:` (spaces before the `:` count); longer ones go to it.
const MAX_KEY_LEN: usize = 1024;

/// Read `text` if it stays within the subset described in the module docs.
pub(super) fn parse(text: &str, max_depth: usize) -> Option<Document> {
    if !plain_characters(text) {
        return None;
    }
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        pos: 0,
        line_start: 0,
        depth: 0,
        max_depth: max_depth.min(MAX_FAST_DEPTH),
        comments: Vec::new(),
        document_start_allowed: true,
    };
    let indent = r.scan_lines()??;
    let root = match r.peek() {
        b'-' if r.is_entry(r.pos) => r.block_sequence(indent, false)?,
        b'[' | b'{' => {
            let node = r.flow_collection(-1)?;
            r.finish_and_scan()?;
            node
        }
        _ => r.block_mapping(indent)?,
    };
    if r.pos < r.b.len() {
        return None;
    }
    Some(Document {
        root: Some(root),
        comments: r.comments,
    })
}

/// No byte the general parser treats specially outside the subset: control characters other
/// than tab and line feed, a carriage return not followed by a line feed, a byte-order mark, and
/// the Unicode characters YAML forbids or that some readers take as line breaks.
fn plain_characters(text: &str) -> bool {
    let b = text.as_bytes();
    let mut ascii = true;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\t' | b'\n' => {}
            b'\r' if b.get(i + 1) != Some(&b'\n') => return false,
            b'\r' => {}
            0..=0x1f | 0x7f => return false,
            0x80.. => ascii = false,
            _ => {}
        }
    }
    ascii
        || !text.chars().any(|c| {
            matches!(
                c,
                '\u{80}'
                    ..='\u{9f}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{2028}' | '\u{2029}'
            )
        })
}

struct Reader<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    /// Start of the line `pos` is on.
    line_start: usize,
    depth: usize,
    max_depth: usize,
    comments: Vec<Comment>,
    /// Before the first content line, one `---` may open the document.
    document_start_allowed: bool,
}

/// Where a block node stands, which decides what may follow it.
#[derive(Clone, Copy)]
struct Place {
    /// Column of the collection the node belongs to (-1 for the document).
    parent: isize,
    /// The node is a mapping value: a sequence may start at the parent's own column.
    mapping_value: bool,
    /// Where the general parser puts an empty node here.
    empty: Empty,
}

#[derive(Clone, Copy)]
enum Empty {
    /// At the `:` of the key (a mapping value).
    At(usize),
    /// At the end of the line, after any comment (a sequence entry).
    LineEnd,
}

fn is_blank_or_end(c: Option<&u8>) -> bool {
    matches!(c, None | Some(b' ' | b'\t' | b'\n' | b'\r'))
}

/// YAML's indicator characters, which a plain scalar may not start with (`-`, `?` and `:` only
/// when a space follows; callers decide).
fn is_indicator(c: u8) -> bool {
    matches!(
        c,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

impl<'t> Reader<'t> {
    /// The byte at `pos`, or 0 past the end (the text holds no NUL: see [`plain_characters`]).
    fn peek(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }

    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn at_eol(&self, i: usize) -> bool {
        matches!(self.b.get(i), None | Some(b'\n' | b'\r'))
    }

    fn column(&self) -> usize {
        self.pos - self.line_start
    }

    /// `---` or `...` at `i` (a line start), as a line of its own or followed by a space.
    fn is_document_marker(&self, i: usize) -> bool {
        let rest = &self.b[i..];
        (rest.starts_with(b"---") || rest.starts_with(b"...")) && is_blank_or_end(rest.get(3))
    }

    /// From the line break at `i`, past any blank lines: the start of the next line with
    /// content, where its content starts (the end of the text if none), and how many blank
    /// lines came between. `None` when a tab is in that line's indentation.
    fn next_content_line(&self, mut i: usize) -> Option<(usize, usize, usize)> {
        let mut blank_lines = 0;
        loop {
            i += if self.b[i] == b'\r' { 2 } else { 1 };
            let line = i;
            while self.at(i) == b' ' {
                i += 1;
            }
            match self.at(i) {
                b'\t' => return None,
                b'\n' | b'\r' => blank_lines += 1,
                _ => return Some((line, i, blank_lines)),
            }
        }
    }

    /// A `-` that starts a sequence entry.
    fn is_entry(&self, i: usize) -> bool {
        self.at(i) == b'-' && is_blank_or_end(self.b.get(i + 1))
    }

    fn skip_spaces(&mut self) {
        while self.peek() == b' ' {
            self.pos += 1;
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth < self.max_depth).then_some(())
    }

    /// A `#` at `pos` starts a comment only at a line's start or after a space or tab.
    fn may_start_comment(&self) -> bool {
        self.pos == self.line_start || matches!(self.b[self.pos - 1], b' ' | b'\t')
    }

    fn comment(&mut self) {
        let start = self.pos;
        let mut end = start;
        while !self.at_eol(end) {
            end += 1;
        }
        self.comments.push(Comment {
            text: self.text[start + 1..end].to_string(),
            span: Span::new(start, end),
        });
        self.pos = end;
    }

    /// Consume a line break at `pos`, if there is one.
    fn line_break(&mut self) -> bool {
        match self.peek() {
            b'\n' => self.pos += 1,
            b'\r' => self.pos += 2,
            _ => return false,
        }
        self.line_start = self.pos;
        true
    }

    /// From the start of a line, skip blank and comment lines (and one `---` before any
    /// content). Leaves `pos` on the first character of the next content line and returns its
    /// indentation, or `Some(None)` at the end of the text.
    fn scan_lines(&mut self) -> Option<Option<usize>> {
        loop {
            self.line_start = self.pos;
            self.skip_spaces();
            match self.peek() {
                _ if self.pos >= self.b.len() => return Some(None),
                b'\n' | b'\r' => {
                    self.line_break();
                }
                b'#' => {
                    self.comment();
                    if !self.line_break() {
                        return Some(None);
                    }
                }
                b'\t' => return None,
                c => {
                    let indent = self.column();
                    if indent == 0 && matches!(c, b'-' | b'.' | b'%') {
                        let marker = self.is_document_marker(self.pos);
                        if c == b'%' || (marker && !(c == b'-' && self.document_start_allowed)) {
                            return None;
                        }
                        if marker {
                            self.document_start_allowed = false;
                            self.pos += 3;
                            self.finish_line()?;
                            continue;
                        }
                    }
                    self.document_start_allowed = false;
                    return Some(Some(indent));
                }
            }
        }
    }

    /// After a node: spaces, an optional comment, then the end of the line.
    fn finish_line(&mut self) -> Option<()> {
        self.skip_spaces();
        if self.peek() == b'#' {
            if !self.may_start_comment() {
                return None;
            }
            self.comment();
        }
        if self.pos >= self.b.len() {
            return Some(());
        }
        self.line_break().then_some(())
    }

    fn finish_and_scan(&mut self) -> Option<Option<usize>> {
        self.finish_line()?;
        self.scan_lines()
    }

    // ----- block collections -----

    /// A block mapping whose first key is at `pos`, in column `col`.
    fn block_mapping(&mut self, col: usize) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        let mut end = start;
        let mut entries = Vec::new();
        loop {
            let (key, colon) = self.block_key()?;
            let value = self.block_value(Place {
                parent: col as isize,
                mapping_value: true,
                empty: Empty::At(colon),
            })?;
            end = end.max(key.span.end).max(value.span.end);
            entries.push(Entry { key, value });
            // The next key is at the mapping's column; anything deeper, or a `-` there, is an
            // error (or a construct left to the general parser).
            match self.line_indent() {
                Some(i) if i == col && !self.is_entry(self.pos) => {}
                Some(i) if i >= col => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Node {
            span: Span::new(start, end),
            tag: None,
            anchor: None,
            kind: NodeKind::Mapping(entries),
        })
    }

    /// The indentation of the line `pos` stands on after a node, `None` at the end of the text.
    fn line_indent(&self) -> Option<usize> {
        (self.pos < self.b.len()).then(|| self.column())
    }

    /// A block sequence whose first `-` is at `pos`, in column `col`. An indentless sequence (a
    /// mapping value at its key's column) starts where its first entry's content does.
    fn block_sequence(&mut self, col: usize, indentless: bool) -> Option<Node> {
        self.enter()?;
        let mut start = self.pos;
        let mut end = start;
        let mut items = Vec::new();
        loop {
            self.pos += 1;
            self.skip_spaces();
            if indentless && items.is_empty() {
                // Where the general parser starts an indentless sequence whose first entry is
                // empty depends on the line ending; leave those to it.
                if self.at_eol(self.pos) || self.peek() == b'#' {
                    return None;
                }
                start = self.pos;
            }
            let item = self.block_value(Place {
                parent: col as isize,
                mapping_value: false,
                empty: Empty::LineEnd,
            })?;
            end = end.max(item.span.end);
            items.push(item);
            match self.line_indent() {
                Some(i) if i == col && self.is_entry(self.pos) => {}
                Some(i) if i == col && indentless => break,
                Some(i) if i >= col => return None,
                _ => break,
            }
        }
        self.depth -= 1;
        Some(Node {
            span: Span::new(start, end.max(start)),
            tag: None,
            anchor: None,
            kind: NodeKind::Sequence(items),
        })
    }

    /// A key at `pos`: a one-line quoted scalar, or a plain one that its `:` ends. Leaves `pos`
    /// on the `:` and returns the key and the colon's offset.
    fn key(&mut self, flow: bool) -> Option<(Node, usize)> {
        let key = match self.peek() {
            b'"' | b'\'' => self.quoted(None)?,
            c if self.plain_can_start(c, flow) => {
                let (node, stop) = self.plain(flow);
                if stop != Stop::Colon {
                    return None;
                }
                node
            }
            _ => return None,
        };
        self.skip_spaces();
        if self.pos - key.span.start > MAX_KEY_LEN || self.peek() != b':' {
            return None;
        }
        Some((key, self.pos))
    }

    /// A block mapping key at `pos` and its `:`, which a space or the line's end must follow.
    fn block_key(&mut self) -> Option<(Node, usize)> {
        let (key, colon) = self.key(false)?;
        if !is_blank_or_end(self.b.get(colon + 1)) {
            return None;
        }
        self.pos += 1;
        Some((key, colon))
    }

    /// The node after `key:` or `- `, with `pos` just past the indicator. Returns with `pos` on
    /// the first content character of the next line (or at the end of the text).
    fn block_value(&mut self, place: Place) -> Option<Node> {
        self.skip_spaces();
        let c = self.peek();
        if self.at_eol(self.pos) || c == b'#' {
            return self.nested(place, None);
        }
        match c {
            b'!' => {
                let tag = self.tag()?;
                if self.peek() != b' ' {
                    // A tag alone on its line tags the collection below it.
                    return if self.at_eol(self.pos) {
                        self.nested(place, Some(tag))
                    } else {
                        None
                    };
                }
                self.skip_spaces();
                if self.at_eol(self.pos) || self.peek() == b'#' {
                    return self.nested(place, Some(tag));
                }
                let mut node = self.inline_value(place, false)?;
                node.tag = Some(Box::new(tag));
                Some(node)
            }
            _ => self.inline_value(place, true),
        }
    }

    /// A node that starts on the current line.
    fn inline_value(&mut self, place: Place, may_be_key: bool) -> Option<Node> {
        match self.peek() {
            // `- - x`: a sequence inside a sequence entry.
            b'-' if self.is_entry(self.pos) && !place.mapping_value && may_be_key => {
                let col = self.column();
                self.block_sequence(col, false)
            }
            b'|' | b'>' => self.block_scalar(place.parent),
            b'[' | b'{' => {
                let node = self.flow_collection(place.parent)?;
                self.after_scalar(place)?;
                Some(node)
            }
            b'"' | b'\'' => {
                let at = self.pos;
                let node = self.quoted(Some(place.parent))?;
                self.skip_spaces();
                if self.peek() == b':' && is_blank_or_end(self.b.get(self.pos + 1)) {
                    return self.compact_mapping(place, may_be_key, at);
                }
                self.after_scalar(place)?;
                Some(node)
            }
            c if self.plain_can_start(c, false) => {
                let at = self.pos;
                let (mut node, stop) = self.plain(false);
                if stop == Stop::Colon {
                    return self.compact_mapping(place, may_be_key, at);
                }
                if stop == Stop::Line {
                    self.plain_lines(&mut node, place.parent)?;
                }
                self.after_scalar(place)?;
                Some(node)
            }
            _ => None,
        }
    }

    /// `- key: value` starts a mapping at the key's column; anywhere else a key after a key is
    /// an error the general parser reports.
    fn compact_mapping(&mut self, place: Place, may_be_key: bool, at: usize) -> Option<Node> {
        if place.mapping_value || !may_be_key {
            return None;
        }
        self.pos = at;
        let col = self.column();
        self.block_mapping(col)
    }

    /// After a one-line node: the rest of the line, then the next content line, which must not
    /// be indented under the node (that would continue a plain scalar, or be an error).
    fn after_scalar(&mut self, place: Place) -> Option<()> {
        match self.finish_and_scan()? {
            Some(i) if i as isize > place.parent => None,
            _ => Some(()),
        }
    }

    /// Nothing more on the line: the node is on the following lines, or empty.
    fn nested(&mut self, place: Place, tag: Option<Tag>) -> Option<Node> {
        let mut line_end = self.pos;
        while !self.at_eol(line_end) {
            line_end += 1;
        }
        let comments_before = self.comments.len();
        let indent = self.finish_and_scan()?;
        // The general parser holds these comments while it looks for the node, and gives up
        // past its limit.
        if self.comments.len() - comments_before > MAX_BUFFERED_COMMENTS {
            return None;
        }
        let mut node = match indent {
            Some(i) if i as isize > place.parent => {
                if self.is_entry(self.pos) {
                    self.block_sequence(i, false)?
                } else {
                    // A key starts a mapping here; anything else is the node itself, on its own
                    // line(s) under the key. A second tag below a tag is an error, and checking
                    // it here keeps this recursion to two levels.
                    if tag.is_some() && self.peek() == b'!' {
                        return None;
                    }
                    let below = Place {
                        mapping_value: false,
                        ..place
                    };
                    self.block_value(below)?
                }
            }
            Some(i)
                if i as isize == place.parent && place.mapping_value && self.is_entry(self.pos) =>
            {
                self.block_sequence(i, true)?
            }
            _ => {
                let at = match (&tag, place.empty) {
                    (Some(t), _) => t.span.end,
                    (None, Empty::At(at)) => at,
                    (None, Empty::LineEnd) => line_end,
                };
                let mut empty = scalar(Span::new(at, at), String::new(), ScalarStyle::Plain);
                empty.tag = tag.map(Box::new);
                return Some(empty);
            }
        };
        if tag.is_some() {
            node.tag = tag.map(Box::new);
        }
        Some(node)
    }

    /// `!Name` at `pos`; only local tags made of name characters.
    fn tag(&mut self) -> Option<Tag> {
        let start = self.pos;
        let mut end = start + 1;
        while self.at(end).is_ascii_alphanumeric()
            || matches!(self.at(end), b'-' | b'_' | b'.' | b':')
        {
            end += 1;
        }
        if end == start + 1 {
            return None;
        }
        let next = self.at(end);
        if !(next == b' ' || self.at_eol(end) || is_flow_indicator(next)) {
            return None;
        }
        self.pos = end;
        Some(Tag {
            text: self.text[start..end].to_string(),
            span: Span::new(start, end),
        })
    }

    // ----- scalars -----

    fn plain_can_start(&self, c: u8, flow: bool) -> bool {
        match c {
            b'-' | b'?' | b':' => {
                let next = self.b.get(self.pos + 1);
                !(is_blank_or_end(next) || flow && next.is_some_and(|&n| is_flow_indicator(n)))
            }
            c if is_indicator(c) || matches!(c, b' ' | b'\t' | b'\n' | b'\r') => false,
            _ => self.pos < self.b.len(),
        }
    }

    /// A one-line plain scalar at `pos`, and what stopped it.
    fn plain(&mut self, flow: bool) -> (Node, Stop) {
        let start = self.pos;
        let mut i = start;
        let stop = loop {
            match self.at(i) {
                _ if i >= self.b.len() => break Stop::Line,
                b'\n' | b'\r' => break Stop::Line,
                b':' => {
                    let next = self.b.get(i + 1);
                    if is_blank_or_end(next)
                        || (flow && next.is_some_and(|&n| is_flow_indicator(n)))
                    {
                        break Stop::Colon;
                    }
                }
                b'#' if matches!(self.b[i - 1], b' ' | b'\t') => break Stop::Comment,
                c if flow && is_flow_indicator(c) => break Stop::Flow,
                _ => {}
            }
            i += 1;
        };
        let mut end = i;
        while end > start && matches!(self.b[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        self.pos = end;
        let value = self.text[start..end].to_string();
        (
            scalar(Span::new(start, end), value, ScalarStyle::Plain),
            stop,
        )
    }

    /// The lines that continue a block plain scalar: indented more than `parent`, after any
    /// blank lines (each a `\n`; none, a space). Leaves `pos` after the scalar's last character.
    fn plain_lines(&mut self, node: &mut Node, parent: isize) -> Option<()> {
        let mut value: Option<String> = None;
        loop {
            let mut i = self.pos;
            while matches!(self.at(i), b' ' | b'\t') {
                i += 1;
            }
            if i >= self.b.len() {
                break;
            }
            let (line, i, blank_lines) = self.next_content_line(i)?;
            let first = self.at(i);
            if i >= self.b.len() || ((i - line) as isize) <= parent || first == b'#' {
                break;
            }
            // Even `-x` or `:x`, which could go on a plain scalar, are left to the general parser.
            if is_indicator(first) {
                return None;
            }
            self.pos = i;
            self.line_start = line;
            let (more, stop) = self.plain(false);
            if stop == Stop::Colon {
                return None;
            }
            let v = value.get_or_insert_with(|| node.as_str().unwrap_or_default().to_string());
            fold_line_break(v, blank_lines);
            v.push_str(more.as_str().unwrap_or_default());
            node.span.end = more.span.end;
            if stop == Stop::Comment {
                break;
            }
        }
        if let (Some(v), NodeKind::Scalar(scalar)) = (value, &mut node.kind) {
            scalar.value = v;
        }
        Some(())
    }

    /// A quoted scalar at `pos`.
    ///
    /// With `lines_under: Some(parent)` the scalar may go on over lines indented more than
    /// `parent`; line breaks fold as YAML says (one break is a space, each blank line a `\n`).
    fn quoted(&mut self, lines_under: Option<isize>) -> Option<Node> {
        let start = self.pos;
        let double = self.peek() == b'"';
        let quote = self.peek();
        let mut i = start + 1;
        let mut value: Option<String> = None;
        let mut piece = i;
        loop {
            match self.at(i) {
                _ if i >= self.b.len() => return None,
                b'\n' | b'\r' => {
                    let parent = lines_under?;
                    let v = value.get_or_insert_with(String::new);
                    let mut kept = i;
                    while kept > piece && matches!(self.b[kept - 1], b' ' | b'\t') {
                        kept -= 1;
                    }
                    v.push_str(&self.text[piece..kept]);
                    let (line, first, blank_lines) = self.next_content_line(i)?;
                    if first >= self.b.len()
                        || ((first - line) as isize) <= parent
                        || self.is_document_marker(line)
                    {
                        return None;
                    }
                    self.line_start = line;
                    fold_line_break(v, blank_lines);
                    i = first;
                    piece = i;
                    continue;
                }
                c if c == quote => {
                    if !double && self.at(i + 1) == b'\'' {
                        let v = value.get_or_insert_with(String::new);
                        v.push_str(&self.text[piece..=i]);
                        i += 2;
                        piece = i;
                        continue;
                    }
                    break;
                }
                b'\\' if double => {
                    let v = value.get_or_insert_with(String::new);
                    v.push_str(&self.text[piece..i]);
                    let (ch, len) = self.escape(i)?;
                    v.push(ch);
                    i += len;
                    piece = i;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        let value = match value {
            Some(mut v) => {
                v.push_str(&self.text[piece..i]);
                v
            }
            None => self.text[start + 1..i].to_string(),
        };
        self.pos = i + 1;
        let style = if double {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        Some(scalar(Span::new(start, self.pos), value, style))
    }

    /// The escape at `i` (a backslash) and its length in bytes.
    fn escape(&self, i: usize) -> Option<(char, usize)> {
        let ch = match self.at(i + 1) {
            b'\\' => '\\',
            b'"' => '"',
            b'/' => '/',
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'0' => '\0',
            b' ' => ' ',
            b'u' => {
                let hex = self.text.get(i + 2..i + 6)?;
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let code = u32::from_str_radix(hex, 16).ok()?;
                return char::from_u32(code).map(|c| (c, 6));
            }
            _ => return None,
        };
        Some((ch, 2))
    }

    /// A `|` or `>` block scalar whose content must be indented more than `parent`.
    fn block_scalar(&mut self, parent: isize) -> Option<Node> {
        let start = self.pos;
        let literal = self.peek() == b'|';
        self.pos += 1;
        let chomp = match self.peek() {
            b'-' => Chomp::Strip,
            b'+' => Chomp::Keep,
            _ => Chomp::Clip,
        };
        if chomp != Chomp::Clip {
            self.pos += 1;
        }
        if !is_blank_or_end(self.b.get(self.pos)) {
            return None;
        }
        self.finish_line()?;
        if self.pos >= self.b.len() {
            return None;
        }
        // Lines of the scalar: (start of text after the indentation, end of line).
        let mut lines: Vec<(usize, usize)> = Vec::new();
        let mut indent = None;
        let mut leading_blank_max = 0;
        let mut last_text_end = None;
        loop {
            let line = self.pos;
            let mut i = line;
            while self.at(i) == b' ' {
                i += 1;
            }
            let spaces = i - line;
            let mut end = i;
            while !self.at_eol(end) {
                end += 1;
            }
            let blank = end == i;
            if self.at(i) == b'\t' && indent.is_none_or(|n| spaces < n) {
                return None;
            }
            match indent {
                None if blank => leading_blank_max = leading_blank_max.max(spaces),
                None => {
                    if spaces as isize <= parent || leading_blank_max > spaces {
                        return None;
                    }
                    indent = Some(spaces);
                }
                Some(n) if !blank && spaces < n => break,
                Some(_) => {}
            }
            if end >= self.b.len() {
                // The last line without a line break: left to the general parser.
                if !blank || spaces > 0 {
                    return None;
                }
                break;
            }
            match indent {
                Some(n) if spaces >= n => {
                    let text_start = line + n;
                    lines.push((text_start, end));
                    if !blank || spaces > n {
                        let mut e = end;
                        while matches!(self.b[e - 1], b' ' | b'\t') {
                            e -= 1;
                        }
                        if e > text_start {
                            last_text_end = Some(e);
                        }
                    }
                }
                _ => lines.push((end, end)),
            }
            self.pos = end;
            self.line_break();
        }
        let last_text_end = last_text_end?;
        let value = fold_block(self.text, &lines, literal, chomp);
        // The next content line, read from the start of the line that ended the scalar.
        self.pos = self.line_start;
        match self.scan_lines()? {
            Some(i) if i as isize > parent => return None,
            _ => {}
        }
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        Some(scalar(Span::new(start, last_text_end), value, style))
    }

    // ----- flow collections -----

    /// `[...]` or `{...}` at `pos`; lines inside must be indented more than `parent`.
    fn flow_collection(&mut self, parent: isize) -> Option<Node> {
        self.enter()?;
        let start = self.pos;
        let map = self.peek() == b'{';
        let close = if map { b'}' } else { b']' };
        self.pos += 1;
        let mut items = Vec::new();
        let mut entries = Vec::new();
        loop {
            self.flow_space(parent)?;
            if self.peek() == close {
                break;
            }
            if map {
                let (key, _) = self.key(true)?;
                self.pos += 1;
                // After a plain key, YAML wants a space before a nested collection.
                let plain_key = key
                    .as_scalar()
                    .is_some_and(|k| k.style == ScalarStyle::Plain);
                if plain_key && matches!(self.peek(), b'[' | b'{') {
                    return None;
                }
                self.flow_space(parent)?;
                if matches!(self.peek(), b',' | b'}') {
                    return None;
                }
                let value = self.flow_value(parent)?;
                entries.push(Entry { key, value });
            } else {
                items.push(self.flow_value(parent)?);
            }
            self.flow_space(parent)?;
            match self.peek() {
                b',' => self.pos += 1,
                c if c == close => break,
                _ => return None,
            }
        }
        self.pos += 1;
        self.depth -= 1;
        Some(Node {
            span: Span::new(start, self.pos),
            tag: None,
            anchor: None,
            kind: if map {
                NodeKind::Mapping(entries)
            } else {
                NodeKind::Sequence(items)
            },
        })
    }

    fn flow_value(&mut self, parent: isize) -> Option<Node> {
        let tag = if self.peek() == b'!' {
            let tag = self.tag()?;
            if self.peek() != b' ' {
                return None;
            }
            self.skip_spaces();
            Some(tag)
        } else {
            None
        };
        let mut node = match self.peek() {
            b'[' | b'{' => self.flow_collection(parent)?,
            b'"' | b'\'' => self.quoted(Some(parent))?,
            c if self.plain_can_start(c, true) => {
                let (node, stop) = self.plain(true);
                match stop {
                    // A single-pair mapping (`[k: v]`).
                    Stop::Colon => return None,
                    // Unless the collection goes on after the line break, the scalar would.
                    Stop::Line => {
                        let save = (self.pos, self.line_start, self.comments.len());
                        self.flow_space(parent)?;
                        if !matches!(self.peek(), b',' | b']' | b'}') {
                            return None;
                        }
                        (self.pos, self.line_start) = (save.0, save.1);
                        self.comments.truncate(save.2);
                    }
                    Stop::Comment | Stop::Flow => {}
                }
                node
            }
            _ => return None,
        };
        node.tag = tag.map(Box::new);
        Some(node)
    }

    /// Spaces, line breaks and comments inside a flow collection.
    fn flow_space(&mut self, parent: isize) -> Option<()> {
        loop {
            match self.peek() {
                b' ' | b'\t' => self.pos += 1,
                b'\n' | b'\r' => {
                    self.line_break();
                    let mut i = self.pos;
                    while matches!(self.at(i), b' ' | b'\t') {
                        i += 1;
                    }
                    if self.is_document_marker(self.pos) {
                        return None;
                    }
                    if parent >= 0
                        && !self.at_eol(i)
                        && (((i - self.pos) as isize) <= parent
                            || self.b[self.pos..i].contains(&b'\t'))
                    {
                        return None;
                    }
                }
                b'#' => {
                    if !self.may_start_comment() {
                        return None;
                    }
                    self.comment();
                }
                _ => return Some(()),
            }
        }
    }
}

fn scalar(span: Span, value: String, style: ScalarStyle) -> Node {
    Node {
        span,
        tag: None,
        anchor: None,
        kind: NodeKind::Scalar(Scalar { value, style }),
    }
}

/// YAML line folding inside a scalar: one line break reads as a space, and each blank line
/// after it as a line feed.
fn fold_line_break(value: &mut String, blank_lines: usize) {
    if blank_lines == 0 {
        value.push(' ');
    } else {
        value.extend(std::iter::repeat_n('\n', blank_lines));
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The end of the line (or text).
    Line,
    /// A `:` that makes the scalar a key.
    Colon,
    /// A ` #` comment.
    Comment,
    /// A flow indicator.
    Flow,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// The value of a block scalar from its lines (text after the indentation).
fn fold_block(text: &str, lines: &[(usize, usize)], literal: bool, chomp: Chomp) -> String {
    let line = |&(s, e): &(usize, usize)| &text[s..e];
    let last = lines.iter().rposition(|l| !line(l).is_empty()).unwrap_or(0);
    let trailing = lines.len() - last - 1;
    let mut out = String::new();
    if literal {
        for (n, l) in lines[..=last].iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            out.push_str(line(l));
        }
    } else {
        let mut empties = 0;
        let mut prev_normal: Option<bool> = None;
        for l in &lines[..=last] {
            let t = line(l);
            if t.is_empty() {
                empties += 1;
                continue;
            }
            let normal = !t.starts_with([' ', '\t']);
            match prev_normal {
                None => out.extend(std::iter::repeat_n('\n', empties)),
                Some(p) if p && normal && empties == 0 => out.push(' '),
                Some(p) if p && normal => out.extend(std::iter::repeat_n('\n', empties)),
                Some(_) => out.extend(std::iter::repeat_n('\n', empties + 1)),
            }
            empties = 0;
            prev_normal = Some(normal);
            out.push_str(t);
        }
    }
    match chomp {
        Chomp::Strip => {}
        Chomp::Clip => out.push('\n'),
        Chomp::Keep => out.extend(std::iter::repeat_n('\n', trailing + 1)),
    }
    out
}

//! The doctor's view of a YAML file: one record per physical line, built from the raw text
//! because the doctor runs exactly when the parser could not.
//!
//! Columns are visual and 0-based here, with tabs expanded to 8-column stops (what the author
//! saw in a typical editor). The scanner knows just enough YAML to tell which lines carry block
//! structure and which belong to a block scalar, a flow collection or a multi-line scalar,
//! because tabs are legal (and indentation is meaningless) inside the latter.

use crate::source::Span;

pub(crate) const TAB_STOP: usize = 8;

pub(crate) fn next_tab_stop(col: usize) -> usize {
    (col / TAB_STOP + 1) * TAB_STOP
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// A mapping key (`name:`).
    Key,
    /// A sequence entry indicator (`-`).
    Dash,
}

/// A key or a dash that starts block structure on a line.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub col: usize,
    /// The key token (with its quotes) or the dash.
    pub span: Span,
    /// The key without quotes; empty for a dash.
    pub name: String,
}

/// What follows the last node of a structural line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// Nothing but perhaps a tag, an anchor or a comment: the value is on the following lines.
    Opens,
    Plain,
    /// A quoted scalar, alias or flow collection that ends on this line.
    Closed,
    BlockScalar {
        explicit_indent: Option<usize>,
    },
    FlowOpen,
    QuotedOpen,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Context {
    /// A block-context line with content: nodes and/or a value.
    Structural,
    DocumentMarker,
    /// Blank, comment-only or directive line.
    Neutral,
    /// A further line of a multi-line plain scalar.
    PlainContinuation,
    /// A line of block-scalar content; whitespace from `content_col` on is content.
    BlockScalar {
        content_col: usize,
    },
    /// Inside a flow collection opened on an earlier line. `expand` when the line that opened
    /// it was itself tab-indented, so its continuation lines follow the same layout.
    Flow {
        expand: bool,
    },
    /// Inside a quoted scalar opened on an earlier line.
    Quoted,
}

#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub start: usize,
    /// After a byte-order mark on the first line.
    pub ws_start: usize,
    /// First byte after the leading spaces and tabs.
    pub ws_end: usize,
    /// End of the content, before `\r\n` or `\n`.
    pub end: usize,
    /// Visual column of the first non-blank character.
    pub col: usize,
    /// Tabs in the leading whitespace: (byte offset, visual column where the tab starts).
    pub tabs: Vec<(usize, usize)>,
    pub context: Context,
    pub nodes: Vec<Node>,
    pub value: Value,
}

impl Line {
    pub fn is_blank(&self) -> bool {
        self.ws_end >= self.end
    }

    /// Whether a tab of the leading whitespace starting at visual column `tab_col` is
    /// indentation (to be expanded) rather than content.
    pub fn expands_tab(&self, tab_col: usize) -> bool {
        match self.context {
            Context::Structural
            | Context::DocumentMarker
            | Context::Neutral
            | Context::PlainContinuation => true,
            Context::BlockScalar { content_col } => tab_col < content_col,
            Context::Flow { expand } => expand,
            Context::Quoted => false,
        }
    }

    /// The tabs this line is reported for: tabs YAML reads as indentation on a line with
    /// content. Comment and blank lines are left alone (parsers disagree about them).
    pub fn reported_tabs(&self) -> impl Iterator<Item = &(usize, usize)> {
        let reportable = !self.is_blank()
            && matches!(
                self.context,
                Context::Structural
                    | Context::DocumentMarker
                    | Context::PlainContinuation
                    | Context::BlockScalar { .. }
            );
        self.tabs
            .iter()
            .filter(move |(_, col)| reportable && self.expands_tab(*col))
    }

    pub fn first(&self) -> Option<&Node> {
        self.nodes.first()
    }
}

/// Scanner state carried from one line to the next.
enum Mode {
    Block,
    BlockScalar {
        owner_col: usize,
        explicit: Option<usize>,
        content_col: Option<usize>,
    },
    Flow {
        state: FlowState,
        expand: bool,
    },
    Quoted(u8),
    Plain {
        owner_col: usize,
    },
}

#[derive(Clone, Copy, Debug, Default)]
struct FlowState {
    depth: usize,
    quote: Option<u8>,
}

/// Split `text` into lines and classify each.
pub(crate) fn scan(text: &str) -> Vec<Line> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut mode = Mode::Block;
    // Column of the last node whose value opened on the following lines.
    let mut opener_col: Option<usize> = None;
    let mut start = 0;
    while start < bytes.len() || (start == 0 && bytes.is_empty()) {
        let newline = bytes[start..].iter().position(|b| *b == b'\n');
        let next = newline.map_or(bytes.len(), |i| start + i + 1);
        let mut end = newline.map_or(bytes.len(), |i| start + i);
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        let ws_start = if start == 0 && text.starts_with('\u{feff}') {
            3.min(end)
        } else {
            start
        };
        let mut line = measure(bytes, start, ws_start, end);
        classify(text, &mut line, &mut mode, &mut opener_col);
        lines.push(line);
        if next == start {
            break;
        }
        start = next;
    }
    lines
}

fn measure(bytes: &[u8], start: usize, ws_start: usize, end: usize) -> Line {
    let mut col = 0;
    let mut tabs = Vec::new();
    let mut i = ws_start;
    while i < end {
        match bytes[i] {
            b' ' => col += 1,
            b'\t' => {
                tabs.push((i, col));
                col = next_tab_stop(col);
            }
            _ => break,
        }
        i += 1;
    }
    Line {
        start,
        ws_start,
        ws_end: i,
        end,
        col,
        tabs,
        context: Context::Neutral,
        nodes: Vec::new(),
        value: Value::Closed,
    }
}

fn classify(text: &str, line: &mut Line, mode: &mut Mode, opener_col: &mut Option<usize>) {
    let content = &text.as_bytes()[line.ws_end..line.end];
    match mode {
        Mode::Block => {}
        Mode::BlockScalar {
            owner_col,
            explicit,
            content_col,
        } => {
            if line.is_blank() {
                line.context = Context::BlockScalar {
                    content_col: content_col.unwrap_or(usize::MAX),
                };
                return;
            }
            if line.col > *owner_col {
                let col = *content_col.get_or_insert_with(|| match explicit {
                    Some(n) => *owner_col + *n,
                    None => {
                        // Indentation is counted in spaces: a content line that needs a tab to
                        // get past its owner is tab-indented as a whole.
                        let spaces = line.tabs.first().map_or(line.col, |t| t.1);
                        if spaces > *owner_col {
                            spaces
                        } else {
                            line.col
                        }
                    }
                });
                line.context = Context::BlockScalar { content_col: col };
                return;
            }
            *mode = Mode::Block;
        }
        Mode::Flow { state, expand } => {
            line.context = Context::Flow { expand: *expand };
            scan_flow(content, state);
            if state.depth == 0 && state.quote.is_none() {
                *mode = Mode::Block;
            }
            return;
        }
        Mode::Quoted(q) => {
            line.context = Context::Quoted;
            if quote_end(content, *q).is_some() {
                *mode = Mode::Block;
            }
            return;
        }
        Mode::Plain { owner_col } => {
            if line.is_blank() {
                line.context = Context::Neutral;
                return;
            }
            if line.col > *owner_col && content.first() != Some(&b'#') && !key_like(content) {
                line.context = Context::PlainContinuation;
                return;
            }
            *mode = Mode::Block;
        }
    }

    // Jinja statements and comments (`{% if %}`, `{# #}`) in templated sources vanish when the
    // template is rendered: they say nothing about indentation.
    let jinja = content.starts_with(b"{%") || content.starts_with(b"{#");
    if line.is_blank()
        || jinja
        || content.first() == Some(&b'#')
        || (line.col == 0 && content.first() == Some(&b'%'))
    {
        line.context = Context::Neutral;
        return;
    }
    if line.col == 0 && (is_marker(content, b"---") || is_marker(content, b"...")) {
        line.context = Context::DocumentMarker;
        *opener_col = None;
        return;
    }
    line.context = Context::Structural;
    let (nodes, value, flow) = parse_structure(text, line.ws_end, line.end, line.col);
    let owner = nodes
        .last()
        .map(|n| n.col)
        .unwrap_or_else(|| opener_col.unwrap_or(line.col.saturating_sub(1)));
    line.nodes = nodes;
    line.value = value;
    if !(value == Value::Opens && line.nodes.is_empty()) {
        *opener_col = None;
    }
    match value {
        Value::Opens => {
            if let Some(n) = line.nodes.last() {
                *opener_col = Some(n.col);
            }
        }
        Value::Plain => *mode = Mode::Plain { owner_col: owner },
        Value::BlockScalar { explicit_indent } => {
            *mode = Mode::BlockScalar {
                owner_col: owner,
                explicit: explicit_indent,
                content_col: None,
            }
        }
        Value::FlowOpen => {
            *mode = Mode::Flow {
                state: flow,
                expand: !line.tabs.is_empty(),
            }
        }
        Value::QuotedOpen => *mode = Mode::Quoted(flow.quote.unwrap_or(b'"')),
        Value::Closed => {}
    }
}

fn is_marker(content: &[u8], marker: &[u8]) -> bool {
    content.starts_with(marker) && matches!(content.get(3), None | Some(b' ' | b'\t'))
}

fn is_blank_or_end(b: Option<&u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t'))
}

/// Whether a would-be plain continuation line contains `: ` (or ends in `:`), which makes it a
/// mapping entry and not more text.
fn key_like(content: &[u8]) -> bool {
    let body = strip_comment(content);
    let body = trim_end(body);
    body.last() == Some(&b':')
        || body
            .windows(2)
            .any(|w| w[0] == b':' && (w[1] == b' ' || w[1] == b'\t'))
}

fn strip_comment(content: &[u8]) -> &[u8] {
    for i in 0..content.len() {
        if content[i] == b'#' && (i == 0 || content[i - 1] == b' ' || content[i - 1] == b'\t') {
            return &content[..i];
        }
    }
    content
}

fn trim_end(mut s: &[u8]) -> &[u8] {
    while let Some((last, rest)) = s.split_last() {
        if *last == b' ' || *last == b'\t' {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Visual column of byte `to`, continuing from column `col` at byte `from`.
fn advance_col(bytes: &[u8], from: usize, to: usize, mut col: usize) -> usize {
    for &b in bytes.get(from..to).unwrap_or(&[]) {
        if b == b'\t' {
            col = next_tab_stop(col);
        } else if b & 0xC0 != 0x80 {
            // Count characters, not UTF-8 continuation bytes.
            col += 1;
        }
    }
    col
}

fn skip_blanks(bytes: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && (bytes[i] == b' ' || bytes[i] == b'\t') {
        i += 1;
    }
    i
}

/// Parse the nodes (`- `, `key:`) starting at byte `pos` and the kind of value after them.
fn parse_structure(
    text: &str,
    mut pos: usize,
    end: usize,
    mut col: usize,
) -> (Vec<Node>, Value, FlowState) {
    let bytes = text.as_bytes();
    let mut nodes = Vec::new();
    loop {
        let b = bytes.get(pos).copied();
        let after = bytes.get(pos + 1);
        if matches!(b, Some(b'-' | b'?' | b':'))
            && pos < end
            && (pos + 1 >= end || is_blank_or_end(after))
        {
            let kind = if b == Some(b'-') {
                NodeKind::Dash
            } else {
                NodeKind::Key
            };
            nodes.push(Node {
                kind,
                col,
                span: Span::new(pos, pos + 1),
                name: String::new(),
            });
            let next = skip_blanks(bytes, pos + 1, end);
            col = advance_col(bytes, pos, next, col);
            pos = next;
            if pos >= end {
                return (nodes, Value::Opens, FlowState::default());
            }
            continue;
        }
        if let Some((name, key_end, colon)) = parse_key(text, pos, end) {
            nodes.push(Node {
                kind: NodeKind::Key,
                col,
                span: Span::new(pos, key_end),
                name,
            });
            let next = skip_blanks(bytes, colon + 1, end);
            let (value, flow) = parse_value(bytes, next, end);
            return (nodes, value, flow);
        }
        let (value, flow) = parse_value(bytes, pos, end);
        return (nodes, value, flow);
    }
}

/// A mapping key at `pos`: its unquoted name, the end of the key token and the colon's offset.
fn parse_key(text: &str, pos: usize, end: usize) -> Option<(String, usize, usize)> {
    let bytes = text.as_bytes();
    let first = *bytes.get(pos)?;
    if first == b'"' || first == b'\'' {
        let close = pos + 1 + quote_end(&bytes[pos + 1..end], first)?;
        let colon = skip_blanks(bytes, close + 1, end);
        if bytes.get(colon) == Some(&b':')
            && (colon + 1 >= end || is_blank_or_end(bytes.get(colon + 1)))
        {
            let name = text.get(pos + 1..close).unwrap_or_default().to_string();
            return Some((name, close + 1, colon));
        }
        return None;
    }
    if b"[]{}#&*!|>%@`,".contains(&first) {
        return None;
    }
    let mut i = pos;
    while i < end {
        match bytes[i] {
            b':' if i + 1 >= end || matches!(bytes[i + 1], b' ' | b'\t') => {
                let key_end = pos + trim_end(&bytes[pos..i]).len();
                let name = text.get(pos..key_end).unwrap_or_default().to_string();
                return Some((name, key_end, i));
            }
            b'#' if i > pos && matches!(bytes[i - 1], b' ' | b'\t') => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse_value(bytes: &[u8], mut pos: usize, end: usize) -> (Value, FlowState) {
    // Tags and anchors only decorate the value that follows them.
    while pos < end && (bytes[pos] == b'!' || bytes[pos] == b'&') {
        while pos < end && !matches!(bytes[pos], b' ' | b'\t') {
            pos += 1;
        }
        pos = skip_blanks(bytes, pos, end);
    }
    let none = FlowState::default();
    let Some(&first) = bytes.get(pos).filter(|_| pos < end) else {
        return (Value::Opens, none);
    };
    match first {
        b'#' => (Value::Opens, none),
        b'|' | b'>' => {
            let mut i = pos + 1;
            let mut explicit = None;
            while i < end && matches!(bytes[i], b'0'..=b'9' | b'+' | b'-') {
                if bytes[i].is_ascii_digit() {
                    explicit = Some(usize::from(bytes[i] - b'0'));
                }
                i += 1;
            }
            let rest = &bytes[skip_blanks(bytes, i, end)..end];
            if rest.is_empty() || (rest[0] == b'#' && i < end && matches!(bytes[i], b' ' | b'\t')) {
                (
                    Value::BlockScalar {
                        explicit_indent: explicit,
                    },
                    none,
                )
            } else {
                (Value::Plain, none)
            }
        }
        b'*' => (Value::Closed, none),
        b'"' | b'\'' => {
            if quote_end(&bytes[pos + 1..end], first).is_some() {
                (Value::Closed, none)
            } else {
                (
                    Value::QuotedOpen,
                    FlowState {
                        depth: 0,
                        quote: Some(first),
                    },
                )
            }
        }
        b'[' | b'{' => {
            let mut state = FlowState::default();
            scan_flow(&bytes[pos..end], &mut state);
            if state.depth == 0 && state.quote.is_none() {
                (Value::Closed, none)
            } else {
                (Value::FlowOpen, state)
            }
        }
        _ => (Value::Plain, none),
    }
}

/// Offset of the quote that closes a scalar opened by `quote` before `s`.
fn quote_end(s: &[u8], quote: u8) -> Option<usize> {
    let mut i = 0;
    while i < s.len() {
        if quote == b'"' && s[i] == b'\\' {
            i += 2;
            continue;
        }
        if s[i] == quote {
            if quote == b'\'' && s.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Track bracket depth and open quotes through one line of flow content.
fn scan_flow(s: &[u8], state: &mut FlowState) {
    let mut i = 0;
    let mut token_start = true;
    while i < s.len() {
        let b = s[i];
        if let Some(q) = state.quote {
            if q == b'"' && b == b'\\' {
                i += 2;
                continue;
            }
            if b == q {
                if q == b'\'' && s.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                state.quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' | b'\'' if token_start => state.quote = Some(b),
            b'#' if token_start => return,
            b'[' | b'{' => state.depth += 1,
            b']' | b'}' => {
                state.depth = state.depth.saturating_sub(1);
                if state.depth == 0 {
                    return;
                }
            }
            _ => {}
        }
        token_start = matches!(b, b' ' | b'\t' | b'[' | b'{' | b',' | b':');
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contexts(text: &str) -> Vec<Context> {
        scan(text).into_iter().map(|l| l.context).collect()
    }

    #[test]
    fn block_scalar_content_starts_at_first_line_spaces() {
        let lines = scan("a: |\n  x\n  \ty\nb: 1\n");
        assert_eq!(lines[1].context, Context::BlockScalar { content_col: 2 });
        assert_eq!(lines[2].reported_tabs().count(), 0);
        assert_eq!(lines[3].context, Context::Structural);
    }

    #[test]
    fn tab_indented_block_scalar_is_reported() {
        let lines = scan("\tkey: |\n\t\tline\n");
        assert_eq!(lines[1].context, Context::BlockScalar { content_col: 16 });
        assert_eq!(lines[1].reported_tabs().count(), 2);
    }

    #[test]
    fn flow_and_quoted_lines_are_not_structure() {
        assert_eq!(
            contexts("{\n\t\"a\": [1,\n\t\t2]\n}\n"),
            vec![
                Context::Structural,
                Context::Flow { expand: false },
                Context::Flow { expand: false },
                Context::Flow { expand: false },
            ]
        );
        assert_eq!(
            contexts("a: \"x\n\ty\"\nb: 1")[..3],
            [Context::Structural, Context::Quoted, Context::Structural]
        );
    }

    #[test]
    fn plain_continuation_and_keys() {
        let lines = scan("a: some\n  more text\n  b: c\n- Effect: Allow\n");
        assert_eq!(lines[1].context, Context::PlainContinuation);
        assert_eq!(lines[2].context, Context::Structural);
        assert_eq!(lines[2].nodes[0].name, "b");
        assert_eq!(lines[3].nodes.len(), 2);
        assert_eq!(lines[3].nodes[1].col, 2);
        assert_eq!(lines[3].nodes[1].name, "Effect");
    }

    #[test]
    fn keys_with_colons_quotes_and_tags() {
        let lines = scan("Fn::GetAtt: [a, b]\n\"x y\": !Sub\n'q': >-\n  t\nurl: http://x\n");
        assert_eq!(lines[0].nodes[0].name, "Fn::GetAtt");
        assert_eq!(lines[0].value, Value::Closed);
        assert_eq!(lines[1].nodes[0].name, "x y");
        assert_eq!(lines[1].value, Value::Opens);
        assert_eq!(
            lines[2].value,
            Value::BlockScalar {
                explicit_indent: None
            }
        );
        assert_eq!(lines[4].nodes[0].name, "url");
    }
}

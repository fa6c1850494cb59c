//! Adapter from granit-parser events to [`super::ast`].
//!
//! The tree is built with an explicit stack (never recursion), so hostile nesting costs a bounded
//! amount of memory and ends in a [`ParseError`], not a stack overflow. Aliases are recorded, never
//! expanded, so "billion laughs" documents cost no more than their text.
//!
//! Multi-document streams: CloudFormation reads one document per template, and PyYAML's
//! `safe_load` (what most tooling around templates uses) rejects a stream with a second document,
//! even an empty one after a trailing `---`. So a second document is a syntax error here too,
//! pointing at its `---`.

mod messages;

use super::ast::{
    Anchor, Comment, Document, Entry, Node, NodeKind, Scalar, ScalarStyle as AstStyle, Tag,
};
use crate::source::Span;
use granit_parser::{Event, Marker, Parser, ScalarStyle, ScanError, Span as GSpan, StructureStyle};

/// How many comments granit may hold while looking ahead (its default is 96). 65,536 comment
/// lines after one empty value is far beyond any template, and still a bound on the buffer.
pub(super) const MAX_BUFFERED_COMMENTS: usize = 1 << 16;

#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Deepest nesting of collections accepted before giving up.
    pub max_depth: usize,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions { max_depth: 256 }
    }
}

/// A syntax error a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Where the parser stopped.
    pub span: Span,
    /// What is wrong, in plain words.
    pub message: String,
    /// How to fix it, when known.
    pub help: Option<String>,
}

/// Parse YAML (or JSON, which goes through the same YAML reader as in CloudFormation) into a
/// spanned [`Document`].
///
/// Most templates are read by the fast reader in [`super::fast`]; anything it does not handle
/// goes to the general event parser, which gives the same tree.
pub fn parse(text: &str, opts: &ParseOptions) -> Result<Document, ParseError> {
    match parse_fast(text, opts) {
        Some(document) => Ok(document),
        None => parse_general(text, opts),
    }
}

/// The fast reader alone: `None` when the text is outside what it handles. Public for the
/// differential tests and benchmarks that compare it with [`parse_general`].
pub fn parse_fast(text: &str, opts: &ParseOptions) -> Option<Document> {
    super::fast::parse(text, opts.max_depth.max(1))
}

/// The general event parser alone, which reads all of YAML and explains syntax errors.
pub fn parse_general(text: &str, opts: &ParseOptions) -> Result<Document, ParseError> {
    let max_depth = opts.max_depth.max(1);
    let options = granit_parser::options! {
        emit_anchor_events: true,
        // A dangling `*name` is reported by the `yaml-alias` rule with its name, not as a
        // bare parse failure.
        emit_unresolved_aliases: true,
        // What PyYAML (and so most CloudFormation tooling) produces for a block scalar on the
        // file's last line.
        block_scalar_eof_without_line_feed: true,
        // Our own depth check fires first and explains itself; these only keep granit's
        // internal stacks bounded as well.
        flow_nesting_limit: max_depth.saturating_add(1),
        block_nesting_limit: max_depth.saturating_add(1),
        // granit buffers the comments it meets while looking past an empty value and gave up
        // after 96 of them, which turned a valid template (a key with nothing after it, then a
        // long commented-out block) into a syntax error.
        max_buffered_comment_events: MAX_BUFFERED_COMMENTS,
    };
    let mut builder = Builder::new(text, max_depth);
    for item in Parser::new_from_str_with_options(text, options) {
        match item {
            Ok((event, span)) => builder.event(event, &span)?,
            Err(error) => return Err(builder.scan_error(&error)),
        }
        if builder.finished {
            break;
        }
    }
    Ok(builder.finish())
}

enum Items {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        key: Option<Node>,
    },
}

/// A collection whose end event has not arrived yet.
struct Frame {
    items: Items,
    start: usize,
    flow: bool,
    tag: Option<Box<Tag>>,
    anchor: Option<Box<Anchor>>,
    /// End of the last child, which is where a block collection ends (its end event sits at the
    /// start of whatever follows, after blank lines and comments).
    content_end: usize,
}

struct Builder<'t> {
    text: &'t str,
    max_depth: usize,
    stack: Vec<Frame>,
    /// The last scalar or alias, kept back one event because its anchor arrives after it.
    held: Option<Node>,
    root: Option<Node>,
    comments: Vec<Comment>,
    documents: usize,
    /// End of the furthest content event so far; a block scalar's `|`/`>` header lies after it.
    last_end: usize,
    finished: bool,
}

fn byte(m: &Marker, text: &str) -> usize {
    // Markers from a `&str` input always carry byte offsets; the char-index fallback only exists
    // so a future input kind cannot make us slice mid-character.
    match m.byte_offset() {
        Some(b) => b.min(text.len()),
        None => text
            .char_indices()
            .nth(m.index())
            .map_or(text.len(), |(b, _)| b),
    }
}

fn range(span: &GSpan, text: &str) -> Span {
    let start = byte(&span.start, text);
    Span::new(start, byte(&span.end, text).max(start))
}

impl<'t> Builder<'t> {
    fn new(text: &'t str, max_depth: usize) -> Self {
        Builder {
            text,
            max_depth,
            stack: Vec::new(),
            held: None,
            root: None,
            comments: Vec::new(),
            documents: 0,
            last_end: 0,
            finished: false,
        }
    }

    fn finish(mut self) -> Document {
        self.flush();
        Document {
            root: self.root,
            comments: self.comments,
        }
    }

    fn event(&mut self, event: Event<'_>, gspan: &GSpan) -> Result<(), ParseError> {
        let span = range(gspan, self.text);
        match event {
            Event::Anchor(_, name) => {
                let anchor = Some(Box::new(Anchor {
                    name: name.into_owned(),
                    span,
                }));
                match (&mut self.held, self.stack.last_mut()) {
                    (Some(node), _) => node.anchor = anchor,
                    (None, Some(frame)) => frame.anchor = anchor,
                    (None, None) => {}
                }
                return Ok(());
            }
            Event::Comment(text, _) => {
                self.comments.push(Comment {
                    text: text.into_owned(),
                    span,
                });
                return Ok(());
            }
            _ => {}
        }
        self.flush();
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => self.finished = true,
            Event::DocumentStart(..) => {
                self.documents += 1;
                if self.documents > 1 {
                    let at = if span.is_empty() {
                        Span::new(span.start, span.start)
                    } else {
                        span
                    };
                    return Err(ParseError {
                        span: at,
                        message: "a second YAML document starts here; a CloudFormation template \
                                  is exactly one document"
                            .into(),
                        help: Some(
                            "remove this `---` line and everything after it, or move the second \
                             document to its own file"
                                .into(),
                        ),
                    });
                }
            }
            Event::Scalar(value, style, _, tag) => {
                let tag = tag.map(|t| self.tag(gspan, t.original_handle(), t.suffix()));
                let node = self.scalar(value.into_owned(), style, span, tag);
                self.held = Some(node);
            }
            Event::Alias(_) => {
                let name = self
                    .text
                    .get(span.start..span.end)
                    .and_then(|s| s.strip_prefix('*'))
                    .unwrap_or_default()
                    .to_string();
                self.held = Some(Node {
                    span,
                    tag: None,
                    anchor: None,
                    kind: NodeKind::Alias(name),
                });
            }
            Event::UnresolvedAlias(name) => {
                self.held = Some(Node {
                    span,
                    tag: None,
                    anchor: None,
                    kind: NodeKind::Alias(name.into_owned()),
                });
            }
            Event::SequenceStart(style, _, tag) => {
                let tag = tag.map(|t| self.tag(gspan, t.original_handle(), t.suffix()));
                self.open(Items::Seq(Vec::new()), style, span, tag)?;
            }
            Event::MappingStart(style, _, tag) => {
                let tag = tag.map(|t| self.tag(gspan, t.original_handle(), t.suffix()));
                let items = Items::Map {
                    entries: Vec::new(),
                    key: None,
                };
                self.open(items, style, span, tag)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            // Future event kinds carry no tree content we know how to place.
            _ => {}
        }
        if !span.is_empty() {
            self.last_end = self.last_end.max(span.end);
        }
        Ok(())
    }

    /// The tag as written: granit resolves handles (`!!str` → `tag:yaml.org,2002:str`), so the
    /// raw token is read back from the source.
    fn tag(&self, gspan: &GSpan, handle: &str, suffix: &str) -> Tag {
        if let Some(raw) = gspan.tag_span() {
            let span = range(&raw, self.text);
            if let Some(text) = self.text.get(span.start..span.end) {
                return Tag {
                    text: text.to_string(),
                    span,
                };
            }
        }
        let text = format!("{handle}{suffix}");
        let start = gspan
            .tag_start()
            .map_or_else(|| byte(&gspan.start, self.text), |m| byte(&m, self.text));
        let span = Span::new(start, (start + text.len()).min(self.text.len()));
        Tag { text, span }
    }

    fn scalar(&self, value: String, style: ScalarStyle, span: Span, tag: Option<Tag>) -> Node {
        let (style, span, value) = match style {
            // granit spells an empty node `~`; the AST keeps what the file says (nothing).
            ScalarStyle::Plain if span.is_empty() => (AstStyle::Plain, span, String::new()),
            ScalarStyle::Plain => (AstStyle::Plain, span, value),
            ScalarStyle::SingleQuoted => (AstStyle::SingleQuoted, span, value),
            ScalarStyle::DoubleQuoted => (AstStyle::DoubleQuoted, span, value),
            ScalarStyle::Literal => (AstStyle::Literal, self.block_span(span, &tag), value),
            ScalarStyle::Folded => (AstStyle::Folded, self.block_span(span, &tag), value),
        };
        Node {
            span,
            tag: tag.map(Box::new),
            anchor: None,
            kind: NodeKind::Scalar(Scalar { value, style }),
        }
    }

    /// granit's block scalar span covers only the content lines (plus trailing blank lines); the
    /// token starts at its `|`/`>` header and ends with its last non-blank character.
    fn block_span(&self, content: Span, tag: &Option<Tag>) -> Span {
        let bytes = self.text.as_bytes();
        let mut end = content.end.min(bytes.len());
        while end > content.start && matches!(bytes[end - 1], b' ' | b'\t' | b'\n' | b'\r') {
            end -= 1;
        }
        let from = tag
            .as_ref()
            .map_or(self.last_end, |t| t.span.end.max(self.last_end));
        let mut start = content.start;
        if from < content.start {
            let mut i = from;
            let mut after_space = true;
            while i < content.start {
                match bytes[i] {
                    b'|' | b'>' => {
                        start = i;
                        break;
                    }
                    b'#' if after_space => {
                        while i < content.start && bytes[i] != b'\n' {
                            i += 1;
                        }
                    }
                    _ => {}
                }
                after_space = matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r'));
                i += 1;
            }
        }
        Span::new(start, end.max(start))
    }

    fn open(
        &mut self,
        items: Items,
        style: StructureStyle,
        span: Span,
        tag: Option<Tag>,
    ) -> Result<(), ParseError> {
        if self.stack.len() >= self.max_depth {
            return Err(ParseError {
                span: Span::new(
                    span.start,
                    span.end.max(span.start + 1).min(self.text.len()),
                ),
                message: format!(
                    "collections are nested more than {} levels deep here",
                    self.max_depth
                ),
                help: Some(
                    "no CloudFormation template needs this much nesting; check for runaway \
                     indentation or unbalanced brackets"
                        .into(),
                ),
            });
        }
        let flow = style == StructureStyle::Flow;
        self.stack.push(Frame {
            items,
            start: span.start,
            flow,
            tag: tag.map(Box::new),
            anchor: None,
            content_end: span.end,
        });
        Ok(())
    }

    fn close(&mut self, end_event: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let end = if frame.flow {
            end_event.end
        } else {
            frame.content_end
        };
        let kind = match frame.items {
            Items::Seq(items) => NodeKind::Sequence(items),
            Items::Map { mut entries, key } => {
                if let Some(key) = key {
                    // granit always emits a value for a key; this only guards a truncated stream.
                    let at = Span::new(key.span.end, key.span.end);
                    entries.push(Entry {
                        key,
                        value: Node {
                            span: at,
                            tag: None,
                            anchor: None,
                            kind: NodeKind::Scalar(Scalar {
                                value: String::new(),
                                style: AstStyle::Plain,
                            }),
                        },
                    });
                }
                NodeKind::Mapping(entries)
            }
        };
        let node = Node {
            span: Span::new(frame.start, end.max(frame.start)),
            tag: frame.tag,
            anchor: frame.anchor,
            kind,
        };
        self.place(node);
    }

    fn flush(&mut self) {
        if let Some(node) = self.held.take() {
            self.place(node);
        }
    }

    fn place(&mut self, node: Node) {
        let Some(frame) = self.stack.last_mut() else {
            if self.root.is_none() {
                self.root = Some(node);
            }
            return;
        };
        frame.content_end = frame.content_end.max(node.span.end);
        match &mut frame.items {
            Items::Seq(items) => items.push(node),
            Items::Map { entries, key } => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push(Entry {
                    key: k,
                    value: node,
                }),
            },
        }
    }

    fn scan_error(&self, error: &ScanError) -> ParseError {
        let at = byte(error.marker(), self.text);
        let open_flow = self.stack.iter().rev().find(|f| f.flow).map(|f| f.start);
        messages::explain(self.text, at, error.kind(), open_flow)
    }
}

#[cfg(test)]
mod tests;

//! Markdown pages: code blocks holding a CloudFormation template or an IAM policy document
//! become virtual files whose findings point into the page (`crate::check::markdown` checks
//! them); every other block is read as shell commands for the cross-file index.
//!
//! Blocks are found with a CommonMark parser, so fenced and indented blocks inside list items,
//! tab-indented fences and unterminated fences are delimited as a renderer would delimit them.
//! The block's *text* is then cut from the page itself rather than taken from the parser: the
//! parser expands tabs to 4-column stops while removing the list's indentation, which changes
//! what a tab-indented YAML block means. Instead the whitespace prefix shared by the block's
//! lines (and its fence) is removed byte for byte, which keeps the author's tabs as written.
//!
//! A virtual file starts with one empty line per page line before the block, so line numbers in
//! its findings (and in messages such as "lines 5–7") are the page's.

use crate::discover::{looks_like_policy_document, looks_like_template};
use crate::source::{LineIndex, OffsetMap};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// A code block: which lines of the page hold its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    /// The fence's info string (`bash`, `yaml`, …); empty for indented blocks.
    pub info: String,
    /// 0-based page lines of the first and last content line (inclusive).
    pub first_line: usize,
    pub last_line: usize,
    /// Leading whitespace of the opening fence's line; `None` for indented blocks.
    pub fence_indent: Option<String>,
}

/// The code blocks of a page, outside block quotes, in page order.
pub fn code_blocks(text: &str, lines: &LineIndex) -> Vec<CodeBlock> {
    struct Open {
        info: String,
        fence_indent: Option<String>,
        first: Option<usize>,
        last: usize,
    }
    let mut out = Vec::new();
    let mut quote_depth = 0usize;
    let mut open: Option<Open> = None;
    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::BlockQuote(..)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(..)) => quote_depth = quote_depth.saturating_sub(1),
            Event::Start(Tag::CodeBlock(kind)) => {
                let (info, fence_indent) = match kind {
                    CodeBlockKind::Fenced(info) => {
                        let line = lines.line_of(range.start);
                        let indent = lines
                            .line_span(text, line)
                            .map(|s| leading_whitespace(&text[s.start..s.end]).to_string());
                        (info.trim().to_string(), indent)
                    }
                    CodeBlockKind::Indented => (String::new(), None),
                };
                open = Some(Open {
                    info,
                    fence_indent,
                    first: None,
                    last: 0,
                });
            }
            Event::Text(_) => {
                if let Some(block) = &mut open {
                    if range.end > range.start {
                        let first = lines.line_of(range.start);
                        let last = lines.line_of(range.end - 1);
                        block.first = Some(block.first.map_or(first, |f| f.min(first)));
                        block.last = block.last.max(last);
                    }
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = open.take() {
                    if let (Some(first), 0) = (block.first, quote_depth) {
                        out.push(CodeBlock {
                            info: block.info,
                            first_line: first,
                            last_line: block.last.max(first),
                            fence_indent: block.fence_indent,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Templates pasted between the lines of a paired Hugo shortcode (`{{%expand "…" %}}` …
/// `{{% /expand%}}`) without a fence: CommonMark sees a paragraph, the reader sees the template
/// the page tells them to deploy. Bodies that contain a code block are left to that block.
pub fn shortcode_bodies(text: &str, lines: &LineIndex, blocks: &[CodeBlock]) -> Vec<CodeBlock> {
    let mut out = Vec::new();
    let mut open: Option<(String, usize)> = None;
    for i in 0..lines.line_count() {
        let Some(span) = lines.line_span(text, i) else {
            continue;
        };
        let Some(inner) = shortcode(&text[span.start..span.end]) else {
            continue;
        };
        if let Some(name) = inner.strip_prefix('/') {
            let name = name.trim();
            if let Some((open_name, start)) = open.take() {
                let overlaps = blocks
                    .iter()
                    .any(|b| b.first_line <= i && b.last_line > start);
                if open_name == name && i > start + 1 && !overlaps {
                    out.push(CodeBlock {
                        info: format!("{{{{% {name} %}}}}"),
                        first_line: start + 1,
                        last_line: i - 1,
                        fence_indent: None,
                    });
                }
            }
        } else {
            let name: String = inner
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !name.is_empty() {
                open = Some((name, i));
            }
        }
    }
    out
}

/// The inside of a line that is a single Hugo shortcode, `{{% … %}}` or `{{< … >}}`.
fn shortcode(line: &str) -> Option<&str> {
    let line = line.trim();
    let inner = line
        .strip_prefix("{{%")
        .and_then(|l| l.strip_suffix("%}}"))
        .or_else(|| line.strip_prefix("{{<").and_then(|l| l.strip_suffix(">}}")))?;
    (!inner.contains("}}")).then(|| inner.trim())
}

fn leading_whitespace(line: &str) -> &str {
    let end = line
        .find(|c: char| c != ' ' && c != '\t')
        .unwrap_or(line.len());
    &line[..end]
}

fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    &a[..n]
}

/// A code block's content as a file of its own, mapped back to the page.
#[derive(Clone, Debug)]
pub struct VirtualText {
    pub text: String,
    pub map: OffsetMap,
    /// The whitespace removed from the start of each content line.
    pub removed: String,
}

/// Cut a block's content out of the page (see the module docs).
pub fn virtual_text(page: &str, lines: &LineIndex, block: &CodeBlock) -> VirtualText {
    let line_text = |i: usize| {
        lines
            .line_span(page, i)
            .map(|s| (s.start, &page[s.start..s.end]))
    };
    // Trailing blank lines belong to the page (an unterminated fence runs into them).
    let mut last = block.last_line;
    while last > block.first_line && line_text(last).is_none_or(|(_, l)| l.trim().is_empty()) {
        last -= 1;
    }
    let mut prefix: Option<&str> = block.fence_indent.as_deref();
    for i in block.first_line..=last {
        let Some((_, line)) = line_text(i) else {
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        let ws = leading_whitespace(line);
        prefix = Some(match prefix {
            None => ws,
            Some(p) => common_prefix(p, ws),
        });
    }
    let prefix = prefix.unwrap_or("");

    let mut text = String::new();
    let mut map = OffsetMap::default();
    let first_start = lines.line_start(block.first_line).unwrap_or(0);
    map.push(0, first_start);
    text.extend(std::iter::repeat_n('\n', block.first_line));
    for i in block.first_line..=last {
        let Some((start, line)) = line_text(i) else {
            continue;
        };
        let removed = common_prefix(prefix, line).len();
        map.push(text.len(), start + removed);
        text.push_str(&line[removed..]);
        // Keep the page's own line terminator (CRLF stays CRLF).
        let end = start + line.len();
        let next = lines.line_start(i + 1).unwrap_or(page.len());
        text.push_str(page.get(end..next).unwrap_or("\n"));
        if next == end {
            text.push('\n');
        }
    }
    VirtualText {
        text,
        map,
        removed: prefix.to_string(),
    }
}

/// What a code block holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Template,
    PolicyDocument,
    /// Anything else: read for policy names in commands.
    Commands,
}

/// Judge a block by its text, whatever its info string says: the workshop labels YAML `bash`.
/// A template or policy must start like YAML or JSON does (`Key:` or `{`), which keeps a shell
/// heredoc that writes a template out of the template checks.
pub fn classify_block(text: &str) -> BlockKind {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---");
    let data_like = first.is_some_and(|l| {
        if l.starts_with('{') {
            return true;
        }
        let key = l.trim_start_matches(['"', '\'']);
        let end = key
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '-'))
            .unwrap_or(key.len());
        let (word, rest) = key.split_at(end);
        let word = word.trim_end_matches(':');
        !word.is_empty()
            && (l.contains(": ")
                || l.ends_with(':')
                || rest
                    .trim_start_matches(['"', '\''])
                    .trim_start()
                    .starts_with(':'))
    });
    if !data_like {
        BlockKind::Commands
    } else if looks_like_template(text) {
        BlockKind::Template
    } else if looks_like_policy_document(text) {
        BlockKind::PolicyDocument
    } else {
        BlockKind::Commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(page: &str) -> Vec<(BlockKind, String)> {
        let lines = LineIndex::new(page);
        code_blocks(page, &lines)
            .iter()
            .map(|b| {
                let v = virtual_text(page, &lines, b);
                (
                    classify_block(&v.text),
                    v.text.trim_start_matches('\n').to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn list_item_blocks_lose_the_list_indentation_only() {
        let page =
            "1. Step\n\n   ```yaml\n   Resources:\n     B:\n       Type: AWS::S3::Bucket\n   ```\n";
        assert_eq!(
            blocks(page),
            [(
                BlockKind::Template,
                "Resources:\n  B:\n    Type: AWS::S3::Bucket\n".to_string()
            )]
        );
    }

    #[test]
    fn blocks_are_classified_by_content() {
        let page = "```bash\ncat > t.yaml <<EOF\nAWSTemplateFormatVersion: 2010-09-09\nEOF\n```\n\n\
                    ```json\n{\"Version\": \"2012-10-17\", \"Statement\": []}\n```\n\n    indented code\n";
        let kinds: Vec<_> = blocks(page).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Commands,
                BlockKind::PolicyDocument,
                BlockKind::Commands
            ]
        );
    }

    #[test]
    fn quoted_blocks_are_skipped_and_line_numbers_are_kept() {
        let page = "> ```\n> x\n> ```\n\ntext\n\n```\nAWSTemplateFormatVersion: x\n```\n";
        let lines = LineIndex::new(page);
        let found = code_blocks(page, &lines);
        assert_eq!(found.len(), 1);
        let v = virtual_text(page, &lines, &found[0]);
        assert_eq!(
            LineIndex::new(&v.text).line_of(v.text.find("AWS").unwrap()),
            7
        );
        assert_eq!(
            v.map.map(v.text.find("AWS").unwrap()),
            page.find("AWS").unwrap()
        );
    }
}

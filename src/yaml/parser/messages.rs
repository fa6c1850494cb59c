//! Parser errors in plain words. granit's own phrases ("did not find expected key") describe the
//! parser's state; these describe the file and say what to change.

use super::ParseError;
use crate::source::Span;
use granit_parser::ErrorKind;

/// Build the error for `kind` found at byte `at`. `open_flow` is the start of the innermost
/// `[`/`{` still open there, which is the usual culprit of errors found far from it.
pub(super) fn explain(
    text: &str,
    at: usize,
    kind: &ErrorKind,
    open_flow: Option<usize>,
) -> ParseError {
    let at = crate::source::floor_char_boundary(text, at);
    let here = text.get(at..).and_then(|s| s.chars().next());
    let json = looks_like_json(text);
    let (message, mut help) = describe(kind, here, json);
    if let Some(open) = open_flow {
        if matches!(
            kind,
            ErrorKind::InvalidColonPlacement
                | ErrorKind::MappingValueNotAllowed
                | ErrorKind::BlockEntryInFlowCollection
                | ErrorKind::BlockSequenceEntryNotAllowed
                | ErrorKind::InvalidFlowScalarIndent
                | ErrorKind::UnexpectedEofFlowMapping
                | ErrorKind::UnexpectedEofFlowSequence
        ) {
            let bracket = text
                .get(open..)
                .and_then(|s| s.chars().next())
                .unwrap_or('[');
            let close = if bracket == '{' { '}' } else { ']' };
            let line = text
                .get(..open)
                .map_or(0, |s| s.bytes().filter(|b| *b == b'\n').count())
                + 1;
            let note = format!(
                "the `{bracket}` opened on line {line} is still open here; close it with `{close}` \
                 where its content ends"
            );
            help = Some(match help {
                Some(h) => format!("{note}. Otherwise: {h}"),
                None => note,
            });
        }
    }
    if matches!(
        kind,
        ErrorKind::SimpleKeyExpected
            | ErrorKind::InvalidSimpleKey
            | ErrorKind::MappingValueNotAllowed
            | ErrorKind::ExpectedBlockMappingKey
    ) {
        if let Some((line, key)) = key_without_space(text, at) {
            let name = key.split(':').next().unwrap_or_default();
            help = Some(format!(
                "line {line} reads `{key}`, which YAML takes as plain text, not a key: write \
                 `{name}:` followed by a space or a line break"
            ));
        }
    }
    if looks_like_jinja(text) {
        // Template sources fail on their placeholders; advice about YAML would mislead.
        help = Some(
            "this file contains Jinja/cookiecutter placeholders (`{{ }}`, `{% %}`, `{# #}`); \
             render it first and lint the result"
                .into(),
        );
    }
    let span = match kind {
        ErrorKind::TabInBlockIndentation
        | ErrorKind::TabInIndentation
        | ErrorKind::TabNotAllowed => indentation_tabs(text, at),
        _ => None,
    };
    let span = span.unwrap_or_else(|| {
        let width = match here {
            Some('\n' | '\r') | None => 0,
            Some(c) => c.len_utf8(),
        };
        Span::new(at, at + width)
    });
    ParseError {
        span,
        message,
        help,
    }
}

/// A `Key:value` line (no space after the colon) at or just above byte `at`: the most common
/// cause of key errors, since YAML reads it as plain text. Returns the 1-based line and the word.
fn key_without_space(text: &str, at: usize) -> Option<(usize, &str)> {
    let line_no = text.get(..at)?.bytes().filter(|b| *b == b'\n').count();
    let lines: Vec<&str> = text.lines().collect();
    // The error line, then the closest non-blank lines above it.
    let candidates = (line_no.saturating_sub(2)..=line_no).rev();
    for n in candidates {
        let line = lines.get(n)?.trim();
        let first = line.split_whitespace().next().unwrap_or_default();
        let Some((key, value)) = first.split_once(':') else {
            continue;
        };
        let key_like = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
        if key_like && !value.is_empty() && !value.starts_with(':') && !line.starts_with('-') {
            return Some((n + 1, first));
        }
    }
    None
}

/// granit reports a tab just after it; point at the line's blank run holding the tab instead.
fn indentation_tabs(text: &str, at: usize) -> Option<Span> {
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(line_start..)?;
    let blank = line.len() - line.trim_start_matches([' ', '\t']).len();
    let indent = &line[..blank];
    if indent.contains('\t') && at <= line_start + blank {
        return Some(Span::new(line_start, line_start + blank));
    }
    let before = text.get(..at)?;
    before.ends_with('\t').then(|| Span::new(at - 1, at))
}

/// JSON templates start with `{`; their errors are worded in JSON terms.
fn looks_like_json(text: &str) -> bool {
    text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n'])
        .starts_with('{')
}

fn looks_like_jinja(text: &str) -> bool {
    text.contains("{%") || text.contains("{{ ") || text.contains("{#")
}

fn s(text: &str) -> String {
    text.to_string()
}

fn describe(kind: &ErrorKind, here: Option<char>, json: bool) -> (String, Option<String>) {
    use ErrorKind as K;
    let (message, help): (String, &str) = match kind {
        K::TabInBlockIndentation | K::TabInIndentation | K::TabAtBlockScalarStart => (
            s("a TAB character is used for indentation; YAML allows only spaces"),
            "replace the tab with spaces, indenting this line exactly as far as the keys it \
             belongs with",
        ),
        K::TabNotAllowed => (
            s("a TAB character appears where YAML allows only spaces"),
            "replace the tab with spaces",
        ),
        K::TabInPlainScalar => (
            s("an unquoted value contains a TAB character"),
            "replace the tab with spaces, or quote the value",
        ),
        K::MappingValueNotAllowed => (
            s("unexpected `:` — a new key cannot start here"),
            "if this is text containing `: `, quote the whole value (`Key: \"a: b\"`); if it is \
             a key, put it on its own line indented like its sibling keys. A key written as \
             `Key:value`, with no space after the colon, is plain text and makes the next line \
             look mis-indented",
        ),
        K::InvalidColonPlacement => (
            s("a `:` is not allowed at this position"),
            "quote the value if it contains a colon, or check for an unclosed bracket above",
        ),
        K::SimpleKeyExpected | K::InvalidSimpleKey => (
            s("this line should be a `key: value` pair but no `: ` follows the key"),
            "add `: ` (colon and space) after the key; a key written as `Key:value` without the \
             space is read as plain text. Keys must fit on one line",
        ),
        K::ExpectedBlockMappingKey => (
            s("this line is not indented like any key of the mapping it is in"),
            "indent it with spaces exactly as far as its sibling keys, or as far as its parent \
             key plus one level",
        ),
        K::ExpectedBlockSequenceEntry => (
            s("expected a `- ` list item at this indentation"),
            "align list items under each other; a key belonging to the item above must be \
             indented past its `- `",
        ),
        K::BlockSequenceEntryNotAllowed => (
            s("a `- ` list item cannot start here"),
            "start the list on the line after its key, indented, and do not put a value on the \
             key's own line",
        ),
        K::BlockEntryInFlowCollection => (
            s(if json {
                "a `- ` list item appears inside a JSON object or array"
            } else {
                "a `- ` list item appears inside `[...]` or `{...}`"
            }),
            "inside brackets, separate items with commas instead",
        ),
        K::InvalidBlockEntryWhitespace => (
            s("`-` must be followed by a space to start a list item"),
            "write `- item`, or quote the value if the dash belongs to it",
        ),
        K::InvalidMappingValueWhitespace => (
            s("`:` must be followed by a space"),
            "write `Key: value` with a space after the colon",
        ),
        K::InvalidIndentation | K::InvalidFlowScalarIndent | K::InvalidQuotedScalarIndent => (
            s("this line is indented less than the value it continues"),
            "indent continuation lines further than the key they belong to",
        ),
        K::UnclosedQuotedScalar => (
            s("this quoted string is never closed"),
            "add the matching closing quote; inside single quotes write a quote as `''`, inside \
             double quotes as `\\\"`",
        ),
        K::InvalidTrailingSingleQuotedScalar | K::InvalidTrailingDoubleQuotedScalar => (
            s("text continues after the closing quote of this string"),
            "a quoted value ends at its closing quote: quote the whole value (in single quotes \
             write a quote as `''`), or move the extra text inside the quotes",
        ),
        K::UnknownQuotedScalarEscape => (
            s("unknown backslash escape in a double-quoted string"),
            "write a literal backslash as `\\\\`, or use single quotes, where backslashes are \
             ordinary characters (common in regex patterns)",
        ),
        K::InvalidQuotedScalarHexEscape
        | K::InvalidLowSurrogateHexEscape
        | K::InvalidLowSurrogate
        | K::MissingLowSurrogate
        | K::UnpairedLowSurrogate
        | K::InvalidUnicodeEscape => (
            s("invalid `\\x`, `\\u` or `\\U` escape in a double-quoted string"),
            "give the escape its full hexadecimal digits, or write a literal backslash as `\\\\`",
        ),
        K::DocumentIndicatorInQuotedScalar => (
            s("a line inside a quoted string starts with `---` or `...`"),
            "indent that line, or use a block scalar (`|`) for multi-line text",
        ),
        K::UnclosedFlowCollection { open } => {
            let close = if *open == '{' { '}' } else { ']' };
            (
                format!("this `{open}` is never closed (expected a matching `{close}`)"),
                if json {
                    "add the missing closing bracket; in JSON every `{` needs a `}` and every `[` a `]`"
                } else {
                    "add the matching closing bracket, or write the collection in block style \
                     (one item per line)"
                },
            )
        }
        K::MismatchedFlowCollectionEnd { open, close } => (
            format!("`{close}` closes a `{open}`"),
            "close `[` with `]` and `{` with `}`; a bracket is probably missing before this one",
        ),
        K::MisplacedFlowCollectionEnd => (
            format!(
                "`{}` has no matching opening bracket",
                here.filter(|c| matches!(c, ']' | '}')).unwrap_or(']')
            ),
            "remove it, or add the opening bracket it closes",
        ),
        K::ExpectedFlowMappingSeparator => (
            s(if json {
                "expected `,` or `}` before this member of a JSON object"
            } else {
                "expected `,` or `}` before this entry of a `{...}` mapping"
            }),
            "separate entries with commas; a missing comma after the previous entry is the \
             usual cause",
        ),
        K::ExpectedFlowSequenceSeparator => (
            s(if json {
                "expected `,` or `]` before this element of a JSON array"
            } else {
                "expected `,` or `]` before this item of a `[...]` list"
            }),
            "separate items with commas; a missing comma after the previous item is the usual \
             cause",
        ),
        K::FlowMappingValueAdjacentCollection => (
            s("`:` must be followed by a space before `[` or `{`"),
            "write `key: [..]` with a space after the colon",
        ),
        K::MappingKeyNotAllowed => (
            s("a `?` explicit key is not allowed here"),
            "quote the value if the `?` is part of the text",
        ),
        K::PlainScalarStartsWithDashFlowIndicator | K::UnexpectedEndOfPlainScalar => (
            s("an unquoted value cannot be written like this"),
            "quote the value",
        ),
        K::MissingAnchorOrAliasName => match here {
            Some('*') => (
                s("`*` starts a YAML alias, so a bare `*` is not a value"),
                "to write a wildcard (e.g. `Resource: *`), quote it: `'*'`",
            ),
            _ => (
                s("`&` or `*` must be followed by an anchor name"),
                "quote the value if the `&` or `*` is part of the text",
            ),
        },
        K::UnexpectedCharacter { character } => match character {
            '@' | '`' => (
                format!("`{character}` is reserved in YAML and cannot start an unquoted value"),
                "quote the value",
            ),
            '%' => (
                s("`%` cannot start a value here (in YAML `%` at the start of a line is a directive)"),
                "quote the value",
            ),
            c => (
                format!("the character `{}` cannot start a value here", c.escape_default()),
                "quote the value, or remove the stray character",
            ),
        },
        K::CommentNotSeparated => (
            s("a `#` comment must be preceded by a space"),
            "put a space before `#`, or quote the value if the `#` is part of it",
        ),
        K::CommentInterceptedScalar => (
            s("a comment line interrupts a multi-line unquoted value"),
            "quote the value, use a block scalar (`|`), or move the comment",
        ),
        K::ExpectedWhitespace => (
            s("a space is required here"),
            "add a space, or quote the value",
        ),
        K::ExpectedNodeContent => (
            s(if json { "expected a JSON value here" } else { "expected a value here" }),
            "write the value, or remove the stray indicator before it",
        ),
        K::UnexpectedEofFlowMapping
        | K::UnexpectedEofFlowSequence
        | K::UnexpectedEofImplicitFlowMapping => (
            s("the file ends inside an unclosed `[...]` or `{...}`"),
            "add the missing closing bracket",
        ),
        K::UnexpectedEofBlockMapping | K::UnexpectedEofBlockSequence | K::UnexpectedEof => (
            s("the file ends in the middle of a value"),
            "the file may be truncated; finish the last value",
        ),
        K::InvalidBlockScalarIndent => (
            s("a line of this `|`/`>` block is indented less than its first line"),
            "indent every line of the block at least as far as its first line",
        ),
        K::InvalidBlockScalarHeader | K::ZeroBlockScalarIndent => (
            s("unexpected text after the `|` or `>` that starts a block of text"),
            "put the text on the following lines, indented; only `-`, `+`, a digit 1-9 or a \
             comment may follow `|`/`>`",
        ),
        K::InvalidDocumentEnd => (
            s("text follows a `...` document end marker"),
            "remove the `...` line or the text after it",
        ),
        K::BomInsideDocument => (
            s("a byte-order mark (U+FEFF) appears inside the file"),
            "delete the invisible U+FEFF character",
        ),
        K::UndeclaredTagHandle => (
            s("this tag uses an undeclared `!name!` handle"),
            "CloudFormation tags have one `!`, e.g. `!Sub`, `!Ref`, `!GetAtt`",
        ),
        K::ExpectedTagBang
        | K::InvalidTagTerminator
        | K::MissingTagUri
        | K::UnclosedVerbatimTag
        | K::InvalidTagEscape
        | K::InvalidTagUtf8LeadingByte
        | K::InvalidTagUtf8TrailingByte
        | K::InvalidTagUtf8
        | K::InvalidGlobalTagCharacter => (
            s("this `!` tag is malformed"),
            "CloudFormation tags look like `!Sub`, `!Ref`, `!GetAtt`, followed by a space; quote \
             the value if the `!` is part of the text",
        ),
        K::RecursionLimitExceeded => (
            s("collections are nested too deeply here"),
            "check for runaway indentation or unbalanced brackets",
        ),
        K::UnknownAnchor => (
            s("this `*alias` refers to an anchor that is not defined"),
            "CloudFormation does not support anchors and aliases: write the value out",
        ),
        K::DuplicateVersionDirective
        | K::UnsupportedYamlMajorVersion
        | K::DuplicateTagDirective
        | K::MissingDocumentEndBeforeDirective
        | K::InvalidDirectiveTerminator
        | K::MissingYamlVersionSeparator
        | K::MissingDirectiveName
        | K::InvalidDirectiveName
        | K::YamlVersionTooLong
        | K::MissingYamlVersion
        | K::InvalidTagDirectiveTerminator
        | K::ExpectedTagDirectiveBang
        | K::DirectiveDisallowed => (
            s("invalid `%` directive line"),
            "templates need no `%YAML`/`%TAG` directives; remove the line",
        ),
        K::InputDecoding { .. } => (
            s("the file is not valid UTF-8 text"),
            "save the file as UTF-8",
        ),
        other => (
            format!("the YAML parser stopped here ({other})"),
            "check this line and the one above for an unclosed quote or bracket, a missing \
             `: `, or inconsistent indentation",
        ),
    };
    (message, Some(help.to_string()))
}

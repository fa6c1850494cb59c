//! Shared helpers of the IAM structure rules: exact value spans and scalar replacements.

use crate::diagnostic::{Edit, Fix};
use crate::source::{SourceFile, Span};
use crate::template::spans::whole_value_span;
use crate::yaml::Node;

/// The bytes spelling a scalar's value (inside its quotes), or the node's span.
pub(crate) fn value_span(node: &Node, source: &SourceFile) -> Span {
    whole_value_span(node, &source.text)
}

/// A fix replacing a scalar's value by `replacement`, keeping its quotes. Only offered when
/// the value's bytes are known exactly (a value read from a JSON string with escapes is not).
pub(crate) fn replace_value(
    node: &Node,
    source: &SourceFile,
    replacement: &str,
    description: String,
) -> Option<Fix> {
    let value = node.as_str()?;
    let span = value_span(node, source);
    if value.is_empty() || source.text.get(span.start..span.end) != Some(value) {
        return None;
    }
    Some(Fix {
        description,
        edits: vec![Edit {
            span,
            replacement: replacement.to_string(),
        }],
    })
}

/// A literal, untagged string value.
pub(crate) fn literal(node: &Node) -> Option<&str> {
    if node.tag.is_some() || crate::template::intrinsic(node).is_some() {
        return None;
    }
    node.as_str()
}

/// `d` with a "did you mean" for the misspelt key `key` (whose text is `name`) among `valid`,
/// and the fix renaming it; `otherwise` is the help when nothing is close.
pub(crate) fn suggest_key(
    mut d: crate::diagnostic::Diagnostic,
    key: &Node,
    source: &SourceFile,
    name: &str,
    valid: &[&str],
    otherwise: String,
) -> crate::diagnostic::Diagnostic {
    match crate::suggest::closest(name, valid.iter().copied()) {
        Some(meant) => {
            d = d.with_help(format!("did you mean `{meant}`?"));
            if let Some(fix) =
                replace_value(key, source, meant, format!("rename `{name}` to `{meant}`"))
            {
                d = d.with_fix(fix);
            }
            d
        }
        None => d.with_help(otherwise),
    }
}

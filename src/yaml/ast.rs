//! The spanned YAML tree templates are checked on. Parser-independent: `yaml::parse` builds it.

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar resolved the way CloudFormation's YAML 1.1 reader sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The value after unescaping and folding.
    pub value: String,
    pub style: ScalarStyle,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// As written, e.g. `!Sub`, `!!str`.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Scalar(Scalar),
    Sequence(Vec<Node>),
    /// Entries in source order; duplicate keys are kept.
    Mapping(Vec<Entry>),
    /// `*name`; CloudFormation rejects aliases, so they are kept unexpanded.
    Alias(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Bytes of the node's content (for a scalar: the token including quotes).
    pub span: Span,
    /// Boxed, as are anchors: most nodes have neither, and a smaller node is cheaper to build
    /// and move (a 1 MB template has hundreds of thousands).
    pub tag: Option<Box<Tag>>,
    pub anchor: Option<Box<Anchor>>,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    /// Text after `#`.
    pub text: String,
    /// The whole comment including `#`.
    pub span: Span,
}

/// One parsed document (CloudFormation templates hold exactly one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub root: Option<Node>,
    pub comments: Vec<Comment>,
}

impl Node {
    /// Whether this is a YAML merge key: a plain, untagged `<<` (YAML 1.1 tools merge the
    /// mapping it names; CloudFormation reads it as an ordinary key).
    pub fn is_merge_key(&self) -> bool {
        self.tag.is_none()
            && self
                .as_scalar()
                .is_some_and(|s| s.style == ScalarStyle::Plain && s.value == "<<")
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The scalar's string value (for any untagged or tagged scalar).
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.value.as_str())
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Sequence(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The first entry whose key is the scalar `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.get_entry(key).map(|e| &e.value)
    }

    pub fn get_entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?
            .iter()
            .find(|e| e.key.as_str() == Some(key))
    }

    pub fn tag_text(&self) -> Option<&str> {
        self.tag.as_ref().map(|t| t.text.as_str())
    }

    /// Resolve a scalar by YAML 1.1 core rules as CloudFormation does; quoted and tagged scalars
    /// are strings. Dates such as `2012-10-17` stay strings.
    pub fn resolved(&self) -> Option<Resolved<'_>> {
        let s = self.as_scalar()?;
        if s.style != ScalarStyle::Plain || self.tag.is_some() {
            return Some(Resolved::Str(&s.value));
        }
        Some(resolve_plain(&s.value))
    }

    /// Depth-first visit of this node and all descendants (keys included).
    ///
    /// Generic over the visitor so that each rule's walk is compiled for its own closure: a
    /// 1 MB template has hundreds of thousands of nodes, and several rules walk them all.
    pub fn walk<'a, F: FnMut(&'a Node) + ?Sized>(&'a self, f: &mut F) {
        f(self);
        match &self.kind {
            NodeKind::Sequence(items) => {
                for n in items {
                    n.walk(f);
                }
            }
            NodeKind::Mapping(entries) => {
                for e in entries {
                    e.key.walk(f);
                    e.value.walk(f);
                }
            }
            _ => {}
        }
    }
}

/// YAML 1.1 plain-scalar resolution (the subset CloudFormation honours).
pub fn resolve_plain(v: &str) -> Resolved<'_> {
    match v {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => {
            return Resolved::Bool(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => {
            return Resolved::Bool(false)
        }
        _ => {}
    }
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        if let Ok(i) = v.replace('_', "").parse::<i64>() {
            return Resolved::Int(i);
        }
    }
    if let Some(hex) = digits.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Resolved::Int(if v.starts_with('-') { -i } else { i });
        }
    }
    let looks_float = digits.bytes().any(|b| b.is_ascii_digit())
        && digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+' | b'_'))
        && digits.contains('.');
    if looks_float {
        if let Ok(f) = v.replace('_', "").parse::<f64>() {
            return Resolved::Float(f);
        }
    }
    match digits {
        ".inf" | ".Inf" | ".INF" => Resolved::Float(if v.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        _ => Resolved::Str(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_resolution_matches_cloudformation() {
        assert_eq!(resolve_plain("yes"), Resolved::Bool(true));
        assert_eq!(resolve_plain("Off"), Resolved::Bool(false));
        assert_eq!(resolve_plain("2012-10-17"), Resolved::Str("2012-10-17"));
        assert_eq!(resolve_plain("10"), Resolved::Int(10));
        assert_eq!(resolve_plain("1.5"), Resolved::Float(1.5));
        assert_eq!(resolve_plain("Allow"), Resolved::Str("Allow"));
        assert_eq!(resolve_plain("~"), Resolved::Null);
    }
}

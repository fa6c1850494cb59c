//! A document as hover, completion and navigation read it: its YAML tree, parsed from the text
//! itself, from the text with the word at the cursor made a key (completion while a key is being
//! typed), or from the indentation doctor's repair (a tab-indented template), and the way back
//! from offsets in the text that was parsed to offsets in the document.

use crate::iam::{self, EmbeddedDocuments, Policy};
use crate::source::{OffsetMap, SourceFile, Span};
use crate::template::Template;
use crate::yaml::{self, doctor, Document, Node, NodeKind, ParseOptions};

pub struct Parsed {
    pub document: Document,
    /// The text `document` was parsed from, when it is not the document's own, and the map from
    /// its offsets back to the document's.
    derived: Option<(String, OffsetMap)>,
}

impl Parsed {
    /// The document's tree: parsed as written, else from the doctor's repair.
    pub fn of(source: &SourceFile) -> Option<Parsed> {
        let options = ParseOptions::default();
        if let Ok(document) = yaml::parse(&source.text, &options) {
            return Some(Parsed {
                document,
                derived: None,
            });
        }
        let repair = doctor::examine(source).repair?;
        let document = yaml::parse(&repair.text, &options).ok()?;
        Some(Parsed {
            document,
            derived: Some((repair.text, repair.map)),
        })
    }

    /// The tree of a text that does not parse because a key is being typed at `cursor`
    /// (`aws:Sour` on a line of its own in a mapping): parsed with `:` inserted there.
    pub fn with_key_at(source: &SourceFile, cursor: usize) -> Option<Parsed> {
        Parsed::with_inserted(source, cursor, ":")
    }

    /// The tree of a text whose cursor is on a line with nothing but indentation before it and
    /// nothing after it, where a key is about to be typed: parsed with a key `x:` there, so that
    /// the cursor is on a key of the mapping its indentation places it in.
    pub fn with_new_key_at(source: &SourceFile, cursor: usize) -> Option<Parsed> {
        let before = source.text.get(..cursor)?;
        let line = &before[before.rfind('\n').map_or(0, |n| n + 1)..];
        if !line.bytes().all(|b| b == b' ') {
            return None;
        }
        Parsed::with_inserted(source, cursor, "x:")
    }

    /// The tree of a text that does not parse because the value being typed at `cursor` ends
    /// with a colon (`Type: AWS::S3::` reads as a mapping there): parsed with a letter inserted
    /// after the colon.
    pub fn with_value_at(source: &SourceFile, cursor: usize) -> Option<Parsed> {
        if !source.text.get(..cursor)?.ends_with(':') {
            return None;
        }
        Parsed::with_inserted(source, cursor, "x")
    }

    /// The tree of the text with `inserted` at `cursor`, the end of a line.
    fn with_inserted(source: &SourceFile, cursor: usize, inserted: &str) -> Option<Parsed> {
        let text = &source.text;
        let rest = text.get(cursor..)?;
        if !rest.starts_with(['\n', '\r']) && !rest.is_empty() {
            return None;
        }
        let mut derived = String::with_capacity(text.len() + inserted.len());
        derived.push_str(&text[..cursor]);
        derived.push_str(inserted);
        derived.push_str(rest);
        let document = yaml::parse(&derived, &ParseOptions::default()).ok()?;
        let mut map = OffsetMap::identity();
        map.push(cursor + inserted.len(), cursor);
        Some(Parsed {
            document,
            derived: Some((derived, map)),
        })
    }

    pub fn root(&self) -> Option<&Node> {
        self.document.root.as_ref()
    }

    /// The text the tree was parsed from.
    pub fn text<'a>(&'a self, source: &'a SourceFile) -> &'a str {
        self.derived.as_ref().map_or(&source.text, |(t, _)| t)
    }

    /// A span of the parsed text as a span of the document.
    pub fn to_original(&self, span: Span) -> Span {
        match &self.derived {
            Some((_, map)) => map.map_span(span),
            None => span,
        }
    }

    /// Whether `span` of the parsed text covers document offset `offset` (both ends included,
    /// so that a cursor just after a word is on it).
    pub fn covers(&self, span: Span, offset: usize) -> bool {
        let s = self.to_original(span);
        s.start <= offset && offset <= s.end
    }

    /// The template model, or `None` for a file that is a policy document.
    pub fn template(&self) -> Option<Template<'_>> {
        let root = self.root()?;
        (!iam::is_policy_document(root)).then(|| Template::from_root(root))
    }

    /// Every policy of the document, as the IAM rules see them.
    pub fn policies<'a>(
        &'a self,
        source: &'a SourceFile,
        template: Option<&Template<'a>>,
        store: &'a EmbeddedDocuments,
    ) -> Vec<Policy<'a>> {
        iam::extract::extract(
            Some(&self.document),
            template,
            self.text(source),
            Some(store),
        )
    }

    /// The nodes from the root down to the innermost one at document offset `offset`.
    pub fn path_at<'a>(&'a self, source: &'a SourceFile, offset: usize) -> Vec<Step<'a>> {
        let mut path = Vec::new();
        let Some(root) = self.root() else {
            return path;
        };
        let text = self.text(source);
        path.push(Step {
            key: None,
            node: root,
            on_key: false,
            below_key: false,
        });
        let mut node = root;
        'down: loop {
            match &node.kind {
                NodeKind::Mapping(entries) => {
                    for e in entries {
                        if self.covers(e.key.span, offset) {
                            path.push(Step {
                                key: e.key.as_str(),
                                node: &e.key,
                                on_key: true,
                                below_key: false,
                            });
                            break 'down;
                        }
                        if self.covers(extent(&e.value, text), offset) {
                            let between = text
                                .get(e.key.span.end..e.value.span.start)
                                .unwrap_or_default();
                            path.push(Step {
                                key: e.key.as_str(),
                                node: &e.value,
                                on_key: false,
                                below_key: between.contains('\n'),
                            });
                            node = &e.value;
                            continue 'down;
                        }
                    }
                    break;
                }
                NodeKind::Sequence(items) => {
                    for item in items {
                        if self.covers(extent(item, text), offset) {
                            path.push(Step {
                                key: None,
                                node: item,
                                on_key: false,
                                below_key: false,
                            });
                            node = item;
                            continue 'down;
                        }
                    }
                    break;
                }
                _ => break,
            }
        }
        path
    }
}

/// A node's span, except that an empty value (`Action:` with nothing after it) reaches to the
/// end of its line, where the cursor is when a value is about to be typed.
fn extent(node: &Node, text: &str) -> Span {
    let empty = node.span.start == node.span.end
        && matches!(&node.kind, NodeKind::Scalar(s) if s.value.is_empty());
    if !empty {
        return node.span;
    }
    let start = node.span.start.min(text.len());
    let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
    Span::new(start, end)
}

/// One node on the way down to the cursor.
#[derive(Clone, Copy, Debug)]
pub struct Step<'a> {
    /// The key of the mapping entry this step entered (`None` for a list item, the root, or a
    /// key that is not a string).
    pub key: Option<&'a str>,
    /// The entry's value (or the list item); the key itself when `on_key`.
    pub node: &'a Node,
    /// The cursor is on the entry's key.
    pub on_key: bool,
    /// The value starts on a line below its key: a lone word there is a key being typed
    /// (`Properties:` then `Buck` on the next line reads as the value `Buck`).
    pub below_key: bool,
}

impl Step<'_> {
    /// Whether the cursor is where a key of the mapping at this step goes: on a key, or on a
    /// lone word below the key whose value it would be.
    pub fn typing_key(&self) -> bool {
        self.on_key || (self.below_key && self.node.as_scalar().is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(path: &[Step<'_>]) -> Vec<String> {
        path.iter()
            .skip(1)
            .map(|s| match (s.key, s.on_key) {
                (Some(k), true) => format!("[{k}]"),
                (Some(k), false) => k.to_string(),
                (None, _) => "-".to_string(),
            })
            .collect()
    }

    #[test]
    fn the_path_leads_to_the_node_at_the_cursor() {
        let text = "a:\n  Action:\n    - s3:Get\n    - \n  Empty: \n  b: 1\n";
        let source = SourceFile::new("t.yaml", text);
        let parsed = Parsed::of(&source).unwrap();
        let at = |needle: &str, plus: usize| text.find(needle).unwrap() + plus;
        // Just after the last character of an item.
        assert_eq!(
            keys(&parsed.path_at(&source, at("s3:Get", 6))),
            ["a", "Action", "-"]
        );
        assert_eq!(
            keys(&parsed.path_at(&source, at("    - \n", 6))),
            ["a", "Action", "-"]
        );
        assert_eq!(
            keys(&parsed.path_at(&source, at("Action", 2))),
            ["a", "[Action]"]
        );
        // After `Empty: `, with nothing typed yet.
        assert_eq!(
            keys(&parsed.path_at(&source, at("Empty: ", 7))),
            ["a", "Empty"]
        );
    }

    #[test]
    fn a_key_being_typed_parses_with_a_colon_added() {
        let text = "C:\n  StringEquals:\n    aws:x: 1\n    aws:So\nD: 1\n";
        let source = SourceFile::new("t.yaml", text);
        let cursor = text.find("aws:So").unwrap() + 6;
        let parsed = Parsed::with_key_at(&source, cursor).unwrap();
        assert_eq!(
            keys(&parsed.path_at(&source, cursor)),
            ["C", "StringEquals", "[aws:So]"]
        );
        // Offsets after the cursor map back past the inserted colon.
        let d = parsed.root().unwrap().as_mapping().unwrap()[1].key.span;
        assert_eq!(&text[parsed.to_original(d).start..][..1], "D");
        assert!(Parsed::with_key_at(&source, cursor - 1).is_none());
    }

    #[test]
    fn tab_indented_templates_are_read_through_the_repair() {
        let text = "Resources:\n\tQueue:\n\t\tType: AWS::SQS::Queue\n";
        let source = SourceFile::new("t.yaml", text);
        let parsed = Parsed::of(&source).unwrap();
        let at = text.find("SQS").unwrap();
        let path = parsed.path_at(&source, at);
        assert_eq!(keys(&path), ["Resources", "Queue", "Type"]);
        let span = parsed.to_original(path[3].node.span);
        assert_eq!(&text[span.start..span.end], "AWS::SQS::Queue");
    }
}

/// Hover, completion and navigation at every position of real and broken documents: they
/// answer or decline, and never panic.
#[cfg(test)]
mod every_position {
    use super::super::{complete, hover, navigate};
    use super::Parsed;
    use crate::source::SourceFile;

    #[test]
    fn every_offset_of_every_fixture_is_answered_without_panic() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts: Vec<String> = [
            "fixtures/tutorial/policy.yaml",
            "fixtures/tutorial/policy-corrected.yaml",
            "fixtures/unknown-condition-key/fail/keys.yaml",
            "fixtures/unknown-condition-key/fail/policy.json",
            "fixtures/undefined-reference/fail/every-kind.yaml",
        ]
        .iter()
        .filter_map(|p| std::fs::read_to_string(root.join(p)).ok())
        .collect();
        assert_eq!(texts.len(), 5, "the fixtures are there");
        texts.push(
            "{\"Statement\": [{\"Action\": [\"s3:\", \"é😀\"], \"Condition\": {\"\": {}}}]}".into(),
        );
        texts.push("Resources:\n  X:\n    Properties:\n      A: !Ref\n      B: !GetAtt .\n      C: !Sub '${'\n    DependsOn: [\n".into());
        texts.push("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - Key: k\n          Value: !GetAtt B.Arn\n      VersioningConfiguration: {Status: Enabled}\n  C:\n    Type: AWS::CloudFormation::Stack\nOutputs:\n  O: {Value: !GetAtt C.Outputs.X}\n".into());
        for text in texts {
            let source = SourceFile::new("t.yaml", text.clone());
            let parsed = Parsed::of(&source);
            let schema = &crate::lsp::schema::EMBEDDED;
            for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                let _ = complete::complete(&source, parsed.as_ref(), offset);
                let _ = hover::hover(&source, parsed.as_ref(), None, offset);
                let _ = complete::complete_with(&source, parsed.as_ref(), offset, schema);
                let _ = hover::hover_with(&source, parsed.as_ref(), None, offset, schema);
                if let Some(p) = &parsed {
                    let _ = navigate::definition(&source, p, offset);
                    let _ = navigate::references(&source, p, offset, true);
                }
            }
        }
    }
}

//! An open document: its text (what the client last sent), what kind of file it is, and the
//! last check's findings, kept only while they are about the current text.

use super::convert::file_path;
use super::view::Parsed;
use crate::check::FileReport;
use crate::discover::{self, FileKind};
use crate::source::SourceFile;
use lsp_types::Uri;
use std::cell::OnceCell;
use std::path::PathBuf;

pub struct Document {
    /// The name findings carry: the file's path, or the URI.
    name: String,
    path: Option<PathBuf>,
    text: String,
    pub language_id: String,
    pub version: Option<i32>,
    /// Counts the texts this document has had, so that a check can tell whether its text is
    /// still the current one.
    pub generation: u64,
    /// The current text has not been checked, nor is it being checked.
    pub stale: bool,
    /// The last check's findings and the generation they are about.
    report: Option<(u64, FileReport)>,
    /// Built on first use: a change that a later one replaces costs no line index and no parse.
    source: OnceCell<SourceFile>,
    kind: OnceCell<Option<FileKind>>,
    parsed: OnceCell<Option<Parsed>>,
}

impl Document {
    pub fn new(uri: &Uri, text: String, language_id: String, version: Option<i32>) -> Self {
        let path = file_path(uri);
        Document {
            name: path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| uri.as_str().to_string()),
            path,
            text,
            language_id,
            version,
            generation: 0,
            stale: true,
            report: None,
            source: OnceCell::new(),
            kind: OnceCell::new(),
            parsed: OnceCell::new(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn path(&self) -> Option<&PathBuf> {
        self.path.as_ref()
    }

    pub fn set_text(&mut self, text: String, version: Option<i32>) {
        self.text = text;
        self.version = version.or(self.version);
        self.generation += 1;
        self.stale = true;
        self.source = OnceCell::new();
        self.kind = OnceCell::new();
        self.parsed = OnceCell::new();
    }

    /// The current text with its line index.
    pub fn source(&self) -> &SourceFile {
        self.source
            .get_or_init(|| SourceFile::new(self.name.clone(), self.text.clone()))
    }

    /// A copy of the current text to check elsewhere.
    pub fn source_copy(&self) -> SourceFile {
        SourceFile::new(self.name.clone(), self.text.clone())
    }

    /// How the document is checked, or `None` when it is not ours.
    pub fn kind(&self) -> Option<FileKind> {
        *self
            .kind
            .get_or_init(|| kind_of(self.path.clone(), &self.language_id, &self.text))
    }

    /// The YAML tree of a template or policy document (none for other kinds).
    pub fn parsed(&self) -> Option<&Parsed> {
        self.parsed
            .get_or_init(|| {
                matches!(
                    self.kind(),
                    Some(FileKind::Template | FileKind::PolicyDocument)
                )
                .then(|| Parsed::of(self.source()))
                .flatten()
            })
            .as_ref()
    }

    /// The findings of the current text, once its check is done.
    pub fn report(&self) -> Option<&FileReport> {
        match &self.report {
            Some((generation, report)) if *generation == self.generation => Some(report),
            _ => None,
        }
    }

    pub fn set_report(&mut self, generation: u64, report: Option<FileReport>) {
        self.report = report.map(|r| (generation, r));
    }
}

/// How a document is checked, or `None` when it is not ours: Markdown pages (their code
/// blocks), and YAML or JSON that looks like a template or a policy document.
pub fn kind_of(path: Option<PathBuf>, language_id: &str, text: &str) -> Option<FileKind> {
    match language_id {
        "markdown" => return Some(FileKind::Markdown),
        "cloudformation" => return Some(FileKind::Template),
        _ => {}
    }
    let yaml_or_json = matches!(language_id, "yaml" | "json" | "jsonc")
        || path
            .as_ref()
            .is_some_and(|p| discover::has_template_extension(p));
    if !yaml_or_json {
        return None;
    }
    match path.map(|p| discover::classify(&p, text)) {
        Some(kind @ (FileKind::Template | FileKind::PolicyDocument)) => Some(kind),
        Some(_) => None,
        None => discover::looks_like_template(text).then_some(FileKind::Template),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_policies_and_markdown_are_checked() {
        let t = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
        assert_eq!(kind_of(None, "yaml", t), Some(FileKind::Template));
        assert_eq!(kind_of(None, "yaml", "services:\n  web: {}\n"), None);
        assert_eq!(kind_of(None, "markdown", t), Some(FileKind::Markdown));
        assert_eq!(kind_of(None, "rust", t), None);
        let p = PathBuf::from("/x/policy.json");
        let policy = r#"{"Version": "2012-10-17", "Statement": []}"#;
        assert_eq!(
            kind_of(Some(p), "json", policy),
            Some(FileKind::PolicyDocument)
        );
    }

    #[test]
    fn findings_are_kept_only_for_the_text_they_are_about() {
        use std::str::FromStr;
        let uri = Uri::from_str("file:///t.yaml").unwrap();
        let mut doc = Document::new(&uri, "a: 1\n".into(), "yaml".into(), Some(1));
        let report = FileReport::new(doc.source_copy(), Vec::new());
        doc.set_report(doc.generation, Some(report));
        assert!(doc.report().is_some());
        doc.set_text("a: 2\n".into(), Some(2));
        assert!(doc.report().is_none());
        assert_eq!(doc.source().text, "a: 2\n");
    }
}

//! The one finding type every rule emits and every renderer consumes, and the identity of the
//! rules that emit it.
//!
//! [`RuleMeta`] lives here, below every stage, because every stage that reports a finding names
//! its rule: the parser's syntax errors and the indentation doctor as much as the rules.

use crate::source::Span;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "error" => Ok(Severity::Error),
            "warning" | "warn" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or info)"
            )),
        }
    }
}

/// A rule's family: the group `--select`, `--ignore` and the configuration can name at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Yaml,
    Template,
    Iam,
    Purpose,
    Schema,
    Project,
}

impl Family {
    /// Every family, in the order `cfn-policy-lint rules` lists them.
    pub const ALL: [Family; 6] = [
        Family::Yaml,
        Family::Template,
        Family::Iam,
        Family::Purpose,
        Family::Schema,
        Family::Project,
    ];

    /// The name users type, which is also the folder of its rules under `src/rules/`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Yaml => "yaml",
            Family::Template => "template",
            Family::Iam => "iam",
            Family::Purpose => "purpose",
            Family::Schema => "schema",
            Family::Project => "project",
        }
    }
}

/// When a rule's findings are made, which decides when its suppressions can be judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// While reading the file (syntax errors, the indentation doctor): also for a file that
    /// does not parse.
    Yaml,
    /// By the per-file rules, on a file that parsed (possibly after the doctor's repair).
    File,
    /// By the cross-file pass, after every file of the run is checked.
    CrossFile,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Yaml => "yaml",
            Stage::File => "file",
            Stage::CrossFile => "cross-file",
        }
    }
}

/// A rule's identity, documentation and defaults. Declared once per rule by `declare_rule!`.
#[derive(Debug)]
pub struct RuleMeta {
    pub name: &'static str,
    pub code: &'static str,
    pub severity: Severity,
    pub family: Family,
    pub stage: Stage,
    pub summary: &'static str,
    /// Runs only when selected by its own name or code (not by `all` or its family): for
    /// portability advice that would be noise on most repositories.
    pub opt_in: bool,
    /// The keys this rule reads under `rules: <name>:` in the configuration, each with what it
    /// means.
    pub options: &'static [(&'static str, &'static str)],
    /// Markdown from the rule's doc comment (each line keeps the one leading space rustdoc adds).
    pub docs: &'static str,
}

impl RuleMeta {
    /// The documentation with rustdoc's leading space removed from each line.
    pub fn docs_text(&self) -> String {
        let mut out = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }
}

/// A secondary location with a short message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    /// The same fault again, not context: each further line of a run of tab-indented lines is
    /// as wrong as the first. Editors mark these places like the finding itself (they do not
    /// draw labels), and long runs of them are shortened in human output.
    pub offending: bool,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label {
            span,
            message: message.into(),
            offending: false,
        }
    }

    /// A label for another place with the same fault (see [`Label::offending`]).
    pub fn offending(span: Span, message: impl Into<String>) -> Self {
        Label {
            offending: true,
            ..Label::new(span, message)
        }
    }
}

/// A text replacement in the file the diagnostic belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

/// A mechanical, safe fix: applying every edit yields the corrected text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable kebab-case rule name.
    pub rule: &'static str,
    /// Short code shown in human output.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The exact offending bytes.
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
    /// Found on the indentation doctor's repaired text and mapped back to the original.
    pub after_repair: bool,
}

/// The builder methods of what both a [`Diagnostic`] and a [`Finding`] carry besides their
/// identity: help, labels and a fix.
macro_rules! explanation_builders {
    () => {
        pub fn with_help(mut self, help: impl Into<String>) -> Self {
            self.help = Some(help.into());
            self
        }

        pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
            self.labels.push(Label::new(span, message));
            self
        }

        /// Another place with the same fault (see [`Label::offending`]).
        pub fn with_offending_label(mut self, span: Span, message: impl Into<String>) -> Self {
            self.labels.push(Label::offending(span, message));
            self
        }

        pub fn with_fix(mut self, fix: Fix) -> Self {
            self.fix = Some(fix);
            self
        }
    };
}

impl Diagnostic {
    /// A diagnostic carrying the rule's identity and default severity.
    pub fn new(meta: &RuleMeta, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule: meta.name,
            code: meta.code,
            severity: meta.severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            help: None,
            fix: None,
            after_repair: false,
        }
    }

    explanation_builders!();

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// What an engine below the rules found, before it is attributed to a rule: the indentation
/// doctor, the suppression engine and the cross-file index report these, and
/// `crate::checkers` turns each into the [`Diagnostic`] of the rule its `kind` belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding<K> {
    pub kind: K,
    pub span: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl<K> Finding<K> {
    pub fn new(kind: K, span: Span, message: impl Into<String>) -> Self {
        Finding {
            kind,
            span,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            fix: None,
        }
    }

    explanation_builders!();

    /// The finding as `meta`'s diagnostic.
    pub fn into_diagnostic(self, meta: &RuleMeta) -> Diagnostic {
        Diagnostic {
            labels: self.labels,
            help: self.help,
            fix: self.fix,
            ..Diagnostic::new(meta, self.span, self.message)
        }
    }
}

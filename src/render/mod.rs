//! Renderers: one file per output format. Each takes the finished reports and writes text; none
//! of them looks at YAML or re-scans a file (positions come from the file's line index).

use crate::check::FileReport;
use crate::diagnostic::Severity;
use crate::source::{Position, SourceFile, Span};
use std::io::{self, Write};

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

/// Appended to the message of a finding made on the indentation doctor's repaired text: its
/// position is mapped back, but it may go away once the indentation is fixed.
pub const AFTER_REPAIR_NOTE: &str = "(found after repairing the indentation)";

/// The message as text formats print it.
pub(crate) fn message_text(d: &crate::diagnostic::Diagnostic) -> String {
    if d.after_repair {
        format!("{} {AFTER_REPAIR_NOTE}", d.message)
    } else {
        d.message.clone()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// miette reports with source snippets, then a summary line.
    Human,
    /// `path:line:col: severity[code name] message`, one line per finding.
    Concise,
    /// One JSON object (see DESIGN.md "Output contract").
    Json,
    /// GitHub Actions workflow commands (`::error file=…::…`).
    Github,
    /// SARIF 2.1.0 (code scanning).
    Sarif,
    /// JUnit XML (CI test reports).
    Junit,
}

#[derive(Clone, Debug)]
pub struct RenderOptions {
    /// Emit ANSI colour (human format only).
    pub color: bool,
    /// Leave out the summary line and anything said about clean files.
    pub quiet: bool,
    /// Width the human format wraps messages at.
    pub width: usize,
    /// Files that could not be read or checked. The text formats leave them to stderr; JSON,
    /// SARIF and JUnit record them, so that a CI report does not show a skipped file as clean.
    pub problems: Vec<crate::run::FileProblem>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            quiet: false,
            width: 100,
            problems: Vec::new(),
        }
    }
}

/// Counts over a whole run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub files_with_findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Self {
        let mut s = Summary {
            files: reports.len(),
            ..Summary::default()
        };
        for report in reports {
            if !report.diagnostics.is_empty() {
                s.files_with_findings += 1;
            }
            for d in &report.diagnostics {
                match d.severity {
                    Severity::Error => s.errors += 1,
                    Severity::Warning => s.warnings += 1,
                    Severity::Info => s.infos += 1,
                }
            }
        }
        s
    }

    /// "3 errors, 1 warning in 1 file", "1 error in 1 of 4 files", "No problems in 2 files".
    pub fn sentence(&self) -> String {
        let mut parts = Vec::new();
        for (n, word) in [
            (self.errors, "error"),
            (self.warnings, "warning"),
            (self.infos, "info"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {word}{}", plural(n)));
            }
        }
        let files = format!("{} file{}", self.files, plural(self.files));
        if parts.is_empty() {
            return format!("No problems in {files}");
        }
        if self.files_with_findings == self.files {
            format!("{} in {files}", parts.join(", "))
        } else {
            format!(
                "{} in {} of {files}",
                parts.join(", "),
                self.files_with_findings
            )
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Write `reports` (already in output order) in `format`.
pub fn render(
    format: Format,
    reports: &[FileReport],
    opts: &RenderOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        Format::Human => human::render(reports, opts, out),
        Format::Concise => concise::render(reports, out),
        Format::Json => json::render(reports, &opts.problems, out),
        Format::Github => github::render(reports, out),
        Format::Sarif => sarif::render(reports, &opts.problems, out),
        Format::Junit => junit::render(reports, &opts.problems, out),
    }
}

/// `--statistics`: findings per rule, most frequent first. A table, or with `--format json` a
/// JSON array of `{"rule", "code", "severity", "count"}`.
pub fn statistics(format: Format, reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    use std::collections::BTreeMap;
    let mut counts: BTreeMap<(&str, &str), (usize, Severity)> = BTreeMap::new();
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        let entry = counts.entry((d.rule, d.code)).or_insert((0, d.severity));
        entry.0 += 1;
        entry.1 = entry.1.max(d.severity);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    if format == Format::Json {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|((rule, code), (count, severity))| {
                serde_json::json!({"rule": rule, "code": code, "severity": severity.as_str(), "count": count})
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        return writeln!(out);
    }
    let width = rows
        .iter()
        .map(|((r, _), _)| r.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let count_width = rows
        .iter()
        .map(|(_, (n, _))| n.to_string().len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:>count_width$}  {:<5}  {:<width$}  SEVERITY",
        "COUNT", "CODE", "RULE"
    )?;
    for ((rule, code), (count, severity)) in &rows {
        writeln!(
            out,
            "{count:>count_width$}  {code:<5}  {rule:<width$}  {severity}"
        )?;
    }
    Ok(())
}

/// A span clamped to the file's text, so a rule's off-by-one can never break rendering.
pub(crate) fn clamp(source: &SourceFile, span: Span) -> Span {
    let len = source.text.len();
    let start = span.start.min(len);
    Span::new(start, span.end.clamp(start, len))
}

/// 1-based start and end positions; the end is the position just after the last character.
pub(crate) fn positions(source: &SourceFile, span: Span) -> (Position, Position) {
    let span = clamp(source, span);
    (source.position(span.start), source.position(span.end))
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::check::FileReport;
    use crate::diagnostic::{Diagnostic, Severity};
    use crate::source::{SourceFile, Span};

    pub fn diag(
        rule: &'static str,
        code: &'static str,
        severity: Severity,
        span: Span,
        message: &str,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            code,
            severity,
            message: message.to_string(),
            span,
            labels: Vec::new(),
            help: None,
            fix: None,
            after_repair: false,
        }
    }

    pub const TEXT: &str = "Resources:\n  Policy:\n    Type: AWS::IAM::ManagedPolicy\n\tBad: ç1\n";

    /// One file with an error (with help and a label) on line 4 and a warning on line 2.
    pub fn sample() -> Vec<FileReport> {
        let source = SourceFile::new("templates/policy.yaml", TEXT);
        let tab = TEXT.find('\t').unwrap();
        let policy = TEXT.find("Policy").unwrap();
        let c = TEXT.find("ç1").unwrap();
        let error = diag(
            "tab-indentation",
            "Y002",
            Severity::Error,
            Span::new(tab, tab + 1),
            "tab character in indentation",
        )
        .with_help("indent with spaces")
        .with_label(Span::new(policy, policy + 6), "parent key");
        let warning = diag(
            "odd-name",
            "T001",
            Severity::Warning,
            Span::new(policy, policy + 6),
            "name, \"odd\": 100%",
        );
        let info = diag(
            "utf8-col",
            "T002",
            Severity::Info,
            Span::new(c + 2, c + 3),
            "after a two-byte char",
        );
        vec![
            FileReport {
                suppressions: Default::default(),
                source: SourceFile::new("a/clean.yaml", "Resources: {}\n"),
                diagnostics: vec![],
            },
            FileReport {
                suppressions: Default::default(),
                source,
                diagnostics: vec![warning, error, info],
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_sentence() {
        let s = Summary::of(&test_support::sample());
        assert_eq!(s.sentence(), "1 error, 1 warning, 1 info in 1 of 2 files");
        let s = Summary {
            files: 1,
            files_with_findings: 1,
            errors: 3,
            warnings: 1,
            ..Summary::default()
        };
        assert_eq!(s.sentence(), "3 errors, 1 warning in 1 file");
        let s = Summary {
            files: 2,
            ..Summary::default()
        };
        assert_eq!(s.sentence(), "No problems in 2 files");
    }

    #[test]
    fn positions_clamp_out_of_range_spans() {
        let source = SourceFile::new("x", "ab\ncd");
        let (start, end) = positions(&source, Span::new(4, 99));
        assert_eq!((start.line, start.column), (2, 2));
        assert_eq!((end.line, end.column), (2, 3));
    }
}

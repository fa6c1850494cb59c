//! The JSON output contract (DESIGN.md "Output contract"). The listed keys are stable; `labels`
//! and `after_repair` are additions after them that editors can use and others can ignore.
//! `errors` lists the files that could not be read or checked, so that a consumer of the JSON
//! alone never takes a partial run for a clean one.

use super::{positions, Summary};
use crate::check::FileReport;
use crate::diagnostic::Diagnostic;
use crate::run::FileProblem;
use crate::source::{SourceFile, Span};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: JsonSummary,
}

/// A file that could not be read or checked (the run exits 2).
#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    rule: &'a str,
    code: &'a str,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    #[serde(flatten)]
    range: Range,
    /// Secondary locations, each with its message.
    labels: Vec<JsonLabel<'a>>,
    /// Found on the indentation doctor's repaired text (positions are in the original file).
    after_repair: bool,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    #[serde(flatten)]
    range: Range,
}

#[derive(Serialize)]
struct Range {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl Range {
    fn of(source: &SourceFile, span: Span) -> Self {
        let (start, end) = positions(source, span);
        Range {
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

fn diagnostic<'a>(source: &'a SourceFile, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        path: &source.path,
        rule: d.rule,
        code: d.code,
        severity: d.severity.as_str(),
        message: &d.message,
        help: d.help.as_deref(),
        range: Range::of(source, d.span),
        labels: d
            .labels
            .iter()
            .map(|l| JsonLabel {
                message: &l.message,
                range: Range::of(source, l.span),
            })
            .collect(),
        after_repair: d.after_repair,
    }
}

pub fn render(
    reports: &[FileReport],
    problems: &[FileProblem],
    out: &mut impl Write,
) -> io::Result<()> {
    let summary = Summary::of(reports);
    let output = Output {
        version: 1,
        diagnostics: reports
            .iter()
            .flat_map(|r| r.diagnostics.iter().map(|d| diagnostic(&r.source, d)))
            .collect(),
        errors: problems
            .iter()
            .map(|p| JsonError {
                path: &p.path,
                message: &p.message,
            })
            .collect(),
        summary: JsonSummary {
            files: summary.files,
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use crate::render::test_support::sample;

    #[test]
    fn matches_the_output_contract() {
        let mut out = Vec::new();
        super::render(&sample(), &[], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = r#"{
  "version": 1,
  "diagnostics": [
    {
      "path": "templates/policy.yaml",
      "rule": "odd-name",
      "code": "T001",
      "severity": "warning",
      "message": "name, \"odd\": 100%",
      "help": null,
      "line": 2,
      "column": 3,
      "end_line": 2,
      "end_column": 9,
      "labels": [],
      "after_repair": false
    },
    {
      "path": "templates/policy.yaml",
      "rule": "tab-indentation",
      "code": "Y002",
      "severity": "error",
      "message": "tab character in indentation",
      "help": "indent with spaces",
      "line": 4,
      "column": 1,
      "end_line": 4,
      "end_column": 2,
      "labels": [
        {
          "message": "parent key",
          "line": 2,
          "column": 3,
          "end_line": 2,
          "end_column": 9
        }
      ],
      "after_repair": false
    },
    {
      "path": "templates/policy.yaml",
      "rule": "utf8-col",
      "code": "T002",
      "severity": "info",
      "message": "after a two-byte char",
      "help": null,
      "line": 4,
      "column": 8,
      "end_line": 4,
      "end_column": 9,
      "labels": [],
      "after_repair": false
    }
  ],
  "errors": [],
  "summary": {
    "files": 2,
    "errors": 1,
    "warnings": 1,
    "infos": 1
  }
}
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn files_that_could_not_be_checked_are_listed_under_errors() {
        let problems = [crate::run::FileProblem {
            path: "templates/broken.yaml".into(),
            message: "not UTF-8 text (invalid byte on line 2)".into(),
        }];
        let mut out = Vec::new();
        super::render(&[], &problems, &mut out).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            value["errors"],
            serde_json::json!([{"path": "templates/broken.yaml",
                                "message": "not UTF-8 text (invalid byte on line 2)"}])
        );
        assert_eq!(value["diagnostics"], serde_json::json!([]));
    }
}

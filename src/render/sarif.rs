//! SARIF 2.1.0, as GitHub code scanning and other SARIF viewers read it. Every registered rule
//! is described in `tool.driver.rules` (so results can point at them by index), columns count
//! Unicode code points (`columnKind`), and each result carries the baseline fingerprint as a
//! partial fingerprint so that viewers can track it across commits.

use super::{message_text, positions};
use crate::baseline;
use crate::check::FileReport;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{self, RuleMeta};
use crate::run::FileProblem;
use crate::source::{SourceFile, Span};
use serde_json::{json, Value};
use std::io::{self, Write};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The `## What it does` section of a rule's docs, as one paragraph.
fn what_it_does(meta: &RuleMeta) -> String {
    let docs = meta.docs_text();
    let body = docs
        .split("## What it does")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or(meta.summary);
    let text = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        meta.summary.to_string()
    } else {
        text
    }
}

fn rule_descriptor(meta: &RuleMeta) -> Value {
    let docs = meta.docs_text();
    json!({
        "id": meta.name,
        "name": meta.name,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": what_it_does(meta)},
        "help": {"text": docs, "markdown": docs},
        "defaultConfiguration": {"level": level(meta.severity)},
        "properties": {"code": meta.code, "tags": [meta.family.as_str()]},
    })
}

/// A relative path as a URI reference (forward slashes, percent-encoded); absolute paths as
/// `file://` URIs.
fn artifact_location(path: &str) -> Value {
    let normalized = baseline::normalize_path(path);
    let encoded = encode_uri_path(&normalized);
    if normalized.starts_with('/') {
        json!({"uri": format!("file://{encoded}")})
    } else if normalized.as_bytes().get(1) == Some(&b':') {
        // A Windows drive path.
        json!({"uri": format!("file:///{encoded}")})
    } else {
        json!({"uri": encoded, "uriBaseId": "%SRCROOT%"})
    }
}

fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn region(source: &SourceFile, span: Span) -> Value {
    let (start, end) = positions(source, span);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

fn result(source: &SourceFile, d: &Diagnostic, fingerprint: &str) -> Value {
    let mut text = message_text(d);
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let location = |span: Span| {
        json!({
            "artifactLocation": artifact_location(&source.path),
            "region": region(source, span),
        })
    };
    let mut r = json!({
        "ruleId": d.rule,
        "level": level(d.severity),
        "message": {"text": text},
        "locations": [{"physicalLocation": location(d.span)}],
        "partialFingerprints": {"cfnPolicyLint/v1": fingerprint},
    });
    if let Some(index) = rules::registry()
        .iter()
        .position(|rule| rule.meta().name == d.rule)
    {
        r["ruleIndex"] = json!(index);
    }
    if !d.labels.is_empty() {
        r["relatedLocations"] = d
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "id": i,
                    "physicalLocation": location(l.span),
                    "message": {"text": l.message},
                })
            })
            .collect();
    }
    r
}

/// The whole SARIF log as a JSON value.
pub fn log(reports: &[FileReport], problems: &[FileProblem]) -> Value {
    let rules: Vec<Value> = rules::registry()
        .iter()
        .map(|r| rule_descriptor(r.meta()))
        .collect();
    let mut results = Vec::new();
    for report in reports {
        let fps = baseline::fingerprints(report);
        for (d, fp) in report.diagnostics.iter().zip(&fps) {
            results.push(result(&report.source, d, fp));
        }
    }
    let mut driver = json!({
        "name": "cfn-policy-lint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    let homepage = env!("CARGO_PKG_HOMEPAGE");
    if !homepage.is_empty() {
        driver["informationUri"] = json!(homepage);
    }
    // Files that could not be read or checked are tool execution notifications: the run did
    // not cover them.
    let notifications: Vec<Value> = problems
        .iter()
        .map(|p| {
            json!({
                "level": "error",
                "message": {"text": p.message},
                "locations": [{"physicalLocation": {"artifactLocation": artifact_location(&p.path)}}],
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "invocations": [{
                "executionSuccessful": problems.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

pub fn render(
    reports: &[FileReport],
    problems: &[FileProblem],
    out: &mut impl Write,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(reports, problems))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_support::sample;

    #[test]
    fn results_have_positions_levels_and_rule_indexes() {
        let v = log(&sample(), &[]);
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 3);
        let tab = results
            .iter()
            .find(|r| r["ruleId"] == "tab-indentation")
            .unwrap();
        assert_eq!(tab["level"], "error");
        let loc = &tab["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "templates/policy.yaml");
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(loc["region"]["startLine"], 4);
        assert_eq!(loc["region"]["startColumn"], 1);
        assert_eq!(loc["region"]["endColumn"], 2);
        assert_eq!(tab["relatedLocations"][0]["message"]["text"], "parent key");
        let index = tab["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            v["runs"][0]["tool"]["driver"]["rules"][index]["id"],
            "tab-indentation"
        );
        let info = results.iter().find(|r| r["ruleId"] == "utf8-col").unwrap();
        assert_eq!(info["level"], "note");
        assert!(info.get("ruleIndex").is_none());
    }

    #[test]
    fn uris_are_encoded_and_absolute_paths_are_file_uris() {
        assert_eq!(artifact_location("./a b/t.yaml")["uri"], "a%20b/t.yaml");
        assert_eq!(artifact_location("/x/t.yaml")["uri"], "file:///x/t.yaml");
        assert!(artifact_location("/x/t.yaml").get("uriBaseId").is_none());
    }
}

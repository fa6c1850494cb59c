//! Baselines: record today's findings so that only new ones are reported.
//!
//! A finding's fingerprint hashes its rule, its file's path, the logical ID of the resource it
//! is in (if any), the offending text with whitespace collapsed, and its index among findings
//! sharing all of those — never a line number, so findings keep matching when lines move or a
//! block is re-indented.
//!
//! File format (JSON, `version` 1):
//!
//! ```json
//! {"version": 1, "tool": "cfn-policy-lint",
//!  "findings": [{"fingerprint": "9c2f…", "path": "templates/a.yaml", "rule": "unknown-action",
//!                "message": "…"}]}
//! ```
//!
//! Only `fingerprint` is used for matching; the other fields are there for people reviewing the
//! file. Matching is by count: two identical recorded findings cover two current ones.

use crate::check::{self, FileReport};
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};
use crate::template::Template;
use crate::yaml::ParseOptions;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineFile {
    pub version: u32,
    pub tool: String,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub path: String,
    pub rule: String,
    #[serde(default)]
    pub message: String,
}

/// Fingerprints of a report's diagnostics, in the same order.
pub fn fingerprints(report: &FileReport) -> Vec<String> {
    if report.diagnostics.is_empty() {
        return Vec::new();
    }
    let resources = resource_ranges(&report.source);
    let path = normalize_path(&report.source.path);
    let mut seen: HashMap<(&str, Option<&str>, String), usize> = HashMap::new();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let id = resources
                .iter()
                .find(|(_, span)| span.start <= d.span.start && d.span.start < span.end)
                .map(|(id, _)| id.as_str());
            let text = collapse_whitespace(report.source.slice(d.span));
            let n = seen.entry((d.rule, id, text.clone())).or_insert(0);
            let index = *n;
            *n += 1;
            fingerprint(d, &path, id, &text, index)
        })
        .collect()
}

fn fingerprint(d: &Diagnostic, path: &str, id: Option<&str>, text: &str, index: usize) -> String {
    let mut h = Fnv::new();
    for part in [d.rule, path, id.unwrap_or(""), text, &index.to_string()] {
        h.write(part.as_bytes());
        // A separator that cannot occur in the parts keeps ("ab","c") apart from ("a","bc").
        h.write(&[0xFF]);
    }
    format!("{:016x}", h.0)
}

/// Forward slashes and no leading `./`, so a baseline written on Windows matches on Linux.
pub fn normalize_path(path: &str) -> String {
    let p = path.replace('\\', "/");
    let mut s = p.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    s.to_string()
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Each resource's logical ID and the span of its definition (key through value).
fn resource_ranges(source: &SourceFile) -> Vec<(String, Span)> {
    let Some((document, map)) = check::parse_with_repair(source, &ParseOptions::default()) else {
        return Vec::new();
    };
    let template = Template::from_document(&document);
    template
        .resources
        .iter()
        .map(|r| {
            let span = r.key.span.cover(r.node.span);
            let span = map.as_ref().map_or(span, |m| m.map_span(span));
            (r.logical_id.to_string(), span)
        })
        .collect()
}

/// 64-bit FNV-1a: tiny, and stable across Rust versions (unlike `DefaultHasher`).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The baseline file for `reports`.
pub fn build(reports: &[FileReport]) -> BaselineFile {
    let mut findings = Vec::new();
    for report in reports {
        let path = normalize_path(&report.source.path);
        for (d, fp) in report.diagnostics.iter().zip(fingerprints(report)) {
            findings.push(Entry {
                fingerprint: fp,
                path: path.clone(),
                rule: d.rule.to_string(),
                message: d.message.clone(),
            });
        }
    }
    BaselineFile {
        version: 1,
        tool: "cfn-policy-lint".into(),
        findings,
    }
}

pub fn write(reports: &[FileReport], path: &Path) -> std::io::Result<usize> {
    let file = build(reports);
    let text = serde_json::to_string_pretty(&file)? + "\n";
    std::fs::write(path, text)?;
    Ok(file.findings.len())
}

/// Recorded fingerprints with their counts.
#[derive(Debug, Default)]
pub struct Baseline {
    counts: HashMap<String, usize>,
}

impl Baseline {
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| crate::discover::describe_io_error(&e))?;
        Baseline::from_json(&text)
    }

    pub fn from_json(text: &str) -> Result<Baseline, String> {
        let file: BaselineFile =
            serde_json::from_str(text).map_err(|e| format!("not a baseline file: {e}"))?;
        if file.version != 1 {
            return Err(format!("unsupported baseline version {}", file.version));
        }
        let mut counts = HashMap::new();
        for entry in file.findings {
            *counts.entry(entry.fingerprint).or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// Remove the findings the baseline records; returns how many were removed.
    pub fn filter(&self, reports: &mut [FileReport]) -> usize {
        let mut left = self.counts.clone();
        let mut removed = 0;
        for report in reports {
            let fps = fingerprints(report);
            let mut keep = fps.iter().map(|fp| match left.get_mut(fp) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            });
            let before = report.diagnostics.len();
            report.diagnostics.retain(|_| keep.next().unwrap_or(true));
            removed += before - report.diagnostics.len();
        }
        removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_values() {
        let mut h = Fnv::new();
        h.write(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn paths_are_normalized() {
        assert_eq!(normalize_path(".\\a\\b.yaml"), "a/b.yaml");
        assert_eq!(normalize_path("././a.yaml"), "a.yaml");
    }
}

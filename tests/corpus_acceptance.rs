//! The parser against ~3,800 real templates (`../shared/corpus`, ignored when absent): every
//! valid template parses, every invalid one fails with a message in plain words, and the
//! duplicate keys the corpus lists are found.

use cfn_policy_lint::rules::yaml::DuplicateKey;
use cfn_policy_lint::rules::{FileContext, Rule};
use cfn_policy_lint::source::SourceFile;
use cfn_policy_lint::yaml::{parse, ParseOptions};
use rayon::prelude::*;
use std::path::Path;

mod common;
use common::corpus;

fn read(dir: &Path, rel: &str) -> String {
    let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn every_valid_template_parses() {
    let dir = corpus();
    let list = std::fs::read_to_string(dir.join("valid-templates.txt")).unwrap();
    let paths: Vec<&str> = list.lines().filter(|l| !l.trim().is_empty()).collect();
    let failures: Vec<String> = paths
        .par_iter()
        .filter_map(|rel| {
            let text = read(&dir, rel);
            parse(&text, &ParseOptions::default())
                .err()
                .map(|e| format!("{rel}:{}: {}", e.span.start, e.message))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} valid templates failed:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
    assert!(paths.len() > 1000);
}

/// Phrases granit uses on its own; a message must say more than that.
const BARE: &[&str] = &[
    "did not find expected",
    "simple key expected",
    "unexpected character",
    "mapping values are not allowed",
    "cannot start any token",
];

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn every_invalid_template_fails_clearly() {
    let dir = corpus();
    let list = std::fs::read_to_string(dir.join("invalid-templates.tsv")).unwrap();
    let mut checked = 0;
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let rel = line.split('\t').next().unwrap();
        let text = read(&dir, rel);
        let error =
            parse(&text, &ParseOptions::default()).expect_err(&format!("{rel} should not parse"));
        let lower = error.message.to_lowercase();
        assert!(
            !BARE.iter().any(|b| lower.starts_with(b)),
            "{rel}: bare parser message {:?}",
            error.message
        );
        assert!(error.help.is_some(), "{rel}: no help");
        assert!(error.span.end <= text.len());
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn listed_duplicate_keys_are_found() {
    let dir = corpus();
    let list = std::fs::read_to_string(dir.join("duplicate-keys.tsv")).unwrap();
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let (Some(rel), Some(key), Some(line_no)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        let line_no: usize = line_no.trim().parse().unwrap();
        let source = SourceFile::new(rel, read(&dir, rel));
        let document = parse(&source.text, &ParseOptions::default()).unwrap();
        let ctx = FileContext::new(&source, Some(&document), None, false);
        let mut found = Vec::new();
        DuplicateKey.check(&ctx, &mut found);
        assert!(
            found.iter().any(|d| {
                source.position(d.span.start).line == line_no && source.slice(d.span).contains(key)
            }),
            "{rel}: duplicate `{key}` on line {line_no} not reported; found {:?}",
            found
                .iter()
                .map(|d| (source.position(d.span.start).line, &d.message))
                .collect::<Vec<_>>()
        );
    }
}

//! The other tools' IAM checks, each reduced to an example written for this project
//! (`fixtures/peers/<tool>/<check>.yaml`), and the rule of ours that reports it. The table is
//! `fixtures/peers/checks.tsv`; `docs/precision.md` shows it. A row with `-` for the rule is a
//! check this program deliberately does not make (the document says why).

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::rules;
use cfn_policy_lint::source::SourceFile;
use std::collections::BTreeSet;
use std::path::PathBuf;

struct Row {
    tool: String,
    check: String,
    rule: Option<String>,
    fixture: Option<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rows() -> Vec<Row> {
    let text = std::fs::read_to_string(root().join("fixtures/peers/checks.tsv"))
        .expect("fixtures/peers/checks.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 5, "checks.tsv: five fields per row: {line}");
            let some = |s: &str| (s != "-").then(|| s.to_string());
            Row {
                tool: fields[0].to_string(),
                check: fields[1].to_string(),
                rule: some(fields[3]),
                fixture: some(fields[4]),
            }
        })
        .collect()
}

#[test]
fn every_peer_check_example_raises_its_rule() {
    let rows = rows();
    assert!(rows.len() >= 70, "only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let (Some(rule), Some(fixture)) = (&row.rule, &row.fixture) else {
            assert!(
                row.rule.is_none(),
                "{} {}: a rule needs a fixture",
                row.tool,
                row.check
            );
            // A check made deliberately not: its example stays silent (every rule).
            if let Some(fixture) = &row.fixture {
                let text = std::fs::read_to_string(root().join(fixture))
                    .unwrap_or_else(|e| panic!("{fixture}: {e}"));
                let report = check_template(
                    SourceFile::new(fixture.as_str(), text),
                    &Settings::default(),
                );
                let found: Vec<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
                if !found.is_empty() {
                    failures.push(format!(
                        "{} {} ({fixture}): deliberately not reported, but found {found:?}",
                        row.tool, row.check
                    ));
                }
            }
            continue;
        };
        assert!(
            rules::find(rule).is_some(),
            "{} {}: no rule `{rule}`",
            row.tool,
            row.check
        );
        let text = std::fs::read_to_string(root().join(fixture))
            .unwrap_or_else(|e| panic!("{fixture}: {e}"));
        let report = check_template(
            SourceFile::new(fixture.as_str(), text),
            &Settings::default(),
        );
        let found: Vec<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
        if !found.contains(&rule.as_str()) {
            failures.push(format!(
                "{} {} ({fixture}): `{rule}` did not fire; found {found:?}",
                row.tool, row.check
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_example_is_in_the_table_and_the_table_is_in_the_docs() {
    let rows = rows();
    let listed: BTreeSet<String> = rows.iter().filter_map(|r| r.fixture.clone()).collect();
    let dir = root().join("fixtures/peers");
    let mut on_disk = BTreeSet::new();
    for tool in std::fs::read_dir(&dir).expect("fixtures/peers") {
        let tool = tool.expect("entry").path();
        if !tool.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&tool).expect("tool folder") {
            let path = file.expect("entry").path();
            let rel = path.strip_prefix(root()).expect("under the crate");
            on_disk.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    assert_eq!(listed, on_disk, "fixtures/peers and checks.tsv disagree");
    let docs =
        std::fs::read_to_string(root().join("docs/precision.md")).expect("docs/precision.md");
    for row in &rows {
        let cell = format!("| {} {} |", row.tool, row.check);
        assert!(
            docs.contains(&cell),
            "docs/precision.md has no row starting `{cell}`"
        );
        if let Some(fixture) = &row.fixture {
            assert!(
                docs.contains(&format!("`{fixture}`")),
                "docs/precision.md does not name {fixture}"
            );
        }
    }
}

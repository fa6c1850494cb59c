//! `--write-baseline` / `--baseline`: recorded findings stay hidden when lines move; new ones show.

use serde_json::Value;
use std::path::Path;

mod common;
use common::run_in;

/// (rule, line) of each finding reported with the baseline.
fn with_baseline(dir: &Path) -> (Option<i32>, Vec<(String, u64)>) {
    let out = run_in(
        dir,
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            "baseline.json",
            "t.yaml",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    (out.status.code(), found)
}

const TEMPLATE: &str = "\
Parameters:
  Spare:
    Type: String
Resources:
  A:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Missing
  B:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Missing
";

#[test]
fn baseline_hides_recorded_findings_even_when_lines_move() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("t.yaml"), TEMPLATE).unwrap();
    let out = run_in(
        root,
        &["check", "--write-baseline", "baseline.json", "t.yaml"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wrote 3 findings"));
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(file["version"], 1);
    assert_eq!(file["findings"].as_array().unwrap().len(), 3);
    assert_eq!(file["findings"][0]["path"], "t.yaml");

    assert_eq!(with_baseline(root), (Some(0), vec![]));

    // Lines move: a description on top, resources swapped and re-indented by four spaces.
    let moved = "\
Description: moved around
Parameters:
    Spare:
        Type: String
Resources:
    B:
        Type: AWS::SNS::Topic
        Properties:
            TopicName: !Ref Missing
    A:
        Type: AWS::SNS::Topic
        Properties:
            TopicName: !Ref Missing
";
    std::fs::write(root.join("t.yaml"), moved).unwrap();
    assert_eq!(with_baseline(root), (Some(0), vec![]));

    // A new finding shows, the recorded ones stay hidden.
    let grown = format!(
        "{moved}    C:\n        Type: AWS::SNS::Topic\n        Properties:\n            TopicName: !Ref Missing\n"
    );
    std::fs::write(root.join("t.yaml"), grown).unwrap();
    assert_eq!(
        with_baseline(root),
        (Some(1), vec![("undefined-reference".to_string(), 17)])
    );
}

#[test]
fn identical_findings_in_one_resource_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let one = "Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Missing\n";
    std::fs::write(root.join("t.yaml"), one).unwrap();
    run_in(
        root,
        &["check", "--write-baseline", "baseline.json", "t.yaml"],
    );
    let two = format!("{one}      DisplayName: !Ref Missing\n");
    std::fs::write(root.join("t.yaml"), two).unwrap();
    let (code, found) = with_baseline(root);
    assert_eq!(code, Some(1));
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn an_unreadable_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("t.yaml"), TEMPLATE).unwrap();
    std::fs::write(root.join("baseline.json"), "{}").unwrap();
    let out = run_in(root, &["check", "--baseline", "baseline.json", "t.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a baseline file"));
}

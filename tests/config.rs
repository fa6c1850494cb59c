//! `.cfn-policy-lint.yaml`: discovery, validation messages, overrides, `config --show`, schema.

use cfn_policy_lint::config::{json_schema, Config, Level};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

mod common;
use common::run_in;

const TABBED: &str = "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Unused:\n    Type: String\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n\tTopicName: t\n";

fn json_rules(out: &Output) -> Vec<(String, String, String)> {
    let v: Value = serde_json::from_slice(&out.stdout).expect("json output");
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn unknown_key_is_reported_with_position_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".cfn-policy-lint.yaml",
        "ignore: []\nselcet: [yaml]\n",
    );
    write(dir.path(), "t.yaml", TABBED);
    let out = run_in(dir.path(), &["check", "t.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            ".cfn-policy-lint.yaml: line 2, column 1: unknown key `selcet`; did you mean `select`?"
        ),
        "{err}"
    );
    // Reported once, not per file.
    assert_eq!(err.matches("selcet").count(), 1, "{err}");
}

#[test]
fn unknown_rule_and_bad_value_are_reported_with_position() {
    let err =
        Config::from_text(Path::new("c.yaml"), "severity:\n  unused-paramter: info\n").unwrap_err();
    assert_eq!((err.line, err.column), (2, 3));
    assert!(
        err.message.contains("did you mean `unused-parameter`?"),
        "{err}"
    );

    let err = Config::from_text(Path::new("c.yaml"), "fail-on: fatal\n").unwrap_err();
    assert_eq!((err.line, err.column), (1, 10));
    assert!(err.message.contains("unknown variant `fatal`"), "{err}");

    let err =
        Config::from_text(Path::new("c.yaml"), "rules:\n  unused-parameter: 3\n").unwrap_err();
    assert_eq!(err.line, 2);
    assert!(err.to_string().starts_with("c.yaml:2:"), "{err}");
}

#[test]
fn example_configuration_loads_and_validates_against_the_schema() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/config/.cfn-policy-lint.yaml");
    let config = Config::load(&path).unwrap();
    assert_eq!(config.select, ["yaml", "template"]);
    assert_eq!(config.fail_on, Some(Level::Error));
    assert_eq!(config.severity.get("Y003"), Some(&Level::Warning));
    assert_eq!(config.per_file_ignores["legacy/**"], ["tab-indentation"]);

    let schema = json_schema();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let instance: Value = serde_json::to_value(&config).unwrap();
    assert!(validator.is_valid(&instance));
    let bad: Value = serde_json::json!({"selcet": ["yaml"]});
    assert!(!validator.is_valid(&bad));
    let bad: Value = serde_json::json!({"fail-on": "fatal"});
    assert!(!validator.is_valid(&bad));
}

#[test]
fn nearest_configuration_applies_with_per_file_ignores_and_severity() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".cfn-policy-lint.yaml",
        "severity: {unused-parameter: error}\nper-file-ignores:\n  'legacy/**': [tab-indentation]\n",
    );
    write(root, "a.yaml", TABBED);
    write(root, "legacy/b.yaml", TABBED);
    // A nearer file replaces (does not merge with) the outer one.
    write(root, "team/.cfn-policy-lint.yaml", "ignore: [template]\n");
    write(root, "team/c.yaml", TABBED);
    let out = run_in(root, &["check", "--format", "json", "."]);
    let found = json_rules(&out);
    let of = |p: &str| -> Vec<(String, String)> {
        found
            .iter()
            .filter(|(path, _, _)| path.ends_with(p))
            .map(|(_, r, s)| (r.clone(), s.clone()))
            .collect()
    };
    assert!(
        of("a.yaml").contains(&("tab-indentation".into(), "error".into())),
        "{found:?}"
    );
    assert!(
        of("a.yaml").contains(&("unused-parameter".into(), "error".into())),
        "{found:?}"
    );
    assert!(
        !of("legacy/b.yaml")
            .iter()
            .any(|(r, _)| r == "tab-indentation"),
        "{found:?}"
    );
    assert!(
        of("legacy/b.yaml")
            .iter()
            .any(|(r, _)| r == "unused-parameter"),
        "{found:?}"
    );
    assert_eq!(
        of("team/c.yaml"),
        [("tab-indentation".to_string(), "error".to_string())]
    );
}

#[test]
fn command_line_overrides_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        ".cfn-policy-lint.yaml",
        "select: [template]\nfail-on: error\nseverity: {unused-parameter: info}\n",
    );
    write(root, "t.yaml", TABBED);
    // The configuration alone: only template rules, and an info finding passes.
    let out = run_in(root, &["check", "--format", "json", "t.yaml"]);
    assert_eq!(json_rules(&out).len(), 1);
    assert_eq!(out.status.code(), Some(0));
    // --fail-on wins over `fail-on`; --select replaces `select`.
    let out = run_in(
        root,
        &["check", "--format", "json", "--fail-on", "info", "t.yaml"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run_in(
        root,
        &["check", "--format", "json", "--select", "yaml", "t.yaml"],
    );
    let rules: Vec<String> = json_rules(&out).into_iter().map(|(_, r, _)| r).collect();
    assert_eq!(rules, ["tab-indentation"]);
    // --config replaces discovery.
    write(root, "other.yaml", "ignore: [all]\n");
    let out = run_in(
        root,
        &[
            "check",
            "--format",
            "json",
            "--config",
            "other.yaml",
            "t.yaml",
        ],
    );
    assert!(json_rules(&out).is_empty());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn excluded_files_are_not_checked_even_when_named() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".cfn-policy-lint.yaml", "exclude: ['generated/**']\n");
    write(root, "generated/t.yaml", TABBED);
    write(root, "t.yaml", TABBED);
    let out = run_in(
        root,
        &["check", "--format", "json", ".", "generated/t.yaml"],
    );
    let paths: Vec<String> = json_rules(&out).into_iter().map(|(p, _, _)| p).collect();
    assert!(!paths.is_empty());
    assert!(paths.iter().all(|p| !p.contains("generated")), "{paths:?}");
}

#[test]
fn config_show_prints_the_effective_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".cfn-policy-lint.yaml", "ignore: [yaml-alias]\n");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    let out = run_in(&root.join("sub"), &["config", "--show"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("# from "), "{text}");
    let shown: Config = serde_yaml::from_str(&text).unwrap();
    assert_eq!(shown.ignore, ["yaml-alias"]);
    assert_eq!(
        shown.fail_on,
        Some(Level::Warning),
        "defaults are spelt out"
    );

    let out = run_in(root, &["config", "--schema"]);
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema, json_schema());
}

//! Every `fixtures/<rule>/fail` file of the yaml family raises its rule; every `pass` file does not.

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::source::SourceFile;
use std::path::Path;

fn rules_found(path: &Path) -> Vec<&'static str> {
    let text = std::fs::read_to_string(path).unwrap();
    let report = check_template(
        SourceFile::new(path.display().to_string(), text),
        &Settings::default(),
    );
    report.diagnostics.iter().map(|d| d.rule).collect()
}

#[test]
fn yaml_family_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for rule in [
        "yaml-syntax",
        "duplicate-key",
        "yaml-alias",
        "json-not-strict",
    ] {
        for (kind, expect) in [("fail", true), ("pass", false)] {
            let dir = root.join(rule).join(kind);
            let mut seen = 0;
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let found = rules_found(&path);
                assert_eq!(
                    found.contains(&rule),
                    expect,
                    "{}: found {found:?}",
                    path.display()
                );
                if !expect {
                    assert!(found.is_empty(), "{}: found {found:?}", path.display());
                }
                seen += 1;
            }
            assert!(seen > 0, "no {kind} fixture for {rule}");
        }
    }
}

#[test]
fn alias_fixture_reports_anchor_and_merge_once_each() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/yaml-alias/fail/shared-properties.yaml");
    assert_eq!(rules_found(&path), ["yaml-alias", "yaml-alias"]);
}

//! What the yaml family's fixtures show beyond firing (which tests/snapshots.rs checks for
//! every rule): each alias is reported once.

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
fn alias_fixture_reports_anchor_and_merge_once_each() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/yaml-alias/fail/shared-properties.yaml");
    assert_eq!(rules_found(&path), ["yaml-alias", "yaml-alias"]);
}

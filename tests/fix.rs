//! `--fix` and `--diff` on the tutorial: the fixed file has the corrected twin's structure, a
//! second run changes nothing, `--diff` changes nothing, and permissions survive.

use cfn_policy_lint::yaml::{parse, Node, NodeKind, ParseOptions};
use serde_json::{json, Value};
use std::path::Path;

mod common;
use common::run_in;

/// Keys, values, tags and nesting; no positions or quoting styles.
fn shape(node: &Node) -> Value {
    let tag = node.tag.as_ref().map(|t| t.text.clone());
    let inner = match &node.kind {
        NodeKind::Scalar(s) => json!(s.value),
        NodeKind::Sequence(items) => items.iter().map(shape).collect(),
        NodeKind::Mapping(entries) => entries
            .iter()
            .map(|e| json!([shape(&e.key), shape(&e.value)]))
            .collect(),
        NodeKind::Alias(name) => json!({ "alias": name }),
    };
    match tag {
        Some(t) => json!({ "tag": t, "value": inner }),
        None => inner,
    }
}

fn shape_of(text: &str) -> Value {
    let doc = parse(text, &ParseOptions::default()).expect("parses");
    shape(doc.root.as_ref().unwrap())
}

fn tutorial() -> (String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial");
    (
        std::fs::read_to_string(root.join("policy.yaml")).unwrap(),
        std::fs::read_to_string(root.join("policy-corrected.yaml")).unwrap(),
    )
}

#[test]
fn fix_turns_the_tutorial_into_its_corrected_twin() {
    let (original, corrected) = tutorial();
    assert!(parse(&original, &ParseOptions::default()).is_err());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.yaml");
    std::fs::write(&file, &original).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    }

    let out = run_in(
        dir.path(),
        &["check", "--fix", "--format", "concise", "policy.yaml"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fixed 4 findings in 1 file"), "{stderr}");
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert_eq!(shape_of(&fixed), shape_of(&corrected));
    // What remains is reported from the fixed text: exactly the real findings the corrected
    // twin has (the IAM findings about `s3:*`, say), and no indentation findings.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("indentation"), "{stdout}");
    let rules_of = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| {
                l.split_once(" error[")
                    .or_else(|| l.split_once(" warning["))
            })
            .filter_map(|(_, rest)| rest.split(']').next())
            .map(str::to_string)
            .collect()
    };
    std::fs::write(dir.path().join("twin.yaml"), &corrected).unwrap();
    let twin = run_in(dir.path(), &["check", "--format", "concise", "twin.yaml"]);
    std::fs::remove_file(dir.path().join("twin.yaml")).unwrap();
    let twin_stdout = String::from_utf8_lossy(&twin.stdout);
    assert_eq!(rules_of(&stdout), rules_of(&twin_stdout), "{stdout}");
    assert_eq!(out.status.code(), twin.status.code(), "{stdout}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let again = run_in(dir.path(), &["check", "--fix", "policy.yaml"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("fixed 0 findings in 0 files"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), fixed);
}

#[test]
fn selecting_the_opt_in_rule_quotes_policy_versions_too() {
    let (original, corrected) = tutorial();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.yaml");
    std::fs::write(&file, &original).unwrap();
    let out = run_in(
        dir.path(),
        &[
            "check",
            "--fix",
            "--select",
            "all,unquoted-policy-version",
            "policy.yaml",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The four indentation fixes, then the version quoted once the file parses.
    assert!(stderr.contains("fixed 5 findings in 1 file"), "{stderr}");
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(fixed.contains("     Version: \"2012-10-17\"\n"), "{fixed}");
    assert!(!fixed.contains("Version: 2012-10-17"), "{fixed}");
    // Quoting changes the style, not the value: the structure is still the twin's.
    assert_eq!(shape_of(&fixed), shape_of(&corrected));
    let again = run_in(
        dir.path(),
        &[
            "check",
            "--select",
            "all,unquoted-policy-version",
            "policy.yaml",
        ],
    );
    assert!(!String::from_utf8_lossy(&again.stdout).contains("unquoted-policy-version"));
}

#[test]
fn diff_prints_the_fixes_and_changes_nothing() {
    let (original, _) = tutorial();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.yaml");
    std::fs::write(&file, &original).unwrap();
    let out = run_in(dir.path(), &["check", "--diff", "policy.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(
        diff.starts_with("--- a/policy.yaml\n+++ b/policy.yaml\n@@ "),
        "{diff}"
    );
    assert!(diff.contains("\n-\tDefault: pcluster-data\n"), "{diff}");
    assert!(
        diff.contains("\n+        Default: pcluster-data\n"),
        "{diff}"
    );
    // `Outputs` moves to column 5, in line with `Resources`.
    assert!(diff.contains("\n-     Outputs:\n"), "{diff}");
    assert!(diff.contains("\n+    Outputs:\n"), "{diff}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);

    let clean = dir.path().join("clean.yaml");
    std::fs::write(&clean, "Resources:\n  T:\n    Type: AWS::SNS::Topic\n").unwrap();
    let out = run_in(dir.path(), &["check", "--diff", "clean.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn files_are_untouched_without_fix() {
    let (original, _) = tutorial();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("policy.yaml");
    std::fs::write(&file, &original).unwrap();
    for format in ["human", "json", "sarif", "junit"] {
        run_in(dir.path(), &["check", "--format", format, "policy.yaml"]);
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn suppressed_findings_are_not_fixed() {
    let (original, _) = tutorial();
    let text = format!(
        "# cfn-policy-lint: ignore-file[tab-indentation, inconsistent-indentation]\n{original}"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.yaml"), &text).unwrap();
    run_in(dir.path(), &["check", "--fix", "policy.yaml"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("policy.yaml")).unwrap(),
        text
    );
}

#[test]
fn fixes_found_after_the_indentation_is_repaired_come_in_a_second_round() {
    // `allow` is only found on the doctor's repair (no fix then); once the tabs are fixed and
    // the file parses, its fix applies.
    let text = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n\tVersion: '2012-10-17'\n\tStatement:\n\t  - Effect: allow\n\t    Action: s3:GetObject\n\t    Resource: '*'\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.yaml");
    std::fs::write(&file, text).unwrap();
    let before = run_in(dir.path(), &["check", "--format", "concise", "t.yaml"]);
    let before = String::from_utf8_lossy(&before.stdout).into_owned();
    assert!(before.contains("invalid-effect"), "{before}");
    let out = run_in(
        dir.path(),
        &["check", "--fix", "--format", "concise", "t.yaml"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(fixed.contains("        - Effect: Allow\n"), "{fixed}");
    assert!(!fixed.contains('\t'));
}

#[test]
fn markdown_pages_are_fixed_inside_their_code_blocks_and_rechecked_across_files() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial/seed-tutorial.md");
    let original = std::fs::read_to_string(page).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.md");
    std::fs::write(&file, &original).unwrap();
    let out = run_in(
        dir.path(),
        &["check", "--fix", "--format", "concise", "page.md"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("indentation"), "{stdout}");
    // The cross-file finding about the page's commands is still reported after the fix.
    assert!(stdout.contains("policy-name-mismatch"), "{stdout}");
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert_ne!(fixed, original);
    // Prose outside the code blocks is untouched.
    let prose = |t: &str| t.lines().take(30).collect::<Vec<_>>().join("\n");
    assert_eq!(prose(&fixed), prose(&original));
}

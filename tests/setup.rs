//! What a new user meets first: the version, "did you mean" for shortened rule names wherever
//! a rule is named, `--fix` on stdin, and `config --show` on a path that does not exist.

use std::process::Output;

mod common;
use common::{bin, run, run_in, with_stdin};

fn run_stdin(args: &[&str], input: &str) -> Output {
    with_stdin(bin().args(args), input.as_bytes())
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const TABBED: &str =
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n\tType: AWS::S3::Bucket\n";

#[test]
fn version_is_the_crates() {
    let out = run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("cfn-policy-lint {}", env!("CARGO_PKG_VERSION"))
    );
}

/// `tab-indent` is five edits from `tab-indentation`, too far for edit distance alone; the
/// same suggester answers in `explain`, `--select`, `--ignore`, the configuration and
/// suppressions.
#[test]
fn a_shortened_rule_name_is_suggested_everywhere() {
    let out = run(&["explain", "tab-indent"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: unknown rule `tab-indent`; did you mean `tab-indentation`?\n"
    );
    let out = run(&["explain", "unknwn-action"]);
    assert!(text(&out.stderr).ends_with("did you mean `unknown-action`?\n"));

    for flag in ["--select", "--ignore"] {
        let out = run(&["check", flag, "tab-indent", "fixtures/tutorial/"]);
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            text(&out.stderr),
            format!(
                "error: unknown rule `tab-indent` in {flag}; did you mean `tab-indentation`?\n"
            )
        );
    }

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".cfn-policy-lint.yaml"),
        "ignore: [tab-indent]\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["config", "--show"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `tab-indentation`?"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        dir.path().join(".cfn-policy-lint.yaml"),
        "per-file: {}\n", // a key cut short
    )
    .unwrap();
    let out = run_in(dir.path(), &["config", "--show"]);
    assert!(
        text(&out.stderr).contains("unknown key `per-file`; did you mean `per-file-ignores`?"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn fixing_stdin_says_it_is_not_fixed_and_points_at_diff() {
    let out = run_stdin(&["check", "--fix", "--format", "concise", "-"], TABBED);
    let err = text(&out.stderr);
    assert!(
        err.contains("note: text read from stdin is not fixed"),
        "{err}"
    );
    assert!(err.contains("`--diff`"), "{err}");
    assert!(!err.contains("fixed 0 findings"), "{err}");
    // Its findings are still reported.
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("tab-indentation"));

    // `--diff` shows the fixes of stdin, under the stdin file name.
    let out = run_stdin(
        &["check", "--diff", "--stdin-filename", "stack.yaml", "-"],
        TABBED,
    );
    assert_eq!(out.status.code(), Some(1));
    let diff = text(&out.stdout);
    assert!(
        diff.starts_with("--- a/stack.yaml\n+++ b/stack.yaml\n"),
        "{diff}"
    );
    assert!(diff.contains("-\tType: AWS::S3::Bucket\n"), "{diff}");
    assert!(diff.contains("+        Type: AWS::S3::Bucket\n"), "{diff}");
    assert!(text(&out.stderr).contains("would fix 1 finding in 1 file"));
}

#[test]
fn fixing_files_and_stdin_counts_the_files_and_notes_stdin() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stack.yaml"), TABBED).unwrap();
    let mut cmd = bin();
    cmd.current_dir(dir.path())
        .args(["check", "--fix", "stack.yaml", "-"]);
    let out = with_stdin(&mut cmd, TABBED.as_bytes());
    let err = text(&out.stderr);
    assert!(err.contains("fixed 1 finding in 1 file"), "{err}");
    assert!(
        err.contains("note: text read from stdin is not fixed"),
        "{err}"
    );
    let fixed = std::fs::read_to_string(dir.path().join("stack.yaml")).unwrap();
    assert!(!fixed.contains('\t'), "{fixed}");
}

#[test]
fn config_show_of_a_missing_path_exits_2() {
    let out = run(&["config", "--show", "/nonexistent/cfn-policy-lint"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).is_empty());
    assert_eq!(
        text(&out.stderr),
        "error: /nonexistent/cfn-policy-lint: no such file or directory\n"
    );
    // A path that exists still shows its configuration.
    let out = run(&["config", "--show", "fixtures/tutorial/policy.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("fail-on"));
}

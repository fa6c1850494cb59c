//! Coming from cfn-lint, through the binary: paths without a subcommand are checked, cfn-lint's
//! flag spellings are usage errors that name ours, and `config --from-cfnlintrc` prints a
//! configuration that works.

mod common;

use common::{run, run_in};

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn paths_alone_mean_check() {
    let file = "fixtures/tutorial/policy-corrected.yaml";
    let implicit = run(&["--format", "concise", file]);
    let explicit = run(&["check", "--format", "concise", file]);
    assert_eq!(implicit.status.code(), Some(1), "{}", stderr(&implicit));
    assert_eq!(stdout(&implicit), stdout(&explicit));
    assert!(stdout(&implicit).contains("I025 service-wildcard-action"));
    // Subcommands keep their meaning.
    assert!(stdout(&run(&["rules"])).starts_with("NAME"));
}

#[test]
fn cfn_lint_flags_are_errors_that_name_ours() {
    for (args, ours) in [
        (
            &["check", "--ignore-checks", "W3037", "."][..],
            "`--ignore`",
        ),
        (&["--include-checks", "I", "."][..], "`--select`"),
        (
            &["check", "--format", "parseable", "."][..],
            "`--format concise`",
        ),
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("here it is {ours}")),
            "{args:?}: {err}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn a_cfnlintrc_becomes_a_working_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".cfnlintrc.yaml"),
        "ignore_checks: [W2001, W3011]\nignore_templates: [old/*]\nnon_zero_exit_code: error\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["config", "--from-cfnlintrc"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let config = stdout(&out);
    assert!(
        config.contains("  - unused-parameter  # W2001\n"),
        "{config}"
    );
    assert!(
        config.contains("#   ignore_checks W3011: no equivalent here"),
        "{config}"
    );
    // Written next to the templates, it does what the cfn-lint settings did.
    std::fs::write(dir.path().join(".cfn-policy-lint.yaml"), &config).unwrap();
    let template = "Parameters:\n  Spare:\n    Type: String\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n";
    std::fs::write(dir.path().join("t.yaml"), template).unwrap();
    std::fs::create_dir(dir.path().join("old")).unwrap();
    std::fs::write(
        dir.path().join("old/t.yaml"),
        "Resources: {X: {Type: 1}}\n  bad: [\n",
    )
    .unwrap();
    let checked = run_in(dir.path(), &["check", "--format", "concise", "."]);
    assert_eq!(checked.status.code(), Some(0), "{}", stdout(&checked));
    assert!(stdout(&checked).is_empty(), "{}", stdout(&checked));
    // Without the file: an error that says what was looked for.
    let empty = tempfile::tempdir().unwrap();
    let out = run_in(empty.path(), &["config", "--from-cfnlintrc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(".cfnlintrc"), "{}", stderr(&out));
}

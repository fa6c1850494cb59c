//! The binary as users and CI see it: exit codes, streams, stdin, colour.

use std::path::Path;
use std::process::Output;

mod common;
use common::{bin, run, with_stdin};

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    with_stdin(bin().args(args), input)
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited normally")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

const CLEAN: &str =
    "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";
const BROKEN: &str = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket: [\n";

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let out = run(&["check", "--format", "xml"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("xml"), "{}", stderr(&out));
    assert_eq!(code(&run(&["frobnicate"])), 2);
    let help = run(&["check", "--help"]);
    assert_eq!(code(&help), 0);
    assert!(stdout(&help).contains("--stdin-filename"));
}

#[test]
fn nonexistent_path_exits_2_and_names_it() {
    let out = run(&["check", "no/such/dir.yaml"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no/such/dir.yaml: no such file or directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unknown_rule_exits_2_with_a_suggestion() {
    let out = run(&["check", "--select", "templte", "fixtures/tutorial"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("unknown rule `templte` in --select; did you mean `template`?"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());

    let out = run(&["explain", "no-such-rule-at-all"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("unknown rule `no-such-rule-at-all`"));
}

#[test]
fn rules_lists_a_table_with_every_registered_rule() {
    let out = run(&["rules"]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    for column in ["NAME", "CODE", "SEVERITY", "FAMILY", "SUMMARY"] {
        assert!(header.contains(column), "{header}");
    }
    assert_eq!(lines.count(), cfn_policy_lint::rules::registry().len());
}

#[test]
fn explain_prints_the_rule_docs_by_name_and_by_code() {
    let Some(rule) = cfn_policy_lint::rules::registry().first() else {
        return; // no rules registered yet on this branch
    };
    let meta = rule.meta();
    for key in [meta.name, meta.code] {
        let out = run(&["explain", key]);
        assert_eq!(code(&out), 0);
        assert!(stdout(&out).contains("## What it does"), "{}", stdout(&out));
    }
}

#[test]
fn a_directory_without_templates_passes_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("compose.yaml"), "services:\n  web: {}\n").unwrap();
    std::fs::write(dir.path().join("ci.yml"), "on: push\n").unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("no CloudFormation templates found"));
}

#[test]
fn empty_input_checked_as_a_template_is_an_error_but_a_walked_empty_file_is_skipped() {
    // Empty stdin: nothing to pass.
    let out = run_stdin(&["check", "--format", "concise", "-"], b"");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("error[T004 invalid-template-section] the template is empty"),
        "{}",
        stdout(&out)
    );
    // A file named on the command line, empty or without resources.
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.yaml");
    std::fs::write(&empty, "# nothing yet\n").unwrap();
    let out = run(&["check", "--format", "concise", empty.to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("the template is empty"),
        "{}",
        stdout(&out)
    );
    // Walked: the empty file is no template and is skipped; a template without resources is
    // reported.
    std::fs::write(
        dir.path().join("params.yaml"),
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Env:\n    Type: String\n",
    )
    .unwrap();
    let out = run(&["check", "--format", "concise", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(!text.contains("empty.yaml"), "{text}");
    assert!(
        text.contains("params.yaml:1:1: error[T004 invalid-template-section] the template has no `Resources` section"),
        "{text}"
    );
}

#[test]
fn a_binary_file_named_explicitly_is_a_problem_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.yaml");
    std::fs::write(&path, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe").unwrap();
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not UTF-8 text"), "{}", stderr(&out));
}

#[test]
fn clean_stdin_exits_0_and_uses_the_stdin_filename() {
    let out = run_stdin(
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "infra/app.yaml",
            "-",
        ],
        CLEAN.as_bytes(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(json["errors"], serde_json::json!([]));
}

#[test]
fn broken_stdin_exits_1_and_names_the_buffer() {
    let out = run_stdin(
        &[
            "check",
            "--format",
            "concise",
            "--stdin-filename",
            "infra/app.yaml",
        ],
        BROKEN.as_bytes(),
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("infra/app.yaml:"), "{text}");
    for line in text.lines() {
        let (location, rest) = line.split_once(": ").unwrap();
        assert_eq!(location.split(':').count(), 3, "{line}");
        assert!(
            rest.starts_with("error[") || rest.starts_with("warning["),
            "{line}"
        );
    }
}

#[test]
fn fail_on_applies_to_process_exit_codes() {
    // Thresholds against lesser severities are unit-tested in `cli::exit_code`; here: the flag
    // reaches it, and a clean file passes even the strictest threshold.
    let broken = run_stdin(&["check", "--fail-on", "error", "-"], BROKEN.as_bytes());
    assert_eq!(code(&broken), 1);
    let clean = run_stdin(&["check", "--fail-on", "info", "-"], CLEAN.as_bytes());
    assert_eq!(code(&clean), 0, "{}", stderr(&clean));
}

#[test]
fn colour_is_off_when_piped_and_on_when_forced() {
    let piped = run_stdin(&["check", "-"], BROKEN.as_bytes());
    assert_eq!(code(&piped), 1);
    let text = stdout(&piped);
    assert!(text.contains("<stdin>"), "{text}");
    assert!(!text.contains('\x1b'), "{text:?}");

    let forced = run_stdin(&["check", "--color", "always", "-"], BROKEN.as_bytes());
    assert!(stdout(&forced).contains('\x1b'));
    // hyperlink escapes never appear, even with colour
    assert!(!stdout(&forced).contains("\x1b]8;"));

    let never = run_stdin(&["check", "--color", "never", "-"], BROKEN.as_bytes());
    assert!(!stdout(&never).contains('\x1b'));
}

#[test]
fn quiet_drops_the_summary_line() {
    let loud = run_stdin(&["check", "-"], CLEAN.as_bytes());
    assert_eq!(stdout(&loud), "No problems in 1 file\n");
    let quiet = run_stdin(&["check", "--quiet", "-"], CLEAN.as_bytes());
    assert_eq!(stdout(&quiet), "");
}

#[test]
fn an_unreadable_file_among_others_exits_2_but_the_others_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("a.yaml");
    let bad = dir.path().join("b.yaml");
    std::fs::write(&good, BROKEN).unwrap();
    std::fs::write(&bad, b"AWSTemplateFormatVersion: x\n\xff\n").unwrap();
    let out = run(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 1);
    let first = &json["diagnostics"][0];
    assert!(
        Path::new(first["path"].as_str().unwrap()).ends_with("a.yaml"),
        "{first}"
    );
    assert!(stderr(&out).contains("b.yaml: not UTF-8 text"));
    // The JSON alone tells that the run was partial.
    let errors = json["errors"].as_array().expect("errors array");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        Path::new(errors[0]["path"].as_str().unwrap()).ends_with("b.yaml"),
        "{errors:?}"
    );
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("not UTF-8 text"));
}

#[test]
fn tutorial_json_follows_the_output_contract() {
    let out = run(&["check", "--format", "json", "fixtures/tutorial/policy.yaml"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diagnostics = json["diagnostics"].as_array().unwrap();
    assert!(!diagnostics.is_empty());
    for d in diagnostics {
        assert_eq!(d["path"], "fixtures/tutorial/policy.yaml");
        for key in [
            "rule",
            "code",
            "severity",
            "message",
            "help",
            "line",
            "column",
            "end_line",
            "end_column",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
        assert!(d["line"].as_u64().unwrap() >= 1);
        assert!(d["column"].as_u64().unwrap() >= 1);
    }
    // sorted by position
    let positions: Vec<(u64, u64)> = diagnostics
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap()))
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted);
    let summary = &json["summary"];
    assert_eq!(summary["files"], 1);
    let total = summary["errors"].as_u64().unwrap()
        + summary["warnings"].as_u64().unwrap()
        + summary["infos"].as_u64().unwrap();
    assert_eq!(total as usize, diagnostics.len());
}

#[test]
fn walking_a_directory_orders_output_by_path() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["b.yaml", "a.yaml", "sub/c.yml"] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, BROKEN).unwrap();
    }
    std::fs::write(dir.path().join("docker-compose.yml"), "services: [\n").unwrap();
    let out = run(&["check", "--format", "concise", dir.path().to_str().unwrap()]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let files: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            let path = l.split(':').next().unwrap();
            Path::new(path)
                .strip_prefix(dir.path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    let mut deduped = files.clone();
    deduped.dedup();
    assert_eq!(deduped, ["a.yaml", "b.yaml", "sub/c.yml"]);
}

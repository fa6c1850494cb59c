//! User wiring files in a `--packs` folder: they sit next to purpose packs, the pack loader
//! leaves them alone, and the wirings they define are checked like the embedded ones.
//!
//! The active wiring set is process-wide (loaded once per run), so the run that uses the user's
//! wiring is the binary in a child process: activating it here would change what every other
//! test of this binary sees.

use cfn_policy_lint::purpose::wiring::{self, WiringSet, WiringSeverity};
use cfn_policy_lint::purpose::{load_dir, PackSet};
use std::path::Path;
use std::process::{Command, Output};

/// A purpose pack, as in `rules/README.md` ("Purpose packs", Format).
const USER_PACK: &str = "\
name: sqs-consumer
title: consuming an SQS queue
docs: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html
recognise:
  actions: [sqs:ReceiveMessage]
variables:
  Queue:
    description: the queue
    hints:
      - resource: AWS::SQS::Queue
requires:
  - resource: arn:${Partition}:sqs:${Region}:${Account}:${Queue}
    actions: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
";

/// The example of `rules/README.md` ("Wiring packs"): no embedded wiring covers pipes.
const USER_WIRING: &str = "\
# A pipe reads its source queue with the pipe's role.
wirings:
  - name: pipe-sqs-source
    title: the pipe polls an SQS queue
    resource: AWS::Pipes::Pipe
    site: Source
    when:
      - {path: site, service: sqs}
    role: RoleArn
    requires:
      - actions: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
        resource: '{arn:site}'
        why: the pipe polls the queue and deletes what it delivered
    severity: error
    docs: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-permissions.html
";

/// A pipe reading a queue with a role that may only receive: `sqs:DeleteMessage` and
/// `sqs:GetQueueAttributes` are missing, for the user's wiring and for the user's purpose pack
/// (which the grant of `sqs:ReceiveMessage` suggests).
const PIPE_TEMPLATE: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Orders:
    Type: AWS::SQS::Queue
  PipeRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: pipes.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: source
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: sqs:ReceiveMessage
                Resource: !GetAtt Orders.Arn
  Pipe:
    Type: AWS::Pipes::Pipe
    Properties:
      RoleArn: !GetAtt PipeRole.Arn
      Source: !GetAtt Orders.Arn
      Target: !GetAtt Orders.Arn
";

fn check(dir: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cfn-policy-lint"))
        .args([
            "check",
            "--format",
            "concise",
            "--select",
            "missing-required-actions",
        ])
        .args(extra)
        .arg("template.yaml")
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let packs = dir.path().join("packs");
    std::fs::create_dir(&packs).unwrap();
    std::fs::write(packs.join("sqs-consumer.yaml"), USER_PACK).unwrap();
    std::fs::write(packs.join("pipes.yaml"), USER_WIRING).unwrap();
    std::fs::write(dir.path().join("template.yaml"), PIPE_TEMPLATE).unwrap();
    dir
}

#[test]
fn the_pack_loader_skips_wiring_files_and_the_wiring_parser_reads_them() {
    let dir = folder();
    let packs = load_dir(&dir.path().join("packs")).unwrap();
    let names: Vec<&str> = packs.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["sqs-consumer"]);
    let set = PackSet::with_dirs(&[dir.path().join("packs")]).unwrap();
    assert_eq!(set.packs().len(), PackSet::embedded().packs().len() + 1);

    // The documented example is this one, word for word.
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/README.md"))
            .unwrap();
    let body = USER_WIRING.split_once('\n').unwrap().1;
    assert!(readme.contains(&format!("# policy-packs/pipes.yaml\n{body}```")));

    assert!(wiring::is_wiring_file(USER_WIRING));
    assert!(!wiring::is_wiring_file(USER_PACK));
    let file = wiring::parse("pipes.yaml", USER_WIRING).unwrap();
    assert_eq!(file.wirings.len(), 1);
    let w = &file.wirings[0];
    assert_eq!(w.name, "pipe-sqs-source");
    assert_eq!(w.severity, WiringSeverity::Error);
    assert_eq!(w.requires[0].resource, "{arn:site}");
    // It is the user's own: no embedded wiring of that name or resource type.
    assert!(WiringSet::embedded()
        .wirings()
        .iter()
        .all(|e| e.name != w.name && e.resource.items().iter().all(|t| t != "AWS::Pipes::Pipe")));
}

#[test]
fn a_user_wiring_fires_only_when_its_folder_is_given() {
    let dir = folder();
    // The embedded wirings know nothing of pipes.
    let plain = check(dir.path(), &[]);
    assert_eq!(plain.status.code(), Some(0), "{plain:?}");
    assert!(plain.stdout.is_empty(), "{plain:?}");

    let out = check(dir.path(), &["--packs", "packs"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The user's purpose pack, inferred from `sqs:ReceiveMessage`: a warning at the statement.
    assert!(
        lines[0].starts_with("template.yaml:18:13: warning[P001 missing-required-actions]"),
        "{stdout}"
    );
    assert!(lines[0].contains("(`sqs-consumer`)"), "{stdout}");
    // The user's wiring: an error at the site (the value of `Source:`), naming the two missing
    // actions and the queue, not the granted one.
    assert!(
        lines[1].starts_with("template.yaml:26:23: error[P001 missing-required-actions]"),
        "{stdout}"
    );
    assert!(lines[1].contains("the pipe polls an SQS queue"), "{stdout}");
    assert!(
        lines[1].contains("`sqs:DeleteMessage` and `sqs:GetQueueAttributes` on `Orders`"),
        "{stdout}"
    );
    assert!(!lines[1].contains("sqs:ReceiveMessage"), "{stdout}");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_configuration_packs_key_loads_wiring_files_too() {
    let dir = folder();
    std::fs::write(dir.path().join(".cfn-policy-lint.yaml"), "packs: [packs]\n").unwrap();
    let out = check(dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains("(`sqs-consumer`)"), "{stdout}");
    assert!(stdout.contains("the pipe polls an SQS queue"), "{stdout}");
}

#[test]
fn an_invalid_wiring_file_stops_the_run_with_its_path() {
    let dir = folder();
    std::fs::write(
        dir.path().join("packs/pipes.yaml"),
        USER_WIRING.replace("severity: error", "severity: fatal"),
    )
    .unwrap();
    let out = check(dir.path(), &["--packs", "packs"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid wiring pack"), "{stderr}");
    assert!(stderr.contains("pipes.yaml"), "{stderr}");
}

#[test]
fn every_embedded_wiring_is_in_the_reference_and_in_explain() {
    let env = cfn_policy_lint::cli::Environment {
        stdout_is_terminal: false,
        no_color: true,
        dumb_terminal: false,
        columns: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cfn_policy_lint::cli::run_with(
        ["cfn-policy-lint", "explain", "P001"],
        &env,
        std::io::empty(),
        &mut out,
        &mut err,
    );
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    let explained = String::from_utf8(out).unwrap();
    let reference = cfn_policy_lint::rules::reference::markdown();
    // The table sits in the rule's own section, not in another rule's.
    let section = reference
        .split("<a id=\"missing-required-actions\"></a>")
        .nth(1)
        .and_then(|rest| rest.split("<a id=").next())
        .expect("the rule has a section");
    assert!(section.contains("### Wirings"), "{section}");
    assert!(explained.contains("## Wirings"), "{explained}");
    let set = WiringSet::embedded();
    assert!(!set.wirings().is_empty());
    for w in set.wirings() {
        let row_start = format!("| `{}` | ", w.name);
        for text in [section, explained.as_str()] {
            let row = text
                .lines()
                .find(|l| l.starts_with(&row_start))
                .unwrap_or_else(|| panic!("{}: no row", w.name));
            assert!(row.contains(&format!("<{}>", w.docs)), "{row}");
            assert!(
                row.contains(&format!("`{}`", w.resource.items()[0])),
                "{row}"
            );
            for n in &w.requires {
                for a in &n.actions {
                    assert!(row.contains(&format!("`{a}`")), "{a}: {row}");
                }
            }
            if let Some(pack) = &w.pack {
                assert!(row.contains(&format!("`{pack}`")), "{row}");
            }
        }
    }
    // Another rule's explanation has no such table.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    cfn_policy_lint::cli::run_with(
        ["cfn-policy-lint", "explain", "wildcard-resource"],
        &env,
        std::io::empty(),
        &mut out,
        &mut err,
    );
    let other = String::from_utf8(out).unwrap();
    assert!(
        !other.is_empty() && !other.contains("## Wirings"),
        "{other}"
    );
}

//! Inline and Metadata suppressions, file-wide skips, and `unused-suppression`.

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::rules::Selection;
use cfn_policy_lint::source::SourceFile;
use std::path::Path;

/// (rule, 1-based line, column) of every finding.
fn findings_with(path: &str, text: &str, settings: &Settings) -> Vec<(&'static str, usize, usize)> {
    let report = check_template(SourceFile::new(path, text), settings);
    report
        .diagnostics
        .iter()
        .map(|d| {
            let p = report.source.position(d.span.start);
            (d.rule, p.line, p.column)
        })
        .collect()
}

fn findings(path: &str, text: &str) -> Vec<(&'static str, usize, usize)> {
    findings_with(path, text, &Settings::default())
}

const TWO_UNUSED: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  First:
    Type: String
  Second:
    Type: String
Resources:
  Topic:
    Type: AWS::SNS::Topic
";

#[test]
fn without_suppressions_both_parameters_are_reported() {
    let f = findings("t.yaml", TWO_UNUSED);
    assert_eq!(f, [("unused-parameter", 3, 3), ("unused-parameter", 5, 3)]);
}

#[test]
fn trailing_comment_suppresses_its_line_only() {
    let text = TWO_UNUSED.replace(
        "  First:\n",
        "  First: # cfn-policy-lint: ignore[unused-parameter] kept for v2\n",
    );
    assert_eq!(findings("t.yaml", &text), [("unused-parameter", 5, 3)]);
}

#[test]
fn comment_alone_suppresses_the_next_line_by_name_or_code() {
    let text = TWO_UNUSED.replace(
        "  Second:\n",
        "  # cfn-policy-lint: ignore[yaml-alias, T003] reason\n\n  Second:\n",
    );
    let f = findings("t.yaml", &text);
    // `yaml-alias` suppressed nothing on that line: reported at the name itself.
    assert_eq!(
        f,
        [("unused-parameter", 3, 3), ("unused-suppression", 5, 29),]
    );
}

#[test]
fn ignore_file_suppresses_everywhere_and_is_never_called_unused() {
    let text = format!("# cfn-policy-lint: ignore-file[unused-parameter]\n{TWO_UNUSED}");
    assert!(findings("t.yaml", &text).is_empty());
    let text = format!("# cfn-policy-lint: ignore-file[duplicate-key]\n{TWO_UNUSED}");
    assert_eq!(findings("t.yaml", &text).len(), 2);
}

#[test]
fn resource_metadata_covers_the_resource_only() {
    let text = "\
Resources:
  A:
    Type: AWS::SNS::Topic
    Metadata:
      cfn-policy-lint:
        ignore: [undefined-reference]
    Properties:
      TopicName: !Ref Missing
  B:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Ref Missing
";
    let f = findings("t.yaml", text);
    assert_eq!(f, [("undefined-reference", 12, 23)], "{f:?}");
}

#[test]
fn template_metadata_works_in_json() {
    let text = r#"{"Metadata": {"cfn-policy-lint": {"ignore": "unused-parameter"}},
 "Parameters": {"P": {"Type": "String"}},
 "Resources": {"T": {"Type": "AWS::SNS::Topic"}}}
"#;
    assert!(findings("t.json", text).is_empty());
}

#[test]
fn unused_suppression_of_a_disabled_rule_is_not_reported() {
    let text = TWO_UNUSED.replace(
        "  First:\n",
        "  First: # cfn-policy-lint: ignore[duplicate-key]\n",
    );
    let f = findings("t.yaml", &text);
    assert!(f.contains(&("unused-suppression", 3, 36)), "{f:?}");
    let settings = Settings {
        selection: Selection {
            select: Vec::new(),
            ignore: vec!["duplicate-key".into()],
        },
        ..Settings::default()
    };
    let f = findings_with("t.yaml", &text, &settings);
    assert!(f.iter().all(|(r, ..)| *r != "unused-suppression"), "{f:?}");
}

#[test]
fn misspelt_directive_and_rule_names_are_reported() {
    let text = TWO_UNUSED.replace(
        "  First:\n",
        "  First: # cfn-policy-lint: ignroe[unused-parameter]\n",
    );
    let f = findings("t.yaml", &text);
    assert!(f.contains(&("unused-suppression", 3, 10)), "{f:?}");
    let report = check_template(
        SourceFile::new(
            "t.yaml",
            TWO_UNUSED.replace(
                "  First:\n",
                "  First: # cfn-policy-lint: ignore[unused-paramter]\n",
            ),
        ),
        &Settings::default(),
    );
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.rule == "unused-suppression")
        .unwrap();
    assert_eq!(report.source.slice(d.span), "unused-paramter");
    assert_eq!(d.help.as_deref(), Some("did you mean `unused-parameter`?"));
}

#[test]
fn suppressions_work_on_the_tab_indented_tutorial() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial/policy.yaml");
    let original = std::fs::read_to_string(path).unwrap();
    let before = findings("policy.yaml", &original);
    assert!(
        before.contains(&("inconsistent-indentation", 50, 6)),
        "{before:?}"
    );
    // Suppress the misplaced `Outputs` (line 50) with a comment on the line above: the file
    // only parses after repair, so the comment's position is mapped back from the repair.
    let mut lines: Vec<&str> = original.lines().collect();
    lines.insert(
        49,
        "# cfn-policy-lint: ignore[inconsistent-indentation] known",
    );
    let text = lines.join("\n") + "\n";
    let after = findings("policy.yaml", &text);
    assert!(
        !after.contains(&("inconsistent-indentation", 51, 6)),
        "{after:?}"
    );
    assert!(
        after.contains(&("inconsistent-indentation", 45, 3)),
        "{after:?}"
    );
    assert!(
        after.iter().all(|(r, ..)| *r != "unused-suppression"),
        "{after:?}"
    );
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/unused-suppression");
    for (kind, expect) in [("fail", true), ("pass", false)] {
        let mut seen = 0;
        for entry in std::fs::read_dir(root.join(kind)).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let f = findings(&path.display().to_string(), &text);
            let found = f.iter().any(|(r, ..)| *r == "unused-suppression");
            assert_eq!(found, expect, "{}: {f:?}", path.display());
            if !expect {
                assert!(f.is_empty(), "{}: {f:?}", path.display());
            }
            seen += 1;
        }
        assert!(seen > 0);
    }
}

/// Two roles with the same mistakes; cfn-lint's `ignore_checks` on one of them, and at
/// template level.
const CFN_LINT: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Metadata:
  cfn-lint:
    config:
      ignore_checks: [W2]
Parameters:
  Unused:
    Type: String
Resources:
  Quiet:
    Type: AWS::IAM::ManagedPolicy
    Metadata:
      cfn-lint:
        config:
          ignore_checks:
            - W3037
            - W3011
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: s3:GetObjekt
            Resource: arn:aws:s3:::reports/*
  Loud:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: s3:GetObjekt
            Resource: arn:aws:s3:::reports/*
";

#[test]
fn cfn_lint_ignore_checks_carry_over_to_the_mapped_rules() {
    let f = findings("t.yaml", CFN_LINT);
    // W3037 (IAM actions) silences `unknown-action` in `Quiet` only; the template's `W2`
    // (a prefix, as cfn-lint allows there) covers W2001, `unused-parameter`. W3011 maps to
    // nothing: said once, at its entry. Nothing is reported as an unused suppression.
    assert_eq!(
        f,
        [
            ("unmapped-cfn-lint-check", 17, 15),
            ("unknown-action", 32, 21)
        ]
    );
    // Without the metadata, all three are found.
    let bare = CFN_LINT
        .replace("Metadata:\n  cfn-lint:\n    config:\n      ignore_checks: [W2]\n", "")
        .replace(
            "    Metadata:\n      cfn-lint:\n        config:\n          ignore_checks:\n            - W3037\n            - W3011\n",
            "",
        );
    let rules: Vec<&str> = findings("t.yaml", &bare).iter().map(|f| f.0).collect();
    assert_eq!(
        rules,
        ["unused-parameter", "unknown-action", "unknown-action"]
    );
}

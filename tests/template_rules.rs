//! Fixture and corpus behaviour of the template rules (unknown-tag, undefined-reference,
//! unused-parameter, invalid-template-section).

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::rules::Selection;
use cfn_policy_lint::source::SourceFile;
use std::path::Path;

mod common;

/// (rule, line, column, underlined text, help) of each finding of the template family.
type Finding = (String, usize, usize, String, String);

fn lint_text(path: &str, text: String) -> Vec<Finding> {
    let settings = Settings {
        selection: Selection {
            select: vec!["template".into()],
            ignore: vec![],
        },
        ..Settings::default()
    };
    let report = check_template(SourceFile::new(path, text), &settings);
    report
        .diagnostics
        .iter()
        .map(|d| {
            let p = report.source.position(d.span.start);
            (
                d.rule.to_string(),
                p.line,
                p.column,
                report.source.slice(d.span).to_string(),
                d.help.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn lint(fixture: &str) -> Vec<Finding> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    lint_text(fixture, text)
}

fn f(rule: &str, line: usize, col: usize, text: &str, help: &str) -> Finding {
    (
        rule.to_string(),
        line,
        col,
        text.to_string(),
        help.to_string(),
    )
}

#[test]
fn pass_fixtures_are_clean() {
    for fixture in [
        "unknown-tag/pass/short-forms.yaml",
        "undefined-reference/pass/sam-generated.yaml",
        "undefined-reference/pass/sub-variables.yaml",
        "unused-parameter/pass/used-everywhere.yaml",
        "invalid-template-section/pass/every-section.yaml",
        "tutorial/policy-corrected.yaml",
    ] {
        assert_eq!(lint(fixture), vec![], "{fixture}");
    }
}

#[test]
fn unknown_tags_suggest_the_intrinsic() {
    assert_eq!(
        lint("unknown-tag/fail/getattr-typo.yaml"),
        vec![
            f("unknown-tag", 7, 12, "!GetAttr", "did you mean `!GetAtt`?"),
            f("unknown-tag", 9, 12, "!ref", "did you mean `!Ref`?"),
        ]
    );
}

#[test]
fn a_typo_inside_sub_underlines_just_the_variable() {
    // One mistake, one diagnostic: the parameter the typo meant is not also "unused".
    assert_eq!(
        lint("undefined-reference/fail/sub-typo.yaml"),
        vec![f(
            "undefined-reference",
            14,
            56,
            "${Bukcet}",
            "did you mean `${Bucket}`?"
        )]
    );
}

#[test]
fn every_kind_of_reference_is_checked() {
    let u = "undefined-reference";
    assert_eq!(
        lint("undefined-reference/fail/every-kind.yaml"),
        vec![
            f(u, 13, 16, "IsPord", "did you mean `IsProd`?"),
            f(u, 16, 24, "Queu", "did you mean `Queue`?"),
            f(u, 18, 25, "Evn", "did you mean `Env`?"),
            f(u, 19, 68, "Size", "did you mean `Sizes`?"),
            f(u, 20, 28, "AWS::Regoin", "did you mean `AWS::Region`?"),
            f(u, 23, 20, "Queeu", "did you mean `Queue`?"),
            f(
                u,
                26,
                20,
                "Arn",
                "the arguments look swapped: write `!GetAtt Queue.Arn`"
            ),
        ]
    );
}

#[test]
fn undefined_names_in_escaped_and_block_subs_are_located() {
    let text = "Parameters:\n  Name:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub \"a\\tb-${Name}-${Nmae}\"\n      Tags:\n        - Key: k\n          Value: !Sub |\n            one ${Name}\n            two ${Nmae}\n";
    assert_eq!(
        lint_text("inline.yaml", text.to_string()),
        vec![
            f(
                "undefined-reference",
                8,
                37,
                "${Nmae}",
                "did you mean `${Name}`?"
            ),
            f(
                "undefined-reference",
                13,
                17,
                "${Nmae}",
                "did you mean `${Name}`?"
            ),
        ]
    );
}

#[test]
fn unused_parameters_are_warned_about() {
    assert_eq!(
        lint("unused-parameter/fail/forgotten.yaml"),
        vec![f(
            "unused-parameter",
            3,
            3,
            "BucketName",
            "reference it with `!Ref BucketName` (or `${BucketName}` inside a `!Sub`), or delete it"
        )]
    );
}

#[test]
fn misspelt_sections_are_reported_once() {
    // `!Ref Bucket` names a resource of the misspelt `Resource` section: no second finding.
    assert_eq!(
        lint("invalid-template-section/fail/singular-sections.yaml"),
        vec![
            f(
                "invalid-template-section",
                2,
                1,
                "Resource",
                "did you mean `Resources`?"
            ),
            f(
                "invalid-template-section",
                5,
                1,
                "Output",
                "did you mean `Outputs`?"
            ),
        ]
    );
}

#[test]
fn documents_that_are_not_templates_do_not_panic() {
    for text in [
        "",
        "just a string\n",
        "- a\n- b\n",
        "Resources: 3\n",
        "Resources:\n  X: !Ref\n",
        "Outputs:\n  O:\n    Value: !Sub [1, 2, 3]\n",
        "Resources:\n  X:\n    Type: T\n    Properties:\n      P: !Sub '${unterminated'\n",
    ] {
        let _ = lint_text("odd.yaml", text.to_string());
    }
    assert_eq!(
        lint_text(
            "odd.yaml",
            "Resources:\n  X:\n    Type: A::B::C\n    DependsOn: Y\n".into()
        ),
        vec![f(
            "undefined-reference",
            4,
            16,
            "Y",
            "define a resource `Y`, or name an existing resource"
        )]
    );
}

/// The broken-as-published tutorial: once the indentation doctor has repaired it, the template
/// rules still run, and their findings point into the original (tab-indented) text.
#[test]
fn tutorial_is_checked_through_recovery() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial/policy.yaml");
    let original = std::fs::read_to_string(path).expect("tutorial fixture");
    let broken = original.replace("${S3Bucket}", "${S3Bukcet}");
    let found = lint_text("policy.yaml", broken.clone());
    let template_findings: Vec<_> = found
        .iter()
        .filter(|x| x.0 == "undefined-reference" || x.0 == "unused-parameter")
        .collect();
    assert_eq!(template_findings.len(), 1, "{found:?}");
    let (_, line, _, text, help) = template_findings[0];
    assert_eq!(text, "${S3Bukcet}");
    assert_eq!(help, "did you mean `${S3Bucket}`?");
    let expected_line = broken
        .lines()
        .position(|l| l.contains("${S3Bukcet}"))
        .map(|i| i + 1);
    assert_eq!(Some(*line), expected_line);
}

/// Real templates outside SAM's test suite (whose inputs are broken on purpose) raise no
/// reference, tag or section findings, except that a template whose `Resources` section is
/// empty (a pattern skeleton that parses but that CloudFormation rejects) is one.
#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn corpus_templates_have_no_false_reference_findings() {
    let root = common::corpus();
    let list =
        std::fs::read_to_string(root.join("valid-templates.txt")).expect("the corpus's list");
    let mut checked = 0;
    let mut skeletons = 0;
    let mut bad = Vec::new();
    for rel in list.lines().filter(|l| !l.is_empty()) {
        if rel.starts_with("serverless-application-model/") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root.join(rel)) else {
            continue;
        };
        checked += 1;
        for x in lint_text(rel, text.clone()) {
            let empty_resources = x.0 == "invalid-template-section"
                && x.3 == "Resources"
                && declares_nothing_under(&text, x.1);
            if empty_resources {
                skeletons += 1;
            } else if x.0 != "unused-parameter" {
                bad.push(format!("{rel}:{}:{} {} `{}`", x.1, x.2, x.0, x.3));
            }
        }
    }
    assert!(checked > 500, "only {checked} corpus files read");
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // serverless-patterns keeps five copies of its empty pattern template.
    assert_eq!(skeletons, 5);
}

/// Whether the top-level key on 1-based `line` of a YAML `text` has nothing under it but blank
/// lines and comments, up to the next top-level key.
fn declares_nothing_under(text: &str, line: usize) -> bool {
    text.lines()
        .skip(line)
        .take_while(|l| l.is_empty() || l.starts_with([' ', '#']))
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

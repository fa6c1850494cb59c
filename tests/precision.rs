//! Regressions from the precision audit (docs/precision.md): what was reported falsely on real
//! templates, and the severities that say how certain a finding is.

use cfn_policy_lint::check::{check_template, FileReport, Settings};
use cfn_policy_lint::diagnostic::Severity;
use cfn_policy_lint::rules::Selection;
use cfn_policy_lint::source::SourceFile;
use std::path::Path;

fn report(fixture: &str, rule: &str) -> FileReport {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(fixture);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let settings = Settings {
        selection: Selection {
            select: vec![rule.to_string()],
            ignore: vec![],
        },
        ..Settings::default()
    };
    check_template(SourceFile::new(fixture, text), &settings)
}

/// (line, severity, message) of each finding of `rule`.
fn findings(fixture: &str, rule: &str) -> Vec<(usize, Severity, String)> {
    let report = report(fixture, rule);
    report
        .diagnostics
        .iter()
        .map(|d| {
            (
                report.source.position(d.span.start).line,
                d.severity,
                d.message.clone(),
            )
        })
        .collect()
}

#[test]
fn an_arn_cut_short_after_a_trailing_star_is_valid() {
    assert_eq!(
        findings("invalid-arn/pass/short-star.yaml", "invalid-arn"),
        []
    );
    // It still reads as a logs / sns ARN, so the scope check matches it.
    assert_eq!(
        findings(
            "invalid-arn/pass/short-star.yaml",
            "resource-scope-mismatch"
        ),
        []
    );
}

#[test]
fn execution_role_policy_actions_on_star_are_by_design() {
    assert_eq!(
        findings(
            "wildcard-resource/pass/execution-role-policies.yaml",
            "wildcard-resource"
        ),
        []
    );
}

#[test]
fn star_only_actions_are_judged_by_the_form_they_are_checked_against() {
    let found = findings(
        "resource-scope-mismatch/fail/star-only-perhaps.yaml",
        "resource-scope-mismatch",
    );
    let lines: Vec<(usize, Severity)> = found.iter().map(|(l, s, _)| (*l, *s)).collect();
    // One log group (line 16) cannot match the `log-group::log-stream:` ARN that
    // `logs:DescribeLogGroups` is checked against; `log-group:*` (line 19) can; nothing is known
    // of `sns:ListTopics` (line 22), so its finding on an SNS wildcard is uncertain.
    assert_eq!(lines, [(16, Severity::Error), (22, Severity::Warning)]);
    assert!(
        found[0]
            .2
            .ends_with("which `${Logs.Arn}` cannot match: it grants nothing"),
        "{}",
        found[0].2
    );
    assert_eq!(
        found[1].2,
        "AWS lists no resource type for `sns:ListTopics`; whether `arn:aws:sns:*:*:*` grants it \
         depends on the ARN the service checks, which is not documented"
    );
}

#[test]
fn a_wildcard_partly_out_of_scope_is_a_warning_a_named_action_an_error() {
    let found = findings(
        "resource-scope-mismatch/fail/scopes.yaml",
        "resource-scope-mismatch",
    );
    let severity = |line: usize| found.iter().find(|(l, _, _)| *l == line).unwrap().1;
    // `s3:*` on `bucket/*`: the bucket-level part of the wildcard is not granted.
    assert_eq!(severity(17), Severity::Warning);
    // `s3:GetObject` on the bucket: granted nowhere.
    assert_eq!(severity(21), Severity::Error);
}

#[test]
fn missing_version_is_a_warning_only_where_policy_variables_change_meaning() {
    assert_eq!(
        findings(
            "missing-policy-version/fail/variables.yaml",
            "missing-policy-version"
        ),
        [(
            6,
            Severity::Warning,
            "`HomePolicy.Properties.PolicyDocument` has no `Version`, so IAM reads it as the \
             2008-10-17 language and leaves the policy variable `${aws:username}` unreplaced"
                .to_string()
        )]
    );
    let plain = findings(
        "missing-policy-version/fail/no-version.yaml",
        "missing-policy-version",
    );
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0].1, Severity::Info);
}

#[test]
fn a_ref_in_top_level_metadata_marks_a_parameter_used() {
    assert_eq!(
        findings(
            "unused-parameter/pass/metadata-ref.yaml",
            "unused-parameter"
        ),
        []
    );
}

#[test]
fn the_default_key_policy_is_not_a_service_wildcard_finding() {
    assert_eq!(
        findings(
            "service-wildcard-action/pass/default-key-policy.yaml",
            "service-wildcard-action"
        ),
        []
    );
    let other = findings(
        "service-wildcard-action/fail/other-account-key-policy.yaml",
        "service-wildcard-action",
    );
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].0, 13);
}

#[test]
fn api_call_names_point_to_the_action_that_authorizes_them() {
    let report = report("unknown-action/fail/api-names.yaml", "unknown-action");
    let helps: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.help.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        helps,
        [
            "IAM has no action of that name: `bedrock:InvokeModel` authorizes the `Converse` call",
            "IAM has no action of that name: `s3:GetObject` authorizes the `HeadObject` call",
            "IAM has no action of that name: `dynamodb:PutItem` authorizes creating an item",
        ]
    );
}

#[test]
fn the_ecs_container_agent_actions_on_star_are_by_design() {
    assert_eq!(
        findings(
            "wildcard-resource/pass/ecs-container-instance.yaml",
            "wildcard-resource"
        ),
        []
    );
}

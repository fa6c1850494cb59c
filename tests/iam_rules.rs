//! Fixtures of the IAM catalogue rules (I020–I029): exact positions on every fail fixture, the
//! workshop templates, and precision over the corpus. (That every pass fixture is clean and
//! every fail fixture fires is checked for all rules by tests/snapshots.rs.)

mod common;

use cfn_policy_lint::check::{check_template, FileReport, Settings};
use cfn_policy_lint::rules::Selection;
use cfn_policy_lint::source::SourceFile;
use std::path::{Path, PathBuf};

/// (rule, line, column, underlined text) of each finding.
type Finding = (String, usize, usize, String);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn report(fixture: &str, select: &[&str]) -> FileReport {
    let path = fixtures().join(fixture);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let settings = Settings {
        selection: Selection {
            select: select.iter().map(|r| r.to_string()).collect(),
            ignore: vec![],
        },
        ..Settings::default()
    };
    check_template(SourceFile::new(fixture, text), &settings)
}

fn lint_with(fixture: &str, select: &[&str]) -> Vec<Finding> {
    let report = report(fixture, select);
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
            )
        })
        .collect()
}

/// The findings of a fixture's own rule (named by its folder) on it.
fn lint(fixture: &str) -> Vec<Finding> {
    let rule = fixture.split('/').next().unwrap_or_default();
    lint_with(fixture, &[rule])
}

fn f(rule: &str, line: usize, column: usize, text: &str) -> Finding {
    (rule.to_string(), line, column, text.to_string())
}

fn help_of(fixture: &str, rule: &str, line: usize) -> String {
    let report = report(fixture, &[rule]);
    let d = report
        .diagnostics
        .iter()
        .find(|d| report.source.position(d.span.start).line == line)
        .unwrap_or_else(|| panic!("no {rule} finding on line {line} of {fixture}"));
    format!("{} | {}", d.message, d.help.clone().unwrap_or_default())
}

#[test]
fn unknown_service() {
    assert_eq!(
        lint("unknown-service/fail/typo-prefix.yaml"),
        vec![
            f("unknown-service", 19, 21, "dynamo"),
            f("unknown-service", 20, 21, "bedrock-runtime"),
        ]
    );
    assert!(help_of(
        "unknown-service/fail/typo-prefix.yaml",
        "unknown-service",
        19
    )
    .ends_with("did you mean `dynamodb:Query`?"));
    assert!(help_of(
        "unknown-service/fail/typo-prefix.yaml",
        "unknown-service",
        20
    )
    .ends_with("did you mean `bedrock` (Amazon Bedrock)?"));
    assert_eq!(
        lint("unknown-service/fail/policy.json"),
        vec![f("unknown-service", 6, 19, "s3x")]
    );
}

#[test]
fn unknown_action() {
    let file = "unknown-action/fail/typos.yaml";
    assert_eq!(
        lint(file),
        vec![
            f("unknown-action", 11, 17, "ssm:GetParamter"),
            f("unknown-action", 12, 17, "sms:GetParameter"),
            f("unknown-action", 13, 17, "sqs:SendMessageBatch"),
            f("unknown-action", 14, 17, "kms:ReEncrypt"),
        ]
    );
    assert!(help_of(file, "unknown-action", 11).ends_with("did you mean `ssm:GetParameter`?"));
    assert!(help_of(file, "unknown-action", 12).ends_with("did you mean `ssm:GetParameter`?"));
    assert!(help_of(file, "unknown-action", 13).contains("`sqs:SendMessage` authorizes it"));
    assert!(help_of(file, "unknown-action", 14)
        .ends_with("did you mean `kms:ReEncryptFrom` or `kms:ReEncryptTo`?"));
    assert_eq!(
        lint("unknown-action/fail/policy.json"),
        vec![f("unknown-action", 6, 18, "s3:DeleteObjekt")]
    );
}

#[test]
fn action_pattern_matches_nothing() {
    assert_eq!(
        lint("action-pattern-matches-nothing/fail/globs.yaml"),
        vec![
            f("action-pattern-matches-nothing", 11, 17, "s3:Gett*"),
            f(
                "action-pattern-matches-nothing",
                12,
                17,
                "ec2:Describe*Vpcz"
            ),
            f("action-pattern-matches-nothing", 13, 17, "zz*:Get*"),
        ]
    );
    assert_eq!(
        lint("action-pattern-matches-nothing/fail/policy.json"),
        vec![f(
            "action-pattern-matches-nothing",
            4,
            36,
            "dynamodb:Querry*"
        )]
    );
}

#[test]
fn invalid_arn() {
    let file = "invalid-arn/fail/arns.yaml";
    assert_eq!(
        lint(file),
        vec![
            f("invalid-arn", 12, 17, "s3:::my-bucket/*"),
            f("invalid-arn", 13, 28, "us-east-1"),
            f("invalid-arn", 14, 21, "amazon"),
            f("invalid-arn", 19, 30, "12345"),
            f("invalid-arn", 20, 17, "arn:aws:iam"),
        ]
    );
    assert!(help_of(file, "invalid-arn", 12).ends_with("write `arn:aws:s3:::my-bucket/*`"));
    assert!(help_of(file, "invalid-arn", 13).starts_with("`s3` ARNs of this kind take no region"));
    assert_eq!(
        lint("invalid-arn/fail/policy.json"),
        vec![f("invalid-arn", 4, 89, "1234567890123")]
    );
}

#[test]
fn resource_scope_mismatch() {
    let file = "resource-scope-mismatch/fail/scopes.yaml";
    assert_eq!(
        lint_with(file, &["resource-scope-mismatch"]),
        vec![
            f("resource-scope-mismatch", 17, 21, "s3:*"),
            f("resource-scope-mismatch", 21, 17, "s3:GetObject"),
            f("resource-scope-mismatch", 22, 17, "s3:ListAllMyBuckets"),
            f("resource-scope-mismatch", 25, 21, "s3:ListBucket"),
        ]
    );
    assert_eq!(
        help_of(file, "resource-scope-mismatch", 21),
        "`s3:GetObject` on `${Bucket.Arn}` grants nothing: it needs an object ARN, not a bucket \
         ARN | add `!Sub '${Bucket.Arn}/*'` to Resource"
    );
    // Listed without resource types, on an S3 ARN: S3 may check an ARN of its own, so the
    // finding is uncertain and never tells the user to widen the statement to `*`.
    let all_buckets = help_of(file, "resource-scope-mismatch", 22);
    assert!(
        all_buckets.starts_with("AWS lists no resource type for `s3:ListAllMyBuckets`; whether"),
        "{all_buckets}"
    );
    let (_, help) = all_buckets.split_once(" | ").unwrap();
    assert!(!help.contains('*'), "{all_buckets}");
    assert!(help_of(file, "resource-scope-mismatch", 25)
        .starts_with("`s3:ListBucket` acts on `s3` resources, but `${Queue.Arn}` is no `s3` ARN"));
    // Two named actions with one cause: one diagnostic, on the first.
    assert_eq!(
        lint("resource-scope-mismatch/fail/policy.json"),
        vec![f("resource-scope-mismatch", 6, 19, "s3:ListBucket")]
    );
    let report = report(
        "resource-scope-mismatch/fail/policy.json",
        &["resource-scope-mismatch"],
    );
    let labels: Vec<&str> = report.diagnostics[0]
        .labels
        .iter()
        .map(|l| report.source.slice(l.span))
        .collect();
    assert_eq!(labels, ["s3:GetBucketLocation", "arn:aws:s3:::my-bucket/*"]);
}

#[test]
fn service_wildcard_action() {
    assert_eq!(
        lint_with(
            "service-wildcard-action/fail/wildcards.yaml",
            &["service-wildcard-action"]
        ),
        vec![
            f("service-wildcard-action", 11, 17, "s3:*"),
            f("service-wildcard-action", 12, 17, "sqs:*"),
        ]
    );
    assert_eq!(
        lint_with(
            "service-wildcard-action/fail/policy.json",
            &["service-wildcard-action"]
        ),
        vec![f("service-wildcard-action", 1, 72, "dynamodb:*")]
    );
}

#[test]
fn wildcard_resource() {
    let file = "wildcard-resource/fail/star.yaml";
    assert_eq!(
        lint(file),
        vec![
            f("wildcard-resource", 14, 24, "*"),
            f("wildcard-resource", 17, 24, "*"),
        ]
    );
    assert!(help_of(file, "wildcard-resource", 14).starts_with(
        "2 write or permissions-management actions, such as `s3:PutObject`, `s3:DeleteObject`"
    ));
    assert_eq!(
        lint("wildcard-resource/fail/policy.json"),
        vec![f("wildcard-resource", 4, 71, "*")]
    );
}

#[test]
fn pass_role_wildcard() {
    assert_eq!(
        lint_with(
            "pass-role-wildcard/fail/pass-any.yaml",
            &["pass-role-wildcard"]
        ),
        vec![
            f("pass-role-wildcard", 11, 17, "iam:PassRole"),
            f("pass-role-wildcard", 15, 21, "iam:Pass*"),
        ]
    );
    assert_eq!(
        lint_with(
            "pass-role-wildcard/fail/policy.json",
            &["pass-role-wildcard"]
        ),
        vec![f("pass-role-wildcard", 4, 36, "iam:*")]
    );
}

#[test]
fn unknown_condition_operator() {
    let file = "unknown-condition-operator/fail/operators.yaml";
    assert_eq!(
        lint(file),
        vec![
            f("unknown-condition-operator", 13, 15, "StringEqual"),
            f(
                "unknown-condition-operator",
                15,
                15,
                "ForAnyValues:StringLike"
            ),
            f("unknown-condition-operator", 17, 15, "NullIfExists"),
        ]
    );
    assert!(help_of(file, "unknown-condition-operator", 15)
        .ends_with("did you mean `ForAnyValue:StringLike`?"));
    assert_eq!(
        lint("unknown-condition-operator/fail/policy.json"),
        vec![f("unknown-condition-operator", 5, 21, "bool")]
    );
}

#[test]
fn unknown_condition_key() {
    let file = "unknown-condition-key/fail/keys.yaml";
    assert_eq!(
        lint(file),
        vec![
            f("unknown-condition-key", 14, 17, "aws:SourceAccounts"),
            f("unknown-condition-key", 15, 17, "aws:ResourceTags/team"),
            f(
                "unknown-condition-key",
                16,
                17,
                "s3:ExistingObjectTags/team"
            ),
        ]
    );
    assert!(help_of(file, "unknown-condition-key", 15)
        .ends_with("did you mean `aws:ResourceTag/team`?"));
    assert!(help_of(file, "unknown-condition-key", 16)
        .ends_with("did you mean `s3:ExistingObjectTag/team`?"));
    assert_eq!(
        lint_with(
            "unknown-condition-key/fail/policy.json",
            &["unknown-condition-key"]
        ),
        vec![f("unknown-condition-key", 5, 38, "ec2:ResourceTg/team")]
    );
}

#[test]
fn tutorial_corrected_gets_the_bucket_gap_and_the_service_wildcard_only() {
    let file = "tutorial/policy-corrected.yaml";
    assert_eq!(
        lint_with(file, &["iam"]),
        vec![
            f("resource-scope-mismatch", 48, 23, "s3:*"),
            f("service-wildcard-action", 48, 23, "s3:*"),
        ]
    );
    assert_eq!(
        help_of(file, "resource-scope-mismatch", 48),
        "`s3:*` on `arn:aws:s3:::${S3Bucket}/*` grants no bucket-level action: 62 actions such \
         as `s3:GetEncryptionConfiguration`, `s3:ListBucket`, `s3:GetBucketLocation` need the \
         bucket ARN | add \
         `!Sub 'arn:aws:s3:::${S3Bucket}'` to Resource"
    );
    let report = report(file, &["resource-scope-mismatch"]);
    let label = &report.diagnostics[0].labels[0];
    assert_eq!(
        report.source.slice(label.span),
        "arn:aws:s3:::${S3Bucket}/*"
    );
}

#[test]
fn four_mistakes_in_one_statement_get_one_finding_each() {
    assert_eq!(
        lint_with("tutorial-typos/policy.yaml", &["iam"]),
        vec![
            f("invalid-effect", 10, 21, "allow"),
            f("unknown-action", 12, 17, "ssm:GetParamter"),
            f("pass-role-wildcard", 13, 17, "iam:PassRole"),
            f("invalid-arn", 15, 17, "s3:::bucket"),
        ]
    );
}

/// The corpus findings of one rule, as `path:line: underlined text | message`.
fn corpus_findings(rule: &str) -> Vec<String> {
    use rayon::prelude::*;
    let dir = common::corpus();
    let list = std::fs::read_to_string(dir.join("iam-templates.txt")).unwrap();
    let paths: Vec<&str> = list.lines().filter(|l| !l.trim().is_empty()).collect();
    let settings = Settings {
        selection: Selection {
            select: vec![rule.to_string()],
            ignore: vec![],
        },
        ..Settings::default()
    };
    paths
        .par_iter()
        .flat_map_iter(|rel| {
            let bytes = std::fs::read(dir.join(rel)).unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let report = check_template(SourceFile::new(*rel, text), &settings);
            report
                .diagnostics
                .iter()
                .map(|d| {
                    let p = report.source.position(d.span.start);
                    format!(
                        "{rel}:{}: {} | {}",
                        p.line,
                        report.source.slice(d.span),
                        d.message
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every `unknown-action` over the corpus was reviewed by hand: each is a typo, an API name
/// that is no IAM action (`s3:HeadObject`, `sqs:SendMessageBatch`, `bedrock:Converse`) or an
/// action newer than the catalogue. A new finding needs the same review.
#[test]
#[cfg_attr(
    not(corpus_absent),
    ignore = "reads ~2,400 corpus templates; run with --ignored"
)]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn corpus_unknown_actions_are_reviewed() {
    let found = corpus_findings("unknown-action");
    let reviewed = [
        "s3:ReplicationTags",
        "sqs:DeleteMessageBatch",
        "sqs:ChangeMessageVisibilityBatch",
        "sqs:SendMessageBatch",
        "dynamodb:CreateItem",
        "lambda:CheckpointDurableExecutions",
        "firehose:PutRecords",
        "bedrock:Converse",
        "bedrock:ConverseStream",
        "s3:HeadObject",
        "s3:HeadBucket",
        "s3:DeleteObjects",
        "logs:DescriptLogStreams",
        "lambda:UpdateFunction",
        "lambda:ListDurableExecutions",
        "lambda:CreateDurableExecution",
        "kms:ReEncrypt",
        "ecs:StopTasks",
        "ec2:DeleteVpcEndpoint",
        "codestar:SyncResources",
        "bedrock:PutModelInvocationLogging",
        "bedrock:GetModelPermission",
        "bedrock:GetModelInvocationLogging",
        "bedrock:GetFoundationModelAgreementAvailability",
        "bedrock:AcceptAcknowledgement",
    ];
    let unreviewed: Vec<&String> = found
        .iter()
        .filter(|line| !reviewed.iter().any(|r| line.contains(&format!(": {r} | "))))
        .collect();
    assert!(unreviewed.is_empty(), "{unreviewed:#?}");
    assert!(found.len() >= 90, "{} unknown-action findings", found.len());
}

/// No `resource-scope-mismatch` where the resource is built from a parameter holding an ARN,
/// an import or a condition: those can be anything.
#[test]
#[cfg_attr(
    not(corpus_absent),
    ignore = "reads ~2,400 corpus templates; run with --ignored"
)]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn corpus_scope_mismatches_never_involve_unknown_resources() {
    let found = corpus_findings("resource-scope-mismatch");
    for line in &found {
        assert!(!line.contains("${?}"), "{line}");
    }
}

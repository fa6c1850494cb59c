//! `Effect: allow` is one mistake: `invalid-effect` reports the spelling, and every rule that
//! judges Allow statements judges this one as the Allow its author meant (the model's
//! `Statement::effect()`), so each rule below still fires on a mis-cased statement.

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::source::SourceFile;

/// The rules of every finding for `text` with all default rules on.
fn rules_of(text: &str) -> Vec<&'static str> {
    let report = check_template(SourceFile::new("t.yaml", text), &Settings::default());
    report.diagnostics.iter().map(|d| d.rule).collect()
}

/// `statement`'s lines, each indented by `indent` spaces.
fn indented(statement: &str, indent: usize) -> String {
    statement
        .lines()
        .map(|l| format!("{:indent$}{l}\n", ""))
        .collect()
}

/// A role with one inline statement, written with `Effect: allow`.
fn role_with(statement: &str) -> String {
    format!(
        "Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Service: ec2.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: p
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: allow
{}",
        indented(statement, 16)
    )
}

/// A bucket policy with one statement, written with `Effect: allow`.
fn bucket_policy_with(statement: &str) -> String {
    format!(
        "Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: allow
{}",
        indented(statement, 12)
    )
}

fn assert_fires(rule: &str, text: &str) {
    let found = rules_of(text);
    assert!(
        found.contains(&rule),
        "`{rule}` did not judge `Effect: allow` as Allow: {found:?}\n{text}"
    );
    assert_eq!(
        found.iter().filter(|r| **r == "invalid-effect").count(),
        1,
        "the spelling is reported once: {found:?}"
    );
}

#[test]
fn allow_not_action() {
    assert_fires(
        "allow-not-action",
        &role_with("NotAction: iam:*\nResource: '*'"),
    );
}

#[test]
fn allow_not_resource() {
    assert_fires(
        "allow-not-resource",
        &role_with("Action: s3:GetObject\nNotResource: arn:aws:s3:::private/*"),
    );
}

#[test]
fn allow_not_principal() {
    assert_fires(
        "allow-not-principal",
        &bucket_policy_with(
            "NotPrincipal: {AWS: arn:aws:iam::123456789012:root}\nAction: s3:GetObject\nResource: !Sub '${Bucket.Arn}/*'",
        ),
    );
}

#[test]
fn public_principal() {
    assert_fires(
        "public-principal",
        &bucket_policy_with(
            "Principal: '*'\nAction: s3:GetObject\nResource: !Sub '${Bucket.Arn}/*'",
        ),
    );
}

#[test]
fn full_admin_and_not_pass_role_wildcard() {
    // The case that used to split: the rule that defers to `full-admin` decided Allow one way
    // and `full-admin` the other, so the `*` was reported as a PassRole grant instead.
    let text = role_with("Action: '*'\nResource: '*'");
    assert_fires("full-admin", &text);
    let found = rules_of(&text);
    assert!(!found.contains(&"pass-role-wildcard"), "{found:?}");
}

#[test]
fn pass_role_wildcard() {
    assert_fires(
        "pass-role-wildcard",
        &role_with("Action: iam:PassRole\nResource: '*'"),
    );
}

#[test]
fn service_wildcard_action() {
    assert_fires(
        "service-wildcard-action",
        &role_with("Action: dynamodb:*\nResource: arn:aws:dynamodb:us-east-1:123456789012:table/t"),
    );
}

#[test]
fn wildcard_resource() {
    assert_fires(
        "wildcard-resource",
        &role_with("Action: dynamodb:DeleteTable\nResource: '*'"),
    );
}

#[test]
fn resource_scope_mismatch() {
    assert_fires(
        "resource-scope-mismatch",
        &role_with("Action: s3:ListBucket\nResource: arn:aws:s3:::bucket/*"),
    );
}

#[test]
fn missing_required_actions() {
    // A declared purpose whose actions are granted only by a mis-cased statement: the
    // statement counts, so only the genuinely absent action is reported.
    let text = role_with("Action: [ssm:UpdateInstanceInformation]\nResource: '*'").replace(
        "  Role:\n    Type: AWS::IAM::Role\n",
        "  Role:\n    Type: AWS::IAM::Role\n    Metadata:\n      cfn-policy-lint:\n        purposes: [ssm-managed-instance]\n",
    );
    let report = check_template(
        SourceFile::new("t.yaml", text.as_str()),
        &Settings::default(),
    );
    let missing: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == "missing-required-actions")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(
        !missing[0].contains("ssm:UpdateInstanceInformation"),
        "the mis-cased statement's action counts as granted: {}",
        missing[0]
    );
}

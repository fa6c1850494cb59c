//! The cross-file pass over whole folders: fixtures laid out like the HPC workshop, duplicate
//! names, AWS managed policy ARNs, and the real corpora when present.

use cfn_policy_lint::run::{run, RunOptions};
use std::path::{Path, PathBuf};

mod common;

/// (path relative to the crate, line, column, rule, text at the span) of every finding.
fn findings(paths: &[&str]) -> Vec<(String, usize, usize, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let paths: Vec<PathBuf> = paths.iter().map(|p| root.join(p)).collect();
    let outcome = run(&paths, &RunOptions::default(), std::io::empty());
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let mut out = Vec::new();
    for report in &outcome.reports {
        let rel = Path::new(&report.source.path)
            .strip_prefix(root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| report.source.path.clone());
        for d in &report.diagnostics {
            let p = report.source.position(d.span.start);
            out.push((
                rel.clone(),
                p.line,
                p.column,
                d.rule.to_string(),
                report.source.slice(d.span).to_string(),
            ));
        }
    }
    out
}

fn f(
    path: &str,
    line: usize,
    column: usize,
    rule: &str,
    text: &str,
) -> (String, usize, usize, String, String) {
    (
        path.to_string(),
        line,
        column,
        rule.to_string(),
        text.to_string(),
    )
}

#[test]
fn workshop_layout_reports_the_mismatch_at_every_reference() {
    let dir = "fixtures/policy-name-mismatch/fail";
    let m = "policy-name-mismatch";
    assert_eq!(
        findings(&[dir]),
        [
            f(&format!("{dir}/apply-policy.sh"), 3, 76, m, "pclusterSSM"),
            f(&format!("{dir}/apply-policy.sh"), 5, 69, m, "pclusterSSM"),
            f(
                &format!("{dir}/cluster-config.yaml"),
                10,
                50,
                m,
                "pclusterSSM"
            ),
            f(
                &format!("{dir}/cluster-config.yaml"),
                23,
                54,
                m,
                "pclusterSSM"
            ),
            f(
                &format!("{dir}/my-cluster-config.ini"),
                9,
                65,
                m,
                "pclusterSSM"
            ),
        ]
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let outcome = run(&[root.join(dir)], &RunOptions::default(), std::io::empty());
    let d = &outcome.reports[0].diagnostics[0];
    assert!(
        d.message
            .contains("did you mean `pclusterSSM2` (defined at ")
            && d.message
                .ends_with("policy-name-mismatch/fail/policy.yaml:7)?"),
        "{}",
        d.message
    );
}

#[test]
fn agreeing_names_report_nothing() {
    assert_eq!(findings(&["fixtures/policy-name-mismatch/pass"]), []);
    assert_eq!(findings(&["fixtures/duplicate-policy-name/pass"]), []);
    assert_eq!(findings(&["fixtures/unknown-aws-managed-policy/pass"]), []);
}

#[test]
fn a_reference_alone_is_not_a_mismatch() {
    // Without the template in the run nothing is defined, so nothing is close: the policy may
    // come from anywhere.
    let dir = "fixtures/policy-name-mismatch/fail";
    assert_eq!(
        findings(&[
            &format!("{dir}/apply-policy.sh"),
            &format!("{dir}/my-cluster-config.ini")
        ]),
        []
    );
}

#[test]
fn a_name_defined_twice_is_reported_once_at_the_later_path() {
    let dir = "fixtures/duplicate-policy-name/fail";
    assert_eq!(
        findings(&[dir]),
        [
            f(
                &format!("{dir}/cluster-policy.yaml"),
                6,
                26,
                "duplicate-policy-name",
                "pclusterSSM"
            ),
            // Same folder and stem as `writer-stack.json`, but other logical IDs: no twin.
            f(
                &format!("{dir}/writer-stack.yml"),
                9,
                26,
                "duplicate-policy-name",
                "reports-writer"
            ),
        ]
    );
}

#[test]
fn a_template_kept_in_yaml_and_json_is_one_stack() {
    let dir = "fixtures/duplicate-policy-name/pass";
    assert_eq!(
        findings(&[
            &format!("{dir}/reader-stack.yml"),
            &format!("{dir}/reader-stack.json")
        ]),
        []
    );
    // The same two files under different names are two stacks.
    let tmp = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("reader-stack.yml", "a.yml"),
        ("reader-stack.json", "b.json"),
    ] {
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(from),
            tmp.path().join(to),
        )
        .unwrap();
    }
    let root = tmp.path().to_path_buf();
    let outcome = run(&[root], &RunOptions::default(), std::io::empty());
    let rules: Vec<&str> = outcome
        .reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .map(|d| d.rule)
        .collect();
    assert_eq!(rules, ["duplicate-policy-name"]);
}

#[test]
fn aws_managed_policy_arns_are_checked_with_fixes() {
    let dir = "fixtures/unknown-aws-managed-policy/fail";
    let r = "unknown-aws-managed-policy";
    assert_eq!(
        findings(&[dir]),
        [
            f(
                &format!("{dir}/instance-role.yaml"),
                14,
                34,
                r,
                "/service-role/AmazonSSMManagedInstanceCore"
            ),
            f(
                &format!("{dir}/instance-role.yaml"),
                15,
                53,
                r,
                "/CloudWatchAgentServerPolicies"
            ),
            // Bare names in a SAM function's `Policies` (and its `Globals`).
            f(
                &format!("{dir}/sam-function.yaml"),
                8,
                15,
                r,
                "AWSXrayWriteOnlyAcess"
            ),
            f(
                &format!("{dir}/sam-function.yaml"),
                17,
                11,
                r,
                "AmazonS3ReadOnlyAcess"
            ),
        ]
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let outcome = run(&[root.join(dir)], &RunOptions::default(), std::io::empty());
    let fixes_of = |report: &cfn_policy_lint::check::FileReport| -> Vec<String> {
        report
            .diagnostics
            .iter()
            .map(|d| d.fix.as_ref().expect("fix").edits[0].replacement.clone())
            .collect()
    };
    let fixes = fixes_of(&outcome.reports[0]);
    assert_eq!(
        fixes,
        [
            "/AmazonSSMManagedInstanceCore",
            "/CloudWatchAgentServerPolicy"
        ]
    );
    let sam_fixes = fixes_of(&outcome.reports[1]);
    assert_eq!(
        sam_fixes,
        ["AWSXrayWriteOnlyAccess", "AmazonS3ReadOnlyAccess"]
    );
}

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn pcluster_corpus_only_reports_the_nonexistent_cloudwatch_policy() {
    let dir = common::corpus().join("pcluster-configs");
    let outcome = run(&[dir], &RunOptions::default(), std::io::empty());
    let mut seen = Vec::new();
    for report in &outcome.reports {
        for d in &report.diagnostics {
            seen.push((d.rule, report.source.slice(d.span).to_string()));
        }
    }
    // `CloudWatchReadAccess` is not an AWS managed policy (ParallelCluster's converter tests
    // use it as sample input); every other ARN of the 63 configs is fine.
    assert!(!seen.is_empty());
    assert!(
        seen.iter()
            .all(|(rule, text)| *rule == "unknown-aws-managed-policy"
                && text == "/CloudWatchReadAccess"),
        "{seen:?}"
    );
}

/// A template with one EC2 instance role whose `ManagedPolicyArns` list is `items` (lines
/// after the first indented by eight spaces).
fn role_with_managed_policies(items: &str) -> String {
    format!(
        "AWSTemplateFormatVersion: 2010-09-09
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: 2012-10-17
        Statement:
          - {{Effect: Allow, Principal: {{Service: ec2.amazonaws.com}}, Action: 'sts:AssumeRole'}}
      ManagedPolicyArns:
        {items}
"
    )
}

/// Comment suppressions reach the findings of the cross-file pass, in templates and in the
/// shell scripts and cluster configurations the pass reads; a suppression of a cross-file rule
/// that matches nothing is reported once the pass has run, and never before.
#[test]
fn comment_suppressions_reach_cross_file_findings() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let write = |name: &str, text: &str| {
        std::fs::write(dir.path().join(name), text).expect("writing a test file");
    };
    let policy = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/policy-name-mismatch/fail/policy.yaml"),
    )
    .expect("the fixture");
    write("policy.yaml", &policy);
    write(
        "apply-policy.sh",
        "#!/bin/bash\n\
         # cfn-policy-lint: ignore[policy-name-mismatch] the old name, kept for a migration\n\
         aws iam get-policy --policy-arn arn:aws:iam::$AWS_ACCOUNT_ID:policy/pclusterSSM\n\
         aws iam get-policy --policy-arn arn:aws:iam::$AWS_ACCOUNT_ID:policy/pclusterSSM\n\
         # Only cross-file rules are judged here; other lookalikes are left alone:\n\
         # cfn-policy-lint: ignore[wildcard-resource] for a template pasted below\n\
         # cfn-policy-lint: run this with --fix\n\
         echo done # cfn-policy-lint: ignore[duplicate-policy-name]\n",
    );
    write(
        "role.yaml",
        &role_with_managed_policies(
            "- arn:aws:iam::aws:policy/CloudWatchAgentServerPolicies # cfn-policy-lint: ignore[X003]
        - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCores
        # cfn-policy-lint: ignore[duplicate-policy-name] nothing is duplicated here
        - arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        ),
    );
    let outcome = run(
        &[dir.path().to_path_buf()],
        &RunOptions::default(),
        std::io::empty(),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let mut found = Vec::new();
    for report in &outcome.reports {
        let name = Path::new(&report.source.path)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        for d in &report.diagnostics {
            let p = report.source.position(d.span.start);
            found.push((name.clone(), p.line, d.rule));
        }
    }
    found.sort();
    assert_eq!(
        found,
        [
            // Line 3 is suppressed by the comment above it; line 4 is not.
            ("apply-policy.sh".to_string(), 4, "policy-name-mismatch"),
            // A suppression of a cross-file rule that matched nothing.
            ("apply-policy.sh".to_string(), 8, "unused-suppression"),
            // Line 11 is suppressed by its trailing comment (by code); line 12 is not.
            ("role.yaml".to_string(), 12, "unknown-aws-managed-policy"),
            ("role.yaml".to_string(), 13, "unused-suppression"),
        ]
    );
}

/// The corrected ARN in a help text keeps the partition the template writes.
#[test]
fn managed_policy_help_keeps_the_written_partition() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("role.yaml"),
        role_with_managed_policies(
            "- arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCores
        - arn:aws-us-gov:iam::aws:policy/service-role/AmazonSSMManagedInstanceCore",
        ),
    )
    .expect("writing a test file");
    let outcome = run(
        &[dir.path().to_path_buf()],
        &RunOptions::default(),
        std::io::empty(),
    );
    let helps: Vec<&str> = outcome
        .reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.rule == "unknown-aws-managed-policy")
        .filter_map(|d| d.help.as_deref())
        .collect();
    assert_eq!(
        helps,
        [
            "the policy's ARN is `arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore`",
            "the policy's ARN is `arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore`",
        ]
    );
}

//! Markdown pages: template blocks are checked with the page's line numbers, command blocks feed
//! the cross-file index. The workshop page is the real input.

use cfn_policy_lint::run::{run, RunOptions};
use std::path::Path;

mod common;

fn page_findings(path: &Path) -> Vec<(usize, usize, &'static str, String)> {
    let outcome = run(
        &[path.to_path_buf()],
        &RunOptions::default(),
        std::io::empty(),
    );
    assert!(outcome.problems.is_empty(), "{:?}", outcome.problems);
    let report = &outcome.reports[0];
    assert_eq!(report.source.path, path.display().to_string());
    report
        .diagnostics
        .iter()
        .map(|d| {
            let p = report.source.position(d.span.start);
            (
                p.line,
                p.column,
                d.rule,
                report.source.slice(d.span).to_string(),
            )
        })
        .collect()
}

#[test]
fn workshop_page_reports_indentation_and_the_name_mismatch_at_page_lines() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial/seed-tutorial.md");
    let found = page_findings(&page);
    let rules: Vec<_> = found.iter().map(|(l, c, r, _)| (*l, *c, *r)).collect();
    assert_eq!(
        rules,
        [
            // Page line 44 is the template's `Description` under `S3Bucket`: one tab of list
            // indentation is removed, the second tab is the template's own.
            (44, 2, "tab-indentation"),
            (49, 2, "tab-indentation"),
            (84, 4, "inconsistent-indentation"),
            // Found on the doctor's repair: the S3 statement grants no bucket-level action.
            (87, 10, "resource-scope-mismatch"),
            (87, 10, "service-wildcard-action"),
            (89, 7, "inconsistent-indentation"),
            (91, 2, "tab-indentation"),
            (112, 58, "policy-name-mismatch"),
        ]
    );
    assert_eq!(found[2].3, "Resource");
    assert_eq!(found[3].3, "s3:*");
    assert_eq!(found[5].3, "Outputs");
    assert_eq!(found[7].3, "pclusterSSM");
    let outcome = run(
        std::slice::from_ref(&page),
        &RunOptions::default(),
        std::io::empty(),
    );
    let report = &outcome.reports[0];
    let mismatch = report.diagnostics.last().unwrap();
    assert!(
        mismatch
            .message
            .contains("did you mean `pclusterSSM2` (defined at line 51)?"),
        "{}",
        mismatch.message
    );
    // Line numbers inside messages are the page's too.
    assert!(
        report.diagnostics[0].message.contains("(44–46)"),
        "{}",
        report.diagnostics[0].message
    );
}

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the workshop template as published, in hpc-tutorial/extracted/)"
)]
fn the_page_block_matches_the_extracted_template() {
    let extracted = common::corpus().join(
        "hpc-tutorial/extracted/policy.yaml__inline_2020-10-21_tab-indented_pclusterSSM2.yaml",
    );
    let expected = std::fs::read_to_string(&extracted).expect("the extracted template");
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial/seed-tutorial.md"),
    )
    .unwrap();
    use cfn_policy_lint::project::markdown::{
        classify_block, code_blocks, virtual_text, BlockKind,
    };
    let lines = cfn_policy_lint::source::LineIndex::new(&page);
    let templates: Vec<_> = code_blocks(&page, &lines)
        .iter()
        .map(|b| virtual_text(&page, &lines, b))
        .filter(|v| classify_block(&v.text) == BlockKind::Template)
        .collect();
    assert_eq!(templates.len(), 1);
    assert_eq!(templates[0].text.trim_start_matches('\n'), expected);
    assert_eq!(templates[0].removed, "\t");
}

#[test]
fn shortcodes_and_nested_fences_do_not_hide_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.md");
    std::fs::write(
        &page,
        "{{% notice info %}}Note{{% /notice %}}\n\n\
         1. Create the policy\n\n\
         \t{{%expand \"What is it?\" %}}\n\tText\n\t{{% /expand%}}\n\n\
         \t```yaml\n\tResources:\n\t  P:\n\t    Type: AWS::IAM::ManagedPolicy\n\t    Properties:\n\t      ManagedPolicyName: ssm-policy\n\t      PolicyDocument: {Version: 2012-10-17, Statement: []}\n\t```\n\n\
         2. Check it\n\n\
         \t```\n\taws iam list-policies --query 'Policies[?PolicyName==`ssm-polcy`]'\n\t```\n",
    )
    .unwrap();
    let found = page_findings(&page);
    assert_eq!(
        found,
        [(21, 56, "policy-name-mismatch", "ssm-polcy".to_string())]
    );
}

/// A suppression comment in a page's code block reaches the cross-file finding placed there.
#[test]
fn suppressions_in_command_blocks_reach_cross_file_findings() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let page = dir.path().join("page.md");
    let text = "\
# Cluster policy

```yaml
AWSTemplateFormatVersion: 2010-09-09
Resources:
  NodePolicy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      ManagedPolicyName: pclusterSSM2
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Action: ssm:UpdateInstanceInformation
            Resource: '*'
```

```sh
# cfn-policy-lint: ignore[policy-name-mismatch] the previous release's name
aws iam get-policy --policy-arn arn:aws:iam::123456789012:policy/pclusterSSM
aws iam get-policy --policy-arn arn:aws:iam::123456789012:policy/pclusterSSM
```
";
    std::fs::write(&page, text).expect("writing the page");
    let found: Vec<(usize, &str)> = page_findings(&page)
        .into_iter()
        .map(|(line, _, rule, _)| (line, rule))
        .collect();
    assert_eq!(found, [(21, "policy-name-mismatch")]);
}

//! Purpose packs and `missing-required-actions`: the packs themselves (against the catalogue and
//! the AWS managed policies they mirror), every fixture's exact findings, user packs, and the
//! rule's precision over the corpus.

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::diagnostic::Severity;
use cfn_policy_lint::iam::{managed_policy, Catalog};
use cfn_policy_lint::purpose::{self, load_dir, Pack, PackSet};
use cfn_policy_lint::rules::purpose::missing_required_actions::check_with;
use cfn_policy_lint::rules::{FileContext, Selection};
use cfn_policy_lint::source::SourceFile;
use cfn_policy_lint::template::Template;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

mod common;

const RULE: &str = "missing-required-actions";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn settings(rules: &[&str]) -> Settings {
    Settings {
        selection: Selection {
            select: rules.iter().map(|r| r.to_string()).collect(),
            ignore: vec![],
        },
        ..Settings::default()
    }
}

/// (line, column, severity, message) of each finding of the rule.
fn findings(path: &Path) -> Vec<(usize, usize, Severity, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let report = check_template(
        SourceFile::new(path.display().to_string(), text),
        &settings(&[RULE]),
    );
    report
        .diagnostics
        .iter()
        .filter(|d| d.rule == RULE)
        .map(|d| {
            let p = report.source.position(d.span.start);
            (p.line, p.column, d.severity, d.message.clone())
        })
        .collect()
}

fn lower_set<'a>(items: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    items.map(|a| a.to_ascii_lowercase()).collect()
}

#[test]
fn every_embedded_pack_parses_and_names_only_catalogue_actions() {
    let packs = PackSet::embedded().packs();
    let names: Vec<&str> = packs.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ssm-managed-instance",
            "ssm-session-manager",
            "ssm-run-command-output-s3",
            "lambda-invoke",
            "cloudwatch-agent"
        ]
    );
    for pack in packs {
        assert_eq!(
            pack.unknown_actions(Catalog::embedded()),
            Vec::<String>::new(),
            "{}",
            pack.name
        );
        assert!(
            pack.docs.starts_with("https://docs.aws.amazon.com/"),
            "{}",
            pack.name
        );
    }
}

#[test]
fn ssm_managed_instance_equals_amazon_ssm_managed_instance_core() {
    let pack = PackSet::embedded().get("ssm-managed-instance").unwrap();
    let core = managed_policy("AmazonSSMManagedInstanceCore").unwrap();
    let required = lower_set(pack.required_actions().into_iter());
    assert_eq!(required.len(), 25);
    assert_eq!(required, lower_set(core.actions()));
    assert_eq!(
        lower_set(pack.recognise.actions.iter().map(String::as_str)),
        required
    );
    assert_eq!(
        lower_set(pack.by_design_on_star.iter().map(String::as_str)),
        required
    );
}

#[test]
fn cloudwatch_agent_equals_cloudwatch_agent_server_policy() {
    let pack = PackSet::embedded().get("cloudwatch-agent").unwrap();
    let policy = managed_policy("CloudWatchAgentServerPolicy").unwrap();
    assert_eq!(
        lower_set(pack.required_actions().into_iter()),
        lower_set(policy.actions())
    );
}

#[test]
fn session_manager_requires_registration_and_the_four_channels() {
    let pack = PackSet::embedded().get("ssm-session-manager").unwrap();
    let always: Vec<&str> = pack
        .requires
        .iter()
        .filter(|r| r.when.is_none())
        .flat_map(|r| r.actions.iter().map(String::as_str))
        .collect();
    assert_eq!(
        always,
        [
            "ssm:UpdateInstanceInformation",
            "ssmmessages:CreateControlChannel",
            "ssmmessages:CreateDataChannel",
            "ssmmessages:OpenControlChannel",
            "ssmmessages:OpenDataChannel"
        ]
    );
    // Encryption and logging needs are conditional on the preferences document.
    for r in pack.requires.iter().filter(|r| r.when.is_some()) {
        assert!(["KeyId", "LogBucket", "LogGroup"].contains(&r.when.as_deref().unwrap()));
    }
}

/// `wildcard-resource` reads the list generated from every AWS managed policy that grants its
/// actions on `*` by design (agents, runtimes); it covers more purposes than the packs do.
/// Whatever a pack says AWS grants on `*` must be on that list too, or the two would disagree
/// about the same statement.
#[test]
fn by_design_on_star_is_within_the_wildcard_resource_list() {
    let text = std::fs::read_to_string(root().join("rules/iam/wildcard-by-design.txt")).unwrap();
    let listed = lower_set(
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split('\t').next()),
    );
    let packs = lower_set(purpose::by_design_on_star().into_iter());
    let missing: Vec<_> = packs.difference(&listed).collect();
    assert!(
        missing.is_empty(),
        "not in wildcard-by-design.txt: {missing:?}"
    );
    // Spot-check that the generated list is the broader one (the ECS agent is in no pack).
    assert!(listed.contains("ecs:registercontainerinstance"));
    assert!(purpose::is_by_design_on_star(
        "ssmmessages",
        "OpenDataChannel"
    ));
    assert!(purpose::is_by_design_on_star("logs", "createlogstream"));
    assert!(!purpose::is_by_design_on_star("s3", "PutObject"));
}

#[test]
fn done_when_role_with_channels_but_no_registration() {
    let dir = root().join("fixtures/missing-required-actions");
    let found = findings(&dir.join("fail/session-channels-without-registration.yaml"));
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, column, severity, message) = &found[0];
    assert_eq!((*line, *column, *severity), (18, 13, Severity::Warning));
    assert!(
        message.contains("`ssm:UpdateInstanceInformation`"),
        "{message}"
    );
    assert!(
        !message.contains("ssmmessages"),
        "names an action it grants: {message}"
    );
    assert!(findings(&dir.join("pass/session-channels-with-managed-core.yaml")).is_empty());
}

/// Chosen and documented: the corrected tutorial's only gap, `s3:GetEncryptionConfiguration`
/// on the bucket for Run Command output, is a scope gap of `s3:*` on `bucket/*` that
/// `resource-scope-mismatch` reports at the statement, so this rule stays silent; and the
/// template's text names only SSM, so `lambda-invoke` is not inferred.
#[test]
fn tutorial_corrected_template_is_left_to_resource_scope_mismatch() {
    let path = root().join("fixtures/tutorial/policy-corrected.yaml");
    assert!(findings(&path).is_empty());
    let text = std::fs::read_to_string(&path).unwrap();
    let report = check_template(
        SourceFile::new("policy-corrected.yaml", text.clone()),
        &settings(&[RULE, "resource-scope-mismatch"]),
    );
    let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(rules, ["resource-scope-mismatch"]);
    // Without the `s3:*` statement nothing names the bucket actions, and this rule reports
    // both Run Command output actions on the bucket the parameter describes.
    let cut = text
        .find(
            "               - Effect: Allow\n                 Action:\n                   - 's3:*'",
        )
        .unwrap();
    let end = text.find("    Outputs:").unwrap();
    let without_s3 = format!("{}{}", &text[..cut], &text[end..]);
    let report = check_template(
        SourceFile::new("no-s3.yaml", without_s3),
        &settings(&[RULE]),
    );
    assert_eq!(report.diagnostics.len(), 1);
    let d = &report.diagnostics[0];
    assert_eq!(
        d.message,
        "`pclusterSSM` is meant for Run Command output written to an S3 bucket \
         (`ssm-run-command-output-s3`) but does not grant `s3:PutObject` on \
         `arn:${AWS::Partition}:s3:::${S3Bucket}/*` and `s3:GetEncryptionConfiguration` on \
         `arn:${AWS::Partition}:s3:::${S3Bucket}`"
    );
    let help = d.help.as_deref().unwrap();
    assert!(
        help.contains("Resource: !Sub 'arn:${AWS::Partition}:s3:::${S3Bucket}/*'"),
        "{help}"
    );
    assert!(help.contains("    - s3:GetEncryptionConfiguration\n  Resource: !Sub 'arn:${AWS::Partition}:s3:::${S3Bucket}'"), "{help}");
}

type Expected = (&'static str, usize, usize, Severity, &'static str);

/// Every fixture of the rule and of each pack, with its exact findings (line, column,
/// severity, a distinctive part of the message). Fixtures not listed must not exist.
const EXPECTED: &[Expected] = &[
    ("missing-required-actions/fail/session-channels-without-registration.yaml", 18, 13, Severity::Warning,
     "`InstanceRole` is meant for Session Manager sessions to the instance (`ssm-session-manager`) but does not grant `ssm:UpdateInstanceInformation` on `*`"),
    ("missing-required-actions/fail/declared-on-policy.yaml", 23, 9, Severity::Error,
     "`NodeRole` is meant for Session Manager sessions to the instance (`ssm-session-manager`) but does not grant `ssmmessages:CreateDataChannel` and `ssmmessages:OpenDataChannel` on `*`"),
    ("missing-required-actions/fail/declared-purpose-unknown.yaml", 7, 20, Severity::Error,
     "unknown purpose `ssm-managed-instanse`"),
    ("packs/ssm-managed-instance/fail/copied-core-policy-missing-five.yaml", 18, 13, Severity::Warning,
     "`InstanceRole` is meant for an SSM managed node (the Systems Manager agent on an instance) (`ssm-managed-instance`) but does not grant `ssm:GetManifest`, `ssm:PutInventory`, `ssm:PutComplianceItems`, `ec2messages:FailMessage` and `ec2messages:SendReply` on `*`"),
    ("packs/ssm-session-manager/fail/encrypted-sessions-without-decrypt.yaml", 18, 13, Severity::Warning,
     "`InstanceRole` is meant for Session Manager sessions to the instance (`ssm-session-manager`) but does not grant `kms:Decrypt` on `arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${SessionKey}`"),
    ("packs/ssm-run-command-output-s3/fail/no-output-bucket-access.yaml", 24, 13, Severity::Warning,
     "`InstanceRole` is meant for Run Command output written to an S3 bucket (`ssm-run-command-output-s3`) but does not grant `s3:PutObject` on `arn:${AWS::Partition}:s3:::${OutputBucket}/*` and `s3:GetEncryptionConfiguration` on `arn:${AWS::Partition}:s3:::${OutputBucket}`"),
    ("packs/lambda-invoke/fail/unqualified-arn-only.yaml", 21, 13, Severity::Error,
     "`InstanceRole` is meant for invoking a Lambda function (`lambda-invoke`) but does not grant `lambda:InvokeFunction` on `arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Worker}:*`"),
    ("packs/lambda-invoke/fail/no-invoke.yaml", 21, 13, Severity::Error,
     "`InstanceRole` is meant for invoking a Lambda function (`lambda-invoke`) but does not grant `lambda:InvokeFunction` on `arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Worker}` and `lambda:InvokeFunction` on `arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Worker}:*`"),
    ("packs/cloudwatch-agent/fail/copied-agent-policy-missing-three.yaml", 18, 13, Severity::Warning,
     "`InstanceRole` is meant for the CloudWatch agent on the instance (`cloudwatch-agent`) but does not grant `ec2:DescribeTags` and `logs:PutRetentionPolicy` on `*` and `ssm:GetParameter` on `arn:${AWS::Partition}:ssm:*:*:parameter/AmazonCloudWatch-*`"),
];

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(yaml_files(&p));
        } else if p.extension().is_some_and(|x| x == "yaml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_has_exactly_its_findings() {
    let fixtures = root().join("fixtures");
    let mut files = yaml_files(&fixtures.join("missing-required-actions"));
    files.extend(yaml_files(&fixtures.join("packs")));
    for file in &files {
        let rel = file
            .strip_prefix(&fixtures)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let expected: Vec<(usize, usize, Severity, String)> = EXPECTED
            .iter()
            .filter(|e| e.0 == rel)
            .map(|e| (e.1, e.2, e.3, e.4.to_string()))
            .collect();
        assert_eq!(
            rel.contains("/fail/"),
            !expected.is_empty(),
            "{rel}: fail fixtures and only they have findings"
        );
        assert_eq!(findings(file), expected, "{rel}");
    }
    for e in EXPECTED {
        assert!(
            files.iter().any(|f| f.ends_with(e.0)),
            "missing fixture {}",
            e.0
        );
    }
}

#[test]
fn every_pack_has_pass_and_fail_fixtures_and_docs() {
    let readme = std::fs::read_to_string(root().join("rules/README.md")).unwrap();
    assert!(readme.contains("## Purpose packs"));
    for pack in PackSet::embedded().packs() {
        let dir = root().join("fixtures/packs").join(&pack.name);
        assert!(
            !yaml_files(&dir.join("pass")).is_empty(),
            "{}: no pass fixture",
            pack.name
        );
        assert!(
            !yaml_files(&dir.join("fail")).is_empty(),
            "{}: no fail fixture",
            pack.name
        );
        assert!(
            readme.contains(&format!("`{}`", pack.name)),
            "{}: not in rules/README.md",
            pack.name
        );
    }
}

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

const CONSUMER: &str = "\
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  ConsumerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: consume
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: sqs:ReceiveMessage
                Resource: !GetAtt Jobs.Arn
";

#[test]
fn user_packs_are_loaded_validated_and_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sqs-consumer.yaml"), USER_PACK).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a pack").unwrap();
    let packs = load_dir(dir.path()).unwrap();
    assert_eq!(packs.len(), 1);
    let set = PackSet::with_dirs(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(set.packs().len(), PackSet::embedded().packs().len() + 1);

    let source = SourceFile::new("consumer.yaml", CONSUMER.to_string());
    let document = cfn_policy_lint::yaml::parse(&source.text, &Default::default()).expect("parses");
    let template = Template::from_document(&document);
    let ctx = FileContext::new(&source, Some(&document), Some(&template), false);
    let mut out = Vec::new();
    check_with(&set, &ctx, &mut out);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(
        out[0].message,
        "`ConsumerRole` is meant for consuming an SQS queue (`sqs-consumer`) but does not grant \
         `sqs:DeleteMessage` and `sqs:GetQueueAttributes` on \
         `arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs}`"
    );
    // The embedded set alone knows no such purpose.
    let mut none = Vec::new();
    check_with(PackSet::embedded(), &ctx, &mut none);
    assert!(none.is_empty());
}

#[test]
fn invalid_user_packs_are_rejected_with_their_path() {
    let cases = [
        (
            USER_PACK.replace("title:", "titel:"),
            "unknown field `titel`",
        ),
        (
            USER_PACK.replace("sqs:DeleteMessage", "sqs:Delete*"),
            "must be one action",
        ),
        (
            USER_PACK.replace("${Queue}", "${Queeu}"),
            "not a declared variable",
        ),
        (
            USER_PACK.replace("name: sqs-consumer", "name: SQS Consumer"),
            "not kebab-case",
        ),
        (
            USER_PACK.replace("requires:", "satisfied-by: [NoSuchPolicy]\nrequires:"),
            "not an AWS managed policy",
        ),
    ];
    for (text, expected) in cases {
        let err = Pack::parse("mine.yaml", &text).unwrap_err();
        assert_eq!(err.path, "mine.yaml");
        assert!(
            err.message.contains(expected),
            "{expected}: {}",
            err.message
        );
    }
    assert!(load_dir(Path::new("/nonexistent/packs")).is_err());
}

#[test]
fn cli_packs_flag_rejects_a_missing_folder() {
    let env = cfn_policy_lint::cli::Environment {
        stdout_is_terminal: false,
        no_color: true,
        dumb_terminal: false,
        columns: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cfn_policy_lint::cli::run_with(
        [
            "cfn-policy-lint",
            "check",
            "--packs",
            "/nonexistent/packs",
            "fixtures/tutorial",
        ],
        &env,
        std::io::empty(),
        &mut out,
        &mut err,
    );
    assert_eq!(code, 2);
    let err = String::from_utf8(err).unwrap();
    assert!(err.contains("/nonexistent/packs"), "{err}");
}

/// Every hit over the corpus was reviewed (see the note in rules/README.md): the three roles
/// that attach the deprecated AmazonEC2RoleforSSM, which lacks `ssm:GetParameter`.
#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn corpus_hits_are_the_reviewed_ones() {
    let corpus = common::corpus();
    let list =
        std::fs::read_to_string(corpus.join("iam-templates.txt")).expect("the corpus's list");
    let mut hits = Vec::new();
    for rel in list.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(text) = std::fs::read_to_string(corpus.join(rel)) else {
            continue;
        };
        let report = check_template(SourceFile::new(rel, text), &settings(&[RULE]));
        for d in report.diagnostics.iter().filter(|d| d.rule == RULE) {
            hits.push(format!("{rel}: {}", d.message));
        }
    }
    let mut expected: Vec<String> = [
        "aws-cloudformation-templates/Solutions/EC2DomainJoin/EC2-Domain-Join.json",
        "aws-cloudformation-templates/Solutions/EC2DomainJoin/EC2-Domain-Join.yaml",
        "awslabs-aws-cloudformation-templates/aws/solutions/EC2DomainJoin/EC2-Domain-Join.json",
    ]
    .iter()
    .map(|p| {
        format!(
            "{p}: `myEC2SSMRole` attaches the deprecated AWS managed policy `AmazonEC2RoleforSSM` \
             for an SSM managed node (the Systems Manager agent on an instance) \
             (`ssm-managed-instance`)"
        )
    })
    .collect();
    // Wiring findings, each reviewed (docs/precision.md, "Wiring"): Lambda functions in a VPC
    // whose role has no network-interface actions (CloudFormation refuses to create them), and
    // functions with active tracing whose role cannot send traces.
    let vpc = |p: &str, f: &str, r: &str| {
        format!(
            "{p}: `{f}`: the function is attached to a VPC, but its role `{r}` is not allowed \
             `ec2:CreateNetworkInterface`, `ec2:DescribeNetworkInterfaces` and \
             `ec2:DeleteNetworkInterface` (on any resource)"
        )
    };
    let tracing = |p: &str, f: &str, r: &str| {
        format!(
            "{p}: `{f}`: the function sends traces to X-Ray (active tracing), but its role `{r}` \
             is not allowed `xray:PutTraceSegments` and `xray:PutTelemetryRecords` (on any resource)"
        )
    };
    let supply = "aws-cloudformation-templates/AWSSupplyChain/SapPrivateLink/SapPrivateLink";
    for suffix in [".json", ".yaml", "NoHostedZone.json", "NoHostedZone.yaml"] {
        expected.push(vpc(
            &format!("{supply}{suffix}"),
            "ASCPrivateLinkLambdaFunction",
            "ASCPrivateLinkLambdaRole",
        ));
    }
    let directory = "aws-cloudformation-templates/Solutions/DirectoryServiceSettings/templates/DIRECTORY_SETTINGS.cfn";
    for suffix in [".json", ".yaml"] {
        expected.push(vpc(
            &format!("{directory}{suffix}"),
            "DirectorySettingsLambdaFunction",
            "DirectorySettingsLambdaRole",
        ));
    }
    let ad = "aws-parallelcluster/develop/cloudformation/ad/ad-integration.yaml";
    for (f, r) in [
        ("PrepLambda", "PrepRole"),
        ("PostLambda", "PostRole"),
        (
            "DomainCertificateSetupLambda",
            "DomainCertificateSetupLambdaRole",
        ),
        ("CleanupLambda", "CleanupLambdaRole"),
    ] {
        expected.push(tracing(ad, f, r));
    }
    for p in [
        "aws-parallelcluster/develop/cloudformation/storage/storage-stack.yaml",
        "aws-parallelcluster/develop/tests/integration-tests/resources/file-cache-storage-cfn.yaml",
    ] {
        expected.push(tracing(
            p,
            "CreateDeleteFileCacheLambda",
            "FileCacheLambdaRole",
        ));
    }
    // SAM translator outputs whose functions name a role with no CloudFormation Logs actions
    // (warnings: the functions run, without logs).
    let sam = "serverless-application-model/tests/translator/output/";
    for partition in ["", "aws-cn/", "aws-us-gov/"] {
        for (file, f, r) in [
            (
                "embedded_connectors_function_to.json",
                "MyLambdaFunction",
                "MyRole",
            ),
            (
                "embedded_connectors_table_to_function.json",
                "MyLambdaFunction",
                "MyRole",
            ),
            (
                "function_with_deployment_and_custom_role.json",
                "FunctionWithRole",
                "DeploymentRole",
            ),
        ] {
            expected.push(format!(
                "{sam}{partition}{file}: `{f}`: the function writes its logs to its CloudWatch \
                 Logs group, but its role `{r}` is not allowed `logs:CreateLogStream` and \
                 `logs:PutLogEvents` on \
                 `arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/aws/lambda/${{{f}}}*`"
            ));
        }
    }
    hits.sort();
    expected.sort();
    assert_eq!(hits, expected);
}

/// Purposes declared in the configuration file, by logical id, are checked like declared ones.
#[test]
fn purposes_declared_in_the_configuration_are_checked_as_errors() {
    let dir = tempfile::tempdir().unwrap();
    let template = r#"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  NodeRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: channels
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: ssm:GetParameter
                Resource: !Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/*
"#;
    std::fs::write(dir.path().join("template.yaml"), template).unwrap();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_cfn-policy-lint"))
            .args(["check", "--format", "concise", "template.yaml"])
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    // Nothing suggests Session Manager: no finding without a declaration.
    let quiet = run();
    assert_eq!(quiet.status.code(), Some(0));
    assert!(quiet.stdout.is_empty());
    std::fs::write(
        dir.path().join(".cfn-policy-lint.yaml"),
        "rules:\n  missing-required-actions:\n    purposes:\n      NodeRole: [ssm-session-manager]\n",
    )
    .unwrap();
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("template.yaml:16:13: error[P001 missing-required-actions]"),
        "{stdout}"
    );
    assert!(
        lines[0].contains("`ssm:UpdateInstanceInformation`"),
        "{stdout}"
    );
}

/// A managed policy whose document is chosen by `Fn::If` is one principal, reported once (as
/// it was before principals were indexed), not once per branch: the first branch's document
/// stands for it.
#[test]
fn a_policy_with_one_document_per_branch_is_one_principal() {
    let text = "\
AWSTemplateFormatVersion: '2010-09-09'
Conditions:
  Big: !Equals [!Ref 'AWS::Region', us-east-1]
Resources:
  NodePolicy:
    Type: AWS::IAM::ManagedPolicy
    Metadata:
      cfn-policy-lint:
        purposes: [ssm-session-manager]
    Properties:
      PolicyDocument: !If
        - Big
        - Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Action: ssm:UpdateInstanceInformation
              Resource: '*'
        - Version: '2012-10-17'
          Statement:
            - Effect: Allow
              Action: ssmmessages:CreateControlChannel
              Resource: '*'
";
    let report = check_template(SourceFile::new("t.yaml", text), &settings(&[RULE]));
    let found: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule == RULE)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("`NodePolicy` is meant for Session Manager"),
        "{}",
        found[0]
    );
}

/// Issue 12, item 9: an SSM Automation assume role is no managed node; a Default Host
/// Management Configuration role is one that needs nothing more; a role with the deprecated
/// `AmazonEC2RoleforSSM` is told to switch, not what it lacks.
#[test]
fn ssm_roles_that_are_not_nodes_or_use_other_policies_are_judged_as_what_they_are() {
    let role = |trust: &str, managed: &str| {
        format!(
            r#"AWSTemplateFormatVersion: '2010-09-09'
Resources:
  NodeRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Service: {trust}}}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${{AWS::Partition}}:iam::aws:policy/{managed}
      Policies:
        - PolicyName: channels
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action:
                  - ssmmessages:CreateControlChannel
                  - ssmmessages:CreateDataChannel
                  - ssmmessages:OpenControlChannel
                  - ssmmessages:OpenDataChannel
                Resource: '*'
"#
        )
    };
    let findings = |text: String| -> Vec<String> {
        check_template(SourceFile::new("t.yaml", text), &settings(&[RULE]))
            .diagnostics
            .iter()
            .filter(|d| d.rule == RULE)
            .map(|d| d.message.clone())
            .collect()
    };
    // The same channels on an EC2 role with no SSM managed policy: the purpose is inferred.
    assert!(!findings(role("ec2.amazonaws.com", "ReadOnlyAccess")).is_empty());
    assert_eq!(
        findings(role(
            "ssm.amazonaws.com",
            "service-role/AmazonSSMAutomationRole"
        )),
        Vec::<String>::new()
    );
    assert_eq!(
        findings(role(
            "ec2.amazonaws.com",
            "AmazonSSMManagedEC2InstanceDefaultPolicy"
        )),
        Vec::<String>::new()
    );
    let deprecated = findings(role(
        "ec2.amazonaws.com",
        "service-role/AmazonEC2RoleforSSM",
    ));
    assert_eq!(deprecated.len(), 1, "{deprecated:?}");
    assert!(deprecated[0].contains("deprecated AWS managed policy `AmazonEC2RoleforSSM`"));
}

//! Wirings of `missing-required-actions` (P001): every embedded wiring against its fixtures
//! (`fixtures/wiring/<name>/{fail,pass}`), and what must stay silent because this program
//! cannot know the answer (a role or a resource given as a parameter, an import, a value under
//! `Fn::If`, a policy it cannot read, a resource policy that may grant the role directly).

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::diagnostic::{Diagnostic, Severity};
use cfn_policy_lint::purpose::wiring::{WiringSet, WiringSeverity};
use cfn_policy_lint::rules::Selection;
use cfn_policy_lint::source::SourceFile;
use std::path::{Path, PathBuf};

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

/// One finding of the rule, as a test looks at it.
#[derive(Debug)]
struct Found {
    severity: Severity,
    message: String,
    help: String,
    /// Line and column of the primary span.
    at: (usize, usize),
    /// The text under the primary span.
    text: String,
    labels: Vec<String>,
}

fn run(name: &str, text: &str, rules: &[&str]) -> Vec<(String, Found)> {
    let report = check_template(
        SourceFile::new(name.to_string(), text.to_string()),
        &settings(rules),
    );
    let source = &report.source;
    report
        .diagnostics
        .iter()
        .map(|d: &Diagnostic| {
            let p = source.position(d.span.start);
            (
                d.rule.to_string(),
                Found {
                    severity: d.severity,
                    message: d.message.clone(),
                    help: d.help.clone().unwrap_or_default(),
                    at: (p.line, p.column),
                    text: source
                        .text
                        .get(d.span.start..d.span.end)
                        .unwrap_or_default()
                        .to_string(),
                    labels: d.labels.iter().map(|l| l.message.clone()).collect(),
                },
            )
        })
        .collect()
}

/// The findings of `missing-required-actions` alone.
fn p001(text: &str) -> Vec<Found> {
    run("inline.yaml", text, &[RULE])
        .into_iter()
        .map(|(_, f)| f)
        .collect()
}

/// The findings of the wiring `name` among `found`.
fn of_wiring<'f>(found: &'f [Found], name: &str) -> Vec<&'f Found> {
    let tag = format!("wiring `{name}`");
    found.iter().filter(|f| f.help.contains(&tag)).collect()
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_wiring_fires_on_its_fail_fixture_with_its_severity_and_not_on_its_pass_fixture() {
    let mut problems = Vec::new();
    let wirings = WiringSet::embedded().wirings();
    assert!(wirings.len() >= 40, "{} wirings", wirings.len());
    for w in wirings {
        let dir = root().join("fixtures/wiring").join(&w.name);
        let expected = match w.severity {
            WiringSeverity::Error => Severity::Error,
            WiringSeverity::Warning => Severity::Warning,
        };
        let fails = yaml_files(&dir.join("fail"));
        let passes = yaml_files(&dir.join("pass"));
        if fails.is_empty() || passes.is_empty() {
            problems.push(format!("{}: no fail or no pass fixture", w.name));
        }
        for file in &fails {
            let text = std::fs::read_to_string(file).expect("fixture is readable");
            let found = p001(&text);
            let mine = of_wiring(&found, &w.name);
            if mine.is_empty() {
                problems.push(format!(
                    "{}: fail fixture has no finding of it: {found:#?}",
                    w.name
                ));
            }
            for f in mine {
                if f.severity != expected {
                    problems.push(format!(
                        "{}: severity {:?}, the wiring says {expected:?}",
                        w.name, f.severity
                    ));
                }
                if !f.help.contains(&w.docs) {
                    problems.push(format!("{}: the help does not link {}", w.name, w.docs));
                }
            }
        }
        for file in &passes {
            let text = std::fs::read_to_string(file).expect("fixture is readable");
            // Every rule, not just this one: a pass fixture is a template without a fault.
            let found = run(&file.display().to_string(), &text, &[]);
            if !found.is_empty() {
                problems.push(format!("{}: pass fixture has findings {found:#?}", w.name));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The requirement-style findings point at the wiring property and label the role.
#[test]
fn a_wiring_finding_points_at_the_wiring_and_labels_the_role_and_the_near_grant() {
    let text = std::fs::read_to_string(
        root().join("fixtures/wiring/lambda-sqs-event-source/fail/template.yaml"),
    )
    .unwrap();
    let found = p001(&text);
    let [f] = &found[..] else {
        panic!("one finding expected: {found:#?}")
    };
    // The value of `EventSourceArn` (the span of a tagged scalar starts after its tag).
    assert_eq!((f.at, f.text.as_str()), ((43, 31), "OrdersQueue.Arn"));
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message
            .starts_with("`WorkerQueueMapping`: the function polls an SQS queue")
            && f.message.contains("its role `WorkerRole` is not allowed")
            && f.message.ends_with("on `OrdersQueue`"),
        "{}",
        f.message
    );
    assert!(
        f.labels.contains(&"the role `WorkerRole`".to_string()),
        "{:?}",
        f.labels
    );
    assert!(
        f.labels
            .iter()
            .any(|l| l.ends_with("granted on `OldQueue`, not on `OrdersQueue`")),
        "{:?}",
        f.labels
    );
    assert!(
        f.help.starts_with(
            "add to the role's policy:\n- Effect: Allow\n  Action:\n    - sqs:ReceiveMessage\n    - sqs:DeleteMessage\n    - sqs:GetQueueAttributes\n  Resource: !GetAtt OrdersQueue.Arn\n"
        ),
        "{}",
        f.help
    );
    assert!(
        f.help.contains("AWSLambdaSQSQueueExecutionRole"),
        "{}",
        f.help
    );
}

// ---------------------------------------------------------------------------------------------
// Unknown is silent. Each case changes one thing of `BASE`, which is a finding.

/// A function polls `OrdersQueue` through an event source mapping; its role may only write logs.
const BASE: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  QueueArn: {Type: String}
  RoleArn: {Type: String}
  UseOther: {Type: String, AllowedValues: ['yes', 'no'], Default: 'no'}
Conditions:
  Other: !Equals [!Ref UseOther, 'yes']
Resources:
  OrdersQueue:
    Type: AWS::SQS::Queue
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
      Policies:
        - PolicyName: queue
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !GetAtt OrdersQueue.Arn
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt WorkerRole.Arn
      Code:
        ZipFile: 'def handler(event, context): return None'
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt OrdersQueue.Arn
      FunctionName: !Ref Worker
"#;

/// `BASE` with `from` replaced by `to` (which must occur).
fn variant(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "BASE has no {from:?}");
    BASE.replacen(from, to, 1)
}

fn sqs_findings(text: &str) -> Vec<Found> {
    p001(text)
        .into_iter()
        .filter(|f| f.help.contains("wiring `lambda-sqs-event-source`"))
        .collect()
}

#[track_caller]
fn assert_silent(text: &str) {
    let found = sqs_findings(text);
    assert!(found.is_empty(), "expected silence, got {found:#?}");
}

#[test]
fn the_base_of_the_silence_tests_is_a_finding() {
    let found = sqs_findings(BASE);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("`sqs:ReceiveMessage`"),
        "{}",
        found[0].message
    );
    assert!(
        !found[0].message.contains("sqs:SendMessage"),
        "{}",
        found[0].message
    );
}

#[test]
fn a_role_given_as_a_parameter_arn_is_silent() {
    assert_silent(&variant(
        "      Role: !GetAtt WorkerRole.Arn",
        "      Role: !Ref RoleArn",
    ));
}

#[test]
fn a_queue_given_as_a_parameter_arn_is_silent() {
    assert_silent(&variant(
        "      EventSourceArn: !GetAtt OrdersQueue.Arn",
        "      EventSourceArn: !Ref QueueArn",
    ));
}

#[test]
fn an_imported_queue_is_silent() {
    assert_silent(&variant(
        "      EventSourceArn: !GetAtt OrdersQueue.Arn",
        "      EventSourceArn: !ImportValue shared-orders-queue-arn",
    ));
}

#[test]
fn a_role_under_fn_if_is_silent() {
    assert_silent(&variant(
        "      Role: !GetAtt WorkerRole.Arn",
        "      Role: !If [Other, !Ref RoleArn, !GetAtt WorkerRole.Arn]",
    ));
}

#[test]
fn a_role_granting_every_sqs_action_on_everything_is_silent() {
    assert_silent(&variant(
        "                Action: sqs:SendMessage\n                Resource: !GetAtt OrdersQueue.Arn",
        "                Action: sqs:*\n                Resource: '*'",
    ));
}

#[test]
fn a_role_with_a_customer_managed_policy_arn_is_silent() {
    // The customer managed policy may grant anything: this program cannot read it.
    assert_silent(&variant(
        "        - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "        - !Sub arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n        - !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/team/queue-consumers",
    ));
}

#[test]
fn a_role_allowed_every_action_is_silent() {
    assert_silent(&variant(
        "                Action: sqs:SendMessage\n                Resource: !GetAtt OrdersQueue.Arn",
        "                Action: '*'\n                Resource: '*'",
    ));
}

#[test]
fn a_queue_whose_policy_grants_the_role_directly_is_silent() {
    assert_silent(&variant(
        "  WorkerRole:\n",
        r#"  OrdersQueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref OrdersQueue]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {AWS: !GetAtt WorkerRole.Arn}
            Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
            Resource: !GetAtt OrdersQueue.Arn
  WorkerRole:
"#,
    ));
}

#[test]
fn a_sam_function_with_a_generated_role_and_an_sqs_event_is_silent() {
    // SAM adds AWSLambdaSQSQueueExecutionRole to the role it generates for an SQS event.
    let text = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  OrdersQueue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: 'def handler(event, context): return None'
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt OrdersQueue.Arn
"#;
    let found = p001(text);
    assert!(found.is_empty(), "{found:#?}");
}

/// `BASE` whose role is allowed everything on the queue but denied `sqs:DeleteMessage`,
/// the Deny carrying `condition` (YAML lines at the statement's indentation) if any.
fn with_deny(condition: &str) -> String {
    variant(
        "                Action: sqs:SendMessage\n                Resource: !GetAtt OrdersQueue.Arn\n",
        &format!(
            "                Action: sqs:*\n                Resource: !GetAtt OrdersQueue.Arn\n              - Effect: Deny\n                Action: sqs:DeleteMessage\n                Resource: !GetAtt OrdersQueue.Arn\n{condition}"
        ),
    )
}

#[test]
fn a_deny_without_a_condition_removes_the_grant() {
    let found = sqs_findings(&with_deny(""));
    let [f] = &found[..] else {
        panic!("one finding expected: {found:#?}")
    };
    assert!(
        f.message
            .contains("not allowed `sqs:DeleteMessage` on `OrdersQueue`"),
        "{}",
        f.message
    );
    assert!(!f.message.contains("sqs:ReceiveMessage"), "{}", f.message);
    assert!(
        f.labels
            .iter()
            .any(|l| l == "this Deny removes `sqs:DeleteMessage`"),
        "{:?}",
        f.labels
    );
}

#[test]
fn a_deny_with_a_condition_is_silent() {
    // Whether the condition holds at run time is unknown.
    assert_silent(&with_deny(
        "                Condition:\n                  StringNotEquals:\n                    aws:SourceVpc: vpc-0123456789abcdef0\n",
    ));
}

// ---------------------------------------------------------------------------------------------
// The tutorial: Run Command output to S3 from an instance whose role grants `s3:*` on the
// bucket's objects only.

const TUTORIAL: &str = r#"
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  ImageId:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
Resources:
  S3Bucket:
    Type: AWS::S3::Bucket
  InstanceRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore
      Policies:
        - PolicyName: output
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: s3:*
                Resource: !Sub arn:aws:s3:::${S3Bucket}/*
  InstanceProfile:
    Type: AWS::IAM::InstanceProfile
    Properties:
      Roles: [!Ref InstanceRole]
  Instance:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref ImageId
      InstanceType: t3.micro
      IamInstanceProfile: !Ref InstanceProfile
  Association:
    Type: AWS::SSM::Association
    Properties:
      Name: AWS-RunShellScript
      Targets:
        - Key: InstanceIds
          Values: [!Ref Instance]
      Parameters:
        commands: [uptime]
      OutputLocation:
        S3Location:
          OutputS3BucketName: !Ref S3Bucket
          OutputS3KeyPrefix: run-command/
"#;

#[test]
fn the_tutorial_association_needs_the_bucket_encryption_configuration() {
    let found = p001(TUTORIAL);
    let mine = of_wiring(&found, "ssm-association-output-s3");
    let [f] = &mine[..] else {
        panic!("one finding of ssm-association-output-s3 expected: {found:#?}")
    };
    assert_eq!(f.severity, Severity::Warning);
    // The value of `OutputS3BucketName`.
    assert_eq!(f.text, "S3Bucket");
    assert!(
        f.message.contains("`s3:GetEncryptionConfiguration`"),
        "{}",
        f.message
    );
    // `s3:*` on the objects covers `s3:PutObject`.
    assert!(!f.message.contains("s3:PutObject"), "{}", f.message);
    assert!(
        f.labels.contains(&"the role `InstanceRole`".to_string()),
        "{:?}",
        f.labels
    );
    // With the same statement on the instance given by `InstanceId`, the same.
    let by_id = TUTORIAL.replace(
        "      Targets:\n        - Key: InstanceIds\n          Values: [!Ref Instance]\n",
        "      InstanceId: !Ref Instance\n",
    );
    assert_ne!(by_id, TUTORIAL);
    let found = p001(&by_id);
    assert_eq!(
        of_wiring(&found, "ssm-association-output-s3").len(),
        1,
        "{found:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Known bugs of the engine: each test states the behaviour expected.

#[test]
fn a_parameter_arn_spelled_with_the_partition_variable_is_recognised() {
    let text = std::fs::read_to_string(
        root().join("fixtures/wiring/ecs-parameter-store/fail/template.yaml"),
    )
    .unwrap()
    .replace(
        "ValueFrom: arn:aws:ssm:eu-west-1:111122223333:parameter/orders/db-host",
        "ValueFrom: !Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/orders/db-host",
    );
    assert!(text.contains("${AWS::Partition}:ssm:"));
    let found = p001(&text);
    assert_eq!(
        of_wiring(&found, "ecs-parameter-store").len(),
        1,
        "{found:#?}"
    );
}

#[test]
fn a_deny_only_queue_policy_does_not_silence_the_wiring() {
    let text = variant(
        "  WorkerRole:\n",
        r#"  OrdersQueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref OrdersQueue]
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Deny
            Principal: '*'
            Action: sqs:*
            Resource: !GetAtt OrdersQueue.Arn
            Condition:
              Bool: {aws:SecureTransport: 'false'}
  WorkerRole:
"#,
    );
    assert_eq!(sqs_findings(&text).len(), 1);
}

#[test]
fn actions_on_star_and_on_a_resource_are_told_apart_in_the_message() {
    let text = std::fs::read_to_string(
        root().join("fixtures/wiring/codebuild-ecr-image/fail/template.yaml"),
    )
    .unwrap();
    let found = p001(&text);
    let [f] = &found[..] else {
        panic!("one finding expected: {found:#?}")
    };
    assert!(
        !f.message
            .contains("`ecr:GetAuthorizationToken` and `ecr:BatchGetImage` and"),
        "{}",
        f.message
    );
}

#[test]
fn an_sqs_integration_that_receives_is_not_asked_to_send() {
    let text = r#"
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  OrdersQueue:
    Type: AWS::SQS::Queue
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: apigateway.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: receive
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: sqs:ReceiveMessage
                Resource: !GetAtt OrdersQueue.Arn
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: orders
  GetOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: GET
      AuthorizationType: AWS_IAM
      Integration:
        Type: AWS
        IntegrationHttpMethod: POST
        Credentials: !GetAtt ApiRole.Arn
        Uri: !Sub arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${OrdersQueue.QueueName}
        RequestParameters:
          integration.request.querystring.Action: "'ReceiveMessage'"
"#;
    let found = p001(text);
    assert!(
        of_wiring(&found, "apigateway-sqs-integration").is_empty(),
        "{found:#?}"
    );
}

#[test]
fn a_built_in_eventbridge_target_is_not_an_event_bus() {
    let text = r#"
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  VolumeId: {Type: String}
Resources:
  SnapshotRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: events.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: snapshot
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: ec2:CreateSnapshot
                Resource: '*'
  SnapshotRule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Id: snapshot
          Arn: !Sub arn:aws:events:${AWS::Region}:${AWS::AccountId}:target/create-snapshot
          RoleArn: !GetAtt SnapshotRole.Arn
          Input: !Sub '"${VolumeId}"'
"#;
    let found = p001(text);
    assert!(
        of_wiring(&found, "eventbridge-target").is_empty(),
        "{found:#?}"
    );
}

#[test]
fn a_sam_connector_grants_its_source_role() {
    let text = r#"
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Rule:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 hour)
      Targets:
        - Id: machine
          Arn: !Ref Machine
          RoleArn: !GetAtt RuleRole.Arn
  RuleRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: events.amazonaws.com}
            Action: sts:AssumeRole
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Done
        States:
          Done: {Type: Succeed}
  RuleToMachine:
    Type: AWS::Serverless::Connector
    Properties:
      Source:
        Id: Rule
      Destination:
        Id: Machine
      Permissions: [Write]
"#;
    let found = p001(text);
    assert!(
        of_wiring(&found, "eventbridge-target").is_empty(),
        "{found:#?}"
    ); // The connector is expanded, not just a reason to say nothing: without it, the same rule
       // role is reported.
    let without = &text[..text.find("  RuleToMachine:").expect("connector")];
    let found = p001(without);
    assert_eq!(
        of_wiring(&found, "eventbridge-target").len(),
        1,
        "{found:#?}"
    );
}

#[test]
fn a_role_or_queue_of_a_nested_stack_is_silent() {
    let nested = "  Shared:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: https://example.com/shared.yaml\n";
    let role = variant(
        "      Role: !GetAtt WorkerRole.Arn",
        "      Role: !GetAtt Shared.Outputs.WorkerRoleArn",
    );
    assert_silent(&role.replacen("Resources:\n", &format!("Resources:\n{nested}"), 1));
    let queue = variant(
        "      EventSourceArn: !GetAtt OrdersQueue.Arn",
        "      EventSourceArn: !GetAtt Shared.Outputs.QueueArn",
    );
    assert_silent(&queue.replacen("Resources:\n", &format!("Resources:\n{nested}"), 1));
}

#[test]
fn an_association_targeting_instances_by_tag_judges_their_one_role() {
    let text = std::fs::read_to_string(
        root().join("fixtures/wiring/ssm-association-tag-target/fail/template.yaml"),
    )
    .expect("fixture");
    assert_eq!(
        of_wiring(&p001(&text), "ssm-association-tag-target").len(),
        1
    );
    // Another tag value selects no instance of the template: unknown.
    let other = text.replace("Values: [web]", "Values: [db]");
    assert!(of_wiring(&p001(&other), "ssm-association-tag-target").is_empty());
}

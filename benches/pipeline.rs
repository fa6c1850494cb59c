//! Each stage of the per-file pipeline on a ~1 MB template at CloudFormation's limits (500
//! resources, 200 parameters, 145 inline policies of ~6,144 characters), and the whole shared
//! corpus (when `../shared/corpus` is present) checked and rendered single-threaded; and a
//! template of 200 wired resources (`wired_*`), where `missing-required-actions` follows every
//! event source mapping, VPC function, task definition and rule target to its role.
//! Run with `cargo bench --bench pipeline` (`-- wired` for the wiring cases only); divan prints
//! MB/s per stage.

use cfn_policy_lint::check::{check_template, FileReport, Settings};
use cfn_policy_lint::render::{render, Format, RenderOptions};
use cfn_policy_lint::rules::{registry, FileContext};
use cfn_policy_lint::source::SourceFile;
use cfn_policy_lint::template::Template;
use cfn_policy_lint::yaml::{parse, ParseOptions};
use divan::counter::BytesCount;
use divan::Bencher;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

const SERVICES: [&str; 6] = ["s3", "ec2", "ssm", "logs", "sqs", "kms"];
const VERBS: [&str; 5] = ["Get", "Put", "List", "Describe", "Delete"];
const NOUNS: [&str; 5] = ["Object", "Bucket", "Parameter", "Queue", "Key"];

/// The same shape as `scripts/gen-stress.py template`, built in-process so the bench needs no
/// Python. Deterministic.
fn stress() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut t = String::from(
            "AWSTemplateFormatVersion: '2010-09-09'\nDescription: stress\nParameters:\n  BucketName:\n    Type: String\n",
        );
        for p in 0..199 {
            let _ = write!(
                t,
                "  Param{p}:\n    Type: String\n    Default: value-{p}\n    Description: parameter {p}\n"
            );
        }
        t.push_str("Resources:\n");
        let mut k = 0usize;
        for r in 0..145 {
            let _ = write!(
                t,
                "  Role{r}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {{Service: lambda.amazonaws.com}}\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: !Sub '${{AWS::StackName}}-{r}'\n          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n"
            );
            let policy_start = t.len();
            let mut s = 0;
            while t.len() - policy_start < 6144 {
                let _ = write!(
                    t,
                    "              - Sid: Statement{s}\n                Effect: Allow\n                Action:\n"
                );
                for _ in 0..6 {
                    k += 1;
                    let _ = writeln!(
                        t,
                        "                  - {}:{}{}",
                        SERVICES[k % 6],
                        VERBS[k % 5],
                        NOUNS[(k / 5) % 5]
                    );
                }
                let _ = write!(
                    t,
                    "                Resource:\n                  - !Sub 'arn:${{AWS::Partition}}:s3:::${{BucketName}}-{s}/*'\n                Condition:\n                  StringEquals:\n                    aws:RequestedRegion: !Ref AWS::Region\n"
                );
                s += 1;
            }
        }
        for q in 0..355 {
            let _ = write!(
                t,
                "  Queue{q}:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${{AWS::StackName}}-{q}-${{Param{}}}'\n",
                q % 199
            );
        }
        t
    })
}

fn corpus() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let Ok(list) = std::fs::read_to_string(dir.join("templates.txt")) else {
            return Vec::new();
        };
        list.lines()
            .filter_map(|rel| {
                let text = std::fs::read_to_string(dir.join(rel)).ok()?;
                Some((rel.to_string(), text))
            })
            .collect()
    })
}

fn corpus_bytes() -> usize {
    corpus().iter().map(|(_, t)| t.len()).sum()
}

#[divan::bench]
fn stress_1_parse(bencher: Bencher) {
    let text = stress();
    let opts = ParseOptions::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| parse(divan::black_box(text), &opts).is_ok());
}

#[divan::bench]
fn stress_2_template_model(bencher: Bencher) {
    let text = stress();
    let doc = parse(text, &ParseOptions::default()).expect("the stress template parses");
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        Template::from_document(divan::black_box(&doc))
            .resources
            .len()
    });
}

#[divan::bench]
fn stress_3_rules(bencher: Bencher) {
    let text = stress();
    let source = SourceFile::new("stress.yaml", text);
    let doc = parse(text, &ParseOptions::default()).expect("the stress template parses");
    let template = Template::from_document(&doc);
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        // A fresh context each time: the policies it extracts on first use are part of the cost.
        let ctx = FileContext::new(&source, Some(&doc), Some(&template), false);
        let mut out = Vec::new();
        for rule in registry() {
            rule.check(&ctx, &mut out);
        }
        out.len()
    });
}

/// The whole per-file pipeline: the number to hold against the 20 MB/s target.
#[divan::bench]
fn stress_4_check(bencher: Bencher) {
    let text = stress();
    let settings = Settings::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .with_inputs(|| SourceFile::new("stress.yaml", text))
        .bench_local_values(|source| check_template(source, &settings).diagnostics.len());
}

fn corpus_reports() -> Vec<FileReport> {
    let settings = Settings::default();
    corpus()
        .iter()
        .map(|(path, text)| {
            check_template(SourceFile::new(path.as_str(), text.as_str()), &settings)
        })
        .collect()
}

/// Every corpus template checked one after another (no rayon): parse+lint throughput.
#[divan::bench(sample_count = 10)]
fn corpus_check(bencher: Bencher) {
    if corpus().is_empty() {
        return bencher.bench(|| ());
    }
    bencher
        .counter(BytesCount::new(corpus_bytes()))
        .bench(|| corpus_reports().len());
}

#[divan::bench(args = [Format::Json, Format::Concise, Format::Github, Format::Human], sample_count = 10)]
fn corpus_render(bencher: Bencher, format: Format) {
    let reports = corpus_reports();
    let opts = RenderOptions::default();
    bencher.bench(|| {
        let mut out = Vec::with_capacity(1 << 20);
        render(format, &reports, &opts, &mut out).expect("writing to a Vec");
        out.len()
    });
}

/// Wired resources per kind in [`wired`]: 4 kinds, so 200 wired resources.
const WIRED_EACH: usize = 50;

/// A template of 200 wired resources, the shapes `missing-required-actions` follows: 50 SQS
/// event source mappings, 50 functions in a VPC with active tracing, 50 ECS task definitions
/// pulling an ECR image with awslogs and a secret, and 50 EventBridge rules delivering to a
/// Kinesis stream with a role. Every other role grants what its wirings need; the rest lack
/// one action each, so both the allowed and the missing paths are timed. Deterministic.
fn wired() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut t = String::from(
            "AWSTemplateFormatVersion: '2010-09-09'\nDescription: wired\nParameters:\n  SubnetId:\n    Type: AWS::EC2::Subnet::Id\n  SecurityGroupId:\n    Type: AWS::EC2::SecurityGroup::Id\nResources:\n",
        );
        let role = |t: &mut String, id: &str, service: &str, statements: &[(&str, String)]| {
            let _ = write!(
                t,
                "  {id}:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {{Service: {service}.amazonaws.com}}\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: wired\n          PolicyDocument:\n            Version: '2012-10-17'\n            Statement:\n"
            );
            for (actions, resource) in statements {
                let _ = write!(
                    t,
                    "              - Effect: Allow\n                Action: [{actions}]\n                Resource: {resource}\n"
                );
            }
        };
        for i in 0..WIRED_EACH {
            let full = i % 2 == 0;
            // An SQS queue read by a function in a VPC, through an event source mapping.
            let _ = write!(
                t,
                "  Queue{i}:\n    Type: AWS::SQS::Queue\n  Function{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      Role: !GetAtt FunctionRole{i}.Arn\n      Code:\n        ZipFile: 'def handler(event, context): return None'\n      TracingConfig:\n        Mode: Active\n      VpcConfig:\n        SubnetIds: [!Ref SubnetId]\n        SecurityGroupIds: [!Ref SecurityGroupId]\n  Mapping{i}:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      EventSourceArn: !GetAtt Queue{i}.Arn\n      FunctionName: !Ref Function{i}\n      BatchSize: 10\n"
            );
            let sqs = if full {
                "sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes"
            } else {
                "sqs:ReceiveMessage, sqs:DeleteMessage"
            };
            role(
                &mut t,
                &format!("FunctionRole{i}"),
                "lambda",
                &[
                    (sqs, format!("!GetAtt Queue{i}.Arn")),
                    (
                        if full {
                            "ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DeleteNetworkInterface, xray:PutTraceSegments, xray:PutTelemetryRecords"
                        } else {
                            "ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DeleteNetworkInterface, xray:PutTraceSegments"
                        },
                        "'*'".into(),
                    ),
                    (
                        "logs:CreateLogStream, logs:PutLogEvents",
                        "!Sub 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*'".into(),
                    ),
                ],
            );
            // A task definition pulling an ECR image, logging to CloudWatch, reading a secret.
            let _ = write!(
                t,
                "  Secret{i}:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      GenerateSecretString: {{}}\n  Task{i}:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Family: app-{i}\n      ExecutionRoleArn: !GetAtt ExecutionRole{i}.Arn\n      ContainerDefinitions:\n        - Name: app\n          Image: !Sub '${{AWS::AccountId}}.dkr.ecr.${{AWS::Region}}.amazonaws.com/app-{i}:latest'\n          LogConfiguration:\n            LogDriver: awslogs\n            Options:\n              awslogs-group: /ecs/app-{i}\n              awslogs-region: !Ref AWS::Region\n              awslogs-stream-prefix: app\n          Secrets:\n            - Name: TOKEN\n              ValueFrom: !Ref Secret{i}\n"
            );
            role(
                &mut t,
                &format!("ExecutionRole{i}"),
                "ecs-tasks",
                &[
                    ("ecr:GetAuthorizationToken", "'*'".into()),
                    (
                        "ecr:BatchGetImage, ecr:GetDownloadUrlForLayer",
                        format!("!Sub 'arn:${{AWS::Partition}}:ecr:${{AWS::Region}}:${{AWS::AccountId}}:repository/app-{i}'"),
                    ),
                    (
                        "logs:CreateLogStream, logs:PutLogEvents",
                        format!("!Sub 'arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}:log-group:/ecs/app-{i}:*'"),
                    ),
                    (
                        if full { "secretsmanager:GetSecretValue" } else { "secretsmanager:DescribeSecret" },
                        format!("!Ref Secret{i}"),
                    ),
                ],
            );
            // An EventBridge rule delivering to a Kinesis stream with a role.
            let _ = write!(
                t,
                "  Stream{i}:\n    Type: AWS::Kinesis::Stream\n    Properties:\n      ShardCount: 1\n  Rule{i}:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: rate(5 minutes)\n      Targets:\n        - Id: stream\n          Arn: !GetAtt Stream{i}.Arn\n          RoleArn: !GetAtt RuleRole{i}.Arn\n"
            );
            role(
                &mut t,
                &format!("RuleRole{i}"),
                "events",
                &[(
                    if full { "kinesis:PutRecord" } else { "kinesis:PutRecords" },
                    format!("!GetAtt Stream{i}.Arn"),
                )],
            );
        }
        t
    })
}

/// The missing-required-actions findings of the wired template: what the benches below time.
fn wired_findings() -> usize {
    check_template(SourceFile::new("wired.yaml", wired()), &Settings::default())
        .diagnostics
        .iter()
        .filter(|d| d.rule == "missing-required-actions")
        .count()
}

/// The wiring rule alone on the 200 wired resources (the principals and their policies are
/// extracted afresh each time, as in a run).
#[divan::bench]
fn wired_1_rule(bencher: Bencher) {
    // The template must exercise the wirings: one finding per wired resource whose role lacks
    // an action (the odd-numbered half of each kind).
    assert_eq!(
        wired_findings(),
        4 * WIRED_EACH / 2,
        "the wired template's findings"
    );
    let text = wired();
    let source = SourceFile::new("wired.yaml", text);
    let doc = parse(text, &ParseOptions::default()).expect("the wired template parses");
    let template = Template::from_document(&doc);
    let rule = registry()
        .iter()
        .find(|r| r.meta().name == "missing-required-actions")
        .expect("the rule is registered");
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let ctx = FileContext::new(&source, Some(&doc), Some(&template), false);
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        out.len()
    });
}

/// The full check of the 200 wired resources: parse, model, every rule.
#[divan::bench]
fn wired_2_check(bencher: Bencher) {
    let text = wired();
    let settings = Settings::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .with_inputs(|| SourceFile::new("wired.yaml", text))
        .bench_local_values(|source| check_template(source, &settings).diagnostics.len());
}

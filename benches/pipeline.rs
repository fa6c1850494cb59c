//! Each stage of the per-file pipeline on a ~1 MB template at CloudFormation's limits (500
//! resources, 200 parameters, 145 inline policies of ~6,144 characters), and the whole shared
//! corpus (when `../shared/corpus` is present) checked and rendered single-threaded.
//! Run with `cargo bench --bench pipeline`; divan prints MB/s per stage.

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

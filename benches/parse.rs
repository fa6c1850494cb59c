//! Parse and parse+lint throughput on a generated ~1 MB template and on the largest corpus
//! template (when `../shared/corpus` is present), and the two YAML readers side by side: the fast
//! reader that `yaml::parse` tries first and the general (granit-parser) one it falls back to.
//! Run with `cargo bench --bench parse`.

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::source::SourceFile;
use cfn_policy_lint::yaml::{parse, parse_fast, parse_general, ParseOptions};
use divan::counter::BytesCount;
use divan::Bencher;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// A template shaped like real ones: roles with inline policies, buckets, functions with `!Sub`
/// and `!GetAtt`, comments, block scalars, flow lists.
fn generated() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut t = String::from(
            "AWSTemplateFormatVersion: '2010-09-09'\nDescription: generated benchmark template\n\
             Parameters:\n  Env:\n    Type: String\n    AllowedValues: [dev, prod]\nResources:\n",
        );
        let mut i = 0;
        while t.len() < 1_000_000 {
            let _ = write!(
                t,
                r#"  # role {i} for the worker
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Service: [lambda.amazonaws.com]}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: !Sub '${{AWS::StackName}}-policy-{i}'
          PolicyDocument:
            Version: 2012-10-17
            Statement:
              - Sid: ReadBucket{i}
                Effect: Allow
                Action:
                  - s3:GetObject
                  - s3:ListBucket
                Resource:
                  - !GetAtt Bucket{i}.Arn
                  - !Sub '${{Bucket{i}.Arn}}/*'
              - Effect: Allow
                Action: ["ssm:GetParameter", "ssm:GetParameters"]
                Resource: !Sub 'arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/app/{i}/*'
                Condition:
                  StringEquals:
                    aws:RequestedRegion: !Ref AWS::Region
  Bucket{i}:
    Type: AWS::S3::Bucket
    DeletionPolicy: Retain
    Properties:
      BucketName: !Sub "app-${{Env}}-{i}-${{AWS::AccountId}}"
      VersioningConfiguration:
        Status: Enabled
      Tags:
        - Key: index
          Value: "{i}"
  Function{i}:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role{i}.Arn
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return {{"bucket": os.environ["BUCKET"], "n": {i}}}
      Environment:
        Variables:
          BUCKET: !Ref Bucket{i}
"#
            );
            i += 1;
        }
        t
    })
}

/// The largest template of the corpus, if the corpus is there.
fn largest_corpus_file() -> Option<&'static (String, String)> {
    static FILE: OnceLock<Option<(String, String)>> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let list = std::fs::read_to_string(dir.join("valid-templates.txt")).ok()?;
        let rel = list
            .lines()
            .max_by_key(|rel| std::fs::metadata(dir.join(rel)).map_or(0, |m| m.len()))?;
        let text = std::fs::read_to_string(dir.join(rel)).ok()?;
        Some((rel.to_string(), text))
    })
    .as_ref()
}

fn bench_parse(bencher: Bencher, text: &str) {
    let opts = ParseOptions::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| parse(divan::black_box(text), &opts).is_ok());
}

fn bench_check(bencher: Bencher, path: &str, text: &str) {
    let settings = Settings::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .with_inputs(|| SourceFile::new(path, text))
        .bench_local_values(|source| check_template(source, &settings).diagnostics.len());
}

#[divan::bench]
fn parse_generated(bencher: Bencher) {
    let text = generated();
    // What this measures is the fast reader; a generator change that pushed the template out of
    // its subset would quietly measure the fallback instead.
    assert!(parse_fast(text, &ParseOptions::default()).is_some());
    bench_parse(bencher, text);
}

#[divan::bench]
fn check_generated(bencher: Bencher) {
    bench_check(bencher, "generated.yaml", generated());
}

#[divan::bench]
fn parse_largest_corpus_file(bencher: Bencher) {
    match largest_corpus_file() {
        Some((_, text)) => bench_parse(bencher, text),
        None => bencher.bench(|| ()),
    }
}

#[divan::bench]
fn check_largest_corpus_file(bencher: Bencher) {
    match largest_corpus_file() {
        Some((path, text)) => bench_check(bencher, path, text),
        None => bencher.bench(|| ()),
    }
}

/// The general parser on the same text, as `yaml::parse` read it before the fast reader.
#[divan::bench]
fn parse_general_generated(bencher: Bencher) {
    let text = generated();
    let opts = ParseOptions::default();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| parse_general(divan::black_box(text), &opts).is_ok());
}

/// granit-parser's event stream alone: the floor under `parse_general_generated`.
#[divan::bench]
fn granit_events_generated(bencher: Bencher) {
    let text = generated();
    bencher.counter(BytesCount::new(text.len())).bench(|| {
        let options = granit_parser::options! { emit_anchor_events: true };
        granit_parser::Parser::new_from_str_with_options(divan::black_box(text), options).count()
    });
}

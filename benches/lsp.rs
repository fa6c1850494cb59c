//! The language server's latency as an editor sees it: requests over JSON-RPC to the release
//! binary (`cfn-policy-lint lsp`), on a generated template of about 100 KB (roles with inline
//! policies, buckets, queues and the references between them). Each sample is one request and
//! its response, or one change and the diagnostics it brings, serialisation and the pipe
//! included.
//!
//! Targets (issue 16): hover and completion answer within 20 ms, diagnostics arrive within
//! 50 ms of a change. Hover and completion on resource types and properties read the embedded
//! resource schemas; `schema_first_lookup` measures what decoding a type's schema for the first
//! time costs, `completion_resource_type_first` the first completion of `Type:`.
//!
//! Run with `cargo bench --bench lsp`.

use divan::Bencher;
use serde_json::{json, Value};
use std::path::Path;

#[path = "../tests/common/lsp_client.rs"]
#[allow(dead_code)]
mod lsp_client;

use lsp_client::{position, Client};

fn main() {
    divan::main();
}

const BINARY: &str = env!("CARGO_BIN_EXE_cfn-policy-lint");
const URI: &str = "file:///bench/template.yaml";

/// A template of about `bytes` bytes; what the benchmarks point at is in its last role.
fn template(bytes: usize) -> String {
    let mut out = String::from(
        "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Stage:\n    Type: String\n    Default: dev\nResources:\n",
    );
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&format!(
            "  Bucket{i}:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${{Stage}}-data-{i}'
  Queue{i}:
    Type: AWS::SQS::Queue
    DependsOn: Bucket{i}
  Role{i}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: worker-{i}
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action:
                  - s3:GetObject
                  - 's3:Get*'
                  - s3:PutObject
                Resource: !Sub '${{Bucket{i}.Arn}}/*'
                Condition:
                  StringEquals:
                    aws:PrincipalAccount: !Ref AWS::AccountId
              - Effect: Allow
                Action: [sqs:SendMessage, sqs:ReceiveMessage]
                Resource: !GetAtt Queue{i}.Arn
"
        ));
        i += 1;
    }
    out
}

/// A server with the template open and checked once; the text and the offset of the last
/// occurrence of `needle` plus `plus`.
fn server(needle: &str, plus: usize) -> (Client, String, usize) {
    let text = template(100 * 1024);
    let offset = text.rfind(needle).expect("the needle") + plus;
    let mut client = Client::start(BINARY, Path::new("."));
    client.initialize();
    client.open(URI, "yaml", 1, &text);
    client.diagnostics(URI, 1);
    (client, text, offset)
}

fn at(text: &str, offset: usize) -> Value {
    json!({"textDocument": {"uri": URI}, "position": position(text, offset)})
}

/// Time one request at the last `needle` (plus `plus` bytes) until its response, which must
/// satisfy `answered`.
fn bench_request(
    bencher: Bencher,
    method: &str,
    needle: &str,
    plus: usize,
    answered: fn(&Value) -> bool,
) {
    let (mut client, text, offset) = server(needle, plus);
    let params = at(&text, offset);
    bencher.bench_local(|| {
        let r = client.request(method, params.clone());
        assert!(answered(&r["result"]), "{r}");
    });
    client.shutdown();
}

fn has_markdown(result: &Value) -> bool {
    result["contents"]["value"].is_string()
}

fn has_items(result: &Value) -> bool {
    result.as_array().is_some_and(|a| !a.is_empty())
}

#[divan::bench(sample_count = 200)]
fn hover_action(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/hover",
        "s3:GetObject",
        4,
        has_markdown,
    );
}

#[divan::bench(sample_count = 200)]
fn hover_pattern(bencher: Bencher) {
    bench_request(bencher, "textDocument/hover", "s3:Get*", 4, has_markdown);
}

#[divan::bench(sample_count = 200)]
fn hover_condition_key(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/hover",
        "aws:PrincipalAccount",
        4,
        has_markdown,
    );
}

/// At the end of `s3:Get` in `s3:GetObject`: the S3 actions starting with `Get`.
#[divan::bench(sample_count = 200)]
fn completion_action(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/completion",
        "s3:GetObject",
        6,
        has_items,
    );
}

#[divan::bench(sample_count = 200)]
fn completion_ref(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/completion",
        "!Ref AWS::AccountId",
        5,
        has_items,
    );
}

#[divan::bench(sample_count = 200)]
fn definition(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/definition",
        "DependsOn: Bucket",
        12,
        |r| r["range"].is_object(),
    );
}

/// On the last `Type: AWS::S3::Bucket`: the type's description from the embedded schemas.
#[divan::bench(sample_count = 200)]
fn hover_resource_type(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/hover",
        "Type: AWS::S3::Bucket",
        10,
        has_markdown,
    );
}

/// On the last `BucketName` key: the property's description, type and reference.
#[divan::bench(sample_count = 200)]
fn hover_property(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/hover",
        "BucketName: !Sub",
        3,
        has_markdown,
    );
}

/// After `Type: AWS::S3::Buc`: the S3 types starting so, each described.
#[divan::bench(sample_count = 200)]
fn completion_resource_type(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/completion",
        "Type: AWS::S3::Bucket",
        18,
        has_items,
    );
}

/// After `Buc` of the last `BucketName` key: the bucket's properties starting so.
#[divan::bench(sample_count = 200)]
fn completion_property(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/completion",
        "BucketName: !Sub",
        3,
        has_items,
    );
}

/// On an empty line under a function's `Properties`, nothing typed: the text is read again
/// with a key there, and every property not written is offered.
#[divan::bench(sample_count = 100)]
fn completion_property_empty_line(bencher: Bencher) {
    let mut text = template(100 * 1024);
    text.push_str("  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: {ZipFile: x}\n      \n");
    let offset = text.len() - 1;
    let mut client = Client::start(BINARY, Path::new("."));
    client.initialize();
    client.open(URI, "yaml", 1, &text);
    client.diagnostics(URI, 1);
    let params = at(&text, offset);
    bencher.bench_local(|| {
        let r = client.request("textDocument/completion", params.clone());
        assert!(r["result"][0]["label"] == "Role", "{r}");
    });
    client.shutdown();
}

/// After the dot of the last `!GetAtt QueueN.Arn`: the queue's attributes.
#[divan::bench(sample_count = 200)]
fn completion_attribute(bencher: Bencher) {
    bench_request(bencher, "textDocument/completion", ".Arn\n", 1, has_items);
}

/// After `Type: AWS::` (in the last `AWS::S3::Bucket`): too many types match, so their
/// namespaces (`AWS::S3::`…), about 270.
#[divan::bench(sample_count = 100)]
fn completion_resource_type_namespaces(bencher: Bencher) {
    bench_request(
        bencher,
        "textDocument/completion",
        "Type: AWS::S3::Bucket",
        11,
        |r| r["items"].as_array().is_some_and(|a| a.len() > 200),
    );
}

/// After `Type: AWS::EC2::`, first in a fresh server (the template checked): 124 types, each
/// described, the descriptions inflated on this first use. Each sample has a server of its
/// own, started outside the timing.
#[divan::bench(sample_count = 10)]
fn completion_resource_type_first(bencher: Bencher) {
    let mut text = template(100 * 1024);
    text.push_str("  Vpc:\n    Type: AWS::EC2::VPC\n");
    let offset = text.rfind("Type: AWS::EC2::VPC").expect("the VPC") + 16;
    bencher
        .with_inputs(|| {
            let mut client = Client::start(BINARY, Path::new("."));
            client.initialize();
            client.open(URI, "yaml", 1, &text);
            client.diagnostics(URI, 1);
            client
        })
        .bench_local_values(|mut client| {
            let r = client.request("textDocument/completion", at(&text, offset));
            let items = r["result"].as_array().expect("a list");
            assert!(items.len() > 100, "{r}");
            client
        });
}

/// After `Type: AWS::S3::` at the end of the template, as it is typed: the text does not parse
/// there (the colon before the line end reads as a mapping), so it is read again with a letter
/// after the cursor.
#[divan::bench(sample_count = 100)]
fn completion_resource_type_while_typing(bencher: Bencher) {
    let mut text = template(100 * 1024);
    text.push_str("  Typed:\n    Type: AWS::S3::\n");
    let offset = text.len() - 1;
    let mut client = Client::start(BINARY, Path::new("."));
    client.initialize();
    client.open(URI, "yaml", 1, &text);
    client.diagnostics(URI, 1);
    let params = at(&text, offset);
    bencher.bench_local(|| {
        let r = client.request("textDocument/completion", params.clone());
        assert!(has_items(&r["result"]), "{r}");
    });
    client.shutdown();
}

/// The first lookup of a resource type: its schema inflated and parsed (what a hover or
/// completion pays when the check of the document has not already done it). Each sample is a
/// type not looked up before, in name order; the slowest is one of the largest schemas.
#[divan::bench(sample_count = 1500, sample_size = 1)]
fn schema_first_lookup(bencher: Bencher) {
    let catalog = cfn_policy_lint::schema::catalog();
    let mut names = catalog.type_names();
    bencher.bench_local(|| {
        let name = names.next().expect("a type not looked up yet");
        assert!(catalog.get(name).is_some());
    });
}

/// Completion while typing: each sample sends a change (so the server must read the new text)
/// and then asks; the time is until the completion arrives.
#[divan::bench(sample_count = 100)]
fn completion_after_change(bencher: Bencher) {
    let (mut client, text, offset) = server("s3:GetObject", 6);
    let params = at(&text, offset);
    let mut version = 1;
    bencher.bench_local(|| {
        version += 1;
        client.change(URI, version, &format!("{text}# {version}\n"));
        let r = client.request("textDocument/completion", params.clone());
        assert!(r["result"].as_array().is_some_and(|a| !a.is_empty()));
    });
    client.shutdown();
}

/// From sending a change to receiving the diagnostics of that version.
#[divan::bench(sample_count = 100)]
fn diagnostics_after_change(bencher: Bencher) {
    let (mut client, text, _) = server("s3:GetObject", 0);
    let mut version = 1;
    bencher.bench_local(|| {
        version += 1;
        client.change(URI, version, &format!("{text}# {version}\n"));
        client.diagnostics(URI, version);
    });
    client.shutdown();
}

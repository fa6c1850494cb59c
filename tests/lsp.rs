//! The language server through real JSON-RPC exchanges over the binary's stdio: diagnostics
//! with UTF-16 ranges (every tab-indented line marked), quick fixes, hover, completion, go to
//! definition and find references, and the skipping of versions a newer change superseded.
//! Every read is bounded by a timeout.

mod common;

use common::lsp_client::{change_message, position, Client};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_cfn-policy-lint");

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(path).unwrap()
}

fn range(d: &Value) -> [u64; 4] {
    let r = &d["range"];
    [
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    ]
}

/// A temporary folder (canonical, so that `file://` URIs match) and a document URI in it.
fn workspace(file: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().canonicalize().unwrap();
    let uri = format!("file://{}/{file}", path.display());
    (dir, uri)
}

/// A server started in a temporary folder, initialized, with `text` open as `file` there.
fn session(file: &str, text: &str) -> (tempfile::TempDir, String, Client) {
    let (dir, uri) = workspace(file);
    let mut client = Client::start(BINARY, dir.path());
    client.initialize();
    client.open(&uri, "yaml", 1, text);
    (dir, uri, client)
}

#[test]
fn language_server_exchange() {
    let tabbed = fixture("fixtures/tutorial/policy.yaml");
    let corrected = fixture("fixtures/tutorial/policy-corrected.yaml");
    let (dir, uri) = workspace("policy.yaml");
    // The configuration next to the document is honoured.
    std::fs::write(
        dir.path().join(".cfn-policy-lint.yaml"),
        "severity: {tab-indentation: warning}\n",
    )
    .unwrap();

    let mut client = Client::start(BINARY, dir.path());
    let caps = client.initialize();
    assert_eq!(caps["textDocumentSync"]["change"], 1, "full sync");
    assert!(caps["codeActionProvider"].is_object());
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["referencesProvider"], true);
    assert!(caps["completionProvider"]["triggerCharacters"]
        .as_array()
        .unwrap()
        .contains(&json!(":")));

    client.open(&uri, "yaml", 1, &tabbed);
    let diags = client.diagnostics(&uri, 1);
    let of = |code: &str| -> Vec<&Value> { diags.iter().filter(|d| d["code"] == code).collect() };
    let tabs = of("Y002");
    let misplaced = of("Y003");
    // Every line with a tab in its indentation is marked, on its tabs.
    let tabbed_lines: BTreeSet<u64> = tabbed
        .lines()
        .enumerate()
        .filter(|(_, l)| l[..l.len() - l.trim_start().len()].contains('\t'))
        .map(|(i, _)| i as u64)
        .collect();
    let marked: BTreeSet<u64> = tabs.iter().map(|d| range(d)[0]).collect();
    assert_eq!(marked, tabbed_lines);
    assert_eq!(tabs.len(), tabbed_lines.len(), "one diagnostic per line");
    for d in &tabs {
        let [line, start, end_line, end] = range(d);
        let text = tabbed.lines().nth(line as usize).unwrap();
        assert_eq!(end_line, line);
        assert!(text[start as usize..end as usize]
            .chars()
            .all(|c| c == '\t'));
    }
    // The run's first lines (5, 10, 52) carry the finding; each line of a run points at it.
    let run_of_39 = tabs.iter().find(|d| range(d)[0] == 29).unwrap();
    assert!(run_of_39["message"]
        .as_str()
        .unwrap()
        .starts_with("tab characters in the indentation of 39 lines (10–49)"));
    let related = &run_of_39["relatedInformation"][0];
    assert_eq!(related["message"], "one finding for lines 10–49");
    assert_eq!(related["location"]["range"]["start"]["line"], 9);
    assert_eq!(related["location"]["range"]["end"]["line"], 48);
    assert!(
        tabs.iter().all(|d| d["severity"] == 2),
        "configured as warning"
    );
    assert!(tabs.iter().all(|d| d["source"] == "cfn-policy-lint"));
    // `Resource` (line 45, after a tab and a space) and `Outputs` (line 50, column 6).
    assert_eq!(range(misplaced[0]), [44, 2, 44, 10]);
    assert_eq!(range(misplaced[1]), [49, 5, 49, 12]);
    assert_eq!(misplaced[0]["severity"], 1);
    assert!(misplaced[0]["message"]
        .as_str()
        .unwrap()
        .contains("\nhelp: indent `Resource`"));
    let related = &misplaced[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri.as_str());
    assert_eq!(related["location"]["range"]["start"]["line"], 17);

    // A quick fix on a line in the middle of the run: its edits expand the tabs of lines 10–49.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": run_of_39["range"],
            "context": {"diagnostics": [run_of_39]},
        }),
    );
    let actions = actions["result"].as_array().unwrap();
    let quick = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("a quick fix");
    let edits = quick["edit"]["changes"][uri.as_str()].as_array().unwrap();
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 9, "character": 0})
    );
    assert!(edits[0]["newText"]
        .as_str()
        .unwrap()
        .starts_with("        "));
    let fix_all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll")
        .expect("a fix-all action");
    let whole = &fix_all["edit"]["changes"][uri.as_str()][0]["newText"];
    assert!(!whole.as_str().unwrap().contains('\t'));

    client.change(&uri, 2, &corrected);
    let diags = client.diagnostics(&uri, 2);
    assert!(
        diags
            .iter()
            .all(|d| d["code"] != "Y002" && d["code"] != "Y003"),
        "{diags:#?}"
    );
    client.shutdown();
}

#[test]
fn hover_explains_actions_patterns_and_findings() {
    let text = fixture("fixtures/tutorial/policy-corrected.yaml");
    let (_dir, uri, mut client) = session("policy.yaml", &text);
    client.diagnostics(&uri, 1);
    let mut hover = |offset: usize| {
        let r = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position(&text, offset)}),
        );
        r["result"].clone()
    };
    let at = text.find("ssm:GetParameter'").unwrap() + 5;
    let result = hover(at);
    let value = result["contents"]["value"].as_str().unwrap();
    assert_eq!(result["contents"]["kind"], "markdown");
    assert!(
        value.starts_with("**`ssm:GetParameter`** — AWS Systems Manager (`ssm`)"),
        "{value}"
    );
    assert!(value.contains("Access level: **Read**"), "{value}");
    assert!(value.contains("- `parameter`"), "{value}");
    assert!(value.contains("list_awssystemsmanager.html"), "{value}");
    // The range is the action, without its quotes.
    let start = text.find("ssm:GetParameter'").unwrap();
    assert_eq!(result["range"]["start"], position(&text, start));
    assert_eq!(result["range"]["end"], position(&text, start + 16));

    // `s3:*` carries two warnings and matches every S3 action.
    let result = hover(text.find("'s3:*'").unwrap() + 2);
    let value = result["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("**I024 `resource-scope-mismatch`** (warning)"),
        "{value}"
    );
    assert!(
        value.contains("**I025 `service-wildcard-action`** (warning)"),
        "{value}"
    );
    assert!(
        value.contains("`s3:*` matches **180** actions of Amazon S3 (`s3`)"),
        "{value}"
    );
    // Nothing to say about a description.
    assert!(hover(text.find("Choose an existing").unwrap()).is_null());
    client.shutdown();
}

#[test]
fn completion_offers_actions_operators_keys_and_names() {
    let text = "\
Parameters:
  BucketName: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref Buck
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action:
                  - ssm:GetParam
                Resource: '*'
                Condition:
                  StringEq
";
    let (_dir, uri, mut client) = session("template.yaml", text);
    let mut complete = |after: &str| {
        let offset = text.find(after).unwrap() + after.len();
        let r = client.request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": position(text, offset)}),
        );
        r["result"].as_array().unwrap().clone()
    };
    let items = complete("ssm:GetParam");
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "ssm:GetParameter",
            "ssm:GetParameterHistory",
            "ssm:GetParameters",
            "ssm:GetParametersByPath"
        ]
    );
    assert_eq!(items[0]["detail"], "Read");
    // The edit replaces the whole typed word, `ssm:` included.
    let start = text.find("ssm:GetParam").unwrap();
    assert_eq!(
        items[0]["textEdit"]["range"]["start"],
        position(text, start)
    );
    assert_eq!(items[0]["textEdit"]["newText"], "ssm:GetParameter");

    let items = complete("StringEq");
    assert!(items.iter().any(|i| i["label"] == "StringEqualsIfExists"));

    let items = complete("!Ref Buck");
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["BucketName", "Bucket"]);
    client.shutdown();
}

#[test]
fn definition_and_references_follow_template_names() {
    let text = "\
Parameters:
  Stage: {Type: String}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Queue:
    Type: AWS::SQS::Queue
    DependsOn: Bucket
    Properties:
      QueueName: !Sub '${Stage}-${Bucket}'
Outputs:
  Arn:
    Value: !GetAtt Bucket.Arn
";
    let (_dir, uri, mut client) = session("template.yaml", text);
    let at = |needle: &str, plus: usize| position(text, text.find(needle).unwrap() + plus);
    let r = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": at("${Bucket}", 4)}),
    );
    assert_eq!(r["result"]["uri"], uri.as_str());
    assert_eq!(r["result"]["range"]["start"], at("Bucket:", 0));
    assert_eq!(r["result"]["range"]["end"], at("Bucket:", 6));
    let r = client.request(
        "textDocument/references",
        json!({
            "textDocument": {"uri": uri},
            "position": at("!GetAtt Bucket", 10),
            "context": {"includeDeclaration": true},
        }),
    );
    let starts: Vec<Value> = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"].clone())
        .collect();
    assert_eq!(
        starts,
        [
            at("Bucket:", 0),
            at("DependsOn: Bucket", 11),
            at("${Bucket}", 2),
            at("!GetAtt Bucket", 8),
        ]
    );
    // A pseudo parameter or plain text leads nowhere.
    let r = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": at("AWS::SQS", 2)}),
    );
    assert!(r["result"].is_null(), "{r}");
    client.shutdown();
}

/// What the embedded resource schemas say, through hover and completion: a resource type's
/// description and reference page, a property's description, type and whether it is required,
/// and the resource types, property names (not those already written) and `!GetAtt`
/// attributes as they are typed.
#[test]
fn resource_schemas_describe_and_complete_types_properties_and_attributes() {
    let catalog = cfn_policy_lint::schema::catalog();
    let bucket = catalog.get("AWS::S3::Bucket").unwrap();
    let text = "\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: data
      LoggingConfiguration:
        DestinationBucketName: logs
Outputs:
  Arn:
    Value: !GetAtt Bucket.Arn
";
    let (_dir, uri, mut client) = session("template.yaml", text);
    let mut version = 1;
    // Each case is a text with `|` where the cursor is; the result of `method` there.
    let mut ask = |method: &str, with_cursor: &str| {
        let offset = with_cursor.find('|').unwrap();
        let text = with_cursor.replace('|', "");
        version += 1;
        client.change(&uri, version, &text);
        let r = client.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": position(&text, offset)}),
        );
        r["result"].clone()
    };
    let hover_text = |r: &Value| r["contents"]["value"].as_str().unwrap_or("").to_string();
    let labels = |r: &Value| -> Vec<String> {
        let items = r.as_array().or(r["items"].as_array()).unwrap();
        items
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };

    // Hover on the type: its description, required properties, attributes, reference page.
    let r = ask(
        "textDocument/hover",
        &text.replace("Type: AWS::S3::Bucket", "Type: AWS::S3::Bu|cket"),
    );
    let value = hover_text(&r);
    let description = bucket.description().unwrap();
    assert!(value.starts_with("**`AWS::S3::Bucket`**"), "{value}");
    assert!(value.contains(description), "{value}");
    assert!(value.contains("`Fn::GetAtt` attributes: `Arn`"), "{value}");
    assert!(
        value.contains("(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html)"),
        "{value}"
    );
    let start = text.find("AWS::S3::Bucket").unwrap();
    assert_eq!(r["range"]["start"], position(text, start));
    assert_eq!(r["range"]["end"], position(text, start + 15));

    // Hover on a property, at the top level and nested.
    let value = hover_text(&ask(
        "textDocument/hover",
        &text.replace("BucketName:", "Bucket|Name:"),
    ));
    let name = bucket.describe_property(&["BucketName"]).unwrap();
    assert!(
        value.starts_with("**`BucketName`**: property of `AWS::S3::Bucket`"),
        "{value}"
    );
    assert!(value.contains(name.description.unwrap()), "{value}");
    assert!(value.contains("Type: `string` · Optional"), "{value}");
    assert!(
        value.contains("aws-resource-s3-bucket.html#cfn-s3-bucket-bucketname)"),
        "{value}"
    );
    let value = hover_text(&ask(
        "textDocument/hover",
        &text.replace("DestinationBucketName", "Destination|BucketName"),
    ));
    assert!(
        value.contains("**`LoggingConfiguration.DestinationBucketName`**"),
        "{value}"
    );
    assert!(
        value.contains(
            "The name of the bucket where Amazon S3 should store server access log files."
        ),
        "{value}"
    );
    // Allowed values of an enum, and a required nested property.
    let versioning = text.replace(
        "      BucketName: data\n",
        "      VersioningConfiguration:\n        Status: Enabled\n",
    );
    let value = hover_text(&ask(
        "textDocument/hover",
        &versioning.replace("Status:", "Sta|tus:"),
    ));
    assert!(value.contains("**Required**"), "{value}");
    assert!(
        value.contains("Allowed values: `Enabled`, `Suspended`"),
        "{value}"
    );

    // `Type:` completes from the resource types, each with its description.
    let r = ask(
        "textDocument/completion",
        &text.replace("Type: AWS::S3::Bucket", "Type: AWS::S3::Buc|"),
    );
    let found = labels(&r);
    assert!(found.contains(&"AWS::S3::Bucket".to_string()), "{found:?}");
    assert!(
        found.contains(&"AWS::S3::BucketPolicy".to_string()),
        "{found:?}"
    );
    assert!(
        found.iter().all(|l| l.starts_with("AWS::S3::Buc")),
        "{found:?}"
    );
    let item = r
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "AWS::S3::Bucket")
        .unwrap();
    assert_eq!(item["detail"], description);
    // Too many types match `AWS::`: their namespaces, SAM's included, and the list is
    // incomplete, so the client asks again as more is typed.
    let r = ask(
        "textDocument/completion",
        &text.replace("Type: AWS::S3::Bucket", "Type: AWS::|"),
    );
    assert_eq!(r["isIncomplete"], true, "{r}");
    let found = labels(&r);
    assert!(found.contains(&"AWS::S3::".to_string()), "{found:?}");
    assert!(
        found.contains(&"AWS::Serverless::".to_string()),
        "{found:?}"
    );
    let r = ask(
        "textDocument/completion",
        &text.replace("Type: AWS::S3::Bucket", "Type: AWS::Serverless::|"),
    );
    let found = labels(&r);
    assert!(
        found.contains(&"AWS::Serverless::Function".to_string()),
        "{found:?}"
    );
    let r = ask(
        "textDocument/completion",
        &text.replace("Type: AWS::S3::Bucket", "Type: AWS::EC2::|"),
    );
    let subnet = r
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "AWS::EC2::Subnet")
        .unwrap();
    assert!(subnet["detail"]
        .as_str()
        .unwrap()
        .starts_with("Specifies a subnet"));

    // Property names: those not written yet.
    let r = ask(
        "textDocument/completion",
        &text.replace(
            "      BucketName: data\n",
            "      BucketName: data\n      Bucket|\n",
        ),
    );
    let found = labels(&r);
    assert!(found.contains(&"BucketEncryption".to_string()), "{found:?}");
    assert!(!found.contains(&"BucketName".to_string()), "{found:?}");
    let found = labels(&ask(
        "textDocument/completion",
        &text.replace(
            "      BucketName: data\n",
            "      BucketName: data\n      Ver|\n",
        ),
    ));
    assert_eq!(found, ["VersioningConfiguration"]);
    // Nested, under a property whose schema is a definition.
    let nested = |typed: &str| {
        text.replace(
            "        DestinationBucketName: logs\n",
            &format!("        DestinationBucketName: logs\n        {typed}|\n"),
        )
    };
    let found = labels(&ask("textDocument/completion", &nested("L")));
    assert_eq!(found, ["LogFilePrefix"]);
    let found = labels(&ask("textDocument/completion", &nested("D")));
    assert!(found.is_empty(), "already written: {found:?}");
    // Required properties come first, and say so.
    let function = "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      R|\n";
    let r = ask("textDocument/completion", function);
    let items = r.as_array().unwrap();
    assert_eq!(items[0]["label"], "Role");
    assert!(items[0]["detail"].as_str().unwrap().starts_with("required"));
    let mut sorted: Vec<&str> = items
        .iter()
        .map(|i| i["sortText"].as_str().unwrap())
        .collect();
    sorted.sort_unstable();
    assert_eq!(sorted[0], items[0]["sortText"]);
    assert!(items.iter().any(|i| i["label"] == "Runtime"));
    // On an empty line, nothing typed yet: every property not written, required ones first.
    let function = "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code: {ZipFile: x}\n      |\n";
    let r = ask("textDocument/completion", function);
    let found = labels(&r);
    assert_eq!(found[0], "Role", "{found:?}");
    assert!(!found.contains(&"Code".to_string()), "{found:?}");
    assert!(found.contains(&"Runtime".to_string()), "{found:?}");

    // `!GetAtt` attributes after the dot.
    let r = ask(
        "textDocument/completion",
        &text.replace("!GetAtt Bucket.Arn", "!GetAtt Bucket.|"),
    );
    let found = labels(&r);
    assert!(found.contains(&"Arn".to_string()), "{found:?}");
    assert!(found.contains(&"DomainName".to_string()), "{found:?}");
    let dot = text.find("Bucket.Arn").unwrap() + 7;
    assert_eq!(r[0]["textEdit"]["range"]["start"], position(text, dot));
    client.shutdown();
}

/// A template of about `bytes` bytes that every rule reads but few report on.
fn large_template(bytes: usize) -> String {
    let mut out = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&format!(
            "  Topic{i}:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Sub '${{AWS::StackName}}-topic-{i}'\n      DisplayName: A topic with a reasonably long display name number {i}\n"
        ));
        i += 1;
    }
    out
}

#[test]
fn superseded_versions_are_not_checked() {
    let (dir, uri) = workspace("large.yaml");
    let base = large_template(5 * 1024 * 1024);
    // Each version differs, so none can be mistaken for another.
    let version = |v: i64| format!("{base}# version {v}\n");
    let mut client = Client::start(BINARY, dir.path());
    client.initialize();
    client.open(&uri, "yaml", 1, &version(1));
    client.diagnostics(&uri, 1);
    // One check's time, measured in this run, three times (the slowest counts): from the
    // moment the change is sent to its diagnostics.
    let mut one = Duration::ZERO;
    for v in 2..=4 {
        let message = change_message(&uri, v, &version(v));
        let sent = Instant::now();
        client.send_raw(&message);
        let (arrived, _) = client.diagnostics_at(&uri, v);
        one = one.max(arrived - sent);
    }
    // Ten changes in a row, as fast as the server reads them.
    let burst: Vec<String> = (5..=14)
        .map(|v| change_message(&uri, v, &version(v)))
        .collect();
    for message in &burst {
        client.send_raw(message);
    }
    let last_sent = Instant::now();
    let mut published = Vec::new();
    let last_arrived = loop {
        let (at, m) = client.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        });
        let v = m["params"]["version"].as_i64().unwrap();
        published.push(v);
        if v == 14 {
            break at;
        }
    };
    let latency = last_arrived.saturating_duration_since(last_sent);
    eprintln!("one check: {one:?}; last diagnostics {latency:?} after the last change; checked {published:?}");
    // Without skipping, every one of the ten versions would be checked in turn. With it, the
    // versions that arrive while one is being checked are skipped but the last.
    assert!(published.len() <= 5, "versions checked: {published:?}");
    assert!(
        latency <= one * 2,
        "last diagnostics {latency:?} after the last change; one check takes {one:?} \
         (versions checked: {published:?})"
    );
    client.shutdown();
}

#[test]
fn non_templates_get_no_diagnostics_and_unknown_requests_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(BINARY, dir.path());
    client.initialize();
    let uri = "file:///nowhere/compose.yaml";
    client.open(uri, "yaml", 7, "services:\n\tweb: {}\n");
    assert!(client.diagnostics(uri, 7).is_empty());
    let r = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 2}}),
    );
    assert!(r["result"].is_null(), "{r}");
    let r = client.request("textDocument/formatting", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    client.shutdown();
}

#[test]
fn markdown_pages_get_diagnostics_for_their_code_blocks() {
    let text = fixture("fixtures/tutorial/seed-tutorial.md");
    let (dir, uri) = workspace("page.md");
    let mut client = Client::start(BINARY, dir.path());
    client.initialize();
    client.open(&uri, "markdown", 1, &text);
    let diags = client.diagnostics(&uri, 1);
    let first_tab = diags
        .iter()
        .find(|d| d["code"] == "Y002")
        .expect("a tab finding");
    // Page line 44, after the list item's own tab: the template's first tab.
    assert_eq!(range(first_tab), [43, 1, 43, 2]);
    client.shutdown();
}

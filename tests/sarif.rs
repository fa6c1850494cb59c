//! SARIF and JUnit output as tools read them: SARIF validated against the official SARIF 2.1.0
//! schema, JUnit parsed as XML; also `--output-file` and `--statistics`.

use serde_json::Value;
use std::path::Path;

mod common;
use common::run;

fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    // The published schema's pattern for `language` (of runs and tool components) has a stray
    // `]` that strict regex engines reject when compiling the schema; we never emit
    // `language`, so give it a well-formed equivalent and validate everything else as published.
    let fixed = fix_language_patterns(&mut schema);
    assert!(fixed >= 2, "the schema changed: {fixed} patterns fixed");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .unwrap()
}

fn fix_language_patterns(v: &mut Value) -> usize {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        Value::Object(map) => {
            let mut n = 0;
            for (key, value) in map.iter_mut() {
                if key == "pattern" && value == BROKEN {
                    *value = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
                    n += 1;
                } else {
                    n += fix_language_patterns(value);
                }
            }
            n
        }
        Value::Array(items) => items.iter_mut().map(fix_language_patterns).sum(),
        _ => 0,
    }
}

#[test]
fn sarif_output_is_valid_against_the_schema() {
    let out = run(&["check", "--format", "sarif", "fixtures/"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is strict enough to catch a broken log.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));

    let run0 = &log["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    let tab = rules.iter().find(|r| r["id"] == "tab-indentation").unwrap();
    assert!(tab["shortDescription"]["text"].as_str().unwrap().len() > 10);
    assert!(tab["help"]["markdown"].as_str().unwrap().contains("## Fix"));
    assert_eq!(tab["defaultConfiguration"]["level"], "error");

    // The tutorial's misplaced `Resource` key, at line 45 column 3.
    let results = run0["results"].as_array().unwrap();
    let resource = results
        .iter()
        .find(|r| {
            r["ruleId"] == "inconsistent-indentation"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "fixtures/tutorial/policy.yaml"
                && r["locations"][0]["physicalLocation"]["region"]["startLine"] == 45
        })
        .expect("the Resource finding");
    let region = &resource["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startColumn"], 3);
    assert_eq!(region["endColumn"], 11);
    assert_eq!(
        rules[resource["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "inconsistent-indentation"
    );
    assert_eq!(
        resource["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
        18
    );
    assert_eq!(
        resource["partialFingerprints"]["cfnPolicyLint/v1"]
            .as_str()
            .unwrap()
            .len(),
        16
    );
}

#[test]
fn sarif_for_a_clean_run_is_valid_too() {
    let out = run(&[
        "check",
        "--format",
        "sarif",
        "fixtures/tutorial/policy-corrected.yaml",
    ]);
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(sarif_schema().is_valid(&log));
}

#[test]
fn junit_output_is_well_formed_xml_with_one_failure_per_finding() {
    let out = run(&[
        "check",
        "--format",
        "junit",
        "fixtures/tutorial/",
        "fixtures/duplicate-key/",
    ]);
    let xml = String::from_utf8(out.stdout).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures) = (0, 0, 0);
    let mut failure_texts = Vec::new();
    let mut in_failure = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                match e.name().as_ref() {
                    b"testsuite" => suites += 1,
                    b"testcase" => cases += 1,
                    b"failure" => {
                        failures += 1;
                        in_failure = true;
                    }
                    _ => {}
                }
            }
            quick_xml::events::Event::Text(t) if in_failure => {
                failure_texts.push(t.decode().unwrap().into_owned());
            }
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"failure" => {
                in_failure = false;
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    let json = run(&[
        "check",
        "--format",
        "json",
        "fixtures/tutorial/",
        "fixtures/duplicate-key/",
    ]);
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = v["diagnostics"].as_array().unwrap().len();
    let files = v["summary"]["files"].as_u64().unwrap() as usize;
    assert_eq!(failures, findings);
    assert_eq!(suites, files);
    assert!(cases >= findings);
    // Backticks and quotes from messages survive escaping.
    assert!(
        failure_texts
            .iter()
            .any(|t| t.contains("`Resource` is at column 10")),
        "{failure_texts:?}"
    );
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results.sarif");
    let out = run(&[
        "check",
        "--format",
        "sarif",
        "--output-file",
        file.to_str().unwrap(),
        "fixtures/tutorial/policy.yaml",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "exit code still reflects findings"
    );
    assert!(out.stdout.is_empty());
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn statistics_count_findings_per_rule() {
    let out = run(&["check", "--statistics", "fixtures/tutorial/policy.yaml"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["COUNT", "CODE", "RULE", "SEVERITY"]
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["3", "Y002", "tab-indentation", "error"]
    );
    assert_eq!(
        lines[2].split_whitespace().collect::<Vec<_>>(),
        ["2", "Y003", "inconsistent-indentation", "error"]
    );
    let out = run(&[
        "check",
        "--statistics",
        "--format",
        "json",
        "fixtures/tutorial/policy.yaml",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["rule"], "tab-indentation");
    assert_eq!(v[0]["count"], 3);
}

/// A file the run could not check is not silently missing from CI reports: SARIF lists it as
/// an error notification of an unsuccessful invocation (still valid against the schema), and
/// JUnit as an errored test case.
#[test]
fn files_that_could_not_be_checked_are_in_sarif_and_junit() {
    let out = run(&[
        "check",
        "--format",
        "sarif",
        "fixtures/duplicate-key/",
        "no-such-template.yaml",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = sarif_schema()
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "no-such-template.yaml"
    );
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());

    let clean = run(&["check", "--format", "sarif", "fixtures/duplicate-key/pass/"]);
    let log: Value = serde_json::from_slice(&clean.stdout).unwrap();
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(
        invocation["toolExecutionNotifications"],
        Value::Array(vec![])
    );

    let out = run(&[
        "check",
        "--format",
        "junit",
        "fixtures/duplicate-key/pass/",
        "no-such-template.yaml",
    ]);
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.contains(r#"<testsuites name="cfn-policy-lint" tests="2" failures="0" errors="1">"#),
        "{xml}"
    );
    assert!(xml.contains(r#"<error type="file-problem""#), "{xml}");
    let mut reader = quick_xml::Reader::from_str(&xml);
    while !matches!(
        reader.read_event().expect("well-formed XML"),
        quick_xml::events::Event::Eof
    ) {}
}

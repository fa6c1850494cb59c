//! The indentation doctor on the workshop template, its corrected twin, tricky-but-valid files
//! and the corpus.

use cfn_policy_lint::checkers::indentation;
use cfn_policy_lint::diagnostic::Diagnostic;
use cfn_policy_lint::source::{SourceFile, Span};
use cfn_policy_lint::yaml::doctor::{examine, Repair};

/// The doctor's report, with its findings as the diagnostics of their rules.
struct DoctorReport {
    findings: Vec<Diagnostic>,
    repair: Option<Repair>,
}

mod common;

fn run(text: &str) -> (SourceFile, DoctorReport) {
    run_on("t.yaml", text)
}

fn run_on(path: &str, text: &str) -> (SourceFile, DoctorReport) {
    let source = SourceFile::new(path, text);
    let report = examine(&source);
    let report = DoctorReport {
        findings: indentation::diagnostics(report.findings).collect(),
        repair: report.repair,
    };
    (source, report)
}

fn fixture(path: &str) -> String {
    std::fs::read_to_string(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn at(source: &SourceFile, span: Span) -> (usize, usize) {
    let p = source.position(span.start);
    (p.line, p.column)
}

fn dump(source: &SourceFile, d: &Diagnostic) -> String {
    let (l, c) = at(source, d.span);
    let labels: Vec<String> = d
        .labels
        .iter()
        .map(|lb| format!("{:?} {}", at(source, lb.span), lb.message))
        .collect();
    format!(
        "{} {l}:{c} {:?} | {} | help: {:?} | labels: {labels:?} | fix: {:?}",
        d.rule,
        source.slice(d.span),
        d.message,
        d.help,
        d.fix.as_ref().map(|f| (&f.description, f.edits.len()))
    )
}

fn by_rule<'a>(report: &'a DoctorReport, rule: &str) -> Vec<&'a Diagnostic> {
    report.findings.iter().filter(|d| d.rule == rule).collect()
}

/// Apply every fix of every finding to the original text.
fn apply_fixes(text: &str, findings: &[Diagnostic]) -> String {
    let mut edits: Vec<_> = findings
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|f| f.edits.iter())
        .collect();
    edits.sort_by_key(|e| e.span.start);
    let mut out = String::new();
    let mut at = 0;
    for e in edits {
        assert!(e.span.start >= at, "overlapping edits at {}", e.span.start);
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Every byte of the repair maps back to the same character, or a space to the tab or space
/// it came from.
fn assert_round_trip(original: &str, report: &DoctorReport) {
    let repair = report.repair.as_ref().expect("a repair");
    let derived = repair.text.as_bytes();
    let orig = original.as_bytes();
    for (x, &b) in derived.iter().enumerate() {
        let o = repair.map.map(x);
        let back = orig.get(o).copied();
        let ok = back == Some(b) || (b == b' ' && matches!(back, Some(b'\t' | b' ')));
        assert!(
            ok,
            "derived {x} {:?} maps to {o} {:?}",
            b as char,
            back.map(char::from)
        );
    }
    assert_eq!(repair.map.map(derived.len()), orig.len());
}

#[test]
fn tutorial_gets_every_finding_in_one_run() {
    let text = fixture("tutorial/policy.yaml");
    let (source, report) = run(&text);

    let tabs = by_rule(&report, "tab-indentation");
    let runs: Vec<((usize, usize), Vec<usize>)> = tabs
        .iter()
        .map(|d| {
            let labelled = d.labels.iter().map(|l| at(&source, l.span).0).collect();
            (at(&source, d.span), labelled)
        })
        .collect();
    let lines_10_to_49: Vec<usize> = (11..=49).filter(|l| *l != 44).collect();
    assert_eq!(
        runs,
        vec![
            ((5, 1), vec![6, 7]),
            ((10, 1), lines_10_to_49),
            ((52, 1), vec![53]),
        ]
    );
    // Every tab-indented line of the file is listed, once.
    let tabbed: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with('\t'))
        .map(|(i, _)| i + 1)
        .collect();
    let mut listed: Vec<usize> = runs
        .iter()
        .flat_map(|(first, rest)| std::iter::once(first.0).chain(rest.iter().copied()))
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, tabbed);
    assert_eq!(source.slice(tabs[0].span), "\t");
    assert_eq!(
        tabs[0].help.as_deref(),
        Some("YAML indentation must be spaces: expanding each tab to the next 8-column stop puts `Description` at column 9, under `S3Bucket` (column 7)")
    );

    let misplaced = by_rule(&report, "inconsistent-indentation");
    assert_eq!(misplaced.len(), 2);
    let resource = misplaced[0];
    assert_eq!(at(&source, resource.span), (45, 3));
    assert_eq!(source.slice(resource.span), "Resource");
    assert_eq!(
        resource.message,
        "`Resource` is at column 10 (counting tabs as 8-column stops) but belongs to the policy statement whose `Effect` and `Action` are at column 18"
    );
    assert_eq!(
        resource.help.as_deref(),
        Some("indent `Resource` to column 18, in line with `Action`")
    );
    assert_eq!(resource.labels.len(), 1);
    assert_eq!(at(&source, resource.labels[0].span), (18, 4));
    assert_eq!(source.slice(resource.labels[0].span), "Action");

    let outputs = misplaced[1];
    assert_eq!(at(&source, outputs.span), (50, 6));
    assert_eq!(source.slice(outputs.span), "Outputs");
    assert!(
        outputs.message.contains("top-level template section"),
        "{}",
        outputs.message
    );
    assert!(outputs.message.contains("column 6"), "{}", outputs.message);
    assert!(
        outputs.help.as_deref().is_some_and(
            |h| h.starts_with("outdent `Outputs` to column 5, in line with `Resources`")
        ),
        "{:?}",
        outputs.help
    );
    assert_eq!(source.slice(outputs.labels[0].span), "Resources");
    assert_eq!(at(&source, outputs.labels[0].span), (8, 5));
    assert!(report
        .findings
        .iter()
        .all(|d| d.severity == cfn_policy_lint::diagnostic::Severity::Error));
}

#[test]
fn tutorial_repair_is_the_corrected_layout() {
    let text = fixture("tutorial/policy.yaml");
    let (_, report) = run(&text);
    let repair = report.repair.as_ref().expect("a repair");
    let repaired: Vec<&str> = repair.text.lines().collect();
    let corrected = fixture("tutorial/policy-corrected.yaml");
    let corrected: Vec<&str> = corrected.lines().collect();
    assert!(!repair.text.contains('\t'));
    assert_eq!(repaired.len(), corrected.len());
    // Identical to the hand-corrected twin, except that the doctor moves what is nested under
    // `Outputs` along with it (one column left), where the twin leaves it in place.
    assert_eq!(repaired[..50], corrected[..50]);
    for (r, c) in repaired[50..].iter().zip(&corrected[50..]) {
        assert_eq!(format!(" {r}"), *c);
    }
    assert_eq!(apply_fixes(&text, &report.findings), repair.text);
    assert_round_trip(&text, &report);
}

#[test]
fn corrected_twin_gets_no_findings() {
    let (_, report) = run(&fixture("tutorial/policy-corrected.yaml"));
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(report.repair.is_none());
}

#[test]
fn tabs_in_block_scalars_flow_json_and_quotes_are_legal() {
    for path in [
        "tab-indentation/pass/tabs-in-scalars-and-flow.yaml",
        "tab-indentation/pass/tab-indented.json",
        "inconsistent-indentation/pass/nesting-styles.yaml",
    ] {
        let (_, report) = run(&fixture(path));
        assert!(report.findings.is_empty(), "{path}: {:?}", report.findings);
    }
    // A tab-indented block scalar's content is indentation, though.
    let (source, report) = run("Script: |\n\techo hi\n");
    assert_eq!(report.findings.len(), 1);
    assert_eq!(at(&source, report.findings[0].span), (2, 1));
}

#[test]
fn tab_fixture_reports_each_run_with_a_fix() {
    let text = fixture("tab-indentation/fail/tab-indented-keys.yaml");
    let (source, report) = run(&text);
    let found: Vec<(usize, usize)> = report
        .findings
        .iter()
        .map(|d| at(&source, d.span))
        .collect();
    assert_eq!(found, vec![(4, 1), (10, 1)]);
    assert!(report.findings.iter().all(|d| d.rule == "tab-indentation"));
    assert_eq!(
        report.findings[1].help.as_deref(),
        Some("YAML indentation must be spaces: expanding each tab to the next 8-column stop puts `BucketName` at column 9, under `Properties` (column 5)")
    );
    let fixed = apply_fixes(&text, &report.findings);
    assert!(fixed.contains("\n        Type: String\n"));
    assert_eq!(Some(&fixed), report.repair.as_ref().map(|r| &r.text));
}

#[test]
fn misplaced_key_without_tabs() {
    let text = fixture("inconsistent-indentation/fail/statement-resource.yaml");
    let (source, report) = run(&text);
    assert_eq!(report.findings.len(), 1);
    let d = &report.findings[0];
    assert_eq!(d.rule, "inconsistent-indentation");
    assert_eq!(at(&source, d.span), (12, 10));
    assert_eq!(
        d.message,
        "`Resource` is at column 10 but belongs to the policy statement whose `Effect` and `Action` are at column 13"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("indent `Resource` to column 13, in line with `Action`")
    );
    let repair = report.repair.as_ref().expect("a repair");
    assert!(repair
        .text
        .contains("\n            Resource: \"*\"\n          - Effect: Allow\n"));
    assert_eq!(apply_fixes(&text, &report.findings), repair.text);
    assert_round_trip(&text, &report);

    let text = fixture("inconsistent-indentation/fail/outputs-off-by-one.yaml");
    let (source, report) = run(&text);
    assert_eq!(report.findings.len(), 1);
    assert_eq!(at(&source, report.findings[0].span), (5, 2));
    let repair = report.repair.as_ref().expect("a repair");
    assert!(repair
        .text
        .ends_with("\nOutputs:\n  TopicArn:\n    Value: !Ref Topic\n"));
}

#[test]
fn generic_key_falls_back_to_its_siblings() {
    let (source, report) =
        run("Mappings:\n  RegionMap:\n    us-east-1:\n      Ami: ami-1\n     Arch: x86\n");
    assert_eq!(report.findings.len(), 1);
    let d = &report.findings[0];
    assert_eq!(at(&source, d.span), (5, 6));
    assert_eq!(
        d.message,
        "`Arch` is at column 6, which matches no enclosing block: its sibling keys of `us-east-1` are at column 7"
    );
}

/// A file where every line is one column off from the last (what a broken re-indenting tool
/// leaves): the doctor reports the first thousand, says where it stopped and offers no repair.
/// Before the work budget, 8,000 such lines took 12 s and 2.7 GB (each finding kept a copy of
/// every sibling before it); this test has 5,000.
#[test]
fn a_thoroughly_misindented_file_is_reported_within_a_budget() {
    let mut text = String::from("Resources:\n\tX: 1\n");
    for i in 0..5000 {
        text.push_str(&" ".repeat(2 + i % 7));
        text.push_str(&format!("k{i}: v\n"));
    }
    let (source, report) = run(&text);
    let misplaced = by_rule(&report, "inconsistent-indentation");
    assert_eq!(misplaced.len(), 1001, "a thousand lines and the stop");
    let stop = misplaced
        .iter()
        .find(|d| d.message.starts_with("stopped checking indentation here"))
        .expect("the stop is reported");
    assert_eq!(at(&source, stop.span), (1003, 9));
    assert_eq!(source.slice(stop.span), "k1000");
    assert!(report.repair.is_none(), "half a repair is no repair");
    // The tab finding does not depend on the budget.
    assert_eq!(by_rule(&report, "tab-indentation").len(), 1);
}

/// `n` SNS topics whose `Properties` key is one column left of `Type`, with its child below.
fn misplaced_properties(n: usize, first_line: &str) -> String {
    let mut text = format!("{first_line}AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    for i in 0..n {
        text.push_str(&format!(
            "  R{i}:\n    Type: AWS::SNS::Topic\n   Properties:\n      TopicName: t{i}\n"
        ));
    }
    text
}

/// Every reported move that the budget lets through carries a whole fix: the key and the
/// line nested under it, the last one before the stop included.
#[test]
fn moves_before_the_budget_stop_keep_complete_fixes() {
    let (source, report) = run(&misplaced_properties(1003, ""));
    let misplaced = by_rule(&report, "inconsistent-indentation");
    assert_eq!(misplaced.len(), 1001);
    let stop = misplaced.last().unwrap();
    assert!(stop
        .message
        .starts_with("stopped checking indentation here"));
    assert_eq!(source.slice(stop.span), "Properties");
    assert_eq!(at(&source, stop.span).0, 3 + 4 * 1000 + 2);
    for d in &misplaced[..1000] {
        let fix = d.fix.as_ref().expect("a reported move has a fix");
        assert_eq!(fix.edits.len(), 2, "{}", dump(&source, d));
    }
}

/// A template-engine source is not judged on its indentation, and the budget does not apply.
#[test]
fn templated_sources_never_hit_the_budget() {
    let (_, report) = run(&misplaced_properties(1003, "{% set env = 'prod' %}\n"));
    assert!(report.findings.is_empty(), "{}", report.findings.len());
}

#[test]
fn crlf_files_keep_their_line_endings_and_positions() {
    let text = fixture("tutorial/policy.yaml").replace('\n', "\r\n");
    let (source, report) = run(&text);
    let found: Vec<(&str, (usize, usize))> = report
        .findings
        .iter()
        .map(|d| (d.rule, at(&source, d.span)))
        .collect();
    assert_eq!(
        found,
        vec![
            ("tab-indentation", (5, 1)),
            ("tab-indentation", (10, 1)),
            ("tab-indentation", (52, 1)),
            ("inconsistent-indentation", (45, 3)),
            ("inconsistent-indentation", (50, 6)),
        ]
    );
    let repair = report.repair.as_ref().expect("a repair");
    assert_eq!(
        repair.text.matches("\r\n").count(),
        text.matches("\r\n").count()
    );
    assert!(repair
        .text
        .contains("\r\n                 Resource: '*'\r\n"));
    assert_round_trip(&text, &report);
}

#[test]
fn every_repair_parses() {
    use cfn_policy_lint::yaml::{parse, ParseOptions};
    let opts = ParseOptions::default();
    assert!(parse(&fixture("tutorial/policy-corrected.yaml"), &opts).is_ok());
    for path in [
        "tutorial/policy.yaml",
        "tab-indentation/fail/tab-indented-keys.yaml",
        "inconsistent-indentation/fail/statement-resource.yaml",
        "inconsistent-indentation/fail/outputs-off-by-one.yaml",
    ] {
        let text = fixture(path);
        assert!(parse(&text, &opts).is_err(), "{path} should not parse");
        let (_, report) = run(&text);
        let repair = report.repair.expect("a repair");
        assert!(
            parse(&repair.text, &opts).is_ok(),
            "{path}: repair does not parse"
        );
    }
}

/// A review aid, not a check: prints what the doctor reports on each fixture.
/// `cargo test --test doctor show_fixture_findings -- --ignored --nocapture`
#[test]
#[ignore = "prints the doctor's findings on every fixture, for review"]
fn show_fixture_findings() {
    for path in [
        "tutorial/policy.yaml",
        "tab-indentation/fail/tab-indented-keys.yaml",
        "inconsistent-indentation/fail/statement-resource.yaml",
        "inconsistent-indentation/fail/outputs-off-by-one.yaml",
    ] {
        let (source, report) = run(&fixture(path));
        println!("== {path}");
        for d in &report.findings {
            println!("  {}", dump(&source, d));
        }
        if let Some(r) = &report.repair {
            println!("{}", r.text);
        }
    }
}

#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn valid_corpus_templates_get_no_findings() {
    let dir = common::corpus();
    let list = std::fs::read_to_string(dir.join("valid-templates.txt")).expect("the corpus's list");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for rel in list.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
            continue;
        };
        checked += 1;
        let (source, report) = run(&text);
        if !report.findings.is_empty() || report.repair.is_some() {
            wrong.push(format!("{rel}: {}", dump(&source, &report.findings[0])));
        }
    }
    assert!(checked > 3000, "only {checked} corpus files read");
    assert!(
        wrong.is_empty(),
        "{} files:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The corpus's unparsable templates are broken in ways that re-indenting cannot mend: Jinja
/// tags (`{% if … %}`, `{#- … #}`) and two malformed upstream lines. The doctor stays silent on
/// them and offers no repair, and the check reports each as one `yaml-syntax` finding, in plain
/// words, on the line that holds the fault (found by reading each file).
#[test]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn invalid_corpus_templates_get_one_plain_syntax_finding_and_no_repair() {
    use cfn_policy_lint::check::{check_template, Settings};
    use cfn_policy_lint::yaml::{parse, ParseOptions};
    const AD_STACK: &str =
        "aws-parallelcluster/develop/tests/integration-tests/tests/ad_integration/test_ad_integration";
    const DIRECTIVE: &str =
        "`%` cannot start a value here (in YAML `%` at the start of a line is a directive)";
    let expected: [(String, usize, &str); 6] = [
        (
            format!("{AD_STACK}/test_ad_integration/ad_stack.yaml"),
            50,
            DIRECTIVE,
        ),
        (
            format!("{AD_STACK}/test_ad_integration_on_login_nodes/ad_stack.yaml"),
            50,
            DIRECTIVE,
        ),
        (
            "aws-parallelcluster/v2.11.9/cloudformation/compute-fleet-hit-substack.cfn.yaml".into(),
            1,
            DIRECTIVE,
        ),
        (
            "aws-parallelcluster/v2.11.9/cloudformation/cw-dashboard-substack.cfn.yaml".into(),
            1,
            "a `#` comment must be preceded by a space",
        ),
        (
            "serverless-patterns/apigw-custom-domain-edge/template.yaml".into(),
            34,
            "this line should be a `key: value` pair but no `: ` follows the key",
        ),
        (
            "serverless-patterns/rds-sns-event-notification/template.yaml".into(),
            3,
            "text continues after the closing quote of this string",
        ),
    ];
    let dir = common::corpus();
    let list =
        std::fs::read_to_string(dir.join("invalid-templates.tsv")).expect("the corpus's list");
    let listed: Vec<&str> = list.lines().filter_map(|l| l.split('\t').next()).collect();
    let covered: Vec<&str> = expected.iter().map(|(rel, _, _)| rel.as_str()).collect();
    assert_eq!(listed, covered, "the corpus lists other invalid templates");

    for (rel, line, message) in &expected {
        let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let text = String::from_utf8_lossy(&bytes).into_owned();
        parse(&text, &ParseOptions::default()).expect_err(rel);
        let (source, doctor) = run_on(rel, &text);
        let dumped: Vec<String> = doctor.findings.iter().map(|d| dump(&source, d)).collect();
        assert!(dumped.is_empty(), "{rel}: the doctor reported {dumped:#?}");
        assert!(
            doctor.repair.is_none(),
            "{rel}: the doctor offered a repair"
        );

        let report = check_template(source, &Settings::default());
        let found: Vec<(&str, usize, &str)> = report
            .diagnostics
            .iter()
            .map(|d| (d.rule, at(&report.source, d.span).0, d.message.as_str()))
            .collect();
        assert_eq!(found, [("yaml-syntax", *line, *message)], "{rel}");
        assert!(report.diagnostics[0].help.is_some(), "{rel}: no help");
    }
}

fn check(path: &str) -> Vec<(&'static str, usize, usize, bool)> {
    use cfn_policy_lint::check::{check_template, Settings};
    let source = SourceFile::new(path, fixture(path));
    let report = check_template(source, &Settings::default());
    report
        .diagnostics
        .iter()
        .map(|d| {
            let (l, c) = at(&report.source, d.span);
            (d.rule, l, c, d.after_repair)
        })
        .collect()
}

#[test]
fn pipeline_reports_the_doctor_findings_and_recovers() {
    let found = check("tutorial/policy.yaml");
    let doctor: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "tab-indentation" || f.0 == "inconsistent-indentation")
        .map(|f| (f.0, f.1, f.2))
        .collect();
    assert_eq!(
        doctor,
        vec![
            ("tab-indentation", 5, 1),
            ("tab-indentation", 10, 1),
            ("inconsistent-indentation", 45, 3),
            ("inconsistent-indentation", 50, 6),
            ("tab-indentation", 52, 1),
        ]
    );
    // The repair parsed, so no syntax error; whatever else is found was found after repair.
    assert!(found.iter().all(|f| f.0 != "yaml-syntax"), "{found:?}");
    assert!(found
        .iter()
        .filter(|f| !f.0.contains("indentation"))
        .all(|f| f.3));

    let twin = check("tutorial/policy-corrected.yaml");
    assert!(
        twin.iter()
            .all(|f| !f.0.starts_with("yaml-") && !f.0.contains("indentation")),
        "{twin:?}"
    );

    for (rule, kind, path) in [
        (
            "tab-indentation",
            "fail",
            "tab-indentation/fail/tab-indented-keys.yaml",
        ),
        (
            "tab-indentation",
            "pass",
            "tab-indentation/pass/tabs-in-scalars-and-flow.yaml",
        ),
        (
            "tab-indentation",
            "pass",
            "tab-indentation/pass/tab-indented.json",
        ),
        (
            "inconsistent-indentation",
            "fail",
            "inconsistent-indentation/fail/statement-resource.yaml",
        ),
        (
            "inconsistent-indentation",
            "fail",
            "inconsistent-indentation/fail/outputs-off-by-one.yaml",
        ),
        (
            "inconsistent-indentation",
            "pass",
            "inconsistent-indentation/pass/nesting-styles.yaml",
        ),
    ] {
        let found = check(path);
        if kind == "fail" {
            assert!(found.iter().any(|f| f.0 == rule), "{path}: {found:?}");
            assert!(
                found.iter().all(|f| f.0 != "yaml-syntax"),
                "{path}: {found:?}"
            );
        } else {
            assert!(found.is_empty(), "{path}: {found:?}");
        }
    }
}

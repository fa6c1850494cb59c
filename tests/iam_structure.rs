//! Fixtures of the IAM structure rules (I001–I015) and their precision over the corpus.

mod common;

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::rules::{registry, Family, Selection};
use cfn_policy_lint::source::SourceFile;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The rules of the IAM family, from the registry.
fn iam_rules() -> Vec<&'static str> {
    registry()
        .iter()
        .map(|r| r.meta())
        .filter(|m| m.family == Family::Iam)
        .map(|m| m.name)
        .collect()
}

/// (rule, line, column) of each finding of these rules.
type Finding = (String, usize, usize);

fn settings(rules: &[&str]) -> Settings {
    Settings {
        selection: Selection {
            select: rules.iter().map(|r| r.to_string()).collect(),
            ignore: vec![],
        },
        ..Settings::default()
    }
}

fn lint_report(path: &str, text: String, rules: &[&str]) -> cfn_policy_lint::check::FileReport {
    check_template(SourceFile::new(path, text), &settings(rules))
}

/// The findings of a fixture's own rule (named by its folder) on it.
fn lint(fixture: &str) -> Vec<Finding> {
    let path = fixtures().join(fixture);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rule = fixture.split('/').next().unwrap_or_default();
    let report = lint_report(fixture, text, &[rule]);
    report
        .diagnostics
        .iter()
        .map(|d| {
            let p = report.source.position(d.span.start);
            (d.rule.to_string(), p.line, p.column)
        })
        .collect()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn f(rule: &str, line: usize, column: usize) -> Finding {
    (rule.to_string(), line, column)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Counts per rule over the corpus, with every finding listed for review:
/// `cargo test --test iam_structure corpus_counts -- --ignored --nocapture`
#[test]
#[cfg_attr(
    not(corpus_absent),
    ignore = "prints counts and findings over the corpus, for review"
)]
#[cfg_attr(
    corpus_absent,
    ignore = "needs ../shared/corpus (the shared corpus of real templates)"
)]
fn corpus_counts() {
    let dir = common::corpus();
    let list = std::fs::read_to_string(dir.join("iam-templates.txt")).unwrap_or_default();
    let rules = iam_rules();
    let mut counts: BTreeMap<&str, usize> = rules.iter().map(|r| (*r, 0)).collect();
    let only = std::env::var("IAM_RULE").ok();
    for rel in list.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(text) = std::fs::read_to_string(dir.join(rel)) else {
            continue;
        };
        let report = lint_report(rel, text, &rules);
        for d in &report.diagnostics {
            if let Some(c) = counts.get_mut(d.rule) {
                *c += 1;
            }
            if only.as_deref().is_none_or(|o| o == d.rule) {
                let p = report.source.position(d.span.start);
                println!(
                    "{rel}:{}:{}: {} {} [{}]",
                    p.line,
                    p.column,
                    d.rule,
                    d.message,
                    report.source.slice(d.span).lines().next().unwrap_or("")
                );
            }
        }
    }
    for (rule, n) in &counts {
        println!("{rule}\t{n}");
    }
}

/// Prints every fixture's findings: `cargo test --test iam_structure show -- --ignored --nocapture`
#[test]
#[ignore = "prints every fixture's findings, for review"]
fn show() {
    for rule in iam_rules() {
        for kind in ["fail", "pass"] {
            for file in files_in(&fixtures().join(rule).join(kind)) {
                let name = format!("{rule}/{kind}/{file}");
                let text = std::fs::read_to_string(fixtures().join(&name)).unwrap();
                let report = lint_report(&name, text, &[rule]);
                for d in &report.diagnostics {
                    let p = report.source.position(d.span.start);
                    println!(
                        "{name}:{}:{} {} `{}` {} | {:?} | fix={:?}",
                        p.line,
                        p.column,
                        d.rule,
                        report.source.slice(d.span).lines().next().unwrap_or(""),
                        d.message,
                        d.help,
                        d.fix.as_ref().map(|f| f.edits[0].replacement.clone())
                    );
                }
            }
        }
    }
}

#[test]
fn fail_fixtures_report_exact_positions() {
    let cases: &[(&str, Vec<Finding>)] = &[
        (
            "invalid-effect/fail/lowercase.yaml",
            vec![f("invalid-effect", 19, 21), f("invalid-effect", 22, 22)],
        ),
        (
            "invalid-effect/fail/policy.json",
            vec![f("invalid-effect", 4, 17)],
        ),
        (
            "invalid-policy-version/fail/date.yaml",
            vec![f("invalid-policy-version", 17, 18)],
        ),
        (
            "invalid-policy-version/fail/template.json",
            vec![f("invalid-policy-version", 7, 23)],
        ),
        (
            "missing-policy-version/fail/no-version.yaml",
            vec![f("missing-policy-version", 17, 9)],
        ),
        (
            "missing-policy-version/fail/policy.json",
            vec![f("missing-policy-version", 2, 4)],
        ),
        (
            "missing-policy-version/fail/variables.yaml",
            vec![f("missing-policy-version", 6, 9)],
        ),
        (
            "invalid-policy-element/fail/policy.json",
            vec![f("invalid-policy-element", 3, 4)],
        ),
        (
            "invalid-policy-element/fail/typos.yaml",
            vec![
                f("invalid-policy-element", 20, 13),
                f("invalid-policy-element", 25, 13),
            ],
        ),
        (
            "missing-policy-element/fail/missing.yaml",
            vec![
                f("missing-policy-element", 19, 13),
                f("missing-policy-element", 21, 13),
                f("missing-policy-element", 32, 13),
            ],
        ),
        (
            "missing-policy-element/fail/template.json",
            vec![f("missing-policy-element", 8, 25)],
        ),
        (
            "conflicting-policy-elements/fail/both.yaml",
            vec![
                f("conflicting-policy-elements", 21, 13),
                f("conflicting-policy-elements", 23, 13),
            ],
        ),
        (
            "conflicting-policy-elements/fail/policy.json",
            vec![f("conflicting-policy-elements", 4, 43)],
        ),
        (
            "invalid-sid/fail/policy.json",
            vec![f("invalid-sid", 4, 14)],
        ),
        (
            "invalid-sid/fail/punctuation.yaml",
            vec![f("invalid-sid", 19, 18)],
        ),
        (
            "duplicate-sid/fail/policy.json",
            vec![f("duplicate-sid", 5, 14)],
        ),
        (
            "duplicate-sid/fail/twice.yaml",
            vec![f("duplicate-sid", 23, 18)],
        ),
        (
            "principal-in-identity-policy/fail/principal.yaml",
            vec![f("principal-in-identity-policy", 20, 13)],
        ),
        // Inside a JSON string with escapes, the key is still found by its text.
        (
            "principal-in-identity-policy/fail/template.json",
            vec![f("principal-in-identity-policy", 7, 133)],
        ),
        (
            "allow-not-action/fail/not-action.yaml",
            vec![f("allow-not-action", 20, 13)],
        ),
        (
            "allow-not-resource/fail/not-resource.yaml",
            vec![f("allow-not-resource", 21, 13)],
        ),
        (
            "allow-not-principal/fail/policy.json",
            vec![f("allow-not-principal", 4, 26)],
        ),
        (
            "public-principal/fail/queue.yaml",
            vec![f("public-principal", 12, 25), f("public-principal", 16, 66)],
        ),
        (
            "public-principal/fail/template.json",
            vec![f("public-principal", 10, 67)],
        ),
        ("full-admin/fail/admin.yaml", vec![f("full-admin", 20, 22)]),
        ("full-admin/fail/policy.json", vec![f("full-admin", 4, 37)]),
        (
            "policy-too-large/fail/inline-role.yaml",
            vec![f("policy-too-large", 2, 3)],
        ),
        (
            "policy-too-large/fail/managed.yaml",
            vec![f("policy-too-large", 7, 9)],
        ),
    ];
    for (fixture, expected) in cases {
        assert_eq!(&lint(fixture), expected, "{fixture}");
    }
}

#[test]
fn lowercase_effect_gets_a_fix_keeping_quotes() {
    let text = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}";
    let report = lint_report("p.json", text.to_string(), &["iam"]);
    let d = &report.diagnostics[0];
    assert_eq!(d.rule, "invalid-effect");
    assert_eq!(
        d.help.as_deref(),
        Some("did you mean `Allow`? Effect is case-sensitive: write `Allow` or `Deny`")
    );
    let edit = &d.fix.as_ref().expect("a fix").edits[0];
    let mut fixed = text.to_string();
    fixed.replace_range(edit.span.start..edit.span.end, &edit.replacement);
    assert!(fixed.contains("\"Effect\": \"Allow\""), "{fixed}");
}

#[test]
fn standalone_policies_get_no_template_findings() {
    let report = check_template(
        SourceFile::new(
            "policy.json",
            std::fs::read_to_string(fixtures().join("invalid-effect/fail/policy.json")).unwrap(),
        ),
        &Settings::default(),
    );
    let rules: Vec<&str> = report.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(rules, ["invalid-effect"]);
}

/// An `AWS::Events::EventBusPolicy` statement is read as a resource policy of one statement:
/// its sibling properties are not policy elements and it needs no `Version`, while statement
/// rules apply to it as to any other.
#[test]
fn event_bus_policy_statements_are_read_on_their_own() {
    let pass = std::fs::read_to_string(
        fixtures().join("missing-policy-version/pass/event-bus-policy.yaml"),
    )
    .expect("the fixture");
    assert_eq!(
        lint_report("bus.yaml", pass.clone(), &["iam"])
            .diagnostics
            .len(),
        0
    );
    // Without the organization condition the statement is public; a stray key is not a
    // statement element.
    let open = pass
        .replace(
            "        Condition:\n          StringEquals:\n            aws:PrincipalOrgID: !Ref OrgId\n",
            "        Conditions: {}\n",
        )
        .replace("  OrgId:\n    Type: String\n", "  Unused:\n    Type: String\n");
    let report = lint_report("bus.yaml", open, &["iam"]);
    let found: Vec<(&str, usize)> = report
        .diagnostics
        .iter()
        .map(|d| (d.rule, report.source.position(d.span.start).line))
        .collect();
    assert_eq!(
        found,
        [("public-principal", 19), ("invalid-policy-element", 22)],
        "{:#?}",
        report.diagnostics
    );
}

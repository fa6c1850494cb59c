//! Snapshots of the human and JSON output for every fixture, run through the CLI in process.
//!
//! Cases are found by walking `fixtures/`, so a new fixture without a committed snapshot fails
//! (insta refuses to write new snapshots when `CI` is set). To accept changed output, run
//! `INSTA_UPDATE=always cargo test --test snapshots` and review `git diff tests/snapshots`
//! line by line before committing: a snapshot is a claim that the output is right. A snapshot whose fixture is gone
//! fails too, so the folder never holds stale expectations.
//!
//! Each `fail` fixture runs only its own rule (`--select RULE`), so that a change to one rule
//! never ripples through another rule's snapshots; `pass` fixtures and the tutorial examples run
//! every rule (an opt-in rule's pass fixtures run it too), and so do the fail fixtures of
//! `unused-suppression`, whose findings are about what the other rules find.
//!
//! Besides the snapshots, the JSON output is checked against what each fixture is for: a `fail`
//! fixture raises its rule, a `pass` fixture raises nothing at all.

use cfn_policy_lint::cli::{run_with, Environment};
use cfn_policy_lint::rules::{self, Family};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One run of `check` on one fixture file or folder.
struct Case {
    /// Path given to the CLI, relative to the crate root, `/`-separated.
    path: String,
    /// The rule the fixture is about, and whether it must fire (`fail`) or stay quiet (`pass`).
    expect: Option<(String, bool)>,
}

impl Case {
    /// `fixtures/tab-indentation/fail/a.yaml` → `tab-indentation@fail@a.yaml`.
    fn snapshot_stem(&self) -> String {
        let rel = self.path.strip_prefix("fixtures/").unwrap_or(&self.path);
        rel.trim_end_matches('/').replace('/', "@")
    }
}

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable directory entry").path())
        .collect();
    entries.sort();
    entries
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .expect("entry has a name")
        .to_string_lossy()
        .into_owned()
}

/// Every case: each file of `fixtures/<rule>/{fail,pass}` (each folder, for the cross-file
/// project rules), plus the tutorial examples.
fn cases() -> Vec<Case> {
    let fixtures = crate_root().join("fixtures");
    let mut cases = vec![
        Case {
            path: "fixtures/tutorial".into(),
            expect: None,
        },
        Case {
            path: "fixtures/tutorial/seed-tutorial.md".into(),
            expect: None,
        },
        Case {
            path: "fixtures/tutorial-typos".into(),
            expect: None,
        },
    ];
    // Purpose packs and wirings are data, not rules: `fixtures/packs/<pack>/{fail,pass}` and
    // `fixtures/wiring/<wiring>/{fail,pass}` are cases of the rule that applies them.
    for data in ["packs", "wiring"] {
        for dir in sorted_entries(&fixtures.join(data)) {
            for kind in ["fail", "pass"] {
                for file in sorted_entries(&dir.join(kind)) {
                    cases.push(Case {
                        path: format!(
                            "fixtures/{data}/{}/{kind}/{}",
                            file_name(&dir),
                            file_name(&file)
                        ),
                        expect: Some(("missing-required-actions".into(), kind == "fail")),
                    });
                }
            }
        }
    }
    for rule_dir in sorted_entries(&fixtures) {
        let rule = file_name(&rule_dir);
        // `robustness` holds hostile inputs, replayed by tests/robustness.rs; `peers` the other
        // tools' checks, run by tests/peer_checks.rs.
        let not_a_rule = rule.starts_with("tutorial")
            || rule == "packs"
            || rule == "wiring"
            || rule == "robustness"
            || rule == "peers";
        if not_a_rule || !rule_dir.is_dir() {
            continue;
        }
        let meta = rules::find(&rule)
            .unwrap_or_else(|| panic!("fixtures/{rule} is named after no registered rule"))
            .meta();
        for kind in ["fail", "pass"] {
            let dir = rule_dir.join(kind);
            if !dir.is_dir() {
                // The registry test reports the missing folder.
                continue;
            }
            let expect = Some((rule.clone(), kind == "fail"));
            if meta.family == Family::Project {
                cases.push(Case {
                    path: format!("fixtures/{rule}/{kind}"),
                    expect,
                });
            } else {
                for file in sorted_entries(&dir) {
                    cases.push(Case {
                        path: format!("fixtures/{rule}/{kind}/{}", file_name(&file)),
                        expect: expect.clone(),
                    });
                }
            }
        }
    }
    cases
}

impl Case {
    /// The rules the case runs: its own for a fail fixture, every rule otherwise.
    fn select(&self) -> Option<String> {
        let (rule, must_fire) = self.expect.as_ref()?;
        // Whether a suppression is unused depends on what the rules it names find.
        let about_other_rules = rule == "unused-suppression";
        if *must_fire && !about_other_rules {
            Some(rule.clone())
        } else if rules::find(rule).is_some_and(|r| r.meta().opt_in) {
            Some(format!("all,{rule}"))
        } else {
            None
        }
    }
}

/// Stdout, and what a user would see: exit code, stdout, and stderr when there is any.
fn run_cli(case: &Case, format: &str) -> (String, String) {
    let env = Environment {
        stdout_is_terminal: false,
        no_color: true,
        dumb_terminal: false,
        columns: Some(100),
    };
    let mut args = vec![
        "cfn-policy-lint".to_string(),
        "check".into(),
        "--color".into(),
        "never".into(),
        "--format".into(),
        format.into(),
    ];
    if let Some(select) = case.select() {
        args.extend(["--select".into(), select]);
    }
    args.push(case.path.clone());
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = run_with(args, &env, std::io::empty(), &mut stdout, &mut stderr);
    let stdout = String::from_utf8(stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8(stderr).expect("stderr is UTF-8");
    let mut shown = format!("exit code: {code}\n{stdout}");
    if !stderr.is_empty() {
        shown.push_str("--- stderr\n");
        shown.push_str(&stderr);
    }
    (stdout, shown)
}

/// The rules of every finding in a JSON report.
fn rules_in(json_stdout: &str, path: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(json_stdout)
        .unwrap_or_else(|e| panic!("{path}: --format json is not JSON ({e}):\n{json_stdout}"));
    value["diagnostics"]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: no diagnostics array"))
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Why the findings do not fit what the fixture is for, if they do not.
fn purpose_mismatch(case: &Case, found: &[String]) -> Option<String> {
    let (rule, must_fire) = case.expect.as_ref()?;
    let fired = found.iter().any(|r| r == rule);
    if *must_fire && !fired {
        Some(format!("{}: `{rule}` did not fire: {found:?}", case.path))
    } else if !*must_fire && !found.is_empty() {
        Some(format!(
            "{}: a pass fixture has findings {found:?}",
            case.path
        ))
    } else {
        None
    }
}

#[test]
fn fixture_output_matches_the_snapshots() {
    // Paths in the output are as given, so run from the crate root with relative paths.
    std::env::set_current_dir(crate_root()).expect("crate root exists");
    let cases = cases();
    let mut failures = Vec::new();
    let mut expected_snapshots = BTreeSet::new();
    for case in &cases {
        for format in ["human", "json"] {
            let name = format!("{}.{format}", case.snapshot_stem());
            expected_snapshots.insert(format!("{name}.snap"));
            let (stdout, shown) = run_cli(case, format);
            if format == "json" {
                if let Some(why) = purpose_mismatch(case, &rules_in(&stdout, &case.path)) {
                    failures.push(why);
                }
            }
            let mut settings = insta::Settings::clone_current();
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            let select = case
                .select()
                .map(|s| format!("--select {s} "))
                .unwrap_or_default();
            settings.set_description(format!(
                "cfn-policy-lint check --format {format} {select}{}",
                case.path
            ));
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                settings.bind(|| insta::assert_snapshot!(name.clone(), shown));
            }));
            if outcome.is_err() {
                failures.push(format!(
                    "{name}: no snapshot, or the output differs from it"
                ));
            }
        }
    }

    let snapshot_dir = crate_root().join("tests/snapshots");
    if snapshot_dir.is_dir() {
        for entry in sorted_entries(&snapshot_dir) {
            let name = file_name(&entry);
            if name.ends_with(".snap") && !expected_snapshots.contains(&name) {
                failures.push(format!(
                    "tests/snapshots/{name} belongs to no fixture: delete it"
                ));
            }
        }
    }

    assert!(
        cases.len() > 100,
        "only {} fixture cases found: is the walk broken?",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

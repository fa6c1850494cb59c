//! The registry as a whole: every rule is documented, has fixtures showing it fire and stay
//! quiet, and reads consistently in `cfn-policy-lint rules`. Names, codes and doc sections are
//! checked by the unit test in `src/rules/mod.rs`.

use cfn_policy_lint::rules::registry;
use std::collections::HashSet;
use std::path::Path;

/// Files directly in `dir` (empty when it does not exist).
fn files_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_rule_has_pass_and_fail_fixtures() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut missing = Vec::new();
    for rule in registry() {
        let name = rule.meta().name;
        for kind in ["pass", "fail"] {
            if files_in(&fixtures.join(name).join(kind)).is_empty() {
                missing.push(format!("fixtures/{name}/{kind}/"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "rules without fixtures (add at least one file to each):\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_fixture_folder_names_a_registered_rule() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let names: HashSet<&str> = registry().iter().map(|r| r.meta().name).collect();
    let mut strays = Vec::new();
    for entry in std::fs::read_dir(&fixtures).expect("fixtures/ exists") {
        let entry = entry.expect("readable entry");
        let folder = entry.file_name().to_string_lossy().into_owned();
        // The tutorial folders are whole-project examples, not one rule's fixtures; `packs`
        // holds the purpose packs' fixtures (checked below); `robustness` holds hostile inputs
        // that tests/robustness.rs replays in every format.
        let special = folder.starts_with("tutorial") || folder == "packs" || folder == "robustness";
        if entry.path().is_dir() && !special && !names.contains(&*folder) {
            strays.push(folder);
        }
    }
    assert!(
        strays.is_empty(),
        "fixture folders named after no rule: {strays:?}"
    );
}

#[test]
fn summaries_read_alike() {
    for rule in registry() {
        let m = rule.meta();
        let s = m.summary;
        assert!(
            s.chars().next().is_some_and(char::is_uppercase),
            "{}: summary must start with a capital letter: {s:?}",
            m.name
        );
        assert!(
            !s.ends_with('.') && !s.contains(". "),
            "{}: summary must be one fragment without a final period: {s:?}",
            m.name
        );
        assert!(
            s.chars().count() <= 90,
            "{}: summary is longer than 90 characters: {s:?}",
            m.name
        );
        assert_eq!(s.trim(), s, "{}: summary has stray whitespace", m.name);
    }
}

#[test]
fn every_purpose_pack_has_pass_and_fail_fixtures_and_no_stray_folder() {
    let packs_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/packs");
    let embedded: HashSet<&str> = cfn_policy_lint::purpose::PackSet::embedded()
        .packs()
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let mut problems = Vec::new();
    for name in &embedded {
        for kind in ["pass", "fail"] {
            let has_file = std::fs::read_dir(packs_dir.join(name).join(kind))
                .map(|mut d| d.next().is_some())
                .unwrap_or(false);
            if !has_file {
                problems.push(format!("fixtures/packs/{name}/{kind} is missing or empty"));
            }
        }
    }
    for entry in std::fs::read_dir(&packs_dir).expect("fixtures/packs exists") {
        let folder = entry.expect("readable entry").file_name();
        let folder = folder.to_string_lossy();
        if !embedded.contains(&*folder) {
            problems.push(format!("fixtures/packs/{folder} names no built-in pack"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

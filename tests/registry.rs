//! The registry as a whole: every rule is documented, has fixtures showing it fire and stay
//! quiet, and reads consistently in `cfn-policy-lint rules`. Names, codes and doc sections are
//! checked by the unit test in `src/rules/mod.rs`.

use cfn_policy_lint::rules::{registry, Family};
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
fn every_iam_rule_has_a_json_fail_fixture() {
    // Policies are often written as JSON, inside templates and on their own; every IAM rule
    // shows it reads them. The one exception is about a YAML-only spelling.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let yaml_only = ["unquoted-policy-version"];
    let missing: Vec<&str> = registry()
        .iter()
        .map(|r| r.meta())
        .filter(|m| m.family == Family::Iam && !yaml_only.contains(&m.name))
        .filter(|m| {
            !files_in(&fixtures.join(m.name).join("fail"))
                .iter()
                .any(|f| f.ends_with(".json"))
        })
        .map(|m| m.name)
        .collect();
    assert!(
        missing.is_empty(),
        "IAM rules without a JSON fail fixture: {missing:?}"
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
        // The tutorial folders are whole-project examples, not one rule's fixtures; `packs` and
        // `wiring` hold the purpose packs' and the wirings' fixtures (checked below);
        // `robustness` holds hostile inputs
        // that tests/robustness.rs replays in every format; `peers` the other tools' checks,
        // which tests/peer_checks.rs runs.
        let special = folder.starts_with("tutorial")
            || folder == "packs"
            || folder == "wiring"
            || folder == "robustness"
            || folder == "peers";
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

#[test]
fn every_wiring_has_pass_and_fail_fixtures_and_no_stray_folder() {
    let wiring_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wiring");
    let embedded: HashSet<&str> = cfn_policy_lint::purpose::wiring::WiringSet::embedded()
        .wirings()
        .iter()
        .map(|w| w.name.as_str())
        .collect();
    assert!(!embedded.is_empty(), "no embedded wirings");
    let mut problems = Vec::new();
    for name in &embedded {
        for kind in ["pass", "fail"] {
            let has_file = std::fs::read_dir(wiring_dir.join(name).join(kind))
                .map(|mut d| d.next().is_some())
                .unwrap_or(false);
            if !has_file {
                problems.push(format!("fixtures/wiring/{name}/{kind} is missing or empty"));
            }
        }
    }
    for entry in std::fs::read_dir(&wiring_dir).expect("fixtures/wiring exists") {
        let folder = entry.expect("readable entry").file_name();
        let folder = folder.to_string_lossy();
        if !embedded.contains(&*folder) {
            problems.push(format!("fixtures/wiring/{folder} names no built-in wiring"));
        }
    }
    problems.sort();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The committed page at `path` is `expected`; `UPDATE_DOCS=1` rewrites it first.
fn generated_page(path: &str, expected: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&file, expected).expect("docs/ is writable");
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(
        committed == expected,
        "{path} is stale: regenerate it with `UPDATE_DOCS=1 cargo test --test registry` and \
         review the diff"
    );
}

#[test]
fn docs_rules_md_is_generated_from_the_registry() {
    let expected = cfn_policy_lint::rules::reference::markdown();
    generated_page("docs/rules.md", &expected);
    for rule in registry() {
        let m = rule.meta();
        assert!(
            expected.contains(&format!("## {} ({})", m.name, m.code)),
            "{} has no section",
            m.name
        );
    }
}

#[test]
fn every_file_of_a_rule_folder_is_a_rule_or_a_declared_helper() {
    // build.rs turns files that call `declare_rule!` into rules; any other file must be a
    // helper module its family's mod.rs declares. A rule file whose declaration build.rs
    // cannot read would otherwise be left out of the build without a word.
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    let names: HashSet<&str> = registry().iter().map(|r| r.meta().name).collect();
    let mut problems = Vec::new();
    for family in std::fs::read_dir(&rules_dir).expect("src/rules is readable") {
        let family = family.expect("readable entry").path();
        if !family.is_dir() {
            continue;
        }
        let mod_rs = std::fs::read_to_string(family.join("mod.rs")).unwrap_or_default();
        for file in files_in(&family) {
            let Some(stem) = file.strip_suffix(".rs") else {
                continue;
            };
            if stem == "mod" {
                continue;
            }
            let text = std::fs::read_to_string(family.join(&file)).expect("readable rule file");
            let declared_helper = mod_rs.contains(&format!("mod {stem};"));
            let rule_name = text
                .split("name: \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next());
            let is_rule =
                text.contains("declare_rule! {") && rule_name.is_some_and(|n| names.contains(n));
            if declared_helper == is_rule {
                problems.push(format!(
                    "src/rules/{}/{file}: {}",
                    family.file_name().unwrap_or_default().to_string_lossy(),
                    if is_rule {
                        "a rule that mod.rs also declares as a module"
                    } else {
                        "neither a registered rule nor a helper declared in mod.rs"
                    }
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_rule_is_left_half_written() {
    // `scripts/new-rule` marks every place to fill in with this; this test says which remain.
    const MARK: &str = concat!("TODO", "(new-rule)");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut left = Vec::new();
    let mut dirs = vec![root.join("src/rules"), root.join("fixtures")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for (n, line) in text.lines().enumerate() {
                if let Some(at) = line.find(MARK) {
                    let rel = path.strip_prefix(root).unwrap_or(&path);
                    left.push(format!(
                        "{}:{}: {}",
                        rel.display(),
                        n + 1,
                        line[at + MARK.len()..].trim_start_matches([':', ' '])
                    ));
                }
            }
        }
    }
    left.sort();
    assert!(
        left.is_empty(),
        "a new rule is still to be written; fill in:\n{}",
        left.join("\n")
    );
}

#[test]
fn docs_migrating_from_cfn_lint_is_generated_from_the_mapping() {
    generated_page(
        "docs/migrating-from-cfn-lint.md",
        &cfn_policy_lint::rules::cfnlint::markdown(),
    );
}

/// Every rule the cfn-lint mapping names is registered: a name that is not is a typo that
/// would silently carry a suppression over to nothing.
#[test]
fn the_cfn_lint_mapping_names_registered_rules() {
    use cfn_policy_lint::rules::cfnlint::CHECKS;
    let registered: Vec<&str> = registry().iter().map(|r| r.meta().name).collect();
    let mut ids = std::collections::BTreeSet::new();
    for check in CHECKS {
        assert!(ids.insert(check.id), "{} is listed twice", check.id);
        let bytes = check.id.as_bytes();
        assert!(
            bytes.len() == 5
                && matches!(bytes[0], b'E' | b'W' | b'I')
                && bytes[1..].iter().all(u8::is_ascii_digit),
            "{} is not a cfn-lint ID",
            check.id
        );
        assert!(
            !check.ours.is_empty() || !check.note.is_empty(),
            "{}: say why nothing corresponds to it",
            check.id
        );
        for name in check.ours {
            assert!(
                registered.contains(name),
                "{} maps to `{name}`, which is no rule",
                check.id
            );
        }
    }
}

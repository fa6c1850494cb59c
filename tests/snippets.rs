//! The README's copy-paste snippets and `.pre-commit-hooks.yaml` are exercised: they parse, and
//! they name flags, hooks and commands that exist.

use cfn_policy_lint::config::Config;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The fenced code block between `<!-- snippet:NAME -->` and `<!-- /snippet -->`.
fn snippet(name: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start_marker = format!("<!-- snippet:{name} -->");
    let start = readme
        .find(&start_marker)
        .unwrap_or_else(|| panic!("no snippet {name}"));
    let rest = &readme[start + start_marker.len()..];
    let end = rest.find("<!-- /snippet -->").expect("snippet end");
    let block = rest[..end].trim();
    let body = block.split_once('\n').expect("fence line").1;
    body.strip_suffix("```").expect("closing fence").to_string()
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("valid YAML")
}

/// `cfn-policy-lint ARGS --help` succeeds: the subcommand and flags exist.
fn accepts(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_cfn-policy-lint"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn check_flags_exist(command_line: &str) {
    let words: Vec<&str> = command_line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| *w == "cfn-policy-lint")
        .expect("invocation");
    let help = Command::new(env!("CARGO_BIN_EXE_cfn-policy-lint"))
        .args([words[at + 1], "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    for flag in words.iter().filter(|w| w.starts_with("--")) {
        assert!(
            help.contains(flag),
            "`{flag}` is not an option of `{}`",
            words[at + 1]
        );
    }
}

#[test]
fn readme_configuration_is_a_valid_configuration() {
    let text = snippet("config");
    let config = Config::from_text(Path::new("README.md"), &text).unwrap();
    assert_eq!(config.ignore, ["yaml-alias"]);
    assert!(!config.per_file_ignores.is_empty());
}

/// The hooks of `.pre-commit-hooks.yaml` and of the pre-commit mirror: ids, languages, and an
/// entry that names flags `check` has. (`scripts/test-pre-commit-hooks.sh` runs them.)
#[test]
fn pre_commit_hook_definitions() {
    let read = |path: &str| yaml(&std::fs::read_to_string(root().join(path)).unwrap());
    let hooks = read(".pre-commit-hooks.yaml");
    let mirror = read("pre-commit-mirror/.pre-commit-hooks.yaml");
    let all: Vec<&Value> = hooks
        .as_array()
        .unwrap()
        .iter()
        .chain(mirror.as_array().unwrap())
        .collect();
    let languages: Vec<(&str, &str)> = all
        .iter()
        .map(|h| (h["id"].as_str().unwrap(), h["language"].as_str().unwrap()))
        .collect();
    assert_eq!(
        languages,
        [
            ("cfn-policy-lint", "rust"),
            ("cfn-policy-lint-system", "system"),
            ("cfn-policy-lint", "python"),
        ]
    );
    for hook in all {
        assert_eq!(hook["require_serial"], false);
        let entry = hook["entry"].as_str().unwrap();
        assert!(entry.starts_with("cfn-policy-lint check --only-templates"));
        check_flags_exist(entry);
        let files = regex::Regex::new(hook["files"].as_str().unwrap()).unwrap();
        for name in ["a.yaml", "b/c.yml", "t.json", "x.template", "README.md"] {
            assert!(files.is_match(name), "{name}");
        }
        assert!(!files.is_match("main.rs"));
    }

    let config = yaml(&snippet("pre-commit-config"));
    assert_eq!(config["repos"][0]["hooks"][0]["id"], hooks[0]["id"]);
}

/// A tag `v<version>` is what the README's pre-commit snippet names, what release.yml accepts
/// and what the mirror pins: one version, the crate's, with its CHANGELOG section.
#[test]
fn one_version_everywhere() {
    let version = env!("CARGO_PKG_VERSION");
    let config = yaml(&snippet("pre-commit-config"));
    assert_eq!(config["repos"][0]["rev"], format!("v{version}"));
    let changelog = std::fs::read_to_string(root().join("CHANGELOG.md")).unwrap();
    assert!(
        changelog.lines().any(|l| l == format!("## {version}")),
        "CHANGELOG.md has no `## {version}` section"
    );
    let mirror = std::fs::read_to_string(root().join("pre-commit-mirror/pyproject.toml")).unwrap();
    assert!(
        mirror.contains(&format!("version = \"{version}\"")),
        "{mirror}"
    );
    assert!(
        mirror.contains(&format!("dependencies = [\"cfn-policy-lint=={version}\"]")),
        "{mirror}"
    );
    // The Python package takes its version from Cargo.toml and ships the binary.
    let pyproject = std::fs::read_to_string(root().join("pyproject.toml")).unwrap();
    assert!(pyproject.contains("dynamic = [\"version\"]"));
    assert!(pyproject.contains("bindings = \"bin\""));
    assert!(pyproject.contains("build-backend = \"maturin\""));
    // The action example is pinned to the same tag.
    assert!(snippet("github-action").contains(&format!("/cfn-policy-lint@v{version}\n")));
}

/// The minimum Rust version the README states is Cargo.toml's (scripts/msrv-check.sh checks
/// that it is the true one).
#[test]
fn readme_states_the_minimum_rust_version() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let msrv = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("rust-version in Cargo.toml");
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let stated: Vec<&str> = readme
        .match_indices(" or newer")
        .filter_map(|(i, _)| readme[..i].rsplit(' ').next())
        .filter(|v| v.starts_with("1."))
        .map(|v| v.trim_start_matches("**"))
        .collect();
    assert!(!stated.is_empty());
    for v in stated {
        assert_eq!(v.trim_end_matches("**"), msrv, "README says Rust {v}");
    }
}

/// The action's example uses only inputs the action declares, and the action runs `check` in
/// the two formats it promises, with flags that exist.
#[test]
fn github_action_example_and_definition() {
    let action = yaml(&std::fs::read_to_string(root().join("action.yml")).unwrap());
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().unwrap();
    let example = yaml(&snippet("github-action"));
    assert_eq!(example["permissions"]["security-events"], "write");
    let step = example["jobs"]["lint"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("/cfn-policy-lint@"))
        })
        .expect("a step that uses the action");
    for key in step["with"].as_object().unwrap().keys() {
        assert!(
            inputs.contains_key(key),
            "input `{key}` is not in action.yml"
        );
    }
    let scripts: String = action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect();
    for format in ["--format sarif --output-file", "--format github"] {
        assert!(scripts.contains(format), "{format}");
    }
    for line in scripts
        .lines()
        .filter(|l| l.contains("cfn-policy-lint check "))
    {
        check_flags_exist(line);
    }
    assert!(action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))));
}

#[test]
fn github_workflow_uploads_sarif() {
    let workflow = yaml(&snippet("github-workflow"));
    assert_eq!(workflow["permissions"]["security-events"], "write");
    let steps = workflow["jobs"]["lint"]["steps"].as_array().unwrap();
    let lint = steps
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("cfn-policy-lint check"))
        .expect("a lint step");
    assert!(
        lint.contains("--format sarif --output-file results.sarif"),
        "{lint}"
    );
    check_flags_exist(lint);
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload step");
    assert_eq!(upload["with"]["sarif_file"], "results.sarif");
    assert_eq!(upload["if"], "always()");
}

#[test]
fn editor_snippets_start_the_language_server() {
    accepts(&["lsp"]);
    let neovim = snippet("neovim");
    assert!(
        neovim.contains(r#"cmd = { "cfn-policy-lint", "lsp" }"#),
        "{neovim}"
    );
    assert!(neovim.contains(".cfn-policy-lint.yaml"));
    let helix = snippet("helix");
    assert!(helix.contains(
        "[language-server.cfn-policy-lint]\ncommand = \"cfn-policy-lint\"\nargs = [\"lsp\"]"
    ));
    assert_eq!(
        helix.matches("\"cfn-policy-lint\"]").count(),
        2,
        "both languages use it"
    );
    let vscode: Value = serde_json::from_str(&snippet("vscode")).unwrap();
    assert_eq!(vscode["glspc.server.command"], "cfn-policy-lint");
    assert_eq!(vscode["glspc.server.commandArguments"][0], "lsp");
}

/// The README's sample of the tutorial folder's findings is what the tool prints today.
#[test]
fn readme_tutorial_sample_is_current() {
    let sample = snippet("tutorial-concise");
    let expected = sample
        .strip_prefix("$ cfn-policy-lint check --format concise fixtures/tutorial/\n")
        .expect("the sample starts with its command");
    let out = Command::new(env!("CARGO_BIN_EXE_cfn-policy-lint"))
        .args(["check", "--format", "concise", "fixtures/tutorial/"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}

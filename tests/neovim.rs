//! A real editor client: headless Neovim, configured with the README's snippet for Neovim 0.7
//! to 0.9 as written, opens the tab-indented tutorial template, starts the language server
//! through its own LSP client, and writes the diagnostics it shows as JSON
//! (`tests/neovim/diagnostics.lua`). They must be the findings `cfn-policy-lint check` reports,
//! each at the same place, plus one more at each further line of a tab-indented block (the
//! finding's labels there), so that every offending line is marked.
//!
//! Skipped, and shown as ignored with the reason, where `nvim` is not on `PATH` when the crate
//! is built (`apt-get install neovim`, then `touch build.rs`).

mod common;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The fenced block between `<!-- snippet:NAME -->` and `<!-- /snippet -->` in README.md.
fn readme_snippet(name: &str) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let marker = format!("<!-- snippet:{name} -->");
    let rest = &readme[readme.find(&marker).expect("the snippet") + marker.len()..];
    let block = &rest[..rest.find("<!-- /snippet -->").expect("its end")];
    let body = block.trim().split_once('\n').expect("a fence").1;
    body.strip_suffix("```")
        .expect("a closing fence")
        .to_string()
}

/// A place: 0-based line and column (the template is ASCII, so Neovim's byte columns and the
/// CLI's character columns agree), and the rule's code.
type Place = (u64, u64, String);

#[test]
#[cfg_attr(
    nvim_absent,
    ignore = "needs `nvim` on PATH (Debian: apt-get install neovim; then touch build.rs)"
)]
fn neovim_shows_the_findings_of_the_command_line() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let template = std::fs::read_to_string(root.join("fixtures/tutorial/policy.yaml")).unwrap();
    assert!(template.is_ascii());
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().canonicalize().unwrap();
    let file = dir_path.join("policy.yaml");
    std::fs::write(&file, &template).unwrap();
    let init = dir_path.join("init.lua");
    std::fs::write(&init, readme_snippet("neovim-0.7")).unwrap();
    let out = dir_path.join("diagnostics.json");
    let binary = Path::new(env!("CARGO_BIN_EXE_cfn-policy-lint"));
    // The snippet starts `cfn-policy-lint` from PATH: the one just built comes first.
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let status = Command::new("nvim")
        .args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .arg("-c")
        .arg(format!(
            "luafile {}",
            root.join("tests/neovim/diagnostics.lua").display()
        ))
        .env("PATH", path)
        .env("XDG_CONFIG_HOME", &dir_path)
        .env("XDG_DATA_HOME", &dir_path)
        .env("XDG_STATE_HOME", &dir_path)
        .env("CPL_FILE", &file)
        .env("CPL_OUT", &out)
        .current_dir(&dir_path)
        .status()
        .expect("nvim runs");
    assert!(status.success(), "{status:?}");
    let shown: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(shown["ok"], true, "no diagnostics arrived: {shown}");
    assert_eq!(shown["clients"], serde_json::json!(["cfn-policy-lint"]));

    let cli = common::run_in(&dir_path, &["check", "--format", "json", "policy.yaml"]);
    let report: Value = serde_json::from_slice(&cli.stdout).unwrap();
    let findings = report["diagnostics"].as_array().unwrap();
    assert!(!findings.is_empty());

    let shown = shown["diagnostics"].as_array().unwrap();
    let place = |d: &Value| -> Place {
        (
            d["lnum"].as_u64().unwrap(),
            d["col"].as_u64().unwrap(),
            d["code"].as_str().unwrap().to_string(),
        )
    };
    let shown_places: BTreeSet<Place> = shown.iter().map(place).collect();
    assert_eq!(shown_places.len(), shown.len(), "one diagnostic per place");
    let mut expected = BTreeSet::new();
    for f in findings {
        let code = f["code"].as_str().unwrap().to_string();
        let at = |v: &Value| {
            (
                v["line"].as_u64().unwrap() - 1,
                v["column"].as_u64().unwrap() - 1,
            )
        };
        let (line, col) = at(f);
        expected.insert((line, col, code.clone()));
        // Neovim shows the finding's message (with its help) and severity there.
        let d = shown
            .iter()
            .find(|d| place(d) == (line, col, code.clone()))
            .unwrap_or_else(|| panic!("{code} at {}:{} is not shown", line + 1, col + 1));
        assert!(
            d["message"]
                .as_str()
                .unwrap()
                .starts_with(f["message"].as_str().unwrap()),
            "{d}\n{f}"
        );
        let severity = match f["severity"].as_str().unwrap() {
            "error" => 1,
            "warning" => 2,
            _ => 3,
        };
        assert_eq!(d["severity"], severity, "{d}");
        assert_eq!(d["source"], "cfn-policy-lint");
        // A tab finding's labels are its further lines: each is shown too.
        if code == "Y002" {
            for label in f["labels"].as_array().unwrap() {
                let (line, col) = at(label);
                expected.insert((line, col, code.clone()));
            }
        }
    }
    assert_eq!(shown_places, expected);
    // Every line indented with a tab is marked.
    let tabbed: BTreeSet<u64> = template
        .lines()
        .enumerate()
        .filter(|(_, l)| l[..l.len() - l.trim_start().len()].contains('\t'))
        .map(|(i, _)| i as u64)
        .collect();
    let marked: BTreeSet<u64> = shown_places
        .iter()
        .filter(|(_, _, code)| code == "Y002")
        .map(|(line, _, _)| *line)
        .collect();
    assert_eq!(marked, tabbed);
}

//! `config --from-cfnlintrc`: cfn-lint's configuration file (`.cfnlintrc`) as the
//! `.cfn-policy-lint.yaml` that does the same, as far as anything here does. What carries over
//! becomes settings; everything else becomes a comment saying why it does not.
//!
//! - `ignore_checks` → `ignore`: the rules each check maps to (`crate::rules::cfnlint`; cfn-lint
//!   matches these entries as prefixes, and so does this);
//! - `ignore_templates` → `exclude` (both are globs; ours are relative to the configuration
//!   file's folder, cfn-lint's to where it runs, which is the same when the new file is written
//!   next to `.cfnlintrc`);
//! - `non_zero_exit_code` → `fail-on`;
//! - `regions` → `regions` (the schema rules' region availability), known regions only;
//! - `templates`, `include_checks`, `mandatory_checks` and the rest: comments.

use crate::rules::cfnlint;
use serde_json::Value;
use std::fmt::Write as _;

/// The file names cfn-lint reads in the folder it runs in, in its order.
pub const FILE_NAMES: &[&str] = &[".cfnlintrc", ".cfnlintrc.yaml", ".cfnlintrc.yml"];

/// The `.cfn-policy-lint.yaml` equivalent to the cfn-lint configuration `text` (read from
/// `name`), or why `text` is not one.
pub fn translate(name: &str, text: &str) -> Result<String, String> {
    let value: Value = if text.trim().is_empty() {
        Value::Object(Default::default())
    } else {
        serde_yaml::from_str(text).map_err(|e| format!("{name}: not YAML: {e}"))?
    };
    let Value::Object(settings) = value else {
        return Err(format!("{name}: a cfn-lint configuration is a mapping"));
    };
    let mut out = format!(
        "# .cfn-policy-lint.yaml, translated from cfn-lint's {name} by\n\
         # `cfn-policy-lint config --from-cfnlintrc` (docs/migrating-from-cfn-lint.md).\n"
    );
    let mut notes: Vec<String> = Vec::new();
    let mut ignore: Vec<(String, String)> = Vec::new();
    for entry in strings(settings.get("ignore_checks")) {
        let checks: Vec<&cfnlint::Check> = cfnlint::selected(&entry, true).collect();
        let mut any = false;
        for check in &checks {
            // Every mapped name is a registered rule (tests/registry.rs).
            for rule in check.ours {
                any = true;
                match ignore.iter_mut().find(|(r, _)| r == rule) {
                    Some((_, ids)) => {
                        if !ids.split(", ").any(|id| id == check.id) {
                            ids.push_str(", ");
                            ids.push_str(check.id);
                        }
                    }
                    None => ignore.push((rule.to_string(), check.id.to_string())),
                }
            }
        }
        if !any && checks.iter().all(|c| c.ours.is_empty()) {
            notes.push(format!(
                "ignore_checks {entry}: no equivalent here, nothing to ignore"
            ));
        }
    }
    if !ignore.is_empty() {
        out.push_str("ignore:\n");
        let width = ignore.iter().map(|(r, _)| r.len()).max().unwrap_or(0);
        for (rule, ids) in &ignore {
            let _ = writeln!(out, "  - {rule:<width$}  # {ids}");
        }
    }
    let excluded = strings(settings.get("ignore_templates"));
    if !excluded.is_empty() {
        out.push_str("exclude:                         # ignore_templates\n");
        for glob in excluded {
            let _ = writeln!(out, "  - {}", quoted(&glob));
        }
    }
    match settings.get("non_zero_exit_code").and_then(Value::as_str) {
        Some(level @ ("error" | "warning")) => {
            let _ = writeln!(
                out,
                "fail-on: {level}                   # non_zero_exit_code"
            );
        }
        Some("informational") => {
            out.push_str("fail-on: info                    # non_zero_exit_code\n")
        }
        Some(other) => notes.push(format!(
            "non_zero_exit_code {other}: no equivalent (findings at or above `fail-on` always fail)"
        )),
        None => {}
    }
    let known_regions = crate::schema::catalog().regions();
    let (regions, unknown_regions): (Vec<String>, Vec<String>) = strings(settings.get("regions"))
        .into_iter()
        .partition(|r| known_regions.contains(&r.as_str()));
    if !regions.is_empty() {
        let _ = writeln!(
            out,
            "regions: [{}]{:width$}# regions",
            regions.join(", "),
            "",
            width = 22usize.saturating_sub(regions.join(", ").len())
        );
    }
    for region in unknown_regions {
        notes.push(if region == "ALL_REGIONS" {
            "regions ALL_REGIONS: list the regions you deploy to".to_string()
        } else {
            format!("regions {region}: not a region the resource schemas know")
        });
    }
    for (key, value) in &settings {
        let why = match key.as_str() {
            "ignore_checks" | "ignore_templates" | "non_zero_exit_code" | "regions" => continue,
            "templates" => "the files to check go on the command line: `cfn-policy-lint check PATH…` (folders are walked)",
            "include_checks" => "every rule here runs unless ignored; opt-in rules are selected by name",
            "mandatory_checks" => "no equivalent: any rule can be suppressed in a template",
            "include_experimental" => "no experimental rules here",
            "configure_rules" => "rule options differ: see `rules:` in README.md",
            "format" | "output_file" => "output is chosen on the command line (`--format`, `--output-file`)",
            "append_rules" | "custom_rules" | "override_spec" => "cfn-lint extensions have no equivalent",
            _ => "not a setting cfn-policy-lint has",
        };
        notes.push(format!("{key} {}: {why}", compact(value)));
    }
    if !notes.is_empty() {
        out.push_str("# Not carried over:\n");
        for note in notes {
            let _ = writeln!(out, "#   {note}");
        }
    }
    Ok(out)
}

/// A list of strings (or one string) from a cfn-lint setting.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A glob as a YAML string: quoted, since `*` cannot start a plain scalar.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A setting's value on one line, shortened.
fn compact(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    const RC: &str = "\
templates:
  - templates/**/*.yaml
ignore_templates:
  - templates/legacy/*
ignore_checks:
  - W2001
  - W3
  - W3011
  - E3012
include_checks: [I]
regions: [us-east-1, eu-west-1, ALL_REGIONS]
non_zero_exit_code: error
";

    #[test]
    fn a_cfnlintrc_becomes_the_equivalent_configuration() {
        let out = translate(".cfnlintrc", RC).unwrap();
        let expected_ignore = "\
ignore:
  - unused-parameter                # W2001
  - unknown-service                 # W3037
  - unknown-action                  # W3037
  - action-pattern-matches-nothing  # W3037
  - invalid-action                  # W3037
  - confused-deputy                 # W3663
  - invalid-property-type           # E3012
exclude:                         # ignore_templates
  - \"templates/legacy/*\"
fail-on: error                   # non_zero_exit_code
";
        assert!(out.contains(expected_ignore), "{out}");
        // What does not carry over is said, with the reason.
        assert!(
            out.contains("#   ignore_checks W3011: no equivalent here"),
            "{out}"
        );
        assert!(out.contains(
            "#   templates [\"templates/**/*.yaml\"]: the files to check go on the command line"
        ));
        assert!(out.contains("\nregions: [us-east-1, eu-west-1]"), "{out}");
        assert!(out.contains("#   regions ALL_REGIONS: list the regions you deploy to"));
        // The result is a valid configuration that ignores those rules.
        let config = Config::from_text(Path::new(".cfn-policy-lint.yaml"), &out).unwrap();
        assert_eq!(
            config.ignore,
            [
                "unused-parameter",
                "unknown-service",
                "unknown-action",
                "action-pattern-matches-nothing",
                "invalid-action",
                "confused-deputy",
                "invalid-property-type"
            ]
        );
        assert_eq!(config.exclude, ["templates/legacy/*"]);
        assert_eq!(config.regions, ["us-east-1", "eu-west-1"]);
    }

    #[test]
    fn empty_and_invalid_files() {
        let out = translate(".cfnlintrc", "").unwrap();
        assert!(Config::from_text(Path::new("c.yaml"), &out).unwrap() == Config::default());
        assert!(translate(".cfnlintrc", "- a list").is_err());
        assert!(translate(".cfnlintrc", "a: [").is_err());
    }
}

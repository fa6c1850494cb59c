//! The JSON Schema of `.cfn-policy-lint.yaml`, for editors (YAML language servers read it via
//! `# yaml-language-server: $schema=…`). Generated here from the same key list the loader
//! uses; `schema/cfn-policy-lint.schema.json` is the committed output and a test keeps the two
//! equal (`UPDATE_SCHEMA=1 cargo test config` rewrites the file).
//!
//! Rule names are described by pattern, not enumerated: the committed file then stays valid as
//! rules are added, and the loader still rejects unknown names with a suggestion.

use super::KEYS;
use serde_json::{json, Map, Value};

const RULE_PATTERN: &str = "^[A-Za-z0-9-]+$";

fn level() -> Value {
    json!({"type": "string", "enum": ["error", "warning", "info"]})
}

fn rule_list(description: &str) -> Value {
    json!({
        "description": description,
        "type": "array",
        "items": {"type": "string", "pattern": RULE_PATTERN},
        "uniqueItems": true
    })
}

fn property(key: &str) -> Value {
    match key {
        "select" => rule_list(
            "Only run these rules: rule names, codes, families (yaml, template, iam, purpose, \
             schema, project) or `all`. Empty or absent: every rule. `--select` replaces it.",
        ),
        "ignore" => {
            rule_list("Never run these rules (same forms as `select`). `--ignore` adds to it.")
        }
        "per-file-ignores" => json!({
            "description": "Glob, relative to the configuration file's folder (a glob without \
                            `/` also matches the file name at any depth) → rules not run on \
                            matching files.",
            "type": "object",
            "additionalProperties": rule_list("Rules not run on files matching the glob."),
        }),
        "severity" => json!({
            "description": "Rule name or code → the severity its findings are reported with.",
            "type": "object",
            "propertyNames": {"pattern": RULE_PATTERN},
            "additionalProperties": level(),
        }),
        "fail-on" => {
            let mut l = level();
            l["description"] = json!(
                "Lowest severity that makes the exit code 1 (default: warning). `--fail-on` \
                 overrides it; the configuration governing the current folder decides."
            );
            l
        }
        "exclude" => json!({
            "description": "Globs (relative to the configuration file's folder, or matching \
                            the file name) of files never checked, even when named on the \
                            command line.",
            "type": "array",
            "items": {"type": "string"},
        }),
        "regions" => json!({
            "description": "AWS regions the templates are deployed to (default: us-east-1). \
                            A resource type that one of them does not offer is reported by \
                            unknown-resource-type. `--regions` replaces it.",
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]+$"},
            "uniqueItems": true
        }),
        "packs" => json!({
            "description": "Extra folders of purpose packs and wiring files, relative to the \
                            configuration file's folder, added to `--packs`. Packs are loaded \
                            once per run, from the configuration governing the current folder.",
            "type": "array",
            "items": {"type": "string"},
        }),
        "rules" => json!({
            "description": "Rule name → that rule's options (see `cfn-policy-lint explain \
                            RULE`).",
            "type": "object",
            "propertyNames": {"pattern": RULE_PATTERN},
            "additionalProperties": {"type": ["object", "null"]},
        }),
        _ => json!({}),
    }
}

/// The schema as a JSON value.
pub fn json_schema() -> Value {
    let mut properties = Map::new();
    for key in KEYS {
        properties.insert((*key).to_string(), property(key));
    }
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "cfn-policy-lint configuration (.cfn-policy-lint.yaml)",
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_described() {
        let schema = json_schema();
        for key in KEYS {
            let p = &schema["properties"][key];
            assert!(p.get("description").is_some(), "{key} has no description");
        }
    }

    #[test]
    fn committed_schema_is_current() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schema/cfn-policy-lint.schema.json"
        );
        let generated = serde_json::to_string_pretty(&json_schema()).unwrap() + "\n";
        if std::env::var_os("UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == generated,
            "schema/cfn-policy-lint.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test config`"
        );
    }
}

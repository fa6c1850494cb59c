//! The rule reference, `docs/rules.md`, made from the registry: every rule with its code,
//! severity, family, options and full documentation. `tests/registry.rs` fails when the
//! committed file differs from what this makes (`UPDATE_DOCS=1 cargo test --test registry`
//! rewrites it), so the reference cannot fall behind the rules. A rule's section may carry
//! generated data after its documentation ([`appendix`]: the embedded wirings of
//! `missing-required-actions`), which `explain` prints too.

use super::{registry, Family, RuleMeta, Stage};
use crate::purpose::wiring::{Condition, Wiring, WiringSet, WiringSeverity};
use std::fmt::Write as _;

/// The whole of `docs/rules.md`.
pub fn markdown() -> String {
    let mut out = String::new();
    out.push_str(
        "<!-- Generated from the rule registry by `src/rules/reference.rs`: do not edit. \
         Regenerate with `UPDATE_DOCS=1 cargo test --test registry`. -->\n\n",
    );
    out.push_str("# Rules\n\n");
    let _ = writeln!(
        out,
        "{} rules in {} families. `cfn-policy-lint explain RULE` prints a rule's section; \
         `--select` and `--ignore` take rule names, codes or family names. Opt-in rules run only \
         when selected by name or code.\n",
        registry().len(),
        Family::ALL.len()
    );
    for family in Family::ALL {
        let _ = writeln!(out, "## Family `{}`\n", family.as_str());
        out.push_str("| rule | code | severity | summary |\n|---|---|---|---|\n");
        for m in in_family(family) {
            let _ = writeln!(
                out,
                "| [`{}`](#{}) | {} | {} | {} |",
                m.name,
                m.name,
                m.code,
                m.severity,
                escape_cell(m.summary)
            );
        }
        out.push('\n');
    }
    for family in Family::ALL {
        for m in in_family(family) {
            section(&mut out, m);
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn in_family(family: Family) -> impl Iterator<Item = &'static RuleMeta> {
    registry()
        .iter()
        .map(|r| r.meta())
        .filter(move |m| m.family == family)
}

fn section(out: &mut String, m: &RuleMeta) {
    let _ = writeln!(
        out,
        "<a id=\"{}\"></a>\n\n## {} ({})\n",
        m.name, m.name, m.code
    );
    let mut facts = vec![
        format!("severity **{}**", m.severity),
        format!("family `{}`", m.family.as_str()),
    ];
    facts.push(match m.stage {
        Stage::Yaml => "reported while reading the file, also when it does not parse".to_string(),
        Stage::File => "checked per file".to_string(),
        Stage::CrossFile => "checked across all files of a run".to_string(),
    });
    if m.opt_in {
        facts.push("opt-in: runs only when selected by its name or code".to_string());
    }
    let _ = writeln!(out, "{}: {}.\n", m.summary, facts.join(", "));
    if !m.options.is_empty() {
        let _ = writeln!(
            out,
            "Options, under `rules: {}:` in the configuration:\n",
            m.name
        );
        for (name, doc) in m.options {
            let _ = writeln!(out, "- `{name}`: {doc}");
        }
        out.push('\n');
    }
    // The doc comment's sections are `##` headings; here they sit under the rule's own.
    let mut docs = m.docs_text();
    if let Some(more) = appendix(m.name) {
        docs.push('\n');
        docs.push_str(&more);
    }
    let mut in_code = false;
    for line in docs.lines() {
        if line.starts_with("```") {
            in_code = !in_code;
        }
        if !in_code && line.starts_with("## ") {
            out.push('#');
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
}

/// What a rule's section adds after its doc comment, as Markdown with `##` headings (like the doc
/// comment's): for `missing-required-actions`, the table of embedded wirings. `explain` prints
/// it too.
pub fn appendix(rule: &str) -> Option<String> {
    (rule == "missing-required-actions").then(|| wiring_table(WiringSet::embedded()))
}

/// The wirings of a set as a Markdown section: name, what it checks, resource types, what the
/// role must be allowed, severity and the AWS page stating it.
pub fn wiring_table(set: &WiringSet) -> String {
    let mut out = String::from("## Wirings\n\n");
    let _ = writeln!(
        out,
        "The {} wirings this rule checks, from `rules/wiring/*.yaml` (format, and how to add \
         your own with `--packs DIR`: `rules/README.md`, \"Wiring packs\"). Each \
         requirement's resource is written as in the wiring (`{{arn:site}}`: the ARN of what the \
         site names); a conditional one says when it applies.\n",
        set.wirings().len()
    );
    out.push_str(
        "| wiring | what it checks | resource type | the role must be allowed | severity | AWS documentation |\n\
         |---|---|---|---|---|---|\n",
    );
    for w in set.wirings() {
        let types: Vec<String> = w
            .resource
            .items()
            .iter()
            .map(|t| format!("`{t}`"))
            .collect();
        let severity = match w.severity {
            WiringSeverity::Error => "error",
            WiringSeverity::Warning => "warning",
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | <{}> |",
            w.name,
            escape_cell(&w.title),
            types.join(", "),
            escape_cell(&allowed(w)),
            severity,
            w.docs
        );
    }
    out
}

/// A wiring's requirements in a sentence: the actions of each on its resource (as the wiring
/// writes it, placeholders included), with its condition.
fn allowed(w: &Wiring) -> String {
    if let Some(pack) = &w.pack {
        return format!("what the purpose pack `{pack}` requires");
    }
    let needs: Vec<String> = w
        .requires
        .iter()
        .map(|n| {
            let actions: Vec<String> = n.actions.iter().map(|a| format!("`{a}`")).collect();
            let mut text = format!("{} on `{}`", actions.join(", "), n.resource);
            if let Some(when) = &n.when {
                let all: Vec<String> = when.items().iter().map(condition).collect();
                let _ = write!(text, " (if {})", all.join(" and "));
            }
            text
        })
        .collect();
    needs.join("; ")
}

fn condition(c: &Condition) -> String {
    let path = format!("`{}`", c.path);
    if let Some(present) = c.present {
        return format!("{path} is {}", if present { "set" } else { "not set" });
    }
    if let Some(equals) = &c.equals {
        let values: Vec<String> = equals.items().iter().map(|v| format!("`{v}`")).collect();
        return format!("{path} is {}", values.join(" or "));
    }
    if let Some(pattern) = &c.matches {
        return format!("{path} matches `{pattern}`");
    }
    if let Some(service) = &c.service {
        return format!("{path} is an ARN of service `{service}`");
    }
    String::new()
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

//! The rule reference, `docs/rules.md`, made from the registry: every rule with its code,
//! severity, family, options and full documentation. `tests/registry.rs` fails when the
//! committed file differs from what this makes (`UPDATE_DOCS=1 cargo test --test registry`
//! rewrites it), so the reference cannot fall behind the rules.

use super::{registry, Family, RuleMeta, Stage};
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
    let mut in_code = false;
    for line in m.docs_text().lines() {
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

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|")
}

//! AWS ParallelCluster configurations: the policies a cluster attaches to its instances.
//!
//! - v3 (YAML): `HeadNode.Iam.AdditionalIamPolicies[].Policy`, the same under every queue of
//!   `Scheduling` and every pool of `LoginNodes`, and the cluster's `Iam.PermissionsBoundary`.
//!   Every string of the config is scanned for policy ARNs, which covers all of these.
//! - v2 (INI): `additional_iam_policies = arn…, arn…` in a `[cluster NAME]` section; comment
//!   lines (`#`, `;`) are skipped.
//!
//! Configs that are Jinja templates (ParallelCluster's integration tests) keep their
//! placeholders: a value whose name is a placeholder is not compared.

use super::index::scalar_references;
use super::names::find_policy_arns;
use super::{Facts, PolicyRef, RefForm};
use crate::discover::looks_like_pcluster_ini;
use crate::source::{SourceFile, Span};
use crate::template::spans::value_span;
use crate::yaml::{self, ParseOptions};

/// The policy references of a v2 or v3 config.
pub fn config_facts(source: &SourceFile, parse: &ParseOptions) -> Facts {
    if looks_like_pcluster_ini(&source.text) {
        return ini_facts(&source.text);
    }
    let mut facts = Facts::default();
    match yaml::parse(&source.text, parse) {
        Ok(document) => {
            if let Some(root) = &document.root {
                root.walk(&mut |node| {
                    facts.references.extend(scalar_references(node, |range| {
                        value_span(node, range, &source.text)
                    }));
                });
            }
        }
        // A Jinja template is often not YAML until rendered: read its lines instead.
        Err(_) => facts.references.extend(line_references(&source.text)),
    }
    facts
}

/// Policy ARNs in the non-comment lines of a text that could not be parsed.
fn line_references(text: &str) -> Vec<PolicyRef> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if line.trim_start().starts_with('#') {
            continue;
        }
        let code = match line.find(" #") {
            Some(i) => &line[..i],
            None => line,
        };
        out.extend(arn_references(code, start));
    }
    out
}

fn arn_references(text: &str, base: usize) -> Vec<PolicyRef> {
    find_policy_arns(text)
        .into_iter()
        .filter(|m| !m.templated)
        .map(|m| PolicyRef {
            name: m.name,
            span: Span::new(base + m.name_range.start, base + m.name_range.end),
            form: RefForm::Arn {
                account: m.account,
                path: m.path,
                path_and_name: Span::new(base + m.path_and_name.start, base + m.path_and_name.end),
            },
        })
        .collect()
}

/// One `key = value` line of an INI file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IniEntry<'a> {
    /// The section header's name, trimmed (`cluster default`); empty before the first header.
    pub section: &'a str,
    pub key: &'a str,
    pub value: &'a str,
    /// The value's bytes, trimmed.
    pub value_span: Span,
}

/// A minimal INI reader in the dialect of Python's `configparser` as ParallelCluster 2 used it:
/// `[section]` headers, `key = value` or `key: value`, full-line comments starting with `#` or
/// `;`, no inline comments. Continuation lines of multi-line values are ignored.
pub fn read_ini(text: &str) -> Vec<IniEntry<'_>> {
    let mut out = Vec::new();
    let mut section = "";
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // A continuation of the previous value.
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            if let Some(end) = rest.find(']') {
                section = rest[..end].trim();
            }
            continue;
        }
        let Some(sep) = line.find(['=', ':']) else {
            continue;
        };
        let key = line[..sep].trim();
        let after = &line[sep + 1..];
        let value = after.trim();
        let lead = after.len() - after.trim_start().len();
        let value_start = start + sep + 1 + lead;
        out.push(IniEntry {
            section,
            key,
            value,
            value_span: Span::new(value_start, value_start + value.len()),
        });
    }
    out
}

/// Policy references of a v2 config: every policy ARN in its values (`additional_iam_policies`
/// in practice), each item of a comma-separated list on its own.
fn ini_facts(text: &str) -> Facts {
    let mut facts = Facts::default();
    for entry in read_ini(text) {
        if entry.value.contains("{{") || entry.value.contains("{%") {
            continue;
        }
        facts
            .references
            .extend(arn_references(entry.value, entry.value_span.start));
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_reader_skips_comments_and_keeps_spans() {
        let text = "[aws]\naws_region_name = us-east-1\n\n[cluster default]\n\
                    ; additional_iam_policies = arn:aws:iam::aws:policy/Commented\n\
                    #additional_iam_policies = NONE\n\
                    additional_iam_policies = arn:aws:iam::<your-account-id>:policy/pclusterSSM,arn:aws:iam::aws:policy/CloudWatchFullAccess\n\
                    tags = {\"key\" : \"value\"}\n";
        let entries = read_ini(text);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1].section, "cluster default");
        let v = entries[1].value_span;
        assert_eq!(&text[v.start..v.end], entries[1].value);
        let facts = ini_facts(text);
        let names: Vec<_> = facts.references.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["pclusterSSM", "CloudWatchFullAccess"]);
        let s = facts.references[0].span;
        assert_eq!(&text[s.start..s.end], "pclusterSSM");
    }

    #[test]
    fn jinja_values_are_not_read() {
        let text = "[cluster default]\nadditional_iam_policies = {{ iam_policies }}\n";
        assert!(ini_facts(text).is_empty());
    }
}

use std::collections::HashMap;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{FileContext, Rule};
use crate::yaml::{Entry, NodeKind, ScalarStyle};

declare_rule! {
    /// ## What it does
    /// Reports a mapping key that appears twice in the same mapping, at the second occurrence,
    /// with a label on the first.
    ///
    /// ## Why it matters
    /// YAML readers do not agree on duplicates: most silently keep the last value, so half of
    /// what was written is dropped without a word. A second `Properties:` or a repeated
    /// `Statement` key means settings you can see in the file are not deployed.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    ///     Properties:
    ///       BucketName: logs
    ///     Properties:
    ///       VersioningConfiguration: {Status: Enabled}
    /// ```
    ///
    /// ## Fix
    /// Merge the two entries into one, or rename the one that was meant to be different.
    /// ```yaml
    /// Resources:
    ///   Bucket:
    ///     Type: AWS::S3::Bucket
    ///     Properties:
    ///       BucketName: logs
    ///       VersioningConfiguration: {Status: Enabled}
    /// ```
    pub struct DuplicateKey {
        name: "duplicate-key",
        code: "Y004",
        severity: Error,
        family: Yaml,
        summary: "A mapping key defined more than once",
    }
}

/// Below this many entries a pairwise scan beats building a hash map.
const SMALL_MAPPING: usize = 12;

impl Rule for DuplicateKey {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let Some(root) = ctx.document.and_then(|d| d.root.as_ref()) else {
            return;
        };
        root.walk(&mut |node| {
            if let NodeKind::Mapping(entries) = &node.kind {
                check_mapping(entries, out);
            }
        });
    }
}

/// The key's identity for duplicate detection: its scalar text. A plain `<<` is a merge key,
/// reported by `yaml-alias`; collection keys never occur in templates and are skipped.
fn key_text(entry: &Entry) -> Option<&str> {
    let scalar = entry.key.as_scalar()?;
    if scalar.style == ScalarStyle::Plain && scalar.value == "<<" && entry.key.tag.is_none() {
        return None;
    }
    Some(&scalar.value)
}

fn check_mapping(entries: &[Entry], out: &mut Vec<Diagnostic>) {
    if entries.len() < 2 {
        return;
    }
    if entries.len() <= SMALL_MAPPING {
        for (i, entry) in entries.iter().enumerate() {
            let Some(key) = key_text(entry) else { continue };
            if let Some(first) = entries[..i].iter().find(|e| key_text(e) == Some(key)) {
                out.push(report(key, first, entry));
            }
        }
        return;
    }
    let mut seen: HashMap<&str, &Entry> = HashMap::with_capacity(entries.len());
    for entry in entries {
        let Some(key) = key_text(entry) else { continue };
        match seen.get(key) {
            Some(first) => out.push(report(key, first, entry)),
            None => {
                seen.insert(key, entry);
            }
        }
    }
}

fn report(key: &str, first: &Entry, again: &Entry) -> Diagnostic {
    Diagnostic::new(
        &DuplicateKey::META,
        again.key.span,
        format!("`{key}` is defined twice in this mapping"),
    )
    .with_label(first.key.span, "first defined here")
    .with_help(format!(
        "YAML tools silently keep only one of the two values; merge both `{key}` entries into \
         one, or rename the one that was meant to be a different key"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::yaml::test_support::run;

    #[test]
    fn reports_second_key_with_label_on_first() {
        let text = "A: 1\nB:\n  x: 1\n  y: 2\n  x: 3\nA: 2\n";
        let found = run(&DuplicateKey, "t.yaml", text);
        assert_eq!(found.len(), 2);
        // Nested mapping first in walk order is fine; sort by position for the assertion.
        let mut found = found;
        found.sort_by_key(|d| d.span.start);
        assert_eq!(&text[found[0].span.start..found[0].span.end], "x");
        assert_eq!(found[0].span.start, text.find("  x: 3").unwrap() + 2);
        assert_eq!(found[0].labels[0].span.start, text.find("x: 1").unwrap());
        assert_eq!(found[1].span.start, text.rfind("A: 2").unwrap());
        assert!(found[1].message.contains("`A`"));
    }

    #[test]
    fn large_mappings_use_the_hash_path() {
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(&format!("k{i}: {i}\n"));
        }
        text.push_str("\"k7\": again\n");
        let found = run(&DuplicateKey, "t.yaml", &text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].labels[0].span.start, text.find("k7:").unwrap());
        // The span covers the quoted token.
        assert_eq!(&text[found[0].span.start..found[0].span.end], "\"k7\"");
    }

    #[test]
    fn json_duplicates_and_merge_keys() {
        let found = run(&DuplicateKey, "t.json", "{\"a\": 1, \"b\": 2, \"a\": 3}");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span.start, 17);
        let merges = "base: &b {x: 1}\nm:\n  <<: *b\n  <<: *b\n";
        assert!(run(&DuplicateKey, "t.yaml", merges).is_empty());
        assert!(run(&DuplicateKey, "t.yaml", "a: 1\nb: 1\n").is_empty());
    }
}

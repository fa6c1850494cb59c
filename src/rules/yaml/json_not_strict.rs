use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::rules::{FileContext, Rule};
use crate::source::{floor_char_boundary, SourceFile, Span};
use crate::yaml::{Document, Node};

declare_rule! {
    /// ## What it does
    /// For a `.json` file, reports the first place where it is not strict JSON although it
    /// parses as YAML: a trailing comma, a `#` comment, a single-quoted string, an unquoted key
    /// or value, text after the closing brace.
    ///
    /// ## Why it matters
    /// CloudFormation reads JSON templates with its YAML reader, so it accepts them, but every
    /// JSON tool (`jq`, `json.load`, editors, the CDK, policy validators) rejects the file.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "Resources": {
    ///     "Queue": { "Type": "AWS::SQS::Queue" },
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix
    /// Remove the trailing comma (a safe automatic fix), delete comments, and double-quote all
    /// strings and keys.
    /// ```json
    /// {
    ///   "Resources": {
    ///     "Queue": { "Type": "AWS::SQS::Queue" }
    ///   }
    /// }
    /// ```
    pub struct JsonNotStrict {
        name: "json-not-strict",
        code: "Y006",
        severity: Warning,
        family: Yaml,
        summary: "A .json file using YAML-only syntax that JSON tools reject",
    }
}

impl Rule for JsonNotStrict {
    fn check(&self, ctx: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let is_json = ctx
            .source
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let Some(document) = ctx.document.filter(|d| d.root.is_some()) else {
            return;
        };
        if is_json {
            out.extend(first_violation(ctx.source, document));
        }
    }
}

fn first_violation(source: &SourceFile, document: &Document) -> Option<Diagnostic> {
    let text = source.text.as_str();
    // A leading byte-order mark is common in Windows-saved files and tolerated by most tools.
    let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let error = serde_json::from_str::<serde::de::IgnoredAny>(&text[skip..]).err()?;
    if !error.is_syntax() && !error.is_eof() {
        return None;
    }
    let reason = error.to_string();
    let reason = reason.split(" at line ").next().unwrap_or_default();
    if reason.contains("recursion limit") {
        // Strict JSON, only deeper than serde_json's default reader goes.
        return None;
    }
    let line_start = source.lines.line_start(error.line().checked_sub(1)?)?;
    let at = floor_char_boundary(text, line_start + error.column().saturating_sub(1));
    let rest = &text[at..];
    let meta = &JsonNotStrict::META;

    if rest.starts_with(['}', ']']) {
        if let Some(comma) = trailing_comma(text, at) {
            let span = Span::new(comma, comma + 1);
            return Some(
                Diagnostic::new(
                    meta,
                    span,
                    "trailing comma: JSON allows no comma before a closing bracket",
                )
                .with_help("remove this comma")
                .with_fix(Fix {
                    description: "remove the trailing comma".into(),
                    edits: vec![Edit {
                        span,
                        replacement: String::new(),
                    }],
                }),
            );
        }
    }
    if rest.starts_with('#') || rest.starts_with("//") || rest.starts_with("/*") {
        let end = if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |i| i + 2)
        } else {
            rest.find(['\n', '\r']).unwrap_or(rest.len())
        };
        return Some(
            Diagnostic::new(
                meta,
                Span::new(at, at + end),
                "comments are not allowed in JSON",
            )
            .with_help(
                "delete the comment, or keep it in a `\"Description\"` or `\"Metadata\"` field",
            ),
        );
    }
    let span = node_starting_at(document, at).map_or_else(
        || Span::new(at, at + rest.chars().next().map_or(0, char::len_utf8)),
        |n| n.span,
    );
    let token = &text[span.start..span.end];
    let (message, help) = if rest.starts_with('\'') {
        (
            format!("single-quoted string {token} is not JSON"),
            "use double quotes".to_string(),
        )
    } else if reason == "trailing characters" {
        (
            "text after the end of the JSON document".to_string(),
            "remove everything after the closing `}`".to_string(),
        )
    } else if rest.starts_with(|c: char| c.is_alphanumeric() || c == '.' || c == '_') {
        (
            format!("`{token}` is a YAML value, not JSON"),
            "JSON strings and keys need double quotes; JSON numbers, `true`, `false` and `null` are \
             written exactly so"
                .to_string(),
        )
    } else {
        (
            format!("not strict JSON here ({reason})"),
            "JSON tools reject this file although CloudFormation reads it; write strict JSON"
                .to_string(),
        )
    };
    Some(Diagnostic::new(meta, span, message).with_help(help))
}

/// The comma before the bracket at `at`, if only whitespace separates them.
fn trailing_comma(text: &str, at: usize) -> Option<usize> {
    let before = text.get(..at)?.trim_end_matches([' ', '\t', '\r', '\n']);
    before.ends_with(',').then(|| before.len() - 1)
}

/// The outermost node whose span starts at `at`.
fn node_starting_at(document: &Document, at: usize) -> Option<&Node> {
    let mut found = None;
    document.root.as_ref()?.walk(&mut |n| {
        if found.is_none() && n.span.start == at && !n.span.is_empty() {
            found = Some(n);
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::yaml::test_support::run;

    fn slice(text: &str, d: &Diagnostic) -> String {
        text[d.span.start..d.span.end].to_string()
    }

    #[test]
    fn trailing_comma_is_pointed_at_and_fixable() {
        let text = "{\n  \"a\": [1, 2,\n  ],\n  \"é\": 1,\n}\n";
        let found = run(&JsonNotStrict, "t.json", text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].span.start, text.find("2,").unwrap() + 1);
        assert_eq!(slice(text, &found[0]), ",");
        assert!(found[0].fix.is_some());
    }

    #[test]
    fn comments_quotes_and_yaml_values() {
        let text = "{\n  # note\n  \"a\": 1\n}\n";
        let found = run(&JsonNotStrict, "t.json", text);
        assert_eq!(slice(text, &found[0]), "# note");

        let text = "{\"a\": 'x y'}";
        let found = run(&JsonNotStrict, "t.json", text);
        assert_eq!(slice(text, &found[0]), "'x y'");

        let text = "{\"a\": yes}";
        let found = run(&JsonNotStrict, "t.json", text);
        assert_eq!(slice(text, &found[0]), "yes");
        assert!(found[0].message.contains("`yes`"));
    }

    #[test]
    fn strict_json_and_yaml_files_are_quiet() {
        assert!(run(&JsonNotStrict, "t.json", "{\"a\": [1, {\"b\": null}]}\n").is_empty());
        assert!(run(&JsonNotStrict, "t.json", "\u{feff}{\"a\": 1}").is_empty());
        assert!(run(&JsonNotStrict, "t.yaml", "{\"a\": 1,}").is_empty());
        assert!(run(&JsonNotStrict, "t.template", "a: 1").is_empty());
    }
}

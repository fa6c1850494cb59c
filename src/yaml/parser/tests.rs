use super::*;
use crate::yaml::{Resolved, ScalarStyle};

fn doc(text: &str) -> Document {
    parse(text, &ParseOptions::default()).unwrap_or_else(|e| panic!("{e:?}"))
}

fn err(text: &str) -> ParseError {
    parse(text, &ParseOptions::default()).expect_err("should not parse")
}

fn at(text: &str, span: Span) -> &str {
    &text[span.start..span.end]
}

#[test]
fn scalar_spans_are_bytes_and_include_quotes() {
    let text = "é: 'ça va'\nB: \"x\"\nC: plain text\n";
    let d = doc(text);
    let root = d.root.as_ref().unwrap();
    let entries = root.as_mapping().unwrap();
    assert_eq!(at(text, entries[0].key.span), "é");
    assert_eq!(at(text, entries[0].value.span), "'ça va'");
    assert_eq!(entries[0].value.as_str(), Some("ça va"));
    assert_eq!(
        entries[0].value.as_scalar().unwrap().style,
        ScalarStyle::SingleQuoted
    );
    assert_eq!(at(text, entries[1].value.span), "\"x\"");
    assert_eq!(at(text, entries[2].value.span), "plain text");
    // A block mapping ends with its last value, not at the following newline.
    assert_eq!(root.span, Span::new(0, text.len() - 1));
}

#[test]
fn tags_keep_their_raw_text_and_span() {
    let text = "A: !Sub 'x-${AWS::Region}'\nB: !!str 2012-10-17\nC: !GetAtt\n  - R\n  - Arn\n";
    let d = doc(text);
    let root = d.root.unwrap();
    let a = root.get("A").unwrap();
    let tag = a.tag.as_ref().unwrap();
    assert_eq!(tag.text, "!Sub");
    assert_eq!(at(text, tag.span), "!Sub");
    assert_eq!(at(text, a.span), "'x-${AWS::Region}'");
    let b = root.get("B").unwrap();
    assert_eq!(b.tag_text(), Some("!!str"));
    assert_eq!(b.resolved(), Some(Resolved::Str("2012-10-17")));
    let c = root.get("C").unwrap();
    assert_eq!(c.tag_text(), Some("!GetAtt"));
    assert_eq!(at(text, c.span), "- R\n  - Arn");
}

#[test]
fn yaml11_types_resolve_like_cloudformation() {
    let d = doc("A: yes\nB: '2012-10-17'\nC: 2012-10-17\nD: 'yes'\n");
    let root = d.root.unwrap();
    assert_eq!(
        root.get("A").unwrap().resolved(),
        Some(Resolved::Bool(true))
    );
    assert_eq!(
        root.get("C").unwrap().resolved(),
        Some(Resolved::Str("2012-10-17"))
    );
    assert_eq!(
        root.get("D").unwrap().resolved(),
        Some(Resolved::Str("yes"))
    );
}

#[test]
fn flow_collections_cover_their_brackets_and_json_spans_are_exact() {
    let text = "{\"A\": [1, {\"b\": \"c\"}], \"E\": null}";
    let d = doc(text);
    let root = d.root.unwrap();
    assert_eq!(root.span, Span::new(0, text.len()));
    let a = root.get_entry("A").unwrap();
    assert_eq!(at(text, a.key.span), "\"A\"");
    assert_eq!(at(text, a.value.span), "[1, {\"b\": \"c\"}]");
    let inner = &a.value.as_sequence().unwrap()[1];
    assert_eq!(at(text, inner.span), "{\"b\": \"c\"}");
    assert_eq!(root.get("E").unwrap().resolved(), Some(Resolved::Null));
}

#[test]
fn block_scalars_span_header_to_last_character() {
    let text = "A: |  # keep | this\n  line one\n  line two\n\nB: >-\n  folded\n";
    let d = doc(text);
    let root = d.root.unwrap();
    let a = root.get("A").unwrap();
    assert_eq!(at(text, a.span), "|  # keep | this\n  line one\n  line two");
    assert_eq!(a.as_str(), Some("line one\nline two\n"));
    let b = root.get("B").unwrap();
    assert_eq!(at(text, b.span), ">-\n  folded");
    assert_eq!(b.as_scalar().unwrap().style, ScalarStyle::Folded);
}

#[test]
fn empty_values_are_empty_null_scalars() {
    let d = doc("A:\nB: ~\n");
    let root = d.root.unwrap();
    assert_eq!(root.get("A").unwrap().as_str(), Some(""));
    assert_eq!(root.get("A").unwrap().resolved(), Some(Resolved::Null));
    assert_eq!(root.get("B").unwrap().as_str(), Some("~"));
}

#[test]
fn duplicates_comments_anchors_and_aliases_are_kept() {
    let text = "# top\nA: &x 1 # right\nA: *x\nB: *missing\n";
    let d = doc(text);
    assert_eq!(d.comments.len(), 2);
    assert_eq!(d.comments[0].text, " top");
    assert_eq!(at(text, d.comments[1].span), "# right");
    let entries = d.root.as_ref().unwrap().as_mapping().unwrap();
    assert_eq!(entries.len(), 3);
    let anchor = entries[0].value.anchor.as_ref().unwrap();
    assert_eq!(anchor.name, "x");
    assert_eq!(at(text, anchor.span), "&x");
    assert_eq!(entries[1].value.kind, NodeKind::Alias("x".into()));
    assert_eq!(at(text, entries[1].value.span), "*x");
    assert_eq!(entries[2].value.kind, NodeKind::Alias("missing".into()));
}

#[test]
fn collection_anchors_attach_to_the_collection() {
    let d = doc("A: &m\n  k: v\nB: &s [1]\n");
    let root = d.root.unwrap();
    assert_eq!(root.get("A").unwrap().anchor.as_ref().unwrap().name, "m");
    assert!(root.get("A").unwrap().get("k").unwrap().anchor.is_none());
    assert_eq!(root.get("B").unwrap().anchor.as_ref().unwrap().name, "s");
}

#[test]
fn alias_bombs_are_not_expanded() {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let d = doc(&text);
    let mut nodes = 0;
    d.root.unwrap().walk(&mut |_| nodes += 1);
    // 9^10 nodes if expanded; as written, 10 keys + 10 sequences of 9.
    assert_eq!(nodes, 1 + 10 * 2 + 10 * 9);
}

#[test]
fn nesting_depth_is_bounded() {
    let deep = "[".repeat(100_000);
    let e = err(&deep);
    assert!(e.message.contains("nested"), "{e:?}");
    let opts = ParseOptions { max_depth: 3 };
    assert!(parse("a: {b: {c: 1}}", &opts).is_ok());
    let e = parse("a: {b: {c: {d: 1}}}", &opts).unwrap_err();
    assert_eq!(e.span.start, 11);
    let mut block = String::new();
    for i in 0..300 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    assert!(err(&block).message.contains("nested more than 256"));
}

#[test]
fn a_second_document_is_an_error_at_its_marker() {
    let text = "A: 1\n---\nB: 2\n";
    let e = err(text);
    assert_eq!(at(text, e.span), "---");
    assert!(e.message.contains("second YAML document"));
    let trailing = "A: 1\n---\n";
    assert_eq!(err(trailing).span.start, 5);
    // An explicit start and end of the one document are fine.
    assert!(parse("---\nA: 1\n...\n", &ParseOptions::default()).is_ok());
    assert!(doc("# only a comment\n").root.is_none());
}

#[test]
fn tab_indentation_is_explained() {
    let text = "Resources:\n\tBucket: x\n";
    let e = err(text);
    assert_eq!(
        e.message,
        "a TAB character is used for indentation; YAML allows only spaces"
    );
    assert_eq!(e.span, Span::new(11, 12));
    // Mixed indentation: the whole run containing the tab.
    let text = "A:\n\t  b: 1\n";
    assert_eq!(err(text).span, Span::new(3, 6));
}

#[test]
fn common_mistakes_get_plain_messages_at_the_right_place() {
    let text = "A: 'abc\nB: c\n";
    let e = err(text);
    assert!(e.message.contains("never closed"), "{e:?}");
    assert_eq!(e.span, Span::new(3, 4));

    let text = "A: b: c\n";
    let e = err(text);
    assert!(e.message.contains("unexpected `:`"), "{e:?}");
    assert!(e.help.as_deref().unwrap().contains("quote"));

    let text = "A: [1, 2\nB: c\n";
    let e = err(text);
    assert!(
        e.help.as_deref().unwrap().contains("`[` opened on line 1"),
        "{e:?}"
    );

    let text = "Resource: *\n";
    let e = err(text);
    assert!(e.help.as_deref().unwrap().contains("'*'"), "{e:?}");

    let text = "A:\n  b: c\n d: e\n";
    let e = err(text);
    assert!(e.message.contains("indented"), "{e:?}");
    assert_eq!(at(text, e.span), "d");
}

#[test]
fn a_key_without_space_after_its_colon_is_named() {
    let text = "Resources:\n  Mapping:curc\n    Type: X\n";
    let e = err(text);
    let help = e.help.unwrap();
    assert!(help.contains("line 2 reads `Mapping:curc`"), "{help}");
    assert!(help.contains("`Mapping:` followed by a space"), "{help}");
}

#[test]
fn json_errors_are_worded_for_json() {
    let text = "{\n  \"A\": 1\n  \"B\": 2\n}";
    let e = err(text);
    assert!(e.message.contains("JSON object"), "{e:?}");
    assert!(e.help.as_deref().unwrap().contains("comma"));
}

#[test]
fn jinja_sources_say_so() {
    let e = err("{%- set x = 1 %}\nA: 1\n");
    assert!(e.help.as_deref().unwrap().contains("Jinja"), "{e:?}");
}

//! Property tests over the whole per-file pipeline and every renderer: arbitrary text,
//! YAML-shaped token soup and the pathological shapes of `common::shapes` are checked and
//! rendered without a panic, spans stay on character boundaries inside the text, and the JSON is
//! valid. How the time grows with the input is measured by `benches/growth.rs`, on the same
//! shapes, not asserted here: a timed test fails when the machine is busy.

use cfn_policy_lint::check::{check_template, FileReport, Settings};
use cfn_policy_lint::render::{render, Format, RenderOptions};
use cfn_policy_lint::source::SourceFile;
use common::shapes::{self, TOKENS};
use proptest::prelude::*;

mod common;

const FORMATS: [Format; 4] = [Format::Human, Format::Concise, Format::Json, Format::Github];

fn check(text: &str) -> FileReport {
    check_template(SourceFile::new("prop.yaml", text), &Settings::default())
}

/// Check and render in every format, with and without colour, asserting what holds for any
/// input; returns the number of findings.
fn pipeline(text: &str) -> usize {
    let reports = [check(text)];
    for format in FORMATS {
        for color in [false, true] {
            let opts = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            let mut out = Vec::new();
            render(format, &reports, &opts, &mut out).expect("writing to a Vec");
            if format == Format::Json {
                let json: serde_json::Value =
                    serde_json::from_slice(&out).expect("the JSON format is always valid JSON");
                assert_eq!(
                    json["diagnostics"].as_array().map(Vec::len),
                    Some(reports[0].diagnostics.len())
                );
            }
            assert!(
                reports[0].diagnostics.is_empty() || !out.is_empty(),
                "{format:?} wrote nothing for {} findings",
                reports[0].diagnostics.len()
            );
        }
    }
    let len = text.len();
    for d in &reports[0].diagnostics {
        assert!(
            d.span.start <= d.span.end && d.span.end <= len,
            "{} span {:?} outside 0..{len}",
            d.rule,
            d.span
        );
        assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
    }
    reports[0].diagnostics.len()
}

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..300).prop_map(|t| t.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_checked_and_rendered_without_panic(text in any::<String>()) {
        pipeline(&text);
    }

    #[test]
    fn yaml_shaped_text_is_checked_and_rendered_without_panic(text in yamlish()) {
        pipeline(&text);
    }

    #[test]
    fn templates_with_yaml_shaped_values(body in yamlish()) {
        let text = format!("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      {body}\n");
        pipeline(&text);
    }
}

/// The shapes `benches/growth.rs` times, each hard for one stage in its own way (hundreds of
/// duplicate keys, tabs through the doctor, an unclosed flow collection, aliases, undefined
/// references…), at 8 KiB: big enough for those states to pile up, small enough for a debug build.
#[test]
fn pathological_shapes_are_checked_and_rendered_without_panic() {
    for (name, snippet) in shapes::pathological() {
        let text = shapes::repeated(&snippet, 8 * 1024);
        let outcome = std::panic::catch_unwind(|| pipeline(&text));
        assert!(
            outcome.is_ok(),
            "shape `{name}` failed: see the panic above"
        );
    }
}

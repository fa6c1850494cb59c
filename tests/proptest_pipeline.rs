//! Property tests over the whole per-file pipeline and every renderer: arbitrary text and
//! YAML-shaped token soup never panic, and the work grows linearly with the input.

use cfn_policy_lint::check::{check_template, FileReport, Settings};
use cfn_policy_lint::render::{render, Format, RenderOptions};
use cfn_policy_lint::source::SourceFile;
use proptest::prelude::*;
use std::time::{Duration, Instant};

const FORMATS: [Format; 4] = [Format::Human, Format::Concise, Format::Json, Format::Github];

fn check(text: &str) -> FileReport {
    check_template(SourceFile::new("prop.yaml", text), &Settings::default())
}

/// Check and render in every format; returns the total output size so nothing is optimised away.
fn pipeline(text: &str) -> usize {
    pipeline_in(text, &FORMATS)
}

fn pipeline_in(text: &str, formats: &[Format]) -> usize {
    let reports = [check(text)];
    let mut total = 0;
    for &format in formats {
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
            total += out.len();
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
    total
}

/// Pieces that put the parser, the doctor and the template rules in unusual states.
const TOKENS: &[&str] = &[
    "\n",
    "\n",
    "\n",
    "  ",
    "  ",
    "    ",
    "\t",
    " ",
    "- ",
    "? ",
    ": ",
    ":",
    ",",
    "[",
    "]",
    "{",
    "}",
    "#c",
    "'",
    "\"",
    "|",
    ">-",
    "&a ",
    "*a",
    "!Ref ",
    "!Sub ",
    "!GetAtt ",
    "!If ",
    "!Join ",
    "Fn::Sub",
    "${",
    "}",
    "${AWS::Region}",
    "${X.Arn}",
    "Resources",
    "Parameters",
    "Outputs",
    "Conditions",
    "Type",
    "AWS::IAM::Role",
    "Properties",
    "PolicyDocument",
    "Statement",
    "Effect",
    "Allow",
    "Action",
    "s3:GetObject",
    "Resource",
    "*",
    "Version",
    "2012-10-17",
    "AWSTemplateFormatVersion",
    "Condition",
    "Value",
    "---",
    "...",
    "%YAML 1.2\n",
    "é",
    "\u{FEFF}",
    "\r\n",
    "\\",
    "0x1F",
    "~",
    "null",
    "yes",
    "<<",
    "=",
];

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

/// The human format is left out of the timing: miette walks every line between a finding and
/// its farthest label, so a file with thousands of `duplicate-key` findings each pointing back to
/// line 2 costs findings × distance there (output stays linear; see README "Performance").
const TIMED_FORMATS: [Format; 3] = [Format::Concise, Format::Json, Format::Github];

/// The fastest of a few runs: the least disturbed by other work on the machine.
fn best_time(text: &str) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(pipeline_in(std::hint::black_box(text), &TIMED_FORMATS));
            start.elapsed()
        })
        .min()
        .expect("three runs")
}

/// Work on 4× the input must stay under 16× the time (linear would be 4×; quadratic 16×).
/// Relative, never absolute, so a slow or busy machine does not fail it; the base input is big
/// enough that start-up costs do not dominate.
fn assert_linear(name: &str, snippet: &str, base_bytes: usize) {
    let mut copies = base_bytes / snippet.len().max(1) + 1;
    let mut small = snippet.repeat(copies);
    pipeline_in(&small, &TIMED_FORMATS); // warm caches and lazy tables
    let mut t1 = best_time(&small);
    // Timer noise swamps a run of a few milliseconds: grow the base until it takes longer.
    while t1 < Duration::from_millis(20) && small.len() < 256 * 1024 {
        copies *= 2;
        small = snippet.repeat(copies);
        t1 = best_time(&small);
    }
    let large = snippet.repeat(copies * 4);
    let t4 = best_time(&large);
    let ratio = t4.as_secs_f64() / t1.as_secs_f64().max(1e-6);
    eprintln!(
        "{name}: {} bytes {t1:?}, ×4 {t4:?} (×{ratio:.1})",
        small.len()
    );
    assert!(
        ratio < 16.0,
        "{name}: {} bytes took {t1:?}, {} bytes {t4:?} (×{ratio:.1})",
        small.len(),
        large.len()
    );
}

const ROLE: &str = "  Role{}:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: !Sub '${AWS::StackName}-p'
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: [s3:GetObject, s3:ListBucket]
                Resource: !Sub '${Bucket.Arn}/*'
";

#[test]
fn work_grows_linearly_on_pathological_shapes() {
    let roles: String = (0..50)
        .map(|i| ROLE.replace("{}", &i.to_string()))
        .collect();
    let cases: Vec<(&str, String)> = vec![
        ("template", format!("Resources:\n{roles}")),
        // Tabs send every file through the indentation doctor and its repair.
        (
            "tab-indented",
            format!("Resources:\n{}", roles.replace("    ", "\t")),
        ),
        ("duplicate keys", "  Same: 1\n".to_string()),
        ("unclosed flow", "a: [b, {c: d, ".to_string()),
        ("aliases", "a: &x [1]\nb: *x\n".to_string()),
        (
            "undefined refs",
            "  - !Ref Nope\n  - !Sub '${A}${B}${C}'\n".to_string(),
        ),
        ("long sub", "${AWS::Region}-${Missing}-".to_string()),
        ("comments", "# comment : [ { \n".to_string()),
    ];
    for (name, snippet) in &cases {
        assert_linear(name, snippet, 8_000);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4, ..ProptestConfig::default() })]

    #[test]
    fn work_grows_linearly_on_generated_shapes(snippet in yamlish().prop_filter("non-empty", |s| s.len() > 8)) {
        assert_linear("generated", &snippet, 8_000);
    }
}

//! Bytes → source text (lossy UTF-8, as the runner would refuse it otherwise) → the whole
//! per-file pipeline → every renderer. Any panic, hang or runaway allocation is a bug.
#![no_main]

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::render::{render, Format, RenderOptions};
use cfn_policy_lint::source::SourceFile;
use libfuzzer_sys::fuzz_target;

const FORMATS: [Format; 4] = [Format::Human, Format::Concise, Format::Json, Format::Github];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let report = check_template(SourceFile::new("fuzz.yaml", text), &Settings::default());
    let reports = [report];
    for format in FORMATS {
        let mut out = Vec::new();
        for color in [false, true] {
            let opts = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            render(format, &reports, &opts, &mut out).expect("writing to a Vec cannot fail");
        }
    }
});

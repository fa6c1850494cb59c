//! How the per-file pipeline's time grows with the input, on the shapes that
//! `tests/proptest_pipeline.rs` feeds it: each shape repeated to 32, 64, 128 and 256 KiB, checked
//! and rendered as concise, JSON and GitHub output, single-threaded.
//!
//! Run with `cargo bench --bench growth`. The argument under each shape is the input size in
//! KiB. Linear growth shows as a median that doubles from one line to the next and a throughput
//! (MB/s) that stays level; a quadratic pass would quadruple the time per line and halve the
//! throughput.
//!
//! The human format is timed on its own, by `human_duplicate_keys`, on the shape where it could
//! go wrong: thousands of `duplicate-key` findings whose labels all point back to the first key,
//! so that a renderer walking the lines between a finding and its label would cost findings ×
//! distance. It is the slowest format, and would hide the others' growth if timed with them.

use cfn_policy_lint::check::{check_template, Settings};
use cfn_policy_lint::render::{render, Format, RenderOptions};
use cfn_policy_lint::source::SourceFile;
use divan::counter::BytesCount;
use divan::Bencher;

#[path = "../tests/common/shapes.rs"]
mod shapes;

fn main() {
    divan::main();
}

/// Input sizes in KiB: n, 2n, 4n, 8n.
const KIB: [usize; 4] = [32, 64, 128, 256];

const FORMATS: [Format; 3] = [Format::Concise, Format::Json, Format::Github];

/// The text of `shape` at `kib` KiB; panics on an unknown name, which only a typo here causes.
fn input(shape: &str, kib: usize) -> String {
    let snippet = match shape {
        "soup_1" => shapes::soup(1, 150),
        "soup_2" => shapes::soup(2, 150),
        "soup_3" => shapes::soup(3, 150),
        _ => {
            shapes::pathological()
                .into_iter()
                .find(|(name, _)| *name == shape)
                .unwrap_or_else(|| panic!("no shape named {shape}"))
                .1
        }
    };
    shapes::repeated(&snippet, kib * 1024)
}

/// Check `text` and render the report in `formats`; returns the output size so that nothing is
/// optimised away.
fn pipeline(text: &str, formats: &[Format]) -> usize {
    let reports = [check_template(
        SourceFile::new("growth.yaml", text),
        &Settings::default(),
    )];
    let opts = RenderOptions::default();
    formats
        .iter()
        .map(|&format| {
            let mut out = Vec::new();
            render(format, &reports, &opts, &mut out).expect("writing to a Vec");
            out.len()
        })
        .sum()
}

fn bench_shape(bencher: Bencher, shape: &str, kib: usize, formats: &[Format]) {
    let text = input(shape, kib);
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| pipeline(divan::black_box(&text), formats));
}

/// One benchmark per shape, each over the sizes in `KIB`.
macro_rules! shapes {
    ($($shape:ident),* $(,)?) => {
        $(
            #[divan::bench(args = KIB, sample_count = 20)]
            fn $shape(bencher: Bencher, kib: usize) {
                bench_shape(bencher, stringify!($shape), kib, &FORMATS);
            }
        )*
    };
}

shapes!(
    template,
    tab_indented,
    duplicate_keys,
    unclosed_flow,
    aliases,
    undefined_refs,
    long_sub,
    comments,
    shrunk_soup,
    soup_1,
    soup_2,
    soup_3,
);

/// The human format alone on thousands of duplicate keys, each labelled back to the first one.
#[divan::bench(args = KIB, sample_count = 10)]
fn human_duplicate_keys(bencher: Bencher, kib: usize) {
    bench_shape(bencher, "duplicate_keys", kib, &[Format::Human]);
}

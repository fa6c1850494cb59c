//! Build-time facts the crate and its tests derive instead of listing by hand.
//!
//! - `cfg(corpus_absent)` when `../shared/corpus` (the shared corpus of real templates) is not
//!   next to the checkout, so that corpus tests are marked ignored, with a reason, instead of
//!   passing without checking anything.

use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let corpus_marker = Path::new(&manifest).join("../shared/corpus/valid-templates.txt");
    println!("cargo::rustc-check-cfg=cfg(corpus_absent)");
    // A missing file is always stale to cargo, so the check is redone on every build until the
    // corpus appears; once present, only a change to the marker reruns it.
    println!("cargo::rerun-if-changed={}", corpus_marker.display());
    println!("cargo::rerun-if-changed=build.rs");
    if !corpus_marker.is_file() {
        println!("cargo::rustc-cfg=corpus_absent");
    }
}

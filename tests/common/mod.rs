//! What several integration tests share: running the built binary as users do, finding the
//! shared corpus of real templates, and the input shapes of `shapes` (which `benches/growth.rs`
//! uses too).
//!
//! Each test file that needs it declares `mod common;` and uses what it needs, so the rest is
//! unused there.
#![allow(dead_code)]

pub mod lsp_client;
pub mod shapes;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary, run from the crate's folder, with the colour variables of the surrounding
/// environment removed (tests that care about colour set them themselves).
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfn-policy-lint"));
    cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Run with `args` from the crate's folder.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// Run with `args` from `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("binary runs")
}

/// Run `cmd` (e.g. `bin().args(…)`) with `input` on its stdin.
pub fn with_stdin(cmd: &mut Command, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// `../shared/corpus`, the shared corpus of real templates next to the checkout.
///
/// Every test that reads it is marked
/// `#[cfg_attr(corpus_absent, ignore = "needs ../shared/corpus (the shared corpus of real templates)")]`:
/// `build.rs` sets `corpus_absent` when `valid-templates.txt` is missing here, so `cargo test`
/// reports such tests as ignored, with that reason, instead of passing without checking
/// anything. Run anyway (`--ignored`) without the corpus, they fail here and say why.
pub fn corpus() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        dir.join("valid-templates.txt").is_file(),
        "{} is absent: this test needs the shared corpus of real templates, so `cargo test` \
         marks it ignored without it (build.rs decides that when it runs: after adding the \
         corpus, `touch build.rs`)",
        dir.display()
    );
    dir
}

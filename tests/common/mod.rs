//! What several integration tests share: running the built binary as users do, and the input
//! shapes of `shapes` (which `benches/growth.rs` uses too).
//!
//! Each test file that needs it declares `mod common;` and uses what it needs, so the rest is
//! unused there.
#![allow(dead_code)]

pub mod shapes;

use std::path::Path;
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

//! The end of a `check`: what becomes of a run's findings (filtered by a baseline or recorded
//! as one, rendered to stdout or into a file), the lines on stderr, and the exit code.
//!
//! Apart from [`crate::run`], which only gathers results and is used without any printing, and
//! from [`crate::cli`], which only turns arguments into these options. The exit codes' meaning
//! is the command line's contract, described there.

use crate::baseline::{self, Baseline};
use crate::diagnostic::Severity;
use crate::fix::FixSummary;
use crate::render::{self, Format, RenderOptions};
use crate::run::{FileProblem, RunOutcome};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_TROUBLE: u8 = 2;

/// What `check` was asked to do with the findings of a run.
#[derive(Clone, Debug)]
pub struct OutputOptions {
    pub format: Format,
    /// Counts per rule instead of the findings (`--statistics`).
    pub statistics: bool,
    pub quiet: bool,
    /// Colour the human output; never applied to an `output_file`.
    pub color: bool,
    pub width: usize,
    /// The lowest severity that makes the exit code 1.
    pub fail_on: Severity,
    /// Report only findings this baseline does not record (`--baseline`).
    pub baseline: Option<PathBuf>,
    /// Record the findings here instead of reporting them (`--write-baseline`).
    pub write_baseline: Option<PathBuf>,
    /// Write the report here instead of stdout (`--output-file`).
    pub output_file: Option<PathBuf>,
}

/// Report a finished run as `opts` say; returns the exit code.
pub fn finish(
    mut outcome: RunOutcome,
    opts: &OutputOptions,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> io::Result<u8> {
    if let Some(path) = &opts.baseline {
        match Baseline::load(path) {
            Ok(baseline) => {
                baseline.filter(&mut outcome.reports);
            }
            Err(message) => {
                writeln!(stderr, "error: {}: {message}", path.display())?;
                return Ok(EXIT_TROUBLE);
            }
        }
    }
    if let Some(path) = &opts.write_baseline {
        return write_baseline(&outcome, path, opts.quiet, stderr);
    }

    let code = exit_code(&outcome, opts.fail_on);

    let to_file = opts.output_file.is_some();
    let render_opts = RenderOptions {
        color: opts.color && !to_file,
        quiet: opts.quiet,
        width: opts.width,
        problems: outcome.problems.clone(),
    };
    let mut buffer = Vec::new();
    let mut sink: &mut dyn Write = if to_file { &mut buffer } else { stdout };
    let written = if opts.statistics {
        render::statistics(opts.format, &outcome.reports, sink)
    } else {
        render::render(opts.format, &outcome.reports, &render_opts, &mut sink)
    }
    .and_then(|()| sink.flush());
    // Findings still decide the exit code when the reader stopped early.
    ignore_broken_pipe(written)?;
    if let Some(path) = &opts.output_file {
        if let Err(e) = std::fs::write(path, &buffer) {
            writeln!(stderr, "error: cannot write {}: {e}", path.display())?;
            return Ok(EXIT_TROUBLE);
        }
    }

    print_problems(stderr, &outcome.problems)?;
    if outcome.reports.is_empty() && outcome.problems.is_empty() && !opts.quiet {
        writeln!(
            stderr,
            "warning: no CloudFormation templates found under the given paths"
        )?;
    }
    Ok(code)
}

/// `--write-baseline`: the findings are recorded, not reported; 0 unless a file could not be
/// checked or the baseline could not be written.
fn write_baseline(
    outcome: &RunOutcome,
    path: &Path,
    quiet: bool,
    stderr: &mut impl Write,
) -> io::Result<u8> {
    print_problems(stderr, &outcome.problems)?;
    match baseline::write(&outcome.reports, path) {
        Ok(n) => {
            if !quiet {
                writeln!(stderr, "wrote {n} findings to {}", path.display())?;
            }
            Ok(if outcome.problems.is_empty() {
                EXIT_OK
            } else {
                EXIT_TROUBLE
            })
        }
        Err(e) => {
            writeln!(stderr, "error: cannot write {}: {e}", path.display())?;
            Ok(EXIT_TROUBLE)
        }
    }
}

/// `--diff`: the diff on stdout; on stderr the files that could not be checked or fixed, and
/// the count. Exit code 2 for such files, else 1 when there is something to fix, else 0.
pub fn diff(
    outcome: &RunOutcome,
    summary: &FixSummary,
    quiet: bool,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
) -> io::Result<u8> {
    ignore_broken_pipe(stdout.write_all(summary.diff.as_bytes()))?;
    print_problems(stderr, outcome.problems.iter().chain(&summary.problems))?;
    if !quiet {
        fix_count(stderr, summary, "would fix")?;
    }
    let trouble = !summary.problems.is_empty() || !outcome.problems.is_empty();
    Ok(if trouble {
        EXIT_TROUBLE
    } else if summary.files > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `--fix`: how many findings were fixed, in how many files.
pub fn fixed(summary: &FixSummary, quiet: bool, stderr: &mut impl Write) -> io::Result<()> {
    if quiet {
        return Ok(());
    }
    fix_count(stderr, summary, "fixed")
}

fn fix_count(stderr: &mut impl Write, summary: &FixSummary, verb: &str) -> io::Result<()> {
    writeln!(
        stderr,
        "{verb} {} finding{} in {} file{}",
        summary.fixes,
        if summary.fixes == 1 { "" } else { "s" },
        summary.files,
        if summary.files == 1 { "" } else { "s" }
    )
}

fn print_problems<'p>(
    stderr: &mut impl Write,
    problems: impl IntoIterator<Item = &'p FileProblem>,
) -> io::Result<()> {
    for problem in problems {
        writeln!(stderr, "error: {}: {}", problem.path, problem.message)?;
    }
    Ok(())
}

/// 2 when any file could not be checked (a partial result must not pass CI), else 1 when a
/// finding is at or above `threshold`, else 0.
pub fn exit_code(outcome: &RunOutcome, threshold: Severity) -> u8 {
    if !outcome.problems.is_empty() {
        EXIT_TROUBLE
    } else if outcome
        .reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity >= threshold)
    {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// A closed pipe (`… | head`) is the reader's choice, not a failure of ours.
pub(crate) fn ignore_broken_pipe(result: io::Result<()>) -> io::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run;

    #[test]
    fn exit_code_follows_the_threshold_and_problems_win() {
        use crate::check::FileReport;
        use crate::diagnostic::Diagnostic;
        use crate::source::{SourceFile, Span};
        let warning = Diagnostic {
            rule: "r",
            code: "R1",
            severity: Severity::Warning,
            message: "m".into(),
            span: Span::new(0, 1),
            labels: Vec::new(),
            help: None,
            fix: None,
            after_repair: false,
        };
        let mut outcome = run::RunOutcome {
            reports: vec![FileReport {
                suppressions: Default::default(),
                source: SourceFile::new("t.yaml", "a: 1\n"),
                diagnostics: vec![warning],
            }],
            problems: Vec::new(),
        };
        assert_eq!(exit_code(&outcome, Severity::Error), EXIT_OK);
        assert_eq!(exit_code(&outcome, Severity::Warning), EXIT_FINDINGS);
        assert_eq!(exit_code(&outcome, Severity::Info), EXIT_FINDINGS);
        outcome.reports[0].diagnostics[0].severity = Severity::Info;
        assert_eq!(exit_code(&outcome, Severity::Warning), EXIT_OK);
        assert_eq!(exit_code(&outcome, Severity::Info), EXIT_FINDINGS);
        outcome.problems.push(run::FileProblem {
            path: "x".into(),
            message: "unreadable".into(),
        });
        assert_eq!(exit_code(&outcome, Severity::Error), EXIT_TROUBLE);
    }
}

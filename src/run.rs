//! One whole `check` run: discover → read → check each file (in parallel) → reports in path
//! order. Printing and exit codes belong to [`crate::output`]; this module only gathers results.

use crate::check::{self, FileReport, Settings};
use crate::config::{FileSettings, Resolver};
use crate::discover::{self, Candidate, Origin};
use crate::project::{self, Facts};
use crate::source::SourceFile;
use rayon::prelude::*;
use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are not read: no real template comes close (CloudFormation's own
/// limit is 1 MB), and it bounds the memory an unexpected input can take.
pub const MAX_FILE_SIZE: u64 = 20 * 1024 * 1024;

/// How much of an over-large or undecodable walked file is looked at to decide whether it might
/// be a template worth complaining about.
const CLASSIFY_PREFIX: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub struct RunOptions {
    pub settings: Settings,
    /// Name used in output for text read from stdin (the path `-`).
    pub stdin_filename: Option<String>,
    pub max_file_size: u64,
    /// Per-file settings from configuration files; without it every file gets `settings`.
    /// `settings` still governs the cross-file pass.
    pub resolver: Option<Arc<Resolver>>,
    /// Treat files named explicitly like walked ones: check them only when they are of a kind
    /// a walk checks. For pre-commit, which names every YAML and JSON file that changed.
    pub only_templates: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            settings: Settings::default(),
            stdin_filename: None,
            max_file_size: MAX_FILE_SIZE,
            resolver: None,
            only_templates: false,
        }
    }
}

/// The settings for `path`: `Ok(None)` when configuration excludes it, `Err` when its
/// configuration file is invalid (reported once, against the configuration file).
fn settings_for<'a>(
    opts: &'a RunOptions,
    path: &Path,
) -> Result<Option<Cow<'a, Settings>>, FileProblem> {
    let Some(resolver) = &opts.resolver else {
        return Ok(Some(Cow::Borrowed(&opts.settings)));
    };
    match resolver.settings_for(path) {
        Ok(FileSettings::Check(s)) => Ok(Some(Cow::Owned(s))),
        Ok(FileSettings::Excluded) => Ok(None),
        Err(e) => Err(FileProblem {
            path: std::env::current_dir()
                .ok()
                .and_then(|cwd| e.path.strip_prefix(cwd).ok().map(Path::to_path_buf))
                .unwrap_or_else(|| e.path.clone())
                .display()
                .to_string(),
            message: if e.line == 0 {
                e.message
            } else {
                format!("line {}, column {}: {}", e.line, e.column, e.message)
            },
        }),
    }
}

/// Findings the cross-file pass added to a file still follow that file's configuration: its
/// rule selection and severity overrides.
fn apply_file_settings(opts: &RunOptions, report: &mut FileReport) {
    if opts.resolver.is_none() {
        return;
    }
    if let Ok(Some(settings)) = settings_for(opts, Path::new(&report.source.path)) {
        report
            .diagnostics
            .retain(|d| settings.selection.is_enabled_name(d.rule));
        for d in &mut report.diagnostics {
            if let Some(severity) = settings.severity.get(d.rule) {
                d.severity = *severity;
            }
        }
    }
}

/// Something that kept the tool from checking a file: not a finding about the file's content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    pub path: String,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct RunOutcome {
    /// One per checked file, sorted by path; each file's findings in position order.
    pub reports: Vec<FileReport>,
    /// Paths that could not be walked, read or checked, sorted by path.
    pub problems: Vec<FileProblem>,
}

pub const STDIN_PATH: &str = "-";
pub const DEFAULT_STDIN_NAME: &str = "<stdin>";

/// Check `paths` (files, directories, or `-` for `stdin`).
pub fn run(paths: &[PathBuf], opts: &RunOptions, stdin: impl Read) -> RunOutcome {
    let (stdin_args, path_args): (Vec<&PathBuf>, Vec<&PathBuf>) =
        paths.iter().partition(|p| p.as_os_str() == STDIN_PATH);
    let path_args: Vec<PathBuf> = path_args.into_iter().cloned().collect();
    let (candidates, walk_errors) = discover::discover(&path_args);

    let mut outcome = RunOutcome {
        problems: walk_errors
            .into_iter()
            .map(|e| FileProblem {
                path: e.path,
                message: e.message,
            })
            .collect(),
        ..RunOutcome::default()
    };

    // Reports with the facts the cross-file pass compares once every file is checked.
    let mut checked: Vec<(FileReport, Facts)> = Vec::new();
    if !stdin_args.is_empty() {
        let name = opts
            .stdin_filename
            .clone()
            .unwrap_or_else(|| DEFAULT_STDIN_NAME.to_string());
        let settings = match settings_for(opts, Path::new(&name)) {
            Ok(Some(s)) => Ok(s),
            // Excluding text an editor pipes in by name would surprise; check it anyway.
            Ok(None) => Ok(Cow::Borrowed(&opts.settings)),
            Err(problem) => Err(problem),
        };
        let result = settings.and_then(|settings| {
            match read_bounded(stdin, opts.max_file_size, 0).and_then(decode) {
                Ok(text) => check_one(SourceFile::new(name.clone(), text), &settings),
                Err(message) => Err(FileProblem {
                    path: name,
                    message,
                }),
            }
        });
        match result {
            Ok(checked_file) => checked.push(checked_file),
            Err(problem) => outcome.problems.push(problem),
        }
    }

    let results: Vec<FileResult> = candidates
        .par_iter()
        .map(|c| check_candidate(c, opts))
        .collect();
    for result in results {
        match result {
            FileResult::Checked(report, facts) => checked.push((report, facts)),
            FileResult::Problem(problem) => outcome.problems.push(problem),
            FileResult::Skipped => {}
        }
    }
    checked.sort_by(|a, b| a.0.source.path.cmp(&b.0.source.path));
    check::cross_file(&mut checked, &opts.settings);
    outcome.reports = checked
        .into_iter()
        .map(|(mut report, _)| {
            apply_file_settings(opts, &mut report);
            report
        })
        .collect();
    outcome.problems.sort_by(|a, b| a.path.cmp(&b.path));
    // An invalid configuration file is reported once, not once per file below it.
    outcome.problems.dedup();
    outcome
}

enum FileResult {
    Checked(FileReport, Facts),
    Problem(FileProblem),
    /// A walked file that is not a template.
    Skipped,
}

fn check_candidate(candidate: &Candidate, opts: &RunOptions) -> FileResult {
    let problem = |message: String| FileProblem {
        path: candidate.display.clone(),
        message,
    };
    let walked = candidate.origin == Origin::Walked || opts.only_templates;
    let settings = match settings_for(opts, &candidate.path) {
        Ok(Some(settings)) => settings,
        Ok(None) => return FileResult::Skipped,
        Err(problem) => return FileResult::Problem(problem),
    };
    let bytes = match File::open(&candidate.path)
        .map_err(|e| discover::describe_io_error(&e))
        .and_then(|f| {
            // Sized up front: one read instead of a dozen doubling ones per file.
            let size = f
                .metadata()
                .map_or(0, |m| m.len().min(opts.max_file_size) as usize);
            read_bounded(f, opts.max_file_size, size)
        }) {
        Ok(bytes) => bytes,
        Err(_) if walked && !might_be_template(&candidate.path, opts.max_file_size) => {
            return FileResult::Skipped;
        }
        Err(message) => return FileResult::Problem(problem(message)),
    };
    let text = match decode(bytes) {
        Ok(text) => text,
        Err(_) if walked && !might_be_template(&candidate.path, opts.max_file_size) => {
            return FileResult::Skipped;
        }
        Err(message) => return FileResult::Problem(problem(message)),
    };
    // Standalone policies get their own pipeline later. A file the user named is checked
    // regardless of its kind.
    if walked && !project::is_walked_kind(discover::classify(&candidate.path, &text)) {
        return FileResult::Skipped;
    }
    match check_one(SourceFile::new(candidate.display.clone(), text), &settings) {
        Ok((report, facts)) => FileResult::Checked(without_clean_text(report, &facts), facts),
        Err(problem) => FileResult::Problem(problem),
    }
}

/// Reports are kept until every file is done (output is in path order), and no renderer looks
/// at the text of a file without findings: dropping it keeps a run over thousands of clean
/// templates at a few bytes per file instead of the whole repository in memory.
fn without_clean_text(report: FileReport, facts: &Facts) -> FileReport {
    // A file with policy names defined or referenced may still get a cross-file finding.
    // So may a file that suppresses a cross-file rule (the suppression is judged then).
    if !report.diagnostics.is_empty()
        || !facts.is_empty()
        || report.suppressions.names_cross_file_rule()
    {
        return report;
    }
    FileReport::new(
        SourceFile::new(report.source.path, String::new()),
        report.diagnostics,
    )
}

/// Check one file, turning a panic inside the pipeline into a problem for that file so that
/// one bad input never costs the results for the others.
fn check_one(source: SourceFile, settings: &Settings) -> Result<(FileReport, Facts), FileProblem> {
    let path = source.path.clone();
    let kind = discover::classify(Path::new(&source.path), &source.text);
    panic::catch_unwind(AssertUnwindSafe(|| {
        check::check_file(source, kind, settings)
    }))
    .map_err(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        FileProblem {
            path,
            message: format!(
                "internal error while checking this file ({detail}); please report it"
            ),
        }
    })
}

/// A walked file that could not be read or decoded is only worth a complaint when what can be
/// seen of it looks like a template; anything else in a repository is none of our business.
fn might_be_template(path: &Path, max: u64) -> bool {
    let Ok(file) = File::open(path) else {
        // Unreadable: we cannot tell, so say so rather than silently skip a template.
        return true;
    };
    let mut prefix = Vec::new();
    let limit = (CLASSIFY_PREFIX as u64).min(max.max(1));
    if file.take(limit).read_to_end(&mut prefix).is_err() {
        return true;
    }
    discover::looks_like_template(&String::from_utf8_lossy(&prefix))
}

/// Read at most `max` bytes; more is an error rather than a truncated check.
fn read_bounded(reader: impl Read, max: u64, size_hint: usize) -> Result<Vec<u8>, String> {
    // One byte more than the hint, so that reaching the end needs no second allocation.
    let mut bytes = Vec::with_capacity(size_hint.saturating_add(1));
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| discover::describe_io_error(&e))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "file is larger than {} MiB; not checked",
            max / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// Bytes to text. A UTF-8 byte order mark is dropped: it is invisible in editors, so positions
/// computed without it are the ones a user sees.
fn decode(mut bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|b| **b == b'\n').count() + 1;
        format!("not UTF-8 text (invalid byte on line {line}); not checked")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_strips_bom_and_rejects_binary() {
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1\n".to_vec()).unwrap(), "a: 1\n");
        let err = decode(b"a: 1\n\xFF\xFE".to_vec()).unwrap_err();
        assert!(err.contains("not UTF-8 text"), "{err}");
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn read_bounded_refuses_oversized_input() {
        assert_eq!(read_bounded(&b"abc"[..], 3, 3).unwrap(), b"abc");
        assert!(read_bounded(&b"abcd"[..], 3, 0)
            .unwrap_err()
            .contains("larger"));
    }

    #[test]
    fn walked_non_templates_are_skipped_and_problems_reported() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("compose.yaml"), "services: {}\n").unwrap();
        std::fs::write(root.join("big.json"), "[".repeat(64)).unwrap();
        std::fs::write(
            root.join("bad.yaml"),
            b"AWSTemplateFormatVersion: x\n\xFF".as_slice(),
        )
        .unwrap();
        std::fs::write(root.join("binary.yml"), b"\x00\xFF\xFE".as_slice()).unwrap();
        let opts = RunOptions {
            max_file_size: 32,
            ..RunOptions::default()
        };
        let outcome = run(&[root.to_path_buf()], &opts, std::io::empty());
        assert!(outcome.reports.is_empty());
        let paths: Vec<_> = outcome
            .problems
            .iter()
            .map(|p| Path::new(&p.path).file_name().unwrap().to_owned())
            .collect();
        assert_eq!(paths, ["bad.yaml"]);
    }
}

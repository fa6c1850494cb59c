//! `--fix` and `--diff`: apply the mechanical fixes diagnostics carry.
//!
//! Fixes are applied in rounds: check, apply every fix whose edits do not overlap an earlier
//! one, and keep the round only if the result parses. Later rounds pick up fixes that only
//! exist once the file parses (a finding made on the indentation doctor's repair carries no
//! fix, because its spans are on the repaired text). Suppressed findings are gone before their
//! fixes could be applied.
//!
//! On a whole run, `check --fix` and `--diff` do this to every file that has a fix; `--fix` then
//! writes the files atomically and checks the run again, since fixed files change what the
//! cross-file pass sees.

use crate::check::{self, FileReport, Settings};
use crate::config::{FileSettings, Resolver};
use crate::diagnostic::{Diagnostic, Edit};
use crate::discover::{self, FileKind};
use crate::run::{self, FileProblem, RunOptions, RunOutcome};
use crate::source::SourceFile;
use crate::yaml;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Enough for the doctor's repair, then the fixes found on the parsed result, with room.
const MAX_ROUNDS: usize = 8;

/// The result of fixing one file's text in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixed {
    pub text: String,
    /// Fixes applied over all rounds.
    pub applied: usize,
}

/// Apply the non-overlapping fixes among `diagnostics` to `text`. Returns the new text and how
/// many fixes were applied. A fix with an edit outside the text or off a character boundary is
/// skipped whole; so is one overlapping a fix already taken.
pub fn apply(text: &str, diagnostics: &[Diagnostic]) -> (String, usize) {
    let mut fixes: Vec<&[Edit]> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .map(|f| f.edits.as_slice())
        .filter(|edits| !edits.is_empty() && edits.iter().all(|e| valid(text, e)))
        .collect();
    fixes.sort_by_key(|edits| edits.iter().map(|e| e.span.start).min().unwrap_or(0));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = 0;
    for edits in fixes {
        let overlaps = edits.iter().any(|e| {
            taken.iter().any(|t| {
                e.span.start < t.span.end && t.span.start < e.span.end
                    // Two insertions at one point would apply in an arbitrary order.
                    || (e.span.start == t.span.start && (e.span.is_empty() || t.span.is_empty()))
            })
        });
        if !overlaps {
            taken.extend(edits);
            applied += 1;
        }
    }
    taken.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in taken {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

fn valid(text: &str, e: &Edit) -> bool {
    e.span.start <= e.span.end
        && e.span.end <= text.len()
        && text.is_char_boundary(e.span.start)
        && text.is_char_boundary(e.span.end)
}

/// Fix `text` (the file `path`) in memory; `None` when no fix applies or no round's result
/// is acceptable: a template must parse; a Markdown page must not gain syntax errors in its
/// code blocks.
pub fn fix_text(path: &str, text: &str, settings: &Settings) -> Option<Fixed> {
    fix_text_as(
        path,
        text,
        settings,
        discover::classify(Path::new(path), text),
    )
}

/// [`fix_text`] for a file of a known kind (an editor knows it is Markdown, say).
pub fn fix_text_as(path: &str, text: &str, settings: &Settings, kind: FileKind) -> Option<Fixed> {
    let check = |t: &str| check::check_file(SourceFile::new(path, t), kind, settings).0;
    let mut current = text.to_string();
    let mut report = check(&current);
    let mut applied = 0;
    for _ in 0..MAX_ROUNDS {
        let (next, n) = apply(&current, &report.diagnostics);
        if n == 0 || next == current {
            break;
        }
        let next_report = check(&next);
        let acceptable = match kind {
            FileKind::Markdown => syntax_errors(&next_report) <= syntax_errors(&report),
            _ => yaml::parse(&next, &settings.parse).is_ok(),
        };
        if !acceptable {
            break;
        }
        current = next;
        report = next_report;
        applied += n;
    }
    (applied > 0).then_some(Fixed {
        text: current,
        applied,
    })
}

fn syntax_errors(report: &FileReport) -> usize {
    report
        .diagnostics
        .iter()
        .filter(|d| d.rule == crate::rules::yaml::YamlSyntax::META.name)
        .count()
}

/// A unified diff from `old` to `new`, with `a/` and `b/` headers.
pub fn unified_diff(path: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    // `a//tmp/x` reads badly; git's form has no slash after the prefix.
    let path = path.trim_start_matches('/');
    diff.unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Replace `path`'s contents with `text` atomically: a temporary file in the same folder,
/// given the original's permissions, renamed over it. Readers see the old or the new file,
/// never half of one.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let permissions = fs::metadata(path)?.permissions();
    let mut attempt = 0u32;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(
            ".{name}.cfn-policy-lint-{}-{attempt}.tmp",
            std::process::id()
        ));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::set_permissions(&tmp, permissions))
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// What `--fix` or `--diff` did to the files of a run.
pub struct FixSummary {
    /// Fixes applied (with `--diff`: that would be).
    pub fixes: usize,
    /// Files changed (with `--diff`: that would be).
    pub files: usize,
    /// With `--diff`, the unified diff of every file that would change.
    pub diff: String,
    /// Files whose fixes could not be written.
    pub problems: Vec<FileProblem>,
}

/// Fix every checked file on disk, or only collect the diff when `diff_only`. Text from stdin
/// is never fixed (there is no file to write back to), but `--diff` shows its fixes.
pub fn fix_files(
    outcome: &RunOutcome,
    resolver: &Resolver,
    stdin_name: Option<&str>,
    diff_only: bool,
) -> FixSummary {
    let mut summary = FixSummary {
        fixes: 0,
        files: 0,
        diff: String::new(),
        problems: Vec::new(),
    };
    for report in &outcome.reports {
        let path = &report.source.path;
        let from_stdin = Some(path.as_str()) == stdin_name;
        if (from_stdin && !diff_only) || !report.diagnostics.iter().any(|d| d.fix.is_some()) {
            continue;
        }
        let Ok(FileSettings::Check(settings)) = resolver.settings_for(Path::new(path)) else {
            continue;
        };
        let Some(fixed) = fix_text(path, &report.source.text, &settings) else {
            continue;
        };
        if diff_only {
            summary
                .diff
                .push_str(&unified_diff(path, &report.source.text, &fixed.text));
        } else if let Err(e) = write_atomic(Path::new(path), &fixed.text) {
            summary.problems.push(FileProblem {
                path: path.clone(),
                message: format!("cannot write the fixes: {e}"),
            });
            continue;
        }
        summary.fixes += fixed.applied;
        summary.files += 1;
    }
    summary
}

/// The run after `--fix`: when files changed, everything is checked again (the fixed files, and
/// the cross-file pass over them), then the problems of writing the fixes are added. Text from
/// stdin was not fixed and cannot be read twice: its report stays.
pub fn recheck(
    mut outcome: RunOutcome,
    fixed: FixSummary,
    paths: &[PathBuf],
    opts: &RunOptions,
    stdin_name: Option<&str>,
) -> RunOutcome {
    if fixed.files > 0 {
        let stdin_report = stdin_name.and_then(|name| {
            let i = outcome.reports.iter().position(|r| r.source.path == name)?;
            Some(outcome.reports.remove(i))
        });
        let file_paths: Vec<PathBuf> = paths
            .iter()
            .filter(|p| p.as_os_str() != run::STDIN_PATH)
            .cloned()
            .collect();
        let mut again = run::run(&file_paths, opts, io::empty());
        if let Some(report) = stdin_report {
            again.reports.push(report);
            again
                .reports
                .sort_by(|a, b| a.source.path.cmp(&b.source.path));
        }
        outcome = again;
    }
    outcome.problems.extend(fixed.problems);
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Fix, Severity};
    use crate::source::Span;

    fn with_fix(edits: Vec<(usize, usize, &str)>) -> Diagnostic {
        Diagnostic {
            rule: "r",
            code: "R",
            severity: Severity::Error,
            message: String::new(),
            span: Span::new(0, 0),
            labels: Vec::new(),
            help: None,
            fix: Some(Fix {
                description: String::new(),
                edits: edits
                    .into_iter()
                    .map(|(s, e, r)| Edit {
                        span: Span::new(s, e),
                        replacement: r.to_string(),
                    })
                    .collect(),
            }),
            after_repair: false,
        }
    }

    #[test]
    fn overlapping_and_invalid_fixes_are_skipped_whole() {
        let text = "abcdef";
        let ds = [
            with_fix(vec![(0, 1, "A"), (4, 5, "E")]),
            with_fix(vec![(1, 2, "B"), (4, 6, "x")]), // overlaps the first at 4..5
            with_fix(vec![(2, 3, "C")]),
            with_fix(vec![(5, 99, "?")]), // outside the text
        ];
        assert_eq!(apply(text, &ds), ("AbCdEf".to_string(), 2));
    }
}

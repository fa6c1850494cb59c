//! Human output: a miette report per finding, with the offending bytes underlined in context,
//! then one summary line.
//!
//! miette is built without its terminal probing (`fancy-no-syscall`): the CLI decides about
//! colour, and hyperlink escapes are never written, so CI logs stay clean. Snippets are cut from
//! the file's [`LineIndex`](crate::source::LineIndex) instead of miette's own scan from the start
//! of the file for every label.

use super::{clamp, RenderOptions, Summary, AFTER_REPAIR_NOTE};
use crate::check::FileReport;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{floor_char_boundary, SourceFile};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::io::{self, Write};

pub fn render(
    reports: &[FileReport],
    opts: &RenderOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_urls(false)
        // Tab-indented templates were written in editors with 8-column tabs; show what the
        // author saw.
        .tab_width(8)
        .with_width(opts.width)
        .without_syntax_highlighting();
    let mut text = String::new();
    for report in reports {
        let source = IndexedSource(&report.source);
        for d in &report.diagnostics {
            text.clear();
            render_one(&handler, d, &source, &mut text)
                .map_err(|_| io::Error::other("could not format a diagnostic"))?;
            out.write_all(text.as_bytes())?;
            writeln!(out)?;
        }
    }
    // With no file checked the CLI explains why on stderr; "No problems in 0 files" would mislead.
    if !opts.quiet && !reports.is_empty() {
        let sentence = Summary::of(reports).sentence();
        if opts.color {
            writeln!(out, "\x1b[1m{sentence}\x1b[0m")?;
        } else {
            writeln!(out, "{sentence}")?;
        }
    }
    Ok(())
}

/// One diagnostic's report. miette shows snippets in the order of their offsets, and names the
/// first snippet's position in its header; the first position shown must be the finding's own.
/// So when labels before the primary span get a snippet of their own, the report is made in
/// two parts: everything from the primary span's snippet on, then the earlier snippets, moved
/// in after the last snippet of the first part (before the help).
fn render_one(
    handler: &GraphicalReportHandler,
    d: &Diagnostic,
    source: &IndexedSource<'_>,
    out: &mut String,
) -> fmt::Result {
    let file = source.0;
    let labels = shown_labels(d, file);
    let first_of_primary_group = snippet_groups(file, &labels)
        .into_iter()
        .find(|g| g.iter().any(|&i| labels[i].primary()))
        .and_then(|g| g.first().copied())
        .unwrap_or(0);
    // Labels are sorted by offset: those before the primary's snippet form snippets of their own.
    let (before, from_primary) = labels.split_at(first_of_primary_group);
    if before.is_empty() {
        return handler.render_report(out, &View { d, source, labels });
    }
    let main = View {
        d,
        source,
        labels: from_primary.to_vec(),
    };
    handler.render_report(out, &main)?;
    let mut earlier = String::new();
    let extra = View {
        d,
        source,
        labels: before.to_vec(),
    };
    handler.render_report(&mut earlier, &extra)?;
    let snippets = snippet_lines(&earlier);
    let lines: Vec<&str> = out.lines().collect();
    let Some(last_box_end) = lines.iter().rposition(|l| is_box_line(l, '╰')) else {
        return Ok(());
    };
    let mut spliced = String::with_capacity(out.len() + snippets.len());
    for (i, line) in lines.iter().enumerate() {
        spliced.push_str(line);
        spliced.push('\n');
        if i == last_box_end {
            spliced.push_str(&snippets);
        }
    }
    *out = spliced;
    Ok(())
}

/// The lines of a rendered report from its first snippet's top to its last snippet's bottom.
fn snippet_lines(report: &str) -> String {
    let lines: Vec<&str> = report.lines().collect();
    let first = lines.iter().position(|l| is_box_line(l, '╭'));
    let last = lines.iter().rposition(|l| is_box_line(l, '╰'));
    let mut out = String::new();
    if let (Some(first), Some(last)) = (first, last) {
        for line in &lines[first..=last] {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Whether a rendered line is a snippet's top (`╭─[file:1:1]`) or bottom (`╰────`) edge: the
/// gutter's first character after the indentation (and any colour codes) is `corner`. Label
/// pointers (`·   ╰── …`) start with `·`.
fn is_box_line(line: &str, corner: char) -> bool {
    let mut rest = line.trim_start();
    while let Some(after) = rest.strip_prefix('\x1b') {
        let end = after.find('m').map_or(after.len(), |m| m + 1);
        rest = &after[end..];
    }
    rest.starts_with(corner)
}

/// A run of more lines than this marked as one fault (a tab-indented block) is shortened.
const LONG_RUN: usize = 8;
/// How many lines of a shortened run are shown at each end.
const RUN_ENDS: usize = 3;

/// The finding's spans as miette labels, sorted by offset: the primary span, then the labels.
/// The words of a run of labels saying the same thing are shown once, on the first of them. Of
/// a long run of offending labels (more than [`LONG_RUN`] lines with the primary span), the
/// first and last [`RUN_ENDS`] lines are shown, and the first line of the tail says how many
/// lines are left out.
fn shown_labels(d: &Diagnostic, file: &SourceFile) -> Vec<LabeledSpan> {
    let offending: Vec<usize> = (0..d.labels.len())
        .filter(|&i| d.labels[i].offending)
        .collect();
    let mut skipped = std::collections::HashSet::new();
    let mut summary_at = None;
    if offending.len() + 1 > LONG_RUN {
        // The primary span is the run's first line.
        let head = RUN_ENDS - 1;
        let tail_start = offending.len() - RUN_ENDS;
        let left_out = &offending[head..tail_start];
        skipped.extend(left_out.iter().copied());
        if let (Some(&a), Some(&b)) = (left_out.first(), left_out.last()) {
            let line = |i: usize| file.lines.line_of(d.labels[i].span.start) + 1;
            let message = &d.labels[a].message;
            let also = if message.is_empty() {
                String::new()
            } else {
                format!(", also {message}")
            };
            summary_at = Some((
                offending[tail_start],
                format!(
                    "… {} more lines ({}–{}){also}",
                    left_out.len(),
                    line(a),
                    line(b)
                ),
            ));
        }
    }
    let mut out = vec![LabeledSpan::new_primary_with_span(
        None,
        miette_span(file, d.span),
    )];
    let mut previous: Option<&str> = None;
    for (i, l) in d.labels.iter().enumerate() {
        if skipped.contains(&i) {
            continue;
        }
        let repeated = previous == Some(l.message.as_str());
        previous = Some(l.message.as_str());
        let text = match &summary_at {
            Some((at, summary)) if *at == i => Some(summary.clone()),
            _ => (!repeated && !l.message.is_empty()).then(|| l.message.clone()),
        };
        out.push(LabeledSpan::new_with_span(text, miette_span(file, l.span)));
    }
    out.sort_by_key(|l| l.offset());
    out
}

/// Indexes into `labels` (sorted by offset) grouped as miette groups them into snippets: a
/// label whose context lines (one before, one after) touch or overlap the previous snippet's
/// joins it.
fn snippet_groups(file: &SourceFile, labels: &[LabeledSpan]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_last_line = 0;
    for (i, l) in labels.iter().enumerate() {
        let first = file.lines.line_of(l.offset());
        let last = file
            .lines
            .line_of((l.offset() + l.len()).saturating_sub(1).max(l.offset()));
        match groups.last_mut() {
            Some(group) if group_last_line + 1 >= first.saturating_sub(1) => {
                group.push(i);
                group_last_line = group_last_line.max(last + 1);
            }
            _ => {
                groups.push(vec![i]);
                group_last_line = last + 1;
            }
        }
    }
    groups
}

/// One of our diagnostics seen through miette's trait, showing `labels`.
struct View<'a> {
    d: &'a Diagnostic,
    source: &'a IndexedSource<'a>,
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.d, f)
    }
}

impl fmt::Display for View<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)?;
        if self.d.after_repair {
            write!(f, " {AFTER_REPAIR_NOTE}")?;
        }
        Ok(())
    }
}

impl std::error::Error for View<'_> {}

impl miette::Diagnostic for View<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{} {}", self.d.code, self.d.rule)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

fn miette_span(file: &SourceFile, span: crate::source::Span) -> SourceSpan {
    let span = clamp(file, span);
    let start = floor_char_boundary(&file.text, span.start);
    let end = floor_char_boundary(&file.text, span.end).max(start);
    (start, end - start).into()
}

/// A [`SourceFile`] as miette source code, answering span reads from the line index.
struct IndexedSource<'a>(&'a SourceFile);

impl SourceCode for IndexedSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let file = self.0;
        let text = &file.text;
        let index = &file.lines;
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first_line = index.line_of(start);
        // The line holding the span's last byte (a span ending with a newline ends on its line).
        let last_line = index.line_of(end.saturating_sub(1).max(start));
        let context_first = first_line.saturating_sub(context_lines_before);
        let context_last =
            (last_line + context_lines_after).min(index.line_count().saturating_sub(1));
        // With no context before, miette expects the data to start at the span itself.
        let data_start = if context_lines_before == 0 {
            start
        } else {
            index.line_start(context_first).unwrap_or(start)
        };
        let data_end = if context_lines_after == 0 {
            end
        } else {
            index
                .line_start(context_last + 1)
                .unwrap_or(text.len())
                .max(end)
        };
        let (line, column) = if context_lines_before == 0 {
            let pos = file.position(start);
            (pos.line - 1, pos.column - 1)
        } else {
            (context_first, 0)
        };
        let data = text.as_bytes().get(data_start..data_end).unwrap_or(&[]);
        Ok(Box::new(MietteSpanContents::new_named(
            file.path.clone(),
            data,
            (data_start, data_end - data_start).into(),
            line,
            column,
            context_last.saturating_sub(context_first) + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_support::{diag, sample};
    use crate::source::Span;

    fn render_to_string(reports: &[FileReport], opts: &RenderOptions) -> String {
        let mut out = Vec::new();
        render(reports, opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn snapshot_without_colour() {
        let text = render_to_string(&sample(), &RenderOptions::default());
        let expected = "T001 odd-name

  ⚠ name, \"odd\": 100%
   ╭─[templates/policy.yaml:2:3]
 1 │ Resources:
 2 │   Policy:
   ·   ──────
 3 │     Type: AWS::IAM::ManagedPolicy
   ╰────

Y002 tab-indentation

  × tab character in indentation
   ╭─[templates/policy.yaml:4:1]
 1 │ Resources:
 2 │   Policy:
   ·   ───┬──
   ·      ╰── parent key
 3 │     Type: AWS::IAM::ManagedPolicy
 4 │         Bad: ç1
   · ────────
   ╰────
  help: indent with spaces

T002 utf8-col

  ☞ after a two-byte char
   ╭─[templates/policy.yaml:4:8]
 3 │     Type: AWS::IAM::ManagedPolicy
 4 │         Bad: ç1
   ·               ─
   ╰────

1 error, 1 warning, 1 info in 1 of 2 files
";
        assert_eq!(text, expected, "\n{text}");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn colour_only_when_asked_and_quiet_drops_the_summary() {
        let opts = RenderOptions {
            color: true,
            quiet: true,
            ..RenderOptions::default()
        };
        let text = render_to_string(&sample(), &opts);
        assert!(text.contains('\x1b'));
        assert!(!text.contains("in 1 of 2 files"));
        // no hyperlink escapes, ever
        assert!(!text.contains("\x1b]8;"));
        let clean = vec![sample().remove(0)];
        assert_eq!(render_to_string(&clean, &opts), "");
    }

    #[test]
    fn after_repair_findings_say_so() {
        let source = SourceFile::new("t.yaml", "a: 1\n");
        let mut d = diag("x", "X1", Severity::Error, Span::new(0, 1), "m");
        d.after_repair = true;
        let reports = vec![FileReport {
            suppressions: Default::default(),
            source,
            diagnostics: vec![d],
        }];
        let text = render_to_string(&reports, &RenderOptions::default());
        assert!(text.contains(&format!("× m {AFTER_REPAIR_NOTE}")), "{text}");
    }

    fn one_report(text: &str, d: Diagnostic) -> Vec<FileReport> {
        vec![FileReport::new(SourceFile::new("t.yaml", text), vec![d])]
    }

    #[test]
    fn the_primary_span_is_shown_first_even_when_a_label_comes_before_it() {
        let text: String = (1..=30).map(|i| format!("k{i}: v\n")).collect();
        let at = |needle: &str| text.find(needle).unwrap();
        let d = diag(
            "x",
            "X1",
            Severity::Error,
            Span::new(at("k25"), at("k25") + 3),
            "m",
        )
        .with_label(Span::new(at("k3:"), at("k3:") + 2), "earlier")
        .with_label(Span::new(at("k27"), at("k27") + 3), "later, same snippet")
        .with_help("h");
        for color in [false, true] {
            let opts = RenderOptions {
                color,
                ..RenderOptions::default()
            };
            let out = render_to_string(&one_report(&text, d.clone()), &opts);
            let primary = out.find("t.yaml:25:1").expect("primary header");
            let earlier = out.find("t.yaml:3:1").expect("earlier header");
            assert!(primary < earlier, "{out}");
            assert!(out.find("later, same snippet").unwrap() < earlier, "{out}");
            // The earlier snippet comes before the help, whole.
            let help = out.find("help:").unwrap();
            assert!(
                earlier < help && out.find("earlier").unwrap() < help,
                "{out}"
            );
            assert_eq!(out.matches("╭─").count(), 2, "{out}");
            assert_eq!(out.matches("╰────").count(), 2, "{out}");
        }
        // With the label next to the primary span, one snippet, as before.
        let near = diag(
            "x",
            "X1",
            Severity::Error,
            Span::new(at("k5:"), at("k5:") + 2),
            "m",
        )
        .with_label(Span::new(at("k3:"), at("k3:") + 2), "near");
        let out = render_to_string(&one_report(&text, near), &RenderOptions::default());
        assert_eq!(out.matches("╭─").count(), 1, "{out}");
        assert!(out.contains("t.yaml:5:1"), "{out}");
    }

    #[test]
    fn a_long_run_of_offending_lines_shows_its_ends() {
        let text: String = (1..=20).map(|i| format!("\tk{i}: v\n")).collect();
        let tab = |line: usize| text.match_indices('\t').nth(line - 1).unwrap().0;
        let mut d = diag(
            "tab-indentation",
            "Y002",
            Severity::Error,
            Span::new(tab(2), tab(2) + 1),
            "tab characters in the indentation of 12 lines (2–13)",
        );
        for line in 3..=13 {
            d = d.with_offending_label(Span::new(tab(line), tab(line) + 1), "tab-indented");
        }
        let out = render_to_string(&one_report(&text, d.clone()), &RenderOptions::default());
        for shown in [2, 3, 4, 11, 12, 13] {
            assert!(out.contains(&format!("k{shown}: v")), "{shown}\n{out}");
        }
        // Lines 5–10 are left out; 5 and 10 appear as context only.
        for hidden in 6..=9 {
            assert!(!out.contains(&format!("k{hidden}:")), "{hidden}\n{out}");
        }
        assert!(
            out.contains("… 6 more lines (5–10), also tab-indented"),
            "{out}"
        );
        assert_eq!(out.matches("tab-indented").count(), 2, "{out}");
        // A run of 8 lines is shown whole.
        d.labels.truncate(7);
        let out = render_to_string(&one_report(&text, d), &RenderOptions::default());
        assert!(!out.contains("more lines"), "{out}");
        for shown in 2..=9 {
            assert!(out.contains(&format!("k{shown}:")), "{out}");
        }
    }

    #[test]
    fn spans_at_end_of_file_and_past_it_render() {
        let text = "a: 1\nb: [";
        let source = SourceFile::new("t.yaml", text);
        let reports = vec![FileReport {
            suppressions: Default::default(),
            source,
            diagnostics: vec![
                diag(
                    "x",
                    "X1",
                    Severity::Error,
                    Span::new(text.len(), text.len()),
                    "eof",
                ),
                diag("x", "X1", Severity::Error, Span::new(3, 500), "long"),
                diag("x", "X1", Severity::Error, Span::new(0, 0), "empty"),
            ],
        }];
        let out = render_to_string(&reports, &RenderOptions::default());
        assert!(!out.contains("Failed to read"), "{out}");
        assert!(out.contains("[t.yaml:2:5]"), "{out}");
    }
}

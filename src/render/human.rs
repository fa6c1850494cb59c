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
            let view = View { d, source: &source };
            handler
                .render_report(&mut text, &view)
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

/// One of our diagnostics seen through miette's trait.
struct View<'a> {
    d: &'a Diagnostic,
    source: &'a IndexedSource<'a>,
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
        let file = self.source.0;
        let primary = LabeledSpan::new_primary_with_span(None, miette_span(file, self.d.span));
        // A run of labels saying the same thing (every tab-indented line of a block) reads
        // better with the words once, on the first of them.
        let mut previous: Option<&str> = None;
        let secondary = self.d.labels.iter().map(move |l| {
            let repeated = previous == Some(l.message.as_str());
            previous = Some(l.message.as_str());
            let text = (!repeated && !l.message.is_empty()).then(|| l.message.clone());
            LabeledSpan::new_with_span(text, miette_span(file, l.span))
        });
        Some(Box::new(std::iter::once(primary).chain(secondary)))
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

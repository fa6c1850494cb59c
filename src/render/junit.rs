//! JUnit XML for CI systems that show test reports: one `testsuite` per checked file, one
//! failing `testcase` per finding, and one passing `testcase` for a clean file (so that it is
//! listed as checked).

use super::{message_text, positions};
use crate::check::FileReport;
use crate::run::FileProblem;
use std::io::{self, Write};

/// Text safe inside an XML attribute or element: markup escaped, and characters XML 1.0 does
/// not allow replaced.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub fn render(
    reports: &[FileReport],
    problems: &[FileProblem],
    out: &mut impl Write,
) -> io::Result<()> {
    let total: usize = reports
        .iter()
        .map(|r| r.diagnostics.len().max(1))
        .sum::<usize>()
        + problems.len();
    let failures: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
    let errors = problems.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="cfn-policy-lint" tests="{total}" failures="{failures}" errors="{errors}">"#
    )?;
    // A file that could not be read or checked is an error (the check did not run), not a
    // failure.
    for problem in problems {
        let path = escape(&problem.path);
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="1" failures="0" errors="1" skipped="0">"#
        )?;
        writeln!(
            out,
            r#"    <testcase name="cfn-policy-lint" classname="{path}" file="{path}">"#
        )?;
        writeln!(
            out,
            r#"      <error type="file-problem" message="{}">{}: {}</error>"#,
            escape(&problem.message),
            path,
            escape(&problem.message)
        )?;
        writeln!(out, "    </testcase>")?;
        writeln!(out, "  </testsuite>")?;
    }
    for report in reports {
        let path = escape(&report.source.path);
        let n = report.diagnostics.len();
        writeln!(
            out,
            r#"  <testsuite name="{path}" tests="{}" failures="{n}" errors="0" skipped="0">"#,
            n.max(1)
        )?;
        if n == 0 {
            writeln!(
                out,
                r#"    <testcase name="cfn-policy-lint" classname="{path}"/>"#
            )?;
        }
        for d in &report.diagnostics {
            let (start, _) = positions(&report.source, d.span);
            let message = message_text(d);
            writeln!(
                out,
                r#"    <testcase name="{} at {}:{}" classname="{path}" file="{path}" line="{}">"#,
                escape(d.rule),
                start.line,
                start.column,
                start.line
            )?;
            let mut body = format!(
                "{}:{}:{}: {}[{} {}] {}",
                report.source.path, start.line, start.column, d.severity, d.code, d.rule, message
            );
            if let Some(help) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(help);
            }
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape(d.rule),
                escape(&message),
                escape(&body)
            )?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
        assert_eq!(escape("x\u{1}y"), "x\u{FFFD}y");
    }
}

//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
//! diff. Format: `::error file=…,line=…,col=…,endLine=…,endColumn=…,title=…::message`.

use super::positions;
use crate::check::FileReport;
use crate::diagnostic::Severity;
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut impl Write) -> io::Result<()> {
    for report in reports {
        for d in &report.diagnostics {
            let (start, end) = positions(&report.source, d.span);
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut message = super::message_text(d);
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&report.source.path),
                start.line,
                start.column,
                end.line,
                end.column,
                escape_property(&format!("{} {}", d.code, d.rule)),
                escape_data(&message),
            )?;
        }
    }
    Ok(())
}

/// The message part of a workflow command: `%`, CR and LF are percent-encoded.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A property value: as data, plus `:` and `,` which would end the value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_support::sample;

    #[test]
    fn annotations_are_escaped() {
        let mut out = Vec::new();
        render(&sample(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "::warning file=templates/policy.yaml,line=2,col=3,endLine=2,endColumn=9,title=T001 odd-name::name, \"odd\": 100%25\n\
             ::error file=templates/policy.yaml,line=4,col=1,endLine=4,endColumn=2,title=Y002 tab-indentation::tab character in indentation%0Ahelp: indent with spaces\n\
             ::notice file=templates/policy.yaml,line=4,col=8,endLine=4,endColumn=9,title=T002 utf8-col::after a two-byte char\n"
        );
    }

    #[test]
    fn property_escaping() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("a:b,c"), "a:b,c");
    }
}

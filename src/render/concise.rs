//! `path:line:col: severity[code name] message`, one line per finding: the shape editors'
//! problem matchers and `grep` expect. No summary line, so every line has that shape.

use super::positions;
use crate::check::FileReport;
use std::io::{self, Write};

pub fn render(reports: &[FileReport], out: &mut impl Write) -> io::Result<()> {
    for report in reports {
        for d in &report.diagnostics {
            let (start, _) = positions(&report.source, d.span);
            // A message is one line by contract; a stray newline would break line-based tools.
            let message = super::message_text(d).replace(['\r', '\n'], " ");
            writeln!(
                out,
                "{}:{}:{}: {}[{} {}] {}",
                report.source.path, start.line, start.column, d.severity, d.code, d.rule, message
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::render::test_support::sample;

    #[test]
    fn one_line_per_finding() {
        let mut out = Vec::new();
        super::render(&sample(), &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "templates/policy.yaml:2:3: warning[T001 odd-name] name, \"odd\": 100%\n\
             templates/policy.yaml:4:1: error[Y002 tab-indentation] tab character in indentation\n\
             templates/policy.yaml:4:8: info[T002 utf8-col] after a two-byte char\n"
        );
    }
}

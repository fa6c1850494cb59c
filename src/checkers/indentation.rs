//! `tab-indentation` and `inconsistent-indentation`: the indentation doctor's findings.

use crate::diagnostic::{Diagnostic, Finding};
use crate::rules::yaml::{InconsistentIndentation, TabIndentation};
use crate::yaml::doctor::Problem;

/// The doctor's findings as the diagnostics of their rules.
pub fn diagnostics(findings: Vec<Finding<Problem>>) -> impl Iterator<Item = Diagnostic> {
    findings.into_iter().map(|f| {
        let meta = match f.kind {
            Problem::Tabs => &TabIndentation::META,
            Problem::Misplaced => &InconsistentIndentation::META,
        };
        f.into_diagnostic(meta)
    })
}

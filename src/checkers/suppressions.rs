//! `unused-suppression`: what the suppression engine found wrong with a file's suppressions.

use crate::diagnostic::{Diagnostic, Finding};
use crate::rules::yaml::UnusedSuppression;
use crate::rules::Selection;
use crate::source::SourceFile;
use crate::suppress::{Problem, Suppressions};

/// Drop the file's suppressed findings, then report its unused suppressions when
/// `unused-suppression` is wanted. `rules_ran` is false when the file did not parse.
pub fn apply(
    suppressions: &mut Suppressions,
    source: &SourceFile,
    selection: &Selection,
    rules_ran: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    suppressions.filter(source, rules_ran, diagnostics);
    if wanted(suppressions, selection) {
        diagnostics.extend(to_diagnostics(suppressions.unused(selection)));
    }
}

/// The same for the cross-file pass's findings on one file.
pub fn apply_cross_file(
    suppressions: &Suppressions,
    source: &SourceFile,
    selection: &Selection,
    found: &mut Vec<Diagnostic>,
) {
    suppressions.filter_cross_file(source, found);
    if wanted(suppressions, selection) {
        found.extend(to_diagnostics(suppressions.unused_cross_file(selection)));
    }
}

/// Whether `unused-suppression` findings are wanted: the rule is enabled and not ignored for
/// the whole file.
fn wanted(suppressions: &Suppressions, selection: &Selection) -> bool {
    selection.is_enabled(&UnusedSuppression::META)
        && !suppressions
            .file_wide_rules()
            .contains(&UnusedSuppression::META.name)
}

fn to_diagnostics(found: Vec<Finding<Problem>>) -> impl Iterator<Item = Diagnostic> {
    // Every problem with a suppression is the one rule's.
    found
        .into_iter()
        .map(|f| f.into_diagnostic(&UnusedSuppression::META))
}

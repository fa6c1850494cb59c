//! `policy-name-mismatch`, `duplicate-policy-name` and `unknown-aws-managed-policy`: what the
//! comparison of a run's files finds.

use crate::diagnostic::{Diagnostic, RuleMeta};
use crate::project::index::{compare, Problem};
use crate::project::Facts;
use crate::rules::project::{DuplicatePolicyName, PolicyNameMismatch, UnknownAwsManagedPolicy};
use crate::rules::Selection;
use crate::source::SourceFile;

fn rule_of(problem: Problem) -> &'static RuleMeta {
    match problem {
        Problem::UnknownAwsManaged => &UnknownAwsManagedPolicy::META,
        Problem::Mismatch => &PolicyNameMismatch::META,
        Problem::Duplicate => &DuplicatePolicyName::META,
    }
}

/// The findings of the enabled cross-file rules, per file, in the order of `files`.
pub fn diagnostics(files: &[(&SourceFile, &Facts)], selection: &Selection) -> Vec<Vec<Diagnostic>> {
    compare(files, |p| selection.is_enabled(rule_of(p)))
        .into_iter()
        .map(|found| {
            found
                .into_iter()
                .map(|f| {
                    let meta = rule_of(f.kind);
                    f.into_diagnostic(meta)
                })
                .collect()
        })
        .collect()
}

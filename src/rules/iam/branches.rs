//! Findings inside a branch of an `Fn::If`. Policies are analysed in every branch (the IAM
//! model expands `Fn::If` into each value it may take), so a finding inside one branch holds
//! only when its condition selects that branch: its message names the condition, once. A
//! finding made the same way in several branches is reported once.

use crate::diagnostic::{Diagnostic, Family};
use crate::rules::FileContext;
use crate::template::branches::{branches_around, if_branches, Branch};

/// Name the conditions of the IAM findings that lie inside `Fn::If` branches, and drop repeated
/// findings (same rule, place and message). Runs once per file, after the rules; the caller
/// sorts the findings afterwards.
pub fn name_conditions(ctx: &FileContext<'_>, found: &mut Vec<Diagnostic>) {
    let is_iam =
        |d: &Diagnostic| crate::rules::find(d.rule).is_some_and(|r| r.meta().family == Family::Iam);
    if found.iter().any(is_iam) {
        if let Some(root) = ctx.document.and_then(|d| d.root.as_ref()) {
            let branches = if_branches(root);
            if !branches.is_empty() {
                for d in found.iter_mut().filter(|d| is_iam(d)) {
                    name_branch(d, &branches_around(&branches, d.span));
                }
            }
        }
    }
    found.sort_by(|a, b| (a.rule, a.span, &a.message).cmp(&(b.rule, b.span, &b.message)));
    found.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
}

/// " (when condition `A` is true and `B` is false)" after the message, each condition once.
fn name_branch(d: &mut Diagnostic, around: &[&Branch<'_>]) {
    let mut seen: Vec<(&str, bool)> = Vec::new();
    for b in around {
        if !seen.contains(&(b.condition, b.when)) {
            seen.push((b.condition, b.when));
        }
    }
    if seen.is_empty() {
        return;
    }
    let conditions = seen
        .iter()
        .map(|(c, when)| format!("`{c}` is {when}"))
        .collect::<Vec<_>>()
        .join(" and ");
    d.message = format!("{} (when condition {conditions})", d.message);
}

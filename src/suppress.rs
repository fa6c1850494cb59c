//! Inline suppressions: `# cfn-policy-lint: ignore[rule, …] reason` (on the offending line or
//! alone on the line above), `# cfn-policy-lint: ignore-file[rule, …]`, and
//! `Metadata: {cfn-policy-lint: {ignore: [rule, …]}}` on a resource (its whole definition) or at
//! template level (the whole file; the only form JSON templates have).
//!
//! cfn-lint's own suppressions carry over: `Metadata: {cfn-lint: {config: {ignore_checks:
//! [W3037]}}}` suppresses the rules that [`crate::rules::cfnlint`] maps each check to, with
//! cfn-lint's matching (whole IDs on a resource, prefixes at template level). They are never
//! judged unused: cfn-lint may still need them. Entries that map to nothing are the
//! `unmapped-cfn-lint-check` rule's to report.
//!
//! Collected once per file after parsing; file-wide ones are known before the rules run so that
//! those rules are skipped. Suppressions that matched nothing are reported as plain findings,
//! which `crate::checkers::suppressions` turns into `unused-suppression` diagnostics.

use crate::diagnostic::{Diagnostic, Finding};
use crate::rules::{self, cfnlint, Selection, Stage};
use crate::source::{OffsetMap, SourceFile, Span};
use crate::template::Template;
use crate::yaml::{Document, Node, NodeKind};
use std::sync::atomic::{AtomicBool, Ordering};

const MARKER: &str = "cfn-policy-lint:";

/// Whether `rule`'s findings come from the cross-file pass, after every file is checked: its
/// suppressions are applied and judged then ([`Suppressions::apply_cross_file`]).
fn is_cross_file(rule: &str) -> bool {
    stage_of(rule) == Some(Stage::CrossFile)
}

fn stage_of(rule: &str) -> Option<Stage> {
    rules::find(rule).map(|r| r.meta().stage)
}

/// What is wrong with a suppression; `crate::checkers::suppressions` reports each as
/// `unused-suppression`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A comment that starts like a suppression but is not one.
    Malformed,
    /// A name that is no rule's name or code.
    UnknownRule,
    /// A suppression of a rule that matched no finding.
    Unused,
}

/// What a suppression covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Findings starting on this 0-based line.
    Line(usize),
    /// Findings starting inside this span (a resource definition).
    Span(Span),
    File,
}

/// A rule named by a suppression.
#[derive(Debug)]
pub struct RuleRef {
    /// As written.
    pub written: String,
    /// Where it is written (in the original text).
    pub span: Span,
    /// The rule's name when the written one names a rule (by name or code).
    pub rule: Option<&'static str>,
    /// Set when it suppresses a finding (atomic so that reports can be shared read-only
    /// between threads).
    used: AtomicBool,
}

#[derive(Debug)]
pub struct Directive {
    pub scope: Scope,
    pub rules: Vec<RuleRef>,
    /// Carried over from cfn-lint's `ignore_checks`: never reported as unused.
    pub from_cfn_lint: bool,
}

/// A comment that starts like a suppression but is not one.
#[derive(Debug)]
struct Malformed {
    span: Span,
}

/// Every suppression of one file.
#[derive(Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
    malformed: Vec<Malformed>,
    /// Whether every rule ran on the file (it parsed), as [`Suppressions::apply`] was told.
    rules_ran: bool,
}

impl Suppressions {
    /// Suppressions of a parsed file. `map` is set when `document` was parsed from the
    /// indentation doctor's repair: its spans are then mapped back to `source`.
    pub fn collect(
        source: &SourceFile,
        document: &Document,
        template: &Template<'_>,
        map: Option<&OffsetMap>,
    ) -> Self {
        let mut s = Suppressions::default();
        let to_original = |span: Span| map.map_or(span, |m| m.map_span(span));
        if source.text.contains(MARKER) {
            for comment in &document.comments {
                s.add_comment(source, to_original(comment.span));
            }
        }
        if let Some(metadata) = template.metadata {
            s.add_metadata(metadata, Scope::File, &to_original);
            s.add_cfn_lint(metadata, Scope::File, &to_original);
        }
        for resource in &template.resources {
            if let Some(metadata) = resource.metadata {
                let span = to_original(resource.key.span.cover(resource.node.span));
                s.add_metadata(metadata, Scope::Span(span), &to_original);
                s.add_cfn_lint(metadata, Scope::Span(span), &to_original);
            }
        }
        s
    }

    /// Suppressions of a file that could not be parsed: comments are found on the raw lines.
    pub fn scan(source: &SourceFile) -> Self {
        let mut s = Suppressions::default();
        if !source.text.contains(MARKER) {
            return s;
        }
        for line in 0..source.lines.line_count() {
            let Some(span) = source.lines.line_span(&source.text, line) else {
                continue;
            };
            let text = source.slice(span);
            let Some(at) = text.find(MARKER) else {
                continue;
            };
            let Some(hash) = text[..at].rfind('#') else {
                continue;
            };
            let before_ok = hash == 0 || text[..hash].ends_with([' ', '\t']);
            if before_ok && text[hash + 1..at].trim().is_empty() {
                s.add_comment(source, Span::new(span.start + hash, span.end));
            }
        }
        s
    }

    /// Suppressions of cross-file rules in a file that only the cross-file pass judges (a
    /// shell script, a cluster configuration). Anything else that looks like a suppression
    /// there is left alone: such files also hold comments about, or copies of, templates.
    pub fn scan_cross_file_only(source: &SourceFile) -> Self {
        let mut s = Suppressions::scan(source);
        s.malformed.clear();
        for d in &mut s.directives {
            d.rules.retain(|r| r.rule.is_some_and(is_cross_file));
        }
        s.directives.retain(|d| !d.rules.is_empty());
        s.rules_ran = true;
        s
    }

    pub fn is_empty(&self) -> bool {
        self.directives.is_empty() && self.malformed.is_empty()
    }

    /// Rules a file-wide suppression names: they need not run on this file at all.
    pub fn file_wide_rules(&self) -> Vec<&'static str> {
        self.directives
            .iter()
            .filter(|d| d.scope == Scope::File)
            .flat_map(|d| d.rules.iter().filter_map(|r| r.rule))
            .collect()
    }

    /// Drop the findings a suppression covers, marking those suppressions used. `rules_ran` is
    /// false when the file did not parse, so that only the rules that still run then (those
    /// that read the file) can make a suppression look unused.
    pub fn filter(
        &mut self,
        source: &SourceFile,
        rules_ran: bool,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        self.rules_ran = rules_ran;
        if !self.directives.is_empty() {
            diagnostics.retain(|d| !self.suppresses(source, d));
        }
    }

    /// After [`Suppressions::filter`]: the comments that are not suppressions, the names that
    /// are not rules, and the suppressions of enabled rules that matched nothing. Suppressions
    /// of cross-file rules wait for [`Suppressions::unused_cross_file`].
    pub fn unused(&self, selection: &Selection) -> Vec<Finding<Problem>> {
        let mut out = Vec::new();
        for m in &self.malformed {
            out.push(
                Finding::new(
                    Problem::Malformed,
                    m.span,
                    "this comment looks like a suppression but is not one",
                )
                .with_help(
                    "write `# cfn-policy-lint: ignore[rule-name] reason` (or `ignore-file[…]`)",
                ),
            );
        }
        for directive in self.directives.iter().filter(|d| !d.from_cfn_lint) {
            for r in &directive.rules {
                let Some(rule) = r.rule else {
                    let f = Finding::new(
                        Problem::UnknownRule,
                        r.span,
                        format!("`{}` is not a rule, so this suppresses nothing", r.written),
                    );
                    out.push(match rules::suggest(&r.written) {
                        Some(s) => f.with_help(format!("did you mean `{s}`?")),
                        None => f.with_help("`cfn-policy-lint rules` lists the rule names"),
                    });
                    continue;
                };
                // Only the rules that read the file run when it does not parse, and cross-file
                // rules have not run yet.
                let judged = directive.scope != Scope::File
                    && match stage_of(rule) {
                        Some(Stage::Yaml) => true,
                        Some(Stage::File) => self.rules_ran,
                        Some(Stage::CrossFile) | None => false,
                    }
                    && selection.is_enabled_name(rule);
                if judged && !r.used.load(Ordering::Relaxed) {
                    out.push(unused(r, rule));
                }
            }
        }
        out
    }

    /// Whether a suppression names a rule of the cross-file pass (the file must then be kept
    /// until that pass has run).
    pub fn names_cross_file_rule(&self) -> bool {
        self.directives
            .iter()
            .flat_map(|d| &d.rules)
            .any(|r| r.rule.is_some_and(is_cross_file))
    }

    /// Drop the cross-file pass's findings for this file that a suppression covers.
    pub fn filter_cross_file(&self, source: &SourceFile, found: &mut Vec<Diagnostic>) {
        if !self.directives.is_empty() {
            found.retain(|d| !self.suppresses(source, d));
        }
    }

    /// After [`Suppressions::filter_cross_file`]: the suppressions of enabled cross-file rules
    /// that matched nothing (none when the file did not parse: those rules saw no facts).
    pub fn unused_cross_file(&self, selection: &Selection) -> Vec<Finding<Problem>> {
        if !self.rules_ran {
            return Vec::new();
        }
        let mut out = Vec::new();
        for directive in self
            .directives
            .iter()
            .filter(|d| d.scope != Scope::File && !d.from_cfn_lint)
        {
            for r in &directive.rules {
                let Some(rule) = r.rule.filter(|rule| is_cross_file(rule)) else {
                    continue;
                };
                if selection.is_enabled_name(rule) && !r.used.load(Ordering::Relaxed) {
                    out.push(unused(r, rule));
                }
            }
        }
        out
    }

    fn suppresses(&self, source: &SourceFile, d: &Diagnostic) -> bool {
        let line = source.lines.line_of(d.span.start.min(source.text.len()));
        let mut hit = false;
        for directive in &self.directives {
            let covers = match directive.scope {
                Scope::Line(l) => l == line,
                Scope::Span(span) => span.start <= d.span.start && d.span.start < span.end,
                Scope::File => true,
            };
            if !covers {
                continue;
            }
            for r in &directive.rules {
                if r.rule == Some(d.rule) {
                    r.used.store(true, Ordering::Relaxed);
                    hit = true;
                }
            }
        }
        hit
    }

    /// `comment` spans the whole comment, `#` included.
    fn add_comment(&mut self, source: &SourceFile, comment: Span) {
        let text = source.slice(comment);
        let Some(body) = text.strip_prefix('#') else {
            return;
        };
        let lead = body.len() - body.trim_start().len();
        let Some(rest) = body.trim_start().strip_prefix(MARKER) else {
            return;
        };
        // Offset of `rest` in the file.
        let rest_start = comment.start + 1 + lead + MARKER.len();
        let trimmed = rest.trim_start();
        let rest_start = rest_start + (rest.len() - trimmed.len());
        let (file_wide, after) = if let Some(a) = trimmed.strip_prefix("ignore-file[") {
            (true, a)
        } else if let Some(a) = trimmed.strip_prefix("ignore[") {
            (false, a)
        } else {
            self.malformed.push(Malformed { span: comment });
            return;
        };
        let Some(close) = after.find(']') else {
            self.malformed.push(Malformed { span: comment });
            return;
        };
        let list_start = rest_start + (trimmed.len() - after.len());
        let rules = parse_rule_list(&after[..close], list_start);
        if rules.is_empty() {
            self.malformed.push(Malformed { span: comment });
            return;
        }
        let scope = if file_wide {
            Scope::File
        } else {
            Scope::Line(target_line(source, comment.start))
        };
        self.directives.push(Directive {
            scope,
            rules,
            from_cfn_lint: false,
        });
    }

    fn add_metadata(&mut self, metadata: &Node, scope: Scope, to_original: &dyn Fn(Span) -> Span) {
        let Some(ignore) = metadata
            .get("cfn-policy-lint")
            .and_then(|n| n.get("ignore"))
        else {
            return;
        };
        let items: Vec<&Node> = match &ignore.kind {
            NodeKind::Sequence(items) => items.iter().collect(),
            NodeKind::Scalar(_) => vec![ignore],
            _ => Vec::new(),
        };
        let rules: Vec<RuleRef> = items
            .into_iter()
            .filter_map(|n| {
                let written = n.as_str()?.trim().to_string();
                Some(rule_ref(written, to_original(n.span)))
            })
            .collect();
        if !rules.is_empty() {
            self.directives.push(Directive {
                scope,
                rules,
                from_cfn_lint: false,
            });
        }
    }

    /// cfn-lint's `ignore_checks` in `metadata`: each entry suppresses the registered rules its
    /// checks map to (a prefix selects every check it starts, at template level only, as in
    /// cfn-lint).
    fn add_cfn_lint(&mut self, metadata: &Node, scope: Scope, to_original: &dyn Fn(Span) -> Span) {
        let prefix = scope == Scope::File;
        let mut rules = Vec::new();
        for entry in cfnlint::ignore_checks(metadata) {
            let Some(id) = entry.as_str().map(str::trim) else {
                continue;
            };
            let mut names: Vec<&'static str> = cfnlint::selected(id, prefix)
                .flat_map(|c| c.ours.iter())
                .filter_map(|name| rules::find(name).map(|r| r.meta().name))
                .collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                rules.push(RuleRef {
                    written: id.to_string(),
                    span: to_original(entry.span),
                    rule: Some(name),
                    used: AtomicBool::new(false),
                });
            }
        }
        if !rules.is_empty() {
            self.directives.push(Directive {
                scope,
                rules,
                from_cfn_lint: true,
            });
        }
    }
}

fn rule_ref(written: String, span: Span) -> RuleRef {
    let rule = rules::find(&written).map(|r| r.meta().name);
    RuleRef {
        written,
        span,
        rule,
        used: AtomicBool::new(false),
    }
}

/// `a, b ,c` → the names with their spans; `start` is the offset of `list` in the file.
fn parse_rule_list(list: &str, start: usize) -> Vec<RuleRef> {
    let mut out = Vec::new();
    let mut offset = 0;
    for part in list.split(',') {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        if !name.is_empty() {
            let s = start + offset + lead;
            out.push(rule_ref(name.to_string(), Span::new(s, s + name.len())));
        }
        offset += part.len() + 1;
    }
    out
}

/// The line a line suppression at `offset` applies to: its own line when code precedes the
/// comment, else the next line holding something other than a comment.
fn target_line(source: &SourceFile, offset: usize) -> usize {
    let line = source.lines.line_of(offset);
    let own = source
        .lines
        .line_span(&source.text, line)
        .map(|span| source.slice(Span::new(span.start, offset.max(span.start))))
        .unwrap_or_default();
    if !own.trim().is_empty() {
        return line;
    }
    let mut next = line + 1;
    while let Some(span) = source.lines.line_span(&source.text, next) {
        let t = source.slice(span).trim_start();
        if !t.is_empty() && !t.starts_with('#') {
            return next;
        }
        next += 1;
    }
    line
}

/// The finding for a suppression of `rule` that suppressed nothing.
fn unused(r: &RuleRef, rule: &str) -> Finding<Problem> {
    Finding::new(
        Problem::Unused,
        r.span,
        format!("suppression of `{rule}` matched no finding"),
    )
    .with_help(format!("remove `{}` from the suppression", r.written))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_lists_keep_exact_spans() {
        let text = "x # cfn-policy-lint: ignore[ a ,b] why\n";
        let source = SourceFile::new("t", text);
        let mut s = Suppressions::default();
        s.add_comment(&source, Span::new(2, text.len() - 1));
        let d = &s.directives[0];
        assert_eq!(d.scope, Scope::Line(0));
        let spans: Vec<&str> = d.rules.iter().map(|r| source.slice(r.span)).collect();
        assert_eq!(spans, ["a", "b"]);
    }

    #[test]
    fn comment_alone_targets_the_next_code_line() {
        let text = "a: 1\n  # cfn-policy-lint: ignore[x]\n\n  # other\nb: 2\n";
        let source = SourceFile::new("t", text);
        assert_eq!(target_line(&source, text.find('#').unwrap()), 4);
    }
}

//! Findings as LSP diagnostics, and their fixes as code actions.

use super::convert::range;
use crate::check::FileReport;
use crate::diagnostic::{self, Severity};
use crate::discover::FileKind;
use crate::fix;
use crate::source::{SourceFile, Span};
use lsp_server::Notification;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, Location, NumberOrString, PublishDiagnosticsParams, Range, TextEdit, Uri,
    WorkspaceEdit,
};
use std::collections::HashMap;

/// The notification publishing `diagnostics` for `uri` (at `version`).
pub fn publish(uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) -> Notification {
    Notification::new(
        "textDocument/publishDiagnostics".into(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    )
}

/// The quick fixes of the findings whose diagnostics overlap `asked`, and "Fix all" when there
/// is anything to fix. `fix_all` makes the fixed text (what `--fix` would write).
pub fn code_actions(
    uri: &Uri,
    report: &FileReport,
    asked: &Range,
    fix_all: impl FnOnce() -> Option<fix::Fixed>,
) -> Vec<CodeActionOrCommand> {
    let mut actions = Vec::new();
    let mut fixable = 0;
    for d in &report.diagnostics {
        let Some(f) = &d.fix else { continue };
        fixable += 1;
        let here: Vec<Diagnostic> = to_lsp(uri, &report.source, d)
            .into_iter()
            .filter(|l| overlaps(&l.range, asked))
            .collect();
        if here.is_empty() {
            continue;
        }
        let edits = f
            .edits
            .iter()
            .map(|e| TextEdit {
                range: range(&report.source, e.span),
                new_text: e.replacement.clone(),
            })
            .collect();
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: f.description.clone(),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(here),
            edit: Some(workspace_edit(uri, edits)),
            is_preferred: Some(true),
            ..CodeAction::default()
        }));
    }
    if fixable > 0 {
        if let Some(fixed) = fix_all() {
            let whole = range(&report.source, Span::new(0, report.source.text.len()));
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Fix all cfn-policy-lint findings ({})", fixed.applied),
                kind: Some(CodeActionKind::SOURCE_FIX_ALL),
                edit: Some(workspace_edit(
                    uri,
                    vec![TextEdit {
                        range: whole,
                        new_text: fixed.text,
                    }],
                )),
                ..CodeAction::default()
            }));
        }
    }
    actions
}

/// The fixed text of a document, as `--fix` would write it.
pub fn fixed_text(
    report: &FileReport,
    settings: &crate::check::Settings,
    kind: FileKind,
) -> Option<fix::Fixed> {
    fix::fix_text_as(&report.source.path, &report.source.text, settings, kind)
}

// `WorkspaceEdit::changes` is keyed by `Uri`, whose parsed form caches data in cells; the key
// is never mutated here.
#[allow(clippy::mutable_key_type)]
fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    let mut changes = HashMap::new();
    changes.insert(uri.clone(), edits);
    WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }
}

fn overlaps(a: &Range, b: &Range) -> bool {
    let before = |x: lsp_types::Position, y: lsp_types::Position| {
        (x.line, x.character) <= (y.line, y.character)
    };
    before(a.start, b.end) && before(b.start, a.end)
}
/// The LSP diagnostics of one finding: one at its span, with its labels as related
/// information, and one more at each place its offending labels mark as the same fault (each
/// further line of a tab-indented block), so that editors, which do not draw related
/// information, mark every one. All of them point at the whole run as related information.
pub fn to_lsp(uri: &Uri, source: &SourceFile, d: &diagnostic::Diagnostic) -> Vec<Diagnostic> {
    let mut message = crate::render::message_text(d);
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related_at = |span: Span, message: String| DiagnosticRelatedInformation {
        location: Location {
            uri: uri.clone(),
            range: range(source, span),
        },
        message,
    };
    let offending: Vec<Span> = d
        .labels
        .iter()
        .filter(|l| l.offending)
        .map(|l| l.span)
        .collect();
    let run = offending.last().map(|last| {
        let whole = d.span.cover(*last);
        let line = |offset| source.lines.line_of(offset) + 1;
        let (first, last) = (line(d.span.start), line(last.start));
        related_at(whole, format!("one finding for lines {first}–{last}"))
    });
    let mut related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter(|l| !l.offending)
        .map(|l| related_at(l.span, l.message.clone()))
        .collect();
    related.extend(run.clone());
    let one = |span: Span, related: Vec<DiagnosticRelatedInformation>| Diagnostic {
        range: range(source, span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("cfn-policy-lint".into()),
        message: message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        data: Some(serde_json::json!({"rule": d.rule})),
        ..Diagnostic::default()
    };
    let mut out = vec![one(d.span, related)];
    out.extend(
        offending
            .into_iter()
            .map(|span| one(span, run.clone().into_iter().collect())),
    );
    out
}

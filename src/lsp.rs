//! `cfn-policy-lint lsp`: a language server over stdio.
//!
//! Documents are synchronised in full; each open, change or save re-checks the in-memory text
//! with the configuration that governs the document's path and publishes the findings. Each
//! finding's fix is offered as a quick fix, and all of a document's fixes (what `--fix` would
//! do) as a `source.fixAll` action. LSP positions count UTF-16 code units, so every byte offset
//! goes through [`position`].

mod convert;

use crate::check::{self, FileReport};
use crate::config::{self, FileSettings, Overrides, Resolver};
use crate::diagnostic::{self, Severity};
use crate::discover::{self, FileKind};
use crate::fix;
use crate::source::SourceFile;
use convert::{file_path, range};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, Location, NumberOrString, PublishDiagnosticsParams, Range,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// Serve on stdin/stdout until the client says `exit`. Returns the process exit code.
pub fn serve() -> u8 {
    match serve_inner() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("cfn-policy-lint lsp: {e}");
            1
        }
    }
}

fn serve_inner() -> Result<()> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(true),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    };
    let (id, _params) = connection.initialize_start()?;
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": ServerInfo {
            name: "cfn-policy-lint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection.initialize_finish(id, result)?;
    let mut server = Server::new();
    // Purpose packs are loaded once per process: those the configuration of the server's
    // folder names.
    if let Err(e) = crate::purpose::activate(&server.resolver.run_settings().packs) {
        eprintln!("cfn-policy-lint lsp: invalid purpose pack: {e}");
    }
    server.main_loop(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

struct Document {
    text: String,
    language_id: String,
    version: Option<i32>,
    /// The last check's findings, for code actions.
    report: Option<FileReport>,
}

struct Server {
    documents: HashMap<Uri, Document>,
    resolver: Resolver,
}

fn new_resolver() -> Resolver {
    Resolver::discovering(Overrides::default(), check::Settings::default())
}

impl Server {
    fn new() -> Self {
        Server {
            documents: HashMap::new(),
            resolver: new_resolver(),
        }
    }

    fn main_loop(&mut self, connection: &Connection) -> Result<()> {
        for message in &connection.receiver {
            match message {
                Message::Request(request) => {
                    if connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let response = self.request(request);
                    connection.sender.send(Message::Response(response))?;
                }
                Message::Notification(n) => {
                    for out in self.notification(n) {
                        connection.sender.send(Message::Notification(out))?;
                    }
                }
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn request(&mut self, request: Request) -> Response {
        match request.method.as_str() {
            "textDocument/codeAction" => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(params) => Response::new_ok(request.id, self.code_actions(&params)),
                    Err(e) => Response::new_err(
                        request.id,
                        ErrorCode::InvalidParams as i32,
                        e.to_string(),
                    ),
                }
            }
            _ => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request {}", request.method),
            ),
        }
    }

    /// Handle a notification; returns the notifications to send back.
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        let changed = match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let d = p.text_document;
                self.documents.insert(
                    d.uri.clone(),
                    Document {
                        text: d.text,
                        language_id: d.language_id,
                        version: Some(d.version),
                        report: None,
                    },
                );
                d.uri
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let Some(doc) = self.documents.get_mut(&p.text_document.uri) else {
                    return Vec::new();
                };
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    doc.text = change.text;
                }
                doc.version = Some(p.text_document.version);
                p.text_document.uri
            }
            "textDocument/didSave" => {
                let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                if let (Some(doc), Some(text)) =
                    (self.documents.get_mut(&p.text_document.uri), p.text)
                {
                    doc.text = text;
                }
                p.text_document.uri
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                self.documents.remove(&p.text_document.uri);
                return vec![publish(p.text_document.uri, Vec::new(), None)];
            }
            _ => return Vec::new(),
        };
        let is_config = file_path(&changed)
            .is_some_and(|p| p.file_name().is_some_and(|n| n == config::FILE_NAME));
        if is_config && n.method == "textDocument/didSave" {
            // A saved configuration applies to every open document.
            self.resolver = new_resolver();
            let uris: Vec<Uri> = self.documents.keys().cloned().collect();
            return uris.into_iter().filter_map(|u| self.check(&u)).collect();
        }
        self.check(&changed).into_iter().collect()
    }

    /// Re-check one open document; the notification publishing its diagnostics.
    fn check(&mut self, uri: &Uri) -> Option<Notification> {
        let path = file_path(uri);
        let doc = self.documents.get_mut(uri)?;
        let name = path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| uri.as_str().to_string());
        let Some(kind) = kind_of(path.as_ref(), &doc.language_id, &doc.text) else {
            doc.report = None;
            return Some(publish(uri.clone(), Vec::new(), doc.version));
        };
        let settings = match path.as_ref().map(|p| self.resolver.settings_for(p)) {
            Some(Ok(FileSettings::Check(s))) => s,
            Some(Ok(FileSettings::Excluded)) => {
                doc.report = None;
                return Some(publish(uri.clone(), Vec::new(), doc.version));
            }
            Some(Err(e)) => {
                doc.report = None;
                return Some(Notification::new(
                    "window/showMessage".into(),
                    serde_json::json!({"type": 1, "message": format!("cfn-policy-lint: invalid configuration: {e}")}),
                ));
            }
            None => check::Settings::default(),
        };
        let report = check::check_file(SourceFile::new(name, doc.text.clone()), kind, &settings).0;
        let diagnostics = report
            .diagnostics
            .iter()
            .map(|d| to_lsp(uri, &report.source, d))
            .collect();
        doc.report = Some(report);
        Some(publish(uri.clone(), diagnostics, doc.version))
    }

    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(report) = self.documents.get(uri).and_then(|d| d.report.as_ref()) else {
            return Vec::new();
        };
        let mut actions = Vec::new();
        let mut fixable = 0;
        for d in &report.diagnostics {
            let Some(f) = &d.fix else { continue };
            fixable += 1;
            let lsp = to_lsp(uri, &report.source, d);
            if !overlaps(&lsp.range, &params.range) {
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
                diagnostics: Some(vec![lsp]),
                edit: Some(workspace_edit(uri, edits)),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
        if fixable > 0 {
            let settings = file_path(uri)
                .and_then(|p| match self.resolver.settings_for(&p) {
                    Ok(FileSettings::Check(s)) => Some(s),
                    _ => None,
                })
                .unwrap_or_default();
            let kind = self
                .documents
                .get(uri)
                .and_then(|d| kind_of(file_path(uri).as_ref(), &d.language_id, &d.text));
            if let Some(fixed) = kind.and_then(|kind| {
                fix::fix_text_as(&report.source.path, &report.source.text, &settings, kind)
            }) {
                let whole = range(
                    &report.source,
                    crate::source::Span::new(0, report.source.text.len()),
                );
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

/// How a document is checked, or `None` when it is not ours: Markdown pages (their code
/// blocks), and YAML or JSON that looks like a template or a policy document.
fn kind_of(path: Option<&PathBuf>, language_id: &str, text: &str) -> Option<FileKind> {
    match language_id {
        "markdown" => return Some(FileKind::Markdown),
        "cloudformation" => return Some(FileKind::Template),
        _ => {}
    }
    let yaml_or_json = matches!(language_id, "yaml" | "json" | "jsonc")
        || path.is_some_and(|p| discover::has_template_extension(p));
    if !yaml_or_json {
        return None;
    }
    match path.map(|p| discover::classify(p, text)) {
        Some(kind @ (FileKind::Template | FileKind::PolicyDocument)) => Some(kind),
        Some(_) => None,
        None => discover::looks_like_template(text).then_some(FileKind::Template),
    }
}

fn publish(uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) -> Notification {
    Notification::new(
        "textDocument/publishDiagnostics".into(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    )
}

fn to_lsp(uri: &Uri, source: &SourceFile, d: &diagnostic::Diagnostic) -> Diagnostic {
    let mut message = crate::render::message_text(d);
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location {
                uri: uri.clone(),
                range: range(source, l.span),
            },
            message: l.message.clone(),
        })
        .collect();
    Diagnostic {
        range: range(source, d.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("cfn-policy-lint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data: Some(serde_json::json!({"rule": d.rule})),
        ..Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_policies_and_markdown_are_checked() {
        let t = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
        assert_eq!(kind_of(None, "yaml", t), Some(FileKind::Template));
        assert_eq!(kind_of(None, "yaml", "services:\n  web: {}\n"), None);
        assert_eq!(kind_of(None, "markdown", t), Some(FileKind::Markdown));
        assert_eq!(kind_of(None, "rust", t), None);
        let p = PathBuf::from("/x/policy.json");
        let policy = r#"{"Version": "2012-10-17", "Statement": []}"#;
        assert_eq!(
            kind_of(Some(&p), "json", policy),
            Some(FileKind::PolicyDocument)
        );
    }
}

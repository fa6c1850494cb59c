//! `cfn-policy-lint lsp`: a language server over stdio.
//!
//! Documents are synchronised in full. Each open, change or save marks the document for a new
//! check with the configuration that governs its path; checks run once the messages already
//! waiting have been read, so a version that a newer change has superseded is never checked.
//! Each finding's fix is offered as a quick fix, and all of a document's fixes (what `--fix`
//! would do) as a `source.fixAll` action. A finding that marks several places as the same fault
//! (each line of a tab-indented block) is published once per place. Hover, completion, go to
//! definition and find references read the document's YAML tree ([`view`]). LSP positions count
//! UTF-16 code units, so every byte offset goes through [`convert`].

mod complete;
mod convert;
mod hover;
mod navigate;
pub mod schema;
mod view;

use crate::check::{self, FileReport};
use crate::config::{self, FileSettings, Overrides, Resolver};
use crate::diagnostic::{self, Severity};
use crate::discover::{self, FileKind};
use crate::fix;
use crate::source::{SourceFile, Span};
use convert::{file_path, offset, range};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionItem, CompletionItemKind, CompletionOptions,
    CompletionParams, CompletionResponse, CompletionTextEdit, Diagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    GotoDefinitionParams, Hover, HoverContents, HoverParams, HoverProviderCapability, Location,
    MarkupContent, MarkupKind, NumberOrString, OneOf, PublishDiagnosticsParams, Range,
    ReferenceParams, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};
use std::cell::OnceCell;
use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;
use view::Parsed;

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

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
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
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([":", "{", ".", "\""].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// A connection over stdin and stdout whose reader never waits for the server: every message
/// the client has sent is read, parsed and queued while a check runs, so that the next batch
/// sees all of them. (`Connection::stdio` hands over one message at a time, so nothing could
/// ever be found superseded.) Returns the connection and the writer thread, to be joined once
/// the connection is dropped so that every reply is flushed.
fn stdio_connection() -> (Connection, std::thread::JoinHandle<std::io::Result<()>>) {
    let (server, client) = Connection::memory();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        // A read error or the end of input ends the reader; the server then sees the channel
        // close and stops.
        while let Ok(Some(message)) = Message::read(&mut stdin) {
            let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
            if to_server.send(message).is_err() || exit {
                break;
            }
        }
    });
    let writer = std::thread::spawn(move || {
        let mut stdout = std::io::stdout().lock();
        for message in from_server {
            message.write(&mut stdout)?;
        }
        Ok(())
    });
    (server, writer)
}

fn serve_inner() -> Result<()> {
    let (connection, writer) = stdio_connection();
    let (id, _params) = connection.initialize_start()?;
    let result = serde_json::json!({
        "capabilities": capabilities(),
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
    match writer.join() {
        Ok(written) => written?,
        Err(_) => return Err("the writer thread panicked".into()),
    }
    Ok(())
}

struct Document {
    source: SourceFile,
    language_id: String,
    version: Option<i32>,
    /// Changed since its last check: checked once the waiting messages are read.
    stale: bool,
    /// The last check's findings, for code actions and hover.
    report: Option<FileReport>,
    /// The YAML tree of the current text, built on first use.
    parsed: OnceCell<Option<Parsed>>,
}

impl Document {
    fn new(uri: &Uri, text: String, language_id: String, version: Option<i32>) -> Self {
        Document {
            source: SourceFile::new(display_name(uri), text),
            language_id,
            version,
            stale: true,
            report: None,
            parsed: OnceCell::new(),
        }
    }

    fn set_text(&mut self, uri: &Uri, text: String) {
        self.source = SourceFile::new(display_name(uri), text);
        self.parsed = OnceCell::new();
        self.stale = true;
    }

    fn parsed(&self) -> Option<&Parsed> {
        self.parsed
            .get_or_init(|| {
                let kind = kind_of(
                    file_path_of(&self.source),
                    &self.language_id,
                    &self.source.text,
                );
                matches!(kind, Some(FileKind::Template | FileKind::PolicyDocument))
                    .then(|| Parsed::of(&self.source))
                    .flatten()
            })
            .as_ref()
    }
}

fn display_name(uri: &Uri) -> String {
    file_path(uri)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| uri.as_str().to_string())
}

/// The path a document's name stands for, when it is a file's.
fn file_path_of(source: &SourceFile) -> Option<PathBuf> {
    let path = PathBuf::from(&source.path);
    path.is_absolute().then_some(path)
}

struct Server {
    documents: HashMap<Uri, Document>,
    resolver: Resolver,
    shutting_down: bool,
}

fn new_resolver() -> Resolver {
    Resolver::discovering(Overrides::default(), check::Settings::default())
}

/// What the main loop sends back for one message.
#[derive(Default)]
struct Replies {
    notifications: Vec<Notification>,
    response: Option<Response>,
}

impl Server {
    fn new() -> Self {
        Server {
            documents: HashMap::new(),
            resolver: new_resolver(),
            shutting_down: false,
        }
    }

    /// Read every message already waiting, answer them in order, then check the documents
    /// they changed: a version superseded by a later change in the same batch is never
    /// checked. Returns on `exit`.
    fn main_loop(&mut self, connection: &Connection) -> Result<()> {
        while let Ok(first) = connection.receiver.recv() {
            let batch: Vec<Message> = std::iter::once(first)
                .chain(connection.receiver.try_iter())
                .collect();
            for message in without_superseded_changes(batch) {
                let replies = match message {
                    Message::Request(request) => self.request(request),
                    Message::Notification(n) if n.method == "exit" => return Ok(()),
                    Message::Notification(n) => Replies {
                        notifications: self.notification(n),
                        response: None,
                    },
                    Message::Response(_) => Replies::default(),
                };
                for n in replies.notifications {
                    connection.sender.send(Message::Notification(n))?;
                }
                if let Some(r) = replies.response {
                    connection.sender.send(Message::Response(r))?;
                }
            }
            let mut stale: Vec<Uri> = self
                .documents
                .iter()
                .filter(|(_, d)| d.stale)
                .map(|(u, _)| u.clone())
                .collect();
            stale.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            for uri in stale {
                if let Some(n) = self.check(&uri) {
                    connection.sender.send(Message::Notification(n))?;
                }
            }
        }
        Ok(())
    }

    fn request(&mut self, request: Request) -> Replies {
        let id = request.id.clone();
        if request.method == "shutdown" {
            self.shutting_down = true;
            return Replies {
                notifications: Vec::new(),
                response: Some(Response::new_ok(id, ())),
            };
        }
        if self.shutting_down {
            return Replies {
                notifications: Vec::new(),
                response: Some(Response::new_err(
                    id,
                    ErrorCode::InvalidRequest as i32,
                    "the server is shutting down".into(),
                )),
            };
        }
        // Code actions and hovers tell about findings: a changed document is checked first.
        let mut notifications = Vec::new();
        if matches!(
            request.method.as_str(),
            "textDocument/codeAction" | "textDocument/hover"
        ) {
            if let Some(uri) = request
                .params
                .pointer("/textDocument/uri")
                .and_then(|u| serde_json::from_value::<Uri>(u.clone()).ok())
            {
                if self.documents.get(&uri).is_some_and(|d| d.stale) {
                    notifications.extend(self.check(&uri));
                }
            }
        }
        let response = match request.method.as_str() {
            "textDocument/codeAction" => {
                respond(request, |p: CodeActionParams| self.code_actions(&p))
            }
            "textDocument/hover" => respond(request, |p: HoverParams| self.hover(&p)),
            "textDocument/completion" => respond(request, |p: CompletionParams| {
                self.completion(&p.text_document_position)
            }),
            "textDocument/definition" => respond(request, |p: GotoDefinitionParams| {
                self.definition(&p.text_document_position_params)
            }),
            "textDocument/references" => respond(request, |p: ReferenceParams| self.references(&p)),
            _ => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request {}", request.method),
            ),
        };
        Replies {
            notifications,
            response: Some(response),
        }
    }

    /// Handle a notification; returns the notifications to send back now (checks wait for the
    /// end of the batch).
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        let changed = match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let d = p.text_document;
                let doc = Document::new(&d.uri, d.text, d.language_id, Some(d.version));
                self.documents.insert(d.uri.clone(), doc);
                d.uri
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let Some(doc) = self.documents.get_mut(&uri) else {
                    return Vec::new();
                };
                // Full sync: the last change holds the whole text.
                if let Some(change) = p.content_changes.into_iter().last() {
                    doc.set_text(&uri, change.text);
                }
                doc.version = Some(p.text_document.version);
                doc.stale = true;
                uri
            }
            "textDocument/didSave" => {
                let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                if let Some(doc) = self.documents.get_mut(&uri) {
                    match p.text {
                        Some(text) if text != doc.source.text => doc.set_text(&uri, text),
                        _ => doc.stale = true,
                    }
                }
                uri
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
            for doc in self.documents.values_mut() {
                doc.stale = true;
            }
        }
        Vec::new()
    }

    /// Re-check one open document; the notification publishing its diagnostics.
    fn check(&mut self, uri: &Uri) -> Option<Notification> {
        let path = file_path(uri);
        let doc = self.documents.get_mut(uri)?;
        doc.stale = false;
        let Some(kind) = kind_of(path.clone(), &doc.language_id, &doc.source.text) else {
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
        let report = check::check_file(
            SourceFile::new(doc.source.path.clone(), doc.source.text.clone()),
            kind,
            &settings,
        )
        .0;
        let diagnostics = report
            .diagnostics
            .iter()
            .flat_map(|d| to_lsp(uri, &report.source, d))
            .collect();
        doc.report = Some(report);
        Some(publish(uri.clone(), diagnostics, doc.version))
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let doc = self.documents.get(&at.text_document.uri)?;
        let offset = offset(&doc.source, at.position);
        let (span, text) = hover::hover(&doc.source, doc.parsed(), doc.report.as_ref(), offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(range(&doc.source, span)),
        })
    }

    fn completion(&self, at: &TextDocumentPositionParams) -> Option<CompletionResponse> {
        let doc = self.documents.get(&at.text_document.uri)?;
        let kind = kind_of(
            file_path_of(&doc.source),
            &doc.language_id,
            &doc.source.text,
        );
        if !matches!(kind, Some(FileKind::Template | FileKind::PolicyDocument)) {
            return None;
        }
        let offset = offset(&doc.source, at.position);
        let items = complete::complete(&doc.source, doc.parsed(), offset)
            .into_iter()
            .map(|item| completion_item(&doc.source, item))
            .collect();
        Some(CompletionResponse::Array(items))
    }

    fn definition(&self, at: &TextDocumentPositionParams) -> Option<Location> {
        let uri = &at.text_document.uri;
        let doc = self.documents.get(uri)?;
        let offset = offset(&doc.source, at.position);
        let span = navigate::definition(&doc.source, doc.parsed()?, offset)?;
        Some(Location {
            uri: uri.clone(),
            range: range(&doc.source, span),
        })
    }

    fn references(&self, params: &ReferenceParams) -> Option<Vec<Location>> {
        let at = &params.text_document_position;
        let uri = &at.text_document.uri;
        let doc = self.documents.get(uri)?;
        let offset = offset(&doc.source, at.position);
        let with_definition = params.context.include_declaration;
        let spans = navigate::references(&doc.source, doc.parsed()?, offset, with_definition);
        Some(
            spans
                .into_iter()
                .map(|span| Location {
                    uri: uri.clone(),
                    range: range(&doc.source, span),
                })
                .collect(),
        )
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
            let published = to_lsp(uri, &report.source, d);
            let asked: Vec<Diagnostic> = published
                .into_iter()
                .filter(|l| overlaps(&l.range, &params.range))
                .collect();
            if asked.is_empty() {
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
                diagnostics: Some(asked),
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
                .and_then(|d| kind_of(file_path(uri), &d.language_id, &d.source.text));
            if let Some(fixed) = kind.and_then(|kind| {
                fix::fix_text_as(&report.source.path, &report.source.text, &settings, kind)
            }) {
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
}

/// The batch without the changes a later change of the same document replaces (changes carry
/// the whole text) before any request could have asked about them, so that they are not even
/// read into a document.
fn without_superseded_changes(batch: Vec<Message>) -> Vec<Message> {
    let change_of = |m: &Message| match m {
        Message::Notification(n) if n.method == "textDocument/didChange" => n
            .params
            .pointer("/textDocument/uri")
            .and_then(|u| u.as_str())
            .map(str::to_string),
        _ => None,
    };
    let mut replaced_later = std::collections::HashSet::new();
    let mut keep = vec![true; batch.len()];
    for (i, m) in batch.iter().enumerate().rev() {
        if matches!(m, Message::Request(_)) {
            replaced_later.clear();
        } else if let Some(uri) = change_of(m) {
            keep[i] = replaced_later.insert(uri);
        }
    }
    batch
        .into_iter()
        .zip(keep)
        .filter_map(|(m, keep)| keep.then_some(m))
        .collect()
}

/// Answer a request whose parameters are a `P`, or say why they are not.
fn respond<P, R>(request: Request, answer: impl FnOnce(P) -> R) -> Response
where
    P: serde::de::DeserializeOwned,
    R: serde::Serialize,
{
    let id: RequestId = request.id;
    match serde_json::from_value::<P>(request.params) {
        Ok(params) => Response::new_ok(id, answer(params)),
        Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
    }
}

fn completion_item(source: &SourceFile, item: complete::Item) -> CompletionItem {
    let kind = match item.kind {
        complete::Kind::Action => CompletionItemKind::FUNCTION,
        complete::Kind::Service => CompletionItemKind::MODULE,
        complete::Kind::Operator => CompletionItemKind::OPERATOR,
        complete::Kind::ConditionKey => CompletionItemKind::PROPERTY,
        complete::Kind::Parameter => CompletionItemKind::VARIABLE,
        complete::Kind::Resource => CompletionItemKind::REFERENCE,
        complete::Kind::Attribute => CompletionItemKind::FIELD,
        complete::Kind::ResourceType => CompletionItemKind::CLASS,
        complete::Kind::Property => CompletionItemKind::PROPERTY,
    };
    let new_text = item.insert.unwrap_or_else(|| item.label.clone());
    CompletionItem {
        // Clients filter what the typed word matches; `s3:` is part of the word here.
        filter_text: Some(item.label.clone()),
        label: item.label,
        kind: Some(kind),
        detail: item.detail,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: range(source, item.replace),
            new_text,
        })),
        ..CompletionItem::default()
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
fn kind_of(path: Option<PathBuf>, language_id: &str, text: &str) -> Option<FileKind> {
    match language_id {
        "markdown" => return Some(FileKind::Markdown),
        "cloudformation" => return Some(FileKind::Template),
        _ => {}
    }
    let yaml_or_json = matches!(language_id, "yaml" | "json" | "jsonc")
        || path
            .as_ref()
            .is_some_and(|p| discover::has_template_extension(p));
    if !yaml_or_json {
        return None;
    }
    match path.map(|p| discover::classify(&p, text)) {
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

/// The LSP diagnostics of one finding: one at its span, with its labels as related
/// information, and one more at each place its offending labels mark as the same fault (each
/// further line of a tab-indented block), so that editors, which do not draw related
/// information, mark every one. All of them point at the whole run as related information.
fn to_lsp(uri: &Uri, source: &SourceFile, d: &diagnostic::Diagnostic) -> Vec<Diagnostic> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_replaced_before_any_request_is_dropped() {
        let change = |uri: &str, v: i32| {
            Message::Notification(Notification::new(
                "textDocument/didChange".into(),
                serde_json::json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": ""}]}),
            ))
        };
        let hover = Message::Request(Request::new(
            RequestId::from(1),
            "textDocument/hover".into(),
            serde_json::json!({}),
        ));
        let batch = vec![
            change("file:///a", 1),
            change("file:///b", 1),
            change("file:///a", 2),
            hover,
            change("file:///a", 3),
            change("file:///a", 4),
        ];
        let kept: Vec<String> = without_superseded_changes(batch)
            .iter()
            .map(|m| match m {
                Message::Notification(n) => format!(
                    "{}@{}",
                    n.params["textDocument"]["uri"].as_str().unwrap(),
                    n.params["textDocument"]["version"]
                ),
                _ => "request".into(),
            })
            .collect();
        // Version 2 of `a` stays: the request after it may be about it.
        assert_eq!(
            kept,
            ["file:///b@1", "file:///a@2", "request", "file:///a@4"]
        );
    }

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
            kind_of(Some(p), "json", policy),
            Some(FileKind::PolicyDocument)
        );
    }
}

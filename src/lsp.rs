//! `cfn-policy-lint lsp`: a language server over stdio.
//!
//! Documents are synchronised in full. Each open, change or save makes the document stale; one
//! check at a time runs on a worker thread, on the newest text of a stale document, with the
//! configuration that governs the document's path. The main thread keeps answering meanwhile,
//! so hover and completion never wait for a check, and a check whose text was replaced while it
//! ran is dropped: on a large template, versions that newer changes superseded are skipped.
//! Each finding's fix is offered as a quick fix, and all of a document's fixes (what `--fix`
//! would do) as a `source.fixAll` action; a finding that marks several places as the same fault
//! (each line of a tab-indented block) is published once per place ([`findings`]). Hover,
//! completion, go to definition and find references read the document's YAML tree ([`view`]).
//! LSP positions count UTF-16 code units, so every byte offset goes through [`convert`].

mod complete;
mod convert;
mod document;
mod findings;
mod hover;
mod navigate;
pub mod schema;
mod view;

use crate::check::{self, FileReport};
use crate::config::{self, FileSettings, Overrides, Resolver};
use crate::discover::FileKind;
use crate::source::SourceFile;
use convert::{file_path, offset, range};
use document::Document;
use findings::{publish, to_lsp};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionItem, CompletionItemKind, CompletionList,
    CompletionOptions, CompletionParams, CompletionResponse, CompletionTextEdit,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, GotoDefinitionParams, Hover, HoverContents, HoverParams,
    HoverProviderCapability, Location, MarkupContent, MarkupKind, OneOf, ReferenceParams,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri,
};
use std::collections::HashMap;
use std::error::Error;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

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

/// What the main thread waits for.
enum Event {
    /// A message from the client.
    Client(Message),
    /// The client closed its end (or sent something unreadable).
    ClientGone,
    /// A check on the worker finished.
    Checked(Checked),
}

/// A finished check: the findings of one generation of a document, and what to publish.
struct Checked {
    uri: Uri,
    generation: u64,
    report: Option<FileReport>,
    notification: Notification,
}

fn serve_inner() -> Result<()> {
    let (events_in, events) = mpsc::channel();
    // The reader never waits for the server: every message is read, parsed and queued while a
    // check runs, so that the next batch sees all of them. (`lsp_server::Connection::stdio`
    // hands over one message at a time, so nothing could ever be found superseded.)
    let reader = events_in.clone();
    thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        while let Ok(Some(message)) = Message::read(&mut stdin) {
            if reader.send(Event::Client(message)).is_err() {
                return;
            }
        }
        let _ = reader.send(Event::ClientGone);
    });
    let (out, to_client) = mpsc::channel::<Message>();
    let writer = thread::spawn(move || -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        for message in to_client {
            message.write(&mut stdout)?;
        }
        Ok(())
    });
    // Hover and completion describe resource types and properties from the embedded schemas.
    schema::set_provider(&schema::EMBEDDED);
    let mut server = Server::new(out, events_in);
    if server.initialize(&events)? {
        // Purpose packs and wiring files are loaded once per process: those the configuration of the server's
        // folder names.
        let packs = server.resolver.run_settings().packs;
        if let Err(e) = crate::purpose::activate(&packs) {
            eprintln!("cfn-policy-lint lsp: invalid purpose pack: {e}");
        }
        if let Err(e) = crate::purpose::wiring::activate(&packs) {
            eprintln!("cfn-policy-lint lsp: invalid wiring pack: {e}");
        }
        server.main_loop(&events)?;
    }
    // Dropping the server drops the last sender to the writer, which then flushes and ends.
    drop(server);
    match writer.join() {
        Ok(written) => written?,
        Err(_) => return Err("the writer thread panicked".into()),
    }
    Ok(())
}

struct Server {
    documents: HashMap<Uri, Document>,
    resolver: Resolver,
    shutting_down: bool,
    /// Where replies go.
    out: Sender<Message>,
    /// Where the worker reports.
    events: Sender<Event>,
    /// A check is running on the worker.
    checking: bool,
}

fn new_resolver() -> Resolver {
    Resolver::discovering(Overrides::default(), check::Settings::default())
}

impl Server {
    fn new(out: Sender<Message>, events: Sender<Event>) -> Self {
        Server {
            documents: HashMap::new(),
            resolver: new_resolver(),
            shutting_down: false,
            out,
            events,
            checking: false,
        }
    }

    fn send(&self, message: impl Into<Message>) -> Result<()> {
        self.out
            .send(message.into())
            .map_err(|_| "the writer thread has stopped".into())
    }

    /// Answer `initialize`; requests before it are refused, as the protocol says. `false` when
    /// the client left (or said `exit`) first.
    fn initialize(&mut self, events: &Receiver<Event>) -> Result<bool> {
        while let Ok(event) = events.recv() {
            match event {
                Event::Client(Message::Request(r)) if r.method == "initialize" => {
                    let result = serde_json::json!({
                        "capabilities": capabilities(),
                        "serverInfo": ServerInfo {
                            name: "cfn-policy-lint".into(),
                            version: Some(env!("CARGO_PKG_VERSION").into()),
                        },
                    });
                    self.send(Response::new_ok(r.id, result))?;
                    return Ok(true);
                }
                Event::Client(Message::Request(r)) => self.send(Response::new_err(
                    r.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized".into(),
                ))?,
                Event::Client(Message::Notification(n)) if n.method == "exit" => return Ok(false),
                Event::ClientGone => return Ok(false),
                _ => {}
            }
        }
        Ok(false)
    }

    /// Take every event already waiting, answer the client's messages in order, then start a
    /// check if none is running. Returns on `exit` or when the client is gone.
    fn main_loop(&mut self, events: &Receiver<Event>) -> Result<()> {
        while let Ok(first) = events.recv() {
            let mut messages = Vec::new();
            let mut gone = false;
            for event in std::iter::once(first).chain(events.try_iter()) {
                match event {
                    Event::Client(m) => messages.push(m),
                    Event::ClientGone => gone = true,
                    Event::Checked(c) => self.checked(c)?,
                }
            }
            for message in without_superseded_changes(messages) {
                match message {
                    Message::Request(request) => {
                        let response = self.request(request);
                        self.send(response)?;
                    }
                    Message::Notification(n) if n.method == "exit" => return Ok(()),
                    Message::Notification(n) => {
                        for out in self.notification(n) {
                            self.send(out)?;
                        }
                    }
                    Message::Response(_) => {}
                }
            }
            if gone {
                return Ok(());
            }
            self.start_check()?;
        }
        Ok(())
    }

    /// A check finished: publish it if its text is still the document's.
    fn checked(&mut self, c: Checked) -> Result<()> {
        self.checking = false;
        let Some(doc) = self.documents.get_mut(&c.uri) else {
            return Ok(());
        };
        if doc.generation != c.generation {
            return Ok(());
        }
        doc.set_report(c.generation, c.report);
        self.send(c.notification)
    }

    /// Start checking the first stale document (by URI), unless a check is running.
    fn start_check(&mut self) -> Result<()> {
        if self.checking {
            return Ok(());
        }
        let Some(uri) = self
            .documents
            .iter()
            .filter(|(_, d)| d.stale)
            .map(|(u, _)| u)
            .min_by(|a, b| a.as_str().cmp(b.as_str()))
            .cloned()
        else {
            return Ok(());
        };
        let Some(doc) = self.documents.get_mut(&uri) else {
            return Ok(());
        };
        doc.stale = false;
        let (generation, version) = (doc.generation, doc.version);
        let Some(kind) = doc.kind() else {
            doc.set_report(generation, None);
            return self.send(publish(uri, Vec::new(), version));
        };
        let settings = match doc.path().map(|p| self.resolver.settings_for(p)) {
            Some(Ok(FileSettings::Check(s))) => s,
            Some(Ok(FileSettings::Excluded)) => {
                doc.set_report(generation, None);
                return self.send(publish(uri, Vec::new(), version));
            }
            Some(Err(e)) => {
                doc.set_report(generation, None);
                return self.send(Notification::new(
                    "window/showMessage".into(),
                    serde_json::json!({"type": 1, "message": format!("cfn-policy-lint: invalid configuration: {e}")}),
                ));
            }
            None => check::Settings::default(),
        };
        let source = doc.source_copy();
        let events = self.events.clone();
        self.checking = true;
        thread::spawn(move || {
            // Templates skip `check_file`'s facts for the cross-file pass, which an editor's
            // single document has no use for.
            let report = match kind {
                FileKind::Template | FileKind::PolicyDocument | FileKind::Other => {
                    check::check_template(source, &settings)
                }
                _ => check::check_file(source, kind, &settings).0,
            };
            let diagnostics = report
                .diagnostics
                .iter()
                .flat_map(|d| to_lsp(&uri, &report.source, d))
                .collect();
            let notification = publish(uri.clone(), diagnostics, version);
            let _ = events.send(Event::Checked(Checked {
                uri,
                generation,
                report: Some(report),
                notification,
            }));
        });
        Ok(())
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        if request.method == "shutdown" {
            self.shutting_down = true;
            return Response::new_ok(id, ());
        }
        if self.shutting_down {
            return Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is shutting down".into(),
            );
        }
        match request.method.as_str() {
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
        }
    }

    /// Handle a notification; returns the notifications to send back now.
    fn notification(&mut self, n: Notification) -> Vec<Notification> {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    let doc = Document::new(&d.uri, d.text, d.language_id, Some(d.version));
                    self.documents.insert(d.uri, doc);
                }
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                if let Some(doc) = self.documents.get_mut(&p.text_document.uri) {
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        doc.set_text(change.text, Some(p.text_document.version));
                    }
                }
            }
            "textDocument/didSave" => {
                let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                if let Some(doc) = self.documents.get_mut(&uri) {
                    match p.text {
                        Some(text) if text != doc.text() => doc.set_text(text, None),
                        _ => doc.stale = true,
                    }
                }
                let is_config = file_path(&uri)
                    .is_some_and(|p| p.file_name().is_some_and(|n| n == config::FILE_NAME));
                if is_config {
                    // A saved configuration applies to every open document.
                    self.resolver = new_resolver();
                    for doc in self.documents.values_mut() {
                        doc.stale = true;
                    }
                }
            }
            "textDocument/didClose" => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) {
                    self.documents.remove(&p.text_document.uri);
                    return vec![publish(p.text_document.uri, Vec::new(), None)];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let doc = self.documents.get(&at.text_document.uri)?;
        let source = doc.source();
        let offset = offset(source, at.position);
        let (span, text) = hover::hover(source, doc.parsed(), doc.report(), offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(range(source, span)),
        })
    }

    fn completion(&self, at: &TextDocumentPositionParams) -> Option<CompletionResponse> {
        let doc = self.documents.get(&at.text_document.uri)?;
        if !matches!(
            doc.kind(),
            Some(FileKind::Template | FileKind::PolicyDocument)
        ) {
            return None;
        }
        let source = doc.source();
        let offset = offset(source, at.position);
        let items = complete::complete(source, doc.parsed(), offset);
        // Namespaces stand for the many types they hold: the client asks again as more is
        // typed, and gets the types once few enough match.
        let is_incomplete = items.iter().any(|i| i.kind == complete::Kind::Namespace);
        let items = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| completion_item(source, item, i))
            .collect();
        if is_incomplete {
            return Some(CompletionResponse::List(CompletionList {
                is_incomplete,
                items,
            }));
        }
        Some(CompletionResponse::Array(items))
    }

    fn definition(&self, at: &TextDocumentPositionParams) -> Option<Location> {
        let uri = &at.text_document.uri;
        let doc = self.documents.get(uri)?;
        let source = doc.source();
        let offset = offset(source, at.position);
        let span = navigate::definition(source, doc.parsed()?, offset)?;
        Some(Location {
            uri: uri.clone(),
            range: range(source, span),
        })
    }

    fn references(&self, params: &ReferenceParams) -> Option<Vec<Location>> {
        let at = &params.text_document_position;
        let uri = &at.text_document.uri;
        let doc = self.documents.get(uri)?;
        let source = doc.source();
        let offset = offset(source, at.position);
        let with_definition = params.context.include_declaration;
        let spans = navigate::references(source, doc.parsed()?, offset, with_definition);
        Some(
            spans
                .into_iter()
                .map(|span| Location {
                    uri: uri.clone(),
                    range: range(source, span),
                })
                .collect(),
        )
    }

    /// Quick fixes from the findings of the current text; none while it is being checked (the
    /// client asks again when the new diagnostics arrive).
    fn code_actions(&self, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let Some(doc) = self.documents.get(uri) else {
            return Vec::new();
        };
        let Some(report) = doc.report() else {
            return Vec::new();
        };
        findings::code_actions(uri, report, &params.range, || {
            let settings = doc
                .path()
                .and_then(|p| match self.resolver.settings_for(p) {
                    Ok(FileSettings::Check(s)) => Some(s),
                    _ => None,
                })
                .unwrap_or_default();
            findings::fixed_text(report, &settings, doc.kind()?)
        })
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

/// The LSP item of `item`, the `position`th of its list.
fn completion_item(source: &SourceFile, item: complete::Item, position: usize) -> CompletionItem {
    let kind = match item.kind {
        complete::Kind::Action => CompletionItemKind::FUNCTION,
        complete::Kind::Service => CompletionItemKind::MODULE,
        complete::Kind::Operator => CompletionItemKind::OPERATOR,
        complete::Kind::ConditionKey => CompletionItemKind::PROPERTY,
        complete::Kind::Parameter => CompletionItemKind::VARIABLE,
        complete::Kind::Resource => CompletionItemKind::REFERENCE,
        complete::Kind::Attribute => CompletionItemKind::FIELD,
        complete::Kind::ResourceType => CompletionItemKind::CLASS,
        complete::Kind::Namespace => CompletionItemKind::MODULE,
        complete::Kind::Property => CompletionItemKind::PROPERTY,
    };
    // Property names come required first: the client keeps that order instead of sorting by
    // label.
    let sort_text = (item.kind == complete::Kind::Property).then(|| format!("{position:05}"));
    let new_text = item.insert.unwrap_or_else(|| item.label.clone());
    CompletionItem {
        // Clients filter what the typed word matches; `s3:` is part of the word here.
        filter_text: Some(item.label.clone()),
        label: item.label,
        kind: Some(kind),
        detail: item.detail,
        sort_text,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit {
            range: range(source, item.replace),
            new_text,
        })),
        ..CompletionItem::default()
    }
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
}

//! A minimal language-server client over the binary's stdio, for `tests/lsp.rs` and
//! `benches/lsp.rs`: JSON-RPC framing, requests and notifications, and waiting (bounded) for
//! the server's messages, each stamped with when it arrived.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// How long any one wait for the server may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Client {
    pub child: Child,
    stdin: ChildStdin,
    messages: Receiver<(Instant, Value)>,
    next_id: i64,
}

impl Client {
    /// Start `cfn-policy-lint lsp` in `dir` and initialize it.
    pub fn start(binary: &str, dir: &Path) -> Client {
        let mut child = Command::new(binary)
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server starts");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length header")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let value: Value = serde_json::from_slice(&body).expect("JSON body");
                if tx.send((Instant::now(), value)).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    /// `initialize` and `initialized`; the server's capabilities.
    pub fn initialize(&mut self) -> Value {
        let init = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        init["result"]["capabilities"].clone()
    }

    pub fn send(&mut self, message: &Value) {
        self.send_raw(&serde_json::to_string(message).expect("serialisable"));
    }

    /// Send a message already serialised (see [`change_message`]), so that timing it does not
    /// count the serialising.
    pub fn send_raw(&mut self, body: &str) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("server reads");
        self.stdin.write_all(body.as_bytes()).expect("server reads");
        self.stdin.flush().expect("server reads");
    }

    /// Send a request and wait for its response.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
            .1
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message matching `pred` and when it arrived, skipping others; panics after
    /// [`TIMEOUT`].
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> (Instant, Value) {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok((at, m)) if pred(&m) => return (at, m),
                Ok(_) => {}
                Err(e) => {
                    let _ = self.child.kill();
                    panic!("no expected message from the server: {e}");
                }
            }
        }
    }

    /// The diagnostics published for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        self.diagnostics_at(uri, version).1
    }

    /// The diagnostics published for `uri` at `version`, and when they arrived.
    pub fn diagnostics_at(&mut self, uri: &str, version: i64) -> (Instant, Vec<Value>) {
        let (at, m) = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        let diagnostics = m["params"]["diagnostics"]
            .as_array()
            .expect("a diagnostics array")
            .clone();
        (at, diagnostics)
    }

    pub fn open(&mut self, uri: &str, language: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        );
    }

    pub fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.send_raw(&change_message(uri, version, text));
    }

    /// `shutdown` and `exit`; panics unless the server then exits with success.
    pub fn shutdown(mut self) {
        let response = self.request("shutdown", Value::Null);
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waitable") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(status.success(), "{status:?}");
    }
}

/// A `didChange` notification replacing the whole text, serialised.
pub fn change_message(uri: &str, version: i64, text: &str) -> String {
    let message = json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
    });
    serde_json::to_string(&message).expect("serialisable")
}

/// An LSP position in `text` at byte `offset` (the texts tests use are ASCII, so columns are
/// bytes).
pub fn position(text: &str, offset: usize) -> Value {
    let line = text[..offset].matches('\n').count();
    let start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    json!({"line": line, "character": offset - start})
}

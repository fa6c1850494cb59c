//! The language server through a real JSON-RPC exchange over the binary's stdio: initialize,
//! didOpen with the tab-indented tutorial, diagnostics with UTF-16 ranges, a quick fix,
//! didChange to the corrected text, shutdown and exit. Every read is bounded by a timeout.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cfn-policy-lint"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
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
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            messages,
        }
    }

    fn send(&mut self, message: Value) {
        let body = serde_json::to_string(&message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message matching `pred`, skipping others; panics after the timeout.
    fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if pred(&m) => return m,
                Ok(_) => {}
                Err(e) => {
                    let _ = self.child.kill();
                    panic!("no expected message from the server: {e}");
                }
            }
        }
    }

    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let m = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        m["params"]["diagnostics"].as_array().unwrap().clone()
    }
}

fn range(d: &Value) -> [u64; 4] {
    let r = &d["range"];
    [
        r["start"]["line"].as_u64().unwrap(),
        r["start"]["character"].as_u64().unwrap(),
        r["end"]["line"].as_u64().unwrap(),
        r["end"]["character"].as_u64().unwrap(),
    ]
}

#[test]
fn language_server_exchange() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial");
    let tabbed = std::fs::read_to_string(fixtures.join("policy.yaml")).unwrap();
    let corrected = std::fs::read_to_string(fixtures.join("policy-corrected.yaml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().canonicalize().unwrap();
    // The configuration next to the document is honoured.
    std::fs::write(
        dir_path.join(".cfn-policy-lint.yaml"),
        "severity: {tab-indentation: warning}\n",
    )
    .unwrap();
    let uri = format!("file://{}/policy.yaml", dir_path.display());

    let mut client = Client::start(&dir_path);
    let init = client.request(
        1,
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let caps = &init["result"]["capabilities"];
    assert_eq!(caps["textDocumentSync"]["change"], 1, "full sync");
    assert!(caps["codeActionProvider"].is_object());
    client.notify("initialized", json!({}));

    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": tabbed}}),
    );
    let diags = client.diagnostics(&uri, 1);
    let of = |code: &str| -> Vec<&Value> { diags.iter().filter(|d| d["code"] == code).collect() };
    let tabs = of("Y002");
    let misplaced = of("Y003");
    assert_eq!(tabs.len(), 3, "{diags:#?}");
    assert_eq!(misplaced.len(), 2, "{diags:#?}");
    // Tabs on lines 5, 10 and 52 (1-based): each range is the first tab, one UTF-16 unit.
    let tab_ranges: Vec<[u64; 4]> = tabs.iter().map(|d| range(d)).collect();
    assert_eq!(tab_ranges, [[4, 0, 4, 1], [9, 0, 9, 1], [51, 0, 51, 1]]);
    assert!(
        tabs.iter().all(|d| d["severity"] == 2),
        "configured as warning"
    );
    assert!(tabs.iter().all(|d| d["source"] == "cfn-policy-lint"));
    // `Resource` (line 45, after a tab and a space) and `Outputs` (line 50, column 6).
    assert_eq!(range(misplaced[0]), [44, 2, 44, 10]);
    assert_eq!(range(misplaced[1]), [49, 5, 49, 12]);
    assert_eq!(misplaced[0]["severity"], 1);
    assert!(misplaced[0]["message"]
        .as_str()
        .unwrap()
        .contains("\nhelp: indent `Resource`"));
    let related = &misplaced[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri.as_str());
    assert_eq!(related["location"]["range"]["start"]["line"], 17);

    // A quick fix for the first tab finding: its edits expand the tabs of lines 5–7.
    let actions = client.request(
        2,
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": tabs[0]["range"],
            "context": {"diagnostics": [tabs[0]]},
        }),
    );
    let actions = actions["result"].as_array().unwrap();
    let quick = actions
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .expect("a quick fix");
    let edits = quick["edit"]["changes"][uri.as_str()].as_array().unwrap();
    assert!(!edits.is_empty());
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 4, "character": 0})
    );
    assert!(edits[0]["newText"]
        .as_str()
        .unwrap()
        .starts_with("        "));
    let fix_all = actions
        .iter()
        .find(|a| a["kind"] == "source.fixAll")
        .expect("a fix-all action");
    let whole = &fix_all["edit"]["changes"][uri.as_str()][0]["newText"];
    assert!(!whole.as_str().unwrap().contains('\t'));

    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": corrected}]}),
    );
    let diags = client.diagnostics(&uri, 2);
    assert!(
        diags
            .iter()
            .all(|d| d["code"] != "Y002" && d["code"] != "Y003"),
        "{diags:#?}"
    );

    let shutdown = client.request(3, "shutdown", Value::Null);
    assert!(shutdown.get("error").is_none(), "{shutdown}");
    client.notify("exit", Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = client.child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = client.child.kill();
            panic!("server did not exit");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn non_templates_get_no_diagnostics_and_unknown_requests_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path());
    client.request(
        1,
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    let uri = "file:///nowhere/compose.yaml";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 7, "text": "services:\n\tweb: {}\n"}}),
    );
    assert!(client.diagnostics(uri, 7).is_empty());
    let r = client.request(2, "textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    client.request(3, "shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    while client.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn markdown_pages_get_diagnostics_for_their_code_blocks() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tutorial/seed-tutorial.md");
    let text = std::fs::read_to_string(page).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().canonicalize().unwrap();
    let uri = format!("file://{}/page.md", dir_path.display());
    let mut client = Client::start(&dir_path);
    client.request(
        1,
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1, "text": text}}),
    );
    let diags = client.diagnostics(&uri, 1);
    let first_tab = diags
        .iter()
        .find(|d| d["code"] == "Y002")
        .expect("a tab finding");
    // Page line 44, after the list item's own tab: the template's first tab.
    assert_eq!(range(first_tab), [43, 1, 43, 2]);
    client.request(2, "shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let deadline = Instant::now() + TIMEOUT;
    while client.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

//! `auditpress lsp`: a language server over stdio for the files of an audit
//! folder. Diagnostics come from the same pipeline as `check` (one code path:
//! the server never disagrees with it), with the editor's unsaved buffers read
//! in place of the files on disk; completion, hover, navigation and code
//! actions come from the folder's house style, findings and library.
//!
//! Bad input is never fatal: a message that is not JSON gets a parse error
//! and the server reads on; a panic in one request is caught, answered with
//! an internal error and logged to stderr.

mod analysis;
pub mod bench;
mod features;
mod text;

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::pipeline::Outcome;
use analysis::Folder;

/// How long typing must pause before the folder is checked again.
const DEBOUNCE: Duration = Duration::from_millis(15);

/// Largest message accepted, in bytes.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Runs the server on stdin and stdout until `exit`.
pub fn run() -> Outcome {
    let (tx, rx) = mpsc::channel::<Incoming>();
    std::thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        loop {
            let message = read_message(&mut input);
            let end = matches!(message, Incoming::End);
            if tx.send(message).is_err() || end {
                break;
            }
        }
    });
    let mut server = Server::default();
    let mut out = io::stdout();
    loop {
        let message = if server.dirty.is_empty() {
            rx.recv().unwrap_or(Incoming::End)
        } else {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    server.check_dirty(&mut out);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => Incoming::End,
            }
        };
        match message {
            Incoming::End => return Outcome::Ok,
            Incoming::Garbage(why) => {
                eprintln!("auditpress lsp: {why}");
                send(
                    &mut out,
                    &json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": why}}),
                );
            }
            Incoming::Message(value) => {
                if server.handle(value, &mut out) {
                    return if server.shut_down {
                        Outcome::Ok
                    } else {
                        Outcome::Errors
                    };
                }
            }
        }
    }
}

/// What the reader thread hands on.
enum Incoming {
    /// A JSON message.
    Message(Value),
    /// Bytes that were not a message, and why.
    Garbage(String),
    /// The input ended.
    End,
}

/// Reads one framed message: headers, a blank line, `Content-Length` bytes.
/// Lines that are not headers are skipped, so a stray line does not stop it.
fn read_message<R: BufRead>(input: &mut R) -> Incoming {
    let mut length: Option<usize> = None;
    let mut skipped = false;
    loop {
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => return Incoming::End,
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if length.is_some() {
                break;
            }
            continue;
        }
        // Header names are protocol words, ASCII case-insensitive.
        #[allow(clippy::disallowed_methods)]
        match line.split_once(':') {
            Some((name, value)) if name.eq_ignore_ascii_case("content-length") => {
                length = value.trim().parse().ok();
            }
            Some((name, _)) if name.eq_ignore_ascii_case("content-type") => {}
            _ => skipped = true,
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_MESSAGE {
        // Skip it without holding it.
        let _ = io::copy(&mut Read::take(&mut *input, length as u64), &mut io::sink());
        return Incoming::Garbage(format!("message of {length} bytes is over the limit"));
    }
    let mut body = vec![0u8; length];
    if input.read_exact(&mut body).is_err() {
        return Incoming::End;
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) if v.is_object() => Incoming::Message(v),
        Ok(_) => Incoming::Garbage("a message must be a JSON object".into()),
        Err(e) => Incoming::Garbage(format!(
            "not JSON ({e}){}",
            if skipped {
                "; stray lines were skipped"
            } else {
                ""
            }
        )),
    }
}

/// Writes one framed message.
fn send(out: &mut impl Write, message: &Value) {
    let body = message.to_string();
    let _ = write!(out, "Content-Length: {}\r\n\r\n{body}", body.len());
    let _ = out.flush();
}

/// The server's state: open buffers and the folders they belong to.
#[derive(Default)]
struct Server {
    /// Open documents' texts, by path.
    docs: HashMap<PathBuf, String>,
    /// Audit folders seen, by path.
    folders: HashMap<PathBuf, Folder>,
    /// Folders to check again once typing pauses.
    dirty: HashSet<PathBuf>,
    /// Whether `shutdown` was received.
    shut_down: bool,
}

impl Server {
    /// Handles one message; returns true when the server is to exit.
    fn handle(&mut self, message: Value, out: &mut impl Write) -> bool {
        let method = message
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let id = message.get("id").cloned();
        let params = message.get("params").cloned().unwrap_or(Value::Null);
        if method == "exit" {
            return true;
        }
        let Some(id) = id else {
            // A notification: no answer, but a panic is still caught.
            let result = catch_unwind(AssertUnwindSafe(|| self.notify(&method, &params, out)));
            if result.is_err() {
                eprintln!("auditpress lsp: internal error in {method}; serving on");
            }
            return false;
        };
        if method.is_empty() {
            // A response to a request of ours: nothing to do.
            return false;
        }
        let result = catch_unwind(AssertUnwindSafe(|| self.request(&method, &params)));
        let reply = match result {
            Ok(Ok(value)) => json!({"jsonrpc": "2.0", "id": id, "result": value}),
            Ok(Err((code, message))) => {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
            }
            Err(_) => {
                eprintln!("auditpress lsp: internal error in {method}; serving on");
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "message": format!("internal error in {method}")}})
            }
        };
        send(out, &reply);
        false
    }

    /// Answers a request.
    fn request(&mut self, method: &str, params: &Value) -> Result<Value, (i64, String)> {
        if self.shut_down && method != "shutdown" {
            return Err((-32600, "the server is shutting down".into()));
        }
        match method {
            "initialize" => Ok(capabilities()),
            "shutdown" => {
                self.shut_down = true;
                Ok(Value::Null)
            }
            "workspace/symbol" => Ok(self.workspace_symbols(params)),
            // For tests: a handler that panics, to show the server lives on.
            "auditpress/panic" => panic!("asked to panic"),
            _ => {
                let Some(feature) = features::Request::parse(method, params) else {
                    return Err((-32601, format!("method not found: {method}")));
                };
                let Some(path) = feature.path() else {
                    return Err((-32602, "not a file: URI".into()));
                };
                let path = path.to_path_buf();
                let text = self
                    .docs
                    .get(&path)
                    .cloned()
                    .or_else(|| std::fs::read_to_string(&path).ok())
                    .unwrap_or_default();
                let Some(folder) = self.folder_of(&path) else {
                    return Ok(Value::Null);
                };
                Ok(feature.answer(folder, &path, &text))
            }
        }
    }

    /// Handles a notification.
    fn notify(&mut self, method: &str, params: &Value, out: &mut impl Write) {
        let uri = params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .and_then(text::uri_path);
        match (method, uri) {
            ("textDocument/didOpen", Some(path)) => {
                let t = params.pointer("/textDocument/text").and_then(Value::as_str);
                self.docs.insert(path.clone(), t.unwrap_or("").to_string());
                self.touch(&path, out, true);
            }
            ("textDocument/didChange", Some(path)) => {
                // Full sync: the last change holds the whole text.
                let changes = params.get("contentChanges").and_then(Value::as_array);
                if let Some(t) = changes
                    .and_then(|c| c.last())
                    .and_then(|c| c.get("text"))
                    .and_then(Value::as_str)
                {
                    self.docs.insert(path.clone(), t.to_string());
                }
                self.touch(&path, out, false);
            }
            ("textDocument/didSave", Some(path)) => self.touch(&path, out, false),
            ("textDocument/didClose", Some(path)) => {
                self.docs.remove(&path);
                self.touch(&path, out, false);
            }
            _ => {}
        }
    }

    /// Marks the folder of a file to be checked; at once when `now`.
    fn touch(&mut self, path: &std::path::Path, out: &mut impl Write, now: bool) {
        if let Some(dir) = analysis::audit_dir(path) {
            self.folders
                .entry(dir.clone())
                .or_insert_with(|| Folder::new(dir.clone()));
            self.dirty.insert(dir);
            if now {
                self.check_dirty(out);
            }
        }
    }

    /// Checks every folder marked, publishing their diagnostics.
    fn check_dirty(&mut self, out: &mut impl Write) {
        let overlay: crate::load::Overlay = std::sync::Arc::new(self.docs.clone());
        for dir in std::mem::take(&mut self.dirty) {
            if let Some(folder) = self.folders.get_mut(&dir) {
                for message in folder.check(&overlay) {
                    send(out, &message);
                }
            }
        }
    }

    /// The findings of every folder seen whose id or title holds the query.
    fn workspace_symbols(&self, params: &Value) -> Value {
        let query = params
            .get("query")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_lowercase();
        let mut out = Vec::new();
        for folder in self.folders.values() {
            for f in &folder.findings {
                if !query.is_empty()
                    && !f.id.to_lowercase().contains(&query)
                    && !f.title.to_lowercase().contains(&query)
                {
                    continue;
                }
                let file = folder.dir.join("findings").join(format!("{}.md", f.id));
                let file = if file.is_file() {
                    file
                } else {
                    folder.dir.join("findings.csv")
                };
                out.push(json!({
                    "name": format!("{} {}", f.id, f.title),
                    "kind": 13,
                    "location": {
                        "uri": text::path_uri(&file),
                        "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                    },
                }));
            }
        }
        Value::Array(out)
    }

    /// The folder of a file, checked at least once.
    fn folder_of(&mut self, path: &std::path::Path) -> Option<&Folder> {
        let dir = analysis::audit_dir(path)?;
        let stale = self.folders.get(&dir).is_none_or(|f| f.stale);
        if stale || self.dirty.contains(&dir) {
            let overlay: crate::load::Overlay = std::sync::Arc::new(self.docs.clone());
            let folder = self
                .folders
                .entry(dir.clone())
                .or_insert_with(|| Folder::new(dir.clone()));
            // Requests need the folder as it is now; diagnostics follow
            // when typing pauses.
            folder.refresh(&overlay);
        }
        self.folders.get(&dir)
    }
}

/// What the server can do, for `initialize`.
fn capabilities() -> Value {
    json!({
        "capabilities": {
            "textDocumentSync": {"openClose": true, "change": 1, "save": true},
            "completionProvider": {"triggerCharacters": ["\"", " ", "#", ",", "-", "{"]},
            "hoverProvider": true,
            "definitionProvider": true,
            "documentSymbolProvider": true,
            "workspaceSymbolProvider": true,
            "codeActionProvider": true
        },
        "serverInfo": {"name": "auditpress", "version": env!("CARGO_PKG_VERSION")}
    })
}

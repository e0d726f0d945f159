//! `auditpress lsp`: a language server over stdio for the files of an audit
//! folder. Diagnostics come from the same pipeline as `check` (one code path:
//! the server never disagrees with it), with the editor's unsaved buffers read
//! in place of the files on disk; completion, hover, navigation and code
//! actions come from the folder's house style, findings and library.
//!
//! Bad input is never fatal: only the end of stdin or `exit` ends the
//! server. Broken framing (a header that is not UTF-8, a line without its
//! end, a wrong `Content-Length`) is skipped and the reader finds the next
//! message, holding a bounded number of bytes (wire.rs); a message that is
//! not JSON gets a parse error and the server reads on; a panic in one
//! request is caught, answered with an internal error and logged to stderr.
//! Files named by a request are read only through `crate::input`: a regular
//! file inside its audit folder, bounded in size.

mod analysis;
mod features;
mod text;
mod wire;

use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::pipeline::Outcome;
use analysis::Folder;
use wire::Incoming;

/// How long typing must pause before the folder is checked again.
const DEBOUNCE: Duration = Duration::from_millis(15);

/// Runs the server on stdin and stdout until `exit`.
pub fn run() -> Outcome {
    let (tx, rx) = mpsc::channel::<Incoming>();
    std::thread::spawn(move || {
        let mut input = wire::Reader::new(io::stdin().lock());
        loop {
            let message = input.next_message();
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
                // Outside an audit folder there is nothing to answer from,
                // and nothing is read.
                let Some(dir) = analysis::audit_dir(&path) else {
                    return Ok(Value::Null);
                };
                let text = match self.docs.get(&path) {
                    Some(text) => text.clone(),
                    None => read_document(&dir, &path)?,
                };
                Ok(feature.answer(self.folder_of(dir), &path, &text))
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
    fn touch(&mut self, path: &Path, out: &mut impl Write, now: bool) {
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

    /// An audit folder, checked at least once.
    fn folder_of(&mut self, dir: PathBuf) -> &Folder {
        let stale = self.folders.get(&dir).is_none_or(|f| f.stale);
        let refresh = stale || self.dirty.contains(&dir);
        let folder = self
            .folders
            .entry(dir.clone())
            .or_insert_with(|| Folder::new(dir));
        if refresh {
            // Requests need the folder as it is now; diagnostics follow
            // when typing pauses.
            let overlay: crate::load::Overlay = std::sync::Arc::new(self.docs.clone());
            folder.refresh(&overlay);
        }
        folder
    }
}

/// LSP's error code for a request that was valid but could not be served.
const REQUEST_FAILED: i64 = -32803;

/// The text of a document the editor has not opened: read through the one
/// reader of files, a regular file inside its audit folder once its links
/// are resolved, bounded as the loader bounds files (so a FIFO or a device is
/// refused, never read). A file not written yet reads as empty.
fn read_document(dir: &Path, path: &Path) -> Result<String, (i64, String)> {
    match crate::input::read_inside(dir, path, crate::load::MAX_FILE_BYTES) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(crate::input::Refused::NotFound) => Ok(String::new()),
        Err(refused) => {
            let (message, hint) = refused.explain(&path.display().to_string());
            Err((REQUEST_FAILED, format!("{message}\nhint: {hint}")))
        }
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

//! `auditpress lsp`: a language server over stdio for the files of an audit
//! folder. Diagnostics come from the same pipeline as `check` (one code path:
//! the server never disagrees with it), with the editor's unsaved buffers read
//! in place of the files on disk, and with the spelling and grammar of the
//! prose as the writer types; completion, hover, navigation and code actions
//! come from the same load: the folder's house style, findings and library.
//!
//! Every message is read into the types of `lsp-types` for its method
//! (protocol.rs); nothing is answered from untyped JSON.
//!
//! Bad input is never fatal: only the end of stdin or `exit` ends the
//! server. Broken framing (a header that is not UTF-8, a line without its
//! end, a wrong `Content-Length`) is skipped and the reader finds the next
//! message, holding a bounded number of bytes (wire.rs); a message that is
//! not JSON gets a parse error and the server reads on; a panic in one
//! request is caught, answered with an internal error and logged to stderr.
//! Files named by a request are read only through `crate::input`: a regular
//! file inside its audit folder, bounded in size.

mod actions;
mod analysis;
mod features;
mod protocol;
mod spelling;
mod text;
mod wire;

use std::collections::{HashMap, HashSet};
use std::io::{self, BufReader, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, ExecuteCommand, GotoDefinition,
    HoverRequest, Initialize, Request, Shutdown, WorkspaceSymbolRequest,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, ExecuteCommandOptions,
    HoverProviderCapability, InitializeResult, Location, NumberOrString, OneOf, ServerCapabilities,
    ServerInfo, SymbolInformation, SymbolKind, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri, WorkspaceSymbolResponse,
};
use serde::de::DeserializeOwned;

use crate::pipeline::Outcome;
use analysis::Folder;
use protocol::{ErrorCode, Failure, Response};
use wire::Incoming;

/// How long typing must pause before the folder is checked again.
const DEBOUNCE: Duration = Duration::from_millis(15);

/// Runs the server on stdin and stdout until `exit`.
pub fn run() -> Outcome {
    serve(io::stdin(), &mut io::stdout())
}

/// Serves the messages of `input`, answering on `out`, until `exit` or the
/// end of the input.
fn serve(input: impl Read + Send + 'static, out: &mut dyn Write) -> Outcome {
    let (tx, rx) = mpsc::channel::<Incoming>();
    std::thread::spawn(move || {
        let mut input = wire::Reader::new(BufReader::new(input));
        loop {
            let message = input.next_message();
            let end = matches!(message, Incoming::End);
            if tx.send(message).is_err() || end {
                break;
            }
        }
    });
    let mut server = Server::default();
    loop {
        let message = if server.dirty.is_empty() {
            rx.recv().unwrap_or(Incoming::End)
        } else {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(m) => m,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    server.check_dirty(out);
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => Incoming::End,
            }
        };
        match message {
            Incoming::End => return Outcome::Ok,
            Incoming::Garbage(why) => {
                eprintln!("auditpress lsp: {why}");
                let failure = Failure::new(ErrorCode::ParseError, why);
                wire::send(out, &Response::error(None, failure));
            }
            Incoming::Message(bytes) => {
                if server.handle(&bytes, out) {
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

/// What a request's handler gives.
type Answer<R> = Result<<R as Request>::Result, Failure>;

impl Server {
    /// Handles one message; returns true when the server is to exit.
    fn handle(&mut self, message: &[u8], out: &mut dyn Write) -> bool {
        let envelope: protocol::Envelope = match serde_json::from_slice(message) {
            Ok(envelope) => envelope,
            Err(e) => {
                let failure =
                    Failure::new(ErrorCode::InvalidRequest, format!("not a message: {e}"));
                wire::send(out, &Response::error(None, failure));
                return false;
            }
        };
        match (envelope.method.as_deref(), envelope.id) {
            (Some(lsp_types::notification::Exit::METHOD), _) => return true,
            (Some(method), Some(id)) => self.request(method, id, message, out),
            (Some(method), None) => {
                // A notification: no answer, but a panic is still caught.
                let result = catch_unwind(AssertUnwindSafe(|| self.notify(method, message, out)));
                if result.is_err() {
                    eprintln!("auditpress lsp: internal error in {method}; serving on");
                }
            }
            // A response to a request of ours: nothing to do.
            (None, _) => {}
        }
        false
    }

    /// Answers a request by its method.
    fn request(&mut self, method: &str, id: NumberOrString, message: &[u8], out: &mut dyn Write) {
        if self.shut_down && method != Shutdown::METHOD {
            let failure = Failure::new(ErrorCode::InvalidRequest, "the server is shutting down");
            return wire::send(out, &Response::error(Some(id), failure));
        }
        let call = Call { id, message, out };
        match method {
            Initialize::METHOD => call.answer::<Initialize>(self, |_, _, _| Ok(initialize())),
            Shutdown::METHOD => call.answer::<Shutdown>(self, |s, (), _| {
                s.shut_down = true;
                Ok(())
            }),
            WorkspaceSymbolRequest::METHOD => call
                .answer::<WorkspaceSymbolRequest>(self, |s, p, _| {
                    Ok(Some(s.workspace_symbols(&p.query)))
                }),
            ExecuteCommand::METHOD => call.answer::<ExecuteCommand>(self, Self::execute),
            Completion::METHOD => call.answer::<Completion>(self, |s, p, out| {
                let at = p.text_document_position;
                s.on_document(&at.text_document.uri, out, |folder, path, text| {
                    features::completion(folder, path, text, text::offset(text, at.position))
                })
            }),
            HoverRequest::METHOD => call.answer::<HoverRequest>(self, |s, p, out| {
                let at = p.text_document_position_params;
                let hover = s.on_document(&at.text_document.uri, out, |folder, _, text| {
                    features::hover(folder, text, text::offset(text, at.position))
                });
                hover.map(Option::flatten)
            }),
            GotoDefinition::METHOD => call.answer::<GotoDefinition>(self, |s, p, out| {
                let at = p.text_document_position_params;
                let found = s.on_document(&at.text_document.uri, out, |folder, _, text| {
                    features::definition(folder, text, text::offset(text, at.position))
                });
                found.map(Option::flatten)
            }),
            DocumentSymbolRequest::METHOD => {
                call.answer::<DocumentSymbolRequest>(self, |s, p, out| {
                    s.on_document(&p.text_document.uri, out, |_, path, text| {
                        features::symbols(path, text)
                    })
                })
            }
            CodeActionRequest::METHOD => call.answer::<CodeActionRequest>(self, Self::code_actions),
            // For the unit tests: a handler that panics, to show the server
            // lives on. Not in the product.
            #[cfg(test)]
            tests::PANIC => call.answer::<tests::Panic>(self, |_, (), _| panic!("asked to panic")),
            _ => {
                let failure = Failure::new(
                    ErrorCode::MethodNotFound,
                    format!("method not found: {method}"),
                );
                wire::send(call.out, &Response::error(Some(call.id), failure));
            }
        }
    }

    /// Handles a notification by its method.
    fn notify(&mut self, method: &str, message: &[u8], out: &mut dyn Write) {
        match method {
            DidOpenTextDocument::METHOD => {
                if let Some(p) = read_params::<DidOpenTextDocument>(message)
                    && let Some(path) = text::uri_path(&p.text_document.uri)
                {
                    self.docs.insert(path.clone(), p.text_document.text);
                    self.touch(&path, out, true);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Some(p) = read_params::<DidChangeTextDocument>(message)
                    && let Some(path) = text::uri_path(&p.text_document.uri)
                {
                    // Full sync: the last change holds the whole text.
                    if let Some(change) = p.content_changes.into_iter().last() {
                        self.docs.insert(path.clone(), change.text);
                    }
                    self.touch(&path, out, false);
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Some(p) = read_params::<DidSaveTextDocument>(message)
                    && let Some(path) = text::uri_path(&p.text_document.uri)
                {
                    self.touch(&path, out, false);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Some(p) = read_params::<DidCloseTextDocument>(message)
                    && let Some(path) = text::uri_path(&p.text_document.uri)
                {
                    self.docs.remove(&path);
                    self.touch(&path, out, false);
                }
            }
            // `initialized`, `$/cancelRequest` and the rest need nothing.
            _ => {}
        }
    }

    /// Marks the folder of a file to be checked; at once when `now`.
    fn touch(&mut self, path: &Path, out: &mut dyn Write, now: bool) {
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

    /// Checks every folder marked, publishing their diagnostics: one load
    /// of each gives its diagnostics and what requests answer from.
    fn check_dirty(&mut self, out: &mut dyn Write) {
        let overlay: crate::load::Overlay = std::sync::Arc::new(self.docs.clone());
        for dir in std::mem::take(&mut self.dirty) {
            if let Some(folder) = self.folders.get_mut(&dir) {
                folder.check(&overlay, &mut |message| wire::send(out, message));
            }
        }
    }

    /// An audit folder as it is now: checked first when it changed since
    /// its last check (or was never checked), its diagnostics published.
    fn folder_of(&mut self, dir: PathBuf, out: &mut dyn Write) -> &Folder {
        if !self.folders.contains_key(&dir) || self.dirty.contains(&dir) {
            self.folders
                .entry(dir.clone())
                .or_insert_with(|| Folder::new(dir.clone()));
            self.dirty.insert(dir.clone());
            self.check_dirty(out);
        }
        &self.folders[&dir]
    }

    /// Answers from a document and its folder: `None` outside an audit
    /// folder, where nothing is read.
    fn on_document<T>(
        &mut self,
        uri: &Uri,
        out: &mut dyn Write,
        answer: impl FnOnce(&Folder, &Path, &str) -> T,
    ) -> Result<Option<T>, Failure> {
        let path = text::uri_path(uri)
            .ok_or_else(|| Failure::new(ErrorCode::InvalidParams, "not a file: URI"))?;
        let Some(dir) = analysis::audit_dir(&path) else {
            return Ok(None);
        };
        let text = match self.docs.get(&path) {
            Some(text) => text.clone(),
            None => read_document(&dir, &path)?,
        };
        Ok(Some(answer(self.folder_of(dir, out), &path, &text)))
    }

    /// The code actions of a document's diagnostics.
    fn code_actions(
        &mut self,
        p: lsp_types::CodeActionParams,
        out: &mut dyn Write,
    ) -> Answer<CodeActionRequest> {
        let uri = p.text_document.uri;
        let words = text::uri_path(&uri)
            .and_then(|path| analysis::audit_dir(&path))
            .map(|dir| dir.join("words.txt"))
            .map(|path| actions::WordsTxt {
                uri: text::path_uri(&path),
                open: self.docs.get(&path).cloned(),
            });
        let diagnostics = p.context.diagnostics;
        let found = self.on_document(&uri, out, |_, path, text| {
            words.map_or_else(Vec::new, |words| {
                actions::actions(path, text, &diagnostics, &words)
            })
        })?;
        Ok(found)
    }

    /// Runs a command of the server's code actions: adds a word to the
    /// words.txt of an audit folder, then checks the folder again.
    fn execute(
        &mut self,
        p: lsp_types::ExecuteCommandParams,
        out: &mut dyn Write,
    ) -> Answer<ExecuteCommand> {
        if p.command != protocol::ADD_WORD {
            let message = format!("no command {}", p.command);
            return Err(Failure::new(ErrorCode::InvalidParams, message));
        }
        let argument: protocol::AddWord = p
            .arguments
            .into_iter()
            .next()
            .and_then(|a| serde_json::from_value(a).ok())
            .ok_or_else(|| {
                Failure::new(
                    ErrorCode::InvalidParams,
                    "the command takes a word and a URI",
                )
            })?;
        let dir = text::uri_path(&argument.uri)
            .and_then(|path| analysis::audit_dir(&path))
            .ok_or_else(|| {
                Failure::new(ErrorCode::InvalidParams, "not a file of an audit folder")
            })?;
        add_word(&dir, &argument.word)?;
        let words = dir.join("words.txt");
        self.touch(&words, out, true);
        Ok(None)
    }

    /// The findings of every folder seen whose id or title holds the query.
    fn workspace_symbols(&self, query: &str) -> WorkspaceSymbolResponse {
        let query = query.to_lowercase();
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
                // `deprecated` is the protocol's, left out as `tags` says it.
                #[allow(deprecated)]
                out.push(SymbolInformation {
                    name: format!("{} {}", f.id, f.title),
                    kind: SymbolKind::OBJECT,
                    tags: None,
                    deprecated: None,
                    location: Location::new(text::path_uri(&file), text::line_start(0)),
                    container_name: None,
                });
            }
        }
        WorkspaceSymbolResponse::Flat(out)
    }
}

/// A request being answered: its id, its bytes and where the answer goes.
struct Call<'a> {
    id: NumberOrString,
    message: &'a [u8],
    out: &'a mut dyn Write,
}

impl Call<'_> {
    /// Reads the request's parameters as its method's type, runs its
    /// handler (a panic in it answered as an internal error) and sends the
    /// answer.
    fn answer<R: Request>(
        self,
        server: &mut Server,
        handler: impl FnOnce(&mut Server, R::Params, &mut dyn Write) -> Answer<R>,
    ) {
        let Call { id, message, out } = self;
        let answer = match protocol::params::<R::Params>(message).or_else(|e| absent(message, e)) {
            Err(why) => Err(Failure::new(ErrorCode::InvalidParams, why)),
            Ok(params) => catch_unwind(AssertUnwindSafe(|| handler(server, params, &mut *out)))
                .unwrap_or_else(|_| {
                    eprintln!(
                        "auditpress lsp: internal error in {}; serving on",
                        R::METHOD
                    );
                    let message = format!("internal error in {}", R::METHOD);
                    Err(Failure::new(ErrorCode::InternalError, message))
                }),
        };
        wire::send(out, &Response::new(Some(id), answer));
    }
}

/// The parameters of a method that takes none (`shutdown`): a message
/// without `params` reads as `null`.
fn absent<P: DeserializeOwned>(message: &[u8], why: String) -> Result<P, String> {
    #[derive(serde::Deserialize)]
    struct Without {
        #[serde(default)]
        params: Option<serde::de::IgnoredAny>,
    }
    match serde_json::from_slice::<Without>(message) {
        Ok(Without { params: None }) => serde_json::from_str("null").map_err(|_| why),
        _ => Err(why),
    }
}

/// A notification's parameters as its method's type; `None`, logged, when
/// they do not fit.
fn read_params<N: lsp_types::notification::Notification>(message: &[u8]) -> Option<N::Params> {
    protocol::params::<N::Params>(message)
        .inspect_err(|why| eprintln!("auditpress lsp: {}: {why}", N::METHOD))
        .ok()
}

/// Adds a word to the words.txt of an audit folder, on a line of its own:
/// read through the one reader of files and written atomically.
fn add_word(dir: &Path, word: &str) -> Result<(), Failure> {
    let word = word.trim();
    if word.is_empty() || word.contains(char::is_whitespace) || word.contains('#') {
        let message = format!("\"{word}\" is not one word for words.txt");
        return Err(Failure::new(ErrorCode::InvalidParams, message));
    }
    let path = dir.join("words.txt");
    let mut text = read_document(dir, &path)?;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(word);
    text.push('\n');
    crate::output::write_atomic(&path, text.as_bytes()).map_err(|e| {
        let message = format!("cannot write {}: {e}", path.display());
        Failure::new(ErrorCode::RequestFailed, message)
    })
}

/// The text of a document the editor has not opened: read through the one
/// reader of files, a regular file inside its audit folder once its links
/// are resolved, bounded as the loader bounds files (so a FIFO or a device is
/// refused, never read). A file not written yet reads as empty.
fn read_document(dir: &Path, path: &Path) -> Result<String, Failure> {
    match crate::input::read_inside(dir, path, crate::load::MAX_FILE_BYTES) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(crate::input::Refused::NotFound) => Ok(String::new()),
        Err(refused) => {
            let (message, hint) = refused.explain(&path.display().to_string());
            let message = format!("{message}\nhint: {hint}");
            Err(Failure::new(ErrorCode::RequestFailed, message))
        }
    }
}

/// What the server can do, for `initialize`.
fn initialize() -> InitializeResult {
    let sync = TextDocumentSyncOptions {
        open_close: Some(true),
        change: Some(TextDocumentSyncKind::FULL),
        save: Some(TextDocumentSyncSaveOptions::Supported(true)),
        ..TextDocumentSyncOptions::default()
    };
    let triggers = ["\"", " ", "#", ",", "-", "{"];
    InitializeResult {
        capabilities: ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Options(sync)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(triggers.map(String::from).to_vec()),
                ..CompletionOptions::default()
            }),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
            execute_command_provider: Some(ExecuteCommandOptions {
                commands: vec![protocol::ADD_WORD.to_string()],
                ..ExecuteCommandOptions::default()
            }),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "auditpress".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The method of the request that panics.
    pub const PANIC: &str = "auditpress/panic";

    /// A request whose handler panics, for this test only.
    pub enum Panic {}

    impl Request for Panic {
        type Params = ();
        type Result = ();
        const METHOD: &'static str = PANIC;
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// The messages of a stream the server wrote.
    fn messages(out: &[u8]) -> Vec<serde_json::Value> {
        let mut reader = wire::Reader::new(out);
        let mut all = Vec::new();
        while let Incoming::Message(m) = reader.next_message() {
            all.push(serde_json::from_slice(&m).unwrap());
        }
        all
    }

    #[test]
    fn a_panic_in_a_request_is_answered_and_the_server_serves_on() {
        let input = [
            r#"{"jsonrpc":"2.0","id":1,"method":"auditpress/panic"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"workspace/symbol","params":{"query":""}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"workspace/symbol","params":{"query":7}}"#,
            r#"{"jsonrpc":"2.0","id":4,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","method":"exit"}"#,
        ]
        .map(framed)
        .concat();
        let mut out = Vec::new();
        let outcome = serve(io::Cursor::new(input.into_bytes()), &mut out);
        assert!(matches!(outcome, Outcome::Ok));
        let got = messages(&out);
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0]["id"], 1);
        assert_eq!(got[0]["error"]["code"], -32603, "{got:?}");
        assert_eq!(got[1]["result"], serde_json::json!([]), "{got:?}");
        // Parameters that do not fit the method.
        assert_eq!(got[2]["error"]["code"], -32602, "{got:?}");
        assert_eq!(got[3]["result"], serde_json::Value::Null, "{got:?}");
    }
}

//! The messages of JSON-RPC 2.0 around the protocol's own types
//! (`lsp-types`): what a message is (a request, a notification or a
//! response) and its method, read first; its parameters, read into the type
//! of that method; the answers and notifications the server sends; and the
//! data a published diagnostic carries back to its code actions.

use lsp_types::{NumberOrString, Range};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// What every message says first: its id (a request, or a response to one
/// of ours) and its method (a request or a notification).
#[derive(Deserialize)]
pub struct Envelope {
    /// The request's id.
    #[serde(default)]
    pub id: Option<NumberOrString>,
    /// The method.
    #[serde(default)]
    pub method: Option<String>,
}

/// The parameters of a message, read into the type of its method.
#[derive(Deserialize)]
struct WithParams<P> {
    params: P,
}

/// Reads a message's parameters as the type its method takes.
pub fn params<P: DeserializeOwned>(message: &[u8]) -> Result<P, String> {
    serde_json::from_slice::<WithParams<P>>(message)
        .map(|m| m.params)
        .map_err(|e| format!("the parameters do not fit the method ({e})"))
}

/// The error codes of JSON-RPC 2.0 and of the protocol that the server
/// answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The message was not JSON, or not framed.
    ParseError,
    /// The message was JSON but no request (or came after `shutdown`).
    InvalidRequest,
    /// No such method.
    MethodNotFound,
    /// The parameters do not fit the method.
    InvalidParams,
    /// The server failed (a panic, caught).
    InternalError,
    /// The request was valid but could not be served (a file refused).
    RequestFailed,
}

impl ErrorCode {
    /// Its number on the wire.
    pub fn code(self) -> i64 {
        match self {
            Self::ParseError => -32700,
            Self::InvalidRequest => -32600,
            Self::MethodNotFound => -32601,
            Self::InvalidParams => -32602,
            Self::InternalError => -32603,
            Self::RequestFailed => lsp_types::error_codes::REQUEST_FAILED,
        }
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.code())
    }
}

/// Why a request got no result.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// What kind of failure.
    pub code: ErrorCode,
    /// What happened, for the user.
    pub message: String,
}

impl Failure {
    /// A failure of a kind.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// An answer to a request: its result, or why there is none.
#[derive(Serialize)]
pub struct Response<R> {
    jsonrpc: &'static str,
    /// The request's id; `null` when it could not be read.
    id: Option<NumberOrString>,
    #[serde(flatten)]
    outcome: Answer<R>,
}

/// A result or an error, as a response holds exactly one of them.
#[derive(Serialize)]
enum Answer<R> {
    #[serde(rename = "result")]
    Result(R),
    #[serde(rename = "error")]
    Error(Failure),
}

impl<R: Serialize> Response<R> {
    /// The response to a request.
    pub fn new(id: Option<NumberOrString>, outcome: Result<R, Failure>) -> Self {
        Self {
            jsonrpc: "2.0",
            id,
            outcome: match outcome {
                Ok(r) => Answer::Result(r),
                Err(f) => Answer::Error(f),
            },
        }
    }
}

impl Response<()> {
    /// An error answer, to a request or to bytes that were none.
    pub fn error(id: Option<NumberOrString>, failure: Failure) -> Self {
        Self::new(id, Err(failure))
    }
}

/// A notification the server sends.
#[derive(Serialize)]
pub struct Notification<P> {
    jsonrpc: &'static str,
    method: &'static str,
    params: P,
}

impl<P> Notification<P> {
    /// The notification of a method of the protocol.
    pub fn new<N: lsp_types::notification::Notification<Params = P>>(params: P) -> Self {
        Self {
            jsonrpc: "2.0",
            method: N::METHOD,
            params,
        }
    }
}

/// What a published diagnostic carries in its `data`, for the code
/// actions that fix it: the fixes of `crate::diag::Fix`, with their
/// places as ranges of the diagnostic's document. Actions read this, never
/// the message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticData {
    /// The fixes, in the order they are offered.
    pub fixes: Vec<FixData>,
}

/// A fix as a published diagnostic carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FixData {
    /// Put `with` in place of the text at `range` of the document.
    Replace {
        /// Where.
        range: Range,
        /// The new text.
        with: String,
    },
    /// Add a word to the audit folder's words.txt.
    AddWord {
        /// The word.
        word: String,
    },
}

/// The command of the "add to words.txt" action: its argument is an
/// [`AddWord`].
pub const ADD_WORD: &str = "auditpress.addWord";

/// The argument of [`ADD_WORD`]: the word, and a file of the audit folder
/// whose words.txt takes it.
#[derive(Debug, Serialize, Deserialize)]
pub struct AddWord {
    /// The word.
    pub word: String,
    /// A document of the audit folder.
    pub uri: lsp_types::Uri,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_holds_a_result_or_an_error_never_both() {
        let ok = Response::new(Some(NumberOrString::Number(3)), Ok(None::<u8>));
        assert_eq!(
            serde_json::to_string(&ok).unwrap(),
            r#"{"jsonrpc":"2.0","id":3,"result":null}"#
        );
        let failed = Response::error(None, Failure::new(ErrorCode::ParseError, "not JSON"));
        assert_eq!(
            serde_json::to_string(&failed).unwrap(),
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"not JSON"}}"#
        );
        let data = DiagnosticData {
            fixes: vec![FixData::AddWord {
                word: "recieve".into(),
            }],
        };
        assert_eq!(
            serde_json::to_string(&data).unwrap(),
            r#"{"fixes":[{"add_word":{"word":"recieve"}}]}"#
        );
    }
}

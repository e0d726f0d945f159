//! Code actions: the fixes a diagnostic carries as data (a name the loader
//! knows, a spelling, a word for words.txt), and approving a finding.
//! Nothing here reads a diagnostic's message.

use std::collections::HashMap;
use std::path::Path;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Diagnostic, Position, Range,
    TextEdit, Uri, WorkspaceEdit,
};

use super::protocol::{ADD_WORD, AddWord, DiagnosticData, FixData};
use super::text;
use crate::load::peek;

/// The audit folder's words.txt, as an action that adds a word sees it.
pub struct WordsTxt {
    /// Its URI.
    pub uri: Uri,
    /// Its text, when the editor has it open: the word is then added to
    /// the buffer, else the server adds it to the file.
    pub open: Option<String>,
}

/// The actions for a document and the diagnostics the editor shows in it.
pub fn actions(
    path: &Path,
    text: &str,
    diagnostics: &[Diagnostic],
    words: &WordsTxt,
) -> Vec<CodeActionOrCommand> {
    let uri = text::path_uri(path);
    let mut out = Vec::new();
    for d in diagnostics {
        let data: DiagnosticData = d
            .data
            .clone()
            .and_then(|data| serde_json::from_value(data).ok())
            .unwrap_or_default();
        let mut first = true;
        for fix in data.fixes {
            let (title, edit, command) = match fix {
                FixData::Replace { range, with } => {
                    let title = if with.is_empty() {
                        "Remove it".to_string()
                    } else {
                        format!("Replace with \"{with}\"")
                    };
                    (title, Some(edit(&uri, range, with)), None)
                }
                FixData::AddWord { word } => add_word(&uri, word, words),
            };
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit,
                command,
                is_preferred: Some(std::mem::take(&mut first)),
                ..CodeAction::default()
            }));
        }
    }
    if let Some(approve) = approve(path, text, &uri) {
        out.push(CodeActionOrCommand::CodeAction(approve));
    }
    out
}

/// An edit of one range of a document.
fn edit(uri: &Uri, range: Range, new_text: String) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(
            uri.clone(),
            vec![TextEdit { range, new_text }],
        )])),
        ..WorkspaceEdit::default()
    }
}

/// The action that adds a word to words.txt: an edit of its buffer when it
/// is open, else the server's command that adds it to the file.
fn add_word(
    uri: &Uri,
    word: String,
    words: &WordsTxt,
) -> (String, Option<WorkspaceEdit>, Option<Command>) {
    let title = format!("Add \"{word}\" to words.txt");
    match &words.open {
        Some(open) => {
            let end = text::position(open, open.len());
            let line = match open.is_empty() || open.ends_with('\n') {
                true => format!("{word}\n"),
                false => format!("\n{word}\n"),
            };
            let edit = edit(&words.uri, Range::new(end, end), line);
            (title, Some(edit), None)
        }
        None => {
            let argument = AddWord {
                word,
                uri: uri.clone(),
            };
            let command = Command {
                title: title.clone(),
                command: ADD_WORD.to_string(),
                arguments: Some(vec![
                    serde_json::to_value(argument).expect("plain data serialises"),
                ]),
            };
            (title, None, Some(command))
        }
    }
}

/// Approving a finding that is not approved yet, as `review approve` does.
fn approve(path: &Path, text: &str, uri: &Uri) -> Option<CodeAction> {
    let is_finding = path.parent().is_some_and(|p| p.ends_with("findings"))
        && path.extension().is_some_and(|e| e == "md");
    let review = peek::front_matter(text).and_then(|f| f.review);
    let by = std::env::var("USER").unwrap_or_else(|_| "reviewer".into());
    if !is_finding || review.is_none_or(|r| r == "approved") {
        return None;
    }
    let approved = crate::load::edit::approved(text, &by).ok()?;
    let whole = Range::new(Position::new(0, 0), text::position(text, text.len()));
    Some(CodeAction {
        title: format!("Approve this finding (review approve --by {by})"),
        kind: Some(CodeActionKind::REFACTOR),
        edit: Some(edit(uri, whole, approved)),
        ..CodeAction::default()
    })
}

//! The folder's files read: within the limits, decoded, with placeholders
//! and unsaved editor texts taken into account.

use std::fs;
use std::io;
use std::path::Path;

use crate::diag::{FileRef, Place};

use super::table::{self, Column};

use super::{Loader, MAX_FILE_BYTES, placeholders, read_in_folder, text};

impl Loader {
    /// Returns the name a file of the folder is shown under in diagnostics.
    pub(super) fn shown(&self, rel: &str) -> String {
        self.shown.join(rel).display().to_string()
    }

    /// Reads a text file of the folder; `None` if it does not exist.
    pub(super) fn read_optional(&mut self, rel: &str) -> Option<(FileRef, String)> {
        let path = self.root.join(rel);
        // Absent, it is still an input: the build changes when it appears.
        self.inputs.push(path.clone());
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            _ => self.read_file(rel, &path),
        }
    }

    /// Reads the words the spelling check accepts: words.txt of the folder
    /// and of the house style's folder, one word per line, `#` comments.
    pub(super) fn words(&mut self) -> Vec<String> {
        let mut texts: Vec<String> = self
            .read_optional("words.txt")
            .map(|(_, t)| t)
            .into_iter()
            .collect();
        if let Some(folder) = self.style.folder.clone()
            && fs::symlink_metadata(folder.join("words.txt")).is_ok()
        {
            let path = folder.join("words.txt");
            match read_in_folder(&folder, &path) {
                Ok(text) => texts.push(text),
                Err((message, hint)) => {
                    let file = self.sources.add(path.display().to_string(), "");
                    self.diags
                        .error(Some(Place::new(file, 0..0)), message)
                        .add_hint(hint);
                }
            }
        }
        texts
            .iter()
            .flat_map(|t| t.lines())
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Records an error about a whole file, shown at its start.
    pub(super) fn file_error(&mut self, rel: &str, message: String, hint: String) {
        let file = self.sources.add(self.shown(rel), "");
        self.diags
            .error(Some(Place::new(file, 0..0)), message)
            .add_hint(hint);
    }

    /// Reads a text file that must exist.
    pub(super) fn read_required(&mut self, rel: &str) -> Option<(FileRef, String)> {
        let path = self.root.join(rel);
        if !path.exists() {
            self.file_error(
                rel,
                format!("missing required file {rel}"),
                "see FORMAT.md for the files of an audit folder".into(),
            );
            return None;
        }
        self.read_file(rel, &path)
    }

    pub(super) fn read_file(&mut self, rel: &str, path: &Path) -> Option<(FileRef, String)> {
        self.inputs.push(path.to_path_buf());
        let fail = |this: &mut Self, message: String, hint: String| {
            this.file_error(rel, message, hint);
            None
        };
        if let Some(text) = self.overlay.as_ref().and_then(|o| o.get(path)).cloned() {
            return Some(self.add_text(rel, text));
        }
        // One reader: a regular file inside the folder once links are
        // resolved, read at most to the limit (a link to /proc/self/environ
        // or a FIFO is refused, never read).
        let bytes = match crate::input::read_inside(&self.root, path, MAX_FILE_BYTES) {
            Ok(b) => b,
            Err(refused) => {
                let (message, hint) = refused.explain("this file");
                return fail(self, message, hint);
            }
        };
        match text::decode(bytes) {
            Ok(text) => Some(self.add_text(rel, text)),
            Err((message, hint)) => fail(self, message, hint),
        }
    }

    /// Adds a file's text to the sources and scans it for placeholders.
    pub(super) fn add_text(&mut self, rel: &str, text: String) -> (FileRef, String) {
        let file = self.sources.add(self.shown(rel), text.clone());
        if writes_prose(rel) {
            self.scan_placeholders(rel, file, &text);
        }
        (file, text)
    }

    /// Reports each placeholder left in a file (FORMAT 1.2): an error at
    /// its place that says which value to give.
    pub(super) fn scan_placeholders(&mut self, rel: &str, file: FileRef, text: &str) {
        let hints = std::sync::Arc::clone(&self.placeholder_hints);
        // A finding made from a write-up takes the hints of that write-up:
        // `from` of its front matter, or of its file for a findings.csv row.
        let own_file = from_of(text);
        for (range, name) in placeholders::find(text, &|n| hints.contains_key(n)) {
            let from = if rel == "findings.csv" {
                let line_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
                let id = text[line_start..]
                    .split(',')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches('"');
                let path = self.root.join("findings").join(format!("{id}.md"));
                let finding = match self.overlay.as_ref().and_then(|o| o.get(&path)) {
                    Some(t) => Some(t.clone()),
                    None => read_in_folder(&self.root, &path).ok(),
                };
                finding.as_deref().and_then(from_of)
            } else {
                own_file.clone()
            };
            let own = from.and_then(|f| self.library_hints.get(&f));
            let hint = match own.and_then(|o| o.get(&name)).or(hints.get(&name)) {
                Some(h) => format!("give {name}: {h}"),
                None => format!("replace {{{{{name}}}}} with its value"),
            };
            self.diags
                .error(
                    Some(Place::new(file, range)),
                    format!("placeholder {{{{{name}}}}} is not filled in"),
                )
                .add_hint(hint);
        }
    }

    /// Reads an optional CSV file of the folder against its columns.
    pub(super) fn read_table(&mut self, rel: &str, columns: &[Column]) -> Option<table::Table> {
        let (file, text) = self.read_optional(rel)?;
        let table = table::read(file, &text, columns, &mut self.diags)?;
        self.scan_cells(&table);
        Some(table)
    }

    /// Lists the `.md` files of a sub-folder, sorted by name.
    pub(super) fn list_md(&mut self, folder: &str) -> Vec<String> {
        self.list(folder, ".md")
    }

    /// Lists the files of a sub-folder whose names end in `ext`, hidden
    /// ones left out, sorted by name.
    pub(super) fn list(&mut self, folder: &str, ext: &str) -> Vec<String> {
        self.inputs.push(self.root.join(folder));
        let Ok(entries) = fs::read_dir(self.root.join(folder)) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(ext) && !n.starts_with('.'))
            .collect();
        names.sort();
        names
    }
}

/// Whether a file of the folder holds prose a placeholder may be left in:
/// findings, sections and appendices.
fn writes_prose(rel: &str) -> bool {
    rel == "findings.csv"
        || ["findings/", "sections/", "appendices/"]
            .iter()
            .any(|dir| rel.starts_with(dir) && rel.ends_with(".md"))
}

/// The library write-up a finding file says it was made from (`from`).
fn from_of(text: &str) -> Option<String> {
    super::peek::front_matter(text)?.from
}

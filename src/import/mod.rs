//! Imports: draft findings from scanner output (SARIF) and from a tracker's
//! issues (`gh issue list --json ...`), written into an audit folder.
//!
//! These files are someone else's output, so they stay data: the front matter
//! is written by the TOML serialiser, never by pasting text into TOML; a
//! scanner's messages are escaped so that they print as written, never as
//! Markdown (the rule's help, which is Markdown, is kept as such); a location
//! that leaves the source checkout is skipped and never read. An import writes
//! new files only: it never changes a file of the folder, so an auditor's
//! edits to an earlier draft are safe, and running it again adds only what is new.

mod github;
pub mod library;
mod sarif;

pub use github::github;
pub use sarif::{SarifOptions, sarif};

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path};

use serde::Serialize;

use crate::diag::Diagnostics;
use crate::load;
use crate::model::style::same_name;
use crate::model::{Audit, Style};
use crate::output::write_new_atomic;

/// What an import did, for the user.
#[derive(Default)]
pub struct Imported {
    /// Files written, relative to the audit folder.
    pub written: Vec<String>,
    /// What was left out, and why.
    pub skipped: Vec<String>,
    /// Problems: warnings, or the errors that stopped the import.
    pub diagnostics: Diagnostics,
}

/// Front matter of a draft finding, written by the TOML serialiser.
#[derive(Serialize)]
struct Front {
    id: String,
    title: String,
    severity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    difficulty: String,
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    target: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sarif: Vec<String>,
    /// The issue it was imported from, for `import github` to skip it next time.
    #[serde(skip_serializing_if = "String::is_empty")]
    issue: String,
}

/// The type a draft gets until the auditor sets it: the style's `draft`
/// type (nothing when types are free text).
fn placeholder_type(style: &Style) -> String {
    if style.kind_free {
        return String::new();
    }
    style.kind.draft_name()
}

/// Writes a finding file: front matter (after a one-line comment), then the write-up.
fn finding_file(front: &Front, note: &str, body: &str) -> String {
    let toml = toml::to_string(front).expect("front matter serialises");
    // The note may hold a file name: keep it one line of comment.
    let note: String = note
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("+++\n# {note}\n{toml}+++\n\n{body}")
}

/// Moves every heading of text written elsewhere under a finding's
/// sections: one level down, and never above `###`, so that it never opens
/// a `##` section the finding does not have (`#` lines in code stay).
fn demote_headings(markdown: &str) -> String {
    load::markdown::set_heading_levels(markdown, |level, _| (level + 1).max(3))
}

/// Returns the next free ids `<prefix>-<n>` of a folder, in order.
pub struct Ids {
    prefix: String,
    /// Digits the firm's numbers are padded to (0: not padded).
    width: usize,
    next: u64,
    taken: BTreeSet<String>,
}

impl Ids {
    fn new(dir: &Path, audit: &Audit) -> Self {
        let prefix = audit
            .meta
            .id_prefix
            .clone()
            .unwrap_or_else(|| "DRAFT".into());
        let mut known: BTreeSet<String> = audit.findings.iter().map(|f| f.id.clone()).collect();
        known.extend(audit.drafts.iter().cloned());
        Self::for_folder(dir, prefix, known)
    }

    /// The ids after `known` and the findings/*.md files of a folder.
    pub fn for_folder(dir: &Path, prefix: String, mut taken: BTreeSet<String>) -> Self {
        if let Ok(entries) = fs::read_dir(dir.join("findings")) {
            taken.extend(
                entries
                    .flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter_map(|n| n.strip_suffix(".md").map(str::to_string)),
            );
        }
        let numbers: Vec<&str> = taken
            .iter()
            .filter_map(|id| id.strip_prefix(&format!("{prefix}-")))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        let next = numbers
            .iter()
            .filter_map(|n| n.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        // A firm that pads its numbers (`EX-PT-26-04`) gets padded ids.
        let width = numbers
            .iter()
            .filter(|n| n.starts_with('0'))
            .map(|n| n.len())
            .max()
            .unwrap_or(0);
        Self {
            prefix,
            width,
            next,
            taken,
        }
    }

    /// The next free id, taken.
    pub fn take(&mut self) -> String {
        loop {
            let id = format!("{}-{:0width$}", self.prefix, self.next, width = self.width);
            self.next += 1;
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// `1 result`, `2 results`.
pub(crate) fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Writes a file that must not exist yet.
/// Writes a new file at `rel` inside the audit folder, never outside it and
/// never over a file that exists.
fn write_new(dir: &Path, rel: &str, text: &str) -> Result<(), String> {
    let plain = Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(format!(
            "{rel} would leave the audit folder; nothing was written there"
        ));
    }
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {} ({e})", parent.display()))?;
    }
    write_new_atomic(&path, text.as_bytes()).map_err(|e| e.to_string())
}

/// The `##` headings a draft of the house style may use: the heading its
/// text goes under (the first section's), the references section's if the
/// style has one, and every heading the loader accepts.
struct Heads {
    first: String,
    references: Option<String>,
    known: Vec<String>,
}

impl Heads {
    fn of(style: &Style) -> Heads {
        let defs = &style.finding.sections;
        let title = |d| style.section_title(d).to_string();
        let mut known: Vec<String> = defs.iter().map(title).collect();
        known.extend(defs.iter().filter_map(|d| d.english().map(String::from)));
        Heads {
            first: defs.first().map_or_else(|| "Description".into(), title),
            references: defs.iter().find(|d| d.key == "references").map(title),
            known,
        }
    }

    fn knows(&self, heading: &str) -> bool {
        self.known.iter().any(|k| same_name(k, heading))
    }
}

#[cfg(test)]
mod tests {
    use super::demote_headings;

    #[test]
    fn headings_move_down_but_code_stays() {
        let help = "## Recommendation\nUse X.\n```python\n# a comment\n```\n### Example";
        assert_eq!(
            demote_headings(help),
            "### Recommendation\nUse X.\n```python\n# a comment\n```\n#### Example"
        );
    }
}

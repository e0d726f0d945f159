//! `auditpress diff`: what changed between two versions of an audit folder.

use std::path::Path;

use crate::pipeline;
use crate::review;
use crate::run::json::{DiffDocument, VersionRef};

/// How `diff` prints the changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One sentence per change.
    Human,
    /// A JSON document for tools.
    Json,
}

/// Compares two versions of a folder: 0 when the same, 1 when they differ, 2 on failure.
pub fn run(old: &Path, new: &Path, format: Format, config: &super::Config) -> u8 {
    let mut loaded = Vec::new();
    for dir in [old, new] {
        let (audit, mut found) = pipeline::load(dir, None);
        // The loader's notes ("x: ok") are not what diff reports.
        found.notes.clear();
        let name = dir.display().to_string();
        super::report::print(&super::report::Found::of(&found, &name, "compare"), config);
        loaded.push(audit);
    }
    let [Some(a), Some(b)] = <[_; 2]>::try_from(loaded).expect("two folders") else {
        return 2;
    };
    let changes = review::diff(&a, &b);
    let text = match format {
        Format::Human => changes
            .iter()
            .map(|c| format!("{}\n", c.describe(&b.style)))
            .collect::<String>(),
        Format::Json => {
            let doc = DiffDocument {
                old: VersionRef::of(&a),
                new: VersionRef::of(&b),
                changes: &changes,
            };
            doc.text()
        }
    };
    if super::print(text.as_bytes()).is_err() {
        return 2;
    }
    if changes.is_empty() && format == Format::Human && config.chatty() {
        // Silence would look like a failure to compare: say so, on standard
        // error (standard output stays the list of changes, empty).
        eprintln!(
            "no changes between version {} ({}) and version {} ({})",
            a.meta.version,
            old.display(),
            b.meta.version,
            new.display()
        );
    }
    u8::from(!changes.is_empty())
}

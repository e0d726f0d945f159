//! `auditpress review approve`: sets a finding's review state in its front
//! matter (FORMAT 1.2, "Review") through [`crate::load::edit`], changing no
//! other byte of the file.

use std::path::Path;

use super::{Config, fail};
use crate::load::edit::approved;
use crate::output::write_atomic;
use crate::pipeline::Outcome;
use crate::{input, load};

/// Approves each finding by `by`; checks every id before writing any file.
pub fn approve(dir: &Path, ids: &[String], by: &str, config: &Config) -> Outcome {
    let mut edits = Vec::new();
    for id in ids {
        let plain = !id.is_empty() && !id.starts_with('.') && !id.contains(['/', '\\', '\0']);
        let path = dir.join("findings").join(format!("{id}.md"));
        let read = plain
            .then(|| input::read_inside(dir, &path, load::MAX_FILE_BYTES).ok())
            .flatten()
            .and_then(|bytes| String::from_utf8(bytes).ok());
        match read.map(|text| approved(&text, by)) {
            Some(Ok(text)) => edits.push((path, text)),
            Some(Err(e)) => {
                return fail(
                    config,
                    Outcome::Errors,
                    format!("cannot approve {id}: {e}; nothing was changed"),
                    Some(format!("auditpress check {} says where", dir.display())),
                );
            }
            None => {
                let in_csv =
                    input::read_inside(dir, &dir.join("findings.csv"), load::MAX_FILE_BYTES)
                        .ok()
                        .and_then(|bytes| String::from_utf8(bytes).ok())
                        .is_some_and(|csv| load::peek::csv_ids(&csv).contains(id));
                let hint = if in_csv {
                    format!(
                        "{id} is written only in findings.csv, and a finding without front matter is approved already"
                    )
                } else {
                    "give the id of a finding of the folder (--in DIR names the folder)".into()
                };
                return fail(
                    config,
                    Outcome::Errors,
                    format!(
                        "no findings/{id}.md in {}; nothing was changed",
                        dir.display()
                    ),
                    Some(hint),
                );
            }
        }
    }
    for (path, text) in &edits {
        if let Err(e) = write_atomic(path, text.as_bytes()) {
            return fail(config, Outcome::Io, e.to_string(), None);
        }
        if config.chatty() {
            eprintln!("approved {} (reviewed by {by})", path.display());
        }
    }
    Outcome::Ok
}

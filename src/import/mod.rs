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
mod html;
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
    /// Left out of the report until the auditor removes it (`exclude = true`).
    #[serde(rename = "exclude", skip_serializing_if = "std::ops::Not::not")]
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

/// The ids the findings/*.md files of a folder are named by.
pub fn file_ids(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir.join("findings")) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .collect()
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
        taken.extend(file_ids(dir));
        Self::after(prefix, taken)
    }

    /// The ids after those `taken`.
    pub fn after(prefix: String, taken: BTreeSet<String>) -> Self {
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

/// Writes a new file at `rel` inside the folder `dir`, never outside it and
/// never over a file that exists.
pub(crate) fn write_new(dir: &Path, rel: &str, text: &str) -> Result<(), String> {
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
        // Checked again once joined: a folder on the way may be a link out.
        if let Err(refused) = crate::input::inside(dir, parent) {
            let (message, _) = refused.explain(&parent.display().to_string());
            return Err(format!("{message}; {rel} was not written"));
        }
    }
    write_new_atomic(&path, text.as_bytes()).map_err(|e| e.to_string())
}

/// Writes new files inside `dir`, all of them or none: at the first that
/// cannot be written, the files written before it are removed again, so
/// that a full disk leaves the folder as it was (and an import run again
/// does it all). The error names the file.
fn write_all(dir: &Path, files: &[(String, String)]) -> Result<(), String> {
    for (done, (rel, text)) in files.iter().enumerate() {
        if let Err(e) = write_new(dir, rel, text) {
            let mut kept = Vec::new();
            for (earlier, _) in &files[..done] {
                if fs::remove_file(dir.join(earlier)).is_err() {
                    kept.push(earlier.as_str());
                }
            }
            let undone = if kept.is_empty() {
                format!(
                    "nothing was written ({} before it removed again)",
                    plural(done, "file")
                )
            } else {
                format!(
                    "these files written before it could not be removed: {}",
                    kept.join(", ")
                )
            };
            return Err(format!("{e}; {undone}"));
        }
    }
    Ok(())
}

/// Turns every image of a Markdown text that the loader would refuse (a
/// `https://` address, an absolute path, a `data:` URI: anything outside
/// the folder) into something that builds: a link to it for a web address
/// (`[image: alt](<url>)`), its description as text otherwise. Returns the
/// text and how many images changed. Images are found as the loader finds
/// them (never in code); the rest of the text is left as it is.
pub(crate) fn unlink_images(markdown: &str) -> (String, usize) {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let options = load::markdown::OPTIONS;
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    let mut changed = 0;
    let mut links = 0usize;
    // The image being read: its range, address, and description so far.
    let mut image: Option<(std::ops::Range<usize>, String, String)> = None;
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                depth += 1;
                if depth == 1 {
                    image = Some((range, dest_url.into_string(), String::new()));
                }
            }
            Event::End(TagEnd::Image) => {
                depth = depth.saturating_sub(1);
                if depth > 0 {
                    continue;
                }
                let Some((range, url, alt)) = image.take() else {
                    continue;
                };
                if load::image_stays_inside(&url) || range.start < at {
                    continue;
                }
                out.push_str(&markdown[at..range.start]);
                out.push_str(&image_as_link(&url, &alt, links > 0));
                at = range.end;
                changed += 1;
            }
            Event::Start(Tag::Link { .. }) => links += 1,
            Event::End(TagEnd::Link) => links = links.saturating_sub(1),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, alt)) = image.as_mut() {
                    alt.push_str(&t);
                }
            }
            _ => {}
        }
    }
    out.push_str(&markdown[at..]);
    (out, changed)
}

/// An image that is not in the folder, as Markdown that builds: a link to a
/// web address (text only inside a link, which cannot hold another), else
/// its description.
fn image_as_link(url: &str, alt: &str, in_link: bool) -> String {
    let alt = alt.trim();
    let shown = if alt.is_empty() {
        "image".to_string()
    } else {
        format!("image: {alt}")
    };
    let shown = crate::export::markdown::escape(&shown);
    let web = ["http://", "https://"].iter().any(|s| {
        url.get(..s.len())
            .is_some_and(|p| p.to_ascii_lowercase() == *s)
    });
    if in_link || !web {
        return format!("\\[{shown}\\]");
    }
    let target: String = url
        .chars()
        .map(|c| match c {
            '<' => "%3C".to_string(),
            '>' => "%3E".to_string(),
            '\n' => "%0A".to_string(),
            '\r' => "%0D".to_string(),
            c => c.to_string(),
        })
        .collect();
    format!("[{shown}](<{target}>)")
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
    use super::{demote_headings, unlink_images};

    #[test]
    fn images_outside_the_folder_become_links_and_the_rest_stays() {
        let (text, n) = unlink_images(
            "See ![a *b*](https://x.example/a.png \"t\") and ![c](images/c.png).\n\n\
             [![badge](https://x.example/b.svg)](https://x.example)\n\n\
             ![d](/etc/passwd) ![e](data:image/png;base64,AAAA)\n\n    ![code](https://x.example/c.png)\n",
        );
        assert_eq!(n, 4);
        assert_eq!(
            text,
            "See [image: a b](<https://x.example/a.png>) and ![c](images/c.png).\n\n\
             [\\[image: badge\\]](https://x.example)\n\n\
             \\[image: d\\] \\[image: e\\]\n\n    ![code](https://x.example/c.png)\n"
        );
    }

    #[test]
    fn headings_move_down_but_code_stays() {
        let help = "## Recommendation\nUse X.\n```python\n# a comment\n```\n### Example";
        assert_eq!(
            demote_headings(help),
            "### Recommendation\nUse X.\n```python\n# a comment\n```\n#### Example"
        );
    }
}

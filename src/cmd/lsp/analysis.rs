//! One audit folder as the server knows it: its diagnostics, from the same
//! pipeline as `check`, and what completion and hover need from its last
//! good load (house style, findings, library).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use super::text;
use crate::diag::Level;
use crate::load::Overlay;
use crate::load::library::WriteUp;
use crate::model::Style;
use crate::naming::OutputClaims;
use crate::pipeline::{self, Emit, Job, Options};

/// A finding as completion, hover and navigation show it.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Its id.
    pub id: String,
    /// Its title as plain text.
    pub title: String,
    /// Its severity's name.
    pub severity: String,
    /// Its fix-review status' name, when known.
    pub status: Option<String>,
}

/// An audit folder: where it is, what was last published for it, and what
/// its last load that had no errors gave.
pub struct Folder {
    /// The folder.
    pub dir: PathBuf,
    /// Files diagnostics were last published for.
    published: BTreeSet<PathBuf>,
    /// The house style it is written in.
    pub style: Arc<Style>,
    /// Its findings, from the last load without errors.
    pub findings: Vec<Finding>,
    /// Its targets' names.
    pub targets: Vec<String>,
    /// Its library's write-ups.
    pub library: Vec<WriteUp>,
    /// Whether it changed since the findings above were read.
    pub stale: bool,
}

/// The nearest folder holding an audit.toml at or above a file.
pub fn audit_dir(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path } else { path.parent()? };
    let found = start.ancestors().find(|d| d.join("audit.toml").is_file())?;
    Some(found.canonicalize().unwrap_or_else(|_| found.to_path_buf()))
}

impl Folder {
    /// A folder not read yet.
    pub fn new(dir: PathBuf) -> Self {
        let mut folder = Self {
            dir,
            published: BTreeSet::new(),
            style: crate::load::style::builtin("standard").expect("standard is built in"),
            findings: Vec::new(),
            targets: Vec::new(),
            library: Vec::new(),
            stale: false,
        };
        folder.refresh(&Arc::default());
        folder
    }

    /// Checks the folder as `check` does, with the unsaved buffers, and
    /// returns the `publishDiagnostics` notifications: one per file with
    /// diagnostics, and an empty one per file that had some before.
    pub fn check(&mut self, overlay: &Overlay) -> Vec<Value> {
        let options = Options {
            emit: Emit::Check,
            overlay: Some(Arc::clone(overlay)),
            ..Options::default()
        };
        let job = Job::folder(&self.dir, None);
        let compiled = pipeline::compile(&job, &options, &OutputClaims::default(), &mut |_| {});
        let mut by_file: BTreeMap<PathBuf, Vec<Value>> = BTreeMap::new();
        let toml = self.dir.join("audit.toml");
        for d in compiled.diagnostics.iter() {
            let (path, range) = match &d.place {
                Some(place) => {
                    let path = self.path_of(compiled.sources.name(place.file));
                    let range = text::range(compiled.sources.text(place.file), place.range.clone());
                    (path, range)
                }
                None => (
                    toml.clone(),
                    json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
                ),
            };
            let mut message = d.message.clone();
            for hint in &d.hints {
                message.push_str(&format!("\nhint: {hint}"));
            }
            let related: Vec<Value> = d
                .related
                .iter()
                .map(|(place, label)| {
                    json!({
                        "location": {
                            "uri": text::path_uri(&self.path_of(compiled.sources.name(place.file))),
                            "range": text::range(compiled.sources.text(place.file), place.range.clone()),
                        },
                        "message": label,
                    })
                })
                .collect();
            let severity = if d.level == Level::Error { 1 } else { 2 };
            by_file.entry(path).or_default().push(json!({
                "range": range,
                "severity": severity,
                "source": "auditpress",
                "message": message,
                "relatedInformation": related,
                "data": {"hints": d.hints},
            }));
        }
        // An open file of the folder hears that it is clean, too.
        for open in overlay.keys().filter(|p| p.starts_with(&self.dir)) {
            by_file.entry(open.clone()).or_default();
        }
        let mut messages = Vec::new();
        let now: BTreeSet<PathBuf> = by_file.keys().cloned().collect();
        for gone in self.published.difference(&now) {
            messages.push(publish(gone, Vec::new()));
        }
        for (path, diagnostics) in by_file {
            messages.push(publish(&path, diagnostics));
        }
        self.published = now;
        self.stale = true;
        messages
    }

    /// Reads what completion and hover need; keeps the last good findings
    /// when the folder has errors now.
    pub fn refresh(&mut self, overlay: &Overlay) {
        self.stale = false;
        let lib = crate::load::library::of_folder(&self.dir);
        self.style = Arc::clone(&lib.style);
        self.library = lib.write_ups;
        let (audit, _) = pipeline::load_with(&self.dir, None, Some(overlay));
        if let Some(audit) = audit {
            self.style = Arc::clone(&audit.style);
            self.targets = audit.meta.targets.iter().map(|t| t.name.clone()).collect();
            self.findings = audit
                .findings
                .iter()
                .map(|f| Finding {
                    id: f.id.clone(),
                    title: f.title_text.clone(),
                    severity: f.severity.name.clone(),
                    status: f.status.as_ref().map(|s| s.name.clone()),
                })
                .collect();
        }
    }

    /// The absolute path of a file as the diagnostics name it.
    fn path_of(&self, name: &str) -> PathBuf {
        let p = Path::new(name);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().map_or_else(|_| p.to_path_buf(), |d| d.join(p))
        }
    }
}

/// A `publishDiagnostics` notification.
fn publish(path: &Path, diagnostics: Vec<Value>) -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": "textDocument/publishDiagnostics",
        "params": {"uri": text::path_uri(path), "diagnostics": diagnostics},
    })
}

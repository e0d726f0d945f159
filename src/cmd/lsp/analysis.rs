//! One audit folder as the server knows it: its diagnostics, from the same
//! pipeline as `check` and with its spelling, and what completion and hover
//! need from the same load (house style, findings, library).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::notification::PublishDiagnostics;
use lsp_types::{
    DiagnosticRelatedInformation, DiagnosticSeverity, Location, PublishDiagnosticsParams,
};

use super::protocol::{DiagnosticData, FixData, Notification};
use super::spelling::Spelling;
use super::text;
use crate::diag::{Diagnostic, Fix, Level, Sources};
use crate::load::Overlay;
use crate::load::library::WriteUp;
use crate::model::{Audit, Style};
use crate::pipeline::{self, Job, Options};

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
    /// What was last published for each file that had diagnostics.
    published: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>,
    /// The house style it is written in.
    pub style: Arc<Style>,
    /// Its findings, from the last load without errors.
    pub findings: Vec<Finding>,
    /// Its targets' names.
    pub targets: Vec<String>,
    /// Its library's write-ups.
    pub library: Vec<WriteUp>,
    /// Its prose's spelling, file by file.
    spelling: Spelling,
}

/// A `publishDiagnostics` notification.
pub type Publish = Notification<PublishDiagnosticsParams>;

/// The nearest folder holding an audit.toml at or above a file.
pub fn audit_dir(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() { path } else { path.parent()? };
    let found = start.ancestors().find(|d| d.join("audit.toml").is_file())?;
    Some(found.canonicalize().unwrap_or_else(|_| found.to_path_buf()))
}

impl Folder {
    /// A folder not checked yet.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            published: BTreeMap::new(),
            style: crate::load::style::builtin("standard").expect("standard is built in"),
            findings: Vec::new(),
            targets: Vec::new(),
            library: Vec::new(),
            spelling: Spelling::default(),
        }
    }

    /// Checks the folder as `check` does, with the unsaved buffers, sends
    /// the `publishDiagnostics` notifications, and keeps what completion
    /// needs from the same load. The files open in the editor hear first,
    /// each time, even when clean; the others only when their diagnostics
    /// changed (an empty list for those that have none now).
    pub fn check(&mut self, overlay: &Overlay, send: &mut dyn FnMut(&Publish)) {
        let options = Options {
            overlay: Some(Arc::clone(overlay)),
            ..Options::default()
        };
        let (built, audit) = pipeline::check_keeping(&Job::folder(&self.dir, None), &options);
        let spelled = self.spelling.check(audit.as_ref(), &built.sources);
        let mut by_file: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for d in built.diagnostics.iter().chain(&spelled) {
            let (path, diagnostic) = self.diagnostic(d, &built.sources);
            by_file.entry(path).or_default().push(diagnostic);
        }
        let open: BTreeSet<&PathBuf> = overlay
            .keys()
            .filter(|p| p.starts_with(&self.dir))
            .collect();
        for path in &open {
            let diagnostics = by_file.get(*path).cloned().unwrap_or_default();
            send(&publish(path, diagnostics));
        }
        for (path, _) in self
            .published
            .iter()
            .filter(|(p, _)| !by_file.contains_key(*p))
        {
            if !open.contains(path) {
                send(&publish(path, Vec::new()));
            }
        }
        for (path, diagnostics) in &by_file {
            if !open.contains(path) && self.published.get(path) != Some(diagnostics) {
                send(&publish(path, diagnostics.clone()));
            }
        }
        self.published = by_file;
        self.remember(audit);
    }

    /// A diagnostic as the protocol has it, and the file it is about (a
    /// problem of no file is shown at the start of audit.toml).
    fn diagnostic(&self, d: &Diagnostic, sources: &Sources) -> (PathBuf, lsp_types::Diagnostic) {
        let (path, range, fixes) = match &d.place {
            Some(place) => {
                let path = self.path_of(sources.name(place.file));
                let text = sources.text(place.file);
                let fixes = fixes(d, place.file, text);
                (path, text::range(text, place.range.clone()), fixes)
            }
            None => (self.dir.join("audit.toml"), text::line_start(0), Vec::new()),
        };
        let mut message = d.message.clone();
        for hint in &d.hints {
            message.push_str(&format!("\nhint: {hint}"));
        }
        let related = d
            .related
            .iter()
            .map(|(place, label)| DiagnosticRelatedInformation {
                location: Location::new(
                    text::path_uri(&self.path_of(sources.name(place.file))),
                    text::range(sources.text(place.file), place.range.clone()),
                ),
                message: label.clone(),
            })
            .collect();
        let severity = match d.level {
            Level::Error => DiagnosticSeverity::ERROR,
            Level::Warning => DiagnosticSeverity::WARNING,
        };
        let data = (!fixes.is_empty()).then(|| {
            serde_json::to_value(DiagnosticData { fixes }).expect("plain data serialises")
        });
        let diagnostic = lsp_types::Diagnostic {
            range,
            severity: Some(severity),
            source: Some("auditpress".into()),
            message,
            related_information: Some(related),
            data,
            ..lsp_types::Diagnostic::default()
        };
        (path, diagnostic)
    }

    /// Keeps what completion and hover need from a load; keeps the last
    /// good findings when the folder has errors now.
    fn remember(&mut self, audit: Option<Audit>) {
        // The library is read as the loader reads it, from the style and
        // audit.toml, even when the folder has errors.
        let lib = crate::load::library::of_folder(&self.dir);
        self.style = Arc::clone(&lib.style);
        self.library = lib.write_ups;
        let Some(audit) = audit else {
            return;
        };
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

/// The fixes of a diagnostic that apply to its own file, as its published
/// data carries them.
fn fixes(d: &Diagnostic, file: crate::diag::FileRef, text: &str) -> Vec<FixData> {
    d.fixes
        .iter()
        .filter_map(|fix| match fix {
            Fix::Replace { place, with } if place.file == file => Some(FixData::Replace {
                range: text::range(text, Fix::inside_quotes(text, place.range.clone())),
                with: with.clone(),
            }),
            Fix::Replace { .. } => None,
            Fix::AddWord(word) => Some(FixData::AddWord { word: word.clone() }),
        })
        .collect()
}

/// A `publishDiagnostics` notification.
fn publish(path: &Path, diagnostics: Vec<lsp_types::Diagnostic>) -> Publish {
    Notification::new::<PublishDiagnostics>(PublishDiagnosticsParams {
        uri: text::path_uri(path),
        diagnostics,
        version: None,
    })
}

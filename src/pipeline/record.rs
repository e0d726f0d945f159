//! What a build is given and what it gives: the job, the options, and the
//! one record of a build, [`Built`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::diag::{Diagnostics, Level, Sources};
use crate::load;
use crate::model::Audit;
use crate::naming::Destination;
use crate::render::{self, Deliverable};

/// How a run ended, from best to worst.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Outcome {
    /// Everything was built.
    Ok,
    /// An I/O or resource failure that a retry may cure: a full disk, an
    /// output that cannot be written, a time or memory limit, a build process
    /// that was killed or could not start. A run whose every failure is of
    /// this kind exits 75 (EX_TEMPFAIL), for schedulers that retry.
    Retry,
    /// Data or templates have errors (diagnostics printed): a retry builds
    /// the same errors.
    Errors,
    /// A usage problem, or an input that is not there.
    Io,
}

impl Outcome {
    /// Returns the process exit code: 0, 75, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::Retry => 75,
            Outcome::Errors => 1,
            Outcome::Io => 2,
        }
    }

    /// How a report ended, as every output says it (the batch summary, the
    /// events of watch and serve, the table after several reports).
    pub fn result(self) -> BuildResult {
        match self {
            Outcome::Ok => BuildResult::Ok,
            Outcome::Errors => BuildResult::Failed,
            Outcome::Retry | Outcome::Io => BuildResult::IoError,
        }
    }

    /// Returns the word of its [`BuildResult`]: `ok`, `failed` or `io-error`.
    pub fn word(self) -> &'static str {
        self.result().as_str()
    }
}

/// How one report ended, with one spelling everywhere it is printed or
/// written as JSON: `ok`, `failed` (the data or a template has errors: a
/// retry fails the same way) or `io-error` (an I/O or resource failure that a
/// retry may cure).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildResult {
    /// Everything was built.
    Ok,
    /// The data or a template has errors.
    Failed,
    /// An I/O or resource failure.
    IoError,
}

impl BuildResult {
    /// The spelling: `ok`, `failed` or `io-error`, as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            BuildResult::Ok => "ok",
            BuildResult::Failed => "failed",
            BuildResult::IoError => "io-error",
        }
    }
}

/// What a compile is asked for: a check, a dump of one stage, or the
/// report's documents in one or more formats.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Emit {
    /// Nothing written: the folder, its style and its templates checked.
    Check,
    /// The loaded model.
    ModelJson,
    /// The template contract, as the templates read it.
    ViewJson,
    /// Every file the templates read but the templates: the view's JSON
    /// files and the images, for the stock typst CLI.
    TemplateData,
    /// The report's documents, one file per format: the first where the
    /// job's destination says, the others beside it with their extensions.
    Documents(Vec<Deliverable>),
}

impl Emit {
    /// The report PDF alone, what `build` writes by default.
    pub fn pdf() -> Self {
        Emit::Documents(vec![Deliverable::Pdf])
    }

    /// The formats of the documents asked for; none for a check or a dump.
    pub fn documents(&self) -> &[Deliverable] {
        match self {
            Emit::Documents(formats) => formats,
            _ => &[],
        }
    }
}

/// A document a build wrote.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Written {
    /// Its format.
    pub format: Deliverable,
    /// Where it is.
    pub path: PathBuf,
    /// Its pages, for a paged format.
    pub pages: Option<usize>,
    /// The SHA-256 of its bytes, in lowercase hex.
    pub sha256: String,
}

/// What a compile that writes no document produces.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Dump {
    /// One text: to the output file, or to standard output.
    Text(String),
    /// Files at paths relative to the output folder, as the templates find
    /// them (`data/view.json` for `/data/view.json`).
    Files(Vec<(String, Vec<u8>)>),
}

/// Values of audit.toml that a batch variant overrides.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Overrides {
    /// DRAFT marking.
    pub draft: Option<bool>,
    /// Footer marking.
    pub classification: Option<String>,
    /// Report version.
    pub version: Option<String>,
    /// Report kind under the title.
    pub subtitle: Option<String>,
    /// House style: a built-in name or a folder relative to the working folder.
    pub style: Option<String>,
}

impl Overrides {
    /// Applies the overrides to a loaded audit.
    pub(super) fn apply(&self, audit: &mut Audit) {
        let meta = &mut audit.meta;
        if let Some(v) = self.draft {
            meta.draft = v;
        }
        if let Some(v) = &self.classification {
            meta.classification = v.clone();
        }
        if let Some(v) = &self.version {
            meta.version = v.clone();
        }
        if let Some(v) = &self.subtitle {
            meta.subtitle = v.clone();
        }
    }
}

/// One report to build: a folder, its overrides and where its PDF goes.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Job {
    /// The audit folder.
    pub dir: PathBuf,
    /// Variant overrides of audit.toml.
    pub overrides: Overrides,
    /// Where the PDF goes.
    pub destination: Destination,
    /// Name in messages and the summary.
    pub name: String,
}

impl Job {
    /// A job for a folder as given on the command line.
    pub fn folder(dir: &Path, output: Option<&Path>) -> Self {
        Self {
            dir: dir.to_path_buf(),
            overrides: Overrides::default(),
            destination: output.map_or(Destination::InFolder, |o| {
                Destination::File(o.to_path_buf())
            }),
            name: dir.display().to_string(),
        }
    }
}

/// How to compile a report: the choices of the command line.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Options {
    /// What to produce.
    pub emit: Emit,
    /// Template override folder (beats `templates` of audit.toml).
    pub templates: Option<PathBuf>,
    /// House style (`--style`): a built-in name or a folder, beating audit.toml's.
    pub style: Option<String>,
    /// SOURCE_DATE_EPOCH, when set.
    pub source_date_epoch: Option<i64>,
    /// Earlier version of the folder to list changes since.
    pub changes_since: Option<PathBuf>,
    /// PDF standards to conform to.
    pub standards: Vec<typst_pdf::PdfStandard>,
    /// Whether warnings fail the build.
    pub deny_warnings: bool,
    /// Compilations a cached compiler result survives unused ([`render::evict`]).
    pub cache_age: usize,
    /// Whether draft findings are in the report, marked DRAFT.
    pub include_drafts: bool,
    /// Whether the pages are also rendered for the live preview.
    pub preview: bool,
    /// Whether a report that is not final is refused (`--final`): a finding
    /// not approved, a placeholder left, or `draft = true` in audit.toml.
    #[serde(default)]
    pub final_report: bool,
    /// Whether a check also checks the prose's spelling and grammar.
    #[serde(default)]
    pub spell: bool,
    /// Unsaved texts read in place of files (`auditpress lsp`).
    #[serde(skip)]
    pub overlay: Option<load::Overlay>,
    /// Whether the documents are synced to disk after the build is
    /// reported rather than before (watch and serve): each is whole under
    /// its name when reported either way ([`crate::output::write_all_atomic_unsynced`]);
    /// a worker syncs them as soon as its report is sent, [`compile`] before
    /// it returns.
    #[serde(default)]
    pub sync_later: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            emit: Emit::pdf(),
            templates: None,
            style: None,
            source_date_epoch: None,
            changes_since: None,
            standards: Vec::new(),
            deny_warnings: false,
            cache_age: 1,
            include_drafts: false,
            preview: false,
            final_report: false,
            spell: false,
            overlay: None,
            sync_later: false,
        }
    }
}

/// Where the time of a compile went.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Timings {
    /// Reading and checking the folder.
    pub load: Duration,
    /// Building the template contract, serialising it and checking its glyphs.
    pub view: Duration,
    /// typst evaluating the templates and laying out the pages.
    pub typeset: Duration,
    /// Exporting the PDF.
    pub pdf: Duration,
    /// Writing the HTML page from the view, when asked for (`--format`).
    #[serde(default)]
    pub html: Duration,
    /// Writing the Word document from the view (its charts' PNGs and the
    /// zip), when asked for.
    #[serde(default)]
    pub docx: Duration,
    /// Rendering the live preview's changed pages.
    pub preview: Duration,
    /// Evicting old entries of the compiler's caches.
    pub evict: Duration,
    /// Writing the PDF file.
    pub write: Duration,
}

impl Timings {
    /// Says where the time went: `load 4 ms, view 1 ms, typeset 60 ms, pdf 9 ms, write 1 ms`,
    /// with `html` and `docx` when they were written.
    pub fn describe(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let other = |name: &str, d: Duration| {
            if d.is_zero() {
                String::new()
            } else {
                format!("{name} {:.0} ms, ", ms(d))
            }
        };
        format!(
            "load {:.0} ms, view {:.0} ms, typeset {:.0} ms, pdf {:.0} ms, {}{}{}evict {:.0} ms, write {:.0} ms",
            ms(self.load),
            ms(self.view),
            ms(self.typeset),
            ms(self.pdf),
            other("html", self.html),
            other("docx", self.docx),
            if self.preview.is_zero() {
                String::new()
            } else {
                format!("preview {:.0} ms, ", ms(self.preview))
            },
            ms(self.evict),
            ms(self.write)
        )
    }
}

/// What building one report gave: the one record of a build. The pipeline
/// makes it; it crosses the worker's pipe unchanged (it is serialisable,
/// diagnostics typed with the texts they point into), and the pool, watch,
/// serve and the batch summary read it.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Built {
    /// How it ended.
    pub outcome: Outcome,
    /// The documents written, in the order of `Emit::Documents`: none when
    /// the build failed, checked, or dumped a stage.
    pub outputs: Vec<Written>,
    /// The dump asked for with an `Emit` of a stage.
    pub dump: Option<Dump>,
    /// What was done, for the user: `wrote x.pdf (32 pages)`.
    pub notes: Vec<String>,
    /// Texts of the files the diagnostics point into.
    pub sources: Sources,
    /// Every problem found, from the CSV cell to the output file.
    pub diagnostics: Diagnostics,
    /// Wall time it took.
    pub elapsed: Duration,
    /// Where the time went.
    pub timings: Timings,
    /// The pages and outline for the live preview, when asked for.
    pub preview: Option<render::preview::Preview>,
    /// The files and folders the build read (a folder stands for everything
    /// in it): what watch watches.
    pub inputs: Vec<PathBuf>,
}

impl Built {
    pub(super) fn new() -> Self {
        Self {
            outcome: Outcome::Ok,
            outputs: Vec::new(),
            dump: None,
            notes: Vec::new(),
            sources: Sources::default(),
            diagnostics: Diagnostics::default(),
            elapsed: Duration::ZERO,
            timings: Timings::default(),
            preview: None,
            inputs: Vec::new(),
        }
    }

    /// A build that ended before it began: one error of no file.
    pub fn failed(outcome: Outcome, message: String, hint: &str, elapsed: Duration) -> Self {
        let mut out = Self::new();
        out.fail(outcome, message, Some(hint));
        out.elapsed = elapsed;
        out
    }

    /// Its first document (the PDF of a build), when one was written.
    pub fn document(&self) -> Option<&Written> {
        self.outputs.first()
    }

    /// Its errors.
    pub fn errors(&self) -> usize {
        self.diagnostics.count(Level::Error)
    }

    /// Its warnings.
    pub fn warnings(&self) -> usize {
        self.diagnostics.count(Level::Warning)
    }

    /// Records an error of no file and how the run ends.
    pub(super) fn fail(&mut self, outcome: Outcome, message: String, hint: Option<&str>) {
        let d = self.diagnostics.error(None, message);
        if let Some(h) = hint {
            d.add_hint(h);
        }
        self.outcome = self.outcome.max(outcome);
    }
}

//! The pipeline: one audit folder -> load -> view -> render -> output.
//!
//! [`compile`] is the one path from a folder to a report that every command,
//! the worker process, the benchmark and the tests use. It never prints: what
//! happened comes back as a [`Compiled`], with every diagnostic (data errors,
//! template errors, "cannot write the output" alike) for the caller to render
//! in the format the user chose.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::diag::{Diagnostics, Level, Sources};
use crate::export;
use crate::load;
use crate::model::{Asset, Audit};
use crate::naming::{Claims, Destination};
use crate::output::write_atomic;
use crate::render::{self, RenderOptions};
use crate::review;
use crate::view::{self, View, ViewOptions};

/// How a run ended, from best to worst.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Outcome {
    /// Everything was built.
    Ok,
    /// Data or templates have errors (diagnostics printed).
    Errors,
    /// A usage or I/O problem.
    Io,
}

impl Outcome {
    /// Returns the process exit code: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::Errors => 1,
            Outcome::Io => 2,
        }
    }

    /// Returns the word the summaries use: `ok`, `failed` or `failed (I/O)`.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Errors => "failed",
            Outcome::Io => "failed (I/O)",
        }
    }
}

/// What a compile produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Emit {
    /// The report PDF.
    Pdf,
    /// The template contract, as the templates read it.
    ViewJson,
    /// The loaded model.
    ModelJson,
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
    fn apply(&self, audit: &mut Audit) {
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
            destination: output.map_or(Destination::Beside, |o| Destination::File(o.to_path_buf())),
            name: dir.display().to_string(),
        }
    }
}

/// How to compile a report: the choices of the command line.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Options {
    /// What to produce; `None` checks only.
    pub emit: Option<Emit>,
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
    /// Compilations a cached compiler result survives unused (see `RenderOptions`).
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
}

impl Default for Options {
    fn default() -> Self {
        Self {
            emit: Some(Emit::Pdf),
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
    /// Rendering the live preview's changed pages.
    pub preview: Duration,
    /// Evicting old entries of the compiler's caches.
    pub evict: Duration,
    /// Writing the PDF file.
    pub write: Duration,
}

impl Timings {
    /// Says where the time went: `load 4 ms, view 1 ms, typeset 60 ms, pdf 9 ms, write 1 ms`.
    pub fn describe(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "load {:.0} ms, view {:.0} ms, typeset {:.0} ms, pdf {:.0} ms, {}evict {:.0} ms, write {:.0} ms",
            ms(self.load),
            ms(self.view),
            ms(self.typeset),
            ms(self.pdf),
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

/// What compiling one report gave.
pub struct Compiled {
    /// How it ended.
    pub outcome: Outcome,
    /// Pages of the PDF, when one was written.
    pub pages: Option<usize>,
    /// The PDF written, when one was.
    pub output: Option<PathBuf>,
    /// The dump asked for with `Emit::ViewJson` or `Emit::ModelJson`.
    pub dump: Option<String>,
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
}

impl Compiled {
    fn new() -> Self {
        Self {
            outcome: Outcome::Ok,
            pages: None,
            output: None,
            dump: None,
            notes: Vec::new(),
            sources: Sources::default(),
            diagnostics: Diagnostics::default(),
            elapsed: Duration::ZERO,
            timings: Timings::default(),
            preview: None,
        }
    }

    /// Records an error of no file and how the run ends.
    fn fail(&mut self, outcome: Outcome, message: String, hint: Option<&str>) {
        let d = self.diagnostics.error(None, message);
        if let Some(h) = hint {
            d.add_hint(h);
        }
        self.outcome = self.outcome.max(outcome);
    }
}

/// Compiles one report: loads its folder, builds the view, renders and writes
/// the PDF (or the dump asked for). A panic inside becomes this report's failure.
/// With `options.preview`, `early` gets the preview's pages as soon as they are
/// laid out, before the PDF export and write; they are in the result as well.
pub fn compile(
    job: &Job,
    options: &Options,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&render::preview::Preview),
) -> Compiled {
    let start = Instant::now();
    let mut out = Compiled::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        run(job, options, claims, early, &mut out)
    }));
    if let Err(panic) = result {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        out.fail(
            Outcome::Errors,
            format!("internal error while building {} ({message})", job.name),
            Some("this is a bug in auditpress; please report it with the folder that triggers it"),
        );
    }
    out.elapsed = start.elapsed();
    out
}

/// Loads a folder only, for commands that read audits without building them
/// (`diff`): the audit when it has no errors, and what was found.
pub fn load(dir: &Path, style: Option<&str>) -> (Option<Audit>, Compiled) {
    load_with(dir, style, None)
}

/// Loads a folder as [`load`] does, with unsaved texts read in place of
/// files (`auditpress lsp`).
pub fn load_with(
    dir: &Path,
    style: Option<&str>,
    overlay: Option<&load::Overlay>,
) -> (Option<Audit>, Compiled) {
    let start = Instant::now();
    let mut out = Compiled::new();
    let audit = load_folder(dir, false, style, overlay, &mut out);
    out.elapsed = start.elapsed();
    (audit, out)
}

/// Reads a house style by name or folder (relative to the working folder),
/// with what was found, as `auditpress style show` prints it.
pub fn house_style(spec: &str) -> (Option<std::sync::Arc<crate::model::Style>>, Compiled) {
    let mut out = Compiled::new();
    let style = load::style::resolve(
        spec,
        Path::new(""),
        None,
        &mut out.sources,
        &mut out.diagnostics,
    );
    if style.is_none() {
        out.outcome = out.outcome.max(Outcome::Errors);
    }
    (style, out)
}

/// Loads a folder into the sources and diagnostics of a compile.
fn load_folder(
    dir: &Path,
    include_drafts: bool,
    style: Option<&str>,
    overlay: Option<&load::Overlay>,
    out: &mut Compiled,
) -> Option<Audit> {
    let sources = std::mem::take(&mut out.sources);
    let diagnostics = std::mem::take(&mut out.diagnostics);
    let settings = load::Settings {
        include_drafts,
        style: style.map(str::to_string),
        overlay: overlay.cloned(),
    };
    match load::load_into(dir, &settings, sources, diagnostics) {
        Ok(loaded) => {
            out.sources = loaded.sources;
            out.diagnostics = loaded.diagnostics;
            if loaded.audit.is_none() {
                out.outcome = out.outcome.max(Outcome::Errors);
            }
            loaded.audit
        }
        Err(e) => {
            out.fail(Outcome::Io, e.to_string(), None);
            None
        }
    }
}

/// The house style a job asks for: a variant's beats the command line's,
/// which beats audit.toml's.
fn style<'a>(job: &'a Job, options: &'a Options) -> Option<&'a str> {
    job.overrides.style.as_deref().or(options.style.as_deref())
}

fn run(
    job: &Job,
    options: &Options,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&render::preview::Preview),
    out: &mut Compiled,
) {
    let start = Instant::now();
    let loaded = load_folder(
        &job.dir,
        options.include_drafts,
        style(job, options),
        options.overlay.as_ref(),
        out,
    );
    out.timings.load = start.elapsed();
    let Some(mut audit) = loaded else {
        return;
    };
    job.overrides.apply(&mut audit);
    if options.final_report && !is_final(&audit, out) {
        return;
    }
    if options.spell && options.emit.is_none() {
        spell(&audit, out);
    }
    // The images move on to the renderer rather than being copied.
    let assets = std::mem::take(&mut audit.assets);
    if !denied(options, out) {
        produce(job, options, &audit, assets, claims, early, out);
    }
}

/// Tells whether a report is final (FORMAT 1.2, "Review"): every finding
/// approved and `draft` off. Each thing that keeps it from being final is an
/// error at its place.
fn is_final(audit: &Audit, out: &mut Compiled) -> bool {
    let before = out.diagnostics.count(Level::Error);
    for f in audit
        .findings
        .iter()
        .filter(|f| f.review != crate::model::Review::Approved)
    {
        let state = serde_json::to_value(f.review)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        out.diagnostics
            .error(
                f.review_place.clone(),
                format!(
                    "finding {} is {state}, not approved: the report is not final",
                    f.id
                ),
            )
            .add_hint(format!(
                "have it reviewed: `auditpress review approve {} --by NAME`",
                f.id
            ));
    }
    if audit.meta.draft {
        out.diagnostics
            .error(
                None,
                "audit.toml says draft = true: the report is not final",
            )
            .add_hint("set draft = false once the report is ready to go out");
    }
    let fine = out.diagnostics.count(Level::Error) == before;
    if !fine {
        out.outcome = out.outcome.max(Outcome::Errors);
    }
    fine
}

/// Checks the spelling and grammar of the prose: warnings at their places,
/// or one note when the style's language has no dictionary.
fn spell(audit: &Audit, out: &mut Compiled) {
    match crate::spell::dialect(&audit.style.lang) {
        Some(dialect) => {
            let checked = crate::spell::check(audit, dialect, &mut out.diagnostics);
            out.notes.push(format!(
                "spelling and grammar: {} words checked, {} possible mistake{}",
                checked.words,
                checked.warnings,
                if checked.warnings == 1 { "" } else { "s" }
            ));
        }
        None => out.notes.push(format!(
            "spelling not checked: no dictionary for lang \"{}\" of the house style",
            audit.style.lang
        )),
    }
}

/// Fails when warnings are denied and there are some.
fn denied(options: &Options, out: &mut Compiled) -> bool {
    let warnings = out.diagnostics.count(Level::Warning);
    if options.deny_warnings && warnings > 0 {
        out.fail(
            Outcome::Errors,
            format!("{warnings} warning(s) with --deny-warnings; nothing was written"),
            None,
        );
        return true;
    }
    false
}

/// Produces what the options ask for from a loaded audit and its images.
fn produce(
    job: &Job,
    options: &Options,
    audit: &Audit,
    assets: Vec<Asset>,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&render::preview::Preview),
    out: &mut Compiled,
) {
    let emit = match options.emit {
        None => {
            let mut note = format!("{}: ok ({} findings)", job.name, audit.findings.len());
            // Where the findings are in their review, once any is not approved.
            let count =
                |r: crate::model::Review| audit.findings.iter().filter(|f| f.review == r).count();
            let (draft, ready) = (
                count(crate::model::Review::Draft),
                count(crate::model::Review::Ready),
            );
            if draft + ready > 0 {
                note.push_str(&format!(
                    "; review: {draft} draft, {ready} ready, {} approved",
                    count(crate::model::Review::Approved)
                ));
            }
            if !audit.drafts.is_empty() {
                let n = audit.drafts.len();
                note.push_str(&format!(
                    "; {n} draft{} left out: {}",
                    if n == 1 { "" } else { "s" },
                    audit.drafts.join(", ")
                ));
            }
            out.notes.push(note);
            return;
        }
        Some(emit) => emit,
    };
    if emit == Emit::ModelJson {
        out.dump = Some(serde_json::to_string_pretty(audit).expect("model serialises"));
        return;
    }
    let templates_dir = options
        .templates
        .clone()
        .or_else(|| audit.meta.templates.as_ref().map(|t| job.dir.join(t)));
    let style_dir = audit.style.folder.as_deref();
    let templates = match render::templates::collect(style_dir, templates_dir.as_deref()) {
        Ok(t) => t,
        Err(e) => return out.fail(Outcome::Io, e.to_string(), None),
    };
    for t in &templates {
        if let Some((_, hint)) = render::templates::RETIRED
            .iter()
            .find(|(n, _)| *n == t.name)
        {
            out.diagnostics
                .warning(
                    None,
                    format!("{} is no longer a template and is not used", t.display),
                )
                .add_hint(*hint);
        }
    }
    let changes = match &options.changes_since {
        Some(old_dir) => {
            match load_folder(
                old_dir,
                options.include_drafts,
                style(job, options),
                None,
                out,
            ) {
                Some(old) => Some((old.meta.version.clone(), review::diff(&old, audit))),
                None => return,
            }
        }
        None => None,
    };
    let attach = render::allows_attachments(&options.standards);
    let start = Instant::now();
    let view = View::new(
        audit,
        ViewOptions {
            logo: render::templates::logo(&templates),
            attach,
            changes,
        },
    );
    out.timings.view = start.elapsed();
    if emit == Emit::ViewJson {
        out.dump = Some(view.to_json_pretty());
        return;
    }
    let path = match job.destination.resolve(&job.dir, audit) {
        Ok(p) => p,
        Err(e) => {
            return out.fail(
                Outcome::Io,
                format!("cannot create the output folder ({e})"),
                None,
            );
        }
    };
    if let Some(other) = claims.claim(&path, &job.name) {
        return out.fail(
            Outcome::Errors,
            format!("{} is also the output of {other}", path.display()),
            Some("give each variant its own output name"),
        );
    }
    let mut files = assets;
    if attach {
        // PDF/A-3 reports carry their findings as the JSON and CSV exports.
        let attached = [
            (view::FINDINGS_JSON_PATH, export::Format::Json),
            (view::FINDINGS_CSV_PATH, export::Format::Csv),
        ];
        files.extend(attached.map(|(vpath, format)| Asset {
            vpath: vpath.to_string(),
            bytes: export::export(audit, format).into_bytes(),
        }));
    }
    let render_options = RenderOptions {
        standards: options.standards.clone(),
        cache_age: options.cache_age,
        source_date_epoch: options.source_date_epoch,
        preview: options.preview,
    };
    let rendered = render::render(
        &view,
        render::Inputs {
            templates,
            files,
            fonts: &audit.style.fonts,
        },
        &render_options,
        &mut out.sources,
        &mut out.diagnostics,
        early,
    );
    let Some(rendered) = rendered else {
        out.outcome = out.outcome.max(Outcome::Errors);
        return;
    };
    if denied(options, out) {
        return;
    }
    out.timings.view += rendered.prepare;
    out.timings.typeset = rendered.typeset;
    out.timings.pdf = rendered.export;
    out.timings.evict = rendered.evict;
    out.timings.preview = rendered.preview_time;
    out.preview = rendered.preview;
    let start = Instant::now();
    let written = write_atomic(&path, &rendered.pdf);
    out.timings.write = start.elapsed();
    if let Err(e) = written {
        return out.fail(Outcome::Io, e.to_string(), None);
    }
    out.notes.push(format!(
        "wrote {} ({} pages)",
        path.display(),
        rendered.pages
    ));
    out.pages = Some(rendered.pages);
    out.output = Some(path);
}

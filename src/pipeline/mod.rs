//! The pipeline: one audit folder -> load -> view -> render -> output.
//!
//! [`compile`] is the one path from a folder to a report that every command,
//! the worker process, the benchmark and the tests use. It never prints: what
//! happened comes back as a [`Built`], with every diagnostic (data errors,
//! template errors, "cannot write the output" alike) for the caller to render
//! in the format the user chose.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::diag::Level;
use crate::export;
use crate::load;
use crate::model::{Asset, Audit};
use crate::naming::Claims;
use crate::output::{write_all_atomic, write_all_atomic_unsynced};
use crate::render::preview::Preview;
use crate::render::{self, Deliverable};
use crate::review;
use crate::view::{self, View, ViewOptions};

mod record;

pub use record::*;

/// Compiles one report: loads its folder, builds the view, renders and writes
/// the PDF (or the dump asked for). A panic inside becomes this report's failure.
/// With `options.preview`, `early` gets the preview's pages as soon as they are
/// laid out, before the PDF export and write; they are in the result as well.
/// Then evicts the compiler's old cache entries ([`evict`]).
pub fn compile(
    job: &Job,
    options: &Options,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
) -> Built {
    let mut out = compile_then_evict_later(job, options, claims, early);
    if options.sync_later {
        sync(&mut out);
    }
    out.timings.evict = evict(options);
    out.elapsed += out.timings.evict;
    out
}

/// Syncs the documents a build with `sync_later` wrote; a failure is the
/// build's, as a failed write is.
pub fn sync(out: &mut Built) {
    let paths: Vec<&Path> = out.outputs.iter().map(|w| w.path.as_path()).collect();
    if let Err(e) = crate::output::sync(&paths) {
        out.fail(Outcome::Retry, e.to_string(), None);
    }
}

/// Evicts the compiler's cache entries that the last `options.cache_age`
/// compiles did not use; returns the time it took.
pub fn evict(options: &Options) -> Duration {
    render::evict(options.cache_age)
}

/// Compiles as [`compile`] does, but leaves [`evict`] to the caller: a worker
/// evicts once its report is sent, off the time an edit waits for.
pub fn compile_then_evict_later(
    job: &Job,
    options: &Options,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
) -> Built {
    compile_keeping(job, options, claims, early).0
}

/// Checks a folder as [`compile`] does with `Emit::Check`, and hands back
/// the audit it loaded (without its images) when the load had no errors:
/// the language server answers completion from the load that gave its
/// diagnostics.
pub fn check_keeping(job: &Job, options: &Options) -> (Built, Option<Audit>) {
    let options = Options {
        emit: Emit::Check,
        ..options.clone()
    };
    let (mut out, audit) = compile_keeping(
        job,
        &options,
        &crate::naming::OutputClaims::default(),
        &mut |_| {},
    );
    out.timings.evict = evict(&options);
    out.elapsed += out.timings.evict;
    (out, audit)
}

/// Compiles as [`compile_then_evict_later`] does, and hands back the audit.
fn compile_keeping(
    job: &Job,
    options: &Options,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
) -> (Built, Option<Audit>) {
    let start = Instant::now();
    let mut out = Built::new();
    let result = catch_unwind(AssertUnwindSafe(|| {
        run(job, options, claims, early, &mut out)
    }));
    let audit = match result {
        Ok(audit) => audit,
        Err(panic) => {
            fail_on_panic(job, panic.as_ref(), &mut out);
            None
        }
    };
    out.elapsed = start.elapsed();
    (out, audit)
}

/// Records a panic of a compile as its failure.
fn fail_on_panic(job: &Job, panic: &(dyn std::any::Any + Send), out: &mut Built) {
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

/// Loads a folder only, for commands that read audits without building them
/// (`diff`): the audit when it has no errors, and what was found.
pub fn load(dir: &Path, style: Option<&str>) -> (Option<Audit>, Built) {
    load_with(dir, style, None)
}

/// Loads a folder as [`load`] does, with unsaved texts read in place of
/// files (`auditpress lsp`).
pub fn load_with(
    dir: &Path,
    style: Option<&str>,
    overlay: Option<&load::Overlay>,
) -> (Option<Audit>, Built) {
    let start = Instant::now();
    let mut out = Built::new();
    let settings = load::Settings {
        style: style.map(str::to_string),
        overlay: overlay.cloned(),
        ..load::Settings::default()
    };
    let audit = load_folder(dir, &settings, &mut out);
    out.elapsed = start.elapsed();
    (audit, out)
}

/// Reads a house style by name or folder (relative to the working folder),
/// with what was found, as `auditpress style show` prints it.
pub fn house_style(spec: &str) -> (Option<std::sync::Arc<crate::model::Style>>, Built) {
    let mut out = Built::new();
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
fn load_folder(dir: &Path, settings: &load::Settings, out: &mut Built) -> Option<Audit> {
    let sources = std::mem::take(&mut out.sources);
    let diagnostics = std::mem::take(&mut out.diagnostics);
    match load::load_into(dir, settings, sources, diagnostics) {
        Ok(loaded) => {
            out.sources = loaded.sources;
            out.diagnostics = loaded.diagnostics;
            out.inputs = loaded.inputs;
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

/// How a build reads a folder: its own (with the editor's unsaved texts
/// when `own`) or an earlier one, prose quotes as printed.
fn build_settings(job: &Job, options: &Options, own: bool) -> load::Settings {
    load::Settings {
        include_drafts: options.include_drafts,
        style: style(job, options).map(str::to_string),
        overlay: options.overlay.clone().filter(|_| own),
        typeset_quotes: true,
        opaque_images: options.standards.iter().find_map(|s| match s {
            typst_pdf::PdfStandard::A_1b => Some("A-1b"),
            typst_pdf::PdfStandard::A_1a => Some("A-1a"),
            _ => None,
        }),
    }
}

/// The house style a job asks for: a variant's beats the command line's,
/// which beats audit.toml's.
fn style<'a>(job: &'a Job, options: &'a Options) -> Option<&'a str> {
    job.overrides.style.as_deref().or(options.style.as_deref())
}

/// Loads, checks and produces what the options ask for; the audit loaded
/// when it had no errors.
fn run(
    job: &Job,
    options: &Options,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
    out: &mut Built,
) -> Option<Audit> {
    let start = Instant::now();
    let loaded = load_folder(&job.dir, &build_settings(job, options, true), out);
    out.timings.load = start.elapsed();
    let mut audit = loaded?;
    job.overrides.apply(&mut audit);
    if options.final_report && !is_final(&audit, out) {
        return Some(audit);
    }
    if options.spell && options.emit == Emit::Check {
        spell(&audit, out);
    }
    // The images move on to the renderer rather than being copied.
    let assets = std::mem::take(&mut audit.assets);
    if !denied(options, out) {
        produce(job, options, &audit, assets, claims, early, out);
    }
    Some(audit)
}

/// Tells whether a report is final (FORMAT 1.2, "Review"): every finding
/// approved and `draft` off. Each thing that keeps it from being final is an
/// error at its place.
fn is_final(audit: &Audit, out: &mut Built) -> bool {
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
    for f in audit.findings.iter().filter(|f| is_draft_id(&f.id)) {
        out.diagnostics
            .error(
                f.review_place.clone(),
                format!("finding {} has a draft id: the report is not final", f.id),
            )
            .add_hint(format!(
                "give it the id it goes out with: rename findings/{}.md and its findings.csv row",
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

/// Whether an id is one `new finding` hands out when it knows no other
/// form: `DRAFT-<n>`.
fn is_draft_id(id: &str) -> bool {
    id.strip_prefix("DRAFT-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Checks the spelling and grammar of the prose: warnings at their places,
/// or one note when the style's language has no dictionary.
fn spell(audit: &Audit, out: &mut Built) {
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
fn denied(options: &Options, out: &mut Built) -> bool {
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

/// What `check` says of a folder that loaded: its findings, where they are
/// in their review, and the drafts left out.
fn checked_note(job: &Job, audit: &Audit) -> String {
    let mut note = format!("{}: ok ({} findings)", job.name, audit.findings.len());
    // Where the findings are in their review, once any is not approved.
    let count = |r: crate::model::Review| audit.findings.iter().filter(|f| f.review == r).count();
    let (draft, ready) = (
        count(crate::model::Review::Draft),
        count(crate::model::Review::Ready),
    );
    if draft + ready > 0 {
        note.push_str(&format!(
            "; review: {draft} draft, {ready} ready, {} approved",
            count(crate::model::Review::Approved)
        ));
        if draft > 0 {
            // Printed, unlike the excluded ones: say so, once.
            note.push_str(" (a review draft is printed and marks every page DRAFT)");
        }
    }
    if !audit.drafts.is_empty() {
        note.push_str(&format!(
            "; {} excluded (`exclude = true`, left out of the report): {}",
            audit.drafts.len(),
            audit.drafts.join(", ")
        ));
    }
    note
}

/// The templates of a build: the built-in ones with the style's and the
/// template folder's overrides; a retired one is warned about.
fn templates(
    job: &Job,
    options: &Options,
    audit: &Audit,
    out: &mut Built,
) -> Option<Vec<render::templates::TemplateFile>> {
    let from_audit = audit.meta.templates.as_ref().map(|t| job.dir.join(t));
    let templates_dir = options.templates.clone().or_else(|| from_audit.clone());
    let style_dir = audit.style.folder.as_deref();
    // The template folder is read here, not by the loader: an input too.
    out.inputs.extend(templates_dir.clone());
    // audit.toml's folder, unlike one given on the command line, is the
    // folder's own choice: it stays inside the folder, links resolved.
    let outside = from_audit
        .filter(|_| options.templates.is_none())
        .and_then(|dir| crate::input::inside(&job.dir, &dir).err().map(|r| (dir, r)));
    let collected = match outside {
        Some((dir, refused)) => Err(render::templates::Refused {
            message: format!(
                "templates = \"{}\" of audit.toml: {}",
                audit.meta.templates.as_deref().unwrap_or_default(),
                refused.explain(&dir.display().to_string()).0
            ),
            hint: "keep the template folder inside the audit folder, or pass --templates DIR"
                .to_string(),
            path: dir,
        }),
        None => render::templates::collect(style_dir, templates_dir.as_deref()),
    };
    let templates = match collected.and_then(clean_logos) {
        Ok(t) => t,
        Err(refused) => {
            let file = out.sources.add(refused.path.display().to_string(), "");
            out.diagnostics
                .error(Some(crate::diag::Place::new(file, 0..0)), refused.message)
                .add_hint(refused.hint);
            out.outcome = out.outcome.max(Outcome::Errors);
            return None;
        }
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
    Some(templates)
}

/// Cleans a style's or template folder's logo as the folder's images are
/// cleaned: format sniffed, pixels capped, EXIF and comments dropped.
fn clean_logos(
    mut templates: Vec<render::templates::TemplateFile>,
) -> Result<Vec<render::templates::TemplateFile>, render::templates::Refused> {
    for t in templates
        .iter_mut()
        .filter(|t| render::templates::is_logo(&t.name))
    {
        let (bytes, _) = load::clean_image(&t.display, std::mem::take(&mut t.bytes)).map_err(
            |(message, hint)| render::templates::Refused {
                path: PathBuf::from(&t.display),
                message,
                hint,
            },
        )?;
        t.bytes = bytes;
    }
    Ok(templates)
}

/// Every file the templates read but the templates, at paths relative to
/// the typst root (`data/view.json`): the view's JSON files, the images and
/// the attachments.
fn template_data(view: &View, files: Vec<Asset>) -> Dump {
    let data =
        render::data::files(view).map(|(vpath, json)| (vpath.to_string(), json.into_bytes()));
    let files = files.into_iter().map(|f| (f.vpath, f.bytes));
    Dump::Files(
        data.into_iter()
            .chain(files)
            .map(|(vpath, bytes)| (vpath.trim_start_matches('/').to_string(), bytes))
            .collect(),
    )
}

/// The files the report reads beside its templates and the view's JSON:
/// the images, the files generated from the view (its charts' SVG, text
/// as outlines), and
/// for PDF/A-3 the findings as the JSON and CSV exports it carries.
fn generated_assets(audit: &Audit, view: &View, attach: bool, assets: Vec<Asset>) -> Vec<Asset> {
    let mut files = assets;
    // The PDF's charts with their text as outlines (`render::outlined_chart`).
    files.extend(view.charts.iter().map(|c| {
        Asset {
            vpath: c.vpath.clone(),
            bytes: render::outlined_chart(&c.svg)
                .expect("auditpress draws charts usvg reads")
                .into_bytes(),
        }
    }));
    if attach {
        let attached = [
            (view::FINDINGS_JSON_PATH, export::Format::Json),
            (view::FINDINGS_CSV_PATH, export::Format::Csv),
        ];
        files.extend(attached.map(|(vpath, format)| Asset {
            vpath: vpath.to_string(),
            bytes: export::export(audit, format).into_bytes(),
        }));
    }
    files
}

/// The earlier version of `--changes-since` and what changed since it;
/// `Err` when that folder cannot be loaded (reported).
fn changes_since(
    job: &Job,
    options: &Options,
    audit: &Audit,
    out: &mut Built,
) -> Result<Option<(String, Vec<review::Change>)>, ()> {
    let Some(old_dir) = &options.changes_since else {
        return Ok(None);
    };
    let old = load_folder(old_dir, &build_settings(job, options, false), out).ok_or(())?;
    if old.meta.version == audit.meta.version {
        same_version(job, old_dir, &audit.meta.version, out);
    }
    Ok(Some((old.meta.version.clone(), review::diff(&old, audit))))
}

/// Warns, at `version` of audit.toml, that `--changes-since` names a
/// version of the report with the same version: the report would print
/// "changes between version 2.0 and version 2.0".
fn same_version(job: &Job, old_dir: &Path, version: &str, out: &mut Built) {
    let name = job.dir.join("audit.toml").display().to_string();
    let place = out.sources.find(&name).and_then(|file| {
        let text = out.sources.text(file);
        let table = toml::de::DeTable::parse(text).ok()?;
        let (_, value) = table
            .get_ref()
            .iter()
            .find(|(k, _)| k.get_ref() == "version")?;
        Some(crate::diag::Place::new(file, value.span()))
    });
    out.diagnostics
        .warning(
            place,
            format!(
                "--changes-since {} has the same version {version} as this report",
                old_dir.display()
            ),
        )
        .add_hint("raise `version` in audit.toml, or name the folder of the earlier version");
}

/// The files a job's documents go to, one per format, each claimed for
/// this report alone.
fn output_paths(
    job: &Job,
    audit: &Audit,
    formats: &[Deliverable],
    claims: &dyn Claims,
    out: &mut Built,
) -> Option<Vec<PathBuf>> {
    let resolved = match job.destination.resolve(&job.dir, audit) {
        Ok(p) => p,
        Err(e) => {
            out.fail(Outcome::Retry, e.to_string(), None);
            return None;
        }
    };
    let mut paths: Vec<PathBuf> = Vec::with_capacity(formats.len());
    for format in formats {
        // `-o` names the PDF; the other formats take its stem.
        let path = job.destination.document_path(
            &resolved,
            *format == Deliverable::Pdf,
            format.extension(),
        );
        if paths.contains(&path) {
            out.fail(
                Outcome::Io,
                format!(
                    "the {} would be written over the PDF {}",
                    format.name(),
                    path.display()
                ),
                Some("name the PDF with its .pdf extension: the other formats take its stem"),
            );
            return None;
        }
        if let Some(other) = claims.claim(&path, &job.name) {
            out.fail(
                Outcome::Errors,
                format!("{} is also the output of {other}", path.display()),
                Some("give each variant its own output name"),
            );
            return None;
        }
        paths.push(path);
    }
    Some(paths)
}

/// Produces what the options ask for from a loaded audit and its images:
/// a check, a dump of one stage, or the documents.
fn produce(
    job: &Job,
    options: &Options,
    audit: &Audit,
    assets: Vec<Asset>,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
    out: &mut Built,
) {
    match &options.emit {
        Emit::Check => {
            // `check` reads the template folders too: a build would fail on them.
            if templates(job, options, audit, out).is_some() {
                out.notes.push(checked_note(job, audit));
            }
            return;
        }
        Emit::ModelJson => {
            let json = serde_json::to_string_pretty(audit).expect("model serialises");
            out.dump = Some(Dump::Text(json));
            return;
        }
        Emit::ViewJson | Emit::TemplateData | Emit::Documents(_) => {}
    }
    let Some(templates) = templates(job, options, audit, out) else {
        return;
    };
    let Ok(changes) = changes_since(job, options, audit, out) else {
        return;
    };
    let attach = render::allows_attachments(&options.standards);
    let start = Instant::now();
    let logo = render::templates::logo(&templates);
    let view = View::new(
        audit,
        ViewOptions {
            logo,
            attach,
            changes,
        },
    );
    out.timings.view = start.elapsed();
    if options.emit == Emit::ViewJson {
        out.dump = Some(Dump::Text(render::data::pretty(&view)));
        return;
    }
    let files = generated_assets(audit, &view, attach, assets);
    if options.emit == Emit::TemplateData {
        out.dump = Some(template_data(&view, files));
        return;
    }
    let formats = options.emit.documents();
    let Some(paths) = output_paths(job, audit, formats, claims, out) else {
        return;
    };
    let inputs = render::Inputs {
        templates,
        files,
        fonts: &audit.style.fonts,
    };
    let Ok(reference) = docx_reference(audit, formats, out) else {
        return;
    };
    // An edit of the report typeset last starts from that build's pages.
    let report = format!("{}\n{}", job.dir.display(), job.name);
    let Some(documents) = export(
        options,
        &report,
        &view,
        (inputs, reference),
        formats,
        early,
        out,
    ) else {
        return;
    };
    if !denied(options, out) {
        let documents = paths.into_iter().zip(documents).collect();
        write_documents(documents, options.sync_later, claims, out);
    }
}

/// The style folder's reference.docx when a Word document is asked for
/// and the folder has one: read, or an error at the file (Err).
fn docx_reference(
    audit: &Audit,
    formats: &[Deliverable],
    out: &mut Built,
) -> Result<Option<Arc<render::DocxReference>>, ()> {
    let Some(folder) = audit.style.folder.as_deref() else {
        return Ok(None);
    };
    let path = folder.join("reference.docx");
    if !formats.contains(&Deliverable::Docx) || !path.exists() {
        return Ok(None);
    }
    out.inputs.push(path.clone());
    let shown = path.display().to_string();
    let read = crate::input::read_inside(folder, &path, 64 * 1024 * 1024)
        .map_err(|r| r.explain(&shown).0)
        .and_then(|bytes| {
            render::docx::Reference::read(&bytes).map_err(|e| format!("{shown} {e}"))
        });
    match read {
        Ok(styles) => Ok(Some(Arc::new(render::DocxReference {
            path: shown,
            styles,
        }))),
        Err(message) => {
            let file = out.sources.add(shown, "");
            out.diagnostics
                .error(Some(crate::diag::Place::new(file, 0..0)), message)
                .add_hint("save the reference document again from Word as .docx, or remove it to use auditpress's styles");
            out.outcome = out.outcome.max(Outcome::Errors);
            Err(())
        }
    }
}

/// A document exported, not yet written: its format, its pages and its bytes.
struct Document {
    format: Deliverable,
    pages: Option<usize>,
    bytes: Vec<u8>,
}

/// Typesets the view when a format needs pages (drawing the live preview
/// from them when asked, handed to `early` at once), then exports each
/// format. `None` when the templates or an export have errors (reported).
fn export(
    options: &Options,
    report: &str,
    view: &View,
    (inputs, docx_reference): (render::Inputs, Option<Arc<render::DocxReference>>),
    formats: &[Deliverable],
    early: &mut dyn FnMut(&Preview),
    out: &mut Built,
) -> Option<Vec<Document>> {
    // What the formats that lay out their own text read, before typst takes the inputs.
    let resources = if formats.iter().all(|f| f.needs_pages()) {
        render::Resources::default()
    } else {
        render::Resources::of(&inputs)
    };
    let mut typeset = None;
    if formats.iter().any(|f| f.needs_pages()) {
        let Some(doc) =
            render::typeset(report, view, inputs, &mut out.sources, &mut out.diagnostics)
        else {
            out.outcome = out.outcome.max(Outcome::Errors);
            return None;
        };
        out.timings.view += doc.prepare;
        out.timings.typeset = doc.typeset;
        if options.preview {
            let start = Instant::now();
            let shown = render::preview::preview(&doc);
            out.timings.preview = start.elapsed();
            early(&shown);
            out.preview = Some(shown);
        }
        typeset = Some(doc);
    }
    let settings = render::ExportSettings {
        standards: options.standards.clone(),
        source_date_epoch: options.source_date_epoch,
        docx_reference,
    };
    let mut documents = Vec::with_capacity(formats.len());
    for &format in formats {
        let start = Instant::now();
        let exported = format.export(view, typeset.as_ref(), &resources, &settings);
        *match format {
            Deliverable::Pdf => &mut out.timings.pdf,
            Deliverable::Html => &mut out.timings.html,
            Deliverable::Docx => &mut out.timings.docx,
        } = start.elapsed();
        match exported {
            Ok(render::Output { bytes, warnings }) => {
                for w in warnings {
                    let file = out.sources.add(w.file, "");
                    let place = crate::diag::Place::new(file, 0..0);
                    out.diagnostics
                        .warning(Some(place), w.message)
                        .add_hint(w.hint);
                }
                documents.push(Document {
                    format,
                    pages: typeset
                        .as_ref()
                        .filter(|_| format.needs_pages())
                        .map(|d| d.pages()),
                    bytes,
                })
            }
            Err(errors) => {
                match typeset.as_mut() {
                    Some(doc) => doc.report(&errors, &mut out.sources, &mut out.diagnostics),
                    None => errors.iter().for_each(|e| {
                        out.diagnostics.error(None, e.message.to_string());
                    }),
                }
                out.outcome = out.outcome.max(Outcome::Errors);
                return None;
            }
        }
    }
    Some(documents)
}

/// Writes the documents, all or none ([`write_all_atomic`]; not yet synced
/// with `sync_later`: see [`sync`]), and records
/// each in [`Built::outputs`] with its SHA-256; nothing is written when
/// whoever asked for them is gone (a worker whose parent was killed writes
/// nothing over a newer build's). A failure is [`Outcome::Retry`] (a full
/// disk, a folder that cannot be made) unless the path itself is refused
/// (a symbolic link, a folder in the way), which a retry does not cure.
fn write_documents(
    documents: Vec<(PathBuf, Document)>,
    sync_later: bool,
    claims: &dyn Claims,
    out: &mut Built,
) {
    let start = Instant::now();
    if !claims.still_wanted() {
        let names: Vec<String> = documents
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        return out.fail(
            Outcome::Retry,
            format!(
                "the build that asked for {} is gone; nothing was written",
                names.join(", ")
            ),
            None,
        );
    }
    let files: Vec<(&Path, &[u8])> = documents
        .iter()
        .map(|(p, d)| (p.as_path(), d.bytes.as_slice()))
        .collect();
    let written = if sync_later {
        write_all_atomic_unsynced(&files)
    } else {
        write_all_atomic(&files)
    };
    out.timings.write = start.elapsed();
    if let Err((_, e)) = written {
        let outcome = if e.kind() == std::io::ErrorKind::InvalidInput {
            Outcome::Io
        } else {
            Outcome::Retry
        };
        let others = if documents.len() > 1 {
            "; none of the documents was written"
        } else {
            ""
        };
        return out.fail(outcome, format!("{e}{others}"), None);
    }
    for (path, document) in documents {
        out.notes.push(match document.pages {
            Some(pages) => format!("wrote {} ({pages} pages)", path.display()),
            None => format!("wrote {}", path.display()),
        });
        out.outputs.push(Written {
            format: document.format,
            path,
            pages: document.pages,
            sha256: sha256_hex(&document.bytes),
        });
    }
}

/// The SHA-256 of bytes, in lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

//! Render: the view and the templates -> a typeset document -> the
//! deliverables' bytes.
//!
//! Three steps, each on its own: [`typeset`] lays out the pages, each
//! [`Deliverable`] exports the typeset document (or reads the view) into
//! bytes ([`pdf`] for the PDF), and [`preview::preview`] draws the live
//! preview's pages from the same document. The templates read the view with
//! `json("/data/view.json")`; user text only ever reaches typst as data.
//! Template errors become [`Diagnostic`]s pointing into the template files,
//! rendered like data errors.

mod compile;
pub mod data;
mod deliverable;
pub mod docx;
pub mod fonts;
pub mod html;
pub mod numbering;
pub mod pdf;
pub mod preview;
pub mod templates;
mod world;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::FileId;
use typst::{World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::PdfStandard;

use crate::diag::{Diagnostic, Diagnostics, FileRef, Level, Place, Sources};
use crate::model::Asset;
use crate::model::style::FontFile;
use crate::view::View;
pub use deliverable::{Deliverable, Exported, Output, Warning};
pub use templates::TemplateFile;
use world::{ReportWorld, Served};

/// Returns the bundled font files by name, e.g. to compile with the stock typst CLI.
pub fn font_files() -> &'static [(&'static str, &'static [u8])] {
    fonts::FILES
}

/// A chart of the view as PNG, its text in the bundled fonts, at `scale`
/// pixels per point (the Word document's picture of it); the same chart
/// gives the same bytes.
pub fn chart_png(chart: &crate::view::ChartView, scale: f32) -> Result<Vec<u8>, String> {
    let fonts: Vec<&[u8]> = fonts::FILES.iter().map(|(_, bytes)| *bytes).collect();
    crate::view::chart::png(&chart.svg, &fonts, scale)
}

/// A chart's SVG as the PDF embeds it: its text turned into outlines of
/// the bundled fonts. The chart is a picture, read through its alternative
/// text; its names and numbers are in the PDF's text layer once, in the
/// table beside it, as in the Word document, whose chart is a PNG.
pub fn outlined_chart(svg: &str) -> Result<String, String> {
    use resvg::usvg;
    use std::sync::{Arc, LazyLock};
    static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
        let mut db = usvg::fontdb::Database::new();
        for (_, bytes) in fonts::FILES {
            db.load_font_data(bytes.to_vec());
        }
        Arc::new(db)
    });
    let options = usvg::Options {
        font_family: crate::view::chart::FONT_FAMILY.to_string(),
        fontdb: Arc::clone(&FONTS),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    Ok(tree.to_string(&usvg::WriteOptions::default()))
}

/// How a report's documents are exported: the choices that concern every
/// format, read by each deliverable's module.
#[derive(Clone, Debug, Default)]
pub struct ExportSettings {
    /// PDF standards to conform to, validated with `PdfStandards::new`.
    pub standards: Vec<PdfStandard>,
    /// Seconds since 1970 for the documents' dates, from SOURCE_DATE_EPOCH; else the report date.
    pub source_date_epoch: Option<i64>,
    /// The style folder's reference.docx, whose styles the Word document takes.
    pub docx_reference: Option<std::sync::Arc<DocxReference>>,
}

/// A style folder's reference.docx, read: its path as diagnostics show it
/// and its styles.
#[derive(Debug)]
pub struct DocxReference {
    /// The file, as diagnostics show it.
    pub path: String,
    /// Its styles.
    pub styles: docx::Reference,
}

/// What typst reads beside the view.
pub struct Inputs<'a> {
    /// The template files, embedded or overridden.
    pub templates: Vec<TemplateFile>,
    /// The files the templates use: images, PDF/A-3 attachments.
    pub files: Vec<Asset>,
    /// The fonts of the house style, beside the bundled ones.
    pub fonts: &'a [FontFile],
}

/// What a format that lays out its own text reads beside the view: the
/// template files that are not typst's (the style's `html/` folder as
/// `html/<name>`, the logo) and the report's images, by virtual path.
#[derive(Default)]
pub struct Resources {
    /// Template files other than typst sources.
    pub files: Vec<TemplateFile>,
    /// The images the content tree names (`/assets/0.png`).
    pub images: Vec<Asset>,
}

impl Resources {
    /// The resources of a build's inputs: copies of its files that are not
    /// typst sources, and of its images.
    pub fn of(inputs: &Inputs) -> Self {
        Self {
            files: inputs
                .templates
                .iter()
                .filter(|t| !t.name.ends_with(".typ"))
                .cloned()
                .collect(),
            images: inputs.files.clone(),
        }
    }

    /// A file's bytes by its name (`html/report.css`) or virtual path
    /// (`/assets/0.png`, `/logo.svg`).
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        let bare = name.trim_start_matches('/');
        self.files
            .iter()
            .find(|f| f.name == bare)
            .map(|f| f.bytes.as_slice())
            .or_else(|| {
                self.images
                    .iter()
                    .find(|a| a.vpath.trim_start_matches('/') == bare)
                    .map(|a| a.bytes.as_slice())
            })
    }
}

/// A typeset report: the laid-out pages and the World they were laid out
/// in, which the exports read and which places their errors in the
/// templates. Every paged deliverable starts from it; the live preview too.
pub struct Typeset {
    /// The pages.
    doc: PagedDocument,
    /// The templates, the view's files and the fonts the pages came from.
    world: ReportWorld,
    /// The report's date, the documents' date unless SOURCE_DATE_EPOCH is set.
    today: Datetime,
    /// Time taken to serialise the view and check its glyphs.
    pub prepare: Duration,
    /// Time typst took to evaluate the templates and lay out the pages.
    pub typeset: Duration,
    /// The layout passes that took.
    pub passes: usize,
    /// The template files already added to the sources, for the export's errors.
    seen: HashMap<FileId, FileRef>,
}

impl Typeset {
    /// Number of pages.
    pub fn pages(&self) -> usize {
        self.doc.pages().len()
    }

    /// Reports errors of an export as diagnostics at their places in the templates.
    pub fn report(
        &mut self,
        errors: &[SourceDiagnostic],
        sources: &mut Sources,
        diags: &mut Diagnostics,
    ) {
        report(&self.world, errors, sources, &mut self.seen, diags);
    }
}

/// Typesets the view with the templates: serves them, the view's JSON
/// files, the images and the fonts through one World, and lays out the
/// pages. Returns `None` when the templates have errors; they, and the
/// warnings, are in the diagnostics. `key` names the report (its folder
/// and job): an edit of the report typeset last starts from that build's
/// pages ([`compile`]).
pub fn typeset(
    key: &str,
    view: &View,
    inputs: Inputs,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<Typeset> {
    let prepare = Instant::now();
    let Inputs {
        templates,
        files,
        fonts: style_fonts,
    } = inputs;
    let data = data::files(view);
    check_glyphs(view, &data[0].1, diags);
    let served = templates
        .into_iter()
        .map(|t| {
            (
                format!("/{}", t.name),
                Served {
                    bytes: Bytes::new(t.bytes),
                    display: t.display,
                },
            )
        })
        .chain(data.into_iter().map(|(vpath, json)| {
            let display = format!("{vpath} (generated)");
            (
                vpath.to_string(),
                Served {
                    bytes: Bytes::from_string(json),
                    display,
                },
            )
        }))
        .chain(files.into_iter().map(|file| {
            let served = Served {
                bytes: Bytes::new(file.bytes),
                display: file.vpath.clone(),
            };
            (file.vpath, served)
        }))
        .collect();
    let date = &view.report.date;
    let today = Datetime::from_ymd(date.year, date.month, date.day).expect("a valid calendar date");
    let font_set = fonts::FontSet::new(style_fonts);
    let world = ReportWorld::new(&format!("/{}", templates::MAIN), served, font_set, today);
    let prepare = prepare.elapsed();
    let start = Instant::now();
    let (warned, passes) = compile::compile(&world, key);
    let typeset = start.elapsed();
    let mut seen = HashMap::new();
    report(&world, &warned.warnings, sources, &mut seen, diags);
    match warned.output {
        Ok(doc) => Some(Typeset {
            doc,
            world,
            today,
            prepare,
            typeset,
            passes,
            seen,
        }),
        Err(errors) => {
            report(&world, &errors, sources, &mut seen, diags);
            None
        }
    }
}

/// Reports typst's diagnostics as ours, each at its place in the templates;
/// an unknown font family also lists the families there are.
fn report(
    world: &ReportWorld,
    list: &[SourceDiagnostic],
    sources: &mut Sources,
    seen: &mut HashMap<FileId, FileRef>,
    diags: &mut Diagnostics,
) {
    for d in list {
        let mut diagnostic = to_diagnostic(world, d, sources, seen);
        if diagnostic.message.starts_with("unknown font family") {
            let families: Vec<&str> = world.book().families().map(|(name, _)| name).collect();
            diagnostic.add_hint(format!(
                "no bundled font and no font of the house style's fonts/ has that family; the families are {}",
                families.join(", ")
            ));
        }
        diags.push(diagnostic);
    }
}

/// Evicts the compiler's cache entries unused for `cache_age` compiles (they
/// would otherwise grow with every report of a long run); returns the time taken.
pub fn evict(cache_age: usize) -> std::time::Duration {
    let start = std::time::Instant::now();
    typst::comemo::evict(cache_age);
    start.elapsed()
}

/// Empties the compiler's caches, so that the next compile starts cold
/// (fonts and the standard library stay loaded); for the benchmark.
pub fn forget_caches() {
    compile::forget();
    typst::comemo::evict(0);
}

/// Tells whether a PDF standard allows attachments (PDF/A-3): the findings ride along.
pub fn allows_attachments(standards: &[PdfStandard]) -> bool {
    standards
        .iter()
        .any(|s| matches!(s, PdfStandard::A_3b | PdfStandard::A_3u | PdfStandard::A_3a))
}

/// Warns about characters no bundled font can show, naming the finding that holds them.
fn check_glyphs(view: &View, view_json: &str, diags: &mut Diagnostics) {
    let missing = |text: &str| -> std::collections::BTreeSet<char> {
        // The bundled fonts cover ASCII; only the rest is looked up.
        text.chars()
            .filter(|c| !c.is_ascii() && !c.is_whitespace() && !c.is_control())
            .filter(|c| !fonts::covers(*c))
            .collect()
    };
    let list = |chars: &std::collections::BTreeSet<char>| {
        chars
            .iter()
            .map(|c| format!("{c} (U+{:04X})", *c as u32))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all = missing(view_json);
    if all.is_empty() {
        return;
    }
    // Some are missing: say which findings hold them.
    let mut reported = std::collections::BTreeSet::new();
    for f in &view.findings {
        let chars = missing(&serde_json::to_string(f).expect("finding serialises"));
        if !chars.is_empty() {
            diags
                .warning(
                    None,
                    format!(
                        "finding {} has characters no bundled font can show: {}",
                        f.id,
                        list(&chars)
                    ),
                )
                .add_hint(
                    "they would print as empty boxes; describe them in words or use an image",
                );
            reported.extend(chars);
        }
    }
    let rest: std::collections::BTreeSet<char> = all.difference(&reported).copied().collect();
    if !rest.is_empty() {
        diags
            .warning(
                None,
                format!(
                    "the report has characters no bundled font can show: {}",
                    list(&rest)
                ),
            )
            .add_hint("they would print as empty boxes; describe them in words or use an image");
    }
}

/// Converts a typst diagnostic into ours, adding the template's text to the sources.
fn to_diagnostic(
    world: &ReportWorld,
    d: &SourceDiagnostic,
    sources: &mut Sources,
    seen: &mut HashMap<FileId, FileRef>,
) -> Diagnostic {
    let level = match d.severity {
        TypstSeverity::Error => Level::Error,
        TypstSeverity::Warning => Level::Warning,
    };
    let mut out = Diagnostic {
        level,
        message: d.message.to_string(),
        place: place_of(world, d.span, sources, seen),
        related: Vec::new(),
        hints: Vec::new(),
        fixes: Vec::new(),
    };
    for hint in &d.hints {
        out.hints.push(hint.v.to_string());
    }
    for point in &d.trace {
        let at = place_of(world, point.span.into(), sources, seen).map(|p| {
            let (line, col) = sources.line_col(p.file, p.range.start);
            format!(" at {}:{line}:{col}", sources.name(p.file))
        });
        out.hints
            .push(format!("{}{}", point.v, at.unwrap_or_default()));
    }
    out
}

/// Returns our place for a typst span, adding the file's text to the sources once.
fn place_of(
    world: &ReportWorld,
    span: typst::syntax::DiagSpan,
    sources: &mut Sources,
    seen: &mut HashMap<FileId, FileRef>,
) -> Option<Place> {
    use typst::World;
    let id = span.id()?;
    let range = world.range(span)?;
    let file = match seen.get(&id) {
        Some(f) => *f,
        None => {
            let text = world
                .file(id)
                .ok()
                .and_then(|b| std::str::from_utf8(b.as_slice()).ok().map(str::to_string))
                .unwrap_or_default();
            let name = world.display(id).unwrap_or("<unknown>").to_string();
            let f = sources.add(name, text);
            seen.insert(id, f);
            f
        }
    };
    Some(Place::new(file, range))
}

//! Render: the view and the templates -> a typeset document -> PDF bytes.
//!
//! The templates read the view with `json("/data/view.json")`; user text only
//! ever reaches typst as data. Template errors become [`Diagnostic`]s pointing
//! into the template files, rendered like data errors.

pub mod fonts;
pub mod preview;
pub mod templates;
mod world;

use std::collections::HashMap;

use typst::diag::{Severity as TypstSeverity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::FileId;
use typst::{World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::diag::{Diagnostic, Diagnostics, FileRef, Level, Place, Sources};
use crate::model::Asset;
use crate::model::style::FontFile;
use crate::view::View;
pub use templates::TemplateFile;
use world::{ReportWorld, Served};

/// Returns the bundled font files by name, e.g. to compile with the stock typst CLI.
pub fn font_files() -> &'static [(&'static str, &'static [u8])] {
    fonts::FILES
}

/// How to render a report.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// PDF standards to conform to, validated with `PdfStandards::new`.
    pub standards: Vec<PdfStandard>,
    /// How many compilations a cached result survives unused: small for
    /// batches of unrelated reports, larger for watch mode's edits of one report.
    pub cache_age: usize,
    /// Seconds since 1970 for the PDF dates, from SOURCE_DATE_EPOCH; else the report date.
    pub source_date_epoch: Option<i64>,
    /// Whether to render the pages for the live preview too.
    pub preview: bool,
}

/// A rendered report.
pub struct Rendered {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Time taken to serialise the view and check its glyphs.
    pub prepare: std::time::Duration,
    /// Time typst took to evaluate the templates and lay out the pages.
    pub typeset: std::time::Duration,
    /// Time the PDF export took.
    pub export: std::time::Duration,
    /// Time the preview's pages took.
    pub preview_time: std::time::Duration,
    /// The pages as SVG and the outline, when asked for.
    pub preview: Option<preview::Preview>,
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

/// Typesets the view with the templates and exports it as PDF. With
/// `options.preview`, the preview's pages are rendered as soon as the pages
/// are laid out and handed to `early` before the PDF export, so that a live
/// preview need not wait for it.
///
/// Returns `None` when the templates have errors; they are in the diagnostics.
pub fn render(
    view: &View,
    inputs: Inputs,
    options: &RenderOptions,
    sources: &mut Sources,
    diags: &mut Diagnostics,
    early: &mut dyn FnMut(&preview::Preview),
) -> Option<Rendered> {
    let prepare = std::time::Instant::now();
    let Inputs {
        templates,
        files,
        fonts: style_fonts,
    } = inputs;
    let data = view.data_files();
    check_glyphs(view, &data[0].1, diags);
    let mut served: Vec<(String, Served)> = templates
        .into_iter()
        .map(|t| {
            let served = Served {
                bytes: Bytes::new(t.bytes),
                display: t.display,
            };
            (format!("/{}", t.name), served)
        })
        .collect();
    for (vpath, json) in data {
        served.push((
            vpath.to_string(),
            Served {
                bytes: Bytes::from_string(json),
                display: format!("{vpath} (generated)"),
            },
        ));
    }
    for file in files {
        served.push((
            file.vpath.clone(),
            Served {
                bytes: Bytes::new(file.bytes),
                display: file.vpath,
            },
        ));
    }
    let date = &view.report.date;
    let today = Datetime::from_ymd(date.year, date.month, date.day).expect("a valid calendar date");
    let font_set = fonts::FontSet::new(style_fonts);
    let world = ReportWorld::new(&format!("/{}", templates::MAIN), served, font_set, today);

    let prepare = prepare.elapsed();
    let start = std::time::Instant::now();
    let warned = typst::compile::<PagedDocument>(&world);
    let typeset = start.elapsed();
    let mut files_seen = HashMap::new();
    let mut convert = |list: &[SourceDiagnostic], diags: &mut Diagnostics| {
        for d in list {
            let mut diagnostic = to_diagnostic(&world, d, sources, &mut files_seen);
            if diagnostic.message.starts_with("unknown font family") {
                let families: Vec<&str> = world.book().families().map(|(name, _)| name).collect();
                diagnostic.add_hint(format!(
                    "no bundled font and no font of the house style's fonts/ has that family; the families are {}",
                    families.join(", ")
                ));
            }
            diags.push(diagnostic);
        }
    };
    convert(&warned.warnings, diags);
    let result = warned.output.and_then(|doc| {
        let start = std::time::Instant::now();
        let shown = options.preview.then(|| preview::preview(&doc));
        let preview_time = start.elapsed();
        if let Some(shown) = &shown {
            early(shown);
        }
        let timestamp = timestamp(options.source_date_epoch, today);
        let pdf_options = PdfOptions {
            ident: Smart::Custom(format!("{}/{}", view.report.title, view.report.version)),
            creator: Smart::Custom(Some(format!("auditpress {}", env!("CARGO_PKG_VERSION")))),
            timestamp: Some(timestamp),
            standards: PdfStandards::new(&options.standards)
                .expect("standards were validated with the arguments"),
            ..PdfOptions::default()
        };
        let start = std::time::Instant::now();
        let pdf = typst_pdf::pdf(&doc, &pdf_options)?;
        let export = start.elapsed();
        Ok(Rendered {
            pdf,
            pages: doc.pages().len(),
            prepare,
            typeset,
            export,
            preview_time,
            preview: shown,
        })
    });
    match result {
        Ok(rendered) => Some(rendered),
        Err(errors) => {
            convert(&errors, diags);
            None
        }
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

/// Chooses the PDF timestamp: SOURCE_DATE_EPOCH when given, else midnight of the report date.
fn timestamp(epoch: Option<i64>, date: Datetime) -> Timestamp {
    let datetime = epoch
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|t| {
            Datetime::from_ymd_hms(
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
        })
        .or_else(|| Datetime::from_ymd_hms(date.year()?, date.month()?, date.day()?, 0, 0, 0))
        .unwrap_or(date);
    Timestamp::new_utc(datetime)
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

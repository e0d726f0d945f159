//! Load: an audit folder's text -> a typed [`Audit`] plus every problem found.
//!
//! Reading never stops at the first problem: each file is read as far as it
//! can be, and every mistake is recorded as a [`Diagnostic`](crate::diag::Diagnostic)
//! with its file, line and column. The model is returned only when there are no errors.

pub mod cvss;
pub mod edit;
pub use fields::{cwe_entries, cwe_name};
pub use findings::FRONT_KEYS;
pub use images::{clean_once as clean_image, stays_inside as image_stays_inside};
pub use table::normalise as column_key;
mod fields;
mod files;
mod findings;
mod images;
pub mod library;
pub mod markdown;
mod meta;
pub mod peek;
mod placeholders;
mod readers;
pub mod sarif;
mod scales;
pub mod style;
mod table;
mod text;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::content::{Block, Inline};

use crate::diag::{self, Diagnostics, FileRef, Place, Sources};
use crate::model::style::Style;
use crate::model::{
    Appendix, AppendixKind, Audit, Coverage, Scan, Target, appendix_letter, appendix_order,
};
use crate::unicode;
use images::Images;
use markdown::{Context, Problem};
use std::sync::Arc;

pub(crate) use scales::Axis;

/// Largest input file accepted, in bytes.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Known prose sections in sections/.
const SECTION_NAMES: &[&str] = &[
    "executive-summary",
    "coverage",
    "threat-model",
    "acknowledgements",
    "notices",
    "about",
];

/// Each reader on its own, from text, for fuzzing: none may panic, and every
/// place a diagnostic names must lie on character boundaries of its text.
pub mod fuzz {
    use super::{meta, table};
    use crate::diag::{self, Diagnostics, Sources};

    /// Splits CSV text into records; returns how many.
    pub fn csv(text: &str) -> usize {
        let (records, errors) = table::parse(text);
        for range in records
            .iter()
            .flat_map(|r| std::iter::once(&r.range).chain(r.cells.iter().map(|c| &c.range)))
            .chain(errors.iter().map(|e| &e.0))
        {
            assert!(text.get(range.clone()).is_some(), "bad range {range:?}");
        }
        records.len()
    }

    /// Splits CSV text into the values of its records; also counts the syntax errors.
    pub fn csv_cells(text: &str) -> (Vec<Vec<String>>, usize) {
        let (records, errors) = table::parse(text);
        let values = records
            .into_iter()
            .map(|r| r.cells.into_iter().map(|c| c.value).collect())
            .collect();
        (values, errors.len())
    }

    /// Reads audit.toml text and renders its diagnostics; tells whether it is valid.
    pub fn audit_toml(text: &str) -> bool {
        let mut sources = Sources::default();
        let mut diags = Diagnostics::default();
        let file = sources.add("audit.toml", text);
        let valid = meta::read(file, text, &mut diags).is_some();
        let mut out = codespan_reporting::term::termcolor::Buffer::no_color();
        diag::emit(&mut out, diag::Format::Human, &sources, &diags).expect("diagnostics render");
        valid
    }
}

/// Reads a text file given on the command line (a SARIF log, an issue list)
/// within the input limits: a regular file, of at most [`MAX_FILE_BYTES`],
/// read no further than that. The error is a message and a hint.
pub fn read_input(path: &Path) -> Result<String, (String, String)> {
    let shown = path.display().to_string();
    let bytes = crate::input::read_regular(path, MAX_FILE_BYTES).map_err(|r| r.explain(&shown))?;
    text::decode(bytes).map_err(|(m, h)| (format!("{shown}: {m}"), h))
}

/// Reads a text file of a folder (the audit folder, a house style's): a
/// regular file inside `folder` once links are resolved, of at most
/// [`MAX_FILE_BYTES`]. The error is a message and a hint.
pub fn read_in_folder(folder: &Path, path: &Path) -> Result<String, (String, String)> {
    let shown = path.display().to_string();
    let bytes =
        crate::input::read_inside(folder, path, MAX_FILE_BYTES).map_err(|r| r.explain(&shown))?;
    text::decode(bytes).map_err(|(m, h)| (format!("{shown}: {m}"), h))
}

/// The result of loading: the model when there were no errors, and what was found.
pub struct Loaded {
    /// The audit, `None` when any error was found.
    pub audit: Option<Audit>,
    /// Texts of the files read, for rendering diagnostics.
    pub sources: Sources,
    /// Every problem found.
    pub diagnostics: Diagnostics,
    /// The files and folders it read (a file that was looked for and is
    /// absent among them), for watch to watch: a folder stands for
    /// everything in it.
    pub inputs: Vec<PathBuf>,
}

/// Loads an audit folder. Fails only when the folder itself cannot be read.
pub fn load(dir: &Path) -> io::Result<Loaded> {
    load_into(
        dir,
        &Settings::default(),
        Sources::default(),
        Diagnostics::default(),
    )
}

/// The choices of the command line that change how a folder is read.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Whether draft findings are part of the report.
    pub include_drafts: bool,
    /// House style (a built-in name or a folder relative to the working
    /// folder) that beats `style` of audit.toml.
    pub style: Option<String>,
    /// Texts read in place of the files at these paths (an editor's unsaved
    /// buffers, `auditpress lsp`).
    pub overlay: Option<Overlay>,
    /// Whether straight quotes in Markdown prose become the marks of the
    /// style's language, as the report prints them. Off, the prose is read
    /// as typed (the exports, `diff`, `import`).
    pub typeset_quotes: bool,
    /// Which standard refuses images with transparency (`a-1b`): an image
    /// with an alpha channel is then an error at its place in the Markdown,
    /// not typst's error in the template that shows it.
    pub opaque_images: Option<&'static str>,
}

/// Unsaved texts by absolute path, read in place of the files there.
pub type Overlay = Arc<HashMap<PathBuf, String>>;

/// Loads an audit folder, with its draft findings or without them, adding its
/// files and problems to those of earlier loads.
pub fn load_into(
    dir: &Path,
    settings: &Settings,
    sources: Sources,
    diagnostics: Diagnostics,
) -> io::Result<Loaded> {
    let root = fs::canonicalize(dir)
        .and_then(|p| {
            if p.is_dir() {
                Ok(p)
            } else {
                Err(io::Error::other("not a folder"))
            }
        })
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot read audit folder {}: {e}", dir.display()),
            )
        })?;
    let mut loader = Loader {
        shown: dir.to_path_buf(),
        root: root.clone(),
        sources,
        diags: diagnostics,
        images: Images::new(root).opaque(settings.opaque_images),
        hidden_warned: HashSet::new(),
        scans: Vec::new(),
        include_drafts: settings.include_drafts,
        typeset_quotes: settings.typeset_quotes,
        drafts: Vec::new(),
        style: builtin_standard(),
        style_flag: settings.style.clone(),
        placeholder_hints: Arc::default(),
        library_hints: Default::default(),
        prose: Vec::new(),
        overlay: settings.overlay.clone(),
        inputs: Vec::new(),
    };
    let errors_before = loader.diags.count(diag::Level::Error);
    let audit = loader.audit();
    let audit = if loader.diags.count(diag::Level::Error) > errors_before {
        None
    } else {
        audit
    };
    let mut inputs = loader.inputs;
    inputs.extend(loader.style.folder.clone());
    inputs.extend(loader.images.read.iter().cloned());
    inputs.sort();
    inputs.dedup();
    Ok(Loaded {
        audit,
        sources: loader.sources,
        diagnostics: loader.diags,
        inputs,
    })
}

/// Reads the files of one audit folder.
struct Loader {
    /// The folder as the user named it, for file names in diagnostics.
    shown: PathBuf,
    root: PathBuf,
    sources: Sources,
    diags: Diagnostics,
    images: Images,
    /// Places already warned about for invisible characters: one warning per field.
    hidden_warned: HashSet<(FileRef, usize, usize)>,
    /// The runs of scans/*.sarif, read before the findings that name their rules.
    scans: Vec<Scan>,
    /// Whether draft findings are part of the report.
    include_drafts: bool,
    /// Whether prose gets the quotes of the style's language.
    typeset_quotes: bool,
    /// Ids of the drafts left out.
    drafts: Vec<String>,
    /// The house style the folder is read with.
    style: Arc<Style>,
    /// The house style the command line asks for, beating audit.toml's.
    style_flag: Option<String>,
    /// The library's placeholders and their hints, by name.
    placeholder_hints: Arc<std::collections::HashMap<String, String>>,
    /// Each write-up's placeholders and hints, by write-up.
    library_hints: std::collections::HashMap<String, std::collections::BTreeMap<String, String>>,
    /// Every piece of prose converted, as written, for the spelling check.
    prose: Vec<crate::model::ProseText>,
    /// Unsaved texts read in place of files.
    overlay: Option<Overlay>,
    /// The files and folders read, for [`Loaded::inputs`].
    inputs: Vec<PathBuf>,
}

/// The built-in style `standard`.
fn builtin_standard() -> Arc<Style> {
    style::builtin("standard").expect("standard is built in")
}

/// Where a piece of Markdown sits in its file, to place its problems.
#[derive(Clone, Copy)]
enum Origin {
    /// The text starts at this byte of the file; offsets map exactly.
    Exact(FileRef, usize),
    /// The text is a CSV cell; problems point at the whole cell.
    Cell(FileRef, usize, usize),
}

/// What Markdown conversion needs from the rest of the audit.
pub(crate) struct Prose<'a> {
    ids: &'a markdown::FindingIds,
    targets: &'a [Target],
}

impl Loader {
    /// Reads the write-up library that audit.toml's `library` (or the
    /// house style) names: an input, and the hints of its placeholders.
    fn library(&mut self, toml_prose: Option<&meta::Prose>) {
        let library_key = toml_prose.and_then(|p| p.library.as_ref().map(|l| l.get_ref().clone()));
        let library_dir = library::folder(&self.shown, library_key.as_deref(), &self.style);
        self.inputs.extend(library_dir.clone());
        let library = library_dir
            .and_then(|dir| library::read(&dir, &self.style, &mut self.sources, &mut self.diags))
            .unwrap_or_default();
        self.placeholder_hints = Arc::new(library::hints(&library));
        self.library_hints = library
            .iter()
            .map(|w| (w.name.clone(), w.placeholders.clone()))
            .collect();
    }

    /// Reads the custom appendices of appendices/, each with its letter:
    /// after the maturity appendix when there is one.
    fn custom_appendices(&mut self, prose: &Prose, maturity: bool) -> Vec<Appendix> {
        let appendix_files = self.appendix_files();
        let letters: Vec<String> = appendix_order(
            maturity,
            appendix_files.len(),
            // The fix review's appendices follow the custom ones: whether
            // they are there does not change the custom ones' letters.
            false,
            false,
        )
        .iter()
        .enumerate()
        .filter(|(_, k)| matches!(k, AppendixKind::Custom(_)))
        .map(|(i, _)| appendix_letter(i))
        .collect();
        appendix_files
            .into_iter()
            .zip(letters)
            .filter_map(|((name, file, text), letter)| {
                self.appendix(prose, name, file, &text, letter)
            })
            .collect()
    }

    fn audit(&mut self) -> Option<Audit> {
        let toml = self.read_required("audit.toml");
        let read = toml.as_ref().and_then(|(file, text)| {
            let (read, strings) = meta::read_with_strings(*file, text, &mut self.diags);
            self.scan_strings(*file, 0, strings);
            read
        });
        // A refused key of audit.toml is left out; the rest still counts.
        let failed = read.as_ref().map(|r| r.failed.clone()).unwrap_or_default();
        let (mut meta, toml_prose) = match read {
            Some(r) => (r.meta, Some(r.prose)),
            None => (None, None),
        };
        let spec = toml_prose.as_ref().and_then(|p| p.style.clone());
        self.house_style(toml.as_ref().map(|(f, _)| *f), spec);
        self.library(toml_prose.as_ref());
        if let (Some(meta), Some(p)) = (meta.as_mut(), toml_prose.as_ref()) {
            meta.subtitle = p
                .subtitle
                .clone()
                .unwrap_or_else(|| self.style.text("default.subtitle").to_string());
            meta.classification = p
                .classification
                .clone()
                .unwrap_or_else(|| self.style.text("default.classification").to_string());
        }
        let targets = meta.as_ref().map(|m| m.targets.as_slice()).unwrap_or(&[]);
        let id_prefix = meta.as_ref().and_then(|m| m.id_prefix.clone());
        // Ids are numbered only with a prefix; when the prefix was refused,
        // or audit.toml could not be read, a finding without one is not
        // reported again.
        let numbering = if failed.iter().any(|k| k == "id_prefix") || toml_prose.is_none() {
            findings::Numbering::Unknown
        } else {
            findings::Numbering::Prefix(id_prefix)
        };
        let raw = findings::read_raw(self, numbering);
        let ids = finding_ids(&raw, self.include_drafts);
        let prose = Prose { ids: &ids, targets };
        let toml_prose = match (&toml, toml_prose) {
            (Some((file, text)), Some(raw)) => Some(self.toml_prose(&prose, *file, text, raw)),
            _ => None,
        };

        let maturity = self.maturity(&prose);
        let acknowledgements = self.acknowledgements();
        let sections = self.sections(&prose);
        let appendices = self.custom_appendices(&prose, !maturity.is_empty());
        let fix_review = meta
            .as_ref()
            .and_then(|m| m.fix_review.as_ref().and_then(|f| f.date));
        self.scans = self.scans();
        let findings = findings::finish(self, &prose, raw, fix_review);
        if let (Some(meta), Some((goals, coverage, tools))) = (meta.as_mut(), toml_prose) {
            meta.goals = goals;
            meta.coverage = coverage;
            for (tool, description) in meta.tools.iter_mut().zip(tools) {
                tool.description = description;
            }
        }
        let meta = meta?;
        Some(Audit {
            meta,
            findings,
            maturity,
            acknowledgements,
            sections,
            appendices,
            assets: std::mem::take(&mut self.images.assets),
            scans: std::mem::take(&mut self.scans),
            drafts: std::mem::take(&mut self.drafts),
            style: self.style.clone(),
            prose: std::mem::take(&mut self.prose),
            words: self.words(),
        })
    }

    /// Reads the house style: the command line's, else audit.toml's, else
    /// `standard`. `None` when it has errors (they are reported).
    fn house_style(&mut self, toml: Option<FileRef>, spec: Option<toml::Spanned<String>>) {
        let (name, base, place) = match (&self.style_flag, spec) {
            (Some(flag), _) => (flag.clone(), PathBuf::new(), None),
            (None, Some(spec)) => (
                spec.get_ref().clone(),
                self.shown.clone(),
                toml.map(|f| Place::new(f, spec.span())),
            ),
            (None, None) => return,
        };
        match style::resolve(&name, &base, place, &mut self.sources, &mut self.diags) {
            Some(style) => self.style = style,
            None => {
                // Reported; the folder's values are not checked against a
                // style they were not written for.
                let mut broken = (*builtin_standard()).clone();
                broken.broken.insert("*".into());
                self.style = Arc::new(broken);
            }
        }
    }

    /// Parses the Markdown values of audit.toml, placing their problems in audit.toml.
    fn toml_prose(
        &mut self,
        prose: &Prose,
        file: FileRef,
        text: &str,
        raw: meta::Prose,
    ) -> (Vec<Vec<Inline>>, Coverage, Vec<Vec<Inline>>) {
        let list = |this: &mut Self, items: &[toml::Spanned<String>]| {
            items
                .iter()
                .map(|item| this.inline(prose, item.get_ref(), toml_origin(file, text, item)))
                .collect::<Vec<_>>()
        };
        let goals = list(self, &raw.goals);
        let coverage = Coverage {
            approaches: list(self, &raw.approaches),
            limitations: list(self, &raw.limitations),
        };
        let tools = raw
            .tools
            .iter()
            .map(|d| match d {
                Some(d) => self.inline(prose, d.get_ref(), toml_origin(file, text, d)),
                None => Vec::new(),
            })
            .collect();
        (goals, coverage, tools)
    }

    /// Makes hidden characters of a plain value visible, warning at its place.
    fn visible(&mut self, text: &str, place: Place) -> String {
        let (shown, hidden) = unicode::make_visible(text);
        if let Some(found) = hidden {
            let (message, hint) = unicode::warning(&found);
            self.warn_hidden(place, message, hint.to_string());
        }
        shown.into_owned()
    }

    /// Warns that invisible characters were made visible, once per place.
    fn warn_hidden(&mut self, place: Place, message: String, hint: String) {
        if self
            .hidden_warned
            .insert((place.file, place.range.start, place.range.end))
        {
            self.diags.warning(Some(place), message).add_hint(hint);
        }
    }

    /// Warns about the strings of a TOML text (with their spans in it) that
    /// hold invisible characters; the text starts at byte `base` of the file.
    fn scan_strings(&mut self, file: FileRef, base: usize, strings: Vec<meta::TomlString>) {
        for (span, text) in strings {
            self.visible(&text, Place::new(file, base + span.start..base + span.end));
        }
    }

    /// Converts Markdown blocks, recording their problems at their places.
    fn markdown(
        &mut self,
        prose: &Prose,
        text: &str,
        origin: Origin,
        prefix: &str,
        figures: &mut u32,
    ) -> Vec<Block> {
        self.convert(prose, text, origin, prefix, figures, markdown::parse)
    }

    /// Converts a plain-text field that may hold code spans (a title).
    fn title(&mut self, prose: &Prose, text: &str, origin: Origin) -> Vec<Inline> {
        self.convert(prose, text, origin, "", &mut 0, markdown::parse_title)
    }

    /// Converts one line of inline Markdown (a goal, a tool's description).
    fn inline(&mut self, prose: &Prose, text: &str, origin: Origin) -> Vec<Inline> {
        self.convert(prose, text, origin, "", &mut 0, markdown::parse_inline)
    }

    fn convert<T>(
        &mut self,
        prose: &Prose,
        text: &str,
        origin: Origin,
        prefix: &str,
        figures: &mut u32,
        parse: fn(&str, &mut Context) -> (T, Vec<Problem>),
    ) -> T {
        let mut cx = Context {
            ids: prose.ids,
            targets: prose.targets,
            figure_prefix: prefix.to_string(),
            figures: *figures,
            chapter_figures: self.style.finding.figures == crate::model::shape::Figures::Chapter,
            images: &mut self.images,
            quotes: self
                .typeset_quotes
                .then(|| markdown::Quotes::for_lang(&self.style.lang)),
        };
        let (out, problems) = parse(text, &mut cx);
        *figures = cx.figures;
        self.prose.push(crate::model::ProseText {
            text: text.to_string(),
            at: match origin {
                Origin::Exact(file, base) => crate::model::ProsePlace::Exact(file, base),
                // A cell's value is found in its quotes when nothing was escaped.
                Origin::Cell(file, start, end) => match self.sources.text(file)[start..end]
                    .find(text)
                    .filter(|_| !text.is_empty())
                {
                    Some(i) => crate::model::ProsePlace::Exact(file, start + i),
                    None => crate::model::ProsePlace::Within(Place::new(file, start..end)),
                },
            },
        });
        for p in problems {
            let place = match origin {
                Origin::Exact(file, base) => {
                    Place::new(file, base + p.range.start..base + p.range.end)
                }
                Origin::Cell(file, start, end) => Place::new(file, start..end),
            };
            if p.hidden {
                self.warn_hidden(place, p.message, p.hint.unwrap_or_default());
                continue;
            }
            let d = if p.error {
                self.diags.error(Some(place), p.message)
            } else {
                self.diags.warning(Some(place), p.message)
            };
            if let Some(h) = p.hint {
                d.add_hint(h);
            }
        }
        out
    }

    /// Scores a CVSS vector, or reports at its place what is wrong with it.
    fn cvss(&mut self, text: &findings::Sourced) -> Option<(crate::model::Cvss, Place)> {
        match cvss::parse(&text.text, self.style.cvss_score) {
            Ok(c) => Some((c, text.place.clone())),
            Err((message, hint)) => {
                self.diags
                    .error(Some(text.place.clone()), message)
                    .add_hint(hint);
                None
            }
        }
    }

    /// Warns about the cells of a table that hold invisible characters.
    fn scan_cells(&mut self, table: &table::Table) {
        for cell in table.rows.iter().flat_map(|r| &r.cells) {
            self.visible(&cell.value, table.place(cell));
        }
    }
}

/// Returns where a TOML string's text starts in its file: exactly, when the
/// literal holds the text as it is (no escapes); else the whole literal.
fn toml_origin(file: FileRef, text: &str, value: &toml::Spanned<String>) -> Origin {
    let span = value.span();
    let literal = text.get(span.clone()).unwrap_or("");
    let inner = value.get_ref().as_str();
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(body) = literal
            .strip_prefix(quote)
            .and_then(|l| l.strip_suffix(quote))
        {
            let skipped = body.len() - body.trim_start_matches(['\r', '\n']).len();
            if quote.len() == 3 && &body[skipped..] == inner {
                return Origin::Exact(file, span.start + quote.len() + skipped);
            }
            if body == inner {
                return Origin::Exact(file, span.start + quote.len());
            }
        }
    }
    Origin::Cell(file, span.start, span.end)
}

/// A name folded for use as a key: Unicode lower case, as [`same_name`] compares.
fn folded(name: &str) -> String {
    name.trim().chars().flat_map(char::to_lowercase).collect()
}

/// The ids prose may mention: the report's findings, linked, and the drafts
/// left out of it, which are no finding to link to.
fn finding_ids(raw: &[findings::RawFinding], include_drafts: bool) -> markdown::FindingIds {
    let left_out = |f: &&findings::RawFinding| f.draft && !include_drafts;
    markdown::FindingIds::new(
        raw.iter().filter(|f| !left_out(f)).map(|f| f.id.clone()),
        raw.iter().filter(left_out).map(|f| f.id.clone()),
    )
}

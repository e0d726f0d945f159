//! Diagnostics: every problem found in the data or the templates, with its place.
//!
//! Each stage of the pipeline pushes [`Diagnostic`]s into a [`Diagnostics`]
//! collection instead of stopping at the first problem. The texts of the files
//! they point into live in a [`Sources`] map, so that data errors and template
//! errors are rendered the same way, with codespan-reporting, as typst does.

use std::io::{self, IsTerminal};
use std::ops::Range;

use codespan_reporting::diagnostic::{self as cs, LabelStyle};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};

/// Version of the JSON diagnostic format (`--diagnostic-format json`), see docs/diagnostics.md.
pub const JSON_VERSION: u32 = 1;

/// Index of a file in a [`Sources`] map.
pub type FileRef = usize;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Level {
    /// The report cannot be built.
    Error,
    /// The report builds, but something was probably not meant.
    Warning,
}

/// A place in a file: the file and a byte range in its text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    /// The file the range points into.
    pub file: FileRef,
    /// Byte range in the file's text.
    pub range: Range<usize>,
}

impl Place {
    /// Creates a place from a file and a byte range.
    pub fn new(file: FileRef, range: Range<usize>) -> Self {
        Self { file, range }
    }
}

/// One problem, with its place, an optional second place and hints.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// What is wrong, lowercase, without a final period.
    pub message: String,
    /// Where it is wrong; `None` for problems of a whole file or of no file.
    pub place: Option<Place>,
    /// Other places that explain the problem (e.g. the first of two duplicates).
    pub related: Vec<(Place, String)>,
    /// What to do about it.
    pub hints: Vec<String>,
    /// Changes that resolve it, as data (the hints say them in words).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixes: Vec<Fix>,
}

/// A change that resolves a diagnostic, as data: an editor offers it as a
/// quick fix (`auditpress lsp`), while the hints say it in words.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Fix {
    /// Put `with` in place of the text at `place`. A quoted value (a TOML
    /// string, a quoted CSV cell) keeps its quotes: see [`Fix::inside_quotes`].
    Replace {
        /// The text replaced.
        place: Place,
        /// Its replacement.
        with: String,
    },
    /// Add a word to the audit folder's words.txt.
    AddWord(String),
}

impl Fix {
    /// The bytes a replacement of `range` in `text` takes: inside the
    /// quotes when the range is a quoted value.
    pub fn inside_quotes(text: &str, range: Range<usize>) -> Range<usize> {
        match text.get(range.clone()) {
            Some(t) if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') => {
                range.start + 1..range.end - 1
            }
            _ => range,
        }
    }
}

impl Diagnostic {
    /// Creates an error at a place.
    pub fn error(place: Option<Place>, message: impl Into<String>) -> Self {
        Self {
            level: Level::Error,
            message: message.into(),
            place,
            related: Vec::new(),
            hints: Vec::new(),
            fixes: Vec::new(),
        }
    }

    /// Creates a warning at a place.
    pub fn warning(place: Option<Place>, message: impl Into<String>) -> Self {
        Self {
            level: Level::Warning,
            ..Self::error(place, message)
        }
    }
}

/// The texts of all files diagnostics may point into, by display name.
/// Serialised as its `(name, text)` pairs, so that a build's diagnostics
/// travel typed with the texts they point into.
#[derive(Default, serde::Serialize, serde::Deserialize)]
#[serde(from = "Vec<(String, String)>", into = "Vec<(String, String)>")]
pub struct Sources {
    files: SimpleFiles<String, String>,
    names: Vec<String>,
}

impl Sources {
    /// Adds a file's text under a display name and returns its reference.
    ///
    /// Hidden characters are masked in the snippets shown, so that a
    /// right-to-left override in the data cannot reorder the terminal's line.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileRef {
        let name = name.into();
        self.names.push(name.clone());
        self.files.add(name, mask_hidden(text.into()))
    }

    /// Returns a file's display name.
    pub fn name(&self, file: FileRef) -> &str {
        &self.names[file]
    }

    /// Returns the first file added under a display name.
    pub fn find(&self, name: &str) -> Option<FileRef> {
        self.names.iter().position(|n| n == name)
    }

    /// Returns a file's text.
    pub fn text(&self, file: FileRef) -> &str {
        self.files
            .get(file)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    /// The same files with the texts of only those diagnostics point into:
    /// what a build sends over a pipe (the other texts are left empty, so
    /// every file keeps its reference).
    pub fn pointed_into(&self, diagnostics: &Diagnostics) -> Sources {
        let used: std::collections::HashSet<FileRef> = diagnostics
            .iter()
            .flat_map(|d| d.place.iter().chain(d.related.iter().map(|(p, _)| p)))
            .map(|p| p.file)
            .collect();
        let mut out = Sources::default();
        for (i, name) in self.names.iter().enumerate() {
            out.add(
                name.clone(),
                if used.contains(&i) { self.text(i) } else { "" },
            );
        }
        out
    }

    /// Returns the 1-based line and column of a byte offset in a file.
    pub fn line_col(&self, file: FileRef, offset: usize) -> (usize, usize) {
        let text = self.text(file);
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }
}

impl Clone for Sources {
    fn clone(&self) -> Self {
        Vec::<(String, String)>::from(self).into()
    }
}

impl From<&Sources> for Vec<(String, String)> {
    fn from(sources: &Sources) -> Self {
        (0..sources.names.len())
            .map(|i| (sources.names[i].clone(), sources.text(i).to_string()))
            .collect()
    }
}

impl From<Sources> for Vec<(String, String)> {
    fn from(sources: Sources) -> Self {
        (&sources).into()
    }
}

impl From<Vec<(String, String)>> for Sources {
    fn from(files: Vec<(String, String)>) -> Self {
        let mut sources = Sources::default();
        for (name, text) in files {
            sources.add(name, text);
        }
        sources
    }
}

/// Replaces each hidden character by a visible one of the same UTF-8 length,
/// so byte offsets and columns stay right.
fn mask_hidden(text: String) -> String {
    if !crate::unicode::any_may_hide(&text) {
        return text;
    }
    text.chars()
        .map(|c| match (crate::unicode::may_hide(c), c.len_utf8()) {
            (false, _) => c,
            (true, 1) => '?',
            (true, 2) => '¿',
            (true, 3) => '\u{FFFD}',
            (true, _) => '\u{1F6AB}',
        })
        .collect()
}

/// Rounds a byte offset down to the start of the character it falls in.
fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Returns `did you mean X?` for the name closest to a misspelt word, with the
/// name written by `show` (e.g. quoted), if one is close enough to be meant.
pub fn did_you_mean(word: &str, names: &[&str], show: impl Fn(&str) -> String) -> Option<String> {
    closest(word, names).map(|n| format!("did you mean {}?", show(n)))
}

/// The name closest to a misspelt word, if one is close enough to be meant:
/// the name [`did_you_mean`] suggests.
pub fn closest<'a>(word: &str, names: &[&'a str]) -> Option<&'a str> {
    let lower = word.to_lowercase();
    names
        .iter()
        .map(|n| (strsim::levenshtein(&lower, &n.to_lowercase()), *n))
        .filter(|(d, n)| *d <= (n.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Writes a name in double quotes, for [`did_you_mean`].
pub fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

/// Writes a name in backticks, for [`did_you_mean`].
pub fn ticked(name: &str) -> String {
    format!("`{name}`")
}

/// A list of diagnostics, in the order they were found.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Diagnostics {
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.list.push(diagnostic);
    }

    /// Records an error.
    pub fn error(&mut self, place: Option<Place>, message: impl Into<String>) -> &mut Diagnostic {
        self.list.push(Diagnostic::error(place, message));
        self.list.last_mut().expect("just pushed")
    }

    /// Records a warning.
    pub fn warning(&mut self, place: Option<Place>, message: impl Into<String>) -> &mut Diagnostic {
        self.list.push(Diagnostic::warning(place, message));
        self.list.last_mut().expect("just pushed")
    }

    /// Tells whether any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(|d| d.level == Level::Error)
    }

    /// Returns the diagnostics.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.list.iter()
    }

    /// Keeps only the diagnostics for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.list.retain(keep);
    }

    /// Counts the diagnostics of a level.
    pub fn count(&self, level: Level) -> usize {
        self.list.iter().filter(|d| d.level == level).count()
    }

    /// Puts the diagnostics in the order a reader goes through the files:
    /// by file (in the order they were read), then line and column; those
    /// of no file last. Two at one place keep the order they were found in.
    pub fn sort_by_place(&mut self) {
        self.list.sort_by_key(|d| match &d.place {
            Some(p) => (0, p.file, p.range.start, p.range.end),
            None => (1, 0, 0, 0),
        });
    }
}

/// The closing line of a step's report, as cargo writes one: the count of
/// its errors and warnings (`could not build `x` due to 3 previous errors;
/// 2 warnings emitted`), or of its warnings alone; `None` when it found
/// nothing. `verb` says what could not be done; warnings are counted only
/// when they were shown.
pub fn closing(
    verb: &str,
    name: &str,
    diagnostics: &Diagnostics,
    warned: bool,
) -> Option<Diagnostic> {
    let count = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let errors = diagnostics.count(Level::Error);
    let warnings = if warned {
        diagnostics.count(Level::Warning)
    } else {
        0
    };
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(Diagnostic::warning(
            None,
            format!("`{name}` generated {}", count(w, "warning")),
        )),
        (e, 0) => Some(Diagnostic::error(
            None,
            format!(
                "could not {verb} `{name}` due to {}",
                count(e, "previous error")
            ),
        )),
        (e, w) => Some(Diagnostic::error(
            None,
            format!(
                "could not {verb} `{name}` due to {}; {} emitted",
                count(e, "previous error"),
                count(w, "warning")
            ),
        )),
    }
}

impl Diagnostic {
    /// Adds a hint in place.
    pub fn add_hint(&mut self, hint: impl Into<String>) -> &mut Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds a fix in place.
    pub fn add_fix(&mut self, fix: Fix) -> &mut Self {
        self.fixes.push(fix);
        self
    }

    /// Offers, as a fix, the name closest to a misspelt word (the one of
    /// [`did_you_mean`]) in place of the diagnostic's own place.
    pub fn fix_to_closest(&mut self, word: &str, names: &[&str]) -> &mut Self {
        if let (Some(place), Some(name)) = (self.place.clone(), closest(word, names)) {
            self.add_fix(Fix::Replace {
                place,
                with: name.to_string(),
            });
        }
        self
    }

    /// Adds a related place in place.
    pub fn add_related(&mut self, place: Place, label: impl Into<String>) -> &mut Self {
        self.related.push((place, label.into()));
        self
    }
}

/// Chooses colour the way ripgrep and typst do: only on a terminal, never with NO_COLOR.
pub fn color_choice() -> termcolor::ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if !no_color && io::stderr().is_terminal() {
        termcolor::ColorChoice::Auto
    } else {
        termcolor::ColorChoice::Never
    }
}

/// How diagnostics are written (`--diagnostic-format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Rendered with the offending line and a caret, as typst and rustc do.
    #[default]
    Human,
    /// One line each: `file:line:column: error: message`, hints in brackets.
    Short,
    /// One JSON object per line, for editors and CI annotations.
    Json,
}

/// Renders diagnostics to a writer in a format.
pub fn emit(
    out: &mut dyn termcolor::WriteColor,
    format: Format,
    sources: &Sources,
    diagnostics: &Diagnostics,
) -> io::Result<()> {
    for d in diagnostics.iter() {
        match format {
            Format::Human => emit_human(out, sources, d)?,
            Format::Short => writeln!(out, "{}", short(sources, d))?,
            Format::Json => writeln!(out, "{}", json(sources, d))?,
        }
    }
    Ok(())
}

/// Renders one diagnostic in the codespan style typst uses.
fn emit_human(
    out: &mut dyn termcolor::WriteColor,
    sources: &Sources,
    d: &Diagnostic,
) -> io::Result<()> {
    let config = term::Config {
        tab_width: 2,
        ..term::Config::default()
    };
    let severity = match d.level {
        Level::Error => cs::Severity::Error,
        Level::Warning => cs::Severity::Warning,
    };
    // A label on a long line (a CSV header of thousands of columns, a
    // minified file) is shown in a window of that line, not the whole of it.
    let mut view = snippet::Clipped::new(sources);
    let mut labels = Vec::new();
    if let Some(p) = &d.place {
        let (file, range) = view.label(p);
        labels.push(cs::Label::new(LabelStyle::Primary, file, range));
    }
    for (p, msg) in &d.related {
        let (file, range) = view.label(p);
        labels.push(cs::Label::new(LabelStyle::Secondary, file, range).with_message(msg.clone()));
    }
    let diagnostic = cs::Diagnostic::new(severity)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(d.hints.iter().map(|h| format!("hint: {h}")).collect());
    term::emit(out, &config, &view, &diagnostic).map_err(io::Error::other)
}

/// Snippets of bounded width: a label on a line longer than
/// [`snippet::LONG_LINE`] bytes is shown in a window of its line, with its
/// true line and column.
mod snippet {
    use std::ops::Range;

    use codespan_reporting::files::{Error, Files};

    use super::{FileRef, Place, Sources, floor_char_boundary};

    /// Longest line, in bytes, a snippet shows whole.
    pub const LONG_LINE: usize = 240;

    /// Bytes of a long line shown on each side of its label, and of the
    /// label itself at most.
    const AROUND: usize = 80;

    /// A window of one long line.
    struct Window {
        /// The file it is a window of.
        file: FileRef,
        /// Its text: the part of the line shown, with `…` where it was cut.
        text: String,
        /// Its 1-based line number in the file.
        line: usize,
        /// The 0-based column, in characters, of the window's first byte.
        column: usize,
        /// Bytes of the `…` the text starts with.
        lead: usize,
    }

    /// The files of a [`Sources`] map, and windows of some of their lines:
    /// file ids past the map's are windows.
    pub struct Clipped<'s> {
        sources: &'s Sources,
        windows: Vec<Window>,
    }

    impl<'s> Clipped<'s> {
        pub fn new(sources: &'s Sources) -> Self {
            Self {
                sources,
                windows: Vec::new(),
            }
        }

        /// The file id and range to label a place by: the place itself, or
        /// a window of its first line when that line, or its last, is long.
        pub fn label(&mut self, place: &Place) -> (usize, Range<usize>) {
            let text = self.sources.text(place.file);
            let start = floor_char_boundary(text, place.range.start.min(text.len()));
            let end = floor_char_boundary(text, place.range.end.clamp(start, text.len()));
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            let last_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
            let last_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            if line_end - line_start <= LONG_LINE && last_end - last_start <= LONG_LINE {
                return (place.file, start..end);
            }
            let shown_end = floor_char_boundary(text, end.min(line_end).min(start + AROUND));
            let from = floor_char_boundary(text, start.saturating_sub(AROUND).max(line_start));
            let mut to = (shown_end + AROUND).min(line_end);
            while !text.is_char_boundary(to) {
                to += 1;
            }
            let lead = if from > line_start { "…" } else { "" };
            let tail = if to < line_end { "…" } else { "" };
            let line = self.sources.line_col(place.file, start).0;
            self.windows.push(Window {
                file: place.file,
                text: format!("{lead}{}{tail}", &text[from..to]),
                line,
                column: text[line_start..from].chars().count(),
                lead: lead.len(),
            });
            let id = self.sources.names.len() + self.windows.len() - 1;
            (id, lead.len() + start - from..lead.len() + shown_end - from)
        }

        fn window(&self, id: usize) -> Option<&Window> {
            id.checked_sub(self.sources.names.len())
                .and_then(|i| self.windows.get(i))
        }
    }

    impl<'a> Files<'a> for Clipped<'_> {
        type FileId = usize;
        type Name = String;
        type Source = &'a str;

        fn name(&'a self, id: usize) -> Result<String, Error> {
            match self.window(id) {
                Some(w) => Ok(self.sources.name(w.file).to_string()),
                None => self.sources.files.name(id),
            }
        }

        fn source(&'a self, id: usize) -> Result<&'a str, Error> {
            match self.window(id) {
                Some(w) => Ok(&w.text),
                None => self.sources.files.source(id),
            }
        }

        fn line_index(&'a self, id: usize, byte: usize) -> Result<usize, Error> {
            match self.window(id) {
                Some(_) => Ok(0),
                None => self.sources.files.line_index(id, byte),
            }
        }

        fn line_number(&'a self, id: usize, line: usize) -> Result<usize, Error> {
            match self.window(id) {
                Some(w) => Ok(w.line + line),
                None => Ok(line + 1),
            }
        }

        fn column_number(&'a self, id: usize, line: usize, byte: usize) -> Result<usize, Error> {
            match self.window(id) {
                Some(w) => {
                    let inside = w.text.get(w.lead..byte.max(w.lead)).unwrap_or("");
                    Ok(w.column + inside.chars().count() + 1)
                }
                None => self.sources.files.column_number(id, line, byte),
            }
        }

        fn line_range(&'a self, id: usize, line: usize) -> Result<Range<usize>, Error> {
            match self.window(id) {
                Some(w) if line == 0 => Ok(0..w.text.len()),
                Some(_) => Err(Error::LineTooLarge {
                    given: line,
                    max: 0,
                }),
                None => self.sources.files.line_range(id, line),
            }
        }
    }
}

/// Returns the word for a level, as the formats print it.
fn level_word(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

/// Writes a diagnostic on one line: `file:line:column: error: message [hint: ...]`.
fn short(sources: &Sources, d: &Diagnostic) -> String {
    let mut line = String::new();
    if let Some(p) = &d.place {
        let (l, c) = sources.line_col(p.file, p.range.start);
        line.push_str(&format!("{}:{l}:{c}: ", sources.name(p.file)));
    }
    line.push_str(&format!("{}: {}", level_word(d.level), d.message));
    for hint in &d.hints {
        line.push_str(&format!(" [hint: {hint}]"));
    }
    line
}

/// A diagnostic as the JSON object of docs/diagnostics.md (version
/// [`JSON_VERSION`]), one per line under `--diagnostic-format json`; its
/// schema is tests/schemas/diagnostic.schema.json. The place's fields are
/// null for a problem of no file.
#[derive(Clone, Debug, serde::Serialize)]
pub struct JsonDiagnostic {
    /// This format's version.
    pub version: u32,
    /// `error` or `warning`.
    pub severity: JsonSeverity,
    /// What is wrong.
    pub message: String,
    /// The file, as named on the command line.
    pub file: Option<String>,
    /// 1-based line of the start.
    pub line: Option<usize>,
    /// 1-based column of the start, in characters.
    pub column: Option<usize>,
    /// 1-based line of the end.
    pub end_line: Option<usize>,
    /// 1-based column of the end (exclusive).
    pub end_column: Option<usize>,
    /// The place's first byte in the file as read.
    pub byte_start: Option<usize>,
    /// The byte after the place.
    pub byte_end: Option<usize>,
    /// Other places that explain the problem.
    pub labels: Vec<JsonLabel>,
    /// What to do.
    pub hints: Vec<String>,
}

/// How serious a diagnostic is, as JSON spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JsonSeverity {
    /// `error`: nothing is written.
    Error,
    /// `warning`: the report is built.
    Warning,
}

/// A place of a file in JSON: 1-based lines and columns, and the byte range.
#[derive(Clone, Debug, serde::Serialize)]
pub struct JsonPlace {
    /// The file, as named on the command line.
    pub file: String,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column of the start, in characters.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column of the end (exclusive).
    pub end_column: usize,
    /// The place's first byte in the file as read.
    pub byte_start: usize,
    /// The byte after the place.
    pub byte_end: usize,
}

/// A related place with what it says.
#[derive(Clone, Debug, serde::Serialize)]
pub struct JsonLabel {
    /// Where.
    #[serde(flatten)]
    pub place: JsonPlace,
    /// What it says about the problem.
    pub message: String,
}

impl JsonPlace {
    /// A place of `sources`, with lines and columns counted.
    fn of(sources: &Sources, p: &Place) -> Self {
        let (line, column) = sources.line_col(p.file, p.range.start);
        let (end_line, end_column) = sources.line_col(p.file, p.range.end);
        Self {
            file: sources.name(p.file).to_string(),
            line,
            column,
            end_line,
            end_column,
            byte_start: p.range.start,
            byte_end: p.range.end,
        }
    }
}

impl JsonDiagnostic {
    /// A diagnostic whose places are in `sources`.
    pub fn of(sources: &Sources, d: &Diagnostic) -> Self {
        let place = d.place.as_ref().map(|p| JsonPlace::of(sources, p));
        Self {
            version: JSON_VERSION,
            severity: match d.level {
                Level::Error => JsonSeverity::Error,
                Level::Warning => JsonSeverity::Warning,
            },
            message: d.message.clone(),
            file: place.as_ref().map(|p| p.file.clone()),
            line: place.as_ref().map(|p| p.line),
            column: place.as_ref().map(|p| p.column),
            end_line: place.as_ref().map(|p| p.end_line),
            end_column: place.as_ref().map(|p| p.end_column),
            byte_start: place.as_ref().map(|p| p.byte_start),
            byte_end: place.as_ref().map(|p| p.byte_end),
            labels: d
                .related
                .iter()
                .map(|(p, message)| JsonLabel {
                    place: JsonPlace::of(sources, p),
                    message: message.clone(),
                })
                .collect(),
            hints: d.hints.clone(),
        }
    }
}

/// Writes a diagnostic as one JSON object (the schema is in docs/diagnostics.md).
fn json(sources: &Sources, d: &Diagnostic) -> String {
    serde_json::to_string(&JsonDiagnostic::of(sources, d)).expect("a diagnostic serialises")
}

/// Renders diagnostics of no file (command-level errors) to standard error.
pub fn emit_stderr(format: Format, sources: &Sources, diagnostics: &Diagnostics) {
    let stream = termcolor::StandardStream::stderr(color_choice());
    let mut lock = stream.lock();
    // A broken stderr leaves nothing to report to.
    let _ = emit(&mut lock, format, sources, diagnostics);
}

/// Reports one warning of no file (a command-level warning) on standard error.
pub fn report_warning(format: Format, message: impl Into<String>, hint: Option<String>) {
    let mut diags = Diagnostics::default();
    let d = diags.warning(None, message);
    if let Some(h) = hint {
        d.add_hint(h);
    }
    emit_stderr(format, &Sources::default(), &diags);
}

/// Reports one error of no file (a command-level error) on standard error.
pub fn report_error(format: Format, message: impl Into<String>, hint: Option<String>) {
    let mut diags = Diagnostics::default();
    let d = diags.error(None, message);
    if let Some(h) = hint {
        d.add_hint(h);
    }
    emit_stderr(format, &Sources::default(), &diags);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_did_you_mean_is_a_fix_as_data_inside_the_quotes() {
        let mut d = Diagnostic::error(Some(Place::new(0, 11..17)), "unknown severity");
        d.fix_to_closest("Hihg", &["High", "Low"]);
        let with = |d: &Diagnostic| match d.fixes.as_slice() {
            [Fix::Replace { with, .. }] => Some(with.clone()),
            _ => None,
        };
        assert_eq!(with(&d).as_deref(), Some("High"));
        assert_eq!(
            did_you_mean("Hihg", &["High", "Low"], quoted).as_deref(),
            Some("did you mean \"High\"?")
        );
        // Nothing close: no fix, as no hint.
        let mut far = Diagnostic::error(Some(Place::new(0, 0..3)), "x");
        far.fix_to_closest("Zebra", &["High", "Low"]);
        assert_eq!(with(&far), None);
        let text = "severity = \"Hihg\"";
        assert_eq!(Fix::inside_quotes(text, 11..17), 12..16);
        assert_eq!(Fix::inside_quotes("key = 1", 0..3), 0..3);
    }

    fn render(sources: &Sources, diags: &Diagnostics) -> String {
        let mut out = termcolor::Buffer::no_color();
        emit(&mut out, Format::Human, sources, diags).unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    #[test]
    fn a_place_on_a_long_line_is_shown_in_a_window_with_its_true_column() {
        let line: String = (0..5000).map(|i| format!("c{i},")).collect();
        let text = format!("first\n{line}\nlast\n");
        let mut sources = Sources::default();
        let file = sources.add("wide.csv", text.clone());
        let at = text.find("c4000,").unwrap();
        let mut diags = Diagnostics::default();
        diags
            .error(Some(Place::new(file, at..at + 5)), "here")
            .add_related(Place::new(file, 6..8), "and here");
        let shown = render(&sources, &diags);
        let column = at - 6 + 1;
        assert!(shown.contains(&format!("wide.csv:2:{column}")), "{shown}");
        assert!(
            shown.contains("2 │ …") && shown.contains("c3990,c3991"),
            "{shown}"
        );
        assert!(
            shown.contains("wide.csv:2:1") && shown.contains("c0,c1,"),
            "{shown}"
        );
        assert!(shown.len() < 1200, "{} bytes:\n{shown}", shown.len());
        // A short line is shown whole, as before.
        let mut diags = Diagnostics::default();
        diags.error(Some(Place::new(file, 0..5)), "short");
        let shown = render(&sources, &diags);
        assert!(
            shown.contains("1 │ first\n") && shown.contains("^^^^^"),
            "{shown}"
        );
    }
}

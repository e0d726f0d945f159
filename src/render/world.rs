//! The typst World of one report: the only way the engine sees files, fonts and the date.
//!
//! It serves an allowlist and nothing else: the templates at `/<name>`, the
//! view at [`VIEW_PATH`](crate::view::VIEW_PATH), the images the data names at
//! `/assets/<n>.<ext>`, and the bundled fonts. Paths are fixed per report so
//! that file ids, which typst interns for the life of the process, are reused
//! across the reports of a batch instead of exhausted.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::fonts::FontSet;

/// Returns the file id of a virtual path in the project root.
pub fn file_id(path: &str) -> FileId {
    // Ours, or a template's name, which `templates::collect` refuses
    // when typst would not take it (a backslash).
    let vpath = VirtualPath::new(path).expect("our virtual paths are valid");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// The standard library, built once per process.
fn library() -> &'static LazyHash<Library> {
    static LIBRARY: LazyLock<LazyHash<Library>> =
        LazyLock::new(|| LazyHash::new(Library::builder().build()));
    &LIBRARY
}

/// A served file: its bytes and the name diagnostics show for it.
pub struct Served {
    /// Contents.
    pub bytes: Bytes,
    /// Name in diagnostics.
    pub display: String,
}

/// The World of one report.
pub struct ReportWorld {
    main: FileId,
    files: HashMap<FileId, Served>,
    sources: Mutex<HashMap<FileId, FileResult<Source>>>,
    fonts: FontSet,
    today: Datetime,
}

impl ReportWorld {
    /// Creates a World serving exactly the given files, by virtual path.
    pub fn new(main: &str, files: Vec<(String, Served)>, fonts: FontSet, today: Datetime) -> Self {
        Self {
            main: file_id(main),
            files: files
                .into_iter()
                .map(|(path, served)| (file_id(&path), served))
                .collect(),
            sources: Mutex::new(HashMap::new()),
            fonts,
            today,
        }
    }

    /// Returns the display name of a served file.
    pub fn display(&self, id: FileId) -> Option<&str> {
        self.files.get(&id).map(|s| s.display.as_str())
    }

    fn lookup(&self, id: FileId) -> FileResult<&Served> {
        if matches!(id.root(), VirtualRoot::Package(_)) {
            return Err(FileError::Other(Some(
                "packages are not available: auditpress templates work offline, without packages"
                    .into(),
            )));
        }
        self.files
            .get(&id)
            .ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        library()
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.get().book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let mut sources = self.sources.lock().expect("source cache lock");
        sources
            .entry(id)
            .or_insert_with(|| {
                let served = self.lookup(id)?;
                let text = std::str::from_utf8(served.bytes.as_slice())
                    .map_err(|_| FileError::InvalidUtf8)?;
                Ok(Source::new(
                    id,
                    text.trim_start_matches('\u{feff}').to_string(),
                ))
            })
            .clone()
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.lookup(id).map(|s| s.bytes.clone())
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

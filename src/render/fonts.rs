//! The bundled fonts, embedded in the binary so every build uses the same ones.
//!
//! Only these fonts, and those of the house style's `fonts/` folder, are ever
//! used: never the system's, so that a report looks the same, and has the
//! same bytes, on every machine. Their licences are in `fonts/` beside them.

use std::sync::LazyLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::model::style::FontFile;

macro_rules! fonts {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/", $name)))),*]
    };
}

/// The font files by name, in a fixed order so font indices are stable.
pub const FILES: &[(&str, &[u8])] = fonts!(
    "Inter-Regular.otf",
    "Inter-Italic.otf",
    "Inter-SemiBold.otf",
    "Inter-SemiBoldItalic.otf",
    "Inter-Bold.otf",
    "Inter-BoldItalic.otf",
    "JetBrainsMono-Regular.ttf",
    "JetBrainsMono-Italic.ttf",
    "JetBrainsMono-Bold.ttf",
);

/// The fonts and their book, loaded once per process and shared by every report.
pub struct Fonts {
    /// Metadata of every font; its indices are those of `fonts`.
    pub book: LazyHash<FontBook>,
    /// The faces.
    pub fonts: Vec<Font>,
}

/// Returns the process-wide fonts.
pub fn fonts() -> &'static Fonts {
    static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
        let fonts: Vec<Font> = FILES
            .iter()
            .flat_map(|(_, data)| Font::iter(Bytes::new(*data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    });
    &FONTS
}

/// The bundled fonts and a house style's, for one report.
pub enum FontSet {
    /// The bundled fonts alone.
    Bundled(&'static Fonts),
    /// The bundled fonts, then a style's.
    Extended(Fonts),
}

impl FontSet {
    /// The bundled fonts followed by the faces of a style's font files.
    pub fn new(extra: &[FontFile]) -> Self {
        if extra.is_empty() {
            return FontSet::Bundled(fonts());
        }
        let mut all = fonts().fonts.clone();
        for file in extra {
            all.extend(Font::iter(Bytes::new(file.bytes.as_ref().clone())));
        }
        FontSet::Extended(Fonts {
            book: LazyHash::new(FontBook::from_fonts(&all)),
            fonts: all,
        })
    }

    /// The fonts.
    pub fn get(&self) -> &Fonts {
        match self {
            FontSet::Bundled(f) => f,
            FontSet::Extended(f) => f,
        }
    }
}

/// Tells whether some bundled font has a glyph for a character.
pub fn covers(c: char) -> bool {
    fonts()
        .fonts
        .iter()
        .any(|f| f.info().coverage.contains(c as u32))
}

//! The fonts of a style folder's `fonts/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{self, Diagnostics, Place, Sources};
use crate::model::style::FontFile;

/// Largest font file read, in bytes.
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the fonts of a style's `fonts/` folder. A file that is not a font
/// (by its first bytes) is an error unless its name says it is a licence.
pub(super) fn fonts(
    dir: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<Vec<FontFile>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Some(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Everything but a folder is read, so that a FIFO or a device
        // among the fonts is refused by name, never skipped in silence.
        .filter(|p| {
            std::fs::symlink_metadata(p).is_ok_and(|m| !m.is_dir())
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    let errors = diags.count(diag::Level::Error);
    let mut out = Vec::new();
    let mut licensed = false;
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if is_licence(&name) {
            licensed = true;
            continue;
        }
        let shown = path.display().to_string();
        let mut fail = |message: String, hint: &str| {
            let file = sources.add(shown.clone(), String::new());
            diags
                .error(Some(Place::new(file, 0..0)), message)
                .add_hint(hint.to_string());
        };
        // One reader: a link that leaves the style folder is not followed
        // (a style passed between firms reads no file of the machine it
        // builds on), and nothing but a regular file is read.
        let read = crate::input::read_inside(dir, &path, MAX_FONT_BYTES);
        if let Err(crate::input::Refused::Outside { .. }) = read {
            fail(
                "this font links outside the style folder; it is not read".into(),
                "copy the font into fonts/ instead of linking to it",
            );
            continue;
        }
        if let Err(crate::input::Refused::TooLarge(_)) = read {
            fail(
                "font file is too large".into(),
                "fonts of a style are limited to 64 MiB each",
            );
            continue;
        }
        match read {
            Ok(bytes) if is_font(&bytes) => out.push(FontFile {
                path: shown,
                bytes: Arc::new(bytes),
            }),
            Ok(_) => fail(
                "not a font: fonts/ holds OpenType or TrueType fonts (.otf, .ttf, .otc, .ttc) and their licences".into(),
                "remove the file, or name a licence LICENSE, OFL.txt or *.txt",
            ),
            Err(refused) => {
                let (message, hint) = refused.explain("this font");
                fail(message, &hint);
            }
        }
    }
    if !out.is_empty() && !licensed {
        diags
            .warning(
                None,
                format!("{} has fonts but no licence file", dir.display()),
            )
            .add_hint("ship each font with its licence (e.g. OFL.txt) beside it");
    }
    (diags.count(diag::Level::Error) == errors).then_some(out)
}

/// Whether a file name is that of a licence or notice.
fn is_licence(name: &str) -> bool {
    ["license", "licence", "ofl", "copying", "notice", "readme"]
        .iter()
        .any(|p| name.starts_with(p))
        || name.ends_with(".txt")
        || name.ends_with(".md")
}

/// Whether bytes start as an OpenType or TrueType font or collection does.
fn is_font(bytes: &[u8]) -> bool {
    matches!(
        bytes.get(..4),
        Some(b"OTTO" | b"true" | b"ttcf" | [0, 1, 0, 0])
    )
}

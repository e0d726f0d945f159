//! The typst templates: embedded in the binary, overridable file by file.
//!
//! A firm restyles its reports by passing a folder (`--templates DIR` or
//! `templates = "DIR"` in audit.toml): every file in it replaces the embedded
//! file of the same path (`cover.typ`, `sections/maturity.typ`), or adds one
//! (a logo, say).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/", $name)))),*]
    };
}

/// The embedded template files, by path relative to templates/.
pub const EMBEDDED: &[(&str, &[u8])] = templates!(
    "report.typ",
    "style.typ",
    "strings.typ",
    "fonts.typ",
    "markdown.typ",
    "cover.typ",
    "sections/toc.typ",
    "sections/history.typ",
    "sections/executive-summary.typ",
    "sections/project-summary.typ",
    "sections/goals.typ",
    "sections/targets.typ",
    "sections/coverage.typ",
    "sections/threat-model.typ",
    "sections/automated-testing.typ",
    "sections/maturity.typ",
    "sections/acknowledgements.typ",
    "summary.typ",
    "findings.typ",
    "appendices.typ",
);

/// Template files earlier versions had, and where their parts are now: an
/// override of one of them would otherwise be ignored without a word.
pub const RETIRED: &[(&str, &str)] = &[(
    "front.typ",
    "the front sections are one file each now: sections/toc.typ, history.typ, executive-summary.typ, project-summary.typ, goals.typ, targets.typ, coverage.typ, threat-model.typ, automated-testing.typ, maturity.typ, acknowledgements.typ; move each override into its file",
)];

/// The entry file every report compiles.
pub const MAIN: &str = "report.typ";

/// A template file and where it came from.
#[derive(Clone)]
pub struct TemplateFile {
    /// Path relative to the template folder, `/`-separated, served at `/<name>`.
    pub name: String,
    /// Name shown in diagnostics: `templates/x.typ (embedded)` or the override's path.
    pub display: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// Largest override file read, in bytes.
const MAX_TEMPLATE_BYTES: u64 = 32 * 1024 * 1024;

/// A template folder's file that is not read, and why.
#[derive(Debug)]
pub struct Refused {
    /// The file (or folder) as found.
    pub path: PathBuf,
    /// What is wrong with it.
    pub message: String,
    /// What to do.
    pub hint: String,
}

impl Refused {
    fn new(path: &Path, refused: &crate::input::Refused) -> Self {
        let shown = path.display().to_string();
        let dangling = matches!(refused, crate::input::Refused::NotFound)
            && fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        let (message, hint) = if dangling {
            (
                format!("{shown} is a link to a file that does not exist"),
                "remove the link, or copy the file it meant into the folder".to_string(),
            )
        } else {
            refused.explain(&shown)
        };
        Self {
            path: path.to_path_buf(),
            message,
            hint,
        }
    }
}

/// Returns the embedded templates with, laid over them file by file, a house
/// style folder's `templates/` and logo, then an override folder's files.
/// Every file is read through [`crate::input`]: a regular file inside its
/// folder once links are resolved (a style passed between firms never reads
/// a file of the machine it builds on), of at most [`MAX_TEMPLATE_BYTES`].
pub fn collect(
    style: Option<&Path>,
    overrides: Option<&Path>,
) -> Result<Vec<TemplateFile>, Refused> {
    let mut files: Vec<TemplateFile> = EMBEDDED
        .iter()
        .map(|(name, bytes)| TemplateFile {
            name: name.to_string(),
            display: format!("templates/{name} (embedded)"),
            bytes: bytes.to_vec(),
        })
        .collect();
    if let Some(style) = style {
        let templates = style.join("templates");
        if templates.is_dir() {
            lay_over(&mut files, &templates, "")?;
        }
        // The HTML templates and stylesheet (`html/report.css`), beside typst's.
        let html = style.join("html");
        if html.is_dir() {
            lay_over(&mut files, &html, "html/")?;
        }
        if let Some(logo) = LOGO_NAMES
            .iter()
            .map(|n| style.join(n))
            .find(|p| fs::symlink_metadata(p).is_ok())
        {
            let bytes = crate::input::read_inside(style, &logo, MAX_TEMPLATE_BYTES)
                .map_err(|r| Refused::new(&logo, &r))?;
            files.push(TemplateFile {
                name: logo
                    .file_name()
                    .expect("a file name")
                    .to_string_lossy()
                    .into_owned(),
                display: logo.display().to_string(),
                bytes,
            });
        }
    }
    if let Some(dir) = overrides {
        // One logo: the override folder's replaces the style's, whatever its format.
        if LOGO_NAMES.iter().any(|n| dir.join(n).is_file()) {
            files.retain(|f| !LOGO_NAMES.contains(&f.name.as_str()));
        }
        lay_over(&mut files, dir, "")?;
    }
    Ok(files)
}

/// Lays a folder's files over the templates, file by file, each named by
/// its path in the folder after `prefix`.
fn lay_over(files: &mut Vec<TemplateFile>, dir: &Path, prefix: &str) -> Result<(), Refused> {
    let folder = |e: io::Error| Refused {
        path: dir.to_path_buf(),
        message: format!("cannot read template folder {} ({e})", dir.display()),
        hint: "check the path of the template folder".to_string(),
    };
    let root = fs::canonicalize(dir).map_err(folder)?;
    for (name, path) in files_under(&root, &root, 0).map_err(folder)? {
        // typst refuses a backslash in a path (it is Windows' separator):
        // such a file could never be imported, and its path never made.
        if name.contains('\\') {
            return Err(Refused {
                message: format!(
                    "template file {} has a backslash in its name, which typst does not accept in a path",
                    path.display()
                ),
                hint: "rename the file without a backslash (import it by its new name)".to_string(),
                path,
            });
        }
        let bytes = crate::input::read_inside(&root, &path, MAX_TEMPLATE_BYTES)
            .map_err(|r| Refused::new(&path, &r))?;
        let name = format!("{prefix}{name}");
        let file = TemplateFile {
            display: path.display().to_string(),
            bytes,
            name: name.clone(),
        };
        match files.iter_mut().find(|f| f.name == name) {
            Some(slot) => *slot = file,
            None => files.push(file),
        }
    }
    Ok(())
}

/// Deepest folder of an override folder that is read (`sections/` is one level).
const MAX_DEPTH: usize = 2;

/// Lists the files under a folder, sorted, as (`/`-separated relative name, path);
/// hidden files and folders are skipped.
fn files_under(root: &Path, dir: &Path, depth: usize) -> io::Result<Vec<(String, PathBuf)>> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        let Some(file_name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if file_name.starts_with('.') {
            continue;
        }
        // A link to a folder is listed as a file, for the reader to refuse.
        if path.is_dir() && !path.is_symlink() {
            if depth + 1 < MAX_DEPTH {
                out.extend(files_under(root, &path, depth + 1)?);
            }
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        out.push((name, path));
    }
    Ok(out)
}

/// File names a firm's logo may have in the template folder, in order of preference.
const LOGO_NAMES: &[&str] = &["logo.svg", "logo.png", "logo.jpg", "logo.jpeg"];

/// Whether a template file is a logo (an image, cleaned as the folder's images are).
pub fn is_logo(name: &str) -> bool {
    LOGO_NAMES.contains(&name)
}

/// Returns the virtual path of the logo among the template files, if there is one.
pub fn logo(files: &[TemplateFile]) -> Option<String> {
    LOGO_NAMES
        .iter()
        .find(|n| files.iter().any(|f| f.name == **n))
        .map(|n| format!("/{n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_the_templates_folder_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk: Vec<String> = files_under(&dir, &dir, 0)
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|n| n.ends_with(".typ"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}

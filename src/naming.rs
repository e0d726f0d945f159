//! Output naming: where each report's PDF goes, and who claimed which file.
//!
//! A report's PDF goes inside its folder as `<title>-<subtitle>-v<version>.pdf`
//! (beside audit.toml), to a file or folder named on the command line, or to a
//! name template of a batch file (`out/{project}-{version}-{classification}.pdf`).
//! Two folders never write the same file unless told to: a copy of a folder
//! (a v2, the old side of a `diff`) writes into itself, never over the
//! original's PDF. Two reports of one run never write the same file either:
//! each claims its path first.
//!
//! [`default_output`] is the one place the default is decided.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::model::Audit;

/// Placeholders an output name template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "project",
    "title",
    "subtitle",
    "version",
    "classification",
    "date",
    "folder",
];

/// Where a report's PDF goes.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub enum Destination {
    /// `<title>-<subtitle>-v<version>.pdf` inside the audit folder.
    #[default]
    InFolder,
    /// This file.
    File(PathBuf),
    /// A name template such as `out/{project}-{version}-{classification}.pdf`.
    Template(String),
}

impl Destination {
    /// Returns the path for a loaded audit, creating a template's folders.
    pub fn resolve(&self, dir: &Path, audit: &Audit) -> std::io::Result<PathBuf> {
        match self {
            Destination::File(path) if names_folder(path) => {
                create_folder(path)?;
                Ok(path.join(default_name(audit)))
            }
            Destination::File(path) => {
                create_parent(path).map_err(|e| {
                    std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
                })?;
                Ok(path.clone())
            }
            Destination::InFolder => Ok(default_output(dir, audit)),
            Destination::Template(template) => {
                let path = PathBuf::from(expand(template, dir, audit));
                create_parent(&path)?;
                Ok(path)
            }
        }
    }

    /// The file of a report's document in the format of `extension`, from
    /// the path this destination resolved to: a file named with `-o` or a
    /// batch template keeps its name for the first format; the default name
    /// takes the format's extension, and so does every further format's
    /// file, beside the first (`x.pdf`, `x.docx`).
    pub fn document_path(&self, resolved: &Path, first: bool, extension: &str) -> PathBuf {
        let named = match self {
            Destination::File(path) => !names_folder(path),
            Destination::Template(_) => true,
            Destination::InFolder => false,
        };
        if first && named {
            resolved.to_path_buf()
        } else {
            resolved.with_extension(extension)
        }
    }
}

/// Whether `-o` names a folder to write into with the default name: a
/// folder that exists, or a path ending in a separator (`-o out/`).
fn names_folder(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    text.ends_with(std::path::MAIN_SEPARATOR) || text.ends_with('/') || path.is_dir()
}

/// Creates the folder a file goes into, as `batch` does for its templates.
fn create_parent(path: &Path) -> std::io::Result<()> {
    match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => create_folder(parent),
        None => Ok(()),
    }
}

/// Creates a folder and those above it; an error names the folder.
fn create_folder(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder).map_err(|e| {
        // A file in the way says "File exists": say what is wrong instead.
        let blocker = folder.ancestors().find(|a| a.is_file());
        let why = match blocker {
            Some(file) => format!("{} is a file, not a folder", file.display()),
            None => e.to_string(),
        };
        std::io::Error::new(
            e.kind(),
            format!("cannot create the folder {} ({why})", folder.display()),
        )
    })
}

/// Returns the default output path: `<title>-<subtitle>-v<version>.pdf`
/// inside the audit folder, beside audit.toml. Inside, not beside: two
/// copies of a folder in one parent would otherwise write the same file.
pub fn default_output(dir: &Path, audit: &Audit) -> PathBuf {
    dir.join(default_name(audit))
}

/// Returns the default file name of a report: `<title>-<subtitle>-v<version>.pdf`.
pub fn default_name(audit: &Audit) -> String {
    let meta = &audit.meta;
    format!(
        "{}-v{}.pdf",
        slug(&format!("{} {}", meta.title, meta.subtitle)),
        slug(&meta.version)
    )
}

/// Lowercases text and keeps letters, digits and dots, joined by single
/// dashes. A dot is kept only after a letter or digit, so that no slug is
/// `..` or hidden: a title or version of `..` cannot lead out of a folder.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == '.' {
            if out.chars().last().is_some_and(char::is_alphanumeric) {
                out.push('.');
            }
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Checks an output name template; returns the first unknown placeholder.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(after.to_string());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(name.to_string());
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Fills an output name template from a loaded (and overridden) audit.
pub fn expand(template: &str, dir: &Path, audit: &Audit) -> String {
    let meta = &audit.meta;
    let folder = std::fs::canonicalize(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let values = [
        ("project", slug(&meta.title)),
        ("title", slug(&meta.title)),
        ("subtitle", slug(&meta.subtitle)),
        ("version", slug(&meta.version)),
        ("classification", slug(&meta.classification)),
        ("date", meta.date.to_string()),
        ("folder", slug(&folder)),
    ];
    values.iter().fold(template.to_string(), |acc, (k, v)| {
        acc.replace(&format!("{{{k}}}"), v)
    })
}

/// Who writes which output file, so that two reports never write the same one.
pub trait Claims: Sync {
    /// Records that a report writes a path; returns the report that already does, if any.
    fn claim(&self, path: &Path, name: &str) -> Option<String>;

    /// Whether whoever asked for the report still waits for it; checked
    /// just before the output is put in place (a worker whose parent is gone
    /// writes nothing).
    fn still_wanted(&self) -> bool {
        true
    }
}

/// The claims of one process.
#[derive(Default)]
pub struct OutputClaims(Mutex<HashMap<PathBuf, String>>);

impl Claims for OutputClaims {
    fn claim(&self, path: &Path, name: &str) -> Option<String> {
        let key = std::fs::canonicalize(path.parent().unwrap_or(Path::new(".")))
            .map(|p| p.join(path.file_name().unwrap_or_default()))
            .unwrap_or_else(|_| path.to_path_buf());
        let mut claimed = self.0.lock().expect("claims lock");
        match claimed.get(&key) {
            Some(other) => Some(other.clone()),
            None => {
                claimed.insert(key, name.to_string());
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Destination, check_template, slug};
    use std::path::{Path, PathBuf};

    #[test]
    fn a_named_file_keeps_its_name_and_further_formats_go_beside_it() {
        let named = Destination::File(PathBuf::from("out/final"));
        let resolved = Path::new("out/final");
        assert_eq!(named.document_path(resolved, true, "pdf"), resolved);
        assert_eq!(
            named.document_path(resolved, false, "docx"),
            Path::new("out/final.docx")
        );
        let beside = Destination::InFolder;
        let resolved = Path::new("/a/flux-security-v1.0.pdf");
        assert_eq!(beside.document_path(resolved, true, "pdf"), resolved);
        assert_eq!(
            beside.document_path(resolved, true, "html"),
            Path::new("/a/flux-security-v1.0.html")
        );
    }

    #[test]
    fn slugs_keep_words_and_version_dots() {
        assert_eq!(slug("Flux Security Assessment"), "flux-security-assessment");
        assert_eq!(slug("2.0"), "2.0");
        assert_eq!(slug(".."), "");
        assert_eq!(slug("../../.hidden"), "hidden");
        assert_eq!(slug("  a/b  c "), "a-b-c");
    }

    #[test]
    fn output_templates_name_known_placeholders_only() {
        assert!(check_template("out/{project}-{version}-{classification}.pdf").is_ok());
        assert_eq!(
            check_template("{project}-{clasification}.pdf"),
            Err("clasification".into())
        );
    }
}

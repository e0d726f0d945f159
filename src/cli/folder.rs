//! Which audit folder a command means: the one given, the folder of a file
//! given (`audit.toml`, `findings.csv`), or, when none is given, the audit
//! folder the command runs in, as cargo finds its Cargo.toml.

use std::path::{Path, PathBuf};

use super::Usage;

/// The file that makes a folder an audit folder.
const MARKER: &str = "audit.toml";

/// The audit folders of a command: those given, each a file's folder when a
/// file of an audit folder is given; none given means the one here.
pub(super) fn folders(given: Vec<PathBuf>, command: &str) -> Result<Vec<PathBuf>, Usage> {
    if given.is_empty() {
        return Ok(vec![here(command)?]);
    }
    Ok(given.into_iter().map(folder_of).collect())
}

/// The audit folder of a command that reads one: the one given, or the one here.
pub(super) fn folder(given: Option<PathBuf>, command: &str) -> Result<PathBuf, Usage> {
    match given {
        Some(path) => Ok(folder_of(path)),
        None => here(command),
    }
}

/// A path as the folder it means: `data/example/audit.toml` (or any file
/// beside an audit.toml, such as findings.csv) means `data/example`.
pub(super) fn folder_of(path: PathBuf) -> PathBuf {
    if !path.is_file() {
        return path;
    }
    match path.parent() {
        Some(parent) if parent.as_os_str().is_empty() && Path::new(MARKER).is_file() => {
            PathBuf::from(".")
        }
        Some(parent) if parent.join(MARKER).is_file() => parent.to_path_buf(),
        _ => path,
    }
}

/// The audit folder the command runs in: the current folder when it holds an
/// audit.toml, else the nearest folder above it that does (as `..`, `../..`).
fn here(command: &str) -> Result<PathBuf, Usage> {
    let cwd = std::env::current_dir().map_err(|e| Usage {
        message: format!("no audit folder given, and the current folder cannot be read ({e})"),
        hint: Some(format!("give the folder: auditpress {command} DIR")),
    })?;
    let mut relative = PathBuf::from(".");
    for (up, folder) in cwd.ancestors().enumerate() {
        if folder.join(MARKER).is_file() {
            return Ok(relative);
        }
        relative = if up == 0 {
            PathBuf::from("..")
        } else {
            relative.join("..")
        };
    }
    Err(Usage {
        message: format!(
            "no audit folder given, and there is no audit.toml in {} or any folder above it",
            cwd.display()
        ),
        hint: Some(format!(
            "give the folder (auditpress {command} DIR), or run this inside an audit folder; \
             `auditpress init DIR` writes a new one"
        )),
    })
}

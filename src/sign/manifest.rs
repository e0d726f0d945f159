//! A manifest of written files: `SHA256SUMS` in the format `sha256sum -c`
//! reads, and its detached CMS signature `SHA256SUMS.p7s`, which
//! `openssl cms -verify -binary -inform DER -content SHA256SUMS` checks.
//!
//! Beside them, `manifest.json` says what was built: each report's name, file
//! and digest, the source commit when the folder is in git, and the versions
//! of auditpress and typst.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Key, cms};

/// The name of the checksum file.
pub const SUMS: &str = "SHA256SUMS";
/// The name of its detached signature.
pub const SIGNATURE: &str = "SHA256SUMS.p7s";
/// The name of the description beside them.
pub const DESCRIPTION: &str = "manifest.json";

/// One file of a manifest.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// The report's name (its folder), or the file's for others.
    pub report: String,
    /// The file, relative to the manifest's folder.
    pub file: String,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
    /// The commit of the report's folder, when it is in a git repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

/// What `manifest.json` holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Description {
    /// The version of auditpress that built the files.
    pub auditpress: String,
    /// The version of typst it embeds.
    pub typst: String,
    /// The files, in the order of `SHA256SUMS`.
    pub files: Vec<Entry>,
}

/// The SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The text of `SHA256SUMS`, as `sha256sum -c` reads it.
pub fn sums(entries: &[Entry]) -> String {
    entries.iter().fold(String::new(), |mut out, e| {
        let _ = writeln!(out, "{}  {}", e.sha256, e.file);
        out
    })
}

/// The detached CMS signature of `content`.
pub fn sign(content: &[u8], key: &Key) -> Result<Vec<u8>, String> {
    cms::signed_data(&Sha256::digest(content), key)
}

/// Checks a detached CMS signature of `content`.
pub fn verify(content: &[u8], signature: &[u8]) -> Result<cms::Verified, String> {
    cms::verify(signature, &Sha256::digest(content))
}

/// The commit checked out in the git repository holding `dir`, read from
/// `.git` without running git.
pub fn git_commit(dir: &Path) -> Option<String> {
    let dir = dir.canonicalize().ok()?;
    let git = dir
        .ancestors()
        .map(|d| d.join(".git"))
        .find(|g| g.is_dir())?;
    let head = std::fs::read_to_string(git.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref: ") else {
        return Some(head.to_string()).filter(|h| is_hash(h));
    };
    if let Ok(hash) = std::fs::read_to_string(git.join(reference)) {
        return Some(hash.trim().to_string()).filter(|h| is_hash(h));
    }
    let packed = std::fs::read_to_string(git.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (hash, name) = line.split_once(' ')?;
        (name == reference && is_hash(hash)).then(|| hash.to_string())
    })
}

fn is_hash(text: &str) -> bool {
    (40..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// One line of `SHA256SUMS` checked against the file it names.
pub struct Checked {
    /// The file named.
    pub file: PathBuf,
    /// None when it matches, else what is wrong.
    pub problem: Option<String>,
}

/// Checks the files `SHA256SUMS` names, relative to its folder.
pub fn check_sums(sums_path: &Path, text: &str) -> Result<Vec<Checked>, String> {
    let folder = sums_path.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let (hash, name) = line
            .split_once("  ")
            .ok_or_else(|| format!("{}:{}: not a `HASH  FILE` line", sums_path.display(), n + 1))?;
        if name.starts_with('/') || name.split('/').any(|p| p == "..") {
            return Err(format!(
                "{}:{}: {name} lies outside the manifest's folder",
                sums_path.display(),
                n + 1
            ));
        }
        let file = folder.join(name);
        let problem = match std::fs::read(&file) {
            Ok(bytes) if sha256_hex(&bytes) == hash => None,
            Ok(_) => Some("changed since the manifest was made".to_string()),
            Err(e) => Some(format!("cannot be read ({e})")),
        };
        out.push(Checked { file, problem });
    }
    Ok(out)
}

/// The version of typst embedded (Cargo.toml pins it with `=`).
pub const TYPST_VERSION: &str = "0.15.1";

#[cfg(test)]
mod tests {
    #[test]
    fn the_typst_version_is_the_one_cargo_toml_pins() {
        let manifest = include_str!("../../Cargo.toml");
        assert!(manifest.contains(&format!("typst = \"={}\"", super::TYPST_VERSION)));
    }
}

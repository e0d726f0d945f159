//! Helpers shared by the end-to-end tests: running the binary, temporary copies
//! of fixtures, and reading PDFs with poppler as a user would.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Returns the repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Returns the example audit of the README.
pub fn example() -> PathBuf {
    root().join("data/example")
}

/// Returns a fixture folder under tests/fixtures.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// Copies an audit folder into a fresh temporary folder, so builds never write into the repository.
pub fn workspace(src: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = tmp.path().join("audit");
    copy_dir(src, &dir);
    (tmp, dir)
}

/// Copies a folder recursively.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs auditpress without colour and without SOURCE_DATE_EPOCH.
pub fn run(args: &[&OsStr]) -> Output {
    run_env(args, &[])
}

/// Runs auditpress with extra environment variables.
pub fn run_env(args: &[&OsStr], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditpress"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("auditpress runs")
}

/// Returns standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Returns the text layer of a PDF, as poppler's pdftotext extracts it.
pub fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8(out.stdout).expect("pdftotext prints UTF-8")
}

/// Returns what poppler's pdfinfo says of a PDF, with ISO dates.
pub fn pdf_info(pdf: &Path) -> String {
    let out = Command::new("pdfinfo")
        .args(["-isodates".as_ref(), pdf.as_os_str()])
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Removes all whitespace, for text that a PDF may wrap across lines.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Asserts that the needles appear in the text in this order.
pub fn assert_in_order(text: &str, needles: &[&str]) {
    let mut from = 0;
    for needle in needles {
        match text[from..].find(needle) {
            Some(at) => from += at + needle.len(),
            None => panic!("{needle:?} missing or out of order after byte {from} in:\n{text}"),
        }
    }
}

/// Asserts that stderr holds a diagnostic with this message, located at `file:line:col`.
pub fn assert_diagnostic(stderr: &str, place: &str, message: &str) {
    let found = stderr.split("\n\n").any(|block| {
        block.contains(message)
            && block
                .lines()
                .any(|l| l.contains("┌─") && l.trim_end().ends_with(place))
    });
    assert!(found, "no diagnostic {message:?} at {place} in:\n{stderr}");
}

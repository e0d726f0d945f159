//! The Word deliverable (issue 39): read back as its users' tools read it,
//! python-docx and pandoc, and compared with the PDF of the same build.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// Builds a folder with `--format`, `-o <parent>/<name>.pdf`; asserts success.
fn build_formats(dir: &Path, name: &str, formats: &str) -> (PathBuf, String) {
    let pdf = dir.parent().unwrap().join(format!("{name}.pdf"));
    let out = build_to(dir, &pdf, &["--format", formats]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    (pdf.with_extension("docx"), stderr(&out))
}

/// What python-docx reads in a Word document (tests/tools/docx_tool.py).
fn read_docx(python: &Path, docx: &Path) -> serde_json::Value {
    let out = Command::new(python)
        .arg(root().join("tests/tools/docx_tool.py"))
        .arg("read")
        .arg(docx)
        .output()
        .unwrap();
    assert!(out.status.success(), "python-docx: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The text pandoc reads in a Word document.
fn pandoc_plain(docx: &Path) -> Option<String> {
    let out = Command::new("pandoc")
        .args(["-f", "docx", "-t", "plain", "--wrap=none"])
        .arg(docx)
        .output();
    let Ok(out) = out else {
        tool_missing("pandoc");
        return None;
    };
    assert!(out.status.success(), "pandoc: {}", stderr(&out));
    Some(String::from_utf8(out.stdout).unwrap())
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap_or_default().to_string())
        .collect()
}

/// The headings of a document as `level text`, whitespace squashed.
fn docx_headings(read: &serde_json::Value) -> Vec<String> {
    read["headings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| format!("{} {}", h[0], squash(h[1].as_str().unwrap())))
        .collect()
}

#[test]
fn the_example_reads_back_in_python_docx_and_pandoc() {
    let Some(python) = python_tool("python", "docx") else {
        return;
    };
    let (_tmp, dir) = workspace(&example());
    let (docx, _) = build_formats(&dir, "report", "docx");
    let read = read_docx(&python, &docx);
    let view = view_json(&dir);
    let headings = strings(&serde_json::json!(
        read["headings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h[1].clone())
            .collect::<Vec<_>>()
    ));
    // Every finding's heading is a paragraph in a Heading style, bookmarked
    // by its id, and every link inside the document reaches a bookmark.
    let bookmarks = strings(&read["bookmarks"]);
    for f in view["findings"].as_array().unwrap() {
        let title = f["title_text"].as_str().unwrap();
        assert!(
            headings.iter().any(|h| h.contains(title)),
            "no heading for {title}: {headings:?}"
        );
        let mark = format!("finding-{}", f["id"].as_str().unwrap());
        assert!(bookmarks.contains(&mark), "no bookmark {mark}");
    }
    for anchor in strings(&read["links"]["internal"]) {
        assert!(
            bookmarks.contains(&anchor),
            "link to {anchor}, no such bookmark"
        );
    }
    // Tables repeat their header rows; web links are relationships.
    let tables = read["tables"].as_array().unwrap();
    assert!(
        tables
            .iter()
            .filter(|t| t["header_repeats"] == true)
            .count()
            >= 5
    );
    let external = strings(&read["links"]["external"]);
    assert!(
        external.iter().any(|u| u.starts_with("https://")),
        "{external:?}"
    );
    assert!(
        external
            .iter()
            .all(|u| !u.to_lowercase().starts_with("javascript:"))
    );
    // Every picture: its own id and alternative text (the charts', from the counts).
    let pictures = read["pictures"].as_array().unwrap();
    assert!(pictures.len() >= 2, "{pictures:?}");
    let mut ids: Vec<&str> = pictures.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(
        pictures
            .iter()
            .all(|p| !p["descr"].as_str().unwrap_or("").trim().is_empty())
    );
    assert!(pictures.iter().any(|p| {
        p["descr"]
            .as_str()
            .unwrap()
            .starts_with("Findings by severity: ")
    }));
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        pictures.len(),
        "picture ids repeat: {pictures:?}"
    );
    // A second reader.
    if let Some(text) = pandoc_plain(&docx) {
        for f in view["findings"].as_array().unwrap() {
            assert!(text.contains(f["title_text"].as_str().unwrap()));
        }
    }
}

#[test]
fn a_rebuild_gives_the_same_word_document() {
    let (_tmp, dir) = workspace(&example());
    let (first, _) = build_formats(&dir, "a", "docx");
    let (second, _) = build_formats(&dir, "b", "docx");
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap()
    );
}

#[test]
fn hostile_titles_are_text_in_the_word_document() {
    let Some(python) = python_tool("python", "docx") else {
        return;
    };
    let (_tmp, dir) = workspace(&fixture("hostile"));
    let (docx, _) = build_formats(&dir, "report", "docx");
    let read = read_docx(&python, &docx);
    let view = view_json(&dir);
    let headings = docx_headings(&read);
    for f in view["findings"].as_array().unwrap() {
        let title = squash(f["title_text"].as_str().unwrap());
        assert!(
            headings.iter().any(|h| h.contains(&title)),
            "{title} not literal in {headings:?}"
        );
    }
}

#[test]
fn a_reference_docx_gives_its_styles_and_a_missing_style_is_one_warning() {
    let Some(python) = python_tool("python", "docx") else {
        return;
    };
    let (_tmp, dir) = example_folder("pentest");
    let (own, _) = build_formats(&dir, "own", "docx");
    let style = dir.parent().unwrap().join("style");
    assert!(style.is_dir());
    let make = |args: &[&str]| {
        let out = Command::new(&python)
            .arg(root().join("tests/tools/docx_tool.py"))
            .arg("reference")
            .arg(&own)
            .arg(style.join("reference.docx"))
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    };
    make(&["--font", "Georgia"]);
    let (docx, err) = build_formats(&dir, "georgia", "docx");
    assert!(!err.contains("warning"), "{err}");
    assert_eq!(read_docx(&python, &docx)["heading1_font"], "Georgia");

    make(&["--drop", "Hyperlink"]);
    let (docx, err) = build_formats(&dir, "lacking", "docx");
    let message =
        "has no style \"Hyperlink\", which the Word document uses; auditpress's own is used";
    assert_eq!(err.matches(message).count(), 1, "{err}");
    assert_eq!(count_level(&err, "warning"), 1, "{err}");
    assert!(err.contains("/style/reference.docx has no style"), "{err}");
    assert!(
        read_docx(&python, &docx)["links"]["external"]
            .as_array()
            .unwrap()
            .len()
            > 1
    );
}

/// The PDF's outline entries as `level text`, whitespace squashed.
fn pdf_headings(pdf: &Path) -> Vec<String> {
    outline(pdf)
        .iter()
        .map(|line| {
            let depth = (line.len() - line.trim_start().len()) / 2;
            format!("{} {}", depth + 1, squash(line))
        })
        .collect()
}

/// The headings and element ids of an HTML page (tests/tools/docx_tool.py).
fn read_html(python: &Path, html: &Path) -> serde_json::Value {
    let out = Command::new(python)
        .arg(root().join("tests/tools/docx_tool.py"))
        .arg("html")
        .arg(html)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Whether a word is a heading's number as typst prints it: `7`, `7.1.1`.
fn is_number(word: &str) -> bool {
    word.split('.')
        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `part` is `whole` with some items left out, in the same order.
fn in_order(part: &[String], whole: &[String]) -> Option<String> {
    let mut rest = whole.iter();
    part.iter()
        .find(|p| !rest.any(|w| w == *p))
        .map(|missing| format!("{missing:?} missing or out of order"))
}

#[test]
fn the_three_formats_hold_the_same_headings_and_findings_in_order() {
    let Some(python) = python_tool("python", "docx") else {
        return;
    };
    let folders = [
        ("example", workspace(&example())),
        ("curl", workspace(&fixture("curl-2022"))),
        ("pentest", example_folder("pentest")),
        // Its style numbers the headings (`headings = "1.1"`): "1
        // Document History", "7.1.1 [H-1] ...", in all three.
        ("smart-contract", example_folder("smart-contract")),
    ];
    for (name, (_tmp, dir)) in &folders {
        let (docx, _) = build_formats(dir, name, "pdf,html,docx");
        let pdf = docx.with_extension("pdf");
        let page = read_html(&python, &docx.with_extension("html"));
        let read = read_docx(&python, &docx);
        // The Word document's headings are the PDF's outline, level for level.
        let headings = pdf_headings(&pdf);
        assert_eq!(docx_headings(&read), headings, "{name}: headings differ");
        let view = view_json(dir);
        // A style that numbers its headings: the PDF's carry their numbers,
        // so that the comparisons below compare them too.
        let numbered = outline(&pdf)
            .iter()
            .filter(|line| line.split_whitespace().next().is_some_and(is_number))
            .count();
        if view["layout"]["headings"] == "1.1" {
            assert!(numbered >= 10, "{name}: {headings:#?}");
        } else {
            assert_eq!(numbered, 0, "{name}: {headings:#?}");
        }
        // The page's, one level down under its title, hold them in order.
        let html: Vec<String> = page["headings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                format!(
                    "{} {}",
                    h[0].as_u64().unwrap() - 1,
                    squash(h[1].as_str().unwrap())
                )
            })
            .collect();
        if let Some(problem) = in_order(&headings, &html) {
            panic!("{name}: the HTML's headings: {problem}\n{html:#?}");
        }
        // The page's contents list the PDF's first two levels, as its
        // contents do, each as its heading reads, number and all.
        let listed: Vec<String> = headings
            .iter()
            .filter_map(|h| h.split_once(' '))
            .filter(|(level, _)| level.parse::<u8>().is_ok_and(|l| l <= 2))
            .map(|(_, text)| text.to_string())
            .collect();
        let contents: Vec<String> = strings(&page["contents"])
            .iter()
            .map(|t| squash(t))
            .collect();
        assert_eq!(contents, listed, "{name}: the page's contents");
        // The findings: titles in the PDF's text, ids as the Word
        // document's bookmarks and the page's anchors, in the same order.
        let findings = view["findings"].as_array().unwrap();
        let titles: Vec<String> = findings
            .iter()
            .map(|f| squash(f["title_text"].as_str().unwrap()))
            .collect();
        let needles: Vec<&str> = titles.iter().map(String::as_str).collect();
        assert_in_order(&squash(&pdf_text(&pdf)), &needles);
        let labels: Vec<String> = findings
            .iter()
            .map(|f| format!("finding-{}", f["id"].as_str().unwrap()))
            .collect();
        let marks: Vec<String> = strings(&read["bookmarks"])
            .into_iter()
            .filter(|b| b.starts_with("finding-"))
            .collect();
        assert_eq!(marks, labels, "{name}: the Word document's findings");
        // The page's anchors are the ids themselves.
        let bare: Vec<String> = findings
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect();
        let ids: Vec<String> = strings(&page["ids"])
            .into_iter()
            .filter(|i| bare.contains(i))
            .collect();
        assert_eq!(ids, bare, "{name}: the page's findings");
    }
}

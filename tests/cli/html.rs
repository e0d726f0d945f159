//! The HTML deliverable as its readers take it: the W3C Nu checker's
//! verdict, a parser's view of its anchors, links and images, a browser's
//! picture of it; and `--format` writing all its documents or none.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// Builds a folder into `<out>/report.pdf` and `report.html`, asserting success.
fn build_html(dir: &Path, out: &Path, extra: &[&str]) -> (PathBuf, PathBuf) {
    let pdf = out.join("report.pdf");
    let mut args = vec!["--format", "pdf,html"];
    args.extend(extra);
    let run = build_to(dir, &pdf, &args);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    (pdf, out.join("report.html"))
}

/// The Nu checker's errors for a page (empty when it has none), or None
/// (the skip said) where it is not installed: the jar of npm's vnu-jar run
/// by Java, or `vnu` on the PATH.
fn nu_errors(page: &Path) -> Option<String> {
    let jar = Command::new("npm")
        .args(["root", "-g"])
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .map(|root| root.join("vnu-jar/build/dist/vnu.jar"))
        .filter(|jar| jar.is_file());
    let mut command = match jar {
        Some(jar) => {
            let mut c = Command::new("java");
            c.arg("-jar").arg(jar);
            c
        }
        None => Command::new("vnu"),
    };
    let Ok(out) = command.arg("--errors-only").arg(page).output() else {
        tool_missing("the W3C Nu checker (npm vnu-jar and Java)");
        return None;
    };
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && said.trim().is_empty() {
        Some(String::new())
    } else {
        Some(format!("exit {:?}: {said}", out.status.code()))
    }
}

/// What tests/tools/html_check.py reads in a page: ids, in-page links that
/// resolve to none, images without alt, tags, headings and text.
fn parsed(page: &Path) -> serde_json::Value {
    let python = std::env::var_os("AUDITPRESS_PYTHON").map_or_else(
        || PathBuf::from("/opt/auditpress-py/bin/python"),
        PathBuf::from,
    );
    let python = if python.exists() {
        python
    } else {
        PathBuf::from("python3")
    };
    let out = Command::new(python)
        .arg(root().join("tests/tools/html_check.py"))
        .arg(page)
        .output()
        .expect("Python runs the HTML checker");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the checker prints JSON")
}

/// The strings of a JSON array.
fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_html_of_the_example_the_curl_sample_and_both_example_styles_is_valid_and_whole() {
    let (_pentest_tmp, pentest) = example_folder("pentest");
    let (_contract_tmp, contract) = example_folder("smart-contract");
    let folders = [example(), fixture("curl-2022"), pentest, contract];
    for dir in &folders {
        let out = tempfile::tempdir().unwrap();
        let (pdf, html) = build_html(dir, out.path(), &[]);
        assert!(pdf.is_file() && html.is_file(), "{}", dir.display());
        let name = dir.display();
        if let Some(errors) = nu_errors(&html) {
            assert!(errors.is_empty(), "{name}: the Nu checker says\n{errors}");
        }
        let page = parsed(&html);
        assert_eq!(
            strings(&page["broken_links"]),
            Vec::<String>::new(),
            "{name}"
        );
        assert_eq!(
            strings(&page["duplicate_ids"]),
            Vec::<String>::new(),
            "{name}"
        );
        assert_eq!(page["images_without_alt"], 0, "{name}");
        // Every finding is an anchor, and the contents and the summary link it.
        let view = view_json(dir);
        let findings = view["findings"].as_array().unwrap();
        assert!(!findings.is_empty(), "{name}");
        let ids = strings(&page["ids"]);
        let links = strings(&page["links"]);
        for f in findings {
            let id = f["id"].as_str().unwrap().to_string();
            assert!(ids.contains(&id), "{name}: no anchor {id}");
            assert!(links.contains(&id), "{name}: nothing links to {id}");
        }
        // The findings' titles, in the report's order, as headings.
        let titles: Vec<&str> = findings
            .iter()
            .map(|f| f["title_text"].as_str().unwrap())
            .collect();
        let headings = strings(&page["headings"]).join("\n");
        assert_in_order(&headings, &titles);
        // The numbers of the executive summary's chart, beside its alt text.
        if let Some(chart) = view["charts"].as_array().and_then(|c| c.first()) {
            let text = fs::read_to_string(&html).unwrap();
            let alt = chart["alt"].as_str().unwrap();
            assert!(
                text.contains(&format!("role=\"img\" aria-label=\"{alt}\"")),
                "{name}: no chart with the alt {alt}"
            );
        }
    }
}

#[test]
fn the_example_html_shows_its_chapters_findings_contents_and_chart() {
    let out = tempfile::tempdir().unwrap();
    let (_, html) = build_html(&example(), out.path(), &[]);
    let page = parsed(&html);
    let text = page["text"].as_str().unwrap();
    assert_in_order(
        text,
        &[
            "Lumen",
            "Security Assessment",
            "Table of Contents",
            "Executive Summary",
            "Findings by severity",
            "Summary of Findings",
            "Detailed Findings",
            "1. Manifest paths can escape the secrets directory",
            // A code figure keeps its caption and its line numbers (as the
            // rows' marks, which copying the code leaves out).
            "Figure 1.1:",
            "the path is joined but never checked",
            "Vulnerability Categories",
        ],
    );
    let source = fs::read_to_string(&html).unwrap();
    for number in 41..=54 {
        assert!(
            source.contains(&format!("data-n=\"{number}\"")),
            "line {number}"
        );
    }
    // Self-contained: no file or address is fetched to show it.
    assert!(!source.contains("src=\"http"), "an image from the network");
    assert!(!source.contains("<link "), "a stylesheet from elsewhere");
    assert!(source.contains("<style>"));
    // The contents are links to the chapters and findings.
    let hrefs = strings(&page["hrefs"]);
    for target in [
        "#executive-summary",
        "#detailed-findings",
        "#NWS-LUMEN-1-title",
    ] {
        assert!(hrefs.iter().any(|h| h == target), "{target}");
    }
}

/// The hostile fixture with a link to `javascript:` in a finding.
fn hostile_folder() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = workspace(&fixture("hostile"));
    let csv = dir.join("findings.csv");
    let text = fs::read_to_string(&csv).unwrap();
    fs::write(
        &csv,
        text.replacen(
            "and back\\slash end.",
            "and back\\slash end. [click](javascript:alert(1)) <script>alert(2)</script>",
            1,
        ),
    )
    .unwrap();
    (tmp, dir)
}

#[test]
fn hostile_titles_print_literally_and_a_javascript_link_is_no_link() {
    let (_tmp, dir) = hostile_folder();
    let out = tempfile::tempdir().unwrap();
    let (_, html) = build_html(&dir, out.path(), &[]);
    let page = parsed(&html);
    let text = page["text"].as_str().unwrap();
    for literal in [
        "Title #read(\"/etc/passwd\") ] $x$ <lbl> @ref back\\slash",
        "#eval(\"1+1\") #set text(red) // comment",
        "<script>alert(2)</script>",
    ] {
        assert!(text.contains(literal), "{literal} is not in the text");
    }
    let tags = strings(&page["tags"]);
    for tag in ["lbl", "script"] {
        assert!(!tags.contains(&tag.to_string()), "a <{tag}> element");
    }
    let hrefs = strings(&page["hrefs"]);
    assert!(
        hrefs
            .iter()
            .all(|h| !h.to_ascii_lowercase().contains("javascript")),
        "{hrefs:?}"
    );
    // The link's text stays, as the PDF keeps it.
    assert!(text.contains("click"));
    if let Some(errors) = nu_errors(&html) {
        assert!(errors.is_empty(), "{errors}");
    }
}

/// The bytes of each file of a set.
fn contents(paths: &[&Path]) -> Vec<Vec<u8>> {
    paths.iter().map(|p| fs::read(p).unwrap()).collect()
}

#[test]
fn a_failing_build_writes_none_of_the_documents_and_keeps_the_set() {
    let (_tmp, dir) = workspace(&example());
    let out = tempfile::tempdir().unwrap();
    let (pdf, html) = build_html(&dir, out.path(), &[]);
    let before = contents(&[&pdf, &html]);
    // Bad data: every format fails before any file is touched.
    edit(&dir, "findings.csv", ",High,", ",Catastrophic,");
    let run = build_to(&dir, &pdf, &["--format", "html,pdf"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert_eq!(contents(&[&pdf, &html]), before);
    // A template error in the HTML: the PDF typesets, and is not written either.
    edit(&dir, "findings.csv", ",Catastrophic,", ",High,");
    let templates = tempfile::tempdir().unwrap();
    fs::create_dir_all(templates.path().join("html")).unwrap();
    fs::write(
        templates.path().join("html/report.html"),
        "{{ data.no_such_field }}",
    )
    .unwrap();
    let run = build_to(
        &dir,
        &pdf,
        &[
            "--format",
            "pdf,html",
            "--templates",
            templates.path().to_str().unwrap(),
        ],
    );
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains("html/report.html, line 1") && err.contains("no_such_field"),
        "{err}"
    );
    assert_eq!(contents(&[&pdf, &html]), before);
    assert_eq!(leftovers(out.path()), Vec::<String>::new());
}

/// Temporary files left in a folder.
fn leftovers(folder: &Path) -> Vec<String> {
    fs::read_dir(folder)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".auditpress-"))
        .collect()
}

#[test]
fn a_document_that_cannot_be_written_leaves_the_others_unreplaced() {
    let (_tmp, dir) = workspace(&example());
    let out = tempfile::tempdir().unwrap();
    let pdf = out.path().join("report.pdf");
    let run = build_to(&dir, &pdf, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let before = fs::read(&pdf).unwrap();
    // A folder where the page goes; the PDF of the changed report would differ.
    fs::create_dir(out.path().join("report.html")).unwrap();
    edit(&dir, "audit.toml", "version = \"2.0\"", "version = \"2.1\"");
    let run = build_to(&dir, &pdf, &["--format", "pdf,html"]);
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    let err = stderr(&run);
    assert!(
        err.contains("report.html") && err.contains("none of the documents was written"),
        "{err}"
    );
    assert_eq!(fs::read(&pdf).unwrap(), before, "the PDF was replaced");
    assert_eq!(leftovers(out.path()), Vec::<String>::new());
    // Once the way is clear, both are written, the PDF anew.
    fs::remove_dir(out.path().join("report.html")).unwrap();
    let run = build_to(&dir, &pdf, &["--format", "pdf,html"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_ne!(fs::read(&pdf).unwrap(), before);
    assert!(out.path().join("report.html").is_file());
}

#[test]
fn format_names_the_documents_and_an_unknown_one_is_a_usage_error() {
    let (_tmp, dir) = workspace(&example());
    let out = tempfile::tempdir().unwrap();
    let run = build_to(&dir, &out.path().join("r.pdf"), &["--format", "pdf,xml"]);
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(err.contains("xml") && err.contains("pdf, html"), "{err}");
    assert_eq!(fs::read_dir(out.path()).unwrap().count(), 0);
    // HTML alone, named by -o's stem; no PDF.
    let run = build_to(&dir, &out.path().join("r.pdf"), &["--format", "html"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(out.path().join("r.html").is_file());
    assert!(!out.path().join("r.pdf").exists());
    // Without -o, beside the PDF in the folder, with its name.
    let run = run_in(&dir, &["build", ".", "--format", "html,pdf"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let written: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf") || n.ends_with(".html"))
        .collect();
    assert_eq!(written.len(), 2, "{written:?}");
    let stems: Vec<&str> = written
        .iter()
        .map(|n| n.rsplit_once('.').unwrap().0)
        .collect();
    assert_eq!(stems[0], stems[1]);
}

/// Runs auditpress in a folder.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn a_style_replaces_the_stylesheet_and_a_template() {
    let (_tmp, dir) = example_folder("pentest");
    let style = dir.parent().unwrap().join("style");
    fs::create_dir_all(style.join("html")).unwrap();
    fs::write(
        style.join("html/report.css"),
        "body { color: rgb(1, 2, 3); } /* </style><script>x</script> */",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let (_, html) = build_html(&dir, out.path(), &[]);
    let source = fs::read_to_string(&html).unwrap();
    assert!(source.contains("body { color: rgb(1, 2, 3); }"));
    // The built-in stylesheet is gone, and the style's cannot end its element.
    assert!(!source.contains("--code-bg"));
    assert_eq!(source.matches("</style>").count(), 1);
    assert!(!strings(&parsed(&html)["tags"]).contains(&"script".to_string()));
    // A template of the style's own, included by its override of another.
    fs::write(
        style.join("html/disclaimer.html"),
        "<p class=\"disclaimer\">{{ data.report.vendor }} only</p>",
    )
    .unwrap();
    let findings = fs::read_to_string(root().join("templates/html/findings.html")).unwrap();
    fs::write(
        style.join("html/findings.html"),
        findings.replace(
            "<section>{{ chapter(\"detailed-findings\"",
            "{% include \"disclaimer.html\" %}<section>{{ chapter(\"detailed-findings\"",
        ),
    )
    .unwrap();
    let (_, html) = build_html(&dir, out.path(), &[]);
    let text = parsed(&html)["text"].as_str().unwrap().to_string();
    let vendor = view_json(&dir)["report"]["vendor"]
        .as_str()
        .unwrap()
        .to_string();
    assert_in_order(&text, &[&format!("{vendor} only"), "Detailed Findings"]);
}

#[test]
fn chromium_draws_the_page() {
    let Some(chromium) = ["chromium", "chromium-browser"].into_iter().find(|c| {
        Command::new(c)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        tool_missing("chromium");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let (_, html) = build_html(&example(), out.path(), &[]);
    let png = out.path().join("page.png");
    let profile = tempfile::tempdir().unwrap();
    let run = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=1100,1400",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(png.is_file(), "{}", String::from_utf8_lossy(&run.stderr));
    let image = image::open(&png).unwrap().to_rgb8();
    // The cover's band in the accent colour across the top, then the text.
    let accent = image.pixels().filter(|p| p.0 == [0x1f, 0x4e, 0x79]).count();
    let inked = image
        .pixels()
        .filter(|p| p.0.iter().all(|&c| c < 80))
        .count();
    let total = (image.width() * image.height()) as usize;
    assert!(
        accent > total / 20,
        "{accent} of {total} pixels in the accent colour"
    );
    assert!(inked > 1000, "{inked} dark pixels: no text drawn");
}

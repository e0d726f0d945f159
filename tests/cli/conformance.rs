//! The PDF standards a build claims, checked by an independent validator:
//! `page` (page-validation on PyPI, a Rust validator that passes veraPDF's
//! corpus; `.ci/run` installs it into /opt/auditpress-py), and the structure
//! tree walked for what a validator cannot know: every finding's title a
//! heading element, every figure with alternative text, the outline and the
//! findings' named destinations, and each chart of the executive summary a
//! Figure whose /Alt is the chart's text (issue 39). See
//! tests/tools/conformance.py.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// What the checker says of a PDF: validation per profile and the problems
/// of its structure tree.
fn check(
    python: &Path,
    pdf: &Path,
    profiles: &str,
    expect: &serde_json::Value,
) -> serde_json::Value {
    let expect_file = pdf.with_extension("expect.json");
    fs::write(&expect_file, expect.to_string()).unwrap();
    let out = Command::new(python)
        .arg(root().join("tests/tools/conformance.py"))
        .arg(pdf)
        .arg(profiles)
        .arg(&expect_file)
        .output()
        .expect("the checker runs");
    assert!(
        out.status.success(),
        "the checker failed on {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the checker prints JSON")
}

/// The failed rules of every profile, as "profile RULE-ID: message" lines.
fn failures(report: &serde_json::Value) -> Vec<String> {
    let mut lines = Vec::new();
    for (profile, result) in report["profiles"].as_object().unwrap() {
        for failure in result["failures"].as_array().unwrap() {
            lines.push(format!("{profile} {}: {}", failure[0], failure[1]));
        }
        // typst's writer ends a stream's data with CR now and then
        // (tests/tools/conformance.py, `ends_with_cr`): said, not hidden.
        for known in result["typst-cr"].as_array().unwrap() {
            eprintln!(
                "{profile}: typst wrote stream {} ending in CR: {}",
                known[2], known[0]
            );
        }
        let known = !result["typst-cr"].as_array().unwrap().is_empty();
        if result["compliant"] != true
            && result["failures"].as_array().unwrap().is_empty()
            && !known
        {
            lines.push(format!("{profile}: not compliant"));
        }
        assert!(
            result["total"].as_u64().unwrap() > 50,
            "{profile}: too few rules ran"
        );
    }
    lines
}

/// The findings' titles and ids, as the structure tree must hold them,
/// and the charts' alternative texts, each a Figure's /Alt.
fn expected(dir: &Path) -> serde_json::Value {
    let view = view_json(dir);
    let findings = view["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{} has no findings", dir.display());
    let charts = view["charts"].as_array().unwrap();
    assert!(!charts.is_empty(), "{} has no chart", dir.display());
    serde_json::json!({
        "headings": findings.iter().map(|f| f["title_text"].clone()).collect::<Vec<_>>(),
        "ids": findings.iter().map(|f| f["id"].clone()).collect::<Vec<_>>(),
        "charts": charts.iter().map(|c| c["alt"].clone()).collect::<Vec<_>>(),
    })
}

/// The charts whose alternative text no Figure of the structure tree has.
fn charts_missing(report: &serde_json::Value, expect: &serde_json::Value) -> Vec<String> {
    let alts = report["figure_alts"].as_array().unwrap();
    expect["charts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|alt| !alts.contains(alt))
        .map(|alt| format!("no Figure has the chart's /Alt {alt}"))
        .collect()
}

/// Copies of the folders every claimed standard is validated on.
fn folders() -> Vec<(&'static str, tempfile::TempDir, PathBuf)> {
    let mut all = Vec::new();
    for (name, folder) in [
        ("example", example()),
        ("curl-2022", fixture("curl-2022")),
        ("hostile", fixture("hostile")),
    ] {
        let (tmp, dir) = workspace(&folder);
        all.push((name, tmp, dir));
    }
    for name in ["smart-contract", "pentest"] {
        let (tmp, dir) = example_folder(name);
        all.push((name, tmp, dir));
    }
    all
}

#[test]
fn every_claimed_pdf_standard_passes_an_independent_validator() {
    let Some(python) = python_tool("python", "page") else {
        return;
    };
    let standards = [
        ("a-2b", "2b"),
        ("a-3b", "3b"),
        ("ua-1", "ua1"),
        ("a-2b,ua-1", "2b,ua1"),
    ];
    let mut problems = Vec::new();
    for (name, _tmp, dir) in folders() {
        let expect = expected(&dir);
        for (standard, profiles) in standards {
            let pdf = dir.parent().unwrap().join(format!("{standard}.pdf"));
            let out = build_to(&dir, &pdf, &["--pdf-standard", standard]);
            assert_eq!(
                out.status.code(),
                Some(0),
                "{name} {standard}: {}",
                stderr(&out)
            );
            let tagged = standard.contains("ua");
            let report = check(
                &python,
                &pdf,
                profiles,
                if tagged {
                    &expect
                } else {
                    &serde_json::Value::Null
                },
            );
            for line in failures(&report) {
                problems.push(format!("{name} {standard}: {line}"));
            }
            if tagged {
                for line in report["structure"].as_array().unwrap() {
                    problems.push(format!("{name} {standard}: {}", line.as_str().unwrap()));
                }
                for line in charts_missing(&report, &expect) {
                    problems.push(format!("{name} {standard}: {line}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_validator_fails_a_figure_whose_alternative_text_was_taken_away() {
    let Some(python) = python_tool("python", "page") else {
        return;
    };
    let (_tmp, dir) = workspace(&example());
    let pdf = dir.parent().unwrap().join("ua.pdf");
    let out = build_to(&dir, &pdf, &["--pdf-standard", "ua-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = check(&python, &pdf, "ua1", &expected(&dir));
    assert_eq!(failures(&report), Vec::<String>::new());
    assert!(
        report["figures"].as_u64().unwrap() >= 1,
        "the example has a figure"
    );

    // Uncompressed and with the same byte length, "/Alt" renamed: the
    // figure is left without alternative text, and nothing else changes.
    let plain = dir.parent().unwrap().join("plain.pdf");
    let qdf = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(&pdf)
        .arg(&plain)
        .status()
        .unwrap();
    assert!(qdf.success());
    let bytes = fs::read(&plain).unwrap();
    let needle = b"/Alt ";
    let mut out_bytes = bytes.clone();
    let mut count = 0;
    for i in 0..bytes.len().saturating_sub(needle.len()) {
        if &bytes[i..i + needle.len()] == needle {
            out_bytes[i + 1] = b'X';
            count += 1;
        }
    }
    assert!(count >= 1, "no /Alt to take away");
    let broken = dir.parent().unwrap().join("broken.pdf");
    fs::write(&broken, out_bytes).unwrap();
    let report = check(&python, &broken, "ua1", &serde_json::Value::Null);
    let lines = failures(&report);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("PDFUA1-FIGURE-ALTERNATIVE-TEXT")),
        "the validator did not see the figure without /Alt: {lines:?}"
    );
    let structure: Vec<&str> = report["structure"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        structure.iter().any(|s| s.contains("has no /Alt")),
        "{structure:?}"
    );
}

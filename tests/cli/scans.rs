//! scans/*.sarif: real Semgrep output in the Automated Testing section.

use std::fs;

use crate::common::*;

#[test]
fn a_real_semgrep_run_fills_the_automated_testing_section() {
    let (_tmp, dir) = workspace(&fixture("scanned"));
    let pdf = build_ok(&dir, "scanned", &[]);
    let text = pdf_text(&pdf);
    // Tool (merged with its [[tools]] entry), version, rules that ran, results per level.
    let row = text
        .lines()
        .find(|l| l.trim_start().starts_with("Semgrep "))
        .unwrap_or_else(|| panic!("no Semgrep row in:\n{text}"));
    let cells: Vec<&str> = row
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        &cells[..4],
        ["Semgrep", "1.185.0", "4", "1 error, 2 warnings, 2 notes"],
        "{row}"
    );
    assert!(row.contains("Appendix A"), "{row}");
    assert!(text.contains("Manual fuzzing"));
    assert!(
        text.contains("3 Semgrep results became SCN-1 and SCN-2."),
        "{text}"
    );

    // The counts are the file's: one more result of a new rule shows at once.
    let file = dir.join("scans/semgrep.sarif");
    let mut sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    let mut extra = sarif["runs"][0]["results"][0].clone();
    extra["ruleId"] = "eval-call".into();
    sarif["runs"][0]["results"]
        .as_array_mut()
        .unwrap()
        .push(extra);
    fs::write(&file, sarif.to_string()).unwrap();
    let text = pdf_text(&build_ok(&dir, "more", &[]));
    assert!(text.contains("2 errors, 2 warnings, 2 notes"), "{text}");
}

#[test]
fn a_rule_id_no_scan_has_is_a_warning_with_a_suggestion() {
    let (_tmp, dir) = workspace(&fixture("scanned"));
    let md = dir.join("findings/SCN-2.md");
    fs::write(
        &md,
        fs::read_to_string(&md)
            .unwrap()
            .replace("shell-true", "shell-tru"),
    )
    .unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(0));
    assert_diagnostic(
        &stderr(&out),
        "SCN-2.md:2:10",
        "no result of scans/*.sarif has rule id \"shell-tru\"",
    );
    assert!(stderr(&out).contains("did you mean \"shell-true\"?"));
}

#[test]
fn broken_sarif_files_get_one_clear_error_each_and_nothing_is_written() {
    let (tmp, dir) = workspace(&fixture("scanned"));
    let file = dir.join("scans/semgrep.sarif");
    let good = fs::read_to_string(&file).unwrap();
    let pdf = tmp.path().join("out.pdf");
    // Truncated: an error at the line and column where the JSON ends.
    fs::write(&file, &good[..good.len() / 2]).unwrap();
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let lines = good[..good.len() / 2].lines().count();
    assert!(err.contains("invalid JSON (EOF while parsing"), "{err}");
    assert!(err.contains(&format!("semgrep.sarif:{lines}:")), "{err}");
    assert_eq!(count_level(&err, "error"), 1, "{err}");
    assert!(!pdf.exists());
    // SARIF 1.0: refused by its version, naming the file.
    fs::write(&file, r#"{"version": "1.0.0", "runLogs": []}"#).unwrap();
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "scans/semgrep.sarif:1:1",
        "not a SARIF 2.1.0 log (version \"1.0.0\")",
    );
    assert!(!pdf.exists());
    // Not JSON at all.
    fs::write(&file, "<xml/>").unwrap();
    let out = build_to(&dir, &pdf, &[]);
    assert_diagnostic(&stderr(&out), "scans/semgrep.sarif:1:1", "invalid JSON");
}

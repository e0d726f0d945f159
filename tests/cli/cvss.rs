//! CVSS vectors: scored beside the severity, severity derived when empty,
//! malformed vectors named by their metric.

use std::fs;

use crate::common::*;

fn with_cvss(rows: &[(&str, &str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let mut out = String::from("id,title,severity,difficulty,type,cvss\n");
    for line in csv.lines().skip(1) {
        let id = line.split(',').next().unwrap();
        let row = rows.iter().find(|(r, _, _)| *r == id);
        let line = match row {
            Some((_, severity, vector)) => {
                let mut cells: Vec<&str> = line.split(',').collect();
                cells[2] = severity;
                format!("{},{vector}", cells.join(","))
            }
            None => format!("{line},"),
        };
        out.push_str(&line);
        out.push('\n');
    }
    fs::write(dir.join("findings.csv"), out).unwrap();
    (tmp, dir)
}

#[test]
fn a_vector_is_scored_and_an_empty_severity_is_derived_from_it() {
    let (_tmp, dir) = with_cvss(&[
        ("ACME-1", "", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
        (
            "ACME-3",
            "Medium",
            "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        ),
    ]);
    let pdf = dir.parent().unwrap().join("cvss.pdf");
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // Given and derived disagree: a warning at the severity cell.
    assert_diagnostic(
        &err,
        "findings.csv:4:29",
        "severity Medium disagrees with the CVSS rating High (8.5",
    );
    let text = pdf_text(&pdf);
    // The summary table has a CVSS column; the derived severity is High.
    let row = text
        .lines()
        .find(|l| l.contains("Default admin password") && !l.contains(". ."))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("High") && row.contains("7.5"), "{row}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("CVSS") || l.contains(" CVSS ")),
        "{text}"
    );
    // The finding's header shows the score, the rating and the vector.
    assert!(
        squash(&text).contains("CVSS3.17.5(High)CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"),
        "{text}"
    );
    assert!(squash(&text).contains("CVSS4.08.5(High)"), "{text}");
    let view = view_json(&dir);
    assert_eq!(view["findings"][0]["cvss"]["score"], "7.5");
    assert_eq!(view["findings"][0]["cvss"]["version"], "3.1");
    assert_eq!(view["findings"][0]["severity"], "High");
}

#[test]
fn a_malformed_vector_is_an_error_at_its_cell_naming_the_metric() {
    let (_tmp, dir) = with_cvss(&[(
        "ACME-2",
        "Low",
        "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
    )]);
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "findings.csv:3:52",
        "invalid value \"Q\" for CVSS metric AV (Attack Vector)",
    );
}

#[test]
fn a_critical_vector_needs_a_severity_the_standard_scale_has() {
    let (_tmp, dir) = with_cvss(&[("ACME-2", "", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H")]);
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "the CVSS vector rates Critical (10.0), which is not a severity of this report"
        ),
        "{err}"
    );
    assert!(err.contains(
        "give the severity yourself, one of High, Medium, Low, Informational, Undetermined"
    ));
}

#[test]
fn a_temporal_vector_shows_and_rates_its_temporal_score_unless_the_style_asks_for_the_base() {
    // X41 prints CVSS:3.1/...:H/E:U/RC:C: base 9.0 (Critical), temporal 8.2 (High).
    // Before, the vector was refused: unknown CVSS metric "E".
    let vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H/E:U/RC:C";
    let (_tmp, dir) = with_cvss(&[("ACME-1", "", vector)]);
    let pdf = dir.parent().unwrap().join("temporal.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = squash(&pdf_text(&pdf));
    assert!(
        text.contains(&squash("8.2 (High) temporal score")),
        "{text}"
    );
    assert!(
        text.contains(&squash("1 Default admin password Authentication High 8.2")),
        "{text}"
    );

    // The risk style's statuses are others: this build has no fix review.
    fs::remove_file(dir.join("fix-review.csv")).unwrap();
    edit(&dir, "audit.toml", "[fix_review]\ndate = 2024-09-20\n", "");
    let style = dir.join("house");
    fs::create_dir_all(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        "extends = \"risk\"\n[cvss]\nscore = \"base\"\n",
    )
    .unwrap();
    let base_pdf = dir.parent().unwrap().join("base.pdf");
    let out = build_to(&dir, &base_pdf, &["--style", style.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = squash(&pdf_text(&base_pdf));
    assert!(text.contains(&squash("9.0 (Critical)")), "{text}");
    assert!(
        text.contains(&squash(
            "Default admin password Authentication Critical 9.0"
        )),
        "{text}"
    );
    assert!(!text.contains("temporalscore"), "{text}");
}

#[test]
fn a_style_that_prints_the_environmental_score_prints_x41s_scores() {
    // X41 prints 8.3 for its vector (base 9.0, temporal 8.2) and 7.6 for a
    // vector of base 7.5 with no environmental metric: FIRST's calculator's
    // environmental scores, with 3.1's modified impact.
    let (_tmp, dir) = with_cvss(&[
        (
            "ACME-1",
            "",
            "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:H/A:H/E:U/RC:C",
        ),
        ("ACME-2", "", "CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:C/C:H/I:H/A:H"),
    ]);
    fs::remove_file(dir.join("fix-review.csv")).unwrap();
    edit(&dir, "audit.toml", "[fix_review]\ndate = 2024-09-20\n", "");
    let style = dir.join("house");
    fs::create_dir_all(&style).unwrap();
    let write_style = |score: &str| {
        fs::write(
            style.join("style.toml"),
            format!("extends = \"risk\"\n\n[cvss]\nscore = \"{score}\"\n"),
        )
        .unwrap();
    };
    write_style("environmental");
    let pdf = dir.parent().unwrap().join("environmental.pdf");
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = squash(&pdf_text(&pdf));
    assert!(
        text.contains(&squash("8.3 (High) environmental score")),
        "{text}"
    );
    assert!(
        text.contains(&squash("7.6 (High) environmental score")),
        "{text}"
    );
    // The summary table prints the same scores, and rates by them.
    assert!(
        text.contains(&squash("Default admin password Authentication High 8.3")),
        "{text}"
    );
    assert!(
        !text.contains("8.2(High)") && !text.contains("7.5(High)"),
        "{text}"
    );

    // "temporal": X41's vector gives 8.2, the other its base score.
    write_style("temporal");
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = squash(&pdf_text(&pdf));
    assert!(
        text.contains(&squash("8.2 (High) temporal score")),
        "{text}"
    );
    assert!(
        text.contains(&squash("7.5 (High) temporal score")),
        "{text}"
    );

    // A value the key does not take: one error at it, naming the values.
    write_style("enviromental");
    let out = run(&[
        "check".as_ref(),
        dir.as_os_str(),
        "--style".as_ref(),
        style.as_os_str(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "style.toml:4:9",
        "unknown `cvss.score` \"enviromental\"",
    );
    assert!(
        err.contains(
            "did you mean \"environmental\"? expected \"base\", \"temporal\", \"environmental\" or \"most specific\""
        ),
        "{err}"
    );
    assert_eq!(err.matches("error").count(), 1, "{err}");
}

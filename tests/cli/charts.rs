//! The findings charts of the executive summary (issue 39, FORMAT 1.3
//! "Charts of findings"): drawn from the counts, their alternative text
//! written from them, turned off or drawn as a donut by the style, the same
//! bytes on a rebuild. The tagged PDF's Figure with the chart's /Alt is
//! checked with the other standards in conformance.rs.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// The alternative text a chart must have, written here from the findings
/// themselves: each level of the scale (in the style's order, as the view
/// lists the counts) with how many findings name it.
fn expected_alt(view: &serde_json::Value, title: &str, scale: &str, field: &str) -> String {
    let findings = view["findings"].as_array().unwrap();
    let levels: Vec<&str> = view["counts"][scale]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let entries: Vec<String> = levels
        .iter()
        .map(|level| {
            let n = findings
                .iter()
                .filter(|f| f[field].as_str() == Some(level))
                .count();
            format!("{level} {n}")
        })
        .collect();
    let total = findings.iter().filter(|f| f[field].is_string()).count();
    format!("{title}: {}; {total} in total", entries.join(", "))
}

/// The chart of a view with this key, if any.
fn chart<'a>(view: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    view["charts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
}

/// A style folder beside `dir` that extends `standard` with `[charts]`.
fn house_style(dir: &Path, charts: &str) -> PathBuf {
    let style = dir.parent().unwrap().join(format!("house-{charts}"));
    fs::create_dir_all(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        format!("name = \"house\"\nextends = \"standard\"\n\n[charts]\nfindings = \"{charts}\"\n"),
    )
    .unwrap();
    style
}

/// The files `--emit template-data` writes, by path under the folder.
fn template_data(dir: &Path, extra: &[&str]) -> PathBuf {
    let out_dir = dir.parent().unwrap().join(format!("data-{}", extra.len()));
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "build".as_ref(),
        dir.as_os_str(),
        "--emit".as_ref(),
        "template-data".as_ref(),
        "-o".as_ref(),
        out_dir.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    out_dir
}

#[test]
fn the_example_charts_say_their_counts_in_words() {
    let (_tmp, dir) = workspace(&example());
    let view = view_json(&dir);
    let severity = chart(&view, "severity").expect("a chart by severity");
    assert_eq!(
        severity["alt"],
        expected_alt(&view, "Findings by severity", "severity", "severity")
    );
    // The example has a fix review: its chart by status follows.
    let status = chart(&view, "status").expect("a chart by status after a fix review");
    assert_eq!(
        status["alt"],
        expected_alt(&view, "Findings by fix status", "status", "status")
    );
    assert_eq!(severity["kind"], "bar");

    // The SVG the PDF embeds is a picture: its names and numbers drawn as
    // outlines, so that the text layer has them once, in the table.
    let data = template_data(&dir, &[]);
    let svg = fs::read_to_string(data.join("data/chart-severity.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(!svg.contains("<text"), "{svg}");
    // A path per bar and one per line of text, each count and each name.
    let levels = severity["entries"].as_array().unwrap().len();
    assert!(svg.matches("<path").count() >= 2 * levels, "{svg}");

    // The PDF prints both titles on the page of the counts' table, and the
    // severities' names once each there: in the table, not in the chart.
    let pdf = build_ok(&dir, "report", &[]);
    let page = page_with(&pdf, "Findings by severity");
    assert_eq!(page, page_with(&pdf, "Exposure analysis"));
    let text = pdf_text(&pdf);
    assert!(text.contains("Findings by fix status"));
    let words = pdf_words(&pdf);
    let on_page = |name: &str| {
        words
            .iter()
            .filter(|w| w.page == page && w.text == name)
            .count()
    };
    assert_eq!(on_page("Informational"), 1);
}

#[test]
fn without_a_fix_review_there_is_no_chart_by_status() {
    let (_tmp, dir) = workspace(&example());
    fs::remove_file(dir.join("fix-review.csv")).unwrap();
    edit(&dir, "audit.toml", "[fix_review]\ndate = 2026-03-13\n", "");
    let view = view_json(&dir);
    assert!(chart(&view, "severity").is_some());
    assert!(chart(&view, "status").is_none(), "{}", view["charts"]);
    let pdf = build_ok(&dir, "report", &[]);
    let text = pdf_text(&pdf);
    assert!(text.contains("Findings by severity"));
    assert!(!text.contains("Findings by fix status"));
}

#[test]
fn a_style_turns_the_charts_off_and_keeps_the_tables() {
    let (_tmp, dir) = workspace(&example());
    let style = house_style(&dir, "none");
    let args = ["--style", style.to_str().unwrap()];
    let out = run(&[
        "build".as_ref(),
        dir.as_os_str(),
        "--emit".as_ref(),
        "view-json".as_ref(),
        args[0].as_ref(),
        args[1].as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["charts"], serde_json::json!([]));
    let data = template_data(&dir, &args);
    assert!(!data.join("data/chart-severity.svg").exists());
    let pdf = build_ok(&dir, "off", &args);
    let text = pdf_text(&pdf);
    assert!(!text.contains("Findings by severity"), "{text}");
    assert!(!text.contains("Findings by fix status"));
    // The numbers stay, as the table prints them.
    assert!(text.contains("Exposure analysis"));
}

#[test]
fn a_style_draws_a_donut_the_same_on_every_build() {
    let (_tmp, dir) = workspace(&example());
    let style = house_style(&dir, "donut");
    let args = ["--style", style.to_str().unwrap()];
    let out = run(&[
        "build".as_ref(),
        dir.as_os_str(),
        "--emit".as_ref(),
        "view-json".as_ref(),
        args[0].as_ref(),
        args[1].as_ref(),
    ]);
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(view["charts"][0]["kind"], "donut");
    // Another drawing than the bars (view::chart's unit tests count its
    // slices and legend).
    let donut = template_data(&dir, &args);
    let bars = template_data(&dir, &[]);
    let svg = |dir: &Path| fs::read(dir.join("data/chart-severity.svg")).unwrap();
    assert_ne!(svg(&donut), svg(&bars));

    let first = build_ok(&dir, "donut-1", &args);
    let second = build_ok(&dir, "donut-2", &args);
    assert_eq!(
        fs::read(&first).unwrap(),
        fs::read(&second).unwrap(),
        "a rebuild with charts is byte-identical"
    );
    let bars = build_ok(&dir, "bars", &[]);
    assert_ne!(fs::read(&first).unwrap(), fs::read(&bars).unwrap());
    let text = pdf_text(&first);
    assert!(text.contains("Findings by severity"));
}

#[test]
fn an_unknown_chart_kind_is_one_error_at_its_value() {
    let (_tmp, dir) = workspace(&example());
    let style = house_style(&dir, "pie");
    let pdf = dir.parent().unwrap().join("pie.pdf");
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("unknown `charts.findings` \"pie\""), "{err}");
    assert!(err.contains("style.toml:5:"), "{err}");
    assert!(err.contains("\"bar\", \"donut\", \"none\""), "{err}");
    assert_eq!(err.matches("error").count(), 1, "{err}");
    assert!(!pdf.exists());
}

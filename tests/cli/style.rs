//! House styles (FORMAT 1.1): built-in and folder styles drive the scales,
//! the colours and every fixed text of the report.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// The `file:line:column` of the first occurrence of a needle in a file's text.
fn place_of(name: &str, text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {name}"));
    let line = text[..at].matches('\n').count() + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("{name}:{line}:{column}")
}

/// The page of a PDF's text layer that holds a needle.
fn page_of<'a>(text: &'a str, needle: &str) -> &'a str {
    text.split('\u{c}')
        .find(|p| p.contains(needle))
        .unwrap_or_else(|| panic!("no page holds {needle:?}"))
}

/// `auditpress style show` of a style, as TOML.
fn shown(style: &str) -> toml::Table {
    let out = run(&["style".as_ref(), "show".as_ref(), style.as_ref()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    String::from_utf8(out.stdout)
        .unwrap()
        .parse()
        .expect("style show prints TOML")
}

/// The strings table of a shown style.
pub fn strings(style: &str) -> BTreeMap<String, String> {
    shown(style)["strings"]
        .as_table()
        .expect("a [strings] table")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("strings are text").to_string()))
        .collect()
}

#[test]
fn the_risk_style_prints_its_names_in_its_order_and_colours() {
    let (_tmp, dir) = workspace(&fixture("risk"));
    let pdf = build_ok(&dir, "risk", &[]);
    let text = pdf_text(&pdf);
    // The exposure table lists the style's severities, most severe first.
    let summary = page_of(&text, "Exposure analysis");
    assert_in_order(
        summary,
        &["Critical", "High", "Medium", "Low", "Informational"],
    );
    // The matrix is named by the second axis' label, its columns in the style's order.
    let matrix = page_of(&text, "Each cell counts");
    assert!(
        squash(matrix).contains(
            "SeverityandLikelihoodEachcellcountsthefindingsofoneseverity(rows)andonelikelihood(columns)."
        ),
        "{matrix}"
    );
    let header = matrix
        .lines()
        .find(|l| l.trim_start().starts_with("Severity") && l.contains("N/A"))
        .unwrap_or_else(|| panic!("no matrix header in {matrix}"));
    assert_in_order(header, &["Severity", "High", "Medium", "Low", "N/A"]);
    // Free types: no categories to define; the appendix names the two scales.
    assert!(text.contains("A. Severity and Likelihood Levels"), "{text}");
    assert!(!text.contains("Vulnerability Categories"), "{text}");
    assert!(!text.contains("Difficulty"), "{text}");
    assert!(!text.contains("Undetermined\n") || !summary.contains("Undetermined"));
    // The fix-review sentence counts Acknowledged and Not Fixed as unresolved.
    assert!(
        squash(&text).contains(
            "HarborLabshasresolvedoneissue,haspartiallyresolvedoneissue,andhasnotresolvedtheremainingthreeissues."
        ),
        "{text}"
    );
    let statuses = page_of(&text, "Fix Review Status Categories\nThe following");
    assert_in_order(
        statuses,
        &[
            "Fixed",
            "Partially Fixed",
            "Acknowledged",
            "Not Fixed",
            "Undetermined",
        ],
    );
    // The badges wear the style's colours: Critical and Acknowledged are
    // colours the standard style does not have.
    let page = page_with(&pdf, "Each cell counts");
    assert!(
        pixels_of_colour(&pdf, page, 100, [0x7b, 0x1c, 0x1c]) > 100,
        "no Critical badge colour on the summary page"
    );
    assert!(
        pixels_of_colour(&pdf, page, 100, [0xb7, 0x95, 0x0b]) > 100,
        "no Acknowledged badge colour on the summary page"
    );
    let view = view_json(&dir);
    assert_eq!(view["colours"]["severity"]["Critical"], "#7b1c1c");
    assert_eq!(view["findings"][1]["status"], "Acknowledged");
}

/// A style folder that renames the second axis, adds a severity and has its own statuses.
const NORTHWIND: &str = r##"name = "Northwind"
extends = "standard"

[severity]
levels = [
  { name = "Critical", colour = "#7b1c1c" },
  { name = "High", colour = "#c0392b" },
  { name = "Medium" },
  { name = "Low" },
  { name = "Informational" },
]

[difficulty]
label = "Exploitability"
levels = [{ name = "Easy" }, { name = "Moderate" }, { name = "Hard" }, { name = "N/A" }]

[status]
levels = [
  { name = "Open", counts_as = "unresolved" },
  { name = "Fixed", counts_as = "resolved", colour = "#1e8449" },
  { name = "Risk Accepted", counts_as = "unresolved", definition = "The client accepts the *risk*." },
]
"##;

/// The fixreview folder rewritten to the Northwind scales, and the style folder beside it.
fn northwind() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let style = dir.parent().unwrap().join("northwind");
    fs::create_dir_all(&style).unwrap();
    fs::write(style.join("style.toml"), NORTHWIND).unwrap();
    fs::write(
        dir.join("findings.csv"),
        "id,title,severity,difficulty,type\n\
         ACME-1,Default admin password,Critical,Easy,Authentication\n\
         ACME-2,Verbose error pages,Low,Easy,Error Reporting\n\
         ACME-3,Outdated TLS library,Medium,Hard,Patching\n\
         ACME-4,Unclear log retention,Informational,N/A,Auditing and Logging\n",
    )
    .unwrap();
    fs::write(
        dir.join("fix-review.csv"),
        "id,status\nACME-1,Fixed\nACME-2,Risk Accepted\nACME-3,Open\nACME-4,Open\n",
    )
    .unwrap();
    (tmp, dir, style)
}

#[test]
fn a_style_folder_with_its_own_axis_levels_and_statuses_builds() {
    let (_tmp, dir, style) = northwind();
    // The folder's template overrides and logo come with the style.
    fs::create_dir_all(style.join("templates/sections")).unwrap();
    fs::write(
        style.join("templates/sections/toc.typ"),
        "#let toc(data) = heading(level: 1, outlined: false)[Northwind Contents]\n",
    )
    .unwrap();
    fs::copy(example().join("images/exploit.png"), style.join("logo.png")).unwrap();
    let pdf = build_ok(&dir, "northwind", &["--style", style.to_str().unwrap()]);
    let text = pdf_text(&pdf);
    assert!(text.contains("Northwind Contents"), "{text}");
    assert!(images_on_page(&pdf, 1) > 0, "no logo on the cover");
    assert!(text.contains("Severity and Exploitability"), "{text}");
    assert!(text.contains("Exploitability Levels"), "{text}");
    let matrix = page_of(&text, "Each cell counts");
    let header = matrix
        .lines()
        .find(|l| l.trim_start().starts_with("Severity") && l.contains("N/A"))
        .unwrap_or_else(|| panic!("no matrix header in {matrix}"));
    assert_in_order(header, &["Severity", "Easy", "Moderate", "Hard", "N/A"]);
    assert_in_order(
        page_of(&text, "Exposure analysis"),
        &["Critical", "High", "Medium", "Low", "Informational"],
    );
    // Its statuses, with their definitions as Markdown, and the sentence they count in.
    assert!(
        text.contains("Risk Accepted") && text.contains("The client accepts the risk."),
        "{text}"
    );
    assert!(
        squash(&text).contains("Acmehasresolvedoneissueandhasnotresolvedtheremainingthreeissues."),
        "{text}"
    );
    // The same style named in audit.toml, relative to it.
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        format!("style = \"../northwind\"\n{toml}"),
    )
    .unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_value_outside_the_style_scale_is_an_error_at_its_cell_listing_the_style_names() {
    let (_tmp, dir, style) = northwind();
    let csv = fs::read_to_string(dir.join("findings.csv"))
        .unwrap()
        .replace("Critical,Easy", "Critical,Low");
    fs::write(dir.join("findings.csv"), &csv).unwrap();
    let pdf = dir.parent().unwrap().join("out.pdf");
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!pdf.exists(), "nothing is written");
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        &place_of("findings.csv", &csv, "Low,Auth"),
        "unknown exploitability \"Low\"",
    );
    assert!(
        err.contains("expected one of Easy, Moderate, Hard, N/A"),
        "{err}"
    );
    // And a standard name the style does not have, on the severity scale.
    let csv = csv
        .replace("Critical,Low", "Critical,Easy")
        .replace("Low,Easy", "Undetermined,Easy");
    fs::write(dir.join("findings.csv"), &csv).unwrap();
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        &place_of("findings.csv", &csv, "Undetermined"),
        "unknown severity \"Undetermined\"",
    );
    assert!(
        err.contains("expected one of Critical, High, Medium, Low, Informational"),
        "{err}"
    );
    // A status of the standard style is told what counts as the same here.
    fs::write(
        dir.join("fix-review.csv"),
        "id,status\nACME-1,Resolved\nACME-2,Open\nACME-3,Open\nACME-4,Open\n",
    )
    .unwrap();
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    let err = stderr(&out);
    assert_diagnostic(&err, "fix-review.csv:2:8", "unknown status \"Resolved\"");
    assert!(
        err.contains("in this house style Fixed counts as resolved"),
        "{err}"
    );
}

#[test]
fn every_problem_of_a_style_toml_is_reported_at_its_place_in_one_run() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let style = dir.parent().unwrap().join("broken");
    fs::create_dir_all(&style).unwrap();
    let text = r##"name = "Broken"
colours = "x"

[severity]
levels = [
  { name = "High", colour = "red" },
  { colour = "#123456" },
  { name = "Low", shade = "#000000" },
]

[status]
levels = [{ name = "Done" }]

[strings]
"section.sumary" = "Findings"
"section.about" = "About {vendr}"

[templates]
body = "x"
"##;
    fs::write(style.join("style.toml"), text).unwrap();
    let pdf = dir.parent().unwrap().join("out.pdf");
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!pdf.exists(), "nothing is written");
    let err = stderr(&out);
    let name = "style.toml";
    for (needle, message) in [
        ("colours", "unknown key `colours` in style.toml"),
        ("\"red\"", "\"red\" is not a colour"),
        ("{ colour = \"#123456\" }", "a severity level has no name"),
        ("shade", "unknown key `severity.shade` in style.toml"),
        (
            "{ name = \"Done\" }",
            "the status \"Done\" has no `counts_as`",
        ),
        (
            "\"section.sumary\"",
            "unknown string key \"section.sumary\"",
        ),
        (
            "\"About {vendr}\"",
            "{vendr} is no place of the string \"section.about\"",
        ),
        ("templates", "unknown key `templates` in style.toml"),
    ] {
        assert_diagnostic(&err, &place_of(name, text, needle), message);
    }
    assert!(err.contains("did you mean \"section.summary\"?"), "{err}");
    assert!(err.contains("did you mean {vendor}?"), "{err}");
}

/// The keys whose text is the same in German: a name, a symbol or a month.
const SAME_IN_GERMAN: &[&str] = &[
    "column.cvss",
    "column.id",
    "column.status",
    "cover.period",
    "field.cvss",
    "field.difficulty",
    "field.status",
    "list.comma",
    "month.4",
    "month.8",
    "month.9",
    "month.11",
    "text.scan-level",
];

#[test]
fn the_german_style_leaves_no_english_fixed_text() {
    let (_tmp, dir) = workspace(&fixture("german"));
    // Drafts, scans and the changes appendix show their fixed texts too.
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(dir.join("audit.toml"), format!("draft = true\n{toml}")).unwrap();
    copy_dir(&fixture("scanned").join("scans"), &dir.join("scans"));
    let style = root().join("data/styles/de");
    let pdf = dir.parent().unwrap().join("de.pdf");
    let out = build_to(
        &dir,
        &pdf,
        &[
            "--style",
            style.to_str().unwrap(),
            "--changes-since",
            dir.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = pdf_text(&pdf);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for german in [
        "Zusammenfassung für die Geschäftsleitung",
        "Schweregrad und Schwierigkeit",
        "2. Oktober 2025",
        "ENTWURF · VERTRAULICH",
        "Es hat sich nichts geändert.",
        "Von den 4 in diesem Bericht beschriebenen Problemen hat Stadtwerke Beispielstadt ein Problem behoben",
        "7,5 (Hoch)",
    ] {
        assert!(flat.contains(german), "{german:?} missing in:\n{text}");
    }
    let english = strings("standard");
    let deutsch = strings(style.to_str().unwrap());
    let mut checked = 0;
    for (key, en) in &english {
        if SAME_IN_GERMAN.contains(&key.as_str()) {
            assert_eq!(deutsch.get(key), Some(en), "{key}");
            continue;
        }
        for fragment in en.split(['{', '}']).step_by(2) {
            let fragment = fragment.trim_matches(|c: char| !c.is_alphanumeric());
            if fragment.chars().filter(|c| c.is_alphabetic()).count() < 4 {
                continue;
            }
            checked += 1;
            let found = flat.match_indices(fragment).any(|(at, _)| {
                let before = flat[..at].chars().next_back();
                let after = flat[at + fragment.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            });
            assert!(
                !found,
                "English text of {key:?} left in the German report: {fragment:?}\n{text}"
            );
        }
    }
    assert!(
        checked > 150,
        "only {checked} English texts were looked for"
    );
    // The style's font is used and embedded.
    let fonts = std::process::Command::new("pdffonts")
        .arg(&pdf)
        .output()
        .expect("pdffonts (poppler-utils) is installed");
    assert!(
        String::from_utf8_lossy(&fonts.stdout).contains("LibertinusSerif-Regular"),
        "{}",
        String::from_utf8_lossy(&fonts.stdout)
    );
}

/// Whether a string key is used by the templates or the compiler: named whole,
/// or as the stem of its plural forms, or as a family built with `format!`
/// (`month.{}`, `change.section.{}`).
fn used(key: &str, sources: &str) -> bool {
    if sources.contains(&format!("\"{key}\"")) {
        return true;
    }
    let Some((stem, _)) = key.rsplit_once('.') else {
        return false;
    };
    let plural = key.ends_with(".one") || key.ends_with(".other");
    (plural && sources.contains(&format!("\"{stem}\"")))
        || sources.contains(&format!("\"{stem}.{{"))
}

/// The text of every file under a folder with one of the extensions.
fn read_tree(dir: &Path, ext: &[&str], out: &mut String) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            read_tree(&path, ext, out);
        } else if path
            .extension()
            .is_some_and(|e| ext.contains(&e.to_str().unwrap_or("")))
        {
            out.push_str(&fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn style_show_lists_every_key_and_every_key_is_used() {
    let standard = strings("standard");
    assert!(standard.len() > 150, "{}", standard.len());
    let mut sources = String::new();
    read_tree(&root().join("templates"), &["typ"], &mut sources);
    read_tree(&root().join("src"), &["rs"], &mut sources);
    let unused: Vec<&String> = standard.keys().filter(|k| !used(k, &sources)).collect();
    assert!(unused.is_empty(), "string keys nothing uses: {unused:?}");
    // Every key a template asks for is one style show lists.
    let mut templates = String::new();
    read_tree(&root().join("templates"), &["typ"], &mut templates);
    for part in templates.split("tr(\"").skip(1) {
        let key = &part[..part.find('"').unwrap()];
        assert!(standard.contains_key(key), "templates use {key:?}");
    }
    // A style lists every key, its own texts and the ones it inherits.
    let german = strings(root().join("data/styles/de").to_str().unwrap());
    assert_eq!(
        german.keys().collect::<Vec<_>>(),
        standard.keys().collect::<Vec<_>>()
    );
    let risk = shown("risk");
    assert_eq!(risk["difficulty"]["label"].as_str(), Some("Likelihood"));
    assert_eq!(risk["type"]["free"].as_bool(), Some(true));
}

#[test]
fn a_style_shown_is_a_style_that_builds_the_same_report() {
    let (_tmp, dir) = workspace(&fixture("risk"));
    let out = run(&["style".as_ref(), "show".as_ref(), "risk".as_ref()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let folder = dir.parent().unwrap().join("copy-of-risk");
    fs::create_dir_all(&folder).unwrap();
    fs::write(folder.join("style.toml"), &out.stdout).unwrap();
    let built_in = build_ok(&dir, "built-in", &[]);
    let copied = build_ok(&dir, "copied", &["--style", folder.to_str().unwrap()]);
    assert_eq!(
        fs::read(&built_in).unwrap(),
        fs::read(&copied).unwrap(),
        "the shown style builds the same bytes"
    );
}

#[test]
fn style_fonts_that_are_not_fonts_and_unknown_families_are_reported() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let style = dir.parent().unwrap().join("house");
    fs::create_dir_all(style.join("fonts")).unwrap();
    fs::create_dir_all(style.join("templates")).unwrap();
    fs::write(style.join("style.toml"), "name = \"House\"\n").unwrap();
    fs::write(style.join("fonts/OFL.txt"), "licence").unwrap();
    fs::write(style.join("fonts/brochure.pdf"), "%PDF-1.7").unwrap();
    fs::write(style.join("fonts/Broken.ttf"), "not a font at all").unwrap();
    let pdf = dir.parent().unwrap().join("out.pdf");
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for file in ["brochure.pdf", "Broken.ttf"] {
        assert_diagnostic(&err, &format!("{file}:1:1"), "not a font");
    }
    assert!(
        !err.contains("fonts/OFL.txt"),
        "a licence is not an error: {err}"
    );
    // Real fonts, but the templates ask for a family none of them is.
    fs::remove_file(style.join("fonts/brochure.pdf")).unwrap();
    fs::copy(
        root().join("fonts/JetBrainsMono-Regular.ttf"),
        style.join("fonts/Broken.ttf"),
    )
    .unwrap();
    fs::write(
        style.join("templates/fonts.typ"),
        "#let fonts = (body: (\"Garamond Premier\",), mono: (\"JetBrains Mono\",))\n",
    )
    .unwrap();
    let out = build_to(&dir, &pdf, &["--style", style.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: unknown font family: garamond premier"),
        "{err}"
    );
    assert!(err.contains("Inter, JetBrains Mono"), "{err}");
}

#[test]
fn a_batch_variant_and_the_command_line_choose_the_style() {
    let (_tmp, dir) = workspace(&fixture("risk"));
    let base = dir.parent().unwrap();
    let style = base.join("probability");
    fs::create_dir_all(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        "extends = \"risk\"\n\n[difficulty]\nlabel = \"Probability\"\nlevels = [{ name = \"High\" }, { name = \"Medium\" }, { name = \"Low\" }, { name = \"N/A\" }]\n",
    )
    .unwrap();
    let folder = dir.file_name().unwrap().to_str().unwrap();
    fs::write(
        base.join("batch.toml"),
        format!(
            "[[report]]\nfolder = \"{folder}\"\noutput = \"a.pdf\"\n\n[[report]]\nfolder = \"{folder}\"\noutput = \"b.pdf\"\nstyle = \"probability\"\n"
        ),
    )
    .unwrap();
    let out = run(&["batch".as_ref(), base.join("batch.toml").as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let a = pdf_text(&base.join("a.pdf"));
    let b = pdf_text(&base.join("b.pdf"));
    assert!(a.contains("Severity and Likelihood") && !a.contains("Probability"));
    assert!(b.contains("Severity and Probability") && !b.contains("Likelihood"));
    // --style beats audit.toml's style: risk's Critical is no standard severity.
    let out = run(&[
        "check".as_ref(),
        "--style".as_ref(),
        "standard".as_ref(),
        dir.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown severity \"Critical\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_style_toml_of_format_md_is_a_style() {
    let format = fs::read_to_string(root().join("docs/FORMAT.md")).unwrap();
    let start = format
        .find("```toml\n# style.toml\n")
        .expect("FORMAT.md shows a style.toml");
    let body = &format[start + "```toml\n".len()..];
    let example = &body[..body.find("```").unwrap()];
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("style.toml"), example).unwrap();
    let style = shown(tmp.path().to_str().unwrap());
    assert_eq!(style["name"].as_str(), Some("Northwind house style"));
    assert_eq!(style["difficulty"]["label"].as_str(), Some("Likelihood"));
    let statuses: Vec<&str> = style["status"]["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["Fixed", "Mitigated", "Risk Accepted", "Open"]);
    assert_eq!(
        style["strings"]["section.executive-summary"].as_str(),
        Some("Management Summary")
    );
}

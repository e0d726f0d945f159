//! Printing as the firm prints (FORMAT 1.3): numbered headings with the
//! firm's ids, run-in section titles, untitled lead text, notes without a
//! severity, fix notes as written, statuses only in the summary, group
//! intros and headers, figures through the chapter, the severity matrix,
//! and a report that prints only what it holds. The folders under
//! tests/fixtures/firms imitate Cyfrin, X41, Informal Systems, Assured and
//! Pashov.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// A copy of a folder of tests/fixtures/firms.
fn firm(name: &str) -> (tempfile::TempDir, PathBuf) {
    workspace(&fixture("firms").join(name))
}

/// The text of the detailed findings: from their chapter's heading, past
/// the contents, to the first appendix.
fn detailed(text: &str) -> &str {
    let start = text
        .rfind("Detailed Findings\n")
        .expect("detailed findings");
    let end = text[start..]
        .find("A. ")
        .map_or(text.len(), |at| start + at);
    &text[start..end]
}

/// The number the text layer prints before a heading: "3.1.1" for
/// "3.1.1 [H-1] Anyone can claim".
fn number_before(text: &str, heading: &str) -> String {
    let line = text
        .lines()
        .find(|l| l.contains(heading) && !l.contains(". ."))
        .unwrap_or_else(|| panic!("no heading {heading:?} in:\n{text}"));
    let before = line[..line.find(heading).unwrap()].trim();
    assert!(
        !before.is_empty() && before.chars().all(|c| c.is_ascii_digit() || c == '.'),
        "{heading:?} has no number before it: {line:?}"
    );
    before.to_string()
}

/// The vertical space, in points, between a line that holds `above` and
/// the next line of its page that holds `below` (the first such pair).
fn gap(pdf: &Path, above: &str, below: &str) -> f64 {
    let words = pdf_words(pdf);
    words
        .iter()
        .enumerate()
        .filter(|(_, w)| w.text == above)
        .find_map(|(i, top)| {
            words[i..]
                .iter()
                .take_while(|w| w.page == top.page)
                .find(|w| w.text == below)
                .map(|w| w.y_min - top.y_min)
        })
        .unwrap_or_else(|| panic!("no {below:?} below {above:?} on a page"))
}

/// The last page whose text holds a needle (past the contents).
fn last_page_with(pdf: &Path, needle: &str) -> usize {
    pdf_text(pdf)
        .split('\u{c}')
        .enumerate()
        .filter(|(_, p)| p.contains(needle))
        .map(|(i, _)| i + 1)
        .last()
        .unwrap_or_else(|| panic!("no page holds {needle:?}"))
}

#[test]
fn cyfrin_numbers_its_headings_and_runs_the_section_titles_into_the_text() {
    let (_tmp, dir) = firm("cyfrin");
    let pdf = build_ok(&dir, "cyfrin", &["--deny-warnings"]);
    let text = pdf_text(&pdf);
    let body = detailed(&text);
    // "7.1.1 [H-1] Title", whatever the chapter: chapter, group, finding.
    let chapter = number_before(&text, "Detailed Findings");
    assert_eq!(number_before(body, "High Risk"), format!("{chapter}.1"));
    assert_eq!(
        number_before(body, "[H-1] Anyone can claim"),
        format!("{chapter}.1.1")
    );
    assert_eq!(
        number_before(body, "[M-1] Revoking"),
        format!("{chapter}.2.1")
    );
    assert_eq!(
        number_before(body, "[I-1] Events lack"),
        format!("{chapter}.3.1")
    );
    // Section titles run into their paragraphs; no header box; the fix
    // note as written, with no heading and no status.
    let h1 = &body[body.find("[H-1]").unwrap()..body.find("[M-1]").unwrap()];
    assert_in_order(
        h1,
        &[
            "Description: claim pays the tokens",
            "Impact: An attacker drains",
            "Recommended Mitigation: Check",
            "Lumen: Fixed in commit abc1234.",
            "Cyfrin: Verified.",
        ],
    );
    for absent in [
        "Severity",
        "Likelihood",
        "Fix Review",
        "Resolved",
        "Fixed in\n",
    ] {
        assert!(!h1.contains(absent), "{absent:?} in:\n{h1}");
    }
    // Appendices keep their letters; the contents and the PDF's outline
    // carry the numbers.
    let contents = &text[..text.find("Executive Summary\n").unwrap_or(0) + 2000];
    assert!(contents.contains(&format!("{chapter} Detailed Findings")));
    let outline = outline(&pdf).join("\n");
    assert_in_order(
        &outline,
        &[
            &format!("{chapter} Detailed Findings"),
            &format!("\n  {chapter}.1 High Risk"),
            &format!("\n    {chapter}.1.1 [H-1] Anyone can claim"),
            &format!("\n    {chapter}.2.1 [M-1] Revoking"),
            "\nA. Severity and Likelihood Levels",
        ],
    );
}

#[test]
fn the_matrix_is_printed_as_a_table_where_the_severities_are_defined() {
    for (firm_name, heading) in [
        ("cyfrin", "Risk Classification"),
        ("pashov", "Severity classification"),
    ] {
        let (_tmp, dir) = firm(firm_name);
        let text = pdf_text(&build_ok(&dir, firm_name, &[]));
        let appendix = &text[text.rfind("A. Severity and Likelihood Levels").unwrap()..];
        let matrix = &appendix[appendix.find(heading).expect(heading)..];
        // Column heads, then each row's head and its severities, in the
        // scales' orders.
        assert_in_order(
            &squash(matrix),
            &[
                "Likelihood:High",
                "Likelihood:Medium",
                "Likelihood:Low",
                "Impact:HighCriticalHighMedium",
                "Impact:MediumHighMediumLow",
                "Impact:LowMediumLowLow",
            ],
        );
    }
    // In the severities' colours: Critical's dark red is on the page.
    let (_tmp, dir) = firm("cyfrin");
    let pdf = build_ok(&dir, "colours", &[]);
    let page = last_page_with(&pdf, "Risk Classification");
    assert!(pixels_of_colour(&pdf, page, 60, [0x7b, 0x1c, 0x1c]) > 20);
    // A style without a matrix prints none.
    let (_tmp, dir) = firm("x41");
    let text = pdf_text(&build_ok(&dir, "x41", &[]));
    assert!(!text.contains("follows from its two ratings"));
}

#[test]
fn x41_opens_each_group_with_its_paragraph_and_prints_no_severity_none() {
    let (_tmp, dir) = firm("x41");
    let pdf = build_ok(&dir, "x41", &["--deny-warnings"]);
    let text = pdf_text(&pdf);
    let body = detailed(&text);
    let chapter = number_before(&text, "Detailed Findings");
    assert_eq!(
        number_before(body, "Path traversal in the upload handler"),
        format!("{chapter}.1.1")
    );
    assert_eq!(
        number_before(body, "Verbose error pages"),
        format!("{chapter}.2.1")
    );
    assert_in_order(
        body,
        &[
            "Findings",
            "The following subsections describe each security vulnerability that was found.",
            "Path traversal in the upload handler",
            "Informational Notes",
            "The following observations do not have a direct security impact.",
            "Verbose error pages",
        ],
    );
    // The findings' header, and the notes' own, without "Severity None".
    let finding = &body[body.find("Path traversal").unwrap()..body.find("Description").unwrap()];
    assert_in_order(
        &squash(finding),
        &[
            "SeverityHigh",
            "FindingIDLUM-CR-25-01",
            "AffectedComponentupload.rs",
        ],
    );
    let note = &body[body.find("Verbose error pages").unwrap()..];
    assert!(
        squash(note).contains("AffectedComponenterrors.rs"),
        "{note}"
    );
    assert!(
        !note.contains("Severity") && !note.contains("None"),
        "{note}"
    );
    assert!(
        !note.contains("Finding ID"),
        "the notes' header is their own"
    );
    // A note with no value for any entry of its header has no header box:
    // its text follows its heading at once.
    let space = gap(&pdf, "notice", "Description");
    assert!(space < 30.0, "{space} pt between the heading and its text");
    // Figures are numbered through the chapter, across findings.
    assert!(
        body.contains(&format!(
            "Figure {chapter}.1: The upload handler joins the name as given"
        )),
        "{body}"
    );
    assert!(body.contains(&format!("Figure {chapter}.2: The comparison")));
}

#[test]
fn informal_and_assured_print_the_lead_text_under_no_title() {
    // Informal Systems: the text before the first heading, and a
    // `## Description` section, are the lead text.
    let (_tmp, dir) = firm("informal");
    let text = pdf_text(&build_ok(&dir, "informal", &["--deny-warnings"]));
    let body = detailed(&text);
    assert!(!body.contains("Description"), "{body}");
    assert_in_order(
        body,
        &[
            "Relayer accepts expired headers",
            "IF-LUMEN-01",
            "The relayer checks a header",
            "Problem Scenarios",
            "Recommendation",
            "Unbounded memo field",
            "The memo field of a transfer",
            "Recommendation",
        ],
    );
    // Assured: findings numbered in their chapter without groups ("3.2"),
    // the lead text untitled, and neither header box nor summary table.
    let (_tmp, dir) = firm("assured");
    let pdf = build_ok(&dir, "assured", &["--deny-warnings"]);
    let text = pdf_text(&pdf);
    let body = detailed(&text);
    let chapter = number_before(&text, "Detailed Findings");
    assert_eq!(
        number_before(body, "PIN attempts are not limited"),
        format!("{chapter}.1")
    );
    assert_eq!(
        number_before(body, "Screenshots of the seed phrase"),
        format!("{chapter}.2")
    );
    assert_in_order(
        body,
        &[
            "PIN attempts are not limited",
            "The app lets a user try any number of PINs.",
            "Recommendation",
        ],
    );
    assert!(!body.contains("Description") && !body.contains("Severity"));
    assert!(!text.contains("Summary of Findings"));
    assert!(!text.contains("The table below summarizes"));
    // No empty box between the heading and the lead text: one line's space.
    let space = gap(&pdf, "PIN", "app");
    assert!(space < 30.0, "{space} pt between the heading and its text");
}

#[test]
fn pashov_prints_statuses_only_in_its_summary_table() {
    let (_tmp, dir) = firm("pashov");
    let text = pdf_text(&build_ok(&dir, "pashov", &["--deny-warnings"]));
    let summary = &text[text.rfind("Summary of Findings").unwrap()..];
    assert_in_order(
        &squash(summary),
        &["H-01", "High", "Resolved", "L-01", "Low", "Acknowledged"],
    );
    let body = detailed(&text);
    for absent in [
        "Status",
        "Resolved",
        "Acknowledged",
        "Fixed in commit",
        "Fix Review",
    ] {
        assert!(!body.contains(absent), "{absent:?} in:\n{body}");
    }
    assert!(!text.contains("Fix Review Results"));
    assert!(!text.contains("Fix Review Status Categories"));
}

/// A style folder `style` beside `dir` that extends a built-in style and
/// gives a header and a summary of nothing.
fn empty_shape(dir: &Path, extends: &str) {
    let style = dir.parent().unwrap().join("style");
    fs::create_dir_all(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        format!("extends = \"{extends}\"\n\n[finding]\nheader = []\nsummary = []\n"),
    )
    .unwrap();
}

/// Sets `header = []` and `summary = []` in a style.toml that has both keys.
fn empty_header_and_summary(style: &Path) {
    let text = fs::read_to_string(style).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("header = ") {
                "header = []".to_string()
            } else if l.starts_with("summary = ") {
                "summary = []".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(style, text).unwrap();
}

#[test]
fn a_report_with_no_header_and_no_summary_prints_neither_nor_their_sentences() {
    // Each example style and built-in style, in English and German.
    let mut builds: Vec<(tempfile::TempDir, PathBuf, String)> = Vec::new();
    for name in ["smart-contract", "pentest"] {
        let (tmp, dir) = example_folder(name);
        empty_header_and_summary(&dir.join("../style/style.toml"));
        let style = dir.join("../style").to_str().unwrap().to_string();
        builds.push((tmp, dir, style));
    }
    for (folder, extends) in [(example(), "standard"), (fixture("risk"), "risk")] {
        let (tmp, dir) = workspace(&folder);
        empty_shape(&dir, extends);
        edit_style_line(&dir, "style = \"../style\"");
        builds.push((tmp, dir, extends.to_string()));
    }
    let (tmp, dir) = workspace(&fixture("german"));
    copy_dir(&root().join("data/styles/de"), &tmp.path().join("style"));
    let de = tmp.path().join("style/style.toml");
    let mut text = fs::read_to_string(&de).unwrap();
    // A style with a [finding] table names its sections itself.
    text.push_str(
        "\n[finding]\nheader = []\nsummary = []\nsections = [\n\
         { key = \"description\", title = \"Beschreibung\" },\n\
         { key = \"exploit_scenario\", title = \"Angriffsszenario\" },\n\
         { key = \"recommendations\", title = \"Empfehlungen\" },\n\
         { key = \"references\", title = \"Verweise\" },\n]\n",
    );
    fs::write(&de, text).unwrap();
    edit_style_line(&dir, "style = \"../style\"");
    builds.push((
        tmp,
        dir,
        root().join("data/styles/de").to_str().unwrap().into(),
    ));

    for (_tmp, dir, style) in &builds {
        let pdf = build_ok(dir, "empty", &[]);
        let text = pdf_text(&pdf);
        let flat = squash(&text);
        let strings = crate::style::strings(style);
        for key in [
            "text.summary-intro",
            "text.summary-intro-fix",
            "text.summary-intro-severity",
            "text.summary-intro-severity-fix",
            "text.summary-intro-plain",
            "text.summary-intro-plain-fix",
        ] {
            assert!(
                !flat.contains(&squash(&strings[key])),
                "{style}: {key} printed without its table"
            );
        }
        // The executive summary's sentence names the category table only
        // where it is printed.
        let by_category = flat.contains(&squash(&strings["text.severities-intro"]));
        let categories = flat.contains(&squash(&strings["text.categories"]));
        assert_eq!(by_category, categories, "{style}");
        // No summary table: its column heads do not follow its title.
        if let Some(at) = text.find(&format!("\n{}\n", strings["section.summary"])) {
            let after = &text[at..];
            let title_column = squash(&strings["column.title"]);
            assert!(
                !squash(&after[..after.len().min(400)]).contains(&title_column),
                "{style}: a summary table"
            );
        }
        // No header box: the first finding's text follows its heading
        // closely. The view says which finding is first, and whether it
        // has text to follow its heading.
        let view = view_json(dir);
        let first = &view["findings"][0];
        assert_eq!(first["header"].as_array().map(Vec::len), Some(0));
        if first["sections"].as_array().is_none_or(Vec::is_empty) {
            continue;
        }
        let word = first["title_text"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .last()
            .unwrap()
            .to_string();
        let heading_page = text
            .split('\u{c}')
            .position(|p| p.contains(first["title_text"].as_str().unwrap()) && !p.contains(". . ."))
            .unwrap();
        let words = pdf_words(&pdf);
        let at = words
            .iter()
            .position(|w| w.page == heading_page + 1 && w.text == word)
            .unwrap_or_else(|| panic!("{style}: no {word:?} on page {}", heading_page + 1));
        let next = words[at + 1..]
            .iter()
            .find(|w| w.y_min > words[at].y_min + 1.0)
            .unwrap();
        let space = next.y_min - words[at].y_min;
        assert!(space < 30.0, "{style}: {space} pt below the heading");
    }
}

/// Points audit.toml's `style` at another folder.
fn edit_style_line(dir: &Path, line: &str) {
    let path = dir.join("audit.toml");
    let text = fs::read_to_string(&path).unwrap();
    let text = if text.lines().any(|l| l.starts_with("style = ")) {
        text.lines()
            .map(|l| if l.starts_with("style = ") { line } else { l })
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        // A top-level key goes before the first table.
        let at = text.find("\n[").map_or(text.len(), |i| i + 1);
        format!("{}{line}\n{}", &text[..at], &text[at..])
    };
    fs::write(&path, text).unwrap();
}

#[test]
fn each_mistake_in_the_printing_keys_gets_one_located_error() {
    let (_tmp, dir) = firm("cyfrin");
    let style = dir.join("style/style.toml");
    let text = fs::read_to_string(&style)
        .unwrap()
        .replace("section_titles = \"run-in\"", "section_titles = \"runin\"")
        .replace(
            "required = true }",
            "required = true, print_title = \"no\" }",
        )
        .replace("headings = \"1.1\"", "headings = \"1.2\"")
        .replace(
            "fix_review = \"note\"",
            "fix_review = \"notes\"\nfigures = \"pages\"",
        )
        .replace(
            "{ name = \"Informational\", colour = \"#2471a3\" }",
            "{ name = \"Informational\", colour = \"#2471a3\", rated = \"no\" }",
        )
        .replace(
            "severities = [\"Medium\"] }",
            "severities = [\"Medium\"], header = [\"stauts\"] }",
        );
    fs::write(&style, text).unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for (needle, message) in [
        ("\"runin\"", "unknown `finding.section_titles` \"runin\""),
        (
            "print_title = \"no\"",
            "`finding.sections.print_title` must be true or false",
        ),
        ("\"1.2\"", "unknown `numbering.headings` \"1.2\""),
        ("\"notes\"", "unknown `finding.fix_review` \"notes\""),
        ("\"pages\"", "unknown `finding.figures` \"pages\""),
        ("rated = \"no\"", "`rated` must be true or false"),
        ("\"stauts\"", "`finding.groups.header` names \"stauts\""),
    ] {
        let text = fs::read_to_string(&style).unwrap();
        let at = text.find(needle).unwrap_or_else(|| panic!("{needle}"));
        // The value, after its key.
        let at = at + needle.find('"').unwrap_or(0);
        let line = text[..at].matches('\n').count() + 1;
        let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
        assert_diagnostic(&err, &format!("style/style.toml:{line}:{column}"), message);
    }
    // One error each: the broken numbering gives {section} no error of its own.
    assert_eq!(error_lines(&dir).len(), 7, "{err}");

    // {section} where there are no numbers, or anywhere but first; figures
    // through a chapter that has no number.
    let (_tmp, dir) = firm("cyfrin");
    let style = dir.join("style/style.toml");
    edit(
        &dir,
        "style/style.toml",
        "[numbering]\nheadings = \"1.1\"\n",
        "",
    );
    edit(
        &dir,
        "style/style.toml",
        "fix_review = \"note\"",
        "fix_review = \"note\"\nfigures = \"chapter\"",
    );
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    let err = stderr(&out);
    let text = fs::read_to_string(&style).unwrap();
    let place = |needle: &str| {
        let at = text.find(needle).unwrap();
        let line = text[..at].matches('\n').count() + 1;
        let column = at - text[..at].rfind('\n').map_or(0, |n| n + 1) + 1;
        format!("style/style.toml:{line}:{column}")
    };
    assert_diagnostic(
        &err,
        &place("\"{section} [{id}] {title}\""),
        "`finding.heading` has a {section}, and the headings are not numbered",
    );
    assert_diagnostic(
        &err,
        &place("\"chapter\""),
        "`finding.figures = \"chapter\"` needs numbered chapters",
    );
    assert_eq!(error_lines(&dir).len(), 2, "{err}");
    let (_tmp, dir) = firm("cyfrin");
    edit(
        &dir,
        "style/style.toml",
        "\"{section} [{id}] {title}\"",
        "\"[{id}] {title} {section}\"",
    );
    let err = stderr(&run(&["check".as_ref(), dir.as_os_str()]));
    assert!(
        err.contains("{section} stands first in `finding.heading`"),
        "{err}"
    );
    assert_eq!(error_lines(&dir).len(), 1, "{err}");
}

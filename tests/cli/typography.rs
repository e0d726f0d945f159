//! The report's typography, checked on the PDF as a reader (or a reader's
//! tools) meets it: code as written, the measure of a line, tables that hold
//! together, one link annotation per link and line, page labels.

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

/// Returns the pages of the text layer, as pdftotext lays them out.
fn pages(pdf: &Path) -> Vec<String> {
    pdf_text(pdf).split('\u{c}').map(str::to_string).collect()
}

/// Returns an object of `qpdf --json`, following a reference ("12 0 R").
fn object<'a>(json: &'a serde_json::Value, v: &'a serde_json::Value) -> &'a serde_json::Value {
    match v.as_str() {
        Some(r) if r.ends_with(" R") => &json["qpdf"][1][format!("obj:{r}")]["value"],
        _ => v,
    }
}

/// Returns, for a 1-based page, the size of every run of text set in a font
/// whose name holds `family`, from the page's content stream (`/f3 8.8 Tf`).
fn text_sizes(pdf: &Path, page: usize, family: &str) -> Vec<f64> {
    let json = qpdf_json(pdf);
    let dict = object(&json, &json["pages"][page - 1]["object"]);
    let fonts = object(&json, &object(&json, &dict["/Resources"])["/Font"]);
    let in_family: Vec<&String> = fonts
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, f)| {
            object(&json, f)["/BaseFont"]
                .as_str()
                .is_some_and(|n| n.contains(family))
        })
        .map(|(name, _)| name)
        .collect();
    let contents = match &dict["/Contents"] {
        serde_json::Value::Array(refs) => refs.clone(),
        r => vec![r.clone()],
    };
    let mut sizes = Vec::new();
    for r in contents {
        let id = r.as_str().unwrap().split(' ').next().unwrap().to_string();
        let out = Command::new("qpdf")
            .args([&format!("--show-object={id}"), "--filtered-stream-data"])
            .arg(pdf)
            .output()
            .expect("qpdf is installed");
        let stream = String::from_utf8_lossy(&out.stdout).into_owned();
        // Operators and names run together ("0 Tr/f0 10 Tf").
        let stream = stream.replace('/', " /");
        let tokens: Vec<&str> = stream.split_whitespace().collect();
        for w in tokens.windows(3) {
            if w[2] == "Tf" && in_family.iter().any(|n| n.as_str() == w[0]) {
                sizes.push(w[1].parse().unwrap());
            }
        }
    }
    sizes
}

// Contextual alternates and ligatures of the code font printed `->` as an
// arrow and `==` as one bar, which a reader can misread.
#[test]
fn code_prints_as_written_and_inline_code_is_near_the_body_size() {
    let (_tmp, dir) = workspace(&fixture("curl-2022"));
    let pdf = build_ok(&dir, "curl", &[]);
    let qdf = dir.parent().unwrap().join("curl-qdf.pdf");
    let out = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(&pdf)
        .arg(&qdf)
        .output()
        .expect("qpdf is installed");
    assert!(out.status.success(), "qpdf --qdf failed");
    let bytes = fs::read(&qdf).unwrap();
    let spans = bytes.windows(11).filter(|w| w == b"/ActualText").count();
    assert_eq!(
        spans, 0,
        "glyphs stand for other characters ({spans} ActualText spans)"
    );
    let text = pdf_text(&pdf);
    for code in ["data->username", "needle->authtype", "&&", "=="] {
        assert!(text.contains(code), "{code:?} is not in the text layer");
    }

    // The example's executive summary has inline code and no code block.
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let page = page_with(&pdf, "We recommend that the Lumen Project");
    let body = text_sizes(&pdf, page, "Inter-Regular");
    let mut counts: HashMap<String, usize> = HashMap::new();
    for s in &body {
        *counts.entry(s.to_string()).or_default() += 1;
    }
    let body: f64 = counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .unwrap()
        .0
        .parse()
        .unwrap();
    let code = text_sizes(&pdf, page, "JetBrainsMono");
    assert!(!code.is_empty(), "no inline code on page {page}");
    for size in code {
        let ratio = size / body;
        assert!(
            (0.85..=0.92).contains(&ratio),
            "inline code at {size} pt is {:.0}% of the {body} pt body",
            ratio * 100.0
        );
    }
}

/// Returns the lengths of the prose lines of a PDF: lines of eight words or
/// more that are not a table's row nor a line of the contents.
fn prose_line_lengths(pdf: &Path) -> Vec<usize> {
    let mut lengths: Vec<usize> = pdf_text(pdf)
        .lines()
        .map(str::trim)
        .filter(|l| l.split_whitespace().count() >= 8 && !l.contains("   ") && !l.contains(". . ."))
        .map(|l| l.chars().count())
        .collect();
    lengths.sort_unstable();
    lengths
}

// Body text ran 99 to 110 characters a line; the norm for one column is at most 90.
#[test]
fn three_quarters_of_the_prose_lines_hold_at_most_90_characters() {
    let de = root().join("data/styles/de");
    for name in ["example", "pentest", "smart-contract", "german"] {
        let (_tmp, dir) = match name {
            "example" => workspace(&example()),
            "german" => workspace(&fixture(name)),
            _ => example_folder(name),
        };
        // The German style (data/styles/de) sets its body in a serif.
        let style: &[&str] = if name == "german" {
            &["--style", de.to_str().unwrap()]
        } else {
            &[]
        };
        let pdf = build_ok(&dir, "r", style);
        let lengths = prose_line_lengths(&pdf);
        assert!(lengths.len() > 20, "{name}: too few prose lines");
        let quartile = lengths[lengths.len() * 3 / 4];
        assert!(
            quartile <= 90,
            "{name}: the upper quartile of the prose lines is {quartile} characters"
        );
    }
}

/// Copies the example into a folder grown to `n` findings, the added ones
/// copies of the first ten with `suffix` after their title.
fn grown_example(n: usize, suffix: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = workspace(&example());
    for (file, title) in [("findings.csv", true), ("fix-review.csv", false)] {
        let text = fs::read_to_string(dir.join(file)).unwrap();
        let mut rows = csv_rows(&text);
        let body: Vec<Vec<String>> = rows[1..].to_vec();
        for i in body.len() + 1..=n {
            let mut row = body[(i - 1) % body.len()].clone();
            row[0] = format!("NWS-LUMEN-{i}");
            if title {
                row[1].push_str(suffix);
            }
            rows.push(row);
        }
        let out: Vec<String> = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect();
        fs::write(dir.join(file), out.join("\n") + "\n").unwrap();
    }
    (tmp, dir)
}

/// Splits CSV text into rows of fields (quoted fields may hold commas, quotes and newlines).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

// The severity x difficulty matrix of a 47-finding report went to the next
// page without its heading; one line of the contents sat alone on a page; a
// fix-review entry's note went to the page after its heading; ids broke at
// their hyphen ("(NWS-" / "LUMEN-1)").
#[test]
fn the_matrix_a_fix_review_entry_and_an_id_each_hold_together() {
    let (_tmp, dir) = grown_example(47, &" and more".repeat(9));
    let pdf = build_ok(&dir, "grown", &[]);
    let pages = pages(&pdf);
    let on = |needle: &dyn Fn(&str) -> bool| -> Vec<usize> {
        (0..pages.len())
            .filter(|i| pages[*i].lines().any(|l| needle(l.trim())))
            .collect()
    };
    let row = |name: &'static str| {
        move |l: &str| {
            l.starts_with(name)
                && l[name.len()..].split_whitespace().count() == 5
                && l[name.len()..]
                    .split_whitespace()
                    .all(|w| w.parse::<u32>().is_ok())
        }
    };
    let intro = on(&|l: &str| l.starts_with("Each cell counts the findings"));
    let first = on(&row("High"));
    let last = on(&row("Undetermined"));
    assert_eq!(intro.len(), 1);
    assert_eq!(
        (first[0], last[0]),
        (intro[0], intro[0]),
        "the matrix's sentence is on page {}, its rows on pages {} to {}",
        intro[0] + 1,
        first[0] + 1,
        last[0] + 1
    );

    // Eleven findings: the contents ran one line onto a second page.
    let (_tmp, dir) = grown_example(11, "");
    let pdf = build_ok(&dir, "eleven", &[]);
    for (i, page) in self::pages(&pdf).iter().enumerate() {
        let entries = page.lines().filter(|l| l.contains(". . .")).count();
        assert!(
            entries != 1,
            "page {} holds one line of the contents alone",
            i + 1
        );
    }

    let (_tmp, dir) = workspace(&fixture("curl-2022"));
    let pdf = build_ok(&dir, "curl", &[]);
    let pages = self::pages(&pdf);
    let appendix = pages
        .iter()
        .position(|p| p.contains("Detailed Fix Review Results"))
        .unwrap();
    let notes = fs::read_to_string(dir.join("fix-review.csv")).unwrap();
    for row in csv_rows(&notes).iter().skip(1) {
        let heading = format!("{}:", row[0]);
        let page = (appendix..pages.len())
            .find(|i| pages[*i].lines().any(|l| l.trim().starts_with(&heading)))
            .unwrap_or_else(|| panic!("no entry for {}", row[0]));
        let note: String = squash(&row[3]).chars().take(20).collect();
        assert!(
            squash(&pages[page]).contains(&note),
            "the note of {} is not on page {}, with its heading",
            row[0],
            page + 1
        );
    }

    let (_tmp, dir) = workspace(&example());
    let example_pdf = build_ok(&dir, "r", &[]);
    for pdf in [&pdf, &example_pdf] {
        for line in pdf_text(pdf).lines() {
            let line = line.trim_end();
            for prefix in ["NWS-", "TOB-", "NWS-LUMEN-", "TOB-CURL-"] {
                assert!(
                    !line.ends_with(prefix),
                    "a line ends inside an id: {line:?}"
                );
            }
        }
    }
}

/// Returns, for each page of a PDF, how many link annotations point at each
/// target (a URL or a place in the document).
fn links_per_page(pdf: &Path) -> Vec<HashMap<String, usize>> {
    let json = qpdf_json(pdf);
    let mut pages = Vec::new();
    for page in json["pages"].as_array().unwrap() {
        let dict = object(&json, &page["object"]);
        let mut on_page: HashMap<String, usize> = HashMap::new();
        for annot in dict["/Annots"].as_array().into_iter().flatten() {
            let a = object(&json, annot);
            if a["/Subtype"] != "/Link" {
                continue;
            }
            let target = match a.get("/Dest") {
                Some(d) => d.to_string(),
                None => object(&json, &a["/A"])["/URI"].to_string(),
            };
            *on_page.entry(target).or_default() += 1;
        }
        pages.push(on_page);
    }
    pages
}

// A link was one annotation per glyph: 835 annotations for 115 links in the
// example, 49 for one path. Then a figure's caption linked again the file
// its finding's header had just linked: two annotations for one target on
// a page that had no other link.
#[test]
fn a_link_is_one_annotation_per_line_not_per_glyph() {
    for name in ["example", "pentest", "smart-contract"] {
        let (_tmp, dir) = match name {
            "example" => workspace(&example()),
            _ => example_folder(name),
        };
        let pdf = build_ok(&dir, "r", &[]);
        for (i, on_page) in links_per_page(&pdf).iter().enumerate() {
            let annotations: usize = on_page.values().sum();
            assert!(
                annotations as f64 <= 1.5 * on_page.len() as f64,
                "{name}, page {}: {annotations} link annotations for {} targets: {on_page:?}",
                i + 1,
                on_page.len()
            );
        }
    }
}

// The cover's letter spacing broke the firm's name into pieces in the text
// layer ("NO R THW IND SE C U R ITY, INC ."): a search for it failed.
#[test]
fn the_cover_s_text_layer_holds_the_firm_s_name_word_by_word() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let words: Vec<String> = pdf_words(&pdf)
        .into_iter()
        .filter(|w| w.page == 1)
        .map(|w| w.text)
        .collect();
    for (name, as_typed) in [
        ("NORTHWIND", "NORTHWIND SECURITY, INC."),
        ("Lumen", "Lumen"),
    ] {
        let at = words
            .iter()
            .position(|w| w == name)
            .unwrap_or_else(|| panic!("no word {name:?} on the cover: {words:?}"));
        let typed: Vec<&str> = as_typed.split(' ').collect();
        assert_eq!(&words[at..at + typed.len()], typed.as_slice());
    }
}

// A viewer's page 14 was the printed page 13: the PDF had no page labels.
#[test]
fn the_viewer_s_page_numbers_are_the_printed_ones() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let json = qpdf_json(&pdf);
    let pages = pages(&pdf);
    let mut checked = 0;
    for (i, page) in json["pages"].as_array().unwrap().iter().enumerate() {
        // The footer's last word is the printed number; the cover has none.
        let Some(printed) = pages[i]
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.split_whitespace().last())
            .and_then(|w| w.parse::<i64>().ok())
        else {
            continue;
        };
        let label = &page["label"];
        assert_eq!(
            label["/S"],
            "/D",
            "page {} has no numeric label: {label}",
            i + 1
        );
        assert_eq!(
            label["/St"].as_i64(),
            Some(printed),
            "page {}'s label",
            i + 1
        );
        checked += 1;
    }
    let count = json["pages"].as_array().unwrap().len();
    assert_eq!(
        checked,
        count - 1,
        "not every page but the cover has a printed number"
    );
}

// Quotes: prose reads as printed, code and URLs as written.

/// The example's prose prints curly quotes and apostrophes where its writers
/// typed straight ones; inline code, a code block, a URL and a title keep
/// theirs as typed.
#[test]
fn prose_prints_curly_quotes_and_code_and_urls_keep_straight_ones() {
    let (_tmp, dir) = workspace(&example());
    edit(
        &dir,
        "sections/executive-summary.md",
        "The agent is compact",
        "Run `grep -r \"it's\" .` or see https://example.test/?q=\"a\"&b='c' first.\n\n\
         ```sh\necho \"don't\"\n```\n\nThe agent is compact",
    );
    let pdf = build_ok(&dir, "quotes", &[]);
    let text = pdf_text(&pdf);
    for curly in ["console\u{2019}s", "\u{201C}log out everywhere\u{201D}"] {
        assert!(text.contains(curly), "no {curly:?} in the text layer");
    }
    assert!(
        !text.contains("console's"),
        "a straight apostrophe in prose"
    );
    for straight in [
        "grep -r \"it's\" .",
        "https://example.test/?q=\"a\"&b='c'",
        "echo \"don't\"",
    ] {
        assert!(
            squash(&text).contains(&squash(straight)),
            "{straight:?} is not printed as written"
        );
    }
}

/// A report in the German style quotes prose the German way: „…“.
#[test]
fn german_prose_prints_german_quotes() {
    let (_tmp, dir) = workspace(&fixture("german"));
    let de = root().join("data/styles/de");
    let pdf = build_ok(&dir, "german", &["--style", de.to_str().unwrap()]);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("\u{201E}gesch\u{00FC}tzt\u{201C}"),
        "no German quotes in the text layer"
    );
}

/// The exports carry the prose as its writers typed it, straight quotes and
/// all: only the printed report sets them.
#[test]
fn the_exports_carry_quotes_as_typed() {
    let dir = example();
    for format in ["json", "csv", "csv-raw", "markdown"] {
        let text = export(&dir, format);
        assert!(text.contains("console's"), "{format} lost a straight quote");
        assert!(!text.contains("console\u{2019}s"), "{format} set a quote");
    }
}

// Names in running text (FORMAT 1.3): `vendor_short`, `client.short`.

/// The sentences the compiler writes name the firm without its legal form
/// and the client as the report's writers name it, and keep "version" in
/// lower case; a folder without `vendor_short` drops the legal form itself.
#[test]
fn the_compiler_s_sentences_name_the_parties_as_people_write_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, dir) = (tmp.path().join("v2"), tmp.path().join("v3"));
    copy_dir(&example(), &old);
    copy_dir(&example(), &dir);
    edit(&dir, "audit.toml", "version = \"2.0\"", "version = \"3.0\"");
    let pdf = build_ok(&dir, "names", &["--changes-since", old.to_str().unwrap()]);
    let text = squash(&pdf_text(&pdf));
    for wrong in ["Inc. reviewed", "Project has resolved", "since Version"] {
        assert!(!text.contains(&squash(wrong)), "the text says {wrong:?}");
    }
    for right in [
        "Northwind reviewed the fixes and mitigations implemented by the Lumen team",
        "the Lumen team has resolved",
        "Changes since version 2.0",
        // The cover and the about section keep the full name.
        "About Northwind Security, Inc.",
    ] {
        assert!(text.contains(&squash(right)), "the text lacks {right:?}");
    }

    edit(&dir, "audit.toml", "vendor_short = \"Northwind\"\n", "");
    let pdf = build_ok(&dir, "default", &[]);
    let text = squash(&pdf_text(&pdf));
    assert!(text.contains(&squash("Northwind Security reviewed the fixes")));
    assert!(!text.contains(&squash("Inc. reviewed")));
}

/// The German style names the firm without its legal form too.
#[test]
fn german_sentences_name_the_firm_without_its_legal_form() {
    let (_tmp, dir) = workspace(&fixture("german"));
    let de = root().join("data/styles/de");
    let pdf = build_ok(&dir, "german", &["--style", de.to_str().unwrap()]);
    let text = squash(&pdf_text(&pdf));
    assert!(
        !text.contains(&squash("GmbH die Korrekturen")),
        "legal form in a sentence"
    );
    assert!(text.contains(&squash("prüfte Nordlicht Sicherheit die Korrekturen")));
}

// Pages: the short sections run on.

/// Returns the lines of a page that hold text.
fn text_lines(page: &str) -> Vec<&str> {
    page.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Whether a page of the text layer opens with a heading.
fn opens_with(page: &str, heading: &str) -> bool {
    text_lines(page).first() == Some(&heading)
}

/// Short sections of the example that follow each other.
const RUN_ON: [[&str; 2]; 2] = [
    ["Document History", "Executive Summary"],
    ["Notices and Remarks", "About Northwind Security, Inc."],
];

/// Returns the 0-based page that holds a heading, a line of its own.
fn page_of(pages: &[String], heading: &str) -> usize {
    pages
        .iter()
        .position(|p| text_lines(p).contains(&heading))
        .unwrap_or_else(|| panic!("no page holds {heading:?}"))
}

/// The 0-based pages of a text layer that hold fewer than 14 lines of text.
fn short_pages(pages: &[String]) -> Vec<usize> {
    (0..pages.len())
        .filter(|i| text_lines(&pages[*i]).len() < 14)
        .collect()
}

/// The example's findings: number and title.
const FINDINGS: [&str; 10] = [
    "Manifest paths can escape the secrets directory",
    "Console session tokens do not expire",
    "Secrets are compared in non-constant time",
    "Agent accepts TLS 1.0 connections",
    "Errors from the secret store are logged with the secret value",
    "Tenant identifier taken from the request body",
    "Frame decoder allocates the length given by the peer",
    "No tests for manifest validation errors",
    "Audit log entries lack the acting user",
    "Dependency with a known vulnerability in the console",
];

// 14 of the example's 32 pages held 13 text lines or fewer: every short
// front section started a page; then 6 of 25, the short findings 8 to 10
// each alone on a page and the rest of finding 1 on a page of its own.
#[test]
fn short_sections_and_findings_run_on_and_the_appendices_start_a_page() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let pages = pages(&pdf);
    let pages = &pages[..pages.len() - 1];
    let short = short_pages(pages);
    assert!(
        short.len() <= 4,
        "{} pages hold fewer than 14 lines: {:?}",
        short.len(),
        short.iter().map(|i| i + 1).collect::<Vec<_>>()
    );
    for heading in [
        "Summary of Findings",
        "Detailed Findings",
        "A. Vulnerability Categories",
        "D. Fix Review Results",
    ] {
        assert!(
            pages.iter().any(|p| opens_with(p, heading)),
            "{heading:?} does not start a page"
        );
    }
    // Short sections share a page, and so do short findings.
    for pair in RUN_ON {
        assert_eq!(
            page_of(pages, pair[0]),
            page_of(pages, pair[1]),
            "{pair:?} are on pages of their own"
        );
    }
    let heading = |n: usize| format!("{n}. {}", FINDINGS[n - 1]);
    let mut short_findings: Vec<usize> = (8..=10).map(|n| page_of(pages, &heading(n))).collect();
    short_findings.dedup();
    assert!(
        short_findings.len() < 3,
        "findings 8 to 10 each on a page of their own"
    );
    // A finding never starts at a page's foot: its heading, header box and
    // the title and first line of its first section are on one page.
    for n in 1..=10 {
        let page = &pages[page_of(pages, &heading(n))];
        let lines = text_lines(page);
        let at = lines.iter().position(|l| *l == heading(n)).unwrap();
        assert!(
            lines.len() > at + 5 && lines[at + 1..].contains(&"Description"),
            "finding {n} starts at the foot of its page:\n{page}"
        );
        let description = lines[at + 1..]
            .iter()
            .position(|l| *l == "Description")
            .unwrap();
        assert!(
            lines.len() > at + 1 + description + 1,
            "finding {n}'s description starts on the next page"
        );
    }

    // A style may start a page with every section and every finding, as
    // 1.0 to 1.2 did; a [finding] table of only page_break keeps the
    // findings in the shape of 1.1 (numbers in the summary table).
    let style = dir.join("style");
    fs::create_dir(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        "[layout]\nfront_page_break = \"section\"\n\n[finding]\npage_break = \"finding\"\n",
    )
    .unwrap();
    let pdf = build_ok(&dir, "sections", &["--style", style.to_str().unwrap()]);
    let pages = self::pages(&pdf);
    for heading in RUN_ON.iter().flatten() {
        assert!(
            pages.iter().any(|p| opens_with(p, heading)),
            "{heading:?} does not start a page"
        );
    }
    for n in 2..=10 {
        let page = &pages[page_of(&pages, &heading(n))];
        assert!(
            opens_with(page, &heading(n)),
            "finding {n} does not start a page"
        );
    }
    let summary = &pages[page_of(&pages, "Summary of Findings")];
    assert!(
        summary.lines().any(|l| l.trim().starts_with("1 ")) && !summary.contains("NWS-LUMEN-1"),
        "the summary table does not number the findings as 1.1 did:\n{summary}"
    );
}

// In the curl sample, whose findings are headers alone, finding 13's
// heading stood at a page's foot and its header box on the next page.
#[test]
fn a_finding_s_heading_stays_with_its_header() {
    let (_tmp, dir) = workspace(&fixture("curl-2022"));
    let pdf = build_ok(&dir, "curl", &[]);
    let pages = pages(&pdf);
    for n in 1..=14 {
        let id = format!("TOB-CURL-{n}");
        let (page, at) = pages
            .iter()
            .enumerate()
            .find_map(|(p, page)| {
                let lines = text_lines(page);
                lines
                    .iter()
                    .position(|l| l.contains("Finding ID") && l.ends_with(&id))
                    .map(|at| (p, at))
            })
            .unwrap_or_else(|| panic!("no header holds {id}"));
        let lines = text_lines(&pages[page]);
        assert!(
            lines[..at].iter().any(|l| l.starts_with(&format!("{n}. "))),
            "the header of finding {n} is on a page without its heading:\n{}",
            pages[page]
        );
    }
}

// A finding continued on another page had no running head naming it.
#[test]
fn a_page_that_continues_a_finding_carries_its_id_and_title() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let pages = pages(&pdf);
    let heading = |n: usize| format!("{n}. {}", FINDINGS[n - 1]);
    let head = |n: usize| format!("NWS-LUMEN-{n} {}", FINDINGS[n - 1]);
    // Finding 1's screenshot is on the page after its heading.
    let figure = page_with(&pdf, "Figure 1.2:") - 1;
    assert!(figure > page_of(&pages, &heading(1)));
    assert!(
        opens_with(&pages[figure], &head(1)),
        "the page that continues finding 1 opens without its running head:\n{}",
        pages[figure]
    );
    // Every page that opens with a running head continues that finding;
    // every page of the findings that continues one opens with its head.
    let first = page_of(&pages, "Detailed Findings");
    let last = page_of(&pages, "A. Vulnerability Categories");
    let mut heads = 0;
    for p in first + 1..last {
        let lines = text_lines(&pages[p]);
        let open = (1..=10)
            .rev()
            .find(|n| page_of(&pages, &heading(*n)) < p)
            .unwrap();
        // A page that a finding starts has no head.
        if open < 10 && lines[0] == heading(open + 1) {
            continue;
        }
        heads += 1;
        assert_eq!(lines[0], head(open), "page {}:\n{}", p + 1, pages[p]);
    }
    assert!(heads >= 3, "{heads} running heads");
    // No page outside the findings has one.
    for (p, page) in pages
        .iter()
        .enumerate()
        .filter(|(p, _)| *p <= first || *p >= last)
    {
        assert!(
            !text_lines(page)
                .first()
                .is_some_and(|l| l.starts_with("NWS-LUMEN-") && !l.contains(':')),
            "page {} has a running head",
            p + 1
        );
    }
}

// The cover drew a page footer: a rule, the firm's name and the marking.
#[test]
fn the_cover_has_no_footer_and_a_style_s_logo() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let pages = pages(&pdf);
    let cover = text_lines(&pages[0]);
    // The firm and the marking head the band; the footer's form of the
    // firm's name and a page number are not on the cover.
    assert!(
        cover[0].starts_with("NORTHWIND SECURITY, INC.") && cover[0].ends_with("PUBLIC"),
        "{cover:?}"
    );
    assert!(
        !pages[0].contains("Northwind Security, Inc."),
        "{}",
        pages[0]
    );
    assert_eq!(pages[0].matches("PUBLIC").count(), 1);
    assert!(
        text_lines(&pages[1])
            .last()
            .unwrap()
            .starts_with("Northwind Security, Inc.")
    );
    // The pentest example style has a logo, its amber shield: on the cover
    // and in the footers; the example, without one, has none.
    let amber = [0xe8, 0xa3, 0x3d];
    assert_eq!(pixels_of_colour(&pdf, 1, 100, amber), 0);
    let (_tmp, dir) = example_folder("pentest");
    let pdf = build_ok(&dir, "pentest", &[]);
    assert!(
        pixels_of_colour(&pdf, 1, 100, amber) > 200,
        "no logo on the cover"
    );
    assert!(
        pixels_of_colour(&pdf, 2, 100, amber) > 10,
        "no logo in the footer"
    );
}

// The summary table's title wrapped at about 33 characters while the Type
// and Status columns kept "Session Management" and "Partially Resolved"
// on one line.
#[test]
fn the_summary_table_gives_its_titles_the_room() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let pages = pages(&pdf);
    let summary = &pages[page_of(&pages, "Summary of Findings")];
    // Every title that the table's width can hold beside the other columns
    // wrapped at their spaces (47 characters) is on one line.
    for (i, title) in FINDINGS.iter().enumerate() {
        if title.len() <= 47 {
            assert!(
                summary.lines().any(
                    |l| l.trim_start().starts_with(&format!("{} ", i + 1)) && l.contains(title)
                ),
                "the title of finding {} wraps:\n{summary}",
                i + 1
            );
        }
    }
    // The columns beside it wrap instead.
    let line = summary
        .lines()
        .position(|l| l.contains(FINDINGS[1]))
        .unwrap();
    let row: Vec<&str> = summary.lines().skip(line).take(2).collect();
    assert!(
        row[0].contains("Session") && !row[0].contains("Management"),
        "{row:?}"
    );
    assert!(
        row[1].contains("Management") && row[1].contains("Resolved"),
        "{row:?}"
    );
}

// The example's page 6 opened with the last item of "Coverage Limitations".
#[test]
fn a_list_keeps_its_items_and_its_lead_sentence_together() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let pages = pages(&pdf);
    for (p, page) in pages.iter().enumerate() {
        let lines = text_lines(page);
        assert!(
            !lines.first().is_some_and(|l| l.starts_with('•')),
            "page {} opens with a list item:\n{page}",
            p + 1
        );
    }
    let limitations = page_of(&pages, "Coverage Limitations");
    let lines = text_lines(&pages[limitations]);
    let at = lines
        .iter()
        .position(|l| *l == "Coverage Limitations")
        .unwrap();
    assert!(
        lines[at + 1].starts_with("Because of the time-boxed")
            && lines[at + 3..].iter().take(2).any(|l| l.starts_with('•')),
        "the limitations' heading, sentence and list are apart:\n{}",
        pages[limitations]
    );
}

/// A front_page_break that is neither word is one error at its value.
#[test]
fn a_front_page_break_of_another_word_is_an_error_at_its_value() {
    let (_tmp, dir) = workspace(&example());
    let style = dir.join("style");
    fs::create_dir(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        "name = \"x\"\n\n[layout]\nfront_page_break = \"page\"\n",
    )
    .unwrap();
    edit(
        &dir,
        "audit.toml",
        "vendor_short",
        "style = \"style\"\nvendor_short",
    );
    let errors = error_lines(&dir);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    for part in [
        "style.toml:4:20: error: unknown `layout.front_page_break` \"page\"",
        "expected one of \"section\", \"none\"",
    ] {
        assert!(errors[0].contains(part), "{errors:#?}");
    }
}

// A code block without `start` was numbered from 1 under a caption that
// said "lines 148 through 152".
#[test]
fn code_is_numbered_from_its_known_first_line_or_not_at_all() {
    let (_tmp, dir) = workspace(&fixture("curl-2022"));
    let pdf = build_ok(&dir, "curl", &[]);
    let text = pdf_text(&pdf);
    let line_of = |code: &str| -> Vec<String> {
        let line = text
            .lines()
            .find(|l| l.contains(code))
            .unwrap_or_else(|| panic!("no line holds {code:?}"));
        line.split_whitespace().map(str::to_string).collect()
    };
    // The caption names the lines; the block has no `start`.
    assert_eq!(
        line_of("#ifdef USE_TLS_SRP"),
        ["148", "#ifdef", "USE_TLS_SRP"]
    );
    assert_eq!(line_of("#endif")[0], "152");
    // An ASAN log under a caption that names no lines.
    assert_eq!(line_of("SUMMARY: AddressSanitizer")[0], "SUMMARY:");
    // `start` and numbers in the lines still number them.
    assert_eq!(line_of("Curl_safefree(data->req.p.http)")[0], "2259");
}

// Badges sat 2 pt below their row's text, and counts rode above their
// badges: a badge's padding pushed its line down.
#[test]
fn badges_stand_on_the_baseline_of_their_row() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let words = pdf_words(&pdf);
    // poppler's box of a word of Inter reaches 0.2 of its height below the baseline.
    let baseline = |w: &Word| w.y_max - 0.2 * (w.y_max - w.y_min);
    let badges = [
        "High",
        "Medium",
        "Low",
        "Informational",
        "Resolved",
        "Unresolved",
    ];
    let mut checked = 0;
    for badge in words.iter().filter(|w| badges.contains(&w.text.as_str())) {
        // The nearest word on its left in the same row: a cell's text, a
        // label, or a count's row heading.
        let Some(left) = words
            .iter()
            .filter(|w| {
                w.page == badge.page
                    && w.x_max < badge.x_min
                    && (baseline(w) - baseline(badge)).abs() < 5.0
            })
            .max_by(|a, b| a.x_max.total_cmp(&b.x_max))
        else {
            continue;
        };
        let off = baseline(badge) - baseline(left);
        assert!(
            off.abs() <= 0.75,
            "page {}: {:?} stands {off:.1} pt below {:?}",
            badge.page,
            badge.text,
            left.text
        );
        checked += 1;
    }
    assert!(checked > 40, "only {checked} badges beside text");

    // A count beside its badge, in the executive summary.
    let page = page_with(&pdf, "Exposure analysis");
    let count = words
        .iter()
        .find(|w| w.page == page && w.text == "High")
        .map(|high| {
            words
                .iter()
                .filter(|w| w.page == page && w.x_min > high.x_max && w.text.parse::<u32>().is_ok())
                .min_by(|a, b| {
                    (baseline(a) - baseline(high))
                        .abs()
                        .total_cmp(&(baseline(b) - baseline(high)).abs())
                })
                .map(|c| baseline(c) - baseline(high))
                .unwrap()
        })
        .unwrap();
    assert!(
        count.abs() <= 0.75,
        "the count of High rides {count:.1} pt off its badge"
    );
}

// The loader wrapped code lines at the PDF's 80 columns, so the view, the
// exports and any other deliverable inherited the page's width. The model
// keeps a line whole; the PDF's templates wrap it onto continuation rows.
#[test]
fn a_long_code_line_wraps_on_the_page_and_stays_whole_in_the_data() {
    let (_tmp, dir) = workspace(&example());
    let head = format!("{}/", "a".repeat(60));
    let long = format!("{head}{}", "b".repeat(100));
    let path = dir.join("findings/NWS-LUMEN-1.md");
    let text = fs::read_to_string(&path).unwrap();
    let text = text.replacen(
        "## Exploit Scenario\n",
        &format!("```text\n{long}\n```\n\n## Exploit Scenario\n"),
        1,
    );
    assert!(text.contains(&long));
    fs::write(&path, text).unwrap();
    // On the page: broken after the slash, the rest on rows marked », none
    // wider than 80 characters.
    let pdf = build_ok(&dir, "r", &[]);
    let lines: Vec<String> = pdf_text(&pdf).lines().map(str::to_string).collect();
    let first = lines
        .iter()
        .position(|l| l.trim_end().ends_with(&head))
        .unwrap_or_else(|| panic!("no row ends with the line's first part"));
    let next = &lines[first + 1];
    assert!(
        next.contains('»') && next.contains(&"b".repeat(80)),
        "{next}"
    );
    assert!(!next.contains(&"b".repeat(81)), "{next}");
    // In the data: one line, whole, with its number.
    let view = view_json(&dir).to_string();
    assert!(
        view.contains(&format!("\"text\":\"{long}\"")),
        "the view wraps the line"
    );
    assert!(view.contains("\"lines\":[1]"));
    assert!(export(&dir, "markdown").contains(&format!("\n{long}\n")));
}

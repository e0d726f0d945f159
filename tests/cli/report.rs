//! Tests of the report itself: its text layer, links, outline, computed tables,
//! layout robustness, reference renders and template overrides.

use std::collections::HashMap;
use std::fs;

use crate::common::*;

#[test]
fn the_text_layer_has_every_finding_and_no_invisible_characters() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let text = pdf_text(&pdf);
    let squashed = squash(&text);
    for f in view_json(&dir)["findings"].as_array().unwrap() {
        for key in ["id", "title_text", "severity", "difficulty", "type"] {
            let value = f[key].as_str().unwrap();
            assert!(squashed.contains(&squash(value)), "{key} {value:?} missing");
        }
    }
    let invisible: Vec<String> = text
        .chars()
        .filter(|c| {
            matches!(*c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF)
                || (c.is_control() && !matches!(c, '\n' | '\u{c}'))
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(
        invisible.is_empty(),
        "invisible characters in the text layer: {invisible:?}"
    );
}

/// Resolves the PDF's named destinations to 1-based page numbers.
fn named_destinations(json: &serde_json::Value) -> HashMap<String, usize> {
    let objects = &json["qpdf"][1];
    let page_of: HashMap<&str, usize> = json["pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["object"].as_str().unwrap(),
                p["pageposfrom1"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let resolve = |v: &serde_json::Value| -> serde_json::Value {
        match v.as_str() {
            Some(r) if r.ends_with(" R") => objects[format!("obj:{r}")]["value"].clone(),
            _ => v.clone(),
        }
    };
    let root = resolve(&objects["trailer"]["value"]["/Root"]);
    let names = resolve(&resolve(&resolve(&root["/Names"])["/Dests"])["/Names"]);
    names
        .as_array()
        .expect("a flat name tree")
        .chunks(2)
        .map(|pair| {
            let name = pair[0]
                .as_str()
                .unwrap()
                .trim_start_matches("u:")
                .to_string();
            let dest = resolve(&pair[1]);
            let page = dest.get("/D").map_or(&dest, |d| d)[0]
                .as_str()
                .unwrap()
                .to_string();
            (name, page_of[page.as_str()])
        })
        .collect()
}

/// Returns, per 1-based page, the named destinations its link annotations point to.
fn links_by_page(json: &serde_json::Value) -> HashMap<usize, Vec<String>> {
    let objects = &json["qpdf"][1];
    let mut out: HashMap<usize, Vec<String>> = HashMap::new();
    for page in json["pages"].as_array().unwrap() {
        let number = page["pageposfrom1"].as_u64().unwrap() as usize;
        let value = &objects[format!("obj:{}", page["object"].as_str().unwrap())]["value"];
        for annot in value["/Annots"].as_array().into_iter().flatten() {
            let a = &objects[format!("obj:{}", annot.as_str().unwrap())]["value"];
            if let Some(dest) = a["/Dest"].as_str() {
                out.entry(number)
                    .or_default()
                    .push(dest.trim_start_matches("u:").to_string());
            }
        }
    }
    out
}

#[test]
fn the_summary_table_and_id_mentions_link_to_their_findings_and_the_outline_mirrors_the_contents() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let json = qpdf_json(&pdf);
    let dests = named_destinations(&json);
    let links = links_by_page(&json);
    let v = view_json(&dir);
    let summary_page = page_with(&pdf, "The table below summarizes the findings");
    let pages: Vec<String> = pdf_text(&pdf).split('\u{c}').map(str::to_string).collect();
    for f in v["findings"].as_array().unwrap() {
        let label = format!("finding-{}", f["id"].as_str().unwrap());
        let target = dests[&label];
        let heading = format!("{}. {}", f["number"], f["title_text"].as_str().unwrap());
        assert!(
            squash(&pages[target - 1]).contains(&squash(&heading)),
            "{label} leads to page {target}, which does not hold {heading:?}"
        );
        assert!(
            links[&summary_page].contains(&label),
            "the summary table does not link to {label}"
        );
    }
    // "NWS-LUMEN-1" is mentioned in the executive summary's prose.
    let exec = page_with(&pdf, "trusts sync manifests too far");
    assert!(links[&exec].contains(&"finding-NWS-LUMEN-1".to_string()));

    let outline: Vec<String> = json["outlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["title"].as_str().unwrap().to_string())
        .collect();
    assert_in_order(
        &outline.join("\n"),
        &[
            "Document History",
            "Executive Summary",
            "Project Summary",
            "Codebase Maturity Evaluation",
            "Summary of Findings",
            "Detailed Findings",
            "A. Vulnerability Categories",
            "E. Fix Review Status Categories",
            "Notices and Remarks",
        ],
    );
    let findings = json["outlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["title"] == "Detailed Findings")
        .unwrap();
    assert_eq!(findings["kids"].as_array().unwrap().len(), 10);
}

/// The page number a line of the table of contents ends with.
fn contents_page_of(contents: &str, heading: &str) -> usize {
    let line = contents
        .lines()
        .find(|l| squash(l).starts_with(&squash(heading)))
        .unwrap_or_else(|| panic!("the contents do not list {heading:?}:\n{contents}"));
    let number = line.split_whitespace().last().unwrap();
    number
        .parse()
        .unwrap_or_else(|_| panic!("{line:?} does not end with a page number"))
}

#[test]
fn the_contents_gives_every_heading_the_page_it_is_on_and_links_each_finding() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let pages: Vec<String> = pdf_text(&pdf).split('\u{c}').map(str::to_string).collect();
    let contents = page_with(&pdf, "Table of Contents");
    let listing = &pages[contents - 1];
    let links = links_by_page(&qpdf_json(&pdf));
    let v = view_json(&dir);
    // The footer prints the page number the contents gives.
    let footer_number = |page: usize| {
        let last = pages[page - 1].lines().rev().find(|l| !l.trim().is_empty());
        last.and_then(|l| l.split_whitespace().last())
            .unwrap()
            .to_string()
    };
    for f in v["findings"].as_array().unwrap() {
        let heading = format!("{}. {}", f["number"], f["title_text"].as_str().unwrap());
        let number = contents_page_of(listing, &heading);
        let page = (1..=pages.len())
            .find(|&p| footer_number(p) == number.to_string())
            .unwrap_or_else(|| panic!("no page has the number {number}"));
        let text = squash(&pages[page - 1]);
        assert!(
            text.contains(&squash(&heading)) && text.contains("Severity"),
            "the contents put {heading:?} on page {number}, which does not hold its heading"
        );
        let label = format!("finding-{}", f["id"].as_str().unwrap());
        assert!(
            links[&contents].contains(&label),
            "the contents do not link to {label}"
        );
    }
    for (section, text) in [
        ("Summary of Findings", "The table below summarizes"),
        ("Codebase Maturity Evaluation", "Arithmetic"),
    ] {
        let number = contents_page_of(listing, section);
        let page = (1..=pages.len())
            .find(|&p| footer_number(p) == number.to_string())
            .unwrap();
        assert!(
            pages[page - 1].contains(text),
            "{section} is listed on page {number}, which does not hold {text:?}"
        );
    }
}

#[test]
fn every_table_follows_a_changed_severity_and_type() {
    let (_tmp, dir) = workspace(&example());
    let before = pdf_words(&build_ok(&dir, "before", &[]));
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let changed = csv.replace(
        "NWS-LUMEN-10,Dependency with a known vulnerability in the console,Undetermined,Medium,Patching",
        "NWS-LUMEN-10,Dependency with a known vulnerability in the console,High,Medium,Cryptography",
    );
    assert_ne!(csv, changed);
    fs::write(dir.join("findings.csv"), changed).unwrap();
    let pdf = build_ok(&dir, "after", &[]);
    let after = pdf_words(&pdf);

    let exec = page_with(&pdf, "Exposure analysis");
    let summary = page_with(&pdf, "Each cell counts the findings");
    // Exposure analysis: the first number right of the severity.
    assert_eq!(numbers_after(&before, exec, "High")[0][0], 2);
    assert_eq!(numbers_after(&after, exec, "High")[0][0], 3);
    assert_eq!(numbers_after(&after, exec, "Undetermined")[0][0], 0);
    // Category breakdown: Patching is gone, Cryptography counts two.
    assert_eq!(numbers_after(&before, exec, "Patching"), [vec![1]]);
    assert!(numbers_after(&after, exec, "Patching").is_empty());
    assert!(numbers_after(&after, exec, "Cryptography").contains(&vec![2]));
    // The severity x difficulty matrix: the row of five counts.
    let matrix = |words, severity| -> Vec<u32> {
        numbers_after(words, summary, severity)
            .into_iter()
            .find(|r| r.len() == 5)
            .unwrap()
    };
    assert_eq!(matrix(&before, "High"), [0, 1, 1, 0, 0]);
    assert_eq!(matrix(&after, "High"), [0, 2, 1, 0, 0]);
    assert_eq!(matrix(&after, "Undetermined"), [0, 0, 0, 0, 0]);
    // The summary and fix review tables show the new severity in finding 10's row.
    let text = pdf_text(&pdf);
    for page in [
        page_with(&pdf, "The table below summarizes"),
        page_with(&pdf, "reviewed the fixes and mitigations"),
    ] {
        let row = text
            .split('\u{c}')
            .nth(page - 1)
            .unwrap()
            .lines()
            .find(|l| l.contains("Dependency with a known"))
            .unwrap()
            .to_string();
        assert!(
            row.contains("High") && !row.contains("Undetermined"),
            "{row}"
        );
    }
}

#[test]
fn a_long_code_line_url_token_and_a_60_column_table_stay_inside_the_margins() {
    let (_tmp, dir) = workspace(&fixture("wide"));
    let pdf = build_ok(&dir, "wide", &[]);
    let words = pdf_words(&pdf);
    let margin = 0.9 * 72.0;
    let outside: Vec<&Word> = words
        .iter()
        .filter(|w| w.x_min < margin - 1.0 || w.x_max > w.page_width - margin + 1.0)
        .collect();
    assert!(
        outside.is_empty(),
        "words outside the margins: {:?}",
        &outside[..outside.len().min(5)]
    );
    let text = squash(&pdf_text(&pdf));
    assert!(text.contains("c59"), "the last table column is missing");
    assert!(
        text.contains("segment13-abcdefghij"),
        "the end of the URL is missing"
    );
    assert!(
        text.contains(&"A".repeat(600)),
        "the long token is not whole"
    );
}

/// Pages compared with reference renders: (name, text that identifies the page).
const REFERENCE_PAGES: &[(&str, &str)] = &[
    ("cover", "PREPARED FOR"),
    ("summary", "The table below summarizes"),
    ("finding", "A sync manifest names, for each secret"),
];

#[test]
fn key_pages_match_their_reference_renders() {
    let (_tmp, dir) = workspace(&example());
    let pdf = build_ok(&dir, "r", &[]);
    let update = std::env::var_os("UPDATE_REFERENCES").is_some();
    let mut failures = Vec::new();
    for (name, needle) in REFERENCE_PAGES {
        let render = render_page(&pdf, page_with(&pdf, needle), 24);
        let path = root().join(format!("tests/references/{name}.pgm"));
        if update {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, to_pgm(&render)).unwrap();
            continue;
        }
        let reference = parse_pgm(&fs::read(&path).unwrap_or_else(|_| {
            panic!(
                "{} is missing: run UPDATE_REFERENCES=1 cargo test",
                path.display()
            )
        }));
        let diff = mean_difference(&render, &reference);
        if diff > 1.5 {
            let actual = path.with_extension("actual.pgm");
            fs::write(&actual, to_pgm(&render)).unwrap();
            failures.push(format!(
                "{name}: mean difference {diff:.2} (see {})",
                actual.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{failures:#?}\nif intended, run UPDATE_REFERENCES=1 cargo test"
    );
}

#[test]
fn a_template_override_of_the_cover_changes_only_the_cover() {
    let (tmp, dir) = workspace(&example());
    let stock = build_ok(&dir, "stock", &[]);
    let brand = tmp.path().join("brand");
    fs::create_dir(&brand).unwrap();
    let cover = fs::read_to_string(root().join("templates/cover.typ")).unwrap();
    fs::write(
        brand.join("cover.typ"),
        cover.replace("size: 36pt", "size: 48pt"),
    )
    .unwrap();
    let branded = build_ok(&dir, "branded", &["--templates", brand.to_str().unwrap()]);
    let pages = pdf_text(&stock).matches('\u{c}').count();
    assert_eq!(pages, pdf_text(&branded).matches('\u{c}').count());
    assert!(mean_difference(&render_page(&stock, 1, 30), &render_page(&branded, 1, 30)) > 0.5);
    for page in 2..=pages {
        assert_eq!(
            render_page(&stock, page, 30).pixels,
            render_page(&branded, page, 30).pixels,
            "page {page} changed"
        );
    }
}

#[test]
fn draft_a4_and_a_logo_come_from_the_data_and_the_template_folder() {
    let (_tmp, dir) = workspace(&example());
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    let toml = toml.replace(
        "id_prefix = \"NWS-LUMEN\"",
        "id_prefix = \"NWS-LUMEN\"\ndraft = true\npaper = \"a4\"\ntemplates = \"brand\"",
    );
    fs::write(dir.join("audit.toml"), toml).unwrap();
    let brand = dir.join("brand");
    fs::create_dir(&brand).unwrap();
    fs::copy(dir.join("images/exploit.png"), brand.join("logo.png")).unwrap();
    let pdf = build_ok(&dir, "draft", &[]);
    let text = pdf_text(&pdf);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(
        pages.iter().all(|p| p.contains("DRAFT")),
        "a page lacks the DRAFT mark"
    );
    assert!(pdf_info(&pdf).contains("(A4)"), "{}", pdf_info(&pdf));
    assert!(images_on_page(&pdf, 1) > 0, "no logo on the cover");
}

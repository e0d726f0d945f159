//! The finding's shape as house-style data (FORMAT 1.2): sections, fields,
//! header, summary, groups, page breaks, fix notes in the finding, headings
//! with the firm's ids, the severity matrix and CWEs; the two example styles
//! of data/styles and `init --style`.

use std::fs;

use crate::common::*;

/// The text of the detailed findings, from their heading to the appendices.
fn detailed(text: &str) -> &str {
    let start = text.rfind("Detailed Findings").expect("detailed findings");
    let end = text[start..]
        .find("A. ")
        .map_or(text.len(), |at| start + at);
    &text[start..end]
}

#[test]
fn the_smart_contract_style_groups_runs_on_and_closes_each_finding_with_its_fix() {
    let (_tmp, dir) = example_folder("smart-contract");
    let pdf = build_ok(&dir, "harbor.pdf", &["--deny-warnings"]);
    let text = pdf_text(&pdf);
    let body = detailed(&text);
    // Groups in the style's order, the empty Critical group left out; each
    // finding under its heading with the firm's id, sections in the
    // style's order and titles, the fix review last.
    assert!(!text.contains("Critical Risk"), "an empty group is printed");
    assert_in_order(
        body,
        &[
            "High Risk",
            "[H-1] First depositor can steal",
            "Severity",
            "Impact",
            "Likelihood",
            // Section titles run into their paragraphs (FORMAT 1.3).
            "Description: deposit mints shares",
            "Impact: Every later deposit",
            "Proof of Concept:",
            "Recommended Mitigation: Mint",
            "Fix Review",
            "Resolved",
            "Fixed in",
            "example/harbor-vaults#14",
            "Harbor: Fixed in commit 55d936a",
            "Example Security: Verified.",
            "Medium Risk",
            "[M-1]",
            "[M-2]",
            "Acknowledged; the keeper reports losses",
            "Low Risk",
            "[L-1]",
            "Informational",
            "[I-1]",
            "Gas Optimizations",
            "[G-1]",
        ],
    );
    // The severity derived from Impact x Likelihood: High x Low is Medium.
    let m2 = &body[body.find("[M-2]").unwrap()..body.find("[L-1]").unwrap()];
    assert!(squash(m2).contains("SeverityMedium"), "{m2}");
    // No section the style lacks, and none of the 1.1 headings.
    assert!(!body.contains("Exploit Scenario"));
    // Findings run on: several to a page, so six findings take fewer pages.
    let pages: std::collections::BTreeSet<usize> =
        ["[H-1]", "[M-1]", "[M-2]", "[L-1]", "[I-1]", "[G-1]"]
            .iter()
            .map(|id| page_with(&pdf, id))
            .collect();
    assert!(
        pages.len() < 6,
        "each finding on a page of its own: {pages:?}"
    );
    // The summary table names the findings by their ids, in the style's columns.
    let summary = &text[text.rfind("Summary of Findings").unwrap()..];
    assert_in_order(
        summary,
        &[
            "ID", "Title", "Severity", "Status", "H-1", "M-1", "M-2", "L-1", "I-1", "G-1",
        ],
    );
    // Group headings are in the outline, the findings under them, each
    // with its number: chapter, group, finding (FORMAT 1.3).
    let outline = outline(&pdf);
    let chapter = outline
        .iter()
        .find_map(|t| t.strip_suffix(" Detailed Findings"))
        .expect("a numbered chapter of findings");
    assert_in_order(
        &outline.join("\n"),
        &[
            &format!("\n  {chapter}.1 High Risk"),
            &format!("\n    {chapter}.1.1 [H-1] First depositor"),
            &format!("\n  {chapter}.2 Medium Risk"),
            &format!("\n    {chapter}.2.1 [M-1]"),
            &format!("\n  {chapter}.5 Gas Optimizations"),
            &format!("\n    {chapter}.5.1 [G-1]"),
        ],
    );
}

#[test]
fn the_pentest_style_prints_cwe_names_temporal_scores_and_notes_apart() {
    let (_tmp, dir) = example_folder("pentest");
    let pdf = build_ok(&dir, "lumen.pdf", &["--deny-warnings"]);
    let text = pdf_text(&pdf);
    let flat = squash(&text);
    // The name from MITRE's list, and a link to the definition.
    assert!(flat.contains("CWE-400:UncontrolledResourceConsumption"));
    assert!(flat.contains("CWE-22:ImproperLimitationofaPathnametoaRestrictedDirectory"));
    let links = String::from_utf8_lossy(&fs::read(&pdf).unwrap()).into_owned();
    assert!(links.contains("https://cwe.mitre.org/data/definitions/400.html"));
    // The temporal score of E:F/RL:W (4.3 base) is 4.1, and rates Medium.
    let third = detailed(&text);
    let third = &third[third.find("EX-PT-26-03: Unbounded").unwrap()..];
    assert!(
        squash(third).contains("4.1(Medium)temporalscore"),
        "{third}"
    );
    // No second axis anywhere; the notes in their own group; sections in
    // the style's words; the fix review in the finding and the appendix.
    assert!(!text.contains("Difficulty") && !text.contains("Likelihood"));
    assert_in_order(
        detailed(&text),
        &[
            "Findings",
            "EX-PT-26-01: Path traversal",
            "Summary and Impact",
            "Technical Details",
            "Solution Advice",
            "References",
            "Fix Review",
            "Retested on 2026-05-08: names with path separators",
            "EX-PT-26-03",
            "Informational Notes",
            "EX-PT-26-04: Verbose stack traces",
        ],
    );
    assert!(text.contains("Fix Review Results"));
    // A note's header has no "Severity None" (`rated = false`, FORMAT 1.3);
    // the findings' have their severity.
    let body = detailed(&text);
    let note = &body[body.find("EX-PT-26-04: Verbose").unwrap()..];
    let note = &note[..note.find("Summary and Impact").unwrap()];
    assert!(
        !note.contains("Severity") && !note.contains("None"),
        "{note}"
    );
    assert!(squash(&body[..body.find("EX-PT-26-02").unwrap()]).contains("SeverityHigh"));
    // The summary's long CWE cells wrap: every title keeps to three lines.
    let summary = &text[text.rfind("Summary of Findings").unwrap()..];
    assert_in_order(
        summary,
        &["ID", "Title", "Severity", "CVSS", "CWE", "Status"],
    );
}

#[test]
fn ids_of_the_firm_name_findings_in_the_summary_and_headings() {
    let (_tmp, dir) = example_folder("smart-contract");
    edit(
        &dir,
        "../style/style.toml",
        "heading = \"{section} [{id}] {title}\"",
        "heading = \"{id}: {title}\"",
    );
    for file in ["findings.csv", "fix-review.csv"] {
        edit(&dir, file, "G-1,", "G-02,");
    }
    fs::rename(dir.join("findings/G-1.md"), dir.join("findings/G-02.md")).unwrap();
    let text = pdf_text(&build_ok(&dir, "ids.pdf", &[]));
    assert!(text.contains("H-1: First depositor can steal"));
    assert!(text.contains("G-02: Cache"));
    let summary = &text[text.rfind("Summary of Findings").unwrap()..];
    let summary = &summary[..summary.find("Detailed Findings").unwrap()];
    assert_in_order(summary, &["H-1", "First depositor", "G-02", "Cache"]);
}

#[test]
fn a_finding_that_breaks_the_shape_gets_one_located_error_each() {
    let (_tmp, dir) = example_folder("smart-contract");
    // Impact High x Likelihood Medium gives High, not Low.
    edit(
        &dir,
        "findings.csv",
        "H-1,First depositor can steal later deposits by inflating the share price,High,Medium,,",
        "H-1,First depositor can steal later deposits by inflating the share price,High,Medium,Low,",
    );
    // A heading the style does not know.
    edit(&dir, "findings/M-1.md", "## Impact", "## Exploit Path");
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        "findings.csv:2:87",
        "severity Low of H-1 disagrees with the matrix: Impact High and Likelihood Medium give High",
    );
    assert_diagnostic(
        &err,
        "findings/M-1.md:6:1",
        "unknown section \"Exploit Path\"",
    );
    assert!(
        err.contains(
            "sections are: Description, Impact, Proof of Concept, Recommended Mitigation\n"
        ),
        "{err}"
    );
    assert_eq!(error_lines(&dir).len(), 2, "{err}");

    let (_tmp, dir) = example_folder("pentest");
    edit(
        &dir,
        "../style/style.toml",
        "{ key = \"component\", label = \"Affected Component\", kind = \"text\" }",
        "{ key = \"component\", label = \"Affected Component\", kind = \"text\", required = true }",
    );
    edit(&dir, "findings.csv", ",Authentication,", ",,");
    edit(&dir, "findings.csv", "CWE-400,", "CWE400,");
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        "findings.csv:3:1",
        "finding EX-PT-26-02 has no Affected Component",
    );
    assert_diagnostic(&err, "findings.csv:4:118", "\"CWE400\" is not a CWE id");
    assert_eq!(error_lines(&dir).len(), 2, "{err}");
}

#[test]
fn mistakes_in_the_finding_table_of_style_toml_are_located_in_one_run() {
    let (_tmp, dir) = example_folder("smart-contract");
    let style = dir.join("../style/style.toml");
    let text = fs::read_to_string(&style).unwrap();
    let text = text
        .replace(
            "page_break = \"none\"",
            "page_break = \"none\"\ncolour = \"red\"",
        )
        .replace("scale = \"impact\"", "scale = \"impakt\"")
        .replace(
            "summary = [\"id\", \"title\", \"severity\", \"status\"]",
            "summary = [\"id\", \"title\", \"severity\", \"stauts\"]",
        )
        .replace(
            "severities = [\"Gas Optimization\"]",
            "severities = [\"Gas\"]",
        )
        .replace(
            "[\"Medium\", \"Low\", \"Low\"]",
            "[\"Medium\", \"Low\", \"Loww\"]",
        );
    fs::write(&style, text).unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let errors = error_lines(&dir);
    let joined = errors.join("\n");
    for (what, n) in [
        ("colour", 1),
        ("impakt", 1),
        ("stauts", 1),
        ("\"Gas\"", 1),
        ("Loww", 1),
    ] {
        assert_eq!(
            errors.iter().filter(|e| e.contains(what)).count(),
            n,
            "{what} in:\n{joined}"
        );
    }
    assert_eq!(errors.len(), 5, "{joined}");
    assert!(
        errors.iter().all(|e| e.contains("style/style.toml:")),
        "an error outside style.toml:\n{joined}"
    );
}

#[test]
fn exports_carry_the_sections_and_fields_with_the_style_labels() {
    let (_tmp, dir) = example_folder("smart-contract");
    let json: serde_json::Value = serde_json::from_str(&export(&dir, "json")).unwrap();
    let h1 = &json["findings"][0];
    assert_eq!(h1["id"], "H-1");
    assert_eq!(h1["severity"], "High");
    let titles: Vec<&str> = h1["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Description",
            "Impact",
            "Proof of Concept",
            "Recommended Mitigation"
        ]
    );
    assert!(
        h1["sections"][2]["text"]
            .as_str()
            .unwrap()
            .contains("Alice deposits 1 wei")
    );
    assert_eq!(h1["fields"][0]["label"], "Impact");
    assert_eq!(h1["fields"][0]["text"], "High");

    let csv = export(&dir, "csv");
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(",description,impact_text,proof_of_concept,recommendations,impact"),
        "{header}"
    );
    assert!(csv.contains("Alice deposits 1 wei"));

    let sarif: serde_json::Value = serde_json::from_str(&export(&dir, "sarif")).unwrap();
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(rule["properties"]["impact"], "High");

    let md = export(&dir, "markdown");
    assert_in_order(
        &md,
        &[
            "H-1",
            "**Impact:** High",
            "### Description",
            "### Proof of Concept",
            "### Recommended Mitigation",
        ],
    );

    let (_tmp, dir) = example_folder("pentest");
    assert!(export(&dir, "sarif").contains("external/cwe/cwe-400"));
}

#[test]
fn init_starts_a_folder_from_each_example_style() {
    for (name, needle) in [
        ("smart-contract", "High Risk"),
        ("pentest", "Informational Notes"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("new");
        let out = run(&[
            "init".as_ref(),
            dir.as_os_str(),
            "--style".as_ref(),
            name.as_ref(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(dir.join("style/style.toml").is_file());
        let text = pdf_text(&build_ok(&dir, name, &["--deny-warnings"]));
        assert!(text.contains(needle), "{name}");
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&[
        "init".as_ref(),
        tmp.path().join("x").as_os_str(),
        "--style".as_ref(),
        "cyfrin".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("smart-contract, pentest"));
    assert!(!tmp.path().join("x").exists());
}

#[test]
fn a_real_code4rena_report_builds_with_every_fact() {
    // tests/fixtures/c4-xdefi: Code4rena's public XDEFI report, transcribed.
    let (_tmp, dir) = workspace(&fixture("c4-xdefi"));
    let pdf = build_ok(&dir, "xdefi.pdf", &["--deny-warnings"]);
    let text = pdf_text(&pdf);
    let flat = squash(&text);
    // Every finding of the report, by its id and title, under its group.
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let mut reader_rows = Vec::new();
    for line in csv.lines().skip(1) {
        let id = line.split(',').next().unwrap().to_string();
        reader_rows.push(id);
    }
    assert_eq!(reader_rows.len(), 50, "the report's 50 findings");
    let body = &text[text.rfind("Detailed Findings").map_or(0, |i| i)..];
    let body = &body[body.find("High Risk Findings").unwrap()..];
    let mut order = vec!["High Risk Findings"];
    let headings: Vec<String> = reader_rows.iter().map(|id| format!("[{id}]")).collect();
    for (id, h) in reader_rows.iter().zip(&headings) {
        match id.as_str() {
            "M-01" => order.push("Medium Risk Findings"),
            "L-01" => order.push("Low Risk Findings"),
            "N-01" => order.push("Non-Critical Findings"),
            "G-01" => order.push("Gas Optimizations"),
            _ => {}
        }
        order.push(h);
    }
    assert_in_order(body, &order);
    for title in [
        "Malicious early user/attacker can malfunction the contract and even freeze users' funds in edge cases",
        "_safeMint Will Fail Due To An Edge Case In Calculating tokenId Using The _generateNewTokenId Function",
        "XDEFIDistribution: _unlock function should only be called with tokenId_ parameter",
        "&& operator can use more gas",
    ] {
        assert!(flat.contains(&squash(title)), "{title}");
    }
    // The wardens, the sponsor's and judge's words, the counts.
    assert!(flat.contains(&squash(
        "cccz, also found by cmichel, Fitraldys, kenzo, onewayfunction, and tqts"
    )));
    assert!(flat.contains(&squash(
        "fantastic finding, agreed with the proposed severity!"
    )));
    assert!(flat.contains(&squash(
        "aggregated total of 13 unique vulnerabilities and 50 total findings"
    )));
    let summary = &text[text.rfind("Exposure analysis").unwrap()..];
    let row = |name: &str| -> String {
        summary
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} row"))
            .split_whitespace()
            .last()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        [
            row("High"),
            row("Medium"),
            row("Low"),
            row("Non-Critical"),
            row("Gas Optimization")
        ],
        ["2", "1", "10", "9", "28"].map(String::from)
    );
    // A code span with a leading underscore breaks nowhere near it: no
    // line ends with the underscore alone (`_` / `mint`).
    assert!(
        !text.contains(" _ ")
            && text.lines().all(|l| {
                l.split_whitespace()
                    .last()
                    .is_none_or(|w| !w.ends_with('_') || w.chars().any(char::is_alphanumeric))
            }),
        "a break after a leading _"
    );
}

#[test]
fn github_issues_import_into_a_shaped_style_under_its_sections_and_ids() {
    let (_tmp, dir) = example_folder("pentest");
    let out = run(&[
        "import".as_ref(),
        "github".as_ref(),
        fixture("issues/issues.json").as_os_str(),
        "--into".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The firm pads its numbers: the drafts follow EX-PT-26-04.
    let draft = fs::read_to_string(dir.join("findings/EX-PT-26-05.md")).unwrap();
    assert!(draft.contains("Admin API accepts unsigned tokens"));
    assert!(draft.contains("## References"), "{draft}");
    // Each draft loads under the style's sections: the one that lacks a
    // required section is told so, and nothing else is wrong.
    let errors = error_lines(&dir);
    assert!(
        errors
            .iter()
            .all(|e| e.contains("has no Solution Advice section")),
        "{errors:#?}"
    );
    assert!(!stderr(&run(&["check".as_ref(), dir.as_os_str()])).contains("unknown section"));
}

#[test]
fn long_cells_wrap_and_keep_a_ten_word_title_on_three_lines() {
    let (_tmp, dir) = example_folder("pentest");
    // A 60-character free-text column (a CWE name given as text, as X41
    // prints it) beside a title of ten words.
    edit(
        &dir,
        "../style/style.toml",
        "summary = [\"id\", \"title\", \"severity\", \"cvss\", \"cwe\", \"status\"]",
        "summary = [\"id\", \"title\", \"severity\", \"cvss\", \"cwe\", \"component\", \"status\"]",
    );
    let component = "Improper Neutralization of Special Elements in Output Used!!";
    assert_eq!(component.len(), 60);
    edit(
        &dir,
        "findings.csv",
        ",Authentication,",
        &format!(",{component},"),
    );
    let title = "Session tokens remain valid after logout on every device";
    edit(
        &dir,
        "findings.csv",
        "Session tokens remain valid after logout",
        title,
    );
    let text = pdf_text(&build_ok(&dir, "wide.pdf", &[]));
    let summary = &text[text.rfind("Summary of Findings").unwrap()..];
    let lines: Vec<&str> = summary.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.contains("EX-PT-26-02"))
        .unwrap();
    let end = lines
        .iter()
        .position(|l| l.contains("EX-PT-26-03"))
        .unwrap();
    let row = &lines[start..end];
    let title_words: Vec<&str> = title.split(' ').collect();
    let with_title: Vec<&&str> = row
        .iter()
        .filter(|l| title_words.iter().any(|w| l.contains(w)))
        .collect();
    assert!(
        with_title.len() <= 3,
        "the title takes {} lines:\n{}",
        with_title.len(),
        row.join("\n")
    );
    // No word of the title is broken.
    for word in title_words {
        assert!(
            row.iter().any(|l| l.contains(word)),
            "{word} broken:\n{}",
            row.join("\n")
        );
    }
}

//! The contract kept (FORMAT 1.2): nothing refused that FORMAT allows,
//! nothing given dropped in silence, one mistake one error.

use std::fs;

use crate::common::*;

/// A folder of the risk fixture that uses its own house style folder with
/// free-text types, as a firm's own audit does.
fn styled_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = workspace(&fixture("risk"));
    let style = dir.join("house");
    fs::create_dir_all(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        "name = \"Northwind\"\nextends = \"risk\"\n\n[strings]\n\"section.summary\" = \"Findings at a Glance\"\n",
    )
    .unwrap();
    edit(&dir, "audit.toml", "style = \"risk\"", "style = \"house\"");
    (tmp, dir)
}

#[test]
fn history_without_version_and_fix_review_without_date_build() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    edit(
        &dir,
        "audit.toml",
        "[fix_review]\ndate = 2024-09-20\n",
        "[fix_review]\n",
    );
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        format!("{toml}\n[[history]]\ndate = 2024-08-16\ndescription = \"Initial report\"\n"),
    )
    .unwrap();
    let pdf = build_ok(&dir, "undated.pdf", &[]);
    let text = squash(&pdf_text(&pdf));
    assert!(
        text.contains(&squash("— August 16, 2024 Initial report")),
        "{text}"
    );
    assert!(
        text.contains(&squash(
            "B. Fix Review Results Example Security reviewed the fixes and mitigations implemented by Acme"
        )),
        "the fix review is described without a date: {text}"
    );
}

#[test]
fn statuses_and_notes_without_a_fix_review_table_are_printed() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    edit(&dir, "audit.toml", "[fix_review]\ndate = 2024-09-20\n", "");
    let pdf = build_ok(&dir, "statuses.pdf", &[]);
    let text = squash(&pdf_text(&pdf));
    // The summary table's status column, then the notes where the style puts them.
    assert!(
        text.contains(&squash(
            "Severity Status 1 Default admin password Authentication High Resolved 2 Verbose error pages Error Reporting Low Partially Resolved 3 Outdated TLS library Patching Medium Unresolved 4 Unclear log retention Auditing and Logging Informational Undetermined"
        )),
        "{text}"
    );
    assert_in_order(
        &text,
        &[
            &squash("Fix Review Results"),
            &squash("The password is now set at first boot."),
            &squash("We will remove the codes in the next release."),
        ],
    );
}

#[test]
fn a_bad_audit_toml_value_does_not_drop_the_house_style() {
    // Before: the loader dropped the style and every free-text type was
    // reported as an unknown standard type.
    let (_tmp, dir) = styled_folder();
    edit(
        &dir,
        "audit.toml",
        "id_prefix = \"NW\"",
        "id_prefix = \"NW\"\ndraft = \"yes\"",
    );
    let found = error_lines(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("audit.toml") && found[0].contains("`draft`"),
        "{found:#?}"
    );
}

#[test]
fn a_bad_id_prefix_gives_one_error_and_not_one_per_finding() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    edit(&dir, "audit.toml", "id_prefix = \"ACME\"", "id_prefix = 7");
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let unnumbered: String = csv
        .lines()
        .map(|l| {
            l.strip_prefix("ACME-").map_or(l.to_string(), |r| {
                r.split_once(',')
                    .map_or(l.to_string(), |(_, rest)| format!(",{rest}"))
            })
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(dir.join("findings.csv"), unnumbered).unwrap();
    fs::remove_file(dir.join("fix-review.csv")).unwrap();
    edit(&dir, "audit.toml", "[fix_review]\ndate = 2024-09-20\n", "");
    let found = error_lines(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("`id_prefix`"), "{found:#?}");
}

#[test]
fn a_fix_review_without_its_file_gives_one_error_and_not_one_per_finding() {
    let (_tmp, dir) = workspace(&example());
    fs::remove_file(dir.join("fix-review.csv")).unwrap();
    let found = error_lines(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("gives none of the 10 findings a status"),
        "{found:#?}"
    );
    // One finding left out of the file is that finding's own mistake.
    let (_tmp, dir) = workspace(&example());
    let csv = fs::read_to_string(dir.join("fix-review.csv")).unwrap();
    let without: Vec<&str> = csv
        .lines()
        .filter(|l| !l.starts_with("NWS-LUMEN-3,"))
        .collect();
    fs::write(dir.join("fix-review.csv"), without.join("\n") + "\n").unwrap();
    let found = error_lines(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("finding NWS-LUMEN-3 has no fix review status"),
        "{found:#?}"
    );
}

#[test]
fn a_bad_style_toml_level_gives_one_error_and_no_follow_on_errors() {
    let (_tmp, dir) = styled_folder();
    fs::write(
        dir.join("house/style.toml"),
        "extends = \"risk\"\n\n[severity]\nlevels = [\n  { name = \"Critical\", colour = \"red\" },\n  { name = \"High\" },\n  { name = \"Medium\" },\n  { name = \"Low\" },\n  { name = \"Informational\" },\n]\n",
    )
    .unwrap();
    let found = error_lines(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("style.toml:5:") && found[0].contains("\"red\" is not a colour"),
        "{found:#?}"
    );
}

#[test]
fn one_mistake_in_each_of_three_files_gives_exactly_three_errors() {
    let (_tmp, dir) = styled_folder();
    edit(
        &dir,
        "audit.toml",
        "id_prefix = \"NW\"",
        "id_prefix = \"NW\"\npaper = \"legal\"",
    );
    let style = fs::read_to_string(dir.join("house/style.toml")).unwrap();
    fs::write(
        dir.join("house/style.toml"),
        format!("{style}\"section.nope\" = \"x\"\n"),
    )
    .unwrap();
    edit(&dir, "findings.csv", ",Critical,High,", ",Critcal,High,");
    let found = error_lines(&dir);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|e| e.contains("audit.toml") && e.contains("paper size")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.contains("style.toml") && e.contains("section.nope")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|e| e.contains("findings.csv:2:") && e.contains("unknown severity \"Critcal\"")),
        "{found:#?}"
    );
}

#[test]
fn a_style_folder_that_does_not_exist_gives_one_error() {
    let (_tmp, dir) = styled_folder();
    fs::remove_dir_all(dir.join("house")).unwrap();
    let found = error_lines(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("neither built in nor a folder"),
        "{found:#?}"
    );
}

#[test]
fn an_email_autolink_is_a_mailto_link_in_the_pdf() {
    // Before: `<info@example.com>` was a warning ("shown as text") and printed unlinked.
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    fs::create_dir_all(dir.join("findings")).unwrap();
    fs::write(
        dir.join("findings/ACME-1.md"),
        "## Description\n\nWrite to <info@example.com> for the details.\n",
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("mail.pdf");
    let out = build_to(&dir, &pdf, &["--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(pdf_text(&pdf).contains("Write to info@example.com for the details."));
    let json = qpdf_json(&pdf);
    let objects = json["qpdf"][1].as_object().unwrap();
    let uris: Vec<&str> = objects
        .values()
        .filter_map(|o| o["value"]["/A"]["/URI"].as_str())
        .collect();
    assert!(
        uris.iter().any(|u| u.ends_with("mailto:info@example.com")),
        "{uris:?}"
    );
}

#[test]
fn a_style_without_a_second_axis_prints_no_column_field_matrix_or_appendix_for_it() {
    // Before: `[difficulty] levels = []` was refused ("the difficulty scale has no levels").
    let (_tmp, dir) = styled_folder();
    fs::write(
        dir.join("house/style.toml"),
        "extends = \"risk\"\n\n[difficulty]\nlabel = \"Likelihood\"\nlevels = []\n",
    )
    .unwrap();
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let without: String = csv
        .lines()
        .map(|l| {
            let mut cells: Vec<&str> = l.split(',').collect();
            cells.remove(3);
            cells.join(",") + "\n"
        })
        .collect();
    fs::write(dir.join("findings.csv"), &without).unwrap();
    let pdf = build_ok(&dir, "no-axis.pdf", &[]);
    let text = pdf_text(&pdf);
    assert!(!text.contains("Likelihood"), "{text}");
    assert!(text.contains("Verbose error pages"), "{text}");

    // A value for the absent scale is an error at its cell.
    let with_value: String = without
        .lines()
        .enumerate()
        .map(|(i, l)| match i {
            0 => format!("{l},difficulty\n"),
            1 => format!("{l},High\n"),
            _ => format!("{l},\n"),
        })
        .collect();
    fs::write(dir.join("findings.csv"), with_value).unwrap();
    let found = error_lines(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("findings.csv:2:") && found[0].contains("no likelihood scale"),
        "{found:#?}"
    );
}

#[test]
fn findings_without_types_or_second_axis_values_print_no_type_column_and_no_matrix() {
    let (_tmp, dir) = styled_folder();
    fs::write(
        dir.join("house/style.toml"),
        "extends = \"risk\"\n\n[difficulty]\nlabel = \"Likelihood\"\nrequired = false\nlevels = [{ name = \"High\" }, { name = \"Low\" }]\n",
    )
    .unwrap();
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let bare: String = csv
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{}\n", c[0], c[1], c[2], c[5])
        })
        .collect();
    fs::write(dir.join("findings.csv"), bare).unwrap();
    let pdf = build_ok(&dir, "bare.pdf", &[]);
    let text = squash(&pdf_text(&pdf));
    assert!(
        !text.contains("Eachcellcounts"),
        "no matrix of zeros: {text}"
    );
    assert!(
        text.contains(&squash(
            "ID Title Severity Status 1 Signing key readable by every process Critical Fixed"
        )),
        "no Type column: {text}"
    );
    assert!(
        !text.contains("Type—") && !text.contains("Likelihood—"),
        "{text}"
    );
}

/// The first ```toml block after a heading of docs/FORMAT.md.
fn format_example(heading: &str) -> String {
    let doc = fs::read_to_string(root().join("docs/FORMAT.md")).unwrap();
    let after = &doc[doc.find(heading).expect("heading in docs/FORMAT.md")..];
    let start = after.find("```toml\n").unwrap() + "```toml\n".len();
    after[start..start + after[start..].find("```").unwrap()].to_string()
}

/// The columns of a CSV file's table in docs/FORMAT.md, with whether each is required.
fn format_columns(file: &str) -> Vec<(String, bool)> {
    let doc = fs::read_to_string(root().join("docs/FORMAT.md")).unwrap();
    let after = &doc[doc.find(&format!("## {file}")).unwrap()..];
    after
        .lines()
        .skip_while(|l| !l.starts_with("| column"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells[1].to_string(), cells[2] == "yes")
        })
        .collect()
}

/// Keys of a list of tables that name its entry; an entry without them is
/// refused (see docs/FORMAT.md, "Keys of lists of tables").
const ENTRY_KEYS: &[&str] = &[
    "contacts.name",
    "timeline.date",
    "timeline.event",
    "targets.name",
    "tools.name",
    "history.date",
];

#[test]
fn every_key_format_does_not_mark_required_may_be_left_out() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    fs::create_dir_all(dir.join("brand")).unwrap();
    let example: toml::Table = format_example("## audit.toml").parse().unwrap();
    let write_toml =
        |t: &toml::Table| fs::write(dir.join("audit.toml"), toml::to_string(t).unwrap()).unwrap();
    // A value for each column of FORMAT's tables.
    let value = |column: &str| match column {
        "id" => "TOB-FLUX-1",
        "title" => "Unchecked `token`",
        "severity" => "High",
        "difficulty" => "Low",
        "type" => "Authentication",
        "cvss" => "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
        "target" => "source-controller/main.go#1-2",
        "status" => "Resolved",
        "category" => "Arithmetic",
        "rating" => "Strong",
        "name" => "Jane Doe",
        "organization" => "OSTIF",
        "role" => "Funding",
        "refs" => "fluxcd/source-controller#1185",
        _ => "Some *Markdown* text.",
    };
    let write_csv = |file: &str, columns: &[(String, bool)], leave_out: Option<&str>| {
        let kept: Vec<&str> = columns
            .iter()
            .map(|(c, _)| c.as_str())
            .filter(|c| Some(*c) != leave_out)
            .collect();
        let row: Vec<String> = kept.iter().map(|c| format!("\"{}\"", value(c))).collect();
        fs::write(
            dir.join(file),
            format!("{}\n{}\n", kept.join(","), row.join(",")),
        )
        .unwrap();
    };
    let files = [
        "findings.csv",
        "maturity.csv",
        "acknowledgements.csv",
        "fix-review.csv",
    ];
    let columns: Vec<Vec<(String, bool)>> = files.iter().map(|f| format_columns(f)).collect();
    let write_all = |leave_out: Option<(&str, &str)>| {
        for (file, cols) in files.iter().zip(&columns) {
            write_csv(
                file,
                cols,
                leave_out.filter(|(f, _)| f == file).map(|(_, c)| c),
            );
        }
    };
    write_toml(&example);
    write_all(None);
    let pdf = build_ok(&dir, "every-key.pdf", &[]);
    assert!(pdf_text(&pdf).contains("Jane Doe"));

    let check = |what: &str| {
        let out = run(&["check".as_ref(), dir.as_os_str()]);
        assert!(out.status.success(), "without {what}: {}", stderr(&out));
    };
    let mut left_out = 0;
    for (key, value) in &example {
        if ["title", "date", "vendor"].contains(&key.as_str()) {
            continue;
        }
        let mut t = example.clone();
        t.remove(key);
        write_toml(&t);
        check(key);
        left_out += 1;
        let entries: Vec<&toml::Table> = match value {
            toml::Value::Table(inner) => vec![inner],
            toml::Value::Array(items) => items.iter().filter_map(|v| v.as_table()).collect(),
            _ => Vec::new(),
        };
        let nested: Vec<&String> = entries.iter().flat_map(|e| e.keys()).collect();
        for inner in nested {
            let dotted = format!("{key}.{inner}");
            if ENTRY_KEYS.contains(&dotted.as_str()) {
                continue;
            }
            let mut t = example.clone();
            match t.get_mut(key).unwrap() {
                toml::Value::Table(inner_table) => {
                    inner_table.remove(inner);
                }
                toml::Value::Array(items) => {
                    for item in items.iter_mut().filter_map(|v| v.as_table_mut()) {
                        item.remove(inner);
                    }
                }
                _ => unreachable!(),
            }
            write_toml(&t);
            check(&dotted);
            left_out += 1;
        }
    }
    write_toml(&example);
    for (file, cols) in files.iter().zip(&columns) {
        for (column, required) in cols {
            if *required {
                continue;
            }
            write_all(Some((file, column)));
            check(&format!("{file} column {column}"));
            left_out += 1;
        }
    }
    assert!(
        left_out > 40,
        "the walk covered {left_out} keys and columns"
    );
}

#[test]
fn code_in_a_title_breaks_only_where_an_identifier_allows() {
    // Before: "BridgeRouter::completeBr|idgingWithRetries..." in the summary table.
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let title = "Reentrancy in BridgeRouter::completeBridgingWithRetriesAndFallback_v2 lets an attacker drain the liquidity pool";
    edit(
        &dir,
        "findings.csv",
        "ACME-1,Default admin password,",
        "ACME-1,\"Reentrancy in `BridgeRouter::completeBridgingWithRetriesAndFallback_v2` lets an attacker drain the liquidity pool\",",
    );
    let pdf = build_ok(&dir, "code-title.pdf", &[]);
    let page = page_with(&pdf, "The table below summarizes");
    let out = std::process::Command::new("pdftotext")
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // The text layer interleaves the row's cells; the title's lines are
    // those that continue it.
    let mut lines: Vec<&str> = Vec::new();
    let mut at = 0;
    for line in text.lines().skip_while(|l| !l.starts_with("Reentrancy")) {
        let rest = title[at..].trim_start();
        if line.is_empty() || !rest.starts_with(line) {
            continue;
        }
        at = title.len() - rest.len() + line.len();
        lines.push(line);
        if at == title.len() {
            break;
        }
    }
    assert_eq!(at, title.len(), "the whole title is found: {lines:?}");
    assert!(lines.len() >= 2, "the title wraps in its column: {lines:?}");
    let mut at = 0;
    for line in &lines[..lines.len() - 1] {
        at = title[at..].find(line).unwrap() + at + line.len();
        let before = title[..at].chars().last().unwrap();
        let after = title[at..].chars().next().unwrap();
        assert!(
            after == ' ' || [':', '_', '.', '/'].contains(&before),
            "a break inside an identifier after {:?}: {lines:?}",
            &title[..at]
        );
    }
}

#[test]
fn a_maturity_category_in_capitals_matches_its_name_beyond_ascii() {
    // Before: "BEHERRSCHUNG DER KOMPLEXITÄT" was warned about as unknown
    // (an ASCII-only comparison), with "did you mean Beherrschung der Komplexität?".
    let (_tmp, dir) = workspace(&fixture("german"));
    let path = dir.join("maturity.csv");
    let csv = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        format!("{csv}BEHERRSCHUNG DER KOMPLEXITÄT,STARK,Klar gegliedert.\n"),
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("de.pdf");
    let style = root().join("data/styles/de");
    let out = build_to(
        &dir,
        &pdf,
        &["--deny-warnings", "--style", style.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(pdf_text(&pdf).contains("Beherrschung der Komplexität"));
}

#[test]
fn a_missing_style_folder_gives_one_error_and_no_unknown_sections() {
    // The German fixture copied away from its style: its headings are the style's.
    let (_tmp, dir) = workspace(&fixture("german"));
    let found = error_lines(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].contains("neither built in nor a folder"),
        "{found:#?}"
    );
}

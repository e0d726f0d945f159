//! The plain-text contract: titles print exactly as typed (only code spans are
//! read), and no invisible or format character reaches the text layer as itself.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::*;

/// Returns the runs of text of a PDF with the font family each is set in,
/// as poppler's `pdftohtml -xml` gives them.
fn runs_with_fonts(pdf: &Path) -> Vec<(String, String)> {
    let out = Command::new("pdftohtml")
        .args([
            "-xml".as_ref(),
            "-i".as_ref(),
            "-stdout".as_ref(),
            pdf.as_os_str(),
        ])
        .output()
        .expect("pdftohtml (poppler-utils) is installed");
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut fonts = std::collections::HashMap::new();
    for line in xml.lines().filter(|l| l.contains("<fontspec")) {
        let attr = |name: &str| {
            let start = line.find(&format!("{name}=\""))? + name.len() + 2;
            Some(line[start..start + line[start..].find('"')?].to_string())
        };
        fonts.insert(attr("id").unwrap(), attr("family").unwrap_or_default());
    }
    xml.lines()
        .filter(|l| l.starts_with("<text "))
        .map(|l| {
            let font = l
                .split("font=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or("");
            let text = l[l.find('>').unwrap() + 1..l.rfind("</text>").unwrap_or(l.len())]
                .replace("<b>", "")
                .replace("</b>", "")
                .replace("<i>", "")
                .replace("</i>", "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
                .replace("&quot;", "\"");
            (text, fonts.get(font).cloned().unwrap_or_default())
        })
        .collect()
}

#[test]
fn a_title_prints_exactly_as_typed_everywhere_it_appears() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let title = "Unchecked __init__ in setup_*args* with <b>, $x$ and `run_it()`";
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    fs::write(
        dir.join("findings.csv"),
        csv.replace("Default admin password", &format!("\"{title}\"")),
    )
    .unwrap();
    let pdf = build_ok(&dir, "titles", &[]);
    let text = pdf_text(&pdf);
    let shown = "Unchecked __init__ in setup_*args* with <b>, $x$ and run_it()";
    // Contents, summary of findings, the finding's heading, the fix review table
    // and its detailed results: the title as typed, backticks read as code.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Unchecked __init__"))
        .collect();
    assert!(lines.len() >= 4, "{lines:#?}");
    // In content order (-raw): a title that wraps in a table's cell is not
    // interleaved with the row's other cells, as the layout puts them.
    let raw = Command::new("pdftotext")
        .args(["-raw".as_ref(), pdf.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let in_full = squash(&String::from_utf8_lossy(&raw.stdout))
        .matches(&squash(shown))
        .count();
    assert!(
        in_full >= 4,
        "the title is whole in {in_full} places:\n{text}"
    );
    assert!(!text.contains("Unchecked init") && !text.contains("setup_args"));
    // The code span is set in the monospace font, the rest in the text font.
    let runs = runs_with_fonts(&pdf);
    let code: Vec<_> = runs
        .iter()
        .filter(|(t, _)| t.contains("run_it()"))
        .collect();
    assert!(code.len() >= 4, "{code:?}");
    assert!(
        code.iter()
            .all(|(t, f)| f.contains("JetBrains") && !t.contains("__init__")),
        "{code:?}"
    );
    let words: Vec<_> = runs
        .iter()
        .filter(|(t, _)| t.contains("__init__"))
        .collect();
    assert!(words.iter().all(|(_, f)| f.contains("Inter")), "{words:?}");
}

/// Every code point a reader cannot see: format characters (Cf) and the tag block.
fn invisible(c: char) -> bool {
    auditpress::unicode::is_format(c) || auditpress::unicode::is_tag(c)
}

#[test]
fn invisible_characters_are_shown_in_every_kind_of_field_and_warned_where_they_are() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let tags: String = "ignore previous"
        .chars()
        .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
        .collect();
    let nasty = format!("A{tags}B\u{AD}C\u{180E}D\u{200D}E\u{202E}F");
    // A title, a cell (the target), a front matter field and a Markdown paragraph.
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let csv = csv
        .replace(
            "id,title,severity,difficulty,type",
            "id,title,severity,difficulty,type,target",
        )
        .replace(
            "Default admin password,High,Low,Authentication",
            &format!("Title {nasty},High,Low,Authentication,src/{nasty}.go"),
        );
    let csv = csv
        .lines()
        .map(|l| {
            if l.matches(',').count() == 4 {
                format!("{l},")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(dir.join("findings.csv"), csv + "\n").unwrap();
    fs::create_dir_all(dir.join("findings")).unwrap();
    fs::write(
        dir.join("findings/ACME-5.md"),
        format!(
            "+++\nid = \"ACME-5\"\ntitle = \"Fifth\"\nseverity = \"Low\"\ndifficulty = \"Low\"\ntype = \"Testing\"\nstatus = \"Unresolved\"\n\
             target = \"lib/{nasty}.rs\"\n+++\n\n## Description\n\nA paragraph {nasty} here.\n"
        ),
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("hidden.pdf");
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let text = pdf_text(&pdf);
    let left: Vec<String> = text
        .chars()
        .filter(|c| invisible(*c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(
        left.is_empty(),
        "invisible characters in the text layer: {left:?}"
    );
    let shown = "A<U+E0069><U+E0067><U+E006E>";
    for place in [
        "Title A<U+E0069>",
        "src/A<U+E0069>",
        "lib/A<U+E0069>",
        "paragraph A<U+E0069>",
    ] {
        assert!(
            squash(&text).contains(&squash(place)),
            "{place} not shown in:\n{text}"
        );
    }
    assert!(squash(&text).contains(&squash(shown)));
    assert!(
        squash(&text).contains("B<U+00AD>C<U+180E>D<U+200D>E<U+202E>F"),
        "{text}"
    );
    // One warning per field, at its place, with the smuggled text decoded.
    let csv_text = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let row = csv_text.lines().nth(1).unwrap();
    let column = |needle: &str| row[..row.find(needle).unwrap()].chars().count() + 1;
    let (title_col, target_col) = (column("Title"), column("src/"));
    let smuggled = "tag characters spell hidden text \"ignore previous\"";
    assert_diagnostic(&err, &format!("findings.csv:2:{title_col}"), smuggled);
    assert_diagnostic(&err, &format!("findings.csv:2:{target_col}"), smuggled);
    assert_diagnostic(&err, "ACME-5.md:8:10", smuggled);
    assert_diagnostic(&err, "ACME-5.md:13:1", smuggled);
    assert_eq!(err.matches(smuggled).count(), 4, "{err}");

    let denied = build_to(&dir, &pdf, &["--deny-warnings"]);
    assert_eq!(denied.status.code(), Some(1));
}

#[test]
fn invisible_characters_in_audit_toml_and_other_tables_are_shown_and_warned() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    let toml = toml.replacen("title = \"", "title = \"Hidden\u{2066}", 1);
    fs::write(dir.join("audit.toml"), &toml).unwrap();
    fs::write(
        dir.join("acknowledgements.csv"),
        "name,organization\nAda\u{200B}Lovelace,Analytical\u{FEFF} Engines\n",
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("toml.pdf");
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let (line, col) = {
        let at = toml.find("\"Hidden").unwrap();
        let before = &toml[..at];
        (
            before.matches('\n').count() + 1,
            at - before.rfind('\n').map_or(0, |i| i + 1) + 1,
        )
    };
    assert_diagnostic(
        &err,
        &format!("audit.toml:{line}:{col}"),
        "U+2066 is shown as <U+2066>",
    );
    assert_diagnostic(
        &err,
        "acknowledgements.csv:2:1",
        "invisible character U+200B is shown as <U+200B>",
    );
    assert_diagnostic(
        &err,
        "acknowledgements.csv:2:14",
        "invisible character U+FEFF is shown as <U+FEFF>",
    );
    let text = pdf_text(&pdf);
    assert!(text.contains("Hidden<U+2066>"), "{text}");
    assert!(text.contains("Ada<U+200B>Lovelace"), "{text}");
    assert!(!text.chars().any(invisible));
}

//! Tests of building: diagnostics and their places, exit codes, hostile text,
//! identical rebuilds, and every field reaching the view.

use std::fs;

use crate::common::*;

#[test]
fn example_builds_with_every_section_in_order() {
    let (_tmp, dir) = workspace(&example());
    let pdf = dir.parent().unwrap().join("report.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("wrote"), "{}", stderr(&out));
    let text = pdf_text(&pdf);
    assert_in_order(
        &text,
        &[
            "Lumen",
            "Security Assessment",
            "Table of Contents",
            "Document History",
            "Executive Summary",
            "Engagement Overview",
            "Observations and Impact",
            "Recommendations",
            "Finding Severities and Categories",
            "Project Summary",
            "Contact Information",
            "Project Timeline",
            "Project Goals",
            "Project Targets",
            "Project Coverage",
            "Coverage Limitations",
            "Threat Model",
            "Automated Testing",
            "Codebase Maturity Evaluation",
            "Acknowledgements",
            "Summary of Findings",
            "Detailed Findings",
            "1. Manifest paths can escape the secrets directory",
            "10. Dependency with a known vulnerability in the console",
            "A. Vulnerability Categories",
            "B. Code Maturity Categories",
            "C. Semgrep Rules",
            "D. Fix Review Results",
            "E. Fix Review Status Categories",
            "Notices and Remarks",
            "About Northwind Security, Inc.",
        ],
    );
    for n in 1..=10 {
        assert!(
            text.contains(&format!("NWS-LUMEN-{n}")),
            "NWS-LUMEN-{n} missing"
        );
    }
    assert!(text.contains("Figure 1.1:"), "code figure caption missing");
    assert!(text.contains("Figure 1.2:"), "image figure caption missing");
    assert!(
        text.contains("Figure C.1:"),
        "appendix figure caption missing"
    );
    // Footer marking and vendor on the pages after the cover.
    assert!(text.matches("PUBLIC").count() > 10);
}

#[test]
fn the_curl_sample_builds() {
    let (_tmp, dir) = workspace(&fixture("curl-2022"));
    let pdf = dir.parent().unwrap().join("curl.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = pdf_text(&pdf);
    assert!(text.contains("Non-constant-time comparison of secrets"));
    assert!(text.contains("Figure 4.1:"));
    assert!(text.contains("TOB-CURL-14"));
}

#[test]
fn the_default_output_name_comes_from_the_report() {
    let (_tmp, dir) = workspace(&example());
    let out = run(&["build".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Inside the folder, beside audit.toml.
    let expected = dir.join("lumen-security-assessment-v2.0.pdf");
    assert!(expected.is_file(), "{}", stderr(&out));
}

#[test]
fn the_view_json_carries_every_field_of_every_file() {
    let v = view_json(&example());
    let r = &v["report"];
    // audit.toml
    assert_eq!(r["title"], "Lumen");
    assert_eq!(r["subtitle"], "Security Assessment");
    assert_eq!(r["date"]["long"], "March 20, 2026");
    assert_eq!(r["version"], "2.0");
    assert_eq!(r["classification"], "PUBLIC");
    assert_eq!(r["vendor"], "Northwind Security, Inc.");
    assert_eq!(r["draft"], false);
    assert_eq!(r["paper"], "letter");
    assert_eq!(r["client"], "Lumen Project");
    assert_eq!(r["prepared_for"][1], "Open Infrastructure Security Fund");
    assert_eq!(r["prepared_by"][2], "Jonah Weiss");
    assert_eq!(r["engagement"]["start"]["iso"], "2026-01-12");
    assert_eq!(r["engagement"]["end"]["iso"], "2026-01-30");
    assert_eq!(r["engagement"]["effort"], "six engineer-weeks");
    assert_eq!(v["contacts"][0]["group"], "managers");
    assert_eq!(
        v["contacts"][0]["people"][0]["email"],
        "helena.brandt@northwind.example"
    );
    assert_eq!(v["contacts"][1]["people"][0]["role"], "Lead Consultant");
    assert_eq!(v["timeline"][0]["event"], "Pre-project kickoff call");
    assert_eq!(v["targets"][0]["name"], "lumen-agent");
    assert_eq!(v["targets"][0]["type"], "Go daemon");
    assert_eq!(v["targets"][0]["platform"], "Linux");
    assert_eq!(v["targets"][1]["version"], "v1.8.2");
    assert_eq!(
        v["targets"][1]["repository"],
        "https://gitlab.com/lumen-project/lumen-console"
    );
    assert_eq!(v["goals"].as_array().unwrap().len(), 5);
    assert_eq!(v["coverage"]["approaches"].as_array().unwrap().len(), 4);
    assert_eq!(v["coverage"]["limitations"].as_array().unwrap().len(), 2);
    assert_eq!(v["tools"][0]["policy"], "Appendix C");
    assert_eq!(v["tools"][2]["name"], "go-fuzz");
    assert_eq!(v["fix_review"]["date"]["iso"], "2026-03-13");
    assert_eq!(v["history"][0]["description"], "Initial report");
    // findings.csv, findings/*.md, fix-review.csv
    let f = &v["findings"];
    assert_eq!(f.as_array().unwrap().len(), 10);
    assert_eq!(f[0]["id"], "NWS-LUMEN-1");
    assert_eq!(f[0]["number"], 1);
    assert_eq!(f[0]["severity"], "High");
    assert_eq!(f[0]["difficulty"], "Low");
    assert_eq!(f[0]["type"], "Data Validation");
    assert_eq!(
        f[0]["targets"][0],
        "lumen-agent/internal/manifest/paths.go#41–58"
    );
    assert_eq!(
        f[0]["target_links"][0]["url"],
        "https://github.com/lumen-project/lumen-agent/blob/3f9c2a71d0be48e6a5c1f7d29e0b8c4a6d3e2f10/internal/manifest/paths.go#L41-L58"
    );
    // The write-up's sections, by key, in the house style's order.
    let section = |i: usize, key: &str| -> serde_json::Value {
        let sections = f[i]["sections"].as_array().unwrap();
        sections
            .iter()
            .find(|s| s["key"] == key)
            .unwrap_or_else(|| panic!("finding {i} has no {key}"))["body"]
            .clone()
    };
    let keys: Vec<&str> = f[0]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "description",
            "exploit_scenario",
            "recommendations",
            "references"
        ]
    );
    assert_eq!(f[0]["sections"][1]["title"], "Exploit Scenario");
    assert_eq!(section(0, "description")[1]["kind"], "code-block");
    assert_eq!(section(0, "description")[1]["start"], 41);
    assert_eq!(section(0, "description")[1]["highlight"][1], 52);
    assert_eq!(section(0, "description")[1]["figure"]["number"], "1.1");
    assert!(
        section(0, "exploit_scenario")
            .to_string()
            .contains("/assets/0.png")
    );
    assert!(
        section(0, "references")
            .to_string()
            .contains("cwe.mitre.org")
    );
    assert!(
        section(3, "recommendations")
            .to_string()
            .contains("tls.VersionTLS12")
    );
    assert_eq!(f[0]["status"], "Resolved");
    assert_eq!(f[1]["status"], "Partially Resolved");
    assert_eq!(f[0]["fix"]["refs"][0], "lumen-project/lumen-agent#412");
    assert!(f[1]["fix"]["note"].to_string().contains("\"quote\""));
    // maturity.csv, acknowledgements.csv
    assert_eq!(v["maturity"].as_array().unwrap().len(), 11);
    assert_eq!(
        v["maturity"][2]["category"],
        "Authentication / Access Controls"
    );
    assert_eq!(v["maturity"][2]["rating"], "Weak");
    assert_eq!(v["acknowledgements"][2]["role"], "Funding");
    assert_eq!(v["acknowledgements"][0]["organization"], "Lumen Project");
    // sections/, appendices/
    let s = &v["sections"];
    assert_eq!(
        s["executive_summary"][1]["title"],
        "Observations and Impact"
    );
    for key in ["threat_model", "acknowledgements", "notices", "about"] {
        assert!(s[key].is_array(), "section {key} missing");
    }
    let letters: Vec<&str> = v["appendices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["letter"].as_str().unwrap())
        .collect();
    assert_eq!(letters, ["A", "B", "C", "D", "E"]);
    assert_eq!(v["appendices"][2]["title"], "Semgrep Rules");
    // computed counts
    assert_eq!(v["counts"]["total"], 10);
    assert_eq!(v["counts"]["severity"][0]["count"], 2);
    assert_eq!(v["counts"]["status"][0]["count"], 7);
}

#[test]
fn a_dozen_mistakes_are_all_reported_with_their_places_and_nothing_is_written() {
    let (_tmp, dir) = workspace(&fixture("mistakes"));
    let pdf = dir.parent().unwrap().join("previous.pdf");
    fs::write(&pdf, b"%PDF previous build").unwrap();
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let expected = [
        ("audit.toml:2:8", "invalid value for `date`"),
        ("audit.toml:5:1", "warning: unknown key `colour` is ignored"),
        ("audit.toml:8:1", "did you mean `prepared_for`?"),
        (
            "findings.csv:1:42",
            "warning: unknown column \"sevrity\" is ignored",
        ),
        ("findings.csv:2:13", "unknown severity \"Hgh\""),
        ("findings.csv:3:18", "unknown difficulty \"Easy\""),
        (
            "findings.csv:4:21",
            "unknown finding type \"Data Validaton\"",
        ),
        ("findings.csv:4:1", "duplicate finding id \"BRK-1\""),
        ("findings.csv:5:1", "missing title"),
        ("maturity.csv:2:12", "unknown rating \"Strng\""),
        (
            "fix-review.csv:2:1",
            "fix review of unknown finding \"BRK-9\"",
        ),
        ("fix-review.csv:3:7", "unknown status \"Fixed\""),
        (
            "BRK-4.md:2:12",
            "front matter severity of BRK-4 disagrees with findings.csv",
        ),
        (
            "BRK-4.md:7:5",
            "image path \"../../../../etc/passwd.png\" leaves the audit folder",
        ),
        ("BRK-4.md:9:1", "unknown section \"Mitigation\""),
        ("summary.md:1:1", "unknown section file \"summary.md\""),
        ("10-extra.md:1:1", "appendix 10-extra.md has no title"),
    ];
    for (place, message) in expected {
        assert_diagnostic(&err, place, message);
    }
    assert!(err.contains("did you mean \"High\"?"), "{err}");
    assert!(err.contains("did you mean \"Data Validation\"?"), "{err}");
    assert_eq!(fs::read(&pdf).unwrap(), b"%PDF previous build");
}

#[test]
fn hostile_text_is_printed_verbatim_and_never_evaluated() {
    let (_tmp, dir) = workspace(&fixture("hostile"));
    let pdf = dir.parent().unwrap().join("hostile.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = pdf_text(&pdf);
    for needle in [
        r#"Hostile #read("/etc/passwd")"#,
        r#"Title #read("/etc/passwd") ] $x$ <lbl> @ref back\slash"#,
        // The body is Markdown prose: its quotes print as typographic
        // quotes (issue 35), everything else as typed.
        "Body #read(\u{201C}/etc/passwd\u{201D}) and ] and $x$ and <lbl> and @ref and back\\slash end.",
        r#"#eval("1+1") #set text(red) // comment"#,
        r#"#import "/report.typ""#,
        "#include \u{201C}/style.typ\u{201D} and /* not a comment */",
        "Example ] Security $x$",
    ] {
        assert!(
            text.contains(needle),
            "missing verbatim {needle:?} in:\n{text}"
        );
    }
    assert!(!text.contains("root:x:0"), "a file was read");
    let target = r#"src/#read("/etc/passwd")/]$x$<lbl>@ref\path.c"#;
    assert!(squash(&text).contains(target), "target not verbatim");
}

#[test]
fn rebuilding_gives_identical_bytes() {
    let (_tmp, dir) = workspace(&example());
    let a = dir.parent().unwrap().join("a.pdf");
    let b = dir.parent().unwrap().join("b.pdf");
    for pdf in [&a, &b] {
        let out = build_to(&dir, pdf, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    assert!(
        fs::read(&a).unwrap() == fs::read(&b).unwrap(),
        "rebuild differs"
    );
}

#[test]
fn the_pdf_date_comes_from_the_report_or_source_date_epoch() {
    let (_tmp, dir) = workspace(&example());
    let pdf = dir.parent().unwrap().join("r.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(pdf_info(&pdf).contains("2026-03-20"), "{}", pdf_info(&pdf));
    let out = run_env(
        &[
            "build".as_ref(),
            dir.as_os_str(),
            "-o".as_ref(),
            pdf.as_os_str(),
        ],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(pdf_info(&pdf).contains("2023-11-14"), "{}", pdf_info(&pdf));
    let out = run_env(
        &["check".as_ref(), dir.as_os_str()],
        &[("SOURCE_DATE_EPOCH", "soon")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("SOURCE_DATE_EPOCH=\"soon\""));
}

#[test]
fn a_missing_folder_is_an_io_error() {
    let out = run(&["build".as_ref(), "no/such/folder".as_ref()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read audit folder no/such/folder"));
}

#[test]
fn output_with_several_folders_is_a_usage_error() {
    let out = run(&["build", "a", "b", "-o", "x.pdf"].map(AsRef::as_ref));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot be used with several folders"));
}

#[test]
fn utf16_and_latin1_files_are_refused_with_how_to_resave() {
    let (_tmp, dir) = workspace(&example());
    let utf16: Vec<u8> = "\u{feff}id,status\n"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    fs::write(dir.join("fix-review.csv"), utf16).unwrap();
    fs::write(dir.join("acknowledgements.csv"), b"name\nJos\xe9\n").unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(&err, "fix-review.csv:1:1", "file is UTF-16, not UTF-8");
    assert_diagnostic(
        &err,
        "acknowledgements.csv:1:1",
        "file is not UTF-8 (byte 0xE9 on line 2)",
    );
    assert!(err.contains("re-save it as UTF-8"), "{err}");
}

#[test]
fn a_bom_crlf_and_loose_column_names_are_accepted() {
    let (_tmp, dir) = workspace(&example());
    let csv = "\u{feff}Category , RATING,Summary\r\nArithmetic,strong,Fine.\r\n";
    fs::write(dir.join("maturity.csv"), csv).unwrap();
    assert_eq!(view_json(&dir)["maturity"][0]["rating"], "Strong");
}

#[test]
fn check_validates_without_writing_anything() {
    let (_tmp, dir) = workspace(&example());
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("ok (10 findings)"));
    let pdfs = fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "pdf")
        })
        .count();
    assert_eq!(pdfs, 0);
}

#[test]
fn a_template_error_is_reported_at_its_place_like_data_errors() {
    let (tmp, dir) = workspace(&example());
    let templates = tmp.path().join("brand");
    fs::create_dir(&templates).unwrap();
    fs::write(
        templates.join("cover.typ"),
        "#let cover(data) = {\n  data.report.no_such_field\n}\n",
    )
    .unwrap();
    let pdf = tmp.path().join("r.pdf");
    let out = build_to(&dir, &pdf, &["--templates", templates.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "cover.typ:2:15",
        "dictionary does not contain key \"no_such_field\"",
    );
    assert!(!pdf.exists());
}

#[test]
fn a_template_file_with_a_backslash_in_its_name_is_refused_not_an_internal_error() {
    // typst refuses a backslash in a path; the build used to panic making
    // the file's path ("internal error ... a bug in auditpress").
    let (tmp, dir) = workspace(&example());
    let templates = tmp.path().join("brand");
    fs::create_dir(&templates).unwrap();
    fs::write(templates.join("parts\\cover.typ"), "#let x = 1\n").unwrap();
    let pdf = tmp.path().join("r.pdf");
    let out = build_to(&dir, &pdf, &["--templates", templates.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("parts\\cover.typ has a backslash in its name"),
        "{err}"
    );
    assert!(err.contains("hint: rename the file"), "{err}");
    assert!(!err.contains("internal error"), "{err}");
    assert!(!pdf.exists());
}

#[test]
fn a_house_style_that_is_neither_built_in_nor_a_folder_is_an_error_at_its_key() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        format!("style = \"nordic\"\n{toml}"),
    )
    .unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        "audit.toml:1:9",
        "house style \"nordic\" is neither built in nor a folder",
    );
    assert!(
        err.contains("the built-in styles are standard, risk, smart-contract, pentest"),
        "{err}"
    );
    fs::write(
        dir.join("audit.toml"),
        format!("style = \"standard\"\n{toml}"),
    )
    .unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

#[test]
fn diagnostics_come_in_file_and_line_order_and_end_with_a_count() {
    // One file's errors came as lines 5 then 4, audit.toml's as 8, 5, 2,
    // and nothing said how many there were (issue 37, item 9).
    let out = run(&[
        "check".as_ref(),
        "--no-spell".as_ref(),
        "--diagnostic-format".as_ref(),
        "short".as_ref(),
        fixture("mistakes").as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    // file:line:column of each located diagnostic, in the order printed.
    let places: Vec<(String, usize, usize)> = lines
        .iter()
        .filter_map(|l| {
            let (file, rest) = l
                .split_once(".csv:")
                .map_or_else(
                    || l.split_once(".md:").map(|(f, r)| (format!("{f}.md"), r)),
                    |(f, r)| Some((format!("{f}.csv"), r)),
                )
                .or_else(|| {
                    l.split_once(".toml:")
                        .map(|(f, r)| (format!("{f}.toml"), r))
                })?;
            let mut numbers = rest.splitn(3, ':');
            let line = numbers.next()?.parse().ok()?;
            let column = numbers.next()?.parse().ok()?;
            Some((file, line, column))
        })
        .collect();
    assert!(places.len() > 10, "{err}");
    let mut files: Vec<&str> = Vec::new();
    for pair in places.windows(2) {
        let ((a, la, ca), (b, lb, cb)) = (&pair[0], &pair[1]);
        if a == b {
            assert!(
                (la, ca) <= (lb, cb),
                "{a}:{la}:{ca} before {b}:{lb}:{cb}\n{err}"
            );
        } else {
            assert!(
                !files.contains(&b.as_str()),
                "{b} comes back after {a}\n{err}"
            );
            files.push(a);
        }
    }
    let errors = lines.iter().filter(|l| l.contains(": error: ")).count();
    let warnings = lines.iter().filter(|l| l.contains(": warning: ")).count();
    assert!(errors > 1 && warnings > 1, "{err}");
    assert_eq!(
        lines.last().copied(),
        Some(
            format!(
                "error: could not check `{}` due to {errors} previous errors; {warnings} warnings emitted",
                fixture("mistakes").display()
            )
            .as_str()
        ),
        "{err}"
    );
    // Quiet: errors only, and a count of them alone.
    let out = run(&[
        "check".as_ref(),
        "-q".as_ref(),
        "--diagnostic-format".as_ref(),
        "short".as_ref(),
        fixture("mistakes").as_os_str(),
    ]);
    let quiet = stderr(&out);
    assert!(!quiet.contains("warning"), "{quiet}");
    assert!(
        quiet.ends_with(&format!("due to {errors} previous errors\n")),
        "{quiet}"
    );
}

/// Every diagnostic of the `mistakes` fixture, rendered for people and for
/// tools, compared in full with `tests/snapshots/`: one diagnostic more,
/// fewer or moved fails. After an intended change, regenerate them with
/// `UPDATE_SNAPSHOTS=1 cargo test --test cli mistakes_snapshot`.
#[test]
fn mistakes_snapshot_of_every_diagnostic_human_and_json() {
    for (format, name) in [
        ("human", "mistakes.human.txt"),
        ("json", "mistakes.json.txt"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_auditpress"))
            .current_dir(root())
            .args([
                "check",
                "--no-spell",
                "--diagnostic-format",
                format,
                "tests/fixtures/mistakes",
            ])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let got = String::from_utf8(out.stderr).unwrap();
        let path = root().join("tests/snapshots").join(name);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            fs::write(&path, &got).unwrap();
        }
        let want = fs::read_to_string(&path).unwrap();
        assert!(
            got == want,
            "{name} differs from the snapshot; diff with:\n--- want\n{want}\n--- got\n{got}"
        );
    }
}

/// The record of a build lists the document it wrote: its format, its
/// path, its pages and the SHA-256 of the bytes on disk.
#[test]
fn the_record_of_a_build_lists_the_pdf_with_its_pages_and_hash() {
    use auditpress::pipeline::{self, Job, Options};
    use auditpress::render::Deliverable;
    let tmp = tempfile::tempdir().unwrap();
    let pdf = tmp.path().join("report.pdf");
    let job = Job::folder(&example(), Some(&pdf));
    let claims = auditpress::naming::OutputClaims::default();
    let built = pipeline::compile(&job, &Options::default(), &claims, &mut |_| {});
    let messages: Vec<&str> = built
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(built.errors(), 0, "{messages:?}");
    assert_eq!(built.outputs.len(), 1);
    let written = &built.outputs[0];
    assert_eq!(written.format, Deliverable::Pdf);
    assert_eq!(written.path, pdf);
    let npages = std::process::Command::new("qpdf")
        .arg("--show-npages")
        .arg(&pdf)
        .output()
        .expect("qpdf runs");
    let npages: usize = String::from_utf8_lossy(&npages.stdout)
        .trim()
        .parse()
        .unwrap();
    assert_eq!(written.pages, Some(npages));
    let sum = std::process::Command::new("sha256sum")
        .arg(&pdf)
        .output()
        .expect("sha256sum runs");
    let sum = String::from_utf8_lossy(&sum.stdout);
    assert_eq!(written.sha256, sum.split_whitespace().next().unwrap());
}

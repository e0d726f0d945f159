//! `auditpress export`: the findings for other tools, as the report numbers them.

use std::fs;

use crate::common::*;

#[test]
fn the_json_export_of_the_curl_sample_holds_what_the_pdf_says() {
    let dir = fixture("curl-2022");
    let doc: serde_json::Value = serde_json::from_str(&export(&dir, "json")).unwrap();
    assert_eq!(doc["version"], 1);
    let findings = doc["findings"].as_array().unwrap();
    let (_tmp, copy) = workspace(&dir);
    let pdf = build_ok(&copy, "curl", &[]);
    let text = squash(&pdf_text(&pdf));
    assert_eq!(findings.len(), 14);
    for (i, f) in findings.iter().enumerate() {
        assert_eq!(f["number"], i + 1);
        for key in ["id", "title", "severity", "status"] {
            let value = f[key].as_str().unwrap_or_else(|| panic!("{key} of {f}"));
            assert!(
                text.contains(&squash(value)),
                "{key} {value:?} is not in the PDF"
            );
        }
    }
    let cookie = findings.iter().find(|f| f["id"] == "TOB-CURL-7").unwrap();
    assert!(
        cookie["description"].as_str().unwrap().contains("```"),
        "{cookie}"
    );
}

#[test]
fn the_sarif_export_has_one_result_per_location_with_stable_fingerprints() {
    let (_tmp, dir) = workspace(&example());
    let text = export(&dir, "sarif");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "auditpress");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(rules.len(), 10);
    let first: Vec<_> = results
        .iter()
        .filter(|r| r["ruleId"] == "NWS-LUMEN-1")
        .collect();
    assert_eq!(first.len(), 1);
    let location = &first[0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"]["uri"],
        "internal/manifest/paths.go"
    );
    assert_eq!(location["artifactLocation"]["uriBaseId"], "lumen-agent");
    assert_eq!(location["region"]["startLine"], 41);
    assert_eq!(location["region"]["endLine"], 58);
    assert_eq!(first[0]["level"], "error");
    assert!(
        rules[0]["helpUri"]
            .as_str()
            .unwrap()
            .starts_with("https://github.com/lumen-project/lumen-agent/blob/")
    );
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(
            r["partialFingerprints"]["auditpressFinding/v1"]
                .as_str()
                .unwrap()
                .len()
                == 16
        );
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
    }
    // Editing prose changes no fingerprint; the same export twice is the same bytes.
    let md = dir.join("findings/NWS-LUMEN-1.md");
    let body = fs::read_to_string(&md).unwrap();
    fs::write(
        &md,
        body.replace("The agent runs as root", "The agent often runs as root"),
    )
    .unwrap();
    let again: serde_json::Value = serde_json::from_str(&export(&dir, "sarif")).unwrap();
    let prints = |d: &serde_json::Value| -> Vec<String> {
        d["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].to_string())
            .collect()
    };
    assert_eq!(prints(&doc), prints(&again));
}

#[test]
fn the_csv_and_markdown_exports_read_back() {
    let dir = example();
    let csv = export(&dir, "csv");
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("number,id,title,severity,difficulty,type,status,targets"));
    // Every row has as many cells as the header, quoted prose and all.
    let (records, errors) = auditpress::load::fuzz::csv_cells(&csv);
    assert!(errors == 0);
    assert_eq!(records.len(), 11);
    assert!(records.iter().all(|r| r.len() == records[0].len()));
    assert_eq!(records[1][1], "NWS-LUMEN-1");
    assert!(records[1][9].contains("filepath.Join"));

    let md = export(&dir, "markdown");
    assert!(md.starts_with("# Lumen Security Assessment: findings"));
    assert!(md.contains("## 1. Manifest paths can escape the secrets directory"));
    assert!(md.contains("| NWS-LUMEN-1 | High | Low | Data Validation | Resolved |"));
    assert_eq!(md.matches("\n## ").count(), 10);
}

#[test]
fn export_refuses_what_build_refuses_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out_file = tmp.path().join("findings.json");
    let dir = fixture("mistakes");
    let out = run(&[
        "export".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "-o".as_ref(),
        out_file.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_diagnostic(
        &stderr(&out),
        "findings.csv:2:13",
        "unknown severity \"Hgh\"",
    );
    assert!(!out_file.exists());
}

#[test]
fn the_sarif_export_is_valid_against_the_sarif_2_1_0_schemas() {
    let schema = |name: &str| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(root().join("tests/schemas").join(name)).unwrap())
            .unwrap()
    };
    // The OASIS Standard's schema, and the committee specification's (rtm.5).
    let validators = [
        jsonschema::draft7::new(&schema("sarif-schema-2.1.0.json")).expect("the schema compiles"),
        jsonschema::draft4::new(&schema("sarif-2.1.0-rtm.5.json")).expect("the schema compiles"),
    ];
    // The schemas do catch a broken log: a level SARIF does not know.
    let mut broken: serde_json::Value = serde_json::from_str(&export(&example(), "sarif")).unwrap();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    for validator in &validators {
        assert!(!validator.is_valid(&broken));
    }
    // A folder with CVSS vectors, fix statuses and findings without a location too.
    let (_tmp, scored) = workspace(&fixture("fixreview"));
    let csv = fs::read_to_string(scored.join("findings.csv")).unwrap();
    fs::write(
        scored.join("findings.csv"),
        csv.replace(
            "id,title,severity,difficulty,type",
            "id,title,severity,difficulty,type,cvss,target",
        )
        .replace(
            "Authentication\n",
            "Authentication,CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N,fw/admin.c#10–12\n",
        )
        .replace("Error Reporting\n", "Error Reporting,,\n")
        .replace("Patching\n", "Patching,,Various locations\n")
        .replace("Auditing and Logging\n", "Auditing and Logging,,\n"),
    )
    .unwrap();
    // The risk style's severities map to SARIF levels too.
    for dir in [example(), fixture("curl-2022"), scored, fixture("risk")] {
        let doc: serde_json::Value = serde_json::from_str(&export(&dir, "sarif")).unwrap();
        for validator in &validators {
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{e} at {}", e.instance_path))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", dir.display());
        }
    }
}

#[test]
fn a_csv_cell_that_would_be_a_formula_is_text_in_a_spreadsheet_unless_raw_is_asked_for() {
    // CWE-1236: a title imported from an issue, opened by the client in a spreadsheet.
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let hostile = csv
        .replacen(
            "Default admin password",
            "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
            1,
        )
        .replacen("Verbose error pages", "+cmd", 1)
        .replacen("Outdated TLS library", "@SUM(A1)", 1)
        .replacen("Unclear log retention", "-2+3", 1);
    fs::write(dir.join("findings.csv"), hostile).unwrap();
    let out = export(&dir, "csv");
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert!(
        rows[0].starts_with("1,ACME-1,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","),
        "{}",
        rows[0]
    );
    assert!(rows[1].starts_with("2,ACME-2,'+cmd,"), "{}", rows[1]);
    assert!(rows[2].starts_with("3,ACME-3,'@SUM(A1),"), "{}", rows[2]);
    assert!(rows[3].starts_with("4,ACME-4,'-2+3,"), "{}", rows[3]);
    // No cell of the guarded file starts as a formula.
    for row in &rows {
        for cell in row.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '@']), "{cell} in {row}");
        }
    }
    let raw = export(&dir, "csv-raw");
    assert!(raw.contains("\n2,ACME-2,+cmd,"), "{raw}");
}

//! A newcomer's paper cuts (issue 37): what a new user meets on the first
//! day, each small enough to be overlooked and each costing trust.

use std::ffi::OsStr;
use std::fs;

use crate::common::*;

/// The PDF name the example gets by default.
const EXAMPLE_PDF: &str = "lumen-security-assessment-v2.0.pdf";

#[test]
fn dash_o_with_a_folder_writes_the_report_into_it_and_makes_missing_folders() {
    let (tmp, dir) = workspace(&example());
    let build = |o: &OsStr| run(&["build".as_ref(), dir.as_os_str(), "-o".as_ref(), o]);

    // A folder that exists: the default name inside it.
    let existing = tmp.path().join("out");
    fs::create_dir(&existing).unwrap();
    let out = build(existing.as_os_str());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(existing.join(EXAMPLE_PDF).is_file(), "{}", stderr(&out));

    // A path ending in `/` names a folder, made when missing (as batch does).
    let slash = format!("{}/", tmp.path().join("fresh").display());
    let out = build(slash.as_ref());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(tmp.path().join("fresh").join(EXAMPLE_PDF).is_file());

    // A file in a folder that does not exist yet: the folder is made.
    let nested = tmp.path().join("nodir").join("x.pdf");
    let out = build(nested.as_os_str());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(nested.is_file());

    // A folder that cannot be made: the error names it, never a temporary file.
    fs::write(tmp.path().join("afile"), "").unwrap();
    let blocked = tmp.path().join("afile").join("x.pdf");
    let out = build(blocked.as_os_str());
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("afile"), "{err}");
    assert!(err.contains("not a folder"), "{err}");
    assert!(!err.contains(".auditpress-"), "{err}");
}

#[test]
fn one_mistyped_csv_severity_gives_one_error_not_a_disagreement_too() {
    let (_tmp, dir) = workspace(&example());
    edit(
        &dir,
        "findings.csv",
        "Manifest paths can escape the secrets directory,High,",
        "Manifest paths can escape the secrets directory,Hgh,",
    );
    edit(
        &dir,
        "findings/NWS-LUMEN-1.md",
        "## Description",
        "+++\nseverity = \"High\"\n+++\n## Description",
    );
    let errors = error_lines(&dir);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("findings.csv:2:"), "{errors:#?}");
    assert!(errors[0].contains("Hgh"), "{errors:#?}");
}

/// Asserts a short diagnostic at `file:line:col` whose line holds `message`.
fn assert_at(diagnostics: &str, place: &str, message: &str) {
    assert!(
        diagnostics
            .lines()
            .any(|l| l.contains(&format!("{place}: ")) && l.contains(message)),
        "no {message:?} at {place} in:\n{diagnostics}"
    );
}

#[test]
fn every_front_matter_mistake_is_pointed_at_its_own_line_and_column() {
    let (_tmp, dir) = workspace(&example());
    fs::write(
        dir.join("findings/NWS-LUMEN-99.md"),
        "+++\n\
         title = \"Tokens leak\"\n\
         severity = \"Hgh\"\n\
         difficulty = \"Lw\"\n\
         type = \"Bogus\"\n\
         status = \"Fixd\"\n\
         review = \"redy\"\n\
         cvss = \"CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"\n\
         target = \"a\u{202E}b\"\n\
         sevrity = \"High\"\n\
         +++\n\
         ## Description\n\nText.\n",
    )
    .unwrap();
    let d = short_diagnostics(&dir);
    let f = "findings/NWS-LUMEN-99.md";
    assert_at(&d, &format!("{f}:3:12"), "unknown severity \"Hgh\"");
    assert_at(&d, &format!("{f}:4:14"), "unknown difficulty \"Lw\"");
    assert_at(&d, &format!("{f}:5:8"), "unknown finding type \"Bogus\"");
    assert_at(&d, &format!("{f}:6:10"), "unknown status \"Fixd\"");
    assert_at(&d, &format!("{f}:7:10"), "unknown review state \"redy\"");
    // The vector's value, not 4 columns early on `s = "`.
    assert_at(
        &d,
        &format!("{f}:8:8"),
        "invalid value \"Q\" for CVSS metric AV",
    );
    assert_at(&d, &format!("{f}:9:10"), "U+202E");
    assert_at(
        &d,
        &format!("{f}:10:1"),
        "unknown front matter key `sevrity`",
    );

    // A style's fields, a TOML mistake and a wrong id, in the pentest style.
    let (_tmp, dir) = example_folder("pentest");
    fs::write(
        dir.join("findings/EX-PT-26-97.md"),
        "+++\ntitle = \"T\"\nseverity = \"High\"\ncwe = \"CWE-x\"\ncomponent = true\n+++\n## Summary and Impact\n\nText.\n\n## Solution Advice\n\nFix.\n",
    )
    .unwrap();
    fs::write(
        dir.join("findings/EX-PT-26-98.md"),
        "+++\ntitle = \"T\"\nseverity = High\n+++\nText.\n",
    )
    .unwrap();
    fs::write(
        dir.join("findings/EX-PT-26-99.md"),
        "+++\ntitle = \"T\"\nid = \"EX-PT-26-9\"\n+++\nText.\n",
    )
    .unwrap();
    let d = short_diagnostics(&dir);
    assert_at(
        &d,
        "findings/EX-PT-26-97.md:4:7",
        "\"CWE-x\" is not a CWE id",
    );
    assert_at(
        &d,
        "findings/EX-PT-26-97.md:5:13",
        "`component` must be a string",
    );
    assert_at(&d, "findings/EX-PT-26-98.md:3:12", "invalid front matter");
    assert_at(
        &d,
        "findings/EX-PT-26-99.md:3:6",
        "differs from the file name",
    );
}

#[test]
fn changes_since_a_folder_of_the_same_version_is_warned_at_the_version() {
    let (tmp, dir) = workspace(&example());
    let earlier = tmp.path().join("earlier");
    copy_dir(&dir, &earlier);
    let pdf = tmp.path().join("r.pdf");
    let out = build_to(&dir, &pdf, &["--changes-since", earlier.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        "audit.toml:4:11",
        "has the same version 2.0 as this report",
    );

    // A real earlier version: no warning.
    edit(
        &earlier,
        "audit.toml",
        "version = \"2.0\"",
        "version = \"1.0\"",
    );
    let out = build_to(&dir, &pdf, &["--changes-since", earlier.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("same version"), "{}", stderr(&out));
}

#[test]
fn diff_of_two_identical_folders_says_there_are_no_changes() {
    let (tmp, dir) = workspace(&example());
    let same = tmp.path().join("same");
    copy_dir(&dir, &same);
    let out = run(&["diff".as_ref(), dir.as_os_str(), same.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        out.stdout.is_empty(),
        "standard output stays the list of changes"
    );
    assert!(
        stderr(&out).contains("no changes between version 2.0"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pdf_standard_takes_a_comma_list_as_typst_does() {
    let (tmp, dir) = workspace(&example());
    let pdf = tmp.path().join("archival.pdf");
    let out = build_to(&dir, &pdf, &["--pdf-standard", "a-2b,ua-1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let xmp = String::from_utf8_lossy(&fs::read(&pdf).unwrap()).into_owned();
    assert!(xmp.contains("<pdfaid:part>2<"), "PDF/A-2 is claimed");
    assert!(xmp.contains("<pdfuaid:part>1<"), "PDF/UA-1 is claimed");
}

#[test]
fn watch_says_built_for_its_first_build_and_rebuilt_after_an_edit() {
    let (tmp, dir) = workspace(&example());
    let pdf = tmp.path().join("watched.pdf");
    let (mut child, lines) = spawn(&[
        "watch".as_ref(),
        dir.as_os_str(),
        "-o".as_ref(),
        pdf.as_os_str(),
    ]);
    let mut seen = Vec::new();
    wait_for(&lines, " in ", &mut seen);
    let first = seen.last().unwrap().clone();
    if !first.starts_with("built in ") {
        // Stop the watcher before failing, or it outlives the test.
        child.kill().unwrap();
        child.wait().unwrap();
        panic!("the first build is not a rebuild:\n{}", seen.join("\n"));
    }
    edit(&dir, "audit.toml", "version = \"2.0\"", "version = \"2.1\"");
    wait_for(&lines, "rebuilt in ", &mut seen);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn new_finding_in_a_folder_with_severity_letter_ids_takes_that_form_and_final_refuses_draft_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("harbor");
    let out = run(&[
        "init".as_ref(),
        dir.as_os_str(),
        "--style".as_ref(),
        "smart-contract".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The example's ids are H-1, M-1, M-2, L-1, ...: a Low write-up is L-2.
    let new = |from: &str, sets: &[&str]| {
        let mut args: Vec<&OsStr> = vec![
            "new".as_ref(),
            "finding".as_ref(),
            "--in".as_ref(),
            dir.as_os_str(),
            "--from".as_ref(),
            from.as_ref(),
        ];
        for set in sets {
            args.push("--set".as_ref());
            args.push(set.as_ref());
        }
        run(&args)
    };
    let out = new(
        "missing-event",
        &[
            "function=setFee",
            "what=the fee",
            "target=harbor-vaults/src/Fee.sol#30",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join("findings/L-2.md").is_file(), "{}", stderr(&out));
    assert!(!dir.join("findings/DRAFT-1.md").exists());
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    assert!(csv.lines().any(|l| l.starts_with("L-2,")), "{csv}");

    // A write-up whose severity the matrix gives later: no letter to take,
    // so a draft id, which a final report refuses.
    let out = new(
        "unchecked-transfer",
        &[
            "call=token.transfer",
            "target=harbor-vaults/src/Vault.sol#70",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        dir.join("findings/DRAFT-1.md").is_file(),
        "{}",
        stderr(&out)
    );
    let out = run(&["check".as_ref(), dir.as_os_str(), "--final".as_ref()]);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("finding DRAFT-1 has a draft id: the report is not final"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn one_wrong_front_matter_value_is_one_error_not_a_finding_without_a_title() {
    let (_tmp, dir) = workspace(&example());
    fs::write(
        dir.join("findings/NWS-LUMEN-99.md"),
        "+++\ntitle = \"Tokens leak\"\nseverity = \"High\"\nsarif = [1]\n+++\n## Description\n\nText.\n",
    )
    .unwrap();
    let errors: Vec<String> = error_lines(&dir)
        .into_iter()
        .filter(|l| l.contains("NWS-LUMEN-99.md"))
        .filter(|l| !l.contains("fix review status"))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("NWS-LUMEN-99.md:4:10: error: invalid front matter"),
        "{errors:#?}"
    );
}

#[test]
fn export_to_a_missing_folder_names_the_file_not_a_temporary_one() {
    let (tmp, dir) = workspace(&example());
    let target = tmp.path().join("nodir").join("x.json");
    let out = run(&[
        "export".as_ref(),
        dir.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "-o".as_ref(),
        target.as_os_str(),
    ]);
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("cannot write {}", target.display())),
        "{err}"
    );
    assert!(!err.contains(".auditpress-"), "{err}");
}

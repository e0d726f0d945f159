//! Tests of the second delivery: the fix review appendix and its validations,
//! `diff` between two versions of a folder, and the changes appendix.

use std::fs;
use std::path::Path;

use crate::common::*;

fn build_pdf(dir: &Path, extra: &[&str]) -> (std::process::Output, std::path::PathBuf) {
    let pdf = dir.parent().unwrap().join("out.pdf");
    (build_to(dir, &pdf, extra), pdf)
}

fn write_statuses(dir: &Path, statuses: [&str; 4]) {
    let rows: String = statuses
        .iter()
        .enumerate()
        .map(|(i, s)| format!("ACME-{},{s},,\n", i + 1))
        .collect();
    fs::write(
        dir.join("fix-review.csv"),
        format!("id,status,refs,note\n{rows}"),
    )
    .unwrap();
}

#[test]
fn the_fix_review_sentence_counts_each_mix_in_words() {
    let cases = [
        (
            ["Resolved"; 4],
            "Of the 4 issues described in this report, Acme has resolved four issues.",
        ),
        (
            ["Unresolved"; 4],
            "Of the 4 issues described in this report, Acme has not resolved four issues.",
        ),
        (
            [
                "Resolved",
                "Partially Resolved",
                "Unresolved",
                "Undetermined",
            ],
            "Of the 4 issues described in this report, Acme has resolved one issue, has partially \
             resolved one issue, and has not resolved one issue. The fix status of the remaining \
             one issue was not determined.",
        ),
        (
            ["Resolved", "Resolved", "Resolved", "Unresolved"],
            "Of the 4 issues described in this report, Acme has resolved three issues and has not \
             resolved the remaining one issue.",
        ),
    ];
    for (statuses, sentence) in cases {
        let (_tmp, dir) = workspace(&fixture("fixreview"));
        write_statuses(&dir, statuses);
        let (out, pdf) = build_pdf(&dir, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = squash(&pdf_text(&pdf));
        let appendix = &text[text.find("FixReviewResults").unwrap()..];
        assert!(
            appendix.contains(&squash(sentence)),
            "{statuses:?}: {sentence:?} missing"
        );
    }
}

#[test]
fn the_fix_review_appendix_links_references_and_quotes_the_client() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let (out, pdf) = build_pdf(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = pdf_text(&pdf);
    assert!(text.contains("reviewed the fixes and mitigations"));
    assert!(text.contains("We will remove the codes in the next release. (Acme)"));
    let json = qpdf_json(&pdf).to_string();
    assert!(
        json.contains("https://github.com/acme/router/pull/41"),
        "PR not linked"
    );
    assert!(
        json.contains("https://github.com/acme/router/commit/9f8e7d6c"),
        "commit not linked"
    );
}

#[test]
fn a_finding_without_a_status_after_a_fix_review_is_an_error_at_its_row() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    fs::write(
        dir.join("fix-review.csv"),
        "id,status\nACME-1,Resolved\nACME-2,Resolved\n",
    )
    .unwrap();
    let (out, pdf) = build_pdf(&dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "findings.csv:4:1",
        "finding ACME-3 has no fix review status",
    );
    assert_diagnostic(
        &err,
        "findings.csv:5:1",
        "finding ACME-4 has no fix review status",
    );
    assert!(!pdf.exists());
}

#[test]
fn a_status_given_twice_must_agree() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let csv = csv
        .replace(
            "id,title,severity,difficulty,type\n",
            "id,title,severity,difficulty,type,status\n",
        )
        .replace("Authentication\n", "Authentication,Unresolved\n")
        .replace("Error Reporting\n", "Error Reporting,Partially Resolved\n");
    fs::write(dir.join("findings.csv"), csv).unwrap();
    let (out, _) = build_pdf(&dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "fix-review.csv:2:8",
        "status of ACME-1 in fix-review.csv disagrees with findings.csv",
    );
    assert!(err.contains("findings.csv says Unresolved"), "{err}");
    assert!(!err.contains("ACME-2 in fix-review.csv disagrees"), "{err}");
}

#[test]
fn a_review_of_an_unknown_finding_is_an_error() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let csv = fs::read_to_string(dir.join("fix-review.csv")).unwrap() + "ACME-12,Resolved,,\n";
    fs::write(dir.join("fix-review.csv"), csv).unwrap();
    let (out, _) = build_pdf(&dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "fix-review.csv:8:1",
        "fix review of unknown finding \"ACME-12\"",
    );
    assert!(err.contains("did you mean \"ACME-1\"?"), "{err}");
}

#[test]
fn a_fix_review_before_the_end_of_the_engagement_is_an_error() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        toml.replace("date = 2024-09-20", "date = 2024-08-10"),
    )
    .unwrap();
    let (out, _) = build_pdf(&dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "audit.toml:19:8",
        "fix review date 2024-08-10 is before the end of the engagement (2024-08-14)",
    );
}

/// Makes a second version of the example with one change of every kind.
pub(crate) fn second_version(old: &Path, new: &Path) {
    copy_dir(old, new);
    let edit = |file: &str, from: &str, to: &str| {
        let path = new.join(file);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{file} lacks {from:?}");
        fs::write(&path, text.replace(from, to)).unwrap();
    };
    edit("audit.toml", "version = \"2.0\"", "version = \"3.0\"");
    edit(
        "findings.csv",
        "NWS-LUMEN-4,Agent accepts TLS 1.0 connections,Medium,High,Configuration",
        "NWS-LUMEN-4,Agent accepts TLS 1.0 and 1.1 connections,High,Medium,Cryptography",
    );
    edit(
        "fix-review.csv",
        "NWS-LUMEN-9,Unresolved,,",
        "NWS-LUMEN-9,Resolved,,",
    );
    edit(
        "maturity.csv",
        "Testing and Verification,Moderate",
        "Testing and Verification,Satisfactory",
    );
    edit(
        "findings/NWS-LUMEN-1.md",
        "A sync manifest names",
        "A signed sync manifest names",
    );
    edit(
        "findings.csv",
        "NWS-LUMEN-8,No tests",
        "NWS-LUMEN-11,No tests",
    );
    edit("fix-review.csv", "NWS-LUMEN-8,", "NWS-LUMEN-11,");
}

const EXPECTED_CHANGES: &[&str] = &[
    "NWS-LUMEN-8 removed: \"No tests for manifest validation errors\"",
    "NWS-LUMEN-1: text edited in description",
    "NWS-LUMEN-4: title changed from \"Agent accepts TLS 1.0 connections\" to \"Agent accepts TLS 1.0 and 1.1 connections\"",
    "NWS-LUMEN-4: severity changed from Medium to High",
    "NWS-LUMEN-4: difficulty changed from High to Medium",
    "NWS-LUMEN-4: type changed from Configuration to Cryptography",
    "NWS-LUMEN-11 added: \"No tests for manifest validation errors\" (Informational)",
    "NWS-LUMEN-9: status changed from Unresolved to Resolved",
    "maturity of Testing and Verification: Moderate to Satisfactory",
];

#[test]
fn diff_reports_every_kind_of_change_in_both_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("v2"), tmp.path().join("v3"));
    copy_dir(&example(), &old);
    second_version(&old, &new);

    let out = run(&["diff".as_ref(), old.as_os_str(), new.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let human = String::from_utf8(out.stdout).unwrap();
    let mut lines: Vec<&str> = human.lines().collect();
    let mut expected = EXPECTED_CHANGES.to_vec();
    lines.sort();
    expected.sort();
    assert_eq!(lines, expected);

    let out = run(&[
        "diff".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["old"]["version"], "2.0");
    assert_eq!(v["new"]["version"], "3.0");
    let changes = v["changes"].as_array().unwrap();
    assert_eq!(changes.len(), EXPECTED_CHANGES.len());
    let kinds: std::collections::BTreeSet<&str> = changes
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "finding-added",
            "finding-changed",
            "finding-removed",
            "maturity-changed",
            "text-edited"
        ]
    );
    assert!(
        changes
            .iter()
            .any(|c| c["field"] == "status" && c["old"] == "Unresolved" && c["new"] == "Resolved")
    );

    let out = run(&["diff".as_ref(), old.as_os_str(), old.as_os_str()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn the_changes_appendix_lists_what_diff_lists() {
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("v2"), tmp.path().join("v3"));
    copy_dir(&example(), &old);
    second_version(&old, &new);
    let (out, pdf) = build_pdf(&new, &["--changes-since", old.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = squash(&pdf_text(&pdf));
    let appendix = &text[text
        .find("F.Changessinceversion2.0")
        .expect("changes appendix")..];
    for change in EXPECTED_CHANGES {
        assert!(
            appendix.contains(&squash(change)),
            "appendix lacks {change:?}"
        );
    }
}

#[test]
fn editing_only_fix_statuses_changes_only_what_depends_on_them() {
    let (_tmp, dir) = workspace(&example());
    let (_, before) = build_pdf(&dir, &[]);
    let before_text = pdf_text(&before);
    let csv = fs::read_to_string(dir.join("fix-review.csv")).unwrap();
    fs::write(
        dir.join("fix-review.csv"),
        csv.replace("NWS-LUMEN-9,Unresolved,,", "NWS-LUMEN-9,Resolved,,"),
    )
    .unwrap();
    let (out, after) = build_pdf(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let after_text = pdf_text(&after);
    let old_lines: Vec<&str> = before_text.lines().collect();
    let new_lines: Vec<&str> = after_text.lines().collect();
    assert_eq!(old_lines.len(), new_lines.len(), "the layout moved");
    let changed: Vec<(&str, &str)> = old_lines
        .iter()
        .zip(&new_lines)
        .filter(|(a, b)| squash(a) != squash(b))
        .map(|(a, b)| (*a, *b))
        .collect();
    assert!(!changed.is_empty());
    for (a, b) in &changed {
        let about_status =
            |l: &str| l.contains("Resolved") || l.contains("resolved") || l.contains("issue");
        assert!(
            about_status(a) && about_status(b),
            "unexpected change:\n- {a}\n+ {b}"
        );
    }
    // The executive summary, the summary table and the fix review appendix all moved.
    let sentence = "the Lumen team has resolved eight issues, has partially resolved one issue, and has not resolved the remaining one issue.";
    assert_eq!(squash(&after_text).matches(&squash(sentence)).count(), 2);
}

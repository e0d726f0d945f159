//! The writer's workflow (FORMAT 1.2, "Review"): review states, the draft
//! marking of a report that is not final, `--final`, `review approve`.

use std::fs;

use crate::common::*;

#[test]
fn a_ready_finding_marks_the_report_draft_until_it_is_approved() {
    let (_tmp, dir) = workspace(&example());
    let file = dir.join("findings/NWS-LUMEN-1.md");
    let before = fs::read_to_string(&file).unwrap();
    let ready = format!("+++\nreview = \"ready\"\n+++\n{before}");
    fs::write(&file, &ready).unwrap();

    // Not final: DRAFT on every page, and check says where the review is.
    let pdf = build_ok(&dir, "ready", &[]);
    let text = pdf_text(&pdf);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() > 20);
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("DRAFT"),
            "page {} has no draft marking",
            i + 1
        );
    }
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert!(
        stderr(&out).contains("review: 0 draft, 1 ready, 9 approved"),
        "{}",
        stderr(&out)
    );

    // --final refuses it, naming the finding at its review line; nothing written.
    let final_pdf = dir.parent().unwrap().join("final.pdf");
    let out = build_to(&dir, &final_pdf, &["--final"]);
    assert_eq!(out.status.code(), Some(1));
    assert_diagnostic(
        &stderr(&out),
        "findings/NWS-LUMEN-1.md:2:10",
        "finding NWS-LUMEN-1 is ready, not approved",
    );
    assert!(!final_pdf.exists());
    let out = run(&["check".as_ref(), "--final".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));

    // Approved: the file differs only in its review lines; the report is final.
    let out = run(&[
        "review".as_ref(),
        "approve".as_ref(),
        "NWS-LUMEN-1".as_ref(),
        "--by".as_ref(),
        "R. Viewer".as_ref(),
        "--in".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = fs::read_to_string(&file).unwrap();
    assert_eq!(
        after,
        format!("+++\nreview = \"approved\"\nreviewed_by = \"R. Viewer\"\n+++\n{before}")
    );
    let out = build_to(&dir, &final_pdf, &["--final"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_text(&final_pdf);
    assert!(!text.contains("DRAFT"));
}

#[test]
fn review_approve_refuses_an_unknown_id_and_changes_nothing() {
    let (_tmp, dir) = workspace(&example());
    let file = dir.join("findings/NWS-LUMEN-1.md");
    let before = fs::read(&file).unwrap();
    let out = run(&[
        "review".as_ref(),
        "approve".as_ref(),
        "NWS-LUMEN-1".as_ref(),
        "NWS-LUMEN-99".as_ref(),
        "--by".as_ref(),
        "R".as_ref(),
        "--in".as_ref(),
        dir.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no findings/NWS-LUMEN-99.md"));
    assert_eq!(fs::read(&file).unwrap(), before);
    // An unknown state is an error at its value, listing the states.
    let text = String::from_utf8(before).unwrap();
    fs::write(&file, format!("+++\nreview = \"done\"\n+++\n{text}")).unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_diagnostic(
        &stderr(&out),
        "findings/NWS-LUMEN-1.md:2:10",
        "unknown review state \"done\"",
    );
    assert!(stderr(&out).contains("draft, ready, approved"));
    assert_eq!(error_lines(&dir).len(), 1);
}

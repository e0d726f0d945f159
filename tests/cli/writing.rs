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
    assert!(pages.len() > 15);
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
fn review_approve_keeps_the_front_matters_comments_and_refuses_one_never_closed() {
    let (_tmp, dir) = workspace(&example());
    let file = dir.join("findings/NWS-LUMEN-1.md");
    let before = fs::read_to_string(&file).unwrap();
    let approve = || {
        run(&[
            "review".as_ref(),
            "approve".as_ref(),
            "NWS-LUMEN-1".as_ref(),
            "--by".as_ref(),
            "R. Viewer".as_ref(),
            "--in".as_ref(),
            dir.as_os_str(),
        ])
    };
    // The review line's comment, the other comments and the order stay.
    let front = "+++\n# asked by the client\nreview = \"ready\"  # after the retest\n+++\n";
    fs::write(&file, format!("{front}{before}")).unwrap();
    let out = approve();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        format!(
            "+++\n# asked by the client\nreview = \"approved\"  # after the retest\nreviewed_by = \"R. Viewer\"\n+++\n{before}"
        )
    );
    // Front matter that never ends: an error, and the file as it was.
    let broken = format!("+++\nreview = \"ready\"\n{before}");
    fs::write(&file, &broken).unwrap();
    let out = approve();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot approve NWS-LUMEN-1: its front matter is never closed"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), broken);
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

fn new_finding(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&std::ffi::OsStr> = vec!["new".as_ref(), "finding".as_ref()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    all.extend([std::ffi::OsStr::new("--in"), dir.as_os_str()]);
    run(&all)
}

#[test]
fn a_finding_from_the_library_is_checked_until_its_placeholders_are_filled() {
    let (_tmp, dir) = example_folder("smart-contract");
    let out = run(&[
        "library".as_ref(),
        "list".as_ref(),
        "--in".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(list.contains("missing-event\t`{{function}}` changes {{what}} without emitting an event\tLow\tfunction, target, what"), "{list}");

    // An undeclared --set is refused and nothing is written.
    let out = new_finding(&dir, &["--from", "missing-event", "--set", "fn=x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("its placeholders: function, target, what"));
    assert!(!dir.join("findings/L-2.md").exists());

    let out = new_finding(
        &dir,
        &[
            "--from",
            "missing-event",
            "--set",
            "function=setKeeper",
            "--set",
            "what=the keeper",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // The folder's ids are severity initials (H-1, L-1): a Low write-up is L-2.
    let file = dir.join("findings/L-2.md");
    let text = fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("+++\nfrom = \"missing-event\"\nfrom_version = \""),
        "{text}"
    );
    // The values findings.csv has columns for are its new row; the rest of
    // the write-up is the file.
    assert!(!text.contains("title = "), "{text}");
    assert!(text.contains("## Description"), "{text}");
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let row = csv.lines().last().unwrap();
    assert_eq!(
        row,
        "L-2,`setKeeper` changes the keeper without emitting an event,Low,Medium,Low,{{target}},"
    );

    // The one placeholder left is an error at its line and column, with its hint.
    let out = run(&["check".as_ref(), "--no-spell".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let line = csv.lines().count();
    assert_diagnostic(
        &err,
        &format!("findings.csv:{line}:{}", row.find("{{").unwrap() + 1),
        "placeholder {{target}} is not filled in",
    );
    assert!(
        err.contains(
            "hint: give target: the file and lines, e.g. harbor-vaults/src/FeeSplitter.sol#30"
        ),
        "{err}"
    );
    assert_eq!(error_lines(&dir).len(), 1, "{err}");

    // Filled in and approved, the report is final and prints it.
    fs::write(
        &file,
        text.replace("review = \"draft\"", "review = \"approved\""),
    )
    .unwrap();
    fs::write(
        dir.join("findings.csv"),
        csv.replace("{{target}}", "harbor-vaults/src/Vault.sol#20"),
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("filled.pdf");
    let out = build_to(&dir, &pdf, &["--final"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let flat = squash(&pdf_text(&pdf));
    assert!(flat.contains(&squash(
        "setKeeper changes the keeper without emitting an event"
    )));
    assert!(!flat.contains("{{"));
}

#[test]
fn library_diff_shows_a_changed_write_up_for_exactly_the_findings_made_from_it() {
    let (tmp, dir) = example_folder("smart-contract");
    let from = |name: &str, sets: &[&str]| {
        let mut args = vec!["--from", name];
        for s in sets {
            args.extend(["--set", s]);
        }
        let out = new_finding(&dir, &args);
        assert!(out.status.success(), "{}", stderr(&out));
    };
    let event = [
        "function=setFee",
        "what=the fee",
        "target=harbor-vaults/src/Vault.sol#20",
    ];
    from("missing-event", &event);
    from(
        "unchecked-transfer",
        &["call=transfer", "target=harbor-vaults/src/Vault.sol#30"],
    );
    from("missing-event", &event);
    let diff = || {
        let out = run(&[
            "library".as_ref(),
            "diff".as_ref(),
            "--in".as_ref(),
            dir.as_os_str(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    // Nothing changed yet; the findings made from the library load.
    assert_eq!(diff(), "");
    let out = run(&["check".as_ref(), "--no-spell".as_ref(), dir.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));

    let write_up = tmp.path().join("style/library/missing-event.md");
    let text = fs::read_to_string(&write_up).unwrap();
    fs::write(
        &write_up,
        text.replace(
            "Emit an event with the old and the new value in `{{function}}`.",
            "Emit an event with the old and the new value in `{{function}}`,\nand index the value.",
        ),
    )
    .unwrap();
    let shown = diff();
    let heads: Vec<&str> = shown.lines().filter(|l| l.contains("made from")).collect();
    assert_eq!(heads.len(), 1, "{shown}");
    assert!(
        heads[0].starts_with("L-2, L-3: made from write-up missing-event version "),
        "{shown}"
    );
    // unchecked-transfer, unchanged, has no severity of its own: DRAFT-1.
    assert!(!shown.contains("DRAFT-1"), "{shown}");
    assert!(shown.contains("\n-Emit an event with the old and the new value in `{{function}}`.\n+Emit an event with the old and the new value in `{{function}}`,\n+and index the value.\n"), "{shown}");
    assert!(shown.contains("\n@@ -"), "{shown}");
}

#[test]
fn a_write_up_that_breaks_the_house_style_is_an_error_in_the_library() {
    let (tmp, dir) = example_folder("smart-contract");
    let lib = tmp.path().join("style/library");
    fs::write(
        lib.join("broken.md"),
        "+++\ntitle = \"Uses {{thing}}\"\nseverity = \"Severe\"\n\n[placeholders]\nother = \"x\"\n+++\n\n## Exploit Path\n\nText.\n",
    )
    .unwrap();
    let out = run(&["check".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        "library/broken.md:3:12",
        "unknown severity \"Severe\"",
    );
    assert_diagnostic(
        &err,
        "library/broken.md:2:15",
        "placeholder {{thing}} is not declared in this write-up",
    );
    assert_diagnostic(
        &err,
        "library/broken.md:9:1",
        "unknown section \"Exploit Path\" in a write-up",
    );
    assert_eq!(error_lines(&dir).len(), 3, "{err}");
    // An empty finding has the style's sections and asks for its title.
    fs::remove_file(lib.join("broken.md")).unwrap();
    let out = new_finding(&dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(dir.join("findings/DRAFT-1.md")).unwrap();
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .starts_with("DRAFT-1,{{title}},"),
        "{csv}"
    );
    assert_in_order(
        &text,
        &[
            "review = \"draft\"",
            "## Description",
            "## Impact",
            "## Proof of Concept",
            "## Recommended Mitigation",
        ],
    );
}

/// Line and column (1-based, in characters) of the first `needle` in `text`.
fn line_col(text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in text"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    format!("{line}:{col}")
}

#[test]
fn check_reports_the_planted_spelling_and_grammar_mistakes_and_nothing_in_code() {
    let (_tmp, dir) = workspace(&example());
    let file = dir.join("findings/NWS-LUMEN-2.md");
    let mut text = fs::read_to_string(&file).unwrap();
    // Three misspellings and one grammar mistake, among code, ids, paths,
    // identifiers and a URL that must not be reported.
    text.push_str(
        "\nThe agent recieves the name from `teh_handler()` and CamelCaseType, \
         reads 0xdeadbeef from lumen-agent/internal/cachez.go and a::b::cfg, \
         as NWS-LUMEN-1 shows; the Zorblat service relays it. \
         An attacker can can replay it. We beleive this is the only path.\n\
         \n```go\nteh := recieve(beleive) // not prose\n```\n\
         \nSee <https://exmaple.com/teh-page>.\n",
    );
    fs::write(&file, &text).unwrap();
    let check = |extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref(), dir.as_os_str()];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        run(&args)
    };
    let out = check(&[]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let place = |word: &str| format!("findings/NWS-LUMEN-2.md:{}", line_col(&text, word));
    assert_diagnostic(&err, &place("recieves"), "possible misspelling `recieves`");
    assert_diagnostic(&err, &place("Zorblat"), "possible misspelling `Zorblat`");
    assert_diagnostic(
        &err,
        &place("beleive this"),
        "possible misspelling `beleive`",
    );
    assert_diagnostic(&err, &place("can can"), "grammar: ");
    assert!(err.contains("did you mean `receives`"), "{err}");
    // Four warnings, and the closing count of them.
    assert_eq!(count_level(&err, "warning"), 4, "{err}");
    assert!(err.contains("generated 4 warnings"), "{err}");
    assert!(err.contains("4 possible mistakes"), "{err}");

    // --deny warnings makes them errors for CI.
    let out = check(&["--deny", "warnings"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));

    // words.txt accepts the service's name; the other three stay.
    let words = dir.join("words.txt");
    let mut list = fs::read_to_string(&words).unwrap_or_default();
    list.push_str("Zorblat\n");
    fs::write(&words, list).unwrap();
    let err = stderr(&check(&[]));
    assert!(!err.contains("misspelling `Zorblat`"), "{err}");
    assert_eq!(count_level(&err, "warning"), 3, "{err}");

    // A style whose language has no dictionary: one note, no warning.
    let style = dir.parent().unwrap().join("fr");
    fs::create_dir_all(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        "name = \"Français\"\nlang = \"fr\"\nextends = \"standard\"\n",
    )
    .unwrap();
    let out = check(&["--style", &style.display().to_string()]);
    let err = stderr(&out);
    assert_eq!(err.matches("spelling not checked").count(), 1, "{err}");
    assert!(!err.contains("misspelling"), "{err}");
}

#[test]
fn a_sysreptor_and_a_pwndoc_library_import_into_write_ups_that_check_accepts() {
    let (_tmp, dir) = workspace(&example());
    edit(
        &dir,
        "audit.toml",
        "title = ",
        "library = \"library\"\ntitle = ",
    );
    fs::create_dir(dir.join("library")).unwrap();
    let import = |file: &str| {
        run(&[
            "library".as_ref(),
            "import".as_ref(),
            fixture("library-import").join(file).as_os_str(),
            "--in".as_ref(),
            dir.as_os_str(),
        ])
    };
    let out = import("sysreptor.json");
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    // What has no place in the standard style is said, not dropped.
    assert!(
        err.contains("field `impact` has no section in the house style"),
        "{err}"
    );
    assert!(err.contains("tags = [\"web\",\"injection\"]"), "{err}");
    let out = import("pwndoc.json");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("type \"Web Application\" is not a type of the house style"));

    let sql = fs::read_to_string(dir.join("library/sql-injection-in-parameter.md")).unwrap();
    // The summary opens the description; the template's placeholder is declared;
    // its heading is demoted under the section.
    assert!(sql.contains("[placeholders]\nparameter = "), "{sql}");
    assert!(
        sql.contains("## Description\n\nThe application builds SQL queries"),
        "{sql}"
    );
    assert!(sql.contains("\n### Details\n"), "{sql}");
    assert!(
        sql.contains("## References\n\n- https://owasp.org/www-community/attacks/SQL_Injection"),
        "{sql}"
    );
    // PwnDoc's HTML became Markdown, in the English details.
    let xss = fs::read_to_string(dir.join("library/stored-cross-site-scripting-xss.md")).unwrap();
    assert!(
        xss.contains(
            "The `comment` field is stored and later rendered **without** HTML encoding & escaping."
        ),
        "{xss}"
    );
    assert!(xss.contains("## Exploit Scenario\n\nWe stored the following payload:\n\n```\n<script>alert(document.domain)</script>\n```"), "{xss}");
    assert!(xss.contains("- Set a [Content Security Policy](<https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP>)."), "{xss}");

    let out = run(&["check".as_ref(), "--no-spell".as_ref(), dir.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&[
        "library".as_ref(),
        "list".as_ref(),
        "--in".as_ref(),
        dir.as_os_str(),
    ]);
    let list = String::from_utf8(out.stdout).unwrap();
    assert_eq!(list.lines().count(), 3, "{list}");

    // Importing again never overwrites: new names.
    let out = import("pwndoc.json");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        dir.join("library/stored-cross-site-scripting-xss-2.md")
            .exists()
    );
}

#[test]
fn a_bad_library_export_is_an_error_and_writes_nothing() {
    let (tmp, dir) = workspace(&example());
    edit(
        &dir,
        "audit.toml",
        "title = ",
        "library = \"library\"\ntitle = ",
    );
    fs::create_dir(dir.join("library")).unwrap();
    let try_import = |text: &str| {
        let file = tmp.path().join("export.json");
        fs::write(&file, text).unwrap();
        run(&[
            "library".as_ref(),
            "import".as_ref(),
            file.as_os_str(),
            "--in".as_ref(),
            dir.as_os_str(),
        ])
    };
    // Not JSON: the place of the mistake.
    let out = try_import("[{\"translations\": [}]");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("export.json:1:20: not JSON"),
        "{}",
        stderr(&out)
    );
    // The second template has no title: nothing is written, not even the first.
    let out = try_import(
        r#"[{"translations":[{"language":"en-US","is_main":true,"data":{"title":"Fine"}}]},
            {"translations":[{"language":"en-US","is_main":true,"data":{"description":"x"}}]}]"#,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("template 2 has no title; nothing was written"),
        "{}",
        stderr(&out)
    );
    // Neither format.
    let out = try_import("{\"findings\": []}");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("neither a SysReptor template export nor a PwnDoc vulnerability export")
    );
    // Nested a thousand deep: refused by the JSON reader's limit, no crash.
    let out = try_import(&format!("{}{}", "[".repeat(1000), "]".repeat(1000)));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(fs::read_dir(dir.join("library")).unwrap().count(), 0);
}

#[test]
fn polish_plurals_follow_cldr_rules() {
    // A style in Polish: "2 ustalenia" (few) but "5 ustaleń" (many).
    let (tmp, dir) = workspace(&example());
    let style = tmp.path().join("pl");
    fs::create_dir_all(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        "name = \"Polski\"\nlang = \"pl\"\nextends = \"standard\"\n\n[strings]\n\
         \"number.2\" = \"2\"\n\"number.3\" = \"3\"\n\"number.5\" = \"5\"\n\
         \"noun.issue.one\" = \"ustalenie\"\n\"noun.issue.few\" = \"ustalenia\"\n\
         \"noun.issue.many\" = \"ustaleń\"\n\"noun.issue.other\" = \"ustalenia\"\n",
    )
    .unwrap();
    // 2 resolved, 3 partially resolved, 5 unresolved.
    let csv = fs::read_to_string(dir.join("fix-review.csv")).unwrap();
    let statuses = [
        "Resolved",
        "Resolved",
        "Partially Resolved",
        "Partially Resolved",
        "Partially Resolved",
        "Unresolved",
        "Unresolved",
        "Unresolved",
        "Unresolved",
        "Unresolved",
    ];
    let mut rows = vec!["id,status".to_string()];
    for (i, s) in statuses.iter().enumerate() {
        rows.push(format!("NWS-LUMEN-{},{s}", i + 1));
    }
    assert!(csv.starts_with("id,status"));
    fs::write(dir.join("fix-review.csv"), rows.join("\n") + "\n").unwrap();
    let pdf = build_ok(&dir, "pl", &["--style", &style.display().to_string()]);
    let flat = squash(&pdf_text(&pdf));
    assert!(flat.contains(&squash("has resolved 2 ustalenia")), "{flat}");
    assert!(
        flat.contains(&squash("partially resolved 3 ustalenia")),
        "{flat}"
    );
    assert!(
        flat.contains(&squash("has not resolved the remaining 5 ustaleń")),
        "{flat}"
    );
}

/// A Polish house style whose sentences about counts give CLDR's `few`
/// and `many` forms (and `.other`, which Polish uses for fractions only).
fn polish_sentences(dir: &std::path::Path) -> String {
    let style = dir.join("pl");
    fs::create_dir_all(&style).unwrap();
    fs::write(
        style.join("style.toml"),
        "name = \"Polski\"\nlang = \"pl\"\nextends = \"standard\"\n\n[strings]\n\
         \"fix.described.few\" = \"Spośród {total} problemy (few)\"\n\
         \"fix.described.many\" = \"Spośród {total} problemów (many)\"\n\
         \"fix.rest-undetermined.few\" = \" Pozostałe {issues} (few).\"\n\
         \"fix.rest-undetermined.many\" = \" Pozostałych {issues} (many).\"\n\
         \"text.scan-no-level.few\" = \"{count} wyniki bez poziomu (few)\"\n\
         \"text.scan-no-level.many\" = \"{count} wyników bez poziomu (many)\"\n",
    )
    .unwrap();
    style.display().to_string()
}

#[test]
fn counted_sentences_take_the_cldr_form_of_their_count_not_one_or_other() {
    // The fix review's two counted sentences: 10 issues (many), of which
    // 3 are undetermined (few). They used to pick .one or .other by n == 1.
    let (tmp, dir) = workspace(&example());
    let style = polish_sentences(tmp.path());
    let mut rows = vec!["id,status".to_string()];
    for i in 1..=10 {
        let status = if i <= 3 { "Undetermined" } else { "Resolved" };
        rows.push(format!("NWS-LUMEN-{i},{status}"));
    }
    fs::write(dir.join("fix-review.csv"), rows.join("\n") + "\n").unwrap();
    let flat = squash(&pdf_text(&build_ok(&dir, "pl", &["--style", &style])));
    assert!(
        flat.contains(&squash("Spośród 10 problemów (many),")),
        "{flat}"
    );
    assert!(
        flat.contains(&squash("Pozostałe three issues (few).")),
        "{flat}"
    );

    // The automated-testing sentence: 2 results without a level (few).
    let (tmp, dir) = workspace(&fixture("scanned"));
    let style = polish_sentences(tmp.path());
    let file = dir.join("scans/semgrep.sarif");
    let mut sarif: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    for result in sarif["runs"][0]["results"].as_array_mut().unwrap()[..2].iter_mut() {
        result["level"] = "none".into();
    }
    fs::write(&file, sarif.to_string()).unwrap();
    let flat = squash(&pdf_text(&build_ok(&dir, "pl", &["--style", &style])));
    assert!(
        flat.contains(&squash("2 wyniki bez poziomu (few)")),
        "{flat}"
    );
}

#[test]
fn a_mention_of_a_draft_left_out_is_warned_at_its_place_and_builds() {
    let (tmp, dir) = workspace(&example());
    let draft = dir.join("findings/NWS-LUMEN-6.md");
    let text = fs::read_to_string(&draft).unwrap();
    fs::write(&draft, format!("+++\nexclude = true\n+++\n{text}")).unwrap();
    edit(
        &dir,
        "findings/NWS-LUMEN-1.md",
        "## Description\n\n",
        "## Description\n\nSee also NWS-LUMEN-6 for the tenant identifier.\n\n",
    );
    let pdf = tmp.path().join("r.pdf");
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    // The build used to stop with typst's "label does not exist" in the
    // templates; the writer needs the place in their own file.
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_diagnostic(
        &err,
        "findings/NWS-LUMEN-1.md:3:10",
        "NWS-LUMEN-6 is excluded (`exclude = true`), left out of this report",
    );
    assert!(err.contains("--include-excluded"), "{err}");
    let text = squash(&pdf_text(&pdf));
    assert!(text.contains(&squash("See also NWS-LUMEN-6 for the tenant identifier.")));
    assert!(!text.contains("Tenant identifier taken from the request body"));

    // With the draft in, the mention is a finding like any other: no warning.
    let out = build_to(&dir, &pdf, &["--include-excluded"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("left out of this report"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn every_init_folder_passes_check_with_warnings_denied() {
    // Before, each failed on its own starter text: `cron`, `normalised`,
    // `wei`, `normalising`.
    let tmp = tempfile::tempdir().unwrap();
    for style in [None, Some("smart-contract"), Some("pentest")] {
        let dir = tmp.path().join(style.unwrap_or("default"));
        let mut args: Vec<&std::ffi::OsStr> = vec!["init".as_ref()];
        if let Some(style) = style {
            args.extend([std::ffi::OsStr::new("--style"), std::ffi::OsStr::new(style)]);
        }
        args.push(dir.as_os_str());
        let out = run(&args);
        assert!(out.status.success(), "{style:?}: {}", stderr(&out));
        assert!(!dir.join("words.txt").exists(), "{style:?}");
        let out = run(&[
            "check".as_ref(),
            "--deny".as_ref(),
            "warnings".as_ref(),
            dir.as_os_str(),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{style:?}: {err}");
        assert!(err.contains(", 0 possible mistakes"), "{style:?}: {err}");
    }
}

/// The ten mistakes of the Code4rena wardens' prose that the report
/// printed, each as check names it, with its correction.
const XDEFI_MISTAKES: [(&str, &str, &str); 10] = [
    ("findings/H-01.md", "overlows", "overflows"),
    ("findings/M-01.md", "monotomically", "monotonically"),
    ("findings.csv", "readibility", "readability"),
    ("findings.csv", "substraction", "subtraction"),
    ("findings.csv", "Unneccessary", "Unnecessary"),
    ("findings/H-01.md", "to to ", "to "),
    ("findings/H-01.md", "very very ", "very "),
    ("findings/H-02.md", "is not longer", "is no longer"),
    ("findings/H-02.md", "will created", "will be created"),
    (
        "sections/executive-summary.md",
        "All of the issues",
        "All the issues",
    ),
];

#[test]
fn the_names_a_report_holds_are_words_and_its_mistakes_are_still_found() {
    // tests/fixtures/c4-xdefi has no words.txt: its title and client
    // (XDEFI), vendor (Code4rena), judge (Ivo Georgiev, acknowledged) and
    // the field's words (reentrancy, re-entrancy, tx) were 12 of its 33
    // warnings.
    let (_tmp, dir) = workspace(&fixture("c4-xdefi"));
    assert!(!dir.join("words.txt").exists());
    let check = |deny: bool| {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "check".as_ref(),
            "--diagnostic-format".as_ref(),
            "short".as_ref(),
            dir.as_os_str(),
        ];
        if deny {
            args.extend([
                std::ffi::OsStr::new("--deny"),
                std::ffi::OsStr::new("warnings"),
            ]);
        }
        run(&args)
    };
    let err = stderr(&check(false));
    for name in [
        "XDEFI",
        "Code4rena",
        "Ivo",
        "reentrancy",
        "entrancy",
        "`tx`",
        "too",
    ] {
        assert!(!err.contains(name), "{name}: {err}");
    }
    // The wardens' own mistakes are still found, each at its file.
    for (file, mistake, _) in XDEFI_MISTAKES {
        let word = mistake.split(' ').next().unwrap();
        assert!(
            err.lines()
                .any(|l| l.contains(&format!("{file}:")) && l.contains(word)),
            "{mistake}: {err}"
        );
    }
    assert!(err.contains("possible misspelling `overlows`"), "{err}");
    assert!(err.contains("did you mean `monotonically`"), "{err}");
    assert_eq!(err.matches("warning: grammar:").count(), 5, "{err}");
    assert_eq!(err.matches(": warning:").count(), 22, "{err}");

    // Corrected, with words.txt for the words only its prose holds (the
    // sponsor's people and the wardens' jargon): none of them the title,
    // the vendor or the client.
    for (file, mistake, fix) in XDEFI_MISTAKES {
        edit(&dir, file, mistake, fix);
    }
    let words = "deluca\nIvshti\nrewarder\nmasterchef\nlp\nwrt\nuints\n";
    fs::write(dir.join("words.txt"), words).unwrap();
    let out = check(true);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains(", 0 possible mistakes"), "{err}");

    // A planted misspelling is found.
    edit(
        &dir,
        "findings/H-01.md",
        "overflows",
        "overflows and users recieve",
    );
    let out = check(true);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("possible misspelling `recieve`"), "{err}");
    assert!(err.contains("did you mean `receive`"), "{err}");
}

#[test]
fn a_section_title_of_the_style_is_never_a_grammar_warning() {
    // A style whose section is titled in sentence case, "Observed behavior":
    // before, each `## Observed behavior` got "try to use title case in
    // headings".
    let (_tmp, dir) = example_folder("pentest");
    edit(
        dir.parent().unwrap(),
        "style/style.toml",
        "title = \"Technical Details\"",
        "title = \"Observed behavior\"",
    );
    edit(
        &dir,
        "findings/EX-PT-26-01.md",
        "## Technical Details",
        "## Observed behavior",
    );
    let out = run(&[
        "check".as_ref(),
        "--deny".as_ref(),
        "warnings".as_ref(),
        dir.as_os_str(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("title case"), "{err}");
    // The house writes its headings in sentence case: so may the auditor.
    edit(
        &dir,
        "findings/EX-PT-26-01.md",
        "## Observed behavior",
        "## Observed behavior\n\n### A second attack path\n",
    );
    let err = stderr(&run(&["check".as_ref(), dir.as_os_str()]));
    assert!(!err.contains("title case"), "{err}");

    // A style that titles its sections in title case still asks for it
    // in headings of its own.
    edit(
        dir.parent().unwrap(),
        "style/style.toml",
        "title = \"Observed behavior\"",
        "title = \"Technical Details\"",
    );
    edit(
        &dir,
        "findings/EX-PT-26-01.md",
        "## Observed behavior",
        "## Technical Details",
    );
    let err = stderr(&run(&["check".as_ref(), dir.as_os_str()]));
    assert!(
        err.contains("grammar: try to use title case in headings"),
        "{err}"
    );
}

//! A newcomer's first day, continued (issue 37): where the PDF goes, the
//! audit folder a command means when none is given, the two meanings of
//! "draft", one list of style names, and the warnings a newcomer needs.

use std::ffi::OsStr;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::common::*;

/// The PDF name the example gets by default.
const EXAMPLE_PDF: &str = "lumen-security-assessment-v2.0.pdf";

/// Runs auditpress in a folder, as a user in a terminal there does.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("auditpress runs")
}

#[test]
fn two_copies_of_a_folder_built_side_by_side_keep_each_their_own_pdf() {
    let (tmp, original) = workspace(&example());
    let copy = tmp.path().join("audit-v2");
    copy_dir(&original, &copy);
    // The copy is the next version in the making: same title and version.
    edit(
        &copy,
        "audit.toml",
        "classification = \"PUBLIC\"",
        "classification = \"COPY FOR REVIEW\"",
    );
    for dir in [&original, &copy] {
        let out = run(&["build".as_ref(), dir.as_os_str()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        // Said where it went.
        assert!(
            stderr(&out).contains(&format!("wrote {}", dir.join(EXAMPLE_PDF).display())),
            "{}",
            stderr(&out)
        );
    }
    // Each folder holds its own PDF; nothing was written beside them.
    let first = pdf_text(&original.join(EXAMPLE_PDF));
    let second = pdf_text(&copy.join(EXAMPLE_PDF));
    assert!(
        !first.contains("COPY FOR REVIEW"),
        "the copy overwrote the original's PDF"
    );
    assert!(second.contains("COPY FOR REVIEW"));
    assert!(!tmp.path().join(EXAMPLE_PDF).exists());

    // The old place is one `-o` away, for scripts that read it.
    let parent = format!("{}/", tmp.path().display());
    let out = run(&[
        "build".as_ref(),
        original.as_os_str(),
        "-o".as_ref(),
        parent.as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(tmp.path().join(EXAMPLE_PDF).is_file());
}

#[test]
fn a_command_without_a_folder_in_an_audit_folder_means_that_folder() {
    let (tmp, dir) = workspace(&example());
    // build, as cargo builds the package it is run in.
    let out = run_in(&dir, &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(dir.join(EXAMPLE_PDF).is_file(), "{}", stderr(&out));
    // check from a folder inside it, as cargo finds Cargo.toml above.
    let out = run_in(&dir.join("findings"), &["check", "--no-spell"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("ok (10 findings)"),
        "{}",
        stderr(&out)
    );
    // export: the folder here, JSON when no format is given.
    let out = run_in(&dir, &["export"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(10));
    // diff OLD: the folder here is the new side.
    let old = tmp.path().join("old");
    copy_dir(&dir, &old);
    edit(&old, "audit.toml", "version = \"2.0\"", "version = \"1.0\"");
    let out = run_in(&dir, &["diff", "../old"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("no changes"), "{}", stderr(&out));

    // A path to audit.toml or findings.csv means its folder.
    for file in ["audit.toml", "findings.csv"] {
        let out = run(&[
            "check".as_ref(),
            dir.join(file).as_os_str(),
            "--no-spell".as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{file}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("ok (10 findings)"),
            "{}",
            stderr(&out)
        );
    }

    // watch, too: its first build goes into the folder.
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .current_dir(&dir)
        .args(["watch"])
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let first = BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains(" in ") || l.contains("error"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.as_deref().is_some_and(|l| l.starts_with("built in ")),
        "{first:?}"
    );

    // Outside any audit folder: one error that says what to do.
    let out = run_in(tmp.path(), &["build"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no audit folder given"), "{err}");
    assert!(err.contains("auditpress init"), "{err}");
}

#[test]
fn a_finding_left_out_is_exclude_and_the_old_draft_key_still_works_with_a_warning() {
    let (tmp, dir) = workspace(&example());
    let add_front = |file: &str, front: &str| {
        let path = dir.join("findings").join(file);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, format!("+++\n{front}\n+++\n{text}")).unwrap();
    };
    add_front("NWS-LUMEN-6.md", "draft = true");
    add_front("NWS-LUMEN-2.md", "exclude = true");
    add_front("NWS-LUMEN-1.md", "review = \"draft\"");

    let out = run(&["check".as_ref(), dir.as_os_str(), "--no-spell".as_ref()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    // A 1.2 folder's `draft = true` is read, and named by its new name.
    assert_diagnostic(
        &err,
        "findings/NWS-LUMEN-6.md:2:1",
        "`draft` in a finding's front matter is now called `exclude`",
    );
    assert!(err.contains("rename the key: `exclude = true`"), "{err}");
    assert_eq!(err.matches("is now called `exclude`").count(), 1, "{err}");
    // check says which kind is which.
    assert!(
        err.contains(
            "2 excluded (`exclude = true`, left out of the report): NWS-LUMEN-2, NWS-LUMEN-6"
        ),
        "{err}"
    );
    assert!(
        err.contains("review: 1 draft, 0 ready, 7 approved (a review draft is printed and marks every page DRAFT)"),
        "{err}"
    );

    // Left out of the build; the review draft is printed.
    let pdf = build_ok(&dir, "left-out", &[]);
    let text = pdf_text(&pdf);
    assert!(!text.contains("Tenant identifier taken from the request body"));
    assert!(!text.contains("Console session tokens do not expire"));
    assert!(text.contains("DRAFT"));
    // --include-excluded puts them in; --include-drafts, its 1.2 name, too.
    for flag in ["--include-excluded", "--include-drafts"] {
        let pdf = tmp.path().join("all.pdf");
        let out = build_to(&dir, &pdf, &[flag]);
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", stderr(&out));
        assert!(
            squash(&pdf_text(&pdf))
                .contains(&squash("Tenant identifier taken from the request body")),
            "{flag}"
        );
    }
}

#[test]
fn init_takes_every_style_name_that_build_takes_and_completion_offers_them() {
    let tmp = tempfile::tempdir().unwrap();
    let names = ["standard", "risk", "smart-contract", "pentest"];
    // `build --style risk` works, and so does `init --style risk`.
    let dir = tmp.path().join("risky");
    let out = run(&[
        "init".as_ref(),
        dir.as_os_str(),
        "--style".as_ref(),
        "risk".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    assert!(
        toml.lines().any(|l| l.starts_with("style = \"risk\"")),
        "{toml}"
    );
    // Read with risk's scales: its second axis is Likelihood.
    let view = view_json(&dir).to_string();
    assert!(
        view.contains("Likelihood"),
        "the folder is not read with risk"
    );
    // The example styles are names of --style too.
    for name in names {
        let out = run(&["style".as_ref(), "show".as_ref(), name.as_ref()]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    }
    // One list, in the help of init and of every --style.
    let list = names.join(", ");
    for command in ["init", "build", "check", "watch", "export"] {
        let out = run(&[command.as_ref(), "--help".as_ref()]);
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains(&list), "{command} --help:\n{help}");
    }
    let out = run(&[
        "init".as_ref(),
        tmp.path().join("x").as_os_str(),
        "--style".as_ref(),
        "nope".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(&list), "{}", stderr(&out));

    // Completion offers the names, and folders, never plain files.
    let bash = String::from_utf8(run(&["completions".as_ref(), "bash".as_ref()]).stdout).unwrap();
    let words = names.join(" ");
    let style_lines: Vec<&str> = bash
        .lines()
        .skip_while(|l| !l.trim().starts_with("--style)"))
        .take(2)
        .collect();
    assert!(
        style_lines[1].contains(&format!("compgen -W \"{words}\""))
            && style_lines[1].contains("compgen -d"),
        "{style_lines:?}"
    );
    assert!(!bash.contains("--style)\n                    COMPREPLY=($(compgen -f"));
    let zsh = String::from_utf8(run(&["completions".as_ref(), "zsh".as_ref()]).stdout).unwrap();
    assert!(zsh.contains(&format!("styles\\:style\\:({words})")), "zsh");
    assert!(zsh.contains("_files -/"));
}

#[test]
fn man_page_synopsis_of_build_writes_its_folders_with_an_ellipsis() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&["man".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for page in ["auditpress-build.1", "auditpress-check.1"] {
        let man = fs::read_to_string(tmp.path().join(page)).unwrap();
        let synopsis = man
            .lines()
            .skip_while(|l| !l.starts_with(".SH SYNOPSIS"))
            .nth(1)
            .unwrap();
        assert!(synopsis.contains("[\\fIDIR...\\fR]"), "{page}: {synopsis}");
    }
}

/// The short diagnostics of `check --no-spell`.
fn checked(dir: &Path) -> String {
    stderr(&run(&[
        "check".as_ref(),
        dir.as_os_str(),
        "--no-spell".as_ref(),
        "--diagnostic-format".as_ref(),
        "short".as_ref(),
    ]))
}

#[test]
fn see_ex_9_where_there_is_no_ex_9_is_warned_at_the_mention() {
    let (_tmp, dir) = workspace(&example());
    edit(
        &dir,
        "findings/NWS-LUMEN-1.md",
        "## Description\n\n",
        "## Description\n\nSee NWS-LUMEN-99 and NWS-LUMEN-2.\n\n",
    );
    let d = checked(&dir);
    assert!(
        d.lines().any(|l| l.starts_with(&format!(
            "{}:3:5: warning: NWS-LUMEN-99 names no finding of this report",
            dir.join("findings/NWS-LUMEN-1.md").display()
        ))),
        "{d}"
    );
    assert!(
        d.contains("NWS-LUMEN-1, NWS-LUMEN-2, NWS-LUMEN-3, NWS-LUMEN-4, NWS-LUMEN-5, ..."),
        "{d}"
    );
    // An id that exists, a CVE, a year range: no warning.
    assert_eq!(d.matches("names no finding").count(), 1, "{d}");
}

#[test]
fn review_redy_gets_did_you_mean_ready() {
    let (_tmp, dir) = workspace(&example());
    edit(
        &dir,
        "findings/NWS-LUMEN-1.md",
        "## Description",
        "+++\nreview = \"redy\"\n+++\n## Description",
    );
    let d = checked(&dir);
    assert!(
        d.lines().any(
            |l| l.contains("NWS-LUMEN-1.md:2:10: error: unknown review state \"redy\"")
                && l.contains("did you mean \"ready\"?")
        ),
        "{d}"
    );
}

#[test]
fn a_cvss_vector_rating_critical_on_a_high_finding_in_a_style_without_critical_gets_a_warning() {
    let (_tmp, dir) = workspace(&example());
    // The row says High; the write-up gives a vector that scores 10.0.
    edit(
        &dir,
        "findings/NWS-LUMEN-1.md",
        "## Description",
        "+++\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H\"\n+++\n## Description",
    );
    let d = checked(&dir);
    let line = d
        .lines()
        .find(|l| l.contains("severity High disagrees with the CVSS rating Critical (10.0"))
        .unwrap_or_else(|| panic!("no word on the Critical vector:\n{d}"));
    assert!(
        line.contains("findings.csv:2:"),
        "at the row's severity: {line}"
    );
    assert!(
        line.contains("this house style has no Critical level"),
        "{line}"
    );
}

#[test]
fn a_line_range_with_a_hyphen_gets_a_hint_for_the_en_dash() {
    let (_tmp, dir) = workspace(&example());
    edit(&dir, "findings.csv", "paths.go#41–58", "paths.go#41-58");
    let d = checked(&dir);
    let line = d
        .lines()
        .find(|l| l.contains("the line range 41-58 is written with a hyphen"))
        .unwrap_or_else(|| panic!("no hint:\n{d}"));
    // At the hyphen itself, with the range to write instead.
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    let column = row.find("41-58").unwrap() + 3;
    assert!(
        line.contains(&format!("findings.csv:2:{column}: warning")),
        "{line}"
    );
    assert!(line.contains("41–58"), "{line}");
    // The en dash, as FORMAT writes it, and a single line: no hint.
    edit(
        &dir,
        "findings.csv",
        "paths.go#41-58",
        "paths.go#41–58; a.go#7",
    );
    assert!(!checked(&dir).contains("hyphen"));
}

/// Runs auditpress with arguments that are paths and words.
fn run_args(args: &[&dyn AsRef<OsStr>]) -> Output {
    let args: Vec<&OsStr> = args.iter().map(|a| a.as_ref()).collect();
    run(&args)
}

#[test]
fn a_fresh_folder_of_each_style_with_a_new_finding_from_its_library_approved_is_final() {
    // The new finding's id, in the style's own form.
    let cases: [(&str, &[&str], &str); 4] = [
        (
            "standard",
            &[
                "missing-rate-limit",
                "endpoint=/api/login",
                "target=example-service/src/api/login.rs#12",
            ],
            "EX-3",
        ),
        (
            "risk",
            &[
                "missing-rate-limit",
                "endpoint=/api/login",
                "target=example-service/src/api/login.rs#12",
            ],
            "EX-3",
        ),
        (
            "smart-contract",
            &[
                "missing-event",
                "function=setFee",
                "what=the fee",
                "target=harbor-vaults/src/Fee.sol#30",
            ],
            "L-2",
        ),
        (
            "pentest",
            &[
                "missing-security-headers",
                "component=Patient portal",
                "target=portal/src/main/java/web/SecurityConfig.java#20",
            ],
            "EX-PT-26-05",
        ),
    ];
    for (style, from, id) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(style);
        let out = run_args(&[&"init", &dir, &"--style", &style]);
        assert_eq!(out.status.code(), Some(0), "{style}: {}", stderr(&out));
        let mut args: Vec<&dyn AsRef<OsStr>> =
            vec![&"new", &"finding", &"--in", &dir, &"--from", &from[0]];
        for set in &from[1..] {
            args.push(&"--set");
            args.push(set);
        }
        let out = run_args(&args);
        assert_eq!(out.status.code(), Some(0), "{style}: {}", stderr(&out));
        let file = dir.join("findings").join(format!("{id}.md"));
        assert!(file.is_file(), "{style}: no {id}: {}", stderr(&out));
        let out = run_args(&[
            &"review",
            &"approve",
            &id,
            &"--by",
            &"A. Reviewer",
            &"--in",
            &dir,
        ]);
        assert_eq!(out.status.code(), Some(0), "{style}: {}", stderr(&out));

        // Spelling and grammar included: the starter texts, the style's
        // write-up and the values filled in raise no warning.
        let out = run_args(&[&"check", &dir, &"--deny", &"warnings", &"--final"]);
        assert_eq!(out.status.code(), Some(0), "{style}: {}", stderr(&out));
        let out = run_args(&[&"check", &dir, &"--diagnostic-format", &"short"]);
        let err = stderr(&out);
        assert!(
            !err.lines()
                .any(|l| l.contains(&format!("{id}.md")) || l.contains("library")),
            "{style}: {err}"
        );
        let pdf = tmp.path().join("final.pdf");
        let out = run_args(&[&"build", &dir, &"--final", &"-o", &pdf]);
        assert_eq!(out.status.code(), Some(0), "{style}: {}", stderr(&out));
        let text = pdf_text(&pdf);
        assert!(text.contains(id), "{style}: {id} is not in the PDF");
        assert!(
            !text.contains("DRAFT"),
            "{style}: a final report is marked DRAFT"
        );
    }
}

#[test]
fn an_a_1b_build_with_a_transparent_png_is_refused_at_the_users_image() {
    let (tmp, dir) = workspace(&example());
    let pdf = tmp.path().join("archival.pdf");
    let out = build_to(&dir, &pdf, &["--pdf-standard", "a-1b"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_diagnostic(
        &err,
        "findings/NWS-LUMEN-1.md:37:1",
        "image \"images/exploit.png\" has transparency (an alpha channel), which PDF/A-1b does not allow",
    );
    assert!(err.contains("--pdf-standard a-2b"), "{err}");
    assert!(
        !err.contains("templates/"),
        "placed in the embedded template:\n{err}"
    );
    assert!(!pdf.exists());
    // A standard that allows transparency takes the same image.
    let out = build_to(&dir, &pdf, &["--pdf-standard", "a-2b"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// A folder on PATH with an `xdg-open` (and `open`) that fails as one with
/// no viewer for PDF files does.
fn failing_opener(tmp: &Path) -> std::path::PathBuf {
    let bin = tmp.join("bin");
    fs::create_dir_all(&bin).unwrap();
    for name in ["xdg-open", "open"] {
        let path = bin.join(name);
        fs::write(
            &path,
            "#!/bin/sh\necho \"xdg-open: no method available for opening '$1'\" >&2\nexit 3\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    bin
}

#[test]
fn build_open_on_a_machine_without_a_pdf_viewer_says_so() {
    let (tmp, dir) = workspace(&example());
    let pdf = tmp.path().join("r.pdf");
    let path = |bin: &Path| format!("{}:/usr/bin:/bin", bin.display());
    // An opener that finds no viewer.
    let bin = failing_opener(tmp.path());
    let args = [
        "build".as_ref(),
        dir.as_os_str(),
        "-o".as_ref(),
        pdf.as_os_str(),
        "--open".as_ref(),
    ];
    let out = run_env(&args, &[("PATH", &path(&bin))]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the PDF is built: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "warning: cannot open {} in a viewer",
            pdf.display()
        )),
        "{err}"
    );
    assert!(err.contains("no method available for opening"), "{err}");
    // No opener at all.
    let empty = tmp.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let out = run_env(&args, &[("PATH", &empty.display().to_string())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot open"), "{}", stderr(&out));
}

#[test]
fn import_sarif_writes_one_line_as_hash_40_and_warns_of_a_finding_left_without_a_target() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("audit");
    assert_eq!(
        run(&["init".as_ref(), dir.as_os_str()]).status.code(),
        Some(0)
    );
    let result = |rule: &str, uri: &str, start: u64, end: u64| {
        serde_json::json!({
            "ruleId": rule, "level": "error", "message": {"text": "bad"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": {"startLine": start, "endLine": end}}}]
        })
    };
    let log = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "Scanner", "rules": [{"id": "one-line"}, {"id": "outside"}, {"id": "range"}]}},
            "results": [
                result("one-line", "src/app.py", 40, 40),
                result("outside", "/etc/passwd", 1, 1),
                result("range", "src/app.py", 40, 52),
            ]
        }]
    });
    let sarif = tmp.path().join("scan.sarif");
    fs::write(&sarif, log.to_string()).unwrap();
    let out = run(&[
        "import".as_ref(),
        "sarif".as_ref(),
        sarif.as_os_str(),
        "--into".as_ref(),
        dir.as_os_str(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let front = |id: &str| fs::read_to_string(dir.join(format!("findings/{id}.md"))).unwrap();
    assert!(
        front("EX-3").contains("target = \"example-service/src/app.py#40\"\n"),
        "{}",
        front("EX-3")
    );
    assert!(!front("EX-4").contains("target ="), "{}", front("EX-4"));
    assert!(
        front("EX-5").contains("target = \"example-service/src/app.py#40–52\"\n"),
        "{}",
        front("EX-5")
    );
    assert!(
        err.contains(
            "warning: EX-4 has no target: the one location of Scanner rule outside was skipped"
        ),
        "{err}"
    );
}

#[test]
fn markdown_export_fences_code_with_its_language_alone() {
    let (_tmp, dir) = workspace(&example());
    let md = export(&dir, "markdown");
    assert!(
        md.contains("\n```go\n// ResolvePath returns where a secret is written on disk.\n"),
        "{md}"
    );
    assert!(!md.contains("{start="), "{md}");
    // The JSON export keeps them: its Markdown reads back into a finding.
    let json = export(&dir, "json");
    assert!(
        json.contains("```go {start=41 highlight=\\\"51,52\\\"}"),
        "JSON lost the attributes"
    );
}

//! Tests of many reports at once: parallel builds, batch files with variants,
//! and watch mode.

use std::fs;

use crate::common::*;

#[test]
fn a_broken_folder_fails_alone_and_the_others_build() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    copy_dir(&example(), &a);
    copy_dir(&fixture("mistakes"), &b);
    copy_dir(&fixture("curl-2022"), &c);
    let out = run(&[
        "build".as_ref(),
        a.as_os_str(),
        b.as_os_str(),
        c.as_os_str(),
        "--jobs".as_ref(),
        "2".as_ref(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    // Each PDF inside its own folder.
    assert!(
        a.join("lumen-security-assessment-v2.0.pdf").is_file(),
        "{err}"
    );
    assert!(
        c.join("curl-security-assessment-v1.0.pdf").is_file(),
        "{err}"
    );
    // b's diagnostics come right under b's line, before any other report's.
    let b_name = b.display().to_string();
    let header = err
        .find(&format!("{b_name}: failed"))
        .expect("b's result line");
    let next = err[header + 1..]
        .find("\n[")
        .map_or(err.len(), |i| header + 1 + i);
    assert!(
        err[header..next].contains("unknown severity \"Hgh\""),
        "{err}"
    );
    // The summary table lists every report.
    let summary = &err[err.find("report  ").expect("summary table")..];
    for (name, result) in [(&a, "ok"), (&b, "failed"), (&c, "ok")] {
        let line = summary
            .lines()
            .find(|l| l.starts_with(&name.display().to_string()))
            .unwrap();
        assert!(line.contains(result), "{line}");
    }
    assert!(summary.contains("3 reports: 2 built, 1 failed"));
}

#[test]
fn a_batch_file_builds_variants_with_their_names_and_markings() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), &tmp.path().join("lumen"));
    let batch = tmp.path().join("quarter.toml");
    fs::write(
        &batch,
        "output = \"out/{project}-{version}-{classification}.pdf\"\n\n\
         [[report]]\nfolder = \"lumen\"\n\n\
         [[report]]\nfolder = \"lumen\"\nclassification = \"Confidential\"\nversion = \"2.1\"\ndraft = true\n",
    )
    .unwrap();
    let out = run(&["batch".as_ref(), batch.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let public = tmp.path().join("out/lumen-2.0-public.pdf");
    let confidential = tmp.path().join("out/lumen-2.1-confidential.pdf");
    let public_text = pdf_text(&public);
    let confidential_text = pdf_text(&confidential);
    assert!(public_text.contains("PUBLIC") && !public_text.contains("DRAFT"));
    assert!(confidential_text.contains("DRAFT · Confidential"));
    assert!(!confidential_text.contains("PUBLIC"));
    assert!(squash(&confidential_text).contains("VERSION2.1"));
}

#[test]
fn a_batch_file_with_mistakes_is_refused_before_building() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("b.toml");
    fs::write(
        &batch,
        "output = \"{projekt}.pdf\"\n[[report]]\nfolder = \"x\"\n",
    )
    .unwrap();
    let out = run(&["batch".as_ref(), batch.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert_diagnostic(
        &stderr(&out),
        "b.toml:1:10",
        "unknown placeholder {projekt} in output name",
    );
    fs::write(&batch, "[[report]]\nfolder = \"x\"\ncolour = 1\n").unwrap();
    let out = run(&["batch".as_ref(), batch.as_os_str()]);
    assert_eq!(out.status.code(), Some(1));
    assert_diagnostic(&stderr(&out), "b.toml:3:1", "unknown field `colour`");
}

#[test]
fn two_variants_writing_one_file_is_an_error_not_a_race() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), &tmp.path().join("lumen"));
    let batch = tmp.path().join("b.toml");
    fs::write(
        &batch,
        "[[report]]\nfolder = \"lumen\"\n[[report]]\nfolder = \"lumen\"\ndraft = true\n",
    )
    .unwrap();
    let out = run(&[
        "batch".as_ref(),
        batch.as_os_str(),
        "--jobs".as_ref(),
        "1".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is also the output of lumen (report 1)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn watch_rebuilds_survives_a_broken_edit_and_recovers() {
    let (_tmp, dir) = workspace(&example());
    let (mut child, lines, pdf) = spawn_watch(&dir, &[]);
    let mut seen = Vec::new();
    wait_built(&lines, true, &mut seen);
    let first = fs::read(&pdf).unwrap();

    let notices = dir.join("sections/notices.md");
    let text = fs::read_to_string(&notices).unwrap();
    fs::write(
        &notices,
        format!("{text}\nA sentence added while watching.\n"),
    )
    .unwrap();
    wait_built(&lines, true, &mut seen);
    let second = fs::read(&pdf).unwrap();
    assert_ne!(first, second);
    assert!(pdf_text(&pdf).contains("A sentence added while watching."));

    let csv = dir.join("maturity.csv");
    let good = fs::read_to_string(&csv).unwrap();
    fs::write(
        &csv,
        good.replace("Arithmetic,Satisfactory", "Arithmetic,Stellar"),
    )
    .unwrap();
    wait_for(&lines, "unknown rating", &mut seen);
    wait_built(&lines, false, &mut seen);
    assert_eq!(
        fs::read(&pdf).unwrap(),
        second,
        "a failed build touched the PDF"
    );

    fs::write(&csv, good).unwrap();
    wait_built(&lines, true, &mut seen);
    assert!(child.try_wait().unwrap().is_none(), "watch exited");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Watch watches what the build read (issue 20): the house style's folder
/// beside the audit, a folder that appears and that the loader lists, and
/// nothing it never read.
/// A save of several files builds once, with all of them: a new finding's
/// row and its write-up, each an error without the other, written one after
/// the other as an editor's "save all" or a script writes them.
#[test]
fn watch_builds_a_save_of_several_files_once() {
    let (_tmp, dir) = example_folder("pentest");
    let (mut child, lines, pdf) = spawn_watch(&dir, &[]);
    let mut seen = Vec::new();
    wait_built(&lines, true, &mut seen);

    let mut csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    if !csv.ends_with('\n') {
        csv.push('\n');
    }
    csv.push_str(
        "EX-PT-26-05,Debug endpoint left enabled,Low,,CWE-489,Web frontend,portal/debug,Open\n",
    );
    let write_up = "## Summary and Impact\n\nThe debug endpoint answers anyone.\n\n## Solution Advice\n\nTurn it off.\n";
    fs::write(dir.join("findings.csv"), csv).unwrap();
    fs::write(dir.join("findings/EX-PT-26-05.md"), write_up).unwrap();

    let mut builds = Vec::new();
    let quiet = std::time::Instant::now() + std::time::Duration::from_millis(2000);
    while let Some(left) = quiet.checked_duration_since(std::time::Instant::now()) {
        if let Ok(line) = lines.recv_timeout(left) {
            if built_line(&line, true) || built_line(&line, false) {
                builds.push(line.clone());
            }
            seen.push(line);
        }
    }
    assert_eq!(builds.len(), 1, "one save, one build:\n{}", seen.join("\n"));
    assert!(built_line(&builds[0], true), "{}", seen.join("\n"));
    assert!(pdf_text(&pdf).contains("Debug endpoint left enabled"));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn watch_rebuilds_on_exactly_the_files_the_build_read() {
    let (_tmp, dir) = example_folder("pentest");
    let (mut child, lines, pdf) = spawn_watch(&dir, &[]);
    let mut seen = Vec::new();
    wait_built(&lines, true, &mut seen);

    // Files no build reads, in the audit folder and beside it: no rebuild.
    fs::write(dir.join("notes.txt"), "scratch").unwrap();
    fs::write(dir.parent().unwrap().join("elsewhere.md"), "# x").unwrap();
    let quiet = std::time::Instant::now() + std::time::Duration::from_millis(1500);
    while let Some(left) = quiet.checked_duration_since(std::time::Instant::now()) {
        if let Ok(line) = lines.recv_timeout(left) {
            assert!(
                !(built_line(&line, true) || built_line(&line, false)),
                "a file the build never read rebuilt the report: {line}"
            );
            seen.push(line);
        }
    }

    // The style's own file, outside the audit folder: rebuilt with its words.
    edit(
        &dir.parent().unwrap().join("style"),
        "style.toml",
        "CVSS 9.0 to 10.0.",
        "CVSS nine to ten, edited while watching.",
    );
    wait_built(&lines, true, &mut seen);
    assert!(pdf_text(&pdf).contains("CVSS nine to ten, edited while watching."));

    // A folder the loader looks for and that did not exist: its new file is read.
    fs::create_dir_all(dir.join("appendices")).unwrap();
    fs::write(
        dir.join("appendices/10-more.md"),
        "# Added appendix\n\nWritten while watching.\n",
    )
    .unwrap();
    wait_built(&lines, true, &mut seen);
    // The folder and its file may come as one change or two.
    let mut text = pdf_text(&pdf);
    if !text.contains("Written while watching.") {
        wait_built(&lines, true, &mut seen);
        text = pdf_text(&pdf);
    }
    assert!(
        text.contains("Written while watching."),
        "{}",
        seen.join("\n")
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A small tmpfs mounted over `dir` for as long as the guard lives, or None
/// (with the skip said) when this user cannot mount one.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    fn mount(dir: &std::path::Path, size: &str) -> Option<Tmpfs> {
        fs::create_dir_all(dir).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            Some(Tmpfs(dir.to_path_buf()))
        } else {
            tool_missing("permission to mount a tmpfs (root)");
            None
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_batch_whose_only_failure_is_a_full_disk_exits_75_and_a_data_error_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), &tmp.path().join("lumen"));
    copy_dir(&fixture("mistakes"), &tmp.path().join("broken"));
    let Some(_disk) = Tmpfs::mount(&tmp.path().join("full"), "64k") else {
        return;
    };
    let batch = tmp.path().join("disk.toml");
    fs::write(
        &batch,
        "[[report]]\nfolder = \"lumen\"\noutput = \"full/a.pdf\"\n\n\
         [[report]]\nfolder = \"lumen\"\nclassification = \"Confidential\"\noutput = \"full/b.pdf\"\n",
    )
    .unwrap();
    let summary = tmp.path().join("summary.json");
    let out = run(&[
        "batch".as_ref(),
        batch.as_os_str(),
        "--summary".as_ref(),
        summary.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("full/a.pdf").exists() && !tmp.path().join("full/b.pdf").exists());
    let records: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    for record in records["reports"].as_array().unwrap() {
        assert_eq!(record["result"], "io-error", "{record}");
    }

    // A report with errors in its data fails the same way on every retry: 1,
    // whether alone or beside a full disk.
    let data = tmp.path().join("data.toml");
    fs::write(
        &data,
        "[[report]]\nfolder = \"broken\"\noutput = \"out/c.pdf\"\n",
    )
    .unwrap();
    let out = run(&["batch".as_ref(), data.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let both = tmp.path().join("both.toml");
    fs::write(
        &both,
        "[[report]]\nfolder = \"broken\"\noutput = \"out/c.pdf\"\n\n\
         [[report]]\nfolder = \"lumen\"\noutput = \"full/a.pdf\"\n",
    )
    .unwrap();
    let out = run(&["batch".as_ref(), both.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
}

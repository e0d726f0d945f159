//! The command-line conventions: init, completions, man pages, diagnostic
//! formats, quiet runs, sharded batches with summaries, the template contract,
//! and prose in audit.toml treated like prose in Markdown files.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use crate::common::*;

/// Parses standard error of a `--diagnostic-format json` run: every line one object.
fn json_lines(stderr: &str) -> Vec<serde_json::Value> {
    stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// Returns the 1-based line and column of the first occurrence of a needle in a file.
fn place_of(path: &Path, needle: &str) -> (u64, u64) {
    let text = fs::read_to_string(path).unwrap();
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in {}", path.display()));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line as u64, col as u64)
}

#[test]
fn init_writes_a_folder_that_builds_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("new-audit");
    let out = run(&["init".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    // Every key of FORMAT's audit.toml is there, commented where optional.
    for key in [
        "title",
        "subtitle",
        "date",
        "version",
        "classification",
        "vendor",
        "id_prefix",
        "draft",
        "paper",
        "templates",
        "style",
        "goals",
        "[client]",
        "[engagement]",
        "[[contacts]]",
        "[[timeline]]",
        "[[targets]]",
        "[coverage]",
        "[[tools]]",
        "[fix_review]",
        "[[history]]",
    ] {
        assert!(toml.contains(key), "audit.toml lacks {key}");
    }
    let pdf = tmp.path().join("new.pdf");
    let built = build_to(&dir, &pdf, &[]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(!stderr(&built).contains("warning"), "{}", stderr(&built));
    let text = pdf_text(&pdf);
    assert!(text.contains("Uploaded archives can write outside the upload folder"));
    assert!(text.contains("Codebase Maturity Evaluation"));
    // The write-up's code figure is numbered from its real start line.
    assert!(text.contains("Figure 1.1"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("40")
                && l.contains("for entry in archive.entries()")),
        "{text}"
    );
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("busy");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    let out = run(&["init".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not empty; nothing was written"),
        "{}",
        stderr(&out)
    );
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![OsStr::new("notes.txt").to_os_string()]);
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");

    // --force adds the files beside what is there, but never overwrites one.
    fs::write(dir.join("findings.csv"), "mine too").unwrap();
    let forced = run(&["init".as_ref(), dir.as_os_str(), "--force".as_ref()]);
    assert_eq!(forced.status.code(), Some(2));
    assert!(stderr(&forced).contains("findings.csv exists; nothing was written"));
    assert_eq!(
        fs::read_to_string(dir.join("findings.csv")).unwrap(),
        "mine too"
    );
    assert!(!dir.join("audit.toml").exists());
}

#[test]
fn completions_and_man_pages_cover_every_shell_and_subcommand() {
    let subcommands = [
        "build",
        "check",
        "batch",
        "watch",
        "serve",
        "diff",
        "export",
        "import",
        "init",
        "completions",
        "man",
    ];
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions".as_ref(), shell.as_ref()]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = String::from_utf8(out.stdout).unwrap();
        for sub in subcommands {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(
            script.contains("diagnostic-format"),
            "{shell} lacks options"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = run(&["man".as_ref(), tmp.path().as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = fs::read_to_string(tmp.path().join("auditpress.1")).unwrap();
    assert!(
        page.starts_with(".ie") || page.contains(".TH auditpress"),
        "{page}"
    );
    for sub in subcommands {
        let path = tmp.path().join(format!("auditpress-{sub}.1"));
        let text = fs::read_to_string(&path).unwrap_or_else(|_| panic!("no {}", path.display()));
        assert!(text.contains(&format!(".TH auditpress-{sub}")), "{text}");
    }
    assert!(!tmp.path().join("auditpress-worker.1").exists());
}

#[test]
fn json_diagnostics_are_one_object_per_line_with_their_places() {
    let dir = fixture("mistakes");
    let out = run(&[
        "check".as_ref(),
        dir.as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let list = json_lines(&stderr(&out));
    // The same diagnostics as the human format, one object each.
    let human = run(&["check".as_ref(), dir.as_os_str()]);
    // Every human diagnostic but the closing count, which JSON leaves out.
    let lines = stderr(&human);
    let count = lines
        .lines()
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        .filter(|l| !l.starts_with("error: could not check"))
        .count();
    assert!(
        lines
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .starts_with("error: could not check")
    );
    assert_eq!(list.len(), count, "{}", stderr(&out));
    let find = |message: &str| {
        list.iter()
            .find(|d| d["message"].as_str().unwrap().contains(message))
            .unwrap_or_else(|| panic!("no {message} in {list:?}"))
    };
    let severity = find("unknown severity \"Hgh\"");
    assert_eq!(severity["version"], 1);
    assert_eq!(severity["severity"], "error");
    assert!(
        severity["file"]
            .as_str()
            .unwrap()
            .ends_with("mistakes/findings.csv")
    );
    assert_eq!(
        (severity["line"].as_u64(), severity["column"].as_u64()),
        (Some(2), Some(13))
    );
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let (start, end) = (
        severity["byte_start"].as_u64().unwrap() as usize,
        severity["byte_end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&csv[start..end], "Hgh");
    assert!(
        severity["hints"][0]
            .as_str()
            .unwrap()
            .contains("did you mean \"High\"?")
    );
    let duplicate = find("duplicate finding id \"BRK-1\"");
    assert_eq!(
        (duplicate["line"].as_u64(), duplicate["column"].as_u64()),
        (Some(4), Some(1))
    );
    assert!(
        !duplicate["labels"].as_array().unwrap().is_empty(),
        "{duplicate}"
    );
    let unknown_key = find("unknown key `client.prepared_fr`");
    assert_eq!(unknown_key["severity"], "warning");
    assert_eq!(
        (unknown_key["line"].as_u64(), unknown_key["column"].as_u64()),
        (Some(8), Some(1))
    );

    // The short format: one line each, file:line:column first.
    let short = run(&[
        "check".as_ref(),
        dir.as_os_str(),
        "--diagnostic-format".as_ref(),
        "short".as_ref(),
    ]);
    let short = stderr(&short);
    assert!(
        short.lines().any(|l| l.ends_with("]")
            && l.contains("mistakes/findings.csv:2:13: error: unknown severity \"Hgh\"")),
        "{short}"
    );
    // Quiet: errors only.
    let quiet = run(&[
        "check".as_ref(),
        dir.as_os_str(),
        "-q".as_ref(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ]);
    let quiet = json_lines(&stderr(&quiet));
    assert!(!quiet.is_empty() && quiet.iter().all(|d| d["severity"] == "error"));
    assert_eq!(
        quiet.len(),
        list.iter().filter(|d| d["severity"] == "error").count()
    );
}

#[test]
fn a_command_level_error_is_a_diagnostic_too() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-batch.toml");
    let out = run(&[
        "batch".as_ref(),
        missing.as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let list = json_lines(&stderr(&out));
    assert_eq!(list.len(), 1);
    assert!(
        list[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("cannot read batch file")
    );
    assert!(list[0]["file"].is_null());
    assert!(!list[0]["hints"].as_array().unwrap().is_empty());
}

#[test]
fn shards_of_a_batch_build_each_report_exactly_once() {
    let tmp = tempfile::tempdir().unwrap();
    let small = tmp.path().join("small");
    copy_dir(&fixture("fixreview"), &small);
    let mut batch = String::from("output = \"out/{project}-{version}.pdf\"\n");
    for i in 1..=10 {
        batch.push_str(&format!(
            "[[report]]\nfolder = \"small\"\nname = \"report-{i}\"\nversion = \"{i}.0\"\n"
        ));
    }
    let file = tmp.path().join("batch.toml");
    fs::write(&file, batch).unwrap();
    let mut names = Vec::new();
    for k in 1..=3 {
        let summary = tmp.path().join(format!("summary-{k}.json"));
        let out = run(&[
            "batch".as_ref(),
            file.as_os_str(),
            "--shard".as_ref(),
            format!("{k}/3").as_ref(),
            "--summary".as_ref(),
            summary.as_os_str(),
            "--jobs".as_ref(),
            "2".as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let doc: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["shard"], format!("{k}/3"));
        for r in doc["reports"].as_array().unwrap() {
            assert_eq!(r["result"], "ok", "{r}");
            assert!(r["pages"].as_u64().unwrap() > 0);
            assert_eq!(r["errors"], 0);
            let output = Path::new(r["output"].as_str().unwrap());
            assert!(output.exists(), "{}", output.display());
            names.push(r["name"].as_str().unwrap().to_string());
        }
    }
    names.sort();
    let mut expected: Vec<String> = (1..=10).map(|i| format!("report-{i}")).collect();
    expected.sort();
    assert_eq!(names, expected, "every report exactly once");
    let pdfs = fs::read_dir(tmp.path().join("out")).unwrap().count();
    assert_eq!(pdfs, 10);

    for bad in ["0/3", "4/3", "3", "a/b"] {
        let out = run(&[
            "batch".as_ref(),
            file.as_os_str(),
            "--shard".as_ref(),
            bad.as_ref(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(stderr(&out).contains("invalid --shard"), "{}", stderr(&out));
    }
}

#[test]
fn a_template_override_for_another_contract_says_so() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let overrides = dir.parent().unwrap().join("house");
    fs::create_dir_all(&overrides).unwrap();
    let report = fs::read_to_string(root().join("templates/report.typ")).unwrap();
    assert!(report.contains("#let contract = 3"));
    fs::write(
        overrides.join("report.typ"),
        report.replace("#let contract = 3", "#let contract = 4"),
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("out.pdf");
    let out = build_to(&dir, &pdf, &["--templates", overrides.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("these templates were written for template contract 4, but this auditpress serves contract 3"),
        "{err}"
    );
    assert!(!pdf.exists());
}

#[test]
fn a_section_is_overridden_by_one_small_file() {
    let (_tmp, dir) = workspace(&example());
    let overrides = dir.parent().unwrap().join("house");
    fs::create_dir_all(overrides.join("sections")).unwrap();
    let maturity = fs::read_to_string(root().join("templates/sections/maturity.typ")).unwrap();
    assert!(
        maturity.lines().count() < 30,
        "the maturity section is one small file"
    );
    fs::write(
        overrides.join("sections/maturity.typ"),
        maturity.replace("tr(\"section.maturity\")", "[How Mature the Code Is]"),
    )
    .unwrap();
    let pdf = build_ok(
        &dir,
        "custom",
        &["--templates", overrides.to_str().unwrap()],
    );
    let text = pdf_text(&pdf);
    assert!(text.contains("How Mature the Code Is"));
    assert!(!text.contains("Codebase Maturity Evaluation"));
    assert!(
        text.contains("Executive Summary"),
        "the other sections stay"
    );
}

#[test]
fn prose_in_audit_toml_is_checked_and_linked_like_prose_in_markdown() {
    let (_tmp, dir) = workspace(&example());
    let toml_path = dir.join("audit.toml");
    let toml = fs::read_to_string(&toml_path).unwrap();
    let goal = "Does NWS-LUMEN-2 leak? ![shot](images/missing.png) See [x](javascript:alert(1)) and zero\u{200B}width.";
    let start = toml.find("goals = [").unwrap();
    let end = start + toml[start..].find(']').unwrap() + 1;
    let toml = format!("{}goals = [\"{goal}\"]{}", &toml[..start], &toml[end..]);
    fs::write(&toml_path, &toml).unwrap();
    // The same text in a finding's Markdown, for comparison.
    let md_path = dir.join("findings/NWS-LUMEN-1.md");
    let md = fs::read_to_string(&md_path).unwrap();
    fs::write(&md_path, format!("{md}\n\n{goal}\n")).unwrap();

    let out = run(&[
        "check".as_ref(),
        dir.as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ]);
    let list = json_lines(&stderr(&out));
    let at = |file: &str, needle: &str| {
        list.iter()
            .filter(|d| d["file"].as_str().is_some_and(|f| f.ends_with(file)))
            .find(|d| d["message"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no {needle} in {file}: {list:#?}"))
            .clone()
    };
    for (needle, found_at) in [
        ("images/missing.png", "![shot]"),
        ("U+200B", "\u{200B}"),
        ("javascript", "[x]"),
    ] {
        let in_toml = at("audit.toml", needle);
        let in_md = at("NWS-LUMEN-1.md", needle);
        assert_eq!(in_toml["message"], in_md["message"], "the same diagnostic");
        assert_eq!(in_toml["severity"], in_md["severity"]);
        let (line, col) = place_of(&toml_path, found_at);
        assert_eq!(in_toml["line"].as_u64(), Some(line), "{needle}: {in_toml}");
        // The diagnostic points into the goal, at or before the offending text.
        let column = in_toml["column"].as_u64().unwrap();
        let goal_col = place_of(&toml_path, "Does NWS-LUMEN-2").1;
        assert!(
            column >= goal_col && column <= col,
            "{needle}: column {column} not in {goal_col}..={col}"
        );
    }

    // Without the broken parts, the goal's finding id links to the finding.
    let clean = toml.replace(
        " ![shot](images/missing.png) See [x](javascript:alert(1)) and zero\u{200B}width.",
        "",
    );
    fs::write(&toml_path, clean).unwrap();
    fs::write(&md_path, md).unwrap();
    let view = view_json(&dir);
    let goal = &view["goals"][0];
    assert!(
        goal.as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "finding-ref" && i["id"] == "NWS-LUMEN-2"),
        "{goal}"
    );
    let pdf = build_ok(&dir, "linked", &[]);
    let links = qpdf_json(&pdf).to_string();
    assert!(
        links.contains("finding-NWS-LUMEN-2"),
        "the goal links to the finding"
    );
}

#[test]
fn an_override_of_the_retired_front_typ_is_not_ignored_silently() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let overrides = dir.parent().unwrap().join("house");
    fs::create_dir_all(&overrides).unwrap();
    fs::write(
        overrides.join("front.typ"),
        "// an override written for auditpress before sections/\n",
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("out.pdf");
    let out = build_to(&dir, &pdf, &["--templates", overrides.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("front.typ is no longer a template and is not used"),
        "{err}"
    );
    assert!(err.contains("sections/toc.typ"), "{err}");
}

#[test]
fn emit_template_data_writes_every_file_the_templates_read_into_a_folder() {
    let (tmp, dir) = workspace(&example());
    let design = tmp.path().join("design");
    let out = run(&[
        "build".as_ref(),
        dir.as_os_str(),
        "--emit".as_ref(),
        "template-data".as_ref(),
        "-o".as_ref(),
        design.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |path: &str| -> serde_json::Value {
        let text = fs::read_to_string(design.join(path))
            .unwrap_or_else(|e| panic!("{path} was not written: {e}"));
        serde_json::from_str(&text).unwrap()
    };
    let view = view_json(&dir);
    assert_eq!(read("data/view.json"), view);
    assert_eq!(read("data/strings.json"), view["strings"]);
    assert_eq!(read("data/colours.json"), view["colours"]);
    // Every file the embedded templates open with json(..) is there.
    for entry in fs::read_dir(root().join("templates")).unwrap() {
        let path = entry.unwrap().path();
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        for read in text.split("json(\"/").skip(1) {
            let file = &read[..read.find('"').unwrap()];
            assert!(
                design.join(file).is_file(),
                "{} reads /{file}, which --emit template-data did not write",
                path.display()
            );
        }
    }
    // And every image the view names, as an image.
    let text = view.to_string();
    let images: Vec<&str> = text
        .split("\"/assets/")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    assert!(!images.is_empty(), "the example names no image");
    for image in images {
        let bytes = fs::read(design.join("assets").join(image)).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG") || bytes.starts_with(b"\xff\xd8"),
            "assets/{image} is not an image"
        );
    }

    // Without a folder to write into, a usage error that says what to do.
    let out = run(&[
        "build".as_ref(),
        dir.as_os_str(),
        "--emit".as_ref(),
        "template-data".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("name the folder to write them into with -o"),
        "{}",
        stderr(&out)
    );
}

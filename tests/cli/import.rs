//! `auditpress import`: draft findings from real Semgrep output and GitHub issues.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::*;

/// Writes an `init` folder whose one target is called `service`, as the Semgrep fixture's code is.
fn new_folder(root: &Path) -> PathBuf {
    let dir = root.join("audit");
    let out = run(&["init".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        toml.replace("name = \"example-service\"", "name = \"service\""),
    )
    .unwrap();
    for file in ["findings.csv", "findings/EX-1.md"] {
        let text = fs::read_to_string(dir.join(file)).unwrap();
        fs::write(dir.join(file), text.replace("example-service/", "service/")).unwrap();
    }
    dir
}

/// Runs `auditpress import KIND FILE --into DIR`, with extra arguments.
fn import(kind: &str, file: &Path, dir: &Path, extra: &[&std::ffi::OsStr]) -> std::process::Output {
    let mut all: Vec<&std::ffi::OsStr> = vec![
        "import".as_ref(),
        kind.as_ref(),
        file.as_os_str(),
        "--into".as_ref(),
        dir.as_os_str(),
    ];
    all.extend_from_slice(extra);
    run(&all)
}

/// Returns the front matter of a finding file as a TOML table.
fn front(path: &Path) -> toml::Table {
    let text = fs::read_to_string(path).unwrap();
    let inner = text
        .strip_prefix("+++\n")
        .unwrap()
        .split("\n+++")
        .next()
        .unwrap();
    inner.parse().unwrap()
}

#[test]
fn semgrep_results_become_drafts_with_their_places_and_code() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_folder(tmp.path());
    let sarif = fixture("scanned/scans/semgrep.sarif");
    let source = fixture("scanned-src");
    let out = import(
        "sarif",
        &sarif,
        &dir,
        &["--source".as_ref(), source.as_os_str()],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // Errors and warnings by default: pickle-loads (error) and shell-true (warning), not the notes.
    let pickle = front(&dir.join("findings/EX-3.md"));
    assert_eq!(pickle["exclude"].as_bool(), Some(true));
    assert_eq!(pickle["severity"].as_str(), Some("High"));
    assert_eq!(
        pickle["sarif"].as_array().unwrap()[0].as_str(),
        Some("pickle-loads")
    );
    assert_eq!(pickle["target"].as_str(), Some("service/app/handlers.py#8"));
    let shell = front(&dir.join("findings/EX-4.md"));
    assert_eq!(shell["severity"].as_str(), Some("Medium"));
    assert_eq!(
        shell["target"].as_str(),
        Some("service/app/handlers.py#12; service/app/handlers.py#16")
    );
    assert!(
        !dir.join("findings/EX-5.md").exists(),
        "notes are below --min-level warning"
    );
    let body = fs::read_to_string(dir.join("findings/EX-4.md")).unwrap();
    assert!(body.contains("```python {start=12}\n    return subprocess.call(\"report.sh \" + name, shell=True)\n```"), "{body}");
    assert!(body.contains("a shell command built from a variable can be injected"));
    assert!(dir.join("scans/semgrep.sarif").exists());
    assert!(
        err.contains("findings/EX-3.md (Semgrep OSS rule pickle-loads, 1 result)"),
        "{err}"
    );

    // Excluded findings are left out of a build, listed by check, and marked with --include-excluded.
    let checked = run(&["check".as_ref(), dir.as_os_str()]);
    assert!(
        stderr(&checked)
            .contains("2 excluded (`exclude = true`, left out of the report): EX-3, EX-4"),
        "{}",
        stderr(&checked)
    );
    let pdf = build_ok(&dir, "without", &[]);
    let text = pdf_text(&pdf);
    assert!(!text.contains("pickle-loads") && !text.contains("DRAFT"));
    assert!(
        !text.contains("Semgrep OSS results became"),
        "drafts are not counted: {text}"
    );
    let pdf = build_ok(&dir, "with", &["--include-excluded"]);
    let text = pdf_text(&pdf);
    assert!(
        text.lines()
            .any(|l| l.contains("Semgrep Finding: pickle-loads") && l.contains("DRAFT")),
        "{text}"
    );
    assert!(
        text.contains("3 Semgrep OSS results became EX-3 and EX-4."),
        "{text}"
    );

    // A second import adds nothing, says so, and leaves an edited draft as it is.
    let edited = fs::read_to_string(dir.join("findings/EX-3.md")).unwrap() + "\nTriaged: real.\n";
    fs::write(dir.join("findings/EX-3.md"), &edited).unwrap();
    let again = import("sarif", &sarif, &dir, &[]);
    let err = stderr(&again);
    assert_eq!(again.status.code(), Some(0), "{err}");
    assert!(
        err.contains("skipped Semgrep OSS rule pickle-loads: a finding already came from it"),
        "{err}"
    );
    assert!(err.contains("already in scans/"), "{err}");
    assert!(!err.contains("wrote"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.join("findings/EX-3.md")).unwrap(),
        edited
    );
    assert_eq!(fs::read_dir(dir.join("findings")).unwrap().count(), 3);
}

#[test]
fn locations_outside_the_source_are_skipped_and_never_read() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_folder(tmp.path());
    let source = tmp.path().join("checkout");
    fs::create_dir_all(source.join("app")).unwrap();
    fs::write(tmp.path().join("secret.txt"), "TOP-SECRET-VALUE\n").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), source.join("app/link.py")).unwrap();
    let mut log: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fixture("scanned/scans/semgrep.sarif")).unwrap())
            .unwrap();
    let results = log["runs"][0]["results"].as_array_mut().unwrap();
    results.truncate(1);
    let template = results[0].clone();
    results.clear();
    for uri in [
        "../../etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        "app/link.py",
    ] {
        let mut r = template.clone();
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = uri.into();
        r["locations"][0]["physicalLocation"]["region"] =
            serde_json::json!({"startLine": 1, "endLine": 1});
        results.push(r);
    }
    let file = tmp.path().join("hostile.sarif");
    fs::write(&file, log.to_string()).unwrap();
    let out = import(
        "sarif",
        &file,
        &dir,
        &["--source".as_ref(), source.as_os_str()],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    for uri in [
        "../../etc/passwd",
        "/etc/passwd",
        "file:///etc/passwd",
        "app/link.py",
    ] {
        assert!(
            err.contains(&format!("skipped location \"{uri}\"")),
            "{uri}: {err}"
        );
    }
    let mut everything = String::new();
    for entry in fs::read_dir(dir.join("findings")).unwrap() {
        everything.push_str(&fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    assert!(!everything.contains("TOP-SECRET-VALUE") && !everything.contains("root:x:0:0"));
    assert!(!everything.contains("etc/passwd"), "{everything}");
}

#[test]
fn broken_inputs_get_one_clear_error_each_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_folder(tmp.path());
    let before: Vec<_> = fs::read_dir(dir.join("findings"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let good = fs::read_to_string(fixture("scanned/scans/semgrep.sarif")).unwrap();
    let cases = [
        (
            "truncated.sarif",
            good[..good.len() / 3].to_string(),
            "invalid JSON",
        ),
        (
            "old.sarif",
            r#"{"version": "1.0.0", "runLogs": []}"#.to_string(),
            "not a SARIF 2.1.0 log (version \"1.0.0\")",
        ),
    ];
    for (name, text, message) in cases {
        let file = tmp.path().join(name);
        fs::write(&file, text).unwrap();
        let out = import("sarif", &file, &dir, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.matches("error:").count(), 1, "{err}");
        assert!(err.contains(name) && err.contains(message), "{err}");
    }
    let issues = tmp.path().join("issues.json");
    fs::write(&issues, r#"{"number": 1, "title": "not in a list"}"#).unwrap();
    let out = import("github", &issues, &dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("not a list of issues"), "{err}");
    let after: Vec<_> = fs::read_dir(dir.join("findings"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after);
    assert!(!dir.join("scans").exists());
}

#[test]
fn github_issues_become_findings_and_unlabelled_ones_drafts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_folder(tmp.path());
    let file = fixture("issues/issues.json");
    let out = import("github", &file, &dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains(
            "warning: issue #16 \"Check the logging of failed logins\" has no severity label"
        ),
        "{err}"
    );
    let tokens = front(&dir.join("findings/EX-3.md"));
    assert_eq!(
        tokens["title"].as_str(),
        Some("Admin API accepts unsigned tokens")
    );
    assert_eq!(tokens["severity"].as_str(), Some("High"));
    assert_eq!(tokens["difficulty"].as_str(), Some("Low"));
    assert_eq!(tokens["type"].as_str(), Some("Authentication"));
    assert!(tokens.get("exclude").is_none());
    let limits = front(&dir.join("findings/EX-4.md"));
    assert_eq!(limits["severity"].as_str(), Some("Medium"));
    assert_eq!(limits["type"].as_str(), Some("Denial of Service"));
    let untriaged = front(&dir.join("findings/EX-5.md"));
    assert_eq!(untriaged["exclude"].as_bool(), Some(true));

    let pdf = build_ok(&dir, "issues", &[]);
    let text = pdf_text(&pdf);
    assert!(text.contains("Admin API accepts unsigned tokens"));
    assert!(text.contains("Rate limits reset on restart"));
    assert!(!text.contains("failed logins"), "the draft is left out");
    // The body is the write-up: Markdown, with raw HTML of the tracker kept as text.
    assert!(
        squash(&text).contains("Seenonv2.3andv2.4<b>only</b>."),
        "{text}"
    );
    assert!(text.contains("Issue #12"));

    let again = import("github", &file, &dir, &[]);
    assert!(stderr(&again).contains("skipped issue #12: already imported"));
    assert_eq!(fs::read_dir(dir.join("findings")).unwrap().count(), 4);
}

#[test]
fn a_rules_markdown_help_with_its_own_headings_gives_a_draft_that_loads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_folder(tmp.path());
    // CodeQL writes help like this: sections of its own under `##` headings.
    let mut log: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(fixture("scanned/scans/semgrep.sarif")).unwrap())
            .unwrap();
    for rule in log["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
    {
        rule["help"]["markdown"] =
            "## Recommendation\n\nDo not unpickle.\n\n```python\n# safe\njson.loads(blob)\n```\n\n## References\n\n- CWE-502".into();
    }
    let file = tmp.path().join("codeql-like.sarif");
    fs::write(&file, log.to_string()).unwrap();
    let out = import("sarif", &file, &dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let body = fs::read_to_string(dir.join("findings/EX-3.md")).unwrap();
    assert!(
        body.contains("### Recommendation") && body.contains("\n# safe\n"),
        "{body}"
    );
    let built = run(&[
        "build".as_ref(),
        dir.as_os_str(),
        "--include-drafts".as_ref(),
        "-o".as_ref(),
        tmp.path().join("x.pdf").as_os_str(),
    ]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(pdf_text(&tmp.path().join("x.pdf")).contains("Do not unpickle."));
}

/// Imports one GitHub issue with this body into a new folder, and checks it.
fn import_body(body: &str) -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_folder(tmp.path());
    let issues = tmp.path().join("issues.json");
    let json = serde_json::json!([{
        "number": 7, "title": "Token is not checked", "body": body, "state": "OPEN",
        "url": "https://github.com/acme/api/issues/7",
        "labels": [{"name": "severity: high"}, {"name": "difficulty: low"}, {"name": "type: authentication"}],
    }]);
    fs::write(&issues, json.to_string()).unwrap();
    let out = import("github", &issues, &dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = fs::read_to_string(dir.join("findings/EX-3.md")).unwrap();
    let out = run(&["check".as_ref(), "--no-spell".as_ref(), dir.as_os_str()]);
    assert!(
        out.status.success(),
        "the draft does not load:\n{}\n{text}",
        stderr(&out)
    );
    (tmp, dir, text)
}

#[test]
fn github_body_with_an_indented_shell_comment_keeps_it_as_code() {
    let (_tmp, _dir, text) =
        import_body("The token is not checked:\n\n    # a shell comment\n    curl -H 'x: y' api\n");
    assert!(text.contains("\n    # a shell comment\n"), "{text}");
    assert!(!text.contains("## a shell comment"), "{text}");
}

#[test]
fn github_body_with_a_setext_heading_is_demoted_and_loads() {
    let (_tmp, _dir, text) = import_body("Summary\n-------\n\nThe token is not checked.\n");
    assert!(text.contains("## Description\n\n### Summary\n"), "{text}");
}

#[test]
fn github_body_with_description_and_h1_steps_to_reproduce_loads() {
    let (_tmp, _dir, text) = import_body(
        "## Description\n\nThe token is not checked.\n\n# Steps to reproduce\n\n1. Call the API.",
    );
    assert!(
        text.contains("## Description\n\nThe token is not checked.\n\n### Steps to reproduce\n"),
        "{text}"
    );
}

#[test]
fn github_import_of_issue_1_after_issue_12_imports_both() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = new_folder(tmp.path());
    let issue = |n: u32| {
        serde_json::json!({
            "number": n, "title": format!("Issue {n}"), "body": "Text.", "state": "OPEN",
            "url": format!("https://github.com/acme/api/issues/{n}"),
            "labels": [{"name": "severity: low"}, {"name": "difficulty: low"}, {"name": "type: testing"}],
        })
    };
    let file = tmp.path().join("issues.json");
    fs::write(&file, serde_json::json!([issue(12)]).to_string()).unwrap();
    assert!(import("github", &file, &dir, &[]).status.success());
    fs::write(&file, serde_json::json!([issue(1), issue(12)]).to_string()).unwrap();
    let out = import("github", &file, &dir, &[]);
    let err = stderr(&out);
    assert!(!err.contains("skipped issue #1:"), "{err}");
    assert!(err.contains("skipped issue #12: already imported"), "{err}");
    assert_eq!(
        front(&dir.join("findings/EX-4.md"))["issue"].as_str(),
        Some("https://github.com/acme/api/issues/1")
    );
}

//! Every public JSON format of the command line has a JSON Schema under
//! tests/schemas/, and the real output of the binary is held to it: the
//! diagnostics, the events of watch and serve, the preview's state, the batch
//! summary, `diff --format json` and `export --format json`. The schemas are
//! strict (no unknown field, every field required, outcomes as enums), and
//! each test also breaks one field of a real output to show that its schema
//! notices: a renamed or respelt field fails here before a tool finds it.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;

use serde_json::Value;

use crate::common::{
    Serve, copy_dir, edit, example, example_folder, fixture, is_built, root, run, stderr, workspace,
};

/// The schema of tests/schemas/NAME, compiled; the diagnostic schema is
/// known to the others under its `$id`.
fn validator(name: &str) -> jsonschema::Validator {
    let read = |name: &str| -> Value {
        let text = fs::read_to_string(root().join("tests/schemas").join(name)).unwrap();
        serde_json::from_str(&text).unwrap()
    };
    let diagnostic = read("diagnostic.schema.json");
    let id = diagnostic["$id"].as_str().unwrap().to_string();
    jsonschema::options()
        .with_resource(id, jsonschema::Resource::from_contents(diagnostic).unwrap())
        .build(&read(name))
        .expect("the schema compiles")
}

/// Asserts that a value is valid, listing every error when not.
fn assert_valid(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} breaks its schema: {errors:#?}\n{value:#}"
    );
}

/// Asserts that the schema refuses a value after `change`.
fn assert_refused(validator: &jsonschema::Validator, value: &Value, change: impl Fn(&mut Value)) {
    let mut broken = value.clone();
    change(&mut broken);
    assert_ne!(&broken, value, "the change changed nothing");
    assert!(
        !validator.is_valid(&broken),
        "the schema accepts {broken:#}"
    );
}

/// Renames a key of an object, keeping its value.
fn rename(object: &mut Value, from: &str, to: &str) {
    let map = object.as_object_mut().unwrap();
    let value = map.remove(from).unwrap_or_else(|| panic!("no {from}"));
    map.insert(to.to_string(), value);
}

/// The JSON lines of `--diagnostic-format json` on standard error.
fn json_lines(err: &str) -> Vec<Value> {
    err.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

#[test]
fn diagnostics_match_their_schema() {
    let schema = validator("diagnostic.schema.json");
    // A build with one error and one warning.
    let (tmp, dir) = workspace(&example());
    edit(
        &dir,
        "audit.toml",
        "version = ",
        "colour = \"red\"\nversion = ",
    );
    edit(&dir, "findings.csv", "directory,High,", "directory,Hgh,");
    let pdf = tmp.path().join("out.pdf");
    let out = run(&[
        "build".as_ref(),
        dir.as_os_str(),
        "-o".as_ref(),
        pdf.as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = json_lines(&stderr(&out));
    let mut severities: Vec<&str> = lines
        .iter()
        .map(|d| d["severity"].as_str().unwrap())
        .collect();
    severities.sort_unstable();
    assert_eq!(severities, ["error", "warning"], "{lines:#?}");
    for d in &lines {
        assert_valid(&schema, d, "a diagnostic");
    }
    // Every diagnostic of the mistakes fixture, one with related places among them.
    let out = run(&[
        "check".as_ref(),
        fixture("mistakes").as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ]);
    let mistakes = json_lines(&stderr(&out));
    assert!(mistakes.len() > 10);
    let labelled = mistakes
        .iter()
        .find(|d| !d["labels"].as_array().unwrap().is_empty())
        .expect("a diagnostic with a related place");
    for d in &mistakes {
        assert_valid(&schema, d, "a diagnostic of mistakes/");
    }
    // A problem of no file: its place is null throughout.
    let blocked = tmp.path().join("file");
    fs::write(&blocked, "").unwrap();
    let out = run(&[
        "build".as_ref(),
        example().as_os_str(),
        "-o".as_ref(),
        blocked.join("x.pdf").as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
    ]);
    assert_ne!(out.status.code(), Some(0));
    let bare = json_lines(&stderr(&out));
    assert!(bare.iter().any(|d| d["file"].is_null()), "{bare:#?}");
    for d in &bare {
        assert_valid(&schema, d, "a diagnostic of no file");
    }
    // The schema notices a renamed field, a respelt severity, a half place
    // and a label with a field of its own.
    let d = lines.iter().find(|d| d["severity"] == "error").unwrap();
    assert_refused(&schema, d, |d| rename(d, "message", "text"));
    assert_refused(&schema, d, |d| d["severity"] = "fatal".into());
    assert_refused(&schema, d, |d| d["line"] = Value::Null);
    assert_refused(&schema, labelled, |d| d["labels"][0]["note"] = "x".into());
}

/// Reads serve's lines until its `serving` event and its first build's.
fn serve_json(dir: &Path) -> (Serve, Value, Value) {
    let (serve, serving) = Serve::spawn(dir);
    let built = serve.wait_built(true);
    (serve, serving, built)
}

#[test]
fn watch_and_serve_events_and_the_preview_state_match_their_schemas() {
    let events = validator("event.schema.json");
    let state_schema = validator("preview-state.schema.json");
    let (_tmp, dir) = workspace(&example());
    let (serve, serving, built) = serve_json(&dir);
    assert_valid(&events, &serving, "the serving event");
    assert_valid(&events, &built, "a built event");
    assert_eq!(built["result"], "ok");
    let state = serve.state();
    assert_valid(&state_schema, &state, "the preview's state");
    assert!(!state["pages"].as_array().unwrap().is_empty());
    // A failed build: its event, and the state with its diagnostics.
    edit(&dir, "findings.csv", "directory,High,", "directory,Hgh,");
    let failed = serve.wait_for_event(|e| is_built(e, false));
    assert_valid(&events, &failed, "the event of a failed build");
    assert_eq!(failed["result"], "failed");
    let state = serve.state();
    assert_valid(&state_schema, &state, "the state after a failed build");
    assert_eq!(state["ok"], false);
    assert!(!state["diagnostics"].as_array().unwrap().is_empty());

    assert_refused(&events, &built, |e| rename(e, "ms", "millis"));
    assert_refused(&events, &built, |e| e["result"] = "error".into());
    assert_refused(&events, &built, |e| e["ok"] = false.into());
    assert_refused(&events, &built, |e| {
        rename(&mut e["timings"], "pdf", "export")
    });
    assert_refused(&events, &serving, |e| rename(e, "url", "address"));
    assert_refused(&state_schema, &state, |s| {
        rename(&mut s["diagnostics"][0], "hints", "help");
    });
    assert_refused(&state_schema, &state, |s| rename(s, "pages", "page_hashes"));
}

#[test]
fn a_batch_summary_with_an_ok_and_a_failed_report_matches_its_schema() {
    let schema = validator("batch-summary.schema.json");
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&example(), &tmp.path().join("lumen"));
    copy_dir(&fixture("mistakes"), &tmp.path().join("broken"));
    let batch = tmp.path().join("b.toml");
    fs::write(
        &batch,
        "[[report]]\nfolder = \"lumen\"\noutput = \"out/a.pdf\"\nclassification = \"Public\"\n\n\
         [[report]]\nfolder = \"broken\"\noutput = \"out/b.pdf\"\n",
    )
    .unwrap();
    let summary = tmp.path().join("summary.json");
    let out = run(&[
        "batch".as_ref(),
        batch.as_os_str(),
        "--shard".as_ref(),
        "1/1".as_ref(),
        "--summary".as_ref(),
        summary.as_os_str(),
        "--format".as_ref(),
        "pdf,html,docx".as_ref(),
        "-q".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&fs::read_to_string(&summary).unwrap()).unwrap();
    assert_valid(&schema, &v, "the batch summary");
    let results: Vec<&str> = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["ok", "failed"]);
    // Every document the report wrote, each with its file's digest; the
    // first is the one `output` names.
    let ok = &v["reports"][0];
    let documents = ok["documents"].as_array().unwrap();
    let formats: Vec<&str> = documents
        .iter()
        .map(|d| d["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["pdf", "html", "docx"]);
    assert_eq!(documents[0]["output"], ok["output"]);
    assert_eq!(documents[0]["pages"], ok["pages"]);
    for d in documents {
        let file = d["output"].as_str().unwrap();
        let sum = std::process::Command::new("sha256sum")
            .arg(file)
            .current_dir(tmp.path())
            .output()
            .unwrap();
        let sum = String::from_utf8(sum.stdout).unwrap();
        assert_eq!(
            Some(d["sha256"].as_str().unwrap()),
            sum.split(' ').next(),
            "{file}"
        );
    }
    assert!(file_name_is(
        documents[1]["output"].as_str().unwrap(),
        "a.html"
    ));
    assert_eq!(v["reports"][1]["documents"], serde_json::json!([]));

    assert_refused(&schema, &v, |v| {
        rename(&mut v["reports"][0], "seconds", "secs")
    });
    assert_refused(&schema, &v, |v| v["reports"][1]["result"] = "error".into());
    assert_refused(&schema, &v, |v| v["reports"][0]["output"] = Value::Null);
    assert_refused(&schema, &v, |v| {
        v["reports"][0]["variant"]["colour"] = "red".into();
    });
    assert_refused(&schema, &v, |v| {
        v["reports"][0]["documents"][1]["format"] = "odt".into();
    });
    assert_refused(&schema, &v, |v| {
        v["reports"][0]["documents"][0]["pages"] = Value::Null;
    });
    assert_refused(&schema, &v, |v| {
        v["reports"][0]["documents"] = serde_json::json!([])
    });
    assert_refused(&schema, &v, |v| {
        v["reports"][1]["documents"] = v["reports"][0]["documents"].clone();
    });
}

/// Whether a path's file name is `name`.
fn file_name_is(path: &str, name: &str) -> bool {
    Path::new(path).file_name().is_some_and(|n| n == name)
}

#[test]
fn diff_json_matches_its_schema() {
    let schema = validator("diff.schema.json");
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = (tmp.path().join("v2"), tmp.path().join("v3"));
    copy_dir(&example(), &old);
    crate::review::second_version(&old, &new);
    let out = run(&[
        "diff".as_ref(),
        old.as_os_str(),
        new.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&schema, &v, "the diff");
    // Every kind of change is there to be checked.
    let kinds: std::collections::BTreeSet<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 5, "{kinds:?}");

    let at = |kind: &str| {
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c["kind"] == kind)
            .unwrap()
    };
    let changed = at("finding-changed");
    assert_refused(&schema, &v, |v| {
        rename(&mut v["changes"][changed], "new", "to")
    });
    assert_refused(&schema, &v, |v| {
        v["changes"][0]["kind"] = "finding-moved".into()
    });
    assert_refused(&schema, &v, |v| rename(&mut v["old"], "date", "day"));
}

#[test]
fn export_json_matches_its_schema() {
    let schema = validator("export.schema.json");
    let (_tmp, pentest) = example_folder("pentest");
    let mut exported = Vec::new();
    for dir in [example(), pentest, fixture("fixreview")] {
        let out = run(&[
            "export".as_ref(),
            dir.as_os_str(),
            "--format".as_ref(),
            OsStr::new("json"),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_valid(&schema, &v, &format!("the export of {}", dir.display()));
        exported.push(v);
    }
    // CVSS scores, CWE fields and fix reviews were among what was checked.
    let findings: Vec<&Value> = exported
        .iter()
        .flat_map(|v| v["findings"].as_array().unwrap())
        .collect();
    assert!(findings.iter().any(|f| f["cvss"].is_object()));
    assert!(findings.iter().any(|f| f["fix"].is_object()));
    assert!(findings.iter().any(|f| {
        f["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["value"].is_object())
    }));

    let v = &exported[1];
    assert_refused(&schema, v, |v| {
        rename(&mut v["findings"][0], "severity", "level")
    });
    assert_refused(&schema, v, |v| {
        v["findings"][0]["cvss"]["rating"] = "Severe".into()
    });
    assert_refused(&schema, v, |v| {
        rename(&mut v["report"], "client", "customer")
    });
}

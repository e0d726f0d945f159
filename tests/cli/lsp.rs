//! `auditpress lsp` driven over stdio as an editor drives it: the protocol's
//! messages in, its answers and published diagnostics out.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::*;

/// A running server and the messages it sent that were not yet taken.
pub struct Lsp {
    pub child: Child,
    stdin: ChildStdin,
    rx: mpsc::Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for a response.
    pub pending: Vec<Value>,
}

pub fn uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap();
    format!("file://{}", path.display())
}

impl Lsp {
    pub fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_auditpress"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        length = v.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                r.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut lsp = Self {
            child,
            stdin,
            rx,
            next_id: 0,
            pending: Vec::new(),
        };
        let init = lsp.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        assert!(
            init["result"]["capabilities"]["completionProvider"].is_object(),
            "{init}"
        );
        lsp.notify("initialized", json!({}));
        lsp
    }

    pub fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    pub fn next(&mut self) -> Value {
        self.rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    /// Sends a request and returns its response, keeping notifications.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.next();
            if m.get("id") == Some(&json!(id)) {
                return m;
            }
            self.pending.push(m);
        }
    }

    /// The next diagnostics published for a file.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        if let Some(i) = self.pending.iter().position(|m| is_publish(m, uri)) {
            let m = self.pending.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let m = self.next();
            if is_publish(&m, uri) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.pending.push(m);
        }
    }

    pub fn open(&mut self, path: &Path) -> String {
        let u = uri(path);
        let text = std::fs::read_to_string(path).unwrap();
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": "markdown", "version": 1, "text": text}}),
        );
        u
    }

    pub fn change(&mut self, u: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": u, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    pub fn at(&mut self, method: &str, u: &str, line: usize, character: usize) -> Value {
        self.request(
            method,
            json!({"textDocument": {"uri": u}, "position": {"line": line, "character": character}}),
        )
    }

    pub fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.get("error").is_none(), "{r}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success());
    }
}

/// A test that fails leaves no server running.
impl Drop for Lsp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_publish(m: &Value, uri: &str) -> bool {
    m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
}

fn labels(completion: &Value) -> Vec<String> {
    completion["result"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

/// Line and UTF-16 column of the first `needle` in `text`, 0-based.
fn lc(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap();
    let before = &text[..at];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].encode_utf16().count())
}

#[test]
fn the_server_checks_as_you_type_and_answers_from_the_folder() {
    let (_tmp, dir) = workspace(&example());
    let mut lsp = Lsp::start();
    // A finding written in its file alone, opened in the editor.
    let file = dir.join("findings/NWS-LUMEN-20.md");
    let text = "+++\ntitle = \"Session token is logged\"\nseverity = \"Low\"\ndifficulty = \"Low\"\ntype = \"Data Exposure\"\ntarget = \"lumen-console/src/auth/session.ts#90\"\nstatus = \"Unresolved\"\n+++\n\n## Description\n\nThe token is written to the log.\n\n## Exploit Scenario\n\nAn operator reads it.\n\n## Recommendations\n\nLog a hash of it.\n";
    std::fs::write(&file, text).unwrap();
    let u = lsp.open(&file);
    assert_eq!(lsp.diagnostics(&u), Vec::<Value>::new());

    // A bad severity typed, not saved: the diagnostic at its place, with
    // check's message and hint.
    let typed = text.replace("severity = \"Low\"", "severity = \"Hihg\"");
    lsp.change(&u, 2, &typed);
    let d = lsp.diagnostics(&u);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["range"]["start"], json!({"line": 2, "character": 11}));
    assert_eq!(d[0]["severity"], 1);
    let message = d[0]["message"].as_str().unwrap();
    assert!(message.contains("unknown severity \"Hihg\""), "{message}");
    assert!(message.contains("did you mean \"High\"?"), "{message}");

    // The quick fix applies the "did you mean", from the data the
    // diagnostic carries: the name inside the value's quotes.
    assert_eq!(
        d[0]["data"],
        json!({"fixes": [{"replace": {"range": {"start": {"line": 2, "character": 12}, "end": {"line": 2, "character": 16}}, "with": "High"}}]}),
    );
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": d[0]["range"], "context": {"diagnostics": d}}),
    );
    let fix = &actions["result"][0];
    assert_eq!(fix["title"], "Replace with \"High\"", "{actions}");
    assert_eq!(fix["kind"], "quickfix", "{actions}");
    let edit = &fix["edit"]["changes"][&u][0];
    assert_eq!(edit["newText"], "High");
    assert_eq!(edit["range"], d[0]["data"]["fixes"][0]["replace"]["range"]);

    // Completion of the severity value offers the style's severities.
    let c = lsp.at("textDocument/completion", &u, 2, 12);
    let got = labels(&c);
    for s in ["High", "Medium", "Low", "Informational"] {
        assert!(got.contains(&s.to_string()), "{got:?}");
    }
    // After "## ", the style's sections.
    let got = labels(&lsp.at("textDocument/completion", &u, lc(text, "## Exploit").0, 3));
    assert!(got.contains(&"Exploit Scenario".to_string()), "{got:?}");

    // Fixed again: the diagnostics are cleared.
    lsp.change(&u, 3, text);
    assert_eq!(lsp.diagnostics(&u).len(), 0);

    // Hover on a finding id in prose, and go to its definition.
    let csv = dir.join("findings.csv");
    let cu = lsp.open(&csv);
    let _ = lsp.diagnostics(&cu);
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    let (line, col) = lc(&csv_text, "NWS-LUMEN-2");
    let h = lsp.at("textDocument/hover", &cu, line, col + 2);
    let shown = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        shown.contains("**NWS-LUMEN-2** Console session tokens do not expire"),
        "{shown}"
    );
    assert!(shown.contains("severity: Medium"), "{shown}");
    let def = lsp.at("textDocument/definition", &cu, line, col + 2);
    assert_eq!(
        def["result"]["uri"],
        uri(&dir.join("findings/NWS-LUMEN-2.md")),
        "{def}"
    );
    // A severity cell of findings.csv completes from the style.
    let (sl, sc) = lc(&csv_text, ",Medium,Medium");
    let got = labels(&lsp.at("textDocument/completion", &cu, sl, sc + 1));
    assert!(got.contains(&"Informational".to_string()), "{got:?}");
    // Document symbols: one per finding row, named by its id, however many
    // lines its quoted cells take (a line of a cell is no row).
    let symbols = lsp.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": cu}}),
    );
    let names: Vec<&str> = symbols["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let ids: Vec<String> = (1..=10).map(|n| format!("NWS-LUMEN-{n}")).collect();
    assert!(
        csv_text.lines().count() > ids.len() + 1,
        "a row takes lines"
    );
    assert_eq!(names, ids, "{symbols}");
    lsp.stop();
}

/// What `check` reports for a folder, as (file URI, line, column, first
/// line of the message), 0-based, a problem of no file at audit.toml's start.
fn checked(dir: &Path, spell: bool) -> Vec<(String, u64, u64, String)> {
    let mut args: Vec<&std::ffi::OsStr> = vec!["check".as_ref()];
    if !spell {
        args.push("--no-spell".as_ref());
    }
    args.extend([
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
        dir.as_os_str(),
    ]);
    let check = run(&args);
    let mut expected = Vec::new();
    for line in stderr(&check).lines().filter(|l| l.starts_with('{')) {
        let d: Value = serde_json::from_str(line).unwrap();
        let (file, line, column) = match d["file"].as_str() {
            Some(f) => (
                Path::new(f).to_path_buf(),
                d["line"].as_u64().unwrap() - 1,
                d["column"].as_u64().unwrap() - 1,
            ),
            None => (dir.join("audit.toml"), 0, 0),
        };
        expected.push((
            format!("file://{}", file.canonicalize().unwrap().display()),
            line,
            column,
            d["message"].as_str().unwrap().to_string(),
        ));
    }
    expected.sort();
    expected
}

/// What the server publishes for the files `check` names, opening `open`.
fn published(
    lsp: &mut Lsp,
    open: &Path,
    expected: &[(String, u64, u64, String)],
) -> Vec<(String, u64, u64, String)> {
    let _ = lsp.open(open);
    let mut files: Vec<String> = expected.iter().map(|e| e.0.clone()).collect();
    files.sort();
    files.dedup();
    let mut got = Vec::new();
    for f in &files {
        for d in lsp.diagnostics(f) {
            got.push((
                f.clone(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
                d["message"]
                    .as_str()
                    .unwrap()
                    .lines()
                    .next()
                    .unwrap()
                    .to_string(),
            ));
        }
    }
    got.sort();
    got
}

#[test]
fn the_server_publishes_what_check_reports_for_each_mistake() {
    let (_tmp, dir) = workspace(&fixture("mistakes"));
    let expected = checked(&dir, false);
    assert!(expected.len() > 10, "{expected:?}");
    let mut lsp = Lsp::start();
    let got = published(&mut lsp, &dir.join("audit.toml"), &expected);
    assert_eq!(got, expected);
    lsp.stop();
}

#[test]
fn the_server_spells_as_check_spells_in_every_kind_of_prose() {
    // Misspellings in a finding's section (a second paragraph), a section
    // file, a findings.csv cell (a cell's text is not read in place), and
    // a grammar mistake: the server says what `check` says, at its place.
    let (_tmp, dir) = workspace(&example());
    let edit = |rel: &str, from: &str, to: &str| {
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel}: {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "sections/notices.md",
        "The review was time-boxed.",
        "The reveiw was time-boxed. It is a an review.",
    );
    edit("findings.csv", "secrets", "secrest");
    let finding = std::fs::read_dir(dir.join("findings"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .unwrap();
    let text = std::fs::read_to_string(&finding).unwrap();
    std::fs::write(
        &finding,
        format!(
            "{text}
The agent shoud recieve it.
"
        ),
    )
    .unwrap();
    let expected = checked(&dir, true);
    let spelled: Vec<&str> = expected.iter().map(|e| e.3.as_str()).collect();
    for word in ["reveiw", "secrest", "shoud", "recieve"] {
        let message = format!("possible misspelling `{word}`");
        assert!(spelled.contains(&message.as_str()), "{expected:#?}");
    }
    assert!(
        spelled.iter().any(|m| m.starts_with("grammar: ")),
        "{expected:#?}"
    );
    let mut lsp = Lsp::start();
    let got = published(&mut lsp, &finding, &expected);
    assert_eq!(got, expected);
    lsp.stop();
}

#[test]
fn garbage_and_unfit_parameters_leave_the_server_serving() {
    let (_tmp, dir) = workspace(&example());
    let mut lsp = Lsp::start();
    // The product has no method that panics on request: a panic is shown
    // by the unit test of cmd::lsp; here, that name is just unknown.
    let r = lsp.request("auditpress/panic", Value::Null);
    assert_eq!(r["error"]["code"], -32601, "{r}");
    // Parameters that do not fit their method: an error, and serving on.
    let r = lsp.request("textDocument/hover", json!({"textDocument": 7}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // Garbage: not JSON, a stray line, then a real request still answered.
    lsp.raw(b"Content-Length: 9\r\n\r\n{not json");
    let m = lsp.next();
    assert_eq!(m["error"]["code"], -32700, "{m}");
    lsp.raw(b"hello there\r\n");
    let u = lsp.open(&dir.join("findings/NWS-LUMEN-1.md"));
    assert_eq!(lsp.diagnostics(&u).len(), 0);
    let r = lsp.request("no/such/method", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let h = lsp.at("textDocument/hover", &u, 0, 0);
    assert!(h.get("result").is_some(), "{h}");
    lsp.stop();
}

#[test]
fn completion_offers_the_folders_own_house_style() {
    // The smart-contract example, with its style beside it.
    let (_tmp, dir) = example_folder("smart-contract");
    let mut lsp = Lsp::start();
    let file = dir.join("findings/M-1.md");
    let u = lsp.open(&file);
    assert_eq!(lsp.diagnostics(&u), Vec::<Value>::new());
    let text = std::fs::read_to_string(&file).unwrap();

    // Sections after "## ": the style's, not the standard ones.
    let (line, _) = lc(&text, "## Impact");
    let got = labels(&lsp.at("textDocument/completion", &u, line, 3));
    assert_eq!(
        got,
        [
            "Description",
            "Impact",
            "Proof of Concept",
            "Recommended Mitigation"
        ]
    );

    // A severity in front matter: the style's severities, Gas Optimization among them.
    let typed = format!("+++\nseverity = \"\"\n+++\n{text}");
    lsp.change(&u, 2, &typed);
    let got = labels(&lsp.at("textDocument/completion", &u, 1, 12));
    assert!(got.contains(&"Gas Optimization".to_string()), "{got:?}");
    assert!(got.contains(&"Critical".to_string()), "{got:?}");
    assert!(!got.contains(&"Undetermined".to_string()), "{got:?}");
    // Its library's write-ups after `from = "`, with their titles.
    let typed = format!("+++\nfrom = \"\"\n+++\n{text}");
    lsp.change(&u, 3, &typed);
    let got = labels(&lsp.at("textDocument/completion", &u, 1, 8));
    assert_eq!(got, ["missing-event", "unchecked-transfer"]);

    // Workspace symbols find findings by title.
    let found = lsp.request("workspace/symbol", json!({"query": "rounds shares"}));
    let names: Vec<&str> = found["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 1, "{found}");
    assert!(names[0].starts_with("M-1 "), "{names:?}");
    lsp.stop();
}

#[test]
fn neovims_own_client_gets_the_diagnostic_and_the_styles_severities() {
    // A real editor: Neovim's built-in LSP client, headless. CI installs it
    // (.ci/run); without it this test fails rather than passing unseen.
    let (tmp, dir) = workspace(&example());
    let file = dir.join("findings/NWS-LUMEN-20.md");
    std::fs::write(
        &file,
        "+++\ntitle = \"Session token is logged\"\nseverity = \"Low\"\ndifficulty = \"Low\"\ntype = \"Data Exposure\"\nstatus = \"Unresolved\"\n+++\n\n## Description\n\nThe token is written to the log.\n",
    )
    .unwrap();
    let out = tmp.path().join("seen.txt");
    if Command::new("nvim").arg("--version").output().is_err() {
        tool_missing("neovim (nvim)");
        return;
    }
    let status = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!(
            "luafile {}",
            root().join("tests/editors/neovim.lua").display()
        ))
        .env("AP_BIN", env!("CARGO_BIN_EXE_auditpress"))
        .env("AP_FILE", &file)
        .env("AP_OUT", &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("nvim runs");
    assert!(status.success());
    let seen = std::fs::read_to_string(&out).unwrap();
    let diags: Vec<&str> = seen.lines().filter(|l| l.starts_with("diag ")).collect();
    assert_eq!(diags.len(), 1, "{seen}");
    assert!(
        diags[0].starts_with("diag 2:11 unknown severity \"Hihg\""),
        "{seen}"
    );
    for s in ["High", "Medium", "Low", "Informational", "Undetermined"] {
        assert!(seen.lines().any(|l| l == format!("item {s}")), "{seen}");
    }
}

#[test]
fn the_neovim_07_snippet_of_the_docs_reuses_one_server_for_two_files_of_a_folder() {
    if Command::new("nvim").arg("--version").output().is_err() {
        tool_missing("neovim (nvim)");
        return;
    }
    let (tmp, dir) = workspace(&example());
    // The snippet as docs/editors.md gives it, with this build's binary.
    let docs = std::fs::read_to_string(root().join("docs/editors.md")).unwrap();
    let after = &docs[docs.find("## Neovim (0.7").unwrap()..];
    let start = after.find("```lua\n").unwrap() + "```lua\n".len();
    let snippet = &after[start..start + after[start..].find("```").unwrap()];
    let bin = env!("CARGO_BIN_EXE_auditpress");
    let cmd = "cmd = { \"auditpress\", \"lsp\" }";
    assert!(snippet.contains(cmd), "{snippet}");
    let init = tmp.path().join("init.lua");
    std::fs::write(
        &init,
        snippet.replace(cmd, &format!("cmd = {{ \"{bin}\", \"lsp\" }}")),
    )
    .unwrap();
    let out = tmp.path().join("seen.txt");
    let status = Command::new("nvim")
        .arg("--headless")
        .arg("-n")
        .arg("-u")
        .arg(&init)
        .arg("-c")
        .arg(format!(
            "edit {}",
            dir.join("findings/NWS-LUMEN-1.md").display()
        ))
        .arg("-c")
        .arg(format!("edit {}", dir.join("findings.csv").display()))
        .arg("-c")
        .arg(format!(
            "luafile {}",
            root().join("tests/editors/snippet-check.lua").display()
        ))
        .env("AP_OUT", &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("nvim runs");
    assert!(status.success());
    let seen = std::fs::read_to_string(&out).unwrap();
    assert_eq!(seen, "clients 1\nbuffers 2\n", "one server for both files");
}

#[test]
fn cwe_ids_complete_and_hover_with_their_names_and_levels_lead_to_the_style() {
    let (tmp, dir) = example_folder("pentest");
    let mut lsp = Lsp::start();
    let file = dir.join("findings/EX-PT-26-01.md");
    let u = lsp.open(&file);
    assert_eq!(lsp.diagnostics(&u), Vec::<Value>::new());
    let text = std::fs::read_to_string(&file).unwrap();
    let typed = format!("+++\ncwe = \"\"\n+++\nSee CWE-79 and High.\n{text}");
    lsp.change(&u, 2, &typed);
    let c = lsp.at("textDocument/completion", &u, 1, 7);
    let items = c["result"]["items"].as_array().unwrap();
    let xss = items
        .iter()
        .find(|i| i["label"] == "CWE-79")
        .expect("CWE-79 offered");
    assert!(
        xss["detail"]
            .as_str()
            .unwrap()
            .starts_with("Improper Neutralization of Input During Web Page Generation"),
        "{xss}"
    );
    let h = lsp.at("textDocument/hover", &u, 3, 6);
    let shown = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("Improper Neutralization"), "{shown}");
    // A severity's definition, and its place in the style folder.
    let h = lsp.at("textDocument/hover", &u, 3, 16);
    let shown = h["result"]["contents"]["value"].as_str().unwrap();
    assert!(shown.starts_with("**High** (severity): "), "{shown}");
    let def = lsp.at("textDocument/definition", &u, 3, 16);
    let style_toml = tmp.path().join("style/style.toml");
    assert_eq!(def["result"]["uri"], uri(&style_toml), "{def}");
    let line = def["result"]["range"]["start"]["line"].as_u64().unwrap() as usize;
    let style_text = std::fs::read_to_string(&style_toml).unwrap();
    assert!(
        style_text
            .lines()
            .nth(line)
            .unwrap()
            .contains("name = \"High\"")
    );
    lsp.stop();
}

/// A finding of the example, written in its own file.
const TOKEN_FINDING: &str = "+++\ntitle = \"Session token is logged\"\nseverity = \"Low\"\ndifficulty = \"Low\"\ntype = \"Data Exposure\"\nstatus = \"Unresolved\"\n+++\n\n## Description\n\nThe token is written to the log.\n";

#[test]
fn a_misspelling_typed_is_underlined_then_replaced_or_added_to_words_txt() {
    let (_tmp, dir) = workspace(&example());
    let file = dir.join("findings/NWS-LUMEN-20.md");
    std::fs::write(&file, TOKEN_FINDING).unwrap();
    let mut lsp = Lsp::start();
    let u = lsp.open(&file);
    assert_eq!(lsp.diagnostics(&u), Vec::<Value>::new());

    // Typed, not saved: the warning `check` gives, at the word.
    let typed = TOKEN_FINDING.replace("to the log.", "to the log, where operators recieve it.");
    lsp.change(&u, 2, &typed);
    let d = lsp.diagnostics(&u);
    assert_eq!(d.len(), 1, "{d:?}");
    let (line, col) = lc(&typed, "recieve");
    assert_eq!(
        d[0]["range"],
        json!({"start": {"line": line, "character": col}, "end": {"line": line, "character": col + 7}})
    );
    assert_eq!(d[0]["severity"], 2);
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("possible misspelling `recieve`"),
        "{message}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), TOKEN_FINDING);

    // Its actions: each suggestion, and words.txt.
    let actions = lsp.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": d[0]["range"], "context": {"diagnostics": d}}),
    );
    let list = actions["result"].as_array().unwrap();
    let titles: Vec<&str> = list.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles[0], "Replace with \"receive\"", "{actions}");
    assert_eq!(
        *titles.last().unwrap(),
        "Add \"recieve\" to words.txt",
        "{actions}"
    );
    let edit = &list[0]["edit"]["changes"][&u][0];
    assert_eq!(edit["range"], d[0]["range"]);
    assert_eq!(edit["newText"], "receive");

    // Replaced as the editor applies it: the warning goes.
    let fixed = typed.replace("recieve", "receive");
    lsp.change(&u, 3, &fixed);
    assert_eq!(lsp.diagnostics(&u), Vec::<Value>::new());

    // Typed again, then added to words.txt: the file holds it, the warning goes.
    lsp.change(&u, 4, &typed);
    assert_eq!(lsp.diagnostics(&u).len(), 1);
    let command = &list.last().unwrap()["command"];
    let r = lsp.request(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    );
    assert!(r.get("error").is_none(), "{r}");
    let words = std::fs::read_to_string(dir.join("words.txt")).unwrap();
    assert!(
        words.ends_with("\nrecieve\n") || words == "recieve\n",
        "{words:?}"
    );
    assert_eq!(lsp.diagnostics(&u), Vec::<Value>::new());
    lsp.stop();
}

#[test]
fn in_neovim_a_misspelling_typed_is_underlined_replaced_and_added_to_words_txt() {
    // Neovim's own client, headless (tests/editors/neovim-spelling.lua):
    // the writer types "recieve" in a finding and does not save.
    if Command::new("nvim").arg("--version").output().is_err() {
        tool_missing("neovim (nvim)");
        return;
    }
    let (tmp, dir) = workspace(&example());
    let file = dir.join("findings/NWS-LUMEN-20.md");
    std::fs::write(&file, TOKEN_FINDING).unwrap();
    let words_before = std::fs::read_to_string(dir.join("words.txt")).unwrap();
    let out = tmp.path().join("seen.txt");
    let status = Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!(
            "luafile {}",
            root().join("tests/editors/neovim-spelling.lua").display()
        ))
        .env("AP_BIN", env!("CARGO_BIN_EXE_auditpress"))
        .env("AP_FILE", &file)
        .env("AP_OUT", &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("nvim runs");
    assert!(status.success());
    let seen = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    // The sentence goes on line 12 (index 12, after a blank line 11);
    // "recieve" starts at column 14.
    let diag = "diag 12:14 possible misspelling `recieve`";
    let first = lines.iter().position(|l| l.starts_with(diag));
    assert!(first.is_some(), "{seen}");
    assert_eq!(lines[0], "clean", "{seen}");
    assert_eq!(lines[2], "modified true", "unsaved: {seen}");
    assert!(lines.contains(&"action Replace with \"receive\""), "{seen}");
    assert!(
        lines.contains(&"action Add \"recieve\" to words.txt"),
        "{seen}"
    );
    // Replaced: the line reads "receive", and the warning went.
    let replaced = lines
        .iter()
        .position(|l| *l == "line The operators receive the token.")
        .unwrap_or_else(|| panic!("{seen}"));
    assert_eq!(lines[replaced + 1], "clean", "{seen}");
    // Typed again and added: words.txt holds the word, the warning went,
    // and the finding was never saved.
    assert_eq!(
        lines.iter().filter(|l| l.starts_with(diag)).count(),
        2,
        "{seen}"
    );
    assert_eq!(
        lines[lines.len() - 2..],
        ["clean", "modified true"],
        "{seen}"
    );
    let words = std::fs::read_to_string(dir.join("words.txt")).unwrap();
    assert_eq!(words, format!("{words_before}recieve\n"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), TOKEN_FINDING);
}

//! `auditpress serve`: the live preview, checked over HTTP and in a real
//! headless Chromium driven through the DevTools protocol.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::*;

fn finding_with_script_title() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    fs::write(
        dir.join("findings.csv"),
        csv.replace(
            "Verbose error pages",
            "Verbose <script>alert(1)</script> pages",
        ),
    )
    .unwrap();
    (tmp, dir)
}

#[test]
fn the_server_answers_only_its_routes_for_local_hosts() {
    let (_tmp, dir) = finding_with_script_title();
    let serve = Serve::start(&dir);
    let local = serve.local();
    let (status, page) = serve.get("/", &local);
    assert_eq!(status, 200);
    assert!(page.contains("<script src=\"/preview.js\"></script>"));
    assert!(!page.contains("alert(1)"), "no data in the page itself");
    assert_eq!(serve.get("/", &format!("localhost:{}", serve.port)).0, 200);
    // DNS rebinding: a name that resolves here is still refused.
    assert_eq!(
        serve
            .get("/", &format!("attacker.example:{}", serve.port))
            .0,
        403
    );
    assert_eq!(
        serve
            .get("/state", &format!("attacker.example:{}", serve.port))
            .0,
        403
    );
    // Nothing of the folder is served by path.
    for path in [
        "/audit.toml",
        "/findings.csv",
        "/../audit.toml",
        "/page/../audit.toml",
        "/page/99.svg",
        "/etc/passwd",
    ] {
        assert_eq!(serve.get(path, &local).0, 404, "{path}");
    }
    let (status, svg) = serve.get("/page/0.svg", &local);
    assert_eq!(status, 200);
    assert!(svg.contains("<svg"), "{}", &svg[..svg.len().min(200)]);
    // The outline carries the title as data, for the page to show as text.
    let state = serve.state();
    let titles: Vec<&str> = state["outline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.contains("Verbose <script>alert(1)</script> pages")),
        "{titles:?}"
    );
}

#[test]
fn an_edit_changes_only_its_pages_and_a_broken_edit_keeps_the_last_good_ones() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let serve = Serve::start(&dir);
    let before = serve.state();
    let (csv, good) = retitle_finding(&dir);
    serve.wait_built(true);
    let after = serve.state();
    let pages = |s: &serde_json::Value| -> Vec<String> {
        s["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect()
    };
    let changed = pages(&before)
        .iter()
        .zip(pages(&after))
        .filter(|(a, b)| *a != b)
        .count();
    // The findings run on: a new title changes its line of the contents,
    // its row of the summary, the page of its finding and the fix review,
    // half the pages of this short report at most.
    assert!(
        changed >= 1 && changed * 2 <= pages(&after).len(),
        "{changed} of {} pages changed",
        pages(&after).len()
    );

    fs::write(&csv, good.replace("High,Low", "Hgh,Low")).unwrap();
    serve.wait_built(false);
    let broken = serve.state();
    assert_eq!(pages(&broken), pages(&after), "the last good pages stay");
    let d = &broken["diagnostics"][0];
    assert_eq!(d["message"], "unknown severity \"Hgh\"");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(31))
    );

    fs::write(&csv, &good).unwrap();
    serve.wait_built(true);
    assert!(serve.state()["diagnostics"].as_array().unwrap().is_empty());
}

/// A headless Chromium driven through the DevTools protocol.
struct Browser {
    child: Child,
    socket: tungstenite::WebSocket<TcpStream>,
    next: u64,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn launch() -> Option<Browser> {
        let chromium = ["chromium", "chromium-browser"].into_iter().find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })?;
        let profile = tempfile::tempdir().unwrap();
        let mut child = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Chromium says where its DevTools listen on standard error.
        let err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = tx.send(url.trim().to_string());
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("Chromium starts");
        let port: u16 = url
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // The page target of about:blank.
        // DevTools' HTTP server keeps the connection open: read Content-Length bytes.
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            &stream,
            "GET /json/list HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let body = String::from_utf8(body).unwrap();
        let targets: serde_json::Value = serde_json::from_str(&body).unwrap();
        let page = targets
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["type"] == "page")
            .expect("a page target");
        let ws = page["webSocketDebuggerUrl"].as_str().unwrap();
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (socket, _) = tungstenite::client(ws, stream).expect("DevTools connection");
        Some(Browser {
            child,
            socket,
            next: 0,
            _profile: profile,
        })
    }

    /// Sends a DevTools command and returns its result.
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.next += 1;
        let id = self.next;
        let message = serde_json::json!({"id": id, "method": method, "params": params});
        self.socket
            .send(tungstenite::Message::Text(message.to_string().into()))
            .unwrap();
        loop {
            let reply = self.socket.read().unwrap();
            if let tungstenite::Message::Text(text) = reply {
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                if value["id"] == id {
                    return value["result"].clone();
                }
            }
        }
    }

    /// Evaluates JavaScript in the page and returns its value.
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        let result = self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expression, "returnByValue": true}),
        );
        result["result"]["value"].clone()
    }

    /// Waits until an expression is true in the page.
    fn until(&mut self, expression: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.eval(expression) == serde_json::Value::Bool(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let seen = self.eval(
            "JSON.stringify({version: document.body.dataset.version, images: Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.src])})",
        );
        panic!("the page never showed {what}; it holds {seen}");
    }
}

#[test]
fn a_real_browser_sees_pages_edits_and_diagnostics_without_reloading() {
    let Some(mut browser) = Browser::launch() else {
        tool_missing("chromium");
        return;
    };
    let (_tmp, dir) = finding_with_script_title();
    let serve = Serve::start(&dir);
    browser.call(
        "Page.navigate",
        serde_json::json!({"url": format!("http://{}/", serve.local())}),
    );
    browser.until(
        "document.images.length > 5 && Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        "its pages",
    );
    let loaded_at = browser.eval("window.previewLoadedAt");
    // The outline shows the title as text: no script element came from the data.
    browser.until("document.querySelector('nav').textContent.includes('Verbose <script>alert(1)</script> pages')", "the outline");
    assert_eq!(
        browser.eval("document.querySelectorAll('script').length"),
        1
    );
    assert_eq!(
        browser.eval("document.querySelectorAll('nav script').length"),
        0
    );

    // An edit on disk: the changed page is fetched again, the page is not reloaded.
    let sources = browser.eval("Array.from(document.images).map(i => i.src)");
    let (csv, good) = retitle_finding(&dir);
    serve.wait_built(true);
    browser.until(
        &format!(
            "JSON.stringify(Array.from(document.images).map(i => i.src)) !== {}",
            serde_json::to_string(&sources.to_string()).unwrap()
        ),
        "the changed page",
    );
    browser.until(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        "the new page loaded",
    );
    assert!(
        browser
            .eval("document.querySelector('nav').textContent")
            .as_str()
            .unwrap()
            .contains("Outdated TLS library in the router")
    );
    assert_eq!(
        browser.eval("window.previewLoadedAt"),
        loaded_at,
        "the page was reloaded"
    );
    let after = browser.eval("Array.from(document.images).map(i => i.src)");
    let changed = sources
        .as_array()
        .unwrap()
        .iter()
        .zip(after.as_array().unwrap())
        .filter(|(a, b)| a != b)
        .count();
    // Half the pages of this short report at most (its contents, summary,
    // finding and fix review: the findings run on).
    assert!(
        changed >= 1 && changed * 2 <= after.as_array().unwrap().len(),
        "{changed} pages were fetched again"
    );

    // A broken edit: its diagnostic over the last good pages; fixed, it goes.
    fs::write(&csv, good.replace("High,Low", "Hgh,Low")).unwrap();
    browser.until(
        "document.getElementById('problems').classList.contains('shown')",
        "the diagnostic",
    );
    let problems = browser.eval("document.getElementById('problems').textContent");
    let problems = problems.as_str().unwrap();
    assert!(problems.contains("findings.csv:2:"), "{problems}");
    assert!(problems.contains("unknown severity \"Hgh\""), "{problems}");
    assert!(problems.contains("did you mean \"High\"?"), "{problems}");
    assert_eq!(
        browser.eval("document.images.length"),
        serde_json::json!(after.as_array().unwrap().len())
    );
    fs::write(&csv, &good).unwrap();
    browser.until(
        "!document.getElementById('problems').classList.contains('shown')",
        "the diagnostic gone",
    );
    assert_eq!(
        browser.eval("window.previewLoadedAt"),
        loaded_at,
        "the page was reloaded"
    );
}

/// Edits one finding's title on disk, as an auditor would; returns the
/// findings file and its text before the edit.
fn retitle_finding(dir: &Path) -> (PathBuf, String) {
    let csv = dir.join("findings.csv");
    let good = fs::read_to_string(&csv).unwrap();
    fs::write(
        &csv,
        good.replace("Outdated TLS library", "Outdated TLS library in the router"),
    )
    .unwrap();
    (csv, good)
}

/// The titles of a PDF's bookmarks, in order, depth first.
fn bookmarks(pdf: &Path) -> Vec<String> {
    fn walk(items: &serde_json::Value, out: &mut Vec<String>) {
        for item in items.as_array().into_iter().flatten() {
            out.push(item["title"].as_str().unwrap_or_default().to_string());
            walk(&item["kids"], out);
        }
    }
    let mut out = Vec::new();
    walk(&qpdf_json(pdf)["outlines"], &mut out);
    out
}

#[test]
fn the_preview_says_when_it_was_updated_numbers_and_sizes_its_pages_zooms_links_the_pdf_and_marks_the_place()
 {
    let Some(mut browser) = Browser::launch() else {
        tool_missing("chromium");
        return;
    };
    let (_tmp, dir) = workspace(&example());
    let serve = Serve::start(&dir);
    let pdf = dir.parent().unwrap().join("served.pdf");
    let pages = pdf_info(&pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .map(|n| n.trim().parse::<usize>().unwrap())
        .unwrap();
    browser.call(
        "Page.navigate",
        serde_json::json!({"url": format!("http://{}/", serve.local())}),
    );
    browser.until(
        &format!("document.querySelectorAll('#pages img').length === {pages}"),
        "its pages",
    );
    // A status a writer reads: when, and how many pages; not "build 2".
    let status = browser.eval("document.getElementById('status').textContent");
    let status = status.as_str().unwrap();
    let (time, rest) = status
        .strip_prefix("Updated ")
        .and_then(|s| s.split_once(" · "))
        .unwrap_or_else(|| panic!("status {status:?}"));
    assert!(
        time.len() == 8
            && time
                .split(':')
                .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit())),
        "{status}"
    );
    assert_eq!(rest, format!("{pages} pages"));

    // Every page has its number and its size before its picture arrives.
    assert_eq!(
        browser.eval("Array.from(document.querySelectorAll('.page-number')).map(n => n.textContent).join('|')"),
        serde_json::json!((1..=pages).map(|i| format!("{i} / {pages}")).collect::<Vec<_>>().join("|"))
    );
    assert_eq!(
        browser.eval("Array.from(document.querySelectorAll('#pages img')).every(i => i.getAttribute('width') === '816' && i.getAttribute('height') === '1056')"),
        true,
        "US Letter pages are 816 x 1056 CSS pixels"
    );

    // The outline is the PDF's bookmarks, no more (no "Table of Contents").
    let nav =
        browser.eval("Array.from(document.querySelectorAll('nav a')).map(a => a.textContent)");
    let nav: Vec<String> = serde_json::from_value(nav).unwrap();
    assert_eq!(nav, bookmarks(&pdf));
    assert!(!nav.iter().any(|t| t == "Table of Contents"));

    // Where you are: go to the detailed findings, and the outline marks them.
    browser.until(
        "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)",
        "the pages loaded",
    );
    browser.eval("Array.from(document.querySelectorAll('nav a')).find(a => a.textContent === 'Detailed Findings').click()");
    browser.until(
        "document.querySelector('nav a.current') !== null && document.querySelector('nav a.current').textContent === 'Detailed Findings'",
        "the outline's mark on Detailed Findings",
    );
    // The heading's page: the first with it that is not the contents.
    let page = 1 + pdf_text(&pdf)
        .split('\x0c')
        .position(|p| p.contains("Detailed Findings") && !p.contains("Table of Contents"))
        .unwrap();
    let wher = browser.eval("document.getElementById('where').textContent");
    assert!(
        wher.as_str().unwrap().ends_with(&format!(" of {pages}")),
        "{wher}"
    );
    let at: usize = wher.as_str().unwrap()["Page ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        at >= page && at <= page + 1,
        "page {at}, the heading is on {page}"
    );

    // Zoom in and back to the width.
    let fit = browser
        .eval("document.querySelector('#pages img').clientWidth")
        .as_f64()
        .unwrap();
    browser.eval("document.getElementById('zoom-in').click()");
    browser.until(
        "document.getElementById('zoom-level').textContent.endsWith('%')",
        "a zoom level",
    );
    let zoomed = browser
        .eval("document.querySelector('#pages img').clientWidth")
        .as_f64()
        .unwrap();
    assert!(zoomed > fit, "zoom in: {fit} -> {zoomed}");
    browser.eval("document.getElementById('zoom-level').click()");
    assert_eq!(
        browser.eval("document.getElementById('zoom-level').textContent"),
        "Fit"
    );
    assert_eq!(
        browser
            .eval("document.querySelector('#pages img').clientWidth")
            .as_f64()
            .unwrap(),
        fit
    );

    // A link to the PDF the build wrote, which opens it.
    assert_eq!(browser.eval("document.getElementById('pdf').hidden"), false);
    assert_eq!(
        browser.eval("document.getElementById('pdf').textContent"),
        "served.pdf"
    );
    let fetched = browser.call(
        "Runtime.evaluate",
        serde_json::json!({
            "expression": "fetch(document.getElementById('pdf').href).then(async r => r.headers.get('content-type') + ' ' + (await r.text()).slice(0, 5))",
            "awaitPromise": true,
            "returnByValue": true,
        }),
    );
    assert_eq!(fetched["result"]["value"], "application/pdf %PDF-");

    // A broken edit: the status says so, and shows the last good pages.
    edit(
        &dir,
        "findings.csv",
        "secrets directory,High,",
        "secrets directory,Hgh,",
    );
    browser.until(
        "document.getElementById('status').textContent.startsWith('Build failed ')",
        "the failed build in the status",
    );
    let status = browser.eval("document.getElementById('status').textContent");
    assert!(
        status
            .as_str()
            .unwrap()
            .ends_with(&format!(" · showing the last good {pages} pages")),
        "{status}"
    );
}

//! `auditpress serve`: watch mode, plus a live preview in the browser.
//!
//! The server listens on 127.0.0.1 unless told otherwise, answers only
//! requests whose Host is localhost or an IP address (a DNS name pointing at
//! this machine is how DNS rebinding reaches a local server), and serves the
//! preview page, its script, the state of the last build, its pages and a
//! stream of updates, and the PDF the last good build wrote: never a file
//! of the audit folder. Pages are SVG,
//! rendered by the build's worker with a hash each, so the browser fetches
//! only the pages that changed.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::IpAddr;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::http::{self, Request, respond};
use super::{Config, fail, watch};
use crate::diag;
use crate::pipeline::{Built, Outcome};
use crate::render::preview::{OutlineEntry, Preview};

/// The preview page.
const PAGE: &str = include_str!("preview.html");

/// Its script.
const SCRIPT: &str = include_str!("preview.js");

/// Default of `--port`; the next free one is taken when it is in use.
pub const DEFAULT_PORT: u16 = 3131;

/// How many ports after the default are tried.
const PORT_TRIES: u16 = 20;

/// What the browser is shown: the last good pages and the last build's problems.
#[derive(Default, Serialize)]
struct State {
    /// Counts the builds.
    version: u64,
    /// Hash of each page.
    pages: Vec<String>,
    /// The report's headings with their pages: the PDF's bookmarks.
    outline: Vec<OutlineEntry>,
    /// Width and height of each page, in points.
    sizes: Vec<[f64; 2]>,
    /// When the last build ended (or its pages were laid out), in
    /// milliseconds since 1970: the page shows it in local time.
    updated: u64,
    /// Whether the last build succeeded: else the pages are the last good ones.
    ok: bool,
    /// The file name of the PDF the last good build wrote, served at /report.pdf.
    pdf: Option<String>,
    /// The last build's diagnostics (docs/diagnostics.md).
    diagnostics: Vec<diag::JsonDiagnostic>,
    /// The SVG of each page, by hash.
    #[serde(skip)]
    svgs: HashMap<String, Arc<String>>,
    /// Where the PDF of the last good build is.
    #[serde(skip)]
    pdf_path: Option<std::path::PathBuf>,
}

/// Now, in milliseconds since 1970.
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl State {
    /// Shows the pages of a preview: their hashes, sizes and outline.
    fn show(&mut self, preview: &Preview) {
        self.pages = preview.hashes.clone();
        self.outline = preview.outline.clone();
        self.sizes = preview.sizes.clone();
    }
}

/// The state, shared with the threads that answer requests.
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn json(&self) -> String {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        serde_json::to_string(&*state).expect("the state serialises")
    }

    /// Takes a build's pages as soon as they are laid out: they are shown
    /// before the PDF is written; the build's report follows.
    fn early(&self, preview: &Preview) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.version += 1;
        for (hash, svg) in &preview.new_pages {
            state.svgs.insert(hash.clone(), Arc::new(svg.clone()));
        }
        state.show(preview);
        state.updated = now_ms();
        state.ok = true;
        // The pages were laid out: the last build's errors are gone, and this
        // build's warnings come with its report.
        state.diagnostics.clear();
        drop(state);
        self.changed.notify_all();
    }

    /// Takes a build's report: new pages when it succeeded, its problems always.
    fn update(&self, report: &Built) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.version += 1;
        if let Some(preview) = &report.preview {
            for (hash, svg) in &preview.new_pages {
                state.svgs.insert(hash.clone(), Arc::new(svg.clone()));
            }
            if report.outcome == Outcome::Ok {
                state.show(preview);
                state.svgs.retain(|h, _| preview.hashes.contains(h));
            }
        }
        state.updated = now_ms();
        state.ok = report.outcome == Outcome::Ok;
        if let Some(pdf) = report.document().map(|d| &d.path).filter(|_| state.ok) {
            state.pdf = pdf.file_name().map(|n| n.to_string_lossy().into_owned());
            state.pdf_path = Some(pdf.clone());
        }
        // Every failure is a diagnostic (a worker that died or overran too).
        state.diagnostics = report
            .diagnostics
            .iter()
            .map(|d| diag::JsonDiagnostic::of(&report.sources, d))
            .collect();
        drop(state);
        self.changed.notify_all();
    }
}

/// Binds the server: the port asked for, or the default and the next free ones.
fn bind(host: &str, port: Option<u16>) -> io::Result<(TcpListener, u16)> {
    let ports: Vec<u16> = match port {
        Some(p) => vec![p],
        None => (DEFAULT_PORT..DEFAULT_PORT + PORT_TRIES).collect(),
    };
    let mut last = io::Error::other("no port to try");
    for p in ports {
        match TcpListener::bind((host, p)) {
            Ok(listener) => {
                let bound = listener.local_addr()?.port();
                return Ok((listener, bound));
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Tells whether a Host header names this server in a way DNS rebinding cannot:
/// localhost or an IP address, with the server's port.
fn host_allowed(header: &str, port: u16) -> bool {
    let Some((name, p)) = header.rsplit_once(':') else {
        return false;
    };
    if p.parse::<u16>() != Ok(port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    // A host name is a protocol word, ASCII case-insensitive.
    #[allow(clippy::disallowed_methods)]
    let local = name.eq_ignore_ascii_case("localhost");
    local || name.parse::<IpAddr>().is_ok()
}

/// Streams server-sent events: the state after each build, until the browser
/// goes away. Each event is flushed at once.
fn stream_events(mut out: TcpStream, shared: &Shared) {
    let mut seen = shared.state.lock().map_or(0, |s| s.version);
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n";
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    loop {
        let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        let (state, timeout) = shared
            .changed
            .wait_timeout_while(state, Duration::from_secs(15), |s| s.version == seen)
            .unwrap_or_else(|e| e.into_inner());
        let event = if timeout.timed_out() {
            // A comment keeps the connection from looking idle.
            ": still here\n\n".to_string()
        } else {
            seen = state.version;
            drop(state);
            format!("data: {}\n\n", shared.json())
        };
        if out
            .write_all(event.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// Event streams open at once; one more gets 503. Each holds a thread for
/// as long as its browser tab is open.
const MAX_STREAMS: usize = 16;

/// Counts the open event streams; a slot is given back when dropped.
struct StreamSlot(Arc<AtomicUsize>);

impl StreamSlot {
    fn take(open: &Arc<AtomicUsize>) -> Option<StreamSlot> {
        let mut now = open.load(Ordering::Relaxed);
        loop {
            if now >= MAX_STREAMS {
                return None;
            }
            match open.compare_exchange(now, now + 1, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => return Some(StreamSlot(Arc::clone(open))),
                Err(seen) => now = seen,
            }
        }
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Answers one request. Only the routes below exist: no path reaches a file.
fn answer(request: Request, shared: &Arc<Shared>, port: u16, streams: &Arc<AtomicUsize>) {
    let Request {
        method,
        path,
        host,
        stream,
    } = request;
    if !host.as_deref().is_some_and(|h| host_allowed(h, port)) {
        let body = b"refused: the Host header names neither localhost nor an IP address\n";
        return respond(stream, "403 Forbidden", "text/plain", body);
    }
    if method != "GET" {
        return respond(
            stream,
            "405 Method Not Allowed",
            "text/plain",
            b"only GET\n",
        );
    }
    match path.as_str() {
        "/" => respond(
            stream,
            "200 OK",
            "text/html; charset=utf-8",
            PAGE.as_bytes(),
        ),
        "/preview.js" => respond(
            stream,
            "200 OK",
            "text/javascript; charset=utf-8",
            SCRIPT.as_bytes(),
        ),
        "/state" => respond(
            stream,
            "200 OK",
            "application/json",
            shared.json().as_bytes(),
        ),
        "/events" => match StreamSlot::take(streams) {
            Some(slot) => {
                let shared = Arc::clone(shared);
                std::thread::spawn(move || {
                    let _slot = slot;
                    stream_events(stream, &shared);
                });
            }
            None => respond(
                stream,
                "503 Service Unavailable",
                "text/plain",
                b"too many previews are open\n",
            ),
        },
        "/report.pdf" => {
            // The build's own output, never a file of the folder.
            let pdf = shared.state.lock().ok().and_then(|s| s.pdf_path.clone());
            match pdf.and_then(|p| std::fs::read(p).ok()) {
                Some(bytes) => respond(stream, "200 OK", "application/pdf", &bytes),
                None => respond(stream, "404 Not Found", "text/plain", b"no PDF yet\n"),
            }
        }
        _ => {
            let page = path
                .strip_prefix("/page/")
                .and_then(|p| p.strip_suffix(".svg"))
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<usize>().ok());
            let svg = page.and_then(|n| {
                let state = shared.state.lock().ok()?;
                state.svgs.get(state.pages.get(n)?).cloned()
            });
            match svg {
                Some(svg) => respond(stream, "200 OK", "image/svg+xml", svg.as_bytes()),
                None => respond(stream, "404 Not Found", "text/plain", b"not found\n"),
            }
        }
    }
}

/// Serves the live preview of a folder while rebuilding it on every change.
pub fn run(config: &Config, host: &str, port: Option<u16>) -> Outcome {
    let (server, port) = match bind(host, port) {
        Ok(bound) => bound,
        Err(e) => {
            return fail(
                config,
                Outcome::Io,
                format!("cannot listen on {host} ({e})"),
                Some("give another port with --port, or 0 for any free one".into()),
            );
        }
    };
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        crate::diag::report_warning(
            config.format,
            format!("serving on {host}: other machines can see the report"),
            Some("leave --host out to serve on 127.0.0.1 only".into()),
        );
    }
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        changed: Condvar::new(),
    });
    let serving = Arc::clone(&shared);
    let streams = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        let handler: Arc<dyn Fn(Request) + Send + Sync> =
            Arc::new(move |request| answer(request, &serving, port, &streams));
        if let Err(e) = http::serve(server, http::Limits::default(), handler) {
            eprintln!("the preview server stopped ({e})");
        }
    });
    let shown = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    // People get a sentence; tools get an event line; -q gets nothing.
    if config.chatty() {
        eprintln!("serving the preview at http://{shown}:{port}/ (press Ctrl-C to stop)");
    } else if !config.quiet {
        eprintln!(
            "{}",
            crate::run::json::Event::Serving {
                url: format!("http://{shown}:{port}/")
            }
            .line()
        );
    }
    let mut config = config.clone();
    config.options.preview = true;
    watch::run_with(
        &config,
        &mut |report| shared.update(report),
        &mut |preview| shared.early(preview),
    )
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn only_localhost_and_addresses_pass_the_host_check() {
        assert!(host_allowed("127.0.0.1:3131", 3131));
        assert!(host_allowed("localhost:3131", 3131));
        assert!(host_allowed("[::1]:3131", 3131));
        assert!(!host_allowed("localhost:80", 3131));
        assert!(!host_allowed("attacker.example:3131", 3131));
        assert!(!host_allowed("127.0.0.1.nip.io:3131", 3131));
        assert!(!host_allowed("", 3131));
    }
}

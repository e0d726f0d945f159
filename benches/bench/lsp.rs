//! What the benchmark measures of the language server: the time from a
//! keystroke (a `didChange` sent) to the diagnostics published for it, and
//! the server's memory across many edits.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Reads the next message the server sends (`Content-Length` framing);
/// `None` once its output ends.
fn next_message(input: &mut impl BufRead) -> std::io::Result<Option<Value>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length:") {
            length = n.trim().parse::<usize>().ok();
        }
    }
    let length = length.ok_or_else(|| std::io::Error::other("a message without Content-Length"))?;
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(std::io::Error::other)
}

/// The `file://` URI of a path, percent-encoded.
fn path_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Keystroke-to-diagnostics times (sorted) over `edits` edits of one
/// finding, and the server's resident memory (KiB) after the edits counted
/// in `samples`.
pub struct Measured {
    /// Each edit's time, sorted.
    pub times: Vec<Duration>,
    /// (edits so far, resident KiB).
    pub memory: Vec<(usize, u64)>,
}

/// Runs `exe lsp` on a folder, opens its first finding file and edits it
/// `edits` times, one word each, waiting for the diagnostics of each edit.
pub fn measure(
    exe: &Path,
    dir: &Path,
    edits: usize,
    samples: &[usize],
    resident: impl Fn(u32) -> Option<u64>,
) -> std::io::Result<Measured> {
    let mut child = Command::new(exe)
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
    let mut send = |m: Value| -> std::io::Result<()> {
        let body = m.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len())?;
        stdin.flush()
    };
    let file = std::fs::read_dir(dir.join("findings"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .min()
        .ok_or_else(|| std::io::Error::other("no finding file"))?
        .canonicalize()?;
    let uri = path_uri(&file);
    let original = std::fs::read_to_string(&file)?;
    send(
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    )?;
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "markdown", "version": 0, "text": original}}}),
    )?;
    let wait = |stdout: &mut BufReader<_>| -> std::io::Result<()> {
        loop {
            match next_message(stdout)? {
                Some(m)
                    if m["method"] == "textDocument/publishDiagnostics"
                        && m["params"]["uri"] == uri.as_str() =>
                {
                    return Ok(());
                }
                Some(_) => {}
                None => return Err(std::io::Error::other("the server ended")),
            }
        }
    };
    wait(&mut stdout)?;
    let mut times = Vec::new();
    let mut memory = Vec::new();
    for i in 1..=edits {
        let edited = format!("{original}\nEdit number {i} of the bench.\n");
        let start = Instant::now();
        send(
            json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": i}, "contentChanges": [{"text": edited}]}}),
        )?;
        wait(&mut stdout)?;
        times.push(start.elapsed());
        if samples.contains(&i) {
            memory.push((i, resident(child.id()).unwrap_or(0)));
        }
    }
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))?;
    send(json!({"jsonrpc": "2.0", "method": "exit"}))?;
    // Read what the server still writes (other files' diagnostics), or it
    // blocks on a full pipe and never reads `exit`.
    while next_message(&mut stdout)?.is_some() {}
    let _ = child.wait();
    times.sort();
    Ok(Measured { times, memory })
}

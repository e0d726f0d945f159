//! Attacks on every input surface beyond the audit folder (README, "Attacks
//! and what they get"): `serve` under connection floods, slow and oversized
//! requests, path and Host tricks; `import` of huge, deep, invalid and
//! escaping input; exports of hostile text; writes that survive SIGKILL.
//! Each case of the README's table is a test here.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::*;

/// Sends raw bytes and returns what the server answered before closing.
fn raw(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// The status code of a raw response, or 0 when the connection was closed.
fn status(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// A field of /proc/<pid>/status, e.g. `Threads`.
fn proc_status(pid: u32, field: &str) -> u64 {
    let text = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

/// Open descriptors of a process.
fn fds(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd")).unwrap().count()
}

/// Times a normal GET /state.
fn timed_state(serve: &Serve) -> Duration {
    let start = Instant::now();
    assert_eq!(serve.get("/state", &serve.local()).0, 200);
    start.elapsed()
}

#[test]
fn serve_answers_in_time_under_2000_idle_connections_and_slowloris() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let serve = Serve::start(&dir);
    let pid = serve.child.id();
    let threads_before = proc_status(pid, "Threads");
    let calm: Vec<Duration> = (0..5).map(|_| timed_state(&serve)).collect();

    // 2,000 connections that never send a byte.
    let mut idle = Vec::new();
    for _ in 0..2000 {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], serve.port));
        if let Ok(s) = TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            idle.push(s);
        }
    }
    assert!(idle.len() >= 1900, "only {} connected", idle.len());
    // Slowloris: heads sent a byte at a time, never finished.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let port = serve.port;
    let loris: Vec<_> = (0..20)
        .map(|_| {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                    return;
                };
                let head = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
                for b in head.bytes().chain(std::iter::repeat(b'X')) {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) || s.write_all(&[b]).is_err()
                    {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    let mut attacked: Vec<Duration> = (0..10)
        .map(|_| {
            let t = timed_state(&serve);
            std::thread::sleep(Duration::from_millis(300));
            t
        })
        .collect();
    attacked.sort();
    let threads = proc_status(pid, "Threads");
    let open = fds(pid);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for l in loris {
        l.join().unwrap();
    }
    drop(idle);
    let median = attacked[attacked.len() / 2];
    assert!(
        median < Duration::from_millis(200),
        "a normal request took {median:?} under attack (calm: {calm:?}; all: {attacked:?})"
    );
    assert!(
        threads < 64,
        "{threads} threads under attack ({threads_before} before)"
    );
    assert!(open < 700, "{open} descriptors under attack");
}

#[test]
fn serve_refuses_huge_heads_two_hosts_and_foreign_hosts_and_serves_no_file() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let serve = Serve::start(&dir);
    let port = serve.port;
    let local = serve.local();
    // A request line of 1 MiB: refused early, the process stays small.
    let rss_before = proc_status(serve.child.id(), "VmRSS");
    let long = format!(
        "GET /{} HTTP/1.1\r\nHost: {local}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    let start = Instant::now();
    let answer = raw(port, long.as_bytes());
    assert!(
        matches!(status(&answer), 431 | 0),
        "a 1 MiB request line got {answer:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(proc_status(serve.child.id(), "VmRSS") < rss_before + 16 * 1024);
    // Two Host headers: one a check would pass, one it would not.
    let two = format!("GET /state HTTP/1.1\r\nHost: evil.example:{port}\r\nHost: {local}\r\n\r\n");
    assert_eq!(status(&raw(port, two.as_bytes())), 400);
    // Host tricks: a name that points here by DNS, user info, no Host at all.
    for host in [
        format!("localhost.evil.example:{port}"),
        format!("127.0.0.1:{port}@evil.example"),
        format!("127.0.0.1.nip.io:{port}"),
        "".to_string(),
    ] {
        assert_eq!(serve.get("/state", &host).0, 403, "Host: {host}");
    }
    // A foreign Origin gets the state (a page cannot read it: no CORS).
    let cross =
        format!("GET /state HTTP/1.1\r\nHost: {local}\r\nOrigin: https://evil.example\r\n\r\n");
    let answer = raw(port, cross.as_bytes());
    assert!(!answer.to_ascii_lowercase().contains("access-control-allow"));
    // Paths: no route reaches a file, however it is spelt.
    let secret = dir.join("audit.toml");
    for path in [
        "/../audit.toml",
        "/%2e%2e/audit.toml",
        "/..%2faudit.toml",
        "//etc/passwd",
        "/etc/passwd",
        &format!("{}", secret.display()),
        "/page/../../audit.toml",
        "/page/-1.svg",
        "/page/1e3.svg",
    ] {
        let (code, body) = serve.get(path, &local);
        assert_eq!(code, 404, "{path}");
        assert!(
            !body.contains("title") && !body.contains("root:"),
            "{path}: {body}"
        );
    }
    // A symlink in the folder is no route either.
    std::os::unix::fs::symlink("/etc/passwd", dir.join("passwd")).unwrap();
    assert_eq!(serve.get("/passwd", &local).0, 404);
    // Event streams each hold a thread: the 17th open one is refused.
    let open: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(s, "GET /events HTTP/1.1\r\nHost: {local}\r\n\r\n").unwrap();
            let mut first = [0u8; 12];
            s.read_exact(&mut first).unwrap();
            assert_eq!(&first, b"HTTP/1.1 200");
            s
        })
        .collect();
    let more = format!("GET /events HTTP/1.1\r\nHost: {local}\r\n\r\n");
    assert_eq!(status(&raw(port, more.as_bytes())), 503);
    drop(open);
    std::thread::sleep(Duration::from_millis(300));
    // Methods other than GET.
    let post = format!("POST /state HTTP/1.1\r\nHost: {local}\r\nContent-Length: 0\r\n\r\n");
    assert_eq!(status(&raw(port, post.as_bytes())), 405);
}

#[test]
fn serve_answers_while_it_rebuilds() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let serve = Serve::start(&dir);
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let mut worst = Duration::ZERO;
    for round in 1..=3 {
        fs::write(
            dir.join("findings.csv"),
            format!("{csv}{}", "\n".repeat(round)),
        )
        .unwrap();
        let changed = Instant::now();
        // Requests from the change until serve says the rebuild is done:
        // each of them was answered while the folder was being rebuilt.
        let mut during = 0;
        loop {
            worst = worst.max(timed_state(&serve));
            during += 1;
            if serve.lines.try_iter().any(|l| built_line(&l, true)) {
                break;
            }
            assert!(
                changed.elapsed() < Duration::from_secs(60),
                "no rebuild after the change of round {round}"
            );
        }
        assert!(
            during >= 2,
            "round {round}: {during} request(s) while it rebuilt"
        );
        worst = worst.max(timed_state(&serve));
    }
    assert!(
        worst < Duration::from_millis(500),
        "{worst:?} during rebuilds"
    );
}

/// Lists every file under a folder, relative to it.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// An `init` folder inside a fresh temporary folder.
fn new_audit() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("audit");
    assert!(run(&["init".as_ref(), dir.as_os_str()]).status.success());
    (tmp, dir)
}

/// Runs `import KIND FILE --into DIR`.
fn import(kind: &str, file: &Path, dir: &Path) -> std::process::Output {
    run(&[
        "import".as_ref(),
        kind.as_ref(),
        file.as_os_str(),
        "--into".as_ref(),
        dir.as_os_str(),
    ])
}

#[test]
fn import_refuses_huge_deep_and_invalid_input_and_writes_nothing() {
    let (tmp, dir) = new_audit();
    let before = files_under(tmp.path());
    let input = tmp.path().join("input");
    fs::create_dir_all(&input).unwrap();
    // 100 MiB (sparse): refused from its size, never read.
    let huge = input.join("huge.json");
    fs::File::create(&huge).unwrap().set_len(100 << 20).unwrap();
    // 100,000 nested arrays.
    let deep = input.join("deep.json");
    fs::write(&deep, "[".repeat(100_000)).unwrap();
    // Windows-1252 bytes.
    let latin = input.join("latin.json");
    fs::write(&latin, b"[{\"title\": \"Caf\xe9\"}]").unwrap();
    for (kind, file, says) in [
        ("github", &huge, "too large"),
        ("sarif", &huge, "too large"),
        ("github", &deep, "recursion limit"),
        // A SARIF log is an object: the array is refused before its depth.
        ("sarif", &deep, "not a SARIF 2.1.0 log"),
        ("github", &latin, "UTF-8"),
        ("sarif", &latin, "UTF-8"),
    ] {
        let out = import(kind, file, &dir);
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{kind} {}: {:?}",
            file.display(),
            out.status
        );
        let err = stderr(&out);
        assert!(err.contains(says), "{kind} {}: {err}", file.display());
        assert!(!err.contains("panicked"), "{err}");
    }
    let mut after = files_under(tmp.path());
    after.retain(|p| !p.starts_with("input"));
    assert_eq!(before, after, "an import of bad input wrote something");
}

#[test]
fn no_importer_writes_outside_the_folder_whatever_the_input_says() {
    let (tmp, dir) = new_audit();
    // A prefix that would be a path: refused at its key.
    edit(
        &dir,
        "audit.toml",
        "id_prefix = \"EX\"",
        "id_prefix = \"../../../escaped\"",
    );
    let out = import("github", &fixture("issues/issues.json"), &dir);
    assert_eq!(out.status.code(), Some(1));
    assert_diagnostic(&stderr(&out), "audit.toml:10:13", "is not a plain name");
    edit(
        &dir,
        "audit.toml",
        "id_prefix = \"../../../escaped\"",
        "id_prefix = \"EX\"",
    );
    // Issues whose titles and bodies are paths, and SARIF whose artifacts
    // and rule ids are: every file lands in findings/ or scans/.
    let issues = tmp.path().join("issues.json");
    fs::write(
        &issues,
        r#"[{"number": 1, "title": "../../../../tmp/owned", "body": "see ../../etc/passwd", "labels": [{"name": "severity: high"}], "state": "OPEN", "url": "https://github.com/x/y/issues/1"},
            {"number": 2, "title": "/etc/cron.d/x", "body": "", "labels": [], "state": "OPEN", "url": "https://github.com/x/y/issues/2"}]"#,
    )
    .unwrap();
    let sarif_text = fs::read_to_string(fixture("scanned/scans/semgrep.sarif"))
        .unwrap()
        .replace("\"app/handlers.py\"", "\"../../../../etc/passwd\"")
        .replace("\"pickle-loads\"", "\"../../../pwned\"");
    let sarif = tmp.path().join("scan.sarif");
    fs::write(&sarif, sarif_text).unwrap();
    let outside = |root: &Path| -> Vec<PathBuf> {
        files_under(root)
            .into_iter()
            .filter(|p| !p.starts_with("audit"))
            .collect()
    };
    let before = outside(tmp.path());
    for (kind, file) in [("github", &issues), ("sarif", &sarif)] {
        let out = import(kind, file, &dir);
        assert!(out.status.success(), "{kind}: {}", stderr(&out));
    }
    assert_eq!(
        before,
        outside(tmp.path()),
        "an importer wrote outside the folder"
    );
    // Where the escaping names would have landed.
    let above = tmp.path().parent().unwrap();
    for name in ["escaped-1.md", "owned", "pwned.md", "tmp/owned"] {
        assert!(
            !above.join(name).exists(),
            "{name} written above the folder"
        );
    }
    for p in files_under(&dir) {
        let top = p
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .into_owned();
        assert!(
            [
                "audit.toml",
                "findings.csv",
                "findings",
                "maturity.csv",
                // The starter library `init` writes.
                "library",
                "scans"
            ]
            .contains(&top.as_str()),
            "{} written",
            p.display()
        );
    }
}

#[test]
fn exports_of_hostile_text_stay_text() {
    let (_tmp, dir) = new_audit();
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let csv = csv.replace(
        "Session cookies lack the Secure attribute",
        "\u{7}<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    );
    fs::write(dir.join("findings.csv"), csv).unwrap();
    // Markdown: no raw HTML and no link a renderer would follow.
    let md = export(&dir, "markdown");
    // Each occurrence is escaped: `\<script\>`, `\[x\](javascript:...)`.
    let unescaped = |needle: &str| {
        md.match_indices(needle)
            .any(|(at, _)| !md[..at].ends_with('\\'))
    };
    assert!(!unescaped("<script") && !unescaped("<img"), "{md}");
    assert!(!unescaped("](javascript:"), "{md}");
    assert!(md.contains("\\<script\\>alert(1)\\</script\\>"), "{md}");
    // JSON and SARIF: valid JSON, the text kept.
    for format in ["json", "sarif"] {
        let text = export(&dir, format);
        assert!(
            !text.contains('\u{7}'),
            "a raw control character in {format}"
        );
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(value.to_string().contains("<script>alert(1)</script>"));
    }
}

/// Whether a PDF is whole: its header and its end-of-file marker.
fn whole_pdf(path: &Path) -> bool {
    let bytes = fs::read(path).unwrap();
    bytes.starts_with(b"%PDF-") && bytes.windows(5).rev().take(64).any(|w| w == b"%%EOF")
}

#[test]
fn sigkill_at_any_point_of_200_builds_and_imports_leaves_no_half_written_file() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let pdf = dir.parent().unwrap().join("report.pdf");
    let issues = fixture("issues/issues.json");
    let inputs: Vec<(PathBuf, Vec<u8>)> = files_under(&dir)
        .into_iter()
        .map(|p| (p.clone(), fs::read(dir.join(&p)).unwrap()))
        .collect();
    // A build takes a few hundred milliseconds: kill at every point of it.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rng = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut whole = 0;
    for round in 0..200 {
        let importing = round % 4 == 3;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditpress"));
        if importing {
            cmd.args(["import", "github"])
                .arg(&issues)
                .arg("--into")
                .arg(&dir);
        } else {
            cmd.arg("build").arg(&dir).arg("-o").arg(&pdf).arg("-q");
        }
        let mut child = cmd
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng() % 400));
        // SAFETY: sending a signal to our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait();
        // Kill its worker too, should it have one left.
        if pdf.exists() {
            assert!(whole_pdf(&pdf), "round {round}: a half-written PDF");
            whole += 1;
        }
        for p in files_under(&dir) {
            let name = p.to_string_lossy().into_owned();
            let text = fs::read(dir.join(&p)).unwrap();
            if name.starts_with("findings/") && name.ends_with(".md") {
                assert!(
                    text.starts_with(b"+++") || inputs.iter().any(|(q, _)| *q == p),
                    "round {round}: {name} is not a whole finding"
                );
            }
        }
        // Every input is still there, byte for byte.
        for (p, bytes) in &inputs {
            assert_eq!(
                &fs::read(dir.join(p)).unwrap(),
                bytes,
                "round {round}: {} changed",
                p.display()
            );
        }
        // Drafts imported in this round are removed, so the next import runs again.
        for p in files_under(&dir.join("findings")) {
            if !inputs
                .iter()
                .any(|(q, _)| *q == Path::new("findings").join(&p))
            {
                let path = dir.join("findings").join(&p);
                if !p.to_string_lossy().starts_with(".auditpress-") {
                    let text = fs::read_to_string(&path).unwrap();
                    assert!(
                        text.starts_with("+++") && text.ends_with('\n'),
                        "round {round}: {} half-written",
                        p.display()
                    );
                }
                fs::remove_file(path).unwrap();
            }
        }
    }
    assert!(
        whole > 0,
        "no build ever finished: the kill points missed every write"
    );
    // Whatever temporary files a killed build left are cleaned by the next one.
    let out = build_to(&dir, &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let leftovers: Vec<String> = fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".auditpress-"))
        .collect();
    assert!(leftovers.is_empty(), "left: {leftovers:?}");
}

#[test]
fn a_style_folder_reads_nothing_outside_itself() {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let secret = tmp.path().join("secret.txt");
    fs::write(&secret, "secret-data-4711").unwrap();
    let style = dir.join("house");
    fs::create_dir_all(style.join("templates")).unwrap();
    fs::create_dir_all(style.join("fonts")).unwrap();
    fs::write(style.join("style.toml"), "name = \"Borrowed\"\n").unwrap();
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(dir.join("audit.toml"), format!("style = \"house\"\n{toml}")).unwrap();
    let build = |dir: &Path| {
        let pdf = dir.parent().unwrap().join("borrowed.pdf");
        let _ = fs::remove_file(&pdf);
        let out = build_to(dir, &pdf, &[]);
        let leaked = pdf.exists() && pdf_text(&pdf).contains("secret-data-4711");
        (out, leaked)
    };
    // A template that reads by an absolute path or one that climbs out.
    for read in [
        format!("#let leak = read(\"{}\")", secret.display()),
        "#let leak = read(\"../../../secret.txt\")".to_string(),
    ] {
        fs::write(
            style.join("templates/fonts.typ"),
            format!("{read}\n#let fonts = (body: (\"Inter\",), mono: (\"JetBrains Mono\",))\n"),
        )
        .unwrap();
        let (out, leaked) = build(&dir);
        assert!(!out.status.success() && !leaked, "{read}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("templates/fonts.typ:1:"),
            "{}",
            stderr(&out)
        );
    }
    fs::remove_file(style.join("templates/fonts.typ")).unwrap();
    // A template that is a link to a file outside.
    std::os::unix::fs::symlink(&secret, style.join("templates/cover.typ")).unwrap();
    let (out, leaked) = build(&dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(!leaked);
    assert_diagnostic(
        &stderr(&out),
        "house/templates/cover.typ:1:1",
        "is a link that leaves its folder",
    );
    fs::remove_file(style.join("templates/cover.typ")).unwrap();
    // A font that is a link to a file outside.
    std::os::unix::fs::symlink(&secret, style.join("fonts/House.ttf")).unwrap();
    let (out, leaked) = build(&dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(!leaked);
    assert_diagnostic(
        &stderr(&out),
        "fonts/House.ttf:1:1",
        "this font links outside the style folder",
    );
}

// ---------------------------------------------------------------------------
// What a folder could reach or spoil (issue 34): every file the tool reads is
// a regular file inside its folder (audit folder, style folder, template
// folder) once links are resolved, and bounded; a worker dies with its parent.

/// Runs auditpress, killing it if it has not ended after `secs` seconds
/// (a FIFO or a device would otherwise hang the test): the run and whether it
/// ended by itself.
fn run_within(
    args: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
    secs: u64,
) -> (std::process::Output, bool) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditpress"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut ended = true;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            ended = false;
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), ended)
}

/// Makes a FIFO at `path`.
fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// What a file of a folder can be made into by someone who wants it to read
/// something else: a link to a secret outside, to the build's environment,
/// to an endless device, or a FIFO nobody writes.
#[derive(Clone, Copy, Debug)]
enum Trap {
    LinkOut,
    Environ,
    Device,
    Fifo,
}

const TRAPS: [Trap; 4] = [Trap::LinkOut, Trap::Environ, Trap::Device, Trap::Fifo];

/// Replaces `file` by the trap; `secret` is a file outside every folder.
fn set_trap(file: &Path, trap: Trap, secret: &Path) {
    let _ = fs::remove_file(file);
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    match trap {
        Trap::LinkOut => std::os::unix::fs::symlink(secret, file).unwrap(),
        Trap::Environ => std::os::unix::fs::symlink("/proc/self/environ", file).unwrap(),
        Trap::Device => std::os::unix::fs::symlink("/dev/zero", file).unwrap(),
        Trap::Fifo => mkfifo(file),
    }
}

/// The secret every trap tries to print, and the token in the build's environment.
const SECRET: &str = "secret-data-4711";
const TOKEN: &str = "ci-token-9053";

/// Builds `dir` with the token in its environment, within 60 s; asserts that
/// it failed on its data, naming `file`, and that nothing secret is in a PDF.
fn assert_trap_refused(dir: &Path, file: &str, what: &str) {
    let pdf = dir.parent().unwrap().join("trapped.pdf");
    let _ = fs::remove_file(&pdf);
    for command in ["check", "build"] {
        let mut args: Vec<&std::ffi::OsStr> = vec![command.as_ref(), dir.as_os_str()];
        if command == "build" {
            args.extend(["-o".as_ref(), pdf.as_os_str()]);
        }
        let (out, ended) = run_within(&args, &[("AUDITPRESS_CI_TOKEN", TOKEN)], 60);
        let err = stderr(&out);
        assert!(ended, "{what}: `{command}` hung");
        assert_eq!(out.status.code(), Some(1), "{what}: `{command}`: {err}");
        assert!(
            err.contains(file),
            "{what}: `{command}` does not name {file}: {err}"
        );
        assert!(
            !err.contains(SECRET) && !err.contains(TOKEN),
            "{what}: {err}"
        );
    }
    assert!(!pdf.exists(), "{what}: a PDF was written");
}

#[test]
fn no_file_of_the_audit_folder_can_be_a_link_out_a_device_or_a_fifo() {
    let (tmp, dir) = workspace(&example());
    let secret = tmp.path().join("secret.md");
    fs::write(&secret, format!("{SECRET}\n")).unwrap();
    let files = [
        "sections/executive-summary.md",
        "findings/NWS-LUMEN-1.md",
        "appendices/10-semgrep-rules.md",
        "findings.csv",
        "maturity.csv",
        "acknowledgements.csv",
        "fix-review.csv",
        "audit.toml",
        "words.txt",
        "scans/semgrep.sarif",
        "images/exploit.png",
    ];
    for file in files {
        let path = dir.join(file);
        let original = fs::read(&path).ok();
        for trap in TRAPS {
            set_trap(&path, trap, &secret);
            assert_trap_refused(&dir, file, &format!("{file} as {trap:?}"));
        }
        fs::remove_file(&path).unwrap();
        if let Some(bytes) = original {
            fs::write(&path, bytes).unwrap();
        }
    }
    // The folder builds again once the traps are gone.
    let pdf = build_ok(&dir, "clean", &[]);
    assert!(!pdf_text(&pdf).contains(SECRET));
}

/// A style folder `house` in the audit folder, used by it.
fn with_house_style(dir: &Path) -> PathBuf {
    let style = dir.parent().unwrap().join("house");
    fs::create_dir_all(style.join("templates")).unwrap();
    fs::write(style.join("style.toml"), "name = \"House\"\n").unwrap();
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        format!("style = \"../house\"\n{toml}"),
    )
    .unwrap();
    style
}

#[test]
fn no_file_of_a_style_or_template_folder_can_be_a_link_out_a_device_or_a_fifo() {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let secret = tmp.path().join("secret.md");
    fs::write(&secret, format!("{SECRET}\n")).unwrap();
    let style = with_house_style(&dir);
    let templates = dir.join("templates");
    fs::create_dir_all(&templates).unwrap();
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        format!("templates = \"templates\"\n{toml}"),
    )
    .unwrap();
    for (path, shown) in [
        (style.join("style.toml"), "house/style.toml"),
        (style.join("words.txt"), "house/words.txt"),
        (
            style.join("templates/cover.typ"),
            "house/templates/cover.typ",
        ),
        (style.join("logo.png"), "house/logo.png"),
        (style.join("fonts/House.ttf"), "house/fonts/House.ttf"),
        (templates.join("cover.typ"), "audit/templates/cover.typ"),
        (templates.join("logo.svg"), "audit/templates/logo.svg"),
    ] {
        let original = fs::read(&path).ok();
        for trap in TRAPS {
            set_trap(&path, trap, &secret);
            assert_trap_refused(&dir, shown, &format!("{shown} as {trap:?}"));
        }
        fs::remove_file(&path).unwrap();
        if let Some(bytes) = original {
            fs::write(&path, bytes).unwrap();
        }
    }
    build_ok(&dir, "clean", &[]);
}

#[test]
fn a_dangling_link_in_a_template_folder_is_named_by_check_and_build() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let style = with_house_style(&dir);
    std::os::unix::fs::symlink("/nonexistent/cover.typ", style.join("templates/cover.typ"))
        .unwrap();
    for command in ["check", "build"] {
        let out = run(&[command.as_ref(), dir.as_os_str()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert_diagnostic(
            &err,
            "house/templates/cover.typ:1:1",
            "is a link to a file that does not exist",
        );
    }
}

#[test]
fn templates_of_audit_toml_cannot_name_a_folder_outside_the_audit_folder() {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let private = tmp.path().join("private");
    fs::create_dir_all(&private).unwrap();
    fs::write(private.join("id_rsa"), SECRET).unwrap();
    // A template there would read("/id_rsa") and print the key.
    fs::write(
        private.join("cover.typ"),
        "#let cover(view) = [#read(\"/id_rsa\")]\n",
    )
    .unwrap();
    let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
    for value in ["../private", private.to_str().unwrap()] {
        fs::write(
            dir.join("audit.toml"),
            format!("templates = \"{value}\"\n{toml}"),
        )
        .unwrap();
        let pdf = dir.parent().unwrap().join("t.pdf");
        let out = build_to(&dir, &pdf, &[]);
        assert_eq!(out.status.code(), Some(1), "{value}: {}", stderr(&out));
        assert_diagnostic(&stderr(&out), "audit.toml:1:13", "leaves the audit folder");
        assert!(!pdf.exists());
    }
    // Nor through a link inside the folder that leads there.
    std::os::unix::fs::symlink(&private, dir.join("looks-inside")).unwrap();
    fs::write(
        dir.join("audit.toml"),
        format!("templates = \"looks-inside\"\n{toml}"),
    )
    .unwrap();
    let pdf = dir.parent().unwrap().join("t.pdf");
    let out = build_to(&dir, &pdf, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("leaves its folder"),
        "{}",
        stderr(&out)
    );
    assert!(!pdf.exists());
    // Given on the command line by the person who builds, it is theirs to choose.
    fs::write(dir.join("audit.toml"), &toml).unwrap();
    fs::remove_file(private.join("cover.typ")).unwrap();
    fs::write(private.join("README"), "notes").unwrap();
    let out = build_to(&dir, &pdf, &["--templates", private.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The CRC-32 of PNG chunks.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header says it is `side` x `side` pixels (its data is not
/// there: only a reader that decodes before checking the size would notice).
fn png_claiming(side: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend(data);
        png.extend(&body);
        png.extend(crc32(&body).to_be_bytes());
    };
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([1, 0, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    chunk(b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(b"IEND", &[]);
    png
}

/// A small JPEG carrying `comment` in a COM segment, as cameras and editors
/// leave names, places and serial numbers.
fn jpeg_with_comment(comment: &str) -> Vec<u8> {
    let picture = image::RgbImage::from_pixel(16, 16, image::Rgb([200, 30, 30]));
    let mut jpeg = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    let jpeg = jpeg.into_inner();
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xFE]);
    out.extend(((comment.len() + 2) as u16).to_be_bytes());
    out.extend(comment.as_bytes());
    out.extend(&jpeg[2..]);
    out
}

/// An SVG embedding `raster` as a base64 data: URI.
fn svg_embedding(raster: &[u8], mime: &str) -> String {
    use base64::Engine;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" width=\"64\" height=\"64\">\n\
         <image width=\"64\" height=\"64\" xlink:href=\"data:{mime};base64,{}\"/></svg>\n",
        base64::engine::general_purpose::STANDARD.encode(raster)
    )
}

#[test]
fn an_image_inside_an_svg_is_cleaned_and_capped_as_any_image() {
    let (_tmp, dir) = workspace(&example());
    let finding = dir.join("findings/NWS-LUMEN-1.md");
    edit(
        &dir,
        "findings/NWS-LUMEN-1.md",
        "images/exploit.png",
        "images/drawing.svg",
    );
    assert!(
        fs::read_to_string(&finding)
            .unwrap()
            .contains("images/drawing.svg")
    );
    // A JPEG's comment (or EXIF) does not reach the PDF through an SVG.
    let comment = "gps-51.5007-exif-comment";
    fs::write(
        dir.join("images/drawing.svg"),
        svg_embedding(&jpeg_with_comment(comment), "image/jpeg"),
    )
    .unwrap();
    let pdf = build_ok(&dir, "svg", &[]);
    let bytes = fs::read(&pdf).unwrap();
    assert!(
        !bytes
            .windows(comment.len())
            .any(|w| w == comment.as_bytes()),
        "the JPEG's comment is in the PDF"
    );
    // A pixel bomb inside an SVG is refused from its header, as it is alone.
    fs::write(
        dir.join("images/drawing.svg"),
        svg_embedding(&png_claiming(60_000), "image/png"),
    )
    .unwrap();
    let (out, ended) = run_within(&["build".as_ref(), dir.as_os_str()], &[], 60);
    assert!(ended, "the build hung");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_diagnostic(
        &stderr(&out),
        "findings/NWS-LUMEN-1.md:37:1",
        "60000 x 60000 pixels, more than the 40000000 pixels allowed",
    );
    // So is an SVG nested in an SVG, which would escape both checks.
    let inner = svg_embedding(&jpeg_with_comment(comment), "image/jpeg");
    fs::write(
        dir.join("images/drawing.svg"),
        svg_embedding(inner.as_bytes(), "image/svg+xml"),
    )
    .unwrap();
    let out = run(&["build".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("embeds data of type \"image/svg+xml\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_style_logo_keeps_no_exif_and_cannot_be_a_link_out() {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let style = with_house_style(&dir);
    let comment = "camera-serial-ABC123-logo";
    fs::write(style.join("logo.jpg"), jpeg_with_comment(comment)).unwrap();
    let pdf = build_ok(&dir, "logo", &[]);
    let bytes = fs::read(&pdf).unwrap();
    assert!(
        !bytes
            .windows(comment.len())
            .any(|w| w == comment.as_bytes()),
        "the logo's comment is in the PDF"
    );
    assert!(images_on_page(&pdf, 1) >= 1, "the logo is on the cover");
    fs::remove_file(style.join("logo.jpg")).unwrap();
    let outside = tmp.path().join("elsewhere.jpg");
    fs::write(&outside, jpeg_with_comment(comment)).unwrap();
    std::os::unix::fs::symlink(&outside, style.join("logo.jpg")).unwrap();
    let out = run(&["build".as_ref(), dir.as_os_str()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_diagnostic(
        &stderr(&out),
        "house/logo.jpg:1:1",
        "is a link that leaves its folder",
    );
}

/// The processes whose parent is `pid` (its children, on every thread).
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter_map(|t| fs::read_to_string(t.path().join("children")).ok())
        .flat_map(|c| {
            c.split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

/// Whether a process still runs (a zombie has ended).
fn running(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        let state = stat
            .rsplit_once(')')
            .map(|(_, r)| r.trim_start().chars().next());
        !matches!(state, Some(Some('Z' | 'X')) | None)
    })
}

#[test]
fn a_sigkill_of_the_build_leaves_no_worker_to_overwrite_a_newer_report() {
    let (tmp, dir) = workspace(&example());
    let pdf = tmp.path().join("report.pdf");
    let batch = tmp.path().join("batch.toml");
    fs::write(
        &batch,
        "output = \"report.pdf\"\n[[report]]\nfolder = \"audit\"\n",
    )
    .unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rng = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut killed_with_worker = 0;
    for round in 0..50 {
        // The newer report, as another build would have left it.
        fs::write(&pdf, b"newer report").unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditpress"));
        if round % 5 == 4 {
            cmd.arg("batch").arg(&batch);
        } else {
            cmd.arg("build").arg(&dir).arg("-o").arg(&pdf);
        }
        let mut child = cmd
            .arg("-q")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Kill it while its worker typesets (a build of the example takes
        // about a second), as a cancelled CI job or the OOM killer would.
        let wait = 150 + rng() % 600;
        let mut workers = Vec::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(wait) {
            for w in children_of(child.id()) {
                if !workers.contains(&w) {
                    workers.push(w);
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let finished = child.try_wait().unwrap().is_some();
        // SAFETY: sending a signal to our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
        let _ = child.wait();
        if finished {
            continue;
        }
        let at_kill = fs::read(&pdf).unwrap();
        std::thread::sleep(Duration::from_secs(1));
        let alive: Vec<u32> = workers.iter().copied().filter(|w| running(*w)).collect();
        assert!(
            alive.is_empty(),
            "round {round}: workers {alive:?} still run 1 s after the kill"
        );
        if !workers.is_empty() {
            killed_with_worker += 1;
        }
        // Nothing changes the output after the kill.
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(
            fs::read(&pdf).unwrap(),
            at_kill,
            "round {round}: the output changed after the kill"
        );
    }
    assert!(
        killed_with_worker >= 25,
        "only {killed_with_worker} kills hit a working worker"
    );
}

/// A noisy picture `side` pixels wide, as PNG: it does not compress, so a
/// page that shows it is large.
fn noisy_png(side: u32) -> Vec<u8> {
    let mut seed: u32 = 0x1234_5678;
    let picture = image::RgbImage::from_fn(side, side, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [a, b, c, _] = seed.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut png, image::ImageFormat::Png).unwrap();
    png.into_inner()
}

#[test]
fn slow_readers_of_a_large_page_cannot_keep_serve_from_answering() {
    let (_tmp, dir) = workspace(&example());
    fs::write(dir.join("images/exploit.png"), noisy_png(1800)).unwrap();
    let serve = Serve::start(&dir);
    // The largest page: the one that shows the picture.
    let pages = serve.state()["pages"].as_array().unwrap().len();
    let (page, size) = (0..pages)
        .map(|n| {
            (
                n,
                serve.get(&format!("/page/{n}.svg"), &serve.local()).1.len(),
            )
        })
        .max_by_key(|(_, len)| *len)
        .unwrap();
    assert!(size > 5_000_000, "the largest page has {size} bytes");
    // Every answering thread gets a client that reads 128 KiB every 2 s.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let port = serve.port;
    let readers: Vec<_> = (0..12)
        .map(|_| {
            let stop = std::sync::Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
                let _ = write!(
                    s,
                    "GET /page/{page}.svg HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
                );
                let mut buf = vec![0; 128 * 1024];
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    if matches!(s.read(&mut buf), Ok(0) | Err(_)) {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(2));
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1));
    // A normal request is answered once a slow reader's time is up (10 s).
    let start = Instant::now();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(40)))
        .unwrap();
    write!(
        stream,
        "GET /state HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        serve.local()
    )
    .unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let waited = start.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        let _ = r.join();
    }
    assert_eq!(status(&answer), 200, "no answer after {waited:?}");
    assert!(waited < Duration::from_secs(25), "/state waited {waited:?}");
}

#[test]
fn the_markdown_export_prints_hostile_report_text_and_targets_as_text() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    edit(
        &dir,
        "audit.toml",
        "title = \"Acme Router\"",
        "title = \"<script>alert(1)</script>\"",
    );
    edit(
        &dir,
        "audit.toml",
        "vendor = \"Example Security\"",
        "vendor = \"<img src=x onerror=alert(2)>\"",
    );
    let target = "src/a`b> c](javascript:x).c";
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let rows: Vec<String> = csv
        .lines()
        .enumerate()
        .map(|(i, row)| match i {
            0 => format!("{row},target"),
            1 => format!("{row},\"{target}\""),
            _ => format!("{row},"),
        })
        .collect();
    fs::write(dir.join("findings.csv"), rows.join("\n") + "\n").unwrap();
    let markdown = export(&dir, "markdown");
    let mut html = Vec::new();
    let mut code = Vec::new();
    let mut text = String::new();
    for event in pulldown_cmark::Parser::new(&markdown) {
        match event {
            pulldown_cmark::Event::Html(h) | pulldown_cmark::Event::InlineHtml(h) => {
                html.push(h.to_string())
            }
            pulldown_cmark::Event::Code(c) => code.push(c.to_string()),
            pulldown_cmark::Event::Text(t) => text.push_str(&t),
            _ => {}
        }
    }
    assert!(html.is_empty(), "HTML in the export: {html:?}\n{markdown}");
    assert!(text.contains("<script>alert(1)</script>"), "{markdown}");
    assert!(text.contains("<img src=x onerror=alert(2)>"), "{markdown}");
    assert!(code.contains(&target.to_string()), "{code:?}\n{markdown}");
}

#[test]
fn two_builds_of_one_output_at_once_both_succeed() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let pdf = dir.parent().unwrap().join("same.pdf");
    for round in 0..15 {
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_auditpress"))
                .arg("build")
                .arg(&dir)
                .arg("-o")
                .arg(&pdf)
                .arg("-q")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (a, b) = (spawn(), spawn());
        for child in [a, b] {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "round {round}: {}", stderr(&out));
        }
        assert!(whole_pdf(&pdf), "round {round}");
    }
}

#[test]
fn a_batch_output_name_cannot_lead_out_of_its_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("jobs/audit");
    copy_dir(&fixture("fixreview"), &dir);
    edit(
        &dir,
        "audit.toml",
        "title = \"Acme Router\"",
        "title = \"..\"\nversion = \"..\"",
    );
    let batch = tmp.path().join("jobs/batch.toml");
    fs::write(
        &batch,
        "output = \"out/{title}/{version}/{subtitle}.pdf\"\n[[report]]\nfolder = \"audit\"\n",
    )
    .unwrap();
    let out = run(&["batch".as_ref(), batch.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written: Vec<PathBuf> = files_under(tmp.path())
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    assert!(
        written[0].starts_with("jobs/out"),
        "written outside out/: {written:?}"
    );
}

// ---- auditpress lsp: broken framing, and files that are not files ----

/// The peak memory of a running process, in MiB (VmHWM in /proc).
fn peak_mib(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim();
    kib.parse::<u64>().unwrap() / 1024
}

/// A language server with a finding of the example folder open.
fn lsp_on_example() -> (tempfile::TempDir, PathBuf, crate::lsp::Lsp) {
    let (tmp, dir) = workspace(&example());
    let mut lsp = crate::lsp::Lsp::start();
    let u = lsp.open(&dir.join("findings/NWS-LUMEN-1.md"));
    assert_eq!(lsp.diagnostics(&u).len(), 0);
    (tmp, dir, lsp)
}

/// The request an editor makes next gets its answer: the open folder's
/// finding, by its id.
fn still_answers(lsp: &mut crate::lsp::Lsp) {
    let r = lsp.request(
        "workspace/symbol",
        serde_json::json!({"query": "NWS-LUMEN-1"}),
    );
    assert!(
        r["result"][0]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("NWS-LUMEN-1")),
        "{r}"
    );
}

/// The next error the server sends is a parse error about no request.
fn parse_error(lsp: &mut crate::lsp::Lsp) {
    let m = loop {
        let m = lsp.next();
        if m.get("method").is_none() {
            break m;
        }
        lsp.pending.push(m);
    };
    assert_eq!(m["error"]["code"], -32700, "{m}");
    assert!(m["id"].is_null(), "{m}");
}

#[test]
fn broken_framing_cannot_stop_desynchronise_or_swell_the_language_server() {
    let (_tmp, _dir, mut lsp) = lsp_on_example();
    // A header byte that is not UTF-8, on a line of its own or in a header:
    // it ended the server, with exit 0.
    lsp.raw(b"\xff\r\n");
    still_answers(&mut lsp);
    lsp.raw(b"X-Editor: caf\xe9\r\n");
    still_answers(&mut lsp);
    // A Content-Length that is not a number, none at all, and one over the
    // limit (which swallowed every later request as its body).
    for header in [
        &b"Content-Length: 1\xff2\r\n\r\n{}"[..],
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n",
        b"Content-Length: 99999999999\r\n\r\n",
    ] {
        lsp.raw(header);
        parse_error(&mut lsp);
        still_answers(&mut lsp);
    }
    // A Content-Length 3 bytes short: a parse error, then the next request
    // is answered (the 3 bytes left over hid its header for good).
    let request = |id: i64| {
        serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "workspace/symbol", "params": {"query": ""}})
            .to_string()
    };
    let body = request(900);
    lsp.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 3).as_bytes());
    parse_error(&mut lsp);
    still_answers(&mut lsp);
    // 3 bytes long: that request and the next are both answered.
    let body = request(901);
    lsp.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 3).as_bytes());
    still_answers(&mut lsp);
    assert!(
        lsp.pending
            .iter()
            .any(|m| m["id"] == 901 && m["result"].is_array()),
        "{:?}",
        lsp.pending
    );
    // A header line of 400 MiB without its end, then a request: the server
    // held all of it (411 MiB) and never found the header glued to its end.
    // What the server holds anyway (its spelling dictionary and rules among
    // it) is measured first: the 400 MiB must add next to nothing.
    let before = peak_mib(lsp.child.id());
    let chunk = vec![b'a'; 1024 * 1024];
    for _ in 0..400 {
        lsp.raw(&chunk);
    }
    still_answers(&mut lsp);
    let peak = peak_mib(lsp.child.id());
    assert!(
        peak < before + 32,
        "the server's memory peaked at {peak} MiB, {before} MiB before the header"
    );
    lsp.stop();
}

#[test]
fn a_fifo_or_a_device_named_by_an_editor_cannot_hang_the_language_server() {
    let (tmp, dir, mut lsp) = lsp_on_example();
    let real = dir.canonicalize().unwrap();
    let fifo = real.join("notes.md");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", real.join("zero.md")).unwrap();
    // What the server holds anyway (its spelling dictionary and rules among
    // it): reading /dev/zero would add without end.
    let before = peak_mib(lsp.child.id());
    let elsewhere = tmp.path().canonicalize().unwrap().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let outside_fifo = elsewhere.join("pipe.md");
    assert!(
        Command::new("mkfifo")
            .arg(&outside_fifo)
            .status()
            .unwrap()
            .success()
    );
    // In the folder, never opened: a FIFO (this blocked the server for
    // good) and a link to /dev/zero (read until memory ran out). Each
    // request gets an error naming the file, and the next its answer.
    for (file, why) in [
        (&fifo, "notes.md is a FIFO, not a regular file"),
        (
            &real.join("zero.md"),
            "zero.md is a link that leaves its folder",
        ),
    ] {
        let u = format!("file://{}", file.display());
        for method in [
            "textDocument/hover",
            "textDocument/documentSymbol",
            "textDocument/codeAction",
        ] {
            let r = lsp.request(
                method,
                serde_json::json!({
                    "textDocument": {"uri": u},
                    "position": {"line": 0, "character": 0},
                    "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                    "context": {"diagnostics": []},
                }),
            );
            let message = r["error"]["message"].as_str().unwrap_or("");
            assert!(message.contains(why), "{method} on {u}: {r}");
            still_answers(&mut lsp);
        }
    }
    // Outside any audit folder: nothing to answer from, and nothing read.
    for u in [
        "file:///dev/zero".to_string(),
        format!("file://{}", outside_fifo.display()),
    ] {
        let r = lsp.at("textDocument/hover", &u, 0, 0);
        assert!(r["result"].is_null() && r.get("error").is_none(), "{r}");
        still_answers(&mut lsp);
    }
    let peak = peak_mib(lsp.child.id());
    assert!(
        peak < before + 32,
        "the server's memory peaked at {peak} MiB, {before} MiB before"
    );
    lsp.stop();
}

// ---------------------------------------------------------------------------
// Importers and `new finding` (issue 34: items 1, 7, 8, 9, 16, 17, 20, 21, 22)
// ---------------------------------------------------------------------------

/// Runs `new finding --in DIR`.
fn import_new_finding(dir: &Path) -> std::process::Output {
    run(&[
        "new".as_ref(),
        "finding".as_ref(),
        "--in".as_ref(),
        dir.as_os_str(),
    ])
}

/// Runs a command, killing it after `limit`; `None` when it had to be killed.
fn import_within(args: &[&std::ffi::OsStr], limit: Duration) -> Option<std::process::Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(child.wait_with_output().unwrap())
}

/// Runs `library import FILE --in DIR` with at most `bytes` of address
/// space, so that a converter that blows up fails fast instead of taking
/// the machine's memory.
fn import_library_limited(file: &Path, dir: &Path, bytes: u64) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditpress"));
    cmd.args(["library", "import"])
        .arg(file)
        .arg("--in")
        .arg(dir);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.output().unwrap()
}

/// The example folder with a library folder of its own, `library/`.
fn import_library_folder() -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = workspace(&example());
    edit(
        &dir,
        "audit.toml",
        "title = ",
        "library = \"library\"\ntitle = ",
    );
    fs::create_dir(dir.join("library")).unwrap();
    (tmp, dir)
}

#[test]
fn new_finding_cannot_write_outside_the_folder_whatever_id_prefix_says() {
    let (tmp, dir) = new_audit();
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    // An absolute prefix whose folder exists, and one that climbs out.
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let absolute = elsewhere.join("escaped").display().to_string();
    for prefix in ["../../escaped", absolute.as_str()] {
        let line = format!("id_prefix = {}", toml::Value::from(prefix));
        edit(&dir, "audit.toml", "id_prefix = \"EX\"", &line);
        let out = import_new_finding(&dir);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{prefix}: {err}");
        assert_diagnostic(&err, "audit.toml:10:13", "is not a plain name");
        edit(&dir, "audit.toml", &line, "id_prefix = \"EX\"");
    }
    assert!(!tmp.path().join("escaped-1.md").exists());
    assert!(!elsewhere.join("escaped-1.md").exists());
    assert_eq!(fs::read_to_string(dir.join("findings.csv")).unwrap(), csv);
    assert_eq!(files_under(&dir.join("findings")).len(), 1);
    // The ids of findings.csv are read from its id column, wherever it is:
    // with the columns in another order, the next id is still EX-3.
    let swapped: String = csv
        .lines()
        .map(|l| {
            let (first, rest) = l.split_once(',').unwrap();
            let (second, rest) = rest.split_once(',').unwrap();
            format!("{second},{first},{rest}\n")
        })
        .collect();
    fs::write(dir.join("findings.csv"), &swapped).unwrap();
    let out = import_new_finding(&dir);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("findings/EX-3.md").exists(), "{}", stderr(&out));
    let table = fs::read_to_string(dir.join("findings.csv")).unwrap();
    assert!(
        table.lines().last().unwrap().starts_with("{{title}},EX-3,"),
        "{table}"
    );
}

#[test]
fn a_fifo_in_findings_cannot_hang_import_github() {
    let (_tmp, dir) = new_audit();
    let fifo = std::ffi::CString::new(dir.join("findings/notes").to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    let issues = fixture("issues/issues.json");
    let args: [&std::ffi::OsStr; 5] = [
        "import".as_ref(),
        "github".as_ref(),
        issues.as_os_str(),
        "--into".as_ref(),
        dir.as_os_str(),
    ];
    let out = import_within(&args, Duration::from_secs(60))
        .expect("import github hung on a FIFO in findings/");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.join("findings/EX-3.md").exists());
    // Run again: the earlier imports are found, the FIFO never opened.
    let out = import_within(&args, Duration::from_secs(60)).expect("the second import hung");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("already imported"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("findings/EX-6.md").exists());
}

#[test]
fn a_pwndoc_export_nested_deep_cannot_exhaust_memory_and_its_code_stays_code() {
    let (tmp, dir) = import_library_folder();
    // 840 KB of nested lists, a code block with a line of backticks and a
    // heading after it, a rule, and a link whose address holds `>`.
    let nested = "<ul><li>x".repeat(93_000);
    let observation = "<pre><code>curl -d @body\n```\n## Injected\n</code></pre><p>before</p><hr><p>after <a href=\"https://x.example/?a=1>2\">the page</a></p>";
    let export = serde_json::json!([{
        "cvssv3": null,
        "category": "Web",
        "details": [{
            "locale": "en",
            "title": "Deep lists",
            "description": nested,
            "observation": observation,
        }]
    }]);
    let file = tmp.path().join("pwndoc.json");
    fs::write(&file, export.to_string()).unwrap();
    let out = import_library_limited(&file, &dir, 2 << 30);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = fs::read_to_string(dir.join("library/deep-lists.md")).unwrap();
    assert!(text.len() < 4 << 20, "{} bytes", text.len());
    // The code keeps its line of backticks, inside a longer fence.
    assert!(
        text.contains("````\ncurl -d @body\n```\n## Injected\n````"),
        "{}",
        &text[text.len().saturating_sub(600)..]
    );
    // A rule, not an empty heading; the link whole.
    assert!(
        text.contains("before\n\n---\n\nafter"),
        "{}",
        &text[text.len() - 300..]
    );
    assert!(!text.lines().any(|l| l.trim() == "###"));
    assert!(
        text.contains("[the page](<https://x.example/?a=1%3E2>)"),
        "{}",
        &text[text.len() - 300..]
    );
    // `check` reads the write-up: no section "Injected" escaped the code.
    let out = run(&["check".as_ref(), "--no-spell".as_ref(), dir.as_os_str()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn library_import_of_2000_write_ups_of_one_title_takes_seconds_not_minutes() {
    let (tmp, dir) = import_library_folder();
    let entry = serde_json::json!({
        "translations": [{"language": "en-US", "is_main": true,
            "data": {"title": "Missing security headers", "description": "The server sends no CSP."}}]
    });
    let export = serde_json::Value::Array(vec![entry; 2000]);
    let file = tmp.path().join("sysreptor.json");
    fs::write(&file, export.to_string()).unwrap();
    // Each write-up is written whole and synced: on a disk, 2,000 syncs take
    // most of the time (18 s here). On a tmpfs, where a sync costs nothing,
    // what is left is the import itself.
    let lib = dir.join("library");
    let mounted = import_tmpfs(&lib, "64m");
    let bound = Duration::from_secs(if mounted { 30 } else { 60 });
    let start = Instant::now();
    let out = run(&[
        "library".as_ref(),
        "import".as_ref(),
        file.as_os_str(),
        "--in".as_ref(),
        dir.as_os_str(),
    ]);
    let took = start.elapsed();
    let count = fs::read_dir(&lib).unwrap().count();
    let first = lib.join("missing-security-headers.md").exists();
    let last = lib.join("missing-security-headers-2000.md").exists();
    if mounted {
        let _ = Command::new("umount").arg(&lib).status();
    }
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count, 2000);
    assert!(first && last);
    // 66-83 s before, whatever the disk.
    assert!(took < bound, "took {took:?}");
}

#[test]
fn a_sarif_region_that_overflows_is_a_warning_not_a_crash() {
    let (tmp, dir) = new_audit();
    let source = tmp.path().join("src");
    fs::create_dir(&source).unwrap();
    let code: String = (1..=1000).map(|n| format!("line {n}\n")).collect();
    fs::write(source.join("app.py"), code).unwrap();
    let result = |rule: &str, start: u64, end: u64| {
        serde_json::json!({
            "ruleId": rule, "level": "error", "message": {"text": "bad"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "app.py"},
                "region": {"startLine": start, "endLine": end}}}]
        })
    };
    let mut long = result("long", 5, 6);
    long["locations"][0]["physicalLocation"]["region"]["snippet"] = serde_json::json!({"text": (1..=1000).map(|n| format!("snippet {n}\n")).collect::<String>()});
    let log = serde_json::json!({
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "Scanner", "rules": [{"id": "zero"}, {"id": "huge"}, {"id": "long"}]}},
            "results": [result("zero", 0, 4_294_967_295), result("huge", 1, 4_294_967_295), long]
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
        "--source".as_ref(),
        source.as_os_str(),
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(&format!("warning: {}: the region of \"app.py\" of Scanner rule zero (startLine 0, endLine 4294967295) names no lines", sarif.display())),
        "{err}"
    );
    // The region to the end of time shows a bounded excerpt.
    let huge = fs::read_to_string(dir.join("findings/EX-4.md")).unwrap();
    assert!(
        huge.contains("line 200\n") && !huge.contains("line 201\n"),
        "{huge}"
    );
    // So does a scanner's snippet of a thousand lines.
    let long = fs::read_to_string(dir.join("findings/EX-5.md")).unwrap();
    assert!(
        long.contains("snippet 200\n") && !long.contains("snippet 201\n"),
        "{long}"
    );
}

/// Mounts a tmpfs of `size` at `dir`, when this test runs as root and may mount.
fn import_tmpfs(dir: &Path, size: &str) -> bool {
    fs::create_dir_all(dir).unwrap();
    Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn a_full_disk_during_import_writes_no_finding_and_says_which_file_failed() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = tmp.path().join("disk");
    if !import_tmpfs(&disk, "256k") {
        tool_missing("a small tmpfs (mounting one needs root)");
        return;
    }
    let dir = disk.join("audit");
    assert!(run(&["init".as_ref(), dir.as_os_str()]).status.success());
    let before: Vec<(PathBuf, Vec<u8>)> = files_under(&dir)
        .into_iter()
        .map(|p| (p.clone(), fs::read(dir.join(&p)).unwrap()))
        .collect();
    // 200 rules, each a draft of a few kilobytes: more than the disk holds.
    let help = "Validate the input before use. ".repeat(60);
    let rules: Vec<_> = (1..=200)
        .map(|n| serde_json::json!({"id": format!("rule-{n}"), "help": {"text": help}}))
        .collect();
    let results: Vec<_> = (1..=200)
        .map(|n| serde_json::json!({"ruleId": format!("rule-{n}"), "level": "error", "message": {"text": "x"}}))
        .collect();
    let log = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "Scanner", "rules": rules}}, "results": results}]});
    let sarif = tmp.path().join("scan.sarif");
    fs::write(&sarif, log.to_string()).unwrap();
    let out = import("sarif", &sarif, &dir);
    let err = stderr(&out);
    let after: Vec<(PathBuf, Vec<u8>)> = files_under(&dir)
        .into_iter()
        .map(|p| (p.clone(), fs::read(dir.join(&p)).unwrap()))
        .collect();
    let _ = Command::new("umount").arg(&disk).status();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("wrote"), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("findings/EX-"), "{err}");
    // The folder is as it was: no draft, no copy of the scan, no temporary file.
    assert_eq!(before, after, "{err}");
}

#[test]
fn issues_with_screenshots_import_into_a_folder_that_builds() {
    let (tmp, dir) = new_audit();
    let issues = tmp.path().join("issues.json");
    let body = "## Description\n\nThe page leaks the token:\n\n![token in the page](https://github.com/user-attachments/assets/1a2b.png)\n\nand again ![](https://example.com/b.png \"b\").\n\n```md\n![kept in code](https://example.com/c.png)\n```";
    fs::write(
        &issues,
        serde_json::json!([{"number": 7, "title": "Token in page", "body": body,
            "labels": [{"name": "severity: high"}], "state": "OPEN",
            "url": "https://github.com/x/y/issues/7"}])
        .to_string(),
    )
    .unwrap();
    let out = import("github", &issues, &dir);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(
        err.contains("issue #7 \"Token in page\": 2 images outside the folder became links"),
        "{err}"
    );
    let text = fs::read_to_string(dir.join("findings/EX-3.md")).unwrap();
    assert!(
        text.contains(
            "[image: token in the page](<https://github.com/user-attachments/assets/1a2b.png>)"
        ),
        "{text}"
    );
    assert!(
        text.contains("![kept in code](https://example.com/c.png)"),
        "{text}"
    );
    let pdf = build_ok(&dir, "screenshots", &[]);
    assert!(pdf_text(&pdf).contains("image: token in the page"));
}

#[test]
fn library_diff_cannot_print_a_file_outside_the_folder() {
    let (tmp, dir) = example_folder("smart-contract");
    let out = run(&[
        "new".as_ref(),
        "finding".as_ref(),
        "--from".as_ref(),
        "unchecked-transfer".as_ref(),
        "--set".as_ref(),
        "call=transfer".as_ref(),
        "--set".as_ref(),
        "target=harbor-vaults/src/Vault.sol#30".as_ref(),
        "--in".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let made = dir.join("findings/DRAFT-1.md");
    let text = fs::read_to_string(&made).unwrap();
    let version = text
        .lines()
        .find_map(|l| l.strip_prefix("from_version = "))
        .unwrap()
        .to_string();
    fs::write(&made, text.replace(&version, "\"../../../outside/notes\"")).unwrap();
    // The file that version would name, beside the audit folder.
    fs::create_dir_all(tmp.path().join("outside")).unwrap();
    fs::write(tmp.path().join("outside/notes.md"), "secret-notes-4711\n").unwrap();
    let out = run(&[
        "library".as_ref(),
        "diff".as_ref(),
        "--in".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(!shown.contains("secret-notes-4711"), "{shown}");
    assert!(
        shown.contains("DRAFT-1: made from write-up unchecked-transfer version \"../../../outside/notes\", which is not a version auditpress writes"),
        "{shown}"
    );
}

#[test]
fn library_diff_of_a_write_up_of_fifty_thousand_lines_needs_little_memory() {
    // The diff was a table of every pair of lines: two versions of 50,000
    // lines took about 10 GB, in the parent process, which has no limit.
    let (tmp, dir) = example_folder("smart-contract");
    let write_up = tmp.path().join("style/library/unchecked-transfer.md");
    let long: String = (0..50_000)
        .map(|i| format!("Line {i} of the notes.\n"))
        .collect();
    let text = fs::read_to_string(&write_up).unwrap() + "\n" + &long;
    fs::write(&write_up, &text).unwrap();
    let out = run(&[
        "new".as_ref(),
        "finding".as_ref(),
        "--from".as_ref(),
        "unchecked-transfer".as_ref(),
        "--set".as_ref(),
        "call=transfer".as_ref(),
        "--set".as_ref(),
        "target=harbor-vaults/src/Vault.sol#30".as_ref(),
        "--in".as_ref(),
        dir.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    fs::write(
        &write_up,
        text.replace(
            "Line 25000 of the notes.",
            "Line 25000 of the notes, changed.",
        ),
    )
    .unwrap();
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditpress"));
    cmd.args(["library", "diff", "--in"]).arg(&dir);
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(20));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(
        shown.contains("\n-Line 25000 of the notes.\n+Line 25000 of the notes, changed.\n"),
        "{}",
        &shown[..shown.len().min(2000)]
    );
    // One hunk: the changed line and three lines of context on each side.
    assert_eq!(shown.matches("\n@@ ").count(), 1, "{shown}");
    assert_eq!(shown.lines().filter(|l| l.starts_with(' ')).count(), 6);
}

// Parsers of untrusted input: CVSS vectors, spelling of huge paragraphs, CSV
// headers and quoting, SARIF scans of many rules.

/// Runs `check` with a deadline; returns its output and how long it took, or
/// panics (the process killed) past the deadline.
fn check_within(args: &[&str], dir: &Path, deadline: Duration) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .arg("check")
        .args(args)
        .arg(dir)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes on threads, so a flood of output cannot block the child.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut buf = [0u8; 65536];
            let mut total = 0usize;
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                total += n;
                if kept.len() < 1 << 20 {
                    kept.extend_from_slice(&buf[..n]);
                }
            }
            (kept, total)
        })
    };
    let pipes = [
        drain(Box::new(child.stdout.take().unwrap())),
        drain(Box::new(child.stderr.take().unwrap())),
    ];
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("check ran over {deadline:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let elapsed = started.elapsed();
    let [out, err] = pipes.map(|h| h.join().unwrap());
    assert!(
        err.1 < 1 << 20,
        "check printed {} bytes of diagnostics",
        err.1
    );
    let output = std::process::Output {
        status,
        stdout: out.0,
        stderr: err.0,
    };
    (output, elapsed)
}

/// The fixreview folder with a `cvss` column, each finding's vector given.
fn with_vectors(vectors: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in csv.lines().enumerate() {
        let cell = match i {
            0 => "cvss",
            n => vectors.get(n - 1).copied().unwrap_or(""),
        };
        out.push_str(&format!("{line},{cell}\n"));
    }
    fs::write(dir.join("findings.csv"), out).unwrap();
    (tmp, dir)
}

#[test]
fn an_incomplete_or_repeated_cvss_vector_is_an_error_at_its_place_not_a_score_or_a_crash() {
    // Before: the first scored 0.0 (a None rating, no error); the second and
    // third stopped the build with an internal error of no file, and every
    // other diagnostic was lost.
    let (_tmp, dir) = with_vectors(&[
        "CVSS:3.1/AV:N/AC:L",
        "CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.0/C:H",
    ]);
    // The same mistake in a finding's front matter.
    fs::create_dir_all(dir.join("findings")).unwrap();
    fs::write(
        dir.join("findings/ACME-4.md"),
        "+++\ncvss = \"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/S:C\"\n+++\n\n## Description\n\nLogs are kept.\n",
    )
    .unwrap();
    // Another mistake elsewhere, which must still be reported.
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let csv: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "colour" } else { "" }))
        .collect();
    fs::write(dir.join("findings.csv"), csv).unwrap();
    let out = run(&["check".as_ref(), "--no-spell".as_ref(), dir.as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert_diagnostic(
        &err,
        "findings.csv:2:55",
        "CVSS vector lacks the metric PR (Privileges Required)",
    );
    assert_diagnostic(
        &err,
        "findings.csv:3:52",
        "CVSS metric AV (Attack Vector) is given twice",
    );
    assert_diagnostic(
        &err,
        "findings.csv:4:50",
        "CVSS vector lacks the metric AV (Attack Vector)",
    );
    assert_diagnostic(
        &err,
        "findings/ACME-4.md:2:8",
        "CVSS metric S (Scope) is given twice",
    );
    assert_diagnostic(
        &err,
        "findings.csv:1:40",
        "unknown column \"colour\" is ignored",
    );
    // Four errors, and the closing count of them.
    assert_eq!(err.matches("error:").count(), 5, "{err}");
    assert!(
        err.contains("due to 4 previous errors; 1 warning emitted"),
        "{err}"
    );
}

#[test]
fn a_pasted_log_of_100000_words_in_one_paragraph_is_spell_checked_in_seconds() {
    // Before: 97 s and 4.2 GiB in harper, which is quadratic in a paragraph's length.
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    fs::create_dir_all(dir.join("findings")).unwrap();
    let words: Vec<&str> = "the server returned an error while reading request from client \
        connection closed after timeout retrying handshake user session token expired during \
        upload of large file cache missed database query failed because lock was held by another \
        process worker thread started stopped restarted memory usage grew slowly until limit \
        reached then garbage collector ran network packet dropped queue full backend service"
        .split_whitespace()
        .collect();
    // Words in no order that repeats, on one line, with no sentence end.
    let mut log = String::new();
    let mut x: u64 = 7;
    for i in 0..100_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        log.push_str(if i == 5_000 {
            "recieves"
        } else {
            words[(x >> 33) as usize % words.len()]
        });
        log.push(' ');
    }
    let body = format!("+++\n+++\n\n## Description\n\n{log}\n\nThe server recieved nothing.\n");
    fs::write(dir.join("findings/ACME-1.md"), &body).unwrap();
    let (out, took) = check_within(&[], &dir, Duration::from_secs(120));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // The paragraph is checked in its first 64 KiB, and says so once.
    assert_diagnostic(
        &err,
        "findings/ACME-1.md:6:1",
        "a paragraph of 100000 words is checked for spelling and grammar in its first 64 KiB only",
    );
    // A misspelling in the checked part, past the first piece, and one in
    // the next paragraph are found at their lines and columns.
    let place = |word: &str| {
        let at = body.find(word).unwrap();
        let line = body[..at].matches('\n').count() + 1;
        let column = at - body[..at].rfind('\n').unwrap();
        format!("findings/ACME-1.md:{line}:{column}")
    };
    assert_diagnostic(&err, &place("recieves"), "possible misspelling `recieves`");
    assert_diagnostic(&err, &place("recieved"), "possible misspelling `recieved`");
    assert_eq!(err.matches("possible misspelling").count(), 2, "{err}");
    assert!(took < Duration::from_secs(30), "check took {took:?}");
}

#[test]
fn ten_thousand_unknown_csv_columns_give_one_warning_not_a_gigabyte_of_them() {
    // Before: one warning per column, each printing the 119 KB header line: 1.48 GB.
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    let extra: String = (0..10_000).map(|i| format!(",extra{i}")).collect();
    let empty = ",".repeat(10_000);
    let csv: String = csv
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l}{}\n", if i == 0 { &extra } else { &empty }))
        .collect();
    fs::write(dir.join("findings.csv"), &csv).unwrap();
    let (out, _) = check_within(&["--no-spell"], &dir, Duration::from_secs(60));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert_diagnostic(
        &err,
        "findings.csv:1:35",
        "10000 unknown columns: \"extra0\", \"extra1\", \"extra2\", \"extra3\", \"extra4\", and 9995 more; they are ignored",
    );
    // The snippet shows the place, not the whole header line.
    assert!(
        err.len() < 2000,
        "{} bytes:\n{}",
        err.len(),
        &err[..2000.min(err.len())]
    );
    // A mistake at the far end of a long line is shown there, with its column.
    let csv = csv.replacen("extra9999", "title", 1);
    fs::write(dir.join("findings.csv"), &csv).unwrap();
    let (out, _) = check_within(&["--no-spell"], &dir, Duration::from_secs(60));
    let err = stderr(&out);
    let column = csv.lines().next().unwrap().rfind("title").unwrap() + 1;
    assert_diagnostic(
        &err,
        &format!("findings.csv:1:{column}"),
        "duplicate column \"title\"",
    );
    assert!(
        err.len() < 4000,
        "{} bytes:\n{}",
        err.len(),
        &err[..4000.min(err.len())]
    );
}

#[test]
fn csv_quoting_errors_on_320000_rows_check_in_seconds_and_print_a_screenful() {
    // Before: every row looked up every error, 44 to 63 s, and 320,000 errors were printed.
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let mut csv = fs::read_to_string(dir.join("findings.csv")).unwrap();
    for i in 0..320_000 {
        csv.push_str(&format!("X-{i},\"Title\" {i},Low,Low,Authentication\n"));
    }
    fs::write(dir.join("findings.csv"), &csv).unwrap();
    let (out, took) = check_within(&["--no-spell"], &dir, Duration::from_secs(120));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_diagnostic(
        &err,
        "findings.csv:6:5",
        "text after the closing quote of a cell (`\"Title\" 0`)",
    );
    assert_eq!(
        err.matches("text after the closing quote").count(),
        20,
        "{}",
        &err[..3000]
    );
    assert_diagnostic(
        &err,
        "findings.csv:26:6",
        "319980 more quoting errors in this file are not shown",
    );
    assert!(took < Duration::from_secs(20), "check took {took:?}");
}

#[test]
fn a_sarif_scan_of_160000_rules_and_results_checks_in_seconds() {
    // Before: each result searched every rule for its level: 28 to 53 s on
    // every check, rebuild and keystroke of the editor.
    let (_tmp, dir) = workspace(&fixture("scanned"));
    let n = 160_000;
    // Every 1000th rule says its results are errors; the others, nothing.
    let rules: Vec<String> = (0..n)
        .map(|i| match i % 1000 {
            0 => {
                format!("{{\"id\":\"rule-{i}\",\"defaultConfiguration\":{{\"level\":\"error\"}}}}")
            }
            _ => format!("{{\"id\":\"rule-{i}\"}}"),
        })
        .collect();
    // Results in the opposite order, without levels: each looks up its rule.
    let results: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "{{\"ruleId\":\"rule-{}\",\"message\":{{\"text\":\"m\"}}}}",
                n - 1 - i
            )
        })
        .collect();
    fs::write(
        dir.join("scans/many.sarif"),
        format!(
            "{{\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{{\"name\":\"Many\",\"rules\":[{}]}}}},\"results\":[{}]}}]}}",
            rules.join(","),
            results.join(",")
        ),
    )
    .unwrap();
    edit(
        &dir,
        "findings/SCN-2.md",
        "\"shell-true\"",
        "\"shell-true\", \"rule-77\", \"rule-x\"",
    );
    let (out, took) = check_within(&["--no-spell"], &dir, Duration::from_secs(120));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // The one rule id of no result is named; the hint lists a few ids, not 160,000.
    assert_diagnostic(
        &err,
        "findings/SCN-2.md:2:35",
        "no result of scans/*.sarif has rule id \"rule-x\"",
    );
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(err.len() < 2000, "{err}");
    // Every result counted with its rule's level.
    let view = view_json(&dir);
    let scan = view["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Many")
        .unwrap_or_else(|| panic!("{view}"));
    assert_eq!(scan["scan"]["results"], n, "{scan}");
    let levels = &scan["scan"]["levels"];
    assert_eq!(
        levels[0],
        serde_json::json!({"level": "error", "count": 160}),
        "{scan}"
    );
    assert_eq!(
        levels[1],
        serde_json::json!({"level": "warning", "count": n - 160}),
        "{scan}"
    );
    assert!(took < Duration::from_secs(20), "check took {took:?}");
}

#[test]
fn a_byte_order_mark_before_a_column_name_is_shown_once_and_the_column_still_read() {
    // Before: `unknown column "title"… did you mean "title"?`, the mark printed
    // raw, and four false errors of a finding without a title.
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    edit(&dir, "findings.csv", "id,title", "id,\u{FEFF}title");
    let out = run(&["check".as_ref(), "--no-spell".as_ref(), dir.as_os_str()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_diagnostic(
        &err,
        "findings.csv:1:4",
        "column name \"<U+FEFF>title\" holds an invisible character U+FEFF; it is read as \"title\"",
    );
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(!err.contains('\u{FEFF}'), "{err:?}");
    let view = view_json(&dir);
    assert_eq!(view["findings"][0]["title_text"], "Default admin password");
}

#[test]
fn a_run_of_300000_characters_without_a_space_is_spell_checked_in_seconds() {
    // Before: harper's lexer is quadratic in a run without a space (180 KB of
    // `ab.ab.…` took 18 s), and a 200,000-letter word asked 3.2 GB for its
    // suggestions.
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    fs::create_dir_all(dir.join("findings")).unwrap();
    let body = format!(
        "+++\n+++\n\n## Description\n\nThe dump {} ends.\n\nThe word {} ends.\n\nThe server recieved nothing.\n",
        "ab.".repeat(100_000),
        "a".repeat(200_000)
    );
    fs::write(dir.join("findings/ACME-1.md"), &body).unwrap();
    let (out, took) = check_within(&[], &dir, Duration::from_secs(120));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let at = body.find("recieved").unwrap();
    let line = body[..at].matches('\n').count() + 1;
    assert_diagnostic(
        &err,
        &format!("findings/ACME-1.md:{line}:12"),
        "possible misspelling `recieved`",
    );
    assert_eq!(err.matches("warning:").count(), 1, "{err}");
    assert!(took < Duration::from_secs(10), "check took {took:?}");
}

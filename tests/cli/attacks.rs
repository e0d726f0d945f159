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
    for round in 0..3 {
        fs::write(dir.join("findings.csv"), format!("{csv}\n")).unwrap();
        let until = Instant::now() + Duration::from_millis(800);
        while Instant::now() < until {
            worst = worst.max(timed_state(&serve));
        }
        let _ = round;
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
    assert_eq!(out.status.code(), Some(2));
    assert!(!leaked);
    assert!(
        stderr(&out).contains("outside the template folder"),
        "{}",
        stderr(&out)
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
    assert_eq!(err.matches("error:").count(), 4, "{err}");
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

//! The bench's long-running measurements: one-finding edits in watch and serve,
//! and the memory of a batch and of a watch session.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Reports in the batch memory measurement.
pub(super) const MEMORY_REPORTS: usize = 200;

/// Builds `MEMORY_REPORTS` audits whose findings differ in one run and
/// returns the resident memory (KiB) of the process and its workers after
/// a quarter, half, three quarters and nearly all of the reports were written.
pub(super) fn batch_memory(
    exe: &Path,
    dir: &Path,
    jobs: usize,
) -> std::io::Result<Vec<(usize, u64)>> {
    let folders: Vec<PathBuf> = (0..MEMORY_REPORTS)
        .map(|i| dir.join(format!("audit-{i}")))
        .collect();
    for (i, folder) in folders.iter().enumerate() {
        synthesize_seeded(folder, BATCH_FINDINGS, i + 1)?;
    }
    let mut child = Command::new(exe)
        .arg("build")
        .args(&folders)
        .arg("--jobs")
        .arg(jobs.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let written = || {
        fs::read_dir(dir).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
                .count()
        })
    };
    let marks = [
        MEMORY_REPORTS / 4,
        MEMORY_REPORTS / 2,
        MEMORY_REPORTS * 3 / 4,
        // Not the last report: by then the workers are ending.
        MEMORY_REPORTS - jobs * 2,
    ];
    let mut samples = Vec::new();
    // The last reading while the workers were still running: at the very end
    // they are gone before the parent.
    let mut last = (0, 0);
    loop {
        let tree = process_tree(child.id());
        let kib: u64 = tree.iter().copied().filter_map(resident).sum();
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                return Err(std::io::Error::other("the memory batch failed"));
            }
            if samples.len() < marks.len() {
                samples.push(last);
            }
            return Ok(samples);
        }
        let done = written();
        if tree.len() > 1 {
            last = (done, kib);
            if marks.get(samples.len()).is_some_and(|m| done >= *m) {
                samples.push((done, kib));
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Edits in the watch memory measurement.
pub(super) const EDITS: usize = 500;

/// Runs `auditpress watch`, edits one finding `edits` times, and returns the
/// resident memory (KiB) of watch and its worker after some of the edits.
pub(super) fn watch_memory(
    exe: &Path,
    dir: &Path,
    edits: usize,
) -> std::io::Result<Vec<(usize, u64)>> {
    use std::io::BufRead;
    let mut child = Command::new(exe)
        .arg("watch")
        .arg(dir)
        .arg("-o")
        .arg(dir.with_extension("memory.pdf"))
        .args(["--diagnostic-format", "json"])
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("piped")).lines();
    let mut rebuilt = || -> std::io::Result<()> {
        for line in lines.by_ref() {
            if built(&line?).is_some_and(|b| b.ok) {
                return Ok(());
            }
        }
        Err(std::io::Error::other("watch stopped"))
    };
    rebuilt()?;
    let file = edited_write_up(dir)?;
    let text = fs::read_to_string(&file)?;
    let mut samples = Vec::new();
    for i in 1..=edits {
        fs::write(&file, format!("{text}\nEdit {i}.\n"))?;
        rebuilt()?;
        if [10, 100, edits / 2, edits].contains(&i) {
            let kib: u64 = process_tree(child.id())
                .into_iter()
                .filter_map(resident)
                .sum();
            samples.push((i, kib));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    fs::write(&file, text)?;
    Ok(samples)
}

/// A rebuild as watch and serve report it under `--diagnostic-format json`.
struct BuildEvent {
    ok: bool,
    took: Duration,
    /// Where the time went: `load 4 ms, view 2 ms, ...`.
    split: String,
}

/// Reads a `built` event line; `None` for any other line.
fn built(line: &str) -> Option<BuildEvent> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v["event"] != "built" {
        return None;
    }
    let t = &v["timings"];
    let part = |k: &str| format!("{k} {:.0} ms", t[k].as_f64().unwrap_or(0.0));
    let mut parts: Vec<String> = ["load", "view", "typeset", "pdf"]
        .iter()
        .map(|k| part(k))
        .collect();
    if t["preview"].as_f64().unwrap_or(0.0) > 0.0 {
        parts.push(part("preview"));
    }
    parts.extend(["evict", "write"].iter().map(|k| part(k)));
    Some(BuildEvent {
        ok: v["ok"].as_bool().unwrap_or(false),
        took: Duration::from_millis(v["ms"].as_u64().unwrap_or(0)),
        split: parts.join(", "),
    })
}

/// Edits of one finding the language server's latency is measured over.
pub(super) const LSP_EDITS: usize = 30;

/// Returns a process's resident memory in KiB.
pub(super) fn resident(pid: u32) -> Option<u64> {
    status_field(pid, "VmRSS:")
}

/// What one edit in watch mode cost.
pub(super) struct Edit {
    /// From the write of the file to the "rebuilt" line: the watcher's wait included.
    pub(super) to_pdf: Duration,
    /// The rebuild as watch reports it.
    pub(super) rebuild: Duration,
    /// Where the rebuild's time went, as `watch --timings` says.
    pub(super) split: String,
}

/// Runs `auditpress watch --timings`, edits one finding three times, and
/// returns the median edit.
pub(super) fn watch_rebuild(exe: &Path, dir: &Path) -> std::io::Result<Edit> {
    use std::io::BufRead;
    let mut child = Command::new(exe)
        .arg("watch")
        .arg(dir)
        .arg("-o")
        .arg(dir.with_extension("watch.pdf"))
        .arg("--timings")
        .args(["--diagnostic-format", "json"])
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("piped")).lines();
    let mut next_rebuild = || -> std::io::Result<(Duration, String)> {
        for line in lines.by_ref() {
            if let Some(b) = built(&line?).filter(|b| b.ok) {
                return Ok((b.took, b.split));
            }
        }
        Err(std::io::Error::other("watch stopped"))
    };
    next_rebuild()?;
    let file = edited_write_up(dir)?;
    let mut edits = Vec::new();
    for word in ["remote attacker", "local attacker", "network attacker"] {
        let text = fs::read_to_string(&file)?;
        let start = Instant::now();
        fs::write(&file, text.replacen("attacker", word, 1))?;
        let (rebuild, split) = next_rebuild()?;
        edits.push(Edit {
            to_pdf: start.elapsed(),
            rebuild,
            split,
        });
    }
    let _ = child.kill();
    let _ = child.wait();
    edits.sort_by_key(|e| e.to_pdf);
    Ok(edits.swap_remove(1))
}

/// Runs `auditpress serve` on a folder, follows its event stream as a browser
/// does, and edits one finding three times; returns the median times from the
/// write to the event whose pages changed, and to the new PDF.
pub(super) fn serve_edit(exe: &Path, dir: &Path) -> std::io::Result<(Duration, Duration, String)> {
    let (mut child, lines) = spawn_serve(exe, dir)?;
    let wait = Duration::from_secs(120);
    let stopped = || std::io::Error::other("serve stopped");
    let mut port = None;
    while port.is_none() {
        let (_, line) = lines.recv_timeout(wait).map_err(|_| stopped())?;
        // The first event says where the preview is served.
        port = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .filter(|event| event["event"] == "serving")
            .and_then(|event| {
                let url = event["url"].as_str()?.trim_end_matches('/').to_string();
                url.rsplit(':').next()?.parse::<u16>().ok()
            });
    }
    let port = port.expect("a port");
    let next_build = || -> std::io::Result<(Instant, String)> {
        loop {
            let (at, line) = lines.recv_timeout(wait).map_err(|_| stopped())?;
            match built(&line) {
                Some(b) if b.ok => return Ok((at, b.split)),
                Some(_) => return Err(std::io::Error::other("the edited folder did not build")),
                None => {}
            }
        }
    };
    next_build()?;
    let events = page_events(port)?;
    // The stream speaks only of changes: the first edit's first event is new.
    let mut shown = String::new();
    let file = edited_write_up(dir)?;
    let mut times = Vec::new();
    for word in ["remote attacker", "local attacker", "network attacker"] {
        let text = fs::read_to_string(&file)?;
        let start = Instant::now();
        fs::write(&file, text.replacen("attacker", word, 1))?;
        let preview = loop {
            let (at, pages) = events.recv_timeout(wait).map_err(|_| stopped())?;
            if pages != shown {
                shown = pages;
                break at - start;
            }
        };
        let (built, split) = next_build()?;
        // Let the build's own event pass before the next edit.
        while events.recv_timeout(Duration::from_millis(200)).is_ok() {}
        times.push((preview, built - start, split));
    }
    let _ = child.kill();
    let _ = child.wait();
    times.sort();
    Ok(times.swap_remove(1))
}

/// Starts `serve` on a folder, JSON events on, and returns it with its
/// standard error's lines, each with the time it arrived.
fn spawn_serve(exe: &Path, dir: &Path) -> std::io::Result<(std::process::Child, Lines)> {
    use std::io::BufRead;
    let mut child = Command::new(exe)
        .arg("serve")
        .arg(dir)
        .args([
            "--port",
            "0",
            "--timings",
            "--diagnostic-format",
            "json",
            "-o",
        ])
        .arg(dir.with_extension("serve.pdf"))
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let (lines_tx, lines) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().expect("piped");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send((Instant::now(), line)).is_err() {
                return;
            }
        }
    });
    Ok((child, lines))
}

/// Lines, each with the time it arrived.
type Lines = std::sync::mpsc::Receiver<(Instant, String)>;

/// Opens serve's event stream, as the preview page reads it: one JSON
/// state per event; returns the pages of each, with the time it arrived.
fn page_events(port: u16) -> std::io::Result<Lines> {
    use std::io::{BufRead, Write as _};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )?;
    let (events_tx, events) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(json) = line.strip_prefix("data: ") {
                let pages = serde_json::from_str::<serde_json::Value>(json)
                    .map(|v| v["pages"].to_string())
                    .unwrap_or_default();
                if events_tx.send((Instant::now(), pages)).is_err() {
                    return;
                }
            }
        }
    });
    Ok(events)
}

/// Copies a folder and everything in it.
pub(super) fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Whether a PDF was written after `since` and is whole (it ends with `%%EOF`).
fn rewritten(pdf: &Path, since: std::time::SystemTime) -> bool {
    let newer = fs::metadata(pdf)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t > since);
    // Only the last bytes are read: polling must not slow down the writer it times.
    let ends = || -> std::io::Result<bool> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = fs::File::open(pdf)?;
        file.seek(SeekFrom::End(-8))?;
        let mut tail = [0u8; 8];
        file.read_exact(&mut tail)?;
        Ok(tail.windows(5).any(|w| w == b"%%EOF"))
    };
    newer && ends().unwrap_or(false)
}

/// The anchor of the watch measurement: the same three one-finding edits as
/// [`watch_rebuild`], made to a copy of the audit, with the stock `typst
/// watch` compiling the copy's view (our templates and fonts). Returns the
/// median time from the new view.json on disk to the new PDF.
pub(super) fn typst_watch_edit(typst: &Path, dir: &Path, work: &Path) -> std::io::Result<Duration> {
    let copy = work.join("audit");
    copy_tree(dir, &copy)?;
    drop(typst_command(typst, &copy, work)?);
    let pdf = work.join("out.pdf");
    let mut child = typst_on(typst, "watch", work)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let wait_for = |since: std::time::SystemTime| -> std::io::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(300);
        while !rewritten(&pdf, since) {
            if Instant::now() > deadline {
                return Err(std::io::Error::other("typst watch wrote no PDF"));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    };
    let result = (|| {
        wait_for(std::time::UNIX_EPOCH)?;
        // Its first compile is done; let it settle into waiting.
        std::thread::sleep(Duration::from_millis(300));
        let file = edited_write_up(&copy)?;
        let mut times = Vec::new();
        for word in ["remote attacker", "local attacker", "network attacker"] {
            let text = fs::read_to_string(&file)?;
            fs::write(&file, text.replacen("attacker", word, 1))?;
            // Only the view changes; its strings and colours do not.
            let view = template_data(&copy, work)?
                .into_iter()
                .find(|(path, _)| path == "data/view.json")
                .map(|(_, bytes)| bytes)
                .unwrap_or_default();
            let before = std::time::SystemTime::now();
            std::thread::sleep(Duration::from_millis(5));
            let start = Instant::now();
            fs::write(work.join("data/view.json"), view)?;
            wait_for(before)?;
            times.push(start.elapsed());
            std::thread::sleep(Duration::from_millis(300));
        }
        times.sort();
        Ok(times[1])
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// The write-up the edit measurements change: the first of findings/ (by
/// name) that says "attacker", the word they edit.
pub(super) fn edited_write_up(dir: &Path) -> std::io::Result<PathBuf> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir.join("findings"))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    names.sort();
    names
        .into_iter()
        .find(|p| fs::read_to_string(p).is_ok_and(|t| t.contains("attacker")))
        .ok_or_else(|| std::io::Error::other("no write-up says \"attacker\""))
}

/// `--only edits`: the one-finding edits in watch and serve alone, on
/// synthetic audits of each size and the real audit grown to 300 findings,
/// with `typst watch` beside them when it is on PATH. The cold in-process
/// compile the watch table compares with is one run, not the median. With
/// `--against EXE`, the same edits with that executable (an earlier build)
/// first, in the same run.
pub(super) fn edits_only(sizes: &[usize], against: Option<&Path>) -> std::io::Result<String> {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_auditpress"));
    let tmp = tempfile::tempdir()?;
    let mut audits: Vec<(usize, PathBuf, bool)> = Vec::new();
    for &n in sizes {
        let dir = tmp.path().join(format!("audit-{n}"));
        synthesize(&dir, n)?;
        audits.push((n, dir, false));
    }
    let real = tmp.path().join("real-300");
    if grow_real(&real, REAL_FINDINGS)? {
        audits.push((REAL_FINDINGS, real, true));
    }
    let mut rows = Vec::new();
    for (n, dir, real) in audits {
        render::forget_caches();
        let start = Instant::now();
        let pages = compile(&dir, &tmp.path().join(format!("first-{n}-{real}.pdf")))?;
        rows.push(Row {
            findings: n,
            label: if real {
                format!("{n} real")
            } else {
                n.to_string()
            },
            dir,
            real,
            pages,
            cold: Duration::ZERO,
            peak_kib: None,
            cold_in_process: start.elapsed(),
            warm: Duration::ZERO,
            typst: None,
        });
    }
    let load = || {
        fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split(' ')
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = format!(
        "auditpress bench --only edits: {} cores, load average {} at the start\n",
        default_jobs(),
        load()
    );
    let mut runs: Vec<(String, &Path)> = Vec::new();
    if let Some(before) = against {
        runs.push((format!("before: {}", before.display()), before));
    }
    runs.push((format!("this build: {}", exe.display()), &exe));
    for (name, exe) in &runs {
        writeln!(out, "\n{name}").ok();
        out.push_str(&watch_edits(exe, tmp.path(), &rows)?);
    }
    for (name, exe) in &runs {
        writeln!(out, "\n{name}").ok();
        out.push_str(&serve_edits(exe, &rows)?);
    }
    writeln!(out, "\nload average {} at the end", load()).ok();
    Ok(out)
}

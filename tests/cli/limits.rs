//! Resource limits and clean ends: a report that allocates without bound fails
//! alone, signals end a batch with the shell's status and leave nothing behind,
//! output failures name the path and the cause, long runs hold their file
//! descriptors.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::procfs::{process_tree, status_field};

use crate::common::*;

/// Tells whether a process is still there (and not a zombie).
fn alive(pid: u32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| !s.split(") ").nth(1).is_some_and(|r| r.starts_with('Z')))
}

/// Writes `n` copies of the fixreview fixture with distinct titles under `root`.
fn copies(root: &Path, n: usize) -> Vec<PathBuf> {
    (1..=n)
        .map(|i| {
            let dir = root.join(format!("r{i}"));
            copy_dir(&fixture("fixreview"), &dir);
            let toml = fs::read_to_string(dir.join("audit.toml")).unwrap();
            fs::write(
                dir.join("audit.toml"),
                toml.replacen(
                    "title = \"Acme Router\"",
                    &format!("title = \"Router {i}\""),
                    1,
                ),
            )
            .unwrap();
            dir
        })
        .collect()
}

#[test]
fn a_report_that_allocates_without_bound_fails_alone_within_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = copies(tmp.path(), 2);
    let templates = dirs[0].join("greedy");
    fs::create_dir_all(&templates).unwrap();
    fs::write(
        templates.join("report.typ"),
        "#let parts = ()\n#for i in range(100000) { parts.push(range(100000)) }\n#parts.len()\n",
    )
    .unwrap();
    let toml = fs::read_to_string(dirs[0].join("audit.toml")).unwrap();
    fs::write(
        dirs[0].join("audit.toml"),
        format!("templates = \"greedy\"\n{toml}"),
    )
    .unwrap();

    let limit_mib = 768;
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .args(["build".as_ref(), dirs[0].as_os_str(), dirs[1].as_os_str()])
        .args(["--jobs", "2", "--memory-limit", &limit_mib.to_string()])
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(err_pipe).unwrap());
    // Peak resident memory of every process of the run, sampled as it runs.
    let mut peaks: HashMap<u32, u64> = HashMap::new();
    let status = loop {
        for pid in process_tree(child.id()) {
            if let Some(kib) = status_field(pid, "VmHWM:") {
                peaks.insert(pid, kib);
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let err = reader.join().unwrap();
    assert_eq!(
        status.code(),
        Some(75),
        "a memory limit is a failure a retry may cure: {err}"
    );
    assert!(
        err.contains(&format!(
            "building {} ran out of memory (limit {limit_mib} MiB)",
            dirs[0].display()
        )),
        "{err}"
    );
    assert!(err.contains("raise the limit with --memory-limit"), "{err}");
    assert!(err.contains("2 reports: 1 built, 1 failed"), "{err}");
    assert!(
        dirs[1]
            .join("router-2-security-assessment-v1.0.pdf")
            .exists(),
        "{err}"
    );
    let worst = peaks.values().max().copied().unwrap_or(0) / 1024;
    assert!(
        worst < limit_mib + 64,
        "a process of the run peaked at {worst} MiB with a limit of {limit_mib} MiB"
    );
}

/// Builds many reports, sends a signal once the first PDF is written, and checks the end.
fn interrupt_a_batch(signal: &str, code: i32) {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = copies(tmp.path(), 12);
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .arg("build")
        .args(&dirs)
        .args(["--jobs", "2"])
        .env("NO_COLOR", "1")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = dirs[0].join("router-1-security-assessment-v1.0.pdf");
    let start = Instant::now();
    while !first.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no PDF was written"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let workers: Vec<u32> = process_tree(child.id()).into_iter().skip(1).collect();
    let killed = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(code), "exit status after SIG{signal}");
    std::thread::sleep(Duration::from_secs(1));
    let left: Vec<u32> = workers.into_iter().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "worker processes still alive: {left:?}");
    // Each report writes inside its folder: look into each.
    let names: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .collect();
    let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        !names.iter().any(|n| name(n).starts_with(".auditpress-")),
        "{names:?}"
    );
    let pdfs: Vec<&PathBuf> = names.iter().filter(|n| name(n).ends_with(".pdf")).collect();
    assert!(!pdfs.is_empty() && pdfs.len() < 12, "{pdfs:?}");
    for path in pdfs {
        let pdf = path.display();
        let check = Command::new("qpdf")
            .arg("--check")
            .arg(path)
            .output()
            .unwrap();
        assert!(check.status.success(), "{pdf} is damaged");
        assert!(pdf_text(path).contains("Router"), "{pdf}");
    }
}

#[test]
fn sigint_ends_a_batch_with_130_and_leaves_nothing_behind() {
    interrupt_a_batch("INT", 130);
}

#[test]
fn sigterm_ends_a_batch_with_143_and_leaves_nothing_behind() {
    interrupt_a_batch("TERM", 143);
}

#[test]
fn a_stale_temporary_file_is_removed_by_the_next_build_of_its_output() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let out = dir.parent().unwrap().join("out.pdf");
    let stale = dir.parent().unwrap().join(".auditpress-out.pdf-Ab12Cd.tmp");
    let other = dir
        .parent()
        .unwrap()
        .join(".auditpress-other.pdf-Ab12Cd.tmp");
    fs::write(&stale, "half a PDF").unwrap();
    fs::write(&other, "another output's").unwrap();
    let built = build_to(&dir, &out, &[]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    assert!(!stale.exists(), "the stale file of out.pdf is still there");
    assert!(other.exists(), "another output's file was removed");
}

/// Mounts a tmpfs at `dir` with options, when this test runs as root and may mount.
fn mount_tmpfs(dir: &Path, options: &str) -> bool {
    fs::create_dir_all(dir).unwrap();
    Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(dir)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn unmount(dir: &Path) {
    let _ = Command::new("umount").arg(dir).status();
}

#[test]
fn a_full_file_system_gives_one_error_and_keeps_the_previous_pdf() {
    let (tmp, dir) = workspace(&example());
    let disk = tmp.path().join("small");
    if !mount_tmpfs(&disk, "size=400k") {
        tool_missing("a small tmpfs (mounting one needs root)");
        return;
    }
    let pdf = disk.join("report.pdf");
    fs::write(&pdf, b"previous").unwrap();
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    let names: Vec<_> = fs::read_dir(&disk)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let previous = fs::read(&pdf).unwrap();
    unmount(&disk);
    assert_eq!(
        out.status.code(),
        Some(75),
        "a full disk is a failure a retry may cure: {err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains(&format!("cannot write {}", pdf.display())),
        "{err}"
    );
    assert!(err.contains("No space left on device"), "{err}");
    assert_eq!(previous, b"previous");
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn a_read_only_or_missing_output_folder_gives_one_error_and_keeps_the_previous_pdf() {
    let (tmp, dir) = workspace(&fixture("fixreview"));
    let locked = tmp.path().join("locked");
    let mounted = mount_tmpfs(&locked, "size=1m");
    if !mounted {
        fs::create_dir_all(&locked).unwrap();
    }
    let pdf = locked.join("report.pdf");
    fs::write(&pdf, b"previous").unwrap();
    if mounted {
        let ro = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&locked)
            .status()
            .unwrap();
        assert!(ro.success());
    } else {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
    }
    let out = build_to(&dir, &pdf, &[]);
    let err = stderr(&out);
    let previous = fs::read(&pdf).unwrap();
    if mounted {
        unmount(&locked);
    }
    assert_eq!(out.status.code(), Some(75), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(
        err.contains(&format!("cannot write {}", pdf.display())),
        "{err}"
    );
    assert!(
        err.contains("Read-only file system") || err.contains("Permission denied"),
        "{err}"
    );
    assert_eq!(previous, b"previous");

    // A missing folder of -o is made, as batch makes its output folders.
    let missing = tmp.path().join("no/such/folder/report.pdf");
    let out = build_to(&dir, &missing, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(missing.is_file());
}

/// Counts the open file descriptors of a process.
fn descriptors(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |d| d.count())
}

#[test]
fn fifty_watch_rebuilds_hold_descriptors_and_memory_flat() {
    let (_tmp, dir) = workspace(&fixture("fixreview"));
    let (mut child, lines, pdf) = spawn_watch(&dir, &["--timings"]);
    let rebuilt = || loop {
        let line = lines
            .recv_timeout(Duration::from_secs(60))
            .expect("watch rebuilds");
        let event: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        assert_ne!(event["severity"], "error", "{line}");
        assert!(!is_built(&event, false), "{line}");
        if is_built(&event, true) {
            // Where the time went.
            for part in ["load", "view", "typeset", "pdf", "evict", "write"] {
                assert!(event["timings"][part].is_number(), "{line}");
            }
            return;
        }
    };
    let measure = || {
        let tree = process_tree(child.id());
        // The fewest of a few readings: a descriptor held for a moment (the
        // folder synced after a write, a file event being read) is not a
        // leak, while a leak shows in every reading.
        let fds: usize = (0..5)
            .map(|_| {
                std::thread::sleep(Duration::from_millis(20));
                tree.iter().map(|p| descriptors(*p)).sum::<usize>()
            })
            .min()
            .unwrap();
        let rss: u64 = tree.iter().filter_map(|p| status_field(*p, "VmRSS:")).sum();
        (tree.len(), fds, rss / 1024)
    };
    let csv = dir.join("findings.csv");
    let text = fs::read_to_string(&csv).unwrap();
    rebuilt();
    let mut samples = Vec::new();
    for i in 0..50 {
        fs::write(
            &csv,
            text.replace("Verbose error pages", &format!("Verbose error pages {i}")),
        )
        .unwrap();
        rebuilt();
        if i == 9 || i == 49 {
            samples.push(measure());
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let ((procs_a, fds_a, rss_a), (procs_b, fds_b, rss_b)) = (samples[0], samples[1]);
    assert_eq!(procs_a, procs_b, "processes after 10 and 50 rebuilds");
    assert_eq!(fds_a, fds_b, "open descriptors after 10 and 50 rebuilds");
    assert!(
        rss_b < rss_a + rss_a / 4 + 32,
        "memory grew from {rss_a} MiB to {rss_b} MiB"
    );
    assert!(pdf_text(&pdf).contains("Verbose error pages 49"));
}

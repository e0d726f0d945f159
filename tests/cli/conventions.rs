//! The conventions of a command-line tool: a closed pipe is no failure, `-q`
//! means quiet, and tools get JSON where people get sentences.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

#[test]
fn a_reader_that_stops_reading_is_no_failure() {
    // `auditpress build DIR --emit view-json | head -c 10`
    let mut child = Command::new(env!("CARGO_BIN_EXE_auditpress"))
        .args(["build", "--emit", "view-json"])
        .arg(example())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 10];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert_eq!(&head[..1], b"{");
}

#[test]
fn diff_is_quiet_with_q_and_speaks_json_when_asked() {
    let (tmp, old) = workspace(&example());
    // A warning in the folder: an unknown column of findings.csv.
    let csv = std::fs::read_to_string(old.join("findings.csv")).unwrap();
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    for (i, l) in lines.iter_mut().enumerate() {
        l.push_str(if i == 0 { ",colour" } else { "," });
    }
    std::fs::write(old.join("findings.csv"), lines.join("\n") + "\n").unwrap();
    let new = tmp.path().join("new");
    copy_dir(&old, &new);
    edit(&new, "audit.toml", "version = \"2.0\"", "version = \"2.1\"");
    let diff = |extra: &[&str]| {
        let mut args: Vec<&std::ffi::OsStr> =
            vec!["diff".as_ref(), old.as_os_str(), new.as_os_str()];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        run(&args)
    };
    let loud = diff(&[]);
    assert!(
        stderr(&loud).contains("unknown column"),
        "{}",
        stderr(&loud)
    );
    let quiet = diff(&["-q"]);
    assert_eq!(stderr(&quiet), "");
    assert_eq!(quiet.status.code(), loud.status.code());
    let json = diff(&["--diagnostic-format", "json"]);
    for line in stderr(&json).lines() {
        let d: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(d["severity"], "warning", "{line}");
    }
}

#[test]
fn serve_prints_nothing_under_q_and_an_event_under_json() {
    let (_tmp, dir) = workspace(&example());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (mut child, lines) = spawn(&[
        "serve".as_ref(),
        dir.as_os_str(),
        "-q".as_ref(),
        "--port".as_ref(),
        port.to_string().as_ref(),
    ]);
    // It serves: the page answers.
    let start = Instant::now();
    let answered = loop {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let head =
                format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
            s.write_all(head.as_bytes()).unwrap();
            let mut reply = String::new();
            let _ = s.read_to_string(&mut reply);
            if reply.starts_with("HTTP/1.1 200") {
                break true;
            }
        }
        if start.elapsed() > Duration::from_secs(30) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    // Give it the time of a build to say anything it would say.
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    let _ = child.wait();
    assert!(answered, "serve -q did not answer");
    let said: Vec<String> = lines.try_iter().collect();
    assert!(said.is_empty(), "{said:?}");

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (mut child, lines) = spawn(&[
        "serve".as_ref(),
        dir.as_os_str(),
        "--diagnostic-format".as_ref(),
        "json".as_ref(),
        "--port".as_ref(),
        port.to_string().as_ref(),
    ]);
    let first = lines.recv_timeout(Duration::from_secs(30)).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    let event: serde_json::Value = serde_json::from_str(&first).expect("a JSON event line");
    assert_eq!(event["event"], "serving");
    assert_eq!(event["url"], format!("http://127.0.0.1:{port}/"));
}

/// The inodes of a kind a process holds, one per descriptor (`pipe:[123]`
/// for `pipe:`, `socket:[456]` for `socket:`).
fn descriptors(pid: u32, kind: &str) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
    {
        if let Ok(target) = std::fs::read_link(entry.path()) {
            let t = target.to_string_lossy().into_owned();
            if t.starts_with(kind) {
                out.push(t);
            }
        }
    }
    out
}

#[test]
fn no_worker_inherits_the_signal_pipe() {
    let (_tmp, dir) = workspace(&example());
    let (mut child, lines, _pdf) = spawn_watch(&dir, &[]);
    let mut seen = Vec::new();
    wait_built(&lines, true, &mut seen);
    let pid = child.id();
    let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap();
    let workers: Vec<u32> = children
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect();
    // The signal handler wakes watch through a socket pair (signal-hook's),
    // both ends of which watch holds; the workers share only the pipes of
    // their standard input and output with it.
    let signal = descriptors(pid, "socket:");
    let worker_sockets: Vec<String> = workers
        .iter()
        .flat_map(|w| descriptors(*w, "socket:"))
        .collect();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(!workers.is_empty(), "watch started no worker: {seen:?}");
    assert!(
        signal.len() >= 2,
        "no signal socket pair found in {signal:?}"
    );
    for s in signal {
        assert!(
            !worker_sockets.contains(&s),
            "a worker holds the signal socket {s}"
        );
    }
}

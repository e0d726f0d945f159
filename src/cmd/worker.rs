//! Worker processes: each PDF is built in a child process of auditpress.
//!
//! The typst engine has no time or memory limit, and some inputs abort the
//! whole process (a stack overflow cannot be caught). So the parent never
//! compiles: each build thread keeps one long-lived worker (`auditpress worker`),
//! sends it one report at a time as a JSON line, and waits for the answer no
//! longer than `--timeout`. A worker that overruns is killed, one that dies is
//! noted, and either is replaced for the next report: the report fails alone,
//! with a clear message, and the others still build.
//!
//! Output file claims, which must be shared by all reports of a run, are asked
//! of the parent over the same pipes.

use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::executor::{Built, STACK_BYTES, evict, run_here_then_evict_later};
use super::{Config, signals};
use crate::naming::Claims;
use crate::pipeline::{Job, Outcome};
use crate::render::preview::Preview;

/// What the parent sends: one report to build.
#[derive(Serialize, Deserialize)]
struct Task {
    job: Job,
    config: Config,
}

/// What a worker sends back.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Message {
    /// Asks whether the report may write this file.
    Claim { path: PathBuf, name: String },
    /// The live preview's pages, laid out; the PDF is still to come.
    Preview { preview: Box<Preview> },
    /// The report is done: its record, as the build made it.
    Done { built: Box<Built> },
}

/// The parent's answer to a claim.
#[derive(Serialize, Deserialize)]
struct Answer {
    other: Option<String>,
}

/// A running worker process.
pub struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// The end of what the worker wrote on standard error: why it died, if it did.
    stderr: Arc<Mutex<String>>,
}

/// Most of a worker's standard error kept, in bytes.
const STDERR_TAIL: usize = 16 * 1024;

impl Worker {
    fn spawn(memory_limit: Option<u64>) -> io::Result<Self> {
        let mut command = Command::new(std::env::current_exe()?);
        command
            .arg("worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        set_limits(&mut command, memory_limit);
        let mut child = signals::start_worker(&mut command)?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let tail = Arc::new(Mutex::new(String::new()));
        let keep = Arc::clone(&tail);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut tail = keep.lock().unwrap_or_else(|e| e.into_inner());
                tail.push_str(&line);
                tail.push('\n');
                if tail.len() > STDERR_TAIL {
                    let cut = tail.len() - STDERR_TAIL / 2;
                    let cut = (cut..tail.len())
                        .find(|i| tail.is_char_boundary(*i))
                        .unwrap_or(0);
                    tail.drain(..cut);
                }
            }
        });
        Ok(Self {
            child,
            stdin: Some(stdin),
            lines,
            stderr: tail,
        })
    }

    /// Kills the worker and waits for it to end.
    fn kill(mut self) -> String {
        let _ = self.child.kill();
        self.end()
    }

    /// Waits for a worker that died; says how it ended.
    fn end(mut self) -> String {
        self.stdin.take();
        let status = self
            .child
            .wait()
            .map_or("unknown status".into(), |s| s.to_string());
        signals::remove_worker(self.child.id());
        status
    }

    /// Tells whether the worker said it ran out of memory before it died.
    fn out_of_memory(&self) -> bool {
        // Rust's allocator writes this line before it aborts the process.
        self.stderr
            .lock()
            .is_ok_and(|t| t.contains("memory allocation of"))
    }

    fn send(&mut self, value: &impl Serialize) -> io::Result<()> {
        let mut line = serde_json::to_string(value).map_err(io::Error::other)?;
        line.push('\n');
        let stdin = self.stdin.as_mut().ok_or(io::ErrorKind::BrokenPipe)?;
        stdin.write_all(line.as_bytes())?;
        stdin.flush()
    }
}

impl Drop for Worker {
    /// Closes the worker's input, which ends it, and waits for it: no zombies, no orphans.
    fn drop(&mut self) {
        if self.stdin.take().is_none() {
            return;
        }
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                signals::remove_worker(self.child.id());
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        signals::remove_worker(self.child.id());
    }
}

/// Sets the worker process's limits before it starts: its address space, so
/// that a report that allocates without bound fails alone instead of taking
/// the machine, and its main thread's stack, deep enough for typst's layout
/// ([`STACK_BYTES`]), so that it builds on its main thread (see [`serve`]).
fn set_limits(command: &mut Command, memory: Option<u64>) {
    use std::os::unix::process::CommandExt;
    // This process's id, read before the fork.
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: prctl(2), getppid(2), setrlimit(2) and _exit(2) are
    // async-signal-safe and touch only the child.
    unsafe {
        command.pre_exec(move || {
            // The worker dies with its parent: a SIGKILL of the parent (a CI
            // cancel, the OOM killer) cannot leave it running without its
            // time limit, to write a stale report over a newer one. The
            // thread that starts a worker owns it for the worker's life.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before the line above.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            if let Some(bytes) = memory {
                let limit = libc::rlimit {
                    rlim_cur: bytes as libc::rlim_t,
                    rlim_max: bytes as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            if let Some(mut stack) = stack_limit()
                && !deep_enough(stack.rlim_cur)
                && deep_enough(stack.rlim_max)
            {
                stack.rlim_cur = STACK_BYTES as libc::rlim_t;
                // A failure leaves the worker to build on a thread of its own.
                libc::setrlimit(libc::RLIMIT_STACK, &stack);
            }
            Ok(())
        });
    }
}

/// This process's stack limit, when it can be read (async-signal-safe).
fn stack_limit() -> Option<libc::rlimit> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit(2) writes only into the struct it is given.
    (unsafe { libc::getrlimit(libc::RLIMIT_STACK, &mut limit) } == 0).then_some(limit)
}

/// Tells whether a stack limit lets a stack grow to [`STACK_BYTES`].
fn deep_enough(bytes: libc::rlim_t) -> bool {
    bytes == libc::RLIM_INFINITY || bytes >= STACK_BYTES as libc::rlim_t
}

/// Builds one job in the thread's worker process, starting or replacing it as needed.
pub fn build(
    slot: &mut Option<Worker>,
    job: &Job,
    config: &Config,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
) -> Built {
    let start = Instant::now();
    let fail = |outcome: Outcome, message: String, hint: &str| {
        Built::failed(outcome, message, hint, start.elapsed())
    };
    if slot.is_none() {
        match Worker::spawn(config.memory_limit) {
            Ok(w) => *slot = Some(w),
            Err(e) => {
                return fail(
                    Outcome::Io,
                    format!("cannot start a build process ({e})"),
                    "check that the auditpress executable is still in place",
                );
            }
        }
    }
    let worker = slot.as_mut().expect("just started");
    let task = Task {
        job: job.clone(),
        config: config.clone(),
    };
    let mut sent = worker.send(&task);
    let deadline = start + config.timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let received = match sent {
            Ok(()) => worker.lines.recv_timeout(left),
            Err(_) => Err(RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(line) => match serde_json::from_str::<Message>(&line) {
                Ok(Message::Claim { path, name }) => {
                    sent = worker.send(&Answer {
                        other: claims.claim(&path, &name),
                    });
                }
                Ok(Message::Preview { preview }) => early(&preview),
                Ok(Message::Done { built }) => {
                    return Built {
                        elapsed: start.elapsed(),
                        ..*built
                    };
                }
                Err(_) => sent = Ok(()),
            },
            Err(RecvTimeoutError::Timeout) => {
                slot.take().expect("a worker").kill();
                return fail(
                    Outcome::Errors,
                    format!(
                        "building {} took longer than {} s and was stopped",
                        job.name,
                        config.timeout.as_secs()
                    ),
                    "raise the limit with --timeout SECONDS if the report is just large",
                );
            }
            Err(RecvTimeoutError::Disconnected) => return died(slot, job, config, start),
        }
    }
}

/// The record of a build whose worker died: out of memory, or otherwise.
fn died(slot: &mut Option<Worker>, job: &Job, config: &Config, start: Instant) -> Built {
    let dead = slot.take().expect("a worker");
    let out_of_memory = dead.out_of_memory();
    let status = dead.end();
    if let (true, Some(limit)) = (out_of_memory, config.memory_limit) {
        return Built::failed(
            Outcome::Errors,
            format!(
                "building {} ran out of memory (limit {} MiB) and was stopped",
                job.name,
                limit / (1024 * 1024)
            ),
            "raise the limit with --memory-limit MIB if the report is just large",
            start.elapsed(),
        );
    }
    Built::failed(
        Outcome::Errors,
        format!("the build process of {} died ({status})", job.name),
        "the report may exhaust memory or the stack; try building it alone",
        start.elapsed(),
    )
}

/// Claims asked of the parent process over standard input and output.
struct ParentClaims<'a> {
    input: &'a Mutex<io::Lines<BufReader<io::Stdin>>>,
    /// The process that started this worker.
    parent: u32,
}

impl Claims for ParentClaims<'_> {
    fn claim(&self, path: &Path, name: &str) -> Option<String> {
        let message = Message::Claim {
            path: path.to_path_buf(),
            name: name.to_string(),
        };
        // No answer means no parent: nobody waits for this report, and
        // writing it could overwrite a newer build's. The claim fails closed.
        let answer = reply(&message)
            .ok()
            .and_then(|()| self.input.lock().ok()?.next()?.ok())
            .and_then(|line| serde_json::from_str::<Answer>(&line).ok());
        match answer {
            Some(answer) => answer.other,
            None => orphaned(),
        }
    }

    fn still_wanted(&self) -> bool {
        std::os::unix::process::parent_id() == self.parent
    }
}

/// Ends a worker whose parent is gone, writing nothing.
fn orphaned() -> ! {
    std::process::exit(75)
}

/// Writes one message to the parent.
fn reply(message: &Message) -> io::Result<()> {
    let mut line = serde_json::to_string(message).map_err(io::Error::other)?;
    line.push('\n');
    let mut out = io::stdout().lock();
    out.write_all(line.as_bytes())?;
    out.flush()
}

/// Serves tasks from standard input until it closes (the hidden `worker` command).
pub fn serve() -> Outcome {
    // Panics become the report's failure (see `pipeline::compile`); don't print them twice.
    std::panic::set_hook(Box::new(|_| {}));
    // The parent raised the stack limit, so the reports are built on the main
    // thread, whose memory grows with brk(2) in large steps, as the typst CLI
    // builds; a thread's own heap grows a page at a time, one mprotect(2)
    // each, 30,000 more at 500 findings. Without the limit, a thread with a
    // deep stack.
    if stack_limit().is_some_and(|s| deep_enough(s.rlim_cur)) {
        return serve_tasks();
    }
    let thread = std::thread::Builder::new()
        .stack_size(STACK_BYTES)
        .spawn(serve_tasks);
    match thread.map(|t| t.join()) {
        Ok(Ok(outcome)) => outcome,
        _ => Outcome::Io,
    }
}

/// Builds each task read from standard input and answers it, until the
/// input closes.
fn serve_tasks() -> Outcome {
    let input = Mutex::new(BufReader::new(io::stdin()).lines());
    let parent = std::os::unix::process::parent_id();
    // The caches are trimmed on a thread of their own while the
    // parent shows the report; a next task waits for it to end, and
    // the last one, when the parent closes the pipe, does not wait
    // at all (the process ends, and its memory with it).
    let mut evicting: Option<std::thread::JoinHandle<()>> = None;
    loop {
        let line = match input.lock().expect("stdin lock").next() {
            Some(Ok(line)) => line,
            _ => return Outcome::Ok,
        };
        if let Some(trim) = evicting.take() {
            let _ = trim.join();
        }
        let Ok(task) = serde_json::from_str::<Task>(&line) else {
            return Outcome::Io;
        };
        // The preview's pages go to the parent before the PDF export;
        // the pages it already has are not sent again when done.
        let mut sent_early = false;
        let report = run_here_then_evict_later(
            &task.job,
            &task.config,
            &ParentClaims {
                input: &input,
                parent,
            },
            &mut |preview| {
                let message = Message::Preview {
                    preview: Box::new(preview.clone()),
                };
                sent_early = reply(&message).is_ok();
            },
        );
        let mut built = report;
        // Only the texts its diagnostics point into cross the pipe.
        built.sources = built.sources.pointed_into(&built.diagnostics);
        if sent_early && let Some(p) = built.preview.as_mut() {
            // The pages went ahead; the outline and the rest follow.
            p.new_pages.clear();
        }
        let done = Message::Done {
            built: Box::new(built),
        };
        if reply(&done).is_err() {
            return Outcome::Io;
        }
        // The report is on its way: the caches are trimmed while the
        // parent shows it, not while an edit waits.
        let config = task.config;
        evicting = std::thread::Builder::new()
            .name("evict".into())
            .spawn(move || evict(&config))
            .ok();
    }
}

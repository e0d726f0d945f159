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

use rustix::process::{Resource, Rlimit};

use super::{Config, signals};
use crate::naming::Claims;
use crate::pipeline::{self, Built, Job, Options, Outcome};
use crate::render::preview::Preview;

/// Stack of each build thread: typst's layout and PDF export recurse deeply.
pub const STACK_BYTES: usize = 256 * 1024 * 1024;

/// What the parent sends: one report to build, and the options the
/// pipeline reads. Only these cross into the process that reads the audit
/// folder; the rest of the [`Config`] stays in the parent.
#[derive(Serialize, Deserialize)]
struct Task {
    job: Job,
    options: Options,
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
    /// Starts a worker process with its limits.
    pub fn spawn(memory_limit: Option<u64>) -> io::Result<Self> {
        let mut command = Command::new(std::env::current_exe()?);
        command.arg("worker");
        Self::start(command, memory_limit)
    }

    /// Starts a command as a worker: its pipes, its limits and the threads
    /// that read its output.
    fn start(mut command: Command, memory_limit: Option<u64>) -> io::Result<Self> {
        // The password of a signing key is for this process only.
        command.env_remove("AUDITPRESS_SIGN_PASSWORD");
        command
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

    /// The last line the worker wrote on standard error, if any.
    fn last_line(&self) -> Option<String> {
        let tail = self.stderr.lock().ok()?;
        tail.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(str::to_string)
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
    let parent = rustix::process::getpid();
    // SAFETY: the closure runs in the child between fork(2) and exec(2),
    // where only async-signal-safe calls may be made: rustix makes each of
    // prctl(2), getppid(2), getrlimit(2) and setrlimit(2) as one raw system
    // call, allocates nothing and takes no lock; an error becomes an
    // io::Error without allocating (`from_raw_os_error`).
    unsafe {
        command.pre_exec(move || {
            // The worker dies with its parent: a SIGKILL of the parent (a CI
            // cancel, the OOM killer) cannot leave it running without its
            // time limit, to write a stale report over a newer one. The
            // thread that starts a worker owns it for the worker's life.
            rustix::process::set_parent_process_death_signal(Some(rustix::process::Signal::KILL))?;
            // The parent may have died before the line above: the spawn
            // fails, and nobody is left to see it.
            if rustix::process::getppid() != Some(parent) {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            if let Some(bytes) = memory {
                let limit = Rlimit {
                    current: Some(bytes),
                    maximum: Some(bytes),
                };
                rustix::process::setrlimit(Resource::As, limit)?;
            }
            let stack = stack_limit();
            if !deep_enough(stack.current) && deep_enough(stack.maximum) {
                // A failure leaves the worker to build on a thread of its own.
                let _ = rustix::process::setrlimit(
                    Resource::Stack,
                    Rlimit {
                        current: Some(STACK_BYTES as u64),
                        ..stack
                    },
                );
            }
            Ok(())
        });
    }
}

/// This process's stack limit (async-signal-safe).
fn stack_limit() -> Rlimit {
    rustix::process::getrlimit(Resource::Stack)
}

/// Tells whether a stack limit (`None`: none) lets a stack grow to [`STACK_BYTES`].
fn deep_enough(bytes: Option<u64>) -> bool {
    bytes.is_none_or(|b| b >= STACK_BYTES as u64)
}

impl Worker {
    /// Builds one job in this worker and returns its record, with the
    /// worker when it can build the next job: one that overran its time,
    /// died or answered something that is not a message is ended.
    pub fn build(
        mut self,
        job: &Job,
        config: &Config,
        claims: &dyn Claims,
        early: &mut dyn FnMut(&Preview),
        start: Instant,
    ) -> (Built, Option<Worker>) {
        let task = Task {
            job: job.clone(),
            options: config.options.clone(),
        };
        let mut sent = self.send(&task);
        let deadline = start + config.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let received = match sent {
                Ok(()) => self.lines.recv_timeout(left),
                Err(_) => Err(RecvTimeoutError::Disconnected),
            };
            let line = match received {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => {
                    self.kill();
                    let built = Built::failed(
                        Outcome::Retry,
                        format!(
                            "building {} took longer than {} s and was stopped",
                            job.name,
                            config.timeout.as_secs()
                        ),
                        "raise the limit with --timeout SECONDS if the report is just large",
                        start.elapsed(),
                    );
                    return (built, None);
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return (self.died(job, config, start), None);
                }
            };
            match serde_json::from_str::<Message>(&line) {
                Ok(Message::Claim { path, name }) => {
                    sent = self.send(&Answer {
                        other: claims.claim(&path, &name),
                    });
                }
                Ok(Message::Preview { preview }) => early(&preview),
                Ok(Message::Done { built }) => {
                    let built = Built {
                        elapsed: start.elapsed(),
                        ..*built
                    };
                    return (built, Some(self));
                }
                Err(e) => return (self.garbled(job, &line, &e, start), None),
            }
        }
    }

    /// The record of a build whose worker answered a line that is not a
    /// message: the two processes no longer agree on the protocol (a
    /// different executable, a field added on one side), so the worker is
    /// ended and the report fails at once, saying so.
    fn garbled(self, job: &Job, line: &str, error: &serde_json::Error, start: Instant) -> Built {
        self.kill();
        let shown: String = line.chars().take(120).collect();
        Built::failed(
            Outcome::Errors,
            format!(
                "the build process of {} answered something that is not a message ({error}): {shown}",
                job.name
            ),
            "this is a bug in auditpress, or the executable was replaced during the run; please report it",
            start.elapsed(),
        )
    }

    /// The record of a build whose worker died: out of memory, or otherwise.
    fn died(self, job: &Job, config: &Config, start: Instant) -> Built {
        let out_of_memory = self.out_of_memory();
        let said = self
            .last_line()
            .map(|line| format!("; it said: {line}"))
            .unwrap_or_default();
        let status = self.end();
        if let (true, Some(limit)) = (out_of_memory, config.memory_limit) {
            return Built::failed(
                Outcome::Retry,
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
            Outcome::Retry,
            format!("the build process of {} died ({status}{said})", job.name),
            "the report may exhaust memory or the stack; try building it alone",
            start.elapsed(),
        )
    }
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
        let line = reply(&message)
            .ok()
            .and_then(|()| self.input.lock().ok()?.next()?.ok());
        let Some(line) = line else { orphaned() };
        match serde_json::from_str::<Answer>(&line) {
            Ok(answer) => answer.other,
            Err(e) => {
                // Not knowing whether the file is free, write nothing; the
                // parent reads this line as why the worker ended.
                eprintln!("auditpress worker: the answer to a claim is not an answer ({e})");
                std::process::exit(2)
            }
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
    if deep_enough(stack_limit().current) {
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
    // Documents written without waiting for the disk (`sync_later`) are
    // synced on that thread first; this says when they are, for the end.
    let mut syncing: Option<mpsc::Receiver<()>> = None;
    loop {
        let line = match input.lock().expect("stdin lock").next() {
            Some(Ok(line)) => line,
            _ => {
                // The last documents are on disk before the worker ends.
                if let Some(synced) = syncing.take() {
                    let _ = synced.recv();
                }
                return Outcome::Ok;
            }
        };
        if let Some(trim) = evicting.take() {
            let _ = trim.join();
        }
        let task = match serde_json::from_str::<Task>(&line) {
            Ok(task) => task,
            Err(e) => {
                // The parent reads this as why the worker ended.
                eprintln!("auditpress worker: the task is not a task ({e})");
                return Outcome::Io;
            }
        };
        // The preview's pages go to the parent before the PDF export;
        // the pages it already has are not sent again when done.
        let mut sent_early = false;
        let report = pipeline::compile_then_evict_later(
            &task.job,
            &task.options,
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
        let written: Vec<PathBuf> = built.outputs.iter().map(|w| w.path.clone()).collect();
        let done = Message::Done {
            built: Box::new(built),
        };
        if reply(&done).is_err() {
            return Outcome::Io;
        }
        // The report is on its way: the documents are synced and the
        // caches trimmed while the parent shows it, not while an edit waits.
        let options = task.options;
        let (synced, waiting) = mpsc::channel();
        syncing = Some(waiting);
        evicting = std::thread::Builder::new()
            .name("evict".into())
            .spawn(move || {
                if options.sync_later {
                    let paths: Vec<&Path> = written.iter().map(PathBuf::as_path).collect();
                    if let Err(e) = crate::output::sync(&paths) {
                        // Reported already: the next build writes them again.
                        eprintln!("auditpress worker: {e}");
                    }
                }
                let _ = synced.send(());
                pipeline::evict(&options);
            })
            .ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds one job in a stand-in worker that runs `script` (sh).
    fn build_with(script: &str) -> (Built, std::time::Duration) {
        let mut command = Command::new("sh");
        command.arg("-c").arg(script);
        let worker = Worker::start(command, None).expect("sh starts");
        let mut config = Config::pdf(vec![PathBuf::from("audit")], None);
        config.timeout = std::time::Duration::from_secs(30);
        let job = Job::folder(Path::new("audit"), None);
        let start = Instant::now();
        let claims = crate::naming::OutputClaims::default();
        let (built, _) = worker.build(&job, &config, &claims, &mut |_| {}, start);
        (built, start.elapsed())
    }

    /// The worker is sent the job and the pipeline's options: never the
    /// signing key, its path or its password.
    #[test]
    fn a_worker_is_never_given_the_signing_key() {
        let dir = tempfile::tempdir().unwrap();
        let seen = dir.path().join("seen");
        let key_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signing/ec.p12");
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("read task; printf '%s' \"$task\" > '{0}.task'; env > '{0}.env'; echo '{{\"kind\":\"done\"}}'", seen.display()))
            .env("AUDITPRESS_SIGN_PASSWORD", "secret");
        let worker = Worker::start(command, None).expect("sh starts");
        let mut config = Config::pdf(vec![PathBuf::from("audit")], None);
        let bytes = std::fs::read(&key_file).unwrap();
        config.signing = Some(std::sync::Arc::new(crate::sign::Signing {
            key: Some(crate::sign::Key::from_p12(&bytes, "secret").unwrap()),
            key_path: Some(key_file),
            manifest: true,
            time: 0,
        }));
        let job = Job::folder(Path::new("audit"), None);
        let claims = crate::naming::OutputClaims::default();
        let _ = worker.build(&job, &config, &claims, &mut |_| {}, Instant::now());
        let task =
            std::fs::read_to_string(seen.with_extension("task")).expect("the worker got a task");
        let env = std::fs::read_to_string(seen.with_extension("env"))
            .expect("the worker wrote its environment");
        assert!(task.contains("\"job\"") && task.contains("audit"), "{task}");
        for secret in ["ec.p12", "signing", "secret", "PRIVATE KEY", "Northwind"] {
            assert!(!task.contains(secret), "the task holds {secret:?}: {task}");
        }
        assert!(!env.contains("AUDITPRESS_SIGN_PASSWORD"), "{env}");
        assert!(env.contains("PATH="), "the environment was written: {env}");
    }

    /// A regression test: a line that is not a message was skipped, and the
    /// report failed only at the timeout, as "took longer than 30 s".
    #[test]
    fn an_answer_that_is_not_a_message_fails_the_report_at_once() {
        let (built, took) =
            build_with("read task; echo '{\"kind\":\"done\",\"built\":1}'; sleep 60");
        let message = &built.diagnostics.iter().next().expect("one error").message;
        assert!(
            message.contains("answered something that is not a message"),
            "{message}"
        );
        assert!(message.contains("{\"kind\":\"done\""), "{message}");
        assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
        assert_eq!(built.outcome, Outcome::Errors);
    }

    #[test]
    fn a_worker_that_dies_is_reported_with_its_exit_status() {
        let (built, _) = build_with("read task; echo 'it broke here' >&2; exit 3");
        let message = &built.diagnostics.iter().next().expect("one error").message;
        assert!(message.contains("died (exit status: 3"), "{message}");
    }
}

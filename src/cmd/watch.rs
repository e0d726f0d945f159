//! Watch mode: rebuild one report whenever an input or template file changes.
//!
//! The process stays up between builds, so fonts, the standard library and the
//! compiler's memoised work are reused: an edit to one finding re-lays out little.
//! A broken edit prints its diagnostics and the last good PDF stays in place.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use codespan_reporting::term::termcolor::BufferWriter;

use super::executor::Executor;
use super::pool::RunClaims;
use super::{Config, fail, print_log};
use crate::diag;
use crate::pipeline::{Built, Job, Outcome};
use crate::render::preview::Preview;

/// Quiet time after a change before rebuilding, so that a save of several
/// files builds once. The events of one save, or of a checkout of many
/// files, come less than a millisecond apart; every millisecond here is one
/// more before the writer sees the edit.
const DEBOUNCE: Duration = Duration::from_millis(10);

/// Quiet time after a watched file is closed by the program that wrote it:
/// that file is whole, and only the next file of the same save can follow,
/// within a millisecond unless the machine is busy. Half the wait for quiet
/// without a close, so an edit is on screen 5 ms sooner.
const SETTLE_AFTER_CLOSE: Duration = Duration::from_millis(5);

/// Watches a folder (and its templates and house style) and rebuilds on every change, until interrupted.
pub fn run(config: &Config) -> Outcome {
    run_with(config, &mut |_| {}, &mut |_| {})
}

/// Watches and rebuilds as [`run`] does, handing each build's report to `built`
/// and, with `config.options.preview`, its pages to `early` as soon as they are
/// laid out, before the PDF export (the live preview shows both).
pub fn run_with(
    config: &Config,
    built: &mut dyn FnMut(&Built),
    early: &mut dyn FnMut(&Preview),
) -> Outcome {
    let config = &session(config);
    let dir = &config.dirs[0];
    let job = Job::folder(dir, config.output.as_deref());
    let (tx, rx) = mpsc::channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => {
            return fail(
                config,
                Outcome::Io,
                format!("cannot watch files ({e})"),
                Some("the system may limit file watches; see fs.inotify.max_user_watches".into()),
            );
        }
    };
    // The audit folder is watched from the start, so that no change made
    // during the first build is lost; its changes count once they are inputs.
    let mut watched = Watched::default();
    if let Err(e) = watched.folder(&mut watcher, dir, true) {
        return fail(
            config,
            Outcome::Io,
            format!("cannot watch {} ({e})", dir.display()),
            Some("the system may limit file watches; see fs.inotify.max_user_watches".into()),
        );
    }
    if config.chatty() {
        eprintln!("watching {} (press Ctrl-C to stop)", dir.display());
    }
    // One worker process for the whole session: it keeps the compiler's
    // memoised work between rebuilds, and a build that runs out of memory or
    // time ends it alone, never the session or the machine.
    let mut executor = Executor::new(config);
    let writer = BufferWriter::stderr(diag::color_choice());
    // The first build is a build; those after an edit are rebuilds.
    let mut done = "built";
    loop {
        let start = Instant::now();
        let report = executor.build(&job, config, &RunClaims::default(), early);
        // Exactly what this build read: audit.toml may have started naming
        // a style folder, a finding may have started showing an image. Watched
        // before the build is reported, so that an edit made on its report
        // is seen.
        let mut inputs = report.inputs.clone();
        if inputs.is_empty() {
            // The folder could not be read at all: wait for it.
            inputs.push(dir.clone());
        }
        for input in &inputs {
            if let Err(e) = watched.add(&mut watcher, input) {
                diag::report_warning(
                    config.format,
                    format!(
                        "cannot watch {} ({e}); its changes do not rebuild",
                        input.display()
                    ),
                    Some(
                        "the system may limit file watches; see fs.inotify.max_user_watches".into(),
                    ),
                );
            }
        }
        for written in &report.outputs {
            watched.output(&written.path);
        }
        print_log(&report, &job.name, config, &writer);
        built(&report);
        let outcome = report.outcome;
        let ms = start.elapsed().as_millis();
        if config.chatty() {
            let split = if config.timings {
                format!(" ({})", report.timings.describe())
            } else {
                String::new()
            };
            match outcome {
                Outcome::Ok => eprintln!("{done} in {ms} ms{split}"),
                _ => eprintln!("build failed after {ms} ms; the last good PDF is kept{split}"),
            }
        } else if !config.quiet {
            // Tools (the bench, the tests, an editor) read an event line.
            eprintln!("{}", built_event(outcome, ms, &report.timings));
        }
        if !wait_for_change(&rx, &watched) {
            return Outcome::Ok;
        }
        done = "rebuilt";
    }
}

/// The config of a watch session: each rebuild's documents are synced
/// once the rebuild is reported, so that an edit does not wait for the disk.
fn session(config: &Config) -> Config {
    Config {
        options: crate::pipeline::Options {
            sync_later: true,
            ..config.options.clone()
        },
        ..config.clone()
    }
}

/// What watch watches: the inputs of the last builds, each a file (watched
/// through its folder) or a folder (with everything in it).
#[derive(Default)]
struct Watched {
    /// Files and folders whose changes rebuild, as they are named and as
    /// they really are (a link followed).
    inputs: Vec<PathBuf>,
    /// Folders given to the watcher, and whether with their sub-folders.
    folders: Vec<(PathBuf, bool)>,
    /// The documents the builds wrote (`Built::outputs`), as named and as
    /// they really are: their changes are ours and rebuild nothing.
    outputs: Vec<PathBuf>,
}

impl Watched {
    /// Watches an input: a folder as a whole; a file (which may not exist
    /// yet) through the folder it is in.
    fn add(&mut self, watcher: &mut impl Watcher, input: &Path) -> notify::Result<()> {
        let real = std::fs::canonicalize(input).ok();
        for path in std::iter::once(input.to_path_buf()).chain(real.clone()) {
            if !self.inputs.contains(&path) {
                self.inputs.push(path);
            }
        }
        let path = real.unwrap_or_else(|| input.to_path_buf());
        if path.is_dir() {
            return self.folder(watcher, &path, true);
        }
        match path.parent() {
            Some(parent) => self.folder(watcher, parent, false),
            None => Ok(()),
        }
    }

    /// Gives a folder to the watcher, with its sub-folders or without.
    fn folder(
        &mut self,
        watcher: &mut impl Watcher,
        folder: &Path,
        recursive: bool,
    ) -> notify::Result<()> {
        let Ok(folder) = std::fs::canonicalize(folder) else {
            return Ok(());
        };
        if self
            .folders
            .iter()
            .any(|(f, r)| *f == folder && (*r || !recursive))
        {
            return Ok(());
        }
        let mode = if recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        watcher.watch(&folder, mode)?;
        self.folders.push((folder, recursive));
        Ok(())
    }

    /// Notes a document a build wrote.
    fn output(&mut self, path: &Path) {
        let real = std::fs::canonicalize(path).ok();
        for path in std::iter::once(path.to_path_buf()).chain(real) {
            if !self.outputs.contains(&path) {
                self.outputs.push(path);
            }
        }
    }

    /// Whether a changed path is one of our own files, which must not
    /// trigger a build: a document a build wrote, or the temporary file
    /// one is written through.
    fn is_output(&self, path: &Path) -> bool {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.starts_with(".auditpress-") || self.outputs.iter().any(|o| o == path)
    }

    /// Whether a changed path is an input: one of its files, or in one of its folders.
    fn covers(&self, path: &Path) -> bool {
        self.inputs.iter().any(|i| path == i || path.starts_with(i))
    }
}

/// The JSON event line of a rebuild, for `--diagnostic-format json`:
/// `{"event":"built","ok":true,"result":"ok","ms":112,"timings":{...}}`
/// ([`crate::run::json::Event`]), the timings in milliseconds.
pub fn built_event(outcome: Outcome, ms: u128, t: &crate::pipeline::Timings) -> String {
    crate::run::json::Event::built(outcome, ms, t).line()
}

/// Blocks until a relevant change, then lets a burst of changes settle; false when watching ended.
fn wait_for_change(rx: &mpsc::Receiver<notify::Result<notify::Event>>, watched: &Watched) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    let ours = |e: &notify::Event| {
        e.paths
            .iter()
            .any(|p| !watched.is_output(p) && watched.covers(p))
    };
    let relevant = |event: &notify::Result<notify::Event>| match event {
        Ok(e) => !matches!(e.kind, EventKind::Access(_)) && ours(e),
        Err(_) => false,
    };
    let closed_after_write = |event: &notify::Result<notify::Event>| match event {
        Ok(e) => e.kind == EventKind::Access(AccessKind::Close(AccessMode::Write)) && ours(e),
        Err(_) => false,
    };
    loop {
        match rx.recv() {
            Ok(event) if relevant(&event) => break,
            Ok(_) => continue,
            Err(_) => return false,
        }
    }
    let mut quiet = DEBOUNCE;
    while let Ok(event) = rx.recv_timeout(quiet) {
        quiet = if closed_after_write(&event) {
            SETTLE_AFTER_CLOSE
        } else {
            DEBOUNCE
        };
    }
    true
}

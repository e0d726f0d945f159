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

use super::pool::{Built, RunClaims, build_one};
use super::{Config, fail};
use crate::diag;
use crate::pipeline::{Job, Outcome};
use crate::render::preview::Preview;

/// Quiet time after a change before rebuilding, so that a save of several files builds once.
const DEBOUNCE: Duration = Duration::from_millis(25);

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
    let mut watched: Vec<PathBuf> = Vec::new();
    let mut watch = |path: &Path, watched: &mut Vec<PathBuf>| {
        let Ok(real) = std::fs::canonicalize(path) else {
            return Ok(());
        };
        if watched.contains(&real) {
            return Ok(());
        }
        watcher.watch(&real, RecursiveMode::Recursive)?;
        watched.push(real);
        Ok::<(), notify::Error>(())
    };
    let mut roots = vec![dir.clone()];
    roots.extend(config.options.templates.clone());
    // A house style folder of the command line (a built-in name is no folder).
    roots.extend(
        config
            .options
            .style
            .as_ref()
            .map(PathBuf::from)
            .filter(|p| p.is_dir()),
    );
    roots.extend(folders_of(dir));
    for root in &roots {
        if let Err(e) = watch(root, &mut watched) {
            return fail(
                config,
                Outcome::Io,
                format!("cannot watch {} ({e})", root.display()),
                None,
            );
        }
    }
    if config.chatty() {
        eprintln!("watching {} (press Ctrl-C to stop)", dir.display());
    }
    // One worker process for the whole session: it keeps the compiler's
    // memoised work between rebuilds, and a build that runs out of memory or
    // time ends it alone, never the session or the machine.
    let mut process = None;
    let writer = BufferWriter::stderr(diag::color_choice());
    loop {
        let start = Instant::now();
        let report = build_one(
            &mut process,
            &job,
            config,
            &writer,
            &RunClaims::default(),
            early,
        );
        report.print_log();
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
                Outcome::Ok => eprintln!("rebuilt in {ms} ms{split}"),
                _ => eprintln!("build failed after {ms} ms; the last good PDF is kept{split}"),
            }
        } else if !config.quiet {
            // Tools (the bench, the tests, an editor) read an event line.
            eprintln!("{}", built_event(outcome, ms, &report.timings));
        }
        // audit.toml may have started naming a template or style folder.
        for root in folders_of(dir) {
            let _ = watch(&root, &mut watched);
        }
        if !wait_for_change(&rx, config) {
            return Outcome::Ok;
        }
    }
}

/// The JSON event line of a rebuild, for `--diagnostic-format json`:
/// `{"event":"built","ok":true,"ms":112,"timings":{"load":3.1,...}}`, the
/// timings in milliseconds.
pub fn built_event(outcome: Outcome, ms: u128, t: &crate::pipeline::Timings) -> String {
    let ms_of = |d: std::time::Duration| (d.as_secs_f64() * 10_000.0).round() / 10.0;
    serde_json::json!({
        "event": "built",
        "ok": outcome == Outcome::Ok,
        "ms": ms,
        "timings": {
            "load": ms_of(t.load),
            "view": ms_of(t.view),
            "typeset": ms_of(t.typeset),
            "pdf": ms_of(t.pdf),
            "preview": ms_of(t.preview),
            "evict": ms_of(t.evict),
            "write": ms_of(t.write),
        },
    })
    .to_string()
}

/// Returns the folders audit.toml names: its template folder and its house
/// style folder (`style` naming no built-in style).
fn folders_of(dir: &Path) -> Vec<PathBuf> {
    let Some(table) = std::fs::read_to_string(dir.join("audit.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
    else {
        return Vec::new();
    };
    ["templates", "style"]
        .iter()
        .filter_map(|key| table.get(*key)?.as_str())
        .map(|name| dir.join(name))
        .filter(|p| p.is_dir())
        .collect()
}

/// Tells whether a changed path is one of our own outputs, which must not trigger a build.
fn is_output(path: &Path, config: &Config) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with(".auditpress-")
        || name.ends_with(".pdf")
        || config
            .output
            .as_deref()
            .is_some_and(|o| o.file_name() == path.file_name())
}

/// Blocks until a relevant change, then lets a burst of changes settle; false when watching ended.
fn wait_for_change(rx: &mpsc::Receiver<notify::Result<notify::Event>>, config: &Config) -> bool {
    let relevant = |event: &notify::Result<notify::Event>| match event {
        Ok(e) => {
            !matches!(e.kind, notify::EventKind::Access(_))
                && e.paths.iter().any(|p| !is_output(p, config))
        }
        Err(_) => false,
    };
    loop {
        match rx.recv() {
            Ok(event) if relevant(&event) => break,
            Ok(_) => continue,
            Err(_) => return false,
        }
    }
    while rx.recv_timeout(DEBOUNCE).is_ok() {}
    true
}

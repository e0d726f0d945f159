//! Where one report is built: the one function that compiles a job in this
//! process and the record of what happened, shared by the pool, the worker
//! process, watch and serve. A leaf of `cmd`: it imports none of its siblings,
//! so the pool and the worker both use it without importing each other.

use std::path::PathBuf;
use std::time::Duration;

use codespan_reporting::term::termcolor::Buffer;

use super::{Config, write_log};
use crate::diag::{self, Level};
use crate::naming::Claims;
use crate::pipeline::{self, Job, Outcome, Timings};
use crate::render::preview::Preview;

/// Stack of each build thread: typst's layout and PDF export recurse deeply.
pub const STACK_BYTES: usize = 256 * 1024 * 1024;

/// What happened to one job: the one record of a build, made by
/// [`run_here`] from the pipeline's result, carried unchanged over the
/// worker's pipe (it is serialisable), and read by the pool, watch, serve and
/// the batch summary.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Built {
    /// How it ended.
    pub outcome: Outcome,
    /// Pages of the PDF, when one was built.
    pub pages: Option<usize>,
    /// The PDF written, when one was.
    pub output: Option<PathBuf>,
    /// The dump asked for, when one was.
    pub dump: Option<String>,
    /// Errors found.
    pub errors: usize,
    /// Warnings found.
    pub warnings: usize,
    /// Wall time it took.
    pub elapsed: Duration,
    /// Where the time went.
    pub timings: Timings,
    /// The pages and outline for the live preview, when asked for.
    pub preview: Option<Preview>,
    /// With the preview, its diagnostics as JSON lines (docs/diagnostics.md), for the page.
    pub diagnostics: Option<String>,
    /// Its messages and diagnostics as printed under its name (with the
    /// terminal's colours when it has them).
    pub log: String,
}

impl Built {
    /// Prints its log to standard error.
    pub fn print_log(&self) {
        use std::io::Write;
        let _ = std::io::stderr().lock().write_all(self.log.as_bytes());
    }
}

/// Compiles one job in this process and renders what it found into a log;
/// `early` gets the live preview's pages before the PDF is exported.
pub fn run_here(
    job: &Job,
    config: &Config,
    mut log: Buffer,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
) -> Built {
    let compiled = pipeline::compile(job, &config.options, claims, early);
    let built = Built {
        outcome: compiled.outcome,
        pages: compiled.pages,
        output: compiled.output.clone(),
        dump: compiled.dump.clone(),
        errors: compiled.diagnostics.count(Level::Error),
        warnings: compiled.diagnostics.count(Level::Warning),
        elapsed: compiled.elapsed,
        timings: compiled.timings,
        preview: compiled.preview.clone(),
        diagnostics: config.options.preview.then(|| {
            let mut lines = Buffer::no_color();
            let _ = diag::emit(
                &mut lines,
                diag::Format::Json,
                &compiled.sources,
                &compiled.diagnostics,
            );
            String::from_utf8_lossy(lines.as_slice()).into_owned()
        }),
        log: String::new(),
    };
    write_log(compiled, config, &mut log);
    Built {
        log: String::from_utf8_lossy(log.as_slice()).into_owned(),
        ..built
    }
}

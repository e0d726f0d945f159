//! The driver: runs the pipeline for each report of a command and decides the exit code.
//!
//! Reports are built in parallel, each on its own thread with a large stack,
//! and each writes its messages to its own log, printed under its name when it
//! is done. A failing or panicking report does not stop the others; the exit
//! code is decided once, at the end, as ripgrep does.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use codespan_reporting::term::termcolor::{Buffer, BufferWriter};

use crate::cli::{Config, DiffFormat, Emit, Request};
use crate::diag::{self, Diagnostics, Sources};
use crate::model::Audit;
use crate::output::write_atomic;
use crate::render::{self, RenderError, RenderOptions};
use crate::view::View;
use crate::{batch, bench, load, review, watch, worker};

/// Stack of each build thread: typst's layout and PDF export recurse deeply.
pub const STACK_BYTES: usize = 256 * 1024 * 1024;

/// How a run ended, from best to worst.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Outcome {
    /// Everything was built.
    Ok,
    /// Data or templates have errors (diagnostics printed).
    Errors,
    /// A usage or I/O problem.
    Io,
}

impl Outcome {
    /// Returns the process exit code: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Outcome::Ok => 0,
            Outcome::Errors => 1,
            Outcome::Io => 2,
        }
    }
}

/// Values of audit.toml that a batch variant overrides.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Overrides {
    /// DRAFT marking.
    pub draft: Option<bool>,
    /// Footer marking.
    pub classification: Option<String>,
    /// Report version.
    pub version: Option<String>,
    /// Report kind under the title.
    pub subtitle: Option<String>,
}

impl Overrides {
    /// Applies the overrides to a loaded audit.
    fn apply(&self, audit: &mut Audit) {
        let meta = &mut audit.meta;
        if let Some(v) = self.draft {
            meta.draft = v;
        }
        if let Some(v) = &self.classification {
            meta.classification = v.clone();
        }
        if let Some(v) = &self.version {
            meta.version = v.clone();
        }
        if let Some(v) = &self.subtitle {
            meta.subtitle = v.clone();
        }
    }
}

/// Where a report's PDF goes.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub enum Destination {
    /// `<title>-<subtitle>-v<version>.pdf` beside the folder.
    #[default]
    Beside,
    /// This file.
    File(PathBuf),
    /// A name template such as `out/{project}-{version}-{classification}.pdf`.
    Template(String),
}

/// One report to build: a folder, its overrides and where its PDF goes.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Job {
    /// The audit folder.
    pub dir: PathBuf,
    /// Variant overrides of audit.toml.
    pub overrides: Overrides,
    /// Where the PDF goes.
    pub destination: Destination,
    /// Name in messages and the summary.
    pub name: String,
}

impl Job {
    /// A job for a folder as given on the command line.
    pub fn folder(dir: &Path, output: Option<&Path>) -> Self {
        Self {
            dir: dir.to_path_buf(),
            overrides: Overrides::default(),
            destination: output.map_or(Destination::Beside, |o| Destination::File(o.to_path_buf())),
            name: dir.display().to_string(),
        }
    }
}

/// What happened to one job.
pub struct Report {
    /// How it ended.
    pub outcome: Outcome,
    /// Pages of the PDF, when one was built.
    pub pages: Option<usize>,
    /// Wall time it took.
    pub elapsed: Duration,
    /// Its messages and diagnostics, printed under its name.
    pub log: Buffer,
}

/// Runs a validated request and returns the process exit code.
pub fn run(request: &Request) -> u8 {
    match request {
        Request::Build(config) => {
            let jobs: Vec<Job> = config
                .dirs
                .iter()
                .map(|d| Job::folder(d, config.output.as_deref()))
                .collect();
            run_jobs(&jobs, config).code()
        }
        Request::Batch { file, config } => match batch::read(file) {
            Ok(jobs) => run_jobs(&jobs, config).code(),
            Err(outcome) => outcome.code(),
        },
        Request::Diff { old, new, format } => diff(old, new, *format),
        Request::Watch { config } => watch::run(config).code(),
        Request::Bench { sizes } => bench::run(sizes).code(),
        Request::Worker => worker::serve().code(),
    }
}

/// Builds every job, in parallel, and prints a summary when there are several.
pub fn run_jobs(jobs: &[Job], config: &Config) -> Outcome {
    let writer = BufferWriter::stderr(diag::color_choice());
    let several = jobs.len() > 1;
    let terminal = std::io::stderr().is_terminal();
    let progress = (several && terminal).then(|| {
        let bar = indicatif::ProgressBar::new(jobs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} reports  {msg}")
                .expect("valid progress template"),
        );
        bar
    });
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let claimed = OutputClaims::default();
    let reports: Mutex<Vec<Option<Report>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let threads = config.jobs.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, || {
                    // Each build thread keeps one worker process, replaced when it dies.
                    let mut process = None;
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(job) = jobs.get(i) else { break };
                        let report = if config.isolated() {
                            worker::build(&mut process, job, config, &writer, &claimed)
                        } else {
                            run_one(job, config, writer.buffer(), &claimed)
                        };
                        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                        let print = || {
                            if several {
                                let _ = writeln!(
                                    std::io::stderr(),
                                    "[{finished}/{}] {}: {}",
                                    jobs.len(),
                                    job.name,
                                    result_word(&report)
                                );
                            }
                            if !report.log.as_slice().is_empty() {
                                let _ = writer.print(&report.log);
                            }
                        };
                        match &progress {
                            Some(bar) => {
                                bar.suspend(print);
                                bar.inc(1);
                            }
                            None => print(),
                        }
                        reports.lock().expect("reports lock")[i] = Some(report);
                    }
                })
                .expect("a build thread starts");
        }
    });
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let reports: Vec<Report> = reports
        .into_inner()
        .expect("reports lock")
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect();
    if several {
        print_summary(jobs, &reports);
    }
    reports
        .iter()
        .map(|r| r.outcome)
        .max()
        .unwrap_or(Outcome::Ok)
}

fn result_word(report: &Report) -> &'static str {
    match report.outcome {
        Outcome::Ok => "ok",
        Outcome::Errors => "failed",
        Outcome::Io => "failed (I/O)",
    }
}

/// Prints the table of reports, results, pages and times.
fn print_summary(jobs: &[Job], reports: &[Report]) {
    let width = jobs
        .iter()
        .map(|j| j.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut out = format!(
        "\n{:width$}  {:<12}  {:>5}  {:>8}\n",
        "report", "result", "pages", "time"
    );
    for (job, r) in jobs.iter().zip(reports) {
        let pages = r.pages.map_or("-".to_string(), |p| p.to_string());
        out.push_str(&format!(
            "{:width$}  {:<12}  {:>5}  {:>6.2} s\n",
            job.name,
            result_word(r),
            pages,
            r.elapsed.as_secs_f64()
        ));
    }
    let failed = reports.iter().filter(|r| r.outcome != Outcome::Ok).count();
    out.push_str(&format!(
        "{} reports: {} built, {} failed\n",
        reports.len(),
        reports.len() - failed,
        failed
    ));
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// Runs one job in this process, turning a panic into that job's failure.
pub fn run_one(job: &Job, config: &Config, mut log: Buffer, claimed: &dyn Claims) -> Report {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| build(job, config, claimed, &mut log)));
    let (outcome, pages) = result.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let _ = writeln!(
            log,
            "error: internal error while building {} ({message})\n  = hint: this is a bug in auditpress; please report it with the folder that triggers it",
            job.name
        );
        (Outcome::Errors, None)
    });
    Report {
        outcome,
        pages,
        elapsed: start.elapsed(),
        log,
    }
}

/// Loads a folder; on failure writes its diagnostics to the log and says how the run ends.
pub fn load_folder(dir: &Path, log: &mut Buffer) -> Result<(Audit, Sources, Diagnostics), Outcome> {
    let loaded = load::load(dir).map_err(|e| {
        let _ = writeln!(log, "error: {e}");
        Outcome::Io
    })?;
    let load::Loaded {
        audit,
        sources,
        diagnostics,
    } = loaded;
    match audit {
        Some(audit) => Ok((audit, sources, diagnostics)),
        None => {
            let _ = diag::emit(log, &sources, &diagnostics);
            Err(Outcome::Errors)
        }
    }
}

/// Builds (or checks) one job, writing its messages to the log.
fn build(
    job: &Job,
    config: &Config,
    claimed: &dyn Claims,
    log: &mut Buffer,
) -> (Outcome, Option<usize>) {
    let (mut audit, mut sources, mut diagnostics) = match load_folder(&job.dir, log) {
        Ok(loaded) => loaded,
        Err(outcome) => return (outcome, None),
    };
    job.overrides.apply(&mut audit);
    if let Err(outcome) = denied(config, &diagnostics, log) {
        let _ = diag::emit(log, &sources, &diagnostics);
        return (outcome, None);
    }
    let result = produce(
        job,
        config,
        &audit,
        claimed,
        &mut sources,
        &mut diagnostics,
        log,
    );
    let _ = diag::emit(log, &sources, &diagnostics);
    match result {
        Ok(pages) => (Outcome::Ok, pages),
        Err(outcome) => (outcome, None),
    }
}

/// Produces what the config asks for from a loaded audit; returns the page count of a PDF.
fn produce(
    job: &Job,
    config: &Config,
    audit: &Audit,
    claimed: &dyn Claims,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
    log: &mut Buffer,
) -> Result<Option<usize>, Outcome> {
    let io = |log: &mut Buffer, e: std::io::Error| {
        let _ = writeln!(log, "error: {e}");
        Outcome::Io
    };
    match config.emit {
        None => {
            let _ = writeln!(log, "{}: ok ({} findings)", job.name, audit.findings.len());
            Ok(None)
        }
        Some(Emit::ModelJson) => {
            let json = serde_json::to_string_pretty(audit).expect("model serialises");
            dump(config, &json).map_err(|e| io(log, e))?;
            Ok(None)
        }
        Some(Emit::ViewJson) => {
            let view = view_of(audit, config, log)?;
            dump(config, &view.to_json()).map_err(|e| io(log, e))?;
            Ok(None)
        }
        Some(Emit::Pdf) => {
            let path = destination(job, audit).map_err(|e| io(log, e))?;
            if let Some(other) = claimed.claim(&path, &job.name) {
                let _ = writeln!(
                    log,
                    "error: {} is also the output of {other}\n  = hint: give each variant its own output name",
                    path.display()
                );
                return Err(Outcome::Errors);
            }
            let options = RenderOptions {
                templates: config
                    .templates
                    .clone()
                    .or_else(|| audit.meta.templates.as_ref().map(|t| job.dir.join(t))),
                source_date_epoch: config.source_date_epoch,
                standards: config.standards.clone(),
                cache_age: config.cache_age,
            };
            let view = view_of(audit, config, log)?;
            let rendered = match render::render(audit, view, &options, sources, diagnostics) {
                Ok(r) => r,
                Err(RenderError::Template) => return Err(Outcome::Errors),
                Err(RenderError::Io(e)) => return Err(io(log, e)),
            };
            denied(config, diagnostics, log)?;
            write_atomic(&path, &rendered.pdf).map_err(|e| io(log, e))?;
            let _ = writeln!(log, "wrote {} ({} pages)", path.display(), rendered.pages);
            Ok(Some(rendered.pages))
        }
    }
}

/// Fails when warnings are denied and there are some.
fn denied(config: &Config, diagnostics: &Diagnostics, log: &mut Buffer) -> Result<(), Outcome> {
    let warnings = diagnostics
        .iter()
        .filter(|d| d.level == diag::Level::Warning)
        .count();
    if config.deny_warnings && warnings > 0 {
        let _ = writeln!(
            log,
            "error: {warnings} warning(s) with --deny-warnings; nothing was written"
        );
        return Err(Outcome::Errors);
    }
    Ok(())
}

/// Who writes which output file, so that two reports never write the same one.
pub trait Claims: Sync {
    /// Records that a job writes a path; returns the job that already does, if any.
    fn claim(&self, path: &Path, name: &str) -> Option<String>;
}

/// The claims of one process.
#[derive(Default)]
pub struct OutputClaims(Mutex<HashMap<PathBuf, String>>);

impl Claims for OutputClaims {
    fn claim(&self, path: &Path, name: &str) -> Option<String> {
        let key = std::fs::canonicalize(path.parent().unwrap_or(Path::new(".")))
            .map(|p| p.join(path.file_name().unwrap_or_default()))
            .unwrap_or_else(|_| path.to_path_buf());
        let mut claimed = self.0.lock().expect("claims lock");
        match claimed.get(&key) {
            Some(other) => Some(other.clone()),
            None => {
                claimed.insert(key, name.to_string());
                None
            }
        }
    }
}

/// Returns where a job's PDF goes.
fn destination(job: &Job, audit: &Audit) -> std::io::Result<PathBuf> {
    match &job.destination {
        Destination::File(path) => Ok(path.clone()),
        Destination::Beside => Ok(default_output(&job.dir, audit)),
        Destination::Template(template) => {
            let path = PathBuf::from(batch::expand(template, &job.dir, audit));
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            Ok(path)
        }
    }
}

/// Returns the view of an audit, with the changes appendix when asked for.
fn view_of<'a>(audit: &'a Audit, config: &Config, log: &mut Buffer) -> Result<View<'a>, Outcome> {
    let view = View::new(audit);
    let Some(old_dir) = &config.changes_since else {
        return Ok(view);
    };
    let (old, sources, diagnostics) = load_folder(old_dir, log)?;
    let _ = diag::emit(log, &sources, &diagnostics);
    Ok(view.with_changes(&old.meta.version, &review::diff(&old, audit)))
}

/// Compares two versions of a folder: 0 when the same, 1 when they differ, 2 on failure.
fn diff(old: &Path, new: &Path, format: DiffFormat) -> u8 {
    let writer = BufferWriter::stderr(diag::color_choice());
    let mut log = writer.buffer();
    let loaded = (load_folder(old, &mut log), load_folder(new, &mut log));
    let _ = writer.print(&log);
    let (Ok((a, ..)), Ok((b, ..))) = loaded else {
        return 2;
    };
    let changes = review::diff(&a, &b);
    let text = match format {
        DiffFormat::Human => changes
            .iter()
            .map(|c| format!("{}\n", c.describe()))
            .collect::<String>(),
        DiffFormat::Json => {
            let doc = serde_json::json!({
                "old": { "version": a.meta.version, "date": a.meta.date.to_string() },
                "new": { "version": b.meta.version, "date": b.meta.date.to_string() },
                "changes": changes,
            });
            serde_json::to_string_pretty(&doc).expect("changes serialise") + "\n"
        }
    };
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return 2;
    }
    u8::from(!changes.is_empty())
}

/// Writes a dump to the output file, or to standard output.
fn dump(config: &Config, text: &str) -> std::io::Result<()> {
    match &config.output {
        Some(path) => write_atomic(path, text.as_bytes()),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")
        }
    }
}

/// Returns the default output path: `<title>-<subtitle>-v<version>.pdf` beside the folder.
pub fn default_output(dir: &Path, audit: &Audit) -> PathBuf {
    let meta = &audit.meta;
    let name = format!(
        "{}-v{}.pdf",
        slug(&format!("{} {}", meta.title, meta.subtitle)),
        slug(&meta.version)
    );
    let parent = std::fs::canonicalize(dir)
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    parent.join(name)
}

/// Lowercases text and keeps letters, digits and dots, joined by single dashes.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() || c == '.' {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn slugs_keep_words_and_version_dots() {
        assert_eq!(slug("Flux Security Assessment"), "flux-security-assessment");
        assert_eq!(slug("2.0"), "2.0");
        assert_eq!(slug("  a/b  c "), "a-b-c");
    }
}

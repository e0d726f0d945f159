//! The pool that builds the reports of a command in parallel.
//!
//! Each report is built on its own thread with a large stack (or, for PDFs, in
//! that thread's worker process), and writes its messages to its own log,
//! printed under its name when it is done. A failing or panicking report does
//! not stop the others; the exit code is decided once, at the end, as ripgrep
//! does.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use codespan_reporting::term::termcolor::BufferWriter;

use super::executor::Executor;
use super::report::print_log;
use super::worker::STACK_BYTES;
use super::{Config, signals};
use crate::diag;
use crate::naming::{Claims, OutputClaims};
use crate::pipeline::{Built, Job, Outcome};
use crate::render::Deliverable;

/// Builds every job, in parallel, and prints a summary when there are several.
pub fn run_jobs(jobs: &[Job], config: &Config) -> Vec<Built> {
    let writer = BufferWriter::stderr(diag::color_choice());
    let several = jobs.len() > 1;
    let chatty = config.chatty();
    let terminal = std::io::stderr().is_terminal();
    let progress = (several && terminal && chatty).then(|| {
        let bar = indicatif::ProgressBar::new(jobs.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} reports  {msg}")
                .expect("valid progress template"),
        );
        bar
    });
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let claimed = RunClaims::default();
    let reports: Mutex<Vec<Option<Built>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let threads = config.jobs.clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, || {
                    // Each build thread keeps one executor: its worker
                    // process, replaced when it dies.
                    let mut executor = Executor::new(config);
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(job) = jobs.get(i) else { break };
                        let report = executor.build(job, config, &claimed, &mut |_| {});
                        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                        let print = || {
                            if several && chatty {
                                let _ = writeln!(
                                    std::io::stderr(),
                                    "[{finished}/{}] {}: {}",
                                    jobs.len(),
                                    job.name,
                                    report.outcome.word()
                                );
                            }
                            print_log(&report, &job.name, config, &writer);
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
    let reports: Vec<Built> = reports
        .into_inner()
        .expect("reports lock")
        .into_iter()
        .map(|r| r.expect("every job ran"))
        .collect();
    if several && chatty {
        print_summary(jobs, &reports);
    }
    reports
}

/// The output claims of a run, each output also noted for cleanup on a signal.
#[derive(Default)]
pub struct RunClaims(OutputClaims);

impl Claims for RunClaims {
    fn claim(&self, path: &Path, name: &str) -> Option<String> {
        signals::add_output(path.to_path_buf());
        self.0.claim(path, name)
    }
}

/// Returns the worst outcome of a run.
pub fn worst(reports: &[Built]) -> Outcome {
    reports
        .iter()
        .map(|r| r.outcome)
        .max()
        .unwrap_or(Outcome::Ok)
}

/// Prints the table of reports, results, pages and times, and the formats
/// each wrote when a report wrote more than its PDF (`--format`).
fn print_summary(jobs: &[Job], reports: &[Built]) {
    let width = jobs
        .iter()
        .map(|j| j.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let formats = reports
        .iter()
        .any(|r| r.outputs.iter().any(|w| w.format != Deliverable::Pdf));
    let mut out = format!(
        "\n{:width$}  {:<12}  {:>5}  {:>8}{}\n",
        "report",
        "result",
        "pages",
        "time",
        if formats { "  written" } else { "" }
    );
    for (job, r) in jobs.iter().zip(reports) {
        let pages = r
            .document()
            .and_then(|d| d.pages)
            .map_or("-".to_string(), |p| p.to_string());
        let written = if formats {
            let names: Vec<&str> = r.outputs.iter().map(|w| w.format.name()).collect();
            format!(
                "  {}",
                if names.is_empty() {
                    "-".to_string()
                } else {
                    names.join(", ")
                }
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{:width$}  {:<12}  {:>5}  {:>6.2} s{written}\n",
            job.name,
            r.outcome.word(),
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

//! The benchmark: measures build times and memory on synthetic audits.
//!
//! Run it with `cargo bench --profile dev --bench bench -- --sizes 50,200`
//! (sizes default to 10,50,200,500): the dev profile builds the
//! dependencies as a release does, and reuses the test build's artifacts.
//! It drives the `auditpress` executable of the same build, and compiles
//! in this process through the library.
//!
//! Generates audits of several sizes with realistic text and code blocks, then
//! measures, in one run so that figures compare as ratios: a whole-process cold
//! build and its peak memory, an in-process compile with warm caches, a batch of
//! 50 audits with one job and with all cores, one-finding edits in watch mode,
//! what the HTML page and the Word document add to a build (formats.rs),
//! and, when the stock `typst` CLI is installed, typst compiling the same view
//! with the same templates.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod baseline;
mod edits;
mod formats;
mod lsp;
mod procfs;
mod styles;
mod synth;

use edits::{
    EDITS, LSP_EDITS, MEMORY_REPORTS, batch_memory, resident, serve_edit, typst_watch_edit,
    watch_memory, watch_rebuild,
};
use styles::{HOUSE_STYLE, SHAPE_STYLE, example_styles, house_style};
use synth::{grow_real, synthesize, synthesize_seeded};

use auditpress::cmd::default_jobs;
use auditpress::naming::OutputClaims;
use auditpress::pipeline::{self, Dump, Emit, Job, Options, Outcome};
use auditpress::render::{self, templates};
use procfs::{high_water_mark, process_tree, status_field, wait_with_peak};

/// Audits in the batch measurement.
const BATCH_AUDITS: usize = 50;

/// Findings of the real audit grown from data/example (issue 24).
const REAL_FINDINGS: usize = 300;

/// Findings per audit of the batch measurement.
const BATCH_FINDINGS: usize = 10;

/// Sizes measured when `--sizes` is not given.
const DEFAULT_SIZES: [usize; 4] = [10, 50, 200, 500];

/// Runs the benchmark and prints its table: `--sizes 50,200` chooses the
/// sizes, `--only lsp` measures the language server alone, `--only formats`
/// what the HTML page and the Word document add to a build, `--only edits`
/// the edits in watch and serve alone (with the real audit; `--against EXE`
/// measures an earlier build's first), `--baseline EXE` compares this build
/// with another executable (before and after), `--write DIR` writes the
/// audits measured to DIR; the `--bench`
/// cargo passes, and any other flag, is ignored.
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes = match args.iter().position(|a| a == "--sizes") {
        Some(i) => match args.get(i + 1).map(|list| {
            list.split(',')
                .map(|n| n.trim().parse::<usize>())
                .collect::<Result<Vec<_>, _>>()
        }) {
            Some(Ok(sizes)) if !sizes.is_empty() => sizes,
            _ => {
                eprintln!("error: --sizes takes numbers of findings, such as --sizes 50,200");
                return std::process::ExitCode::from(2);
            }
        },
        None => DEFAULT_SIZES.to_vec(),
    };
    let only = |what: &str| args.windows(2).any(|w| w[0] == "--only" && w[1] == what);
    let flag = |name: &str| {
        args.windows(2)
            .find(|w| w[0] == name)
            .map(|w| PathBuf::from(&w[1]))
    };
    let measured = if let Some(to) = flag("--write") {
        write_audits(&to, &sizes)
    } else if let Some(baseline) = flag("--baseline") {
        let exe = PathBuf::from(env!("CARGO_BIN_EXE_auditpress"));
        baseline::compare(&exe, &baseline, &sizes)
    } else if only("lsp") {
        lsp_only(&sizes)
    } else if only("formats") {
        formats_only()
    } else if only("edits") {
        edits::edits_only(&sizes, flag("--against").as_deref())
    } else {
        measure(&sizes)
    };
    match measured {
        Ok(table) => {
            print!("{table}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: benchmark failed ({e})");
            std::process::ExitCode::from(Outcome::Io.code())
        }
    }
}

/// `--write DIR`: the bench's audits of each size and the real audit
/// grown to 300 findings, written to DIR to be measured by hand.
fn write_audits(to: &Path, sizes: &[usize]) -> std::io::Result<String> {
    let mut out = String::new();
    for &n in sizes {
        let dir = to.join(format!("audit-{n}"));
        synthesize(&dir, n)?;
        writeln!(out, "{}", dir.display()).ok();
    }
    let real = to.join("real-300");
    if grow_real(&real, REAL_FINDINGS)? {
        writeln!(out, "{}", real.display()).ok();
    }
    Ok(out)
}

/// One size's figures.
struct Row {
    findings: usize,
    /// What the tables call it: the number, or `300 real` for the grown real audit.
    label: String,
    /// Its folder.
    dir: PathBuf,
    /// Whether it is the real audit grown, not a synthetic one.
    real: bool,
    pages: usize,
    cold: Duration,
    peak_kib: Option<u64>,
    cold_in_process: Duration,
    warm: Duration,
    /// The typst CLI compiling the same view: its time and peak RSS (KiB).
    typst: Option<(Duration, Option<u64>)>,
}

/// The formats' line alone (`--only formats`), at 50 findings.
fn formats_only() -> std::io::Result<String> {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_auditpress"));
    let tmp = tempfile::tempdir()?;
    formats::formats(&exe, tmp.path())
}

fn measure(sizes: &[usize]) -> std::io::Result<String> {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_auditpress"));
    let tmp = tempfile::tempdir()?;
    let typst = typst_cli();
    let rows = cold_rows(&exe, tmp.path(), sizes, typst.as_ref())?;
    let mut out = cold_table(&rows, typst.is_some());
    out.push_str(&batches(&exe, tmp.path(), typst.as_ref())?);
    if let Some(n) = rows
        .iter()
        .filter(|r| !r.real)
        .map(|r| r.findings)
        .find(|n| *n >= 50)
        .or(sizes.first().copied())
    {
        writeln!(out).ok();
        let dir = tmp.path().join(format!("audit-{n}"));
        out.push_str(&house_style(&exe, &dir, n, &HOUSE_STYLE)?);
        writeln!(out).ok();
        out.push_str(&house_style(&exe, &dir, n, &SHAPE_STYLE)?);
        writeln!(out).ok();
        out.push_str(&example_styles(&exe, tmp.path())?);
    }
    writeln!(out).ok();
    out.push_str(&formats::formats(&exe, tmp.path())?);
    out.push_str(&spelling_and_lsp(&exe, tmp.path(), &rows)?);
    out.push_str(&edits(&exe, tmp.path(), &rows)?);
    Ok(out)
}

/// The synthetic audits of each size built cold (a process), cold in this
/// process and warm, and with the typst CLI when it is on PATH.
fn cold_rows(
    exe: &Path,
    tmp: &Path,
    sizes: &[usize],
    typst: Option<&PathBuf>,
) -> std::io::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut audits: Vec<(usize, PathBuf, bool)> = Vec::new();
    for &n in sizes {
        let dir = tmp.join(format!("audit-{n}"));
        synthesize(&dir, n)?;
        audits.push((n, dir, false));
    }
    // A real audit grown to 300 findings, from the source checkout's example.
    let real = tmp.join("real-300");
    if grow_real(&real, REAL_FINDINGS)? {
        audits.push((REAL_FINDINGS, real, true));
    }
    for (n, dir, real) in audits {
        let name = if real {
            "real".to_string()
        } else {
            n.to_string()
        };
        let pdf = tmp.join(format!("audit-{name}.pdf"));
        let mut ours = Command::new(exe);
        ours.arg("build").arg(&dir).arg("-o").arg(&pdf);
        let mut theirs = match typst {
            Some(cmd) => Some(typst_command(
                cmd,
                &dir,
                &tmp.join(format!("typst-{name}")),
            )?),
            None => None,
        };
        let ((cold, peak_kib), typst) = cold_pair(&mut ours, theirs.as_mut())?;
        render::forget_caches();
        let start = Instant::now();
        compile(&dir, &tmp.join(format!("first-{name}.pdf")))?;
        let cold_in_process = start.elapsed();
        let mut warm = Vec::new();
        let mut pages = 0;
        for _ in 0..4 {
            let start = Instant::now();
            pages = compile(&dir, &tmp.join(format!("warm-{name}.pdf")))?;
            warm.push(start.elapsed());
        }
        warm.sort();
        rows.push(Row {
            findings: n,
            label: if real {
                format!("{n} real")
            } else {
                n.to_string()
            },
            dir: dir.clone(),
            real,
            pages,
            cold,
            peak_kib,
            cold_in_process,
            warm: warm[warm.len() / 2],
            typst,
        });
    }

    Ok(rows)
}

/// The table of the cold and warm builds.
fn cold_table(rows: &[Row], typst: bool) -> String {
    let mut out = String::new();
    let cores = default_jobs();
    let profile = if cfg!(debug_assertions) {
        "dev profile, dependencies built as in release"
    } else {
        "release profile"
    };
    writeln!(out, "auditpress bench: {cores} cores, {profile}").ok();
    writeln!(out).ok();
    writeln!(
        out,
        "cold process and typst CLI: median of 5 runs of each, taken in turn; peak RSS: the highest of them"
    )
    .ok();
    writeln!(
        out,
        "{:>8}  {:>5}  {:>12}  {:>9}  {:>15}  {:>10}  {:>16}  {:>14}  {:>15}",
        "findings",
        "pages",
        "cold process",
        "peak RSS",
        "warm in-process",
        "typst CLI",
        "auditpress/typst",
        "typst peak RSS",
        "RSS / typst's"
    )
    .ok();
    let mib = |k: Option<u64>| k.map_or("-".into(), |k| format!("{} MiB", k / 1024));
    for r in rows {
        let (typst, ratio, typst_peak, peak_ratio) = match r.typst {
            Some((t, peak)) => (
                secs(t),
                format!("{:.2}x", r.cold.as_secs_f64() / t.as_secs_f64()),
                mib(peak),
                r.peak_kib
                    .zip(peak)
                    .map_or("-".into(), |(a, b)| format!("{:.2}x", a as f64 / b as f64)),
            ),
            None => ("-".into(), "-".into(), "-".into(), "-".into()),
        };
        writeln!(
            out,
            "{:>8}  {:>5}  {:>12}  {:>9}  {:>15}  {:>10}  {:>16}  {:>14}  {:>15}",
            r.label,
            r.pages,
            secs(r.cold),
            mib(r.peak_kib),
            secs(r.warm),
            typst,
            ratio,
            typst_peak,
            peak_ratio
        )
        .ok();
    }
    if !typst {
        writeln!(
            out,
            "(typst CLI not found on PATH: no auditpress/typst ratio)"
        )
        .ok();
    }

    out
}

/// Batches of audits built at once, against the typst CLI when it is on PATH.
fn batches(exe: &Path, tmp: &Path, typst: Option<&PathBuf>) -> std::io::Result<String> {
    let mut out = String::new();
    let cores = default_jobs();
    let batch: Vec<PathBuf> = (0..BATCH_AUDITS)
        .map(|i| tmp.join(format!("batch-{i}")))
        .collect();
    for dir in &batch {
        synthesize(dir, BATCH_FINDINGS)?;
    }
    let batch_run = |jobs: usize| {
        timed_process(
            Command::new(exe)
                .arg("build")
                .args(&batch)
                .arg("--jobs")
                .arg(jobs.to_string()),
        )
    };
    let (serial, _) = batch_run(1)?;
    let (parallel, _) = batch_run(cores)?;
    writeln!(out).ok();
    writeln!(
        out,
        "batch of {BATCH_AUDITS} audits ({BATCH_FINDINGS} findings each): --jobs 1 {}, --jobs {cores} {}: {:.2}x faster, {:.1} reports/s",
        secs(serial),
        secs(parallel),
        serial.as_secs_f64() / parallel.as_secs_f64(),
        BATCH_AUDITS as f64 / parallel.as_secs_f64()
    )
    .ok();
    if let Some(cmd) = typst {
        let commands = batch
            .iter()
            .enumerate()
            .map(|(i, dir)| typst_command(cmd, dir, &tmp.join(format!("typst-batch-{i}"))))
            .collect::<std::io::Result<Vec<_>>>()?;
        let stock = run_parallel(commands, cores)?;
        writeln!(
            out,
            "the same {BATCH_AUDITS} reports with the stock typst CLI, one process per report, {cores} at a time: {} (auditpress --jobs {cores} is {:.2}x faster)",
            secs(stock),
            stock.as_secs_f64() / parallel.as_secs_f64()
        )
        .ok();
    }
    out.push_str(&distinct_batch(exe, tmp, typst, cores)?);
    let samples = batch_memory(exe, &tmp.join("memory"), cores)?;
    let said: Vec<String> = samples
        .iter()
        .map(|(done, kib)| format!("{} MiB after {done}", kib / 1024))
        .collect();
    writeln!(
        out,
        "memory of a batch of {MEMORY_REPORTS} such audits (--jobs {cores}, the process and its workers): {}",
        said.join(", ")
    )
    .ok();

    Ok(out)
}

/// The reports of `batches` differ in their titles only, as the variants of
/// one report do. The audits of different clients differ in their findings:
/// the same measure on such a batch, one line.
fn distinct_batch(
    exe: &Path,
    tmp: &Path,
    typst: Option<&PathBuf>,
    cores: usize,
) -> std::io::Result<String> {
    let distinct: Vec<PathBuf> = (0..BATCH_AUDITS)
        .map(|i| tmp.join(format!("distinct-{i}")))
        .collect();
    for (i, dir) in distinct.iter().enumerate() {
        synthesize_seeded(dir, BATCH_FINDINGS, i + 1)?;
    }
    let (apart, _) = timed_process(
        Command::new(exe)
            .arg("build")
            .args(&distinct)
            .arg("--jobs")
            .arg(cores.to_string()),
    )?;
    let stock = match typst {
        Some(cmd) => {
            let commands = distinct
                .iter()
                .enumerate()
                .map(|(i, dir)| typst_command(cmd, dir, &tmp.join(format!("typst-distinct-{i}"))))
                .collect::<std::io::Result<Vec<_>>>()?;
            let stock = run_parallel(commands, cores)?;
            format!(
                "; the stock typst CLI, {cores} at a time: {} (auditpress is {:.2}x faster)",
                secs(stock),
                stock.as_secs_f64() / apart.as_secs_f64()
            )
        }
        None => String::new(),
    };
    Ok(format!(
        "{BATCH_AUDITS} audits whose findings differ ({BATCH_FINDINGS} findings each): --jobs {cores} {}{stock}\n",
        secs(apart)
    ))
}

/// What spelling adds to check, and the language server's keystroke.
fn spelling_and_lsp(exe: &Path, tmp: &Path, rows: &[Row]) -> std::io::Result<String> {
    let mut out = String::new();
    writeln!(out).ok();
    writeln!(
        out,
        "spelling and grammar in check (median of 3 processes each): check, check --no-spell, and what spelling adds; build never spells, so its figures above do not change"
    )
    .ok();
    for r in rows.iter().filter(|r| r.findings <= 200 && !r.real) {
        out.push_str(&spelling(exe, &r.dir, r.findings)?);
    }

    writeln!(out).ok();
    out.push_str(&lsp_title());
    for r in rows.iter().filter(|r| r.findings <= 200 && !r.real) {
        out.push_str(&keystrokes(exe, &r.dir, r.findings)?);
    }
    if let Some(small) = rows.iter().filter(|r| !r.real).map(|r| r.findings).min() {
        let m = lsp::measure(
            exe,
            &tmp.join(format!("audit-{small}")),
            1000,
            &[10, 100, 500, 1000],
            resident,
        )?;
        let said: Vec<String> = m
            .memory
            .iter()
            .map(|(edits, kib)| format!("{} MiB after {edits}", kib / 1024))
            .collect();
        writeln!(
            out,
            "memory of auditpress lsp across 1000 edits ({small} findings): {}",
            said.join(", ")
        )
        .ok();
    }

    Ok(out)
}

/// What the language server's figures are.
fn lsp_title() -> String {
    format!(
        "auditpress lsp: a keystroke (didChange of one finding) to the diagnostics published for it, over {LSP_EDITS} edits (load and checks, and the spelling and grammar of the edited finding; no typesetting; 15 ms of it is the debounce)\n"
    )
}

/// The keystroke-to-diagnostics line of one audit.
fn keystrokes(exe: &Path, dir: &Path, findings: usize) -> std::io::Result<String> {
    let m = lsp::measure(exe, dir, LSP_EDITS, &[], resident)?;
    let at = |q: f64| m.times[((m.times.len() - 1) as f64 * q) as usize];
    Ok(format!(
        "{findings:>8} findings  median {}  90th percentile {}  slowest {}\n",
        secs(at(0.5)),
        secs(at(0.9)),
        secs(at(1.0))
    ))
}

/// `--only lsp`: the language server's keystroke alone, on synthetic
/// audits of each size.
fn lsp_only(sizes: &[usize]) -> std::io::Result<String> {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_auditpress"));
    let tmp = tempfile::tempdir()?;
    let mut out = lsp_title();
    for &n in sizes {
        let dir = tmp.path().join(format!("audit-{n}"));
        synthesize(&dir, n)?;
        out.push_str(&keystrokes(&exe, &dir, n)?);
    }
    Ok(out)
}

/// A one-finding edit in watch and in serve, and watch's memory across edits.
fn edits(exe: &Path, tmp: &Path, rows: &[Row]) -> std::io::Result<String> {
    let mut out = watch_edits(exe, tmp, rows)?;
    out.push_str(&serve_edits(exe, rows)?);
    if let Some(small) = rows.iter().filter(|r| !r.real).map(|r| r.findings).min() {
        let samples = watch_memory(exe, &tmp.join(format!("audit-{small}")), EDITS)?;
        let said: Vec<String> = samples
            .iter()
            .map(|(edits, kib)| format!("{} MiB after {edits}", kib / 1024))
            .collect();
        writeln!(
            out,
            "\nmemory of watch and its worker across {EDITS} edits ({small} findings): {}",
            said.join(", ")
        )
        .ok();
    }
    Ok(out)
}

/// A one-finding edit in watch, against `typst watch` when it is on PATH.
fn watch_edits(exe: &Path, tmp: &Path, rows: &[Row]) -> std::io::Result<String> {
    let mut out = String::new();
    let typst = typst_cli();
    writeln!(out).ok();
    writeln!(
        out,
        "one-finding edit in auditpress watch (median of 3 edits): from the write on disk to the new PDF, the rebuild alone, and a cold in-process compile with the rebuild's share of it; with the typst CLI on PATH, `typst watch` of the same view after the same edits, from the new view.json on disk to the new PDF"
    )
    .ok();
    writeln!(
        out,
        "{:>8}  {:>12}  {:>9}  {:>16}  {:>11}  {:>16}  where the rebuild's time went",
        "findings", "edit to PDF", "rebuild", "cold in-process", "typst watch", "auditpress/typst"
    )
    .ok();
    for r in rows.iter().filter(|r| r.findings <= 300) {
        let dir = r.dir.clone();
        // The anchor first, on a copy of the folder as it is before the edits.
        let anchor = match &typst {
            Some(cmd) => Some(typst_watch_edit(
                cmd,
                &dir,
                &tmp.join(format!("typst-watch-{}", r.label.replace(' ', "-"))),
            )?),
            None => None,
        };
        let edit = watch_rebuild(exe, &dir)?;
        let (anchor, ratio) = anchor.map_or(("-".into(), "-".into()), |t| {
            (
                secs(t),
                format!("{:.2}x", edit.to_pdf.as_secs_f64() / t.as_secs_f64()),
            )
        });
        writeln!(
            out,
            "{:>8}  {:>12}  {:>9}  {:>16}  {:>11}  {:>16}  {}",
            r.label,
            secs(edit.to_pdf),
            secs(edit.rebuild),
            format!(
                "{} ({:.2}x)",
                secs(r.cold_in_process),
                edit.rebuild.as_secs_f64() / r.cold_in_process.as_secs_f64()
            ),
            anchor,
            ratio,
            edit.split
        )
        .ok();
    }
    Ok(out)
}

/// A one-finding edit in serve: to the preview's changed page and to the PDF.
fn serve_edits(exe: &Path, rows: &[Row]) -> std::io::Result<String> {
    let mut out = String::new();
    writeln!(out).ok();
    writeln!(
        out,
        "one-finding edit in auditpress serve (median of 3 edits): from the write on disk to the event that sends the changed page to the browser (sent after load, view, typeset and preview), and to the new PDF"
    )
    .ok();
    writeln!(
        out,
        "{:>8}  {:>15}  {:>12}  where the rebuild's time went",
        "findings", "edit to preview", "edit to PDF"
    )
    .ok();
    for r in rows.iter().filter(|r| r.findings <= 200 || r.real) {
        let (preview, pdf, split) = serve_edit(exe, &r.dir)?;
        writeln!(
            out,
            "{:>8}  {:>15}  {:>12}  {split}",
            r.label,
            secs(preview),
            secs(pdf)
        )
        .ok();
    }
    Ok(out)
}

/// The cost of spelling and grammar in `check` on one folder: a line.
fn spelling(exe: &Path, dir: &Path, n: usize) -> std::io::Result<String> {
    let median = |spell: bool| -> std::io::Result<Duration> {
        let mut times = Vec::new();
        for _ in 0..3 {
            let mut cmd = Command::new(exe);
            cmd.arg("check").arg("-q").arg(dir);
            if !spell {
                cmd.arg("--no-spell");
            }
            times.push(timed_process(&mut cmd)?.0);
        }
        times.sort();
        Ok(times[1])
    };
    let with = median(true)?;
    let without = median(false)?;
    Ok(format!(
        "{n:>8} findings  check {}  check --no-spell {}  spelling adds {} ({:.1}x)\n",
        secs(with),
        secs(without),
        secs(with.saturating_sub(without)),
        with.as_secs_f64() / without.as_secs_f64()
    ))
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Compiles a folder in this process, through the pipeline every command uses.
fn compile_with(dir: &Path, output: &Path, options: &Options) -> std::io::Result<pipeline::Built> {
    let job = Job::folder(dir, Some(output));
    let compiled = pipeline::compile(&job, options, &OutputClaims::default(), &mut |_| {});
    match compiled.outcome {
        Outcome::Ok => Ok(compiled),
        _ => Err(std::io::Error::other(format!(
            "the synthetic audit {} does not build",
            dir.display()
        ))),
    }
}

/// Builds a folder's PDF in this process, with warm caches; returns the page count.
fn compile(dir: &Path, output: &Path) -> std::io::Result<usize> {
    let options = Options {
        cache_age: 10,
        ..Options::default()
    };
    let built = compile_with(dir, output, &options)?;
    Ok(built.document().and_then(|d| d.pages).unwrap_or(0))
}

/// Runs a command, returning its wall time and the peak resident memory, in KiB,
/// of it and its worker processes together (Linux). The end is the kernel's
/// (a blocking wait, not a poll), and so is the peak of the largest process
/// (`ru_maxrss`); the peaks of the others are read from /proc every 50 ms, too
/// rarely to slow what is measured (a read every 2 ms slowed both tools).
fn timed_process(cmd: &mut Command) -> std::io::Result<Timed> {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let pid = child.id();
    let ended = std::sync::atomic::AtomicBool::new(false);
    let (waited, polled) = std::thread::scope(|scope| {
        let poller = scope.spawn(|| {
            // VmHWM only grows, so the last reading of each process is its peak.
            let mut peaks = std::collections::HashMap::new();
            while !ended.load(std::sync::atomic::Ordering::SeqCst) {
                for pid in process_tree(pid) {
                    if let Some(kib) = high_water_mark(pid) {
                        peaks.insert(pid, kib);
                    }
                }
                std::thread::park_timeout(Duration::from_millis(50));
            }
            peaks
        });
        let waited = wait_with_peak(child).map(|w| (w, start.elapsed()));
        ended.store(true, std::sync::atomic::Ordering::SeqCst);
        poller.thread().unpark();
        (waited, poller.join().unwrap_or_default())
    });
    let ((success, largest), elapsed) = waited?;
    if !success {
        return Err(std::io::Error::other(format!("{cmd:?} failed")));
    }
    // The kernel's peak stands for the largest process the poll saw.
    let polled_largest = polled.values().copied().max().unwrap_or(0);
    let total = polled.values().sum::<u64>() - polled_largest + polled_largest.max(largest);
    Ok((elapsed, (total > 0).then_some(total)))
}

/// Returns the stock typst CLI, when one is installed.
fn typst_cli() -> Option<PathBuf> {
    let ok = Command::new("typst")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("typst"))
}

/// A process's wall time and its peak RSS in KiB, when it could be read.
type Timed = (Duration, Option<u64>);

/// Cold runs of a build and, when given, of the typst CLI on the same view,
/// taken in turn so that both see the same machine: the median time of
/// each, and the highest peak RSS. One run alone varies by a fifth, and
/// three gave medians 5 % apart at 500 findings.
fn cold_pair(
    ours: &mut Command,
    mut theirs: Option<&mut Command>,
) -> std::io::Result<(Timed, Option<Timed>)> {
    const RUNS: usize = 5;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        a.push(timed_process(ours)?);
        if let Some(cmd) = theirs.as_mut() {
            b.push(timed_process(cmd)?);
        }
    }
    let median = |runs: &mut Vec<Timed>| {
        let peak = runs.iter().filter_map(|r| r.1).max();
        runs.sort_by_key(|r| r.0);
        (runs[runs.len() / 2].0, peak)
    };
    let theirs = (!b.is_empty()).then(|| median(&mut b));
    Ok((median(&mut a), theirs))
}

/// The typst CLI's `compile` or `watch` of a folder [`typst_command`]
/// prepared: its report.typ, with its fonts only, into its out.pdf.
fn typst_on(typst: &Path, verb: &str, work: &Path) -> Command {
    let mut command = Command::new(typst);
    command
        .arg(verb)
        .arg("--root")
        .arg(work)
        .arg("--font-path")
        .arg(work.join("fonts"))
        .arg("--ignore-system-fonts")
        .arg(work.join("report.typ"))
        .arg(work.join("out.pdf"));
    command
}

/// Prepares a folder for the stock typst CLI (templates, fonts, the view of
/// an audit) and returns the command that compiles it.
fn typst_command(typst: &Path, dir: &Path, work: &Path) -> std::io::Result<Command> {
    fs::create_dir_all(work.join("data"))?;
    fs::create_dir_all(work.join("fonts"))?;
    for (name, bytes) in templates::EMBEDDED {
        let path = work.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(path, bytes)?;
    }
    for (name, bytes) in render::font_files() {
        fs::write(work.join("fonts").join(name), bytes)?;
    }
    auditpress::output::write_files(work, &template_data(dir, work)?)?;
    let mut command = typst_on(typst, "compile", work);
    command
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    Ok(command)
}

/// What the templates read of an audit (`--emit template-data`), as paths
/// relative to a folder for the typst CLI and their bytes.
fn template_data(dir: &Path, scratch: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let options = Options {
        emit: Emit::TemplateData,
        ..Options::default()
    };
    match compile_with(dir, &scratch.join("unused.pdf"), &options)?.dump {
        Some(Dump::Files(files)) => Ok(files),
        _ => Err(std::io::Error::other(format!(
            "{} gave no template data",
            dir.display()
        ))),
    }
}

/// Runs commands, `jobs` at a time, and returns the wall time of all of them.
fn run_parallel(commands: Vec<Command>, jobs: usize) -> std::io::Result<Duration> {
    let start = Instant::now();
    let mut running: Vec<std::process::Child> = Vec::new();
    for mut command in commands {
        while running.len() >= jobs {
            let mut done = None;
            for (i, child) in running.iter_mut().enumerate() {
                if child.try_wait()?.is_some() {
                    done = Some(i);
                    break;
                }
            }
            match done {
                Some(i) => {
                    // Already ended: wait() only collects its status.
                    running.swap_remove(i).wait()?;
                }
                None => std::thread::sleep(Duration::from_millis(2)),
            }
        }
        running.push(command.spawn()?);
    }
    for mut child in running {
        child.wait()?;
    }
    Ok(start.elapsed())
}

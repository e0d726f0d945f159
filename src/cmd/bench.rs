//! `auditpress bench`: measures build times and memory on synthetic audits.
//!
//! Generates audits of several sizes with realistic text and code blocks, then
//! measures, in one run so that figures compare as ratios: a whole-process cold
//! build and its peak memory, an in-process compile with warm caches, a batch of
//! 50 audits with one job and with all cores, one-finding edits in watch mode,
//! and, when the stock `typst` CLI is installed, typst compiling the same view
//! with the same templates.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::default_jobs;
use super::procfs::{high_water_mark, process_tree, status_field};
use crate::naming::OutputClaims;
use crate::pipeline::{self, Emit, Job, Options, Outcome};
use crate::render::{self, templates};

/// Audits in the batch measurement.
const BATCH_AUDITS: usize = 50;

/// Findings per audit of the batch measurement.
const BATCH_FINDINGS: usize = 10;

/// Runs the benchmark and prints its table.
pub fn run(sizes: &[usize]) -> Outcome {
    match measure(sizes) {
        Ok(table) => {
            print!("{table}");
            Outcome::Ok
        }
        Err(e) => {
            crate::diag::report_error(
                crate::diag::Format::Human,
                format!("benchmark failed ({e})"),
                None,
            );
            Outcome::Io
        }
    }
}

/// One size's figures.
struct Row {
    findings: usize,
    pages: usize,
    cold: Duration,
    peak_kib: Option<u64>,
    cold_in_process: Duration,
    warm: Duration,
    typst: Option<Duration>,
}

fn measure(sizes: &[usize]) -> std::io::Result<String> {
    let exe = std::env::current_exe()?;
    let tmp = tempfile::tempdir()?;
    let typst = typst_cli();
    let mut rows = Vec::new();
    for &n in sizes {
        let dir = tmp.path().join(format!("audit-{n}"));
        synthesize(&dir, n)?;
        let pdf = tmp.path().join(format!("audit-{n}.pdf"));
        let (cold, peak_kib) = timed_process(
            Command::new(&exe)
                .arg("build")
                .arg(&dir)
                .arg("-o")
                .arg(&pdf),
        )?;
        render::forget_caches();
        let start = Instant::now();
        compile(&dir, &tmp.path().join(format!("first-{n}.pdf")))?;
        let cold_in_process = start.elapsed();
        let mut warm = Vec::new();
        let mut pages = 0;
        for _ in 0..4 {
            let start = Instant::now();
            pages = compile(&dir, &tmp.path().join(format!("warm-{n}.pdf")))?;
            warm.push(start.elapsed());
        }
        warm.sort();
        let typst = match &typst {
            Some(cmd) => Some(typst_compile(
                cmd,
                &dir,
                &tmp.path().join(format!("typst-{n}")),
            )?),
            None => None,
        };
        rows.push(Row {
            findings: n,
            pages,
            cold,
            peak_kib,
            cold_in_process,
            warm: warm[warm.len() / 2],
            typst,
        });
    }

    let mut out = String::new();
    let cores = default_jobs();
    let profile = if cfg!(debug_assertions) {
        "dev profile, dependencies optimised"
    } else {
        "release profile"
    };
    writeln!(out, "auditpress bench: {cores} cores, {profile}").ok();
    writeln!(out).ok();
    writeln!(
        out,
        "{:>8}  {:>5}  {:>12}  {:>9}  {:>15}  {:>10}  {:>16}",
        "findings",
        "pages",
        "cold process",
        "peak RSS",
        "warm in-process",
        "typst CLI",
        "auditpress/typst"
    )
    .ok();
    for r in &rows {
        let peak = r
            .peak_kib
            .map_or("-".into(), |k| format!("{} MiB", k / 1024));
        let (typst, ratio) = match r.typst {
            Some(t) => (
                secs(t),
                format!("{:.2}x", r.cold.as_secs_f64() / t.as_secs_f64()),
            ),
            None => ("-".into(), "-".into()),
        };
        writeln!(
            out,
            "{:>8}  {:>5}  {:>12}  {:>9}  {:>15}  {:>10}  {:>16}",
            r.findings,
            r.pages,
            secs(r.cold),
            peak,
            secs(r.warm),
            typst,
            ratio
        )
        .ok();
    }
    if typst.is_none() {
        writeln!(
            out,
            "(typst CLI not found on PATH: no auditpress/typst ratio)"
        )
        .ok();
    }

    let batch: Vec<PathBuf> = (0..BATCH_AUDITS)
        .map(|i| tmp.path().join(format!("batch-{i}")))
        .collect();
    for dir in &batch {
        synthesize(dir, BATCH_FINDINGS)?;
    }
    let batch_run = |jobs: usize| {
        timed_process(
            Command::new(&exe)
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
    if let Some(cmd) = &typst {
        let commands = batch
            .iter()
            .enumerate()
            .map(|(i, dir)| typst_command(cmd, dir, &tmp.path().join(format!("typst-batch-{i}"))))
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
    // The reports above differ in their titles only, as the variants of one
    // report do. The audits of different clients differ in their findings:
    // the same measure on such a batch.
    let distinct: Vec<PathBuf> = (0..BATCH_AUDITS)
        .map(|i| tmp.path().join(format!("distinct-{i}")))
        .collect();
    for (i, dir) in distinct.iter().enumerate() {
        synthesize_seeded(dir, BATCH_FINDINGS, i + 1)?;
    }
    let (apart, _) = timed_process(
        Command::new(&exe)
            .arg("build")
            .args(&distinct)
            .arg("--jobs")
            .arg(cores.to_string()),
    )?;
    let stock = match &typst {
        Some(cmd) => {
            let commands = distinct
                .iter()
                .enumerate()
                .map(|(i, dir)| {
                    typst_command(cmd, dir, &tmp.path().join(format!("typst-distinct-{i}")))
                })
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
    writeln!(
        out,
        "{BATCH_AUDITS} audits whose findings differ ({BATCH_FINDINGS} findings each): --jobs {cores} {}{stock}",
        secs(apart)
    )
    .ok();
    let samples = batch_memory(&exe, &tmp.path().join("memory"), cores)?;
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

    if let Some(n) = rows
        .iter()
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
    writeln!(
        out,
        "spelling and grammar in check (median of 3 processes each): check, check --no-spell, and what spelling adds; build never spells, so its figures above do not change"
    )
    .ok();
    for r in rows.iter().filter(|r| r.findings <= 200) {
        out.push_str(&spelling(
            &exe,
            &tmp.path().join(format!("audit-{}", r.findings)),
            r.findings,
        )?);
    }

    writeln!(out).ok();
    writeln!(
        out,
        "auditpress lsp: a keystroke (didChange of one finding) to the diagnostics published for it, over {LSP_EDITS} edits (load and checks only, no typesetting; 15 ms of it is the debounce)"
    )
    .ok();
    for r in rows.iter().filter(|r| r.findings <= 200) {
        let dir = tmp.path().join(format!("audit-{}", r.findings));
        let m = super::lsp::bench::measure(&exe, &dir, LSP_EDITS, &[], resident)?;
        let at = |q: f64| m.times[((m.times.len() - 1) as f64 * q) as usize];
        writeln!(
            out,
            "{:>8} findings  median {}  90th percentile {}  slowest {}",
            r.findings,
            secs(at(0.5)),
            secs(at(0.9)),
            secs(at(1.0))
        )
        .ok();
    }
    if let Some(small) = rows.iter().map(|r| r.findings).min() {
        let m = super::lsp::bench::measure(
            &exe,
            &tmp.path().join(format!("audit-{small}")),
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

    writeln!(out).ok();
    writeln!(
        out,
        "one-finding edit in auditpress watch (median of 3 edits): from the write on disk to the new PDF, the rebuild alone, and a cold in-process compile with the rebuild's share of it"
    )
    .ok();
    writeln!(
        out,
        "{:>8}  {:>12}  {:>9}  {:>16}  where the rebuild's time went",
        "findings", "edit to PDF", "rebuild", "cold in-process"
    )
    .ok();
    for r in rows.iter().filter(|r| r.findings <= 200) {
        let edit = watch_rebuild(&exe, &tmp.path().join(format!("audit-{}", r.findings)))?;
        writeln!(
            out,
            "{:>8}  {:>12}  {:>9}  {:>16}  {}",
            r.findings,
            secs(edit.to_pdf),
            secs(edit.rebuild),
            format!(
                "{} ({:.2}x)",
                secs(r.cold_in_process),
                edit.rebuild.as_secs_f64() / r.cold_in_process.as_secs_f64()
            ),
            edit.split
        )
        .ok();
    }
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
    for r in rows.iter().filter(|r| r.findings <= 200) {
        let (preview, pdf, split) =
            serve_edit(&exe, &tmp.path().join(format!("audit-{}", r.findings)))?;
        writeln!(
            out,
            "{:>8}  {:>15}  {:>12}  {split}",
            r.findings,
            secs(preview),
            secs(pdf)
        )
        .ok();
    }
    if let Some(small) = rows.iter().map(|r| r.findings).min() {
        let samples = watch_memory(&exe, &tmp.path().join(format!("audit-{small}")), EDITS)?;
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

/// Writes a firm's house style folder: style.toml extending `standard` with
/// its own second axis label and texts, a fonts/ folder with a font and its
/// licence, and a template override that sets the text in that font.
fn write_house_style(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir.join("fonts"))?;
    fs::create_dir_all(dir.join("templates"))?;
    fs::write(
        dir.join("style.toml"),
        "name = \"Bench house style\"\nextends = \"standard\"\n\n[strings]\n\
         \"section.summary\" = \"Findings at a Glance\"\n\
         \"section.detailed-findings\" = \"The Findings\"\n\
         \"default.classification\" = \"RESTRICTED\"\n",
    )?;
    let (name, bytes) = crate::render::fonts::FILES[0];
    fs::write(dir.join("fonts").join(format!("House-{name}")), bytes)?;
    fs::write(dir.join("fonts/OFL.txt"), "SIL Open Font License 1.1")?;
    fs::write(
        dir.join("templates/fonts.typ"),
        "#let fonts = (body: (\"Inter\",), mono: (\"JetBrains Mono\",))\n",
    )?;
    Ok(())
}

/// A house style folder the bench compares with building without one.
struct BenchStyle {
    /// Its row in the table, and the folder's name.
    name: &'static str,
    /// What it holds, for the table's title.
    what: &'static str,
    /// Writes the folder.
    write: fn(&Path) -> std::io::Result<()>,
}

/// A style folder with texts, a template override and a font.
const HOUSE_STYLE: BenchStyle = BenchStyle {
    name: "house style folder",
    what: "style.toml, a template override, a font in fonts/",
    write: write_house_style,
};

/// A style folder whose `[finding]` table shapes every finding.
const SHAPE_STYLE: BenchStyle = BenchStyle {
    name: "[finding] shape",
    what: "style.toml with [finding]: sections, groups, id headings, fix review in the finding and the appendix",
    write: write_shape_style,
};

/// Writes a style with its own finding shape (FORMAT 1.2) over `standard`'s
/// scales, so that the synthetic audit builds with it unchanged: the same
/// sections under the firm's titles, groups by severity, headings with the
/// ids, the fix review in each finding and in the appendix.
fn write_shape_style(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    fs::write(
        dir.join("style.toml"),
        "name = \"Bench finding shape\"\nextends = \"standard\"\n\n[finding]\n\
         heading = \"{id}: {title}\"\n\
         sections = [\n\
         { key = \"description\", title = \"Summary\", required = true },\n\
         { key = \"exploit_scenario\", title = \"Attack\" },\n\
         { key = \"recommendations\", title = \"Fix\" },\n\
         { key = \"references\", title = \"Links\" },\n]\n\
         summary = [\"id\", \"title\", \"type\", \"severity\", \"status\"]\n\
         groups = [\n\
         { title = \"High Risk\", severities = [\"High\"] },\n\
         { title = \"Medium Risk\", severities = [\"Medium\"] },\n\
         { title = \"Low Risk\", severities = [\"Low\"] },\n\
         { title = \"Other\", severities = [\"Informational\", \"Undetermined\"] },\n]\n\
         page_break = \"finding\"\n\
         fix_review = \"both\"\n",
    )
}

/// Cold builds of the example audits of the two example styles
/// (`init --style`), median of `STYLE_RUNS`.
fn example_styles(exe: &Path, tmp: &Path) -> std::io::Result<String> {
    let mut out = format!(
        "the example styles' audits (auditpress init --style NAME), cold process, median (and range) of {STYLE_RUNS} runs:\n"
    );
    for name in ["smart-contract", "pentest"] {
        let dir = tmp.join(format!("example-{name}"));
        let status = Command::new(exe)
            .args(["init", "--style", name])
            .arg(&dir)
            .stderr(std::process::Stdio::null())
            .status()?;
        if !status.success() {
            return Err(std::io::Error::other(format!("init --style {name} failed")));
        }
        let mut times = Vec::new();
        for _ in 0..STYLE_RUNS {
            let mut cmd = Command::new(exe);
            cmd.arg("build")
                .arg(&dir)
                .arg("-o")
                .arg(dir.with_extension("pdf"));
            times.push(timed_process(&mut cmd)?.0);
        }
        times.sort();
        let findings = fs::read_to_string(dir.join("findings.csv"))?
            .lines()
            .count()
            - 1;
        writeln!(
            out,
            "{:>22}  {} findings  {} ({}-{})",
            name,
            findings,
            secs(times[STYLE_RUNS / 2]),
            secs(times[0]),
            secs(times[STYLE_RUNS - 1])
        )
        .ok();
    }
    Ok(out)
}

/// Runs of each kind in the house style comparison.
const STYLE_RUNS: usize = 9;

/// A build with a house style folder against the same build without one:
/// cold processes and warm in-process compiles, interleaved, with the split.
fn house_style(exe: &Path, dir: &Path, n: usize, kind: &BenchStyle) -> std::io::Result<String> {
    let style = dir.with_file_name(kind.name.replace([' ', '[', ']'], "-"));
    (kind.write)(&style)?;
    let spec = style.display().to_string();
    let cold = |with: bool| -> std::io::Result<Duration> {
        let mut cmd = Command::new(exe);
        cmd.arg("build")
            .arg(dir)
            .arg("-o")
            .arg(dir.with_extension("style.pdf"));
        if with {
            cmd.arg("--style").arg(&spec);
        }
        Ok(timed_process(&mut cmd)?.0)
    };
    let warm_options = |with: bool| Options {
        cache_age: 10,
        style: with.then(|| spec.clone()),
        ..Options::default()
    };
    let mut times: [Vec<Duration>; 4] = Default::default();
    let mut splits: [Vec<pipeline::Timings>; 2] = Default::default();
    let out_pdf = dir.with_extension("warm-style.pdf");
    for with in [false, true] {
        compile_with(dir, &out_pdf, &warm_options(with))?;
    }
    for _ in 0..STYLE_RUNS {
        for (k, with) in [false, true].into_iter().enumerate() {
            times[k].push(cold(with)?);
        }
    }
    // The warm compiles apart from the processes, so that no process's
    // exit or page cache work lands in them.
    for _ in 0..STYLE_RUNS {
        for (k, with) in [false, true].into_iter().enumerate() {
            let start = Instant::now();
            let compiled = compile_with(dir, &out_pdf, &warm_options(with))?;
            times[2 + k].push(start.elapsed());
            splits[k].push(compiled.timings);
        }
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    // The spread of the runs, to judge a ratio against the noise.
    let spread = |v: &[Duration]| {
        let (lo, hi) = (v[0].as_secs_f64(), v[v.len() - 1].as_secs_f64());
        format!("{lo:.3}-{hi:.3} s")
    };
    let [c0, c1, w0, w1] = times.each_mut().map(median);
    let spreads: Vec<String> = times.iter().map(|v| spread(v)).collect();
    let split = |list: &[pipeline::Timings]| {
        let mut sorted = list.to_vec();
        sorted.sort_by_key(|t| t.load + t.view + t.typeset + t.pdf);
        sorted[sorted.len() / 2].describe()
    };
    Ok(format!(
        "{} ({}) against none, {n} findings, median (and range) of {STYLE_RUNS} interleaved runs:\n\
         {:>22}  {:>26}  {:>26}  where the warm compile's time went\n\
         {:>22}  {:>26}  {:>26}  {}\n\
         {:>22}  {:>26}  {:>26}  {}\n\
         {:>22}  {:>26}  {:>26}\n",
        kind.name,
        kind.what,
        "",
        "cold process",
        "warm in-process",
        "standard (no folder)",
        format!("{} ({})", secs(c0), spreads[0]),
        format!("{} ({})", secs(w0), spreads[2]),
        split(&splits[0]),
        kind.name,
        format!("{} ({})", secs(c1), spreads[1]),
        format!("{} ({})", secs(w1), spreads[3]),
        split(&splits[1]),
        "with / without",
        format!("{:.2}x", c1.as_secs_f64() / c0.as_secs_f64()),
        format!("{:.2}x", w1.as_secs_f64() / w0.as_secs_f64()),
    ))
}

/// Reports in the batch memory measurement.
const MEMORY_REPORTS: usize = 200;

/// Builds `MEMORY_REPORTS` audits whose findings differ in one run and
/// returns the resident memory (KiB) of the process and its workers after
/// a quarter, half, three quarters and nearly all of the reports were written.
fn batch_memory(exe: &Path, dir: &Path, jobs: usize) -> std::io::Result<Vec<(usize, u64)>> {
    let folders: Vec<PathBuf> = (0..MEMORY_REPORTS)
        .map(|i| dir.join(format!("audit-{i}")))
        .collect();
    for (i, folder) in folders.iter().enumerate() {
        synthesize_seeded(folder, BATCH_FINDINGS, i + 1)?;
    }
    let mut child = Command::new(exe)
        .arg("build")
        .args(&folders)
        .arg("--jobs")
        .arg(jobs.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let written = || {
        fs::read_dir(dir).map_or(0, |entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
                .count()
        })
    };
    let marks = [
        MEMORY_REPORTS / 4,
        MEMORY_REPORTS / 2,
        MEMORY_REPORTS * 3 / 4,
        // Not the last report: by then the workers are ending.
        MEMORY_REPORTS - jobs * 2,
    ];
    let mut samples = Vec::new();
    // The last reading while the workers were still running: at the very end
    // they are gone before the parent.
    let mut last = (0, 0);
    loop {
        let tree = process_tree(child.id());
        let kib: u64 = tree.iter().copied().filter_map(resident).sum();
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                return Err(std::io::Error::other("the memory batch failed"));
            }
            if samples.len() < marks.len() {
                samples.push(last);
            }
            return Ok(samples);
        }
        let done = written();
        if tree.len() > 1 {
            last = (done, kib);
            if marks.get(samples.len()).is_some_and(|m| done >= *m) {
                samples.push((done, kib));
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Edits in the watch memory measurement.
const EDITS: usize = 500;

/// Runs `auditpress watch`, edits one finding `edits` times, and returns the
/// resident memory (KiB) of watch and its worker after some of the edits.
fn watch_memory(exe: &Path, dir: &Path, edits: usize) -> std::io::Result<Vec<(usize, u64)>> {
    use std::io::BufRead;
    let mut child = Command::new(exe)
        .arg("watch")
        .arg(dir)
        .arg("-o")
        .arg(dir.with_extension("memory.pdf"))
        .args(["--diagnostic-format", "json"])
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("piped")).lines();
    let mut rebuilt = || -> std::io::Result<()> {
        for line in lines.by_ref() {
            if built(&line?).is_some_and(|b| b.ok) {
                return Ok(());
            }
        }
        Err(std::io::Error::other("watch stopped"))
    };
    rebuilt()?;
    let file = dir.join("findings/SYN-1.md");
    let text = fs::read_to_string(&file)?;
    let mut samples = Vec::new();
    for i in 1..=edits {
        fs::write(&file, format!("{text}\nEdit {i}.\n"))?;
        rebuilt()?;
        if [10, 100, edits / 2, edits].contains(&i) {
            let kib: u64 = process_tree(child.id())
                .into_iter()
                .filter_map(resident)
                .sum();
            samples.push((i, kib));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    fs::write(&file, text)?;
    Ok(samples)
}

/// Returns a process's resident memory in KiB.
/// A rebuild as watch and serve report it under `--diagnostic-format json`.
struct Built {
    ok: bool,
    took: Duration,
    /// Where the time went: `load 4 ms, view 2 ms, ...`.
    split: String,
}

/// Reads a `built` event line; `None` for any other line.
fn built(line: &str) -> Option<Built> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v["event"] != "built" {
        return None;
    }
    let t = &v["timings"];
    let part = |k: &str| format!("{k} {:.0} ms", t[k].as_f64().unwrap_or(0.0));
    let mut parts: Vec<String> = ["load", "view", "typeset", "pdf"]
        .iter()
        .map(|k| part(k))
        .collect();
    if t["preview"].as_f64().unwrap_or(0.0) > 0.0 {
        parts.push(part("preview"));
    }
    parts.extend(["evict", "write"].iter().map(|k| part(k)));
    Some(Built {
        ok: v["ok"].as_bool().unwrap_or(false),
        took: Duration::from_millis(v["ms"].as_u64().unwrap_or(0)),
        split: parts.join(", "),
    })
}

/// Edits of one finding the language server's latency is measured over.
const LSP_EDITS: usize = 30;

fn resident(pid: u32) -> Option<u64> {
    status_field(pid, "VmRSS:")
}

/// What one edit in watch mode cost.
struct Edit {
    /// From the write of the file to the "rebuilt" line: the watcher's wait included.
    to_pdf: Duration,
    /// The rebuild as watch reports it.
    rebuild: Duration,
    /// Where the rebuild's time went, as `watch --timings` says.
    split: String,
}

/// Runs `auditpress watch --timings`, edits one finding three times, and
/// returns the median edit.
fn watch_rebuild(exe: &Path, dir: &Path) -> std::io::Result<Edit> {
    use std::io::BufRead;
    let mut child = Command::new(exe)
        .arg("watch")
        .arg(dir)
        .arg("-o")
        .arg(dir.with_extension("watch.pdf"))
        .arg("--timings")
        .args(["--diagnostic-format", "json"])
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut lines = std::io::BufReader::new(child.stderr.take().expect("piped")).lines();
    let mut next_rebuild = || -> std::io::Result<(Duration, String)> {
        for line in lines.by_ref() {
            if let Some(b) = built(&line?).filter(|b| b.ok) {
                return Ok((b.took, b.split));
            }
        }
        Err(std::io::Error::other("watch stopped"))
    };
    next_rebuild()?;
    let file = dir.join("findings/SYN-1.md");
    let mut edits = Vec::new();
    for word in ["remote attacker", "local attacker", "network attacker"] {
        let text = fs::read_to_string(&file)?;
        let start = Instant::now();
        fs::write(&file, text.replacen("attacker", word, 1))?;
        let (rebuild, split) = next_rebuild()?;
        edits.push(Edit {
            to_pdf: start.elapsed(),
            rebuild,
            split,
        });
    }
    let _ = child.kill();
    let _ = child.wait();
    edits.sort_by_key(|e| e.to_pdf);
    Ok(edits.swap_remove(1))
}

/// Runs `auditpress serve` on a folder, follows its event stream as a browser
/// does, and edits one finding three times; returns the median times from the
/// write to the event whose pages changed, and to the new PDF.
fn serve_edit(exe: &Path, dir: &Path) -> std::io::Result<(Duration, Duration, String)> {
    use std::io::{BufRead, Write as _};
    use std::sync::mpsc;
    let mut child = Command::new(exe)
        .arg("serve")
        .arg(dir)
        .args([
            "--port",
            "0",
            "--timings",
            "--diagnostic-format",
            "json",
            "-o",
        ])
        .arg(dir.with_extension("serve.pdf"))
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let (lines_tx, lines) = mpsc::channel();
    let stderr = child.stderr.take().expect("piped");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if lines_tx.send((Instant::now(), line)).is_err() {
                return;
            }
        }
    });
    let wait = Duration::from_secs(120);
    let stopped = || std::io::Error::other("serve stopped");
    let mut port = None;
    while port.is_none() {
        let (_, line) = lines.recv_timeout(wait).map_err(|_| stopped())?;
        port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.trim_end_matches('/').split('/').next())
            .and_then(|p| p.parse::<u16>().ok());
    }
    let port = port.expect("a port");
    let next_build = || -> std::io::Result<(Instant, String)> {
        loop {
            let (at, line) = lines.recv_timeout(wait).map_err(|_| stopped())?;
            match built(&line) {
                Some(b) if b.ok => return Ok((at, b.split)),
                Some(_) => return Err(std::io::Error::other("the edited folder did not build")),
                None => {}
            }
        }
    };
    next_build()?;
    // The event stream, as the preview page reads it: one JSON state per event.
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )?;
    let (events_tx, events) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(json) = line.strip_prefix("data: ") {
                let pages = serde_json::from_str::<serde_json::Value>(json)
                    .map(|v| v["pages"].to_string())
                    .unwrap_or_default();
                if events_tx.send((Instant::now(), pages)).is_err() {
                    return;
                }
            }
        }
    });
    // The stream speaks only of changes: the first edit's first event is new.
    let mut shown = String::new();
    let file = dir.join("findings/SYN-1.md");
    let mut times = Vec::new();
    for word in ["remote attacker", "local attacker", "network attacker"] {
        let text = fs::read_to_string(&file)?;
        let start = Instant::now();
        fs::write(&file, text.replacen("attacker", word, 1))?;
        let preview = loop {
            let (at, pages) = events.recv_timeout(wait).map_err(|_| stopped())?;
            if pages != shown {
                shown = pages;
                break at - start;
            }
        };
        let (built, split) = next_build()?;
        // Let the build's own event pass before the next edit.
        while events.recv_timeout(Duration::from_millis(200)).is_ok() {}
        times.push((preview, built - start, split));
    }
    let _ = child.kill();
    let _ = child.wait();
    times.sort();
    Ok(times.swap_remove(1))
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Compiles a folder in this process, through the pipeline every command uses.
fn compile_with(
    dir: &Path,
    output: &Path,
    options: &Options,
) -> std::io::Result<pipeline::Compiled> {
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
    Ok(compile_with(dir, output, &options)?.pages.unwrap_or(0))
}

/// Runs a command, returning its wall time and the peak resident memory, in KiB,
/// of it and its worker processes together (Linux; sampled every 2 ms).
fn timed_process(cmd: &mut Command) -> std::io::Result<(Duration, Option<u64>)> {
    let start = Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let mut peaks: std::collections::HashMap<u32, u64> = std::collections::HashMap::new();
    loop {
        // VmHWM only grows, so the last reading of each process is its peak.
        for pid in process_tree(child.id()) {
            if let Some(kib) = high_water_mark(pid) {
                peaks.insert(pid, kib);
            }
        }
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                return Err(std::io::Error::other(format!("{cmd:?} failed")));
            }
            let total = peaks.values().sum::<u64>();
            return Ok((start.elapsed(), (total > 0).then_some(total)));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Returns the stock typst CLI, when one is installed.
fn typst_cli() -> Option<PathBuf> {
    let ok = Command::new("typst")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then(|| PathBuf::from("typst"))
}

/// Times the stock typst CLI compiling an audit's view with our templates and fonts.
fn typst_compile(typst: &Path, dir: &Path, work: &Path) -> std::io::Result<Duration> {
    let (time, _) = timed_process(&mut typst_command(typst, dir, work)?)?;
    Ok(time)
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
    let options = Options {
        emit: Some(Emit::ViewJson),
        ..Options::default()
    };
    let view = compile_with(dir, &work.join("unused.pdf"), &options)?.dump;
    fs::write(work.join("data/view.json"), view.unwrap_or_default())?;
    let mut command = Command::new(typst);
    command
        .arg("compile")
        .arg("--root")
        .arg(work)
        .arg("--font-path")
        .arg(work.join("fonts"))
        .arg("--ignore-system-fonts")
        .arg(work.join("report.typ"))
        .arg(work.join("out.pdf"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    Ok(command)
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

/// Sentences the synthetic findings are made of.
const PROSE: &[&str] = &[
    "The handler trusts a length field read from the network and allocates a buffer of that size before validating it.",
    "An attacker who controls the request can make the service read past the end of the buffer.",
    "The configuration loader accepts relative paths, which lets a tenant administrator point the agent at files outside its directory.",
    "Session tokens are compared with a function whose running time depends on the number of matching bytes.",
    "Errors from the storage layer are logged together with the value being written, which may be a secret.",
    "The retry loop has no upper bound, so a peer that always fails keeps a worker busy forever.",
];

const TITLES: &[&str] = &[
    "Unbounded allocation in the frame decoder",
    "Path traversal in manifest entries",
    "Non-constant-time token comparison",
    "Secrets written to logs on error",
    "Unbounded retries exhaust workers",
    "Missing authorization check on export",
];

const CODE: &str = "func decode(r io.Reader) ([]byte, error) {\n\tvar n uint32\n\tif err := binary.Read(r, binary.BigEndian, &n); err != nil {\n\t\treturn nil, err\n\t}\n\tbuf := make([]byte, n) // n comes from the peer\n\tif _, err := io.ReadFull(r, buf); err != nil {\n\t\treturn nil, fmt.Errorf(\"read frame: %w\", err)\n\t}\n\treturn buf, nil\n}";

/// Writes a synthetic audit folder with `n` findings.
pub fn synthesize(dir: &Path, n: usize) -> std::io::Result<()> {
    synthesize_seeded(dir, n, 0)
}

/// Writes a synthetic audit folder with `n` findings whose titles, ratings
/// and paragraphs are drawn with `seed`, so that folders of different seeds
/// differ in their findings, as the audits of different clients do.
fn synthesize_seeded(dir: &Path, n: usize, seed: usize) -> std::io::Result<()> {
    fs::create_dir_all(dir.join("findings"))?;
    // Distinct titles give distinct output names when many are built at once.
    let name = dir
        .file_name()
        .map_or("audit".into(), |n| n.to_string_lossy());
    fs::write(
        dir.join("audit.toml"),
        format!(
            "title = \"Synthetic {name}\"\ndate = 2025-01-31\nvendor = \"Bench Security\"\nid_prefix = \"SYN\"\n\
             goals = [\"Can an attacker read another tenant's data?\"]\n\
             [client]\norganization = \"Bench Client\"\nprepared_for = [\"A. Client\"]\nprepared_by = [\"B. Auditor\"]\n\
             [engagement]\nstart = 2025-01-06\nend = 2025-01-24\n\
             [[targets]]\nname = \"svc\"\nrepository = \"https://github.com/bench/svc\"\nversion = \"0123456789abcdef0123456789abcdef01234567\"\n"
        ),
    )?;
    let severities = ["High", "Medium", "Low", "Informational", "Undetermined"];
    let difficulties = ["High", "Medium", "Low", "Undetermined", "N/A"];
    let types = [
        "Data Validation",
        "Access Controls",
        "Cryptography",
        "Denial of Service",
        "Configuration",
    ];
    let mut csv = String::from("id,title,severity,difficulty,type,target\n");
    for i in 1..=n {
        let pick = |list: &[&'static str], salt: usize| list[(i * 7 + salt + seed) % list.len()];
        writeln!(
            csv,
            "SYN-{i},{} ({i}),{},{},{},svc/internal/pkg{}/file.go#{}–{}",
            pick(TITLES, 0),
            pick(&severities, 1),
            pick(&difficulties, 2),
            pick(&types, 3),
            i % 9,
            10 + i,
            20 + i
        )
        .ok();
        let para = |k: usize| {
            let mut text = (0..4)
                .map(|j| PROSE[(i + k + j * (1 + seed % 3) + seed) % PROSE.len()])
                .collect::<Vec<_>>()
                .join(" ");
            // Another client's code: its own names in every paragraph.
            if seed > 0 {
                text.push_str(&format!(
                    " The code in question is `client{seed}::module{i}::part{k}`, reviewed at revision r{}.",
                    seed * 1000 + i * 10 + k
                ));
            }
            text
        };
        let mut md = format!("## Description\n\n{}\n\n", para(0));
        if i % 2 == 1 {
            md.push_str(&format!(
                "```go {{start={} highlight=\"{}\"}}\n{CODE}\n```\n*Figure {i}.1: The decoder in `svc/internal/wire/frame.go#{}–{}`*\n\n",
                40 + i,
                45 + i,
                40 + i,
                50 + i
            ));
        }
        md.push_str(&format!(
            "## Exploit Scenario\n\nAn attacker sends a crafted request. {}\n\n## Recommendations\n\n**Short term,** {}\n\n**Long term,** {}\n",
            para(1),
            para(2),
            para(3)
        ));
        fs::write(dir.join(format!("findings/SYN-{i}.md")), md)?;
    }
    fs::write(dir.join("findings.csv"), csv)?;
    let mut maturity = String::from("category,rating,summary\n");
    let standard = crate::load::style::builtin("standard").expect("standard is built in");
    for (k, category) in standard.categories.names().iter().enumerate() {
        writeln!(
            maturity,
            "{category},Moderate,\"{}\"",
            PROSE[k % PROSE.len()]
        )
        .ok();
    }
    fs::write(dir.join("maturity.csv"), maturity)
}

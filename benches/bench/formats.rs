//! What the HTML page and the Word document add to a build (issue 39, done
//! when 6: at most 25 % more than the PDF alone at 50 findings): cold
//! processes of `build --format pdf` and `--format pdf,html,docx`, taken in
//! turn, and where the extra time goes, from warm compiles in this process.

#[allow(clippy::wildcard_imports)]
use super::*;

use auditpress::render::Deliverable;

/// Runs of each kind.
const FORMAT_RUNS: usize = 5;

/// Findings of the audit measured.
const FORMAT_FINDINGS: usize = 50;

/// The formats a build with every deliverable asks for.
const EVERY_FORMAT: &str = "pdf,html,docx";

/// The line of the formats' cost, with the split of the extra time, for
/// the synthetic audit of [`FORMAT_FINDINGS`] findings in `tmp`.
pub(super) fn formats(exe: &Path, tmp: &Path) -> std::io::Result<String> {
    let dir = tmp.join(format!("audit-{FORMAT_FINDINGS}"));
    if !dir.join("audit.toml").is_file() {
        synthesize(&dir, FORMAT_FINDINGS)?;
    }
    let out = tmp.join("formats");
    fs::create_dir_all(&out)?;
    let cold = |formats: &str| -> std::io::Result<(Duration, Duration)> {
        let mut cmd = Command::new(exe);
        cmd.arg("build")
            .arg(&dir)
            .arg("-o")
            .arg(out.join("report.pdf"))
            .args(["--format", formats]);
        cpu_timed(&mut cmd)
    };
    let (mut alone, mut every) = (Vec::new(), Vec::new());
    for _ in 0..FORMAT_RUNS {
        alone.push(cold("pdf")?);
        every.push(cold(EVERY_FORMAT)?);
    }
    let median = |v: &[(Duration, Duration)], f: fn(&(Duration, Duration)) -> Duration| {
        let mut v: Vec<Duration> = v.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    let (pdf, all) = (median(&alone, |t| t.0), median(&every, |t| t.0));
    let (pdf_cpu, all_cpu) = (median(&alone, |t| t.1), median(&every, |t| t.1));
    let size = |ext: &str| {
        fs::metadata(out.join("report").with_extension(ext)).map_or(0, |m| m.len() / 1024)
    };
    let split = split(&dir, &out)?;
    Ok(format!(
        "formats ({FORMAT_FINDINGS} findings, cold process, median of {FORMAT_RUNS} of each, taken in turn): \
         --format pdf {}, --format {EVERY_FORMAT} {}: {:.2}x (target at most 1.25x); \
         their CPU time (user and system): {} and {}: {:.2}x\n\
         {:>10}where the extra time goes (warm, in-process, median of {FORMAT_RUNS}): {split}; \
         the files: pdf {} KiB, html {} KiB, docx {} KiB\n",
        secs(pdf),
        secs(all),
        all.as_secs_f64() / pdf.as_secs_f64(),
        secs(pdf_cpu),
        secs(all_cpu),
        all_cpu.as_secs_f64() / pdf_cpu.as_secs_f64(),
        "",
        size("pdf"),
        size("html"),
        size("docx"),
    ))
}

/// Runs a command to its end: its wall time, and the CPU time (user and
/// system) of it and the children it waited for, from this process's
/// `cutime` and `cstime` in /proc/self/stat, in the kernel's ticks of
/// 10 ms. On a shared machine the CPU time varies less than the wall time.
fn cpu_timed(cmd: &mut Command) -> std::io::Result<(Duration, Duration)> {
    let before = children_cpu()?;
    let start = Instant::now();
    let status = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()?;
    let wall = start.elapsed();
    if !status.success() {
        return Err(std::io::Error::other(format!("{cmd:?} failed")));
    }
    Ok((wall, children_cpu()?.saturating_sub(before)))
}

/// The CPU time of this process's children that ended and were waited for.
fn children_cpu() -> std::io::Result<Duration> {
    let stat = fs::read_to_string("/proc/self/stat")?;
    // The fields after the command's name, which is in parentheses: cutime
    // and cstime are the 16th and 17th fields of the line, in ticks
    // (USER_HZ, 100 a second on Linux).
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(13)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    Ok(Duration::from_millis(ticks * 10))
}

/// Warm compiles with every format in this process: the median of each
/// format's export, and of the Word document's chart PNGs within it (the
/// charts rasterised as the Word document does, from the page's SVG).
fn split(dir: &Path, out: &Path) -> std::io::Result<String> {
    let options = Options {
        cache_age: 10,
        emit: Emit::Documents(vec![Deliverable::Pdf, Deliverable::Html, Deliverable::Docx]),
        ..Options::default()
    };
    let alone = Options {
        cache_age: 10,
        ..Options::default()
    };
    let pdf = out.join("warm.pdf");
    compile_with(dir, &pdf, &options)?;
    let (mut timings, mut alone_timings) = (Vec::new(), Vec::new());
    for _ in 0..FORMAT_RUNS {
        alone_timings.push(compile_with(dir, &out.join("alone.pdf"), &alone)?.timings);
        timings.push(compile_with(dir, &pdf, &options)?.timings);
    }
    let page = fs::read_to_string(pdf.with_extension("html"))?;
    let fonts: Vec<&[u8]> = render::font_files().iter().map(|(_, b)| *b).collect();
    let mut charts = Vec::new();
    for _ in 0..FORMAT_RUNS {
        let start = Instant::now();
        for svg in inline_svgs(&page) {
            auditpress::view::chart::png(svg, &fonts, 2.0).map_err(std::io::Error::other)?;
        }
        charts.push(start.elapsed());
    }
    let ms = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2].as_secs_f64() * 1000.0
    };
    let of = |f: fn(&pipeline::Timings) -> Duration| ms(timings.iter().map(f).collect());
    Ok(format!(
        "view {:.0} ms (one view for the three), pdf export {:.0} ms, html {:.0} ms, docx {:.0} ms \
         (of which the charts' PNGs, {} of them, {:.0} ms), writing the three files {:.0} ms (the PDF alone {:.0} ms)",
        of(|t| t.view),
        of(|t| t.pdf),
        of(|t| t.html),
        of(|t| t.docx),
        inline_svgs(&page).len(),
        ms(charts),
        of(|t| t.write),
        ms(alone_timings.iter().map(|t| t.write).collect()),
    ))
}

/// The charts' SVGs as the HTML page inlines them.
fn inline_svgs(page: &str) -> Vec<&str> {
    page.match_indices("<svg")
        .filter_map(|(at, _)| {
            let end = page[at..].find("</svg>")? + "</svg>".len();
            Some(&page[at..at + end])
        })
        .collect()
}

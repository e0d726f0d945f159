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
    let cold = |formats: &str| -> std::io::Result<Duration> {
        let mut cmd = Command::new(exe);
        cmd.arg("build")
            .arg(&dir)
            .arg("-o")
            .arg(out.join("report.pdf"))
            .args(["--format", formats]);
        Ok(timed_process(&mut cmd)?.0)
    };
    let (mut alone, mut every) = (Vec::new(), Vec::new());
    for _ in 0..FORMAT_RUNS {
        alone.push(cold("pdf")?);
        every.push(cold(EVERY_FORMAT)?);
    }
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (pdf, all) = (median(&mut alone), median(&mut every));
    let size = |ext: &str| {
        fs::metadata(out.join("report").with_extension(ext)).map_or(0, |m| m.len() / 1024)
    };
    let split = split(&dir, &out)?;
    Ok(format!(
        "formats ({FORMAT_FINDINGS} findings, cold process, median of {FORMAT_RUNS} of each, taken in turn): \
         --format pdf {}, --format {EVERY_FORMAT} {}: {:.2}x (target at most 1.25x)\n\
         {:>10}where the extra time goes (warm, in-process, median of {FORMAT_RUNS}): {split}; \
         the files: pdf {} KiB, html {} KiB, docx {} KiB\n",
        secs(pdf),
        secs(all),
        all.as_secs_f64() / pdf.as_secs_f64(),
        "",
        size("pdf"),
        size("html"),
        size("docx"),
    ))
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
    let pdf = out.join("warm.pdf");
    compile_with(dir, &pdf, &options)?;
    let mut timings = Vec::new();
    for _ in 0..FORMAT_RUNS {
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
        "view {:.0} ms (built once for all three), pdf export {:.0} ms, html {:.0} ms, docx {:.0} ms \
         (of which the {} chart PNGs {:.0} ms)",
        of(|t| t.view),
        of(|t| t.pdf),
        of(|t| t.html),
        of(|t| t.docx),
        inline_svgs(&page).len(),
        ms(charts),
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

//! The house-style measurements of the bench: a style folder and a `[finding]`
//! shape against none, and the example styles' audits.

#[allow(clippy::wildcard_imports)]
use super::*;

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
    let (name, bytes) = auditpress::render::fonts::FILES[0];
    fs::write(dir.join("fonts").join(format!("House-{name}")), bytes)?;
    fs::write(dir.join("fonts/OFL.txt"), "SIL Open Font License 1.1")?;
    fs::write(
        dir.join("templates/fonts.typ"),
        "#let fonts = (body: (\"Inter\",), mono: (\"JetBrains Mono\",))\n",
    )?;
    Ok(())
}

/// A house style folder the bench compares with building without one.
pub(super) struct BenchStyle {
    /// Its row in the table, and the folder's name.
    name: &'static str,
    /// What it holds, for the table's title.
    what: &'static str,
    /// Writes the folder.
    write: fn(&Path) -> std::io::Result<()>,
}

/// A style folder with texts, a template override and a font.
pub(super) const HOUSE_STYLE: BenchStyle = BenchStyle {
    name: "house style folder",
    what: "style.toml, a template override, a font in fonts/",
    write: write_house_style,
};

/// A style folder whose `[finding]` table shapes every finding.
pub(super) const SHAPE_STYLE: BenchStyle = BenchStyle {
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
pub(super) fn example_styles(exe: &Path, tmp: &Path) -> std::io::Result<String> {
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
pub(super) fn house_style(
    exe: &Path,
    dir: &Path,
    n: usize,
    kind: &BenchStyle,
) -> std::io::Result<String> {
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

//! `--baseline EXE`: this build against another auditpress executable (an
//! earlier commit's), in the same run, taken in turn, on the same audits:
//! a cold build, `check` with and without spelling, and a one-finding edit
//! in watch (to the PDF) and in serve (to the preview).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::edits::{copy_tree, serve_edit, watch_rebuild};
use crate::synth::{grow_real, synthesize};
use crate::{REAL_FINDINGS, cold_pair, secs, timed_process};

/// One figure of both executables.
struct Figure {
    what: String,
    before: Duration,
    after: Duration,
}

/// The comparison table, as Markdown, for the sizes given and the real
/// audit grown to 300 findings.
pub(super) fn compare(exe: &Path, baseline: &Path, sizes: &[usize]) -> std::io::Result<String> {
    let tmp = tempfile::tempdir()?;
    let mut audits = Vec::new();
    for &n in sizes {
        let dir = tmp.path().join(format!("audit-{n}"));
        synthesize(&dir, n)?;
        audits.push((format!("{n} findings"), dir));
    }
    let real = tmp.path().join("real-300");
    if grow_real(&real, REAL_FINDINGS)? {
        audits.push((format!("{REAL_FINDINGS} real"), real));
    }
    let mut figures = Vec::new();
    for (label, dir) in &audits {
        figures.extend(one_audit(exe, baseline, label, dir, tmp.path())?);
    }
    let mut out = String::new();
    writeln!(
        out,
        "this build against {} (same run; cold build: median of 5 processes each, taken in turn; check: median of 3; edits: median of 3)",
        baseline.display()
    )
    .ok();
    writeln!(out).ok();
    writeln!(out, "| figure | before | after | after/before |").ok();
    writeln!(out, "|---|---|---|---|").ok();
    for f in &figures {
        writeln!(
            out,
            "| {} | {} | {} | {:.2}x |",
            f.what,
            secs(f.before),
            secs(f.after),
            f.after.as_secs_f64() / f.before.as_secs_f64()
        )
        .ok();
    }
    Ok(out)
}

/// The figures of one audit; each executable works on its own copy, so
/// that neither reads what the other wrote.
fn one_audit(
    exe: &Path,
    baseline: &Path,
    label: &str,
    dir: &Path,
    tmp: &Path,
) -> std::io::Result<Vec<Figure>> {
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    let name = name.unwrap_or_default();
    let theirs_dir = tmp.join(format!("{name}-baseline"));
    copy_tree(dir, &theirs_dir)?;
    let build = |exe: &Path, dir: &Path| {
        let mut cmd = Command::new(exe);
        cmd.arg("build")
            .arg(dir)
            .arg("-o")
            .arg(dir.with_extension("cold.pdf"));
        cmd
    };
    let ((after, _), before) = cold_pair(
        &mut build(exe, dir),
        Some(&mut build(baseline, &theirs_dir)),
    )?;
    let before = before.map_or(Duration::ZERO, |b| b.0);
    let mut figures = vec![Figure {
        what: format!("cold build, {label}"),
        before,
        after,
    }];
    for spell in [true, false] {
        let (before, after) = checks(baseline, &theirs_dir, exe, dir, spell)?;
        let flag = if spell { "" } else { " --no-spell" };
        figures.push(Figure {
            what: format!("`check{flag}`, {label}"),
            before,
            after,
        });
    }
    let before = watch_rebuild(baseline, &theirs_dir)?.to_pdf;
    let after = watch_rebuild(exe, dir)?.to_pdf;
    figures.push(Figure {
        what: format!("watch, edit to PDF, {label}"),
        before,
        after,
    });
    let before = serve_edit(baseline, &theirs_dir)?.0;
    let after = serve_edit(exe, dir)?.0;
    figures.push(Figure {
        what: format!("serve, edit to preview, {label}"),
        before,
        after,
    });
    Ok(figures)
}

/// `check` of both executables, three times each in turn: the medians.
fn checks(
    baseline: &Path,
    theirs: &Path,
    exe: &Path,
    ours: &Path,
    spell: bool,
) -> std::io::Result<(Duration, Duration)> {
    let check = |exe: &Path, dir: &Path| -> std::io::Result<Duration> {
        let mut cmd = Command::new(exe);
        cmd.arg("check").arg("-q").arg(dir);
        if !spell {
            cmd.arg("--no-spell");
        }
        Ok(timed_process(&mut cmd)?.0)
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        b.push(check(baseline, theirs)?);
        a.push(check(exe, ours)?);
    }
    a.sort();
    b.sort();
    Ok((b[1], a[1]))
}

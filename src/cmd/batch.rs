//! Batch files: many audit folders, and variants of one folder, built in one run.
//!
//! ```toml
//! output = "out/{project}-{version}-{classification}.pdf"   # default for every report
//!
//! [[report]]
//! folder = "audits/lumen"
//!
//! [[report]]
//! folder = "audits/lumen"
//! classification = "CONFIDENTIAL"
//! draft = true
//! ```
//!
//! Paths are relative to the batch file. A variant overrides `draft`,
//! `classification`, `version`, `subtitle` or `style` (a built-in house style
//! or a style folder) of the folder's audit.toml.
//!
//! `--shard K/N` builds every N-th report starting with the K-th, so that N
//! machines together build each report exactly once; `--summary FILE` writes
//! one JSON record per report built.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::pool;
use super::{Config, Shard, fail};
use crate::diag::{self, Diagnostics, FileRef, Place, Sources};
use crate::naming::{Destination, PLACEHOLDERS, check_template};
use crate::output::write_atomic;
use crate::pipeline::{Built, Job, Outcome, Overrides};
use crate::run::json::Summary;

/// Builds the reports of a batch file (or of one shard of it).
pub fn run(file: &Path, config: &Config, shard: Option<Shard>, summary: Option<&Path>) -> Outcome {
    let jobs = match read(file, config.format) {
        Ok(jobs) => jobs,
        Err(outcome) => return outcome,
    };
    let jobs: Vec<Job> = match shard {
        Some(s) => jobs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % s.count == s.index - 1)
            .map(|(_, job)| job)
            .collect(),
        None => jobs,
    };
    let reports = pool::run_jobs(&jobs, config);
    let mut outcome = pool::worst(&reports);
    if outcome == Outcome::Ok {
        outcome = super::sign::finish(config, &jobs, &reports, false);
    }
    if let Some(path) = summary {
        let text = summary_json(&jobs, &reports, shard);
        if let Err(e) = write_atomic(path, text.as_bytes()) {
            outcome = outcome.max(fail(config, Outcome::Retry, e.to_string(), None));
        }
    }
    outcome
}

/// Writes the summary file: one record per report, in batch-file order.
fn summary_json(jobs: &[Job], reports: &[Built], shard: Option<Shard>) -> String {
    let shard = shard.map(|s| format!("{}/{}", s.index, s.count));
    Summary::new(jobs, reports, shard).text()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchFile {
    output: Option<Spanned<String>>,
    #[serde(default)]
    report: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    folder: String,
    name: Option<String>,
    output: Option<Spanned<String>>,
    draft: Option<bool>,
    classification: Option<String>,
    version: Option<String>,
    subtitle: Option<String>,
    style: Option<String>,
}

/// Every output name template must use known placeholders only.
fn check_templates(batch: &BatchFile, id: FileRef, diags: &mut Diagnostics) {
    for template in batch
        .report
        .iter()
        .filter_map(|r| r.output.as_ref())
        .chain(&batch.output)
    {
        if let Err(unknown) = check_template(template.get_ref()) {
            diags
                .error(
                    Some(Place::new(id, template.span())),
                    format!("unknown placeholder {{{unknown}}} in output name"),
                )
                .add_hint(format!(
                    "known placeholders: {}",
                    PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
        }
    }
}

/// The jobs of a batch file, in its order: each entry's folder, variant,
/// output and name (the folder, numbered when it has several reports).
fn jobs(batch: BatchFile, base: &Path) -> Vec<Job> {
    let default = batch.output.map(Spanned::into_inner);
    let total = |folder: &str| batch.report.iter().filter(|r| r.folder == folder).count();
    let counts: Vec<usize> = batch.report.iter().map(|r| total(&r.folder)).collect();
    batch
        .report
        .into_iter()
        .zip(counts)
        .enumerate()
        .map(|(i, (r, same_folder))| {
            let template = r
                .output
                .map(Spanned::into_inner)
                .or_else(|| default.clone());
            let name = r.name.clone().unwrap_or_else(|| {
                if same_folder > 1 {
                    format!("{} (report {})", r.folder, i + 1)
                } else {
                    r.folder.clone()
                }
            });
            Job {
                dir: base.join(&r.folder),
                overrides: Overrides {
                    draft: r.draft,
                    classification: r.classification,
                    version: r.version,
                    subtitle: r.subtitle,
                    // A built-in name, or a folder relative to the batch file.
                    style: r.style.map(|s| {
                        if crate::load::style::builtin(&s).is_some() {
                            s
                        } else {
                            base.join(s).display().to_string()
                        }
                    }),
                },
                destination: template.map_or(Destination::InFolder, |t| {
                    Destination::Template(base.join(t).display().to_string())
                }),
                name,
            }
        })
        .collect()
}

/// Reads a batch file into jobs, printing its problems.
fn read(file: &Path, format: diag::Format) -> Result<Vec<Job>, Outcome> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        diag::report_error(
            format,
            format!("cannot read batch file {} ({e})", file.display()),
            Some("check the path of the batch file".into()),
        );
        Outcome::Io
    })?;
    let mut sources = Sources::default();
    let id = sources.add(file.display().to_string(), text.clone());
    let mut diags = Diagnostics::default();
    let base = file.parent().unwrap_or(Path::new("."));
    let parsed: Result<BatchFile, _> = toml::from_str(&text);
    let jobs = match parsed {
        Err(e) => {
            diags
                .error(
                    Some(Place::new(id, e.span().unwrap_or(0..0))),
                    format!(
                        "invalid batch file ({})",
                        e.message().lines().next().unwrap_or("")
                    ),
                )
                .add_hint("see `auditpress batch --help` for the layout of a batch file");
            Vec::new()
        }
        Ok(batch) => {
            if batch.report.is_empty() {
                diags
                    .error(Some(Place::new(id, 0..0)), "batch file lists no reports")
                    .add_hint("add a [[report]] table with a `folder` key");
            }
            check_templates(&batch, id, &mut diags);
            jobs(batch, base)
        }
    };
    if diags.has_errors() {
        diag::emit_stderr(format, &sources, &diags);
        return Err(Outcome::Errors);
    }
    Ok(jobs)
}

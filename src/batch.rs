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
//! `classification`, `version` or `subtitle` of the folder's audit.toml.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{self, Diagnostics, Place, Sources};
use crate::driver::{Destination, Job, Outcome, Overrides, slug};
use crate::model::Audit;

/// Placeholders an output name template may use.
const PLACEHOLDERS: &[&str] = &[
    "project",
    "title",
    "subtitle",
    "version",
    "classification",
    "date",
    "folder",
];

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
}

/// Reads a batch file into jobs, printing its problems.
pub fn read(file: &Path) -> Result<Vec<Job>, Outcome> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        eprintln!("error: cannot read batch file {} ({e})", file.display());
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
                        },
                        destination: template.map_or(Destination::Beside, |t| {
                            Destination::Template(base.join(t).display().to_string())
                        }),
                        name,
                    }
                })
                .collect()
        }
    };
    if diags.has_errors() {
        diag::emit_stderr(&sources, &diags);
        return Err(Outcome::Errors);
    }
    Ok(jobs)
}

/// Checks an output name template; returns the first unknown placeholder.
fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(after.to_string());
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            return Err(name.to_string());
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// Fills an output name template from a loaded (and overridden) audit.
pub fn expand(template: &str, dir: &Path, audit: &Audit) -> String {
    let meta = &audit.meta;
    let folder = std::fs::canonicalize(dir)
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let values = [
        ("project", slug(&meta.title)),
        ("title", slug(&meta.title)),
        ("subtitle", slug(&meta.subtitle)),
        ("version", slug(&meta.version)),
        ("classification", slug(&meta.classification)),
        ("date", meta.date.to_string()),
        ("folder", slug(&folder)),
    ];
    values.iter().fold(template.to_string(), |acc, (k, v)| {
        acc.replace(&format!("{{{k}}}"), v)
    })
}

#[cfg(test)]
mod tests {
    use super::check_template;

    #[test]
    fn output_templates_name_known_placeholders_only() {
        assert!(check_template("out/{project}-{version}-{classification}.pdf").is_ok());
        assert_eq!(
            check_template("{project}-{clasification}.pdf"),
            Err("clasification".into())
        );
    }
}

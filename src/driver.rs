//! The driver: runs the pipeline for each audit folder of a command and decides the exit code.
//!
//! Each folder is built on its own: a failing one is reported under its name
//! and the others still build; the exit code is decided once, at the end.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{Config, DiffFormat, Emit, Request};
use crate::diag::{self, Diagnostics, Sources};
use crate::load;
use crate::model::Audit;
use crate::output::write_atomic;
use crate::render::{self, RenderError, RenderOptions};
use crate::review;
use crate::view::View;

/// How a run ended, from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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

/// Runs a validated request and returns the process exit code.
pub fn run(request: &Request) -> u8 {
    match request {
        Request::Build(config) => build_all(config).code(),
        Request::Diff { old, new, format } => diff(old, new, *format),
    }
}

/// Builds (or checks) every folder of a config.
pub fn build_all(config: &Config) -> Outcome {
    config
        .dirs
        .iter()
        .map(|dir| {
            let outcome = build(dir, config);
            if config.dirs.len() > 1 && outcome != Outcome::Ok {
                eprintln!("error: {} failed", dir.display());
            }
            outcome
        })
        .max()
        .unwrap_or(Outcome::Ok)
}

/// Loads a folder, printing its diagnostics; `Err` says how the run ends when it fails.
fn load_folder(dir: &Path) -> Result<(Audit, Sources, Diagnostics), Outcome> {
    let loaded = load::load(dir).map_err(|e| {
        eprintln!("error: {e}");
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
            diag::emit_stderr(&sources, &diagnostics);
            Err(Outcome::Errors)
        }
    }
}

/// Builds (or checks) one audit folder, printing its diagnostics.
fn build(dir: &Path, config: &Config) -> Outcome {
    let (audit, mut sources, mut diagnostics) = match load_folder(dir) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    let outcome = produce(dir, config, &audit, &mut sources, &mut diagnostics);
    diag::emit_stderr(&sources, &diagnostics);
    outcome
}

/// Returns the view of an audit, with the changes appendix when asked for.
fn view_of<'a>(audit: &'a Audit, config: &Config) -> Result<View<'a>, Outcome> {
    let view = View::new(audit);
    let Some(old_dir) = &config.changes_since else {
        return Ok(view);
    };
    let (old, sources, diagnostics) = load_folder(old_dir)?;
    diag::emit_stderr(&sources, &diagnostics);
    Ok(view.with_changes(&old.meta.version, &review::diff(&old, audit)))
}

/// Compares two versions of a folder: 0 when the same, 1 when they differ, 2 on failure.
fn diff(old: &Path, new: &Path, format: DiffFormat) -> u8 {
    let (Ok((a, ..)), Ok((b, ..))) = (load_folder(old), load_folder(new)) else {
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
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).is_err() {
        return 2;
    }
    u8::from(!changes.is_empty())
}

/// Produces what the config asks for from a loaded audit.
fn produce(
    dir: &Path,
    config: &Config,
    audit: &Audit,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
) -> Outcome {
    let result = match config.emit {
        None => {
            eprintln!("{}: ok ({} findings)", dir.display(), audit.findings.len());
            return Outcome::Ok;
        }
        Some(Emit::ModelJson) => dump(
            config,
            &serde_json::to_string_pretty(audit).expect("model serialises"),
        ),
        Some(Emit::ViewJson) => match view_of(audit, config) {
            Ok(view) => dump(config, &view.to_json()),
            Err(outcome) => return outcome,
        },
        Some(Emit::Pdf) => {
            let options = RenderOptions {
                templates: config
                    .templates
                    .clone()
                    .or_else(|| audit.meta.templates.as_ref().map(|t| dir.join(t))),
                source_date_epoch: config.source_date_epoch,
            };
            let view = match view_of(audit, config) {
                Ok(view) => view,
                Err(outcome) => return outcome,
            };
            match render::render(audit, view, &options, sources, diagnostics) {
                Ok(rendered) => {
                    let path = config
                        .output
                        .clone()
                        .unwrap_or_else(|| default_output(dir, audit));
                    write_atomic(&path, &rendered.pdf).map(|()| {
                        eprintln!("wrote {} ({} pages)", path.display(), rendered.pages);
                    })
                }
                Err(RenderError::Template) => return Outcome::Errors,
                Err(RenderError::Io(e)) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => Outcome::Ok,
        Err(e) => {
            eprintln!("error: {e}");
            Outcome::Io
        }
    }
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
fn slug(text: &str) -> String {
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

//! The driver: runs the pipeline for each audit folder of a command and decides the exit code.
//!
//! Each folder is built on its own: a failing one is reported under its name
//! and the others still build; the exit code is decided once, at the end.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{Config, Emit};
use crate::diag::{self, Diagnostics, Sources};
use crate::load;
use crate::model::Audit;
use crate::output::write_atomic;
use crate::render::{self, RenderError, RenderOptions};
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

/// Runs a validated command over all its folders.
pub fn run(config: &Config) -> Outcome {
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

/// Builds (or checks) one audit folder, printing its diagnostics.
fn build(dir: &Path, config: &Config) -> Outcome {
    let loaded = match load::load(dir) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return Outcome::Io;
        }
    };
    let load::Loaded {
        audit,
        mut sources,
        mut diagnostics,
    } = loaded;
    let Some(audit) = audit else {
        diag::emit_stderr(&sources, &diagnostics);
        return Outcome::Errors;
    };
    let outcome = produce(dir, config, &audit, &mut sources, &mut diagnostics);
    diag::emit_stderr(&sources, &diagnostics);
    outcome
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
        Some(Emit::ViewJson) => dump(config, &View::new(audit).to_json()),
        Some(Emit::Pdf) => {
            let options = RenderOptions {
                templates: config
                    .templates
                    .clone()
                    .or_else(|| audit.meta.templates.as_ref().map(|t| dir.join(t))),
                source_date_epoch: config.source_date_epoch,
            };
            match render::render(audit, View::new(audit), &options, sources, diagnostics) {
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

//! `auditpress export`: the findings of a folder for other tools.

use std::path::Path;

use super::{Config, fail, report};
use crate::export::{self, Format};
use crate::output::write_atomic;
use crate::pipeline::{self, Outcome};

/// Exports a folder's findings; refuses what `build` refuses, with the same diagnostics.
pub fn run(dir: &Path, format: Format, config: &Config) -> Outcome {
    let (audit, found) = pipeline::load(dir, config.options.style.as_deref());
    let outcome = found.outcome;
    let name = dir.display().to_string();
    report::print(&report::Found::of(&found, &name, "export"), config);
    let Some(audit) = audit else {
        return outcome.max(Outcome::Errors);
    };
    let text = export::export(&audit, format);
    let written = match &config.output {
        Some(path) => write_atomic(path, text.as_bytes()),
        None => super::print(text.as_bytes()),
    };
    match written {
        Ok(()) => Outcome::Ok,
        Err(e) => fail(config, Outcome::Io, e.to_string(), None),
    }
}

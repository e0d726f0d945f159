//! `auditpress export`: the findings of a folder for other tools.

use std::path::Path;

use codespan_reporting::term::termcolor::BufferWriter;

use super::{Config, fail, write_log};
use crate::export::{self, Format};
use crate::output::write_atomic;
use crate::pipeline::{self, Outcome};

/// Exports a folder's findings; refuses what `build` refuses, with the same diagnostics.
pub fn run(dir: &Path, format: Format, config: &Config) -> Outcome {
    let (audit, found) = pipeline::load(dir, config.options.style.as_deref());
    let outcome = found.outcome;
    let writer = BufferWriter::stderr(crate::diag::color_choice());
    let mut log = writer.buffer();
    write_log(&found, config, &mut log);
    let _ = writer.print(&log);
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

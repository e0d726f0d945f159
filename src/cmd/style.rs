//! `auditpress style show`: a house style as the compiler reads it.

use codespan_reporting::term::termcolor::BufferWriter;

use super::{Config, write_log};
use crate::load::style::show;
use crate::pipeline::{self, Outcome};

/// Prints a style (a built-in name or a style folder) as style.toml text:
/// every scale with its levels, and every string key with its text, what it
/// inherits from its base included.
pub fn run(spec: &str, config: &Config) -> Outcome {
    let (style, found) = pipeline::house_style(spec);
    let outcome = found.outcome;
    let writer = BufferWriter::stderr(crate::diag::color_choice());
    let mut log = writer.buffer();
    write_log(&found, config, &mut log);
    let _ = writer.print(&log);
    let Some(style) = style else {
        return outcome.max(Outcome::Errors);
    };
    match super::print(show(&style).as_bytes()) {
        Ok(()) => outcome,
        Err(_) => Outcome::Io,
    }
}

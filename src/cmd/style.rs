//! `auditpress style show`: a house style as the compiler reads it.

use super::{Config, report};
use crate::load::style::show;
use crate::pipeline::{self, Outcome};

/// Prints a style (a built-in name or a style folder) as style.toml text:
/// every scale with its levels, and every string key with its text, what it
/// inherits from its base included.
pub fn run(spec: &str, config: &Config) -> Outcome {
    let (style, found) = pipeline::house_style(spec);
    let outcome = found.outcome;
    report::print(&report::Found::of(&found, spec, "read the style"), config);
    let Some(style) = style else {
        return outcome.max(Outcome::Errors);
    };
    match super::print(show(&style).as_bytes()) {
        Ok(()) => outcome,
        Err(_) => Outcome::Io,
    }
}

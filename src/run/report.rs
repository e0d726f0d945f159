//! The one reporter of every command: what a step found (a build, a load, a
//! style, a library, an import) printed the same way everywhere. Notes
//! first (unless quiet or JSON), then the diagnostics in the order of their
//! places, errors only under `-q`, then, after more than one, a closing
//! count as cargo's ("could not build `x` due to 3 previous errors; 2
//! warnings emitted"), which JSON, a stream of diagnostics, leaves out.

use codespan_reporting::term::termcolor::{BufferWriter, WriteColor};

use super::Config;
use crate::diag::{self, Diagnostics, Level, Sources};
use crate::pipeline::Built;

/// What a step found, for the reporter.
pub struct Found<'a> {
    /// What it was done to, as the user named it (a folder, a style).
    pub name: &'a str,
    /// What could not be done when it failed: `build`, `check`, `load`.
    pub verb: &'a str,
    /// What was done, for people.
    pub notes: &'a [String],
    /// The texts the diagnostics point into.
    pub sources: &'a Sources,
    /// What was found.
    pub diagnostics: &'a Diagnostics,
}

impl<'a> Found<'a> {
    /// What a build (or a load, with `verb`) found.
    pub fn of(built: &'a Built, name: &'a str, verb: &'a str) -> Self {
        Self {
            name,
            verb,
            notes: &built.notes,
            sources: &built.sources,
            diagnostics: &built.diagnostics,
        }
    }

    /// Diagnostics of no file, from a step that read none.
    pub fn bare(name: &'a str, verb: &'a str, diagnostics: &'a Diagnostics) -> Self {
        static NONE: std::sync::LazyLock<Sources> = std::sync::LazyLock::new(Sources::default);
        Self {
            name,
            verb,
            notes: &[],
            sources: &NONE,
            diagnostics,
        }
    }
}

/// What a build of the config does, for the closing line.
pub fn verb(config: &Config) -> &'static str {
    if config.options.emit == crate::pipeline::Emit::Check {
        "check"
    } else {
        "build"
    }
}

/// Writes what a step found to a log, as the config asks.
pub fn write(found: &Found, config: &Config, log: &mut dyn WriteColor) {
    if config.chatty() {
        for note in found.notes {
            let _ = writeln!(log, "{note}");
        }
    }
    let mut shown = found.diagnostics.clone();
    if config.quiet {
        shown.retain(|d| d.level == Level::Error);
    }
    shown.sort_by_place();
    // One diagnostic is its own count: "one mistake, one error" holds to the
    // letter, and a script counting `error:` lines counts the mistakes.
    if config.format != diag::Format::Json
        && shown.iter().nth(1).is_some()
        && let Some(closing) = diag::closing(found.verb, found.name, &shown, !config.quiet)
    {
        shown.push(closing);
    }
    let _ = diag::emit(log, config.format, found.sources, &shown);
}

/// Prints what a step found on standard error, at once (with the
/// terminal's colours when it has them).
pub fn print(found: &Found, config: &Config) {
    print_with(found, config, &BufferWriter::stderr(diag::color_choice()));
}

/// Prints what a step found through a writer the caller shares between
/// threads, so that each report's lines stay together.
pub fn print_with(found: &Found, config: &Config, writer: &BufferWriter) {
    let mut log = writer.buffer();
    write(found, config, &mut log);
    if !log.is_empty() {
        let _ = writer.print(&log);
    }
}

/// Prints what a build found, at once: its notes and diagnostics as the
/// command's options ask, through the one reporter.
pub fn print_log(built: &Built, name: &str, config: &Config, writer: &BufferWriter) {
    let found = Found::of(built, name, verb(config));
    print_with(&found, config, writer);
}

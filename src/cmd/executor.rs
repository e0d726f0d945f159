//! Where one report is built: the one function that compiles a job in this
//! process, and the one that prints what a build found. A leaf of `cmd`: it
//! imports none of its siblings, so the pool and the worker both use it
//! without importing each other.

use codespan_reporting::term::termcolor::BufferWriter;

use super::Config;
use crate::naming::Claims;
use crate::pipeline::{self, Job};
use crate::render::preview::Preview;

pub use crate::pipeline::Built;

/// Stack of each build thread: typst's layout and PDF export recurse deeply.
pub const STACK_BYTES: usize = 256 * 1024 * 1024;

/// Compiles one job in this process; `early` gets the live preview's pages
/// before the PDF is exported.
pub fn run_here(
    job: &Job,
    config: &Config,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
) -> Built {
    pipeline::compile(job, &config.options, claims, early)
}

/// Compiles one job as [`run_here`] does, leaving the eviction of the
/// compiler's old cache entries to [`evict`], once the record is sent.
pub fn run_here_then_evict_later(
    job: &Job,
    config: &Config,
    claims: &dyn Claims,
    early: &mut dyn FnMut(&Preview),
) -> Built {
    pipeline::compile_then_evict_later(job, &config.options, claims, early)
}

/// Evicts the compiler's cache entries the last compiles did not use.
pub fn evict(config: &Config) {
    pipeline::evict(&config.options);
}

/// Prints what a build found, at once: its notes and diagnostics as the
/// command's options ask, through the one reporter.
pub fn print_log(built: &Built, name: &str, config: &Config, writer: &BufferWriter) {
    let found = super::report::Found::of(built, name, super::report::verb(config));
    super::report::print_with(&found, config, writer);
}

//! End-to-end tests: run the auditpress binary as a user does, and check what a
//! user would check: the text of the PDF, the messages and their places, the
//! exit code, the bytes of a rebuild. See tests/README.md.

// A test reads top to bottom as the user's session it plays; the 100-line
// limit on functions (clippy.toml) is for the product.
#![allow(clippy::too_many_lines)]

mod attacks;
mod batch;
mod build;
mod charts;
mod commands;
mod common;
mod conformance;
mod contract;
mod conventions;
mod cvss;
mod docx;
mod export;
mod firms;
mod firstday;
mod hostile;
mod html;
mod import;
mod incremental;
mod layers;
mod limits;
mod lsp;
mod newcomer;
mod plaintext;
// The benchmark's reader of /proc, shared with it rather than exported by the product.
#[allow(dead_code)]
#[path = "../../benches/bench/procfs.rs"]
mod procfs;
mod property;
mod report;
mod review;
mod scans;
mod schemas;
mod serve;
mod shape;
mod signing;
mod style;
mod typography;
mod writing;

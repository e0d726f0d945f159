//! auditpress compiles a folder of structured security-audit data into a finished
//! audit report PDF, through typst templates embedded in the binary.
//!
//! The pipeline, one typed function per arrow:
//!
//! ```text
//! audit folder -> load -> model -> view -> render -> output
//! ```
//!
//! - [`load`] reads the folder into a [`model::Audit`], collecting every problem
//!   as a [`diag::Diagnostic`] with its file, line and column.
//! - [`forge`] links paths and fix references into GitHub and GitLab.
//! - [`markdown`] turns the prose into a typed content tree; [`unicode`] makes
//!   invisible characters visible.
//! - [`review`] compares two versions of an audit.
//! - [`view`] computes the template contract: counts, tables, dates, letters.
//! - [`render`] typesets it with typst and exports PDF.
//! - [`output`] writes files atomically.
//! - [`driver`] drives the pipeline for the command line, in parallel;
//!   [`batch`] reads batch files, [`watch`] rebuilds on changes and
//!   [`bench`] measures; [`worker`] isolates each build in a child process.

pub mod batch;
pub mod bench;
pub mod cli;
pub mod diag;
pub mod driver;
pub mod forge;
pub mod load;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod review;
pub mod unicode;
pub mod view;
pub mod watch;
pub mod worker;

//! auditpress compiles a folder of structured security-audit data into a finished
//! audit report PDF, through typst templates embedded in the binary.
//!
//! The layers, each importing only the layers below it:
//!
//! ```text
//! cli        arguments -> a validated cmd::Request
//! cmd/       one file per subcommand, the live preview's server and the
//!            language server
//! run/       where reports are built: the pool, the executor, the worker
//!            processes, signals, and the one reporter (report.rs)
//! pipeline   compile(job, options): the one path from a folder to a report
//! import     draft findings from SARIF logs, GitHub issues, other libraries
//! load       audit folder (read with its house style) -> model + every problem
//!            with file:line:column; the built-in styles are styles/*.toml;
//!            peek and edit: the same readers for tools that read or edit
//!            one value of a folder without loading it
//! render     typeset (the typst World: fonts, templates, view) -> each deliverable (PDF), the preview
//! naming     where each PDF goes; output claims
//! output     atomic writes
//! view       the template contract: owned, serialisable, versioned
//! export     the findings as JSON, CSV, SARIF and Markdown for other tools
//! review     pure comparisons of two audits (diff, changes appendix)
//! spell      spelling and grammar of the prose, offline (check)
//! forge      permalinks into GitHub and GitLab
//! model      typed audit data, front matter and built-in keys (front.rs),
//!            house styles (scales, strings)
//! content    the tree that prose becomes
//! diag       diagnostics and their rendering (human, short, JSON)
//! unicode    invisible characters made visible
//! input      the one reader of every file: regular, bounded, inside its folder
//! sign       PAdES signatures of PDFs and signed manifests (parent process only)
//! ```
//!
//! - [`cli`] parses the command line; [`cmd`] runs each subcommand, on the
//!   machinery of [`run`].
//! - [`pipeline`] loads, views, renders and writes one report.
//! - [`load`] reads the folder into a [`model::Audit`], parsing prose into the
//!   [`content`] tree, and collects every problem as a [`diag::Diagnostic`].
//! - [`view`] computes the template contract; [`render`] typesets it.
//! - [`naming`] and [`output`] decide where files go and write them atomically.

pub mod cli;
pub mod cmd;
pub mod content;
pub mod diag;
pub mod export;
pub mod forge;
pub mod import;
pub mod input;
pub mod load;
pub mod model;
pub mod naming;
pub mod output;
pub mod pipeline;
pub mod render;
pub mod review;
pub mod run;
pub mod sign;
pub mod spell;
pub mod unicode;
pub mod view;

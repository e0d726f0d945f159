//! Commands: one file per subcommand. The machinery they build on (the
//! pool, the worker processes, signals, the reporter) is in [`crate::run`].
//!
//! The command line (the `cli` module) validates arguments into a [`Request`];
//! [`run`] dispatches it here. Commands hold no pipeline logic: every report
//! is compiled by [`crate::pipeline::compile`], and every message, from a data
//! error to "cannot write the output", is a diagnostic rendered by [`crate::diag`].

mod batch;
mod build;
mod diff;
mod export;
mod generate;
mod http;
mod import;
mod init;
mod library;
pub mod lsp;
mod review;
mod serve;
mod sign;
mod style;
mod watch;

use crate::run::{executor, pool, report, signals, worker};

use crate::diag;
use crate::pipeline::Outcome;
use std::path::PathBuf;

pub use crate::run::report::print_log;
pub use crate::run::{Config, DEFAULT_MEMORY_LIMIT_MIB, DEFAULT_TIMEOUT_SECS, default_jobs};
pub use diff::Format as DiffFormat;
pub use generate::Shell;
pub use import::Source as ImportSource;
pub use sign::{Signing, load_key};

/// Which part of a batch this run builds: shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1 to `count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

/// What to do, validated.
#[derive(Debug)]
pub enum Request {
    /// Build or check audit folders.
    Build(Config),
    /// Build the reports of a batch file.
    Batch {
        /// The batch file.
        file: PathBuf,
        /// How to build.
        config: Config,
        /// The part of the batch to build.
        shard: Option<Shard>,
        /// Where to write one JSON record per report.
        summary: Option<PathBuf>,
    },
    /// Rebuild one folder on every change.
    Watch {
        /// How to build; `dirs` holds the one folder.
        config: Config,
    },
    /// Rebuild one folder on every change and show it in the browser.
    Serve {
        /// How to build; `dirs` holds the one folder.
        config: Config,
        /// Address to listen on.
        host: String,
        /// Port to listen on; `None` for the default or the next free one.
        port: Option<u16>,
    },
    /// Serve builds to a parent auditpress process.
    Worker,
    /// Compare two versions of an audit folder.
    Diff {
        /// The earlier version.
        old: PathBuf,
        /// The later version.
        new: PathBuf,
        /// Output format.
        format: DiffFormat,
        /// How to report the folders' problems (format, quiet).
        config: Config,
    },
    /// Export a folder's findings.
    Export {
        /// The audit folder.
        dir: PathBuf,
        /// The format.
        format: crate::export::Format,
        /// How to report; `output` is the file to write (else standard output).
        config: Config,
    },
    /// Import draft findings into a folder.
    Import {
        /// What to import.
        from: ImportSource,
        /// The audit folder.
        into: PathBuf,
        /// How to report.
        config: Config,
    },
    /// Print a house style.
    StyleShow {
        /// A built-in style's name or a style folder.
        style: String,
        /// How to report (format, quiet).
        config: Config,
    },
    /// List the write-ups of a folder's library.
    LibraryList {
        /// The audit folder.
        dir: PathBuf,
        /// How to report.
        config: Config,
    },
    /// Import another tool's library.
    LibraryImport {
        /// The export file.
        file: PathBuf,
        /// Its format, when named.
        format: Option<crate::import::library::Format>,
        /// The audit folder.
        dir: PathBuf,
        /// The library folder written to, when named.
        to: Option<PathBuf>,
        /// How to report.
        config: Config,
    },
    /// Serve the Language Server Protocol on stdin and stdout.
    Lsp,
    /// Check a signed PDF or a manifest.
    Verify {
        /// The PDF or SHA256SUMS file.
        file: PathBuf,
        /// The certificate to trust, if any.
        trust: Option<PathBuf>,
        /// How to report errors.
        config: Config,
    },
    /// List the findings made from a write-up that changed since.
    LibraryDiff {
        /// The audit folder.
        dir: PathBuf,
        /// How to report.
        config: Config,
    },
    /// Print a write-up.
    LibraryShow {
        /// Its name.
        name: String,
        /// The audit folder.
        dir: PathBuf,
        /// How to report.
        config: Config,
    },
    /// Write a new finding.
    NewFinding {
        /// The write-up to start from.
        from: Option<String>,
        /// Placeholder values, `NAME=VALUE`.
        sets: Vec<String>,
        /// The audit folder.
        dir: PathBuf,
        /// How to report.
        config: Config,
    },
    /// Approve findings in their front matter.
    ReviewApprove {
        /// The findings' ids.
        ids: Vec<String>,
        /// The reviewer.
        by: String,
        /// The audit folder.
        dir: PathBuf,
        /// How to report.
        config: Config,
    },
    /// Write a new audit folder.
    Init {
        /// The folder.
        dir: PathBuf,
        /// Whether a folder that is not empty is accepted.
        force: bool,
        /// The example house style to start from, if any.
        style: Option<String>,
        /// How to report (format, quiet).
        config: Config,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: Shell,
        /// The command-line definition.
        command: Box<clap::Command>,
    },
    /// Write man pages.
    Man {
        /// Folder to write them to.
        dir: PathBuf,
        /// The command-line definition.
        command: Box<clap::Command>,
        /// How to report (format, quiet).
        config: Config,
    },
}

/// Runs a validated request and returns the process exit code.
pub fn run(request: Request) -> u8 {
    if matches!(
        request,
        Request::Build(_) | Request::Batch { .. } | Request::Watch { .. } | Request::Serve { .. }
    ) {
        signals::install();
    }
    let outcome = match request {
        Request::Build(config) => build::run(&config),
        Request::Batch {
            file,
            config,
            shard,
            summary,
        } => batch::run(&file, &config, shard, summary.as_deref()),
        Request::Diff {
            old,
            new,
            format,
            config,
        } => return diff::run(&old, &new, format, &config),
        Request::Watch { config } => watch::run(&config),
        Request::Serve { config, host, port } => serve::run(&config, &host, port),
        Request::Worker => worker::serve(),
        Request::LibraryList { dir, config } => library::list(&dir, &config),
        Request::LibraryImport {
            file,
            format,
            dir,
            to,
            config,
        } => library::import(&file, format, &dir, to.as_deref(), &config),
        Request::Lsp => lsp::run(),
        Request::Verify {
            file,
            trust,
            config,
        } => sign::run_verify(&file, trust.as_deref(), &config),
        Request::LibraryDiff { dir, config } => library::diff(&dir, &config),
        Request::LibraryShow { name, dir, config } => library::show(&dir, &name, &config),
        Request::NewFinding {
            from,
            sets,
            dir,
            config,
        } => library::new_finding(&dir, from.as_deref(), &sets, &config),
        Request::ReviewApprove {
            ids,
            by,
            dir,
            config,
        } => review::approve(&dir, &ids, &by, &config),
        Request::Init {
            dir,
            force,
            style,
            config,
        } => init::run(&dir, force, style.as_deref(), &config),
        Request::StyleShow { style, config } => style::run(&style, &config),
        Request::Import { from, into, config } => import::run(&from, &into, &config),
        Request::Export {
            dir,
            format,
            config,
        } => export::run(&dir, format, &config),
        Request::Completions { shell, command } => generate::completions(shell, *command),
        Request::Man {
            dir,
            command,
            config,
        } => generate::man(&dir, &command, &config),
    };
    signals::settle();
    outcome.code()
}

/// Reports an error of no file on standard error, in the config's format; returns the outcome.
/// Writes text to standard output. A reader that stopped reading (a closed
/// pipe, as with `| head`) is not a failure: the rest is not wanted.
fn print(text: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn fail(
    config: &Config,
    outcome: Outcome,
    message: impl Into<String>,
    hint: Option<String>,
) -> Outcome {
    diag::report_error(config.format, message, hint);
    outcome
}

//! Where the reports of a command are built: the pool of build threads, the
//! executor that builds each job in this process or in a worker process, the
//! worker processes and their protocol, the signals that end a run cleanly,
//! and the one reporter that prints what each step found.

pub mod executor;
pub mod json;
pub mod pool;
pub mod report;
pub mod signals;
pub mod worker;

use std::path::PathBuf;
use std::time::Duration;

use crate::diag;
use crate::pipeline::Options;

/// Default of `--timeout`, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 120;

/// Default of `--memory-limit`, in MiB: the address space a worker may use.
/// The largest synthetic report measured (500 findings, 535 pages) peaks at
/// about 1.4 GiB resident; the example at 0.5 GiB of address space.
pub const DEFAULT_MEMORY_LIMIT_MIB: u64 = 4096;

/// How the reports of a command are built: the pipeline's [`Options`],
/// which are all that a worker process is sent, and the settings that stay
/// in this process (limits, reporting, where outputs go). It is not
/// serialisable on purpose: a setting that must never reach the process
/// that reads the audit folder (a signing key) belongs here, outside `options`.
#[derive(Clone, Debug)]
pub struct Config {
    /// Audit folders, in the order given.
    pub dirs: Vec<PathBuf>,
    /// Explicit output file (one folder only).
    pub output: Option<PathBuf>,
    /// What the pipeline does for each report.
    pub options: Options,
    /// Reports built at once.
    pub jobs: usize,
    /// Whether each PDF is built in a worker process of its own.
    pub isolate: bool,
    /// Longest a report may take to build in a worker process.
    pub timeout: Duration,
    /// Most address space, in bytes, a worker process may use; `None` for no limit.
    pub memory_limit: Option<u64>,
    /// How diagnostics are written.
    pub format: diag::Format,
    /// Whether to print errors only.
    pub quiet: bool,
    /// Whether to open each PDF built in the system viewer.
    pub open: bool,
    /// Whether watch prints where each rebuild's time went.
    pub timings: bool,
    /// What to sign and list once the reports are written (`--sign`,
    /// `--manifest`): it stays in this process.
    pub signing: Option<std::sync::Arc<crate::sign::Signing>>,
}

impl Config {
    /// A config that builds PDFs with every default.
    pub fn pdf(dirs: Vec<PathBuf>, source_date_epoch: Option<i64>) -> Self {
        Self {
            dirs,
            output: None,
            options: Options {
                source_date_epoch,
                ..Options::default()
            },
            jobs: default_jobs(),
            isolate: true,
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            memory_limit: Some(DEFAULT_MEMORY_LIMIT_MIB * 1024 * 1024),
            format: diag::Format::Human,
            quiet: false,
            open: false,
            timings: false,
            signing: None,
        }
    }

    /// Tells whether builds run in worker processes: PDF builds, unless in watch mode.
    pub fn isolated(&self) -> bool {
        self.isolate && !self.options.emit.documents().is_empty()
    }

    /// Tells whether lines for people (progress, summaries, notes) are printed.
    pub fn chatty(&self) -> bool {
        !self.quiet && self.format != diag::Format::Json
    }
}

/// Returns the number of cores, the default number of reports built at once.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

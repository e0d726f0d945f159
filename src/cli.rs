//! Command-line arguments, validated into a [`Config`] before any work is done.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Compiles security-audit data folders into finished audit report PDFs.
#[derive(Debug, Parser)]
#[command(name = "auditpress", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Builds the report of each audit folder.
    Build(BuildArgs),
    /// Loads and validates audit folders without building, with the same diagnostics.
    Check {
        /// Audit folders to check.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
    },
    /// Builds the reports listed in a batch file: folders and variants of folders.
    ///
    /// A batch file is TOML: an optional `output` name template such as
    /// "out/{project}-{version}-{classification}.pdf" (placeholders: project, title,
    /// subtitle, version, classification, date, folder), then one [[report]] table
    /// per report with a `folder` and, for a variant, any of `draft`,
    /// `classification`, `version`, `subtitle`, `output` and `name`.
    /// Paths are relative to the batch file.
    Batch {
        /// The batch file.
        file: PathBuf,
        /// Reports built at once (default: the number of cores).
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Stops a report that takes longer than this many seconds to build.
        #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT_SECS)]
        timeout: u64,
    },
    /// Rebuilds the report whenever an input or template file changes.
    Watch {
        /// The audit folder.
        dir: PathBuf,
        /// Output file; default beside the folder.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Folder of template files that override the embedded ones.
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
    },
    /// Measures build times and memory on synthetic audits and prints a table.
    Bench {
        /// Numbers of findings of the synthetic audits.
        #[arg(long, value_delimiter = ',', default_value = "10,50,200,500")]
        sizes: Vec<usize>,
    },
    /// Builds reports sent on standard input; used by auditpress itself.
    #[command(hide = true)]
    Worker,
    /// Lists what changed between two versions of an audit folder (exit 0 same, 1 different).
    Diff {
        /// The earlier version of the folder.
        old: PathBuf,
        /// The later version of the folder.
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
    },
}

/// How `diff` prints the changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One sentence per change.
    Human,
    /// A JSON document for tools.
    Json,
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
    },
    /// Rebuild one folder on every change.
    Watch {
        /// How to build; `dirs` holds the one folder.
        config: Config,
    },
    /// Serve builds to a parent auditpress process.
    Worker,
    /// Run the benchmark.
    Bench {
        /// Numbers of findings of the synthetic audits.
        sizes: Vec<usize>,
    },
    /// Compare two versions of an audit folder.
    Diff {
        /// The earlier version.
        old: PathBuf,
        /// The later version.
        new: PathBuf,
        /// Output format.
        format: DiffFormat,
    },
}

/// Arguments of `build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Audit folders to build.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output file (one folder only); default: `<title>-<subtitle>-v<version>.pdf` beside the folder.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Folder of template files that override the embedded ones, file by file.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// What to produce: the PDF, or a dump of an intermediate stage (to stdout without -o).
    #[arg(long, value_enum, default_value_t = Emit::Pdf)]
    pub emit: Emit,
    /// Adds an appendix listing what changed since this earlier version of the folder.
    #[arg(long, value_name = "OLD_DIR")]
    pub changes_since: Option<PathBuf>,
    /// Reports built at once (default: the number of cores).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// PDF standard to conform to: a-2b, a-3b (attaches the findings as JSON
    /// and CSV), ua-1, or a PDF version such as 1.7; may be repeated.
    #[arg(long = "pdf-standard", value_name = "STANDARD")]
    pub pdf_standards: Vec<String>,
    /// Treats warnings as errors: nothing is written when there are any.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Stops a report that takes longer than this many seconds to build.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
}

/// What a build produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
pub enum Emit {
    /// The report PDF.
    Pdf,
    /// The template contract, as the templates read it.
    ViewJson,
    /// The loaded model.
    ModelJson,
}

/// A validated request.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Config {
    /// Audit folders, in the order given.
    pub dirs: Vec<PathBuf>,
    /// Explicit output file.
    pub output: Option<PathBuf>,
    /// Template override folder.
    pub templates: Option<PathBuf>,
    /// What to produce; `None` checks only.
    pub emit: Option<Emit>,
    /// SOURCE_DATE_EPOCH, when set.
    pub source_date_epoch: Option<i64>,
    /// Earlier version of the folder to list changes since.
    pub changes_since: Option<PathBuf>,
    /// Reports built at once.
    pub jobs: usize,
    /// PDF standards to conform to.
    pub standards: Vec<typst_pdf::PdfStandard>,
    /// Whether warnings fail the build.
    pub deny_warnings: bool,
    /// Compilations a cached compiler result survives unused (see `RenderOptions`).
    pub cache_age: usize,
    /// Whether each PDF is built in a worker process of its own.
    pub isolate: bool,
    /// Longest a report may take to build in a worker process.
    pub timeout: Duration,
}

/// Default of `--timeout`, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u64 = 120;

impl Config {
    /// A config that builds PDFs with every default.
    pub fn pdf(dirs: Vec<PathBuf>, source_date_epoch: Option<i64>) -> Self {
        Self {
            dirs,
            output: None,
            templates: None,
            emit: Some(Emit::Pdf),
            source_date_epoch,
            changes_since: None,
            jobs: default_jobs(),
            standards: Vec::new(),
            deny_warnings: false,
            cache_age: 1,
            isolate: true,
            timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
        }
    }

    /// Tells whether builds run in worker processes: PDF builds, unless in watch mode.
    pub fn isolated(&self) -> bool {
        self.isolate && self.emit == Some(Emit::Pdf)
    }
}

/// Rejects a time limit of zero.
fn timeout(secs: u64) -> Result<Duration, String> {
    if secs == 0 {
        return Err("--timeout must be at least 1 second".into());
    }
    Ok(Duration::from_secs(secs))
}

/// Parses and checks `--pdf-standard` values, as typst-cli names them.
fn standards(names: &[String]) -> Result<Vec<typst_pdf::PdfStandard>, String> {
    let list = names
        .iter()
        .map(|n| {
            serde_json::from_value(serde_json::Value::String(n.to_lowercase())).map_err(|_| {
                format!("unknown PDF standard \"{n}\" (known: 1.4 to 2.0, a-1b, a-2b, a-3b, a-4, ua-1, ...)")
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    typst_pdf::PdfStandards::new(&list).map_err(|e| {
        let hints: Vec<String> = e.hints().iter().map(|h| format!("\n  hint: {h}")).collect();
        format!("{}{}", e.message(), hints.concat())
    })?;
    Ok(list)
}

/// Returns the number of cores, the default number of reports built at once.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Rejects a job count of zero.
fn jobs(n: Option<usize>) -> Result<usize, String> {
    match n {
        Some(0) => Err("--jobs must be at least 1".into()),
        Some(n) => Ok(n),
        None => Ok(default_jobs()),
    }
}

impl Cli {
    /// Validates the arguments and the environment into a request.
    pub fn request(self) -> Result<Request, String> {
        let source_date_epoch = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.trim().is_empty() => Some(v.trim().parse::<i64>().map_err(|_| {
                format!("SOURCE_DATE_EPOCH=\"{v}\" is not a number of seconds since 1970")
            })?),
            _ => None,
        };
        if let Some(secs) = source_date_epoch
            && time::OffsetDateTime::from_unix_timestamp(secs).is_err()
        {
            return Err(format!("SOURCE_DATE_EPOCH={secs} is out of range"));
        }
        match self.command {
            Command::Diff { old, new, format } => Ok(Request::Diff { old, new, format }),
            Command::Bench { sizes } => Ok(Request::Bench { sizes }),
            Command::Worker => Ok(Request::Worker),
            Command::Batch {
                file,
                jobs: n,
                timeout: t,
            } => Ok(Request::Batch {
                file,
                config: Config {
                    jobs: jobs(n)?,
                    timeout: timeout(t)?,
                    ..Config::pdf(Vec::new(), source_date_epoch)
                },
            }),
            Command::Watch {
                dir,
                output,
                templates,
            } => Ok(Request::Watch {
                config: Config {
                    output,
                    templates,
                    // Keep what the last edits used, so the next edit re-lays out little.
                    cache_age: 10,
                    isolate: false,
                    ..Config::pdf(vec![dir], source_date_epoch)
                },
            }),
            Command::Check { dirs } => Ok(Request::Build(Config {
                emit: None,
                ..Config::pdf(dirs, source_date_epoch)
            })),
            Command::Build(args) => {
                if args.output.is_some() && args.dirs.len() > 1 {
                    return Err(
                        "-o/--output names one file; it cannot be used with several folders".into(),
                    );
                }
                if args.emit != Emit::Pdf && args.dirs.len() > 1 {
                    return Err("--emit dumps one folder; give one folder at a time".into());
                }
                Ok(Request::Build(Config {
                    dirs: args.dirs,
                    output: args.output,
                    templates: args.templates,
                    emit: Some(args.emit),
                    source_date_epoch,
                    changes_since: args.changes_since,
                    jobs: jobs(args.jobs)?,
                    standards: standards(&args.pdf_standards)?,
                    deny_warnings: args.deny_warnings,
                    cache_age: 1,
                    isolate: true,
                    timeout: timeout(args.timeout)?,
                }))
            }
        }
    }
}

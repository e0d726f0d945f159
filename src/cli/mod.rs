//! Command-line arguments, validated into a [`Request`] before any work is done.
//!
//! This is the top layer: it knows clap and the environment, and hands a
//! validated request to [`crate::cmd`]. Usage errors are reported like every
//! other error, as a diagnostic.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, Parser, Subcommand};

use crate::cmd::{
    self, Config, DEFAULT_MEMORY_LIMIT_MIB, DEFAULT_TIMEOUT_SECS, DiffFormat, Request, Shard, Shell,
};
use crate::diag;
use crate::pipeline::Emit;

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
        /// The house style.
        #[command(flatten)]
        style: StyleArgs,
        /// Audit folders to check.
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Refuses a report that is not final: names each finding not
        /// approved (FORMAT 1.2, "Review") and each placeholder left.
        #[arg(long = "final")]
        final_report: bool,
        /// Treats warnings (spelling and grammar among them) as errors, for CI:
        /// `--deny warnings`.
        #[arg(long, value_enum, value_name = "WHAT")]
        deny: Vec<Deny>,
        /// Same as `--deny warnings`.
        #[arg(long)]
        deny_warnings: bool,
        /// Leaves out the spelling and grammar check.
        #[arg(long)]
        no_spell: bool,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Builds the reports listed in a batch file: folders and variants of folders.
    ///
    /// A batch file is TOML: an optional `output` name template such as
    /// "out/{project}-{version}-{classification}.pdf" (placeholders: project, title,
    /// subtitle, version, classification, date, folder), then one [[report]] table
    /// per report with a `folder` and, for a variant, any of `draft`,
    /// `classification`, `version`, `subtitle`, `style`, `output` and `name`.
    /// Paths are relative to the batch file.
    Batch {
        /// The batch file.
        file: PathBuf,
        /// Reports built at once (default: the number of cores).
        #[arg(short, long)]
        jobs: Option<usize>,
        /// Limits of each build process.
        #[command(flatten)]
        limits: LimitArgs,
        /// Builds only shard K of N: every N-th report of the file, starting with the K-th.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Writes one JSON record per report built to this file.
        #[arg(long, value_name = "FILE.json")]
        summary: Option<PathBuf>,
        /// The house style.
        #[command(flatten)]
        style: StyleArgs,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Rebuilds the report whenever an input or template file changes.
    Watch(WatchArgs),
    /// Rebuilds on every change, as watch does, and shows the report live in
    /// the browser: the pages update in place, a broken edit shows its
    /// diagnostics over the last good pages.
    Serve {
        /// The options of watch.
        #[command(flatten)]
        watch: WatchArgs,
        /// Address to listen on; anything but loopback prints a warning.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// Port to listen on (default 3131, or the next free one; 0 for any free one).
        #[arg(long)]
        port: Option<u16>,
    },
    /// Lists what changed between two versions of an audit folder (exit 0 same, 1 different).
    Diff {
        /// The earlier version of the folder.
        old: PathBuf,
        /// The later version of the folder.
        new: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Exports the findings of an audit folder for other tools (JSON, CSV, SARIF, Markdown).
    Export {
        /// The audit folder.
        dir: PathBuf,
        /// The format: json (docs/export.md), csv, sarif (2.1.0, for code
        /// scanning) or markdown.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// File to write; default standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The house style.
        #[command(flatten)]
        style: StyleArgs,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Imports draft findings from scanner output or tracker issues.
    #[command(subcommand)]
    Import(ImportCommand),
    /// House styles: the scales and fixed texts of a firm's reports.
    #[command(subcommand)]
    Style(StyleCommand),
    /// Review states of findings (FORMAT 1.2, "Review").
    #[command(subcommand)]
    Review(ReviewCommand),
    /// A language server for the files of an audit folder, over stdin and
    /// stdout: diagnostics as you type (the same as `check`), completion from
    /// the house style, hover, go to definition, symbols and quick fixes.
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// The firm's write-up library (FORMAT 1.2, "Write-up library").
    #[command(subcommand)]
    Library(LibraryCommand),
    /// Writes a new finding, from a library write-up or empty.
    #[command(subcommand)]
    New(NewCommand),
    /// Writes a small, commented audit folder that builds at once.
    Init {
        /// The folder to write (created if missing; default the current folder).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Adds the files to a folder that is not empty (never overwrites a file).
        #[arg(long)]
        force: bool,
        /// Starts from an example house style, copied into the folder:
        /// smart-contract or pentest (FORMAT 1.2, "The finding's shape").
        #[arg(long, value_name = "NAME")]
        style: Option<String>,
    },
    /// Prints a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        shell: Shell,
    },
    /// Writes man pages, one per command, into a folder.
    Man {
        /// The folder to write them to.
        out_dir: PathBuf,
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
}

/// What `import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Writes a draft finding per rule with results in SARIF 2.1.0 files, and
    /// copies the files into scans/. Rules a finding already came from are skipped.
    Sarif {
        /// SARIF files, e.g. from `semgrep --sarif` or CodeQL.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The audit folder to write into.
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
        /// The least serious level imported.
        #[arg(long, value_enum, default_value_t = MinLevel::Warning)]
        min_level: MinLevel,
        /// The checkout the results point into, to read code figures from
        /// when the SARIF file holds no snippet.
        #[arg(long, value_name = "DIR")]
        source: Option<PathBuf>,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Writes a finding per issue of `gh issue list --json number,title,body,labels,state,url`.
    Github {
        /// The JSON file gh wrote.
        file: PathBuf,
        /// The audit folder to write into.
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
}

/// The values of `--min-level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MinLevel {
    /// Errors only.
    Error,
    /// Errors and warnings.
    Warning,
    /// Errors, warnings and notes.
    Note,
    /// Every result.
    None,
}

impl MinLevel {
    /// Returns the SARIF name of the level.
    fn name(self) -> &'static str {
        match self {
            MinLevel::Error => "error",
            MinLevel::Warning => "warning",
            MinLevel::Note => "note",
            MinLevel::None => "none",
        }
    }
}

/// The subcommands of `library`.
#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// Lists the write-ups: name, title, severity and placeholders, tab-separated.
    List {
        /// The audit folder whose library (audit.toml's `library`, else the
        /// house style's library/) is listed.
        #[arg(long = "in", value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Lists the findings made from a write-up that changed since, with a
    /// unified diff of the write-up's change.
    Diff {
        /// The audit folder.
        #[arg(long = "in", value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Imports another tool's library into write-ups of the house style:
    /// SysReptor finding templates (JSON) or PwnDoc vulnerabilities (JSON);
    /// says which fields had no place. Writes nothing when the file has an error.
    Import {
        /// The export file.
        file: PathBuf,
        /// Its format (default: told from the file).
        #[arg(long, value_enum)]
        format: Option<LibraryFormat>,
        /// The audit folder, whose house style shapes the write-ups.
        #[arg(long = "in", value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// The library folder written to (default: the folder's library).
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Prints a write-up as it is written.
    Show {
        /// The write-up's name (its file name without .md).
        name: String,
        /// The audit folder.
        #[arg(long = "in", value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
}

/// The subcommands of `new`.
#[derive(Debug, Subcommand)]
pub enum NewCommand {
    /// Writes findings/<ID>.md with the next free id, in review state draft:
    /// from a write-up of the library with its placeholders filled in, or
    /// empty with the house style's sections.
    Finding {
        /// The write-up to start from; recorded as `from` in the front matter.
        #[arg(long, value_name = "NAME")]
        from: Option<String>,
        /// Fills a placeholder the write-up declares; may be repeated.
        #[arg(long = "set", value_name = "NAME=VALUE")]
        sets: Vec<String>,
        /// The audit folder.
        #[arg(long = "in", value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
}

/// The subcommands of `review`.
#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Marks findings approved by a reviewer: sets `review = "approved"` and
    /// `reviewed_by` in the front matter of findings/<ID>.md, and changes
    /// nothing else of the file.
    Approve {
        /// The findings' ids.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// The reviewer's name.
        #[arg(long, value_name = "NAME")]
        by: String,
        /// The audit folder (default: the current folder).
        #[arg(long = "in", value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
}

/// The subcommands of `style`.
#[derive(Debug, Subcommand)]
pub enum StyleCommand {
    /// Prints a house style as style.toml: its scales, and every string key
    /// with its text (what it inherits included).
    Show {
        /// A built-in style (standard, risk) or a style folder; default standard.
        #[arg(value_name = "NAME|DIR")]
        style: Option<String>,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
}

/// Arguments of `watch`, shared by `serve`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The audit folder.
    dir: PathBuf,
    /// Output file; default beside the folder.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Folder of template files that override the embedded ones.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Limits of each build process.
    #[command(flatten)]
    limits: LimitArgs,
    /// Prints where each rebuild's time went: load, view, typeset, pdf, evict, write.
    #[arg(long)]
    timings: bool,
    /// Puts the draft findings (`draft = true`) in the report, marked DRAFT.
    #[arg(long)]
    include_drafts: bool,
    /// The house style.
    #[command(flatten)]
    style: StyleArgs,
    /// How diagnostics are reported.
    #[command(flatten)]
    report: ReportArgs,
}

impl WatchArgs {
    /// Validates the arguments into the config of a watch session.
    fn config(self, epoch: Option<i64>) -> Result<Config, Usage> {
        let mut config = self.limits.apply(Config {
            output: self.output,
            timings: self.timings,
            ..Config::pdf(vec![self.dir], epoch)
        })?;
        config.options.templates = self.templates;
        config.options.include_drafts = self.include_drafts;
        // Keep what the last edits used, so the next edit re-lays out little.
        config.options.cache_age = 10;
        Ok(self.report.apply(self.style.apply(config)))
    }
}

/// The limits of each report's build process, declared once for every
/// command that builds.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Stops a report that takes longer than this many seconds to build.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Most memory (address space) in MiB each report's build process may use; 0: no limit.
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MEMORY_LIMIT_MIB)]
    pub memory_limit: u64,
}

impl LimitArgs {
    /// Sets the limits of a config; a timeout of 0 is refused.
    fn apply(self, config: Config) -> Result<Config, Usage> {
        Ok(Config {
            timeout: timeout(self.timeout)?,
            memory_limit: memory_limit(self.memory_limit),
            ..config
        })
    }
}

/// The house style of a command that reads audit folders.
#[derive(Debug, Args)]
pub struct StyleArgs {
    /// House style: a built-in one (standard, risk) or a style folder with a
    /// style.toml; beats `style` of audit.toml.
    #[arg(long, value_name = "NAME|DIR")]
    pub style: Option<String>,
}

impl StyleArgs {
    /// Sets the style of a config.
    fn apply(self, mut config: Config) -> Config {
        config.options.style = self.style;
        config
    }
}

/// How a command reports: shared by build, check, batch and watch.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// How diagnostics are printed: human, short (one line each) or json (one object per line).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = DiagnosticFormat::Human)]
    pub diagnostic_format: DiagnosticFormat,
    /// Prints errors only.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The values of `--diagnostic-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// With the offending line and a caret.
    Human,
    /// One line each: file:line:column: error: message.
    Short,
    /// One JSON object per line (see docs/diagnostics.md).
    Json,
}

impl From<DiagnosticFormat> for diag::Format {
    fn from(f: DiagnosticFormat) -> Self {
        match f {
            DiagnosticFormat::Human => diag::Format::Human,
            DiagnosticFormat::Short => diag::Format::Short,
            DiagnosticFormat::Json => diag::Format::Json,
        }
    }
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
    #[arg(long, value_enum, default_value_t = EmitArg::Pdf)]
    pub emit: EmitArg,
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
    /// Same as `--deny-warnings`: `--deny warnings`.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Vec<Deny>,
    /// Limits of each build process.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Puts the draft findings (`draft = true`) in the report, marked DRAFT.
    #[arg(long)]
    pub include_drafts: bool,
    /// Refuses a report that is not final: names each finding not approved
    /// (FORMAT 1.2, "Review") and each placeholder left; nothing is written.
    #[arg(long = "final")]
    pub final_report: bool,
    /// Opens each PDF in the system's viewer after a successful build.
    #[arg(long)]
    pub open: bool,
    /// The house style.
    #[command(flatten)]
    pub style: StyleArgs,
    /// How diagnostics are reported.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// The values of `export --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// A JSON document of the findings.
    Json,
    /// One row per finding; cells that a spreadsheet would read as a formula
    /// start with an apostrophe.
    Csv,
    /// One row per finding, every cell exactly as given, for programs.
    CsvRaw,
    /// SARIF 2.1.0, one result per finding location.
    Sarif,
    /// One Markdown document of all findings.
    Markdown,
}

impl From<ExportFormat> for crate::export::Format {
    fn from(f: ExportFormat) -> Self {
        match f {
            ExportFormat::Json => Self::Json,
            ExportFormat::Csv => Self::Csv,
            ExportFormat::CsvRaw => Self::CsvRaw,
            ExportFormat::Sarif => Self::Sarif,
            ExportFormat::Markdown => Self::Markdown,
        }
    }
}

/// The values of `--emit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EmitArg {
    /// The report PDF.
    Pdf,
    /// The template contract, as the templates read it.
    ViewJson,
    /// The loaded model.
    ModelJson,
}

impl From<EmitArg> for Emit {
    fn from(e: EmitArg) -> Self {
        match e {
            EmitArg::Pdf => Emit::Pdf,
            EmitArg::ViewJson => Emit::ViewJson,
            EmitArg::ModelJson => Emit::ModelJson,
        }
    }
}

/// A usage error: a message and a hint.
pub struct Usage {
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

impl From<String> for Usage {
    fn from(message: String) -> Self {
        Self {
            message,
            hint: None,
        }
    }
}

impl From<&str> for Usage {
    fn from(message: &str) -> Self {
        message.to_string().into()
    }
}

/// Rejects a time limit of zero.
fn timeout(secs: u64) -> Result<Duration, Usage> {
    if secs == 0 {
        return Err("--timeout must be at least 1 second".into());
    }
    Ok(Duration::from_secs(secs))
}

/// Parses and checks `--pdf-standard` values, as typst-cli names them.
fn standards(names: &[String]) -> Result<Vec<typst_pdf::PdfStandard>, Usage> {
    let list = names
        .iter()
        .map(|n| {
            serde_json::from_value(serde_json::Value::String(n.to_lowercase())).map_err(|_| Usage {
                message: format!("unknown PDF standard \"{n}\""),
                hint: Some("known: 1.4 to 2.0, a-1b, a-2b, a-3b, a-4, ua-1, ...".into()),
            })
        })
        .collect::<Result<Vec<_>, Usage>>()?;
    typst_pdf::PdfStandards::new(&list).map_err(|e| Usage {
        message: e.message().to_string(),
        hint: (!e.hints().is_empty()).then(|| {
            e.hints()
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        }),
    })?;
    Ok(list)
}

/// Rejects a job count of zero.
fn jobs(n: Option<usize>) -> Result<usize, Usage> {
    match n {
        Some(0) => Err("--jobs must be at least 1".into()),
        Some(n) => Ok(n),
        None => Ok(cmd::default_jobs()),
    }
}

/// Turns `--memory-limit MIB` into bytes; 0 means no limit.
fn memory_limit(mib: u64) -> Option<u64> {
    (mib > 0).then(|| mib.saturating_mul(1024 * 1024))
}

/// Parses `--shard K/N`.
fn shard(text: &str) -> Result<Shard, Usage> {
    let bad = || Usage {
        message: format!("invalid --shard \"{text}\""),
        hint: Some("write K/N with 1 <= K <= N, e.g. --shard 2/3".into()),
    };
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (index, count) = (
        k.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if index == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// Reads SOURCE_DATE_EPOCH, when set.
fn source_date_epoch() -> Result<Option<i64>, Usage> {
    let epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => Some(v.trim().parse::<i64>().map_err(|_| Usage {
            message: format!("SOURCE_DATE_EPOCH=\"{v}\" is not a number of seconds since 1970"),
            hint: Some("unset it, or set it to a whole number such as 1700000000".into()),
        })?),
        _ => None,
    };
    if let Some(secs) = epoch
        && time::OffsetDateTime::from_unix_timestamp(secs).is_err()
    {
        return Err(format!("SOURCE_DATE_EPOCH={secs} is out of range").into());
    }
    Ok(epoch)
}

impl ReportArgs {
    /// Applies the reporting choices to a config.
    fn apply(&self, config: Config) -> Config {
        Config {
            format: self.diagnostic_format.into(),
            quiet: self.quiet,
            ..config
        }
    }
}

impl Cli {
    /// Validates the arguments and the environment into a request.
    pub fn request(self) -> Result<Request, Usage> {
        let epoch = source_date_epoch()?;
        let plain = || Config::pdf(Vec::new(), epoch);
        match self.command {
            Command::Diff {
                old,
                new,
                format,
                report,
            } => Ok(Request::Diff {
                old,
                new,
                format,
                config: report.apply(plain()),
            }),
            Command::Bench { sizes } => Ok(Request::Bench { sizes }),
            Command::Worker => Ok(Request::Worker),
            Command::Export {
                dir,
                format,
                output,
                style,
                report,
            } => Ok(Request::Export {
                dir,
                format: format.into(),
                config: report.apply(style.apply(Config { output, ..plain() })),
            }),
            Command::Import(ImportCommand::Sarif {
                files,
                into,
                min_level,
                source,
                report,
            }) => Ok(Request::Import {
                from: cmd::ImportSource::Sarif {
                    files,
                    min_level: min_level.name().to_string(),
                    source,
                },
                into,
                config: report.apply(plain()),
            }),
            Command::Import(ImportCommand::Github { file, into, report }) => Ok(Request::Import {
                from: cmd::ImportSource::Github { file },
                into,
                config: report.apply(plain()),
            }),
            Command::Style(StyleCommand::Show { style, report }) => Ok(Request::StyleShow {
                style: style.unwrap_or_else(|| "standard".into()),
                config: report.apply(plain()),
            }),
            Command::Lsp { stdio: _ } => Ok(Request::Lsp),
            Command::Library(LibraryCommand::List { dir }) => Ok(Request::LibraryList {
                dir,
                config: plain(),
            }),
            Command::Library(LibraryCommand::Import {
                file,
                format,
                dir,
                to,
            }) => Ok(Request::LibraryImport {
                file,
                format: format.map(|f| match f {
                    LibraryFormat::Sysreptor => crate::import::library::Format::SysReptor,
                    LibraryFormat::Pwndoc => crate::import::library::Format::PwnDoc,
                }),
                dir,
                to,
                config: plain(),
            }),
            Command::Library(LibraryCommand::Diff { dir }) => Ok(Request::LibraryDiff {
                dir,
                config: plain(),
            }),
            Command::Library(LibraryCommand::Show { name, dir }) => Ok(Request::LibraryShow {
                name,
                dir,
                config: plain(),
            }),
            Command::New(NewCommand::Finding { from, sets, dir }) => Ok(Request::NewFinding {
                from,
                sets,
                dir,
                config: plain(),
            }),
            Command::Review(ReviewCommand::Approve { ids, by, dir }) => {
                Ok(Request::ReviewApprove {
                    ids,
                    by,
                    dir,
                    config: plain(),
                })
            }
            Command::Init { dir, force, style } => Ok(Request::Init {
                dir,
                force,
                style,
                config: plain(),
            }),
            Command::Completions { shell } => Ok(Request::Completions {
                shell,
                command: Box::new(Cli::command()),
            }),
            Command::Man { out_dir } => Ok(Request::Man {
                dir: out_dir,
                command: Box::new(Cli::command()),
                config: plain(),
            }),
            Command::Batch {
                file,
                jobs: n,
                limits,
                shard: k,
                summary,
                style,
                report,
            } => Ok(Request::Batch {
                file,
                config: report.apply(style.apply(limits.apply(Config {
                    jobs: jobs(n)?,
                    ..plain()
                })?)),
                shard: k.as_deref().map(shard).transpose()?,
                summary,
            }),
            Command::Watch(args) => Ok(Request::Watch {
                config: args.config(epoch)?,
            }),
            Command::Serve { watch, host, port } => Ok(Request::Serve {
                config: watch.config(epoch)?,
                host,
                port,
            }),
            Command::Check {
                dirs,
                style,
                report,
                final_report,
                deny,
                deny_warnings,
                no_spell,
            } => {
                let mut config = style.apply(Config::pdf(dirs, epoch));
                config.options.emit = None;
                config.options.final_report = final_report;
                config.options.deny_warnings = deny_warnings || deny.contains(&Deny::Warnings);
                config.options.spell = !no_spell;
                Ok(Request::Build(report.apply(config)))
            }
            Command::Build(args) => {
                if args.output.is_some() && args.dirs.len() > 1 {
                    return Err(
                        "-o/--output names one file; it cannot be used with several folders".into(),
                    );
                }
                if args.emit != EmitArg::Pdf && args.dirs.len() > 1 {
                    return Err("--emit dumps one folder; give one folder at a time".into());
                }
                let mut config = args.limits.apply(Config {
                    output: args.output,
                    jobs: jobs(args.jobs)?,
                    open: args.open,
                    ..Config::pdf(args.dirs, epoch)
                })?;
                config.options.templates = args.templates;
                config.options.emit = Some(args.emit.into());
                config.options.changes_since = args.changes_since;
                config.options.standards = standards(&args.pdf_standards)?;
                config.options.deny_warnings =
                    args.deny_warnings || args.deny.contains(&Deny::Warnings);
                config.options.include_drafts = args.include_drafts;
                config.options.final_report = args.final_report;
                Ok(Request::Build(args.report.apply(args.style.apply(config))))
            }
        }
    }
}

/// The library formats `library import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LibraryFormat {
    /// SysReptor finding templates.
    Sysreptor,
    /// PwnDoc vulnerabilities.
    Pwndoc,
}

/// What `--deny` turns into errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Every warning.
    Warnings,
}

/// Parses the command line and runs it; returns the process exit code.
pub fn main() -> u8 {
    let cli = Cli::parse();
    match cli.request() {
        Ok(request) => cmd::run(request),
        Err(usage) => {
            diag::report_error(diag::Format::Human, usage.message, usage.hint);
            2
        }
    }
}

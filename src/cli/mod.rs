//! Command-line arguments, validated into a [`Request`] before any work is done.
//!
//! This is the top layer: it knows clap and the environment, and hands a
//! validated request to [`crate::cmd`]. Usage errors are reported like every
//! other error, as a diagnostic.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::cmd::{self, DiffFormat, Shell};
use crate::diag;

mod args;
mod folder;
mod request;

pub use args::*;

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
    Check(CheckArgs),
    /// Builds the reports listed in a batch file: folders and variants of folders.
    ///
    /// A batch file is TOML: an optional `output` name template such as
    /// "out/{project}-{version}-{classification}.pdf" (placeholders: project, title,
    /// subtitle, version, classification, date, folder; each written lower case,
    /// other characters as `-`: CONFIDENTIAL gives confidential; without it, each
    /// PDF goes inside its folder), then one [[report]] table
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
        /// The documents of each report.
        #[command(flatten)]
        formats: FormatArgs,
        /// Builds only shard K of N: every N-th report of the file, starting with the K-th.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Writes one JSON record per report built to this file.
        #[arg(long, value_name = "FILE.json")]
        summary: Option<PathBuf>,
        /// The house style.
        #[command(flatten)]
        style: StyleArgs,
        /// A signed manifest of the reports.
        #[command(flatten)]
        sign: SignArgs,
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
        #[arg(value_name = "OLD_DIR", value_hint = clap::ValueHint::DirPath)]
        old: PathBuf,
        /// The later version of the folder (default: the audit folder here).
        #[arg(value_name = "NEW_DIR", value_hint = clap::ValueHint::DirPath)]
        new: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
    /// Exports the findings of an audit folder for other tools (JSON, CSV, SARIF, Markdown).
    Export {
        /// The audit folder (default: the audit folder here).
        #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
        dir: Option<PathBuf>,
        /// The format: json (docs/export.md), csv, sarif (2.1.0, for code
        /// scanning) or markdown.
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
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
    /// Checks a signed report or a manifest offline: a PDF's signature (the
    /// signer, the time, whether it covers the whole file) or a SHA256SUMS
    /// file's signature and every file it lists. Exit 0 when all holds, 1 when
    /// not.
    Verify {
        /// A signed PDF, or a SHA256SUMS file (its .p7s beside it).
        file: PathBuf,
        /// The firm's certificate (PEM): the signer's must be it, or be issued by it.
        #[arg(long, value_name = "CERT.pem")]
        trust: Option<PathBuf>,
    },
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
        /// Starts from a built-in house style: standard (the default) and
        /// risk name it in audit.toml; smart-contract and pentest, the
        /// example styles (FORMAT 1.2, "The finding's shape"), are copied
        /// into the folder with an example audit.
        #[arg(long, value_name = "NAME", value_parser = init_styles(), ignore_case = true)]
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
    pub(super) fn name(self) -> &'static str {
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
        /// A built-in style or a style folder; default standard.
        #[arg(value_name = "NAME|DIR", value_parser = StyleValue, value_hint = clap::ValueHint::DirPath)]
        style: Option<String>,
        /// How diagnostics are reported.
        #[command(flatten)]
        report: ReportArgs,
    },
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

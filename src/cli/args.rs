//! The arguments shared by several commands, and their checks.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::cmd::{Config, DEFAULT_MEMORY_LIMIT_MIB, DEFAULT_TIMEOUT_SECS, Shard};
use crate::diag;
use crate::pipeline::Emit;
use crate::render::Deliverable;

use super::Deny;

/// The arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The house style.
    #[command(flatten)]
    pub style: StyleArgs,
    /// Audit folders to check (default: the audit folder here, the current
    /// folder or the nearest above it with an audit.toml); a path to a file
    /// of a folder (audit.toml, findings.csv) means that folder.
    #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dirs: Vec<PathBuf>,
    /// Refuses a report that is not final: names each finding not
    /// approved (FORMAT 1.2, "Review") and each placeholder left.
    #[arg(long = "final")]
    pub final_report: bool,
    /// Treats warnings (spelling and grammar among them) as errors, for CI:
    /// `--deny warnings`.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Vec<Deny>,
    /// Same as `--deny warnings`.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Leaves out the spelling and grammar check.
    #[arg(long)]
    pub no_spell: bool,
    /// How diagnostics are reported.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Arguments of `watch`, shared by `serve`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The audit folder (default: the audit folder here).
    #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    dir: Option<PathBuf>,
    /// Output file, or folder to write into (`-o out/`); default: inside the audit folder.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// The documents each build writes.
    #[command(flatten)]
    formats: FormatArgs,
    /// Folder of template files that override the embedded ones.
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Limits of each build process.
    #[command(flatten)]
    limits: LimitArgs,
    /// Prints where each rebuild's time went: load, view, typeset, pdf, evict, write.
    #[arg(long)]
    timings: bool,
    /// Puts the excluded findings (`exclude = true`, what `import` writes)
    /// in the report, marked DRAFT; `--include-drafts` is its 1.2 name.
    #[arg(long = "include-excluded", alias = "include-drafts")]
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
    pub(super) fn config(self, epoch: Option<i64>, command: &str) -> Result<Config, Usage> {
        let dir = super::folder::folder(self.dir, command)?;
        let mut config = self.limits.apply(Config {
            output: self.output,
            timings: self.timings,
            ..Config::pdf(vec![dir], epoch)
        })?;
        config.options.templates = self.templates;
        config.options.include_drafts = self.include_drafts;
        config.options.emit = self.formats.emit();
        if command == "serve" && !config.options.emit.documents().contains(&Deliverable::Pdf) {
            return Err(Usage {
                message: "serve shows the PDF's pages: --format must include pdf".into(),
                hint: Some("add pdf to the list, e.g. --format pdf,html".into()),
            });
        }
        // Keep what the last edits used, so the next edit re-lays out little.
        config.options.cache_age = 10;
        Ok(self.report.apply(self.style.apply(config)))
    }
}

/// The documents a build writes (`--format pdf,html`), declared once for
/// every command that builds.
#[derive(Debug, Args)]
pub struct FormatArgs {
    /// The documents to write, as a comma list in any order; -o names the
    /// PDF, and the others take its stem (`x.pdf`, `x.html`).
    #[arg(
        long = "format",
        value_name = "FORMATS",
        value_delimiter = ',',
        default_value = "pdf",
        value_parser = format_names(),
    )]
    pub formats: Vec<Deliverable>,
}

/// The values of `--format`: every deliverable's name, the one list its
/// help, its error and the shell completion show.
fn format_names() -> impl clap::builder::TypedValueParser<Value = Deliverable> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Deliverable::ALL.iter().map(|f| f.name()))
        .map(|name: String| Deliverable::from_name(&name).expect("one of the possible values"))
}

impl FormatArgs {
    /// The documents asked for, each once, in the order a build writes them.
    pub fn emit(&self) -> Emit {
        Emit::Documents(
            Deliverable::ALL
                .iter()
                .copied()
                .filter(|f| self.formats.contains(f))
                .collect(),
        )
    }

    /// Whether more than the default PDF is asked for.
    pub fn chosen(&self) -> bool {
        self.formats.iter().any(|f| *f != Deliverable::Pdf)
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
    pub(super) fn apply(self, config: Config) -> Result<Config, Usage> {
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
    /// House style: a built-in one (the values below) or a style folder with
    /// a style.toml; beats `style` of audit.toml.
    #[arg(long, value_name = "NAME|DIR", value_parser = StyleValue, value_hint = clap::ValueHint::DirPath)]
    pub style: Option<String>,
}

/// A `--style` value: a built-in style's name or a style folder. Its
/// possible values are the built-in names, the one list every `--style`
/// shows in its help and the shell completion offers (with folders).
#[derive(Clone, Copy, Debug)]
pub struct StyleValue;

impl clap::builder::TypedValueParser for StyleValue {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        // Any text: a name not built in names a folder, checked when read.
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            crate::load::style::builtin_names()
                .into_iter()
                .map(clap::builder::PossibleValue::new),
        ))
    }
}

/// The values of `init --style`: the built-in styles, by the same list.
pub fn init_styles() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::load::style::builtin_names())
}

impl StyleArgs {
    /// Sets the style of a config.
    pub(super) fn apply(self, mut config: Config) -> Config {
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
    /// Audit folders to build (default: the audit folder here, the current
    /// folder or the nearest above it with an audit.toml); a path to a file
    /// of a folder (audit.toml, findings.csv) means that folder.
    #[arg(value_name = "DIR", value_hint = clap::ValueHint::DirPath)]
    pub dirs: Vec<PathBuf>,
    /// Output file, or folder to write into (`-o out/`); one audit folder only.
    /// Default: `<title>-<subtitle>-v<version>.pdf` inside each audit folder.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Folder of template files that override the embedded ones, file by file.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// What to produce: the documents (--format), or a dump of an
    /// intermediate stage (to stdout without -o).
    #[arg(long, value_enum, default_value_t = EmitArg::Pdf)]
    pub emit: EmitArg,
    /// The documents to write.
    #[command(flatten)]
    pub formats: FormatArgs,
    /// Adds an appendix listing what changed since this earlier version of the folder.
    #[arg(long, value_name = "OLD_DIR")]
    pub changes_since: Option<PathBuf>,
    /// Reports built at once (default: the number of cores).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// PDF standard to conform to: a-2b, a-3b (attaches the findings as JSON
    /// and CSV), ua-1, or a PDF version such as 1.7; may be repeated, or
    /// given as a comma list (`a-2b,ua-1`) as typst-cli takes it.
    #[arg(long = "pdf-standard", value_name = "STANDARD", value_delimiter = ',')]
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
    /// Puts the excluded findings (`exclude = true`, what `import` writes)
    /// in the report, marked DRAFT; `--include-drafts` is its 1.2 name.
    #[arg(long = "include-excluded", alias = "include-drafts")]
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
    /// Signing and manifests.
    #[command(flatten)]
    pub sign: SignArgs,
    /// How diagnostics are reported.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Signed output and manifests (docs/signing.md).
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Signs the PDF (a final report only) with this key: a PKCS#12 file
    /// (password in AUDITPRESS_SIGN_PASSWORD) or a PEM private key, ECDSA
    /// P-256 or RSA, kept outside the audit and style folders. On batch, signs
    /// the manifest.
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// The certificate chain (PEM, the signer's first), when the key file
    /// does not hold it.
    #[arg(long, value_name = "CHAIN.pem", requires = "sign")]
    pub sign_cert: Option<PathBuf>,
    /// Writes SHA256SUMS and manifest.json of the reports written, beside
    /// them (and SHA256SUMS.p7s, signed, with --sign).
    #[arg(long)]
    pub manifest: bool,
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
    /// The report's documents: the PDF, and the formats --format adds.
    Pdf,
    /// The template contract, as the templates read it.
    ViewJson,
    /// The loaded model.
    ModelJson,
    /// Everything the templates read but the templates themselves (the
    /// view's JSON files under data/, the images under assets/), written
    /// into the folder -o names, for the stock typst CLI.
    TemplateData,
}

impl From<EmitArg> for Emit {
    fn from(e: EmitArg) -> Self {
        match e {
            EmitArg::Pdf => Emit::pdf(),
            EmitArg::ViewJson => Emit::ViewJson,
            EmitArg::ModelJson => Emit::ModelJson,
            EmitArg::TemplateData => Emit::TemplateData,
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
pub(super) fn standards(names: &[String]) -> Result<Vec<typst_pdf::PdfStandard>, Usage> {
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
pub(super) fn jobs(n: Option<usize>) -> Result<usize, Usage> {
    match n {
        Some(0) => Err("--jobs must be at least 1".into()),
        Some(n) => Ok(n),
        None => Ok(crate::cmd::default_jobs()),
    }
}

/// Turns `--memory-limit MIB` into bytes; 0 means no limit.
fn memory_limit(mib: u64) -> Option<u64> {
    (mib > 0).then(|| mib.saturating_mul(1024 * 1024))
}

/// Parses `--shard K/N`.
pub(super) fn shard(text: &str) -> Result<Shard, Usage> {
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
pub(super) fn source_date_epoch() -> Result<Option<i64>, Usage> {
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
    pub(super) fn apply(&self, config: Config) -> Config {
        Config {
            format: self.diagnostic_format.into(),
            quiet: self.quiet,
            ..config
        }
    }
}

//! The command line validated into a [`Request`].

use std::path::PathBuf;

use clap::CommandFactory;

use crate::cmd::{self, Config, Request};
use crate::pipeline::Emit;
use crate::render::Deliverable;

use super::args::{jobs, shard, source_date_epoch, standards};
use super::folder::{folder, folder_of, folders};
use super::{
    BuildArgs, CheckArgs, Cli, Command, Deny, EmitArg, ImportCommand, LibraryCommand,
    LibraryFormat, NewCommand, ReviewCommand, SignArgs, StyleCommand, Usage,
};

impl Cli {
    /// Validates the arguments and the environment into a request.
    pub fn request(self) -> Result<Request, Usage> {
        let epoch = source_date_epoch()?;
        let plain = || Config::pdf(Vec::new(), epoch);
        match self.command {
            command @ (Command::Diff { .. } | Command::Export { .. }) => reading(command, plain()),
            Command::Worker => Ok(Request::Worker),
            Command::Import(c) => Ok(import(c, plain())),
            Command::Library(c) => Ok(library(c, plain())),
            command @ (Command::Check(_)
            | Command::Build(_)
            | Command::Batch { .. }
            | Command::Watch(_)
            | Command::Serve { .. }) => building(command, epoch),
            Command::Style(StyleCommand::Show { style, report }) => Ok(Request::StyleShow {
                style: style.unwrap_or_else(|| "standard".into()),
                config: report.apply(plain()),
            }),
            Command::Lsp { stdio: _ } => Ok(Request::Lsp),
            Command::Verify { file, trust } => Ok(Request::Verify {
                file,
                trust,
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
        }
    }
}

/// The request of a command that builds or checks reports.
fn building(command: Command, epoch: Option<i64>) -> Result<Request, Usage> {
    match command {
        Command::Check(args) => check(args, epoch),
        Command::Build(args) => build(args, epoch),
        Command::Batch {
            file,
            jobs: n,
            limits,
            formats,
            shard: k,
            summary,
            style,
            sign,
            report,
        } => Ok(Request::Batch {
            file,
            config: {
                let mut config = report.apply(style.apply(limits.apply(Config {
                    jobs: jobs(n)?,
                    ..Config::pdf(Vec::new(), epoch)
                })?));
                config.options.emit = formats.emit();
                if sign.sign.is_some() && !sign.manifest {
                    return Err(Usage {
                        message: "--sign on batch signs the manifest, and there is none".into(),
                        hint: Some("add --manifest; to sign each PDF, build it with `auditpress build DIR --final --sign KEY`".into()),
                    });
                }
                config.signing = signing(&sign, &[], epoch)?;
                config
            },
            shard: k.as_deref().map(shard).transpose()?,
            summary,
        }),
        Command::Watch(args) => Ok(Request::Watch {
            config: args.config(epoch, "watch")?,
        }),
        Command::Serve { watch, host, port } => Ok(Request::Serve {
            config: watch.config(epoch, "serve")?,
            host,
            port,
        }),
        _ => unreachable!("only the commands that build come here"),
    }
}

/// The request of `diff` or `export`, which read folders and write no
/// report: a folder left out is the audit folder here.
fn reading(command: Command, plain: Config) -> Result<Request, Usage> {
    match command {
        Command::Diff {
            old,
            new,
            format,
            report,
        } => Ok(Request::Diff {
            old: folder_of(old),
            new: folder(new, "diff OLD_DIR")?,
            format,
            config: report.apply(plain),
        }),
        Command::Export {
            dir,
            format,
            output,
            style,
            report,
        } => Ok(Request::Export {
            dir: folder(dir, "export")?,
            format: format.into(),
            config: report.apply(style.apply(Config { output, ..plain })),
        }),
        _ => unreachable!("only diff and export read folders this way"),
    }
}

/// The request of `import`.
fn import(c: ImportCommand, plain: Config) -> Request {
    match c {
        ImportCommand::Sarif {
            files,
            into,
            min_level,
            source,
            report,
        } => Request::Import {
            from: cmd::ImportSource::Sarif {
                files,
                min_level: min_level.name().to_string(),
                source,
            },
            into,
            config: report.apply(plain),
        },
        ImportCommand::Github { file, into, report } => Request::Import {
            from: cmd::ImportSource::Github { file },
            into,
            config: report.apply(plain),
        },
    }
}

/// The request of a `library` command.
fn library(c: LibraryCommand, config: Config) -> Request {
    match c {
        LibraryCommand::List { dir } => Request::LibraryList { dir, config },
        LibraryCommand::Import {
            file,
            format,
            dir,
            to,
        } => Request::LibraryImport {
            file,
            format: format.map(|f| match f {
                LibraryFormat::Sysreptor => crate::import::library::Format::SysReptor,
                LibraryFormat::Pwndoc => crate::import::library::Format::PwnDoc,
            }),
            dir,
            to,
            config,
        },
        LibraryCommand::Diff { dir } => Request::LibraryDiff { dir, config },
        LibraryCommand::Show { name, dir } => Request::LibraryShow { name, dir, config },
    }
}

/// The request of `check`: a build that writes nothing.
fn check(args: CheckArgs, epoch: Option<i64>) -> Result<Request, Usage> {
    let dirs = folders(args.dirs, "check")?;
    let mut config = args.style.apply(Config::pdf(dirs, epoch));
    config.options.emit = Emit::Check;
    config.options.final_report = args.final_report;
    config.options.deny_warnings = args.deny_warnings || args.deny.contains(&Deny::Warnings);
    config.options.spell = !args.no_spell;
    Ok(Request::Build(args.report.apply(config)))
}

/// The request of `build`.
fn build(mut args: BuildArgs, epoch: Option<i64>) -> Result<Request, Usage> {
    args.dirs = folders(std::mem::take(&mut args.dirs), "build")?;
    if args.output.is_some() && args.dirs.len() > 1 {
        return Err("-o/--output names one file; it cannot be used with several folders".into());
    }
    if args.emit != EmitArg::Pdf && args.dirs.len() > 1 {
        return Err("--emit dumps one folder; give one folder at a time".into());
    }
    if args.emit == EmitArg::TemplateData && args.output.is_none() {
        return Err(Usage {
            message: "--emit template-data writes several files, not one stream".into(),
            hint: Some("name the folder to write them into with -o, e.g. -o /tmp/design".into()),
        });
    }
    let mut config = args.limits.apply(Config {
        output: args.output,
        jobs: jobs(args.jobs)?,
        open: args.open,
        ..Config::pdf(args.dirs, epoch)
    })?;
    config.options.templates = args.templates;
    if args.emit != EmitArg::Pdf && args.formats.chosen() {
        return Err(Usage {
            message: format!(
                "--format chooses the documents, and --emit {} writes none",
                emit_name(args.emit)
            ),
            hint: Some("leave out one of them".into()),
        });
    }
    config.options.emit = match args.emit {
        EmitArg::Pdf => args.formats.emit(),
        other => other.into(),
    };
    config.options.changes_since = args.changes_since;
    config.options.standards = standards(&args.pdf_standards)?;
    config.options.deny_warnings = args.deny_warnings || args.deny.contains(&Deny::Warnings);
    config.options.include_drafts = args.include_drafts;
    config.options.final_report = args.final_report;
    if args.sign.sign.is_some() && !args.final_report {
        return Err(Usage {
            message: "--sign signs final reports only".into(),
            hint: Some(
                "add --final: a signature says \"this is what we issued\", which a draft is not"
                    .into(),
            ),
        });
    }
    if args.sign.sign.is_some() && !config.options.emit.documents().contains(&Deliverable::Pdf) {
        return Err(Usage {
            message: "--sign signs the PDF, and --format leaves it out".into(),
            hint: Some("add pdf to --format".into()),
        });
    }
    if (args.sign.sign.is_some() || args.sign.manifest) && args.emit != EmitArg::Pdf {
        return Err("--sign and --manifest are for PDFs; leave out --emit".into());
    }
    config.signing = signing(&args.sign, &config.dirs, epoch)?;
    Ok(Request::Build(args.report.apply(args.style.apply(config))))
}

/// The name of an `--emit` value, as typed.
fn emit_name(emit: EmitArg) -> String {
    clap::ValueEnum::to_possible_value(&emit)
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// What a build signs and lists: the key read here, in the parent, and never
/// put into what a worker is sent.
fn signing(
    args: &SignArgs,
    folders: &[PathBuf],
    epoch: Option<i64>,
) -> Result<Option<std::sync::Arc<cmd::Signing>>, Usage> {
    if args.sign.is_none() && !args.manifest {
        return Ok(None);
    }
    let key = match &args.sign {
        Some(path) => Some(
            cmd::load_key(path, args.sign_cert.as_deref(), folders).map_err(|p| Usage {
                message: p.message,
                hint: Some(p.hint),
            })?,
        ),
        None => None,
    };
    let time = epoch.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
    Ok(Some(std::sync::Arc::new(cmd::Signing {
        key,
        key_path: args.sign.clone(),
        manifest: args.manifest,
        time,
    })))
}

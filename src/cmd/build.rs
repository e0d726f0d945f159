//! `auditpress build` and `auditpress check`: the reports of folders named on the command line.

use super::pool;
use super::{Config, fail};
use crate::output::{write_atomic, write_files};
use crate::pipeline::{Built, Dump, Job, Outcome};

/// Builds (or checks, or dumps) every folder of the config.
pub fn run(config: &Config) -> Outcome {
    let jobs: Vec<Job> = config
        .dirs
        .iter()
        .map(|d| Job::folder(d, config.output.as_deref()))
        .collect();
    let reports = pool::run_jobs(&jobs, config);
    let mut outcome = pool::worst(&reports);
    for report in &reports {
        if let Some(dump) = &report.dump {
            outcome = outcome.max(write_dump(config, dump));
        }
    }
    if outcome == Outcome::Ok {
        outcome = super::sign::finish(config, &jobs, &reports, true);
    }
    if config.open && outcome == Outcome::Ok {
        open_all(config, &reports);
    }
    outcome
}

/// Writes a dump to the output file, or to standard output; files into the
/// output folder.
fn write_dump(config: &Config, dump: &Dump) -> Outcome {
    let written = match (dump, config.output.as_deref()) {
        (Dump::Text(text), Some(path)) => write_atomic(path, text.as_bytes()),
        (Dump::Text(text), None) => super::print(format!("{text}\n").as_bytes()),
        (Dump::Files(files), Some(folder)) => write_files(folder, files),
        (Dump::Files(_), None) => unreachable!("the request names a folder for files"),
    };
    match written {
        Ok(()) => Outcome::Ok,
        Err(e) => fail(config, Outcome::Retry, e.to_string(), None),
    }
}

/// Opens each PDF built in the system's viewer, without waiting for it.
fn open_all(config: &Config, reports: &[Built]) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    for path in reports.iter().filter_map(|r| r.document().map(|d| &d.path)) {
        let started = std::process::Command::new(opener)
            .arg(path)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Err(e) = started {
            fail(
                config,
                Outcome::Io,
                format!("cannot open {} ({opener}: {e})", path.display()),
                Some("open the PDF yourself, or install a PDF viewer".into()),
            );
        }
    }
}

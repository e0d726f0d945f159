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

/// Opens each PDF built in the system's viewer; an opener that fails (no
/// opener, or none with a viewer for PDF files) is said, as a warning: the
/// PDF is built.
fn open_all(config: &Config, reports: &[Built]) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    for path in reports.iter().filter_map(|r| r.document().map(|d| &d.path)) {
        if let Err(why) = open_one(opener, path) {
            crate::diag::report_warning(
                config.format,
                format!("cannot open {} in a viewer ({why})", path.display()),
                Some("no PDF viewer answered: open the PDF yourself, or install a viewer and make it the default for PDF files".into()),
            );
        }
    }
}

/// Starts the opener on a file and waits a little for it: most openers
/// return at once, having started the viewer, and fail at once when there is
/// none. One still running after that is left to run (a viewer it waits for).
fn open_one(opener: &str, path: &std::path::Path) -> Result<(), String> {
    use std::process::{Command, Stdio};
    // Its messages go to a file, not a pipe, which a viewer it starts could hold open.
    let log = tempfile::tempfile().ok();
    let stderr = log
        .as_ref()
        .and_then(|f| f.try_clone().ok())
        .map_or_else(Stdio::null, Stdio::from);
    let mut child = Command::new(opener)
        .arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("{opener}: {e}"))?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while std::time::Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                let said = log.map(read_start).unwrap_or_default();
                let said = said
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim();
                return Err(match said {
                    "" => format!("{opener} failed, {status}"),
                    said => format!("{opener} failed, {status}: {said}"),
                });
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(_) => return Ok(()),
        }
    }
    Ok(())
}

/// The first kilobytes of a file written by a child, from its start.
fn read_start(mut file: std::fs::File) -> String {
    use std::io::{Read, Seek};
    let mut text = String::new();
    let _ = file.rewind();
    let _ = file.take(4096).read_to_string(&mut text);
    text
}

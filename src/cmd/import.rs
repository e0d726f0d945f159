//! `auditpress import sarif|github`: draft findings from scanners and trackers.

use std::path::{Path, PathBuf};

use super::{Config, report};
use crate::import::{self, Imported, SarifOptions};
use crate::pipeline::{self, Outcome};

/// What to import.
#[derive(Debug)]
pub enum Source {
    /// SARIF logs, with the options of `import sarif`.
    Sarif {
        /// The SARIF files.
        files: Vec<PathBuf>,
        /// The least serious level imported.
        min_level: String,
        /// The checkout the results point into.
        source: Option<PathBuf>,
    },
    /// The output of `gh issue list --json number,title,body,labels,state,url`.
    Github {
        /// The JSON file.
        file: PathBuf,
    },
}

/// Imports into an audit folder, which must load without errors first.
pub fn run(from: &Source, into: &Path, config: &Config) -> Outcome {
    let (audit, found) = pipeline::load(into, None);
    let name = into.display().to_string();
    let Some(audit) = audit else {
        report::print(&report::Found::of(&found, &name, "import into"), config);
        return found.outcome.max(Outcome::Errors);
    };
    let imported: Imported = match from {
        Source::Sarif {
            files,
            min_level,
            source,
        } => import::sarif(
            files,
            into,
            &audit,
            &SarifOptions {
                min_level: min_level.clone(),
                source: source.clone(),
            },
        ),
        Source::Github { file } => import::github(file, into, &audit),
    };
    if config.chatty() {
        for w in &imported.written {
            eprintln!("wrote {}", into.join(w).display());
        }
        for s in &imported.skipped {
            eprintln!("skipped {s}");
        }
    }
    let diagnostics = imported.diagnostics;
    report::print(
        &report::Found::bare(&name, "import into", &diagnostics),
        config,
    );
    if diagnostics.has_errors() {
        Outcome::Errors
    } else {
        Outcome::Ok
    }
}

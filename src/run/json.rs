//! The public JSON the commands write for other tools, as types: the events
//! of watch and serve (docs/diagnostics.md), the batch summary
//! (docs/batch.md) and the document of `diff --format json`. The diagnostics
//! are [`crate::diag::JsonDiagnostic`]. Each has a JSON Schema under
//! tests/schemas/, which the tests hold the binary's real output to.
//!
//! A report's end is spelt one way in all of them, [`BuildResult`].

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use crate::model::Audit;
use crate::pipeline::{BuildResult, Built, Job, Outcome, Overrides, Timings};
use crate::render::Deliverable;
use crate::review::Change;

/// Version of the summary file's layout (`--summary`), see docs/batch.md.
pub const SUMMARY_VERSION: u32 = 1;

/// One line that watch and serve write under `--diagnostic-format json`,
/// besides the diagnostics: a line with `event` is an event.
#[derive(Debug, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// Where serve serves the preview (written once, first).
    Serving {
        /// `http://HOST:PORT/`.
        url: String,
    },
    /// A build ended.
    Built {
        /// Whether it succeeded (else the last good documents are kept).
        ok: bool,
        /// How it ended.
        result: BuildResult,
        /// How long it took, in whole milliseconds.
        ms: u128,
        /// Where the time went.
        timings: TimingsMs,
    },
}

impl Event {
    /// The event of a build that ended with `outcome` after `ms`.
    pub fn built(outcome: Outcome, ms: u128, timings: &Timings) -> Self {
        Event::Built {
            ok: outcome == Outcome::Ok,
            result: outcome.result(),
            ms,
            timings: TimingsMs::of(timings),
        }
    }

    /// The event as one line of JSON, without its newline.
    pub fn line(&self) -> String {
        serde_json::to_string(self).expect("an event serialises")
    }
}

/// Where a build's time went, in milliseconds to one decimal.
#[derive(Debug, Serialize)]
pub struct TimingsMs {
    /// Reading and checking the folder.
    pub load: f64,
    /// Building the template contract.
    pub view: f64,
    /// typst laying out the pages.
    pub typeset: f64,
    /// Exporting the documents: the PDF, and the HTML page and the Word
    /// document when asked for.
    pub pdf: f64,
    /// Rendering the live preview's changed pages.
    pub preview: f64,
    /// Evicting old entries of the compiler's caches.
    pub evict: f64,
    /// Writing the documents.
    pub write: f64,
}

impl TimingsMs {
    /// The timings of a build, in milliseconds.
    pub fn of(t: &Timings) -> Self {
        let ms = |d: Duration| (d.as_secs_f64() * 10_000.0).round() / 10.0;
        Self {
            load: ms(t.load),
            view: ms(t.view),
            typeset: ms(t.typeset),
            pdf: ms(t.pdf + t.html + t.docx),
            preview: ms(t.preview),
            evict: ms(t.evict),
            write: ms(t.write),
        }
    }
}

/// The summary file of a batch (`--summary FILE`).
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// This layout's version, [`SUMMARY_VERSION`].
    pub version: u32,
    /// `K/N` under `--shard K/N`, else null.
    pub shard: Option<String>,
    /// One record per report, in batch-file order.
    pub reports: Vec<SummaryRecord<'a>>,
}

/// One report of a batch summary.
#[derive(Debug, Serialize)]
pub struct SummaryRecord<'a> {
    /// The report's name.
    pub name: &'a str,
    /// Its audit folder.
    pub folder: String,
    /// The batch variant's overrides of audit.toml.
    pub variant: &'a Overrides,
    /// The document written (the PDF, or the first format `--format`
    /// names), or null.
    pub output: Option<String>,
    /// The SHA-256 of the document written, or null.
    pub sha256: Option<&'a str>,
    /// How the report ended.
    pub result: BuildResult,
    /// The document's pages, or null.
    pub pages: Option<usize>,
    /// How long the build took, in seconds to the millisecond.
    pub seconds: f64,
    /// Its errors.
    pub errors: usize,
    /// Its warnings.
    pub warnings: usize,
    /// Every document written, in the order written (the PDF first, then
    /// the HTML page and the Word document `--format` asked for); empty
    /// when none was.
    pub documents: Vec<DocumentRecord<'a>>,
}

/// One document a report wrote, in a batch summary.
#[derive(Debug, Serialize)]
pub struct DocumentRecord<'a> {
    /// Its format: `pdf`, `html` or `docx`.
    pub format: Deliverable,
    /// Where it is.
    pub output: String,
    /// The SHA-256 of its bytes.
    pub sha256: &'a str,
    /// Its pages, for the PDF; null for the others.
    pub pages: Option<usize>,
}

/// A path as the JSON formats write it.
fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

impl<'a> Summary<'a> {
    /// The summary of a batch's reports, `shard` given as `K/N`.
    pub fn new(jobs: &'a [Job], reports: &'a [Built], shard: Option<String>) -> Self {
        let reports = jobs
            .iter()
            .zip(reports)
            .map(|(job, r)| SummaryRecord {
                name: &job.name,
                folder: path_text(&job.dir),
                variant: &job.overrides,
                output: r.document().map(|d| path_text(&d.path)),
                sha256: r.document().map(|d| d.sha256.as_str()),
                result: r.outcome.result(),
                pages: r.document().and_then(|d| d.pages),
                seconds: (r.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
                errors: r.errors(),
                warnings: r.warnings(),
                documents: r
                    .outputs
                    .iter()
                    .map(|d| DocumentRecord {
                        format: d.format,
                        output: path_text(&d.path),
                        sha256: &d.sha256,
                        pages: d.pages,
                    })
                    .collect(),
            })
            .collect();
        Self {
            version: SUMMARY_VERSION,
            shard,
            reports,
        }
    }

    /// The summary as the file holds it: indented JSON and a newline.
    pub fn text(&self) -> String {
        serde_json::to_string_pretty(self).expect("the summary serialises") + "\n"
    }
}

/// The document `diff --format json` prints.
#[derive(Debug, Serialize)]
pub struct DiffDocument<'a> {
    /// The earlier version.
    pub old: VersionRef,
    /// The later version.
    pub new: VersionRef,
    /// What changed, in the order the human format lists it.
    pub changes: &'a [Change],
}

/// Which version of a folder a diff compared.
#[derive(Debug, Serialize)]
pub struct VersionRef {
    /// The report's version, as audit.toml gives it.
    pub version: String,
    /// The report's date, `YYYY-MM-DD`.
    pub date: String,
}

impl VersionRef {
    /// The version and date of an audit.
    pub fn of(audit: &Audit) -> Self {
        Self {
            version: audit.meta.version.clone(),
            date: audit.meta.date.to_string(),
        }
    }
}

impl DiffDocument<'_> {
    /// The document as `diff` prints it: indented JSON and a newline.
    pub fn text(&self) -> String {
        serde_json::to_string_pretty(self).expect("changes serialise") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_is_spelt_one_way_in_json_and_for_people() {
        for outcome in [Outcome::Ok, Outcome::Retry, Outcome::Errors, Outcome::Io] {
            let result = outcome.result();
            assert_eq!(
                serde_json::to_value(result).unwrap(),
                result.as_str(),
                "{outcome:?}"
            );
            assert_eq!(outcome.word(), result.as_str());
        }
    }
}

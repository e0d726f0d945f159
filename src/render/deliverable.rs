//! The deliverables a report is exported to: one variant each, and the one
//! place that hands each its input.
//!
//! A new format is one module and one variant. The module receives the
//! typeset document (paged formats) or only the view (formats that lay out
//! their own text) and returns bytes; the pipeline names, claims, writes and
//! records the file (`Built::outputs`), and `--emit` and the batch summary
//! need nothing more. A Word document, for example:
//!
//! ```text
//! // src/render/docx.rs
//! //! The Word deliverable: the view's content tree as WordprocessingML.
//! use super::{ExportSettings, Exported};
//! use crate::view::View;
//!
//! /// Writes the report as a .docx: one heading and body per finding.
//! pub fn export_docx(view: &View, _settings: &ExportSettings) -> Exported {
//!     let mut doc = Document::new(&view.report.title);
//!     for finding in &view.findings {
//!         doc.heading(2, &format!("{} {}", finding.id, finding.title));
//!         doc.blocks(&finding.description);
//!     }
//!     Ok(doc.zip())
//! }
//!
//! // here: `Docx` in the enum and in `ALL` (which gives `--format` its
//! // name), "docx" in `extension`, false in `needs_pages`, and
//! // `Deliverable::Docx => docx::export_docx(view, settings)` in `export`.
//! // A format that lays out its own text reads the style's files and the
//! // images from `Resources` (`resources.get("/assets/0.png")`).
//! ```

use typst::diag::SourceDiagnostic;

use super::{ExportSettings, Resources, Typeset, docx, html, pdf};
use crate::view::View;

/// What a deliverable's export gives: its bytes and warnings, or errors at
/// their places (in the templates, through [`Typeset::report`]).
pub type Exported = Result<Output, Vec<SourceDiagnostic>>;

/// A deliverable's bytes, and what its export warns of.
pub struct Output {
    /// The file's contents.
    pub bytes: Vec<u8>,
    /// Warnings, each with the file it is about.
    pub warnings: Vec<Warning>,
}

impl From<Vec<u8>> for Output {
    fn from(bytes: Vec<u8>) -> Self {
        Self {
            bytes,
            warnings: Vec::new(),
        }
    }
}

/// A warning of an export: a file of the style folder it is about, what
/// is wrong and what to do.
pub struct Warning {
    /// The file, as diagnostics show it.
    pub file: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
}

/// A document format a report is delivered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Deliverable {
    /// The report PDF, laid out by the templates.
    Pdf,
    /// One self-contained HTML5 page, from the view through the HTML templates.
    Html,
    /// A Word document written from the view (`docx`).
    Docx,
}

impl Deliverable {
    /// Every format, in the order a build writes them (`--format` lists
    /// them in any order): the PDF first, whose name `-o` gives.
    pub const ALL: &'static [Deliverable] =
        &[Deliverable::Pdf, Deliverable::Html, Deliverable::Docx];

    /// Its name on the command line (`--format pdf,html`): its extension.
    pub fn name(self) -> &'static str {
        self.extension()
    }

    /// The format of a `--format` name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The file name extension of its files, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Deliverable::Pdf => "pdf",
            Deliverable::Html => "html",
            Deliverable::Docx => "docx",
        }
    }

    /// Whether its export reads the typeset pages, not the view alone.
    pub fn needs_pages(self) -> bool {
        match self {
            Deliverable::Pdf => true,
            Deliverable::Html => false,
            Deliverable::Docx => false,
        }
    }

    /// Exports a report into this format. `doc` is the typeset report when
    /// a format asked for pages ([`Deliverable::needs_pages`]); `resources`
    /// the template files and images a format that lays out its own text reads.
    pub fn export(
        self,
        view: &View,
        doc: Option<&Typeset>,
        resources: &Resources,
        settings: &ExportSettings,
    ) -> Exported {
        match self {
            Deliverable::Pdf => pdf::export_pdf(
                doc.expect("the pages of a paged format are typeset"),
                view,
                settings,
            ),
            Deliverable::Html => html::export_html(view, resources, settings),
            Deliverable::Docx => Ok(docx_output(view, resources, settings)),
        }
    }
}

/// The Word document, and a warning for each style it uses that the style
/// folder's reference.docx lacks.
fn docx_output(view: &View, resources: &Resources, settings: &ExportSettings) -> Output {
    let reference = settings.docx_reference.as_deref();
    let date = document_date(view, settings.source_date_epoch);
    let images = &resources.images;
    let doc = docx::export_docx(view, images, reference.map(|r| &r.styles), &date);
    let warnings = reference.map_or_else(Vec::new, |r| {
        doc.missing
            .iter()
            .map(|style| Warning {
                file: r.path.clone(),
                message: format!(
                    "{} has no style \"{style}\", which the Word document uses; auditpress's own is used",
                    r.path
                ),
                hint: format!("add a style named \"{style}\" to the reference document"),
            })
            .collect()
    });
    Output {
        bytes: doc.bytes,
        warnings,
    }
}

/// The date of a document's properties: SOURCE_DATE_EPOCH when given, else
/// midnight of the report's date, so that a rebuild gives the same bytes.
fn document_date(view: &View, epoch: Option<i64>) -> String {
    let from_epoch = epoch
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        });
    from_epoch.unwrap_or_else(|| format!("{}T00:00:00Z", view.report.date.iso))
}

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

use super::{ExportSettings, Resources, Typeset, html, pdf};
use crate::view::View;

/// What a deliverable's export gives: its bytes, or errors at their places
/// (in the templates, through [`Typeset::report`]).
pub type Exported = Result<Vec<u8>, Vec<SourceDiagnostic>>;

/// A document format a report is delivered in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Deliverable {
    /// The report PDF, laid out by the templates.
    Pdf,
    /// One self-contained HTML5 page, from the view through the HTML templates.
    Html,
}

impl Deliverable {
    /// Every format, in the order a build writes them (`--format` lists
    /// them in any order): the PDF first, whose name `-o` gives.
    pub const ALL: &'static [Deliverable] = &[Deliverable::Pdf, Deliverable::Html];

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
        }
    }

    /// Whether its export reads the typeset pages, not the view alone.
    pub fn needs_pages(self) -> bool {
        match self {
            Deliverable::Pdf => true,
            Deliverable::Html => false,
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
        }
    }
}

//! The PDF deliverable: the typeset pages exported by typst-pdf, with a
//! stable identifier and date so that the same inputs give the same bytes.

use typst::foundations::{Datetime, Smart};
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use super::{ExportSettings, Exported, Typeset};
use crate::view::View;

/// Exports the typeset report as PDF, conforming to the standards asked for.
pub fn export_pdf(doc: &Typeset, view: &View, settings: &ExportSettings) -> Exported {
    let options = PdfOptions {
        ident: Smart::Custom(format!("{}/{}", view.report.title, view.report.version)),
        creator: Smart::Custom(Some(format!("auditpress {}", env!("CARGO_PKG_VERSION")))),
        timestamp: Some(timestamp(settings.source_date_epoch, doc.today)),
        standards: PdfStandards::new(&settings.standards)
            .expect("standards were validated with the arguments"),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&doc.doc, &options)
        .map(Into::into)
        .map_err(|errors| errors.to_vec())
}

/// Chooses the PDF timestamp: SOURCE_DATE_EPOCH when given, else midnight of the report date.
fn timestamp(epoch: Option<i64>, date: Datetime) -> Timestamp {
    let datetime = epoch
        .and_then(|secs| time::OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|t| {
            Datetime::from_ymd_hms(
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
        })
        .or_else(|| Datetime::from_ymd_hms(date.year()?, date.month()?, date.day()?, 0, 0, 0))
        .unwrap_or(date);
    Timestamp::new_utc(datetime)
}

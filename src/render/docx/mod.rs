//! The Word deliverable: the view and its content tree as WordprocessingML,
//! zipped into a .docx, in the PDF's order, with its headings, numbers,
//! fixed texts and colours.
//!
//! Written here rather than with a Word library: the document needs a few
//! dozen elements, every one of which must carry what a reader of the
//! screen needs (a unique id and the alternative text of each picture), and
//! the zip and XML crates are already built for typst and harper. Every
//! string of the view reaches the XML through `xml::escape`.
//!
//! The styles are auditpress's, or a style folder's `reference.docx`'s by
//! name (`styles`), as pandoc's reference document works.

mod body;
mod findings;
mod package;
mod report;
mod styles;
mod xml;

use body::Writer;
use report::Report;
pub use styles::Reference;
use styles::{ACCENT, StyleMap};
use xml::runs;

use crate::model::{Asset, Paper};
use crate::view::View;

/// A Word document, and the styles it uses that the reference lacks (by
/// the names Word shows), which it defines itself.
pub struct Docx {
    /// The .docx file.
    pub bytes: Vec<u8>,
    /// Styles of the document the reference document has no style of.
    pub missing: Vec<String>,
}

/// Writes the report as a Word document: the cover, the contents (a field
/// Word fills on opening), then every section; `images` are the view's
/// pictures, `date` the documents' date (`2026-05-12T00:00:00Z`).
pub fn export_docx(
    view: &View,
    images: &[Asset],
    reference: Option<&Reference>,
    date: &str,
) -> Docx {
    let styles = StyleMap::new(reference);
    let label = view
        .strings
        .get("figure.label")
        .cloned()
        .unwrap_or_default();
    let mut report = Report::new(Writer::new(styles, images, label), view);
    report.sections();
    let body = std::mem::take(&mut report.body);
    let cover = cover(&mut report);
    let contents = contents(&mut report);
    let footer = footer(&mut report);
    let Report { w, entries: _, .. } = report;
    let page = page_setup(view.report.paper);
    let cover_end = w_sect(&page, false);
    let mut w = w;
    let section_break = w_p_with_sect(&cover_end);
    let body = format!(
        "{cover}{section_break}{contents}{body}{}",
        w_sect(&page, true)
    );
    let parts = package::Parts {
        body,
        styles: w.styles.part(),
        numbering: package::numbering(&w.lists),
        footnotes: std::mem::take(&mut w.footnotes),
        footer,
        rels: std::mem::take(&mut w.rels),
        media: std::mem::take(&mut w.media),
        title: format!("{} {}", view.report.title, view.report.subtitle),
        creator: view.report.vendor.clone(),
        date: date.to_string(),
        lang: view.lang.clone(),
    };
    let missing = w.styles.missing();
    Docx {
        bytes: package::zip(parts),
        missing,
    }
}

/// The page size and margins of the PDF: a 6-inch column on either paper.
fn page_setup(paper: Paper) -> String {
    let (w, h) = match paper {
        Paper::A4 => (11906, 16838),
        _ => (12240, 15840),
    };
    let x = (w - 8640) / 2;
    format!(
        "<w:pgSz w:w=\"{w}\" w:h=\"{h}\"/><w:pgMar w:top=\"1224\" w:right=\"{x}\" w:bottom=\"1368\" w:left=\"{x}\" w:header=\"600\" w:footer=\"600\" w:gutter=\"0\"/>"
    )
}

/// A section's properties: the cover's has no footer; the body's has the
/// footer and numbers its pages from 1, as the PDF does.
fn w_sect(page: &str, body: bool) -> String {
    if body {
        format!(
            "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rId5\"/>{page}<w:pgNumType w:start=\"1\"/></w:sectPr>"
        )
    } else {
        format!("<w:sectPr><w:type w:val=\"nextPage\"/>{page}</w:sectPr>")
    }
}

fn w_p_with_sect(sect: &str) -> String {
    format!("<w:p><w:pPr><w:spacing w:after=\"0\"/>{sect}</w:pPr></w:p>")
}

/// A cell of the cover's band: the accent colour, white text.
fn band_cell(body: &str, width: u32, span: u32, valign: &str) -> String {
    let span = if span > 1 {
        format!("<w:gridSpan w:val=\"{span}\"/>")
    } else {
        String::new()
    };
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{span}<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{ACCENT}\"/><w:vAlign w:val=\"{valign}\"/></w:tcPr>{body}</w:tc>"
    )
}

/// The cover: a band of the accent colour with the firm, the marking, the
/// title and the kind of report; then version, date, engagement and client;
/// then who it was prepared for and by.
fn cover(r: &mut Report) -> String {
    let v = r.view;
    let rep = &v.report;
    let marking = if rep.draft {
        r.tr("mark.draft-classification")
    } else {
        rep.classification.clone()
    };
    let white =
        "<w:b/><w:caps/><w:color w:val=\"FFFFFF\"/><w:spacing w:val=\"10\"/><w:sz w:val=\"18\"/>";
    let vendor = r.w.p(
        None,
        "<w:spacing w:after=\"0\"/>",
        &runs(&rep.vendor, white),
    );
    let stamp = r.w.p(
        None,
        "<w:spacing w:after=\"0\"/><w:jc w:val=\"right\"/>",
        &runs(&marking, white),
    );
    let title = r.w.p(Some("Title"), "", &runs(&rep.title, ""));
    let subtitle = r.w.p(Some("Subtitle"), "", &runs(&rep.subtitle, ""));
    let band = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:top w:w=\"360\" w:type=\"dxa\"/><w:left w:w=\"360\" w:type=\"dxa\"/><w:bottom w:w=\"360\" w:type=\"dxa\"/><w:right w:w=\"360\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"5760\"/><w:gridCol w:w=\"2880\"/></w:tblGrid><w:tr>{}{}</w:tr><w:tr><w:trPr><w:trHeight w:val=\"4200\" w:hRule=\"atLeast\"/></w:trPr>{}</w:tr></w:tbl>",
        band_cell(&vendor, 5760, 1, "top"),
        band_cell(&stamp, 2880, 1, "top"),
        band_cell(&format!("{title}{subtitle}"), 8640, 2, "bottom")
    );
    let mut out = band;
    out.push_str(&r.w.p(None, "<w:spacing w:before=\"480\" w:after=\"0\"/>", ""));
    let mut rows = vec![
        (r.tr("cover.version"), rep.version.clone()),
        (r.tr("cover.date"), rep.date.long.clone()),
    ];
    if rep
        .engagement
        .as_ref()
        .is_some_and(|e| e.start.is_some() && e.end.is_some())
    {
        rows.push((r.tr("cover.engagement"), r.tr("cover.period")));
    }
    if rep.client != rep.title {
        rows.push((r.tr("cover.client"), rep.client.clone()));
    }
    for (label, value) in rows {
        let body = format!(
            "{}{}",
            runs(&format!("{label}\t"), ""),
            runs(&value, "<w:sz w:val=\"22\"/>")
        );
        let ppr =
            "<w:tabs><w:tab w:val=\"left\" w:pos=\"1800\"/></w:tabs><w:spacing w:after=\"160\"/>";
        let p = r.w.p(
            Some("CoverLabel"),
            ppr,
            &body.replacen("<w:r><w:t", "<w:r><w:rPr><w:caps/></w:rPr><w:t", 1),
        );
        out.push_str(&p);
    }
    out.push_str(&r.w.p(None, "<w:spacing w:before=\"1440\" w:after=\"0\"/>", ""));
    for (label, people) in [
        ("cover.prepared-for", &rep.prepared_for),
        ("cover.prepared-by", &rep.prepared_by),
    ] {
        if people.is_empty() {
            continue;
        }
        out.push_str(&r.w.p(
            Some("CoverLabel"),
            "<w:keepNext/><w:spacing w:before=\"240\"/>",
            &runs(&r.tr(label), ""),
        ));
        for person in people {
            out.push_str(&r.w.p(None, "<w:spacing w:after=\"40\"/>", &runs(person, "")));
        }
    }
    out
}

/// The contents: a TOC field that Word fills (with page numbers) on
/// opening, as settings.xml asks; until then, and in readers that do not
/// update fields, the headings linked to their places.
fn contents(r: &mut Report) -> String {
    let title = r.tr("section.contents");
    let mut out = r.w.p(Some("TOCHeading"), "", &runs(&title, ""));
    let entries: Vec<_> = r
        .entries
        .iter()
        .filter(|e| e.level <= 2)
        .map(|e| (e.level, e.text.clone(), e.bookmark.clone()))
        .collect();
    let begin = "<w:r><w:fldChar w:fldCharType=\"begin\" w:dirty=\"true\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"1-2\" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>";
    let end = "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>";
    let count = entries.len();
    if count == 0 {
        out.push_str(&r.w.p(Some("TOC1"), "", &format!("{begin}{end}")));
        return out;
    }
    for (i, (level, text, mark)) in entries.into_iter().enumerate() {
        let link = r.w.goto(&mark, &runs(&text, ""));
        let mut body = String::new();
        if i == 0 {
            body.push_str(begin);
        }
        body.push_str(&link);
        if i + 1 == count {
            body.push_str(end);
        }
        let style = if level == 1 { "TOC1" } else { "TOC2" };
        out.push_str(&r.w.p(Some(style), "", &body));
    }
    out
}

/// The footer of the body's pages: the firm, the marking and the title
/// with the page number, as the PDF's.
fn footer(r: &mut Report) -> String {
    let rep = &r.view.report;
    let marking = if rep.draft {
        r.tr("mark.draft-classification")
    } else {
        rep.classification.clone()
    };
    let body = format!(
        "{}{}{}<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType=\"end\"/></w:r>",
        runs(&format!("{}\t", rep.vendor), ""),
        runs(
            &format!("{marking}\t"),
            &format!("<w:b/><w:color w:val=\"{ACCENT}\"/>")
        ),
        runs(&format!("{} {}    ", rep.title, rep.subtitle), ""),
    );
    r.w.p(Some("Footer"), "", &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::path::Path;

    /// The example's Word document, written with auditpress's styles.
    fn example(dir: &str) -> Vec<u8> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded = crate::load::load(&root.join(dir)).expect("the example loads");
        let audit = loaded.audit.expect("the example has no errors");
        let view = View::new(&audit, crate::view::ViewOptions::default());
        let doc = export_docx(&view, &audit.assets, None, "2026-01-01T00:00:00Z");
        if let Some(out) = std::env::var_os("AUDITPRESS_DOCX_OUT") {
            let name = dir.replace('/', "-");
            std::fs::write(Path::new(&out).join(format!("{name}.docx")), &doc.bytes).unwrap();
        }
        doc.bytes
    }

    #[test]
    fn every_part_is_well_formed_xml_and_the_same_on_a_rebuild() {
        for dir in [
            "data/example",
            "data/examples/smart-contract",
            "data/examples/pentest",
        ] {
            let bytes = example(dir);
            assert_eq!(bytes, example(dir), "{dir}: a rebuild gives other bytes");
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
            for i in 0..zip.len() {
                let mut file = zip.by_index(i).unwrap();
                let name = file.name().to_string();
                if !name.ends_with(".xml") && !name.ends_with(".rels") {
                    continue;
                }
                let mut text = String::new();
                file.read_to_string(&mut text).unwrap();
                if let Err(e) = roxmltree::Document::parse(&text) {
                    panic!("{dir}: {name} is not XML: {e}");
                }
            }
        }
    }
}

#[cfg(test)]
mod reference_tests {
    use super::*;
    use std::io::{Read, Write};
    use std::path::Path;

    /// A reference document whose styles part is `styles`.
    fn reference(styles: &str) -> Reference {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("word/styles.xml", options).unwrap();
        zip.write_all(styles.as_bytes()).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        Reference::read(&bytes).unwrap()
    }

    fn styles_of(docx: &[u8]) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut text = String::new();
        zip.by_name("word/styles.xml")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    fn build(reference: Option<&Reference>) -> Docx {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let audit = crate::load::load(&root.join("data/example"))
            .unwrap()
            .audit
            .unwrap();
        let view = View::new(&audit, crate::view::ViewOptions::default());
        export_docx(&view, &audit.assets, reference, "2026-01-01T00:00:00Z")
    }

    #[test]
    fn a_reference_document_gives_its_styles_and_names_each_it_lacks_once() {
        let own = styles_of(&build(None).bytes);
        // Heading 1 in another font, under a German Word's id.
        let changed = own
            .replacen(
                "w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/>",
                "w:styleId=\"berschrift1\"><w:name w:val=\"heading 1\"/><w:rPr><w:rFonts w:ascii=\"Georgia\" w:hAnsi=\"Georgia\"/></w:rPr>",
                1,
            );
        let doc = build(Some(&reference(&changed)));
        assert!(doc.missing.is_empty(), "{:?}", doc.missing);
        assert!(styles_of(&doc.bytes).contains("Georgia"));
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&doc.bytes)).unwrap();
        let mut body = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut body)
            .unwrap();
        assert!(body.contains("<w:pStyle w:val=\"berschrift1\"/>"));
        assert!(!body.contains("<w:pStyle w:val=\"Heading1\"/>"));
        // Without the code style: one warning for it, however often it is used.
        let start = own
            .find("<w:style w:type=\"paragraph\" w:styleId=\"SourceCode\"")
            .unwrap();
        let end = start + own[start..].find("</w:style>").unwrap() + "</w:style>".len();
        let lacking = format!("{}{}", &own[..start], &own[end..]);
        let doc = build(Some(&reference(&lacking)));
        assert_eq!(doc.missing, vec!["Source Code".to_string()]);
        // The document defines it itself.
        assert!(styles_of(&doc.bytes).contains("w:styleId=\"SourceCode\""));
    }

    #[test]
    fn a_file_that_is_no_word_document_is_refused() {
        let e = Reference::read(b"not a zip").err().unwrap();
        assert!(e.starts_with("is not a Word document"), "{e}");
    }
}

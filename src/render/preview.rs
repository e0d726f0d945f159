//! The live preview's pages: each page as SVG, with a hash to tell which
//! changed, and the outline of the report's headings with their pages.

use typst::foundations::{NativeElement, Selector};
use typst::introspection::Introspector;
use typst::model::HeadingElem;
use typst_layout::PagedDocument;

/// The pages and outline of a rendered report, for the preview.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Preview {
    /// Each page as an SVG document.
    pub pages: Vec<String>,
    /// Hashes of the pages, to send only those that changed.
    pub hashes: Vec<String>,
    /// The headings of the report, in order.
    pub outline: Vec<OutlineEntry>,
}

/// A heading of the report and where it is.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct OutlineEntry {
    /// 1 for sections, 2 for their parts.
    pub level: usize,
    /// The heading's text.
    pub title: String,
    /// Its page, from 1.
    pub page: usize,
}

/// Renders every page of a document as SVG and reads its outline.
pub fn preview(doc: &PagedDocument) -> Preview {
    let options = typst_svg::SvgOptions::default();
    let pages: Vec<String> = doc
        .pages()
        .iter()
        .map(|p| typst_svg::svg(p, &options))
        .collect();
    let hashes = pages
        .iter()
        .map(|svg| {
            // FNV-1a: stable across processes, unlike the standard hasher's seeds.
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for b in svg.bytes() {
                hash ^= u64::from(b);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
            format!("{hash:016x}")
        })
        .collect();
    let introspector = doc.introspector();
    let outline = introspector
        .query(&Selector::Elem(HeadingElem::ELEM, None))
        .iter()
        .filter_map(|content| {
            let heading = content.to_packed::<HeadingElem>()?;
            let page = introspector.position(content.location()?)?.page.get();
            Some(OutlineEntry {
                level: heading
                    .resolve_level(typst::foundations::StyleChain::default())
                    .get(),
                title: heading.body.plain_text().to_string(),
                page,
            })
        })
        .collect();
    Preview {
        pages,
        hashes,
        outline,
    }
}

//! The live preview's pages: each page as SVG, with a hash to tell which
//! changed, and the outline of the report's headings with their pages. A
//! process renders and sends a page only when its hash is new.

use std::collections::HashSet;
use std::sync::Mutex;

use typst::foundations::{NativeElement, Selector};
use typst::introspection::Introspector;
use typst::model::HeadingElem;
use typst_layout::PagedDocument;

/// The pages and outline of a rendered report, for the preview.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Preview {
    /// The hash of each page, in order.
    pub hashes: Vec<String>,
    /// The pages this process has not rendered before, as (hash, SVG): an
    /// edit sends only the pages it changed.
    pub new_pages: Vec<(String, String)>,
    /// The headings of the report that the PDF's bookmarks hold, in order.
    pub outline: Vec<OutlineEntry>,
    /// The width and height of each page, in points: the browser sizes
    /// each page before its picture arrives.
    #[serde(default)]
    pub sizes: Vec<[f64; 2]>,
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
    /// How far down its page it is, in points.
    #[serde(default)]
    pub y: f64,
}

/// The hashes of the pages this process rendered for the last preview.
static RENDERED: Mutex<Option<HashSet<u128>>> = Mutex::new(None);

/// Renders the pages of a typeset report that changed since the last
/// preview as SVG, and reads its outline.
pub fn preview(typeset: &super::Typeset) -> Preview {
    let doc = &typeset.doc;
    let hashes = page_hashes(doc);
    let mut rendered = RENDERED.lock().unwrap_or_else(|e| e.into_inner());
    let known = rendered.get_or_insert_with(HashSet::new);
    let options = typst_svg::SvgOptions::default();
    let new_pages = doc
        .pages()
        .iter()
        .zip(&hashes)
        .filter(|(_, h)| !known.contains(*h))
        .map(|(page, h)| (format!("{h:032x}"), typst_svg::svg(page, &options)))
        .collect();
    *known = hashes.iter().copied().collect();
    drop(rendered);
    let introspector = doc.introspector();
    let outline = introspector
        .query(&Selector::Elem(HeadingElem::ELEM, None))
        .iter()
        .filter_map(|content| {
            let heading = content.to_packed::<HeadingElem>()?;
            // The PDF's bookmarks, as typst-pdf picks them: `bookmarked`,
            // else `outlined` (the contents' own heading is neither).
            let styles = typst::foundations::StyleChain::default();
            let bookmarked = heading
                .bookmarked
                .get(styles)
                .unwrap_or_else(|| heading.outlined.get(styles));
            if !bookmarked {
                return None;
            }
            let position = introspector.position(content.location()?)?;
            Some(OutlineEntry {
                level: heading
                    .resolve_level(typst::foundations::StyleChain::default())
                    .get(),
                title: heading.body.plain_text().to_string(),
                page: position.page.get(),
                y: position.point.y.to_pt(),
            })
        })
        .collect();
    let sizes = doc
        .pages()
        .iter()
        .map(|page| {
            let size = page.frame.size();
            [size.x.to_pt(), size.y.to_pt()]
        })
        .collect();
    Preview {
        hashes: hashes.iter().map(|h| format!("{h:032x}")).collect(),
        new_pages,
        outline,
        sizes,
    }
}

/// The hash of each page, computed on every core: hashing the pages of a
/// 200-finding report takes 7 to 14 ms on one, most of the preview's time.
fn page_hashes(doc: &PagedDocument) -> Vec<u128> {
    let pages = doc.pages();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = pages.len().div_ceil(cores).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> = pages
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(typst::utils::hash128)
                        .collect::<Vec<u128>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().expect("hashing a page does not panic"))
            .collect()
    })
}

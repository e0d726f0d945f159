//! The body's building blocks: paragraphs, runs, tables, lists, pictures,
//! links and footnotes, and the content tree written with them.

use std::collections::BTreeMap;
use std::io::Cursor;

use super::styles::{HIGHLIGHT, MUTED, RULE, StyleMap};
use super::xml::{bookmark, escape, runs, safe_url};
use crate::content::{Block, Figure, Inline, ListItem};
use crate::model::Asset;

/// The width of the text column in twentieths of a point: 6 inches, as
/// the PDF's measure.
pub const TEXT_WIDTH: u32 = 8640;

/// A relationship of the document part beside the fixed ones.
pub struct Rel {
    pub id: String,
    pub kind: &'static str,
    pub target: String,
    pub external: bool,
}

/// A picture file of the package.
pub struct Media {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A cell of a table: its paragraphs, the length of its text (for the
/// column widths), its alignment and its shading.
pub struct Cell {
    pub xml: String,
    pub len: usize,
    pub span: u32,
}

/// Formatting that runs inherit from what holds them.
#[derive(Clone, Copy, Default)]
pub struct Fmt {
    bold: bool,
    italic: bool,
    strike: bool,
    code: bool,
    link: bool,
}

/// How the paragraphs of a run of blocks are set: their style and indent.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub style: Option<&'static str>,
    pub indent: u32,
    pub depth: u32,
}

impl Ctx {
    /// Body text.
    pub const BODY: Ctx = Ctx {
        style: None,
        indent: 0,
        depth: 0,
    };
}

/// The document being written: everything the body refers to.
pub struct Writer<'a> {
    pub styles: StyleMap<'a>,
    images: &'a [Asset],
    pub rels: Vec<Rel>,
    pub media: Vec<Media>,
    pictures_by_src: BTreeMap<String, (String, u32, u32)>,
    links: BTreeMap<String, String>,
    pub footnotes: Vec<String>,
    pictures: u32,
    bookmarks: u32,
    /// Each list's kind and first number, its `w:num` the position plus one.
    pub lists: Vec<(bool, u64)>,
    /// The figure label, e.g. `Figure`.
    pub figure_label: String,
    /// The chapter number figures numbered by chapter take.
    pub chapter: String,
}

impl<'a> Writer<'a> {
    /// A writer whose pictures come from `images`.
    pub fn new(styles: StyleMap<'a>, images: &'a [Asset], figure_label: String) -> Self {
        Self {
            styles,
            images,
            rels: Vec::new(),
            media: Vec::new(),
            pictures_by_src: BTreeMap::new(),
            links: BTreeMap::new(),
            footnotes: Vec::new(),
            pictures: 0,
            bookmarks: 0,
            lists: Vec::new(),
            figure_label,
            chapter: String::new(),
        }
    }

    fn rel(&mut self, kind: &'static str, target: String, external: bool) -> String {
        let id = format!("rId{}", 100 + self.rels.len());
        self.rels.push(Rel {
            id: id.clone(),
            kind,
            target,
            external,
        });
        id
    }

    /// A paragraph of a style (none: Normal) with more paragraph
    /// properties and its runs.
    pub fn p(&mut self, style: Option<&'static str>, ppr: &str, body: &str) -> String {
        let style = style.map_or(String::new(), |s| {
            format!("<w:pStyle w:val=\"{}\"/>", escape(&self.styles.id(s)))
        });
        if style.is_empty() && ppr.is_empty() {
            format!("<w:p>{body}</w:p>")
        } else {
            format!("<w:p><w:pPr>{style}{ppr}</w:pPr>{body}</w:p>")
        }
    }

    /// A run in a character style.
    pub fn styled(&mut self, style: &'static str, text: &str) -> String {
        let id = self.styles.id(style);
        runs(text, &format!("<w:rStyle w:val=\"{}\"/>", escape(&id)))
    }

    /// A coloured label for a level of a scale, as the PDF's pills.
    pub fn badge(&mut self, name: &str, colour: &str) -> String {
        let id = self.styles.id("LevelLabel");
        let fill = colour.trim_start_matches('#').to_ascii_uppercase();
        let fill: String = fill
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(6)
            .collect();
        runs(
            &format!("\u{a0}{name}\u{a0}"),
            &format!(
                "<w:rStyle w:val=\"{}\"/><w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{fill}\"/>",
                escape(&id)
            ),
        )
    }

    /// Runs linked to a URL, or the runs alone when the URL may not be a link.
    pub fn link(&mut self, url: &str, body: &str) -> String {
        if !safe_url(url) {
            return body.to_string();
        }
        let id = match self.links.get(url) {
            Some(id) => id.clone(),
            None => {
                let id = self.rel("hyperlink", url.to_string(), true);
                self.links.insert(url.to_string(), id.clone());
                id
            }
        };
        format!("<w:hyperlink r:id=\"{id}\" w:history=\"1\">{body}</w:hyperlink>")
    }

    /// Runs linked to a bookmark of the document.
    pub fn goto(&mut self, name: &str, body: &str) -> String {
        format!(
            "<w:hyperlink w:anchor=\"{}\" w:history=\"1\">{body}</w:hyperlink>",
            escape(&bookmark(name))
        )
    }

    /// Text in the Hyperlink style linked to a URL, or plain when it may not be.
    pub fn link_text(&mut self, url: &str, text: &str) -> String {
        if !safe_url(url) {
            return runs(text, "");
        }
        let body = self.styled("Hyperlink", text);
        self.link(url, &body)
    }

    /// A bookmark around runs.
    pub fn bookmarked(&mut self, name: &str, body: &str) -> String {
        self.bookmarks += 1;
        let id = self.bookmarks;
        format!(
            "<w:bookmarkStart w:id=\"{id}\" w:name=\"{}\"/>{body}<w:bookmarkEnd w:id=\"{id}\"/>",
            escape(&bookmark(name))
        )
    }

    /// Inline content as runs.
    pub fn inlines(&mut self, list: &[Inline], fmt: Fmt) -> String {
        list.iter().map(|i| self.inline(i, fmt)).collect()
    }

    fn rpr(&mut self, fmt: Fmt) -> String {
        let mut out = String::new();
        if fmt.link {
            out.push_str(&format!(
                "<w:rStyle w:val=\"{}\"/>",
                escape(&self.styles.id("Hyperlink"))
            ));
        } else if fmt.code {
            out.push_str(&format!(
                "<w:rStyle w:val=\"{}\"/>",
                escape(&self.styles.id("VerbatimChar"))
            ));
        }
        if fmt.code && fmt.link {
            out.push_str("<w:rFonts w:ascii=\"Consolas\" w:hAnsi=\"Consolas\" w:cs=\"Consolas\"/><w:noProof/>");
        }
        if fmt.bold {
            out.push_str("<w:b/>");
        }
        if fmt.italic {
            out.push_str("<w:i/>");
        }
        if fmt.strike {
            out.push_str("<w:strike/>");
        }
        out
    }

    fn inline(&mut self, inline: &Inline, fmt: Fmt) -> String {
        match inline {
            Inline::Text { text } => {
                let rpr = self.rpr(fmt);
                runs(text, &rpr)
            }
            Inline::Code { text, url } => {
                let linked = url.as_deref().filter(|u| !fmt.link && safe_url(u));
                let rpr = self.rpr(Fmt {
                    code: true,
                    link: fmt.link || linked.is_some(),
                    ..fmt
                });
                let r = runs(text, &rpr);
                match linked {
                    Some(u) => self.link(u, &r),
                    None => r,
                }
            }
            Inline::Emph { content } => self.inlines(
                content,
                Fmt {
                    italic: true,
                    ..fmt
                },
            ),
            Inline::Strong { content } => self.inlines(content, Fmt { bold: true, ..fmt }),
            Inline::Strike { content } => self.inlines(
                content,
                Fmt {
                    strike: true,
                    ..fmt
                },
            ),
            Inline::Link { url, content } if !fmt.link && safe_url(url) => {
                let body = self.inlines(content, Fmt { link: true, ..fmt });
                self.link(url, &body)
            }
            Inline::Link { content, .. } => self.inlines(content, fmt),
            Inline::FindingRef { id } if !fmt.link => {
                let rpr = self.rpr(Fmt { link: true, ..fmt });
                let r = runs(id, &rpr);
                self.goto(&format!("finding-{id}"), &r)
            }
            Inline::FindingRef { id } => {
                let rpr = self.rpr(fmt);
                runs(id, &rpr)
            }
            Inline::Image { src, alt } => self.picture(src, alt, Some(200_000)),
            Inline::Break => "<w:r><w:br/></w:r>".to_string(),
            Inline::Footnote { body } => self.footnote(body),
        }
    }

    /// A footnote's reference here, its text in the footnotes part.
    fn footnote(&mut self, body: &[Block]) -> String {
        let id = self.footnotes.len() + 1;
        let ref_style = escape(&self.styles.id("FootnoteReference"));
        let mark = format!(
            "<w:r><w:rPr><w:rStyle w:val=\"{ref_style}\"/></w:rPr><w:footnoteRef/></w:r><w:r><w:t xml:space=\"preserve\"> </w:t></w:r>"
        );
        // A reserved place, so that a footnote inside this one numbers after it.
        self.footnotes.push(String::new());
        let ctx = Ctx {
            style: Some("FootnoteText"),
            ..Ctx::BODY
        };
        let mut text = self.blocks(body, ctx);
        if text.is_empty() {
            text = self.p(Some("FootnoteText"), "", "");
        }
        // The mark goes into the first paragraph, after its properties.
        let at = text
            .find("</w:pPr>")
            .map(|i| i + "</w:pPr>".len())
            .or_else(|| text.find("<w:p>").map(|i| i + "<w:p>".len()))
            .unwrap_or(0);
        text.insert_str(at, &mark);
        self.footnotes[id - 1] = format!("<w:footnote w:id=\"{id}\">{text}</w:footnote>");
        format!(
            "<w:r><w:rPr><w:rStyle w:val=\"{ref_style}\"/></w:rPr><w:footnoteReference w:id=\"{id}\"/></w:r>"
        )
    }

    /// A picture of the document, at most `height` EMU high when given,
    /// else fitted to the text column; its alternative text as `descr`.
    /// A picture Word cannot show is its alternative text in brackets.
    pub fn picture(&mut self, src: &str, alt: &str, height: Option<u32>) -> String {
        let Some((rid, w, h)) = self.media_for(src) else {
            return runs(&format!("[{alt}]"), "<w:i/>");
        };
        let (mut cx, mut cy) = (u64::from(w) * 9525, u64::from(h) * 9525);
        let (max_w, max_h) = match height {
            Some(h) => (u64::from(TEXT_WIDTH) * 635, u64::from(h)),
            None => (u64::from(TEXT_WIDTH) * 635, 6 * 914_400),
        };
        if cx > max_w {
            cy = (cy * max_w / cx).max(1);
            cx = max_w;
        }
        if cy > max_h {
            cx = (cx * max_h / cy).max(1);
            cy = max_h;
        }
        if let Some(h) = height.map(u64::from).filter(|h| cy < *h && cy > 0) {
            cx = cx * h / cy;
            cy = h;
        }
        self.pictures += 1;
        drawing(self.pictures, &rid, alt, cx, cy)
    }

    /// The relationship and size in pixels of an image of the view, added
    /// to the package once.
    fn media_for(&mut self, src: &str) -> Option<(String, u32, u32)> {
        if let Some(found) = self.pictures_by_src.get(src) {
            return Some(found.clone());
        }
        let asset = self.images.iter().find(|a| a.vpath == src)?;
        let ext = src
            .rsplit('.')
            .next()
            .filter(|e| matches!(*e, "png" | "jpg" | "jpeg"))?;
        let (w, h) = image::ImageReader::new(Cursor::new(&asset.bytes))
            .with_guessed_format()
            .ok()?
            .into_dimensions()
            .ok()?;
        let name = format!("image{}.{ext}", self.media.len() + 1);
        self.media.push(Media {
            name: name.clone(),
            bytes: asset.bytes.clone(),
        });
        let rid = self.rel("image", format!("media/{name}"), false);
        self.pictures_by_src
            .insert(src.to_string(), (rid.clone(), w, h));
        Some((rid, w, h))
    }

    /// Blocks, in a context.
    pub fn blocks(&mut self, list: &[Block], ctx: Ctx) -> String {
        list.iter().map(|b| self.block(b, ctx)).collect()
    }

    fn indent(ctx: Ctx) -> String {
        if ctx.indent > 0 {
            format!("<w:ind w:left=\"{}\"/>", ctx.indent)
        } else {
            String::new()
        }
    }

    fn block(&mut self, block: &Block, ctx: Ctx) -> String {
        match block {
            Block::Paragraph { content } => {
                let body = self.inlines(content, Fmt::default());
                self.p(ctx.style, &Self::indent(ctx), &body)
            }
            Block::Heading { content, .. } => {
                let body = self.inlines(content, Fmt::default());
                self.p(Some("MinorHeading"), &Self::indent(ctx), &body)
            }
            Block::Code {
                text,
                numbered,
                highlight,
                lines,
                figure,
                ..
            } => {
                let code = self.code(text, lines, *numbered, highlight, figure.is_some(), ctx);
                let caption = self.caption(figure.as_ref(), ctx);
                format!("{code}{caption}")
            }
            Block::Image { src, alt, figure } => {
                let pic = self.picture(src, alt, None);
                let keep = if figure.is_some() {
                    "<w:keepNext/>"
                } else {
                    ""
                };
                let p = self.p(None, &format!("{keep}<w:jc w:val=\"center\"/>"), &pic);
                let caption = self.caption(figure.as_ref(), ctx);
                format!("{p}{caption}")
            }
            Block::Quote { body } => self.blocks(
                body,
                Ctx {
                    style: Some("Quote"),
                    ..ctx
                },
            ),
            Block::List {
                ordered,
                start,
                items,
            } => self.list(*ordered, *start, items, ctx),
            Block::Table {
                align,
                header,
                rows,
            } => self.content_table(align, header, rows),
            Block::Rule => {
                let border = format!(
                    "<w:pBdr><w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"1\" w:color=\"{RULE}\"/></w:pBdr>"
                );
                self.p(None, &border, "")
            }
        }
    }

    /// A figure's caption: `Figure 4.1: ` and its text.
    pub fn caption(&mut self, figure: Option<&Figure>, ctx: Ctx) -> String {
        let Some(f) = figure else {
            return String::new();
        };
        let number = if f.chapter && !self.chapter.is_empty() {
            format!("{}.{}", self.chapter, f.number)
        } else {
            f.number.clone()
        };
        let label = runs(&format!("{} {number}: ", self.figure_label), "");
        let text = self.inlines(&f.caption, Fmt::default());
        self.p(
            Some("Caption"),
            &Self::indent(ctx),
            &format!("{label}{text}"),
        )
    }

    /// A code block: a paragraph per line in the code style, its number
    /// before it where the block has them, its shaded lines shaded; a line
    /// the PDF wrapped is one line, which Word wraps under its text.
    fn code(
        &mut self,
        text: &str,
        numbers: &[Option<u32>],
        numbered: bool,
        highlight: &[u32],
        figure: bool,
        ctx: Ctx,
    ) -> String {
        let lines = code_lines(text, numbers);
        let digits = lines
            .iter()
            .filter_map(|(n, _)| *n)
            .map(|n| n.to_string().len())
            .max()
            .unwrap_or(1)
            .max(2) as u32;
        let gutter = digits * 100 + 160;
        let count = lines.len();
        let mut out = String::new();
        for (i, (number, line)) in lines.iter().enumerate() {
            let mut ppr = String::new();
            if i + 1 < count && count <= 12 || i + 1 == count && figure {
                ppr.push_str("<w:keepNext/>");
            }
            if number.is_some_and(|n| highlight.contains(&n)) {
                ppr.push_str(&format!(
                    "<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{HIGHLIGHT}\"/>"
                ));
            }
            let after = if i + 1 == count && !figure { 160 } else { 0 };
            let before = if i == 0 { 120 } else { 0 };
            ppr.push_str(&format!(
                "<w:spacing w:before=\"{before}\" w:after=\"{after}\"/>"
            ));
            let mut body = String::new();
            if numbered {
                let left = ctx.indent + 120 + gutter;
                ppr.push_str(&format!(
                    "<w:tabs><w:tab w:val=\"left\" w:pos=\"{left}\"/></w:tabs><w:ind w:left=\"{left}\" w:hanging=\"{gutter}\"/>"
                ));
                let shown = number.map_or(String::new(), |n| n.to_string());
                body.push_str(&runs(
                    &format!("{shown}\t"),
                    &format!("<w:color w:val=\"{MUTED}\"/>"),
                ));
            } else if ctx.indent > 0 {
                ppr.push_str(&format!("<w:ind w:left=\"{}\"/>", ctx.indent + 120));
            }
            body.push_str(&runs(line, ""));
            out.push_str(&self.p(Some("SourceCode"), &ppr, &body));
        }
        out
    }

    /// A list: each item's first paragraph numbered or bulleted at its
    /// depth, its further blocks indented under it.
    fn list(&mut self, ordered: bool, start: u64, items: &[ListItem], ctx: Ctx) -> String {
        self.lists.push((ordered, start));
        let num = self.lists.len();
        let depth = ctx.depth.min(8);
        let inner = Ctx {
            style: ctx.style,
            indent: 360 * (depth + 1) + 360,
            depth: depth + 1,
        };
        let mut out = String::new();
        for item in items {
            let mark = match item.task {
                Some(true) => "\u{2612} ",
                Some(false) => "\u{2610} ",
                None => "",
            };
            let numbered = format!(
                "<w:numPr><w:ilvl w:val=\"{depth}\"/><w:numId w:val=\"{num}\"/></w:numPr><w:spacing w:after=\"60\"/>"
            );
            let (first, rest) = match item.body.split_first() {
                Some((Block::Paragraph { content }, rest)) => (Some(content), rest),
                _ => (None, &item.body[..]),
            };
            let mut body = runs(mark, "");
            if mark.is_empty() {
                body.clear();
            }
            if let Some(content) = first {
                body.push_str(&self.inlines(content, Fmt::default()));
            }
            out.push_str(&self.p(Some("ListParagraph"), &numbered, &body));
            out.push_str(&self.blocks(rest, inner));
        }
        out
    }

    /// A table of the content tree: its header repeated on every page, its
    /// columns aligned as written.
    fn content_table(
        &mut self,
        align: &[&str],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
    ) -> String {
        let cols = header
            .len()
            .max(rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        let cell = |w: &mut Self, i: usize, c: Option<&Vec<Inline>>| {
            let jc = match align.get(i).copied() {
                Some("center") => "<w:jc w:val=\"center\"/>",
                Some("right") => "<w:jc w:val=\"right\"/>",
                _ => "",
            };
            let content = c.map_or(&[][..], |c| &c[..]);
            let body = w.inlines(content, Fmt::default());
            Cell {
                xml: w.p(None, jc, &body),
                len: crate::content::plain(content).chars().count(),
                span: 1,
            }
        };
        let head: Vec<Cell> = (0..cols).map(|i| cell(self, i, header.get(i))).collect();
        let body: Vec<Vec<Cell>> = rows
            .iter()
            .map(|r| (0..cols).map(|i| cell(self, i, r.get(i))).collect())
            .collect();
        self.table("ReportTable", Some(head), body, None)
    }

    /// A table: the header row (repeated on each page) and the rows, its
    /// column widths from the length of their texts, or as given.
    pub fn table(
        &mut self,
        style: &'static str,
        header: Option<Vec<Cell>>,
        rows: Vec<Vec<Cell>>,
        widths: Option<Vec<u32>>,
    ) -> String {
        let cols = header
            .iter()
            .chain(&rows)
            .map(|r| r.iter().map(|c| c.span as usize).sum::<usize>())
            .max()
            .unwrap_or(1);
        let widths = widths.unwrap_or_else(|| column_widths(header.iter().chain(&rows), cols));
        let grid: String = widths
            .iter()
            .map(|w| format!("<w:gridCol w:w=\"{w}\"/>"))
            .collect();
        let style_id = escape(&self.styles.id(style));
        let first = if header.is_some() { 1 } else { 0 };
        let mut out = format!(
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"{style_id}\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblLayout w:type=\"fixed\"/><w:tblLook w:val=\"04A0\" w:firstRow=\"{first}\" w:lastRow=\"0\" w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"0\" w:noVBand=\"1\"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
        );
        if let Some(h) = header {
            out.push_str(&row(
                &h,
                &widths,
                "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
            ));
        }
        for r in &rows {
            out.push_str(&row(r, &widths, "<w:trPr><w:cantSplit/></w:trPr>"));
        }
        out.push_str("</w:tbl>");
        // A paragraph after the table keeps it apart from what follows.
        out.push_str(&self.p(None, "<w:spacing w:before=\"0\" w:after=\"120\"/>", ""));
        out
    }

    /// A new picture id, for a picture drawn elsewhere (the chart).
    pub fn drawing(&mut self, rid: &str, alt: &str, cx: u64, cy: u64) -> String {
        self.pictures += 1;
        drawing(self.pictures, rid, alt, cx, cy)
    }

    /// Adds a picture file to the package and returns its relationship.
    pub fn add_media(&mut self, name: String, bytes: Vec<u8>) -> String {
        self.media.push(Media {
            name: name.clone(),
            bytes,
        });
        self.rel("image", format!("media/{name}"), false)
    }
}

/// A row of cells, each as wide as its columns.
fn row(cells: &[Cell], widths: &[u32], trpr: &str) -> String {
    let mut out = format!("<w:tr>{trpr}");
    let mut col = 0;
    for c in cells {
        let span = c.span.max(1) as usize;
        let w: u32 = widths.iter().skip(col).take(span).sum();
        col += span;
        let grid = if span > 1 {
            format!("<w:gridSpan w:val=\"{span}\"/>")
        } else {
            String::new()
        };
        let xml = if c.xml.contains("<w:p>") || c.xml.contains("<w:p ") {
            c.xml.clone()
        } else {
            format!("{}<w:p/>", c.xml)
        };
        out.push_str(&format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/>{grid}</w:tcPr>{xml}</w:tc>"
        ));
    }
    out.push_str("</w:tr>");
    out
}

/// Column widths that share the text column by the length of each
/// column's longest text, a short column as wide as its text.
fn column_widths<'a>(rows: impl Iterator<Item = &'a Vec<Cell>>, cols: usize) -> Vec<u32> {
    let mut longest = vec![3usize; cols];
    for r in rows {
        let mut col = 0;
        for c in r {
            if c.span == 1 && col < cols {
                longest[col] = longest[col].max(c.len.min(60));
            }
            col += c.span.max(1) as usize;
        }
    }
    // About 95 twips a character of 9-point text, and the cell's margins.
    let natural: Vec<u32> = longest.iter().map(|&n| n as u32 * 95 + 240).collect();
    let total: u32 = natural.iter().sum();
    if total <= TEXT_WIDTH {
        // The room left goes to the longest column.
        let mut w = natural.clone();
        let widest = (0..cols).max_by_key(|&i| longest[i]).unwrap_or(0);
        w[widest] += TEXT_WIDTH - total;
        return w;
    }
    let mut w: Vec<u32> = natural
        .iter()
        .map(|&n| (u64::from(n) * u64::from(TEXT_WIDTH) / u64::from(total)) as u32)
        .collect();
    let sum: u32 = w.iter().sum();
    w[0] += TEXT_WIDTH - sum;
    w
}

/// The lines of a code block with their numbers (none where a line's
/// number is unknown).
fn code_lines(text: &str, numbers: &[Option<u32>]) -> Vec<(Option<u32>, String)> {
    text.split('\n')
        .enumerate()
        .map(|(i, line)| (numbers.get(i).copied().flatten(), line.to_string()))
        .collect()
}

/// An inline picture: a unique id and its alternative text for the
/// reader of the screen, in both places Word reads them.
fn drawing(id: u32, rid: &str, alt: &str, cx: u64, cy: u64) -> String {
    let alt = escape(alt);
    format!(
        concat!(
            "<w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">",
            "<wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{id}\" name=\"Picture {id}\" descr=\"{alt}\"/>",
            "<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" noChangeAspect=\"1\"/></wp:cNvGraphicFramePr>",
            "<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">",
            "<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">",
            "<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">",
            "<pic:nvPicPr><pic:cNvPr id=\"{id}\" name=\"Picture {id}\" descr=\"{alt}\"/><pic:cNvPicPr/></pic:nvPicPr>",
            "<pic:blipFill><a:blip r:embed=\"{rid}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>",
            "<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr>",
            "</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        ),
        id = id,
        rid = rid,
        alt = alt,
        cx = cx,
        cy = cy
    )
}

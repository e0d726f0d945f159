//! Content: the typed tree that prose becomes (blocks and inline content).
//!
//! Markdown is parsed into this tree by the loader; the model stores it and the
//! templates render it with one typst function. Every leaf is a string that
//! typst lays out verbatim, so nothing written in the data is ever evaluated.

use serde::Serialize;

/// A block of content.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Block {
    /// A paragraph.
    Paragraph {
        /// Its text.
        content: Vec<Inline>,
    },
    /// A heading inside prose (levels 3 and below, as sections use 1 and 2).
    Heading {
        /// 1 to 6, as written.
        level: u8,
        /// Its text.
        content: Vec<Inline>,
    },
    /// A code block.
    #[serde(rename = "code-block")]
    Code {
        /// Language for highlighting, if given.
        lang: Option<String>,
        /// The code.
        text: String,
        /// Number of the first line.
        start: u32,
        /// Whether the line numbers are printed: only when the first line is
        /// known (`start`, numbers written in the lines with
        /// `linenos="inline"`, or the lines its figure's caption names).
        numbered: bool,
        /// Displayed line numbers to shade.
        highlight: Vec<u32>,
        /// One entry per line of `text`: its number, `None` for an unnumbered
        /// line (an elision such as `// (...)` in a block with
        /// `linenos="inline"`). Lines are whole: a deliverable with a page
        /// width wraps them (the PDF's templates/markdown.typ does).
        lines: Vec<Option<u32>>,
        /// Caption and number, when a `Figure:` paragraph follows.
        figure: Option<Figure>,
    },
    /// An image standing alone.
    #[serde(rename = "image-block")]
    Image {
        /// Virtual path of the image for the templates.
        src: String,
        /// Alternative text.
        alt: String,
        /// Caption and number, when a `Figure:` paragraph follows.
        figure: Option<Figure>,
    },
    /// A block quote.
    Quote {
        /// Its content.
        body: Vec<Block>,
    },
    /// A bulleted or numbered list.
    List {
        /// Whether items are numbered.
        ordered: bool,
        /// Number of the first item.
        start: u64,
        /// The items.
        items: Vec<ListItem>,
    },
    /// A table.
    Table {
        /// Column alignments: `left`, `center`, `right` or `none`.
        align: Vec<&'static str>,
        /// Header cells.
        header: Vec<Vec<Inline>>,
        /// Body rows of cells.
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// A horizontal rule.
    Rule,
}

/// A numbered figure: a code block or an image with its caption.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figure {
    /// Computed number, e.g. `4.1` or `C.2`; with `chapter`, its number in
    /// its chapter, `2`.
    pub number: String,
    /// Whether the number follows its chapter's (`4.2` in chapter 4), which
    /// the templates know.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub chapter: bool,
    /// Caption text, without the `Figure 4.1:` prefix.
    pub caption: Vec<Inline>,
}

/// One item of a list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListItem {
    /// `Some(done)` for task-list items.
    pub task: Option<bool>,
    /// Its content.
    pub body: Vec<Block>,
}

/// Inline content.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Inline {
    /// Plain text, laid out verbatim.
    Text {
        /// The text.
        text: String,
    },
    /// Inline code.
    Code {
        /// The code.
        text: String,
        /// Permalink, when the code is a path with lines in a known target.
        url: Option<String>,
    },
    /// Emphasis.
    Emph {
        /// Emphasised content.
        content: Vec<Inline>,
    },
    /// Strong emphasis.
    Strong {
        /// Strong content.
        content: Vec<Inline>,
    },
    /// Struck-through text.
    Strike {
        /// Struck content.
        content: Vec<Inline>,
    },
    /// A link to an http, https or mailto URL.
    Link {
        /// Target URL.
        url: String,
        /// Link text.
        content: Vec<Inline>,
    },
    /// A mention of a finding id, linked to the finding.
    FindingRef {
        /// The finding id.
        id: String,
    },
    /// An image inside text.
    Image {
        /// Virtual path of the image.
        src: String,
        /// Alternative text.
        alt: String,
    },
    /// A hard line break.
    Break,
    /// A footnote, with the content of its definition.
    Footnote {
        /// The footnote text.
        body: Vec<Block>,
    },
}

/// Whether a link target is one a report keeps: http, https or mailto.
/// Anything else (a `javascript:` or `data:` URL) is shown as text, never
/// made a link, in every format.
pub fn is_kept_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|s| lower.starts_with(s))
}

/// Returns the plain text of inline content.
pub fn plain(inlines: &[Inline]) -> String {
    let mut out = String::new();
    for i in inlines {
        match i {
            Inline::Text { text } | Inline::Code { text, .. } => out.push_str(text),
            Inline::Emph { content }
            | Inline::Strong { content }
            | Inline::Strike { content }
            | Inline::Link { content, .. } => out.push_str(&plain(content)),
            Inline::FindingRef { id } => out.push_str(id),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::Break => out.push(' '),
            Inline::Footnote { .. } => {}
        }
    }
    out
}

/// Returns the plain text of blocks, paragraphs separated by blank lines.
pub fn plain_blocks(blocks: &[Block]) -> String {
    let parts: Vec<String> = blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph { content } | Block::Heading { content, .. } => plain(content),
            Block::Code { text, .. } => text.clone(),
            Block::Image { alt, .. } => alt.clone(),
            Block::Quote { body } => plain_blocks(body),
            Block::List { items, .. } => items
                .iter()
                .map(|i| plain_blocks(&i.body))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Table { header, rows, .. } => std::iter::once(header)
                .chain(rows)
                .map(|r| r.iter().map(|c| plain(c)).collect::<Vec<_>>().join(" | "))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Rule => String::new(),
        })
        .collect();
    parts.join("\n\n")
}

//! The conversion of pulldown-cmark's events into the content tree: a stack
//! of open elements, each closed into its block or inline.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, Parser, Tag};

use crate::content::{Block, Figure, Inline, ListItem, plain, plain_blocks};
use crate::forge::permalink;
use crate::unicode;

use super::code::{CodeInfo, attributes, caption_first_line, parse_lines, take_line_numbers};
use super::ids::link_ids;
use super::quotes::{Before, smarten};
use super::{Context, MAX_DEPTH, Problem};

/// Converts Markdown text into blocks, with the problems found.
pub(super) fn blocks(text: &str, cx: &mut Context) -> (Vec<Block>, Vec<Problem>) {
    let mut conv = Converter {
        cx,
        stack: vec![Frame::new(Kind::Root, 0..0)],
        problems: Vec::new(),
        footnotes: HashMap::new(),
        depth_reported: false,
        before: Before::start(),
    };
    let options = super::OPTIONS;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        conv.event(event, range);
    }
    let mut root = conv.stack.pop().expect("root frame");
    root.flush();
    let mut blocks = root.blocks;
    let footnotes = conv.footnotes;
    resolve_footnotes(&mut blocks, &footnotes);
    (blocks, conv.problems)
}

/// What a frame of the conversion stack is building.
enum Kind {
    Root,
    Paragraph,
    Heading(u8),
    Quote,
    List { ordered: bool, start: u64 },
    Item { task: Option<bool> },
    Emph,
    Strong,
    Strike,
    Link(Option<String>),
    Image(String),
    Table(Vec<&'static str>),
    TableHead,
    TableRow,
    TableCell,
    Footnote(String),
    Code { info: String, text: String },
    Html,
}

/// One open element while converting.
struct Frame {
    kind: Kind,
    range: Range<usize>,
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
    items: Vec<ListItem>,
    cells: Vec<Vec<Inline>>,
    rows: Vec<Vec<Vec<Inline>>>,
}

impl Frame {
    fn new(kind: Kind, range: Range<usize>) -> Self {
        Self {
            kind,
            range,
            blocks: Vec::new(),
            inlines: Vec::new(),
            items: Vec::new(),
            cells: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Turns loose inline content of a container (a tight list item) into a paragraph.
    fn flush(&mut self) {
        if !self.inlines.is_empty() {
            let content = std::mem::take(&mut self.inlines);
            self.blocks.push(Block::Paragraph { content });
        }
    }
}

struct Converter<'c, 'a> {
    cx: &'c mut Context<'a>,
    stack: Vec<Frame>,
    problems: Vec<Problem>,
    footnotes: HashMap<String, Vec<Block>>,
    depth_reported: bool,
    /// What the next straight quote of prose follows.
    before: Before,
}

impl Converter<'_, '_> {
    fn top(&mut self) -> &mut Frame {
        self.stack.last_mut().expect("root frame")
    }

    fn in_link(&self) -> bool {
        self.stack
            .iter()
            .any(|f| matches!(f.kind, Kind::Link(_) | Kind::Image(_)))
    }

    fn event(&mut self, event: Event, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(_) => self.end(),
            Event::Text(t) => {
                let t = self.visible(&t, &range);
                match &mut self.top().kind {
                    Kind::Code { text, .. } => text.push_str(&t),
                    _ => {
                        self.left_out_drafts(&t, &range);
                        self.unknown_ids(&t, &range);
                        let t = self.typeset(t);
                        self.push_text(&t);
                    }
                }
            }
            Event::Code(t) => {
                let t = self.visible(&t, &range);
                self.before.after(&t);
                let url = permalink(self.cx.targets, &t);
                self.top().inlines.push(Inline::Code {
                    text: t.into_owned(),
                    url,
                });
            }
            Event::Html(t)
            | Event::InlineHtml(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t) => {
                let t = self.visible(&t, &range);
                self.before.after(&t);
                self.push_text(&t);
            }
            Event::FootnoteReference(label) => {
                // Resolved once all definitions are known; the label rides in a placeholder.
                self.top().inlines.push(Inline::Footnote {
                    body: vec![Block::Paragraph {
                        content: vec![Inline::Text {
                            text: label.to_string(),
                        }],
                    }],
                });
            }
            Event::SoftBreak => {
                self.before.space();
                self.push_text(" ");
            }
            Event::HardBreak => {
                self.before.space();
                self.top().inlines.push(Inline::Break);
            }
            Event::Rule => self.push_block(Block::Rule),
            Event::TaskListMarker(done) => {
                if let Kind::Item { task } = &mut self.top().kind {
                    *task = Some(done);
                }
            }
        }
    }

    /// Makes hidden characters visible, warning where it does.
    fn visible<'t>(&mut self, text: &'t str, range: &Range<usize>) -> std::borrow::Cow<'t, str> {
        let (text, hidden) = unicode::make_visible(text);
        if let Some(found) = hidden {
            let (message, hint) = unicode::warning(&found);
            self.problems.push(Problem {
                hidden: true,
                range: range.clone(),
                error: false,
                message,
                hint: Some(hint.into()),
            });
        }
        text
    }

    /// Warns of each word in the form of the folder's ids that names no
    /// finding (`See EX-9` where there is no EX-9): a link to nothing.
    fn unknown_ids(&mut self, text: &str, range: &Range<usize>) {
        for (at, word, known) in self.cx.ids.unknown_in(text) {
            let range = word_range(text, range, at, word.len());
            self.problems.push(Problem {
                hidden: false,
                range,
                error: false,
                message: format!("{word} names no finding of this report"),
                hint: Some(format!(
                    "the findings of that form are {known}; as it is, {word} prints as text, with no link"
                )),
            });
        }
    }

    /// Warns of each mention of a draft left out of the report: the text
    /// names a finding the reader does not have.
    fn left_out_drafts(&mut self, text: &str, range: &Range<usize>) {
        for (at, id) in self.cx.ids.left_out_in(text) {
            let range = word_range(text, range, at, id.len());
            self.problems.push(Problem {
                hidden: false,
                range,
                error: false,
                message: format!(
                    "{id} is excluded (`exclude = true`), left out of this report: this mention names a finding the report does not have"
                ),
                hint: Some(format!(
                    "build with --include-excluded to put {id} in, or take the mention out until it is in"
                )),
            });
        }
    }

    /// Sets the quotes of prose text by the style's language; the text of
    /// an autolink (`<https://...>`, `<a@b.c>`) is its target and stays as typed.
    fn typeset<'t>(&mut self, text: std::borrow::Cow<'t, str>) -> std::borrow::Cow<'t, str> {
        let autolink = matches!(&self.top().kind, Kind::Link(Some(url))
            if *url == *text || url.strip_prefix("mailto:") == Some(&*text));
        match self.cx.quotes {
            Some(quotes) if !autolink => smarten(&text, quotes, &mut self.before).into(),
            _ => {
                self.before.after(&text);
                text
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        let inlines = &mut self.top().inlines;
        if let Some(Inline::Text { text: last }) = inlines.last_mut() {
            last.push_str(text);
        } else {
            inlines.push(Inline::Text {
                text: text.to_string(),
            });
        }
    }

    fn start(&mut self, tag: Tag, range: Range<usize>) {
        if self.stack.len() > MAX_DEPTH && !self.depth_reported {
            self.depth_reported = true;
            self.problems.push(Problem {
                hidden: false,
                range: range.clone(),
                error: true,
                message: format!("Markdown nested deeper than {MAX_DEPTH} levels"),
                hint: Some("flatten the nested lists, quotes or emphasis".into()),
            });
        }
        if !matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ) {
            // Quotes never run from one block (or table cell) into the next.
            self.before = Before::start();
        }
        let kind = self.kind(tag, &range);
        self.stack.push(Frame::new(kind, range));
    }

    /// What a Markdown tag opens: a block, a table part, an inline span or
    /// a link or image (checked: a refused one is reported at `range`).
    fn kind(&mut self, tag: Tag, range: &Range<usize>) -> Kind {
        match tag {
            Tag::Paragraph => Kind::Paragraph,
            Tag::Heading { level, .. } => Kind::Heading(level as u8),
            Tag::BlockQuote(_) => Kind::Quote,
            Tag::CodeBlock(kind) => Kind::Code {
                info: match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                },
                text: String::new(),
            },
            Tag::HtmlBlock => Kind::Html,
            Tag::List(start) => Kind::List {
                ordered: start.is_some(),
                start: start.unwrap_or(1),
            },
            Tag::Item => Kind::Item { task: None },
            Tag::FootnoteDefinition(label) => Kind::Footnote(label.to_string()),
            Tag::Table(align) => Kind::Table(
                align
                    .iter()
                    .map(|a| match a {
                        Alignment::None => "none",
                        Alignment::Left => "left",
                        Alignment::Center => "center",
                        Alignment::Right => "right",
                    })
                    .collect(),
            ),
            Tag::TableHead => Kind::TableHead,
            Tag::TableRow => Kind::TableRow,
            Tag::TableCell => Kind::TableCell,
            Tag::Emphasis => Kind::Emph,
            Tag::Strong => Kind::Strong,
            Tag::Strikethrough | Tag::Superscript | Tag::Subscript => Kind::Strike,
            // CommonMark's email autolink `<info@example.com>` links to mailto:.
            Tag::Link {
                link_type: pulldown_cmark::LinkType::Email,
                dest_url,
                ..
            } => Kind::Link(self.check_url(&format!("mailto:{dest_url}"), range)),
            Tag::Link { dest_url, .. } => Kind::Link(self.check_url(&dest_url, range)),
            Tag::Image { dest_url, .. } => match self.cx.images.resolve(&dest_url) {
                Ok(src) => Kind::Image(src),
                Err((message, hint)) => {
                    self.problems.push(Problem {
                        hidden: false,
                        range: range.clone(),
                        error: true,
                        message,
                        hint: Some(hint),
                    });
                    Kind::Image(String::new())
                }
            },
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => Kind::Quote,
        }
    }

    /// Keeps http, https and mailto links; anything else becomes plain text, with a warning.
    fn check_url(&mut self, url: &str, range: &Range<usize>) -> Option<String> {
        if crate::content::is_kept_url(url) {
            return Some(url.to_string());
        }
        self.problems.push(Problem {
            hidden: false,
            range: range.clone(),
            error: false,
            message: format!("link to \"{url}\" is shown as text"),
            hint: Some("only http, https and mailto links are kept".into()),
        });
        None
    }

    /// Numbers the next figure of the current prefix.
    fn next_figure(&mut self, caption: Vec<Inline>) -> Figure {
        self.cx.figures += 1;
        let prefix = &self.cx.figure_prefix;
        Figure {
            number: if prefix.is_empty() {
                self.cx.figures.to_string()
            } else {
                format!("{prefix}.{}", self.cx.figures)
            },
            chapter: prefix.is_empty() && self.cx.chapter_figures,
            caption,
        }
    }

    fn push_block(&mut self, block: Block) {
        self.stack.last_mut().expect("root frame").flush();
        if let Block::Paragraph { content } = &block {
            // A paragraph that is only an image, perhaps with its caption on the
            // next line, is a figure image.
            if let Some(Inline::Image { src, alt }) = content.first() {
                let rest: Vec<Inline> = content[1..]
                    .iter()
                    .filter(|i| !matches!(i, Inline::Break))
                    .filter(|i| !matches!(i, Inline::Text { text } if text.trim().is_empty()))
                    .cloned()
                    .collect();
                let caption = figure_caption(&rest);
                if rest.is_empty() || caption.is_some() {
                    let figure = caption.map(|caption| self.next_figure(caption));
                    let top = self.stack.last_mut().expect("root frame");
                    top.blocks.push(Block::Image {
                        src: src.clone(),
                        alt: alt.clone(),
                        figure,
                    });
                    return;
                }
            }
            let follows_figure = matches!(
                self.stack.last().and_then(|f| f.blocks.last()),
                Some(Block::Code { figure: None, .. } | Block::Image { figure: None, .. })
            );
            if follows_figure && let Some(caption) = figure_caption(content) {
                let first_line = caption_first_line(&plain(&caption));
                let numbered = self.next_figure(caption);
                let top = self.stack.last_mut().expect("root frame");
                if let Some(block) = top.blocks.last_mut() {
                    number_from_caption(block, first_line);
                }
                if let Some(Block::Code { figure, .. } | Block::Image { figure, .. }) =
                    top.blocks.last_mut()
                {
                    *figure = Some(numbered);
                }
                return;
            }
        }
        self.top().blocks.push(block);
    }

    fn end(&mut self) {
        let mut frame = self.stack.pop().expect("balanced events");
        let kind = std::mem::replace(&mut frame.kind, Kind::Root);
        let in_link = self.in_link();
        let inlines = if in_link {
            std::mem::take(&mut frame.inlines)
        } else {
            link_ids(std::mem::take(&mut frame.inlines), self.cx.ids)
        };
        match kind {
            Kind::Root => unreachable!("root is never closed by an event"),
            Kind::Paragraph => self.push_block(Block::Paragraph { content: inlines }),
            Kind::Heading(level) => self.push_block(Block::Heading {
                level,
                content: inlines,
            }),
            Kind::Html => {
                let text = plain(&inlines).trim_end().to_string();
                self.push_block(Block::Paragraph {
                    content: vec![Inline::Text { text }],
                });
            }
            Kind::Quote => {
                frame.inlines = inlines;
                frame.flush();
                self.push_block(Block::Quote { body: frame.blocks });
            }
            Kind::Code { info, text } => self.end_code(&frame.range, &info, text),
            Kind::List { ordered, start } => self.push_block(Block::List {
                ordered,
                start,
                items: frame.items,
            }),
            Kind::Item { task } => {
                frame.inlines = inlines;
                frame.flush();
                self.top().items.push(ListItem {
                    task,
                    body: frame.blocks,
                });
            }
            Kind::Footnote(label) => {
                frame.inlines = inlines;
                frame.flush();
                self.footnotes.insert(label, frame.blocks);
            }
            Kind::Table(align) => {
                let mut rows = frame.rows;
                let header = if rows.is_empty() {
                    Vec::new()
                } else {
                    rows.remove(0)
                };
                self.push_block(Block::Table {
                    align,
                    header,
                    rows,
                });
            }
            Kind::TableHead | Kind::TableRow => self.top().rows.push(frame.cells),
            Kind::TableCell => self.top().cells.push(inlines),
            Kind::Emph => self.top().inlines.push(Inline::Emph { content: inlines }),
            Kind::Strong => self.top().inlines.push(Inline::Strong { content: inlines }),
            Kind::Strike => self.top().inlines.push(Inline::Strike { content: inlines }),
            Kind::Link(Some(url)) => self.top().inlines.push(Inline::Link {
                url,
                content: inlines,
            }),
            Kind::Link(None) => self.top().inlines.extend(inlines),
            Kind::Image(src) => self.end_image(&frame.range, src, &inlines),
        }
    }

    /// Closes a code block: its line numbers and highlights.
    fn end_code(&mut self, range: &Range<usize>, info: &str, mut text: String) {
        if text.ends_with('\n') {
            text.pop();
        }
        let info = self.code_info(info, range);
        let (text, numbers) = if info.inline_numbers {
            take_line_numbers(&text)
        } else {
            let numbers = (0..text.split('\n').count() as u32)
                .map(|i| Some(info.start.saturating_add(i)))
                .collect();
            (text, numbers)
        };
        if let Some(outside) = info
            .highlight
            .iter()
            .find(|n| !numbers.contains(&Some(**n)))
        {
            let shown: Vec<u32> = numbers.iter().flatten().copied().collect();
            let (first, last) = (shown.first().unwrap_or(&0), shown.last().unwrap_or(&0));
            self.problems.push(Problem {
                hidden: false,
                range: range.clone(),
                error: false,
                message: format!(
                    "highlighted line {outside} is not in the code block (lines {first} to {last})"
                ),
                hint: Some("highlight counts lines as displayed, from `start`".into()),
            });
        }
        self.push_block(Block::Code {
            lang: info.lang,
            text,
            start: info.start,
            numbered: info.numbered,
            highlight: info.highlight,
            lines: numbers,
            figure: None,
        });
    }

    /// Closes an image; one without alternative text is warned about.
    fn end_image(&mut self, range: &Range<usize>, src: String, inlines: &[Inline]) {
        let alt = plain(inlines);
        if alt.trim().is_empty() {
            self.problems.push(Problem {
                hidden: false,
                range: range.clone(),
                error: false,
                message: "image has no alternative text".into(),
                hint: Some(
                    "describe the image between the brackets, ![like this](path); readers of accessible PDFs (PDF/UA) need it"
                        .into(),
                ),
            });
        }
        self.top().inlines.push(Inline::Image { src, alt });
    }

    /// Reads a code block's info string: `go {start=163 highlight="165,170"}`.
    fn code_info(&mut self, info: &str, range: &Range<usize>) -> CodeInfo {
        let (lang, attrs) = match info.find('{') {
            Some(i) => (&info[..i], info[i + 1..].trim_end().trim_end_matches('}')),
            None => (info, ""),
        };
        let lang = lang.split_whitespace().next().map(str::to_string);
        let mut start = 1;
        let mut numbered = false;
        let mut highlight = Vec::new();
        let mut inline_numbers = false;
        for (key, value) in attributes(attrs) {
            match key {
                "linenos" if value == "inline" => inline_numbers = true,
                "start" => match value.parse() {
                    Ok(n) => (start, numbered) = (n, true),
                    Err(_) => self.problems.push(Problem {
                        hidden: false,
                        range: range.clone(),
                        error: true,
                        message: format!("code block start \"{value}\" is not a line number"),
                        hint: Some("write e.g. {start=163}".into()),
                    }),
                },
                "highlight" => match parse_lines(value) {
                    Some(lines) => highlight = lines,
                    None => self.problems.push(Problem {
                        hidden: false,
                        range: range.clone(),
                        error: true,
                        message: format!("code block highlight \"{value}\" is not a list of lines"),
                        hint: Some("write e.g. highlight=\"165,170\" or highlight=\"3-5\"".into()),
                    }),
                },
                other => self.problems.push(Problem {
                    hidden: false,
                    range: range.clone(),
                    error: false,
                    message: format!("unknown code block attribute \"{other}\""),
                    hint: Some(
                        "known attributes are start, highlight and linenos=\"inline\"".into(),
                    ),
                }),
            }
        }
        CodeInfo {
            lang,
            start,
            numbered: numbered || inline_numbers,
            highlight,
            inline_numbers,
        }
    }
}

/// Numbers a code block without a known first line from the line its
/// caption names: lines and highlights, counted from 1, move with it.
fn number_from_caption(block: &mut Block, first_line: Option<u32>) {
    let (
        Block::Code {
            start,
            numbered: numbered @ false,
            highlight,
            lines,
            ..
        },
        Some(first),
    ) = (block, first_line)
    else {
        return;
    };
    let by = first - *start;
    *start = first;
    *numbered = true;
    for n in highlight.iter_mut() {
        *n = n.saturating_add(by);
    }
    for line in lines.iter_mut() {
        *line = line.map(|n| n.saturating_add(by));
    }
}

/// Recognises a `*Figure 1.1: caption*` paragraph and returns the caption.
fn figure_caption(content: &[Inline]) -> Option<Vec<Inline>> {
    let [Inline::Emph { content }] = content else {
        return None;
    };
    let Some(Inline::Text { text }) = content.first() else {
        return None;
    };
    let rest = text.strip_prefix("Figure")?;
    let colon = rest.find(':')?;
    let label = rest[..colon].trim();
    if !label.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
        return None;
    }
    let mut caption = content.clone();
    let first = rest[colon + 1..].trim_start().to_string();
    if first.is_empty() {
        caption.remove(0);
    } else {
        caption[0] = Inline::Text { text: first };
    }
    Some(caption)
}

/// Replaces footnote placeholders by the content of their definitions.
fn resolve_footnotes(blocks: &mut [Block], defs: &HashMap<String, Vec<Block>>) {
    for block in blocks {
        match block {
            Block::Paragraph { content } | Block::Heading { content, .. } => {
                resolve_inlines(content, defs)
            }
            Block::Quote { body } => resolve_footnotes(body, defs),
            Block::List { items, .. } => {
                for item in items {
                    resolve_footnotes(&mut item.body, defs);
                }
            }
            Block::Table { header, rows, .. } => {
                for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                    resolve_inlines(cell, defs);
                }
            }
            Block::Code { .. } | Block::Image { .. } | Block::Rule => {}
        }
    }
}

fn resolve_inlines(inlines: &mut [Inline], defs: &HashMap<String, Vec<Block>>) {
    for inline in inlines {
        match inline {
            Inline::Footnote { body } => {
                let label = plain_blocks(body);
                *body = defs.get(&label).cloned().unwrap_or_else(|| {
                    vec![Block::Paragraph {
                        content: vec![Inline::Text { text: label }],
                    }]
                });
            }
            Inline::Emph { content }
            | Inline::Strong { content }
            | Inline::Strike { content }
            | Inline::Link { content, .. } => resolve_inlines(content, defs),
            _ => {}
        }
    }
}

/// The source range of `len` bytes at `at` of a text event: exact when the
/// event's text is its source text (same length: no escapes or entities in
/// it), else the whole event.
fn word_range(text: &str, range: &Range<usize>, at: usize, len: usize) -> Range<usize> {
    if range.len() == text.len() {
        range.start + at..range.start + at + len
    } else {
        range.clone()
    }
}

//! Markdown -> the typed content tree of [`crate::content`].
//!
//! Findings, sections and appendices are written in CommonMark (with tables,
//! strikethrough, footnotes and task lists). They are parsed here, in Rust, and
//! reach the templates as data: every leaf is a string that typst lays out
//! verbatim, so nothing written in the data is ever evaluated as markup.
//! Raw HTML is kept as visible text.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::content::{Block, CodeRow, Figure, Inline, ListItem, plain, plain_blocks};
use crate::forge::permalink;
use crate::model::Target;
use crate::unicode;
use pulldown_cmark::{Alignment, CodeBlockKind, Event, Options as CmOptions, Parser, Tag};

/// Deepest nesting of Markdown elements accepted; the typst walker is recursive.
pub const MAX_DEPTH: usize = 16;

/// What a code block's info string says.
struct CodeInfo {
    lang: Option<String>,
    start: u32,
    highlight: Vec<u32>,
    inline_numbers: bool,
}

/// Widest code row, in characters: longer lines are wrapped so they never leave the page.
pub const CODE_COLUMNS: usize = 86;

/// Takes the line numbers written at the start of lines (`158<TAB>static ...`),
/// as `linenos="inline"` asks; lines without one are unnumbered.
fn take_line_numbers(text: &str) -> (String, Vec<Option<u32>>) {
    let mut numbers = Vec::new();
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| {
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let rest = &line[digits..];
            match (
                line[..digits].parse::<u32>(),
                rest.strip_prefix(['\t', ' ']),
            ) {
                (Ok(n), Some(code)) => {
                    numbers.push(Some(n));
                    code
                }
                _ => {
                    numbers.push(None);
                    line
                }
            }
        })
        .collect();
    (lines.join("\n"), numbers)
}

/// Wraps code lines longer than [`CODE_COLUMNS`], preferring to break after a
/// space or punctuation; returns the wrapped text and its rows.
pub fn wrap_code(text: &str, numbers: &[Option<u32>]) -> (String, Vec<CodeRow>) {
    let mut out = String::with_capacity(text.len());
    let mut rows = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        let number = numbers.get(i).copied().flatten();
        let mut rest: Vec<char> = line.chars().collect();
        let mut first = true;
        loop {
            if i > 0 || !first {
                out.push('\n');
            }
            if rest.len() <= CODE_COLUMNS {
                out.extend(&rest);
                rows.push(CodeRow {
                    line: number,
                    first,
                });
                break;
            }
            let cut = (CODE_COLUMNS / 2..CODE_COLUMNS)
                .rev()
                .find(|&k| {
                    matches!(
                        rest[k - 1],
                        ' ' | '/' | ',' | ';' | '&' | '?' | '=' | '.' | '(' | ')'
                    )
                })
                .unwrap_or(CODE_COLUMNS);
            out.extend(&rest[..cut]);
            rows.push(CodeRow {
                line: number,
                first,
            });
            rest.drain(..cut);
            first = false;
        }
    }
    (out, rows)
}

/// A numbered figure caption.
/// A problem found in Markdown text, at a byte range of that text.
#[derive(Debug)]
pub struct Problem {
    /// Whether it says that invisible characters were made visible (reported
    /// once per field, however many pieces of text the field has).
    pub hidden: bool,
    /// Byte range in the parsed text.
    pub range: Range<usize>,
    /// Whether the problem stops the build.
    pub error: bool,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: Option<String>,
}

/// Resolves image paths written in Markdown to the virtual paths the templates use.
pub trait ImageSink {
    /// Returns the virtual path of an image, or a message and a hint saying why not.
    fn resolve(&mut self, src: &str) -> Result<String, (String, String)>;
}

/// What the converter needs to know about the rest of the audit.
pub struct Context<'a> {
    /// Finding ids, linked where they appear in text.
    pub ids: &'a FindingIds,
    /// Targets, for permalinks of code paths.
    pub targets: &'a [Target],
    /// Prefix of figure numbers, e.g. `4` for finding 4 or `C` for appendix C.
    pub figure_prefix: String,
    /// Figures numbered so far under this prefix.
    pub figures: u32,
    /// Image path resolver.
    pub images: &'a mut dyn ImageSink,
}

/// Converts Markdown text into blocks, with the problems found.
pub fn parse(text: &str, cx: &mut Context) -> (Vec<Block>, Vec<Problem>) {
    let mut conv = Converter {
        cx,
        stack: vec![Frame::new(Kind::Root, 0..0)],
        problems: Vec::new(),
        footnotes: HashMap::new(),
        depth_reported: false,
    };
    let options = CmOptions::ENABLE_TABLES
        | CmOptions::ENABLE_STRIKETHROUGH
        | CmOptions::ENABLE_FOOTNOTES
        | CmOptions::ENABLE_TASKLISTS;
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

/// Converts a plain-text field that may hold code spans (a finding title):
/// only backtick code spans are read, as CommonMark reads them; everything
/// else, `*`, `_`, `<b>`, `$`, `#`, stays exactly as typed.
pub fn parse_title(text: &str, cx: &mut Context) -> (Vec<Inline>, Vec<Problem>) {
    let mut out: Vec<Inline> = Vec::new();
    let mut problems = Vec::new();
    let plain = |from: usize, to: usize, out: &mut Vec<Inline>, problems: &mut Vec<Problem>| {
        if from < to {
            let (shown, hidden) = unicode::make_visible(&text[from..to]);
            if let Some(found) = hidden {
                problems.push(hidden_problem(from..to, &found));
            }
            match out.last_mut() {
                Some(Inline::Text { text }) => text.push_str(&shown),
                _ => out.push(Inline::Text {
                    text: shown.into_owned(),
                }),
            }
        }
    };
    let run = |at: usize| text[at..].bytes().take_while(|b| *b == b'`').count();
    let (mut done, mut at) = (0, 0);
    while let Some(k) = text[at..].find('`') {
        let open = at + k;
        let n = run(open);
        // The span closes at the next run of exactly as many backticks.
        let mut search = open + n;
        let close = loop {
            match text[search..].find('`') {
                None => break None,
                Some(j) => {
                    let c = search + j;
                    let m = run(c);
                    if m == n {
                        break Some(c);
                    }
                    search = c + m;
                }
            }
        };
        let Some(close) = close else {
            // An unmatched run of backticks is text.
            at = open + n;
            continue;
        };
        plain(done, open, &mut out, &mut problems);
        let mut code = text[open + n..close].replace(['\r', '\n'], " ");
        if code.starts_with(' ') && code.ends_with(' ') && !code.trim().is_empty() {
            code = code[1..code.len() - 1].to_string();
        }
        let (shown, hidden) = unicode::make_visible(&code);
        if let Some(found) = hidden {
            problems.push(hidden_problem(open..close + n, &found));
        }
        out.push(Inline::Code {
            url: permalink(cx.targets, &shown),
            text: shown.into_owned(),
        });
        done = close + n;
        at = done;
    }
    plain(done, text.len(), &mut out, &mut problems);
    (out, problems)
}

/// Says that invisible characters in a range were made visible.
fn hidden_problem(range: Range<usize>, found: &unicode::Hidden) -> Problem {
    let (message, hint) = unicode::warning(found);
    Problem {
        hidden: true,
        range,
        error: false,
        message,
        hint: Some(hint.into()),
    }
}

/// Converts one line of Markdown into inline content.
pub fn parse_inline(text: &str, cx: &mut Context) -> (Vec<Inline>, Vec<Problem>) {
    let (blocks, problems) = parse(text, cx);
    let inlines = blocks
        .into_iter()
        .flat_map(|b| match b {
            Block::Paragraph { content } | Block::Heading { content, .. } => content,
            other => vec![Inline::Text {
                text: plain_blocks(&[other]),
            }],
        })
        .collect();
    (inlines, problems)
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
                    _ => self.push_text(&t),
                }
            }
            Event::Code(t) => {
                let t = self.visible(&t, &range);
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
            Event::SoftBreak => self.push_text(" "),
            Event::HardBreak => self.top().inlines.push(Inline::Break),
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
        let kind = match tag {
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
            } => Kind::Link(self.check_url(&format!("mailto:{dest_url}"), &range)),
            Tag::Link { dest_url, .. } => Kind::Link(self.check_url(&dest_url, &range)),
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
        };
        self.stack.push(Frame::new(kind, range));
    }

    /// Keeps http, https and mailto links; anything else becomes plain text, with a warning.
    fn check_url(&mut self, url: &str, range: &Range<usize>) -> Option<String> {
        let lower = url.to_ascii_lowercase();
        if ["http://", "https://", "mailto:"]
            .iter()
            .any(|s| lower.starts_with(s))
        {
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
        Figure {
            number: format!("{}.{}", self.cx.figure_prefix, self.cx.figures),
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
                let numbered = self.next_figure(caption);
                let top = self.stack.last_mut().expect("root frame");
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
            Kind::Code { info, mut text } => {
                if text.ends_with('\n') {
                    text.pop();
                }
                let info = self.code_info(&info, &frame.range);
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
                        range: frame.range.clone(),
                        error: false,
                        message: format!(
                            "highlighted line {outside} is not in the code block (lines {first} to {last})"
                        ),
                        hint: Some("highlight counts lines as displayed, from `start`".into()),
                    });
                }
                let (text, rows) = wrap_code(&text, &numbers);
                self.push_block(Block::Code {
                    lang: info.lang,
                    text,
                    start: info.start,
                    highlight: info.highlight,
                    rows,
                    figure: None,
                });
            }
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
            Kind::Image(src) => {
                let alt = plain(&inlines);
                if alt.trim().is_empty() {
                    self.problems.push(Problem {
hidden: false,
                        range: frame.range.clone(),
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
        }
    }

    /// Reads a code block's info string: `go {start=163 highlight="165,170"}`.
    fn code_info(&mut self, info: &str, range: &Range<usize>) -> CodeInfo {
        let (lang, attrs) = match info.find('{') {
            Some(i) => (&info[..i], info[i + 1..].trim_end().trim_end_matches('}')),
            None => (info, ""),
        };
        let lang = lang.split_whitespace().next().map(str::to_string);
        let mut start = 1;
        let mut highlight = Vec::new();
        let mut inline_numbers = false;
        for (key, value) in attributes(attrs) {
            match key {
                "linenos" if value == "inline" => inline_numbers = true,
                "start" => match value.parse() {
                    Ok(n) => start = n,
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
            highlight,
            inline_numbers,
        }
    }
}

/// Splits `start=163 highlight="165,170"` into key-value pairs.
fn attributes(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(char::is_whitespace) {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        out.push((key, value));
        rest = tail.trim_start();
    }
    out
}

/// Parses `165,170` or `3-5,9` into line numbers.
fn parse_lines(text: &str) -> Option<Vec<u32>> {
    let mut lines = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once(['-', '–']) {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || b - a > 10_000 {
                    return None;
                }
                lines.extend(a..=b);
            }
            None => lines.push(part.parse().ok()?),
        }
    }
    Some(lines)
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

/// The finding ids of a folder, ready to be found in text: those made of
/// word characters (letters, digits, `-`, `_`), looked up word by word, and
/// the rare others, searched for.
#[derive(Debug, Default)]
pub struct FindingIds {
    words: HashSet<String>,
    others: Vec<String>,
}

impl FindingIds {
    /// Sorts a folder's ids for finding them in text.
    pub fn new(ids: impl IntoIterator<Item = String>) -> Self {
        let (words, others): (HashSet<String>, HashSet<String>) =
            ids.into_iter().partition(|id| id.chars().all(is_id_char));
        let mut others: Vec<String> = others.into_iter().collect();
        others.sort();
        Self { words, others }
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.others.is_empty()
    }
}

/// A character of a word an id may be: letters, digits, `-`, `_`.
fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// Splits text so that every finding id in it becomes a link to the finding.
fn link_ids(inlines: Vec<Inline>, ids: &FindingIds) -> Vec<Inline> {
    if ids.is_empty() {
        return inlines;
    }
    let mut out = Vec::with_capacity(inlines.len());
    for inline in inlines {
        let Inline::Text { text } = inline else {
            out.push(inline);
            continue;
        };
        let mut rest = text.as_str();
        while let Some((at, id)) = find_id(rest, ids) {
            if at > 0 {
                out.push(Inline::Text {
                    text: rest[..at].to_string(),
                });
            }
            out.push(Inline::FindingRef { id: id.to_string() });
            rest = &rest[at + id.len()..];
        }
        if !rest.is_empty() {
            out.push(Inline::Text {
                text: rest.to_string(),
            });
        }
    }
    out
}

/// Finds the first finding id in text that stands as a whole word.
///
/// An id of word characters (letters, digits, `-`, `_`) is a whole word of
/// the text, so each word is looked up once: the cost is the text's length,
/// not its length times the number of findings. The rare id with other
/// characters is searched for.
fn find_id<'i>(text: &str, ids: &'i FindingIds) -> Option<(usize, &'i str)> {
    let is_word = is_id_char;
    let mut best: Option<(usize, &str)> = None;
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if is_word(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take()
            && let Some(id) = ids.words.get(&text[s..i])
        {
            best = Some((s, id.as_str()));
            break;
        }
    }
    for id in &ids.others {
        let mut from = 0;
        while let Some(pos) = text[from..].find(id.as_str()) {
            let at = from + pos;
            let end = at + id.len();
            let before_ok = !text[..at].chars().next_back().is_some_and(is_word);
            let after_ok = !text[end..].chars().next().is_some_and(is_word);
            if before_ok && after_ok {
                if best.is_none_or(|(b, bid)| at < b || (at == b && id.len() > bid.len())) {
                    best = Some((at, id));
                }
                break;
            }
            from = at + id.len().max(1);
        }
    }
    best
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

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(text: &str) -> (Vec<Block>, Vec<Problem>) {
        let ids = FindingIds::new(["TOB-X-1".to_string()]);
        struct Fake;
        impl ImageSink for Fake {
            fn resolve(&mut self, src: &str) -> Result<String, (String, String)> {
                Ok(format!("/assets/{src}"))
            }
        }
        let mut images = Fake;
        let mut cx = Context {
            ids: &ids,
            targets: &[],
            figure_prefix: "3".into(),
            figures: 0,
            images: &mut images,
        };
        parse(text, &mut cx)
    }

    #[test]
    fn code_block_attributes_and_caption_make_a_numbered_figure() {
        let code = "a\n".repeat(8);
        let (blocks, problems) = convert(&format!(
            "```go {{start=163 highlight=\"165,170\"}}\n{code}```\n*Figure 9.9: the `x`*\n"
        ));
        assert!(problems.is_empty());
        let Block::Code {
            lang,
            start,
            highlight,
            figure: Some(figure),
            ..
        } = &blocks[0]
        else {
            panic!("expected a code figure, got {blocks:?}");
        };
        assert_eq!(lang.as_deref(), Some("go"));
        assert_eq!((*start, highlight.as_slice()), (163, &[165, 170][..]));
        assert_eq!(figure.number, "3.1");
        assert_eq!(plain(&figure.caption), "the x");
        assert_eq!(blocks.len(), 1);
    }

    #[test]
    fn long_code_lines_wrap_onto_continuation_rows() {
        let long = format!("{}/{}", "a".repeat(60), "b".repeat(340));
        let (text, rows) = wrap_code(&format!("x\n{long}\ny"), &[Some(7), Some(8), Some(9)]);
        assert!(text.lines().all(|l| l.chars().count() <= CODE_COLUMNS));
        assert_eq!(text.replace('\n', ""), format!("x{long}y"));
        let row = |line, first| CodeRow {
            line: Some(line),
            first,
        };
        assert_eq!(rows[..3], [row(7, true), row(8, true), row(8, false)]);
        assert_eq!(rows.last(), Some(&row(9, true)));
        assert_eq!(text.lines().count(), rows.len());
    }

    #[test]
    fn inline_line_numbers_number_their_lines_and_leave_elisions_unnumbered() {
        let (blocks, problems) = convert(
            "```c {linenos=\"inline\" highlight=\"174\"}\n158\tint a;\n// (...)\n174\t  b();\n```\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let Block::Code { text, rows, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(text, "int a;\n// (...)\n  b();");
        let lines: Vec<Option<u32>> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [Some(158), None, Some(174)]);
    }

    #[test]
    fn finding_ids_in_text_become_references_but_not_inside_longer_words() {
        let (blocks, _) = convert("See TOB-X-1, not TOB-X-10.");
        let Block::Paragraph { content } = &blocks[0] else {
            panic!()
        };
        assert_eq!(
            content[1],
            Inline::FindingRef {
                id: "TOB-X-1".into()
            }
        );
        assert_eq!(plain(&content[2..]), ", not TOB-X-10.");
    }

    #[test]
    fn a_right_to_left_override_is_shown_and_warned_about() {
        let (blocks, problems) = convert("pay\u{202E}gnp.exe and `x\u{200B}y`");
        assert_eq!(plain_blocks(&blocks), "pay<U+202E>gnp.exe and x<U+200B>y");
        assert_eq!(problems.len(), 2);
        assert!(
            problems[0]
                .message
                .contains("bidirectional control character U+202E")
        );
    }

    #[test]
    fn raw_html_and_javascript_links_stay_text() {
        let (blocks, problems) = convert("<script>x</script>\n\n[a](javascript:alert(1))");
        assert_eq!(plain_blocks(&blocks), "<script>x</script>\n\na");
        assert!(problems[0].message.contains("javascript:alert(1)"));
    }

    #[test]
    fn nesting_too_deep_is_an_error_at_its_place() {
        let text = ">".repeat(40) + " deep";
        let (_, problems) = convert(&text);
        assert!(problems[0].error);
        assert!(problems[0].message.contains("nested deeper"));
    }
}

/// A heading of a Markdown text as pulldown-cmark reads it: never a `#`
/// line inside code, and setext headings (`Title` over `---`) as well.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadingAt {
    /// 1 to 6.
    pub level: u8,
    /// Its text as written (inline Markdown), without the markers.
    pub title: String,
    /// Its bytes in the text, markers and underline included.
    pub range: Range<usize>,
    /// Whether it is underlined rather than `#`-marked.
    pub setext: bool,
}

/// The headings of a Markdown text, in order.
pub fn headings(text: &str) -> Vec<HeadingAt> {
    let options = CmOptions::ENABLE_TABLES
        | CmOptions::ENABLE_STRIKETHROUGH
        | CmOptions::ENABLE_FOOTNOTES
        | CmOptions::ENABLE_TASKLISTS;
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let Event::Start(Tag::Heading { level, .. }) = event else {
            continue;
        };
        let raw = &text[range.clone()];
        let first = raw.lines().next().unwrap_or("").trim_start();
        let setext = !first.starts_with('#');
        let title = if setext {
            let lines: Vec<&str> = raw.trim_end().lines().collect();
            lines[..lines.len().saturating_sub(1)]
                .iter()
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            let t = first.trim_start_matches('#').trim();
            // A closing sequence of `#` after a space is not part of the title.
            match t.trim_end_matches('#') {
                rest if rest.len() < t.len() && (rest.is_empty() || rest.ends_with(' ')) => {
                    rest.trim_end().to_string()
                }
                _ => t.to_string(),
            }
        };
        out.push(HeadingAt {
            level: level as u8,
            title,
            range,
            setext,
        });
    }
    out
}

/// Rewrites every heading of a Markdown text at the level `level_of` gives
/// it (from its level and title), as a `#` heading; nothing else changes,
/// and a `#` line inside code is never touched.
pub fn set_heading_levels(text: &str, level_of: impl Fn(u8, &str) -> u8) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for h in headings(text) {
        let level = level_of(h.level, &h.title).clamp(1, 6);
        if level == h.level && !h.setext {
            continue;
        }
        out.push_str(&text[at..h.range.start]);
        out.push_str(&"#".repeat(level as usize));
        if !h.title.is_empty() {
            out.push(' ');
            out.push_str(&h.title);
        }
        if text[h.range.clone()].ends_with('\n') {
            out.push('\n');
        }
        at = h.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod heading_tests {
    use super::*;

    #[test]
    fn levels_change_for_atx_and_setext_headings_and_never_in_code() {
        let text = "Intro\n\n    # a shell comment\n\n```sh\n# another\n```\n\nSummary\n-------\n\n# Steps #\n\ntext\n";
        let found: Vec<(u8, String, bool)> = headings(text)
            .into_iter()
            .map(|h| (h.level, h.title, h.setext))
            .collect();
        assert_eq!(
            found,
            [(2, "Summary".into(), true), (1, "Steps".into(), false)]
        );
        assert_eq!(
            set_heading_levels(text, |l, _| (l + 1).max(3)),
            "Intro\n\n    # a shell comment\n\n```sh\n# another\n```\n\n### Summary\n\n### Steps\n\ntext\n"
        );
    }
}

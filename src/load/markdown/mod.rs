//! Markdown -> the typed content tree of [`crate::content`].
//!
//! Findings, sections and appendices are written in CommonMark (with tables,
//! strikethrough, footnotes and task lists). They are parsed here, in Rust, and
//! reach the templates as data: every leaf is a string that typst lays out
//! verbatim, so nothing written in the data is ever evaluated as markup.
//! Raw HTML is kept as visible text.

use std::ops::Range;

use crate::content::{Block, Inline, plain_blocks};
use crate::forge::permalink;
use crate::model::Target;
use crate::unicode;

mod code;
mod convert;
mod headings;
mod ids;
mod quotes;

pub use headings::{HeadingAt, headings, set_heading_levels};
pub use ids::FindingIds;
pub use quotes::Quotes;

/// Deepest nesting of Markdown elements accepted; the typst walker is recursive.
pub const MAX_DEPTH: usize = 16;

/// The CommonMark extensions the folder's Markdown is read with, by the
/// loader and by every tool that finds things in it as the loader does.
pub const OPTIONS: pulldown_cmark::Options = pulldown_cmark::Options::ENABLE_TABLES
    .union(pulldown_cmark::Options::ENABLE_STRIKETHROUGH)
    .union(pulldown_cmark::Options::ENABLE_FOOTNOTES)
    .union(pulldown_cmark::Options::ENABLE_TASKLISTS);

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
    /// Whether figures without a prefix are numbered through their chapter,
    /// the templates putting the chapter's number before theirs (FORMAT 1.3,
    /// `figures = "chapter"`).
    pub chapter_figures: bool,
    /// Image path resolver.
    pub images: &'a mut dyn ImageSink,
    /// The quotation marks that straight quotes in prose become, by the
    /// style's language; `None` keeps them as typed.
    pub quotes: Option<Quotes>,
}

/// Converts Markdown text into blocks, with the problems found.
pub fn parse(text: &str, cx: &mut Context) -> (Vec<Block>, Vec<Problem>) {
    convert::blocks(text, cx)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::plain;

    fn convert(text: &str) -> (Vec<Block>, Vec<Problem>) {
        let ids = FindingIds::new(["TOB-X-1".to_string()], []);
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
            chapter_figures: false,
            images: &mut images,
            quotes: Some(Quotes::for_lang("en")),
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

    // A block without `start` was numbered from 1 under a caption that said
    // "lines 148 through 152".
    #[test]
    fn code_is_numbered_only_from_a_known_first_line() {
        let numbers = |source: &str| {
            let (blocks, problems) = convert(source);
            assert!(problems.is_empty(), "{problems:?}");
            let Block::Code {
                numbered,
                lines,
                highlight,
                ..
            } = &blocks[0]
            else {
                panic!("expected code, got {blocks:?}");
            };
            let lines: Vec<u32> = lines.iter().flatten().copied().collect();
            (*numbered, lines[0], highlight.clone())
        };
        let code = "```c {highlight=\"2\"}\na\nb\n```\n";
        assert_eq!(numbers(code), (false, 1, vec![2]));
        for (caption, first) in [
            ("`lib/url.c`, lines 148 through 152. Credentials", 148),
            ("the handler (`curl/lib/url.c#787–814`)", 787),
            ("`paths.go#L41-L58`: joined", 41),
            ("Line 9 only", 9),
        ] {
            let source = format!("{code}*Figure 1.1: {caption}*\n");
            assert_eq!(
                numbers(&source),
                (true, first, vec![first + 1]),
                "{caption}"
            );
        }
        for caption in ["Issue #12 and its 3 lines", "the pipelines 12"] {
            let source = format!("{code}*Figure 1.1: {caption}*\n");
            assert_eq!(numbers(&source), (false, 1, vec![2]), "{caption}");
        }
        assert!(numbers("```c {start=7}\na\n```\n").0);
    }

    #[test]
    fn inline_line_numbers_number_their_lines_and_leave_elisions_unnumbered() {
        let (blocks, problems) = convert(
            "```c {linenos=\"inline\" highlight=\"174\"}\n158\tint a;\n// (...)\n174\t  b();\n```\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let Block::Code { text, lines, .. } = &blocks[0] else {
            panic!()
        };
        assert_eq!(text, "int a;\n// (...)\n  b();");
        assert_eq!(lines, &[Some(158), None, Some(174)]);
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

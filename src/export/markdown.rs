//! The content tree written back as CommonMark, for the JSON, CSV and Markdown exports.
//!
//! Text is escaped so that it reads back as the same text: a `*` typed in a
//! finding stays a `*`, never emphasis.

use crate::content::{Block, Figure, Inline, ListItem};

/// Writes blocks as Markdown, with footnotes after them; code blocks keep
/// auditpress's attributes (`{start=41 highlight="51,52"}`), so that the
/// text reads back into a finding as it was.
pub fn blocks(list: &[Block]) -> String {
    blocks_with(list, Writer::default())
}

/// Writes blocks as Markdown for other readers (a tracker, an advisory):
/// a code fence's info string is its language alone, as CommonMark
/// renderers expect.
pub fn document_blocks(list: &[Block]) -> String {
    blocks_with(
        list,
        Writer {
            language_only: true,
            ..Writer::default()
        },
    )
}

/// Writes blocks with a writer, then the footnotes.
fn blocks_with(list: &[Block], mut w: Writer) -> String {
    let mut out = w.blocks(list);
    for (i, note) in std::mem::take(&mut w.notes).iter().enumerate() {
        out.push_str(&format!(
            "\n\n[^{}]: {}",
            i + 1,
            note.replace('\n', "\n    ")
        ));
    }
    out
}

/// Writes inline content as Markdown.
pub fn inlines(list: &[Inline]) -> String {
    Writer::default().inlines(list)
}

#[derive(Default)]
struct Writer {
    /// Footnote bodies, numbered in order of reference.
    notes: Vec<String>,
    /// Whether code fences leave out auditpress's attributes.
    language_only: bool,
}

/// A code block fenced again, its start and highlights as attributes of the
/// info string.
fn code(code: &str, lang: Option<&str>, start: u32, highlight: &[u32]) -> String {
    let fence = "`".repeat(longest_run(code, '`').max(2) + 1);
    let mut info = lang.unwrap_or_default().to_string();
    let mut attributes = Vec::new();
    if start != 1 {
        attributes.push(format!("start={start}"));
    }
    if !highlight.is_empty() {
        let lines: Vec<String> = highlight.iter().map(u32::to_string).collect();
        attributes.push(format!("highlight=\"{}\"", lines.join(",")));
    }
    if !attributes.is_empty() {
        info.push_str(&format!(" {{{}}}", attributes.join(" ")));
    }
    format!("{fence}{info}\n{code}\n{fence}")
}

impl Writer {
    fn blocks(&mut self, list: &[Block]) -> String {
        list.iter()
            .map(|b| self.block(b))
            .collect::<Vec<_>>()
            .join("\n\n")
    }

    fn block(&mut self, block: &Block) -> String {
        match block {
            Block::Paragraph { content } => self.inlines(content),
            Block::Heading { level, content } => {
                format!(
                    "{} {}",
                    "#".repeat(usize::from(*level)),
                    self.inlines(content)
                )
            }
            Block::Code {
                lang,
                text,
                start,
                highlight,
                figure,
                ..
            } => {
                let (start, highlight) = if self.language_only {
                    (1, &[][..])
                } else {
                    (*start, &highlight[..])
                };
                let fenced = code(text, lang.as_deref(), start, highlight);
                format!("{fenced}{}", self.caption(figure))
            }
            Block::Image { alt, figure, .. } => {
                format!("*[Image: {}]*{}", escape(alt), self.caption(figure))
            }
            Block::Quote { body } => self
                .blocks(body)
                .lines()
                .map(|l| {
                    if l.is_empty() {
                        ">".to_string()
                    } else {
                        format!("> {l}")
                    }
                })
                .collect::<Vec<_>>()
                .join("\n"),
            Block::List {
                ordered,
                start,
                items,
            } => self.list(*ordered, *start, items),
            Block::Table {
                align,
                header,
                rows,
            } => self.table(align, header, rows),
            Block::Rule => "---".to_string(),
        }
    }

    /// Writes a list: each item after its marker (and task box), its
    /// following lines indented under it.
    fn list(&mut self, ordered: bool, start: u64, items: &[ListItem]) -> String {
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let marker = if ordered {
                    format!("{}. ", start + i as u64)
                } else {
                    "- ".to_string()
                };
                let task = match item.task {
                    Some(true) => "[x] ",
                    Some(false) => "[ ] ",
                    None => "",
                };
                let body = self.blocks(&item.body);
                let indent = " ".repeat(marker.len());
                let body = body.replace('\n', &format!("\n{indent}"));
                format!("{marker}{task}{body}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Writes a pipe table: its header, the alignment rule and its rows.
    fn table(
        &mut self,
        align: &[&str],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
    ) -> String {
        let row = |w: &mut Self, cells: &[Vec<Inline>]| {
            let cells: Vec<String> = cells
                .iter()
                .map(|c| w.inlines(c).replace('|', "\\|"))
                .collect();
            format!("| {} |", cells.join(" | "))
        };
        let rule: Vec<&str> = align
            .iter()
            .map(|a| match *a {
                "left" => ":---",
                "center" => ":---:",
                "right" => "---:",
                _ => "---",
            })
            .collect();
        let mut out = vec![row(self, header), format!("| {} |", rule.join(" | "))];
        for r in rows {
            out.push(row(self, r));
        }
        out.join("\n")
    }

    /// Writes a figure's caption on the line after its figure, when it has one.
    fn caption(&mut self, figure: &Option<Figure>) -> String {
        figure.as_ref().map_or(String::new(), |f| {
            format!("\n*Figure {}: {}*", f.number, self.inlines(&f.caption))
        })
    }

    fn inlines(&mut self, list: &[Inline]) -> String {
        let mut out = String::new();
        for inline in list {
            match inline {
                Inline::Text { text } => out.push_str(&escape(text)),
                Inline::Code { text, .. } => out.push_str(&code_span(text)),
                Inline::Emph { content } => out.push_str(&format!("*{}*", self.inlines(content))),
                Inline::Strong { content } => {
                    out.push_str(&format!("**{}**", self.inlines(content)))
                }
                Inline::Strike { content } => {
                    out.push_str(&format!("~~{}~~", self.inlines(content)))
                }
                Inline::Link { url, content } => out.push_str(&format!(
                    "[{}](<{}>)",
                    self.inlines(content),
                    link_target(url)
                )),
                Inline::FindingRef { id } => out.push_str(&escape(id)),
                Inline::Image { alt, .. } => out.push_str(&format!("*[Image: {}]*", escape(alt))),
                Inline::Break => out.push_str("\\\n"),
                Inline::Footnote { body } => {
                    let text = self.blocks(body);
                    self.notes.push(text);
                    out.push_str(&format!("[^{}]", self.notes.len()));
                }
            }
        }
        out
    }
}

/// Returns the longest run of a character in a text.
fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut now) = (0, 0);
    for ch in text.chars() {
        now = if ch == c { now + 1 } else { 0 };
        best = best.max(now);
    }
    best
}

/// A code span that holds `text` whatever it holds: fenced by one backtick
/// more than its longest run, padded when it starts or ends with one, and
/// on one line.
pub fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let ticks = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// A link target for `(<...>)`: the characters that would end it, or the
/// line, percent-encoded.
pub fn link_target(url: &str) -> String {
    url.replace('<', "%3C")
        .replace('>', "%3E")
        .replace('\n', "%0A")
        .replace('\r', "%0D")
}

/// Escapes the characters that Markdown would read as markup.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::ListItem;

    #[test]
    fn text_reads_back_as_the_same_text() {
        let para = Block::Paragraph {
            content: vec![
                Inline::Text {
                    text: "a *star* and __init__ ".into(),
                },
                Inline::Code {
                    text: "x`y".into(),
                    url: None,
                },
                Inline::Strong {
                    content: vec![Inline::Text {
                        text: "bold".into(),
                    }],
                },
            ],
        };
        assert_eq!(
            blocks(&[para]),
            "a \\*star\\* and \\_\\_init\\_\\_ ``x`y``**bold**"
        );
    }

    #[test]
    fn code_keeps_its_numbers() {
        let code = Block::Code {
            lang: Some("go".into()),
            text: "aaabbb\nccc".into(),
            start: 10,
            numbered: true,
            highlight: vec![11],
            lines: vec![Some(10), Some(11)],
            figure: None,
        };
        let list = Block::List {
            ordered: false,
            start: 1,
            items: vec![ListItem {
                task: Some(true),
                body: vec![Block::Paragraph {
                    content: vec![Inline::Text {
                        text: "done".into(),
                    }],
                }],
            }],
        };
        assert_eq!(
            blocks(&[code, list]),
            "```go {start=10 highlight=\"11\"}\naaabbb\nccc\n```\n\n- [x] done"
        );
    }
}

//! PwnDoc's rich text (the HTML of its editor) as Markdown, in one pass.
//!
//! The text comes from another tool's export, so the converter is written
//! for hostile input: its time and its output are linear in the input
//! (lists nested deeper than [`MAX_LIST_DEPTH`] are written at that depth,
//! instead of an indentation that grows with each level), text between tags
//! is escaped so that it prints as written, code keeps a fence longer than
//! any run of backticks in it, and a tag ends at the first `>` outside its
//! quoted attributes.

use crate::export::markdown::escape;

/// Deepest list nesting written as such: deeper items are written at this
/// depth, so that each item costs the same whatever its nesting.
const MAX_LIST_DEPTH: usize = 8;

/// The converter's state: what is open at the current point.
#[derive(Default)]
struct Converter {
    out: String,
    /// Open lists, innermost last: ordered or not, items so far, and the
    /// width of the current item's marker (`- `, `10. `).
    lists: Vec<List>,
    /// The targets of the open links, innermost last.
    href: Vec<String>,
    /// Where the code of an open `<pre>` starts in `out`.
    pre: Option<usize>,
    /// Inside inline `<code>`.
    code: bool,
}

/// An open list.
struct List {
    ordered: bool,
    items: usize,
    marker: usize,
}

/// PwnDoc's rich text as Markdown: paragraphs, line breaks, emphasis, code,
/// lists, links, headings and rules; any other tag is dropped with its text
/// kept, and entities are decoded.
pub fn html_to_markdown(html: &str) -> String {
    let mut c = Converter::default();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        c.text(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            c.text(rest);
            rest = "";
            break;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        c.tag(tag);
    }
    c.text(rest);
    c.close_pre();
    tidy(&c.out)
}

/// Where a tag starting at `<` ends: its first `>` outside a quoted
/// attribute value, so that `href="a>b"` stays whole.
fn tag_end(text: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in text.bytes().enumerate().skip(1) {
        match (quote, b) {
            (None, b'>') => return Some(i),
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            _ => {}
        }
    }
    None
}

impl Converter {
    /// Handles one tag, written without its `<` and `>`.
    fn tag(&mut self, tag: &str) {
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if self.pre.is_some() {
            match (name.as_str(), closing) {
                ("pre", true) => self.close_pre(),
                ("br", _) => self.out.push('\n'),
                _ => {}
            }
            return;
        }
        match (name.as_str(), closing) {
            ("p" | "div", false) => self.paragraph(),
            ("p" | "div", true) if self.lists.is_empty() => self.out.push_str("\n\n"),
            ("br", _) => self.out.push_str("  \n"),
            ("b" | "strong", _) => self.out.push_str("**"),
            ("i" | "em", _) => self.out.push('*'),
            ("code", _) => {
                self.out.push('`');
                self.code = !closing;
            }
            ("pre", false) => {
                block(&mut self.out);
                self.pre = Some(self.out.len());
            }
            ("hr", _) => {
                block(&mut self.out);
                self.out.push_str("---\n\n");
            }
            ("ul" | "ol", false) => self.open_list(name == "ol"),
            ("ul" | "ol", true) => self.close_list(),
            ("li", false) => self.item(),
            ("a", false) => {
                self.href.push(attribute(tag, "href").unwrap_or_default());
                self.out.push('[');
            }
            ("a", true) => {
                if let Some(target) = self.href.pop() {
                    self.out.push_str(&format!("](<{}>)", link_target(&target)));
                }
            }
            (h, false) if heading_level(h).is_some() => {
                block(&mut self.out);
                let level = heading_level(h).unwrap_or(3).clamp(3, 6);
                self.out.push_str(&"#".repeat(level));
                self.out.push(' ');
            }
            (h, true) if heading_level(h).is_some() => self.out.push_str("\n\n"),
            _ => {}
        }
    }

    /// Opens a paragraph: a blank line, or inside a list item, nothing
    /// right after its marker and an indented blank line after its text.
    fn paragraph(&mut self) {
        if self.lists.is_empty() {
            block(&mut self.out);
        } else if !self.out.ends_with(' ') && !self.out.ends_with('\n') {
            let indent = self.indent(self.lists.len());
            self.out.push_str("\n\n");
            self.out.push_str(&" ".repeat(indent));
        }
    }

    fn open_list(&mut self, ordered: bool) {
        if self.lists.is_empty() {
            block(&mut self.out);
        }
        self.lists.push(List {
            ordered,
            items: 0,
            marker: 2,
        });
    }

    /// Closes the innermost list; after the outermost, a blank line.
    fn close_list(&mut self) {
        if self.lists.pop().is_some() && self.lists.is_empty() {
            self.out.push_str("\n\n");
        }
    }

    /// Starts a list item on its own line, indented under the items it is in.
    fn item(&mut self) {
        if !self.out.ends_with('\n') && !self.out.is_empty() {
            self.out.push('\n');
        }
        // Items deeper than the limit become items of the deepest list written.
        let depth = self.lists.len().min(MAX_LIST_DEPTH);
        let indent = self.indent(depth.saturating_sub(1));
        self.out.push_str(&" ".repeat(indent));
        let marker = match self.lists.get_mut(depth.saturating_sub(1)) {
            Some(list) if list.ordered => {
                list.items += 1;
                format!("{}. ", list.items)
            }
            _ => "- ".to_string(),
        };
        if let Some(list) = self.lists.get_mut(depth.saturating_sub(1)) {
            list.marker = marker.len();
        }
        self.out.push_str(&marker);
    }

    /// The indentation of the content of the first `depth` open lists (at
    /// most [`MAX_LIST_DEPTH`] of them count).
    fn indent(&self, depth: usize) -> usize {
        let depth = depth.min(MAX_LIST_DEPTH).min(self.lists.len());
        self.lists[..depth].iter().map(|l| l.marker).sum()
    }

    /// Appends the text between tags, entities decoded; outside code, the
    /// characters Markdown would read are escaped, so it prints as written.
    fn text(&mut self, raw: &str) {
        let decoded = decode(raw);
        if self.pre.is_some() {
            self.out.push_str(&decoded);
        } else if self.code {
            self.out.push_str(&decoded.replace(['\n', '\r', '`'], " "));
        } else {
            let flat = decoded.replace(['\n', '\r'], " ");
            self.out.push_str(&escape(&flat));
        }
    }

    /// Closes an open `<pre>`: its code goes between fences longer than any
    /// run of backticks in it, so that no line of it closes the block.
    fn close_pre(&mut self) {
        let Some(start) = self.pre.take() else {
            return;
        };
        let code = self.out.split_off(start);
        let code = code.trim_end_matches(['\n', '\r']);
        let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        self.out.push_str(&format!("{fence}\n{code}\n{fence}\n\n"));
    }
}

/// The level of a heading tag: `h1` to `h6`.
fn heading_level(name: &str) -> Option<usize> {
    match name.as_bytes() {
        [b'h', d @ b'1'..=b'6'] => Some(usize::from(d - b'0')),
        _ => None,
    }
}

/// A link target that stays one link destination between `<` and `>`.
fn link_target(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for c in target.chars() {
        match c {
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            '\\' => out.push_str("%5C"),
            c => out.push(c),
        }
    }
    out
}

/// Collapses runs of blank lines and trailing spaces, keeping hard breaks.
fn tidy(out: &str) -> String {
    let mut tidy = String::new();
    for line in out.lines() {
        if line.trim().is_empty() && tidy.ends_with("\n\n") {
            continue;
        }
        tidy.push_str(line.trim_end());
        if line.ends_with("  ") {
            tidy.push_str("  ");
        }
        tidy.push('\n');
    }
    tidy.trim().to_string()
}

/// Starts a new block: a blank line unless at the start.
fn block(out: &mut String) {
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
}

/// Decodes HTML entities: the named ones an editor writes and numeric ones;
/// anything else stays as written.
fn decode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Entities are short: look for the `;` in the next few bytes only.
        let entity = rest.as_bytes()[1..]
            .iter()
            .take(12)
            .position(|&b| b == b';')
            .and_then(|end| Some((entity(rest.get(1..=end)?)?, end + 2)));
        match entity {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character an entity (between `&` and `;`) stands for.
fn entity(name: &str) -> Option<char> {
    let number = |digits: &str, radix| u32::from_str_radix(digits, radix).ok();
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "amp" => Some('&'),
        "nbsp" => Some(' '),
        _ => {
            let code = match name.strip_prefix('#')? {
                hex if hex.starts_with(['x', 'X']) => number(&hex[1..], 16),
                dec => number(dec, 10),
            }?;
            char::from_u32(code).filter(|c| *c != '\0')
        }
    }
}

/// The value of an attribute of a tag (`href="..."`, `href='...'` or
/// unquoted), entities decoded.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    loop {
        let at = rest.find(name)?;
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let raw = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(char::is_whitespace).next().unwrap_or(""),
        };
        return Some(decode(raw));
    }
}

#[cfg(test)]
mod tests {
    use super::html_to_markdown;

    #[test]
    fn pwndoc_rich_text_becomes_markdown() {
        assert_eq!(
            html_to_markdown(
                "<p>The <code>id</code> parameter is <strong>not</strong> checked &amp; leaks.</p><ul><li>one</li><li>two</li></ul><pre><code>SELECT 1;</code></pre>"
            ),
            "The `id` parameter is **not** checked & leaks.\n\n- one\n- two\n\n```\nSELECT 1;\n```"
        );
    }

    #[test]
    fn code_keeps_its_backticks_and_rules_and_links_stay_whole() {
        let md = html_to_markdown("<pre>a\n```\n# not a heading\n````</pre><p>after</p>");
        assert_eq!(md, "`````\na\n```\n# not a heading\n````\n`````\n\nafter");
        assert_eq!(html_to_markdown("<p>a</p><hr><p>b</p>"), "a\n\n---\n\nb");
        assert_eq!(
            html_to_markdown("<a href=\"https://x.example/?q=a>b\">x</a>"),
            "[x](<https://x.example/?q=a%3Eb>)"
        );
        assert_eq!(
            html_to_markdown("a &#x27;b&#39; &bogus; &"),
            "a 'b' &bogus; &"
        );
    }

    #[test]
    fn lists_nest_in_bounded_indentation_and_paragraphs_stay_in_their_items() {
        assert_eq!(
            html_to_markdown(
                "<ol><li><p>one</p><ul><li>a</li></ul></li><li>two</li></ol><p>after</p>"
            ),
            "1. one\n   - a\n2. two\n\nafter"
        );
        let deep = "<ul><li>x".repeat(100_000);
        let md = html_to_markdown(&deep);
        assert!(md.len() < 100_000 * 40, "{} bytes", md.len());
        assert!(md.lines().all(|l| l.len() < 40));
    }
}

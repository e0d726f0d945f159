//! The page's contents, made from its own headings: every `h2` and `h3`
//! with an id after the marker the template leaves, so that the contents
//! list what the sections printed, each entry a link to its heading.
//!
//! The page is the templates' output, in which every text from the audit
//! folder is escaped: a `<` in it is markup the templates wrote.

/// Where the template wants the contents.
pub const MARKER: &str = "<!--auditpress:contents-->";

/// A heading listed: its level (2 or 3), its id and its text as HTML.
struct Entry {
    level: u8,
    id: String,
    text: String,
}

/// Puts the contents list where the marker is; a page without the marker
/// (an override that has no contents) is returned as it is.
pub fn fill(page: &str) -> String {
    let Some(at) = page.find(MARKER) else {
        return page.to_string();
    };
    let entries = headings(&page[at + MARKER.len()..]);
    let mut out = String::with_capacity(page.len() + entries.len() * 80);
    out.push_str(&page[..at]);
    out.push_str(&list(&entries));
    out.push_str(&page[at + MARKER.len()..]);
    out
}

/// The `h2` and `h3` headings with an id, in order.
fn headings(html: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<h") {
        rest = &rest[start + 2..];
        let level = match rest.as_bytes().first() {
            Some(b'2') => 2,
            Some(b'3') => 3,
            _ => continue,
        };
        let Some(tag_end) = rest.find('>') else { break };
        let attributes = &rest[1..tag_end];
        let close = format!("</h{level}>");
        let Some(end) = rest.find(&close) else { break };
        if let Some(id) = attribute(attributes, "id") {
            entries.push(Entry {
                level,
                id: id.to_string(),
                text: without_tags(&rest[tag_end + 1..end]).trim().to_string(),
            });
        }
        rest = &rest[end..];
    }
    entries
}

/// The value of an attribute written as `name="value"` (as the templates
/// write them; the value is already escaped).
fn attribute<'a>(attributes: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let start = attributes
        .match_indices(&key)
        .find(|(i, _)| *i == 0 || attributes.as_bytes()[i - 1].is_ascii_whitespace())?
        .0
        + key.len();
    let len = attributes[start..].find('"')?;
    Some(&attributes[start..start + len])
}

/// HTML without its tags: the escaped text, entities kept.
fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The nested list: chapters, each with its sections.
fn list(entries: &[Entry]) -> String {
    let mut out = String::from("<ol>\n");
    let mut open = false;
    for (i, e) in entries.iter().enumerate() {
        let link = format!("<a href=\"#{}\">{}</a>", e.id, e.text);
        if e.level == 2 || i == 0 {
            if open {
                out.push_str("</ol></li>\n");
                open = false;
            } else if i > 0 {
                out.push_str("</li>\n");
            }
            out.push_str(&format!("<li>{link}"));
        } else {
            if !open {
                out.push_str("<ol>\n");
                open = true;
            }
            out.push_str(&format!("<li>{link}</li>\n"));
        }
    }
    if open {
        out.push_str("</ol>");
    }
    if !entries.is_empty() {
        out.push_str("</li>\n");
    }
    out.push_str("</ol>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contents_list_the_chapters_and_their_sections_as_links() {
        let page = format!(
            "<nav>{MARKER}</nav><h2 id=\"a\">One</h2><h3 class=\"x\" id=\"b\">Two <code>&lt;x&gt;</code></h3><h4 id=\"c\">No</h4><h2>Not listed</h2><h2 id=\"d\">Three</h2>"
        );
        let filled = fill(&page);
        assert!(filled.starts_with(
            "<nav><ol>\n<li><a href=\"#a\">One</a><ol>\n<li><a href=\"#b\">Two &lt;x&gt;</a></li>\n</ol></li>\n<li><a href=\"#d\">Three</a></li>\n</ol></nav>"
        ), "{filled}");
    }
}

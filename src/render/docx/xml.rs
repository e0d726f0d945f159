//! Text as XML: every string of the view reaches the document through
//! [`escape`] or [`runs`], never as markup.

pub use crate::unicode::xml_escape as escape;

/// One run of text with run properties (`rpr`, the inside of `w:rPr`, or
/// empty): tabs become `w:tab`, line breaks `w:br`, so that the text reads
/// as written.
pub fn runs(text: &str, rpr: &str) -> String {
    let mut out = String::new();
    let props = if rpr.is_empty() {
        String::new()
    } else {
        format!("<w:rPr>{rpr}</w:rPr>")
    };
    out.push_str("<w:r>");
    out.push_str(&props);
    let mut first = true;
    for line in text.split('\n') {
        if !first {
            out.push_str("<w:br/>");
        }
        first = false;
        for (i, part) in line.split('\t').enumerate() {
            if i > 0 {
                out.push_str("<w:tab/>");
            }
            if !part.is_empty() {
                out.push_str("<w:t xml:space=\"preserve\">");
                out.push_str(&escape(part.trim_end_matches('\r')));
                out.push_str("</w:t>");
            }
        }
    }
    out.push_str("</w:r>");
    out
}

/// Whether a URL may be a link of the document: http, https and mailto
/// only, as in the PDF; anything else (`javascript:`, `file:`) stays text.
pub fn safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// A bookmark name Word accepts: letters, digits, `_` and `-`, at most 40
/// characters, starting with a letter.
pub fn bookmark(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'b');
    }
    out.truncate(40);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_text_stays_text() {
        assert_eq!(
            escape("<w:p a=\"1\">&'\u{1}"),
            "&lt;w:p a=&quot;1&quot;&gt;&amp;&apos;"
        );
        assert_eq!(
            runs("a\tb\nc", ""),
            "<w:r><w:t xml:space=\"preserve\">a</w:t><w:tab/><w:t xml:space=\"preserve\">b</w:t><w:br/><w:t xml:space=\"preserve\">c</w:t></w:r>"
        );
    }

    #[test]
    fn only_web_and_mail_links_are_links() {
        assert!(safe_url("https://example.com"));
        assert!(safe_url("mailto:a@example.com"));
        assert!(!safe_url("javascript:alert(1)"));
        assert!(!safe_url(" JavaScript:alert(1)"));
        assert!(!safe_url("file:///etc/passwd"));
    }
}

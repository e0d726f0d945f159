//! The templates' data: the view serialised into the JSON files the typst
//! World serves (and `--emit template-data` and `--emit view-json` write),
//! with the PDF's net under it. The loader made every invisible character
//! it read visible, with a warning at its place; this pass makes sure that
//! no string reaches the templates, and so the PDF's text layer, with one
//! left in. It is the PDF's (typst's) concern, not the view's: a
//! deliverable written from the view by other means escapes for its own
//! format.

use crate::unicode;
use crate::view::{COLOURS_PATH, STRINGS_PATH, VIEW_PATH, View};

/// Every file of the view the templates read, as (virtual path, JSON): the
/// view, then its strings and its colours on their own.
pub fn files(view: &View) -> [(&'static str, String); 3] {
    [
        (VIEW_PATH, json(view)),
        (STRINGS_PATH, json(&view.strings)),
        (COLOURS_PATH, json(&view.colours)),
    ]
}

/// The view as the templates read it, indented for people (`--emit view-json`).
pub fn pretty(view: &View) -> String {
    visible_json(&serde_json::to_string_pretty(view).expect("the view serialises"))
}

/// A part of the view as the templates read it.
fn json<T: serde::Serialize + ?Sized>(part: &T) -> String {
    visible_json(&serde_json::to_string(part).expect("the view serialises"))
}

/// Makes the invisible characters of JSON text visible: those written as
/// themselves (JSON's syntax is ASCII, so they can only be inside strings), and
/// control characters written as escapes (`\b`, `\f`, `\u0007`).
fn visible_json(json: &str) -> String {
    let text = unicode::make_visible(json).0;
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    // The text between escapes is copied a run at a time.
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let mut chars = rest[at + 1..].chars();
        match chars.next() {
            Some('b') => out.push_str("<U+0008>"),
            Some('f') => out.push_str("<U+000C>"),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16) {
                    Ok(n) if n < 0x20 && !matches!(n, 0x09 | 0x0A | 0x0D) => {
                        out.push_str(&format!("<U+{n:04X}>"))
                    }
                    _ => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_invisible_character_reaches_the_templates() {
        let json =
            serde_json::to_string(&["a\u{7}b\u{8}", "\\u0007", "x\u{200B}y\u{E0041}", "tab\tok"])
                .unwrap();
        let shown = visible_json(&json);
        let back: Vec<String> = serde_json::from_str(&shown).unwrap();
        assert_eq!(
            back,
            [
                "a<U+0007>b<U+0008>",
                "\\u0007",
                "x<U+200B>y<U+E0041>",
                "tab\tok"
            ]
        );
    }
}

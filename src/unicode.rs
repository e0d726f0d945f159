//! Invisible characters made visible.
//!
//! Bidirectional controls reorder what a reader sees (a quoted payload can
//! display differently from what it is), zero-width characters hide inside
//! words, and control characters have no glyph at all. In audit evidence all of
//! them must be seen, so each is replaced by a visible `<U+202E>` marker, and
//! the loader warns where it did so.

use std::borrow::Cow;

/// Tells whether a character would be invisible or would reorder text.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    ) || (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

/// Replaces hidden characters by `<U+XXXX>`; also returns the first one replaced.
pub fn make_visible(text: &str) -> (Cow<'_, str>, Option<char>) {
    let Some(first) = text.chars().find(|c| is_hidden(*c)) else {
        return (Cow::Borrowed(text), None);
    };
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hidden(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    (Cow::Owned(out), Some(first))
}

/// Names a hidden character for a message.
pub fn describe(c: char) -> String {
    let kind = match c {
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => "bidirectional control character",
        c if c.is_control() => "control character",
        _ => "invisible character",
    };
    format!("{kind} U+{:04X}", c as u32)
}

/// Says that a hidden character was made visible: the warning's message and hint.
pub fn warning(c: char) -> (String, &'static str) {
    (
        format!("{} is shown as <U+{:04X}>", describe(c), c as u32),
        "invisible and direction-changing characters are made visible in the report",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_zero_width_and_control_characters_become_visible() {
        let (text, first) = make_visible("a\u{202E}b\u{200B}c\u{7}d\te");
        assert_eq!(text, "a<U+202E>b<U+200B>c<U+0007>d\te");
        assert_eq!(first, Some('\u{202E}'));
        assert_eq!(
            describe('\u{202E}'),
            "bidirectional control character U+202E"
        );
        assert!(matches!(make_visible("plain"), (Cow::Borrowed(_), None)));
    }
}

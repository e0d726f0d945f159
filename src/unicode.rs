//! Invisible characters made visible.
//!
//! Bidirectional controls reorder what a reader sees (a quoted payload can
//! display differently from what it is), zero-width and other format
//! characters hide inside words, tag characters spell ASCII that no one sees
//! but a text extractor or a language model reads, and control characters have
//! no glyph at all. In audit evidence all of them must be seen, so each is
//! replaced by a visible `<U+202E>` marker, and the loader warns where it did so.
//!
//! Covered: every format character (Unicode general category Cf), the whole
//! tag block, control characters but tab and line ends, a few blank letters
//! (Hangul fillers, the combining grapheme joiner), variation selectors that
//! follow nothing they could modify, and zero-width joiners outside emoji
//! sequences.

use std::borrow::Cow;

/// The format characters (general category Cf) of Unicode 16, as ranges.
const FORMAT: &[(u32, u32)] = &[
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Letters and marks that print as nothing.
const BLANK: &[char] = &['\u{034F}', '\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}'];

/// Tells whether a character is a format character (category Cf).
pub fn is_format(c: char) -> bool {
    let c = c as u32;
    FORMAT.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// Tells whether a character is a tag character (U+E0000 to U+E007F).
pub fn is_tag(c: char) -> bool {
    ('\u{E0000}'..='\u{E007F}').contains(&c)
}

/// Tells whether a character is a variation selector.
fn is_variation_selector(c: char) -> bool {
    matches!(c, '\u{180B}'..='\u{180D}' | '\u{180F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Tells whether a character may be part of an emoji sequence.
fn is_emoji_like(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}')
        || is_variation_selector(c)
}

/// Tells whether a character is hidden wherever it stands: format, tag,
/// control or blank characters. Variation selectors and joiners depend on
/// their neighbours; see [`make_visible`].
pub fn is_hidden(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_control() && !matches!(c, '\n' | '\t' | '\r');
    }
    (is_format(c) && c != '\u{200D}')
        || is_tag(c)
        || BLANK.contains(&c)
        || (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

/// Tells whether a character may be hidden, depending on where it stands
/// (joiners and variation selectors included): what a terminal must not show.
pub fn may_hide(c: char) -> bool {
    if c.is_ascii() {
        return is_hidden(c);
    }
    is_hidden(c) || c == '\u{200D}' || is_variation_selector(c)
}

/// Tells whether any character of a text may be hidden ([`may_hide`]): a
/// scan of its bytes first, since most text is printable ASCII, then of the
/// characters when there are others.
pub fn any_may_hide(text: &str) -> bool {
    let plain = |b: &u8| (b' '..0x7F).contains(b) || matches!(b, b'\n' | b'\t' | b'\r');
    !text.as_bytes().iter().all(plain) && text.chars().any(may_hide)
}

/// Tells whether a character is hidden where it stands, between `prev` and `next`.
fn hidden_here(prev: Option<char>, c: char, next: Option<char>) -> bool {
    if c == '\u{200D}' {
        // A zero-width joiner belongs inside an emoji sequence, nowhere else.
        return !(prev.is_some_and(is_emoji_like) && next.is_some_and(is_emoji_like));
    }
    if is_variation_selector(c) {
        // A selector modifies the character before it: an emoji, an ideograph,
        // a keycap digit. After nothing, a space or a plain letter it only hides.
        return !prev.is_some_and(|p| {
            !p.is_whitespace()
                && !is_hidden(p)
                && !is_variation_selector(p)
                && (!p.is_ascii() || p.is_ascii_digit() || matches!(p, '#' | '*'))
        });
    }
    is_hidden(c)
}

/// What was made visible in a text: the first hidden character, and the text
/// that tag characters spell, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hidden {
    /// The first character made visible.
    pub first: char,
    /// The ASCII spelled by the tag characters, in order (empty when none).
    pub tags: String,
}

/// Replaces hidden characters by `<U+XXXX>`; also says what was replaced.
pub fn make_visible(text: &str) -> (Cow<'_, str>, Option<Hidden>) {
    if !any_may_hide(text) {
        return (Cow::Borrowed(text), None);
    }
    let chars: Vec<char> = text.chars().collect();
    let hidden = |i: usize| {
        hidden_here(
            i.checked_sub(1).map(|p| chars[p]),
            chars[i],
            chars.get(i + 1).copied(),
        )
    };
    let Some(first) = (0..chars.len()).find(|&i| hidden(i)) else {
        return (Cow::Borrowed(text), None);
    };
    let mut out = String::with_capacity(text.len() + 16);
    let mut tags = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if hidden(i) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
            if let Some(spelled) = is_tag(c)
                .then(|| char::from_u32(c as u32 - 0xE0000))
                .flatten()
                .filter(|s| s.is_ascii_graphic() || *s == ' ')
            {
                tags.push(spelled);
            }
        } else {
            out.push(c);
        }
    }
    let found = Hidden {
        first: chars[first],
        tags,
    };
    (Cow::Owned(out), Some(found))
}

/// Names a hidden character for a message.
pub fn describe(c: char) -> String {
    let kind = match c {
        '\u{061C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => "bidirectional control character",
        '\u{00AD}' => "soft hyphen",
        c if is_tag(c) => "tag character",
        c if is_variation_selector(c) => "variation selector",
        c if c.is_control() => "control character",
        c if is_format(c) => "invisible format character",
        _ => "invisible character",
    };
    let kind = match c {
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => "invisible character",
        _ => kind,
    };
    format!("{kind} U+{:04X}", c as u32)
}

/// Says what was made visible: the warning's message and hint.
pub fn warning(found: &Hidden) -> (String, &'static str) {
    let c = found.first;
    let message = if found.tags.is_empty() {
        format!("{} is shown as <U+{:04X}>", describe(c), c as u32)
    } else {
        format!(
            "tag characters spell hidden text \"{}\"; they are shown as <U+E00XX> codes",
            found.tags
        )
    };
    (
        message,
        "invisible and direction-changing characters are made visible in the report",
    )
}

/// Escapes text for an XML attribute or element (the Word document's parts,
/// the charts' SVG), and drops the characters XML 1.0 cannot hold (control
/// characters but tab, line feed and carriage return; unpaired surrogates
/// cannot occur in a `str`).
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || matches!(c, '\u{fffe}' | '\u{ffff}') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_scan_finds_what_the_character_scan_finds() {
        // Every ASCII character, alone and inside plain text, and hidden
        // characters among non-ASCII letters.
        for c in (0u8..0x80).map(char::from) {
            for text in [c.to_string(), format!("plain {c} text")] {
                assert_eq!(any_may_hide(&text), text.chars().any(may_hide), "{c:?}");
            }
        }
        assert!(!any_may_hide("Prüfung der Schlüssel\n\tok"));
        assert!(any_may_hide("Prüfung\u{200B}der Schlüssel"));
        assert!(any_may_hide("Schlüssel\u{7F}"));
    }

    #[test]
    fn bidi_zero_width_and_control_characters_become_visible() {
        let (text, first) = make_visible("a\u{202E}b\u{200B}c\u{7}d\te");
        assert_eq!(text, "a<U+202E>b<U+200B>c<U+0007>d\te");
        assert_eq!(first.map(|h| h.first), Some('\u{202E}'));
        assert_eq!(
            describe('\u{202E}'),
            "bidirectional control character U+202E"
        );
        assert!(matches!(make_visible("plain"), (Cow::Borrowed(_), None)));
    }

    #[test]
    fn every_format_character_and_the_tag_block_become_visible() {
        for (lo, hi) in FORMAT {
            for c in (*lo..=*hi).filter_map(char::from_u32) {
                if c == '\u{200D}' {
                    continue;
                }
                let input = format!("a{c}b");
                let (text, found) = make_visible(&input);
                assert!(found.is_some(), "U+{:04X}", c as u32);
                assert!(!text.contains(c), "U+{:04X}", c as u32);
            }
        }
        for c in ('\u{E0000}'..='\u{E007F}').filter(|c| char::from_u32(*c as u32).is_some()) {
            assert!(
                make_visible(&format!("x{c}")).1.is_some(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn tag_characters_are_decoded_in_the_warning() {
        let smuggled: String = "ignore previous"
            .chars()
            .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
            .collect();
        let input = format!("Smuggled{smuggled}");
        let (text, found) = make_visible(&input);
        assert!(text.starts_with("Smuggled<U+E0069><U+E0067>"));
        let found = found.unwrap();
        assert_eq!(found.tags, "ignore previous");
        assert!(warning(&found).0.contains("\"ignore previous\""));
    }

    #[test]
    fn joiners_and_selectors_stay_where_they_modify_something() {
        // A family emoji and a red heart keep their joiner and selector.
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert!(make_visible(family).1.is_none());
        assert!(make_visible("\u{2764}\u{FE0F}").1.is_none());
        assert!(make_visible("1\u{FE0F}\u{20E3}").1.is_none());
        // Between letters, or after a space, they hide.
        assert_eq!(make_visible("a\u{200D}b").0, "a<U+200D>b");
        assert_eq!(make_visible("a\u{FE0F}").0, "a<U+FE0F>");
        assert_eq!(make_visible(" \u{FE0F}").0, " <U+FE0F>");
        assert_eq!(make_visible("\u{180E}").0, "<U+180E>");
        assert_eq!(make_visible("soft\u{AD}hyphen").0, "soft<U+00AD>hyphen");
    }
}

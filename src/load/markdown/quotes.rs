//! Typographic quotes in prose: the straight `"` and `'` a keyboard types
//! become the quotation marks and apostrophe of the report's language.
//!
//! Prose reaches typst as data, so typst's own smart quotes never apply to
//! it; the converter sets them here, on the text of Markdown prose only.
//! Code spans, code blocks, raw HTML, autolinks and anything that reads as a
//! URL keep their quotes as typed, as do plain-text fields (titles, ids,
//! names), which never pass through here.

/// The quotation marks of a language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotes {
    open_double: char,
    close_double: char,
    open_single: char,
    close_single: char,
}

/// The apostrophe, the same in every language set here.
const APOSTROPHE: char = '\u{2019}';

impl Quotes {
    /// The marks of a language tag (`en`, `de-AT`, ...): German and Polish
    /// have their own; every other language gets the English ones.
    pub fn for_lang(lang: &str) -> Self {
        let primary = lang
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let [open_double, close_double, open_single, close_single] = match primary.as_str() {
            "de" => ['\u{201E}', '\u{201C}', '\u{201A}', '\u{2018}'],
            "pl" => ['\u{201E}', '\u{201D}', '\u{201A}', '\u{2019}'],
            _ => ['\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}'],
        };
        Self {
            open_double,
            close_double,
            open_single,
            close_single,
        }
    }
}

/// What the text before a quote was: the context that decides whether a
/// straight quote opens, closes or is an apostrophe. It runs across the
/// pieces of text of one block (emphasis, links and code spans between).
#[derive(Clone, Copy, Debug)]
pub struct Before {
    /// The character before, `' '` at the start of a block.
    last: char,
    /// Single quotes opened and not yet closed.
    open_singles: u32,
}

impl Default for Before {
    fn default() -> Self {
        Self::start()
    }
}

impl Before {
    /// The context at the start of a block.
    pub fn start() -> Self {
        Self {
            last: ' ',
            open_singles: 0,
        }
    }

    /// Notes text that was printed as typed (code, HTML): it is what the
    /// next quote follows. Code counts as a word.
    pub fn after(&mut self, text: &str) {
        if let Some(c) = text.chars().last() {
            self.last = c;
        }
    }

    /// Notes a space between pieces (a line break).
    pub fn space(&mut self) {
        self.last = ' ';
    }
}

/// Whether a quote after `c` opens: after a space, the start of a block or
/// an opening bracket, dash or quote.
fn opens_after(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | '['
                | '{'
                | '<'
                | '\u{2013}'
                | '\u{2014}'
                | '/'
                | '\u{201C}'
                | '\u{2018}'
                | '\u{201E}'
                | '\u{201A}'
                | '\u{AB}'
                | '\u{2039}'
        )
}

/// Sets the quotes of one piece of prose text, with the context before it,
/// which it updates.
pub fn smarten(text: &str, quotes: Quotes, before: &mut Before) -> String {
    if !text.contains(['"', '\'']) {
        before.after(text);
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        // A word that reads as a URL keeps every character as typed.
        if i == 0 || chars[i - 1].is_whitespace() {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace())
                .unwrap_or(chars.len());
            let word: String = chars[i..end].iter().collect();
            if word.contains("://") || word.starts_with("www.") {
                out.push_str(&word);
                if let Some(&c) = chars[i..end].last() {
                    before.last = c;
                }
                i = end;
                continue;
            }
        }
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let set = match c {
            '"' if opens_after(before.last) => quotes.open_double,
            '"' => quotes.close_double,
            '\'' => single(quotes, before, next),
            other => other,
        };
        out.push(set);
        before.last = set;
        i += 1;
    }
    out
}

/// An apostrophe, or a single quote opening or closing.
fn single(quotes: Quotes, before: &mut Before, next: Option<char>) -> char {
    let word_follows = next.is_some_and(char::is_alphanumeric);
    if opens_after(before.last) {
        // '90s is an elision, not a quotation.
        if next.is_some_and(|c| c.is_ascii_digit()) || !word_follows && next.is_some() {
            return APOSTROPHE;
        }
        before.open_singles += 1;
        return quotes.open_single;
    }
    if before.open_singles > 0 && !word_follows {
        before.open_singles -= 1;
        return quotes.close_single;
    }
    APOSTROPHE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn en(text: &str) -> String {
        smarten(text, Quotes::for_lang("en"), &mut Before::start())
    }

    #[test]
    fn english_prose_gets_curly_quotes_and_apostrophes() {
        assert_eq!(
            en("the console's \"log out everywhere\" button"),
            "the console\u{2019}s \u{201C}log out everywhere\u{201D} button"
        );
        assert_eq!(
            en("'single' and the '90s, users' keys."),
            "\u{2018}single\u{2019} and the \u{2019}90s, users\u{2019} keys."
        );
        assert_eq!(en("(\"x\")"), "(\u{201C}x\u{201D})");
    }

    #[test]
    fn german_prose_gets_low_opening_quotes() {
        let de = Quotes::for_lang("de-AT");
        assert_eq!(
            smarten(
                "Er sagt \"ja\" und 'nein', geht's?",
                de,
                &mut Before::start()
            ),
            "Er sagt \u{201E}ja\u{201C} und \u{201A}nein\u{2018}, geht\u{2019}s?"
        );
    }

    #[test]
    fn a_url_in_prose_keeps_its_quotes() {
        assert_eq!(
            en("see https://x.test/?q=\"a\"&b='c' \"now\""),
            "see https://x.test/?q=\"a\"&b='c' \u{201C}now\u{201D}"
        );
    }

    #[test]
    fn context_runs_across_pieces() {
        let q = Quotes::for_lang("en");
        let mut before = Before::start();
        assert_eq!(smarten("say \"", q, &mut before), "say \u{201C}");
        before.after("code");
        assert_eq!(
            smarten("\" and it's", q, &mut before),
            "\u{201D} and it\u{2019}s"
        );
    }
}

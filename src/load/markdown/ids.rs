//! Finding ids found in text and made links.

use std::collections::HashSet;

use crate::content::Inline;

/// The finding ids of a folder, ready to be found in text: those made of
/// word characters (letters, digits, `-`, `_`), looked up word by word, and
/// the rare others, searched for.
#[derive(Debug, Default)]
pub struct FindingIds {
    words: HashSet<String>,
    others: Vec<String>,
    /// The drafts left out of this report: a mention of one is no link.
    left_out: HashSet<String>,
    /// The forms of the folder's ids, each the part before the number
    /// (`NWS-LUMEN-`, `H-`): a word of that form that is no id is a mention
    /// of a finding that does not exist.
    prefixes: HashSet<String>,
}

impl FindingIds {
    /// Sorts a folder's ids for finding them in text: those of the report's
    /// findings, and those of the drafts left out of it.
    pub fn new(
        ids: impl IntoIterator<Item = String>,
        left_out: impl IntoIterator<Item = String>,
    ) -> Self {
        let (words, others): (HashSet<String>, HashSet<String>) =
            ids.into_iter().partition(|id| id.chars().all(is_id_char));
        let mut others: Vec<String> = others.into_iter().collect();
        others.sort();
        let left_out: HashSet<String> = left_out.into_iter().collect();
        let prefixes = words
            .iter()
            .chain(&left_out)
            .filter_map(|id| numbered(id).map(|(prefix, _)| prefix.to_string()))
            .collect();
        Self {
            words,
            others,
            left_out,
            prefixes,
        }
    }

    /// The mentions of left-out drafts in text, as (byte offset, id).
    pub(super) fn left_out_in<'t>(&self, text: &'t str) -> Vec<(usize, &'t str)> {
        if self.left_out.is_empty() {
            return Vec::new();
        }
        words(text)
            .filter(|(_, word)| self.left_out.contains(*word))
            .collect()
    }

    /// The words of a text in the form of the folder's ids (`EX-9` where ids
    /// are `EX-1`, `EX-2`) that name no finding, as (byte offset, word), each
    /// with the ids of that form (the first few, by number).
    pub(super) fn unknown_in<'t>(&self, text: &'t str) -> Vec<(usize, &'t str, String)> {
        if self.prefixes.is_empty() {
            return Vec::new();
        }
        words(text)
            .filter(|(_, word)| !self.words.contains(*word) && !self.left_out.contains(*word))
            .filter_map(|(at, word)| {
                let (prefix, _) = numbered(word).filter(|(p, _)| self.prefixes.contains(*p))?;
                Some((at, word, self.of_form(prefix)))
            })
            .collect()
    }

    /// The report's ids with a prefix, by number: the first five, then `...`.
    fn of_form(&self, prefix: &str) -> String {
        let mut ids: Vec<(u64, &str)> = self
            .words
            .iter()
            .filter_map(|id| {
                let (p, n) = numbered(id)?;
                (p == prefix).then(|| (n.parse().unwrap_or(u64::MAX), id.as_str()))
            })
            .collect();
        ids.sort_unstable();
        let mut list: Vec<&str> = ids.iter().take(5).map(|(_, id)| *id).collect();
        if ids.len() > 5 {
            list.push("...");
        }
        list.join(", ")
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.others.is_empty()
    }
}

/// An id as its prefix and number: `NWS-LUMEN-12` is (`NWS-LUMEN-`, 12);
/// `None` for a word without a prefix ending in `-` and a number after it.
fn numbered(id: &str) -> Option<(&str, &str)> {
    let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, number) = id.split_at(id.len() - digits);
    let letters = prefix.chars().any(char::is_alphabetic);
    (!number.is_empty() && prefix.ends_with('-') && letters).then_some((prefix, number))
}

/// A character of a word an id may be: letters, digits, `-`, `_`.
fn is_id_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// The words of a text that an id could be (runs of letters, digits, `-`
/// and `_`), with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = None;
    text.char_indices()
        .chain(std::iter::once((text.len(), ' ')))
        .filter_map(move |(i, c)| {
            if is_id_char(c) {
                start.get_or_insert(i);
                None
            } else {
                start.take().map(|s| (s, &text[s..i]))
            }
        })
}

/// Splits text so that every finding id in it becomes a link to the finding.
pub(super) fn link_ids(inlines: Vec<Inline>, ids: &FindingIds) -> Vec<Inline> {
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
    let mut best: Option<(usize, &str)> =
        words(text).find_map(|(at, word)| ids.words.get(word).map(|id| (at, id.as_str())));
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

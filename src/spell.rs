//! Spelling and grammar of the folder's prose, offline, with harper-core's
//! bundled English dictionary and rules (`check`).
//!
//! Only prose is read: the Markdown reading leaves out code spans, code
//! blocks and link targets. A word that is a finding id, part of a target
//! path, an identifier (`snake_case`, `CamelCase`, `a::b`, `0x…`, a word with
//! digits) or an upper-case acronym is never a spelling mistake, and the
//! words of words.txt (the folder's and the house style's) are accepted.
//! Each problem is a warning at its place with the suggested fix; one
//! mistake gives one warning, however many rules see it.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use harper_core::linting::{Lint, LintGroup, Linter, Suggestion};
use harper_core::parsers::{Markdown, MarkdownOptions, PlainEnglish};
use harper_core::spell::{Dictionary, FstDictionary, suggest_correct_spelling};
use harper_core::{CharStringExt, Dialect, Document, TokenStringExt, make_title_case_str};

use crate::diag::{Diagnostics, Fix, Place};
use crate::model::{Audit, ProsePlace, ProseText};

/// Rules of harper's curated set left out: preferences of style rather than
/// mistakes (sentence length, the Oxford comma, lower-case list items after a
/// colon), rules that misread technical prose (`re-enter`, `tx`, `stdin`,
/// `MiB`, "per user", "out of date" after a verb, "the re-entrancy"), spacing that
/// Markdown does not print, and the two spelling rules, replaced here by one
/// that knows identifiers, ids and the word lists.
const RULES_OFF: &[&str] = &[
    "SpellCheck",
    "SplitWords",
    "LongSentences",
    "OxfordComma",
    "SentenceCapitalization",
    "Spaces",
    "OrthographicConsistency",
    "DisjointPrefixes",
    "ExpandStandardInputAndOutput",
    "ExpandMemoryShorthands",
    "OutOfDate",
    "CompoundNouns",
    "There",
];

/// What a check found, besides its warnings.
#[derive(Debug, Default)]
pub struct Checked {
    /// Words of prose read.
    pub words: usize,
    /// Warnings given.
    pub warnings: usize,
}

/// The dialect of the dictionary for a style's `lang`, or `None` when there
/// is no dictionary for it (the check is then skipped).
pub fn dialect(lang: &str) -> Option<Dialect> {
    let lang = lang.to_ascii_lowercase().replace('_', "-");
    match lang.as_str() {
        "en" | "en-us" => Some(Dialect::American),
        "en-gb" => Some(Dialect::British),
        "en-ca" => Some(Dialect::Canadian),
        "en-au" => Some(Dialect::Australian),
        "en-in" => Some(Dialect::Indian),
        _ => None,
    }
}

/// Words of the field that the dictionary lacks (`cron`, `wei`,
/// `reentrancy`, `argv`), one a line, `#` comments.
const FIELD_WORDS: &str = include_str!("spell-words.txt");

/// The words accepted besides the dictionary's, folded to lower case, and
/// the house style's own titles.
struct Known {
    words: HashSet<String>,
    /// The style's section and group titles, folded to lower case: never a
    /// grammar warning where they head a section.
    titles: HashSet<String>,
}

impl Known {
    /// The audit's words (FORMAT 1.3, "the words of the report itself are
    /// words"): words.txt, the field's words, the title, the vendor and
    /// client names, people, targets and their repositories, tools, finding
    /// ids, and the house style's level names and titles.
    fn of(audit: &Audit, dictionary: &FstDictionary) -> Self {
        let mut words = HashSet::new();
        let parts = |name: &str| {
            name.split(|c: char| !c.is_alphanumeric() && c != '\'')
                .filter(|part| !part.is_empty())
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        };
        audit.words.iter().for_each(|w| words.extend(parts(w)));
        audit
            .findings
            .iter()
            .for_each(|f| words.extend(parts(&f.id)));
        audit
            .findings
            .iter()
            .flat_map(|f| &f.targets)
            .for_each(|t| words.extend(parts(t)));
        // Of the names, only the words the dictionary lacks: "of" in
        // "Proof of Concept" is no name, and a known word near a rule's
        // finding silences the rule.
        let style = &audit.style;
        let titles = own_titles(style);
        let names = FIELD_WORDS
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .chain(report_names(audit))
            .chain(titles.iter().copied())
            .chain(style_names(style));
        for name in names {
            let new = parts(name);
            words.extend(
                new.into_iter()
                    .filter(|w| !dictionary.contains_exact_word_str(w)),
            );
        }
        Self {
            words,
            titles: titles.iter().map(|t| t.to_lowercase()).collect(),
        }
    }

    fn contains(&self, word: &str) -> bool {
        let lower = word.to_lowercase();
        let stem = lower
            .strip_suffix("'s")
            .or_else(|| lower.strip_suffix("’s"))
            .unwrap_or(&lower);
        self.words.contains(&lower) || self.words.contains(stem)
    }

    /// Whether a heading's text is one of the style's own titles.
    fn is_title(&self, heading: &str) -> bool {
        self.titles.contains(&heading.trim().to_lowercase())
    }
}

/// The names the report holds in audit.toml and its tables: the title,
/// the vendor and the client as named in full and in sentences, the people
/// on both sides and those acknowledged, the targets and their
/// repositories, and the tools.
fn report_names(audit: &Audit) -> impl Iterator<Item = &str> {
    let meta = &audit.meta;
    let client = &meta.client;
    [&meta.title, &meta.vendor, &meta.vendor_short]
        .into_iter()
        .chain(client.organization.as_ref())
        .chain(client.short.as_ref())
        .chain(&client.prepared_for)
        .chain(&client.prepared_by)
        .chain(meta.contacts.iter().map(|c| &c.name))
        .chain(
            audit
                .acknowledgements
                .iter()
                .flat_map(|a| std::iter::once(&a.name).chain(a.organization.as_ref())),
        )
        .chain(
            meta.targets
                .iter()
                .flat_map(|t| std::iter::once(&t.name).chain(t.repository.as_ref())),
        )
        .chain(meta.tools.iter().map(|t| &t.name))
        .map(String::as_str)
}

/// The titles the house style gives the sections of a finding and its
/// groups of findings.
fn own_titles(style: &crate::model::Style) -> Vec<&str> {
    let shape = &style.finding;
    shape
        .sections
        .iter()
        .map(|s| s.title.as_str())
        .chain(shape.groups.iter().map(|g| g.title.as_str()))
        .collect()
}

/// The names of the house style's levels and the labels of its scales and
/// fields.
fn style_names(style: &crate::model::Style) -> impl Iterator<Item = &str> {
    let shape = &style.finding;
    let scales = [
        &style.severity,
        &style.difficulty,
        &style.kind,
        &style.status,
        &style.categories,
        &style.ratings,
    ]
    .into_iter()
    .chain(shape.scales.values().map(|s| &s.scale));
    scales
        .flat_map(|s| s.levels.iter().map(|l| l.name.as_str()))
        .chain(std::iter::once(style.difficulty_label.as_str()))
        .chain(shape.scales.values().map(|s| s.label.as_str()))
        .chain(shape.fields.iter().map(|f| f.label.as_str()))
}

/// Whether the house style writes its headings in sentence case ("Observed
/// behavior"): then a heading is never asked to be in title case.
fn sentence_case(style: &crate::model::Style, dictionary: &FstDictionary) -> bool {
    own_titles(style)
        .iter()
        .any(|title| make_title_case_str(title, &PlainEnglish, dictionary) != *title)
}

/// Checks the spelling and grammar of every piece of an audit's prose; each
/// problem becomes a warning.
pub fn check(audit: &Audit, dialect: Dialect, diags: &mut Diagnostics) -> Checked {
    let dictionary = FstDictionary::curated();
    let known = Known::of(audit, &dictionary);
    let sentence_case = sentence_case(&audit.style, &dictionary);
    // Every text in pieces of bounded size, spread over as many runs as
    // there are cores, each with its own rules; the warnings come back in
    // the texts' order.
    let mut pieces = Vec::new();
    let mut skipped = Diagnostics::default();
    for prose in &audit.prose {
        split(prose, &mut pieces, &mut skipped);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = pieces.len().div_ceil(cores.max(1)).max(1);
    let runs: Vec<(Diagnostics, Checked)> = std::thread::scope(|scope| {
        let handles: Vec<_> = pieces
            .chunks(per)
            .map(|texts| {
                let (known, dictionary) = (&known, &dictionary);
                scope.spawn(move || {
                    let mut rules = curated_rules(dictionary, dialect, sentence_case);
                    let mut found = Diagnostics::default();
                    let mut checked = Checked::default();
                    for prose in texts {
                        check_piece(
                            prose,
                            known,
                            dictionary,
                            &mut rules,
                            dialect,
                            &mut found,
                            &mut checked,
                        );
                    }
                    (found, checked)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a spelling run does not panic"))
            .collect()
    });
    let mut checked = Checked::default();
    for d in skipped.iter() {
        diags.push(d.clone());
        checked.warnings += 1;
    }
    for (found, run) in runs {
        found.iter().for_each(|d| diags.push(d.clone()));
        checked.words += run.words;
        checked.warnings += run.warnings;
    }
    checked
}

/// harper's curated rules less [`RULES_OFF`], and less title case in
/// headings for a style that writes them in sentence case.
fn curated_rules(
    dictionary: &Arc<FstDictionary>,
    dialect: Dialect,
    sentence_case: bool,
) -> LintGroup {
    let mut rules = LintGroup::new_curated(Arc::clone(dictionary), dialect);
    for rule in RULES_OFF {
        rules.config.set_rule_enabled(*rule, false);
    }
    if sentence_case {
        rules.config.set_rule_enabled("UseTitleCase", false);
    }
    rules
}

/// A spelling and grammar checker kept by a long-lived process (the
/// language server): harper's rules are built once, and texts are checked
/// a few at a time, as `check` checks them.
pub struct Speller {
    dialect: Dialect,
    /// The rules, for a style in sentence case or not.
    rules: Option<(bool, LintGroup)>,
}

/// The words an audit accepts besides the dictionary's (FORMAT 1.3: its own
/// names, words.txt, the field's words) and how its style writes headings:
/// two loads with equal `Words` spell every text alike.
pub struct Words {
    known: Known,
    sentence_case: bool,
}

impl PartialEq for Words {
    fn eq(&self, other: &Self) -> bool {
        self.sentence_case == other.sentence_case
            && self.known.words == other.known.words
            && self.known.titles == other.known.titles
    }
}

impl Speller {
    /// A checker for a dialect; its rules are built on first use.
    pub fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            rules: None,
        }
    }

    /// The dialect it checks.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The words an audit accepts.
    pub fn words(audit: &Audit) -> Words {
        let dictionary = FstDictionary::curated();
        Words {
            known: Known::of(audit, &dictionary),
            sentence_case: sentence_case(&audit.style, &dictionary),
        }
    }

    /// Checks some of an audit's texts as `check` does: each problem a
    /// warning at its place, with its fixes as data.
    pub fn check(
        &mut self,
        texts: &[&ProseText],
        words: &Words,
        diags: &mut Diagnostics,
    ) -> Checked {
        let dictionary = FstDictionary::curated();
        let fresh = !matches!(&self.rules, Some((case, _)) if *case == words.sentence_case);
        if fresh {
            let rules = curated_rules(&dictionary, self.dialect, words.sentence_case);
            self.rules = Some((words.sentence_case, rules));
        }
        let Some((_, rules)) = self.rules.as_mut() else {
            return Checked::default();
        };
        let mut pieces = Vec::new();
        let mut checked = Checked::default();
        for prose in texts {
            split(prose, &mut pieces, diags);
        }
        for piece in &pieces {
            let (dictionary, dialect) = (&dictionary, self.dialect);
            check_piece(
                piece,
                &words.known,
                dictionary,
                rules,
                dialect,
                diags,
                &mut checked,
            );
        }
        checked
    }
}

/// One problem found in a text, in characters of the text.
struct Found {
    span: Range<usize>,
    message: String,
    hint: String,
    /// What may replace the span, best first.
    replace: Vec<String>,
    /// The misspelt word, which words.txt may take.
    word: Option<String>,
}

/// Largest piece of prose, in bytes, harper reads as one document. Its
/// cost grows with the square of a paragraph's length (a 50,000-word
/// paragraph, a pasted log, took half a minute and a gigabyte): a longer
/// text is read in pieces, cut between blocks or between the words of a
/// paragraph, each piece's places moved back to where it stands.
const PIECE: usize = 8 * 1024;

/// Most bytes of one block (a paragraph, a list) checked: some ten thousand
/// words, far more than prose holds without a break. What is longer is
/// data pasted as text (a log without a fence); its first part is checked
/// and the rest is said to be left, so that the check stays in seconds.
const MAX_BLOCK: usize = 64 * 1024;

/// Longest run of text without a space, in bytes, given to harper: a longer
/// one is data (a hash, a base64 blob, a URL), never a word, and harper's
/// lexer is quadratic in it (180 KB of `ab.ab.…` took 18 s). In a long
/// text such runs are blanked to spaces of the same length.
const MAX_RUN: usize = 256;

/// Splits a text into the pieces to check, and says of each block too long
/// to check whole that only its beginning was checked.
fn split(prose: &ProseText, out: &mut Vec<ProseText>, skipped: &mut Diagnostics) {
    let plan = plan(&prose.text, PIECE, MAX_BLOCK);
    if let ([only], []) = (plan.pieces.as_slice(), plan.blank.as_slice())
        && only.len() == prose.text.len()
    {
        out.push(prose.clone());
        return;
    }
    let at = |start: usize| match &prose.at {
        ProsePlace::Exact(file, base) => ProsePlace::Exact(*file, base + start),
        within => within.clone(),
    };
    for block in plan.long {
        let words = prose.text[block.clone()].split_whitespace().count();
        let line_end = prose.text[block.start..]
            .find('\n')
            .map_or(block.end, |n| block.start + n);
        let place = match at(block.start) {
            ProsePlace::Exact(file, start) => {
                Place::new(file, start..start + line_end - block.start)
            }
            ProsePlace::Within(place) => place,
        };
        skipped
            .warning(
                Some(place),
                format!(
                    "a paragraph of {words} words is checked for spelling and grammar in its first {} KiB only",
                    MAX_BLOCK / 1024
                ),
            )
            .add_hint("put a pasted log or data in a code block (a ``` line before and after it), or break the text into paragraphs");
    }
    // Runs too long to be words become spaces: every other byte stays where it was.
    let mut text = prose.text.clone().into_bytes();
    for run in plan.blank {
        text[run].fill(b' ');
    }
    let text = String::from_utf8(text).expect("whole characters were replaced by ASCII");
    out.extend(plan.pieces.into_iter().map(|range| ProseText {
        text: text[range.clone()].to_string(),
        at: at(range.start),
    }));
}

/// How good a place to cut a text is, worst first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Cut {
    /// Between two words of a paragraph.
    Space,
    /// After a sentence's end.
    Sentence,
    /// Between two top-level blocks.
    Block,
}

/// How a text is read: in which byte ranges, which top-level blocks are
/// read only in part, which runs are blanked.
#[derive(Debug, Default)]
struct Plan {
    /// The pieces read, in order.
    pieces: Vec<Range<usize>>,
    /// The blocks read only in part.
    long: Vec<Range<usize>>,
    /// The runs without a space too long to be words.
    blank: Vec<Range<usize>>,
}

/// Splits a Markdown text into byte ranges of at most about `max` bytes:
/// between top-level blocks where it can, else between the words of a
/// paragraph's plain text (after a sentence's end if one is near), never
/// inside code, a link or any other markup. A text with no such place
/// stays whole. A text of `max` bytes or less is one range. Of a top-level
/// block longer than `max_block`, the ranges past its first `max_block`
/// bytes are left out.
fn plan(text: &str, max: usize, max_block: usize) -> Plan {
    if text.len() <= max {
        let whole = 0..text.len();
        return Plan {
            pieces: vec![whole],
            ..Plan::default()
        };
    }
    let layout = layout(text);
    let cuts = &layout.cuts;
    let mut pieces = Vec::new();
    let mut start = 0;
    while text.len() - start > max {
        let from = cuts.partition_point(|(at, _)| *at <= start);
        let to = cuts.partition_point(|(at, _)| *at <= start + max);
        // The best kind of cut in the second half of the piece, the farthest
        // of that kind; else the farthest cut; else the first beyond.
        let half = start + max / 2;
        let best = cuts[from..to]
            .iter()
            .max_by_key(|(at, kind)| (*at > half).then_some(*kind).map(|k| (k, *at)))
            .or_else(|| cuts.get(to));
        let Some(&(at, _)) = best else {
            break;
        };
        pieces.push(start..at);
        start = at;
    }
    if start < text.len() {
        pieces.push(start..text.len());
    }
    let long: Vec<Range<usize>> = layout
        .blocks
        .into_iter()
        .filter(|b| b.len() > max_block)
        .collect();
    // A range is left out when it starts past the checked part of a long
    // block and ends inside it; the blocks said to be read in part are
    // those that lost a range.
    let mut cut_short = vec![false; long.len()];
    pieces.retain(|r| {
        let i = long.partition_point(|b| b.start <= r.start);
        let left = i > 0 && r.start >= long[i - 1].start + max_block && r.end <= long[i - 1].end;
        if left {
            cut_short[i - 1] = true;
        }
        !left
    });
    let mut cut_short = cut_short.into_iter();
    Plan {
        pieces,
        long: long
            .into_iter()
            .filter(|_| cut_short.next().unwrap_or(false))
            .collect(),
        blank: layout.runs,
    }
}

/// The byte ranges of a Markdown text's top-level blocks (paragraphs,
/// headings, lists, code blocks), as the spelling reads them: a long-lived
/// process spells a text block by block and keeps the warnings of the
/// blocks that did not change.
pub fn blocks(text: &str) -> Vec<Range<usize>> {
    layout(text).blocks
}

/// What the Markdown reading of a text gives the plan.
struct Layout {
    /// The places it may be cut at, in order.
    cuts: Vec<(usize, Cut)>,
    /// Its top-level blocks.
    blocks: Vec<Range<usize>>,
    /// The runs of its plain text without a space longer than [`MAX_RUN`].
    runs: Vec<Range<usize>>,
}

/// The places a Markdown text may be cut at: the end of each top-level
/// block and of each item of a top-level list, and the start of each word
/// of the plain text of a paragraph, a list item or a heading that begins
/// with a letter (a piece that starts with `#`, `-`, a digit or spaces
/// could read as another block); its blocks, and its long runs.
fn layout(text: &str) -> Layout {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let options = Options::all().difference(Options::ENABLE_SMART_PUNCTUATION);
    let mut out = Layout {
        cuts: Vec::new(),
        blocks: Vec::new(),
        runs: Vec::new(),
    };
    // Whether each open element holds plain text that may be cut.
    let mut open: Vec<bool> = Vec::new();
    let starts_word = |at: usize| text[at..].chars().next().is_some_and(char::is_alphabetic);
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let in_text = open.last().copied().unwrap_or(false);
        match event {
            Event::Start(tag) => {
                if open.is_empty() {
                    out.blocks.push(range.clone());
                }
                open.push(matches!(
                    tag,
                    Tag::Paragraph | Tag::Item | Tag::Heading { .. }
                ));
            }
            Event::End(tag) => {
                open.pop();
                if open.is_empty() || (open.len() == 1 && matches!(tag, TagEnd::Item)) {
                    out.cuts.push((range.end, Cut::Block));
                }
            }
            Event::Text(t) if text.get(range.clone()) == Some(&*t) => {
                long_runs(&t, range.start, &mut out.runs);
                if !in_text {
                    continue;
                }
                for (i, _) in t.match_indices(' ') {
                    let at = range.start + i + 1;
                    if starts_word(at) {
                        let sentence = t[..i].ends_with(['.', '!', '?']);
                        out.cuts
                            .push((at, if sentence { Cut::Sentence } else { Cut::Space }));
                    }
                }
            }
            Event::SoftBreak if in_text && starts_word(range.end) => {
                out.cuts.push((range.end, Cut::Space));
            }
            _ => {}
        }
    }
    out.cuts.sort_by_key(|(at, _)| *at);
    out
}

/// Adds the runs without whitespace longer than [`MAX_RUN`] bytes of a
/// text that starts at byte `base`.
fn long_runs(text: &str, base: usize, runs: &mut Vec<Range<usize>>) {
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                if i - s > MAX_RUN {
                    runs.push(base + s..base + i);
                }
                start = None;
            }
            _ => {}
        }
    }
}

/// Checks one piece of prose: its spelling, then its grammar.
fn check_piece(
    prose: &ProseText,
    known: &Known,
    dictionary: &Arc<FstDictionary>,
    rules: &mut LintGroup,
    dialect: Dialect,
    diags: &mut Diagnostics,
    checked: &mut Checked,
) {
    let doc = Document::new(
        &prose.text,
        &Markdown::new(MarkdownOptions::default()),
        dictionary.as_ref(),
    );
    let chars = doc.get_full_content();
    checked.words += doc.iter_words().count();
    let mut found = misspellings(&doc, chars, known, dictionary, dialect);
    let mut grammar: Vec<Lint> = rules.lint(&doc);
    grammar.sort_by_key(|l| (l.span.start, l.priority));
    for lint in grammar {
        let span = lint.span.start..lint.span.end;
        // One mistake, one warning: the first rule to see it speaks.
        if found
            .iter()
            .any(|f| f.span.start < span.end && span.start < f.span.end)
        {
            continue;
        }
        let text: String = chars[span.clone()].iter().collect();
        // A rule that reads code or a name as a word (`a uint256`) is wrong
        // about it: the words of the span count, and for a one-word span (an
        // article, say) the word on each side.
        let one_word = !text.trim().contains(char::is_whitespace);
        let wide = if one_word {
            widen(chars, span.clone())
        } else {
            whole_words(chars, span.clone())
        };
        let around: String = chars[wide].iter().collect();
        if known.is_title(heading_text(chars, span.start).unwrap_or_default().as_str())
            || to_a_modifier(&text, &lint.suggestions, chars, span.end)
        {
            continue;
        }
        if around
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
            .any(|w| code_like(w) || known.contains(w))
        {
            continue;
        }
        found.push(Found {
            span,
            message: format!("grammar: {}", plain(&lint.message)),
            hint: fix(&lint.suggestions, &text),
            replace: replacements(&lint.suggestions, &text),
            word: None,
        });
    }
    found.sort_by_key(|f| f.span.start);
    // Byte offset of each character of the text, and of its end.
    let bytes: Vec<usize> = prose
        .text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(prose.text.len()))
        .collect();
    for f in found {
        let (place, exact) = match &prose.at {
            ProsePlace::Exact(file, base) => (
                Place::new(*file, base + bytes[f.span.start]..base + bytes[f.span.end]),
                true,
            ),
            ProsePlace::Within(place) => (place.clone(), false),
        };
        let d = diags.warning(Some(place.clone()), f.message);
        d.add_hint(f.hint);
        // A replacement needs the exact place; a word needs none.
        for with in f.replace.into_iter().filter(|_| exact) {
            d.add_fix(Fix::Replace {
                place: place.clone(),
                with,
            });
        }
        if let Some(word) = f.word {
            d.add_fix(Fix::AddWord(word));
        }
        checked.warnings += 1;
    }
}

/// Keywords of programming languages that are adjectives in English: "set
/// the function to external" reads to harper as "too external".
const MODIFIERS: &[&str] = &[
    "public",
    "private",
    "internal",
    "external",
    "protected",
    "constant",
    "immutable",
    "mutable",
    "payable",
    "readonly",
    "static",
    "final",
    "virtual",
];

/// Whether a lint would make `to` of "functions to external" `too`: the
/// word after it is a modifier keyword of code, and `to` is right.
fn to_a_modifier(text: &str, suggestions: &[Suggestion], chars: &[char], end: usize) -> bool {
    let too = matches!(suggestions.first(), Some(Suggestion::ReplaceWith(w))
        if w.iter().collect::<String>().to_lowercase() == "too");
    let next: String = chars[end.min(chars.len())..]
        .iter()
        .skip_while(|c| c.is_whitespace())
        .take_while(|c| c.is_alphabetic())
        .collect();
    too && text.to_lowercase() == "to" && MODIFIERS.contains(&next.to_lowercase().as_str())
}

/// The text of the Markdown heading a character is in (`## Observed
/// behavior` gives `Observed behavior`), or `None` outside headings.
fn heading_text(chars: &[char], at: usize) -> Option<String> {
    let at = at.min(chars.len());
    let start = chars[..at]
        .iter()
        .rposition(|c| *c == '\n')
        .map_or(0, |i| i + 1);
    let end = chars[at..]
        .iter()
        .position(|c| *c == '\n')
        .map_or(chars.len(), |i| at + i);
    let line: String = chars[start..end].iter().collect();
    let text = line.trim_start().strip_prefix('#')?;
    let text = text.trim_start_matches('#');
    text.starts_with([' ', '\t'])
        .then(|| text.trim().trim_end_matches('#').trim().to_string())
}

/// The words of a text that are neither in the dictionary nor known.
fn misspellings(
    doc: &Document,
    chars: &[char],
    known: &Known,
    dictionary: &Arc<FstDictionary>,
    dialect: Dialect,
) -> Vec<Found> {
    let mut found = Vec::new();
    for token in doc.iter_words() {
        let word = doc.get_span_content(&token.span);
        // No word is this long: it is data, and its suggestions would cost
        // time and memory in its length.
        if word.len() > MAX_WORD {
            continue;
        }
        let in_dictionary = token
            .kind
            .as_word()
            .and_then(|m| m.as_ref())
            .is_some_and(|m| m.dialects.is_dialect_enabled(dialect))
            && (dictionary.contains_exact_word(word)
                || dictionary.contains_exact_word(word.normalized().as_ref())
                || dictionary.contains_exact_word(word.normalized().to_lower().as_ref()));
        if in_dictionary {
            continue;
        }
        let text: String = word.iter().collect();
        let chunk = chunk_around(chars, token.span.start, token.span.end);
        if code_like(&chunk) || acronym(&text) || known.contains(&text) || known.contains(&chunk) {
            continue;
        }
        // A known word written with a hyphen: `re-entrancy`.
        let joined = chunk.replace('-', "");
        if chunk.contains('-')
            && (known.contains(&joined)
                || dictionary.contains_exact_word_str(&joined.to_lowercase()))
        {
            continue;
        }
        let suggestions = suggestions(word, dictionary, dialect);
        let hint = match suggestions.as_slice() {
            [] => format!("if `{text}` is right, add it to words.txt"),
            s => format!(
                "did you mean {}? if `{text}` is right, add it to words.txt",
                s.iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        };
        found.push(Found {
            span: token.span.start..token.span.end,
            message: format!("possible misspelling `{text}`"),
            hint,
            replace: suggestions,
            word: Some(text),
        });
    }
    found
}

/// Longest word, in characters, checked for spelling.
const MAX_WORD: usize = 64;

/// Up to three dictionary words close to a misspelt one, capitalised as it is.
fn suggestions(word: &[char], dictionary: &Arc<FstDictionary>, dialect: Dialect) -> Vec<String> {
    let capital = word.first().is_some_and(|c| c.is_uppercase());
    for distance in 1..=3 {
        let mut out: Vec<String> = Vec::new();
        for candidate in suggest_correct_spelling(word, 100, distance, dictionary.as_ref()) {
            let fits = dictionary
                .get_word_metadata(candidate)
                .is_some_and(|m| m.dialects.is_dialect_enabled(dialect));
            let mut text: String = candidate.iter().collect();
            if capital && candidate.iter().skip(1).all(|c| !c.is_uppercase()) {
                let mut cs = text.chars();
                text = cs
                    .next()
                    .map(|f| f.to_uppercase().chain(cs).collect())
                    .unwrap_or_default();
            }
            if fits && !out.iter().any(|o| crate::model::style::same_name(o, &text)) {
                out.push(text);
            }
            if out.len() == 3 {
                break;
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    Vec::new()
}

/// The whitespace-separated chunk a word is part of, without the
/// punctuation around it: `foo_bar` of `(foo_bar),`.
fn chunk_around(chars: &[char], start: usize, end: usize) -> String {
    let mut from = start;
    while from > 0 && !chars[from - 1].is_whitespace() {
        from -= 1;
    }
    let mut to = end;
    while to < chars.len() && !chars[to].is_whitespace() {
        to += 1;
    }
    let chunk: String = chars[from..to].iter().collect();
    chunk
        .trim_matches(|c: char| "()[]{},;:!?\"'“”‘’*_".contains(c) || c == '.')
        .to_string()
}

/// A span grown to whole whitespace-separated words.
fn whole_words(chars: &[char], span: Range<usize>) -> Range<usize> {
    let space = |i: usize| chars[i].is_whitespace();
    let (mut from, mut to) = (span.start, span.end);
    while from > 0 && !space(from - 1) {
        from -= 1;
    }
    while to < chars.len() && !space(to) {
        to += 1;
    }
    from..to
}

/// A span grown to whole whitespace-separated words, and one more on each side.
fn widen(chars: &[char], span: Range<usize>) -> Range<usize> {
    let space = |i: usize| chars[i].is_whitespace();
    let Range {
        start: mut from,
        end: mut to,
    } = whole_words(chars, span);
    while from > 0 && space(from - 1) {
        from -= 1;
    }
    while from > 0 && !space(from - 1) {
        from -= 1;
    }
    while to < chars.len() && space(to) {
        to += 1;
    }
    while to < chars.len() && !space(to) {
        to += 1;
    }
    from..to
}

/// Whether a chunk of text is code rather than a word: `snake_case`,
/// `CamelCase`, `a::b`, `0x1f`, a path, a call, a word with digits.
fn code_like(chunk: &str) -> bool {
    let inner_upper = chunk
        .char_indices()
        .skip(1)
        .any(|(i, c)| c.is_uppercase() && chunk[..i].chars().any(char::is_lowercase));
    // `XDEFIDistribution`: capitals run into a word (an acronym's plural aside).
    let capitals = chunk.chars().filter(|c| c.is_uppercase()).count();
    let mixed = capitals >= 2 && chunk.chars().any(char::is_lowercase) && !acronym(chunk);
    chunk.contains([
        '_', '/', '\\', '@', '=', '<', '>', '{', '}', '[', '(', '$', '#', '`',
    ]) || chunk.contains("::")
        || chunk.chars().any(|c| c.is_ascii_digit())
        || inner_upper
        || mixed
        || chunk
            .trim_end_matches('.')
            .split('.')
            .filter(|p| !p.is_empty())
            .count()
            > 1
}

/// Whether a word is an upper-case acronym (`ASAN`, `SRP`, `NFTs`) or a
/// single letter.
fn acronym(word: &str) -> bool {
    let word = word.strip_suffix('s').unwrap_or(word);
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() <= 1 || letters.iter().all(|c| c.is_uppercase())
}

/// A rule's message as plain text: lower-case first letter, no final period,
/// as diagnostics are written.
fn plain(message: &str) -> String {
    let message = message.trim().trim_end_matches('.');
    let mut cs = message.chars();
    cs.next()
        .map(|f| f.to_lowercase().chain(cs).collect())
        .unwrap_or_default()
}

/// What a rule suggests putting in place of the text it points at, as
/// data for the fixes.
fn replacements(suggestions: &[Suggestion], text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in suggestions {
        let with = match s {
            Suggestion::ReplaceWith(with) => with.iter().collect(),
            Suggestion::InsertAfter(what) => format!("{text}{}", what.iter().collect::<String>()),
            Suggestion::Remove => String::new(),
        };
        if !out.contains(&with) {
            out.push(with);
        }
    }
    out
}

/// The fix a rule suggests, as a hint.
fn fix(suggestions: &[Suggestion], text: &str) -> String {
    match suggestions.first() {
        Some(Suggestion::ReplaceWith(with)) => {
            let with: String = with.iter().collect();
            if with.is_empty() {
                format!("remove `{text}`")
            } else {
                format!("write `{with}` instead of `{text}`")
            }
        }
        Some(Suggestion::InsertAfter(what)) => {
            format!(
                "insert `{}` after `{text}`",
                what.iter().collect::<String>()
            )
        }
        Some(Suggestion::Remove) => format!("remove `{text}`"),
        None => "reword it, or add the word to words.txt if it is a name".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_is_not_prose() {
        for code in [
            "snake_case",
            "CamelCase",
            "a::b",
            "0x1f",
            "src/lib.rs",
            "foo()",
            "v2",
        ] {
            assert!(code_like(code), "{code}");
        }
        for word in ["overflow", "Overflow", "re-enter", "don't"] {
            assert!(!code_like(word), "{word}");
        }
        assert!(acronym("ASAN") && acronym("NFTs") && acronym("s") && !acronym("Asan"));
        assert!(code_like("XDEFIDistribution") && !code_like("NFTs"));
    }

    #[test]
    fn a_heading_is_read_as_its_text() {
        let chars: Vec<char> = "Intro.\n\n## Observed behavior ##\nText.\n#tag\n"
            .chars()
            .collect();
        let at = |needle: &str| {
            let text: String = chars.iter().collect();
            text[..text.find(needle).unwrap()].chars().count()
        };
        assert_eq!(
            heading_text(&chars, at("behavior")).as_deref(),
            Some("Observed behavior")
        );
        assert_eq!(heading_text(&chars, at("Text")), None);
        assert_eq!(heading_text(&chars, at("Intro")), None);
        // `#tag` is no heading in Markdown.
        assert_eq!(heading_text(&chars, at("tag")), None);
    }

    #[test]
    fn to_before_a_keyword_of_code_is_not_too() {
        let chars: Vec<char> = "Public functions to external".chars().collect();
        let too = [Suggestion::ReplaceWith("too".chars().collect())];
        assert!(to_a_modifier("to", &too, &chars, 19));
        let chars: Vec<char> = "It is to expensive.".chars().collect();
        assert!(!to_a_modifier("to", &too, &chars, 8));
    }

    #[test]
    fn a_long_text_is_cut_between_blocks_and_words_never_in_code() {
        // A short text is one piece.
        assert_eq!(
            plan("One short paragraph.", 100, 1000).pieces,
            [Range { start: 0, end: 20 }]
        );
        // A long paragraph: pieces of at most the size asked, after a
        // sentence's end where there is one, each starting a word.
        let paragraph = "The quick brown fox jumps over the lazy dog. ".repeat(50);
        let Plan {
            pieces: ranges,
            long,
            ..
        } = plan(&paragraph, 200, 1 << 20);
        assert!(long.is_empty());
        assert!(ranges.len() >= 11, "{ranges:?}");
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(paragraph.len()));
        for pair in ranges.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        for r in &ranges {
            assert!(r.len() <= 200, "{r:?}");
            assert!(
                r.start == 0 || paragraph[r.start..].starts_with("The "),
                "{r:?}"
            );
        }
        // A fenced block and an inline code span are never cut.
        let code = format!(
            "{}\n```\n{}\n```\n\nSome `code span with spaces` here.",
            "Word ".repeat(10),
            "let x = 1;\n".repeat(40)
        );
        let fence = code.find("```").unwrap()..code.rfind("```").unwrap() + 3;
        let span = code.find('`').map(|_| code.find("`code").unwrap()).unwrap();
        for r in plan(&code, 64, 1 << 20).pieces {
            assert!(!fence.contains(&r.start) || r.start == fence.start, "{r:?}");
            assert!(!(span + 1..span + 26).contains(&r.start), "{r:?}");
        }
        // A list is cut between its items, which stay items.
        let list = "- an item of the list\n".repeat(40);
        for r in plan(&list, 100, 1 << 20).pieces {
            assert!(list[r.clone()].trim_start().starts_with("- "), "{r:?}");
        }
    }

    #[test]
    fn a_run_too_long_to_be_a_word_is_blanked_in_a_long_text() {
        let run = "ab.".repeat(200);
        let text = format!(
            "{}\n\nSee {run} and `{run}` here.\n",
            "Some words. ".repeat(20)
        );
        let at = text.find(&run).unwrap();
        let plan = plan(&text, 100, 1 << 20);
        // The run in plain text; the one in a code span is not plain text.
        assert_eq!(
            plan.blank,
            [Range {
                start: at,
                end: at + run.len()
            }]
        );
    }

    #[test]
    fn a_block_too_long_is_checked_in_its_first_part_only() {
        let long = "word ".repeat(1000);
        let text = format!("First paragraph.\n\n{long}\n\nLast paragraph.\n");
        let Plan {
            pieces: ranges,
            long: blocks,
            ..
        } = plan(&text, 100, 1000);
        let start = text.find("word").unwrap();
        let block = blocks.first().cloned().unwrap_or_default();
        assert_eq!((blocks.len(), block.start), (1, start), "{blocks:?}");
        assert!(block.end >= start + long.trim_end().len(), "{blocks:?}");
        // Checked: the first paragraph, about 1000 bytes of the long one, the last.
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert!(ranges.last().unwrap().end == text.len());
        let checked: usize = ranges.iter().map(|r| r.len()).sum();
        assert!((1000..1300).contains(&checked), "{checked}: {ranges:?}");
        assert!(
            ranges
                .iter()
                .all(|r| r.start < block.start + 1100 || r.end > block.end)
        );
    }
}

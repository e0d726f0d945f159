//! A house style: the scales a firm rates findings on and every fixed text of
//! its reports. Read by `load::style` from a built-in or a style folder; no IO here.

use std::collections::BTreeMap;
use std::path::PathBuf;

pub use super::scale::{Level, Outcome, Rank, Scale, same_name};

/// A house style: scales and texts (FORMAT 1.1, "House styles").
#[derive(Clone, Debug, Default)]
pub struct Style {
    /// Its name, e.g. `standard` or `Northwind house style`.
    pub name: String,
    /// Language of its texts, e.g. `en`; sets hyphenation and quotes.
    pub lang: String,
    /// Severities, most severe first.
    pub severity: Scale,
    /// The second axis, e.g. difficulty or likelihood.
    pub difficulty: Scale,
    /// The second axis' name wherever the report prints it.
    pub difficulty_label: String,
    /// Whether every finding must have a value on the second axis.
    pub difficulty_required: bool,
    /// Finding types.
    pub kind: Scale,
    /// Whether a type is free text (no scale, no appendix of categories).
    pub kind_free: bool,
    /// Fix-review statuses, each with what it counts as.
    pub status: Scale,
    /// Codebase maturity categories.
    pub categories: Scale,
    /// Codebase maturity ratings.
    pub ratings: Scale,
    /// Every fixed text, by key.
    pub strings: BTreeMap<String, String>,
    /// The style folder, when the style is not a built-in one.
    pub folder: Option<PathBuf>,
    /// The fonts of the style folder's `fonts/`, in file-name order.
    pub fonts: Vec<FontFile>,
    /// Which score of a CVSS vector is shown and rated (`[cvss] score`).
    pub cvss_score: CvssScore,
    /// Whether the short sections around the findings run on, rather than
    /// each starting a page (`[layout] front_page_break = "none"`).
    pub front_runs_on: bool,
    /// Whether the report's headings are numbered 1, 1.1, 1.1.1
    /// (`[numbering] headings = "1.1"`, FORMAT 1.3).
    pub heading_numbers: bool,
    /// How the executive summary draws the findings by severity (and by
    /// status after a fix review): `[charts] findings` (FORMAT 1.3).
    pub charts: ChartKind,
    /// The tables of style.toml that had errors (reported there), or `*`
    /// when the style could not be read at all. Values on a broken scale
    /// are not checked against it: the mistake is the style's, and one
    /// mistake gives one error.
    pub broken: std::collections::BTreeSet<String>,
    /// The shape of a finding: sections, fields, header, summary, groups.
    pub finding: super::shape::Shape,
}

/// Which score of a CVSS vector a report shows and rates (`[cvss] score` of
/// style.toml, FORMAT 1.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CvssScore {
    /// That of the most specific metric group the vector gives (3.x:
    /// environmental, else temporal, else base; 4.0: CVSS-BTE, BE, BT or B).
    #[default]
    MostSpecific,
    /// The base score.
    Base,
    /// 3.x: the temporal score, the base score when no temporal metric is
    /// given. 4.0: as `MostSpecific`.
    Temporal,
    /// 3.x: the environmental score, with every modified metric not given
    /// Not Defined, as FIRST's calculator computes it. 4.0: as `MostSpecific`.
    Environmental,
}

impl CvssScore {
    /// The value of `[cvss] score` that names each choice, and what it means.
    pub const NAMES: [(&'static str, CvssScore); 5] = [
        ("base", CvssScore::Base),
        ("temporal", CvssScore::Temporal),
        ("environmental", CvssScore::Environmental),
        ("most specific", CvssScore::MostSpecific),
        // FORMAT 1.2's name, still read.
        ("specific", CvssScore::MostSpecific),
    ];
}

/// How a report draws its charts of findings (`[charts] findings` of
/// style.toml): bars, a donut, or no chart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChartKind {
    /// One bar per level, its count above it (the default).
    #[default]
    Bar,
    /// A ring of one slice per level, with a legend of names and counts.
    Donut,
    /// No chart: the tables of counts alone.
    None,
}

impl ChartKind {
    /// The values of `[charts] findings`, in the order of the variants.
    pub const NAMES: [(&'static str, ChartKind); 3] = [
        ("bar", ChartKind::Bar),
        ("donut", ChartKind::Donut),
        ("none", ChartKind::None),
    ];

    /// Its name in style.toml.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("bar", |(n, _)| n)
    }
}

/// A font file of a style folder.
#[derive(Clone)]
pub struct FontFile {
    /// Its path, as diagnostics show it.
    pub path: String,
    /// Its contents: an OpenType or TrueType font or collection.
    pub bytes: std::sync::Arc<Vec<u8>>,
}

impl std::fmt::Debug for FontFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontFile({}, {} bytes)", self.path, self.bytes.len())
    }
}

impl Style {
    /// The heading a section of a finding prints under: the style's title,
    /// or for a style without `[finding]`, the text of its strings.
    pub fn section_title<'a>(&'a self, def: &'a super::shape::SectionDef) -> &'a str {
        if self.finding.custom {
            return &def.title;
        }
        match def.key.as_str() {
            "description" => self.text("finding.description"),
            "exploit_scenario" => self.text("finding.exploit-scenario"),
            "recommendations" => self.text("finding.recommendations"),
            "references" => self.text("finding.references"),
            _ => &def.title,
        }
    }

    /// Whether a finding may leave its type out: the type is free text, or
    /// the style has no type scale (`levels = []`).
    pub fn kind_optional(&self) -> bool {
        self.kind_free || self.kind.levels.is_empty()
    }

    /// Whether a table of style.toml (`severity`, `difficulty`, `type`,
    /// `status`, `maturity`, `finding`, ...) had errors.
    pub fn is_broken(&self, table: &str) -> bool {
        self.broken.contains("*") || self.broken.contains(table)
    }

    /// The text of a string key. Every style has every key of `standard`;
    /// a key it lacks is a defect of the compiler, and prints as nothing.
    pub fn text(&self, key: &str) -> &str {
        debug_assert!(
            self.strings.is_empty() || self.strings.contains_key(key),
            "no string {key}"
        );
        self.strings.get(key).map_or("", String::as_str)
    }

    /// Fills a string's `{name}` and `{name|lower}` places with values.
    pub fn fill(&self, key: &str, values: &[(&str, &str)]) -> String {
        fill(self.text(key), values)
    }

    /// The form of a key for a count, by the CLDR plural rules of the
    /// style's language: `<key>.zero`, `.one`, `.two`, `.few`, `.many` or
    /// `.other`, falling back to `.other` when the style lacks the form (so
    /// a style that gives `.one` and `.other` works in any language).
    pub fn plural(&self, key: &str, n: usize) -> &str {
        self.text(&self.plural_key(key, n))
    }

    /// The key of the form [`Style::plural`] reads for a count, for a
    /// sentence whose places are then filled in ([`Style::fill`]).
    pub fn plural_key(&self, key: &str, n: usize) -> String {
        let form = plural_category(&self.lang, n);
        let exact = format!("{key}.{form}");
        if self.strings.contains_key(&exact) {
            return exact;
        }
        format!("{key}.other")
    }

    /// A count in words (`seven`), or in digits where the style has no word.
    pub fn number_word(&self, n: usize) -> String {
        self.strings
            .get(&format!("number.{n}"))
            .cloned()
            .unwrap_or_else(|| n.to_string())
    }

    /// A date in the style's long form, e.g. `November 8, 2023`.
    pub fn long_date(&self, date: time::Date) -> String {
        let month = self.text(&format!("month.{}", date.month() as u8));
        self.fill(
            "date.long",
            &[
                ("month", month),
                ("day", &date.day().to_string()),
                ("year", &date.year().to_string()),
            ],
        )
    }

    /// Joins words as a list in prose: `a`, `a and b`, `a, b, and c`.
    pub fn join(&self, words: &[String]) -> String {
        match words {
            [] => String::new(),
            [one] => one.clone(),
            [a, b] => self.fill("list.and", &[("a", a), ("b", b)]),
            [init @ .., last] => self.fill("list.last", &[("a", &self.commas(init)), ("b", last)]),
        }
    }

    /// Joins words with the style's comma: `a, b, c`.
    pub fn commas(&self, words: &[String]) -> String {
        let Some((first, rest)) = words.split_first() else {
            return String::new();
        };
        rest.iter().fold(first.clone(), |acc, w| {
            self.fill("list.comma", &[("a", &acc), ("b", w)])
        })
    }
}

/// Fills `{name}` and `{name|lower}` places of a text; other braces stay.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let place = &after[..close];
        let (name, lower) = match place.strip_suffix("|lower") {
            Some(name) => (name, true),
            None => (place, false),
        };
        match values.iter().find(|(k, _)| *k == name) {
            Some((_, v)) if lower => out.push_str(&v.to_lowercase()),
            Some((_, v)) => out.push_str(v),
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The places every text of the report may use: the compiler fills them in
/// from the report before the templates print the text.
pub const REPORT_PLACES: &[&str] = &[
    "vendor",
    "client",
    "vendor_short",
    "client_short",
    "title",
    "subtitle",
    "classification",
    "version",
    "since",
    "date",
    "start",
    "end",
    "period",
    "effort",
    "severity",
    "difficulty",
    "count",
    "total",
    "issues",
];

/// The plural forms a string key may end in (CLDR's categories).
pub const PLURAL_FORMS: &[&str] = &["zero", "one", "two", "few", "many", "other"];

/// The CLDR plural category of a cardinal count in a language (`en`, `pl`,
/// `de-CH`): `one`, `few`, `many`, ...; `one` for 1 and `other` otherwise
/// when the language is not known.
pub fn plural_category(lang: &str, n: usize) -> &'static str {
    use icu_plurals::{PluralCategory, PluralRules};
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static RULES: OnceLock<Mutex<HashMap<String, Option<PluralRules>>>> = OnceLock::new();
    let mut rules = RULES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let rule = rules.entry(lang.to_string()).or_insert_with(|| {
        let locale: icu_locale_core::Locale = lang.parse().ok()?;
        PluralRules::try_new_cardinal(locale.into()).ok()
    });
    let Some(rule) = rule else {
        return if n == 1 { "one" } else { "other" };
    };
    match rule.category_for(n) {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// The places a string key offers: those the compiler fills in for the
/// sentences it writes itself, else [`REPORT_PLACES`].
pub fn offered(key: &str) -> &'static [&'static str] {
    let stem = PLURAL_FORMS
        .iter()
        .find_map(|form| key.strip_suffix(&format!(".{form}")))
        .or_else(|| key.strip_suffix(".rest"))
        .unwrap_or(key);
    match stem {
        "date.long" => &["month", "day", "year"],
        "list.and" | "list.comma" | "list.last" => &["a", "b"],
        "fix.described" => &["total"],
        "fix.resolved" | "fix.partially-resolved" | "fix.unresolved" | "fix.rest-undetermined" => {
            &["issues"]
        }
        "fix.sentence" => &["described", "client", "clauses"],
        "fix.none-determined" => &["described", "issues"],
        "change.added" => &["id", "title", "severity"],
        "change.removed" => &["id", "title"],
        "change.title" => &["id", "old", "new"],
        "change.field" => &["id", "field", "old", "new"],
        "change.text" => &["id", "sections"],
        "change.maturity" => &["category", "old", "new"],
        "text.scan-level" => &["count", "level"],
        "text.scan-no-level" => &["count"],
        "text.scan-became" => &["count", "tool", "results", "findings"],
        "field.cvss" => &["version"],
        "text.engagement-period" => &["start", "end"],
        "text.engagement-effort" => &["effort"],
        "chart.entry" => &["name", "count"],
        "chart.total" => &["count"],
        "chart.alt" => &["title", "entries", "total"],
        _ if stem.starts_with("month.")
            || stem.starts_with("number.")
            || stem.starts_with("noun.")
            || stem == "chart.severity"
            || stem == "chart.status"
            || stem.starts_with("change.section.") =>
        {
            &[]
        }
        _ => REPORT_PLACES,
    }
}

/// The places (`{name}`) a text has, without modifiers.
pub fn places(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let place = &after[..close];
        out.push(place.strip_suffix("|lower").unwrap_or(place));
        rest = &after[close + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_offers_no_places_and_a_sentence_its_own() {
        assert!(offered("month.3").is_empty());
        assert_eq!(offered("fix.resolved.rest"), &["issues"]);
        assert_eq!(offered("fix.described.one"), &["total"]);
        assert!(offered("section.about").contains(&"vendor"));
    }

    #[test]
    fn places_are_filled_and_unknown_ones_stay() {
        assert_eq!(
            fill("{a} and {b|lower}, {c}", &[("a", "One"), ("b", "Two")]),
            "One and two, {c}"
        );
        assert_eq!(places("{a} x {b|lower}"), vec!["a", "b"]);
    }
}

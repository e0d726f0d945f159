//! Findings: rows of findings.csv, `findings/<ID>.md` write-ups, and fix-review.csv.
//!
//! Findings are read in two steps. [`read_raw`] collects ids, scales and the
//! places of their prose, so that every finding id is known; [`finish`] then
//! converts the prose (linking ids mentioned in text) and applies the fix review.

use std::collections::{BTreeMap, HashMap};

use super::Loader;
use super::table::{self, Column};
use crate::diag::Place;
use crate::model::{Cvss, FieldValue, Rank};

mod file;
mod finish;
mod row;
mod settle;

use file::Body;
pub(super) use file::split_front_matter;
pub(super) use finish::finish;

/// Keys a finding's front matter may have.
pub const FRONT_KEYS: &[&str] = crate::model::front::FrontMatter::<String>::KEYS;

/// A piece of text and where it came from.
#[derive(Clone)]
pub(super) struct Sourced {
    /// The text.
    pub text: String,
    /// Where it is.
    pub place: Place,
}

/// A finding before its prose is converted.
pub(super) struct RawFinding {
    pub id: String,
    place: Place,
    title: Option<Sourced>,
    severity: Option<Rank>,
    /// Where the severity was given, when it was.
    severity_place: Option<Place>,
    difficulty: Option<Rank>,
    /// Whether a second-axis value was given, even one that was refused.
    difficulty_given: bool,
    kind: Option<Rank>,
    /// Whether a type was given, even one that was refused (reported).
    kind_given: bool,
    targets: Vec<String>,
    status: Option<(Rank, Place)>,
    /// Whether a status was given, even one that was refused (reported).
    status_given: bool,
    /// The findings.csv cells of the style's sections, in section order.
    cells: Vec<Option<Sourced>>,
    /// The texts of the style's fields, from findings.csv or front matter.
    values: BTreeMap<String, Sourced>,
    /// The fields' values, parsed.
    fields: BTreeMap<String, FieldValue>,
    body: Option<Body>,
    complete: bool,
    /// Rule ids of scan results, with their places in the front matter.
    sarif: Vec<Sourced>,
    /// The review state as written, and who reviewed.
    review: Option<Sourced>,
    reviewed_by: Option<String>,
    /// The library write-up it was made from.
    from: Option<String>,
    /// Whether the front matter marks it a draft.
    pub draft: bool,
    /// Its CVSS vector, scored.
    cvss: Option<Cvss>,
}

/// Splits a target cell at `; ` into its places.
fn split_targets(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Hints at each line range of a target written with a hyphen
/// (`a.go#10-20`): FORMAT writes ranges with an en dash (`a.go#10–20`), and
/// the report prints the target as written. `place` is the value's, with or
/// without its quotes.
pub(super) fn hyphen_ranges(l: &mut Loader, text: &str, place: &Place) {
    let quoted = place.range.len() == text.len() + 2;
    let exact = place.range.len() == text.len() || quoted;
    let start = place.range.start + usize::from(quoted);
    let mut from = 0;
    while let Some(hash) = text[from..].find('#') {
        let at = from + hash + 1;
        let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let first = digits(&text[at..]);
        from = at;
        if first == 0 || !text[at + first..].starts_with('-') {
            continue;
        }
        let second = digits(&text[at + first + 1..]);
        if second == 0 {
            continue;
        }
        let range = &text[at..at + first + 1 + second];
        let dash = at + first;
        let here = if exact {
            Place::new(place.file, start + dash..start + dash + 1)
        } else {
            place.clone()
        };
        l.diags
            .warning(
                Some(here),
                format!("the line range {range} is written with a hyphen"),
            )
            .add_hint(format!(
                "write it with an en dash, {}, as FORMAT does: the report prints the target as written",
                range.replacen('-', "–", 1)
            ));
    }
}

/// Returns the number at the end of an id, for ordering Markdown-only findings.
fn id_number(id: &str) -> u64 {
    let digits: String = id
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().unwrap_or(u64::MAX)
}

/// How findings without an id get one.
pub(super) enum Numbering {
    /// `<prefix>-<row>`, or none without a prefix (an error at the row).
    Prefix(Option<String>),
    /// audit.toml's prefix could not be read (reported there): a finding
    /// without an id is left out without a second error.
    Unknown,
}

/// Reads findings.csv and findings/*.md into raw findings, in report order.
pub(super) fn read_raw(l: &mut Loader, numbering: Numbering) -> Vec<RawFinding> {
    let mut out = Vec::new();
    if let Some((file, text)) = l.read_required("findings.csv") {
        let (columns, hint) = columns(l);
        let unknown = match &hint {
            Some(h) if !l.style.is_broken("finding") => table::Unknown::Refused(h),
            _ => table::Unknown::Ignored,
        };
        if let Some(table) = table::read_with(file, &text, &columns, unknown, &mut l.diags) {
            l.scan_cells(&table);
            for row in &table.rows {
                if let Some(f) = row::csv_row(l, &table, row, row.number, &numbering) {
                    out.push(f);
                }
            }
        }
    }
    report_duplicates(l, &out);
    let mut md_only = Vec::new();
    for name in l.list_md("findings") {
        if let Some(f) = file::md_file(l, &name, &mut out) {
            md_only.push(f);
        }
    }
    md_only.sort_by(|a, b| (id_number(&a.id), &a.id).cmp(&(id_number(&b.id), &b.id)));
    out.extend(md_only);
    if !l.style.is_broken("finding") {
        for f in &mut out {
            settle::settle(l, f);
        }
    }
    out
}

/// The columns findings.csv may have, and for a style with its own shape
/// the hint that lists them (a column it does not name is refused).
fn columns(l: &Loader) -> (Vec<Column>, Option<String>) {
    // A column a broken scale would require is not asked for: the
    // mistake is reported in style.toml.
    let broken = |table: &str| l.style.is_broken(table);
    let shape = &l.style.finding;
    let needed = |name: &'static str, required: bool| {
        if required {
            Column::required(name)
        } else {
            Column::optional(name)
        }
    };
    let mut columns = vec![
        Column::optional("id"),
        Column::required("title"),
        // With a matrix (or one that could not be read) the severity
        // may be derived.
        needed(
            "severity",
            !(broken("severity") || broken("finding") || shape.matrix.is_some()),
        ),
        needed(
            "difficulty",
            !broken("difficulty") && l.style.difficulty_required,
        ),
        needed("type", !(l.style.kind_optional() || broken("type"))),
        Column::optional("target"),
        Column::optional("status"),
        Column::optional("cvss"),
    ];
    // A key that is both a section and a field (`impact` as a level
    // and as prose) is the field's column; its prose is written in
    // findings/<ID>.md.
    columns.extend(
        shape
            .sections
            .iter()
            .filter(|s| shape.field(&s.key).is_none())
            .map(|s| Column::named(s.key.clone(), false)),
    );
    columns.extend(
        shape
            .fields
            .iter()
            .map(|f| Column::named(f.key.clone(), false)),
    );
    // A custom shape names every column a finding may have.
    let keys = |keys: Vec<&str>| {
        if keys.is_empty() {
            "none".to_string()
        } else {
            keys.join(", ")
        }
    };
    let hint = shape.custom.then(|| {
        format!(
            "the house style's sections are {}; its fields {}",
            keys(shape.sections.iter().map(|s| s.key.as_str()).collect()),
            keys(shape.fields.iter().map(|f| f.key.as_str()).collect()),
        )
    });
    (columns, hint)
}

/// Two findings with one id: an error at the second.
fn report_duplicates(l: &mut Loader, found: &[RawFinding]) {
    let mut seen: HashMap<String, Place> = HashMap::new();
    for f in found {
        if let Some(first) = seen.get(&f.id) {
            l.diags
                .error(
                    Some(f.place.clone()),
                    format!("duplicate finding id \"{}\"", f.id),
                )
                .add_related(first.clone(), "first used here")
                .add_hint("give each finding its own id");
        } else {
            seen.insert(f.id.clone(), f.place.clone());
        }
    }
}

//! A finding's write-up, findings/<ID>.md: its front matter and body, merged
//! into its findings.csv row or read as a finding of its own.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IntoDeserializer;
use toml::Spanned;
use toml::de::DeTable;

use crate::diag::{self, FileRef, Place};
use crate::load::{Axis, Loader};
use crate::model::front::BuiltinKey;
use crate::model::shape::FieldKind;
use crate::model::{Cvss, Rank};

use super::settle::{check_agrees, derived_severity, same};
use super::{FRONT_KEYS, RawFinding, Sourced, split_targets};

/// The Markdown body of a findings/<ID>.md file.
pub(super) struct Body {
    pub(super) file: FileRef,
    pub(super) offset: usize,
    pub(super) text: String,
}

/// Front matter as the loader reads it: each text value with its place.
type FrontMatter = crate::model::front::FrontMatter<Spanned<String>>;

/// The values of the style's fields in front matter, by key.
type FieldValues = Vec<(String, Sourced)>;

/// Splits `+++` front matter from a Markdown file: (front matter and its offset, body offset).
pub(in crate::load) fn split_front_matter(text: &str) -> Option<((usize, usize), usize)> {
    let first_end = text.find('\n')?;
    if text[..first_end].trim_end() != "+++" {
        return None;
    }
    let start = first_end + 1;
    let mut pos = start;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |n| pos + n);
        if text[pos..line_end].trim_end() == "+++" {
            return Some(((start, pos), (line_end + 1).min(text.len())));
        }
        pos = line_end + 1;
    }
    None
}

/// A findings/<ID>.md file read: its front matter's values with their places.
struct WriteUp {
    stem: String,
    /// Whether its front matter was refused (reported): its keys are unknown.
    refused: bool,
    start: Place,
    front: FrontMatter,
    /// The values of the style's fields.
    values: FieldValues,
    body: Body,
    /// title, severity, difficulty, type, target and status, when given.
    given: [(BuiltinKey, Option<Sourced>); 6],
    sarif: Vec<Sourced>,
    review: Option<Sourced>,
    cvss: Option<(Cvss, Place)>,
}

/// Reads findings/<name>; merges it into its CSV row, or returns a Markdown-only finding.
pub(super) fn md_file(l: &mut Loader, name: &str, rows: &mut [RawFinding]) -> Option<RawFinding> {
    let rel = format!("findings/{name}");
    let (file, text) = l.read_optional(&rel)?;
    let stem = name.trim_end_matches(".md").to_string();
    let (front, body_offset) = match split_front_matter(&text) {
        Some(((s, e), body)) => (
            front_matter(l, file, &text[s..e], s).map(Some).ok_or(()),
            body,
        ),
        None if text.starts_with("+++") => {
            l.diags
                .error(Some(Place::new(file, 0..3)), "front matter is never closed")
                .add_hint("end the front matter with a line holding only +++");
            return None;
        }
        None => (Ok(None), 0),
    };
    let sourced = |s: &Option<Spanned<String>>| {
        s.as_ref().map(|v| Sourced {
            text: v.get_ref().trim().to_string(),
            place: Place::new(file, v.span()),
        })
    };
    // Front matter refused (reported) is not also a finding without a title,
    // a severity and a type: one mistake, one error.
    let refused = front.is_err();
    let (front, values) = front.ok().flatten().unwrap_or_default();
    if let Some(id) = sourced(&front.id)
        && id.text != stem
    {
        l.diags
            .error(
                Some(id.place),
                format!(
                    "front matter id \"{}\" differs from the file name \"{name}\"",
                    id.text
                ),
            )
            .add_hint(format!(
                "rename the file to {}.md or change the id",
                id.text
            ));
        return None;
    }
    let w = WriteUp {
        refused,
        start: Place::new(file, 0..0),
        body: Body {
            file,
            offset: body_offset,
            text: text[body_offset..].to_string(),
        },
        given: [
            (BuiltinKey::Title, sourced(&front.title)),
            (BuiltinKey::Severity, sourced(&front.severity)),
            (BuiltinKey::Difficulty, sourced(&front.difficulty)),
            (BuiltinKey::Type, sourced(&front.kind)),
            (BuiltinKey::Target, sourced(&front.target)),
            (BuiltinKey::Status, sourced(&front.status)),
        ],
        sarif: front
            .sarif
            .iter()
            .flatten()
            .filter_map(|v| sourced(&Some(v.clone())))
            .collect(),
        review: sourced(&front.review),
        cvss: sourced(&front.cvss).and_then(|c| l.cvss(&c)),
        stem,
        front,
        values,
    };
    match rows.iter_mut().find(|r| r.id == w.stem) {
        Some(row) => {
            merge(l, row, w);
            None
        }
        None => Some(md_only(l, w)),
    }
}

/// The error of a front matter value that disagrees with findings.csv.
fn disagrees(l: &mut Loader, at: Place, key: &str, stem: &str, related: (Place, &str)) {
    l.diags
        .error(
            Some(at),
            format!("front matter {key} of {stem} disagrees with findings.csv"),
        )
        .add_related(related.0, related.1)
        .add_hint(format!(
            "make the two agree, or remove `{key}` from the front matter"
        ));
}

/// Merges a write-up into its findings.csv row; a value given in both
/// places must agree.
fn merge(l: &mut Loader, row: &mut RawFinding, w: WriteUp) {
    let stem = &w.stem;
    for (key, value) in &w.given {
        let Some(value) = value else { continue };
        if refused_in_row(row, *key) {
            // The row's value was refused with its own error: one mistake, one error.
            continue;
        }
        let agrees = match *key {
            BuiltinKey::Title => row.title.as_ref().is_none_or(|t| t.text == value.text),
            BuiltinKey::Severity => same(&l.style.severity, &value.text, row.severity.as_ref()),
            BuiltinKey::Difficulty => {
                same(&l.style.difficulty, &value.text, row.difficulty.as_ref())
            }
            BuiltinKey::Type if l.style.kind_free => {
                row.kind.as_ref().map(Rank::name) == Some(value.text.trim())
            }
            BuiltinKey::Type => same(&l.style.kind, &value.text, row.kind.as_ref()),
            BuiltinKey::Target => split_targets(&value.text) == row.targets,
            _ => same(
                &l.style.status,
                &value.text,
                row.status.as_ref().map(|s| &s.0),
            ),
        };
        if !agrees {
            let related = (row.place.clone(), "the findings.csv row");
            disagrees(l, value.place.clone(), key.as_str(), stem, related);
        }
    }
    for (key, value) in w.values {
        match row.values.get(&key) {
            Some(given) if given.text.trim() != value.text.trim() => {
                let related = (given.place.clone(), "the findings.csv cell");
                disagrees(l, value.place, &key, stem, related);
            }
            Some(_) => {}
            None => {
                row.values.insert(key, value);
            }
        }
    }
    row.draft = w.front.excluded();
    row.body = Some(w.body);
    row.sarif = w.sarif;
    row.review = w.review;
    row.reviewed_by = w.front.reviewed_by;
    row.from = w.front.from;
    if let Some((vector, place)) = w.cvss {
        match &row.cvss {
            Some(given) if given.vector != vector.vector => {
                let related = (row.place.clone(), "the findings.csv row");
                disagrees(l, place, BuiltinKey::Cvss.as_str(), stem, related);
            }
            Some(_) => {}
            None => {
                // The row's severity and the file's vector meet only here.
                if let (Some(severity), Some(at)) = (&row.severity, &row.severity_place) {
                    check_agrees(l, severity, &vector, at.clone());
                }
                row.cvss = Some(vector);
            }
        }
    }
}

/// Whether the findings.csv row gave a value of a scale that was refused
/// (and reported): there is nothing to compare the front matter's value with.
fn refused_in_row(row: &RawFinding, key: BuiltinKey) -> bool {
    match key {
        BuiltinKey::Severity => row.severity.is_none() && row.severity_place.is_some(),
        BuiltinKey::Difficulty => row.difficulty.is_none() && row.difficulty_given,
        BuiltinKey::Type => row.kind.is_none() && row.kind_given,
        BuiltinKey::Status => row.status.is_none() && row.status_given,
        _ => false,
    }
}

/// Reports each key that a finding of findings/<ID>.md alone must give in
/// its front matter and does not (unless the front matter was refused).
fn require_keys(l: &mut Loader, w: &WriteUp) {
    let [title, severity, difficulty, kind, ..] = &w.given;
    let mut need = |(key, value): &(BuiltinKey, Option<Sourced>)| {
        let key = key.as_str();
        if value.is_none() && !w.refused {
            l.diags
                .error(
                    Some(w.start.clone()),
                    format!("finding {} has no `{key}`", w.stem),
                )
                .add_hint(format!(
                    "add a findings.csv row with id {}, or give `{key}` in the front matter",
                    w.stem
                ));
        }
    };
    need(title);
    if w.cvss.is_none() && l.style.finding.matrix.is_none() && !l.style.is_broken("finding") {
        need(severity);
    }
    if l.style.difficulty_required {
        need(difficulty);
    }
    if !l.style.kind_optional() {
        need(kind);
    }
}

/// A finding written in findings/<ID>.md only: its front matter gives what
/// a findings.csv row would.
fn md_only(l: &mut Loader, w: WriteUp) -> RawFinding {
    require_keys(l, &w);
    let WriteUp {
        stem,
        refused: _,
        start,
        front,
        values,
        body,
        given,
        sarif,
        review,
        cvss,
    } = w;
    let [title, severity, difficulty, kind, target, status] = given.map(|(_, v)| v);
    let excluded = front.excluded();
    let severity_place = severity.as_ref().map(|s| s.place.clone());
    let severity = match (severity, &cvss) {
        (None, Some((vector, place))) => derived_severity(l, vector, place),
        (Some(s), vector) => {
            let parsed = l.parse_scale(s.place.clone(), &s.text, Axis::Severity);
            if let (Some(p), Some((vector, _))) = (&parsed, vector) {
                check_agrees(l, p, vector, s.place);
            }
            parsed
        }
        (None, None) => None,
    };
    let difficulty_given = difficulty.is_some();
    let difficulty = difficulty.and_then(|s| l.parse_scale(s.place, &s.text, Axis::Difficulty));
    let kind_given = kind.is_some();
    let kind = kind.and_then(|s| l.parse_scale(s.place, &s.text, Axis::Type));
    let status_given = status.is_some();
    let status = status.and_then(|s| {
        Some((
            l.parse_scale(s.place.clone(), &s.text, Axis::Status)?,
            s.place,
        ))
    });
    RawFinding {
        id: stem,
        place: start,
        complete: title.is_some()
            && (difficulty.is_some() || !l.style.difficulty_required)
            && (kind.is_some() || l.style.kind_optional()),
        title,
        severity,
        severity_place,
        difficulty_given,
        difficulty,
        kind,
        kind_given,
        targets: target
            .map(|t| {
                super::hyphen_ranges(l, &t.text, &t.place);
                split_targets(&l.visible(&t.text, t.place))
            })
            .unwrap_or_default(),
        status,
        status_given,
        cells: vec![None; l.style.finding.sections.len()],
        values: values.into_iter().collect(),
        fields: BTreeMap::new(),
        body: Some(body),
        sarif,
        review,
        reviewed_by: front.reviewed_by,
        draft: excluded,
        from: front.from,
        cvss: cvss.map(|(c, _)| c),
    }
}

/// Parses front matter TOML; spans are shifted by `base` to be file offsets.
fn front_matter(
    l: &mut Loader,
    file: FileRef,
    text: &str,
    base: usize,
) -> Option<(FrontMatter, FieldValues)> {
    let shift = |r: std::ops::Range<usize>| base + r.start..base + r.end;
    let invalid = |l: &mut Loader, e: toml::de::Error, hint: &str| {
        l.diags
            .error(
                Some(Place::new(file, shift(e.span().unwrap_or(0..0)))),
                format!(
                    "invalid front matter ({})",
                    e.message().lines().next().unwrap_or("")
                ),
            )
            .add_hint(hint);
    };
    let table = match DeTable::parse(text) {
        Ok(t) => t,
        Err(e) => {
            invalid(l, e, "front matter is TOML between two +++ lines");
            return None;
        }
    };
    l.scan_strings(file, base, crate::load::meta::strings(table.get_ref(), &[]));
    let values = field_values(l, file, &table, &shift);
    match FrontMatter::deserialize(table.into_deserializer()) {
        Ok(mut f) => {
            for v in [
                &mut f.id,
                &mut f.title,
                &mut f.severity,
                &mut f.difficulty,
                &mut f.kind,
                &mut f.target,
                &mut f.status,
                &mut f.review,
                &mut f.cvss,
            ]
            .into_iter()
            .flatten()
            {
                let span = shift(v.span());
                *v = Spanned::new(span, v.get_ref().clone());
            }
            for v in f.sarif.iter_mut().flatten() {
                let span = shift(v.span());
                *v = Spanned::new(span, v.get_ref().clone());
            }
            Some((f, values))
        }
        Err(e) => {
            invalid(
                l,
                e,
                "front matter values are strings, e.g. severity = \"Low\"",
            );
            None
        }
    }
}

/// Warns of a finding's `draft = true`, the 1.2 spelling of `exclude`: it
/// is still read, and the warning says the new name and what the other
/// "draft", `review = "draft"`, is.
fn renamed_draft(l: &mut Loader, place: Place) {
    l.diags
        .warning(
            Some(place),
            "`draft` in a finding's front matter is now called `exclude`: the finding is left out of the report",
        )
        .add_hint(
            "rename the key: `exclude = true`; a finding that is printed but not yet reviewed is              `review = \"draft\"` (it marks every page DRAFT)",
        );
}

/// The values of the style's fields in front matter, and a warning for each
/// key that is neither a field nor a key of FORMAT.
fn field_values(
    l: &mut Loader,
    file: FileRef,
    table: &Spanned<DeTable<'_>>,
    shift: &dyn Fn(std::ops::Range<usize>) -> std::ops::Range<usize>,
) -> Vec<(String, Sourced)> {
    let style = l.style.clone();
    let mut values = Vec::new();
    for (key, value) in table.get_ref().iter() {
        if let Some(def) = style.finding.field(key.get_ref()) {
            let text = match value.get_ref() {
                toml::de::DeValue::String(s) => Some(s.to_string()),
                toml::de::DeValue::Integer(n) => Some(n.to_string()),
                toml::de::DeValue::Float(n) => Some(n.to_string()),
                toml::de::DeValue::Array(items) if def.kind == FieldKind::List => items
                    .iter()
                    .map(|i| match i.get_ref() {
                        toml::de::DeValue::String(s) => Some(s.to_string()),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
                    .map(|v| v.join("; ")),
                _ => None,
            };
            match text {
                Some(text) => values.push((
                    def.key.clone(),
                    Sourced {
                        text,
                        place: Place::new(file, shift(value.span())),
                    },
                )),
                None => {
                    l.diags
                        .error(
                            Some(Place::new(file, shift(value.span()))),
                            format!("front matter `{}` must be a string", def.key),
                        )
                        .add_hint(format!("e.g. {} = \"...\"", def.key));
                }
            }
            continue;
        }
        if key.get_ref() == "draft" {
            renamed_draft(l, Place::new(file, shift(key.span())));
            continue;
        }
        if !FRONT_KEYS.contains(&key.get_ref().as_ref()) {
            let d = l.diags.warning(
                Some(Place::new(file, shift(key.span()))),
                format!("unknown front matter key `{}` is ignored", key.get_ref()),
            );
            d.fix_to_closest(key.get_ref(), FRONT_KEYS);
            match diag::did_you_mean(key.get_ref(), FRONT_KEYS, diag::ticked) {
                Some(k) => d.add_hint(k),
                None => d.add_hint(format!("known keys: {}", FRONT_KEYS.join(", "))),
            };
        }
    }
    values
}

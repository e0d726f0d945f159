//! Findings: rows of findings.csv, `findings/<ID>.md` write-ups, and fix-review.csv.
//!
//! Findings are read in two steps. [`read_raw`] collects ids, scales and the
//! places of their prose, so that every finding id is known; [`finish`] then
//! converts the prose (linking ids mentioned in text) and applies the fix review.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde::de::IntoDeserializer;
use time::Date;
use toml::Spanned;
use toml::de::DeTable;

use super::Axis;
use super::fields;
use super::table::{self, Column, Table};
use super::{Loader, Origin, Prose};
use crate::content::{self, Block};
use crate::diag;
use crate::diag::{FileRef, Place};
use crate::model::shape::FieldKind;
use crate::model::style::same_name;
use crate::model::{Cvss, FieldValue, Finding, FixEntry, Rank, Review, Section};

/// Keys a finding's front matter may have.
pub const FRONT_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "difficulty",
    "type",
    "target",
    "status",
    "sarif",
    "draft",
    "cvss",
    "review",
    "reviewed_by",
    "from",
    "from_version",
    "issue",
];

/// A piece of text and where it came from.
#[derive(Clone)]
pub(super) struct Sourced {
    /// The text.
    pub text: String,
    /// Where it is.
    pub place: Place,
}

/// The Markdown body of a findings/<ID>.md file.
struct Body {
    file: FileRef,
    offset: usize,
    text: String,
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
    draft: bool,
    /// Its CVSS vector, scored.
    cvss: Option<Cvss>,
}

#[derive(Default, Deserialize)]
struct FrontMatter {
    id: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    severity: Option<Spanned<String>>,
    difficulty: Option<Spanned<String>>,
    #[serde(rename = "type")]
    kind: Option<Spanned<String>>,
    target: Option<Spanned<String>>,
    status: Option<Spanned<String>>,
    sarif: Option<Vec<Spanned<String>>>,
    draft: Option<bool>,
    cvss: Option<Spanned<String>>,
    review: Option<Spanned<String>>,
    reviewed_by: Option<String>,
    from: Option<String>,
    /// The version of the write-up it was made from (`auditpress library diff`).
    #[allow(dead_code)]
    from_version: Option<String>,
    /// The tracker issue it was imported from (`auditpress import github`).
    #[allow(dead_code)]
    issue: Option<String>,
    /// The values of the style's fields, by key.
    #[serde(skip)]
    values: Vec<(String, Sourced)>,
}

/// Splits a target cell at `; ` into its places.
fn split_targets(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
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
        // A column a broken scale would require is not asked for: the
        // mistake is reported in style.toml.
        let broken = |table: &str| l.style.is_broken(table);
        let shape = &l.style.finding;
        let mut columns = vec![
            Column::optional("id"),
            Column::required("title"),
            // With a matrix (or one that could not be read) the severity
            // may be derived.
            if broken("severity") || broken("finding") || shape.matrix.is_some() {
                Column::optional("severity")
            } else {
                Column::required("severity")
            },
            if broken("difficulty") {
                Column::optional("difficulty")
            } else if l.style.difficulty_required {
                Column::required("difficulty")
            } else {
                Column::optional("difficulty")
            },
            if l.style.kind_optional() || broken("type") {
                Column::optional("type")
            } else {
                Column::required("type")
            },
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
        let hint = shape.custom.then(|| {
            format!(
                "the house style's sections are {}; its fields {}",
                shape
                    .sections
                    .iter()
                    .map(|s| s.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                if shape.fields.is_empty() {
                    "none".to_string()
                } else {
                    shape
                        .fields
                        .iter()
                        .map(|f| f.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )
        });
        let unknown = match &hint {
            Some(h) if !broken("finding") => table::Unknown::Refused(h),
            _ => table::Unknown::Ignored,
        };
        if let Some(table) = table::read_with(file, &text, &columns, unknown, &mut l.diags) {
            l.scan_cells(&table);
            for row in &table.rows {
                if let Some(f) = csv_row(l, &table, row, row.number, &numbering) {
                    out.push(f);
                }
            }
        }
    }
    let mut seen: HashMap<String, Place> = HashMap::new();
    for f in &out {
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
    let mut md_only = Vec::new();
    for name in l.list_md("findings") {
        if let Some(f) = md_file(l, &name, &mut out) {
            md_only.push(f);
        }
    }
    md_only.sort_by(|a, b| (id_number(&a.id), &a.id).cmp(&(id_number(&b.id), &b.id)));
    out.extend(md_only);
    if !l.style.is_broken("finding") {
        for f in &mut out {
            settle(l, f);
        }
    }
    out
}

/// Parses a finding's field values, checks that the required ones are
/// given, and derives or checks its severity by the style's matrix.
fn settle(l: &mut Loader, f: &mut RawFinding) {
    let style = l.style.clone();
    let shape = &style.finding;
    let file_hint = |key: &str| {
        format!(
            "fill in the `{key}` column of findings.csv, or give `{key}` in the front matter of findings/{}.md",
            f.id
        )
    };
    for def in &shape.fields {
        match f.values.get(&def.key) {
            Some(v) if !v.text.trim().is_empty() => match fields::parse(&style, def, &v.text) {
                Ok(parsed) => {
                    if let Some((message, hint)) = parsed.warning {
                        l.diags
                            .warning(Some(v.place.clone()), message)
                            .add_hint(hint);
                    }
                    f.fields.insert(def.key.clone(), parsed.value);
                }
                Err((message, hint)) => {
                    l.diags.error(Some(v.place.clone()), message).add_hint(hint);
                }
            },
            _ if def.required => {
                l.diags
                    .error(
                        Some(f.place.clone()),
                        format!("finding {} has no {}", f.id, def.label),
                    )
                    .add_hint(file_hint(&def.key));
            }
            _ => {}
        }
    }
    let Some(matrix) = &shape.matrix else {
        return;
    };
    // The row or column value, and whether one was given at all.
    let axis = |name: &str| -> (Option<usize>, bool, String) {
        if name == "difficulty" {
            (
                f.difficulty.as_ref().map(|d| d.index),
                f.difficulty_given,
                style.difficulty_label.clone(),
            )
        } else {
            let label = shape
                .field(name)
                .map_or(name.to_string(), |d| d.label.clone());
            match f.fields.get(name) {
                Some(FieldValue::Level(r)) => (Some(r.index), true, label),
                _ => (None, f.values.contains_key(name), label),
            }
        }
    };
    let (row, row_given, row_label) = axis(&matrix.rows);
    let (column, column_given, column_label) = axis(&matrix.columns);
    match (row, column) {
        (Some(r), Some(c)) => {
            let cell = matrix.cells[r][c];
            let derived = style.severity.rank(cell);
            match (&f.severity, &f.severity_place) {
                (None, None) => f.severity = Some(derived),
                (Some(s), Some(place)) if s.index != cell && matrix.derives(s.index) => {
                    let names = |scale: &str, i: usize| {
                        if scale == "difficulty" {
                            style.difficulty.levels[i].name.clone()
                        } else {
                            shape
                                .field(scale)
                                .and_then(|d| shape.scale_of(d))
                                .map_or_else(String::new, |s| s.scale.levels[i].name.clone())
                        }
                    };
                    l.diags
                        .error(
                            Some(place.clone()),
                            format!(
                                "severity {} of {} disagrees with the matrix: {row_label} {} and {column_label} {} give {}",
                                s.name(),
                                f.id,
                                names(&matrix.rows, r),
                                names(&matrix.columns, c),
                                derived.name()
                            ),
                        )
                        .add_hint(format!(
                            "give {}, or leave the severity empty to take the matrix's",
                            derived.name()
                        ));
                }
                _ => {}
            }
        }
        // A value that was given and refused is reported where it is.
        _ if f.severity.is_none() && f.severity_place.is_none() && !(row_given && column_given) => {
            l.diags
                .error(
                    Some(f.place.clone()),
                    format!("finding {} has no severity", f.id),
                )
                .add_hint(format!(
                    "give its severity, or its {} and {} for the matrix to derive it",
                    row_label.to_lowercase(),
                    column_label.to_lowercase()
                ));
        }
        _ => {}
    }
}

fn csv_row(
    l: &mut Loader,
    table: &Table,
    row: &table::Record,
    number: usize,
    numbering: &Numbering,
) -> Option<RawFinding> {
    let place = table.row_place(row);
    let id = match (table.cell(row, "id"), numbering) {
        (Some(c), _) => c.value.clone(),
        (None, Numbering::Prefix(Some(p))) => format!("{p}-{number}"),
        (None, Numbering::Unknown) => return None,
        (None, Numbering::Prefix(None)) => {
            l.diags.error(Some(place), "finding has no id").add_hint(
                "fill in the id column, or set id_prefix in audit.toml to number findings",
            );
            return None;
        }
    };
    let sourced = |name: &str| {
        table.cell(row, name).map(|c| Sourced {
            text: c.value.clone(),
            place: table.place(c),
        })
    };
    let title = sourced("title");
    if title.is_none() {
        l.missing_cell(table, row, "title");
    }
    let cvss = sourced("cvss").and_then(|c| l.cvss(&c));
    let matrix = l.style.finding.matrix.is_some() || l.style.is_broken("finding");
    let severity = match (table.cell(row, "severity"), &cvss) {
        (None, Some((vector, place))) => derived_severity(l, vector, place),
        // Derived from the matrix once the finding's values are known.
        (None, None) if matrix => None,
        (given, _) => {
            let severity = l.scale(table, row, "severity", Axis::Severity);
            if let (Some(s), Some(cell), Some((vector, _))) = (&severity, given, &cvss) {
                check_agrees(l, s, vector, table.place(cell));
            }
            severity
        }
    };
    let difficulty = match table.cell(row, "difficulty") {
        None if !l.style.difficulty_required => None,
        _ => l.scale(table, row, "difficulty", Axis::Difficulty),
    };
    let kind = match table.cell(row, "type") {
        None if l.style.kind_optional() => None,
        _ => l.scale(table, row, "type", Axis::Type),
    };
    let status_given = table.cell(row, "status").is_some();
    let status = table.cell(row, "status").and_then(|c| {
        Some((
            l.parse_scale(table.place(c), &c.value, Axis::Status)?,
            table.place(c),
        ))
    });
    let complete = title.is_some()
        && (difficulty.is_some() || !l.style.difficulty_required)
        && (kind.is_some() || l.style.kind_optional());
    let shape = &l.style.finding;
    let values = shape
        .fields
        .iter()
        .filter_map(|f| Some((f.key.clone(), sourced(&f.key)?)))
        .collect();
    let cells = shape
        .sections
        .iter()
        .map(|s| match shape.field(&s.key) {
            Some(_) => None,
            None => sourced(&s.key),
        })
        .collect();
    Some(RawFinding {
        id,
        place: place.clone(),
        title,
        severity_place: table.cell(row, "severity").map(|c| table.place(c)),
        severity,
        difficulty_given: table.cell(row, "difficulty").is_some(),
        difficulty,
        kind,
        targets: table
            .cell(row, "target")
            .map(|c| split_targets(&l.visible(&c.value, table.place(c))))
            .unwrap_or_default(),
        status,
        status_given,
        cells,
        values,
        fields: BTreeMap::new(),
        body: None,
        complete,
        sarif: Vec::new(),
        review: None,
        reviewed_by: None,
        from: None,
        draft: false,
        cvss: cvss.map(|(c, _)| c),
    })
}

/// Splits `+++` front matter from a Markdown file: (front matter and its offset, body offset).
pub(super) fn split_front_matter(text: &str) -> Option<((usize, usize), usize)> {
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

/// Reads findings/<name>; merges it into its CSV row, or returns a Markdown-only finding.
fn md_file(l: &mut Loader, name: &str, rows: &mut [RawFinding]) -> Option<RawFinding> {
    let rel = format!("findings/{name}");
    let (file, text) = l.read_optional(&rel)?;
    let stem = name.trim_end_matches(".md").to_string();
    let start_place = Place::new(file, 0..0);
    let (front, body_offset) = match split_front_matter(&text) {
        Some(((s, e), body)) => (front_matter(l, file, &text[s..e], s), body),
        None if text.starts_with("+++") => {
            l.diags
                .error(Some(Place::new(file, 0..3)), "front matter is never closed")
                .add_hint("end the front matter with a line holding only +++");
            return None;
        }
        None => (None, 0),
    };
    let body = Body {
        file,
        offset: body_offset,
        text: text[body_offset..].to_string(),
    };
    let sourced = |s: &Option<Spanned<String>>| {
        s.as_ref().map(|v| Sourced {
            text: v.get_ref().trim().to_string(),
            place: Place::new(file, v.span()),
        })
    };
    let front = front.unwrap_or_default();
    let review = sourced(&front.review);
    let cvss = sourced(&front.cvss).and_then(|c| l.cvss(&c));
    let sarif: Vec<Sourced> = front
        .sarif
        .iter()
        .flatten()
        .filter_map(|v| sourced(&Some(v.clone())))
        .collect();
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
    let fields = [
        ("title", sourced(&front.title)),
        ("severity", sourced(&front.severity)),
        ("difficulty", sourced(&front.difficulty)),
        ("type", sourced(&front.kind)),
        ("target", sourced(&front.target)),
        ("status", sourced(&front.status)),
    ];
    if let Some(row) = rows.iter_mut().find(|r| r.id == stem) {
        for (key, value) in &fields {
            let Some(value) = value else { continue };
            let agrees = match *key {
                "title" => row.title.as_ref().is_none_or(|t| t.text == value.text),
                "severity" => same(&l.style.severity, &value.text, row.severity.as_ref()),
                "difficulty" => same(&l.style.difficulty, &value.text, row.difficulty.as_ref()),
                "type" if l.style.kind_free => {
                    row.kind.as_ref().map(Rank::name) == Some(value.text.trim())
                }
                "type" => same(&l.style.kind, &value.text, row.kind.as_ref()),
                "target" => split_targets(&value.text) == row.targets,
                _ => same(
                    &l.style.status,
                    &value.text,
                    row.status.as_ref().map(|s| &s.0),
                ),
            };
            if !agrees {
                l.diags
                    .error(
                        Some(value.place.clone()),
                        format!("front matter {key} of {stem} disagrees with findings.csv"),
                    )
                    .add_related(row.place.clone(), "the findings.csv row")
                    .add_hint(format!(
                        "make the two agree, or remove `{key}` from the front matter"
                    ));
            }
        }
        for (key, value) in front.values {
            match row.values.get(&key) {
                Some(given) if given.text.trim() != value.text.trim() => {
                    l.diags
                        .error(
                            Some(value.place),
                            format!("front matter {key} of {stem} disagrees with findings.csv"),
                        )
                        .add_related(given.place.clone(), "the findings.csv cell")
                        .add_hint(format!(
                            "make the two agree, or remove `{key}` from the front matter"
                        ));
                }
                Some(_) => {}
                None => {
                    row.values.insert(key, value);
                }
            }
        }
        row.body = Some(body);
        row.sarif = sarif;
        row.review = review;
        row.reviewed_by = front.reviewed_by.clone();
        row.from = front.from.clone();
        row.draft = front.draft.unwrap_or(false);
        if let Some((vector, place)) = cvss {
            match &row.cvss {
                Some(given) if given.vector != vector.vector => {
                    l.diags
                        .error(
                            Some(place),
                            format!("front matter cvss of {stem} disagrees with findings.csv"),
                        )
                        .add_related(row.place.clone(), "the findings.csv row")
                        .add_hint("make the two agree, or remove `cvss` from the front matter");
                }
                _ => row.cvss = Some(vector),
            }
        }
        return None;
    }
    let [title, severity, difficulty, kind, target, status] = fields.map(|(_, v)| v);
    let mut need = |value: &Option<Sourced>, key: &str| {
        if value.is_none() {
            l.diags
                .error(
                    Some(start_place.clone()),
                    format!("finding {stem} has no `{key}`"),
                )
                .add_hint(format!(
                    "add a findings.csv row with id {stem}, or give `{key}` in the front matter"
                ));
        }
    };
    need(&title, "title");
    if cvss.is_none() && l.style.finding.matrix.is_none() && !l.style.is_broken("finding") {
        need(&severity, "severity");
    }
    if l.style.difficulty_required {
        need(&difficulty, "difficulty");
    }
    if !l.style.kind_optional() {
        need(&kind, "type");
    }
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
    let difficulty_given_md = difficulty.is_some();
    let difficulty = difficulty.and_then(|s| l.parse_scale(s.place, &s.text, Axis::Difficulty));
    let kind = kind.and_then(|s| l.parse_scale(s.place, &s.text, Axis::Type));
    let status_given = status.is_some();
    let status = status.and_then(|s| {
        Some((
            l.parse_scale(s.place.clone(), &s.text, Axis::Status)?,
            s.place,
        ))
    });
    Some(RawFinding {
        id: stem,
        place: start_place,
        complete: title.is_some()
            && (difficulty.is_some() || !l.style.difficulty_required)
            && (kind.is_some() || l.style.kind_optional()),
        title,
        severity,
        severity_place,
        difficulty_given: difficulty_given_md,
        difficulty,
        kind,
        targets: target
            .map(|t| split_targets(&l.visible(&t.text, t.place)))
            .unwrap_or_default(),
        status,
        status_given,
        cells: vec![None; l.style.finding.sections.len()],
        values: front.values.into_iter().collect(),
        fields: BTreeMap::new(),
        body: Some(body),
        sarif,
        review,
        reviewed_by: front.reviewed_by,
        from: front.from,
        draft: front.draft.unwrap_or(false),
        cvss: cvss.map(|(c, _)| c),
    })
}

/// Whether a value names the same level of a scale as a parsed one.
fn same(scale: &crate::model::style::Scale, text: &str, parsed: Option<&Rank>) -> bool {
    scale.find(text).as_ref() == parsed
}

/// The severity a CVSS rating gives: the level that says it stands for the
/// rating (`cvss`), else the level of its name, or for None the style's last severity.
fn rated(l: &Loader, vector: &Cvss) -> Option<Rank> {
    let scale = &l.style.severity;
    if let Some(i) = scale
        .levels
        .iter()
        .position(|level| level.cvss.contains(&vector.rating))
    {
        return Some(scale.rank(i));
    }
    match vector.rating.as_str() {
        "None" => scale.levels.len().checked_sub(1).map(|i| scale.rank(i)),
        rating => scale.find(rating),
    }
}

/// Derives a finding's severity from its CVSS vector, when the severity is not given.
fn derived_severity(l: &mut Loader, vector: &Cvss, place: &Place) -> Option<Rank> {
    let severity = rated(l, vector);
    if severity.is_none() {
        let names = l.style.severity.names().join(", ");
        l.diags
            .error(
                Some(place.clone()),
                format!(
                    "the CVSS vector rates {} ({:.1}), which is not a severity of this report",
                    vector.rating, vector.score
                ),
            )
            .add_hint(format!("give the severity yourself, one of {names}"));
    }
    severity
}

/// Warns when a given severity disagrees with the CVSS vector's rating.
fn check_agrees(l: &mut Loader, severity: &Rank, vector: &Cvss, place: Place) {
    if rated(l, vector).as_ref() != Some(severity) {
        l.diags
            .warning(
                Some(place),
                format!(
                    "severity {} disagrees with the CVSS rating {} ({:.1} for {})",
                    severity.name(),
                    vector.rating,
                    vector.score,
                    vector.vector
                ),
            )
            .add_hint("the report shows both; leave the severity empty to take the CVSS rating");
    }
}

/// Parses front matter TOML; spans are shifted by `base` to be file offsets.
fn front_matter(l: &mut Loader, file: FileRef, text: &str, base: usize) -> Option<FrontMatter> {
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
    l.scan_strings(file, base, super::meta::strings(table.get_ref(), &[]));
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
        if !FRONT_KEYS.contains(&key.get_ref().as_ref()) {
            let d = l.diags.warning(
                Some(Place::new(file, shift(key.span()))),
                format!("unknown front matter key `{}` is ignored", key.get_ref()),
            );
            match diag::did_you_mean(key.get_ref(), FRONT_KEYS, diag::ticked) {
                Some(k) => d.add_hint(k),
                None => d.add_hint(format!("known keys: {}", FRONT_KEYS.join(", "))),
            };
        }
    }
    match FrontMatter::deserialize(table.into_deserializer()) {
        Ok(mut f) => {
            f.values = values;
            for v in [
                &mut f.id,
                &mut f.title,
                &mut f.severity,
                &mut f.difficulty,
                &mut f.kind,
                &mut f.target,
                &mut f.status,
                &mut f.review,
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
            Some(f)
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

/// A row of fix-review.csv.
struct FixRow {
    status: (Rank, Place),
    refs: Vec<String>,
    note: Option<Sourced>,
    place: Place,
}

/// The rows of fix-review.csv by finding id, and the ids whose row was
/// refused (reported already, so not reported again as missing).
fn fix_rows(l: &mut Loader, raw: &[RawFinding]) -> (HashMap<String, FixRow>, HashSet<String>) {
    let mut out: HashMap<String, FixRow> = HashMap::new();
    let mut refused = HashSet::new();
    let columns = [
        Column::required("id"),
        Column::required("status"),
        Column::optional("refs"),
        Column::optional("note"),
    ];
    let Some(table) = l.read_table("fix-review.csv", &columns) else {
        return (out, refused);
    };
    let ids: Vec<&str> = raw.iter().map(|f| f.id.as_str()).collect();
    for row in &table.rows {
        let Some(id) = table.cell(row, "id") else {
            l.missing_cell(&table, row, "id");
            continue;
        };
        let place = table.place(id);
        let status = l.scale(&table, row, "status", Axis::Status);
        if !ids.contains(&id.value.as_str()) {
            let d = l.diags.error(
                Some(place),
                format!("fix review of unknown finding \"{}\"", id.value),
            );
            match diag::did_you_mean(&id.value, &ids, diag::quoted) {
                Some(c) => d.add_hint(c),
                None => d.add_hint(
                    "every id in fix-review.csv must be a finding of findings.csv or findings/",
                ),
            };
            continue;
        }
        if let Some(first) = out.get(&id.value) {
            l.diags
                .error(
                    Some(place),
                    format!("finding \"{}\" is reviewed twice", id.value),
                )
                .add_related(first.place.clone(), "first reviewed here")
                .add_hint("keep one row per finding");
            continue;
        }
        let Some(status) = status else {
            refused.insert(id.value.clone());
            continue;
        };
        let status_place = table.place(table.cell(row, "status").expect("status parsed"));
        out.insert(
            id.value.clone(),
            FixRow {
                status: (status, status_place),
                refs: table
                    .cell(row, "refs")
                    .map(|c| split_targets(&c.value))
                    .unwrap_or_default(),
                note: table.cell(row, "note").map(|c| Sourced {
                    text: c.value.clone(),
                    place: table.place(c),
                }),
                place,
            },
        );
    }
    (out, refused)
}

/// Converts the prose of raw findings and applies the fix review.
pub(super) fn finish(
    l: &mut Loader,
    prose: &Prose,
    raw: Vec<RawFinding>,
    fix_review: Option<Date>,
) -> Vec<Finding> {
    let (mut fixes, refused) = fix_rows(l, &raw);
    let mut out = Vec::new();
    for f in raw {
        if f.draft && !l.include_drafts {
            // Still read, so that a draft's mistakes show, but left out of the report.
            l.drafts.push(f.id.clone());
            continue;
        }
        let number = out.len() + 1;
        let prefix = number.to_string();
        let mut figures = 0;
        let title = f
            .title
            .as_ref()
            .map(|t| l.title(prose, &t.text, cell_origin(&t.place)));
        let mut sections: Vec<Vec<Block>> = vec![Vec::new(); f.cells.len()];
        for (k, cell) in f.cells.iter().enumerate() {
            if let Some(c) = cell {
                sections[k] =
                    l.markdown(prose, &c.text, cell_origin(&c.place), &prefix, &mut figures);
            }
        }
        if let Some(body) = &f.body {
            let blocks = l.markdown(
                prose,
                &body.text,
                Origin::Exact(body.file, body.offset),
                &prefix,
                &mut figures,
            );
            split_body(l, &f, body, blocks, &mut sections);
        }
        let fix = fixes.remove(&f.id);
        let status = match (&f.status, &fix) {
            (Some((a, pa)), Some(fx)) if a.index != fx.status.0.index => {
                l.diags
                    .error(
                        Some(fx.status.1.clone()),
                        format!(
                            "status of {} in fix-review.csv disagrees with findings.csv",
                            f.id
                        ),
                    )
                    .add_related(pa.clone(), format!("findings.csv says {}", a.name()))
                    .add_hint("make the two agree, or give the status in one file only");
                None
            }
            (_, Some(fx)) => Some(fx.status.0.clone()),
            (Some((s, _)), None) => Some(s.clone()),
            (None, None) => None,
        };
        // A status that disagrees was reported above; only a missing one is reported here.
        let given = f.status_given || refused.contains(&f.id);
        if let (Some(date), None, false, false) =
            (fix_review, &status, given, l.style.is_broken("status"))
        {
            l.diags
                .error(
                    Some(f.place.clone()),
                    format!("finding {} has no fix review status", f.id),
                )
                .add_hint(format!(
                    "the fix review of {date} needs a status for every finding: add a row for {} to fix-review.csv",
                    f.id
                ));
        }
        let fix = fix.map(|fx| FixEntry {
            refs: fx.refs,
            note: fx
                .note
                .map(|n| l.markdown(prose, &n.text, cell_origin(&n.place), &prefix, &mut figures))
                .unwrap_or_default(),
        });
        // Every rule id a finding names must be a rule of a scan's results.
        let rules: Vec<&str> = l
            .scans
            .iter()
            .flat_map(|s| s.by_rule.keys().map(String::as_str))
            .collect();
        for rule in f.sarif.iter().filter(|r| !rules.contains(&r.text.as_str())) {
            let d = l.diags.warning(
                Some(rule.place.clone()),
                format!("no result of scans/*.sarif has rule id \"{}\"", rule.text),
            );
            match diag::did_you_mean(&rule.text, &rules, diag::quoted) {
                Some(hint) => d.add_hint(hint),
                None if rules.is_empty() => d.add_hint("put the tool's SARIF file in scans/"),
                None => d.add_hint(format!("rule ids with results: {}", rules.join(", "))),
            };
        }
        let review = match &f.review {
            None => Some(Review::Approved),
            Some(r) => {
                let state = Review::parse(r.text.trim());
                if state.is_none() {
                    l.diags
                        .error(
                            Some(r.place.clone()),
                            format!("unknown review state \"{}\"", r.text),
                        )
                        .add_hint(format!("write one of {}", Review::NAMES.join(", ")));
                }
                state
            }
        };
        let (Some(title), Some(severity), true, Some(review)) =
            (title, f.severity, f.complete, review)
        else {
            continue;
        };
        let style = l.style.clone();
        for (def, body) in style.finding.sections.iter().zip(&sections) {
            if def.required && body.is_empty() {
                let (place, hint) = match &f.body {
                    Some(b) => (
                        Place::new(b.file, 0..0),
                        format!("add a \"## {}\" section to findings/{}.md", def.title, f.id),
                    ),
                    None => (
                        f.place.clone(),
                        format!(
                            "fill in the `{}` column of findings.csv, or write findings/{}.md with a \"## {}\" section",
                            def.key, f.id, def.title
                        ),
                    ),
                };
                l.diags
                    .error(
                        Some(place),
                        format!("finding {} has no {} section", f.id, def.title),
                    )
                    .add_hint(hint);
            }
        }
        let (difficulty, kind) = (f.difficulty, f.kind.filter(|k| !k.name.is_empty()));
        let sections = style
            .finding
            .sections
            .iter()
            .zip(sections)
            .map(|(def, body)| Section {
                key: def.key.clone(),
                body,
            })
            .collect();
        out.push(Finding {
            number,
            id: f.id,
            title_text: content::plain(&title),
            title,
            severity,
            difficulty,
            kind,
            targets: f.targets,
            status,
            sections,
            fields: f.fields,
            fix,
            sarif: f.sarif.into_iter().map(|s| s.text).collect(),
            draft: f.draft,
            cvss: f.cvss,
            review,
            review_place: f.review.map(|r| r.place),
            reviewed_by: f.reviewed_by,
            from: f.from,
        });
    }
    out
}

fn cell_origin(place: &Place) -> Origin {
    Origin::Cell(place.file, place.range.start, place.range.end)
}

/// Splits a write-up at its `##` headings into the style's sections.
fn split_body(
    l: &mut Loader,
    f: &RawFinding,
    body: &Body,
    blocks: Vec<Block>,
    sections: &mut [Vec<Block>],
) {
    let mut current = 0;
    let style = l.style.clone();
    let defs = &style.finding.sections;
    // A section's heading as the house style names it; for a style of
    // version 1.1, as its strings do, and always in FORMAT's English.
    let styled: Vec<&str> = defs.iter().map(|d| style.section_title(d)).collect();
    for block in blocks {
        if let Block::Heading {
            level: 1 | 2,
            content,
        } = &block
        {
            let title = content::plain(content);
            let wanted = title.trim();
            let found = defs.iter().zip(&styled).position(|(d, s)| {
                same_name(&d.title, wanted)
                    || same_name(s, wanted)
                    || d.english().is_some_and(|e| same_name(e, wanted))
            });
            match found {
                Some(k) => {
                    current = k;
                    if let Some(cell) = &f.cells[k] {
                        l.diags
                            .error(
                                Some(heading_place(body, &title)),
                                format!(
                                    "{} of {} is given both in findings.csv and in findings/{}.md",
                                    styled[k], f.id, f.id
                                ),
                            )
                            .add_related(cell.place.clone(), "the findings.csv cell")
                            .add_hint("keep the text in one of the two places");
                    }
                    continue;
                }
                // The style that names the headings could not be read
                // (reported there): its headings are not known.
                None if style.is_broken("strings") || style.is_broken("finding") => continue,
                None => {
                    // A style with its own shape lists its own titles; one of
                    // version 1.1, FORMAT's English and the style's words.
                    let english = defs
                        .iter()
                        .filter_map(|d| d.english())
                        .filter(|_| !style.finding.custom);
                    let mut headings: Vec<&str> = Vec::new();
                    for h in defs
                        .iter()
                        .map(|d| d.title.as_str())
                        .chain(styled.iter().copied())
                        .chain(english)
                    {
                        if !headings.iter().any(|known| same_name(known, h)) {
                            headings.push(h);
                        }
                    }
                    let d = l.diags.error(
                        Some(heading_place(body, &title)),
                        format!("unknown section \"{title}\" in findings/{}.md", f.id),
                    );
                    match diag::did_you_mean(&title, &headings, |h| format!("\"## {h}\"")) {
                        Some(h) => d.add_hint(h),
                        None => d.add_hint(format!(
                            "the house style's sections are: {}",
                            headings.join(", ")
                        )),
                    };
                    continue;
                }
            }
        }
        if let Some(section) = sections.get_mut(current) {
            section.push(block);
        }
    }
}

/// Finds the place of a heading in a write-up, for diagnostics about it.
fn heading_place(body: &Body, title: &str) -> Place {
    let at = body
        .text
        .lines()
        .scan(0, |pos, line| {
            let start = *pos;
            *pos += line.len() + 1;
            Some((start, line))
        })
        .find(|(_, line)| {
            line.starts_with('#') && line.trim_start_matches('#').trim() == title.trim()
        })
        .map_or(0, |(start, _)| start);
    let len = body.text[at..].find('\n').unwrap_or(body.text.len() - at);
    Place::new(body.file, body.offset + at..body.offset + at + len)
}

//! A finding's values settled: its fields parsed, its severity derived by
//! the style's matrix or from its CVSS vector, or checked against them.

use crate::diag::Place;
use crate::load::Loader;
use crate::load::fields;
use crate::model::style::Style;
use crate::model::{Cvss, FieldValue, Rank};

use super::RawFinding;

/// Parses a finding's field values, checks that the required ones are
/// given, and derives or checks its severity by the style's matrix.
pub(super) fn settle(l: &mut Loader, f: &mut RawFinding) {
    parse_fields(l, f);
    if l.style.finding.matrix.is_some() {
        derive_severity(l, f);
    }
}

/// Parses the finding's field values; a required one missing is an error.
fn parse_fields(l: &mut Loader, f: &mut RawFinding) {
    let style = l.style.clone();
    for def in &style.finding.fields {
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
                    .add_hint(format!(
                        "fill in the `{}` column of findings.csv, or give `{}` in the front matter of findings/{}.md",
                        def.key, def.key, f.id
                    ));
            }
            _ => {}
        }
    }
}

/// One axis of the matrix for a finding: its level, whether a value was
/// given at all (even one refused), and the axis's label.
struct AxisValue {
    index: Option<usize>,
    given: bool,
    label: String,
}

fn axis_value(style: &Style, f: &RawFinding, name: &str) -> AxisValue {
    if name == "difficulty" {
        return AxisValue {
            index: f.difficulty.as_ref().map(|d| d.index),
            given: f.difficulty_given,
            label: style.difficulty_label.clone(),
        };
    }
    let label = style
        .finding
        .field(name)
        .map_or(name.to_string(), |d| d.label.clone());
    match f.fields.get(name) {
        Some(FieldValue::Level(r)) => AxisValue {
            index: Some(r.index),
            given: true,
            label,
        },
        _ => AxisValue {
            index: None,
            given: f.values.contains_key(name),
            label,
        },
    }
}

/// The name of level `i` of a matrix axis (`difficulty` or a field's scale).
fn level_name(style: &Style, axis: &str, i: usize) -> String {
    if axis == "difficulty" {
        style.difficulty.levels[i].name.clone()
    } else {
        let shape = &style.finding;
        shape
            .field(axis)
            .and_then(|d| shape.scale_of(d))
            .map_or_else(String::new, |s| s.scale.levels[i].name.clone())
    }
}

/// Derives the severity by the style's matrix, or checks a given one against it.
fn derive_severity(l: &mut Loader, f: &mut RawFinding) {
    let style = l.style.clone();
    let Some(matrix) = &style.finding.matrix else {
        return;
    };
    let row = axis_value(&style, f, &matrix.rows);
    let column = axis_value(&style, f, &matrix.columns);
    match (row.index, column.index) {
        (Some(r), Some(c)) => {
            let cell = matrix.cells[r][c];
            let derived = style.severity.rank(cell);
            match (&f.severity, &f.severity_place) {
                (None, None) => f.severity = Some(derived),
                (Some(s), Some(place)) if s.index != cell && matrix.derives(s.index) => {
                    l.diags
                        .error(
                            Some(place.clone()),
                            format!(
                                "severity {} of {} disagrees with the matrix: {} {} and {} {} give {}",
                                s.name(),
                                f.id,
                                row.label,
                                level_name(&style, &matrix.rows, r),
                                column.label,
                                level_name(&style, &matrix.columns, c),
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
        _ if f.severity.is_none() && f.severity_place.is_none() && !(row.given && column.given) => {
            l.diags
                .error(
                    Some(f.place.clone()),
                    format!("finding {} has no severity", f.id),
                )
                .add_hint(format!(
                    "give its severity, or its {} and {} for the matrix to derive it",
                    row.label.to_lowercase(),
                    column.label.to_lowercase()
                ));
        }
        _ => {}
    }
}

/// Whether a value names the same level of a scale as a parsed one.
pub(super) fn same(scale: &crate::model::style::Scale, text: &str, parsed: Option<&Rank>) -> bool {
    scale.find(text).as_ref() == parsed
}

/// The severity a CVSS rating gives: the level that says it stands for the
/// rating (`cvss`), else the level of its name, or for None the style's last severity.
pub(super) fn rated(l: &Loader, vector: &Cvss) -> Option<Rank> {
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
pub(super) fn derived_severity(l: &mut Loader, vector: &Cvss, place: &Place) -> Option<Rank> {
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
pub(super) fn check_agrees(l: &mut Loader, severity: &Rank, vector: &Cvss, place: Place) {
    let rating = rated(l, vector);
    if rating.as_ref() != Some(severity) {
        // A rating above the style's scale (Critical where High is the top).
        let hint = match rating {
            Some(_) => "the report shows both; leave the severity empty to take the CVSS rating"
                .to_string(),
            None => format!(
                "this house style has no {} level, so the report shows {} beside a CVSS rating of {}; \
                 check the vector, or use a style with that level (e.g. --style risk)",
                vector.rating,
                severity.name(),
                vector.rating
            ),
        };
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
            .add_hint(hint);
    }
}

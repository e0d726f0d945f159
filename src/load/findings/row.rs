//! A row of findings.csv read into a raw finding.

use std::collections::BTreeMap;

use crate::diag::Place;
use crate::load::table::{self, Table};
use crate::load::{Axis, Loader};
use crate::model::{Cvss, Rank};

use super::settle::{check_agrees, derived_severity};
use super::{Numbering, RawFinding, Sourced, split_targets};

/// Reads one row of findings.csv; None when it has no id (reported).
pub(super) fn csv_row(
    l: &mut Loader,
    table: &Table,
    row: &table::Record,
    number: usize,
    numbering: &Numbering,
) -> Option<RawFinding> {
    let place = table.row_place(row);
    let id = row_id(l, table, row, number, numbering, &place)?;
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
    let severity = row_severity(l, table, row, cvss.as_ref());
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
        kind_given: table.cell(row, "type").is_some(),
        kind,
        targets: table
            .cell(row, "target")
            .map(|c| {
                super::hyphen_ranges(l, &c.value, &table.place(c));
                split_targets(&l.visible(&c.value, table.place(c)))
            })
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

/// A row's id: its `id` cell, or the id-prefix's `<prefix>-<number>`;
/// `None` when it has none (reported, unless the numbering is unknown).
fn row_id(
    l: &mut Loader,
    table: &Table,
    row: &table::Record,
    number: usize,
    numbering: &Numbering,
    place: &Place,
) -> Option<String> {
    match (table.cell(row, "id"), numbering) {
        (Some(c), _) => Some(c.value.clone()),
        (None, Numbering::Prefix(Some(p))) => Some(format!("{p}-{number}")),
        (None, Numbering::Unknown) => None,
        (None, Numbering::Prefix(None)) => {
            l.diags
                .error(Some(place.clone()), "finding has no id")
                .add_hint(
                    "fill in the id column, or set id_prefix in audit.toml to number findings",
                );
            None
        }
    }
}

/// A row's severity: given, derived from its CVSS vector, or left to the
/// style's matrix once the finding's values are known.
fn row_severity(
    l: &mut Loader,
    table: &Table,
    row: &table::Record,
    cvss: Option<&(Cvss, Place)>,
) -> Option<Rank> {
    let matrix = l.style.finding.matrix.is_some() || l.style.is_broken("finding");
    match (table.cell(row, "severity"), cvss) {
        (None, Some((vector, place))) => derived_severity(l, vector, place),
        (None, None) if matrix => None,
        (given, _) => {
            let severity = l.scale(table, row, "severity", Axis::Severity);
            if let (Some(s), Some(cell), Some((vector, _))) = (&severity, given, cvss) {
                check_agrees(l, s, vector, table.place(cell));
            }
            severity
        }
    }
}

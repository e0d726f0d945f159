//! Values on the house style's scales: a severity, difficulty, type, status
//! or rating read from a cell and checked against the style.

use crate::diag::Place;
use crate::model::style::Rank;

use super::table::{self};

use crate::model::style::Style;

use super::{Loader, style};

impl Loader {
    /// Returns a required cell's value, or records that it is empty.
    pub(super) fn required_cell(
        &mut self,
        table: &table::Table,
        row: &table::Record,
        column: &str,
    ) -> Option<String> {
        match table.cell(row, column) {
            Some(c) => Some(c.value.clone()),
            None => {
                self.missing_cell(table, row, column);
                None
            }
        }
    }

    pub(super) fn missing_cell(&mut self, table: &table::Table, row: &table::Record, column: &str) {
        self.diags
            .error(Some(table.row_place(row)), format!("missing {column}"))
            .add_hint(format!(
                "every row needs a value in the \"{column}\" column"
            ));
    }

    /// Parses a required cell on a scale of the style, reporting unknown values with a suggestion.
    pub(super) fn scale(
        &mut self,
        table: &table::Table,
        row: &table::Record,
        column: &str,
        axis: Axis,
    ) -> Option<Rank> {
        if self.style.is_broken(axis.table()) {
            // Whether the value is needed, and what it may be, is the broken scale's to say.
            return None;
        }
        let Some(cell) = table.cell(row, column) else {
            self.missing_cell(table, row, column);
            return None;
        };
        self.parse_scale(table.place(cell), &cell.value, axis)
    }

    /// Parses a value on a scale of the style at a place. A free scale takes
    /// any text.
    pub(super) fn parse_scale(&mut self, place: Place, value: &str, axis: Axis) -> Option<Rank> {
        if axis == Axis::Type && self.style.kind_free {
            return Some(Rank {
                index: 0,
                name: value.trim().to_string(),
            });
        }
        let style = self.style.clone();
        if style.is_broken(axis.table()) {
            return None;
        }
        let scale = match axis {
            Axis::Severity => &style.severity,
            Axis::Difficulty => &style.difficulty,
            Axis::Type => &style.kind,
            Axis::Status => &style.status,
            Axis::Rating => &style.ratings,
        };
        if scale.levels.is_empty() {
            let label = match axis {
                Axis::Difficulty => style.difficulty_label.to_lowercase(),
                _ => scale.kind.clone(),
            };
            self.diags
                .error(
                    Some(place),
                    format!("this house style has no {label} scale, but a value is given"),
                )
                .add_hint(
                    "leave the value empty, or give the scale levels in the style's style.toml",
                );
            return None;
        }
        match scale.parse(value) {
            Ok(v) => Some(v),
            Err((message, mut hint)) => {
                if axis == Axis::Status {
                    hint.push_str(&same_outcome(&style, value));
                }
                self.diags
                    .error(Some(place), message)
                    .add_hint(hint)
                    .fix_to_closest(value.trim(), &scale.names());
                None
            }
        }
    }
}

/// For a status of the `standard` style that another style names otherwise:
/// the statuses that count as the same (`; here Fixed counts as resolved`).
fn same_outcome(style: &Style, value: &str) -> String {
    let Some(standard) = style::builtin("standard") else {
        return String::new();
    };
    let Some(outcome) = standard
        .status
        .find(value)
        .and_then(|r| standard.status.levels[r.index].counts_as)
    else {
        return String::new();
    };
    let same: Vec<&str> = style
        .status
        .levels
        .iter()
        .filter(|l| l.counts_as == Some(outcome))
        .map(|l| l.name.as_str())
        .collect();
    match same.as_slice() {
        [] => String::new(),
        [one] => format!("; in this house style {one} counts as {}", outcome.name()),
        more => format!(
            "; in this house style {} count as {}",
            more.join(" and "),
            outcome.name()
        ),
    }
}

/// The scales of a house style a value can be on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Axis {
    Severity,
    Difficulty,
    Type,
    Status,
    Rating,
}

impl Axis {
    /// The table of style.toml that defines the scale.
    fn table(self) -> &'static str {
        match self {
            Axis::Severity => "severity",
            Axis::Difficulty => "difficulty",
            Axis::Type => "type",
            Axis::Status => "status",
            Axis::Rating => "maturity",
        }
    }
}

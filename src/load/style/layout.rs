//! The `[layout]` and `[charts]` tables of style.toml (extensions): where
//! the report's sections start a page, and how its charts are drawn.

use toml::Spanned;
use toml::de::DeValue;

use super::reader::{StyleReader, field};
use super::shape::choice;
use crate::model::Style;
use crate::model::style::ChartKind;

/// Reads `[layout]`: `front_page_break = "section" | "none"`.
pub(super) fn layout(r: &mut StyleReader, value: &Spanned<DeValue>, style: &mut Style) {
    let Some(t) = r.table(value, "layout", &["front_page_break"]) else {
        return;
    };
    // The table replaces the base's as a whole.
    style.front_runs_on = false;
    if let Some(v) = field(t, "front_page_break") {
        match choice(r, v, "layout.front_page_break", &["section", "none"]) {
            Some(0) => style.front_runs_on = false,
            Some(_) => style.front_runs_on = true,
            None => {}
        }
    }
}

/// Reads `[charts]`: `findings = "bar" | "donut" | "none"` (FORMAT 1.3).
pub(super) fn charts(r: &mut StyleReader, value: &Spanned<DeValue>, style: &mut Style) {
    let Some(t) = r.table(value, "charts", &["findings"]) else {
        return;
    };
    if let Some(v) = field(t, "findings") {
        let names = ChartKind::NAMES.map(|(name, _)| name);
        if let Some(i) = choice(r, v, "charts.findings", &names) {
            style.charts = ChartKind::NAMES[i].1;
        }
    }
}

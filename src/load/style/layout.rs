//! The `[layout]` table of style.toml (extension): where the report's
//! sections start a page.

use toml::Spanned;
use toml::de::DeValue;

use super::reader::{StyleReader, field};
use super::shape::choice;
use crate::model::Style;

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

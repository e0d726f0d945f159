//! Review: what changed between two versions of an audit.
//!
//! Pure functions over two loaded [`Audit`]s. The same list of [`Change`]s
//! feeds `auditpress diff` and the "Changes since version X" appendix, so the
//! two can never disagree.

use serde::Serialize;

use crate::model::{Audit, Finding, Rank, Style};

/// One difference between two versions of an audit.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// A finding exists only in the new version.
    FindingAdded {
        /// Its id.
        id: String,
        /// Its title.
        title: String,
        /// Its severity.
        severity: String,
    },
    /// A finding exists only in the old version.
    FindingRemoved {
        /// Its id.
        id: String,
        /// Its title.
        title: String,
    },
    /// A field of a finding changed value.
    FindingChanged {
        /// The finding's id.
        id: String,
        /// `title`, `severity`, `difficulty`, `type`, `status`, or the key
        /// of a field of the house style.
        field: String,
        /// Old value (`none` when absent).
        old: String,
        /// New value (`none` when absent).
        new: String,
    },
    /// Prose sections of a finding were edited.
    TextEdited {
        /// The finding's id.
        id: String,
        /// Which sections: `description`, `exploit scenario`, `recommendations`,
        /// `references`, `fix review note`, or the titles (lower case) of the
        /// house style's own sections.
        sections: Vec<String>,
    },
    /// A maturity category's rating changed, appeared or disappeared.
    MaturityChanged {
        /// The category.
        category: String,
        /// Old rating (`none` when absent).
        old: String,
        /// New rating (`none` when absent).
        new: String,
    },
}

impl Change {
    /// Describes the change in one sentence, in the words of a house style,
    /// as `diff` prints it and the appendix shows it.
    pub fn describe(&self, style: &Style) -> String {
        let value = |v: &str| {
            if v == NONE {
                style.text("change.none").to_string()
            } else {
                v.to_string()
            }
        };
        match self {
            Change::FindingAdded {
                id,
                title,
                severity,
            } => style.fill(
                "change.added",
                &[("id", id), ("title", title), ("severity", severity)],
            ),
            Change::FindingRemoved { id, title } => {
                style.fill("change.removed", &[("id", id), ("title", title)])
            }
            Change::FindingChanged {
                id,
                field,
                old,
                new,
            } if field == "title" => {
                style.fill("change.title", &[("id", id), ("old", old), ("new", new)])
            }
            Change::FindingChanged {
                id,
                field,
                old,
                new,
            } => {
                let name = match field.as_str() {
                    "severity" => style.text("label.severity"),
                    "difficulty" => &style.difficulty_label,
                    "type" => style.text("column.type"),
                    "status" => style.text("column.status"),
                    key => style.finding.field(key).map_or(key, |d| d.label.as_str()),
                };
                style.fill(
                    "change.field",
                    &[
                        ("id", id),
                        ("field", name),
                        ("old", &value(old)),
                        ("new", &value(new)),
                    ],
                )
            }
            Change::TextEdited { id, sections } => {
                let names: Vec<&str> = sections
                    .iter()
                    .map(|s| {
                        style
                            .strings
                            .get(&format!("change.section.{}", s.replace(' ', "-")))
                            .map_or(s.as_str(), String::as_str)
                    })
                    .collect();
                style.fill(
                    "change.text",
                    &[("id", id), ("sections", &names.join(", "))],
                )
            }
            Change::MaturityChanged { category, old, new } => style.fill(
                "change.maturity",
                &[
                    ("category", category),
                    ("old", &value(old)),
                    ("new", &value(new)),
                ],
            ),
        }
    }
}

/// What a value absent from one version is written as.
const NONE: &str = "none";

/// Returns a value's name, or `none`.
fn or_none(value: Option<&str>) -> String {
    value.unwrap_or(NONE).to_string()
}

/// Lists every change from `old` to `new`, in the new report's order.
pub fn diff(old: &Audit, new: &Audit) -> Vec<Change> {
    let mut changes = Vec::new();
    let find = |audit: &'_ Audit, id: &str| -> Option<usize> {
        audit.findings.iter().position(|f| f.id == id)
    };
    for f in &old.findings {
        if find(new, &f.id).is_none() {
            changes.push(Change::FindingRemoved {
                id: f.id.clone(),
                title: f.title_text.clone(),
            });
        }
    }
    for f in &new.findings {
        match find(old, &f.id) {
            None => changes.push(Change::FindingAdded {
                id: f.id.clone(),
                title: f.title_text.clone(),
                severity: f.severity.name.clone(),
            }),
            Some(i) => compare_finding(&new.style, &old.findings[i], f, &mut changes),
        }
    }
    for m in &new.maturity {
        let before = old.maturity.iter().find(|o| o.category == m.category);
        if before.map(|o| o.rating.name()) != Some(m.rating.name()) {
            changes.push(Change::MaturityChanged {
                category: m.category.clone(),
                old: or_none(before.map(|o| o.rating.name())),
                new: m.rating.name.clone(),
            });
        }
    }
    for o in &old.maturity {
        if !new.maturity.iter().any(|m| m.category == o.category) {
            changes.push(Change::MaturityChanged {
                category: o.category.clone(),
                old: o.rating.name().to_string(),
                new: NONE.to_string(),
            });
        }
    }
    changes
}

fn compare_finding(style: &Style, old: &Finding, new: &Finding, changes: &mut Vec<Change>) {
    let mut fields: Vec<(String, String, String)> = vec![
        (
            "title".into(),
            old.title_text.clone(),
            new.title_text.clone(),
        ),
        (
            "severity".into(),
            old.severity.name().into(),
            new.severity.name().into(),
        ),
        (
            "difficulty".into(),
            or_none(old.difficulty.as_ref().map(Rank::name)),
            or_none(new.difficulty.as_ref().map(Rank::name)),
        ),
        (
            "type".into(),
            or_none(old.kind.as_ref().map(Rank::name)),
            or_none(new.kind.as_ref().map(Rank::name)),
        ),
        (
            "status".into(),
            or_none(old.status.as_ref().map(Rank::name)),
            or_none(new.status.as_ref().map(Rank::name)),
        ),
    ];
    let value = |f: &Finding, key: &str| or_none(f.fields.get(key).map(|v| v.text()).as_deref());
    fields.extend(
        style
            .finding
            .fields
            .iter()
            .map(|d| (d.key.clone(), value(old, &d.key), value(new, &d.key))),
    );
    for (field, a, b) in fields {
        if a != b {
            changes.push(Change::FindingChanged {
                id: new.id.clone(),
                field,
                old: a,
                new: b,
            });
        }
    }
    let note = |f: &'_ Finding| f.fix.as_ref().map(|x| x.note.clone()).unwrap_or_default();
    let (old_note, new_note) = (note(old), note(new));
    // Sections by key: built-in ones are named by the change strings, the
    // style's own by their titles.
    let mut edited: Vec<String> = Vec::new();
    for def in &style.finding.sections {
        if old.section(&def.key) != new.section(&def.key) {
            edited.push(match def.english() {
                Some(_) if !style.finding.custom => def.key.replace('_', " "),
                _ => style.section_title(def).to_lowercase(),
            });
        }
    }
    if old_note != new_note {
        edited.push("fix review note".into());
    }
    if !edited.is_empty() {
        changes.push(Change::TextEdited {
            id: new.id.clone(),
            sections: edited,
        });
    }
}

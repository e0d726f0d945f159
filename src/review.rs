//! Review: what changed between two versions of an audit.
//!
//! Pure functions over two loaded [`Audit`]s. The same list of [`Change`]s
//! feeds `auditpress diff` and the "Changes since version X" appendix, so the
//! two can never disagree.

use serde::Serialize;

use crate::content::Block;
use crate::model::{Audit, Finding, Scale};

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
        severity: &'static str,
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
        /// `title`, `severity`, `difficulty`, `type` or `status`.
        field: &'static str,
        /// Old value (`none` when absent).
        old: String,
        /// New value (`none` when absent).
        new: String,
    },
    /// Prose sections of a finding were edited.
    TextEdited {
        /// The finding's id.
        id: String,
        /// Which sections: `description`, `exploit scenario`, ...
        sections: Vec<&'static str>,
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
    /// Describes the change in one sentence, as `diff` prints it and the appendix shows it.
    pub fn describe(&self) -> String {
        match self {
            Change::FindingAdded {
                id,
                title,
                severity,
            } => format!("{id} added: \"{title}\" ({severity})"),
            Change::FindingRemoved { id, title } => format!("{id} removed: \"{title}\""),
            Change::FindingChanged {
                id,
                field: "title",
                old,
                new,
            } => format!("{id}: title changed from \"{old}\" to \"{new}\""),
            Change::FindingChanged {
                id,
                field,
                old,
                new,
            } => format!("{id}: {field} changed from {old} to {new}"),
            Change::TextEdited { id, sections } => {
                format!("{id}: text edited in {}", sections.join(", "))
            }
            Change::MaturityChanged { category, old, new } => {
                format!("maturity of {category}: {old} to {new}")
            }
        }
    }
}

/// Returns a value's name, or `none`.
fn or_none(value: Option<&str>) -> String {
    value.unwrap_or("none").to_string()
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
                severity: f.severity.name(),
            }),
            Some(i) => compare_finding(&old.findings[i], f, &mut changes),
        }
    }
    for m in &new.maturity {
        let before = old.maturity.iter().find(|o| o.category == m.category);
        if before.map(|o| o.rating) != Some(m.rating) {
            changes.push(Change::MaturityChanged {
                category: m.category.clone(),
                old: or_none(before.map(|o| o.rating.name())),
                new: m.rating.name().to_string(),
            });
        }
    }
    for o in &old.maturity {
        if !new.maturity.iter().any(|m| m.category == o.category) {
            changes.push(Change::MaturityChanged {
                category: o.category.clone(),
                old: o.rating.name().to_string(),
                new: "none".to_string(),
            });
        }
    }
    changes
}

fn compare_finding(old: &Finding, new: &Finding, changes: &mut Vec<Change>) {
    let fields: [(&'static str, String, String); 5] = [
        ("title", old.title_text.clone(), new.title_text.clone()),
        (
            "severity",
            old.severity.name().into(),
            new.severity.name().into(),
        ),
        (
            "difficulty",
            old.difficulty.name().into(),
            new.difficulty.name().into(),
        ),
        ("type", old.kind.name().into(), new.kind.name().into()),
        (
            "status",
            or_none(old.status.map(|s| s.name())),
            or_none(new.status.map(|s| s.name())),
        ),
    ];
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
    let sections: [(&'static str, &Vec<Block>, &Vec<Block>); 5] = [
        ("description", &old.description, &new.description),
        (
            "exploit scenario",
            &old.exploit_scenario,
            &new.exploit_scenario,
        ),
        (
            "recommendations",
            &old.recommendations,
            &new.recommendations,
        ),
        ("references", &old.references, &new.references),
        ("fix review note", &old_note, &new_note),
    ];
    let edited: Vec<&'static str> = sections
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, _, _)| name)
        .collect();
    if !edited.is_empty() {
        changes.push(Change::TextEdited {
            id: new.id.clone(),
            sections: edited,
        });
    }
}

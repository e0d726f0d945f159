//! The parts of the view the finding's shape decides (FORMAT 1.2): each
//! finding's sections, header and summary cells, and the report's summary
//! columns and groups. Computed here so that the templates only lay out.

use serde::Serialize;

use crate::content::Block;
use crate::model::front::BuiltinKey;
use crate::model::shape::{FieldKind, PageBreak};
use crate::model::style::Style;
use crate::model::{FieldValue, Finding};

/// A section of a finding, as printed.
#[derive(Serialize)]
pub struct SectionView {
    /// Its key in the style's shape.
    pub key: String,
    /// Its heading.
    pub title: String,
    /// Its text.
    pub body: Vec<Block>,
}

/// A value as the templates print it.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ValueView {
    /// A level of a scale, as a coloured label: `scale` names the colours' map.
    Level {
        /// `severity`, `difficulty`, `status` or a named scale.
        scale: String,
        /// The level's name.
        name: String,
    },
    /// Plain text.
    Text {
        /// As typed.
        text: String,
    },
    /// A link.
    Link {
        /// What is shown.
        text: String,
        /// Where it goes.
        url: String,
    },
    /// The finding's CVSS vector and score (`cvss` of the finding).
    Cvss,
    /// The finding's targets (`target_links` of the finding).
    Targets,
    /// The finding's number or id, linked to the finding.
    Ref {
        /// As shown.
        text: String,
    },
    /// The finding's title, linked to the finding.
    Title,
}

/// An entry of a finding's header: its label and width are the report's
/// (`layout.header`), so that a finding carries only its values.
#[derive(Serialize)]
pub struct HeaderEntry {
    /// The value's name: `severity`, ..., or a field's key.
    pub key: String,
    /// Its value.
    pub value: ValueView,
}

/// How the header shows one name, the same for every finding.
#[derive(Serialize)]
pub struct HeaderLabel {
    /// Its label; the templates label `cvss` by the finding's version and
    /// `target` by how many targets it has.
    pub label: String,
    /// Whether it takes the header's whole width (long values).
    pub wide: bool,
}

/// A column of the summary table.
#[derive(Serialize)]
pub struct SummaryColumn {
    /// The value's name.
    pub key: String,
    /// Its heading.
    pub label: String,
    /// Its width: `auto`, or a fraction for titles and long text.
    pub width: &'static str,
}

/// Findings under one heading.
#[derive(Serialize)]
pub struct GroupView {
    /// The heading; none for the findings of no group, or a style without groups.
    pub title: Option<String>,
    /// Its label, for links: `group-<n>`.
    pub label: String,
    /// The positions of its findings in `findings`.
    pub findings: Vec<usize>,
}

/// How the findings are laid out.
#[derive(Serialize)]
pub struct LayoutView {
    /// Groups in order; one untitled group for a style without groups.
    pub groups: Vec<GroupView>,
    /// Whether there are group headings (findings are then one level down).
    pub grouped: bool,
    /// `finding`, `group` or `none`.
    pub page_break: &'static str,
    /// Whether each finding ends with its fix review.
    pub fix_in_finding: bool,
    /// The summary table's columns, those without any value left out.
    pub summary: Vec<SummaryColumn>,
    /// The header's labels and widths, by name.
    pub header: std::collections::BTreeMap<String, HeaderLabel>,
    /// Whether the header's two columns are filled row by row (a style with
    /// its own shape, read in `header`'s order) rather than one after the
    /// other (version 1.1).
    pub header_rows: bool,
}

/// The label of a value name.
fn label(style: &Style, key: &str, summary: bool) -> String {
    use BuiltinKey as K;
    let text = |k: &str| style.text(k).to_string();
    let Some(builtin) = BuiltinKey::parse(key) else {
        return style
            .finding
            .field(key)
            .map_or_else(|| key.to_string(), |d| d.label.clone());
    };
    match builtin {
        K::Number | K::Id if summary => text("column.id"),
        K::Number | K::Id => text("field.id"),
        K::Title => text("column.title"),
        K::Severity if summary => text("column.severity"),
        K::Severity => text("field.severity"),
        K::Type if summary => text("column.type"),
        K::Type => text("field.type"),
        K::Difficulty => style.difficulty_label.clone(),
        // In the header the templates name the finding's CVSS version and
        // say whether it has one target or several.
        K::Cvss => text("column.cvss"),
        K::Target => text("field.target.other"),
        K::Status if summary => text("column.status"),
        K::Status => text("field.status"),
    }
}

/// The value of a name for a finding; none when it has none.
fn value(style: &Style, f: &Finding, key: &str) -> Option<ValueView> {
    let level = |scale: &str, name: &str| ValueView::Level {
        scale: scale.into(),
        name: name.into(),
    };
    use BuiltinKey as K;
    match BuiltinKey::parse(key) {
        Some(K::Number) => Some(ValueView::Text {
            text: f.number.to_string(),
        }),
        Some(K::Id) => Some(ValueView::Text { text: f.id.clone() }),
        Some(K::Title) => Some(ValueView::Title),
        Some(K::Severity) => Some(level(key, &f.severity.name)),
        Some(K::Difficulty) => f.difficulty.as_ref().map(|d| level(key, &d.name)),
        Some(K::Type) => f.kind.as_ref().map(|k| ValueView::Text {
            text: k.name.clone(),
        }),
        Some(K::Status) => f.status.as_ref().map(|s| level(key, &s.name)),
        Some(K::Cvss) => f.cvss.as_ref().map(|_| ValueView::Cvss),
        Some(K::Target) => (!f.targets.is_empty()).then_some(ValueView::Targets),
        None => {
            let field = key;
            let def = style.finding.field(field)?;
            Some(match (f.fields.get(field)?, &def.kind) {
                (FieldValue::Level(r), FieldKind::Level(scale)) => level(scale, &r.name),
                (FieldValue::Url(u), _) => ValueView::Link {
                    text: u.clone(),
                    url: u.clone(),
                },
                (FieldValue::Cwe(c), _) => ValueView::Link {
                    text: c.label(),
                    url: c.url(),
                },
                (v, _) => ValueView::Text { text: v.text() },
            })
        }
    }
}

/// Whether a value takes a header's whole width.
fn wide(style: &Style, key: &str) -> bool {
    match key {
        "cvss" | "target" => true,
        field => style.finding.field(field).is_some_and(|d| {
            matches!(
                d.kind,
                FieldKind::Text | FieldKind::Url | FieldKind::Cwe | FieldKind::List
            )
        }),
    }
}

/// A finding's sections with text, in the style's order, under its headings.
pub fn sections(style: &Style, f: &Finding) -> Vec<SectionView> {
    style
        .finding
        .sections
        .iter()
        .filter(|d| !f.section(&d.key).is_empty())
        .map(|d| SectionView {
            key: d.key.clone(),
            title: style.section_title(d).to_string(),
            body: f.section(&d.key).to_vec(),
        })
        .collect()
}

/// A finding's header, in the style's order, without the values it lacks.
pub fn header(style: &Style, f: &Finding) -> Vec<HeaderEntry> {
    style
        .finding
        .header
        .iter()
        .filter_map(|key| {
            Some(HeaderEntry {
                value: value(style, f, key)?,
                key: key.clone(),
            })
        })
        .collect()
}

/// A finding's cells of the summary table, one per column.
pub fn cells(style: &Style, f: &Finding, columns: &[SummaryColumn]) -> Vec<Option<ValueView>> {
    columns
        .iter()
        .map(|c| match c.key.as_str() {
            "number" => Some(ValueView::Ref {
                text: f.number.to_string(),
            }),
            "id" => Some(ValueView::Ref { text: f.id.clone() }),
            "cvss" => f.cvss.as_ref().map(|c| ValueView::Text {
                text: format!("{:.1}", c.score).replace('.', style.text("number.decimal-point")),
            }),
            // A CWE's name is for the header; the table shows its id,
            // linked, so that titles keep their width.
            key => match f.fields.get(key) {
                Some(FieldValue::Cwe(c)) => Some(ValueView::Link {
                    text: format!("CWE-{}", c.id),
                    url: c.url(),
                }),
                _ => value(style, f, key),
            },
        })
        .collect()
}

/// The heading of a finding: the text before and after its title.
pub fn heading(style: &Style, f: &Finding) -> (String, String) {
    let filled = crate::model::style::fill(
        &style.finding.heading,
        &[("number", &f.number.to_string()), ("id", &f.id)],
    );
    match filled.split_once("{title}") {
        Some((before, after)) => (before.to_string(), after.to_string()),
        None => (filled, String::new()),
    }
}

/// The summary columns, groups and page breaks of a report.
pub fn layout(style: &Style, findings: &[Finding], reviewed: bool) -> LayoutView {
    let shape = &style.finding;
    let summary = shape
        .summary
        .iter()
        .filter(|key| match key.as_str() {
            "number" | "id" | "title" | "severity" => true,
            // Statuses are shown once there is a review of fixes to show.
            "status" => reviewed,
            key => findings.iter().any(|f| value(style, f, key).is_some()),
        })
        .map(|key| SummaryColumn {
            key: key.clone(),
            label: label(style, key, true),
            width: match key.as_str() {
                "title" if shape.custom => "2fr",
                "title" => "1fr",
                // CVSS scores and CWE ids are short in the table.
                key if wide(style, key)
                    && key != "cvss"
                    && style
                        .finding
                        .field(key)
                        .is_none_or(|d| d.kind != FieldKind::Cwe) =>
                {
                    "1fr"
                }
                _ => "auto",
            },
        })
        .collect();
    let mut groups: Vec<GroupView> = Vec::new();
    let mut rest: Vec<usize> = (0..findings.len()).collect();
    for g in &shape.groups {
        let members: Vec<usize> = rest
            .iter()
            .copied()
            .filter(|i| g.severities.contains(&findings[*i].severity.index))
            .collect();
        rest.retain(|i| !members.contains(i));
        if !members.is_empty() {
            groups.push(GroupView {
                title: Some(g.title.clone()),
                label: format!("group-{}", groups.len() + 1),
                findings: members,
            });
        }
    }
    if !rest.is_empty() {
        groups.push(GroupView {
            title: None,
            label: format!("group-{}", groups.len() + 1),
            findings: rest,
        });
    }
    LayoutView {
        grouped: !shape.groups.is_empty(),
        groups,
        page_break: match shape.page_break {
            PageBreak::Finding => "finding",
            PageBreak::Group => "group",
            PageBreak::None => "none",
        },
        fix_in_finding: shape.fix_review.in_finding(),
        header_rows: shape.custom,
        summary,
        header: shape
            .header
            .iter()
            .map(|key| {
                (
                    key.clone(),
                    HeaderLabel {
                        label: label(style, key, false),
                        wide: wide(style, key),
                    },
                )
            })
            .collect(),
    }
}

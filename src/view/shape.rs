//! The parts of the view the finding's shape decides (FORMAT 1.2): each
//! finding's sections, header and summary cells, and the report's summary
//! columns and groups. Computed here so that the templates only lay out.

use serde::Serialize;

use crate::content::{Block, Inline};
use crate::model::front::BuiltinKey;
use crate::model::shape::{FieldKind, FixPlace, PageBreak, SECTION_PLACE, SectionTitles};
use crate::model::style::Style;
use crate::model::{FieldValue, Finding};

/// A section of a finding, as printed.
#[derive(Serialize)]
pub struct SectionView {
    /// Its key in the style's shape.
    pub key: String,
    /// Its heading.
    pub title: String,
    /// How its title is printed: `heading` (above the section), `run-in`
    /// (already in `body`, bold at the start of its first paragraph) or
    /// `none` (the finding's lead text; FORMAT 1.3).
    pub print: &'static str,
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
    /// Text under the heading, when the style gives the group one.
    pub intro: Option<Vec<Block>>,
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
    /// `section` (each section starts a page) or `none` (the short sections
    /// before the findings and after the appendices run on).
    pub front_page_break: &'static str,
    /// Whether each finding ends with its fix review.
    pub fix_in_finding: bool,
    /// Whether that fix review is the note's paragraphs alone, with no
    /// heading, status or references (`fix_review = "note"`).
    pub fix_note_only: bool,
    /// How the report's headings are numbered: `none` or `1.1`.
    pub headings: &'static str,
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
    let run_in = style.finding.section_titles == SectionTitles::RunIn;
    style
        .finding
        .sections
        .iter()
        .filter(|d| !f.section(&d.key).is_empty())
        .map(|d| {
            let title = style.section_title(d).to_string();
            let mut body = f.section(&d.key).to_vec();
            let print = if !d.print_title {
                "none"
            } else if run_in {
                run_into(&mut body, &title, style.text("finding.run-in-separator"));
                "run-in"
            } else {
                "heading"
            };
            SectionView {
                key: d.key.clone(),
                title,
                print,
                body,
            }
        })
        .collect()
}

/// Puts a section's title, bold and followed by its separator, at the start
/// of its first paragraph; before its first block when that is no paragraph
/// (a list, a code block), as a paragraph of its own.
fn run_into(body: &mut Vec<Block>, title: &str, separator: &str) {
    let label = Inline::Strong {
        content: vec![Inline::Text {
            text: format!("{title}{}", separator.trim_end()),
        }],
    };
    match body.first_mut() {
        Some(Block::Paragraph { content }) => {
            let space = separator.len() - separator.trim_end().len();
            let mut lead = vec![label];
            if space > 0 {
                lead.push(Inline::Text {
                    text: separator[separator.len() - space..].to_string(),
                });
            }
            content.splice(0..0, lead);
        }
        _ => body.insert(
            0,
            Block::Paragraph {
                content: vec![label],
            },
        ),
    }
}

/// A finding's header, in the order of its group's or the style's `header`,
/// without the values it lacks: a severity the style does not rate in
/// headers (`rated = false`), and statuses the style prints only in the
/// summary table (`fix_review = "none"`), are left out.
pub fn header(style: &Style, f: &Finding) -> Vec<HeaderEntry> {
    let unrated = style
        .severity
        .levels
        .get(f.severity.index)
        .is_some_and(|l| l.unrated);
    let no_status = style.finding.fix_review == FixPlace::None;
    style
        .finding
        .header_of(f.severity.index)
        .iter()
        .filter(|key| !(unrated && *key == "severity" || no_status && *key == "status"))
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

/// The heading of a finding: the text before and after its title. Its
/// section number, first, is the templates' to print (typst numbers the
/// headings), and is left out here.
pub fn heading(style: &Style, f: &Finding) -> (String, String) {
    let shape = &style.finding;
    let text = shape
        .heading
        .strip_prefix(SECTION_PLACE)
        .map_or(shape.heading.as_str(), str::trim_start);
    let filled =
        crate::model::style::fill(text, &[("number", &f.number.to_string()), ("id", &f.id)]);
    match filled.split_once("{title}") {
        Some((before, after)) => (before.to_string(), after.to_string()),
        None => (filled, String::new()),
    }
}

/// The columns of the summary table: those the findings have values for.
fn summary_columns(style: &Style, findings: &[Finding], reviewed: bool) -> Vec<SummaryColumn> {
    let shape = &style.finding;
    shape
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
        .collect()
}

/// The findings under the style's group headings, in order, then the rest.
fn groups(style: &Style, findings: &[Finding]) -> Vec<GroupView> {
    let mut groups: Vec<GroupView> = Vec::new();
    let mut rest: Vec<usize> = (0..findings.len()).collect();
    for g in &style.finding.groups {
        let members: Vec<usize> = rest
            .iter()
            .copied()
            .filter(|i| g.severities.contains(&findings[*i].severity.index))
            .collect();
        rest.retain(|i| !members.contains(i));
        if !members.is_empty() {
            groups.push(GroupView {
                title: Some(g.title.clone()),
                intro: g.intro.clone(),
                label: format!("group-{}", groups.len() + 1),
                findings: members,
            });
        }
    }
    if !rest.is_empty() {
        groups.push(GroupView {
            title: None,
            intro: None,
            label: format!("group-{}", groups.len() + 1),
            findings: rest,
        });
    }
    groups
}

/// The summary columns, groups and page breaks of a report.
pub fn layout(style: &Style, findings: &[Finding], reviewed: bool) -> LayoutView {
    let shape = &style.finding;
    let summary = summary_columns(style, findings, reviewed);
    let groups = groups(style, findings);
    LayoutView {
        grouped: !shape.groups.is_empty(),
        groups,
        page_break: match shape.page_break {
            PageBreak::Finding => "finding",
            PageBreak::Group => "group",
            PageBreak::None => "none",
        },
        front_page_break: if style.front_runs_on {
            "none"
        } else {
            "section"
        },
        fix_in_finding: shape.fix_review.in_finding(),
        fix_note_only: shape.fix_review == FixPlace::Note,
        headings: if style.heading_numbers { "1.1" } else { "none" },
        header_rows: shape.custom,
        summary,
        header: shape
            .header
            .iter()
            .chain(
                shape
                    .groups
                    .iter()
                    .filter_map(|g| g.header.as_ref())
                    .flatten(),
            )
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

/// The severity matrix of a style (`[severity.matrix]`), as a table: the
/// two scales' labels and levels, and each cell's severity.
#[derive(Serialize)]
pub struct MatrixTable {
    /// The label of the row scale, e.g. `Impact`.
    pub rows_label: String,
    /// The label of the column scale, e.g. `Likelihood`.
    pub columns_label: String,
    /// The row scale's levels, in order.
    pub rows: Vec<String>,
    /// The column scale's levels, in order.
    pub columns: Vec<String>,
    /// `cells[i][j]`: the severity of row level i and column level j.
    pub cells: Vec<Vec<String>>,
}

/// The style's severity matrix as a table; none without one.
pub fn matrix_table(style: &Style) -> Option<MatrixTable> {
    let m = style.finding.matrix.as_ref()?;
    let names = |s: &crate::model::style::Scale| s.names().into_iter().map(String::from).collect();
    let axis = |name: &str| -> Option<(String, Vec<String>)> {
        if name == "difficulty" {
            return Some((style.difficulty_label.clone(), names(&style.difficulty)));
        }
        let field = style.finding.field(name)?;
        let scale = style.finding.scale_of(field)?;
        Some((field.label.clone(), names(&scale.scale)))
    };
    let (rows_label, rows) = axis(&m.rows)?;
    let (columns_label, columns) = axis(&m.columns)?;
    let severity = |i: &usize| style.severity.levels[*i].name.clone();
    Some(MatrixTable {
        rows_label,
        columns_label,
        rows,
        columns,
        cells: m
            .cells
            .iter()
            .map(|r| r.iter().map(severity).collect())
            .collect(),
    })
}

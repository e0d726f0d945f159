//! The shape of a finding (FORMAT 1.2, "The finding's shape"): its sections,
//! its extra fields, what its header and the summary table show, how the
//! findings are grouped and laid out. Part of a house style; no IO here.

use std::collections::BTreeMap;

use super::front::BuiltinKey;
use super::scale::Scale;
use crate::content::Block;

/// The sections every style has that does not list its own, in print
/// order: key (the findings.csv column) and English heading.
pub const BUILTIN_SECTIONS: [(&str, &str); 4] = [
    ("description", "Description"),
    ("exploit_scenario", "Exploit Scenario"),
    ("recommendations", "Recommendations"),
    ("references", "References"),
];

/// One section of a finding's write-up.
#[derive(Clone, Debug)]
pub struct SectionDef {
    /// Its key: the findings.csv column, e.g. `proof_of_concept`.
    pub key: String,
    /// Its heading, as the style prints it and as `## <title>` in a write-up.
    pub title: String,
    /// Whether every finding must have it.
    pub required: bool,
    /// Whether its title is printed (`print_title = false`: the lead text
    /// of the finding, printed with no title; FORMAT 1.3).
    pub print_title: bool,
}

impl SectionDef {
    /// The standard English heading of a built-in section, accepted in a
    /// write-up whatever the style calls it.
    pub fn english(&self) -> Option<&'static str> {
        BUILTIN_SECTIONS
            .iter()
            .find(|(k, _)| *k == self.key)
            .map(|(_, t)| *t)
    }
}

/// What kind of value a field holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A level of the named scale (of `[scales]`, or `difficulty`).
    Level(String),
    /// Plain text, printed exactly as typed.
    Text,
    /// A decimal number.
    Number,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// An http(s) URL.
    Url,
    /// `CWE-<n>`, with its name.
    Cwe,
    /// Plain-text values separated by `; `.
    List,
}

impl FieldKind {
    /// The names style.toml writes.
    pub const NAMES: &'static [&'static str] =
        &["level", "text", "number", "date", "url", "cwe", "list"];
}

/// An extra value of a finding.
#[derive(Clone, Debug)]
pub struct FieldDef {
    /// Its key: the findings.csv column and the front-matter key.
    pub key: String,
    /// Its label, in the header and as a column heading.
    pub label: String,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether every finding must have it.
    pub required: bool,
}

/// Findings printed under one heading.
#[derive(Clone, Debug)]
pub struct Group {
    /// The heading.
    pub title: String,
    /// The positions of the severity levels it takes.
    pub severities: Vec<usize>,
    /// Text printed under the heading (`intro`, FORMAT 1.3).
    pub intro: Option<Vec<Block>>,
    /// What the headers of its findings show, when not the shape's `header`.
    pub header: Option<Vec<String>>,
}

/// Where page breaks go among the findings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PageBreak {
    /// Each finding starts a page (version 1.1).
    #[default]
    Finding,
    /// Each group starts a page.
    Group,
    /// Findings run on.
    None,
}

/// Where a finding's fix-review status, refs and note are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FixPlace {
    /// In the fix-review appendix (version 1.1).
    #[default]
    Appendix,
    /// At the end of the finding.
    Finding,
    /// In both places.
    Both,
    /// At the end of the finding, the note's paragraphs alone: no heading,
    /// no status, no references (FORMAT 1.3).
    Note,
    /// Nowhere but in the summary table's status column: no fix-review
    /// appendix, no status in the finding's header (FORMAT 1.3).
    None,
}

impl FixPlace {
    /// Whether the finding itself shows its fix review.
    pub fn in_finding(self) -> bool {
        matches!(self, FixPlace::Finding | FixPlace::Both | FixPlace::Note)
    }

    /// Whether the appendix lists each finding's fix review.
    pub fn in_appendix(self) -> bool {
        matches!(self, FixPlace::Appendix | FixPlace::Both)
    }
}

/// How the title of a finding's section is printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SectionTitles {
    /// A heading above the section (version 1.1).
    #[default]
    Heading,
    /// Bold, at the start of its first paragraph: "Description: The ...".
    RunIn,
}

/// How the figures of the findings are numbered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Figures {
    /// Per finding: 4.1, 4.2 in finding 4 (version 1.1).
    #[default]
    Finding,
    /// Through the chapter of the findings: 4.1, 4.2 in chapter 4.
    Chapter,
    /// Through the report: 1, 2, 3.
    Report,
}

/// Severity derived from two scales.
#[derive(Clone, Debug)]
pub struct Matrix {
    /// The row scale: `difficulty` or the key of a level field.
    pub rows: String,
    /// The column scale, likewise.
    pub columns: String,
    /// `cells[i][j]`: the position of the severity of row level i, column level j.
    pub cells: Vec<Vec<usize>>,
}

impl Matrix {
    /// Whether a severity (by position) is in some cell.
    pub fn derives(&self, severity: usize) -> bool {
        self.cells.iter().flatten().any(|s| *s == severity)
    }
}

/// A named scale of `[scales]`, with its label.
#[derive(Clone, Debug, Default)]
pub struct NamedScale {
    /// What the report calls it, e.g. `Impact`.
    pub label: String,
    /// Its levels.
    pub scale: Scale,
}

/// The shape of a finding.
#[derive(Clone, Debug)]
pub struct Shape {
    /// Whether style.toml has a `[finding]` table (else the 1.1 shape).
    pub custom: bool,
    /// Sections, in print order.
    pub sections: Vec<SectionDef>,
    /// Extra fields, in style order.
    pub fields: Vec<FieldDef>,
    /// What the finding header shows, in order.
    pub header: Vec<String>,
    /// The summary table's columns, in order.
    pub summary: Vec<String>,
    /// Group headings; empty for none.
    pub groups: Vec<Group>,
    /// Where page breaks go.
    pub page_break: PageBreak,
    /// Where fix reviews are printed.
    pub fix_review: FixPlace,
    /// The heading of a finding, with places `{section}` (first, when
    /// given), `{number}`, `{id}`, `{title}`.
    pub heading: String,
    /// How the sections' titles are printed.
    pub section_titles: SectionTitles,
    /// How figures are numbered.
    pub figures: Figures,
    /// Named scales for fields of kind level.
    pub scales: BTreeMap<String, NamedScale>,
    /// Severity derived from two scales.
    pub matrix: Option<Matrix>,
}

/// The place of a finding's section number in its heading (FORMAT 1.3).
pub const SECTION_PLACE: &str = "{section}";

/// The heading of a finding in version 1.1.
pub const DEFAULT_HEADING: &str = "{number}. {title}";

impl Default for Shape {
    /// The shape of version 1.1: four sections, no fields, no groups.
    fn default() -> Self {
        Shape {
            custom: false,
            sections: BUILTIN_SECTIONS
                .iter()
                .map(|(key, title)| SectionDef {
                    key: key.to_string(),
                    title: title.to_string(),
                    required: false,
                    print_title: true,
                })
                .collect(),
            fields: Vec::new(),
            header: ["severity", "type", "difficulty", "id", "cvss", "target"]
                .map(String::from)
                .to_vec(),
            summary: ["number", "title", "type", "severity", "cvss", "status"]
                .map(String::from)
                .to_vec(),
            groups: Vec::new(),
            page_break: PageBreak::Finding,
            fix_review: FixPlace::Appendix,
            heading: DEFAULT_HEADING.to_string(),
            section_titles: SectionTitles::Heading,
            figures: Figures::Finding,
            scales: BTreeMap::new(),
            matrix: None,
        }
    }
}

impl Shape {
    /// What the header of a finding of a severity (by position) shows: its
    /// group's `header`, else the shape's.
    pub fn header_of(&self, severity: usize) -> &[String] {
        self.groups
            .iter()
            .find(|g| g.severities.contains(&severity))
            .and_then(|g| g.header.as_deref())
            .unwrap_or(&self.header)
    }

    /// Whether the finding's heading starts with its section number.
    pub fn numbered_heading(&self) -> bool {
        self.heading.starts_with(SECTION_PLACE)
    }

    /// A field by key.
    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The names `header` and `summary` may use.
    pub fn value_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = BuiltinKey::ALL.iter().map(|k| k.as_str()).collect();
        names.extend(self.fields.iter().map(|f| f.key.as_str()));
        names
    }

    /// The scale of a level field.
    pub fn scale_of(&self, field: &FieldDef) -> Option<&NamedScale> {
        match &field.kind {
            FieldKind::Level(name) => self.scales.get(name),
            _ => None,
        }
    }
}

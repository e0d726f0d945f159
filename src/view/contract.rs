//! The template contract: every type the templates read, serialised as JSON.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::content::{Block, Inline};
use crate::model::Paper;
use crate::model::style::{Scale, Style};
use crate::review::Change;

use super::shape::{HeaderEntry, LayoutView, MatrixTable, SectionView, ValueView};

/// A date, both machine- and human-readable.
#[derive(Serialize)]
pub struct DateView {
    /// `2023-11-08`.
    pub iso: String,
    /// `November 8, 2023`.
    pub long: String,
    /// Year, month and day, for `datetime(..)` in templates.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month.
    pub day: u8,
}

impl DateView {
    /// A date, written in words in the style's language.
    pub fn new(d: Date, style: &Style) -> Self {
        Self {
            iso: d.to_string(),
            long: style.long_date(d),
            year: d.year(),
            month: d.month() as u8,
            day: d.day(),
        }
    }
}

/// The whole template contract. Owned: the templates see exactly these
/// structs, never the model's, so a change to the model cannot silently change
/// what an override reads.
#[derive(Serialize)]
pub struct View {
    /// Version of this contract; `report.typ` checks it.
    pub contract: u32,
    /// Cover and marking data.
    pub report: ReportView,
    /// People to contact, by group, in order of first appearance.
    pub contacts: Vec<ContactGroup>,
    /// Events of the engagement.
    pub timeline: Vec<EventView>,
    /// Audited targets.
    pub targets: Vec<TargetView>,
    /// Questions of the audit, as inline Markdown.
    pub goals: Vec<Vec<Inline>>,
    /// Coverage approaches, limitations and prose.
    pub coverage: CoverageView,
    /// Tools of the automated testing.
    pub tools: Vec<ToolView>,
    /// Document history, oldest first.
    pub history: Vec<VersionView>,
    /// The fix review, when one was done.
    pub fix_review: Option<FixReviewView>,
    /// Findings in report order.
    pub findings: Vec<FindingView>,
    /// The summary table's columns, the groups and the page breaks.
    pub layout: LayoutView,
    /// Counts computed from the findings.
    pub counts: Counts,
    /// The executive summary's charts: findings by severity, and by status
    /// after a fix review; none when the style turns them off (contract 3).
    pub charts: Vec<ChartView>,
    /// Codebase maturity rows.
    pub maturity: Vec<MaturityView>,
    /// People and organisations thanked.
    pub acknowledgements: Vec<AcknowledgementView>,
    /// Prose sections.
    pub sections: SectionsView,
    /// Appendices with their letters, in order.
    pub appendices: Vec<AppendixView>,
    /// The scales' names and definitions, in the order the appendices list them.
    pub definitions: DefinitionsView,
    /// Virtual path of the firm's logo, when the template folder has one.
    pub logo: Option<String>,
    /// What changed since an earlier version, with `--changes-since`.
    pub changes: Option<ChangesView>,
    /// Whether to attach the findings as JSON and CSV (PDF/A-3).
    pub attach: bool,
    /// Language of the fixed texts, e.g. `en`.
    pub lang: String,
    /// Every fixed text of the house style by key, its report-wide places
    /// (`{vendor}`, `{client}`, ...) filled in.
    pub strings: BTreeMap<String, String>,
    /// The colour (`#rrggbb`) of each level, by scale and name.
    pub colours: ColoursView,
}

/// The colours of the levels of each scale, by name.
#[derive(Serialize)]
pub struct ColoursView {
    /// Severities.
    pub severity: BTreeMap<String, String>,
    /// The second axis.
    pub difficulty: BTreeMap<String, String>,
    /// Fix-review statuses.
    pub status: BTreeMap<String, String>,
    /// Maturity ratings.
    pub rating: BTreeMap<String, String>,
    /// The named scales of the finding's shape (`[scales]` of style.toml).
    #[serde(flatten)]
    pub scales: BTreeMap<String, BTreeMap<String, String>>,
    /// The colour of a value no level names.
    pub neutral: &'static str,
}

/// The colour of a level the style gives none.
pub(super) const NEUTRAL: &str = "#707b7c";

impl ColoursView {
    /// The colours of the style, each level with its own.
    pub fn new(style: &Style) -> Self {
        let of = |scale: &Scale| {
            scale
                .levels
                .iter()
                .map(|l| {
                    let colour = l.colour.clone().unwrap_or_else(|| NEUTRAL.to_string());
                    (l.name.clone(), colour)
                })
                .collect()
        };
        Self {
            severity: of(&style.severity),
            difficulty: of(&style.difficulty),
            status: of(&style.status),
            rating: of(&style.ratings),
            scales: style
                .finding
                .scales
                .iter()
                .map(|(name, s)| (name.clone(), of(&s.scale)))
                .collect(),
            neutral: NEUTRAL,
        }
    }
}

/// What the view needs beside the audit: choices of the build, not of the data.
#[derive(Default)]
pub struct ViewOptions {
    /// Virtual path of the logo the template folder provides.
    pub logo: Option<String>,
    /// Whether the findings are attached as JSON and CSV.
    pub attach: bool,
    /// The earlier version and what changed since, for the changes appendix.
    pub changes: Option<(String, Vec<Change>)>,
}

/// The changes since an earlier version of the report.
#[derive(Serialize)]
pub struct ChangesView {
    /// The earlier version.
    pub since: String,
    /// One sentence per change, as `auditpress diff` prints them.
    pub items: Vec<String>,
}

/// Cover and marking data.
#[derive(Serialize)]
pub struct ReportView {
    /// Project name.
    pub title: String,
    /// Report kind.
    pub subtitle: String,
    /// Report version.
    pub version: String,
    /// Report date.
    pub date: DateView,
    /// Footer marking.
    pub classification: String,
    /// The firm that did the audit.
    pub vendor: String,
    /// Whether to mark DRAFT on every page.
    pub draft: bool,
    /// Page size: `letter` or `a4`.
    pub paper: Paper,
    /// Client organisation, or the project name when none is given.
    pub client: String,
    /// People the report is for.
    pub prepared_for: Vec<String>,
    /// People who wrote it.
    pub prepared_by: Vec<String>,
    /// Engagement dates and effort.
    pub engagement: Option<EngagementView>,
}

/// Engagement dates and effort.
#[derive(Serialize)]
pub struct EngagementView {
    /// First day.
    pub start: Option<DateView>,
    /// Last day.
    pub end: Option<DateView>,
    /// Effort in words.
    pub effort: Option<String>,
}

/// Contacts sharing a group.
#[derive(Serialize)]
pub struct ContactGroup {
    /// Group name, as written (empty when none).
    pub group: String,
    /// The group's heading: its name with a capital first letter.
    pub heading: String,
    /// Its people.
    pub people: Vec<ContactView>,
}

/// A person to contact.
#[derive(Serialize)]
pub struct ContactView {
    /// Full name.
    pub name: String,
    /// Role in the engagement.
    pub role: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Group, as written.
    pub group: Option<String>,
}

/// A timeline event.
#[derive(Serialize)]
pub struct EventView {
    /// When.
    pub date: DateView,
    /// What.
    pub event: String,
}

/// An audited target.
#[derive(Serialize)]
pub struct TargetView {
    /// Name used in finding targets.
    pub name: String,
    /// Repository URL.
    pub repository: Option<String>,
    /// Commit, tag or release.
    pub version: Option<String>,
    /// Kind of target, e.g. `Golang`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Platform it runs on.
    pub platform: Option<String>,
}

/// A document version.
#[derive(Serialize)]
pub struct VersionView {
    /// Version number, when given.
    pub version: Option<String>,
    /// Date.
    pub date: DateView,
    /// What changed.
    pub description: String,
}

/// Coverage of the audit.
#[derive(Serialize)]
pub struct CoverageView {
    /// Approaches taken.
    pub approaches: Vec<Vec<Inline>>,
    /// Limitations.
    pub limitations: Vec<Vec<Inline>>,
    /// Prose from sections/coverage.md.
    pub prose: Option<Vec<Block>>,
}

/// An automated testing tool: a `[[tools]]` entry, a run of scans/*.sarif, or both.
#[derive(Serialize)]
pub struct ToolView {
    /// Name.
    pub name: String,
    /// Description as inline Markdown.
    pub description: Vec<Inline>,
    /// Where its configuration is described.
    pub policy: Option<String>,
    /// What its run found, when scans/ has one.
    pub scan: Option<ScanView>,
}

/// A tool's run, from a SARIF file.
#[derive(Serialize)]
pub struct ScanView {
    /// The SARIF file.
    pub file: String,
    /// The tool's version, when given.
    pub version: Option<String>,
    /// How many rules or queries ran.
    pub rules: usize,
    /// How many results it had.
    pub results: usize,
    /// Results per level: error, warning, note, none.
    pub levels: Vec<LevelCount>,
    /// The results in words: `2 errors, 5 warnings`, or `no results`.
    pub summary: String,
    /// Which findings its results became, when findings name its rules:
    /// `3 Semgrep results became NWS-LUMEN-4 and NWS-LUMEN-7.`
    pub became: Option<String>,
}

/// Results of one level.
#[derive(Serialize)]
pub struct LevelCount {
    /// `error`, `warning`, `note` or `none`.
    pub level: String,
    /// How many.
    pub count: usize,
}

/// The fix review summary.
#[derive(Serialize)]
pub struct FixReviewView {
    /// Date of the review, when `[fix_review]` gives one.
    pub date: Option<DateView>,
    /// Findings per status, all four statuses.
    pub counts: Vec<Count>,
    /// The summary sentence with counts in words.
    pub sentence: String,
}

/// A finding as the templates see it.
#[derive(Serialize)]
pub struct FindingView {
    /// 1-based position in the report.
    pub number: usize,
    /// Unique id.
    pub id: String,
    /// Title as inline content.
    pub title: Vec<Inline>,
    /// Title as plain text.
    pub title_text: String,
    /// Severity name.
    pub severity: String,
    /// Name on the second axis (difficulty, likelihood, ...), when given.
    pub difficulty: Option<String>,
    /// Category name, when given.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Affected places as written.
    pub targets: Vec<String>,
    /// Fix-review status name, when known.
    pub status: Option<String>,
    /// The sections with text, in the house style's order and words.
    pub sections: Vec<SectionView>,
    /// The header's entries, in the house style's order, without those the
    /// finding has no value for.
    pub header: Vec<HeaderEntry>,
    /// Its cells of the summary table, one per column of `layout.summary`.
    pub cells: Vec<Option<ValueView>>,
    /// The heading's text before the title, e.g. `3. ` or `H-1: `.
    pub heading_before: String,
    /// The heading's text after the title.
    pub heading_after: String,
    /// Whether the heading starts with the finding's section number
    /// (`{section}`), which typst's heading numbering prints.
    pub numbered: bool,
    /// What names the finding in tables: its id in a style with its own
    /// shape, else its number (version 1.1).
    pub reference: String,
    /// Fix-review details, when fix-review.csv has the finding.
    pub fix: Option<FixView>,
    /// Label for links: `finding-<id>`.
    pub label: String,
    /// Targets with their permalinks when known.
    pub target_links: Vec<TargetLink>,
    /// Fix-review references with their links when known.
    pub fix_refs: Vec<TargetLink>,
    /// Whether it is a draft, shown with `build --include-drafts`.
    pub draft: bool,
    /// Its CVSS vector and base score, when given.
    pub cvss: Option<CvssView>,
}

/// A CVSS vector and its base score.
#[derive(Serialize)]
pub struct CvssView {
    /// `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// The vector as written.
    pub vector: String,
    /// The base score with one decimal, e.g. `9.8`.
    pub score: String,
    /// Qualitative rating: None, Low, Medium, High or Critical.
    pub rating: String,
    /// Its label in the finding's header, e.g. `CVSS 3.1`.
    pub label: String,
    /// The metric group the score is of, as the report names it, when not
    /// the base score: `temporal`, `environmental`, `CVSS-BT`, ...
    pub group: Option<String>,
}

/// The fix review of one finding.
#[derive(Serialize)]
pub struct FixView {
    /// PRs or commits of the fix, as written.
    pub refs: Vec<String>,
    /// What was reviewed.
    pub note: Vec<Block>,
}

/// A target or reference as written, and its link.
#[derive(Serialize)]
pub struct TargetLink {
    /// The target as written.
    pub text: String,
    /// Permalink at the audited commit, when the target names one.
    pub url: Option<String>,
}

/// One row of the codebase maturity evaluation.
#[derive(Serialize)]
pub struct MaturityView {
    /// Category name.
    pub category: String,
    /// Rating name.
    pub rating: String,
    /// Why the rating was given.
    pub summary: Vec<Block>,
}

/// A person or organisation thanked.
#[derive(Serialize)]
pub struct AcknowledgementView {
    /// Name.
    pub name: String,
    /// Their organisation.
    pub organization: Option<String>,
    /// Their role.
    pub role: Option<String>,
}

/// A sub-section of a prose section.
#[derive(Serialize)]
pub struct SubsectionView {
    /// Heading text; empty for text before the first heading.
    pub title: String,
    /// Body.
    pub body: Vec<Block>,
}

/// Prose sections.
#[derive(Serialize)]
pub struct SectionsView {
    /// Executive summary, split at its `##` headings.
    pub executive_summary: Option<Vec<SubsectionView>>,
    /// Coverage prose.
    pub coverage: Option<Vec<Block>>,
    /// Threat model.
    pub threat_model: Option<Vec<Block>>,
    /// Prose before the acknowledgements list.
    pub acknowledgements: Option<Vec<Block>>,
    /// Notices.
    pub notices: Option<Vec<Block>>,
    /// About the vendor.
    pub about: Option<Vec<Block>>,
}

/// A named count.
#[derive(Clone, Serialize)]
pub struct Count {
    /// What is counted, e.g. `High`.
    pub name: String,
    /// How many.
    pub count: usize,
}

/// Counts computed from the findings.
#[derive(Serialize)]
pub struct Counts {
    /// Number of findings.
    pub total: usize,
    /// Per severity, all five rows.
    pub severity: Vec<Count>,
    /// Per difficulty, all rows.
    pub difficulty: Vec<Count>,
    /// Per type, only the types present.
    #[serde(rename = "type")]
    pub kind: Vec<Count>,
    /// Per fix status, all four rows (zero without a fix review).
    pub status: Vec<Count>,
    /// Severity x difficulty matrix: one row per severity, one cell per difficulty.
    pub matrix: Vec<MatrixRow>,
}

/// A chart of findings, drawn as SVG at `vpath` (served to typst, inlined
/// in HTML, rasterised for Word by `view::chart::png`).
#[derive(Clone, Serialize)]
pub struct ChartView {
    /// What it counts by: `severity` or `status`.
    pub key: &'static str,
    /// How it is drawn: `bar` or `donut`.
    pub kind: crate::model::style::ChartKind,
    /// Virtual path of its SVG, e.g. `/data/chart-severity.svg`.
    pub vpath: String,
    /// Its title in the style's words, e.g. `Findings by severity`.
    pub title: String,
    /// Its alternative text, written from the counts.
    pub alt: String,
    /// Every level of its scale, in the style's order, with its count.
    pub entries: Vec<ChartEntry>,
    /// The findings it counts.
    pub total: usize,
    /// Its natural width, in points.
    pub width: f64,
    /// Its natural height, in points.
    pub height: f64,
    /// The SVG itself (served at `vpath`, not written into view.json).
    #[serde(skip)]
    pub svg: String,
}

/// A level of a chart: its name, count and colour.
#[derive(Clone, Serialize)]
pub struct ChartEntry {
    /// The level's name, e.g. `High`.
    pub name: String,
    /// How many findings it has.
    pub count: usize,
    /// Its colour, `#rrggbb`, as the badges print it.
    pub colour: String,
}

/// A row of the severity x difficulty matrix.
#[derive(Serialize)]
pub struct MatrixRow {
    /// The severity.
    pub severity: String,
    /// Counts per level of the second axis, in the style's order.
    pub cells: Vec<usize>,
}

/// A name of a scale and what it means.
#[derive(Serialize)]
pub struct Definition {
    /// The name, e.g. `High`.
    pub name: String,
    /// What it means, as inline Markdown.
    pub definition: Vec<Inline>,
}

/// The definitions of every scale, for the appendices.
#[derive(Serialize)]
pub struct DefinitionsView {
    /// Finding types.
    #[serde(rename = "type")]
    pub kind: Vec<Definition>,
    /// Severity levels.
    pub severity: Vec<Definition>,
    /// Difficulty levels.
    pub difficulty: Vec<Definition>,
    /// Codebase maturity categories.
    pub maturity: Vec<Definition>,
    /// Maturity ratings.
    pub rating: Vec<Definition>,
    /// Fix statuses.
    pub status: Vec<Definition>,
    /// The matrix that derives severities, printed with their definitions.
    pub matrix: Option<MatrixTable>,
}

impl DefinitionsView {
    /// Returns the definitions of the style's scales, in appendix order.
    pub fn new(style: &Style) -> Self {
        let list = |scale: &Scale| {
            scale
                .in_appendix_order()
                .map(|l| Definition {
                    name: l.name.clone(),
                    definition: l.definition.clone(),
                })
                .collect()
        };
        Self {
            kind: if style.kind_free {
                Vec::new()
            } else {
                list(&style.kind)
            },
            severity: list(&style.severity),
            difficulty: list(&style.difficulty),
            maturity: list(&style.categories),
            rating: list(&style.ratings),
            status: list(&style.status),
            matrix: super::shape::matrix_table(style),
        }
    }
}

/// An appendix with its letter.
#[derive(Serialize)]
pub struct AppendixView {
    /// Its letter, A, B, ...
    pub letter: String,
    /// `vulnerability-categories`, `maturity-categories`, `custom`,
    /// `fix-review-results`, `fix-review-statuses` or `changes`.
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// Body of a custom appendix.
    pub body: Option<Vec<Block>>,
}

impl TargetView {
    /// The view of a target of `audit.toml`.
    pub fn new(t: &crate::model::Target) -> Self {
        Self {
            name: t.name.clone(),
            repository: t.repository.clone(),
            version: t.version.clone(),
            kind: t.kind.clone(),
            platform: t.platform.clone(),
        }
    }
}

impl MaturityView {
    /// The view of one row of maturity.csv.
    pub fn new(m: &crate::model::MaturityEntry) -> Self {
        Self {
            category: m.category.clone(),
            rating: m.rating.name.clone(),
            summary: m.summary.clone(),
        }
    }
}

impl AcknowledgementView {
    /// The view of one row of acknowledgements.csv.
    pub fn new(a: &crate::model::Acknowledgement) -> Self {
        Self {
            name: a.name.clone(),
            organization: a.organization.clone(),
            role: a.role.clone(),
        }
    }
}

impl SectionsView {
    /// The view of the report's prose sections.
    pub fn new(sections: &crate::model::Sections) -> Self {
        Self {
            executive_summary: sections.executive_summary.as_ref().map(|list| {
                list.iter()
                    .map(|s| SubsectionView {
                        title: s.title.clone(),
                        body: s.body.clone(),
                    })
                    .collect()
            }),
            coverage: sections.coverage.clone(),
            threat_model: sections.threat_model.clone(),
            acknowledgements: sections.acknowledgements.clone(),
            notices: sections.notices.clone(),
            about: sections.about.clone(),
        }
    }
}

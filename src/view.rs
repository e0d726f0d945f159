//! View: the template contract.
//!
//! [`View`] is everything the templates see, serialised as JSON and served to
//! typst at [`VIEW_PATH`]. Templates never compute: counts, the severity x
//! difficulty matrix, dates in words, appendix letters, permalinks and the fix
//! review sentence are all computed here, from the model.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::content::{Block, Inline};
use crate::forge;
use crate::model::style::{Outcome, REPORT_PLACES, Rank, Scale, Style};
use crate::model::{AppendixKind, Audit, Finding, Paper, Target, appendix_letter, appendix_order};
use crate::review::Change;
use crate::unicode;

mod shape;

pub use shape::{GroupView, HeaderEntry, LayoutView, SectionView, SummaryColumn, ValueView};

/// Virtual path at which the templates read the view.
pub const VIEW_PATH: &str = "/data/view.json";

/// Version of the template contract; bumped when a field changes meaning.
/// 2: a finding's write-up is `sections` (key, title, body) in the house
/// style's order, no longer `description`, `exploit_scenario`,
/// `recommendations` and `references`; its header is `header`, its summary
/// row `cells`, and the report's layout `layout` (FORMAT 1.2).
pub const CONTRACT_VERSION: u32 = 2;

/// Virtual path of the findings as JSON, attached to PDF/A-3 reports.
pub const FINDINGS_JSON_PATH: &str = "/data/findings.json";

/// Virtual path of the findings as CSV, attached to PDF/A-3 reports.
pub const FINDINGS_CSV_PATH: &str = "/data/findings.csv";

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
}

/// The colour of a level the style gives none.
const NEUTRAL: &str = "#707b7c";

impl ColoursView {
    fn new(style: &Style) -> Self {
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
}

impl DefinitionsView {
    /// Returns the definitions of the style's scales, in appendix order.
    fn new(style: &Style) -> Self {
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

/// Counts findings per level of a scale, every level listed.
fn count_by(
    findings: &[Finding],
    scale: &Scale,
    value: impl Fn(&Finding) -> Option<&Rank>,
) -> Vec<Count> {
    let mut counts = vec![0; scale.levels.len()];
    for rank in findings.iter().filter_map(value) {
        if let Some(c) = counts.get_mut(rank.index) {
            *c += 1;
        }
    }
    scale
        .levels
        .iter()
        .zip(counts)
        .map(|(l, count)| Count {
            name: l.name.clone(),
            count,
        })
        .collect()
}

/// Counts findings per free-text value, in order of first appearance.
fn count_free(findings: &[Finding], value: impl Fn(&Finding) -> Option<&Rank>) -> Vec<Count> {
    let mut out: Vec<Count> = Vec::new();
    for name in findings.iter().filter_map(value).map(Rank::name) {
        match out.iter_mut().find(|c| c.name == name) {
            Some(c) => c.count += 1,
            None => out.push(Count {
                name: name.to_string(),
                count: 1,
            }),
        }
    }
    out
}

/// `one issue`, `seven issues`: a count in words and the noun of the style.
fn issues(style: &Style, n: usize) -> String {
    format!("{} {}", style.number_word(n), style.plural("noun.issue", n))
}

/// Writes the fix review summary sentence from the counts per outcome
/// (each status counts as what the style says).
fn fix_sentence(
    style: &Style,
    client: &str,
    total: usize,
    by_outcome: &[(Outcome, usize)],
) -> String {
    let get = |o: Outcome| {
        by_outcome
            .iter()
            .filter(|(x, _)| *x == o)
            .map(|(_, n)| n)
            .sum::<usize>()
    };
    let parts: Vec<(&str, &str, usize)> = [
        ("fix.resolved", "fix.resolved.rest", get(Outcome::Resolved)),
        (
            "fix.partially-resolved",
            "fix.partially-resolved.rest",
            get(Outcome::PartiallyResolved),
        ),
        (
            "fix.unresolved",
            "fix.unresolved.rest",
            get(Outcome::Unresolved),
        ),
    ]
    .into_iter()
    .filter(|(_, _, n)| *n > 0)
    .collect();
    let undetermined = get(Outcome::Undetermined);
    let covered: usize = parts.iter().map(|(_, _, n)| n).sum();
    let clauses: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, (key, rest, n))| {
            // "the remaining" only where the last clause completes the count.
            let key = if i + 1 == parts.len() && i > 0 && covered == total {
                rest
            } else {
                key
            };
            style.fill(key, &[("issues", &issues(style, *n))])
        })
        .collect();
    let described = style.fill(
        &format!("fix.described.{}", if total == 1 { "one" } else { "other" }),
        &[("total", &total.to_string())],
    );
    let mut sentence = if clauses.is_empty() {
        style.fill(
            "fix.none-determined",
            &[
                ("described", &described),
                ("issues", &issues(style, undetermined)),
            ],
        )
    } else {
        style.fill(
            "fix.sentence",
            &[
                ("described", &described),
                ("client", client),
                ("clauses", &style.join(&clauses)),
            ],
        )
    };
    if undetermined > 0 && !clauses.is_empty() {
        sentence.push_str(&style.fill(
            &format!(
                "fix.rest-undetermined.{}",
                if undetermined == 1 { "one" } else { "other" }
            ),
            &[("issues", &issues(style, undetermined))],
        ));
    }
    sentence
}

/// Fills the report-wide places of every string of the style.
fn strings(
    style: &Style,
    audit: &Audit,
    client: &str,
    since: Option<&str>,
) -> BTreeMap<String, String> {
    let meta = &audit.meta;
    let date = |d: Date| style.long_date(d);
    let engagement = meta.engagement.as_ref();
    let (start, end) = match engagement.map(|e| (e.start, e.end)) {
        Some((Some(s), Some(e))) => (date(s), date(e)),
        _ => (String::new(), String::new()),
    };
    let period = if start.is_empty() {
        String::new()
    } else {
        style.fill(
            "text.engagement-period",
            &[("start", &start), ("end", &end)],
        )
    };
    let effort = engagement
        .and_then(|e| e.effort.as_deref())
        .map_or_else(String::new, |e| {
            style.fill("text.engagement-effort", &[("effort", e)])
        });
    let total = audit.findings.len().to_string();
    let fix_date = meta
        .fix_review
        .as_ref()
        .and_then(|f| f.date)
        .map(date)
        .unwrap_or_default();
    let values: [(&str, &str); 17] = [
        ("vendor", &meta.vendor),
        ("client", client),
        ("title", &meta.title),
        ("subtitle", &meta.subtitle),
        ("classification", &meta.classification),
        ("version", &meta.version),
        ("since", since.unwrap_or("")),
        ("date", &fix_date),
        ("start", &start),
        ("end", &end),
        ("period", &period),
        ("effort", &effort),
        ("severity", style.text("label.severity")),
        ("difficulty", &style.difficulty_label),
        ("count", &total),
        ("total", &total),
        ("issues", style.plural("noun.issue", audit.findings.len())),
    ];
    // These are the places style.toml may use in any string (`REPORT_PLACES`).
    debug_assert!(
        values
            .iter()
            .map(|(k, _)| *k)
            .eq(REPORT_PLACES.iter().copied()),
        "the report's places and REPORT_PLACES disagree"
    );
    style
        .strings
        .iter()
        .map(|(k, v)| (k.clone(), crate::model::style::fill(v, &values)))
        .collect()
}

impl View {
    /// Builds the view of an audit: everything the templates read.
    pub fn new(audit: &Audit, options: ViewOptions) -> Self {
        let style: &Style = &audit.style;
        let meta = &audit.meta;
        let findings = &audit.findings;
        let client = meta
            .client
            .organization
            .clone()
            .unwrap_or_else(|| meta.title.clone());

        let mut contacts: Vec<ContactGroup> = Vec::new();
        for c in &meta.contacts {
            let group = c.group.clone().unwrap_or_default();
            let person = ContactView {
                name: c.name.clone(),
                role: c.role.clone(),
                email: c.email.clone(),
                group: c.group.clone(),
            };
            match contacts.iter_mut().find(|g| g.group == group) {
                Some(g) => g.people.push(person),
                None => contacts.push(ContactGroup {
                    group,
                    people: vec![person],
                }),
            }
        }

        let status = count_by(findings, &style.status, |f| f.status.as_ref());
        let by_outcome: Vec<(Outcome, usize)> = style
            .status
            .levels
            .iter()
            .zip(&status)
            .map(|(l, c)| (l.counts_as.unwrap_or(Outcome::Undetermined), c.count))
            .collect();
        // Statuses and notes are printed whenever they are given (FORMAT
        // 1.2), with or without a `[fix_review]` table.
        let reviewed = meta.fix_review.is_some()
            || findings
                .iter()
                .any(|f| f.status.is_some() || f.fix.is_some());
        let fix_review = reviewed.then(|| FixReviewView {
            date: meta
                .fix_review
                .as_ref()
                .and_then(|r| r.date)
                .map(|d| DateView::new(d, style)),
            sentence: fix_sentence(style, &client, findings.len(), &by_outcome),
            counts: status.clone(),
        });
        let kind = if style.kind_free {
            count_free(findings, |f| f.kind.as_ref())
        } else {
            count_by(findings, &style.kind, |f| f.kind.as_ref())
                .into_iter()
                .filter(|c| c.count > 0)
                .collect()
        };
        // No matrix of zeros: only when some finding has a second-axis value.
        let rated = findings.iter().any(|f| f.difficulty.is_some());
        let matrix = style
            .severity
            .levels
            .iter()
            .enumerate()
            .map(|(s, level)| MatrixRow {
                severity: level.name.clone(),
                cells: (0..style.difficulty.levels.len())
                    .map(|d| {
                        findings
                            .iter()
                            .filter(|f| {
                                f.severity.index == s
                                    && f.difficulty.as_ref().is_some_and(|x| x.index == d)
                            })
                            .count()
                    })
                    .collect(),
            })
            .filter(|_| rated)
            .collect();
        let since = options.changes.as_ref().map(|(since, _)| since.as_str());
        let strings = strings(style, audit, &client, since);
        let text = |key: &str| strings.get(key).cloned().unwrap_or_default();

        let layout = shape::layout(style, findings, reviewed);
        let order = appendix_order(
            !audit.maturity.is_empty(),
            audit.appendices.len(),
            reviewed && style.finding.fix_review.in_appendix(),
            reviewed,
        );
        let mut appendices: Vec<AppendixView> = order
            .iter()
            .enumerate()
            .map(|(i, kind)| {
                let (kind, title, body) = match kind {
                    AppendixKind::VulnerabilityCategories
                        if style.kind_optional() && style.difficulty.levels.is_empty() =>
                    {
                        (
                            "vulnerability-categories",
                            text("appendix.severity-heading"),
                            None,
                        )
                    }
                    AppendixKind::VulnerabilityCategories if style.kind_optional() => {
                        ("vulnerability-categories", text("appendix.scales"), None)
                    }
                    AppendixKind::VulnerabilityCategories => (
                        "vulnerability-categories",
                        text("appendix.vulnerability-categories"),
                        None,
                    ),
                    AppendixKind::MaturityCategories => (
                        "maturity-categories",
                        text("appendix.maturity-categories"),
                        None,
                    ),
                    AppendixKind::Custom(n) => {
                        let a = &audit.appendices[*n];
                        ("custom", a.title.clone(), Some(a.body.clone()))
                    }
                    AppendixKind::FixReviewResults => (
                        "fix-review-results",
                        text("appendix.fix-review-results"),
                        None,
                    ),
                    AppendixKind::FixReviewStatuses => (
                        "fix-review-statuses",
                        text("appendix.fix-review-statuses"),
                        None,
                    ),
                };
                AppendixView {
                    letter: appendix_letter(i),
                    kind,
                    title,
                    body,
                }
            })
            .collect();
        let changes = options.changes.map(|(since, changes)| {
            appendices.push(AppendixView {
                letter: appendix_letter(appendices.len()),
                kind: "changes",
                title: text("appendix.changes"),
                body: None,
            });
            ChangesView {
                since,
                items: changes.iter().map(|c| c.describe(style)).collect(),
            }
        });
        let sections = &audit.sections;

        View {
            contract: CONTRACT_VERSION,
            report: ReportView {
                title: meta.title.clone(),
                subtitle: meta.subtitle.clone(),
                version: meta.version.clone(),
                date: DateView::new(meta.date, style),
                classification: meta.classification.clone(),
                vendor: meta.vendor.clone(),
                // A report with a finding not approved is not final: it
                // carries the draft marking (FORMAT 1.2, "Review").
                draft: meta.draft
                    || findings
                        .iter()
                        .any(|f| f.review != crate::model::Review::Approved),
                paper: meta.paper,
                client,
                prepared_for: meta.client.prepared_for.clone(),
                prepared_by: meta.client.prepared_by.clone(),
                engagement: meta.engagement.as_ref().map(|e| EngagementView {
                    start: e.start.map(|d| DateView::new(d, style)),
                    end: e.end.map(|d| DateView::new(d, style)),
                    effort: e.effort.clone(),
                }),
            },
            contacts,
            timeline: meta
                .timeline
                .iter()
                .map(|e| EventView {
                    date: DateView::new(e.date, style),
                    event: e.event.clone(),
                })
                .collect(),
            targets: meta
                .targets
                .iter()
                .map(|t| TargetView {
                    name: t.name.clone(),
                    repository: t.repository.clone(),
                    version: t.version.clone(),
                    kind: t.kind.clone(),
                    platform: t.platform.clone(),
                })
                .collect(),
            goals: meta.goals.clone(),
            coverage: CoverageView {
                approaches: meta.coverage.approaches.clone(),
                limitations: meta.coverage.limitations.clone(),
                prose: sections.coverage.clone(),
            },
            tools: tools(audit, style),
            history: meta
                .history
                .iter()
                .map(|v| VersionView {
                    version: v.version.clone(),
                    date: DateView::new(v.date, style),
                    description: v.description.clone(),
                })
                .collect(),
            fix_review,
            findings: findings
                .iter()
                .map(|f| finding_view(f, &meta.targets, style, &layout.summary))
                .collect(),
            layout,
            counts: Counts {
                total: findings.len(),
                severity: count_by(findings, &style.severity, |f| Some(&f.severity)),
                difficulty: count_by(findings, &style.difficulty, |f| f.difficulty.as_ref()),
                kind,
                status,
                matrix,
            },
            maturity: audit
                .maturity
                .iter()
                .map(|m| MaturityView {
                    category: m.category.clone(),
                    rating: m.rating.name.clone(),
                    summary: m.summary.clone(),
                })
                .collect(),
            acknowledgements: audit
                .acknowledgements
                .iter()
                .map(|a| AcknowledgementView {
                    name: a.name.clone(),
                    organization: a.organization.clone(),
                    role: a.role.clone(),
                })
                .collect(),
            sections: SectionsView {
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
            },
            appendices,
            definitions: DefinitionsView::new(style),
            logo: options.logo,
            changes,
            attach: options.attach,
            lang: style.lang.clone(),
            strings,
            colours: ColoursView::new(style),
        }
    }

    /// Serialises the view as the JSON the templates read.
    ///
    /// The loader made every invisible character it read visible, with a
    /// warning at its place; this is the net under it: no string reaches the
    /// templates, and so the PDF's text layer, with one left in.
    pub fn to_json(&self) -> String {
        visible_json(&serde_json::to_string(self).expect("the view serialises"))
    }

    /// The same JSON, indented for people (`--emit view-json`).
    pub fn to_json_pretty(&self) -> String {
        visible_json(&serde_json::to_string_pretty(self).expect("the view serialises"))
    }
}

/// Makes the invisible characters of JSON text visible: those written as
/// themselves (JSON's syntax is ASCII, so they can only be inside strings), and
/// control characters written as escapes (`\b`, `\f`, `\u0007`).
fn visible_json(json: &str) -> String {
    let text = unicode::make_visible(json).0;
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str("<U+0008>"),
            Some('f') => out.push_str("<U+000C>"),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                match u32::from_str_radix(&hex, 16) {
                    Ok(n) if n < 0x20 && !matches!(n, 0x09 | 0x0A | 0x0D) => {
                        out.push_str(&format!("<U+{n:04X}>"))
                    }
                    _ => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Returns the tools of the Automated Testing section: the `[[tools]]`
/// entries, each with the run of scans/ of the same name (without regard to
/// case; a run named `Semgrep OSS` is also Semgrep's), then the runs no entry names.
fn tools(audit: &Audit, style: &Style) -> Vec<ToolView> {
    let mut used = vec![false; audit.scans.len()];
    let mut claim = |name: &str| {
        let free = |i: &usize| !used[*i];
        let tool = |i: usize| audit.scans[i].tool.to_lowercase();
        let wanted = name.to_lowercase();
        let i = (0..audit.scans.len())
            .filter(free)
            .find(|&i| tool(i) == wanted)
            .or_else(|| {
                (0..audit.scans.len())
                    .filter(free)
                    .find(|&i| tool(i).starts_with(&format!("{wanted} ")))
            })?;
        used[i] = true;
        Some(scan_view(audit, style, &audit.scans[i], name))
    };
    let mut out: Vec<ToolView> = audit
        .meta
        .tools
        .iter()
        .map(|t| ToolView {
            name: t.name.clone(),
            description: t.description.clone(),
            policy: t.policy.clone(),
            scan: claim(&t.name),
        })
        .collect();
    for (scan, _) in audit.scans.iter().zip(&used).filter(|(_, u)| !**u) {
        out.push(ToolView {
            name: scan.tool.clone(),
            description: Vec::new(),
            policy: None,
            scan: Some(scan_view(audit, style, scan, &scan.tool)),
        });
    }
    out
}

/// Returns the view of a tool's run, with the findings its results became
/// (the tool called by `name` in the sentence).
fn scan_view(audit: &Audit, style: &Style, scan: &crate::model::Scan, name: &str) -> ScanView {
    let form = |n: usize| if n == 1 { "one" } else { "other" };
    let parts: Vec<String> = scan
        .levels
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(level, n)| {
            let count = n.to_string();
            match level.as_str() {
                "none" => style.fill(
                    &format!("text.scan-no-level.{}", form(*n)),
                    &[("count", &count)],
                ),
                "error" | "warning" | "note" => {
                    let noun = match level.as_str() {
                        "error" => "noun.error",
                        "warning" => "noun.warning",
                        _ => "noun.note",
                    };
                    style.fill(
                        "text.scan-level",
                        &[("count", &count), ("level", style.plural(noun, *n))],
                    )
                }
                other => format!("{n} {other}"),
            }
        })
        .collect();
    let findings: Vec<&Finding> = audit
        .findings
        .iter()
        .filter(|f| f.sarif.iter().any(|r| scan.by_rule.contains_key(r)))
        .collect();
    let mut rules: Vec<&String> = findings.iter().flat_map(|f| &f.sarif).collect();
    rules.sort();
    rules.dedup();
    let results: usize = rules.iter().filter_map(|r| scan.by_rule.get(*r)).sum();
    let ids: Vec<String> = findings.iter().map(|f| f.id.clone()).collect();
    ScanView {
        file: scan.file.clone(),
        version: scan.version.clone(),
        rules: scan.rules,
        results: scan.results,
        levels: scan
            .levels
            .iter()
            .map(|(level, count)| LevelCount {
                level: level.clone(),
                count: *count,
            })
            .collect(),
        summary: if parts.is_empty() {
            style.text("text.scan-none").to_string()
        } else {
            style.commas(&parts)
        },
        became: (results > 0).then(|| {
            style.fill(
                "text.scan-became",
                &[
                    ("count", &results.to_string()),
                    ("tool", name),
                    ("results", style.plural("noun.result", results)),
                    ("findings", &style.join(&ids)),
                ],
            )
        }),
    }
}

/// Returns the view of one finding, with permalinks from the targets.
fn finding_view(
    f: &Finding,
    targets: &[Target],
    style: &Style,
    columns: &[SummaryColumn],
) -> FindingView {
    let (heading_before, heading_after) = shape::heading(style, f);
    FindingView {
        sections: shape::sections(style, f),
        header: shape::header(style, f),
        cells: shape::cells(style, f, columns),
        heading_before,
        heading_after,
        reference: if style.finding.custom {
            f.id.clone()
        } else {
            f.number.to_string()
        },
        number: f.number,
        id: f.id.clone(),
        title: f.title.clone(),
        title_text: f.title_text.clone(),
        severity: f.severity.name.clone(),
        difficulty: f.difficulty.as_ref().map(|d| d.name.clone()),
        kind: f.kind.as_ref().map(|k| k.name.clone()),
        targets: f.targets.clone(),
        status: f.status.as_ref().map(|s| s.name.clone()),
        fix: f.fix.as_ref().map(|x| FixView {
            refs: x.refs.clone(),
            note: x.note.clone(),
        }),
        draft: f.draft,
        cvss: f.cvss.as_ref().map(|c| CvssView {
            version: c.version.clone(),
            vector: c.vector.clone(),
            score: format!("{:.1}", c.score).replace('.', style.text("number.decimal-point")),
            rating: style
                .severity
                .levels
                .iter()
                .find(|l| l.cvss.contains(&c.rating))
                .map_or_else(|| c.rating.clone(), |l| l.name.clone()),
            label: style.fill("field.cvss", &[("version", &c.version)]),
            group: c.group.as_ref().map(|g| match g.as_str() {
                "temporal" | "environmental" => style.text(&format!("cvss.{g}")).to_string(),
                first => first.to_string(),
            }),
        }),
        label: format!("finding-{}", f.id),
        target_links: f
            .targets
            .iter()
            .map(|t| TargetLink {
                text: t.clone(),
                url: forge::permalink(targets, t),
            })
            .collect(),
        fix_refs: f
            .fix
            .iter()
            .flat_map(|x| &x.refs)
            .map(|r| TargetLink {
                text: r.clone(),
                url: forge::ref_link(targets, r),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_invisible_character_reaches_the_templates() {
        let json =
            serde_json::to_string(&["a\u{7}b\u{8}", "\\u0007", "x\u{200B}y\u{E0041}", "tab\tok"])
                .unwrap();
        let shown = visible_json(&json);
        let back: Vec<String> = serde_json::from_str(&shown).unwrap();
        assert_eq!(
            back,
            [
                "a<U+0007>b<U+0008>",
                "\\u0007",
                "x<U+200B>y<U+E0041>",
                "tab\tok"
            ]
        );
    }

    /// The texts of the built-in `standard` style (the loader reads its scales).
    fn standard() -> Style {
        #[derive(serde::Deserialize)]
        struct File {
            strings: BTreeMap<String, String>,
        }
        let file: File = toml::from_str(include_str!("../styles/standard.toml")).unwrap();
        Style {
            strings: file.strings,
            ..Style::default()
        }
    }

    fn counts(resolved: usize, partial: usize, unresolved: usize) -> Vec<(Outcome, usize)> {
        vec![
            (Outcome::Resolved, resolved),
            (Outcome::PartiallyResolved, partial),
            (Outcome::Unresolved, unresolved),
            (Outcome::Undetermined, 0),
        ]
    }

    #[test]
    fn the_fix_sentence_counts_in_words_with_plurals() {
        let style = &standard();
        assert_eq!(
            fix_sentence(style, "Flux", 10, &counts(7, 1, 2)),
            "Of the 10 issues described in this report, Flux has resolved seven issues, \
             has partially resolved one issue, and has not resolved the remaining two issues."
        );
        assert_eq!(
            fix_sentence(style, "Flux", 3, &counts(3, 0, 0)),
            "Of the 3 issues described in this report, Flux has resolved three issues."
        );
        assert_eq!(
            fix_sentence(style, "Flux", 1, &counts(0, 0, 1)),
            "Of the one issue described in this report, Flux has not resolved one issue."
        );
        let mut mixed = counts(1, 1, 1);
        mixed[3].1 = 1;
        assert_eq!(
            fix_sentence(style, "Flux", 4, &mixed),
            "Of the 4 issues described in this report, Flux has resolved one issue, \
             has partially resolved one issue, and has not resolved one issue. \
             The fix status of the remaining one issue was not determined."
        );
    }

    #[test]
    fn dates_are_written_in_words() {
        let d = Date::from_calendar_date(2023, time::Month::November, 8).unwrap();
        assert_eq!(DateView::new(d, &standard()).long, "November 8, 2023");
    }
}

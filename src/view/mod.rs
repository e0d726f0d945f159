//! View: the template contract.
//!
//! [`View`] is everything the templates see, serialised as JSON and served to
//! typst at [`VIEW_PATH`]. Templates never compute: counts, the severity x
//! difficulty matrix, dates in words, appendix letters, permalinks and the fix
//! review sentence are all computed here, from the model.

use std::collections::BTreeMap;

use crate::model::style::{Outcome, Style};
use crate::model::{AppendixKind, Audit, Finding, appendix_letter, appendix_order};
use crate::unicode;

use finding::finding_view;
use tools::tools;
use wording::{count_by, count_free, fix_sentence, strings};

pub mod chart;
mod contract;
mod finding;
mod shape;
mod tools;
mod wording;

pub use contract::*;
pub use shape::{
    GroupView, HeaderEntry, LayoutView, MatrixTable, SectionView, SummaryColumn, ValueView,
};

/// Virtual path at which the templates read the view.
pub const VIEW_PATH: &str = "/data/view.json";

/// Virtual path of the view's `strings` alone. The templates' modules read
/// the strings and colours from files of their own, so that an edit to a
/// finding, which changes view.json, does not make typst parse the whole
/// view again for each of them and evaluate every module anew.
pub const STRINGS_PATH: &str = "/data/strings.json";

/// Virtual path of the view's `colours` alone (see [`STRINGS_PATH`]).
pub const COLOURS_PATH: &str = "/data/colours.json";

/// Version of the template contract; bumped when a field changes meaning.
/// 2: a finding's write-up is `sections` (key, title, body) in the house
/// style's order, no longer `description`, `exploit_scenario`,
/// `recommendations` and `references`; its header is `header`, its summary
/// row `cells`, and the report's layout `layout` (FORMAT 1.2).
/// 3: `charts`, the executive summary's charts of findings, each an SVG
/// served at its `vpath` with its alternative text (FORMAT 1.3).
pub const CONTRACT_VERSION: u32 = 3;

/// Virtual path of the findings as JSON, attached to PDF/A-3 reports.
pub const FINDINGS_JSON_PATH: &str = "/data/findings.json";

/// Virtual path of the findings as CSV, attached to PDF/A-3 reports.
pub const FINDINGS_CSV_PATH: &str = "/data/findings.csv";

/// An event of the timeline, its date as the style writes dates.
fn event(e: &crate::model::Event, style: &Style) -> EventView {
    EventView {
        date: DateView::new(e.date, style),
        event: e.event.clone(),
    }
}

/// A version of the report in its history.
fn version(v: &crate::model::Version, style: &Style) -> VersionView {
    VersionView {
        version: v.version.clone(),
        date: DateView::new(v.date, style),
        description: v.description.clone(),
    }
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
        let status = count_by(findings, &style.status, |f| f.status.as_ref());
        // Statuses and notes are printed whenever they are given (FORMAT
        // 1.2), with or without a `[fix_review]` table.
        let reviewed = meta.fix_review.is_some()
            || findings
                .iter()
                .any(|f| f.status.is_some() || f.fix.is_some());
        let fix_review = reviewed.then(|| fix_review(audit, &client, &status));
        let counts = counts(audit, status);
        let charts = if findings.is_empty() {
            Vec::new()
        } else {
            chart::charts(
                style,
                &counts.severity,
                fix_review.as_ref().map(|f| f.counts.as_slice()),
            )
        };
        let since = options.changes.as_ref().map(|(since, _)| since.as_str());
        let strings = strings(style, audit, &client, since);
        let layout = shape::layout(style, findings, reviewed);
        let mut appendices = appendices(audit, reviewed, &strings);
        let changes = options.changes.map(|(since, changes)| {
            appendices.push(AppendixView {
                letter: appendix_letter(appendices.len()),
                kind: "changes",
                title: strings.get("appendix.changes").cloned().unwrap_or_default(),
                body: None,
            });
            ChangesView {
                since,
                items: changes.iter().map(|c| c.describe(style)).collect(),
            }
        });
        View {
            contract: CONTRACT_VERSION,
            report: report(audit, client),
            contacts: contacts(audit),
            timeline: meta.timeline.iter().map(|e| event(e, style)).collect(),
            targets: meta.targets.iter().map(TargetView::new).collect(),
            goals: meta.goals.clone(),
            coverage: CoverageView {
                approaches: meta.coverage.approaches.clone(),
                limitations: meta.coverage.limitations.clone(),
                prose: audit.sections.coverage.clone(),
            },
            tools: tools(audit, style),
            history: meta.history.iter().map(|v| version(v, style)).collect(),
            fix_review,
            findings: findings
                .iter()
                .map(|f| finding_view(f, &meta.targets, style, &layout.summary))
                .collect(),
            layout,
            counts,
            charts,
            maturity: audit.maturity.iter().map(MaturityView::new).collect(),
            acknowledgements: audit
                .acknowledgements
                .iter()
                .map(AcknowledgementView::new)
                .collect(),
            sections: SectionsView::new(&audit.sections),
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

    /// Every file of the view the templates read, as (virtual path, JSON):
    /// the view, then its strings and its colours on their own.
    pub fn data_files(&self) -> [(&'static str, String); 3] {
        [
            (VIEW_PATH, self.to_json()),
            (STRINGS_PATH, part_json(&self.strings)),
            (COLOURS_PATH, part_json(&self.colours)),
        ]
    }
}

/// A part of the view serialised on its own, as [`View::to_json`] does.
fn part_json<T: serde::Serialize>(part: &T) -> String {
    visible_json(&serde_json::to_string(part).expect("the view serialises"))
}

/// The report's own facts: title, dates, parties, the draft marking.
fn report(audit: &Audit, client: String) -> ReportView {
    let (meta, style) = (&audit.meta, &*audit.style);
    ReportView {
        title: meta.title.clone(),
        subtitle: meta.subtitle.clone(),
        version: meta.version.clone(),
        date: DateView::new(meta.date, style),
        classification: meta.classification.clone(),
        vendor: meta.vendor.clone(),
        // A report with a finding not approved is not final: it
        // carries the draft marking (FORMAT 1.2, "Review").
        draft: meta.draft
            || audit
                .findings
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
    }
}

/// The contacts, grouped by their `group` in order of first appearance.
fn contacts(audit: &Audit) -> Vec<ContactGroup> {
    let mut contacts: Vec<ContactGroup> = Vec::new();
    for c in &audit.meta.contacts {
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
                heading: capitalised(&group),
                group,
                people: vec![person],
            }),
        }
    }
    contacts
}

/// A name with a capital first letter, as a heading shows it.
fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The fix review's date, sentence and counts per status.
fn fix_review(audit: &Audit, client: &str, status: &[Count]) -> FixReviewView {
    let style = &*audit.style;
    let by_outcome: Vec<(Outcome, usize)> = style
        .status
        .levels
        .iter()
        .zip(status)
        .map(|(l, c)| (l.counts_as.unwrap_or(Outcome::Undetermined), c.count))
        .collect();
    FixReviewView {
        date: audit
            .meta
            .fix_review
            .as_ref()
            .and_then(|r| r.date)
            .map(|d| DateView::new(d, style)),
        // The sentence names the client as running text does (FORMAT 1.3).
        sentence: fix_sentence(
            style,
            audit.meta.client.short.as_deref().unwrap_or(client),
            audit.findings.len(),
            &by_outcome,
        ),
        counts: status.to_vec(),
    }
}

/// The findings counted per severity, difficulty, type and status, and the
/// severity x difficulty matrix.
fn counts(audit: &Audit, status: Vec<Count>) -> Counts {
    let (findings, style) = (&audit.findings, &*audit.style);
    let kind = if style.kind_free {
        count_free(findings, |f| f.kind.as_ref())
    } else {
        count_by(findings, &style.kind, |f| f.kind.as_ref())
            .into_iter()
            .filter(|c| c.count > 0)
            .collect()
    };
    Counts {
        total: findings.len(),
        severity: count_by(findings, &style.severity, |f| Some(&f.severity)),
        difficulty: count_by(findings, &style.difficulty, |f| f.difficulty.as_ref()),
        kind,
        status,
        matrix: matrix(findings, style),
    }
}

/// The severity x difficulty matrix; none of zeros: only when some finding
/// has a second-axis value.
fn matrix(findings: &[Finding], style: &Style) -> Vec<MatrixRow> {
    if !findings.iter().any(|f| f.difficulty.is_some()) {
        return Vec::new();
    }
    let cell = |s: usize, d: usize| {
        findings
            .iter()
            .filter(|f| {
                f.severity.index == s && f.difficulty.as_ref().is_some_and(|x| x.index == d)
            })
            .count()
    };
    style
        .severity
        .levels
        .iter()
        .enumerate()
        .map(|(s, level)| MatrixRow {
            severity: level.name.clone(),
            cells: (0..style.difficulty.levels.len())
                .map(|d| cell(s, d))
                .collect(),
        })
        .collect()
}

/// The appendices in the report's order, each with its letter and title.
fn appendices(
    audit: &Audit,
    reviewed: bool,
    strings: &BTreeMap<String, String>,
) -> Vec<AppendixView> {
    let style = &*audit.style;
    let text = |key: &str| strings.get(key).cloned().unwrap_or_default();
    let order = appendix_order(
        !audit.maturity.is_empty(),
        audit.appendices.len(),
        reviewed && style.finding.fix_review.in_appendix(),
        // A style that prints statuses only in the summary table defines
        // them nowhere else either (`fix_review = "none"`).
        reviewed && style.finding.fix_review != crate::model::shape::FixPlace::None,
    );
    let categories = if style.kind_optional() && style.difficulty.levels.is_empty() {
        "appendix.severity-heading"
    } else if style.kind_optional() {
        "appendix.scales"
    } else {
        "appendix.vulnerability-categories"
    };
    order
        .iter()
        .enumerate()
        .map(|(i, kind)| {
            let (kind, title, body) = match kind {
                AppendixKind::VulnerabilityCategories => {
                    ("vulnerability-categories", text(categories), None)
                }
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
        .collect()
}

/// Makes the invisible characters of JSON text visible: those written as
/// themselves (JSON's syntax is ASCII, so they can only be inside strings), and
/// control characters written as escapes (`\b`, `\f`, `\u0007`).
fn visible_json(json: &str) -> String {
    let text = unicode::make_visible(json).0;
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    // The text between escapes is copied a run at a time.
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let mut chars = rest[at + 1..].chars();
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
        rest = chars.as_str();
    }
    out.push_str(rest);
    out
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
        let file: File = toml::from_str(include_str!("../../styles/standard.toml")).unwrap();
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
        let d = time::Date::from_calendar_date(2023, time::Month::November, 8).unwrap();
        assert_eq!(DateView::new(d, &standard()).long, "November 8, 2023");
    }
}

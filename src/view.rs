//! View: the template contract.
//!
//! [`View`] is everything the templates see, serialised as JSON and served to
//! typst at [`VIEW_PATH`]. Templates never compute: counts, the severity x
//! difficulty matrix, dates in words, appendix letters, permalinks and the fix
//! review sentence are all computed here, from the model.

use serde::Serialize;
use time::Date;

use crate::forge;
use crate::markdown::{self, Block, Inline};
use crate::model::{
    Acknowledgement, AppendixKind, Audit, Contact, Difficulty, Finding, FindingType, MaturityEntry,
    Paper, Scale, Sections, Severity, Status, Target, appendix_letter, appendix_order,
};
use crate::review::Change;

/// Virtual path at which the templates read the view.
pub const VIEW_PATH: &str = "/data/view.json";

/// Version of the template contract; bumped when a field changes meaning.
pub const CONTRACT_VERSION: u32 = 1;

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

impl From<Date> for DateView {
    fn from(d: Date) -> Self {
        Self {
            iso: d.to_string(),
            long: format!("{} {}, {}", d.month(), d.day(), d.year()),
            year: d.year(),
            month: d.month() as u8,
            day: d.day(),
        }
    }
}

/// The whole template contract.
#[derive(Serialize)]
pub struct View<'a> {
    /// Version of this contract.
    pub contract: u32,
    /// Cover and marking data.
    pub report: ReportView<'a>,
    /// People to contact, by group, in order of first appearance.
    pub contacts: Vec<ContactGroup<'a>>,
    /// Events of the engagement.
    pub timeline: Vec<EventView<'a>>,
    /// Audited targets.
    pub targets: &'a [Target],
    /// Questions of the audit, as inline Markdown.
    pub goals: Vec<Vec<Inline>>,
    /// Coverage approaches, limitations and prose.
    pub coverage: CoverageView<'a>,
    /// Tools of the automated testing.
    pub tools: Vec<ToolView<'a>>,
    /// Document history, oldest first.
    pub history: Vec<VersionView<'a>>,
    /// The fix review, when one was done.
    pub fix_review: Option<FixReviewView>,
    /// Findings in report order.
    pub findings: Vec<FindingView<'a>>,
    /// Counts computed from the findings.
    pub counts: Counts,
    /// Codebase maturity rows.
    pub maturity: &'a [MaturityEntry],
    /// People and organisations thanked.
    pub acknowledgements: &'a [Acknowledgement],
    /// Prose sections.
    pub sections: &'a Sections,
    /// Appendices with their letters, in order.
    pub appendices: Vec<AppendixView<'a>>,
    /// Virtual path of the firm's logo, when the template folder has one.
    pub logo: Option<String>,
    /// What changed since an earlier version, with `--changes-since`.
    pub changes: Option<ChangesView>,
    /// Whether to attach the findings as JSON and CSV (PDF/A-3).
    pub attach: bool,
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
pub struct ReportView<'a> {
    /// Project name.
    pub title: &'a str,
    /// Report kind.
    pub subtitle: &'a str,
    /// Report version.
    pub version: &'a str,
    /// Report date.
    pub date: DateView,
    /// Footer marking.
    pub classification: &'a str,
    /// The firm that did the audit.
    pub vendor: &'a str,
    /// Whether to mark DRAFT on every page.
    pub draft: bool,
    /// Page size.
    pub paper: Paper,
    /// Client organisation, or the project name when none is given.
    pub client: &'a str,
    /// People the report is for.
    pub prepared_for: &'a [String],
    /// People who wrote it.
    pub prepared_by: &'a [String],
    /// Engagement dates and effort.
    pub engagement: Option<EngagementView<'a>>,
}

/// Engagement dates and effort.
#[derive(Serialize)]
pub struct EngagementView<'a> {
    /// First day.
    pub start: Option<DateView>,
    /// Last day.
    pub end: Option<DateView>,
    /// Effort in words.
    pub effort: Option<&'a str>,
}

/// Contacts sharing a group.
#[derive(Serialize)]
pub struct ContactGroup<'a> {
    /// Group name, as written (empty when none).
    pub group: &'a str,
    /// Its people.
    pub people: Vec<&'a Contact>,
}

/// A timeline event.
#[derive(Serialize)]
pub struct EventView<'a> {
    /// When.
    pub date: DateView,
    /// What.
    pub event: &'a str,
}

/// A document version.
#[derive(Serialize)]
pub struct VersionView<'a> {
    /// Version number.
    pub version: &'a str,
    /// Date.
    pub date: DateView,
    /// What changed.
    pub description: &'a str,
}

/// Coverage of the audit.
#[derive(Serialize)]
pub struct CoverageView<'a> {
    /// Approaches taken.
    pub approaches: Vec<Vec<Inline>>,
    /// Limitations.
    pub limitations: Vec<Vec<Inline>>,
    /// Prose from sections/coverage.md.
    pub prose: Option<&'a [Block]>,
}

/// An automated testing tool.
#[derive(Serialize)]
pub struct ToolView<'a> {
    /// Name.
    pub name: &'a str,
    /// Description as inline Markdown.
    pub description: Vec<Inline>,
    /// Where its configuration is described.
    pub policy: Option<&'a str>,
}

/// The fix review summary.
#[derive(Serialize)]
pub struct FixReviewView {
    /// Date of the review.
    pub date: DateView,
    /// Findings per status, all four statuses.
    pub counts: Vec<Count>,
    /// The summary sentence with counts in words.
    pub sentence: String,
}

/// A finding with what the templates need beside the model.
#[derive(Serialize)]
pub struct FindingView<'a> {
    /// The finding.
    #[serde(flatten)]
    pub finding: &'a Finding,
    /// Label for links: `finding-<id>`.
    pub label: String,
    /// Targets with their permalinks when known.
    pub target_links: Vec<TargetLink<'a>>,
    /// Fix-review references with their links when known.
    pub fix_refs: Vec<TargetLink<'a>>,
}

/// A target or reference as written, and its link.
#[derive(Serialize)]
pub struct TargetLink<'a> {
    /// The target as written.
    pub text: &'a str,
    /// Permalink at the audited commit, when the target names one.
    pub url: Option<String>,
}

/// A named count.
#[derive(Clone, Serialize)]
pub struct Count {
    /// What is counted, e.g. `High`.
    pub name: &'static str,
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
    pub severity: &'static str,
    /// Counts per difficulty, in `Difficulty::ALL` order.
    pub cells: Vec<usize>,
}

/// An appendix with its letter.
#[derive(Serialize)]
pub struct AppendixView<'a> {
    /// Its letter, A, B, ...
    pub letter: String,
    /// `vulnerability-categories`, `maturity-categories`, `custom`,
    /// `fix-review-results` or `fix-review-statuses`.
    pub kind: &'static str,
    /// Title.
    pub title: String,
    /// Body of a custom appendix.
    pub body: Option<&'a [Block]>,
}

/// Counts findings per value of a scale, every value listed.
fn count_by<S: Scale + PartialEq>(
    findings: &[Finding],
    value: impl Fn(&Finding) -> Option<S>,
) -> Vec<Count> {
    S::ALL
        .iter()
        .map(|s| Count {
            name: s.name(),
            count: findings.iter().filter(|f| value(f) == Some(*s)).count(),
        })
        .collect()
}

/// Writes a count in words for prose, e.g. `seven`.
fn number_word(n: usize) -> String {
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| w.to_string())
}

/// `one issue`, `seven issues`.
fn issues(n: usize) -> String {
    format!("{} issue{}", number_word(n), if n == 1 { "" } else { "s" })
}

/// Writes the fix review summary sentence from the status counts.
fn fix_sentence(client: &str, total: usize, counts: &[Count]) -> String {
    let get = |s: Status| {
        counts
            .iter()
            .find(|c| c.name == s.name())
            .map_or(0, |c| c.count)
    };
    let parts: Vec<(&str, usize)> = [
        ("has resolved", get(Status::Resolved)),
        ("has partially resolved", get(Status::PartiallyResolved)),
        ("has not resolved", get(Status::Unresolved)),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .collect();
    let undetermined = get(Status::Undetermined);
    let covered: usize = parts.iter().map(|(_, n)| n).sum();
    let clauses: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, (verb, n))| {
            // "the remaining" only where the last clause completes the count.
            if i + 1 == parts.len() && i > 0 && covered == total {
                format!("{verb} the remaining {}", issues(*n))
            } else {
                format!("{verb} {}", issues(*n))
            }
        })
        .collect();
    let described = if total == 1 {
        "Of the one issue described in this report".to_string()
    } else {
        format!("Of the {total} issues described in this report")
    };
    let mut sentence = match clauses.as_slice() {
        [] => format!(
            "{described}, the fix status of {} could not be determined.",
            issues(undetermined)
        ),
        [one] => format!("{described}, {client} {one}."),
        [a, b] => format!("{described}, {client} {a} and {b}."),
        [init @ .., last] => format!("{described}, {client} {}, and {last}.", init.join(", ")),
    };
    if undetermined > 0 && !clauses.is_empty() {
        let verb = if undetermined == 1 { "was" } else { "were" };
        sentence.push_str(&format!(
            " The fix status of the remaining {} {verb} not determined.",
            issues(undetermined)
        ));
    }
    sentence
}

/// Parses short strings (goals, limitations) as inline Markdown without links to findings.
fn inline_list(items: &[String]) -> Vec<Vec<Inline>> {
    items.iter().map(|s| inline_text(s)).collect()
}

/// Converts one short string to inline content (it cannot fail: no images, no ids).
fn inline_text(text: &str) -> Vec<Inline> {
    struct NoImages;
    impl markdown::ImageSink for NoImages {
        fn resolve(&mut self, _: &str) -> Result<String, (String, String)> {
            Err((String::new(), String::new()))
        }
    }
    let ids = Default::default();
    let mut images = NoImages;
    let mut cx = markdown::Context {
        ids: &ids,
        targets: &[],
        figure_prefix: String::new(),
        figures: 0,
        images: &mut images,
    };
    markdown::parse_inline(text, &mut cx).0
}

impl<'a> View<'a> {
    /// Builds the view of an audit.
    pub fn new(audit: &'a Audit) -> Self {
        let meta = &audit.meta;
        let findings = &audit.findings;
        let client = meta.client.organization.as_deref().unwrap_or(&meta.title);

        let mut contacts: Vec<ContactGroup> = Vec::new();
        for c in &meta.contacts {
            let group = c.group.as_deref().unwrap_or("");
            match contacts.iter_mut().find(|g| g.group == group) {
                Some(g) => g.people.push(c),
                None => contacts.push(ContactGroup {
                    group,
                    people: vec![c],
                }),
            }
        }

        let status = count_by::<Status>(findings, |f| f.status);
        let fix_review = meta.fix_review.as_ref().map(|r| FixReviewView {
            date: r.date.into(),
            sentence: fix_sentence(client, findings.len(), &status),
            counts: status.clone(),
        });
        let kind = count_by::<FindingType>(findings, |f| Some(f.kind))
            .into_iter()
            .filter(|c| c.count > 0)
            .collect();
        let matrix = Severity::ALL
            .iter()
            .map(|s| MatrixRow {
                severity: s.name(),
                cells: Difficulty::ALL
                    .iter()
                    .map(|d| {
                        findings
                            .iter()
                            .filter(|f| f.severity == *s && f.difficulty == *d)
                            .count()
                    })
                    .collect(),
            })
            .collect();

        let order = appendix_order(
            !audit.maturity.is_empty(),
            audit.appendices.len(),
            meta.fix_review.is_some(),
        );
        let appendices = order
            .iter()
            .enumerate()
            .map(|(i, kind)| {
                let (kind, title, body) = match kind {
                    AppendixKind::VulnerabilityCategories => {
                        ("vulnerability-categories", "Vulnerability Categories", None)
                    }
                    AppendixKind::MaturityCategories => {
                        ("maturity-categories", "Code Maturity Categories", None)
                    }
                    AppendixKind::Custom(n) => {
                        let a = &audit.appendices[*n];
                        ("custom", a.title.as_str(), Some(a.body.as_slice()))
                    }
                    AppendixKind::FixReviewResults => {
                        ("fix-review-results", "Fix Review Results", None)
                    }
                    AppendixKind::FixReviewStatuses => {
                        ("fix-review-statuses", "Fix Review Status Categories", None)
                    }
                };
                AppendixView {
                    letter: appendix_letter(i),
                    kind,
                    title: title.to_string(),
                    body,
                }
            })
            .collect();

        View {
            contract: CONTRACT_VERSION,
            report: ReportView {
                title: &meta.title,
                subtitle: &meta.subtitle,
                version: &meta.version,
                date: meta.date.into(),
                classification: &meta.classification,
                vendor: &meta.vendor,
                draft: meta.draft,
                paper: meta.paper,
                client,
                prepared_for: &meta.client.prepared_for,
                prepared_by: &meta.client.prepared_by,
                engagement: meta.engagement.as_ref().map(|e| EngagementView {
                    start: e.start.map(Into::into),
                    end: e.end.map(Into::into),
                    effort: e.effort.as_deref(),
                }),
            },
            contacts,
            timeline: meta
                .timeline
                .iter()
                .map(|e| EventView {
                    date: e.date.into(),
                    event: &e.event,
                })
                .collect(),
            targets: &meta.targets,
            goals: inline_list(&meta.goals),
            coverage: CoverageView {
                approaches: inline_list(&meta.coverage.approaches),
                limitations: inline_list(&meta.coverage.limitations),
                prose: audit.sections.coverage.as_deref(),
            },
            tools: meta
                .tools
                .iter()
                .map(|t| ToolView {
                    name: &t.name,
                    description: t
                        .description
                        .as_deref()
                        .map(inline_text)
                        .unwrap_or_default(),
                    policy: t.policy.as_deref(),
                })
                .collect(),
            history: meta
                .history
                .iter()
                .map(|v| VersionView {
                    version: &v.version,
                    date: v.date.into(),
                    description: &v.description,
                })
                .collect(),
            fix_review,
            findings: findings
                .iter()
                .map(|f| FindingView {
                    finding: f,
                    label: format!("finding-{}", f.id),
                    target_links: f
                        .targets
                        .iter()
                        .map(|t| TargetLink {
                            text: t,
                            url: forge::permalink(&meta.targets, t),
                        })
                        .collect(),
                    fix_refs: f
                        .fix
                        .iter()
                        .flat_map(|x| &x.refs)
                        .map(|r| TargetLink {
                            text: r,
                            url: forge::ref_link(&meta.targets, r),
                        })
                        .collect(),
                })
                .collect(),
            counts: Counts {
                total: findings.len(),
                severity: count_by::<Severity>(findings, |f| Some(f.severity)),
                difficulty: count_by::<Difficulty>(findings, |f| Some(f.difficulty)),
                kind,
                status,
                matrix,
            },
            maturity: &audit.maturity,
            acknowledgements: &audit.acknowledgements,
            sections: &audit.sections,
            appendices,
            logo: None,
            changes: None,
            attach: false,
        }
    }

    /// Adds the "Changes since version X" appendix, after all the others.
    pub fn with_changes(mut self, since: &str, changes: &[Change]) -> Self {
        self.appendices.push(AppendixView {
            letter: appendix_letter(self.appendices.len()),
            kind: "changes",
            title: format!("Changes since Version {since}"),
            body: None,
        });
        self.changes = Some(ChangesView {
            since: since.to_string(),
            items: changes.iter().map(Change::describe).collect(),
        });
        self
    }

    /// Serialises the view as the JSON the templates read.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the view serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(resolved: usize, partial: usize, unresolved: usize) -> Vec<Count> {
        vec![
            Count {
                name: "Resolved",
                count: resolved,
            },
            Count {
                name: "Partially Resolved",
                count: partial,
            },
            Count {
                name: "Unresolved",
                count: unresolved,
            },
            Count {
                name: "Undetermined",
                count: 0,
            },
        ]
    }

    #[test]
    fn the_fix_sentence_counts_in_words_with_plurals() {
        assert_eq!(
            fix_sentence("Flux", 10, &counts(7, 1, 2)),
            "Of the 10 issues described in this report, Flux has resolved seven issues, \
             has partially resolved one issue, and has not resolved the remaining two issues."
        );
        assert_eq!(
            fix_sentence("Flux", 3, &counts(3, 0, 0)),
            "Of the 3 issues described in this report, Flux has resolved three issues."
        );
        assert_eq!(
            fix_sentence("Flux", 1, &counts(0, 0, 1)),
            "Of the one issue described in this report, Flux has not resolved one issue."
        );
        let mut mixed = counts(1, 1, 1);
        mixed[3].count = 1;
        assert_eq!(
            fix_sentence("Flux", 4, &mixed),
            "Of the 4 issues described in this report, Flux has resolved one issue, \
             has partially resolved one issue, and has not resolved one issue. \
             The fix status of the remaining one issue was not determined."
        );
    }

    #[test]
    fn dates_are_written_in_words() {
        let d = Date::from_calendar_date(2023, time::Month::November, 8).unwrap();
        assert_eq!(DateView::from(d).long, "November 8, 2023");
    }
}

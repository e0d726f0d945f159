//! The typed audit data: what the loader produces and the view reads. No IO here.

use serde::Serialize;
use time::Date;

use crate::content::{Block, Inline};

pub mod front;
pub mod scale;
pub mod shape;
pub mod style;

pub use style::{Outcome, Rank, Style};

/// Page size of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// US Letter, the default.
    Letter,
    /// ISO A4.
    A4,
}

/// A whole audit, as read from its folder.
#[derive(Debug, Serialize)]
pub struct Audit {
    /// Report metadata from audit.toml.
    pub meta: Meta,
    /// The findings, in report order.
    pub findings: Vec<Finding>,
    /// The codebase maturity evaluation.
    pub maturity: Vec<MaturityEntry>,
    /// People and organisations thanked.
    pub acknowledgements: Vec<Acknowledgement>,
    /// Prose sections from sections/.
    pub sections: Sections,
    /// Custom appendices, in file-name order.
    pub appendices: Vec<Appendix>,
    /// Runs of automated tools, from scans/*.sarif, in file order.
    pub scans: Vec<Scan>,
    /// Ids of the draft findings left out of the report.
    pub drafts: Vec<String>,
    /// Images named by the Markdown, read into memory.
    #[serde(skip)]
    pub assets: Vec<Asset>,
    /// The house style the audit was read with.
    #[serde(skip)]
    pub style: std::sync::Arc<Style>,
    /// Every piece of prose read, as written, for the spelling check.
    #[serde(skip)]
    pub prose: Vec<ProseText>,
    /// The words of words.txt, of the folder and of the house style, that
    /// the spelling check accepts.
    #[serde(skip)]
    pub words: Vec<String>,
}

/// A piece of the folder's prose as written (a section of a write-up, a CSV
/// cell, a string of audit.toml), for the spelling check.
#[derive(Clone, Debug)]
pub struct ProseText {
    /// The text, Markdown.
    pub text: String,
    /// Where it is: the byte of its file the text starts at, when offsets
    /// map exactly, or else the whole cell or string it was read from.
    pub at: ProsePlace,
}

/// Where a [`ProseText`] is in its file.
#[derive(Clone, Debug)]
pub enum ProsePlace {
    /// The text starts at this byte of the file.
    Exact(crate::diag::FileRef, usize),
    /// The text was read from this cell or string, with quotes or escapes.
    Within(crate::diag::Place),
}

/// Report metadata (audit.toml).
#[derive(Debug, Serialize)]
pub struct Meta {
    /// Project name, on the cover.
    pub title: String,
    /// Report kind, e.g. `Security Assessment`.
    pub subtitle: String,
    /// Report date.
    pub date: Date,
    /// Report version.
    pub version: String,
    /// Marking printed in every footer.
    pub classification: String,
    /// The firm that did the audit.
    pub vendor: String,
    /// How sentences name the firm (`vendor_short`, FORMAT 1.3): by default
    /// the vendor without a trailing legal form.
    pub vendor_short: String,
    /// Prefix of generated finding ids.
    pub id_prefix: Option<String>,
    /// Whether DRAFT is marked on every page.
    pub draft: bool,
    /// Page size.
    pub paper: Paper,
    /// Template override folder, relative to the audit folder.
    pub templates: Option<String>,
    /// The client and the people on both sides.
    pub client: Client,
    /// Dates and effort of the engagement.
    pub engagement: Option<Engagement>,
    /// People to contact.
    pub contacts: Vec<Contact>,
    /// Events of the engagement.
    pub timeline: Vec<Event>,
    /// Audited repositories or systems.
    pub targets: Vec<Target>,
    /// Questions the audit set out to answer, as inline Markdown.
    pub goals: Vec<Vec<Inline>>,
    /// How the targets were covered.
    pub coverage: Coverage,
    /// Tools of the automated testing.
    pub tools: Vec<Tool>,
    /// The fix review, once one was done.
    pub fix_review: Option<FixReview>,
    /// Versions of this report, oldest first.
    pub history: Vec<Version>,
}

/// The client organisation and the people the report is for and by.
#[derive(Debug, Default, Serialize, serde::Deserialize)]
pub struct Client {
    /// The client organisation.
    pub organization: Option<String>,
    /// How sentences name the client (FORMAT 1.3), e.g. `the Lumen team`;
    /// by default the organisation.
    #[serde(default)]
    pub short: Option<String>,
    /// People the report is prepared for.
    #[serde(default)]
    pub prepared_for: Vec<String>,
    /// People who prepared the report.
    #[serde(default)]
    pub prepared_by: Vec<String>,
}

/// Dates and effort of the engagement.
#[derive(Debug, Serialize)]
pub struct Engagement {
    /// First day.
    pub start: Option<Date>,
    /// Last day.
    pub end: Option<Date>,
    /// Effort in words, e.g. `four engineer-weeks`.
    pub effort: Option<String>,
}

/// A person to contact.
#[derive(Debug, Serialize, serde::Deserialize)]
pub struct Contact {
    /// Full name.
    pub name: String,
    /// Role in the engagement.
    #[serde(default)]
    pub role: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// Free-text group, e.g. `managers`.
    #[serde(default)]
    pub group: Option<String>,
}

/// An event of the engagement.
#[derive(Debug, Serialize)]
pub struct Event {
    /// When it happened.
    pub date: Date,
    /// What happened.
    pub event: String,
}

/// An audited repository or system.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Target {
    /// Name used in finding targets, e.g. `source-controller`.
    pub name: String,
    /// Repository URL.
    #[serde(default)]
    pub repository: Option<String>,
    /// Commit, tag or release.
    #[serde(default)]
    pub version: Option<String>,
    /// Kind of target, e.g. `Golang`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Platform it runs on.
    #[serde(default)]
    pub platform: Option<String>,
}

/// How the targets were covered.
#[derive(Debug, Default, Serialize)]
pub struct Coverage {
    /// Approaches taken, as inline Markdown.
    pub approaches: Vec<Vec<Inline>>,
    /// What was not covered, as inline Markdown.
    pub limitations: Vec<Vec<Inline>>,
}

/// A tool of the automated testing.
#[derive(Debug, Serialize)]
pub struct Tool {
    /// Tool name.
    pub name: String,
    /// What it does, as inline Markdown (empty when not given).
    pub description: Vec<Inline>,
    /// Where its configuration is described, e.g. `Appendix E`.
    pub policy: Option<String>,
}

/// The fix review.
#[derive(Debug, Serialize)]
pub struct FixReview {
    /// When the fixes were reviewed, when the report says.
    pub date: Option<Date>,
}

/// A version of the report.
#[derive(Debug, Serialize)]
pub struct Version {
    /// Version number, when given.
    pub version: Option<String>,
    /// Date of that version.
    pub date: Date,
    /// What that version changed.
    pub description: String,
}

/// One finding.
#[derive(Debug, Serialize)]
pub struct Finding {
    /// 1-based position in the report.
    pub number: usize,
    /// Unique id, e.g. `TOB-FLUX-1`.
    pub id: String,
    /// Title (inline Markdown).
    pub title: Vec<Inline>,
    /// Title as plain text.
    pub title_text: String,
    /// Severity, on the style's scale.
    pub severity: Rank,
    /// Value on the style's second axis (difficulty, likelihood, ...), when given.
    pub difficulty: Option<Rank>,
    /// Category, on the style's scale or free text, when given.
    #[serde(rename = "type")]
    pub kind: Option<Rank>,
    /// Affected places, split at `; `.
    pub targets: Vec<String>,
    /// Fix-review status, when known.
    pub status: Option<Rank>,
    /// Its write-up: every section of the style's shape, in print order
    /// (a section the finding does not give has an empty body).
    pub sections: Vec<Section>,
    /// The values of the style's fields the finding gives, by key.
    pub fields: std::collections::BTreeMap<String, FieldValue>,
    /// Fix-review details, when fix-review.csv has the finding.
    pub fix: Option<FixEntry>,
    /// Rule ids of the scan results the finding came from (`sarif` in front matter).
    pub sarif: Vec<String>,
    /// Whether it is a draft, awaiting triage (`draft = true` in front matter).
    pub draft: bool,
    /// Its CVSS vector and score, when given.
    pub cvss: Option<Cvss>,
    /// Its review state (FORMAT 1.2); approved unless the front matter says.
    pub review: Review,
    /// Who reviewed it, when the front matter says.
    pub reviewed_by: Option<String>,
    /// Where the front matter gives `review`, for messages.
    #[serde(skip)]
    pub review_place: Option<crate::diag::Place>,
    /// The library write-up it was made from (`from` in front matter).
    pub from: Option<String>,
}

/// Where a finding is in its review (FORMAT 1.2, "Review").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Review {
    /// Being written.
    Draft,
    /// Written, waiting for a reviewer.
    Ready,
    /// Approved by a reviewer (the default: earlier folders are unchanged).
    #[default]
    Approved,
}

impl Review {
    /// The names front matter writes.
    pub const NAMES: [&'static str; 3] = ["draft", "ready", "approved"];

    /// The state a name gives.
    pub fn parse(name: &str) -> Option<Review> {
        match name {
            "draft" => Some(Review::Draft),
            "ready" => Some(Review::Ready),
            "approved" => Some(Review::Approved),
            _ => None,
        }
    }
}

impl Finding {
    /// The body of a section by key; empty when the finding does not give it.
    pub fn section(&self, key: &str) -> &[Block] {
        self.sections
            .iter()
            .find(|s| s.key == key)
            .map_or(&[], |s| s.body.as_slice())
    }
}

/// One section of a finding's write-up.
#[derive(Debug, Serialize)]
pub struct Section {
    /// Its key in the style's shape, e.g. `proof_of_concept`.
    pub key: String,
    /// Its text.
    pub body: Vec<Block>,
}

/// The value of a field of the style's shape (FORMAT 1.2).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FieldValue {
    /// A level of a named scale.
    Level(Rank),
    /// Plain text.
    Text(String),
    /// A decimal number: its value, and its text as typed.
    Number(f64, #[serde(skip)] String),
    /// A date.
    Date(Date),
    /// An http(s) URL.
    Url(String),
    /// A CWE entry.
    Cwe(Cwe),
    /// Plain-text values.
    List(Vec<String>),
}

/// A CWE entry: `CWE-<id>` and its name.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Cwe {
    /// The number, e.g. 400.
    pub id: u32,
    /// Its name, as the folder gives it or from MITRE's list; empty when
    /// neither knows it.
    pub name: String,
}

impl Cwe {
    /// The definition's address at MITRE.
    pub fn url(&self) -> String {
        format!("https://cwe.mitre.org/data/definitions/{}.html", self.id)
    }

    /// `CWE-400: Uncontrolled Resource Consumption`, or `CWE-400`.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            format!("CWE-{}", self.id)
        } else {
            format!("CWE-{}: {}", self.id, self.name)
        }
    }
}

impl FieldValue {
    /// The value as plain text, as the report prints it.
    pub fn text(&self) -> String {
        match self {
            FieldValue::Level(r) => r.name.clone(),
            FieldValue::Text(t) | FieldValue::Url(t) => t.clone(),
            FieldValue::Number(_, t) => t.clone(),
            FieldValue::Date(d) => d.to_string(),
            FieldValue::Cwe(c) => c.label(),
            FieldValue::List(items) => items.join("; "),
        }
    }
}

/// A CVSS vector with its scores.
#[derive(Clone, Debug, Serialize)]
pub struct Cvss {
    /// `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// The vector as written, e.g. `CVSS:3.1/AV:N/...`.
    pub vector: String,
    /// The score shown and rated, 0.0 to 10.0: that of the most specific
    /// metric group given, or the base score when the style says so.
    pub score: f64,
    /// The base score.
    pub base: f64,
    /// The group `score` is of, when not the base: `temporal` or
    /// `environmental` (3.x), or FIRST's name (`CVSS-BT`, ...) for 4.0.
    pub group: Option<String>,
    /// Qualitative rating: None, Low, Medium, High or Critical.
    pub rating: String,
}

/// One run of an automated tool, from a SARIF file of scans/.
#[derive(Debug, Serialize)]
pub struct Scan {
    /// The file it came from, e.g. `semgrep.sarif`.
    pub file: String,
    /// The tool's name, e.g. `Semgrep`.
    pub tool: String,
    /// The tool's version, when the file gives it.
    pub version: Option<String>,
    /// How many rules or queries ran.
    pub rules: usize,
    /// How many results the run had.
    pub results: usize,
    /// Results per level, in the order error, warning, note, none.
    pub levels: Vec<(String, usize)>,
    /// Results per rule id.
    pub by_rule: std::collections::BTreeMap<String, usize>,
}

/// The fix review of one finding.
#[derive(Debug, Serialize)]
pub struct FixEntry {
    /// PRs or commits of the fix.
    pub refs: Vec<String>,
    /// What was reviewed.
    pub note: Vec<Block>,
}

/// One row of the codebase maturity evaluation.
#[derive(Debug, Serialize)]
pub struct MaturityEntry {
    /// Category name.
    pub category: String,
    /// Rating, on the style's scale.
    pub rating: Rank,
    /// Why the rating was given.
    pub summary: Vec<Block>,
}

/// A person or organisation thanked.
#[derive(Debug, Serialize)]
pub struct Acknowledgement {
    /// Name of the person or organisation.
    pub name: String,
    /// Their organisation.
    pub organization: Option<String>,
    /// Their role, e.g. `Maintainer`.
    pub role: Option<String>,
}

/// A sub-section of a prose section (a `##` heading and what follows).
#[derive(Debug, Serialize)]
pub struct Subsection {
    /// Heading text; empty for text before the first heading.
    pub title: String,
    /// Body.
    pub body: Vec<Block>,
}

/// Prose sections from sections/.
#[derive(Debug, Default, Serialize)]
pub struct Sections {
    /// Executive summary, split at its `##` headings.
    pub executive_summary: Option<Vec<Subsection>>,
    /// Coverage prose (instead of `[coverage]`).
    pub coverage: Option<Vec<Block>>,
    /// Threat model.
    pub threat_model: Option<Vec<Block>>,
    /// Prose before the acknowledgements list.
    pub acknowledgements: Option<Vec<Block>>,
    /// Notices (legal).
    pub notices: Option<Vec<Block>>,
    /// About the vendor.
    pub about: Option<Vec<Block>>,
}

/// A custom appendix.
#[derive(Debug, Serialize)]
pub struct Appendix {
    /// File name it came from.
    pub file: String,
    /// Its first `#` heading.
    pub title: String,
    /// Everything after that heading.
    pub body: Vec<Block>,
}

/// An image read from the audit folder, served to typst at a fixed virtual path.
#[derive(Clone, Debug)]
pub struct Asset {
    /// Virtual path the templates use, e.g. `/assets/0.png`.
    pub vpath: String,
    /// File contents.
    pub bytes: Vec<u8>,
}

/// The kinds of appendix a report has, in the order they appear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppendixKind {
    /// Definitions of finding types, severities and difficulties.
    VulnerabilityCategories,
    /// Definitions of maturity categories and ratings.
    MaturityCategories,
    /// The n-th custom appendix of the folder.
    Custom(usize),
    /// Results of the fix review.
    FixReviewResults,
    /// Definitions of fix statuses.
    FixReviewStatuses,
}

/// Returns the appendices present, in report order; letters follow positions.
/// `fix_results`: the fix review of each finding is listed in an appendix;
/// `fix_statuses`: the statuses used are defined in one.
pub fn appendix_order(
    has_maturity: bool,
    customs: usize,
    fix_results: bool,
    fix_statuses: bool,
) -> Vec<AppendixKind> {
    let mut order = vec![AppendixKind::VulnerabilityCategories];
    if has_maturity {
        order.push(AppendixKind::MaturityCategories);
    }
    order.extend((0..customs).map(AppendixKind::Custom));
    if fix_results {
        order.push(AppendixKind::FixReviewResults);
    }
    if fix_statuses {
        order.push(AppendixKind::FixReviewStatuses);
    }
    order
}

/// Returns the letter of the appendix at a 0-based position: A ... Z, AA, AB ...
pub fn appendix_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

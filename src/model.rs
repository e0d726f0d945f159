//! The typed audit data: what the loader produces and the view reads. No IO here.

use serde::Serialize;
use time::Date;

use crate::content::{Block, Inline};
use crate::diag;

/// A fixed scale of values written as text in the data (severity, status, ...).
pub trait Scale: Sized + Copy + 'static {
    /// What the scale is called in messages, e.g. `severity`.
    const KIND: &'static str;
    /// Every value, in the order the report lists them.
    const ALL: &'static [Self];

    /// Returns the value's canonical name, e.g. `Informational`.
    fn name(self) -> &'static str;

    /// Parses a value case-insensitively; the error is a message and a hint.
    fn parse(text: &str) -> Result<Self, (String, String)> {
        let wanted = text.trim();
        if let Some(v) = Self::ALL
            .iter()
            .find(|v| v.name().eq_ignore_ascii_case(wanted))
        {
            return Ok(*v);
        }
        let names: Vec<&str> = Self::ALL.iter().map(|v| v.name()).collect();
        let mut hint = format!("expected one of {}", names.join(", "));
        if let Some(suggestion) = diag::did_you_mean(wanted, &names, diag::quoted) {
            hint.push_str(&format!("; {suggestion}"));
        }
        Err((format!("unknown {} \"{}\"", Self::KIND, wanted), hint))
    }
}

macro_rules! scale {
    ($(#[$meta:meta])* $name:ident, $kind:literal, { $($(#[$vmeta:meta])* $var:ident => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $var),*
        }
        impl Scale for $name {
            const KIND: &'static str = $kind;
            const ALL: &'static [Self] = &[$(Self::$var),*];
            fn name(self) -> &'static str {
                match self { $(Self::$var => $text),* }
            }
        }
    };
}

scale!(
    /// How much harm a finding can do.
    Severity, "severity", {
        /// Broad and serious harm.
        High => "High",
        /// Harm limited in scope or effect.
        Medium => "Medium",
        /// Harm unlikely or small.
        Low => "Low",
        /// No direct harm; a matter of best practice.
        Informational => "Informational",
        /// The extent of harm was not determined.
        Undetermined => "Undetermined",
    }
);

scale!(
    /// How hard a finding is to exploit.
    Difficulty, "difficulty", {
        /// Needs deep knowledge or rare conditions.
        High => "High",
        /// Needs some knowledge or conditions.
        Medium => "Medium",
        /// Easy to exploit.
        Low => "Low",
        /// Not determined.
        Undetermined => "Undetermined",
        /// Exploitation does not apply.
        NotApplicable => "N/A",
    }
);

scale!(
    /// The category of a finding.
    FindingType, "finding type", {
        /// Authorization of users and assets.
        AccessControls => "Access Controls",
        /// Logging of actions and errors.
        AuditingAndLogging => "Auditing and Logging",
        /// Identification of users.
        Authentication => "Authentication",
        /// Configuration of servers, devices or software.
        Configuration => "Configuration",
        /// Protection of privacy and integrity of data.
        Cryptography => "Cryptography",
        /// Unintended exposure of sensitive information.
        DataExposure => "Data Exposure",
        /// Improper reliance on the structure or values of data.
        DataValidation => "Data Validation",
        /// System failure with an availability impact.
        DenialOfService => "Denial of Service",
        /// Insecure or insufficient reporting of error conditions.
        ErrorReporting => "Error Reporting",
        /// Keeping software up to date.
        Patching => "Patching",
        /// Identification of authenticated users.
        SessionManagement => "Session Management",
        /// Insufficient test methodology or coverage.
        Testing => "Testing",
        /// Race conditions or misordering of events.
        Timing => "Timing",
        /// Undefined behavior triggered in the system.
        UndefinedBehavior => "Undefined Behavior",
    }
);

scale!(
    /// The state of a finding after the fix review.
    Status, "status", {
        /// The issue was fixed.
        Resolved => "Resolved",
        /// The issue was fixed in part.
        PartiallyResolved => "Partially Resolved",
        /// The issue was not fixed.
        Unresolved => "Unresolved",
        /// The fix could not be verified.
        Undetermined => "Undetermined",
    }
);

scale!(
    /// A codebase maturity rating.
    Rating, "rating", {
        /// No issues found; exceeds industry standards.
        Strong => "Strong",
        /// Minor issues found; meets industry standards.
        Satisfactory => "Satisfactory",
        /// Some issues found that need attention.
        Moderate => "Moderate",
        /// Many issues found that need attention.
        Weak => "Weak",
        /// Absent, or so lacking as to be absent.
        Missing => "Missing",
        /// The category does not apply.
        NotApplicable => "Not Applicable",
        /// The category was not considered.
        NotConsidered => "Not Considered",
        /// The category needs further investigation.
        FurtherInvestigationRequired => "Further Investigation Required",
    }
);

/// The codebase maturity categories FORMAT names; others are allowed with a warning.
pub fn maturity_categories() -> Vec<&'static str> {
    definitions::MATURITY
        .iter()
        .map(|(name, _)| *name)
        .collect()
}

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
    /// When the fixes were reviewed.
    pub date: Date,
}

/// A version of the report.
#[derive(Debug, Serialize)]
pub struct Version {
    /// Version number.
    pub version: String,
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
    /// Severity.
    pub severity: Severity,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// Category.
    #[serde(rename = "type")]
    pub kind: FindingType,
    /// Affected places, split at `; `.
    pub targets: Vec<String>,
    /// Fix-review status, when known.
    pub status: Option<Status>,
    /// Description section.
    pub description: Vec<Block>,
    /// Exploit scenario section.
    pub exploit_scenario: Vec<Block>,
    /// Recommendations section.
    pub recommendations: Vec<Block>,
    /// References section.
    pub references: Vec<Block>,
    /// Fix-review details, when fix-review.csv has the finding.
    pub fix: Option<FixEntry>,
    /// Rule ids of the scan results the finding came from (`sarif` in front matter).
    pub sarif: Vec<String>,
    /// Whether it is a draft, awaiting triage (`draft = true` in front matter).
    pub draft: bool,
    /// Its CVSS vector and score, when given.
    pub cvss: Option<Cvss>,
}

/// A CVSS vector with its base score.
#[derive(Clone, Debug, Serialize)]
pub struct Cvss {
    /// `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// The vector as written, e.g. `CVSS:3.1/AV:N/...`.
    pub vector: String,
    /// Base score, 0.0 to 10.0.
    pub score: f64,
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
    /// Rating.
    pub rating: Rating,
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
#[derive(Debug)]
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
pub fn appendix_order(has_maturity: bool, customs: usize, fix_review: bool) -> Vec<AppendixKind> {
    let mut order = vec![AppendixKind::VulnerabilityCategories];
    if has_maturity {
        order.push(AppendixKind::MaturityCategories);
    }
    order.extend((0..customs).map(AppendixKind::Custom));
    if fix_review {
        order.push(AppendixKind::FixReviewResults);
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

/// The definitions of the standard scales, in the order the appendices list them.
pub mod definitions {
    use super::{Difficulty, FindingType, Rating, Severity, Status};

    /// Finding types, as the vulnerability categories appendix lists them.
    pub const TYPES: &[(FindingType, &str)] = &[
        (
            FindingType::AccessControls,
            "Insufficient authorization or assessment of rights",
        ),
        (
            FindingType::AuditingAndLogging,
            "Insufficient auditing of actions or logging of problems",
        ),
        (
            FindingType::Authentication,
            "Improper identification of users",
        ),
        (
            FindingType::Configuration,
            "Misconfigured servers, devices, or software components",
        ),
        (
            FindingType::Cryptography,
            "A breach of system confidentiality or integrity",
        ),
        (
            FindingType::DataExposure,
            "Exposure of sensitive information",
        ),
        (
            FindingType::DataValidation,
            "Improper reliance on the structure or values of data",
        ),
        (
            FindingType::DenialOfService,
            "A system failure with an availability impact",
        ),
        (
            FindingType::ErrorReporting,
            "Insecure or insufficient reporting of error conditions",
        ),
        (
            FindingType::Patching,
            "Use of an outdated software package or library",
        ),
        (
            FindingType::SessionManagement,
            "Improper identification of authenticated users",
        ),
        (
            FindingType::Testing,
            "Insufficient test methodology or test coverage",
        ),
        (
            FindingType::Timing,
            "Race conditions or other order-of-operations flaws",
        ),
        (
            FindingType::UndefinedBehavior,
            "Undefined behavior triggered within the system",
        ),
    ];

    /// Severity levels, least severe first.
    pub const SEVERITIES: &[(Severity, &str)] = &[
        (
            Severity::Informational,
            "The issue poses no immediate risk but is relevant to security best practices.",
        ),
        (
            Severity::Undetermined,
            "The extent of the risk was not determined during this engagement.",
        ),
        (
            Severity::Low,
            "The risk is small, or is not one the client has indicated is important.",
        ),
        (
            Severity::Medium,
            "User information is at risk; exploitation could carry reputational, legal, or moderate financial consequences.",
        ),
        (
            Severity::High,
            "The flaw could affect many users and carry serious reputational, legal, or financial consequences.",
        ),
    ];

    /// Difficulty levels, least determined first.
    pub const DIFFICULTIES: &[(Difficulty, &str)] = &[
        (
            Difficulty::Undetermined,
            "The difficulty of exploitation was not determined during this engagement.",
        ),
        (
            Difficulty::NotApplicable,
            "Exploitation does not apply to this finding.",
        ),
        (
            Difficulty::Low,
            "The flaw is well known; public tools for its exploitation exist or can be scripted.",
        ),
        (
            Difficulty::Medium,
            "An attacker must write an exploit or needs in-depth knowledge of the system.",
        ),
        (
            Difficulty::High,
            "An attacker must have privileged access to the system, know complex technical details, or discover other weaknesses to exploit this issue.",
        ),
    ];

    /// Maturity ratings, strongest first.
    pub const RATINGS: &[(Rating, &str)] = &[
        (
            Rating::Strong,
            "No issues were found, and the system exceeds industry standards.",
        ),
        (
            Rating::Satisfactory,
            "Minor issues were found, but the system is compliant with best practices.",
        ),
        (
            Rating::Moderate,
            "Some issues that may affect system safety were found.",
        ),
        (
            Rating::Weak,
            "Many issues that affect system safety were found.",
        ),
        (
            Rating::Missing,
            "A required component is missing, significantly affecting system safety.",
        ),
        (
            Rating::NotApplicable,
            "The category is not applicable to this review.",
        ),
        (
            Rating::NotConsidered,
            "The category was not considered in this review.",
        ),
        (
            Rating::FurtherInvestigationRequired,
            "Further investigation is required to reach a meaningful conclusion.",
        ),
    ];

    /// Fix statuses, least resolved first.
    pub const STATUSES: &[(Status, &str)] = &[
        (
            Status::Undetermined,
            "The status of the issue was not determined during this engagement.",
        ),
        (
            Status::Unresolved,
            "The issue persists and has not been resolved.",
        ),
        (
            Status::PartiallyResolved,
            "The issue persists but has been partially resolved.",
        ),
        (
            Status::Resolved,
            "The issue has been sufficiently resolved.",
        ),
    ];

    /// Maturity categories with their definitions, in FORMAT order.
    pub const MATURITY: &[(&str, &str)] = &[
        (
            "Arithmetic",
            "The proper use of mathematical operations and semantics",
        ),
        (
            "Auditing",
            "The use of event auditing and logging to support monitoring",
        ),
        (
            "Authentication / Access Controls",
            "The use of robust access controls to handle identification and authorization",
        ),
        (
            "Complexity Management",
            "The presence of clear structures designed to manage system complexity",
        ),
        (
            "Configuration",
            "The configuration of system components in accordance with best practices",
        ),
        (
            "Cryptography and Key Management",
            "The safe use of cryptographic primitives and functions, and the protection of keys",
        ),
        (
            "Data Handling",
            "The safe handling of user inputs and data processed by the system",
        ),
        (
            "Documentation",
            "The presence of comprehensive and readable codebase documentation",
        ),
        (
            "Maintenance",
            "The timely maintenance of system components to mitigate risk",
        ),
        (
            "Memory Safety and Error Handling",
            "The presence of memory safety and robust error-handling mechanisms",
        ),
        (
            "Testing and Verification",
            "The presence of robust testing procedures and sufficient test coverage",
        ),
    ];
}

//! SARIF 2.1.0 scan results (`scans/*.sarif`), read for the Automated Testing section.
//!
//! A small, tolerant set of serde structs rather than a complete SARIF model
//! (such as the serde-sarif crate): the report needs five fields of each run
//! (tool name and version, the rules that ran, each result's rule and level),
//! and tools differ in everything else. A strict model would refuse real files
//! over fields the report never uses, and its generated type tree would cost
//! build time for nothing. Unknown fields are ignored; what is read is checked.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use serde::Deserialize;

use crate::model::Scan;

/// A SARIF log: what auditpress reads of it.
#[derive(Deserialize)]
pub struct Log {
    version: Option<String>,
    /// The runs of tools.
    #[serde(default)]
    pub runs: Vec<Run>,
}

/// One run of a tool.
#[derive(Deserialize)]
pub struct Run {
    /// The tool.
    pub tool: Tool,
    /// Its results.
    #[serde(default)]
    pub results: Vec<SarifResult>,
    /// The index of each rule id among the driver's rules (the first, when
    /// two share an id), made on first use: a result's rule is looked up,
    /// not searched for, so a run costs its rules plus its results.
    #[serde(skip)]
    rule_index: OnceLock<HashMap<String, usize>>,
}

/// A run's tool.
#[derive(Deserialize)]
pub struct Tool {
    /// The tool's main component.
    pub driver: Driver,
}

/// A tool's main component: its name, version and rules.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// Name, e.g. `Semgrep OSS`.
    pub name: String,
    version: Option<String>,
    semantic_version: Option<String>,
    /// The rules or queries that ran.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl Driver {
    /// Returns the tool's version, semantic if given.
    pub fn version(&self) -> Option<&str> {
        self.semantic_version.as_deref().or(self.version.as_deref())
    }
}

/// A text in SARIF: plain text and, optionally, Markdown.
#[derive(Deserialize, Default, Clone)]
pub struct Message {
    /// Plain text.
    pub text: Option<String>,
    /// Markdown.
    pub markdown: Option<String>,
}

/// A rule or query.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Its id, e.g. `pickle-loads`.
    pub id: String,
    /// A human name.
    pub name: Option<String>,
    /// One line saying what it finds.
    pub short_description: Option<Message>,
    /// What it finds, at length.
    pub full_description: Option<Message>,
    /// How to fix what it finds.
    pub help: Option<Message>,
    default_configuration: Option<Configuration>,
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<String>,
}

/// One result of a run.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    rule_id: Option<String>,
    rule: Option<RuleReference>,
    rule_index: Option<usize>,
    level: Option<String>,
    /// What the tool says of this result.
    #[serde(default)]
    pub message: Message,
    /// Where it is.
    #[serde(default)]
    pub locations: Vec<Location>,
}

/// A result's location.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file and region.
    pub physical_location: Option<PhysicalLocation>,
}

/// A file and a region of it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: Option<ArtifactLocation>,
    /// The lines.
    pub region: Option<Region>,
    /// The lines around them.
    pub context_region: Option<Region>,
}

/// A file, by URI.
#[derive(Deserialize)]
pub struct ArtifactLocation {
    /// Relative (or absolute) URI of the file.
    pub uri: Option<String>,
}

/// Lines of a file, with their text when the tool gives it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// First line, 1-based.
    pub start_line: Option<u32>,
    /// Last line.
    pub end_line: Option<u32>,
    /// The text of the lines.
    pub snippet: Option<Snippet>,
}

/// The text of a region.
#[derive(Deserialize)]
pub struct Snippet {
    /// The text.
    pub text: Option<String>,
}

#[derive(Deserialize)]
struct RuleReference {
    id: Option<String>,
    index: Option<usize>,
}

impl Run {
    /// Returns a result's rule id, from any of the places SARIF allows it.
    pub fn rule_id(&self, r: &SarifResult) -> Option<String> {
        let index = r.rule_index.or(r.rule.as_ref().and_then(|x| x.index));
        r.rule_id
            .clone()
            .or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()))
            .or_else(|| {
                index
                    .and_then(|i| self.tool.driver.rules.get(i))
                    .map(|x| x.id.clone())
            })
    }

    /// Returns a result's rule, when the run lists it.
    pub fn rule(&self, r: &SarifResult) -> Option<&Rule> {
        let id = self.rule_id(r)?;
        let index = self.rule_index.get_or_init(|| {
            let mut index = HashMap::with_capacity(self.tool.driver.rules.len());
            for (i, rule) in self.tool.driver.rules.iter().enumerate() {
                index.entry(rule.id.clone()).or_insert(i);
            }
            index
        });
        self.tool.driver.rules.get(*index.get(&id)?)
    }

    /// Returns a result's level: its own, else its rule's default, else SARIF's default.
    pub fn level(&self, r: &SarifResult) -> &'static str {
        let level = r
            .level
            .clone()
            .or_else(|| self.rule(r)?.default_configuration.as_ref()?.level.clone());
        LEVELS
            .iter()
            .find(|l| Some(**l) == level.as_deref())
            .copied()
            .unwrap_or("warning")
    }
}

/// Why a file is not a SARIF 2.1.0 log: a message, a hint, and for JSON
/// errors the 1-based line and column.
pub struct NotSarif {
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub hint: String,
    /// Where, for JSON syntax errors.
    pub at: Option<(usize, usize)>,
}

/// The levels of SARIF results, most serious first.
pub const LEVELS: &[&str] = &["error", "warning", "note", "none"];

/// Parses a SARIF 2.1.0 log.
pub fn parse(text: &str) -> Result<Log, NotSarif> {
    let log: Log = serde_json::from_str(text).map_err(|e| {
        let syntax = e.is_syntax() || e.is_eof();
        NotSarif {
            message: if syntax {
                format!("invalid JSON ({e})")
            } else {
                format!("not a SARIF 2.1.0 log ({e})")
            },
            hint: "scans/ holds SARIF 2.1.0 files as Semgrep (--sarif) or CodeQL write them".into(),
            at: syntax.then(|| (e.line(), e.column())),
        }
    })?;
    match log.version.as_deref() {
        Some("2.1.0") => {}
        other => {
            return Err(NotSarif {
                message: format!(
                    "not a SARIF 2.1.0 log (version {})",
                    other.map_or("missing".to_string(), |v| format!("\"{v}\""))
                ),
                hint: "write the scan with a tool that emits SARIF 2.1.0, or convert it".into(),
                at: None,
            });
        }
    }
    Ok(log)
}

/// Reads a SARIF log's runs, as the Automated Testing section counts them.
pub fn read(file: &str, text: &str) -> Result<Vec<Scan>, NotSarif> {
    Ok(parse(text)?
        .runs
        .iter()
        .map(|run| {
            let mut levels: BTreeMap<&str, usize> = BTreeMap::new();
            let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
            for r in &run.results {
                *levels.entry(run.level(r)).or_default() += 1;
                if let Some(id) = run.rule_id(r) {
                    *by_rule.entry(id).or_default() += 1;
                }
            }
            let driver = &run.tool.driver;
            Scan {
                file: file.to_string(),
                tool: driver.name.clone(),
                version: driver.version().map(str::to_string),
                rules: driver.rules.len(),
                results: run.results.len(),
                levels: LEVELS
                    .iter()
                    .map(|l| (l.to_string(), levels.get(*l).copied().unwrap_or(0)))
                    .collect(),
                by_rule,
            }
        })
        .collect())
}

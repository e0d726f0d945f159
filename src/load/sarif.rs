//! SARIF 2.1.0 scan results (`scans/*.sarif`), read for the Automated Testing section.
//!
//! A small, tolerant set of serde structs rather than a complete SARIF model
//! (such as the serde-sarif crate): the report needs five fields of each run
//! (tool name and version, the rules that ran, each result's rule and level),
//! and tools differ in everything else. A strict model would refuse real files
//! over fields the report never uses, and its generated type tree would cost
//! build time for nothing. Unknown fields are ignored; what is read is checked.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::model::Scan;

#[derive(Deserialize)]
struct Log {
    version: Option<String>,
    #[serde(default)]
    runs: Vec<Run>,
}

#[derive(Deserialize)]
struct Run {
    tool: Tool,
    #[serde(default)]
    results: Vec<SarifResult>,
}

#[derive(Deserialize)]
struct Tool {
    driver: Driver,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    version: Option<String>,
    semantic_version: Option<String>,
    #[serde(default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    default_configuration: Option<Configuration>,
}

#[derive(Deserialize)]
struct Configuration {
    level: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: Option<String>,
    rule: Option<RuleReference>,
    rule_index: Option<usize>,
    level: Option<String>,
}

#[derive(Deserialize)]
struct RuleReference {
    id: Option<String>,
    index: Option<usize>,
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

/// Reads a SARIF log's runs.
pub fn read(file: &str, text: &str) -> Result<Vec<Scan>, NotSarif> {
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
    Ok(log
        .runs
        .into_iter()
        .map(|run| {
            let driver = run.tool.driver;
            let mut levels: BTreeMap<String, usize> = BTreeMap::new();
            let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
            for r in &run.results {
                let index = r.rule_index.or(r.rule.as_ref().and_then(|x| x.index));
                let id = r
                    .rule_id
                    .clone()
                    .or_else(|| r.rule.as_ref().and_then(|x| x.id.clone()))
                    .or_else(|| {
                        index
                            .and_then(|i| driver.rules.get(i))
                            .map(|x| x.id.clone())
                    });
                let rule = id
                    .as_ref()
                    .and_then(|id| driver.rules.iter().find(|x| &x.id == id));
                // A result's level, else its rule's default, else SARIF's default.
                let level = r
                    .level
                    .clone()
                    .or_else(|| rule.and_then(|x| x.default_configuration.as_ref()?.level.clone()))
                    .filter(|l| LEVELS.contains(&l.as_str()))
                    .unwrap_or_else(|| "warning".into());
                *levels.entry(level).or_default() += 1;
                if let Some(id) = id {
                    *by_rule.entry(id).or_default() += 1;
                }
            }
            Scan {
                file: file.to_string(),
                tool: driver.name,
                version: driver.semantic_version.or(driver.version),
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

//! The Automated Testing section's tools and their scan runs.

use crate::model::style::Style;
use crate::model::{Audit, Finding};

use super::contract::{LevelCount, ScanView, ToolView};

/// Returns the tools of the Automated Testing section: the `[[tools]]`
/// entries, each with the run of scans/ of the same name (without regard to
/// case; a run named `Semgrep OSS` is also Semgrep's), then the runs no entry names.
pub fn tools(audit: &Audit, style: &Style) -> Vec<ToolView> {
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
    let parts: Vec<String> = scan
        .levels
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(level, n)| {
            let count = n.to_string();
            match level.as_str() {
                "none" => style.fill(
                    &style.plural_key("text.scan-no-level", *n),
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

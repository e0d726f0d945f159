//! Exports: the findings of an audit for other tools, as JSON, CSV, SARIF or Markdown.
//!
//! Each export reads the model the loader built, numbered as the report
//! numbers it, so that what a client loads into a tracker is what the PDF
//! says. The layouts are documented in docs/export.md.

pub mod markdown;

use serde::Serialize;
use serde_json::json;

use crate::forge;
use crate::model::front::BuiltinKey;
use crate::model::{Audit, Cvss, FieldValue, Finding, Rank};

/// Version of the JSON export's layout.
pub const JSON_VERSION: u32 = 1;

/// The export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The findings as a JSON document (docs/export.md).
    Json,
    /// One row per finding, safe to open in a spreadsheet.
    Csv,
    /// One row per finding, every cell as given (`--format csv-raw`).
    CsvRaw,
    /// SARIF 2.1.0, one result per finding location.
    Sarif,
    /// One Markdown document of all findings.
    Markdown,
}

/// Writes an audit's findings in a format.
pub fn export(audit: &Audit, format: Format) -> String {
    match format {
        Format::Json => {
            serde_json::to_string_pretty(&json_value(audit)).expect("JSON serialises") + "\n"
        }
        Format::Csv => csv(audit, Cells::Guarded),
        Format::CsvRaw => csv(audit, Cells::Raw),
        Format::Sarif => {
            serde_json::to_string_pretty(&sarif(audit)).expect("SARIF serialises") + "\n"
        }
        Format::Markdown => markdown_document(audit),
    }
}

/// The sections of a finding in the style's order: key, the style's
/// heading, and the text as Markdown (empty when not given).
fn prose<'a>(audit: &'a Audit, f: &Finding) -> Vec<(&'a str, &'a str, String)> {
    prose_as(audit, f, markdown::blocks)
}

/// [`prose`], each section written by `write`.
fn prose_as<'a>(
    audit: &'a Audit,
    f: &Finding,
    write: fn(&[crate::content::Block]) -> String,
) -> Vec<(&'a str, &'a str, String)> {
    let style = &audit.style;
    style
        .finding
        .sections
        .iter()
        .map(|d| {
            (
                d.key.as_str(),
                style.section_title(d),
                write(f.section(&d.key)),
            )
        })
        .collect()
}

/// The fields of a finding the style has, in its order: key, label and the
/// value as printed (only those the finding gives).
fn field_texts<'a>(audit: &'a Audit, f: &'a Finding) -> Vec<(&'a str, &'a str, &'a FieldValue)> {
    audit
        .style
        .finding
        .fields
        .iter()
        .filter_map(|d| Some((d.key.as_str(), d.label.as_str(), f.fields.get(&d.key)?)))
        .collect()
}

/// The JSON export (docs/export.md).
#[derive(Serialize)]
pub struct JsonExport<'a> {
    /// Version of this layout.
    pub version: u32,
    /// The report the findings are from.
    pub report: JsonReport<'a>,
    /// The findings, in report order.
    pub findings: Vec<JsonFinding<'a>>,
}

/// The report of a JSON export.
#[derive(Serialize)]
pub struct JsonReport<'a> {
    /// Project name.
    pub title: &'a str,
    /// Report kind.
    pub subtitle: &'a str,
    /// Report version.
    pub version: &'a str,
    /// Report date, `YYYY-MM-DD`.
    pub date: String,
    /// The firm that did the audit.
    pub vendor: &'a str,
    /// The client organisation.
    pub client: &'a str,
}

/// A finding of a JSON export.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    /// Its number in the report.
    pub number: usize,
    /// Its id.
    pub id: &'a str,
    /// Its title as typed.
    pub title: &'a str,
    /// Severity.
    pub severity: &'a str,
    /// Difficulty (the house style's second axis), if given.
    pub difficulty: Option<&'a str>,
    /// Type, if given.
    #[serde(rename = "type")]
    pub kind: Option<&'a str>,
    /// Fix-review status, if any.
    pub status: Option<&'a str>,
    /// CVSS vector, version and base score, if given.
    pub cvss: Option<&'a Cvss>,
    /// Affected places.
    pub targets: Vec<JsonTarget<'a>>,
    /// Description, as Markdown (empty when the style has no such section).
    pub description: String,
    /// Exploit scenario, as Markdown (likewise).
    pub exploit_scenario: String,
    /// Recommendations, as Markdown (likewise).
    pub recommendations: String,
    /// References, as Markdown (likewise).
    pub references: String,
    /// Every section of the house style's shape, in its order.
    pub sections: Vec<JsonSection<'a>>,
    /// The values of the style's fields the finding gives, in its order.
    pub fields: Vec<JsonField<'a>>,
    /// The fix review of the finding, if any.
    pub fix: Option<JsonFix<'a>>,
}

/// A section of a finding in a JSON export.
#[derive(Serialize)]
pub struct JsonSection<'a> {
    /// Its key, the findings.csv column.
    pub key: &'a str,
    /// Its heading in the house style.
    pub title: &'a str,
    /// Its text, as Markdown (empty when the finding does not give it).
    pub text: String,
}

/// A field of a finding in a JSON export.
#[derive(Serialize)]
pub struct JsonField<'a> {
    /// Its key, the findings.csv column.
    pub key: &'a str,
    /// Its label in the house style.
    pub label: &'a str,
    /// The value: a string, a number, a date, a list, or for a CWE `{id, name}`.
    pub value: &'a FieldValue,
    /// The value as the report prints it.
    pub text: String,
}

/// An affected place of a JSON export.
#[derive(Serialize)]
pub struct JsonTarget<'a> {
    /// As written.
    pub text: &'a str,
    /// The target (repository) its path starts with, if any.
    pub target: Option<&'a str>,
    /// The path, inside the target when there is one.
    pub path: Option<&'a str>,
    /// First line.
    pub start_line: Option<u32>,
    /// Last line.
    pub end_line: Option<u32>,
    /// Permalink at the audited commit, when the forge is known.
    pub url: Option<String>,
}

/// The fix review of a finding in a JSON export.
#[derive(Serialize)]
pub struct JsonFix<'a> {
    /// Pull requests or commits of the fix.
    pub refs: &'a [String],
    /// What was reviewed, as Markdown.
    pub note: String,
}

/// Returns the findings as the JSON document of docs/export.md.
pub fn json_value(audit: &Audit) -> JsonExport<'_> {
    let meta = &audit.meta;
    let findings = audit
        .findings
        .iter()
        .map(|f| {
            let sections: Vec<JsonSection> = prose(audit, f)
                .into_iter()
                .map(|(key, title, text)| JsonSection { key, title, text })
                .collect();
            let fixed = |key: &str| {
                sections
                    .iter()
                    .find(|s| s.key == key)
                    .map_or_else(String::new, |s| s.text.clone())
            };
            JsonFinding {
                number: f.number,
                id: &f.id,
                title: &f.title_text,
                severity: f.severity.name(),
                difficulty: f.difficulty.as_ref().map(Rank::name),
                kind: f.kind.as_ref().map(Rank::name),
                status: f.status.as_ref().map(Rank::name),
                cvss: f.cvss.as_ref(),
                targets: f
                    .targets
                    .iter()
                    .map(|t| {
                        let at = forge::location(&meta.targets, t);
                        JsonTarget {
                            text: t,
                            target: at.and_then(|a| a.target).map(|t| t.name.as_str()),
                            path: at.map(|a| a.path),
                            start_line: at.map(|a| a.start),
                            end_line: at.map(|a| a.end),
                            url: forge::permalink(&meta.targets, t),
                        }
                    })
                    .collect(),
                description: fixed("description"),
                exploit_scenario: fixed("exploit_scenario"),
                recommendations: fixed("recommendations"),
                references: fixed("references"),
                fields: field_texts(audit, f)
                    .into_iter()
                    .map(|(key, label, value)| JsonField {
                        key,
                        label,
                        value,
                        text: value.text(),
                    })
                    .collect(),
                sections,
                fix: f.fix.as_ref().map(|x| JsonFix {
                    refs: &x.refs,
                    note: markdown::blocks(&x.note),
                }),
            }
        })
        .collect();
    JsonExport {
        version: JSON_VERSION,
        report: JsonReport {
            title: &meta.title,
            subtitle: &meta.subtitle,
            version: &meta.version,
            date: meta.date.to_string(),
            vendor: &meta.vendor,
            client: meta.client.organization.as_deref().unwrap_or(&meta.title),
        },
        findings,
    }
}

/// How CSV cells are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Cells {
    /// A cell that starts as a spreadsheet formula does (`=`, `+`, `-`, `@`,
    /// tab or carriage return) gets a leading `'`, so that a spreadsheet
    /// shows it as text instead of running it (CWE-1236, OWASP "CSV
    /// injection"). For people opening the file.
    Guarded,
    /// Every cell exactly as given, for programs.
    Raw,
}

/// Quotes a CSV cell when it needs it (RFC 4180): the one CSV writer of
/// the tool (`export`, the rows `new finding` adds), guarding formulas.
pub fn cell(text: &str, cells: Cells) -> String {
    let text = if cells == Cells::Guarded && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    // Spaces around a value are kept (a reader trims an unquoted cell).
    if text.contains([',', '"', '\n', '\r']) || text.trim() != text {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// Returns one row per finding, for spreadsheets and trackers.
pub fn csv(audit: &Audit, cells_as: Cells) -> String {
    // The columns of findings.csv: the sections' and fields' keys.
    let shape = &audit.style.finding;
    use BuiltinKey as K;
    let builtin = [
        K::Number,
        K::Id,
        K::Title,
        K::Severity,
        K::Difficulty,
        K::Type,
        K::Status,
    ];
    let mut header: Vec<String> = builtin.map(|k| k.as_str().to_string()).to_vec();
    header.extend(["targets", "links"].map(String::from));
    // A section whose key is also a field's (`impact` as prose and as a
    // level) is the column `<key>_text`, so that no name is given twice.
    header.extend(shape.sections.iter().map(|s| match shape.field(&s.key) {
        Some(_) => format!("{}_text", s.key),
        None => s.key.clone(),
    }));
    header.extend(shape.fields.iter().map(|f| f.key.clone()));
    let mut out = header.join(",") + "\n";
    for f in &audit.findings {
        let links: Vec<String> = f
            .targets
            .iter()
            .filter_map(|t| forge::permalink(&audit.meta.targets, t))
            .collect();
        let mut cells = vec![
            f.number.to_string(),
            f.id.clone(),
            f.title_text.clone(),
            f.severity.name().into(),
            name(&f.difficulty).into(),
            name(&f.kind).into(),
            name(&f.status).into(),
            f.targets.join("; "),
            links.join(" "),
        ];
        cells.extend(prose(audit, f).into_iter().map(|(_, _, text)| text));
        cells.extend(shape.fields.iter().map(|d| {
            f.fields
                .get(&d.key)
                .map(FieldValue::text)
                .unwrap_or_default()
        }));
        out.push_str(
            &cells
                .iter()
                .map(|c| cell(c, cells_as))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

/// The name of a value, or nothing.
fn name(value: &Option<Rank>) -> &str {
    value.as_ref().map_or("", Rank::name)
}

/// Returns the SARIF level of a severity as the house style gives it:
/// error, warning or note (warning when the style says nothing).
fn level(audit: &Audit, severity: &Rank) -> String {
    audit
        .style
        .severity
        .levels
        .get(severity.index)
        .and_then(|l| l.sarif.clone())
        .unwrap_or_else(|| "warning".into())
}

/// A stable fingerprint (64-bit FNV-1a, hex) of a finding's location.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The SARIF rule of a finding: its title, description, help and properties.
fn sarif_rule(audit: &Audit, f: &Finding, first_link: Option<&str>) -> serde_json::Value {
    // The first section describes; the recommendations (or the last
    // section of a style without them) help.
    let sections = prose(audit, f);
    let description = sections
        .first()
        .map(|(_, _, t)| t.clone())
        .unwrap_or_default();
    let help = sections
        .iter()
        .find(|(k, _, _)| *k == "recommendations")
        .or(sections.last().filter(|_| sections.len() > 1))
        .map(|(_, _, t)| t.clone())
        .unwrap_or_default();
    // CWE ids as GitHub code scanning tags them.
    let cwes = f.fields.values().filter_map(|v| match v {
        FieldValue::Cwe(c) => Some(format!("external/cwe/cwe-{}", c.id)),
        _ => None,
    });
    let tags: Vec<String> = ["security".to_string()]
        .into_iter()
        .chain(f.kind.as_ref().map(|k| k.name.clone()))
        .chain(cwes)
        .collect();
    let mut rule = json!({
        "id": f.id,
        "name": format!("Finding{}", f.number),
        "shortDescription": { "text": f.title_text },
        "fullDescription": { "text": if description.is_empty() { f.title_text.clone() } else { description.clone() } },
        "help": {
            "text": if help.is_empty() { f.title_text.clone() } else { help.clone() },
            "markdown": if help.is_empty() { markdown::inlines(&f.title) } else { help },
        },
        "defaultConfiguration": { "level": level(audit, &f.severity) },
        "properties": {
            "severity": f.severity.name(),
            "difficulty": f.difficulty.as_ref().map(Rank::name),
            "type": f.kind.as_ref().map(Rank::name),
            "tags": tags,
        },
    });
    for (key, _, value) in field_texts(audit, f) {
        rule["properties"][key] = value.text().into();
    }
    if let Some(url) = first_link {
        rule["helpUri"] = url.into();
    }
    if let Some(c) = &f.cvss {
        // GitHub code scanning ranks security alerts by this property.
        rule["properties"]["security-severity"] = format!("{:.1}", c.score).into();
        rule["properties"]["cvss"] = c.vector.clone().into();
    }
    rule
}

/// The SARIF results of a finding: one per location in the code, or one
/// without a location.
fn sarif_results(
    audit: &Audit,
    f: &Finding,
    index: usize,
    first_link: Option<&str>,
) -> Vec<serde_json::Value> {
    let meta = &audit.meta;
    let mut results = Vec::new();
    let message = json!({ "text": format!("{}: {}", f.id, f.title_text) });
    let located: Vec<_> = f
        .targets
        .iter()
        .filter_map(|t| forge::location(&meta.targets, t).map(|at| (t, at)))
        .collect();
    let base = |fp: String| {
        let mut r = json!({
            "ruleId": f.id,
            "ruleIndex": index,
            "level": level(audit, &f.severity),
            "message": message,
            "partialFingerprints": { "auditpressFinding/v1": fp },
            "properties": { "number": f.number, "status": f.status.as_ref().map(Rank::name) },
        });
        if let Some(url) = first_link {
            r["properties"]["url"] = url.into();
        }
        r
    };
    if located.is_empty() {
        results.push(base(fingerprint(&[&f.id])));
    }
    for (text, at) in located {
        let mut r = base(fingerprint(&[
            &f.id,
            at.path,
            &at.start.to_string(),
            &at.end.to_string(),
        ]));
        let mut physical = json!({
            "artifactLocation": { "uri": at.path.trim_start_matches('/') },
            "region": { "startLine": at.start.max(1), "endLine": at.end.max(at.start).max(1) },
        });
        if let Some(target) = at.target {
            physical["artifactLocation"]["uriBaseId"] = target.name.clone().into();
        }
        r["locations"] = json!([{ "physicalLocation": physical }]);
        if let Some(url) = forge::permalink(&meta.targets, text) {
            r["properties"]["url"] = url.into();
        }
        results.push(r);
    }
    results
}

/// Returns the findings as SARIF 2.1.0: one rule per finding, one result per
/// location (a finding without a location in the code gets one result without one).
pub fn sarif(audit: &Audit) -> serde_json::Value {
    let meta = &audit.meta;
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for (index, f) in audit.findings.iter().enumerate() {
        let first_link = f
            .targets
            .iter()
            .find_map(|t| forge::permalink(&meta.targets, t));
        let rule = sarif_rule(audit, f, first_link.as_deref());
        rules.push(rule);
        results.extend(sarif_results(audit, f, index, first_link.as_deref()));
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "auditpress",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/auditpress/auditpress",
                    "organization": meta.vendor,
                    "rules": rules,
                }
            },
            "automationDetails": { "id": format!("{}/{}", meta.title, meta.version) },
            "results": results,
        }]
    })
}

/// Returns one Markdown document of all findings, for an issue tracker or an
/// advisory. Every plain-text value is escaped, so that it reads back as
/// the text it is (a title `<script>` is text, never HTML); targets are code
/// spans and link targets that their text cannot break out of.
pub fn markdown_document(audit: &Audit) -> String {
    use markdown::escape;
    let meta = &audit.meta;
    let mut out = format!(
        "# {} {}: findings\n\n{}, version {}, {}.\n",
        escape(&meta.title),
        escape(&meta.subtitle),
        escape(&meta.vendor),
        escape(&meta.version),
        meta.date
    );
    let style = &audit.style;
    let header = [
        style.text("column.id"),
        style.text("label.severity"),
        &style.difficulty_label,
        style.text("column.type"),
        style.text("column.status"),
    ]
    .map(escape)
    .join(" | ");
    for f in &audit.findings {
        out.push_str(&format!(
            "\n## {}. {}\n\n| {header} |\n|---|---|---|---|---|\n| {} | {} | {} | {} | {} |\n",
            f.number,
            markdown::inlines(&f.title),
            escape(&f.id),
            escape(f.severity.name()),
            escape(name(&f.difficulty)),
            escape(name(&f.kind)),
            escape(name(&f.status)),
        ));
        if !f.targets.is_empty() {
            let targets: Vec<String> = f
                .targets
                .iter()
                .map(|t| match forge::permalink(&meta.targets, t) {
                    Some(url) => format!(
                        "[{}](<{}>)",
                        markdown::code_span(t),
                        markdown::link_target(&url)
                    ),
                    None => markdown::code_span(t),
                })
                .collect();
            out.push_str(&format!("\n**Targets:** {}\n", targets.join(", ")));
        }
        for (_, label, value) in field_texts(audit, f) {
            out.push_str(&format!(
                "\n**{}:** {}\n",
                escape(label),
                escape(&value.text())
            ));
        }
        // Code fences as other renderers read them: the language alone.
        for (_, heading, text) in prose_as(audit, f, markdown::document_blocks) {
            if !text.is_empty() {
                out.push_str(&format!("\n### {}\n\n{text}\n", escape(heading)));
            }
        }
    }
    out
}

//! SARIF results imported as draft findings, one per rule.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::diag::Diagnostics;
use crate::export::markdown::escape;
use crate::load::sarif::LEVELS;
use crate::load::{self, sarif};
use crate::model::{Audit, Style};

use super::{
    Heads, Ids, Imported, demote_headings, finding_file, given, placeholder_type, plural,
    unlink_images, write_all,
};
use crate::input;
use crate::model::front::FrontMatter;

/// How SARIF results are imported.
pub struct SarifOptions {
    /// The least serious level imported: error, warning, note or none.
    pub min_level: String,
    /// The checkout the results point into, to read code from.
    pub source: Option<PathBuf>,
}

/// Tells whether a SARIF URI is a plain relative path that stays where it is put.
fn relative_path(uri: &str) -> Option<PathBuf> {
    let path = uri.strip_prefix("file://").unwrap_or(uri);
    if path.contains("://") || path.starts_with('/') || path.contains('\\') {
        return None;
    }
    let path = PathBuf::from(
        percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .as_ref(),
    );
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then_some(path)
}

/// Most lines of code a draft shows from one region.
const MAX_EXCERPT_LINES: u32 = 200;

/// Reads lines `start..=end` of a file inside the source checkout (at most
/// [`MAX_EXCERPT_LINES`] are asked for), through
/// the one reader; `None` when the file leaves the checkout (through `..` or
/// a symbolic link), is not a regular file, or cannot be read as text.
fn source_lines(source: &Path, path: &Path, start: u32, end: u32) -> Option<String> {
    let bytes = input::read_inside(source, &source.join(path), load::MAX_FILE_BYTES).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let count = end.saturating_sub(start).saturating_add(1);
    let lines: Vec<&str> = text
        .lines()
        .skip(start.saturating_sub(1) as usize)
        .take(count as usize)
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The lines `start..=end` a region names; an error when they make no
/// sense (a line 0, an end before the start). A location without a region
/// is its file's first line.
fn region_lines(region: Option<&sarif::Region>) -> Result<(u32, u32), String> {
    let start = region.and_then(|r| r.start_line).unwrap_or(1);
    let end = region.and_then(|r| r.end_line).unwrap_or(start);
    if start == 0 || end < start {
        return Err(format!("startLine {start}, endLine {end}"));
    }
    Ok((start, end))
}

/// Returns a code block's language from a file name.
fn language(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "py" => "python",
        "go" => "go",
        "rs" => "rust",
        "js" | "mjs" | "cjs" => "javascript",
        "ts" => "typescript",
        "java" => "java",
        "c" | "h" => "c",
        "cc" | "cpp" | "hpp" => "cpp",
        "rb" => "ruby",
        "sol" => "solidity",
        "sh" => "bash",
        _ => "",
    }
}

/// Writes text as a fenced code block, with a fence longer than any run of backticks in it.
fn fenced(lang: &str, start: u32, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let attributes = if start > 1 {
        format!(" {{start={start}}}")
    } else {
        String::new()
    };
    format!(
        "{fence}{lang}{attributes}\n{}\n{fence}",
        code.trim_end_matches('\n')
    )
}

/// The severity a scanner level maps to, by the SARIF levels of the style's
/// severities: an error is the least severe level marked error (High rather
/// than Critical), a warning or note the most severe level so marked, and a
/// result without a level the least severe level marked note.
fn severity_of(style: &Style, level: &str) -> String {
    let levels = &style.severity.levels;
    let marked = |s: &'static str| levels.iter().filter(move |l| l.sarif.as_deref() == Some(s));
    let found = match level {
        "error" => marked("error").next_back(),
        "warning" => marked("warning").next(),
        "note" => marked("note").next(),
        _ => marked("note").next_back(),
    };
    found
        .map(|l| l.name.clone())
        .unwrap_or_else(|| style.severity.draft_name())
}

/// Rule ids the folder's findings (drafts included) already came from.
fn imported_rules(audit: &Audit, dir: &Path) -> BTreeSet<String> {
    let mut rules: BTreeSet<String> = audit
        .findings
        .iter()
        .flat_map(|f| f.sarif.clone())
        .collect();
    // Drafts are left out of the audit; read their front matter's `sarif` too.
    for id in &audit.drafts {
        let path = dir.join(format!("findings/{id}.md"));
        let text = input::read_inside(dir, &path, load::MAX_FILE_BYTES)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        if let Some(front) = load::peek::front_matter(&text) {
            rules.extend(front.sarif.into_iter().flatten());
        }
    }
    rules
}

/// Imports SARIF results as draft findings, one per rule with results at or
/// above the minimum level, and copies the logs into scans/. Nothing is
/// written when a file cannot be read, and the files are written all or none.
pub fn sarif(files: &[PathBuf], dir: &Path, audit: &Audit, options: &SarifOptions) -> Imported {
    let mut out = Imported::default();
    let logs = read_logs(files, &mut out.diagnostics);
    if out.diagnostics.has_errors() {
        return out;
    }
    let min = LEVELS
        .iter()
        .position(|l| *l == options.min_level)
        .unwrap_or(1);
    let mut ids = Ids::new(dir, audit);
    let done = imported_rules(audit, dir);
    let single_target = match audit.meta.targets.as_slice() {
        [one] => Some(one.name.clone()),
        _ => None,
    };
    let mut to_write: Vec<(String, String)> = Vec::new();
    let mut shown: Vec<String> = Vec::new();
    for (file, (log, _)) in &logs {
        for run in &log.runs {
            let tool = &run.tool.driver.name;
            for rule_id in rule_ids(run, min) {
                let results: Vec<&sarif::SarifResult> = run
                    .results
                    .iter()
                    .filter(|r| run.rule_id(r).as_deref() == Some(rule_id.as_str()))
                    .collect();
                if done.contains(&rule_id) {
                    out.skipped.push(format!(
                        "{tool} rule {rule_id}: a finding already came from it ({} not added)",
                        plural(results.len(), "result")
                    ));
                    continue;
                }
                let rule = Rule {
                    tool,
                    id: &rule_id,
                    run,
                    results: &results,
                    log: file,
                };
                let found = locate(
                    &rule,
                    options,
                    single_target.as_deref(),
                    &mut out.diagnostics,
                );
                let id = ids.take();
                let text = draft(&audit.style, &rule, &found, &id, &mut out.diagnostics);
                no_target(&rule, &found, &id, &mut out.diagnostics);
                to_write.push((format!("findings/{id}.md"), text));
                shown.push(format!(
                    "findings/{id}.md ({tool} rule {rule_id}, {})",
                    plural(results.len(), "result")
                ));
            }
        }
    }
    for (file, (_, text)) in &logs {
        match scan_copy(dir, file, text, &to_write) {
            Some(rel) => {
                shown.push(rel.clone());
                to_write.push((rel, text.clone()));
            }
            None => out
                .skipped
                .push(format!("{}: already in scans/", file.display())),
        }
    }
    match write_all(dir, &to_write) {
        Ok(()) => out.written = shown,
        Err(e) => {
            out.diagnostics.error(None, e);
        }
    }
    out
}

/// Reads and parses every SARIF file; each that cannot be is an error.
fn read_logs<'f>(
    files: &'f [PathBuf],
    diagnostics: &mut Diagnostics,
) -> Vec<(&'f PathBuf, (sarif::Log, String))> {
    let mut logs = Vec::new();
    for file in files {
        let parsed = load::read_input(file).and_then(|text| {
            sarif::parse(&text).map(|log| (log, text)).map_err(|e| {
                let at =
                    e.at.map_or(String::new(), |(l, c)| format!(" at line {l}, column {c}"));
                (format!("{}: {}{at}", file.display(), e.message), e.hint)
            })
        });
        match parsed {
            Ok(log) => logs.push((file, log)),
            Err((message, hint)) => {
                diagnostics.error(None, message).add_hint(hint);
            }
        }
    }
    logs
}

/// The rule ids of a run with results at or above the minimum level, in order.
fn rule_ids(run: &sarif::Run, min: usize) -> Vec<String> {
    let mut rules: Vec<String> = Vec::new();
    for r in &run.results {
        if let Some(id) = run.rule_id(r)
            && LEVELS.iter().position(|l| *l == run.level(r)).unwrap_or(3) <= min
            && !rules.contains(&id)
        {
            rules.push(id);
        }
    }
    rules
}

/// One rule of a run with its results: what becomes one draft finding.
struct Rule<'a> {
    tool: &'a str,
    id: &'a str,
    run: &'a sarif::Run,
    results: &'a [&'a sarif::SarifResult],
    /// The SARIF file it came from.
    log: &'a Path,
}

/// What a rule's results say: the places, the first piece of code shown, and
/// the messages, each once.
#[derive(Default)]
struct Found<'a> {
    targets: Vec<String>,
    /// Locations skipped with a warning: a finding left with no target says so.
    skipped: usize,
    /// The code, its first line's number, its path and its language.
    code: Option<(String, u32, String, &'static str)>,
    messages: Vec<&'a str>,
}

/// Reads the locations and messages of a rule's results; a location that is
/// not a path inside the source is skipped with a warning and never read.
fn locate<'a>(
    rule: &Rule<'a>,
    options: &SarifOptions,
    single_target: Option<&str>,
    diagnostics: &mut Diagnostics,
) -> Found<'a> {
    let (tool, rule_id) = (rule.tool, rule.id);
    let mut found = Found::default();
    for r in rule.results {
        if let Some(text) = r.message.text.as_deref().filter(|t| !t.trim().is_empty())
            && !found.messages.contains(&text)
        {
            found.messages.push(text);
        }
        for loc in r
            .locations
            .iter()
            .filter_map(|l| l.physical_location.as_ref())
        {
            let Some(uri) = loc
                .artifact_location
                .as_ref()
                .and_then(|a| a.uri.as_deref())
            else {
                continue;
            };
            let region = loc.region.as_ref();
            let (start, end) = match region_lines(region) {
                Ok(lines) => lines,
                Err(lines) => {
                    diagnostics
                        .warning(None, format!("{}: the region of \"{uri}\" of {tool} rule {rule_id} ({lines}) names no lines; the location was skipped", rule.log.display()))
                        .add_hint("SARIF lines count from 1, and a region ends at or after its start");
                    found.skipped += 1;
                    continue;
                }
            };
            let last_shown = start.saturating_add(MAX_EXCERPT_LINES - 1);
            let Some(path) = relative_path(uri) else {
                diagnostics
                    .warning(None, format!("skipped location \"{uri}\" of {tool} rule {rule_id}: it is not a path inside the source"))
                    .add_hint("SARIF locations must be relative paths; this one was neither imported nor read");
                found.skipped += 1;
                continue;
            };
            let shown = path.display().to_string();
            // A link that leaves the checkout is skipped before anything is read.
            if let Some(source) = &options.source {
                let inside = fs::canonicalize(source)
                    .ok()
                    .zip(fs::canonicalize(source.join(&path)).ok());
                if inside.is_some_and(|(root, real)| !real.starts_with(root)) {
                    diagnostics
                        .warning(None, format!("skipped location \"{uri}\" of {tool} rule {rule_id}: it leads outside --source"))
                        .add_hint("a symbolic link in the checkout points elsewhere; the file was not read");
                    found.skipped += 1;
                    continue;
                }
            }
            let located = located(single_target, &shown, start, end);
            if !found.targets.contains(&located) {
                found.targets.push(located);
            }
            if found.code.is_none() {
                let snippet = region
                    .and_then(|r| r.snippet.as_ref())
                    .and_then(|s| s.text.clone())
                    .filter(|s| !s.trim().is_empty());
                let lines = snippet.or_else(|| {
                    options
                        .source
                        .as_deref()
                        .and_then(|s| source_lines(s, &path, start, end.min(last_shown)))
                });
                // A snippet is bounded as the lines read are.
                let lines = lines.map(|c| {
                    c.lines()
                        .take(MAX_EXCERPT_LINES as usize)
                        .collect::<Vec<_>>()
                        .join("\n")
                });
                found.code = lines.map(|c| (c, start, shown.clone(), language(&path)));
            }
        }
    }
    found
}

/// A target as FORMAT writes it: `target/path#40` for one line, `#40–52`
/// for a range.
fn located(single_target: Option<&str>, path: &str, start: u32, end: u32) -> String {
    let lines = if start == end {
        start.to_string()
    } else {
        format!("{start}–{end}")
    };
    match single_target {
        Some(t) => format!("{t}/{path}#{lines}"),
        None => format!("{path}#{lines}"),
    }
}

/// Warns of a finding left with no target because each of its rule's
/// locations was skipped: written without one, never in silence.
fn no_target(rule: &Rule, found: &Found, id: &str, diagnostics: &mut Diagnostics) {
    if !found.targets.is_empty() || found.skipped == 0 {
        return;
    }
    let which = match found.skipped {
        1 => "the one location".to_string(),
        n => format!("all {n} locations"),
    };
    let verb = if found.skipped == 1 { "was" } else { "were" };
    diagnostics
        .warning(
            None,
            format!(
                "{id} has no target: {which} of {} rule {} {verb} skipped",
                rule.tool, rule.id
            ),
        )
        .add_hint(format!(
            "give it a target by hand: `target = \"path#line\"` in findings/{id}.md"
        ));
}

/// The text of the draft finding of a rule.
fn draft(
    style: &Style,
    rule: &Rule,
    found: &Found,
    id: &str,
    diagnostics: &mut Diagnostics,
) -> String {
    let (tool, results) = (rule.tool, rule.results);
    let run = rule.run;
    let level = results
        .iter()
        .map(|r| run.level(r))
        .min_by_key(|l| LEVELS.iter().position(|x| x == l).unwrap_or(3));
    let described = results.first().and_then(|r| run.rule(r));
    let title = described
        .and_then(|r| r.short_description.as_ref()?.text.clone())
        .or_else(|| described.and_then(|r| r.name.clone()))
        .unwrap_or_else(|| rule.id.to_string());
    let front = FrontMatter {
        id: Some(id.to_string()),
        title: Some(title.trim().to_string()),
        severity: Some(severity_of(style, level.unwrap_or("warning"))),
        difficulty: given(style.difficulty.draft_name()),
        kind: given(placeholder_type(style)),
        target: given(found.targets.join("; ")),
        exclude: Some(true),
        sarif: Some(vec![rule.id.to_string()]),
        ..FrontMatter::default()
    };
    let mut body = format!("## {}\n\n", Heads::of(style).first);
    // The rule's help is Markdown by its authors; everything else the
    // scanner wrote is quoted as text.
    match described.and_then(|r| r.help.as_ref()) {
        Some(sarif::Message {
            markdown: Some(md), ..
        }) => {
            let (help, images) = unlink_images(&demote_headings(md.trim()));
            if images > 0 {
                diagnostics
                    .warning(None, format!("{}: the help of {} rule {} has {} outside the folder; {} a link in {id}", rule.log.display(), rule.tool, rule.id, plural(images, "image"), if images == 1 { "it became" } else { "each became" }))
                    .add_hint("a report shows only images of its folder: download one into images/ and write ![...](images/NAME.png) to show it");
            }
            body.push_str(&help);
        }
        Some(sarif::Message { text: Some(t), .. }) => body.push_str(&escape(t.trim())),
        _ => {
            let full = described.and_then(|r| r.full_description.as_ref()?.text.clone());
            body.push_str(&escape(full.as_deref().unwrap_or(&title).trim()));
        }
    }
    body.push_str("\n\n");
    // The results' own messages, where they say more than the rule.
    let rule_text = described
        .and_then(|r| r.help.as_ref()?.text.clone())
        .unwrap_or_default();
    for m in found
        .messages
        .iter()
        .filter(|m| m.trim() != rule_text.trim())
    {
        body.push_str(&format!("{tool} reported: {}\n\n", escape(m.trim())));
    }
    if let Some((lines, start, path, lang)) = &found.code {
        body.push_str(&fenced(lang, *start, lines));
        body.push_str(&format!(
            "\n*Figure: {}*\n",
            escape(&format!("{path} as {tool} reported it"))
        ));
    }
    let note = format!(
        "Imported from {} by auditpress import; triage it, set its type and difficulty, then remove exclude = true to put it in the report.",
        rule.log
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned())
    );
    finding_file(&front, &note, &body)
}

/// Where a SARIF file is copied in scans/ (a name no file there or of this
/// import has); `None` when the same bytes are there already.
fn scan_copy(dir: &Path, file: &Path, text: &str, planned: &[(String, String)]) -> Option<String> {
    let name = file
        .file_stem()
        .map_or("scan".into(), |s| s.to_string_lossy().into_owned());
    for n in 1.. {
        let rel = if n == 1 {
            format!("scans/{name}.sarif")
        } else {
            format!("scans/{name}-{n}.sarif")
        };
        if let Some((_, same)) = planned.iter().find(|(r, _)| *r == rel) {
            if same == text {
                return None;
            }
            continue;
        }
        let path = dir.join(&rel);
        if fs::symlink_metadata(&path).is_err() {
            return Some(rel);
        }
        // A name taken by a file that cannot be read (a link out of the
        // folder, a FIFO) is passed over, never opened.
        if input::read_inside(dir, &path, load::MAX_FILE_BYTES).is_ok_and(|b| b == text.as_bytes())
        {
            return None;
        }
    }
    unreachable!("a free name is found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_path_is_percent_decoded_before_it_is_checked() {
        let path = |uri: &str| relative_path(uri).map(|p| p.display().to_string());
        assert_eq!(path("src/my%20file.py").as_deref(), Some("src/my file.py"));
        assert_eq!(path("file://caf%C3%A9.py").as_deref(), Some("café.py"));
        assert_eq!(path("100%25/a%zz.py").as_deref(), Some("100%/a%zz.py"));
        // Escaped dots are dots: the path climbs out, and is refused.
        assert_eq!(path("%2e%2e/%2E%2E/secret"), None);
        assert_eq!(path("/etc/passwd"), None);
    }
}

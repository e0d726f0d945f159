//! Imports: draft findings from scanner output (SARIF) and from a tracker's
//! issues (`gh issue list --json ...`), written into an audit folder.
//!
//! These files are someone else's output, so they stay data: the front matter
//! is written by the TOML serialiser, never by pasting text into TOML; a
//! scanner's messages are escaped so that they print as written, never as
//! Markdown (the rule's help, which is Markdown, is kept as such); a location
//! that leaves the source checkout is skipped and never read. An import writes
//! new files only: it never changes a file of the folder, so an auditor's
//! edits to an earlier draft are safe, and running it again adds only what is new.

pub mod library;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::diag::Diagnostics;
use crate::export::markdown::escape;
use crate::load::{self, sarif};
use crate::model::style::{Scale, same_name};
use crate::model::{Audit, Style};
use crate::output::write_new_atomic;

/// What an import did, for the user.
#[derive(Default)]
pub struct Imported {
    /// Files written, relative to the audit folder.
    pub written: Vec<String>,
    /// What was left out, and why.
    pub skipped: Vec<String>,
    /// Problems: warnings, or the errors that stopped the import.
    pub diagnostics: Diagnostics,
}

/// How SARIF results are imported.
pub struct SarifOptions {
    /// The least serious level imported: error, warning, note or none.
    pub min_level: String,
    /// The checkout the results point into, to read code from.
    pub source: Option<PathBuf>,
}

/// Front matter of a draft finding, written by the TOML serialiser.
#[derive(Serialize)]
struct Front {
    id: String,
    title: String,
    severity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    difficulty: String,
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    target: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    draft: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sarif: Vec<String>,
    /// The issue it was imported from, for `import github` to skip it next time.
    #[serde(skip_serializing_if = "String::is_empty")]
    issue: String,
}

/// The type a draft gets until the auditor sets it: the style's `draft`
/// type (nothing when types are free text).
fn placeholder_type(style: &Style) -> String {
    if style.kind_free {
        return String::new();
    }
    style.kind.draft_name()
}

/// Writes a finding file: front matter (after a one-line comment), then the write-up.
fn finding_file(front: &Front, note: &str, body: &str) -> String {
    let toml = toml::to_string(front).expect("front matter serialises");
    // The note may hold a file name: keep it one line of comment.
    let note: String = note
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!("+++\n# {note}\n{toml}+++\n\n{body}")
}

/// Moves every heading of text written elsewhere under a finding's
/// sections: one level down, and never above `###`, so that it never opens
/// a `##` section the finding does not have (`#` lines in code stay).
fn demote_headings(markdown: &str) -> String {
    load::markdown::set_heading_levels(markdown, |level, _| (level + 1).max(3))
}

/// Returns the next free ids `<prefix>-<n>` of a folder, in order.
pub struct Ids {
    prefix: String,
    /// Digits the firm's numbers are padded to (0: not padded).
    width: usize,
    next: u64,
    taken: BTreeSet<String>,
}

impl Ids {
    fn new(dir: &Path, audit: &Audit) -> Self {
        let prefix = audit
            .meta
            .id_prefix
            .clone()
            .unwrap_or_else(|| "DRAFT".into());
        let mut known: BTreeSet<String> = audit.findings.iter().map(|f| f.id.clone()).collect();
        known.extend(audit.drafts.iter().cloned());
        Self::for_folder(dir, prefix, known)
    }

    /// The ids after `known` and the findings/*.md files of a folder.
    pub fn for_folder(dir: &Path, prefix: String, mut taken: BTreeSet<String>) -> Self {
        if let Ok(entries) = fs::read_dir(dir.join("findings")) {
            taken.extend(
                entries
                    .flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter_map(|n| n.strip_suffix(".md").map(str::to_string)),
            );
        }
        let numbers: Vec<&str> = taken
            .iter()
            .filter_map(|id| id.strip_prefix(&format!("{prefix}-")))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        let next = numbers
            .iter()
            .filter_map(|n| n.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        // A firm that pads its numbers (`EX-PT-26-04`) gets padded ids.
        let width = numbers
            .iter()
            .filter(|n| n.starts_with('0'))
            .map(|n| n.len())
            .max()
            .unwrap_or(0);
        Self {
            prefix,
            width,
            next,
            taken,
        }
    }

    /// The next free id, taken.
    pub fn take(&mut self) -> String {
        loop {
            let id = format!("{}-{:0width$}", self.prefix, self.next, width = self.width);
            self.next += 1;
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

/// Tells whether a SARIF URI is a plain relative path that stays where it is put.
fn relative_path(uri: &str) -> Option<PathBuf> {
    let path = uri.strip_prefix("file://").unwrap_or(uri);
    if path.contains("://") || path.starts_with('/') || path.contains('\\') {
        return None;
    }
    let path = PathBuf::from(percent_decode(path));
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then_some(path)
}

/// Undoes `%XX` escapes of a URI path.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(n) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(n);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Reads lines `start..=end` of a file inside the source checkout; `None` when
/// the file leaves the checkout (through `..` or a symbolic link) or cannot be read.
fn source_lines(source: &Path, path: &Path, start: u32, end: u32) -> Option<String> {
    let root = fs::canonicalize(source).ok()?;
    let real = fs::canonicalize(root.join(path)).ok()?;
    if !real.starts_with(&root) || !real.is_file() {
        return None;
    }
    let text = load::read_input(&real).ok()?;
    let lines: Vec<&str> = text
        .lines()
        .skip(start.saturating_sub(1) as usize)
        .take((end.max(start) - start + 1) as usize)
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
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
        let text = fs::read_to_string(dir.join(format!("findings/{id}.md"))).unwrap_or_default();
        if let Some(front) = text
            .strip_prefix("+++")
            .and_then(|rest| rest.split_once("\n+++"))
            .and_then(|(front, _)| front.parse::<toml::Table>().ok())
            && let Some(list) = front.get("sarif").and_then(|v| v.as_array())
        {
            rules.extend(list.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
    }
    rules
}

/// Imports SARIF results as draft findings, one per rule with results at or
/// above the minimum level. Nothing is written when a file cannot be read.
pub fn sarif(files: &[PathBuf], dir: &Path, audit: &Audit, options: &SarifOptions) -> Imported {
    let mut out = Imported::default();
    let order = sarif::LEVELS;
    let min = order
        .iter()
        .position(|l| *l == options.min_level)
        .unwrap_or(1);
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
                out.diagnostics.error(None, message).add_hint(hint);
            }
        }
    }
    if out.diagnostics.has_errors() {
        return out;
    }
    let mut ids = Ids::new(dir, audit);
    let done = imported_rules(audit, dir);
    let single_target = match audit.meta.targets.as_slice() {
        [one] => Some(one.name.clone()),
        _ => None,
    };
    let mut files_to_write: Vec<(String, String)> = Vec::new();
    for (file, (log, _)) in &logs {
        for run in &log.runs {
            let tool = &run.tool.driver.name;
            let mut rules: Vec<String> = Vec::new();
            for r in &run.results {
                if let Some(id) = run.rule_id(r)
                    && order.iter().position(|l| *l == run.level(r)).unwrap_or(3) <= min
                    && !rules.contains(&id)
                {
                    rules.push(id);
                }
            }
            for rule_id in rules {
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
                let rule = results.first().and_then(|r| run.rule(r));
                let level = results
                    .iter()
                    .map(|r| run.level(r))
                    .min_by_key(|l| order.iter().position(|x| x == l).unwrap_or(3));
                let mut targets = Vec::new();
                let mut code = None;
                let mut messages = Vec::new();
                for r in &results {
                    if let Some(text) = r.message.text.as_deref().filter(|t| !t.trim().is_empty())
                        && !messages.contains(&text)
                    {
                        messages.push(text);
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
                        let start = region.and_then(|r| r.start_line).unwrap_or(1);
                        let end = region.and_then(|r| r.end_line).unwrap_or(start).max(start);
                        let Some(path) = relative_path(uri) else {
                            out.diagnostics
                                .warning(None, format!("skipped location \"{uri}\" of {tool} rule {rule_id}: it is not a path inside the source"))
                                .add_hint("SARIF locations must be relative paths; this one was neither imported nor read");
                            continue;
                        };
                        let shown = path.display().to_string();
                        // A link that leaves the checkout is skipped before anything is read.
                        if let Some(source) = &options.source {
                            let inside = fs::canonicalize(source)
                                .ok()
                                .zip(fs::canonicalize(source.join(&path)).ok());
                            if inside.is_some_and(|(root, real)| !real.starts_with(root)) {
                                out.diagnostics
                                    .warning(None, format!("skipped location \"{uri}\" of {tool} rule {rule_id}: it leads outside --source"))
                                    .add_hint("a symbolic link in the checkout points elsewhere; the file was not read");
                                continue;
                            }
                        }
                        let located = match &single_target {
                            Some(t) => format!("{t}/{shown}#{start}–{end}"),
                            None => format!("{shown}#{start}–{end}"),
                        };
                        if !targets.contains(&located) {
                            targets.push(located);
                        }
                        if code.is_none() {
                            let snippet = region
                                .and_then(|r| r.snippet.as_ref())
                                .and_then(|s| s.text.clone())
                                .filter(|s| !s.trim().is_empty());
                            let lines = snippet.or_else(|| {
                                options
                                    .source
                                    .as_deref()
                                    .and_then(|s| source_lines(s, &path, start, end))
                            });
                            code = lines.map(|c| (c, start, shown.clone(), language(&path)));
                        }
                    }
                }
                let id = ids.take();
                let title = rule
                    .and_then(|r| r.short_description.as_ref()?.text.clone())
                    .or_else(|| rule.and_then(|r| r.name.clone()))
                    .unwrap_or_else(|| rule_id.clone());
                let front = Front {
                    id: id.clone(),
                    title: title.trim().to_string(),
                    severity: severity_of(&audit.style, level.unwrap_or("warning")),
                    difficulty: audit.style.difficulty.draft_name(),
                    kind: placeholder_type(&audit.style),
                    target: targets.join("; "),
                    draft: true,
                    sarif: vec![rule_id.clone()],
                    issue: String::new(),
                };
                let mut body = format!("## {}\n\n", Heads::of(&audit.style).first);
                // The rule's help is Markdown by its authors; everything else the
                // scanner wrote is quoted as text.
                match rule.and_then(|r| r.help.as_ref()) {
                    Some(sarif::Message {
                        markdown: Some(md), ..
                    }) => body.push_str(&demote_headings(md.trim())),
                    Some(sarif::Message { text: Some(t), .. }) => body.push_str(&escape(t.trim())),
                    _ => {
                        let full = rule.and_then(|r| r.full_description.as_ref()?.text.clone());
                        body.push_str(&escape(full.as_deref().unwrap_or(&title).trim()));
                    }
                }
                body.push_str("\n\n");
                // The results' own messages, where they say more than the rule.
                let rule_text = rule
                    .and_then(|r| r.help.as_ref()?.text.clone())
                    .unwrap_or_default();
                for m in messages.iter().filter(|m| m.trim() != rule_text.trim()) {
                    body.push_str(&format!("{tool} reported: {}\n\n", escape(m.trim())));
                }
                if let Some((lines, start, path, lang)) = &code {
                    body.push_str(&fenced(lang, *start, lines));
                    body.push_str(&format!(
                        "\n*Figure: {}*\n",
                        escape(&format!("{path} as {tool} reported it"))
                    ));
                }
                let note = format!(
                    "Imported from {} by auditpress import; triage it, set its type and difficulty, then remove draft = true.",
                    file.file_name()
                        .map_or(String::new(), |n| n.to_string_lossy().into_owned())
                );
                files_to_write.push((
                    format!("findings/{id}.md"),
                    finding_file(&front, &note, &body),
                ));
                out.written.push(format!(
                    "findings/{id}.md ({tool} rule {rule_id}, {})",
                    plural(results.len(), "result")
                ));
            }
        }
    }
    for (rel, text) in files_to_write {
        if let Err(e) = write_new(dir, &rel, &text) {
            out.diagnostics.error(None, e);
            return out;
        }
    }
    for (file, (_, text)) in &logs {
        match copy_scan(dir, file, text) {
            Ok(Some(rel)) => out.written.push(rel),
            Ok(None) => out
                .skipped
                .push(format!("{}: already in scans/", file.display())),
            Err(e) => {
                out.diagnostics.error(None, e);
            }
        }
    }
    out
}

/// `1 result`, `2 results`.
fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Writes a file that must not exist yet.
/// Writes a new file at `rel` inside the audit folder, never outside it and
/// never over a file that exists.
fn write_new(dir: &Path, rel: &str, text: &str) -> Result<(), String> {
    let plain = Path::new(rel)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(format!(
            "{rel} would leave the audit folder; nothing was written there"
        ));
    }
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {} ({e})", parent.display()))?;
    }
    write_new_atomic(&path, text.as_bytes()).map_err(|e| e.to_string())
}

/// Copies a SARIF file into scans/, unless the same bytes are there; returns the path written.
fn copy_scan(dir: &Path, file: &Path, text: &str) -> Result<Option<String>, String> {
    let name = file
        .file_stem()
        .map_or("scan".into(), |s| s.to_string_lossy().into_owned());
    for n in 1.. {
        let rel = if n == 1 {
            format!("scans/{name}.sarif")
        } else {
            format!("scans/{name}-{n}.sarif")
        };
        let path = dir.join(&rel);
        match fs::read_to_string(&path) {
            Ok(existing) if existing == text => return Ok(None),
            Ok(_) => continue,
            Err(_) => return write_new(dir, &rel, text).map(|()| Some(rel)),
        }
    }
    unreachable!("a free name is found")
}

/// An issue as `gh issue list --json number,title,body,labels,state,url` writes it.
#[derive(serde::Deserialize)]
struct Issue {
    number: u64,
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    labels: Vec<Label>,
    #[serde(default)]
    url: String,
}

#[derive(serde::Deserialize)]
struct Label {
    name: String,
}

/// Finds a scale's value in labels: `severity: high`, `sev/high`, `High`.
fn from_labels(scale: &Scale, labels: &[Label], keys: &[&str]) -> Option<String> {
    labels.iter().find_map(|l| {
        let name = l.name.trim();
        let value = keys
            .iter()
            .find_map(|k| {
                let rest = name.get(k.len()..)?;
                name.get(..k.len())
                    .is_some_and(|prefix| same_name(prefix, k))
                    .then(|| rest.trim_start_matches([':', '/', '=', ' ']))
                    .filter(|r| r.len() < rest.len())
            })
            .unwrap_or(name);
        scale.find(value).map(|r| r.name)
    })
}

/// The `##` headings a draft of the house style may use: the heading its
/// text goes under (the first section's), the references section's if the
/// style has one, and every heading the loader accepts.
struct Heads {
    first: String,
    references: Option<String>,
    known: Vec<String>,
}

impl Heads {
    fn of(style: &Style) -> Heads {
        let defs = &style.finding.sections;
        let title = |d| style.section_title(d).to_string();
        let mut known: Vec<String> = defs.iter().map(title).collect();
        known.extend(defs.iter().filter_map(|d| d.english().map(String::from)));
        Heads {
            first: defs.first().map_or_else(|| "Description".into(), title),
            references: defs.iter().find(|d| d.key == "references").map(title),
            known,
        }
    }

    fn knows(&self, heading: &str) -> bool {
        self.known.iter().any(|k| same_name(k, heading))
    }
}

/// The issue URLs the findings of a folder were imported from: `issue` of
/// their front matter, and (for drafts of earlier versions) the targets of
/// their `](<...>)` links. Compared whole: issue #1 is not issue #12.
fn imported_issues(dir: &Path) -> BTreeSet<String> {
    let mut urls = BTreeSet::new();
    for text in fs::read_dir(dir.join("findings"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| fs::read_to_string(e.path()).ok())
    {
        if let Some(url) = load::library::front_matter(&text)
            .as_ref()
            .and_then(|t| t.get("issue"))
            .and_then(|v| v.as_str())
        {
            urls.insert(url.to_string());
        }
        for part in text.split("](<").skip(1) {
            if let Some(end) = part.find(">)") {
                urls.insert(part[..end].replace("%3E", ">"));
            }
        }
    }
    urls
}

/// Imports GitHub issues as findings: the title, the body as the write-up,
/// labels as severity, difficulty and type, the URL as a reference. Issues
/// whose labels give no severity become drafts, with a warning.
pub fn github(file: &Path, dir: &Path, audit: &Audit) -> Imported {
    let mut out = Imported::default();
    let hint = "give the output of `gh issue list --json number,title,body,labels,state,url`";
    let issues: Vec<Issue> = match load::read_input(file) {
        Err((message, h)) => {
            out.diagnostics.error(None, message).add_hint(h);
            return out;
        }
        Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Err(e) => {
                out.diagnostics
                    .error(
                        None,
                        format!(
                            "{}: invalid JSON at line {}, column {} ({e})",
                            file.display(),
                            e.line(),
                            e.column()
                        ),
                    )
                    .add_hint(hint);
                return out;
            }
            Ok(serde_json::Value::Array(items)) => {
                match items
                    .into_iter()
                    .map(serde_json::from_value)
                    .collect::<Result<Vec<Issue>, _>>()
                {
                    Ok(list) => list,
                    Err(e) => {
                        out.diagnostics
                            .error(
                                None,
                                format!("{}: not a list of issues ({e})", file.display()),
                            )
                            .add_hint(hint);
                        return out;
                    }
                }
            }
            Ok(_) => {
                out.diagnostics
                    .error(
                        None,
                        format!(
                            "{}: not a list of issues (the file holds no JSON array)",
                            file.display()
                        ),
                    )
                    .add_hint(hint);
                return out;
            }
        },
    };
    let existing = imported_issues(dir);
    let mut ids = Ids::new(dir, audit);
    let mut files_to_write = Vec::new();
    for issue in issues {
        if !issue.url.is_empty() && existing.contains(issue.url.as_str()) {
            out.skipped.push(format!(
                "issue #{}: already imported ({})",
                issue.number, issue.url
            ));
            continue;
        }
        let style = &audit.style;
        let axis = style.difficulty_label.to_lowercase();
        let severity = from_labels(&style.severity, &issue.labels, &["severity", "sev"]);
        let difficulty = from_labels(
            &style.difficulty,
            &issue.labels,
            &[&axis, "difficulty", "diff"],
        );
        let kind = if style.kind_free {
            None
        } else {
            from_labels(&style.kind, &issue.labels, &["type", "category"])
        };
        if severity.is_none() {
            out.diagnostics
                .warning(None, format!("issue #{} \"{}\" has no severity label; it is imported as a draft", issue.number, issue.title))
                .add_hint("label it `severity: high` (or `sev/high`, `High`) and import again, or set the severity in the draft");
        }
        let id = ids.take();
        let front = Front {
            id: id.clone(),
            title: issue.title.trim().to_string(),
            draft: severity.is_none(),
            severity: severity.unwrap_or_else(|| style.severity.draft_name()),
            difficulty: difficulty.unwrap_or_else(|| style.difficulty.draft_name()),
            kind: kind.unwrap_or_else(|| placeholder_type(style)),
            target: String::new(),
            sarif: Vec::new(),
            issue: issue.url.clone(),
        };
        let body = issue.body.replace("\r\n", "\n");
        let body = body.trim();
        let found = load::markdown::headings(body);
        let headings: Vec<&str> = found
            .iter()
            .filter(|h| h.level == 2)
            .map(|h| h.title.as_str())
            .collect();
        let heads = Heads::of(style);
        let known = !headings.is_empty() && headings.iter().all(|h| heads.knows(h));
        let mut text = if known {
            // The style's sections stay; any other heading goes under them.
            load::markdown::set_heading_levels(body, |level, title| {
                if level == 2 && heads.knows(title) {
                    2
                } else {
                    level.max(3)
                }
            })
        } else {
            // Other headings would be unknown sections: keep them, one level down.
            format!("## {}\n\n{}", heads.first, demote_headings(body))
        };
        if !issue.url.is_empty() {
            let reference = format!(
                "- [{}](<{}>)",
                escape(&format!("Issue #{}", issue.number)),
                issue.url.replace('>', "%3E")
            );
            // Under the style's references section; a style without one
            // keeps the link at the end of the text.
            match &heads.references {
                Some(r) if known && headings.iter().any(|h| same_name(h, r)) => {
                    text.push_str(&format!("\n{reference}"));
                }
                Some(r) => text.push_str(&format!("\n\n## {r}\n\n{reference}")),
                None => text.push_str(&format!("\n\n{reference}")),
            }
        }
        let note = format!(
            "Imported from issue #{} by auditpress import.",
            issue.number
        );
        files_to_write.push((
            format!("findings/{id}.md"),
            finding_file(&front, &note, &format!("{text}\n")),
        ));
        out.written
            .push(format!("findings/{id}.md (issue #{})", issue.number));
    }
    for (rel, text) in files_to_write {
        if let Err(e) = write_new(dir, &rel, &text) {
            out.diagnostics.error(None, e);
            return out;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::demote_headings;

    #[test]
    fn headings_move_down_but_code_stays() {
        let help = "## Recommendation\nUse X.\n```python\n# a comment\n```\n### Example";
        assert_eq!(
            demote_headings(help),
            "### Recommendation\nUse X.\n```python\n# a comment\n```\n#### Example"
        );
    }
}

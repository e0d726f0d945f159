//! GitHub issues (`gh issue list --json ...`) imported as findings.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use crate::diag::Diagnostics;
use crate::export::markdown::escape;
use crate::load;
use crate::model::Audit;
use crate::model::Style;
use crate::model::style::{Scale, same_name};

use super::{
    Heads, Ids, Imported, demote_headings, finding_file, given, placeholder_type, plural,
    unlink_images, write_all,
};
use crate::input;
use crate::model::front::FrontMatter;

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

/// The issue URLs the findings of a folder were imported from: `issue` of
/// their front matter, and (for drafts of earlier versions) the targets of
/// their `](<...>)` links. Compared whole: issue #1 is not issue #12. Only
/// the folder's finding files are read, through the one reader: a FIFO, a
/// device or a link out of the folder is never opened, and is reported.
fn imported_issues(dir: &Path, diagnostics: &mut Diagnostics) -> BTreeSet<String> {
    let mut urls = BTreeSet::new();
    let mut paths: Vec<_> = fs::read_dir(dir.join("findings"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    paths.sort();
    for path in paths {
        let text = match input::read_inside(dir, &path, load::MAX_FILE_BYTES) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(refused) => {
                let shown = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                let (message, hint) = refused.explain(&shown);
                diagnostics
                    .warning(None, format!("{message}; not read to find earlier imports"))
                    .add_hint(hint);
                continue;
            }
        };
        if let Some(url) = load::peek::front_matter(&text).and_then(|f| f.issue) {
            urls.insert(url);
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
/// whose labels give no severity become drafts, with a warning. The files
/// are written all or none.
pub fn github(file: &Path, dir: &Path, audit: &Audit) -> Imported {
    let mut out = Imported::default();
    let Some(issues) = read_issues(file, &mut out.diagnostics) else {
        return out;
    };
    let existing = imported_issues(dir, &mut out.diagnostics);
    let mut ids = Ids::new(dir, audit);
    let mut files = Vec::new();
    let mut shown = Vec::new();
    for issue in issues {
        if !issue.url.is_empty() && existing.contains(issue.url.as_str()) {
            out.skipped.push(format!(
                "issue #{}: already imported ({})",
                issue.number, issue.url
            ));
            continue;
        }
        let id = ids.take();
        let text = finding_of(&audit.style, &issue, &id, &mut out.diagnostics);
        files.push((format!("findings/{id}.md"), text));
        shown.push(format!("findings/{id}.md (issue #{})", issue.number));
    }
    match write_all(dir, &files) {
        Ok(()) => out.written = shown,
        Err(e) => {
            out.diagnostics.error(None, e);
        }
    }
    out
}

/// Reads the issue list; None when it cannot be read (the error is reported).
fn read_issues(file: &Path, diagnostics: &mut Diagnostics) -> Option<Vec<Issue>> {
    let hint = "give the output of `gh issue list --json number,title,body,labels,state,url`";
    let text = match load::read_input(file) {
        Err((message, h)) => {
            diagnostics.error(None, message).add_hint(h);
            return None;
        }
        Ok(text) => text,
    };
    let message = match serde_json::from_str::<serde_json::Value>(&text) {
        Err(e) => format!(
            "{}: invalid JSON at line {}, column {} ({e})",
            file.display(),
            e.line(),
            e.column()
        ),
        Ok(serde_json::Value::Array(items)) => match items
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<Vec<Issue>, _>>()
        {
            Ok(list) => return Some(list),
            Err(e) => format!("{}: not a list of issues ({e})", file.display()),
        },
        Ok(_) => format!(
            "{}: not a list of issues (the file holds no JSON array)",
            file.display()
        ),
    };
    diagnostics.error(None, message).add_hint(hint);
    None
}

/// The finding file of one issue.
fn finding_of(style: &Style, issue: &Issue, id: &str, diagnostics: &mut Diagnostics) -> String {
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
        diagnostics
            .warning(None, format!("issue #{} \"{}\" has no severity label; it is imported left out of the report (`exclude = true`)", issue.number, issue.title))
            .add_hint("label it `severity: high` (or `sev/high`, `High`) and import again, or set the severity in the finding and remove `exclude = true`");
    }
    let front = FrontMatter {
        id: Some(id.to_string()),
        title: Some(issue.title.trim().to_string()),
        exclude: severity.is_none().then_some(true),
        severity: Some(severity.unwrap_or_else(|| style.severity.draft_name())),
        difficulty: given(difficulty.unwrap_or_else(|| style.difficulty.draft_name())),
        kind: given(kind.unwrap_or_else(|| placeholder_type(style))),
        issue: given(issue.url.clone()),
        ..FrontMatter::default()
    };
    let note = format!(
        "Imported from issue #{} by auditpress import.",
        issue.number
    );
    let (body, images) = unlink_images(&write_up(style, issue));
    if images > 0 {
        diagnostics
            .warning(
                None,
                format!(
                    "issue #{} \"{}\": {} outside the folder became {}",
                    issue.number,
                    issue.title,
                    plural(images, "image"),
                    if images == 1 { "a link" } else { "links" }
                ),
            )
            .add_hint("a report shows only images of its folder: download it into images/ and write ![...](images/NAME.png) in the finding to show it");
    }
    finding_file(&front, &note, &format!("{body}\n"))
}

/// An issue's body as a write-up of the house style, with a link to the issue.
fn write_up(style: &Style, issue: &Issue) -> String {
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
    text
}

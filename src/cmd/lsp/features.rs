//! The requests of `auditpress lsp` answered from a folder: completion,
//! hover, definition and document symbols.

use std::path::Path;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, DocumentSymbol,
    DocumentSymbolResponse, Documentation, GotoDefinitionResponse, Hover, HoverContents, Location,
    MarkupContent, MarkupKind, SymbolKind,
};

use super::analysis::Folder;
use super::text;
use crate::load::peek;
use crate::model::front::BuiltinKey;
use crate::model::style::{Scale, same_name};

/// Where a document sits in its folder.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    FindingsCsv,
    FixReviewCsv,
    MaturityCsv,
    Finding,
    WriteUp,
    Prose,
    AuditToml,
    Other,
}

fn kind(folder: &Folder, path: &Path) -> Kind {
    let rel = path.strip_prefix(&folder.dir).unwrap_or(path);
    let rel = rel.to_string_lossy().replace('\\', "/");
    let md = rel.ends_with(".md");
    match rel.as_str() {
        "findings.csv" => Kind::FindingsCsv,
        "fix-review.csv" => Kind::FixReviewCsv,
        "maturity.csv" => Kind::MaturityCsv,
        "audit.toml" => Kind::AuditToml,
        r if md && r.starts_with("findings/") => Kind::Finding,
        _ if md && path.parent().is_some_and(|p| p.ends_with("library")) => Kind::WriteUp,
        r if md && (r.starts_with("sections/") || r.starts_with("appendices/")) => Kind::Prose,
        _ => Kind::Other,
    }
}

/// A completion item.
fn item(label: &str, kind: CompletionItemKind, detail: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail.to_string()),
        ..CompletionItem::default()
    }
}

/// Items for the levels of a scale.
fn levels(scale: &Scale, what: &str) -> Vec<CompletionItem> {
    scale
        .levels
        .iter()
        .map(|l| CompletionItem {
            documentation: l.definition_text.clone().map(Documentation::String),
            ..item(&l.name, CompletionItemKind::ENUM_MEMBER, what)
        })
        .collect()
}

/// The scale a key or column names, for the folder's style.
fn scale_for<'a>(folder: &'a Folder, key: &str) -> Option<(&'a Scale, String)> {
    let style = &folder.style;
    let key = key.trim().to_lowercase().replace('-', "_");
    match (BuiltinKey::parse(&key), key.as_str()) {
        (Some(BuiltinKey::Severity), k) => Some((&style.severity, k.into())),
        (Some(BuiltinKey::Type), k) => Some((&style.kind, k.into())),
        (Some(BuiltinKey::Status), _) => Some((&style.status, "fix-review status".into())),
        (Some(BuiltinKey::Difficulty), _) => {
            Some((&style.difficulty, style.difficulty_label.clone()))
        }
        (_, "category") => Some((&style.categories, "maturity category".into())),
        (_, "rating") => Some((&style.ratings, "maturity rating".into())),
        (_, k) if same_name(k, &style.difficulty_label) => {
            Some((&style.difficulty, style.difficulty_label.clone()))
        }
        (_, k) => {
            let field = style.finding.field(k)?;
            let named = style.finding.scale_of(field)?;
            Some((&named.scale, field.label.clone()))
        }
    }
}

/// Completion at a byte offset of a document.
pub fn completion(folder: &Folder, path: &Path, text: &str, offset: usize) -> CompletionResponse {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..offset];
    let items: Vec<CompletionItem> = match kind(folder, path) {
        Kind::FindingsCsv | Kind::FixReviewCsv | Kind::MaturityCsv => {
            peek::csv_column_at(text, offset)
                .and_then(|name| scale_for(folder, &name))
                .map_or_else(Vec::new, |(s, what)| levels(s, &what))
        }
        Kind::Finding | Kind::WriteUp => {
            if peek::in_front_matter(text, line_start) {
                front_matter(folder, line)
            } else {
                body(folder, line)
            }
        }
        Kind::Prose => body(folder, line),
        Kind::AuditToml | Kind::Other => Vec::new(),
    };
    CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    })
}

/// Completion in front matter: keys at the start of a line, values after `=`.
fn front_matter(folder: &Folder, line: &str) -> Vec<CompletionItem> {
    let Some((key, _)) = line.split_once('=') else {
        let mut keys: Vec<CompletionItem> = crate::load::FRONT_KEYS
            .iter()
            .map(|k| item(k, CompletionItemKind::PROPERTY, "front-matter key"))
            .collect();
        keys.extend(
            folder
                .style
                .finding
                .fields
                .iter()
                .map(|f| item(&f.key, CompletionItemKind::PROPERTY, &f.label)),
        );
        return keys;
    };
    let key = key.trim();
    match key {
        "review" => ["draft", "ready", "approved"]
            .iter()
            .map(|s| item(s, CompletionItemKind::ENUM_MEMBER, "review state"))
            .collect(),
        "from" => folder
            .library
            .iter()
            .map(|w| item(&w.name, CompletionItemKind::REFERENCE, &w.title))
            .collect(),
        "target" => folder
            .targets
            .iter()
            .map(|t| item(&format!("{t}/"), CompletionItemKind::FILE, "target"))
            .collect(),
        k if folder
            .style
            .finding
            .field(k)
            .is_some_and(|f| f.kind == crate::model::shape::FieldKind::Cwe) =>
        {
            crate::load::cwe_entries()
                .map(|(id, name)| item(&format!("CWE-{id}"), CompletionItemKind::ENUM_MEMBER, name))
                .collect()
        }
        _ => scale_for(folder, key).map_or_else(Vec::new, |(s, what)| levels(s, &what)),
    }
}

/// Completion in prose: section titles after `## `, placeholders after
/// `{{`, else finding ids and target names.
fn body(folder: &Folder, line: &str) -> Vec<CompletionItem> {
    if line.starts_with("## ") {
        return folder
            .style
            .finding
            .sections
            .iter()
            .map(|s| {
                let title = folder.style.section_title(s);
                item(title, CompletionItemKind::KEYWORD, "section")
            })
            .collect();
    }
    if line.rfind("{{").is_some_and(|i| !line[i..].contains("}}")) {
        let mut seen = std::collections::BTreeMap::new();
        for w in &folder.library {
            for (name, hint) in &w.placeholders {
                seen.entry(name.clone()).or_insert_with(|| hint.clone());
            }
        }
        return seen
            .iter()
            .map(|(n, h)| item(n, CompletionItemKind::SNIPPET, h))
            .collect();
    }
    let mut items: Vec<CompletionItem> = folder
        .findings
        .iter()
        .map(|f| item(&f.id, CompletionItemKind::REFERENCE, &f.title))
        .collect();
    items.extend(
        folder
            .targets
            .iter()
            .map(|t| item(t, CompletionItemKind::FILE, "target")),
    );
    items
}

/// Hover: a finding id, a CVSS vector, a level of the style, a placeholder.
pub fn hover(folder: &Folder, text: &str, offset: usize) -> Option<Hover> {
    let (start, word) = text::word_at(text, offset);
    let contents = if let Some(f) = folder.findings.iter().find(|f| f.id == word) {
        let status = f
            .status
            .as_deref()
            .map_or(String::new(), |s| format!(" · status: {s}"));
        format!(
            "**{}** {}\n\nseverity: {}{status}",
            f.id, f.title, f.severity
        )
    } else if word.starts_with("CVSS:") {
        match crate::load::cvss::parse(word, folder.style.cvss_score) {
            Ok(c) => {
                let metrics: Vec<String> = word
                    .split('/')
                    .skip(1)
                    .map(|m| format!("- `{m}`"))
                    .collect();
                format!(
                    "**CVSS {}**: {:.1} ({}), base {:.1}\n\n{}",
                    c.version,
                    c.score,
                    c.rating,
                    c.base,
                    metrics.join("\n")
                )
            }
            Err((message, hint)) => format!("{message}\n\n{hint}"),
        }
    } else if let Some(name) = word
        .strip_prefix("CWE-")
        .and_then(|n| n.parse().ok())
        .and_then(crate::load::cwe_name)
    {
        format!("**{word}**: {name}")
    } else if let Some(hint) = placeholder_at(folder, text, offset) {
        hint
    } else {
        level_definition(folder, word)?
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: contents,
        }),
        range: Some(text::range(text, start..start + word.len())),
    })
}

/// The hint of the placeholder `{{name}}` around an offset.
fn placeholder_at(folder: &Folder, text: &str, offset: usize) -> Option<String> {
    let open = text[..offset].rfind("{{")?;
    let close = text[open..].find("}}")? + open;
    if close + 2 < offset {
        return None;
    }
    let name = text[open + 2..close].trim();
    folder
        .library
        .iter()
        .find_map(|w| w.placeholders.get(name))
        .map(|h| format!("**{{{{{name}}}}}**: {h}"))
}

/// The definition of a level of any of the style's scales named `word`.
fn level_definition(folder: &Folder, word: &str) -> Option<String> {
    let style = &folder.style;
    let scales = [
        (&style.severity, "severity"),
        (&style.difficulty, style.difficulty_label.as_str()),
        (&style.kind, "type"),
        (&style.status, "fix-review status"),
    ];
    scales.iter().find_map(|(scale, what)| {
        let level = scale.levels.iter().find(|l| same_name(&l.name, word))?;
        Some(format!(
            "**{}** ({what}): {}",
            level.name,
            level.definition_text.as_deref().unwrap_or("")
        ))
    })
}

/// Definition: a finding id goes to its file or findings.csv row; a
/// write-up's name to the write-up.
pub fn definition(folder: &Folder, text: &str, offset: usize) -> Option<GotoDefinitionResponse> {
    let (_, word) = text::word_at(text, offset);
    let word = word.trim_matches('"');
    if folder.findings.iter().any(|f| f.id == word) {
        let file = folder.dir.join("findings").join(format!("{word}.md"));
        if file.is_file() {
            return Some(location(&file, 0));
        }
        let csv = folder.dir.join("findings.csv");
        if let Some(row) = peek::csv_rows(&read(&folder.dir, &csv))
            .into_iter()
            .find(|r| r.id == word)
        {
            return Some(location(&csv, row.line));
        }
    }
    if let Some(w) = folder.library.iter().find(|w| w.name == word) {
        return Some(location(&w.path, 0));
    }
    // A level of a style folder: its line of style.toml.
    if let Some(style_dir) = folder.style.folder.as_ref()
        && level_definition(folder, word).is_some()
    {
        let style_toml = style_dir.join("style.toml");
        let quoted = format!("name = \"{word}\"");
        let text = read(style_dir, &style_toml);
        if let Some(line) = text.lines().position(|l| l.contains(&quoted)) {
            return Some(location(&style_toml, line));
        }
    }
    None
}

/// The text of a file of a folder, through the one reader of files; empty
/// when it is refused (the check reports why).
fn read(dir: &Path, path: &Path) -> String {
    crate::input::read_inside(dir, path, crate::load::MAX_FILE_BYTES)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default()
}

/// A location at the start of a line of a file.
fn location(path: &Path, line: usize) -> GotoDefinitionResponse {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    GotoDefinitionResponse::Scalar(Location::new(text::path_uri(&path), text::line_start(line)))
}

/// Document symbols: the rows of findings.csv, the `##` sections of Markdown.
pub fn symbols(path: &Path, text: &str) -> DocumentSymbolResponse {
    // (name, detail, kind, bytes), read as check reads the file.
    let found: Vec<(String, String, SymbolKind, std::ops::Range<usize>)> =
        if path.extension().is_some_and(|e| e == "csv") {
            peek::csv_rows(text)
                .into_iter()
                .map(|r| (r.id, r.title, SymbolKind::OBJECT, r.range))
                .collect()
        } else {
            let body = peek::body_offset(text);
            crate::load::markdown::headings(&text[body..])
                .into_iter()
                .filter(|h| h.level == 2)
                .map(|h| {
                    let range = body + h.range.start..body + h.range.end;
                    let title = h.title.trim().to_string();
                    (title, String::new(), SymbolKind::STRING, range)
                })
                .collect()
        };
    let out: Vec<DocumentSymbol> = found
        .into_iter()
        .filter(|(name, ..)| !name.is_empty())
        .map(|(name, detail, kind, range)| {
            let shown = text[range.clone()].trim_end().len();
            let range = text::range(text, range.start..range.start + shown);
            // `deprecated` is the protocol's, left out as `tags` says it.
            #[allow(deprecated)]
            DocumentSymbol {
                name,
                detail: Some(detail),
                kind,
                tags: None,
                deprecated: None,
                range,
                selection_range: range,
                children: None,
            }
        })
        .collect();
    DocumentSymbolResponse::Nested(out)
}

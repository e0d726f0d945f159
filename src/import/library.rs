//! `auditpress library import`: write-ups from another tool's library, into
//! the house style's shape (FORMAT 1.2, "Write-up library").
//!
//! Two public formats are read: SysReptor's finding templates (the JSON of
//! `reptor template --export json` or of its API: an object or a list of
//! objects with `translations`, each with `language`, `is_main` and `data`,
//! whose fields are Markdown) and PwnDoc's vulnerability export (a list of
//! objects with `cvssv3`, `category` and `details`, one per `locale`, whose
//! `description`, `observation` and `remediation` are HTML). Each field goes
//! to the house style's section or front-matter key of the same meaning;
//! every field that has no place is reported, never dropped in silence. The
//! whole file is read and checked before anything is written, and no
//! write-up of the library is overwritten.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::html::html_to_markdown;
use super::{Imported, demote_headings, plural, unlink_images, write_all};
use crate::model::Style;
use crate::model::front::FrontMatter;
use crate::model::style::same_name;

/// The library formats read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// SysReptor finding templates.
    SysReptor,
    /// PwnDoc vulnerabilities.
    PwnDoc,
}

/// One write-up read from the other tool, before it is written.
struct Entry {
    /// Where it is in the file, for messages: `template 3`.
    origin: String,
    title: String,
    cvss: Option<String>,
    kind: Option<String>,
    /// Its prose fields, Markdown, by the other tool's name, in order.
    fields: Vec<(String, String)>,
    /// What the other tool gives that is not a prose field, for the report.
    extra: Vec<String>,
}

/// The names a section of the house style may have in another tool, by the
/// section's key or title: a field goes to the first section it names.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("summary", &["summary", "description", "details"]),
    ("description", &["description", "details", "summary"]),
    (
        "observation",
        &[
            "observation",
            "exploit_scenario",
            "proof_of_concept",
            "details",
        ],
    ),
    ("impact", &["impact"]),
    ("recommendation", RECOMMENDATIONS),
    ("short_recommendation", &["short_recommendation"]),
    ("remediation", RECOMMENDATIONS),
    ("references", &["references"]),
];

/// The names of the section that says what to do, in another tool or a style.
const RECOMMENDATIONS: &[&str] = &[
    "recommendations",
    "recommendation",
    "remediation",
    "recommended mitigation",
    "mitigation",
];

/// Reads an export file as JSON and tells its format: the one named, or
/// the one its entries show; else the error's message and hint.
fn read_export(file: &Path, format: Option<Format>) -> Result<(Value, Format), (String, String)> {
    let text = crate::load::read_input(file)?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        (
            format!(
                "{}:{}:{}: not JSON ({e})",
                file.display(),
                e.line(),
                e.column()
            ),
            "give the JSON export of SysReptor's finding templates or PwnDoc's vulnerabilities"
                .to_string(),
        )
    })?;
    let format = format.or_else(|| detect(&items(&value))).ok_or_else(|| {
        (
            format!(
                "{}: neither a SysReptor template export nor a PwnDoc vulnerability export",
                file.display()
            ),
            "SysReptor templates have `translations`, PwnDoc vulnerabilities `details`; or name the format with --format"
                .to_string(),
        )
    })?;
    Ok((value, format))
}

/// The entries of an export: its array's items, or the one object it is.
fn items(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![value],
        _ => Vec::new(),
    }
}

/// Reads another tool's library export and writes its write-ups into `to`,
/// shaped by the house style. Nothing is written when the file has an error.
pub fn import(file: &Path, to: &Path, format: Option<Format>, style: &Style) -> Imported {
    let mut out = Imported::default();
    let fail = |out: &mut Imported, message: String, hint: &str| {
        out.diagnostics
            .error(None, message)
            .add_hint(hint.to_string());
    };
    let (value, format) = match read_export(file, format) {
        Ok(read) => read,
        Err((message, hint)) => {
            fail(&mut out, message, &hint);
            return out;
        }
    };
    let items = items(&value);
    let lang = style.lang.to_ascii_lowercase();
    let mut entries = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let read = match format {
            Format::SysReptor => sysreptor(item, i + 1, &lang),
            Format::PwnDoc => pwndoc(item, i + 1, &lang),
        };
        match read {
            Ok(e) => entries.push(e),
            Err(message) => fail(
                &mut out,
                format!("{}: {message}; nothing was written", file.display()),
                "fix the export, or leave that entry out of it",
            ),
        }
    }
    if out.diagnostics.has_errors() {
        return out;
    }
    let mut files: Vec<(String, String)> = Vec::new();
    let mut names = Names::of(to);
    for entry in &mut entries {
        let name = names.free(&slug(&entry.title));
        unlink_entry_images(entry, &name, &mut out);
        let (text, unmapped) = write_up(entry, style);
        for u in unmapped {
            out.skipped.push(format!("{name}: {u}"));
        }
        files.push((format!("{name}.md"), text));
    }
    if let Err(e) = write_all(to, &files) {
        fail(
            &mut out,
            e,
            "make room or fix the folder's permissions, and import again",
        );
        return out;
    }
    out.written = files.into_iter().map(|(rel, _)| rel).collect();
    if out.written.is_empty() {
        out.skipped
            .push(format!("the file holds {}", plural(0, "write-up")));
    }
    out
}

/// Turns the images of an entry's fields that lie outside any folder (a
/// web address, the usual case) into links, with one warning for the entry:
/// a finding made from the write-up could not be built with them.
fn unlink_entry_images(entry: &mut Entry, name: &str, out: &mut Imported) {
    let mut images = 0;
    for (_, text) in &mut entry.fields {
        let (unlinked, n) = unlink_images(text);
        if n > 0 {
            *text = unlinked;
            images += n;
        }
    }
    if images > 0 {
        out.diagnostics
            .warning(
                None,
                format!(
                    "{} \"{}\" ({name}.md): {} outside the folder became links",
                    entry.origin,
                    entry.title,
                    plural(images, "image")
                ),
            )
            .add_hint("a report shows only images of its folder: put the image in images/ of the audit and write ![...](images/NAME.png) where it belongs");
    }
}

/// Tells the format from the shape of the first entry.
fn detect(items: &[&Value]) -> Option<Format> {
    let first = items.first()?;
    if first.get("translations").is_some() {
        Some(Format::SysReptor)
    } else if first.get("details").is_some() {
        Some(Format::PwnDoc)
    } else {
        None
    }
}

/// A string field of an object, trimmed, when it is given and not empty.
fn string(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The entry of a list whose language matches the style's, else the marked
/// or first one.
fn pick<'a>(list: &'a [Value], key: &str, lang: &str, main: Option<&str>) -> Option<&'a Value> {
    let of = |v: &Value| string(v, key).unwrap_or_default().to_ascii_lowercase();
    list.iter()
        .find(|v| of(v) == lang)
        .or_else(|| {
            list.iter()
                .find(|v| of(v).split('-').next() == lang.split('-').next())
        })
        .or_else(|| main.and_then(|m| list.iter().find(|v| v.get(m) == Some(&Value::Bool(true)))))
        .or_else(|| list.first())
}

/// Reads one SysReptor finding template.
fn sysreptor(item: &Value, n: usize, lang: &str) -> Result<Entry, String> {
    let origin = format!("template {n}");
    let translations = item
        .get("translations")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{origin} has no list `translations`"))?;
    let chosen = pick(translations, "language", lang, Some("is_main"))
        .ok_or_else(|| format!("{origin} has no translation"))?;
    let data = chosen
        .get("data")
        .and_then(Value::as_object)
        .ok_or_else(|| format!("{origin}: its translation has no object `data`"))?;
    let title = data
        .get("title")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("{origin} has no title"))?
        .to_string();
    let mut entry = Entry {
        origin,
        title,
        cvss: None,
        kind: None,
        fields: Vec::new(),
        extra: Vec::new(),
    };
    for (key, value) in data {
        match (key.as_str(), value) {
            ("title", _) => {}
            ("cvss", Value::String(v)) if v.starts_with("CVSS:3") => entry.cvss = Some(v.clone()),
            (_, Value::String(v)) if !v.trim().is_empty() => {
                entry.fields.push((key.clone(), v.clone()));
            }
            (_, Value::Array(list)) if !list.is_empty() => {
                let items: Vec<String> = list
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                    .collect();
                entry.fields.push((key.clone(), bullets(&items)));
            }
            (_, Value::Null) => {}
            (_, Value::String(_) | Value::Array(_)) => {}
            _ => entry.extra.push(format!("{key} = {value}")),
        }
    }
    if let Some(tags) = item
        .get("tags")
        .and_then(Value::as_array)
        .filter(|t| !t.is_empty())
    {
        entry
            .extra
            .push(format!("tags = {}", Value::Array(tags.clone())));
    }
    Ok(entry)
}

/// Reads one PwnDoc vulnerability.
fn pwndoc(item: &Value, n: usize, lang: &str) -> Result<Entry, String> {
    let origin = format!("vulnerability {n}");
    let details = item
        .get("details")
        .and_then(Value::as_array)
        .ok_or_else(|| format!("{origin} has no list `details`"))?;
    let chosen =
        pick(details, "locale", lang, None).ok_or_else(|| format!("{origin} has no details"))?;
    let title = string(chosen, "title").ok_or_else(|| format!("{origin} has no title"))?;
    let mut entry = Entry {
        origin,
        title,
        cvss: string(item, "cvssv3").filter(|v| v.starts_with("CVSS:3")),
        kind: string(chosen, "vulnType").or_else(|| string(item, "category")),
        fields: Vec::new(),
        extra: Vec::new(),
    };
    for key in ["description", "observation", "remediation"] {
        if let Some(html) = string(chosen, key) {
            entry
                .fields
                .push((key.to_string(), html_to_markdown(&html)));
        }
    }
    if let Some(refs) = chosen.get("references").and_then(Value::as_array) {
        let refs: Vec<String> = refs
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        if !refs.is_empty() {
            entry.fields.push(("references".into(), bullets(&refs)));
        }
    }
    for key in ["priority", "remediationComplexity"] {
        if let Some(v) = item.get(key).filter(|v| !v.is_null()) {
            entry.extra.push(format!("{key} = {v}"));
        }
    }
    if let Some(custom) = chosen
        .get("customFields")
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty())
    {
        entry
            .extra
            .push(format!("{} custom field(s)", custom.len()));
    }
    Ok(entry)
}

/// A Markdown bullet list.
fn bullets(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("- {}", i.trim()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes one entry as a write-up of the house style; also returns what had
/// no place in it.
fn write_up(entry: &Entry, style: &Style) -> (String, Vec<String>) {
    let mut unmapped: Vec<String> = Vec::new();
    let sections = &style.finding.sections;
    let mut bodies: Vec<Vec<String>> = vec![Vec::new(); sections.len()];
    // A summary opens the section it shares with the description.
    let mut fields: Vec<&(String, String)> = entry.fields.iter().collect();
    fields.sort_by_key(|(key, _)| {
        SYNONYMS
            .iter()
            .position(|(k, _)| same_name(k, key))
            .unwrap_or(SYNONYMS.len())
    });
    for (key, text) in fields {
        let names = SYNONYMS
            .iter()
            .find(|(k, _)| same_name(k, key))
            .map_or_else(|| vec![key.as_str()], |(_, n)| n.to_vec());
        let target = names.iter().find_map(|name| {
            sections.iter().position(|s| {
                same_name(&s.key, name)
                    || same_name(style.section_title(s), name)
                    || same_name(&s.title, name)
            })
        });
        match target {
            Some(i) => bodies[i].push(demote_headings(text.trim())),
            None => unmapped.push(format!(
                "field `{key}` has no section in the house style; left out"
            )),
        }
    }
    let kind = entry.kind.clone().filter(|k| {
        let known = style.kind_free || style.kind.levels.iter().any(|l| same_name(&l.name, k));
        if !known {
            unmapped.push(format!(
                "type \"{k}\" is not a type of the house style; left out"
            ));
        }
        known
    });
    unmapped.extend(
        entry
            .extra
            .iter()
            .map(|e| format!("{e}: no place in a write-up; left out")),
    );
    let mut body = String::new();
    for (def, texts) in sections.iter().zip(&bodies) {
        if !texts.is_empty() {
            body.push_str(&format!(
                "\n## {}\n\n{}\n",
                style.section_title(def),
                texts.join("\n\n")
            ));
        }
    }
    let mut placeholders = BTreeMap::new();
    for left in crate::load::library::left(&format!("{}\n{body}", entry.title)) {
        let name = left.trim_matches(['{', '}']).to_string();
        placeholders.insert(name, format!("left in {} by the other tool", entry.origin));
    }
    let front = FrontMatter {
        title: Some(entry.title.clone()),
        cvss: entry.cvss.clone(),
        kind,
        placeholders: (!placeholders.is_empty()).then_some(placeholders),
        ..FrontMatter::default()
    };
    (front.file(&body), unmapped)
}

/// A file name from a title: lower-case words joined by `-`.
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    if out.is_empty() {
        "write-up".into()
    } else {
        out
    }
}

/// The names of a library's write-ups and of those this import adds, to
/// give each new write-up a free name in time linear in their number (2,000
/// write-ups of one title are `title`, `title-2`, ... `title-2000`).
struct Names {
    taken: HashSet<String>,
    /// The next number to try after each base name.
    next: HashMap<String, usize>,
}

impl Names {
    /// The names of the write-ups in a library folder.
    fn of(dir: &Path) -> Self {
        let taken = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
            .collect();
        Self {
            taken,
            next: HashMap::new(),
        }
    }

    /// A name no write-up has, from `base`; taken.
    fn free(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        if self.taken.contains(&name) {
            let n = self.next.entry(base.to_string()).or_insert(2);
            while self.taken.contains(&name) {
                name = format!("{base}-{n}");
                *n += 1;
            }
        }
        self.taken.insert(name.clone());
        name
    }
}

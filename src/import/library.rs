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

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::{Imported, demote_headings, plural, write_new};
use crate::model::Style;
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

/// Reads another tool's library export and writes its write-ups into `to`,
/// shaped by the house style. Nothing is written when the file has an error.
pub fn import(file: &Path, to: &Path, format: Option<Format>, style: &Style) -> Imported {
    let mut out = Imported::default();
    let fail = |out: &mut Imported, message: String, hint: &str| {
        out.diagnostics
            .error(None, message)
            .add_hint(hint.to_string());
    };
    let text = match crate::load::read_input(file) {
        Ok(t) => t,
        Err((message, hint)) => {
            fail(&mut out, message, &hint);
            return out;
        }
    };
    let value: Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            fail(
                &mut out,
                format!(
                    "{}:{}:{}: not JSON ({e})",
                    file.display(),
                    e.line(),
                    e.column()
                ),
                "give the JSON export of SysReptor's finding templates or PwnDoc's vulnerabilities",
            );
            return out;
        }
    };
    let items: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![&value],
        _ => Vec::new(),
    };
    let format = format.or_else(|| detect(&items));
    let Some(format) = format else {
        fail(
            &mut out,
            format!(
                "{}: neither a SysReptor template export nor a PwnDoc vulnerability export",
                file.display()
            ),
            "SysReptor templates have `translations`, PwnDoc vulnerabilities `details`; or name the format with --format",
        );
        return out;
    };
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
    for entry in &entries {
        let name = free_name(&slug(&entry.title), to, &files);
        let (text, unmapped) = write_up(entry, style);
        for u in unmapped {
            out.skipped.push(format!("{name}: {u}"));
        }
        files.push((format!("{name}.md"), text));
    }
    for (rel, text) in &files {
        match write_new(to, rel, text) {
            Ok(()) => out.written.push(rel.clone()),
            Err(e) => {
                fail(
                    &mut out,
                    e,
                    "the files written before it stay; remove them to import again",
                );
                return out;
            }
        }
    }
    if out.written.is_empty() {
        out.skipped
            .push(format!("the file holds {}", plural(0, "write-up")));
    }
    out
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

/// Front matter of an imported write-up, written by the TOML serialiser.
#[derive(serde::Serialize)]
struct Front {
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvss: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    placeholders: BTreeMap<String, String>,
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
    let front = Front {
        title: entry.title.clone(),
        cvss: entry.cvss.clone(),
        kind,
        placeholders,
    };
    let toml = toml::to_string(&front).expect("front matter serialises");
    (format!("+++\n{toml}+++\n{body}"), unmapped)
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

/// A name no write-up of the library or of this import has.
fn free_name(base: &str, dir: &Path, taken: &[(String, String)]) -> String {
    let used = |n: &str| {
        dir.join(format!("{n}.md")).exists() || taken.iter().any(|(f, _)| f == &format!("{n}.md"))
    };
    let mut name = base.to_string();
    let mut i = 2;
    while used(&name) {
        name = format!("{base}-{i}");
        i += 1;
    }
    name
}

/// PwnDoc's rich text as Markdown: paragraphs, line breaks, emphasis, code,
/// lists, links and headings; any other tag is dropped with its text kept,
/// and entities are decoded.
pub fn html_to_markdown(html: &str) -> String {
    let mut out = String::new();
    let mut lists: Vec<(bool, usize)> = Vec::new();
    let mut href: Vec<String> = Vec::new();
    let mut pre = false;
    let mut code = false;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        text(&rest[..lt], pre, code, &mut out);
        let Some(gt) = rest[lt..].find('>') else {
            text(&rest[lt..], pre, code, &mut out);
            rest = "";
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match (name.as_str(), closing) {
            ("p" | "div", false) => block(&mut out),
            ("p" | "div", true) => out.push_str("\n\n"),
            ("br", _) => out.push_str("  \n"),
            ("b" | "strong", _) => out.push_str("**"),
            ("i" | "em", _) => out.push('*'),
            ("code", _) if !pre => {
                out.push('`');
                code = !closing;
            }
            ("pre", false) => {
                block(&mut out);
                out.push_str("```\n");
                pre = true;
            }
            ("pre", true) => {
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("```\n\n");
                pre = false;
            }
            ("ul" | "ol", false) => {
                if lists.is_empty() {
                    block(&mut out);
                }
                lists.push((name == "ol", 0));
            }
            ("ul" | "ol", true) => {
                lists.pop();
                if lists.is_empty() {
                    out.push('\n');
                }
            }
            ("li", false) => {
                if !out.ends_with('\n') && !out.is_empty() {
                    out.push('\n');
                }
                let depth = lists.len().saturating_sub(1);
                out.push_str(&"  ".repeat(depth));
                match lists.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        out.push_str(&format!("{n}. "));
                    }
                    _ => out.push_str("- "),
                }
            }
            ("a", false) => {
                href.push(attribute(tag, "href").unwrap_or_default());
                out.push('[');
            }
            ("a", true) => {
                let target = href.pop().unwrap_or_default();
                out.push_str(&format!("](<{target}>)"));
            }
            (h, false) if h.len() == 2 && h.starts_with('h') => {
                block(&mut out);
                let level = h[1..].parse::<usize>().unwrap_or(3).clamp(3, 6);
                out.push_str(&"#".repeat(level));
                out.push(' ');
            }
            (h, true) if h.len() == 2 && h.starts_with('h') => out.push_str("\n\n"),
            _ => {}
        }
    }
    text(rest, pre, code, &mut out);
    tidy(&out)
}

/// Collapses runs of blank lines and trailing spaces, keeping hard breaks.
fn tidy(out: &str) -> String {
    let mut tidy = String::new();
    for line in out.lines() {
        if line.trim().is_empty() && tidy.ends_with("\n\n") {
            continue;
        }
        tidy.push_str(line.trim_end_matches(' ').trim_end());
        if line.ends_with("  ") {
            tidy.push_str("  ");
        }
        tidy.push('\n');
    }
    tidy.trim().to_string()
}

/// Starts a new block: a blank line unless at the start.
fn block(out: &mut String) {
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
    }
}

/// Appends the text between tags, entities decoded; outside code, the
/// characters Markdown would read are escaped, so it prints as written.
fn text(raw: &str, pre: bool, code: bool, out: &mut String) {
    let decoded = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    if pre {
        out.push_str(&decoded);
    } else if code {
        out.push_str(&decoded.replace(['\n', '\r', '`'], " "));
    } else {
        let flat = decoded.replace(['\n', '\r'], " ");
        out.push_str(&crate::export::markdown::escape(&flat));
    }
}

/// The value of an attribute of a tag: `href="..."`.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let at = tag.find(&format!("{name}="))? + name.len() + 1;
    let rest = &tag[at..];
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = rest[1..].find(quote)?;
    Some(rest[1..1 + end].replace("&amp;", "&"))
}

#[cfg(test)]
mod tests {
    use super::html_to_markdown;

    #[test]
    fn pwndoc_rich_text_becomes_markdown() {
        assert_eq!(
            html_to_markdown(
                "<p>The <code>id</code> parameter is <strong>not</strong> checked &amp; leaks.</p><ul><li>one</li><li>two</li></ul><pre><code>SELECT 1;</code></pre>"
            ),
            "The `id` parameter is **not** checked & leaks.\n\n- one\n- two\n\n```\nSELECT 1;\n```"
        );
    }
}

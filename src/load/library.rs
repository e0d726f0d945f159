//! The write-up library (FORMAT 1.2, "Write-up library"): `library/<name>.md`
//! of the house-style folder, or the folder `library` in audit.toml names.
//! Each write-up is a finding file whose front matter may declare
//! `[placeholders]`. Read here, checked against the house style, and its
//! placeholders' hints given to the messages about a `{{name}}` left in a
//! finding.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::placeholders;
use crate::diag::{self, Diagnostics, Place, Sources};
use crate::input;
use crate::model::Style;
use crate::model::front::BuiltinKey;
use crate::model::style::same_name;

/// A write-up of the library.
#[derive(Clone, Debug)]
pub struct WriteUp {
    /// Its name: the file name without `.md`.
    pub name: String,
    /// Its file.
    pub path: PathBuf,
    /// Its whole text.
    pub text: String,
    /// Its title as written (placeholders in it).
    pub title: String,
    /// Its severity as written, when given.
    pub severity: Option<String>,
    /// The front matter's values other than `placeholders`, as written, in order.
    pub values: Vec<(String, String)>,
    /// Its placeholders and their hints, in order.
    pub placeholders: BTreeMap<String, String>,
    /// The body after the front matter.
    pub body: String,
}

/// Where the library of a folder is: `library` of audit.toml (relative to
/// it), else `library/` of the house style's folder.
pub fn folder(audit_dir: &Path, key: Option<&str>, style: &Style) -> Option<PathBuf> {
    match key {
        Some(rel) => Some(audit_dir.join(rel)),
        None => style.folder.as_ref().map(|f| f.join("library")),
    }
}

/// Reads and checks every write-up of a library folder; `None` when there
/// is no such folder. Problems are reported at their place in the library.
pub fn read(
    dir: &Path,
    style: &Style,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<Vec<WriteUp>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.is_dir())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let read = input::read_inside(dir, &path, super::MAX_FILE_BYTES)
            .map_err(|refused| refused.explain("this write-up"))
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| {
                    (
                        "cannot read this write-up as UTF-8 text".to_string(),
                        "save it as UTF-8".to_string(),
                    )
                })
            });
        let text = match read {
            Ok(text) => text,
            Err((message, hint)) => {
                let file = sources.add(path.display().to_string(), String::new());
                diags
                    .error(Some(Place::new(file, 0..0)), message)
                    .add_hint(hint);
                continue;
            }
        };
        let file = sources.add(path.display().to_string(), text.clone());
        if let Some(w) = write_up(&path, &text, file, style, diags) {
            out.push(w);
        }
    }
    Some(out)
}

/// Reads one write-up and checks it against the house style.
fn write_up(
    path: &Path,
    text: &str,
    file: diag::FileRef,
    style: &Style,
    diags: &mut Diagnostics,
) -> Option<WriteUp> {
    let name = path.file_stem()?.to_string_lossy().into_owned();
    let (front, body) = match super::findings::split_front_matter(text) {
        Some(((start, end), body)) => (Some((&text[start..end], start)), &text[body..]),
        None => (None, text),
    };
    let mut w = WriteUp {
        name,
        path: path.to_path_buf(),
        text: text.to_string(),
        title: String::new(),
        severity: None,
        values: Vec::new(),
        placeholders: BTreeMap::new(),
        body: body.to_string(),
    };
    let Some((front, base)) = front else {
        diags
            .error(
                Some(Place::new(file, 0..0)),
                "a write-up needs front matter with its title",
            )
            .add_hint("begin the file with +++, title = \"...\", severity = \"...\", +++");
        return None;
    };
    let table = match DeTable::parse(front) {
        Ok(t) => t,
        Err(e) => {
            let span = e
                .span()
                .map_or(base..base, |s| base + s.start..base + s.end);
            diags.error(
                Some(Place::new(file, span)),
                format!("invalid front matter ({})", e.message()),
            );
            return None;
        }
    };
    read_front(&mut w, &table, base, file, style, diags);
    if w.title.is_empty() {
        diags
            .error(
                Some(Place::new(file, 0..0)),
                format!("write-up {} has no title", w.name),
            )
            .add_hint("give title = \"...\" in its front matter");
    }
    // Every placeholder used is declared.
    for (range, used) in placeholders::find(text, &|n| w.placeholders.contains_key(n)) {
        if !w.placeholders.contains_key(&used) {
            diags
                .error(
                    Some(Place::new(file, range)),
                    format!("placeholder {{{{{used}}}}} is not declared in this write-up"),
                )
                .add_hint(format!(
                    "declare it under [placeholders]: {used} = \"a one-line hint\""
                ));
        }
    }
    // Its sections are the house style's.
    check_sections(style, body, text.len() - body.len(), file, diags);
    Some(w)
}

/// Reads a write-up's front matter (at byte `base` of its file): its
/// placeholders, and each string value, checked against the house style's
/// levels; `title` and `severity` are kept apart too.
fn read_front(
    w: &mut WriteUp,
    table: &toml::Spanned<DeTable<'_>>,
    base: usize,
    file: diag::FileRef,
    style: &Style,
    diags: &mut Diagnostics,
) {
    let shift = |r: std::ops::Range<usize>| base + r.start..base + r.end;
    for (key, value) in table.get_ref().iter() {
        let key_name = key.get_ref().to_string();
        match (key_name.as_str(), value.get_ref()) {
            ("placeholders", DeValue::Table(t)) => {
                for (name, hint) in t.iter() {
                    let hint = match hint.get_ref() {
                        DeValue::String(h) => h.to_string(),
                        _ => String::new(),
                    };
                    w.placeholders.insert(name.get_ref().to_string(), hint);
                }
            }
            (_, DeValue::String(v)) => {
                let place = Place::new(file, shift(value.span()));
                check_level(style, &key_name, v, place, diags);
                match BuiltinKey::parse(&key_name) {
                    Some(BuiltinKey::Title) => w.title = v.to_string(),
                    Some(BuiltinKey::Severity) => w.severity = Some(v.to_string()),
                    _ => {}
                }
                w.values.push((key_name, v.to_string()));
            }
            _ => {}
        }
    }
}

/// Every `##` heading of a write-up's body names a section of the house
/// style (headings as pulldown-cmark reads them: never inside code).
fn check_sections(
    style: &Style,
    body: &str,
    body_start: usize,
    file: diag::FileRef,
    diags: &mut Diagnostics,
) {
    for heading in super::markdown::headings(body)
        .into_iter()
        .filter(|h| h.level == 2)
    {
        let title = heading.title.trim();
        let known = style.finding.sections.iter().any(|d| {
            same_name(&d.title, title)
                || same_name(style.section_title(d), title)
                || d.english().is_some_and(|e| same_name(e, title))
        });
        if known {
            continue;
        }
        let titles: Vec<&str> = style
            .finding
            .sections
            .iter()
            .map(|d| style.section_title(d))
            .collect();
        let line_end = body[heading.range.start..]
            .find('\n')
            .map_or(heading.range.end, |n| heading.range.start + n);
        diags
            .error(
                Some(Place::new(
                    file,
                    body_start + heading.range.start..body_start + line_end,
                )),
                format!("unknown section \"{title}\" in a write-up"),
            )
            .add_hint(format!(
                "the house style's sections are: {}",
                titles.join(", ")
            ));
    }
}

/// Checks a value of a write-up that names a level against the house style
/// (a value with a placeholder is filled in later, and checked then).
fn check_level(style: &Style, key: &str, value: &str, place: Place, diags: &mut Diagnostics) {
    if value.contains("{{") {
        return;
    }
    let scale = match BuiltinKey::parse(key) {
        Some(BuiltinKey::Severity) => &style.severity,
        Some(BuiltinKey::Difficulty) => &style.difficulty,
        Some(BuiltinKey::Type) if !style.kind_free => &style.kind,
        Some(BuiltinKey::Status) => &style.status,
        _ => return,
    };
    if let Err((message, hint)) = scale.parse(value) {
        diags
            .error(Some(place), message)
            .add_hint(hint)
            .fix_to_closest(value.trim(), &scale.names());
    }
}

/// The hints of every placeholder of a library, by name.
pub fn hints(library: &[WriteUp]) -> HashMap<String, String> {
    library
        .iter()
        .flat_map(|w| w.placeholders.iter())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A folder's library and what reading it found, for the commands that use
/// it (`library`, `new finding`): the house style and the library folder
/// come from audit.toml as the loader reads them.
pub struct OfFolder {
    /// The house style the folder is written in.
    pub style: std::sync::Arc<Style>,
    /// The library folder, when the folder has one.
    pub dir: Option<PathBuf>,
    /// Its write-ups.
    pub write_ups: Vec<WriteUp>,
    /// The files read, for the diagnostics.
    pub sources: Sources,
    /// What was found.
    pub diagnostics: Diagnostics,
}

/// Reads the library of an audit folder.
pub fn of_folder(audit_dir: &Path) -> OfFolder {
    let mut sources = Sources::default();
    let mut diagnostics = Diagnostics::default();
    let table: toml::Table = audit_toml(audit_dir)
        .ok()
        .flatten()
        .and_then(|text| text.parse().ok())
        .unwrap_or_default();
    let key = |k: &str| table.get(k).and_then(|v| v.as_str()).map(str::to_string);
    let style = key("style")
        .and_then(|spec| {
            super::style::resolve(&spec, audit_dir, None, &mut sources, &mut diagnostics)
        })
        .or_else(|| super::style::builtin("standard"))
        .expect("standard is built in");
    let dir = folder(audit_dir, key("library").as_deref(), &style);
    let write_ups = dir
        .as_ref()
        .and_then(|d| read(d, &style, &mut sources, &mut diagnostics))
        .unwrap_or_default();
    OfFolder {
        style,
        dir,
        write_ups,
        sources,
        diagnostics,
    }
}

/// The text of a folder's audit.toml, read through the one reader; `None`
/// when there is none or it is not UTF-8 (the loader says so), an error (a
/// message and a hint) when it cannot be read (a link out of the folder, a FIFO).
fn audit_toml(audit_dir: &Path) -> Result<Option<String>, (String, String)> {
    let path = audit_dir.join("audit.toml");
    match input::read_inside(audit_dir, &path, super::MAX_FILE_BYTES) {
        Ok(bytes) => Ok(String::from_utf8(bytes).ok()),
        Err(input::Refused::NotFound) => Ok(None),
        Err(refused) => Err(refused.explain(&path.display().to_string())),
    }
}

/// The `id_prefix` of a folder's audit.toml, checked as the loader checks
/// it: a plain name, never a path, since it names the files `new finding`
/// writes. `None` when none is given, and when it is not a plain name or
/// audit.toml cannot be read: then with an error in `diags`, at its place.
pub fn id_prefix(
    audit_dir: &Path,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<String> {
    let shown = audit_dir.join("audit.toml").display().to_string();
    let text = match audit_toml(audit_dir) {
        Ok(text) => text?,
        Err((message, hint)) => {
            diags.error(None, message).add_hint(hint);
            return None;
        }
    };
    // A file that does not parse gives no prefix (drafts are DRAFT-n); the
    // loader reports it.
    let table = DeTable::parse(&text).ok()?;
    let (_, value) = table
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref() == "id_prefix")?;
    let DeValue::String(prefix) = value.get_ref() else {
        return None;
    };
    if super::meta::plain_prefix(prefix) {
        return Some(prefix.to_string());
    }
    let message = format!("id_prefix \"{prefix}\" is not a plain name; nothing was written");
    let span = value.span();
    let file = sources.add(shown, text.clone());
    diags
        .error(Some(Place::new(file, span)), message)
        .add_hint("give letters, digits and dashes, e.g. id_prefix = \"TOB-FLUX\"");
    None
}

/// The placeholders left in a text, each once, in order.
pub fn left(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, name) in placeholders::find(text, &|_| true) {
        let shown = format!("{{{{{name}}}}}");
        if !out.contains(&shown) {
            out.push(shown);
        }
    }
    out
}

/// The version of a write-up's text: the first 16 hex digits of its SHA-256.
pub fn version(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Where an audit folder keeps the text of each write-up version its
/// findings were made from, for `library diff`; `None` when `version` is
/// not one auditpress writes (hex digits), since it comes from a finding's
/// front matter and names a file.
pub fn kept_version(audit_dir: &Path, version: &str) -> Option<PathBuf> {
    let plain = !version.is_empty()
        && version.len() <= 64
        && version.bytes().all(|b| b.is_ascii_hexdigit());
    plain.then(|| {
        audit_dir
            .join(".auditpress")
            .join("library")
            .join(format!("{version}.md"))
    })
}

/// The kept text of a write-up version, read through the one reader
/// (inside the folder, a regular file); `None` when there is none.
pub fn read_kept_version(audit_dir: &Path, version: &str) -> Option<String> {
    let path = kept_version(audit_dir, version)?;
    let bytes = input::read_inside(audit_dir, &path, super::MAX_FILE_BYTES).ok()?;
    String::from_utf8(bytes).ok()
}

/// A finding made from a write-up: its id, the write-up's name and the
/// version it was made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MadeFrom {
    /// The finding's id (its file name without `.md`).
    pub id: String,
    /// The write-up's name.
    pub name: String,
    /// Its version then, when recorded.
    pub version: Option<String>,
}

/// The findings of a folder made from the library, by file name.
pub fn made_from(audit_dir: &Path) -> Vec<MadeFrom> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(audit_dir.join("findings"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter_map(|path| {
            let bytes = input::read_inside(audit_dir, path, super::MAX_FILE_BYTES).ok()?;
            let text = String::from_utf8(bytes).ok()?;
            let front = super::peek::front_matter(&text)?;
            Some(MadeFrom {
                id: path.file_stem()?.to_string_lossy().into_owned(),
                name: front.from?,
                version: front.from_version,
            })
        })
        .collect()
}

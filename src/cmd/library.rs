//! `auditpress library list|show` and `auditpress new finding`: the firm's
//! write-up library (FORMAT 1.2, "Write-up library") and new findings made
//! from it, with their placeholders filled in from `--set`.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;

use super::{Config, fail, report};
use crate::diag;
use crate::export::{Cells, cell};
use crate::import::{Ids, file_ids, write_new};
use crate::load::library::{self, OfFolder, WriteUp};
use crate::load::peek;
use crate::model::front::{BuiltinKey, FrontMatter};
use crate::pipeline::Outcome;

/// Reads a folder's library, printing its problems; `None` when it has errors.
fn library_of(dir: &Path, config: &Config) -> Option<OfFolder> {
    let lib = library::of_folder(dir);
    let name = dir.display().to_string();
    let found = report::Found {
        name: &name,
        verb: "read the library of",
        notes: &[],
        sources: &lib.sources,
        diagnostics: &lib.diagnostics,
    };
    report::print(&found, config);
    (!lib.diagnostics.has_errors()).then_some(lib)
}

/// Prints the write-ups: name, title, severity and placeholders.
pub fn list(dir: &Path, config: &Config) -> Outcome {
    let Some(lib) = library_of(dir, config) else {
        return Outcome::Errors;
    };
    if lib.write_ups.is_empty() {
        let place = lib.dir.map_or_else(
            || "no library: name one with library = \"...\" in audit.toml, or add library/ to the house style's folder".to_string(),
            |d| format!("no write-ups in {}", d.display()),
        );
        eprintln!("{place}");
        return Outcome::Ok;
    }
    let mut out = std::io::stdout().lock();
    for w in &lib.write_ups {
        let holes: Vec<&str> = w.placeholders.keys().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{}",
            w.name,
            w.title,
            w.severity.as_deref().unwrap_or("-"),
            holes.join(", ")
        );
    }
    Outcome::Ok
}

/// A write-up by name, or an error naming the library's.
fn find<'a>(lib: &'a OfFolder, name: &str, config: &Config) -> Result<&'a WriteUp, Outcome> {
    lib.write_ups
        .iter()
        .find(|w| w.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = lib.write_ups.iter().map(|w| w.name.as_str()).collect();
            let hint = diag::did_you_mean(name, &names, diag::quoted)
                .unwrap_or_else(|| format!("the library's write-ups: {}", names.join(", ")));
            fail(
                config,
                Outcome::Errors,
                format!("no write-up \"{name}\" in the library"),
                Some(hint),
            )
        })
}

/// Prints one write-up as it is written.
pub fn show(dir: &Path, name: &str, config: &Config) -> Outcome {
    let Some(lib) = library_of(dir, config) else {
        return Outcome::Errors;
    };
    match find(&lib, name, config) {
        Ok(w) => {
            let _ = super::print(w.text.as_bytes());
            Outcome::Ok
        }
        Err(outcome) => outcome,
    }
}

/// The next free id of a folder: its `id_prefix`, else the form of the ids
/// it has ([`id_form`]), and the next number after the ids of findings.csv
/// (its `id` column, wherever it is) and of findings/, padded as they are.
fn next_id(
    dir: &Path,
    prefix: Option<String>,
    csv: Option<&str>,
    from: Option<&str>,
    lib: &OfFolder,
) -> String {
    let severity = from
        .and_then(|name| lib.write_ups.iter().find(|w| w.name == name))
        .and_then(|w| w.severity.as_deref());
    let mut taken: BTreeSet<String> = csv.map(peek::csv_ids).into_iter().flatten().collect();
    taken.extend(file_ids(dir));
    let prefix = prefix.unwrap_or_else(|| id_form(&taken, severity, &lib.style.severity));
    Ids::after(prefix, taken).take()
}

/// The prefix of new ids in a folder without `id_prefix`, in the form of
/// the ids it has: a letter per severity (`H-1`, `M-2`: the initial of the
/// new finding's severity), or the one prefix they all share (`EX-1`);
/// else `DRAFT`, an id `build --final` refuses.
fn id_form(
    taken: &BTreeSet<String>,
    severity: Option<&str>,
    scale: &crate::model::scale::Scale,
) -> String {
    let prefixes: BTreeSet<&str> = taken
        .iter()
        .filter_map(|id| {
            let (prefix, number) = id.rsplit_once('-')?;
            let numbered = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
            (numbered && !prefix.is_empty() && prefix != "DRAFT").then_some(prefix)
        })
        .collect();
    let initial = |name: &str| name.chars().next().map(|c| c.to_uppercase().to_string());
    let initials: BTreeSet<String> = scale
        .levels
        .iter()
        .filter_map(|l| initial(&l.name))
        .collect();
    let by_severity = !prefixes.is_empty() && prefixes.iter().all(|p| initials.contains(*p));
    let level = severity
        .and_then(|s| scale.find(s))
        .and_then(|rank| initial(&rank.name));
    match (by_severity, level) {
        (true, Some(letter)) => letter,
        _ if prefixes.len() == 1 => prefixes
            .first()
            .map(|p| (*p).to_string())
            .unwrap_or_default(),
        _ => "DRAFT".into(),
    }
}

/// The folder's `id_prefix`, checked as the loader checks it, and the text
/// of its findings.csv (`None` without one), read through the one reader;
/// an error is printed, and its outcome returned.
fn prefix_and_table(
    dir: &Path,
    config: &Config,
) -> Result<(Option<String>, Option<String>), Outcome> {
    let mut sources = diag::Sources::default();
    let mut diagnostics = diag::Diagnostics::default();
    let prefix = library::id_prefix(dir, &mut sources, &mut diagnostics);
    if diagnostics.has_errors() {
        let name = dir.display().to_string();
        let found = report::Found {
            name: &name,
            verb: "add a finding to",
            notes: &[],
            sources: &sources,
            diagnostics: &diagnostics,
        };
        report::print(&found, config);
        return Err(Outcome::Errors);
    }
    let path = dir.join("findings.csv");
    let csv = match crate::input::read_inside(dir, &path, crate::load::MAX_FILE_BYTES) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                return Err(fail(
                    config,
                    Outcome::Errors,
                    format!("{} is not UTF-8 text; nothing was written", path.display()),
                    Some("re-save it as UTF-8 (auditpress check says where)".into()),
                ));
            }
        },
        Err(crate::input::Refused::NotFound) => None,
        Err(refused) => {
            let (message, hint) = refused.explain(&path.display().to_string());
            return Err(fail(
                config,
                Outcome::Errors,
                format!("{message}; nothing was written"),
                Some(hint),
            ));
        }
    };
    Ok((prefix, csv))
}

/// Imports another tool's library into the folder's library (or `to`).
pub fn import(
    file: &Path,
    format: Option<crate::import::library::Format>,
    dir: &Path,
    to: Option<&Path>,
    config: &Config,
) -> Outcome {
    let Some(lib) = library_of(dir, config) else {
        return Outcome::Errors;
    };
    let Some(target) = to.map(Path::to_path_buf).or(lib.dir.clone()) else {
        return fail(
            config,
            Outcome::Io,
            "the folder has no library to import into",
            Some("name one with library = \"...\" in audit.toml, or give --to DIR".into()),
        );
    };
    let imported = crate::import::library::import(file, &target, format, &lib.style);
    if config.chatty() {
        for w in &imported.written {
            eprintln!("wrote {}", target.join(w).display());
        }
        for s in &imported.skipped {
            eprintln!("not mapped: {s}");
        }
    }
    let name = file.display().to_string();
    report::print(
        &report::Found::bare(&name, "import", &imported.diagnostics),
        config,
    );
    if imported.diagnostics.has_errors() {
        Outcome::Errors
    } else {
        Outcome::Ok
    }
}

/// Keeps the text of a write-up's version in the audit folder, for `library
/// diff` to show what changed since; a version kept already is left as it is.
fn keep_version(dir: &Path, version: &str, text: &str) -> Result<(), String> {
    let rel = format!(".auditpress/library/{version}.md");
    if library::kept_version(dir, version).is_none() {
        return Err(format!("{version} is not a write-up version"));
    }
    if fs::symlink_metadata(dir.join(&rel)).is_ok() {
        return Ok(());
    }
    write_new(dir, &rel, text)
        .map_err(|e| format!("cannot keep the write-up's version in {rel} ({e})"))
}

/// Lists the findings made from a write-up that changed since, with a
/// unified diff of the write-up's change, one per write-up version.
pub fn diff(dir: &Path, config: &Config) -> Outcome {
    let Some(lib) = library_of(dir, config) else {
        return Outcome::Errors;
    };
    let made = library::made_from(dir);
    let mut out = String::new();
    let mut groups: Vec<(&str, Option<&str>, Vec<&str>)> = Vec::new();
    for m in &made {
        match groups
            .iter_mut()
            .find(|(n, v, _)| *n == m.name && *v == m.version.as_deref())
        {
            Some(g) => g.2.push(&m.id),
            None => groups.push((&m.name, m.version.as_deref(), vec![&m.id])),
        }
    }
    for (name, version, ids) in groups {
        let ids = ids.join(", ");
        let Some(w) = lib.write_ups.iter().find(|w| w.name == name) else {
            out.push_str(&format!(
                "{ids}: made from write-up {name}, which is no longer in the library\n"
            ));
            continue;
        };
        let now = library::version(&w.text);
        let Some(version) = version else {
            out.push_str(&format!(
                "{ids}: made from write-up {name}, version not recorded; cannot tell what changed\n"
            ));
            continue;
        };
        if version == now {
            continue;
        }
        // The version names a file: one that is not a version is never read.
        let Some(kept) = library::kept_version(dir, version) else {
            out.push_str(&format!(
                "{ids}: made from write-up {name} version {version:?}, which is not a version auditpress writes; cannot tell what changed\n"
            ));
            continue;
        };
        out.push_str(&format!(
            "{ids}: made from write-up {name} version {version}, changed since (now {now})\n"
        ));
        match library::read_kept_version(dir, version) {
            Some(then) => out.push_str(&unified(
                &then,
                &w.text,
                &format!("{name} {version}"),
                &format!("{name} {now} ({})", w.path.display()),
            )),
            None => out.push_str(&format!(
                "(no copy of version {version} in {}: the change cannot be shown)\n",
                kept.display()
            )),
        }
    }
    if out.is_empty() && config.chatty() {
        eprintln!("no finding was made from a write-up that changed since");
    }
    let _ = super::print(out.as_bytes());
    Outcome::Ok
}

/// A unified diff of two texts by lines, three lines of context (Myers'
/// algorithm: linear in memory, where a table of every pair of lines took
/// about 10 GB for two texts of 50,000 lines). Two texts with nothing in common cost Myers' algorithm time in the
/// square of their lengths: past a second, it settles for a longer diff.
fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::configure()
        .timeout(std::time::Duration::from_secs(1))
        .diff_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

/// Keys and values of a new finding, in order.
type Values = Vec<(String, String)>;

/// Splits a new finding's values between a new row of findings.csv (those
/// it has a column for, with the id) and the rest. Returns the file's path
/// and its new text when a row is added.
fn csv_row(
    dir: &Path,
    csv: Option<&str>,
    id: &str,
    values: Vec<(String, String)>,
) -> (Option<(std::path::PathBuf, String)>, Values) {
    let path = dir.join("findings.csv");
    let Some(text) = csv else {
        return (None, values);
    };
    // Columns are named as the findings.csv reader names them.
    let norm = |name: &str| crate::load::column_key(name);
    let columns = peek::csv_header(text);
    let Some(id_column) = columns.iter().position(|c| c == BuiltinKey::Id.as_str()) else {
        return (None, values);
    };
    let mut cells = vec![String::new(); columns.len()];
    cells[id_column] = id.to_string();
    let mut rest = Vec::new();
    for (k, v) in values {
        match columns.iter().position(|c| *c == norm(&k)) {
            Some(i) => cells[i] = v,
            None => rest.push((k, v)),
        }
    }
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut table = text.to_string();
    if !table.is_empty() && !table.ends_with('\n') {
        table.push_str(eol);
    }
    let row: Vec<String> = cells.iter().map(|c| cell(c, Cells::Raw)).collect();
    table.push_str(&row.join(","));
    table.push_str(eol);
    (Some((path, table)), rest)
}

/// Fills the given placeholders of a text.
fn fill(text: &str, values: &[(String, String)]) -> String {
    values.iter().fold(text.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{{{k}}}}}"), v)
    })
}

/// Says what `new finding` wrote and which placeholders are left to fill.
fn report_new(path: &Path, id: &str, row: Option<&(std::path::PathBuf, String)>, text: &str) {
    eprintln!("wrote {}", path.display());
    if let Some((csv, _)) = row {
        eprintln!("added {id} to {}", csv.display());
    }
    let left = crate::load::library::left(&format!(
        "{}{text}",
        row.map_or("", |(_, t)| t.lines().last().unwrap_or(""))
    ));
    if !left.is_empty() {
        eprintln!("fill in: {}", left.join(", "));
    }
}

/// The front matter, values and body of an empty finding of the house
/// style: its title a placeholder, its levels the drafts', its sections empty.
fn empty_finding(style: &crate::model::Style) -> (FrontMatter, Values, String) {
    let key = |k: BuiltinKey| k.as_str().to_string();
    let mut given = vec![
        (key(BuiltinKey::Title), "{{title}}".to_string()),
        (key(BuiltinKey::Severity), style.severity.draft_name()),
    ];
    if !style.difficulty.levels.is_empty() {
        given.push((key(BuiltinKey::Difficulty), style.difficulty.draft_name()));
    }
    if !style.kind_optional() {
        given.push((key(BuiltinKey::Type), style.kind.draft_name()));
    }
    let sections: String = style
        .finding
        .sections
        .iter()
        .map(|d| format!("\n## {}\n", style.section_title(d)))
        .collect();
    let front = FrontMatter {
        review: Some("draft".into()),
        ..FrontMatter::default()
    };
    (front, given, sections)
}

/// The start of a finding made from write-up `name`: its front matter,
/// the values it gives and its body, with the `--set` values filled in.
fn from_write_up(
    dir: &Path,
    lib: &OfFolder,
    name: &str,
    values: &[(String, String)],
    config: &Config,
) -> Result<(FrontMatter, Values, String), Outcome> {
    let w = find(lib, name, config)?;
    if let Some((k, _)) = values.iter().find(|(k, _)| !w.placeholders.contains_key(k)) {
        let declared: Vec<&str> = w.placeholders.keys().map(String::as_str).collect();
        return Err(fail(
            config,
            Outcome::Io,
            format!("write-up {name} declares no placeholder {k}; nothing was written"),
            Some(if declared.is_empty() {
                "it declares none".to_string()
            } else {
                format!("its placeholders: {}", declared.join(", "))
            }),
        ));
    }
    let version = library::version(&w.text);
    if let Err(e) = keep_version(dir, &version, &w.text) {
        return Err(fail(config, Outcome::Io, e, None));
    }
    let front = FrontMatter {
        from: Some(name.to_string()),
        from_version: Some(version),
        review: Some("draft".into()),
        ..FrontMatter::default()
    };
    let given = w
        .values
        .iter()
        .map(|(k, v)| (k.clone(), fill(v, values)))
        .collect();
    Ok((front, given, fill(&w.body, values)))
}

/// Writes findings/<ID>.md: from a write-up with its placeholders filled in,
/// or, without one, an empty finding with the house style's sections.
pub fn new_finding(dir: &Path, from: Option<&str>, sets: &[String], config: &Config) -> Outcome {
    let Some(lib) = library_of(dir, config) else {
        return Outcome::Errors;
    };
    let mut values: Vec<(String, String)> = Vec::new();
    for set in sets {
        let Some((k, v)) = set.split_once('=') else {
            return fail(
                config,
                Outcome::Io,
                format!("--set {set}: give NAME=VALUE"),
                Some("e.g. --set endpoint=/api/login".into()),
            );
        };
        values.push((k.trim().to_string(), v.to_string()));
    }
    let (prefix, csv) = match prefix_and_table(dir, config) {
        Ok(found) => found,
        Err(outcome) => return outcome,
    };
    let id = next_id(dir, prefix, csv.as_deref(), from, &lib);
    let (mut front, given, body): (FrontMatter, Values, String) = match from {
        Some(name) => match from_write_up(dir, &lib, name, &values, config) {
            Ok(start) => start,
            Err(outcome) => return outcome,
        },
        None => {
            if let Some((k, _)) = values.first() {
                return fail(
                    config,
                    Outcome::Io,
                    format!("--set {k} needs --from: an empty finding has no placeholders"),
                    None,
                );
            }
            empty_finding(&lib.style)
        }
    };
    // The values findings.csv has a column for go in its row; the rest,
    // and the review and library lines, in the front matter.
    let (row, rest) = csv_row(dir, csv.as_deref(), &id, given);
    for (key, value) in rest {
        front.set(&key, value);
    }
    let text = front.file(&body);
    // The id names the file: written only inside the folder's findings/.
    let rel = format!("findings/{id}.md");
    let path = dir.join(&rel);
    if let Err(e) = write_new(dir, &rel, &text) {
        return fail(config, Outcome::Io, e, None);
    }
    if let Some((csv, table)) = &row {
        // Both files or neither: the finding file goes when the row cannot be added.
        if let Err(e) = crate::output::write_atomic(csv, table.as_bytes()) {
            let _ = fs::remove_file(&path);
            return fail(
                config,
                Outcome::Io,
                format!(
                    "cannot add the row to {} ({e}); nothing was written",
                    csv.display()
                ),
                None,
            );
        }
    }
    if config.chatty() {
        report_new(&path, &id, row.as_ref(), &text);
    }
    Outcome::Ok
}

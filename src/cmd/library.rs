//! `auditpress library list|show` and `auditpress new finding`: the firm's
//! write-up library (FORMAT 1.2, "Write-up library") and new findings made
//! from it, with their placeholders filled in from `--set`.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;

use codespan_reporting::term::termcolor::BufferWriter;

use super::{Config, fail};
use crate::diag::{self, Level};
use crate::import::Ids;
use crate::load::library::{self, OfFolder, WriteUp};
use crate::output::write_new_atomic;
use crate::pipeline::Outcome;

/// Reads a folder's library, printing its problems; `None` when it has errors.
fn library_of(dir: &Path, config: &Config) -> Option<OfFolder> {
    let lib = library::of_folder(dir);
    if lib.diagnostics.count(Level::Error) + lib.diagnostics.count(Level::Warning) > 0 {
        let writer = BufferWriter::stderr(diag::color_choice());
        let mut log = writer.buffer();
        let _ = diag::emit(&mut log, config.format, &lib.sources, &lib.diagnostics);
        let _ = writer.print(&log);
    }
    (lib.diagnostics.count(Level::Error) == 0).then_some(lib)
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
            let _ = std::io::stdout().lock().write_all(w.text.as_bytes());
            Outcome::Ok
        }
        Err(outcome) => outcome,
    }
}

/// The next free id of a folder: its `id_prefix` (else `DRAFT`) and the next
/// number after the ids of findings.csv and findings/, padded as they are.
fn next_id(dir: &Path) -> String {
    let toml: toml::Table = fs::read_to_string(dir.join("audit.toml"))
        .unwrap_or_default()
        .parse()
        .unwrap_or_default();
    let prefix = toml
        .get("id_prefix")
        .and_then(|v| v.as_str())
        .unwrap_or("DRAFT")
        .to_string();
    let in_csv: BTreeSet<String> = fs::read_to_string(dir.join("findings.csv"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split(',').next().map(|c| c.trim_matches('"').to_string()))
        .collect();
    Ids::for_folder(dir, prefix, in_csv).take()
}

/// A TOML string, quoted.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Fills the given placeholders of a text.
fn fill(text: &str, values: &[(String, String)]) -> String {
    values.iter().fold(text.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{{{k}}}}}"), v)
    })
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
    let id = next_id(dir);
    let text = match from {
        Some(name) => {
            let w = match find(&lib, name, config) {
                Ok(w) => w,
                Err(outcome) => return outcome,
            };
            if let Some((k, _)) = values.iter().find(|(k, _)| !w.placeholders.contains_key(k)) {
                let declared: Vec<&str> = w.placeholders.keys().map(String::as_str).collect();
                return fail(
                    config,
                    Outcome::Io,
                    format!("write-up {name} declares no placeholder {k}; nothing was written"),
                    Some(if declared.is_empty() {
                        "it declares none".to_string()
                    } else {
                        format!("its placeholders: {}", declared.join(", "))
                    }),
                );
            }
            let mut front = format!("+++\nfrom = {}\nreview = \"draft\"\n", quoted(name));
            for (k, v) in &w.values {
                front.push_str(&format!("{k} = {}\n", quoted(&fill(v, &values))));
            }
            format!("{front}+++\n{}", fill(&w.body, &values))
        }
        None => {
            if let Some((k, _)) = values.first() {
                return fail(
                    config,
                    Outcome::Io,
                    format!("--set {k} needs --from: an empty finding has no placeholders"),
                    None,
                );
            }
            let style = &lib.style;
            let mut front = "+++\ntitle = \"{{title}}\"\nreview = \"draft\"\n".to_string();
            front.push_str(&format!(
                "severity = {}\n",
                quoted(&style.severity.draft_name())
            ));
            if !style.difficulty.levels.is_empty() {
                front.push_str(&format!(
                    "difficulty = {}\n",
                    quoted(&style.difficulty.draft_name())
                ));
            }
            if !style.kind_optional() {
                front.push_str(&format!("type = {}\n", quoted(&style.kind.draft_name())));
            }
            let sections: String = style
                .finding
                .sections
                .iter()
                .map(|d| format!("\n## {}\n", style.section_title(d)))
                .collect();
            format!("{front}+++\n{sections}")
        }
    };
    let path = dir.join("findings").join(format!("{id}.md"));
    let written = fs::create_dir_all(dir.join("findings"))
        .and_then(|()| write_new_atomic(&path, text.as_bytes()));
    if let Err(e) = written {
        return fail(config, Outcome::Io, e.to_string(), None);
    }
    if config.chatty() {
        eprintln!("wrote {}", path.display());
        let left = crate::load::library::left(&text);
        if !left.is_empty() {
            eprintln!("fill in: {}", left.join(", "));
        }
    }
    Outcome::Ok
}

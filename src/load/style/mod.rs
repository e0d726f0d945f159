//! House styles (FORMAT 1.1): the built-ins `standard` and `risk`, the
//! example styles `smart-contract` and `pentest` (FORMAT 1.2), and style
//! folders with a `style.toml`.
//!
//! The built-ins are style.toml files embedded in the binary and read by the
//! same code as a firm's: `standard` is the one place version 1's scales and
//! texts are written down. Every problem of a style.toml is reported in one
//! run, at its key or value.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use toml::de::{DeTable, DeValue};

use crate::diag::{self, Diagnostics, FileRef, Place, Sources};
use crate::model::style::{self, Scale, Style};

/// The built-in styles: name and style.toml text. The one list of style
/// names: every `--style`, `init --style`, `extends` and the shell
/// completion take these. A style extends only those before it.
pub const BUILTIN: &[(&str, &str)] = &[
    ("standard", include_str!("../../../styles/standard.toml")),
    ("risk", include_str!("../../../styles/risk.toml")),
    (
        "smart-contract",
        include_str!("../../../data/styles/smart-contract/style.toml"),
    ),
    (
        "pentest",
        include_str!("../../../data/styles/pentest/style.toml"),
    ),
];

mod fonts;
mod layout;
mod reader;
mod shape;
mod show;

use fonts::fonts;
use reader::{StyleReader, field};
pub use show::show;

/// Keys of the top level of style.toml.
const ROOT_KEYS: &[&str] = &[
    "name",
    "lang",
    "extends",
    "severity",
    "difficulty",
    "type",
    "status",
    "maturity",
    "cvss",
    "strings",
    "scales",
    "finding",
    "layout",
    "numbering",
    "charts",
];

/// A built-in style by name (without regard to case), read once, when first
/// asked for (one that extends another reads that one first).
pub fn builtin(name: &str) -> Option<Arc<Style>> {
    static READ: [OnceLock<Arc<Style>>; BUILTIN.len()] = [const { OnceLock::new() }; BUILTIN.len()];
    let i = BUILTIN
        .iter()
        .position(|(n, _)| style::same_name(n, name.trim()))?;
    let style = READ[i].get_or_init(|| {
        let (name, text) = BUILTIN[i];
        let mut sources = Sources::default();
        let mut diags = Diagnostics::default();
        let file = sources.add(format!("<built-in style {name}>"), text);
        let base = (i > 0).then(|| builtin("standard")).flatten();
        let style = parse(file, text, None, base, &mut diags);
        assert!(
            !diags.has_errors(),
            "built-in style {name} has errors: {:?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        Arc::new(style.expect("built-in styles parse"))
    });
    Some(style.clone())
}

/// The names of the built-in styles, in their order.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

/// Reads a style by name or folder: a built-in name, or a folder relative to
/// `base` holding style.toml. Problems go to `diags` (at `place`, the value
/// that named the style, when the folder itself is wrong).
pub fn resolve(
    spec: &str,
    base: &Path,
    place: Option<Place>,
    sources: &mut Sources,
    diags: &mut Diagnostics,
) -> Option<Arc<Style>> {
    if let Some(style) = builtin(spec) {
        return Some(style);
    }
    let folder = base.join(spec);
    let toml_path = folder.join("style.toml");
    if !folder.is_dir() {
        diags
            .error(
                place,
                format!("house style \"{spec}\" is neither built in nor a folder"),
            )
            .add_hint(format!(
                "the built-in styles are {}; any other value names a folder with a style.toml, relative to {}",
                builtin_names().join(", "),
                if base.as_os_str().is_empty() { Path::new(".") } else { base }.display()
            ));
        return None;
    }
    let text = match super::read_in_folder(&folder, &toml_path) {
        Ok(text) => text,
        Err((message, hint)) => {
            diags
                .error(
                    place,
                    format!("house style \"{spec}\" has no readable style.toml ({message})"),
                )
                .add_hint(hint);
            return None;
        }
    };
    let file = sources.add(toml_path.display().to_string(), text.clone());
    // Both are read, so that a run reports every problem of the folder.
    let style = parse(file, &text, Some(&folder), None, diags);
    let fonts = fonts(&folder.join("fonts"), sources, diags);
    let mut style = style?;
    style.fonts = fonts?;
    Some(Arc::new(style))
}

/// Reads style.toml text. `base` is the style it starts from when `extends`
/// is absent (`None` only for `standard` itself); `extends` names a built-in.
pub fn parse(
    file: FileRef,
    text: &str,
    folder: Option<&Path>,
    base: Option<Arc<Style>>,
    diags: &mut Diagnostics,
) -> Option<Style> {
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            diags
                .error(
                    Some(Place::new(file, e.span().unwrap_or(0..0))),
                    format!(
                        "invalid TOML ({})",
                        e.message().lines().next().unwrap_or("").trim()
                    ),
                )
                .add_hint("see FORMAT.md, \"House styles\", for the layout of style.toml");
            return None;
        }
    };
    let mut r = StyleReader { file, diags };
    let root = root.get_ref();
    for (key, _) in root.iter() {
        if !ROOT_KEYS.contains(&key.get_ref().as_ref()) {
            r.unknown(key, ROOT_KEYS, None);
        }
    }
    let get = |key: &str| field(root, key);

    let (mut style, standard) = start(&mut r, root, folder, base);
    // Every style has every key of `standard`: a key it lacks does not exist.
    let known_strings: HashSet<String> = style.strings.keys().cloned().collect();

    identity(&mut r, root, folder, &mut style);
    scales(&mut r, root, &mut style);
    maturity_and_cvss(&mut r, root, &mut style);
    strings(&mut r, root, &mut style, &known_strings, standard);
    numbering(&mut r, root, &mut style);
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("scales") {
        shape::scales(&mut r, v, &mut style);
    }
    if let Some(v) = get("finding") {
        shape::finding(&mut r, v, &mut style);
    }
    if let Some(v) = get("severity")
        && let DeValue::Table(t) = v.get_ref()
        && let Some(m) = field(t, "matrix")
    {
        shape::matrix(&mut r, m, &mut style);
    }
    r.mark(&mut style, "finding", before);
    if let Some(v) = get("layout") {
        layout::layout(&mut r, v, &mut style);
    }
    if let Some(v) = get("charts") {
        layout::charts(&mut r, v, &mut style);
    }
    // Messages name the second axis as the report does: "unknown likelihood".
    style.difficulty.kind = style.difficulty_label.to_lowercase();
    Some(style)
}

/// The style a style.toml starts from: `extends`, else the folder's base,
/// else `standard`; and whether it is `standard` itself.
fn start(
    r: &mut StyleReader,
    root: &DeTable,
    folder: Option<&Path>,
    base: Option<Arc<Style>>,
) -> (Style, bool) {
    let get = |key: &str| field(root, key);
    // Only `standard` itself starts from nothing.
    let standard = base.is_none() && folder.is_none() && get("extends").is_none();
    let start: Option<Arc<Style>> = match get("extends") {
        Some(value) => match r.string(value, "extends") {
            Some(name) => match builtin(&name) {
                Some(b) => Some(b),
                None => {
                    r.error(
                        value.span(),
                        format!("`extends` names no built-in style: \"{name}\""),
                        format!("expected one of {}", builtin_names().join(", ")),
                    );
                    None
                }
            },
            None => None,
        },
        None if standard => None,
        None => base.or_else(|| builtin("standard")),
    };
    // A style whose base is unknown has no scales to check values against.
    let unknown_base = get("extends").is_some() && start.is_none();
    let start = if unknown_base {
        builtin("standard")
    } else {
        start
    };
    let mut style: Style = start.as_deref().cloned().unwrap_or_default();
    if unknown_base {
        style.broken.insert("*".into());
    }
    style.folder = folder.map(Path::to_path_buf);
    (style, standard)
}

/// The style's name (its folder's, when not given) and language.
fn identity(r: &mut StyleReader, root: &DeTable, folder: Option<&Path>, style: &mut Style) {
    let get = |key: &str| field(root, key);
    style.name = match get("name") {
        Some(v) => r.string(v, "name").unwrap_or_default(),
        None => folder.map_or_else(String::new, |f| {
            f.file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        }),
    };
    if let Some(v) = get("lang")
        && let Some(lang) = r.string(v, "lang")
    {
        if lang.len() < 2 || lang.len() > 3 || !lang.chars().all(|c| c.is_ascii_lowercase()) {
            r.error(
                v.span(),
                format!("`lang` must be an ISO 639 language code, not \"{lang}\""),
                "e.g. lang = \"de\" or lang = \"fr\"".into(),
            );
        } else {
            style.lang = lang;
        }
    }
}

/// The four scales: severity, difficulty, type and status.
fn scales(r: &mut StyleReader, root: &DeTable, style: &mut Style) {
    let get = |key: &str| field(root, key);
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("severity")
        && let Some(t) = r.table(
            v,
            "severity",
            &["levels", "appendix_order", "draft", "matrix"],
        )
        && let Some(scale) = r.scale(t, v.span(), "severity", &["sarif", "cvss", "rated"], true)
    {
        style.severity = scale;
    }
    r.mark(style, "severity", before);
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("difficulty")
        && let Some(t) = r.table(
            v,
            "difficulty",
            &["label", "required", "levels", "appendix_order", "draft"],
        )
    {
        if let Some(label) = field(t, "label").and_then(|l| r.string(l, "difficulty.label")) {
            style.difficulty_label = label;
        }
        style.difficulty_required = field(t, "required")
            .and_then(|v| r.boolean(v, "difficulty.required"))
            .unwrap_or(true);
        if let Some(scale) = r.scale(t, v.span(), "difficulty", &[], true) {
            // `levels = []`: the style rates no second axis (FORMAT 1.2).
            if scale.levels.is_empty() {
                style.difficulty_required = false;
            }
            style.difficulty = scale;
        }
    }
    r.mark(style, "difficulty", before);
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("type")
        && let Some(t) = r.table(v, "type", &["free", "levels", "appendix_order", "draft"])
    {
        style.kind_free = field(t, "free")
            .and_then(|f| r.boolean(f, "type.free"))
            .unwrap_or(false);
        match r.scale(t, v.span(), "finding type", &[], !style.kind_free) {
            Some(scale) => style.kind = scale,
            None if style.kind_free => style.kind = Scale::default(),
            None => {}
        }
        style.kind.kind = "finding type".into();
    }
    r.mark(style, "type", before);
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("status")
        && let Some(t) = r.table(v, "status", &["levels", "appendix_order"])
        && let Some(scale) = r.scale(t, v.span(), "status", &["counts_as"], true)
    {
        style.status = scale;
    }
    r.mark(style, "status", before);
}

/// The maturity categories and ratings, and how CVSS is scored.
fn maturity_and_cvss(r: &mut StyleReader, root: &DeTable, style: &mut Style) {
    let get = |key: &str| field(root, key);
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("maturity")
        && let Some(t) = r.table(v, "maturity", &["categories", "ratings"])
    {
        for (key, kind) in [("categories", "maturity category"), ("ratings", "rating")] {
            let Some(list) = field(t, key) else {
                r.error(
                    v.span(),
                    format!("[maturity] has no `{key}`"),
                    format!("the table replaces the base's as a whole: list the {key}"),
                );
                continue;
            };
            if let Some(levels) = r.levels(list, kind, &[]) {
                let scale = Scale {
                    kind: kind.into(),
                    appendix_order: (0..levels.len()).collect(),
                    levels,
                    draft: None,
                };
                if key == "categories" {
                    style.categories = scale;
                } else {
                    style.ratings = scale;
                }
            }
        }
    }
    r.mark(style, "maturity", before);
    if let Some(v) = get("cvss")
        && let Some(t) = r.table(v, "cvss", &["score"])
        && let Some(score) = field(t, "score")
        && let Some(text) = r.string(score, "cvss.score")
    {
        let names = crate::model::style::CvssScore::NAMES;
        match names.iter().find(|(name, _)| *name == text) {
            Some((_, choice)) => style.cvss_score = *choice,
            None => {
                let known: Vec<&str> = names.iter().map(|(name, _)| *name).collect();
                let guess = diag::did_you_mean(&text, &known, diag::quoted)
                    .map_or(String::new(), |g| format!("{g} "));
                r.error(
                    score.span(),
                    format!("unknown `cvss.score` \"{text}\""),
                    format!("{guess}expected \"base\", \"temporal\", \"environmental\" or \"most specific\" (the default: the most specific group the vector gives)"),
                );
            }
        }
    }
}

/// `[numbering] headings = "none" | "1.1"` (FORMAT 1.3).
fn numbering(r: &mut StyleReader, root: &DeTable, style: &mut Style) {
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = field(root, "numbering")
        && let Some(t) = r.table(v, "numbering", &["headings"])
        && let Some(h) = field(t, "headings")
        && let Some(text) = r.string(h, "numbering.headings")
    {
        match text.trim() {
            "none" => style.heading_numbers = false,
            "1.1" => style.heading_numbers = true,
            other => r.error(
                h.span(),
                format!("unknown `numbering.headings` \"{other}\""),
                "expected \"1.1\" (chapters 1, 2, their sections 1.1, 1.2) or \"none\"".into(),
            ),
        }
    }
    r.mark(style, "numbering", before);
}

/// The style's words: every key must be one of `standard`'s (or a plural
/// form of one).
fn strings(
    r: &mut StyleReader,
    root: &DeTable,
    style: &mut Style,
    known_strings: &HashSet<String>,
    standard: bool,
) {
    let get = |key: &str| field(root, key);
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("strings")
        && let Some(t) = r.table(v, "strings", &[])
    {
        for (key, value) in t.iter() {
            let name = key.get_ref().to_string();
            // A plural form CLDR has for some language (`.few`, `.many`) is
            // known wherever the key has an `.other` form.
            let plural_form = crate::model::style::PLURAL_FORMS.iter().any(|form| {
                name.strip_suffix(&format!(".{form}"))
                    .is_some_and(|stem| known_strings.contains(&format!("{stem}.other")))
            });
            if !standard && !known_strings.contains(&name) && !plural_form {
                let names: Vec<&str> = known_strings.iter().map(String::as_str).collect();
                let hint = diag::did_you_mean(&name, &names, diag::quoted).unwrap_or_else(|| {
                    "`auditpress style show` lists every key with its text".into()
                });
                r.error(key.span(), format!("unknown string key \"{name}\""), hint);
                continue;
            }
            if let Some(text) = r.string(value, &format!("strings.\"{name}\"")) {
                r.places(&name, &text, value.span());
                style.strings.insert(name, text);
            }
        }
    }
    r.mark(style, "strings", before);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_styles_read_without_problems() {
        let standard = builtin("standard").expect("standard");
        assert_eq!(standard.severity.names()[0], "High");
        assert_eq!(standard.difficulty_label, "Difficulty");
        let risk = builtin("RISK").expect("risk");
        assert_eq!(risk.severity.names()[0], "Critical");
        assert_eq!(risk.difficulty_label, "Likelihood");
        assert!(risk.kind_free);
        assert_eq!(risk.strings.len(), standard.strings.len());
    }
}

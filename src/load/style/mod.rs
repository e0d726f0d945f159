//! House styles (FORMAT 1.1): the built-ins `standard` and `risk`, and style
//! folders with a `style.toml`.
//!
//! The built-ins are style.toml files embedded in the binary and read by the
//! same code as a firm's: `standard` is the one place version 1's scales and
//! texts are written down. Every problem of a style.toml is reported in one
//! run, at its key or value.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::markdown::{self, Context, ImageSink};
use crate::diag::{self, Diagnostics, FileRef, Place, Sources};
use crate::model::style::{self, FontFile, Level, Outcome, Scale, Style};

/// The built-in styles: name and style.toml text.
pub const BUILTIN: &[(&str, &str)] = &[
    ("standard", include_str!("../../styles/standard.toml")),
    ("risk", include_str!("../../styles/risk.toml")),
];

mod shape;

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
];

/// A built-in style by name (without regard to case), read once.
pub fn builtin(name: &str) -> Option<Arc<Style>> {
    static READ: OnceLock<Vec<Arc<Style>>> = OnceLock::new();
    let styles = READ.get_or_init(|| {
        let mut read: Vec<Arc<Style>> = Vec::new();
        for (name, text) in BUILTIN {
            let mut sources = Sources::default();
            let mut diags = Diagnostics::default();
            let file = sources.add(format!("<built-in style {name}>"), *text);
            let base = read.first().cloned();
            let style = parse(file, text, None, base, &mut diags);
            assert!(
                !diags.has_errors(),
                "built-in style {name} has errors: {:?}",
                diags.iter().map(|d| &d.message).collect::<Vec<_>>()
            );
            read.push(Arc::new(style.expect("built-in styles parse")));
        }
        read
    });
    BUILTIN
        .iter()
        .position(|(n, _)| style::same_name(n, name.trim()))
        .map(|i| styles[i].clone())
}

/// The names of the built-in styles.
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
                builtin_names().join(" and "),
                if base.as_os_str().is_empty() { Path::new(".") } else { base }.display()
            ));
        return None;
    }
    let text = match super::read_input(&toml_path) {
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

/// Largest font file read, in bytes.
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads the fonts of a style's `fonts/` folder. A file that is not a font
/// (by its first bytes) is an error unless its name says it is a licence.
fn fonts(dir: &Path, sources: &mut Sources, diags: &mut Diagnostics) -> Option<Vec<FontFile>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Some(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    paths.sort();
    let errors = diags.count(diag::Level::Error);
    let mut out = Vec::new();
    let mut licensed = false;
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        if is_licence(&name) {
            licensed = true;
            continue;
        }
        let shown = path.display().to_string();
        let mut fail = |message: String, hint: &str| {
            let file = sources.add(shown.clone(), String::new());
            diags
                .error(Some(Place::new(file, 0..0)), message)
                .add_hint(hint.to_string());
        };
        // A link that leaves the style folder is not followed: a style
        // passed between firms reads no file of the machine it builds on.
        let inside = std::fs::canonicalize(dir)
            .and_then(|root| Ok(std::fs::canonicalize(&path)?.starts_with(root)))
            .unwrap_or(false);
        if !inside {
            fail(
                "this font links outside the style folder; it is not read".into(),
                "copy the font into fonts/ instead of linking to it",
            );
            continue;
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > MAX_FONT_BYTES {
            fail(
                format!("font file is too large ({size} bytes)"),
                "fonts of a style are limited to 64 MiB each",
            );
            continue;
        }
        match std::fs::read(&path) {
            Ok(bytes) if is_font(&bytes) => out.push(FontFile {
                path: shown,
                bytes: Arc::new(bytes),
            }),
            Ok(_) => fail(
                "not a font: fonts/ holds OpenType or TrueType fonts (.otf, .ttf, .otc, .ttc) and their licences".into(),
                "remove the file, or name a licence LICENSE, OFL.txt or *.txt",
            ),
            Err(e) => fail(format!("cannot read font ({e})"), "check its permissions"),
        }
    }
    if !out.is_empty() && !licensed {
        diags
            .warning(
                None,
                format!("{} has fonts but no licence file", dir.display()),
            )
            .add_hint("ship each font with its licence (e.g. OFL.txt) beside it");
    }
    (diags.count(diag::Level::Error) == errors).then_some(out)
}

/// Whether a file name is that of a licence or notice.
fn is_licence(name: &str) -> bool {
    ["license", "licence", "ofl", "copying", "notice", "readme"]
        .iter()
        .any(|p| name.starts_with(p))
        || name.ends_with(".txt")
        || name.ends_with(".md")
}

/// Whether bytes start as an OpenType or TrueType font or collection does.
fn is_font(bytes: &[u8]) -> bool {
    matches!(
        bytes.get(..4),
        Some(b"OTTO" | b"true" | b"ttcf" | [0, 1, 0, 0])
    )
}

/// Images are not allowed in a style's definitions.
struct NoImages;

impl ImageSink for NoImages {
    fn resolve(&mut self, src: &str) -> Result<String, (String, String)> {
        Err((
            format!("image \"{src}\" in a style's definition"),
            "definitions are one line of text; remove the image".into(),
        ))
    }
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
    let get = |key: &str| {
        root.iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v)
    };

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
    // Every style has every key of `standard`: a key it lacks does not exist.
    let known_strings: HashSet<String> = style.strings.keys().cloned().collect();

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
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("severity")
        && let Some(t) = r.table(
            v,
            "severity",
            &["levels", "appendix_order", "draft", "matrix"],
        )
        && let Some(scale) = r.scale(t, v.span(), "severity", &["sarif", "cvss"], true)
    {
        style.severity = scale;
    }
    r.mark(&mut style, "severity", before);
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
    r.mark(&mut style, "difficulty", before);
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
    r.mark(&mut style, "type", before);
    let before = r.diags.count(diag::Level::Error);
    if let Some(v) = get("status")
        && let Some(t) = r.table(v, "status", &["levels", "appendix_order"])
        && let Some(scale) = r.scale(t, v.span(), "status", &["counts_as"], true)
    {
        style.status = scale;
    }
    r.mark(&mut style, "status", before);
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
    r.mark(&mut style, "maturity", before);
    if let Some(v) = get("cvss")
        && let Some(t) = r.table(v, "cvss", &["score"])
        && let Some(score) = field(t, "score")
        && let Some(text) = r.string(score, "cvss.score")
    {
        match text.as_str() {
            "base" => style.cvss_base = true,
            "specific" => style.cvss_base = false,
            other => r.error(
                score.span(),
                format!("unknown `cvss.score` \"{other}\""),
                "expected \"base\" (the base score) or \"specific\" (the most specific group given, the default)".into(),
            ),
        }
    }
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
    r.mark(&mut style, "strings", before);
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
    // Messages name the second axis as the report does: "unknown likelihood".
    style.difficulty.kind = style.difficulty_label.to_lowercase();
    Some(style)
}

/// The value of a key of a table.
fn field<'t>(t: &'t DeTable<'t>, key: &str) -> Option<&'t Spanned<DeValue<'t>>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

/// Reads the parts of style.toml, reporting problems at their spans.
struct StyleReader<'d> {
    file: FileRef,
    diags: &'d mut Diagnostics,
}

impl StyleReader<'_> {
    /// Marks a table of the style broken when errors were found since `before`.
    fn mark(&mut self, style: &mut Style, table: &str, before: usize) {
        if self.diags.count(diag::Level::Error) > before {
            style.broken.insert(table.to_string());
        }
    }

    fn error(&mut self, span: Range<usize>, message: String, hint: String) {
        self.diags
            .error(Some(Place::new(self.file, span)), message)
            .add_hint(hint);
    }

    fn unknown(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        known: &[&str],
        parent: Option<&str>,
    ) {
        let (shown, hint) = super::meta::unknown_key(key.get_ref(), known, parent);
        self.error(
            key.span(),
            format!("unknown key `{shown}` in style.toml"),
            hint,
        );
    }

    /// Checks that a text uses only the places its key offers: a place the
    /// compiler does not fill would print as written, braces and all.
    fn places(&mut self, key: &str, text: &str, span: Range<usize>) {
        let offered = style::offered(key);
        for place in style::places(text) {
            if offered.contains(&place) {
                continue;
            }
            let hint = match diag::did_you_mean(place, offered, |p| format!("{{{p}}}")) {
                Some(mean) => mean,
                None if offered.is_empty() => format!("\"{key}\" takes no places"),
                None => format!(
                    "\"{key}\" offers {}",
                    offered
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            self.error(
                span.clone(),
                format!("{{{place}}} is no place of the string \"{key}\""),
                hint,
            );
        }
    }

    fn string(&mut self, value: &Spanned<DeValue>, key: &str) -> Option<String> {
        match value.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.error(
                    value.span(),
                    format!("`{key}` must be a string"),
                    "put the text in double quotes".into(),
                );
                None
            }
        }
    }

    fn boolean(&mut self, value: &Spanned<DeValue>, key: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.error(
                    value.span(),
                    format!("`{key}` must be true or false"),
                    "write it without quotes".into(),
                );
                None
            }
        }
    }

    /// A table whose keys must be among `known` (any key when `known` is empty).
    fn table<'a>(
        &mut self,
        value: &'a Spanned<DeValue<'a>>,
        name: &str,
        known: &[&str],
    ) -> Option<&'a DeTable<'a>> {
        let DeValue::Table(t) = value.get_ref() else {
            self.error(
                value.span(),
                format!("`{name}` must be a table"),
                format!("write it as a [{name}] table"),
            );
            return None;
        };
        if !known.is_empty() {
            for (k, _) in t.iter() {
                if !known.contains(&k.get_ref().as_ref()) {
                    self.unknown(k, known, Some(name));
                }
            }
        }
        Some(t)
    }

    /// The `levels` and `appendix_order` of a scale table.
    fn scale(
        &mut self,
        table: &DeTable,
        span: Range<usize>,
        kind: &str,
        extra: &[&str],
        required: bool,
    ) -> Option<Scale> {
        let Some(list) = field(table, "levels") else {
            if required {
                self.error(
                    span,
                    format!("the {kind} scale has no `levels`"),
                    "the table replaces the base's as a whole: list its levels, most severe first"
                        .into(),
                );
            }
            return None;
        };
        // A scale with `levels = []` is absent (FORMAT 1.2); severity and
        // status always have levels.
        let may_be_absent = matches!(kind, "difficulty" | "finding type");
        if may_be_absent && matches!(list.get_ref(), DeValue::Array(items) if items.is_empty()) {
            return Some(Scale {
                kind: kind.into(),
                ..Scale::default()
            });
        }
        let levels = self.levels(list, kind, extra)?;
        let mut scale = Scale {
            kind: kind.into(),
            appendix_order: (0..levels.len()).collect(),
            levels,
            draft: None,
        };
        if let Some(v) = field(table, "appendix_order") {
            let DeValue::Array(items) = v.get_ref() else {
                self.error(
                    v.span(),
                    "`appendix_order` must be a list of the levels' names".into(),
                    format!("e.g. appendix_order = [\"{}\"]", scale.levels[0].name),
                );
                return None;
            };
            let mut order = Vec::new();
            for item in items {
                match self.level_of(&scale, item, "appendix_order") {
                    Some(i) if order.contains(&i) => self.error(
                        item.span(),
                        format!(
                            "\"{}\" is listed twice in `appendix_order`",
                            scale.levels[i].name
                        ),
                        "list each level once".into(),
                    ),
                    Some(i) => order.push(i),
                    None => {}
                }
            }
            if order.len() != scale.levels.len() && order.len() == items.len() {
                self.error(
                    v.span(),
                    format!(
                        "`appendix_order` lists {} of the {} levels",
                        order.len(),
                        scale.levels.len()
                    ),
                    "list every level once, or leave the key out".into(),
                );
            }
            scale.appendix_order = order;
        }
        if let Some(v) = field(table, "draft") {
            scale.draft = Some(self.level_of(&scale, v, "draft")?);
        }
        Some(scale)
    }

    /// The position of the level a value names; an error at the value when
    /// it names none.
    fn level_of(&mut self, scale: &Scale, value: &Spanned<DeValue>, key: &str) -> Option<usize> {
        let name = self.string(value, key)?;
        let found = scale.find(&name).map(|r| r.index);
        if found.is_none() {
            self.error(
                value.span(),
                format!("`{key}` names no {} level \"{}\"", scale.kind, name.trim()),
                format!("expected one of {}", scale.names().join(", ")),
            );
        }
        found
    }

    /// A list of levels: `{ name, colour, definition, ... }`.
    fn levels(
        &mut self,
        list: &Spanned<DeValue>,
        kind: &str,
        extra: &[&str],
    ) -> Option<Vec<Level>> {
        let DeValue::Array(items) = list.get_ref() else {
            self.error(
                list.span(),
                format!("the {kind} levels must be a list"),
                "e.g. levels = [{ name = \"High\", colour = \"#c0392b\" }]".into(),
            );
            return None;
        };
        if items.is_empty() {
            self.error(
                list.span(),
                format!("the {kind} scale has no levels"),
                "list at least one level".into(),
            );
            return None;
        }
        let mut known = vec!["name", "colour", "definition"];
        known.extend_from_slice(extra);
        let mut levels = Vec::new();
        let mut ok = true;
        for item in items {
            let DeValue::Table(t) = item.get_ref() else {
                self.error(
                    item.span(),
                    format!("a {kind} level must be a table"),
                    "e.g. { name = \"High\", colour = \"#c0392b\" }".into(),
                );
                ok = false;
                continue;
            };
            let mut level = Level::default();
            let mut named = false;
            for (k, v) in t.iter() {
                let key = k.get_ref().as_ref();
                if !known.contains(&key) {
                    self.unknown(k, &known, Some(kind));
                    continue;
                }
                match key {
                    "name" => {
                        if let Some(name) = self.string(v, "name") {
                            if name.trim().is_empty() {
                                self.error(
                                    v.span(),
                                    format!("a {kind} level has an empty name"),
                                    "give the level a name".into(),
                                );
                            } else if levels
                                .iter()
                                .any(|l: &Level| style::same_name(&l.name, name.trim()))
                            {
                                self.error(
                                    v.span(),
                                    format!("the {kind} level \"{}\" is named twice", name.trim()),
                                    "names are matched without regard to case; give each level its own name".into(),
                                );
                            } else {
                                level.name = name.trim().to_string();
                                named = true;
                            }
                        }
                    }
                    "colour" => {
                        if let Some(c) = self.string(v, "colour") {
                            if is_colour(&c) {
                                level.colour = Some(c.to_lowercase());
                            } else {
                                self.error(
                                    v.span(),
                                    format!("\"{c}\" is not a colour"),
                                    "write colours as \"#rrggbb\", e.g. \"#c0392b\"".into(),
                                );
                                ok = false;
                            }
                        }
                    }
                    "definition" => {
                        if let Some(text) = self.string(v, "definition") {
                            level.definition = self.inline(&text, v.span());
                            level.definition_text = Some(text);
                        }
                    }
                    "counts_as" => {
                        if let Some(text) = self.string(v, "counts_as") {
                            match Outcome::ALL.iter().find(|o| o.name() == text.trim().to_lowercase()) {
                                Some(o) => level.counts_as = Some(*o),
                                None => self.error(
                                    v.span(),
                                    format!("unknown `counts_as` \"{text}\""),
                                    "expected resolved, partially resolved, unresolved or undetermined".into(),
                                ),
                            }
                        }
                    }
                    "cvss" => {
                        let ratings: Vec<&Spanned<DeValue>> = match v.get_ref() {
                            DeValue::Array(items) => items.iter().collect(),
                            _ => vec![v],
                        };
                        for r in ratings {
                            let Some(text) = self.string(r, "cvss") else {
                                continue;
                            };
                            match CVSS_RATINGS
                                .iter()
                                .find(|c| style::same_name(c, text.trim()))
                            {
                                Some(c) => level.cvss.push(c.to_string()),
                                None => self.error(
                                    r.span(),
                                    format!("unknown CVSS rating \"{text}\""),
                                    format!("expected {}", CVSS_RATINGS.join(", ")),
                                ),
                            }
                        }
                    }
                    "sarif" => {
                        if let Some(text) = self.string(v, "sarif") {
                            if ["error", "warning", "note"].contains(&text.as_str()) {
                                level.sarif = Some(text);
                            } else {
                                self.error(
                                    v.span(),
                                    format!("unknown SARIF level \"{text}\""),
                                    "expected error, warning or note".into(),
                                );
                            }
                        }
                    }
                    _ => {}
                }
            }
            if !named {
                if !t.iter().any(|(k, _)| k.get_ref() == "name") {
                    self.error(
                        item.span(),
                        format!("a {kind} level has no name"),
                        "every level needs name = \"...\"".into(),
                    );
                }
                ok = false;
                continue;
            }
            if extra.contains(&"counts_as") && level.counts_as.is_none() {
                if !t.iter().any(|(k, _)| k.get_ref() == "counts_as") {
                    self.error(
                        item.span(),
                        format!("the status \"{}\" has no `counts_as`", level.name),
                        "say what it counts as in the fix-review sentence: resolved, partially resolved, unresolved or undetermined".into(),
                    );
                }
                ok = false;
            }
            levels.push(level);
        }
        ok.then_some(levels)
    }

    /// Parses a definition as one line of inline Markdown.
    fn inline(&mut self, text: &str, span: Range<usize>) -> Vec<crate::content::Inline> {
        let ids = markdown::FindingIds::default();
        let mut images = NoImages;
        let mut cx = Context {
            ids: &ids,
            targets: &[],
            figure_prefix: String::new(),
            figures: 0,
            images: &mut images,
        };
        let (out, problems) = markdown::parse_inline(text, &mut cx);
        for p in problems {
            let place = Some(Place::new(self.file, span.clone()));
            let d = if p.error || p.hidden {
                self.diags.error(place, p.message)
            } else {
                self.diags.warning(place, p.message)
            };
            if let Some(h) = p.hint {
                d.add_hint(h);
            }
        }
        out
    }
}

/// The qualitative ratings of CVSS, for `cvss` of a severity level.
const CVSS_RATINGS: &[&str] = &["None", "Low", "Medium", "High", "Critical"];

/// Whether a text is a `#rrggbb` colour.
fn is_colour(text: &str) -> bool {
    text.len() == 7 && text.starts_with('#') && text[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// Prints a style as style.toml text: every table, every string key.
pub fn show(style: &Style) -> String {
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = String::new();
    out.push_str(&format!(
        "name = {}\nlang = {}\n",
        q(&style.name),
        q(&style.lang)
    ));
    let level = |l: &Level| {
        let mut parts = vec![format!("name = {}", q(&l.name))];
        if let Some(c) = &l.colour {
            parts.push(format!("colour = {}", q(c)));
        }
        if let Some(o) = l.counts_as {
            parts.push(format!("counts_as = {}", q(o.name())));
        }
        if let Some(s) = &l.sarif {
            parts.push(format!("sarif = {}", q(s)));
        }
        if !l.cvss.is_empty() {
            let list: Vec<String> = l.cvss.iter().map(|c| q(c)).collect();
            parts.push(format!("cvss = [{}]", list.join(", ")));
        }
        if let Some(d) = &l.definition_text {
            parts.push(format!("definition = {}", q(d)));
        }
        format!("  {{ {} }},\n", parts.join(", "))
    };
    let scale = |out: &mut String, s: &Scale, key: &str| {
        out.push_str(&format!("{key} = [\n"));
        for l in &s.levels {
            out.push_str(&level(l));
        }
        out.push_str("]\n");
        if s.appendix_order.iter().enumerate().any(|(i, o)| i != *o) {
            let names: Vec<String> = s.in_appendix_order().map(|l| q(&l.name)).collect();
            out.push_str(&format!("appendix_order = [{}]\n", names.join(", ")));
        }
        if let Some(i) = s.draft {
            out.push_str(&format!("draft = {}\n", q(&s.levels[i].name)));
        }
    };
    out.push_str("\n[severity]\n");
    scale(&mut out, &style.severity, "levels");
    out.push_str(&format!(
        "\n[difficulty]\nlabel = {}\nrequired = {}\n",
        q(&style.difficulty_label),
        style.difficulty_required
    ));
    scale(&mut out, &style.difficulty, "levels");
    out.push_str(&format!("\n[type]\nfree = {}\n", style.kind_free));
    if !style.kind.levels.is_empty() {
        scale(&mut out, &style.kind, "levels");
    }
    out.push_str("\n[status]\n");
    scale(&mut out, &style.status, "levels");
    out.push_str("\n[maturity]\n");
    scale(&mut out, &style.categories, "categories");
    scale(&mut out, &style.ratings, "ratings");
    out.push_str("\n[strings]\n");
    for (k, v) in &style.strings {
        out.push_str(&format!("{} = {}\n", q(k), q(v)));
    }
    out
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

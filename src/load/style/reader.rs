//! The reader of style.toml's values: strings, booleans, tables, scales
//! and levels, each problem reported at its span.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{self, Diagnostics, FileRef, Place};
use crate::load::markdown::{self, Context, ImageSink};
use crate::model::style::{self, Level, Outcome, Scale, Style};

/// The value of a key of a table.
pub(super) fn field<'t>(t: &'t DeTable<'t>, key: &str) -> Option<&'t Spanned<DeValue<'t>>> {
    t.iter().find(|(k, _)| k.get_ref() == key).map(|(_, v)| v)
}

/// Reads the parts of style.toml, reporting problems at their spans.
pub(super) struct StyleReader<'d> {
    pub(super) file: FileRef,
    pub(super) diags: &'d mut Diagnostics,
}

impl StyleReader<'_> {
    /// Marks a table of the style broken when errors were found since `before`.
    pub(super) fn mark(&mut self, style: &mut Style, table: &str, before: usize) {
        if self.diags.count(diag::Level::Error) > before {
            style.broken.insert(table.to_string());
        }
    }

    pub(super) fn error(&mut self, span: Range<usize>, message: String, hint: String) {
        self.diags
            .error(Some(Place::new(self.file, span)), message)
            .add_hint(hint);
    }

    pub(super) fn unknown(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        known: &[&str],
        parent: Option<&str>,
    ) {
        let (shown, hint) = crate::load::meta::unknown_key(key.get_ref(), known, parent);
        self.diags
            .error(
                Some(Place::new(self.file, key.span())),
                format!("unknown key `{shown}` in style.toml"),
            )
            .add_hint(hint)
            .fix_to_closest(key.get_ref(), known);
    }

    /// Checks that a text uses only the places its key offers: a place the
    /// compiler does not fill would print as written, braces and all.
    pub(super) fn places(&mut self, key: &str, text: &str, span: Range<usize>) {
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

    pub(super) fn string(&mut self, value: &Spanned<DeValue>, key: &str) -> Option<String> {
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

    pub(super) fn boolean(&mut self, value: &Spanned<DeValue>, key: &str) -> Option<bool> {
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
    pub(super) fn table<'a>(
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
    pub(super) fn scale(
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
    pub(super) fn level_of(
        &mut self,
        scale: &Scale,
        value: &Spanned<DeValue>,
        key: &str,
    ) -> Option<usize> {
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
    pub(super) fn levels(
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
                let (now_named, key_ok) = self.level_key(&mut level, &levels, kind, key, v);
                named |= now_named;
                ok &= key_ok;
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

    /// Reads one key of a level; says whether it named the level and
    /// whether its value was accepted.
    pub(super) fn level_key(
        &mut self,
        level: &mut Level,
        levels: &[Level],
        kind: &str,
        key: &str,
        v: &Spanned<DeValue>,
    ) -> (bool, bool) {
        let (mut named, mut ok) = (false, true);
        match key {
            "name" => named = self.level_name(level, levels, kind, v),
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
                    match Outcome::ALL
                        .iter()
                        .find(|o| o.name() == text.trim().to_lowercase())
                    {
                        Some(o) => level.counts_as = Some(*o),
                        None => self.error(
                            v.span(),
                            format!("unknown `counts_as` \"{text}\""),
                            "expected resolved, partially resolved, unresolved or undetermined"
                                .into(),
                        ),
                    }
                }
            }
            "cvss" => self.level_cvss(level, v),
            "rated" => {
                if let Some(rated) = self.boolean(v, "rated") {
                    level.unrated = !rated;
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
        (named, ok)
    }

    /// Reads a level's `name`: not empty, not the name of an earlier level
    /// of the scale; tells whether it named the level.
    fn level_name(
        &mut self,
        level: &mut Level,
        levels: &[Level],
        kind: &str,
        v: &Spanned<DeValue>,
    ) -> bool {
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
                return true;
            }
        }
        false
    }

    /// Reads a level's `cvss`: one CVSS rating or a list of them.
    fn level_cvss(&mut self, level: &mut Level, v: &Spanned<DeValue>) {
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

    /// Parses a definition as one line of inline Markdown.
    pub(super) fn inline(&mut self, text: &str, span: Range<usize>) -> Vec<crate::content::Inline> {
        self.markdown(text, span, markdown::parse_inline)
    }

    /// Parses a style's Markdown text (a group's `intro`) as blocks.
    pub(super) fn blocks(&mut self, text: &str, span: Range<usize>) -> Vec<crate::content::Block> {
        self.markdown(text, span, markdown::parse)
    }

    /// Parses a style's Markdown text, its problems reported at `span`.
    fn markdown<T>(
        &mut self,
        text: &str,
        span: Range<usize>,
        parse: impl Fn(&str, &mut Context) -> (Vec<T>, Vec<markdown::Problem>),
    ) -> Vec<T> {
        let ids = markdown::FindingIds::default();
        let mut images = NoImages;
        let mut cx = Context {
            ids: &ids,
            targets: &[],
            figure_prefix: String::new(),
            figures: 0,
            chapter_figures: false,
            images: &mut images,
            // A style's texts are printed as its author typed them.
            quotes: None,
        };
        let (out, problems) = parse(text, &mut cx);
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

/// Images are not allowed in a style's texts (definitions, group intros).
struct NoImages;

impl ImageSink for NoImages {
    fn resolve(&mut self, src: &str) -> Result<String, (String, String)> {
        Err((
            format!("image \"{src}\" in a style's text"),
            "a style's definitions and intros are text; remove the image".into(),
        ))
    }
}

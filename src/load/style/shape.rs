//! The `[finding]`, `[scales.<name>]` and `[severity.matrix]` tables of
//! style.toml (FORMAT 1.2, "The finding's shape").

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::reader::{StyleReader, field};
use crate::diag;
use crate::model::Style;
use crate::model::front::BuiltinKey;
use crate::model::shape;
use crate::model::shape::{
    FieldDef, FieldKind, Figures, FixPlace, Group, Matrix, NamedScale, PageBreak, SectionDef,
    SectionTitles, Shape,
};

/// Keys of `[finding]`.
const FINDING_KEYS: &[&str] = &[
    "sections",
    "fields",
    "header",
    "summary",
    "groups",
    "page_break",
    "fix_review",
    "heading",
    "section_titles",
    "figures",
];

/// Places a finding's heading may hold.
const HEADING_PLACES: &[&str] = &["section", "number", "id", "title"];

type Value<'a> = Spanned<DeValue<'a>>;

/// The items of a list, or an error at the value.
fn list<'a>(
    r: &mut StyleReader,
    value: &'a Value<'a>,
    key: &str,
    eg: &str,
) -> Option<&'a [Value<'a>]> {
    match value.get_ref() {
        DeValue::Array(items) => Some(items),
        _ => {
            r.error(
                value.span(),
                format!("`{key}` must be a list"),
                format!("e.g. {key} = {eg}"),
            );
            None
        }
    }
}

/// Reads `[scales.<name>]`.
pub(super) fn scales(r: &mut StyleReader, value: &Value, style: &mut Style) {
    let Some(t) = r.table(value, "scales", &[]) else {
        return;
    };
    for (name, v) in t.iter() {
        let key = name.get_ref().to_string();
        let path = format!("scales.{key}");
        if matches!(key.as_str(), "severity" | "difficulty" | "type" | "status") {
            r.error(
                name.span(),
                format!("`[scales.{key}]` would shadow the {key} scale"),
                format!("the {key} scale is its own table, [{key}]; give this scale another name"),
            );
            continue;
        }
        let Some(table) = r.table(v, &path, &["label", "levels", "appendix_order"]) else {
            continue;
        };
        let label = match field(table, "label") {
            Some(l) => r.string(l, &format!("{path}.label")),
            None => Some(capitalised(&key)),
        };
        if let (Some(label), Some(scale)) = (label, r.scale(table, v.span(), &key, &[], true)) {
            style
                .finding
                .scales
                .insert(key, NamedScale { label, scale });
        }
    }
}

fn capitalised(key: &str) -> String {
    let mut chars = key.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase()
            .chain(chars)
            .collect::<String>()
            .replace('_', " ")
    })
}

/// Reads `[finding]` into the style's shape.
pub(super) fn finding(r: &mut StyleReader, value: &Value, style: &mut Style) {
    let Some(t) = r.table(value, "finding", FINDING_KEYS) else {
        return;
    };
    let shape = &mut style.finding;
    // Where findings break pages and print their fix review places them; it
    // leaves the finding itself in the shape of version 1.1.
    shape.custom |= FINDING_KEYS
        .iter()
        .filter(|k| !matches!(**k, "page_break" | "fix_review"))
        .any(|k| field(t, k).is_some());
    if let Some(v) = field(t, "sections")
        && let Some(sections) = sections(r, v)
    {
        shape.sections = sections;
    }
    if let Some(v) = field(t, "fields") {
        shape.fields = fields(r, v, shape);
    }
    let names: Vec<String> = shape.value_names().into_iter().map(String::from).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    match field(t, "header") {
        Some(v) => {
            if let Some(h) = value_list(r, v, "finding.header", &names) {
                shape.header = h;
            }
        }
        // The 1.1 header and then the fields, in style order.
        None => shape
            .header
            .extend(shape.fields.iter().map(|f| f.key.clone())),
    }
    match field(t, "summary") {
        Some(v) => {
            if let Some(s) = value_list(r, v, "finding.summary", &names) {
                shape.summary = s;
            }
        }
        // A firm's own ids are what a custom shape's summary names.
        None if shape.custom => shape.summary[0] = "id".into(),
        None => {}
    }
    if let Some(v) = field(t, "groups") {
        shape.groups = groups(r, v, &style.severity, &names);
    }
    printing(r, t, style);
    let shape = &mut style.finding;
    if let Some(v) = field(t, "page_break") {
        match choice(r, v, "finding.page_break", &["finding", "group", "none"]) {
            Some(0) => shape.page_break = PageBreak::Finding,
            Some(1) => shape.page_break = PageBreak::Group,
            Some(_) => shape.page_break = PageBreak::None,
            None => {}
        }
    }
    if let Some(v) = field(t, "fix_review") {
        let places = ["appendix", "finding", "both", "note", "none"];
        match choice(r, v, "finding.fix_review", &places) {
            Some(0) => shape.fix_review = FixPlace::Appendix,
            Some(1) => shape.fix_review = FixPlace::Finding,
            Some(2) => shape.fix_review = FixPlace::Both,
            Some(3) => shape.fix_review = FixPlace::Note,
            Some(_) => shape.fix_review = FixPlace::None,
            None => {}
        }
    }
    if let Some(v) = field(t, "heading")
        && let Some(text) = r.string(v, "finding.heading")
        && heading_ok(r, v, &text, style)
    {
        style.finding.heading = text;
    }
}

/// Checks a finding's heading: its places, its title, and where its
/// section number stands.
fn heading_ok(r: &mut StyleReader, v: &Value, text: &str, style: &Style) -> bool {
    let mut ok = true;
    for place in crate::model::style::places(text) {
        if !HEADING_PLACES.contains(&place) {
            ok = false;
            let hint = diag::did_you_mean(place, HEADING_PLACES, |p| format!("{{{p}}}"))
                .unwrap_or_else(|| "a heading offers {section}, {number}, {id} and {title}".into());
            r.error(
                v.span(),
                format!("{{{place}}} is no place of `finding.heading`"),
                hint,
            );
        }
    }
    if !ok {
        return false;
    }
    if !text.contains("{title}") {
        r.error(
            v.span(),
            "`finding.heading` has no {title}".into(),
            "e.g. heading = \"{id}: {title}\"".into(),
        );
        return false;
    }
    if !text.contains(shape::SECTION_PLACE) {
        return true;
    }
    if !text.starts_with(shape::SECTION_PLACE) {
        r.error(
            v.span(),
            "{section} stands first in `finding.heading`".into(),
            "the heading's number comes before its text, e.g. heading = \"{section} [{id}] {title}\""
                .into(),
        );
        return false;
    }
    // A [numbering] table with a mistake was reported there.
    if !style.heading_numbers && !style.is_broken("numbering") {
        r.error(
            v.span(),
            "`finding.heading` has a {section}, and the headings are not numbered".into(),
            "add [numbering] headings = \"1.1\" to style.toml, or leave {section} out".into(),
        );
        return false;
    }
    true
}

/// The keys of how a finding prints (FORMAT 1.3): `section_titles` and
/// `figures`.
fn printing(r: &mut StyleReader, t: &DeTable, style: &mut Style) {
    if let Some(v) = field(t, "section_titles") {
        match choice(r, v, "finding.section_titles", &["heading", "run-in"]) {
            Some(0) => style.finding.section_titles = SectionTitles::Heading,
            Some(_) => style.finding.section_titles = SectionTitles::RunIn,
            None => {}
        }
    }
    if let Some(v) = field(t, "figures") {
        match choice(r, v, "finding.figures", &["finding", "chapter", "report"]) {
            Some(0) => style.finding.figures = Figures::Finding,
            Some(1) if !style.heading_numbers && !style.is_broken("numbering") => r.error(
                v.span(),
                "`finding.figures = \"chapter\"` needs numbered chapters".into(),
                "add [numbering] headings = \"1.1\" to style.toml, or number figures through the \"report\""
                    .into(),
            ),
            Some(1) => style.finding.figures = Figures::Chapter,
            Some(_) => style.finding.figures = Figures::Report,
            None => {}
        }
    }
}

/// One of a few words, by position.
pub(super) fn choice(r: &mut StyleReader, v: &Value, key: &str, words: &[&str]) -> Option<usize> {
    let text = r.string(v, key)?;
    let found = words.iter().position(|w| *w == text.trim());
    if found.is_none() {
        r.error(
            v.span(),
            format!("unknown `{key}` \"{text}\""),
            format!(
                "expected one of {}",
                words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    found
}

/// The entries of a list of tables, each with its keys checked.
fn entries<'a>(
    r: &mut StyleReader,
    v: &'a Value<'a>,
    key: &str,
    known: &[&str],
    eg: &str,
) -> Vec<(&'a DeTable<'a>, Range<usize>)> {
    let Some(items) = list(r, v, key, eg) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let DeValue::Table(t) = item.get_ref() else {
            r.error(
                item.span(),
                format!("an entry of `{key}` must be a table"),
                format!("e.g. {key} = {eg}"),
            );
            continue;
        };
        for (k, _) in t.iter() {
            if !known.contains(&k.get_ref().as_ref()) {
                r.unknown(k, known, Some(key));
            }
        }
        out.push((t, item.span()));
    }
    out
}

/// A required string key of an entry, or an error at the entry.
fn needed(
    r: &mut StyleReader,
    t: &DeTable,
    span: &Range<usize>,
    key: &str,
    of: &str,
) -> Option<String> {
    match field(t, key) {
        Some(v) => r
            .string(v, &format!("{of}.{key}"))
            .filter(|s| !s.trim().is_empty())
            .or_else(|| {
                r.error(
                    v.span(),
                    format!("`{of}.{key}` is empty"),
                    format!("give the {key}"),
                );
                None
            }),
        None => {
            r.error(
                span.clone(),
                format!("an entry of `{of}` has no `{key}`"),
                format!("give its {key}"),
            );
            None
        }
    }
}

/// A key of a field or section: lower-case letters, digits and `_`.
fn check_key(r: &mut StyleReader, t: &DeTable, key: &str, of: &str) -> bool {
    let ok = key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && key.starts_with(|c: char| c.is_ascii_lowercase());
    if !ok && let Some(v) = field(t, "key") {
        r.error(
            v.span(),
            format!("`{of}` key \"{key}\" is not a column name"),
            "use lower-case letters, digits and _, e.g. \"proof_of_concept\"".into(),
        );
    }
    ok
}

fn required(r: &mut StyleReader, t: &DeTable, of: &str) -> bool {
    field(t, "required")
        .and_then(|v| r.boolean(v, &format!("{of}.required")))
        .unwrap_or(false)
}

/// `sections = [{ key, title, required }]`.
fn sections(r: &mut StyleReader, v: &Value) -> Option<Vec<SectionDef>> {
    const EG: &str = "[{ key = \"description\", title = \"Description\" }]";
    let of = "finding.sections";
    let mut out: Vec<SectionDef> = Vec::new();
    for (t, span) in entries(r, v, of, &["key", "title", "required", "print_title"], EG) {
        let (Some(key), Some(title)) = (
            needed(r, t, &span, "key", of),
            needed(r, t, &span, "title", of),
        ) else {
            continue;
        };
        if !check_key(r, t, &key, of) {
            continue;
        }
        if out.iter().any(|s| s.key == key) {
            r.error(
                span,
                format!("the section \"{key}\" is listed twice"),
                "list each section once".into(),
            );
            continue;
        }
        out.push(SectionDef {
            required: required(r, t, of),
            print_title: field(t, "print_title")
                .and_then(|v| r.boolean(v, &format!("{of}.print_title")))
                .unwrap_or(true),
            key,
            title: title.trim().to_string(),
        });
    }
    if out.is_empty() {
        r.error(
            v.span(),
            "`finding.sections` lists no section".into(),
            format!("e.g. sections = {EG}"),
        );
        return None;
    }
    Some(out)
}

/// Reports a level field whose `scale` names no scale of the style.
fn check_scale(
    r: &mut StyleReader,
    t: &DeTable,
    span: &Range<usize>,
    key: &str,
    scale: &str,
    shape: &Shape,
) {
    if scale == "difficulty" || shape.scales.contains_key(scale) {
        return;
    }
    let mut names: Vec<&str> = shape.scales.keys().map(String::as_str).collect();
    names.push("difficulty");
    let span = field(t, "scale").map_or(span.clone(), |s| s.span());
    r.error(
        span,
        format!("the field \"{key}\" names no scale \"{scale}\""),
        diag::did_you_mean(scale, &names, diag::quoted).unwrap_or_else(|| {
            format!(
                "add a [scales.{scale}] table, or name one of {}",
                names.join(", ")
            )
        }),
    );
}

/// `fields = [{ key, label, kind, scale, required }]`.
fn fields(r: &mut StyleReader, v: &Value, shape: &Shape) -> Vec<FieldDef> {
    const EG: &str = "[{ key = \"cwe\", label = \"CWE\", kind = \"cwe\" }]";
    let of = "finding.fields";
    let mut out: Vec<FieldDef> = Vec::new();
    for (t, span) in entries(r, v, of, &["key", "label", "kind", "scale", "required"], EG) {
        let (Some(key), Some(kind)) = (
            needed(r, t, &span, "key", of),
            needed(r, t, &span, "kind", of),
        ) else {
            continue;
        };
        if !check_key(r, t, &key, of) {
            continue;
        }
        if BuiltinKey::parse(&key).is_some() || out.iter().any(|f| f.key == key) {
            let span = field(t, "key").map_or(span, |k| k.span());
            r.error(
                span,
                format!("the field \"{key}\" is already a value of every finding"),
                "give the field its own key".into(),
            );
            continue;
        }
        let kind_span = field(t, "kind").map(|k| k.span()).unwrap_or(span.clone());
        let kind = match kind.trim() {
            "level" => {
                let Some(scale) = needed(r, t, &span, "scale", of) else {
                    continue;
                };
                // The field is kept, so that `header`, `summary` and the
                // matrix that name it give no error of their own: the
                // mistake is the scale's, reported once here.
                check_scale(r, t, &span, &key, &scale, shape);
                FieldKind::Level(scale)
            }
            "text" => FieldKind::Text,
            "number" => FieldKind::Number,
            "date" => FieldKind::Date,
            "url" => FieldKind::Url,
            "cwe" => FieldKind::Cwe,
            "list" => FieldKind::List,
            other => {
                r.error(
                    kind_span,
                    format!("unknown field kind \"{other}\""),
                    format!("expected one of {}", FieldKind::NAMES.join(", ")),
                );
                continue;
            }
        };
        if !matches!(kind, FieldKind::Level(_))
            && let Some(s) = field(t, "scale")
        {
            r.error(
                s.span(),
                format!("the field \"{key}\" is no level and has no scale"),
                "leave `scale` out, or make it kind = \"level\"".into(),
            );
        }
        let label = match field(t, "label") {
            Some(l) => r.string(l, &format!("{of}.label")).unwrap_or_default(),
            None => capitalised(&key),
        };
        out.push(FieldDef {
            required: required(r, t, of),
            key,
            label,
            kind,
        });
    }
    out
}

/// `header` or `summary`: a list of value names.
fn value_list(r: &mut StyleReader, v: &Value, key: &str, names: &[&str]) -> Option<Vec<String>> {
    let items = list(r, v, key, "[\"id\", \"title\", \"severity\"]")?;
    let mut out = Vec::new();
    for item in items {
        let Some(name) = r.string(item, key) else {
            continue;
        };
        if !names.contains(&name.as_str()) {
            r.error(
                item.span(),
                format!("`{key}` names \"{name}\", which is no value of a finding"),
                diag::did_you_mean(&name, names, diag::quoted)
                    .unwrap_or_else(|| format!("names: {}", names.join(", "))),
            );
            continue;
        }
        if out.contains(&name) {
            r.error(
                item.span(),
                format!("`{key}` lists \"{name}\" twice"),
                "list each once".into(),
            );
            continue;
        }
        out.push(name);
    }
    Some(out)
}

/// `groups = [{ title, severities, intro, header }]`.
fn groups(
    r: &mut StyleReader,
    v: &Value,
    severity: &crate::model::style::Scale,
    names: &[&str],
) -> Vec<Group> {
    const EG: &str = "[{ title = \"High Risk\", severities = [\"High\"] }]";
    let of = "finding.groups";
    let mut out: Vec<Group> = Vec::new();
    let keys = ["title", "severities", "intro", "header"];
    for (t, span) in entries(r, v, of, &keys, EG) {
        let title = needed(r, t, &span, "title", of);
        let Some(list_value) = field(t, "severities") else {
            r.error(
                span,
                format!("an entry of `{of}` has no `severities`"),
                "list the severity levels it takes".into(),
            );
            continue;
        };
        let Some(items) = list(r, list_value, "severities", "[\"High\"]") else {
            continue;
        };
        let mut severities = Vec::new();
        for item in items {
            if let Some(i) = r.level_of(severity, item, "severities") {
                if let Some(g) = out.iter().find(|g| g.severities.contains(&i)) {
                    r.error(
                        item.span(),
                        format!("severity \"{}\" is in two groups", severity.levels[i].name),
                        format!("it is already in \"{}\"", g.title),
                    );
                } else if !severities.contains(&i) {
                    severities.push(i);
                }
            }
        }
        let intro = field(t, "intro").and_then(|v| {
            let text = r.string(v, "finding.groups.intro")?;
            Some(r.blocks(&text, v.span()))
        });
        let header =
            field(t, "header").and_then(|v| value_list(r, v, "finding.groups.header", names));
        if let Some(title) = title {
            out.push(Group {
                title: title.trim().to_string(),
                severities,
                intro,
                header,
            });
        }
    }
    out
}

/// An axis of the matrix (`rows` or `columns`): `difficulty` or a field of
/// kind level, with its number of levels.
fn matrix_axis(
    r: &mut StyleReader,
    t: &DeTable,
    v: &Value,
    key: &str,
    style: &Style,
) -> Option<(String, usize)> {
    let value = field(t, key);
    let Some(value) = value else {
        r.error(
            v.span(),
            format!("[severity.matrix] has no `{key}`"),
            "name \"difficulty\" or a field of kind \"level\"".into(),
        );
        return None;
    };
    let name = r.string(value, &format!("severity.matrix.{key}"))?;
    let len = if name == "difficulty" {
        Some(style.difficulty.levels.len()).filter(|n| *n > 0)
    } else {
        style
            .finding
            .field(&name)
            .and_then(|f| style.finding.scale_of(f))
            .map(|s| s.scale.levels.len())
    };
    // A level field whose scale is unknown was reported at the field.
    let reported = style
        .finding
        .field(&name)
        .is_some_and(|f| matches!(f.kind, FieldKind::Level(_)));
    if len.is_none() && !reported {
        let mut names: Vec<&str> = style
            .finding
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Level(_)))
            .map(|f| f.key.as_str())
            .collect();
        if !style.difficulty.levels.is_empty() {
            names.push("difficulty");
        }
        r.error(
            value.span(),
            format!("`severity.matrix.{key}` names \"{name}\", which is no scale of a finding"),
            format!(
                "name \"difficulty\" or a field of kind \"level\": {}",
                names.join(", ")
            ),
        );
    }
    Some((name, len?))
}

/// Reads `[severity.matrix]`, once the fields are known.
pub(super) fn matrix(r: &mut StyleReader, v: &Value, style: &mut Style) {
    let Some(t) = r.table(v, "severity.matrix", &["rows", "columns", "cells"]) else {
        return;
    };
    let axis = |r: &mut StyleReader, key: &str| matrix_axis(r, t, v, key, style);
    let rows = axis(r, "rows");
    let columns = axis(r, "columns");
    let Some(cells_value) = field(t, "cells") else {
        r.error(
            v.span(),
            "[severity.matrix] has no `cells`".into(),
            "list one row of severities per row level".into(),
        );
        return;
    };
    let Some(items) = list(
        r,
        cells_value,
        "severity.matrix.cells",
        "[[\"High\", \"Medium\"], ...]",
    ) else {
        return;
    };
    // The sizes are checked against the scales that are known; the cells
    // are checked as severities whatever the scales.
    let mut ok = rows.is_some() && columns.is_some();
    if let Some((name, n)) = &rows
        && items.len() != *n
    {
        r.error(
            cells_value.span(),
            format!(
                "the matrix has {} rows, and the {name} scale {n} levels",
                items.len()
            ),
            format!("give one row of cells per level of {name}, in its order"),
        );
        ok = false;
    }
    let mut cells = Vec::new();
    for item in items {
        let Some(row) = list(r, item, "severity.matrix.cells", "[\"High\", \"Medium\"]") else {
            ok = false;
            continue;
        };
        if let Some((name, n)) = &columns
            && row.len() != *n
        {
            r.error(
                item.span(),
                format!(
                    "a row of the matrix has {} cells, and the {name} scale {n} levels",
                    row.len()
                ),
                format!("give one cell per level of {name}, in its order"),
            );
            ok = false;
        }
        let mut out = Vec::new();
        for cell in row {
            match r.level_of(&style.severity, cell, "severity.matrix.cells") {
                Some(i) => out.push(i),
                None => ok = false,
            }
        }
        cells.push(out);
    }
    let (Some((rows, _)), Some((columns, _))) = (rows, columns) else {
        return;
    };
    if ok {
        style.finding.matrix = Some(Matrix {
            rows,
            columns,
            cells,
        });
    }
}

//! Reading audit.toml into [`Meta`], one key at a time.
//!
//! Each key is deserialised on its own so that one mistyped value does not hide
//! the others: every problem is reported, at the span of its key or value.
//! Unknown keys are warnings with a suggestion, never silently ignored.

use std::ops::Range;

use serde::Deserialize;
use serde::de::{DeserializeOwned, IntoDeserializer};
use time::Date;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{self, Diagnostics, FileRef, Place};
use crate::model::{
    Client, Contact, Coverage, Engagement, Event, FixReview, Meta, Paper, Target, Tool, Version,
};

/// Keys of the top-level table.
const ROOT_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "date",
    "version",
    "classification",
    "vendor",
    "vendor_short",
    "id_prefix",
    "draft",
    "paper",
    "templates",
    "style",
    "library",
    "goals",
    "client",
    "engagement",
    "contacts",
    "timeline",
    "targets",
    "coverage",
    "tools",
    "fix_review",
    "history",
];

/// Keys of each nested table or array of tables.
fn nested_keys(key: &str) -> &'static [&'static str] {
    match key {
        "client" => &["organization", "short", "prepared_for", "prepared_by"],
        "engagement" => &["start", "end", "effort"],
        "contacts" => &["name", "role", "email", "group"],
        "timeline" => &["date", "event"],
        "targets" => &["name", "repository", "version", "type", "platform"],
        "coverage" => &["approaches", "limitations"],
        "tools" => &["name", "description", "policy"],
        "fix_review" => &["date"],
        "history" => &["version", "date", "description"],
        _ => &[],
    }
}

/// A firm's name as sentences use it: without a trailing legal form
/// (`Northwind Security, Inc.` -> `Northwind Security`).
fn without_legal_form(vendor: &str) -> String {
    const FORMS: &[&str] = &[
        "Inc.",
        "Inc",
        "LLC",
        "L.L.C.",
        "Ltd.",
        "Ltd",
        "GmbH",
        "AG",
        "S.A.",
        "SA",
        "SAS",
        "S.A.S.",
        "B.V.",
        "BV",
        "N.V.",
        "Pty Ltd",
        "Pty. Ltd.",
        "Corp.",
        "Corp",
        "Co.",
        "PLC",
        "plc",
        "LLP",
        "Sp. z o.o.",
        "S.r.l.",
        "SRL",
        "Oy",
        "AB",
        "AS",
        "ApS",
        "KG",
        "UG",
        "e.V.",
    ];
    let name = vendor.trim();
    for form in FORMS {
        if let Some(rest) = name.strip_suffix(form) {
            let rest = rest.trim_end();
            let rest = rest.strip_suffix(',').unwrap_or(rest).trim_end();
            // Only a separate word is a legal form ("Kodiak" keeps its k);
            // a name that is only a legal form stays whole.
            if rest.len() < name.len() - form.len() && !rest.is_empty() {
                return rest.to_string();
            }
        }
    }
    name.to_string()
}

/// A TOML date (`2023-11-08`), without time or offset.
struct TomlDate(Date);

impl<'de> Deserialize<'de> for TomlDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let dt = toml::value::Datetime::deserialize(d)?;
        let date = match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => date,
            _ => {
                return Err(D::Error::custom(format!(
                    "expected a date like 2023-11-08, found {dt}"
                )));
            }
        };
        let month = time::Month::try_from(date.month).map_err(D::Error::custom)?;
        Date::from_calendar_date(i32::from(date.year), month, date.day)
            .map(TomlDate)
            .map_err(D::Error::custom)
    }
}

#[derive(Deserialize, Default)]
struct RawCoverage {
    #[serde(default)]
    approaches: Vec<Spanned<String>>,
    #[serde(default)]
    limitations: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
struct RawTool {
    name: String,
    description: Option<Spanned<String>>,
    policy: Option<String>,
}

/// The Markdown values of audit.toml with their places, parsed by the loader
/// once the findings (whose ids they may name) are known.
#[derive(Default)]
pub struct Prose {
    /// `goals`.
    pub goals: Vec<Spanned<String>>,
    /// `coverage.approaches`.
    pub approaches: Vec<Spanned<String>>,
    /// `coverage.limitations`.
    pub limitations: Vec<Spanned<String>>,
    /// `description` of each `[[tools]]` entry, in order.
    pub tools: Vec<Option<Spanned<String>>>,
    /// `style`: the house style, a built-in name or a folder.
    pub style: Option<Spanned<String>>,
    /// `library`: the folder of write-ups (FORMAT 1.2), relative to audit.toml.
    pub library: Option<Spanned<String>>,
    /// `subtitle`, when given (else the style's default).
    pub subtitle: Option<String>,
    /// `classification`, when given (else the style's default).
    pub classification: Option<String>,
}

#[derive(Deserialize)]
struct RawEngagement {
    start: Option<TomlDate>,
    end: Option<TomlDate>,
    effort: Option<String>,
}

#[derive(Deserialize)]
struct RawEvent {
    date: TomlDate,
    event: String,
}

#[derive(Deserialize)]
struct RawFixReview {
    date: Option<TomlDate>,
}

#[derive(Deserialize)]
struct RawVersion {
    version: Option<String>,
    date: TomlDate,
    #[serde(default)]
    description: String,
}

/// Reads audit.toml, or returns `None` when a required key is missing or invalid.
///
/// The prose of the returned [`Meta`] (goals, coverage, tool descriptions) is
/// empty: it comes back as [`Prose`], with places, for the loader to parse.
pub fn read(file: FileRef, text: &str, diags: &mut Diagnostics) -> Option<(Meta, Prose)> {
    let read = read_with_strings(file, text, diags).0?;
    match (read.meta, read.failed.is_empty()) {
        (Some(meta), true) => Some((meta, read.prose)),
        _ => None,
    }
}

/// What audit.toml gave. A key with a bad value is reported and left out,
/// and the rest is kept: the house style it names, the id prefix and every
/// other valid key still count, so that one mistake gives one error and not
/// a cascade of errors about what depended on it.
pub struct Read {
    /// The metadata; `None` when a required key is missing or invalid.
    pub meta: Option<Meta>,
    /// The values read once the findings are known.
    pub prose: Prose,
    /// The top-level keys whose values were refused (reported already).
    pub failed: Vec<String>,
}

/// A string value of TOML text and its span.
pub type TomlString = (Range<usize>, String);

/// The keys of audit.toml that hold Markdown.
const PROSE_KEYS: &[&str] = &[
    "goals",
    "coverage.approaches",
    "coverage.limitations",
    "tools.description",
];

/// Reads audit.toml as [`read`] does; also returns its plain string values
/// with their spans (all but the Markdown ones), whenever the TOML parses, for
/// the loader to check for invisible characters.
pub fn read_with_strings(
    file: FileRef,
    text: &str,
    diags: &mut Diagnostics,
) -> (Option<Read>, Vec<TomlString>) {
    let root = match DeTable::parse(text) {
        Ok(root) => root,
        Err(e) => {
            let range = e.span().unwrap_or(0..0);
            diags
                .error(
                    Some(Place::new(file, range)),
                    format!("invalid TOML ({})", first_line(e.message())),
                )
                .add_hint("see FORMAT.md for the layout of audit.toml");
            return (None, Vec::new());
        }
    };
    let plain = strings(root.get_ref(), PROSE_KEYS);
    (Some(read_root(file, root.get_ref(), diags)), plain)
}

/// A fix review follows the engagement: its date is not before the end.
fn check_fix_review_date(
    r: &mut Reader,
    fix_review: Option<&FixReview>,
    engagement: Option<&Engagement>,
) {
    if let (Some(date), Some(end)) = (
        fix_review.and_then(|f| f.date),
        engagement.and_then(|e| e.end),
    ) && date < end
    {
        let span = r.nested_span("fix_review", "date");
        r.diags
            .error(
                Some(Place::new(r.file, span)),
                format!("fix review date {date} is before the end of the engagement ({end})"),
            )
            .add_hint(
                "a fix review follows the engagement: check [fix_review] date and [engagement] end",
            );
        r.failed.push("fix_review".into());
    }
}

/// The paper size: letter unless `paper` says A4.
fn paper(r: &mut Reader) -> Paper {
    match r.optional::<Spanned<String>>("paper") {
        None => Paper::Letter,
        Some(p) => match p.get_ref().to_lowercase().as_str() {
            "letter" | "us-letter" => Paper::Letter,
            "a4" => Paper::A4,
            other => {
                r.diags
                    .error(
                        Some(Place::new(r.file, p.span())),
                        format!("unknown paper size \"{other}\""),
                    )
                    .add_hint("expected \"letter\" or \"a4\"");
                r.failed.push("paper".into());
                Paper::Letter
            }
        },
    }
}

/// Whether an `id_prefix` is a plain name. The prefix names files (`import`
/// and `new finding` write findings/<prefix>-<n>.md): it stays a plain name,
/// whatever audit.toml says.
pub(super) fn plain_prefix(p: &str) -> bool {
    !(p.is_empty() || p.starts_with('.') || p.contains(['/', '\\', '\0']))
}

/// The prefix of finding ids; it names files, so it stays a plain name.
fn id_prefix(r: &mut Reader) -> Option<String> {
    r.optional::<String>("id_prefix").and_then(|p| {
        if !plain_prefix(&p) {
            let span = r.lookup("id_prefix").map_or(0..0, |v| v.span());
            r.diags
                .error(
                    Some(Place::new(r.file, span)),
                    format!("id_prefix \"{p}\" is not a plain name"),
                )
                .add_hint("give letters, digits and dashes, e.g. id_prefix = \"TOB-FLUX\"");
            r.failed.push("id_prefix".into());
            return None;
        }
        Some(p)
    })
}

/// `templates`: a folder inside the audit folder (a link out of it is
/// refused when the templates are read).
fn templates(r: &mut Reader) -> Option<String> {
    r.optional::<String>("templates").and_then(|t| {
        let path = std::path::Path::new(&t);
        let leaves = path.is_absolute()
            || t.contains('\\')
            || path
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir));
        if leaves {
            let span = r.lookup("templates").map_or(0..0, |v| v.span());
            r.diags
                .error(
                    Some(Place::new(r.file, span)),
                    format!("templates \"{t}\" leaves the audit folder"),
                )
                .add_hint(
                    "keep the template folder inside the audit folder (e.g. templates = \"templates\"), or pass --templates DIR",
                );
            r.failed.push("templates".into());
            return None;
        }
        Some(t)
    })
}

/// Reads the engagement and the fix review, and checks that the fix
/// review comes after the engagement.
fn schedule(r: &mut Reader) -> (Option<Engagement>, Option<FixReview>) {
    let engagement = r
        .optional::<RawEngagement>("engagement")
        .map(|e| Engagement {
            start: e.start.map(|d| d.0),
            end: e.end.map(|d| d.0),
            effort: e.effort,
        });
    let fix_review = r.optional::<RawFixReview>("fix_review").map(|f| FixReview {
        date: f.date.map(|d| d.0),
    });
    check_fix_review_date(r, fix_review.as_ref(), engagement.as_ref());
    (engagement, fix_review)
}

impl RawEvent {
    /// The model's event.
    fn into_event(self) -> Event {
        Event {
            date: self.date.0,
            event: self.event,
        }
    }
}

impl RawTool {
    /// The model's tool; its description is prose, read apart.
    fn into_tool(self) -> Tool {
        Tool {
            name: self.name,
            description: Vec::new(),
            policy: self.policy,
        }
    }
}

impl RawVersion {
    /// The model's version of the report.
    fn into_version(self) -> Version {
        Version {
            version: self.version,
            date: self.date.0,
            description: self.description,
        }
    }
}

/// Reads the parsed table of audit.toml, one key at a time.
fn read_root(file: FileRef, root: &DeTable, diags: &mut Diagnostics) -> Read {
    let mut r = Reader {
        file,
        diags,
        root,
        failed: Vec::new(),
    };
    r.warn_unknown();

    let title = r.required::<String>("title", "title = \"Flux\"");
    let date = r.required::<TomlDate>("date", "date = 2023-11-08");
    let vendor = r.required::<String>("vendor", "vendor = \"Example Security, Inc.\"");
    let vendor_short = r.optional::<String>("vendor_short");
    let paper = paper(&mut r);
    let (engagement, fix_review) = schedule(&mut r);
    let coverage = r.optional::<RawCoverage>("coverage").unwrap_or_default();
    let raw_tools = r.optional::<Vec<RawTool>>("tools").unwrap_or_default();
    let prose = Prose {
        goals: r.optional("goals").unwrap_or_default(),
        approaches: coverage.approaches,
        limitations: coverage.limitations,
        tools: raw_tools.iter().map(|t| t.description.clone()).collect(),
        style: r.optional("style"),
        library: r.optional("library"),
        subtitle: r.optional("subtitle"),
        classification: r.optional("classification"),
    };
    let version = r.optional("version").unwrap_or_else(|| "1.0".into());
    let id_prefix = id_prefix(&mut r);
    let draft = r.optional("draft").unwrap_or(false);
    let templates = templates(&mut r);
    let client = r.optional::<Client>("client").unwrap_or_default();
    let contacts = r.optional::<Vec<Contact>>("contacts").unwrap_or_default();
    let timeline = r.optional::<Vec<RawEvent>>("timeline").unwrap_or_default();
    let targets = r.optional::<Vec<Target>>("targets").unwrap_or_default();
    let history = r.optional::<Vec<RawVersion>>("history").unwrap_or_default();
    // Without its three required keys there is no report; their errors are reported.
    let meta = match (title, date, vendor) {
        (Some(title), Some(date), Some(vendor)) => Some(Meta {
            // The defaults are the house style's; the loader fills them in.
            subtitle: String::new(),
            version,
            classification: String::new(),
            id_prefix,
            draft,
            paper,
            templates,
            goals: Vec::new(),
            client,
            engagement,
            contacts,
            timeline: timeline.into_iter().map(RawEvent::into_event).collect(),
            targets,
            coverage: Coverage::default(),
            tools: raw_tools.into_iter().map(RawTool::into_tool).collect(),
            fix_review,
            history: history.into_iter().map(RawVersion::into_version).collect(),
            title,
            date: date.0,
            vendor_short: vendor_short.unwrap_or_else(|| without_legal_form(&vendor)),
            vendor,
        }),
        _ => None,
    };
    Read {
        meta,
        prose,
        failed: r.failed,
    }
}

/// Returns the string values of a TOML table with their spans, except those
/// under the dotted keys in `skip`.
pub fn strings(table: &DeTable, skip: &[&str]) -> Vec<TomlString> {
    fn walk(value: &Spanned<DeValue>, path: &str, skip: &[&str], found: &mut Vec<TomlString>) {
        if skip.contains(&path) {
            return;
        }
        match value.get_ref() {
            DeValue::String(s) => found.push((value.span(), s.to_string())),
            DeValue::Array(items) => items.iter().for_each(|v| walk(v, path, skip, found)),
            DeValue::Table(t) => {
                for (k, v) in t.iter() {
                    walk(v, &format!("{path}.{}", k.get_ref()), skip, found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for (k, v) in table.iter() {
        walk(v, k.get_ref(), skip, &mut found);
    }
    found
}

/// Returns the first line of a multi-line parser message.
fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

struct Reader<'a, 'd> {
    file: FileRef,
    diags: &'d mut Diagnostics,
    root: &'a DeTable<'a>,
    /// Keys whose values were refused.
    failed: Vec<String>,
}

impl Reader<'_, '_> {
    fn lookup(&self, key: &str) -> Option<&Spanned<DeValue<'_>>> {
        self.root
            .iter()
            .find(|(k, _)| k.get_ref() == key)
            .map(|(_, v)| v)
    }

    /// Returns the span of `table.key`, or of `table` if the key is absent.
    fn nested_span(&self, table: &str, key: &str) -> std::ops::Range<usize> {
        let Some(value) = self.lookup(table) else {
            return 0..0;
        };
        match value.get_ref() {
            DeValue::Table(t) => t
                .iter()
                .find(|(k, _)| k.get_ref() == key)
                .map_or(value.span(), |(_, v)| v.span()),
            _ => value.span(),
        }
    }

    /// Deserialises a key if present; a bad value is reported and gives `None`.
    fn optional<T: DeserializeOwned>(&mut self, key: &str) -> Option<T> {
        let value = self.lookup(key)?.clone();
        let span = value.span();
        match T::deserialize(value.into_deserializer()) {
            Ok(v) => Some(v),
            Err(e) => {
                let range = e.span().unwrap_or(span);
                self.diags.error(
                    Some(Place::new(self.file, range)),
                    format!("invalid value for `{key}` ({})", first_line(e.message())),
                );
                self.failed.push(key.to_string());
                None
            }
        }
    }

    /// Deserialises a key that must be present.
    fn required<T: DeserializeOwned>(&mut self, key: &str, example: &str) -> Option<T> {
        if self.lookup(key).is_none() {
            self.diags
                .error(
                    Some(Place::new(self.file, 0..0)),
                    format!("missing required key `{key}`"),
                )
                .add_hint(format!(
                    "add a line such as `{example}` at the top of audit.toml"
                ));
            self.failed.push(key.to_string());
            return None;
        }
        self.optional(key)
    }

    /// Warns about every key the format does not know, with a suggestion.
    fn warn_unknown(&mut self) {
        let root = self.root;
        for (key, value) in root.iter() {
            let name = key.get_ref().as_ref();
            if !ROOT_KEYS.contains(&name) {
                self.unknown(key, ROOT_KEYS, None);
                continue;
            }
            let known = nested_keys(name);
            if known.is_empty() {
                continue;
            }
            let tables: Vec<&DeTable> = match value.get_ref() {
                DeValue::Table(t) => vec![t],
                DeValue::Array(a) => a
                    .iter()
                    .filter_map(|v| match v.get_ref() {
                        DeValue::Table(t) => Some(t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for table in tables {
                for (k, _) in table.iter() {
                    if !known.contains(&k.get_ref().as_ref()) {
                        self.unknown(k, known, Some(name));
                    }
                }
            }
        }
    }

    fn unknown(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        known: &[&str],
        parent: Option<&str>,
    ) {
        let (shown, hint) = unknown_key(key.get_ref(), known, parent);
        self.diags
            .warning(
                Some(Place::new(self.file, key.span())),
                format!("unknown key `{shown}` is ignored"),
            )
            .add_hint(hint)
            .fix_to_closest(key.get_ref(), known);
    }
}

/// The dotted name of an unknown TOML key, and a hint: the known key it may
/// be a misspelling of, or the keys known there.
pub(super) fn unknown_key(name: &str, known: &[&str], parent: Option<&str>) -> (String, String) {
    let shown = parent.map_or_else(|| name.to_string(), |p| format!("{p}.{name}"));
    let hint = diag::did_you_mean(name, known, diag::ticked)
        .unwrap_or_else(|| format!("known keys here: {}", known.join(", ")));
    (shown, hint)
}

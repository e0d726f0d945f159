//! The keys of a finding (FORMAT, "Findings"): the built-in values every
//! finding has, and the front matter of a `findings/<ID>.md` file or a
//! library write-up. One type read by the loader (with the places of its
//! values) and written by every tool that makes a finding file (`new
//! finding`, the importers, `library import`), so that a key is named once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A value a finding has without any field of the house style: a column of
/// findings.csv, a key of front matter, a name `header` and `summary` may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuiltinKey {
    /// Its number in the report (1.1, 2, ...), given by the compiler.
    Number,
    /// Its id, e.g. `EX-1`.
    Id,
    /// Its title.
    Title,
    /// Its severity, a level of the style's scale.
    Severity,
    /// Its difficulty (or likelihood), a level of the style's second axis.
    Difficulty,
    /// Its type, a level of the style's types (or free text).
    Type,
    /// What it is in: files, lines, components.
    Target,
    /// Its CVSS vector.
    Cvss,
    /// Its fix-review status.
    Status,
}

impl BuiltinKey {
    /// Every built-in key, in the order the format lists them.
    pub const ALL: [BuiltinKey; 9] = [
        BuiltinKey::Number,
        BuiltinKey::Id,
        BuiltinKey::Title,
        BuiltinKey::Severity,
        BuiltinKey::Difficulty,
        BuiltinKey::Type,
        BuiltinKey::Target,
        BuiltinKey::Cvss,
        BuiltinKey::Status,
    ];

    /// The key as written in findings.csv and front matter.
    pub const fn as_str(self) -> &'static str {
        match self {
            BuiltinKey::Number => "number",
            BuiltinKey::Id => "id",
            BuiltinKey::Title => "title",
            BuiltinKey::Severity => "severity",
            BuiltinKey::Difficulty => "difficulty",
            BuiltinKey::Type => "type",
            BuiltinKey::Target => "target",
            BuiltinKey::Cvss => "cvss",
            BuiltinKey::Status => "status",
        }
    }

    /// The built-in key a name is, exactly as written.
    pub fn parse(name: &str) -> Option<BuiltinKey> {
        BuiltinKey::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// The front matter of a finding file or a write-up, between `+++` lines.
///
/// `S` is how a text value is held: `String` for the tools that write front
/// matter, `toml::Spanned<String>` for the loader, which reports each value
/// at its place. Serialised in this order, absent values left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontMatter<S = String> {
    /// The tool or write-up it was made from (`new finding --from`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The version of that write-up (`library diff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_version: Option<String>,
    /// The review state: `draft`, `ready` or `approved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<S>,
    /// Who approved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reviewed_by: Option<String>,
    /// Its id; the file's name when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<S>,
    /// Its title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<S>,
    /// Its severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<S>,
    /// Its difficulty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<S>,
    /// Its type.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<S>,
    /// Its targets, `; `-separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<S>,
    /// Its CVSS vector.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<S>,
    /// Its fix-review status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<S>,
    /// Whether it is left out of the report (what `import` writes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude: Option<bool>,
    /// The 1.2 spelling of `exclude`, still read (with a warning naming it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub draft: Option<bool>,
    /// Rule ids of the scan results it stands for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sarif: Option<Vec<S>>,
    /// The tracker issue it was imported from (`import github`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// A write-up's placeholders and their one-line hints (library only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placeholders: Option<BTreeMap<String, String>>,
    /// The values of the house style's fields, by key (written only: the
    /// loader reads them with the style at hand).
    #[serde(flatten, skip_deserializing)]
    pub fields: BTreeMap<String, String>,
}

impl<S> Default for FrontMatter<S> {
    fn default() -> Self {
        Self {
            from: None,
            from_version: None,
            review: None,
            reviewed_by: None,
            id: None,
            title: None,
            severity: None,
            difficulty: None,
            kind: None,
            target: None,
            cvss: None,
            status: None,
            exclude: None,
            draft: None,
            sarif: None,
            issue: None,
            placeholders: None,
            fields: BTreeMap::new(),
        }
    }
}

impl<S> FrontMatter<S> {
    /// The keys a finding's front matter may have besides the style's
    /// fields, in order (a write-up may also have `placeholders`).
    pub const KEYS: &'static [&'static str] = &[
        "from",
        "from_version",
        "review",
        "reviewed_by",
        "id",
        "title",
        "severity",
        "difficulty",
        "type",
        "target",
        "cvss",
        "status",
        "exclude",
        "draft",
        "sarif",
        "issue",
    ];
}

impl<S> FrontMatter<S> {
    /// Whether the finding is left out of the report: `exclude`, or its
    /// 1.2 spelling `draft`.
    pub fn excluded(&self) -> bool {
        self.exclude.or(self.draft).unwrap_or(false)
    }
}

impl FrontMatter {
    /// Sets a text value by its key: one of [`FrontMatter::KEYS`] or, for
    /// another key, a field of the house style.
    pub fn set(&mut self, key: &str, value: String) {
        let slot = match BuiltinKey::parse(key) {
            Some(BuiltinKey::Id) => &mut self.id,
            Some(BuiltinKey::Title) => &mut self.title,
            Some(BuiltinKey::Severity) => &mut self.severity,
            Some(BuiltinKey::Difficulty) => &mut self.difficulty,
            Some(BuiltinKey::Type) => &mut self.kind,
            Some(BuiltinKey::Target) => &mut self.target,
            Some(BuiltinKey::Cvss) => &mut self.cvss,
            Some(BuiltinKey::Status) => &mut self.status,
            Some(BuiltinKey::Number) | None => match key {
                "review" => &mut self.review,
                "reviewed_by" => &mut self.reviewed_by,
                "from" => &mut self.from,
                "from_version" => &mut self.from_version,
                "issue" => &mut self.issue,
                _ => {
                    self.fields.insert(key.to_string(), value);
                    return;
                }
            },
        };
        *slot = Some(value);
    }

    /// The front matter as TOML text, without the `+++` lines.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("front matter serialises")
    }

    /// The whole text of a finding file: the front matter between `+++`
    /// lines, then the body.
    pub fn file(&self, body: &str) -> String {
        format!("+++\n{}+++\n{body}", self.to_toml())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_listed_in_order_and_read_back_as_written() {
        let mut front = FrontMatter {
            exclude: Some(true),
            draft: Some(true),
            sarif: Some(vec!["x".into()]),
            placeholders: Some(BTreeMap::from([("p".to_string(), "x".to_string())])),
            ..FrontMatter::default()
        };
        let others = ["review", "reviewed_by", "from", "from_version", "issue"];
        for key in BuiltinKey::ALL.iter().map(|k| k.as_str()).chain(others) {
            front.set(key, "x".into());
        }
        // `number` is the compiler's, never a key of front matter.
        let number = front.fields.remove("number");
        assert_eq!(number.as_deref(), Some("x"));
        let text = front.to_toml();
        let (keys, placeholders) = text.split_once("[placeholders]").unwrap();
        let keys: Vec<&str> = keys
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
            .collect();
        assert_eq!(keys, FrontMatter::<String>::KEYS);
        assert_eq!(placeholders, "\np = \"x\"\n");
        let back: FrontMatter = toml::from_str(&text).unwrap();
        assert_eq!(back, front);
    }

    #[test]
    fn fields_of_the_style_are_written_after_the_built_in_keys() {
        let mut front = FrontMatter::default();
        front.set("impact", "High".into());
        front.set("title", "A \"quoted\" title".into());
        assert_eq!(
            front.file("## Description\n"),
            "+++\ntitle = 'A \"quoted\" title'\nimpact = \"High\"\n+++\n## Description\n"
        );
    }
}

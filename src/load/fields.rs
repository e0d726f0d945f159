//! The values of a finding's fields (FORMAT 1.2, "The finding's shape"):
//! a text as written, parsed by the field's kind. Pure functions, no IO.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::shape::{FieldDef, FieldKind};
use crate::model::{Cwe, FieldValue, Style};

/// MITRE's CWE list, `id<TAB>name` per line, with its terms of use beside it.
const CWE_NAMES: &str = include_str!("../../cwe/cwe-names.tsv");

/// Every entry of MITRE's list: id and name, in the list's order.
pub fn cwe_entries() -> impl Iterator<Item = (u32, &'static str)> {
    CWE_NAMES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (id, name) = l.split_once('\t')?;
            Some((id.parse().ok()?, name))
        })
}

/// The name MITRE's list gives a CWE id.
pub fn cwe_name(id: u32) -> Option<&'static str> {
    static NAMES: OnceLock<HashMap<u32, &'static str>> = OnceLock::new();
    NAMES
        .get_or_init(|| cwe_entries().collect())
        .get(&id)
        .copied()
}

/// What a value is wrong about: message and hint.
pub type Refusal = (String, String);

/// A value that parsed, with a warning about it when there is one.
pub struct Parsed {
    /// The value.
    pub value: FieldValue,
    /// A warning (message, hint), e.g. a CWE id MITRE's list lacks.
    pub warning: Option<Refusal>,
}

/// Parses the text of a field by its kind.
pub fn parse(style: &Style, def: &FieldDef, text: &str) -> Result<Parsed, Refusal> {
    let text = text.trim();
    let plain = |value| {
        Ok(Parsed {
            value,
            warning: None,
        })
    };
    match &def.kind {
        FieldKind::Level(name) => {
            let scale = match style.finding.scales.get(name) {
                Some(s) => &s.scale,
                None if name == "difficulty" => &style.difficulty,
                None => return Err((format!("the scale \"{name}\" is unknown"), String::new())),
            };
            let mut scale = scale.clone();
            scale.kind = def.label.to_lowercase();
            scale.parse(text).and_then(|r| plain(FieldValue::Level(r)))
        }
        FieldKind::Text => plain(FieldValue::Text(text.to_string())),
        FieldKind::Number => match text.parse::<f64>() {
            Ok(n) if n.is_finite() && !text.contains(['e', 'E']) => {
                plain(FieldValue::Number(n, text.to_string()))
            }
            _ => Err((
                format!("{} \"{text}\" is not a number", def.label),
                "write a decimal number, e.g. 8.3".into(),
            )),
        },
        FieldKind::Date => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            match time::Date::parse(text, format) {
                Ok(d) => plain(FieldValue::Date(d)),
                Err(_) => Err((
                    format!("{} \"{text}\" is not a date", def.label),
                    "write it as YYYY-MM-DD, e.g. 2024-03-01".into(),
                )),
            }
        }
        FieldKind::Url => {
            let ok = (text.starts_with("https://") || text.starts_with("http://"))
                && text.len() > "https://".len()
                && !text.contains(char::is_whitespace);
            if ok {
                plain(FieldValue::Url(text.to_string()))
            } else {
                Err((
                    format!("{} \"{text}\" is not an http(s) URL", def.label),
                    "write the whole address, e.g. https://github.com/org/repo/issues/12".into(),
                ))
            }
        }
        FieldKind::Cwe => cwe(text),
        FieldKind::List => plain(FieldValue::List(
            text.split(';')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from)
                .collect(),
        )),
    }
}

/// `CWE-<n>`, optionally followed by ` – ` or ` - ` (or `: `) and its name.
fn cwe(text: &str) -> Result<Parsed, Refusal> {
    let refused = || {
        (
            format!("\"{text}\" is not a CWE id"),
            "write CWE-<number>, e.g. CWE-400, optionally followed by \" - \" and its name".into(),
        )
    };
    let rest = text
        .strip_prefix("CWE-")
        .or_else(|| text.strip_prefix("cwe-"))
        .ok_or_else(refused)?;
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let id: u32 = rest[..digits].parse().map_err(|_| refused())?;
    let tail = rest[digits..].trim_start();
    let given = ["–", "-", ":", "—"]
        .iter()
        .find_map(|sep| tail.strip_prefix(sep))
        .map(str::trim);
    if given.is_none() && !tail.is_empty() {
        return Err(refused());
    }
    let known = cwe_name(id);
    let (name, warning) = match (given.filter(|g| !g.is_empty()), known) {
        (Some(g), _) => (g.to_string(), None),
        (None, Some(k)) if k.starts_with("DEPRECATED") => (
            k.to_string(),
            Some((
                format!("CWE-{id} is deprecated in MITRE's list"),
                "name the CWE entry that replaces it".to_string(),
            )),
        ),
        (None, Some(k)) => (k.to_string(), None),
        (None, None) => (
            String::new(),
            Some((
                format!("CWE-{id} is not in MITRE's CWE list (version 4.14)"),
                format!("check the number, or give its name: CWE-{id} - <name>"),
            )),
        ),
    };
    Ok(Parsed {
        value: FieldValue::Cwe(Cwe { id, name }),
        warning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(kind: FieldKind) -> FieldDef {
        FieldDef {
            key: "x".into(),
            label: "X".into(),
            kind,
            required: false,
        }
    }

    #[test]
    fn a_cwe_takes_its_name_from_the_list_unless_the_folder_gives_one() {
        let shape = Style::default();
        let p = parse(&shape, &def(FieldKind::Cwe), "CWE-400").unwrap();
        assert_eq!(p.value.text(), "CWE-400: Uncontrolled Resource Consumption");
        let p = parse(&shape, &def(FieldKind::Cwe), "CWE-400 – Our own words").unwrap();
        assert_eq!(p.value.text(), "CWE-400: Our own words");
        assert!(parse(&shape, &def(FieldKind::Cwe), "CWE400").is_err());
        assert!(parse(&shape, &def(FieldKind::Cwe), "CWE-12x").is_err());
        let unknown = parse(&shape, &def(FieldKind::Cwe), "CWE-999999").unwrap();
        assert!(unknown.warning.is_some());
    }

    #[test]
    fn numbers_dates_and_urls_are_checked() {
        let shape = Style::default();
        assert_eq!(
            parse(&shape, &def(FieldKind::Number), "8.3")
                .unwrap()
                .value
                .text(),
            "8.3"
        );
        assert!(parse(&shape, &def(FieldKind::Number), "high").is_err());
        assert!(parse(&shape, &def(FieldKind::Date), "2024-13-01").is_err());
        assert!(parse(&shape, &def(FieldKind::Url), "github.com/x").is_err());
        assert_eq!(
            parse(&shape, &def(FieldKind::List), "a; b;; c")
                .unwrap()
                .value,
            FieldValue::List(vec!["a".into(), "b".into(), "c".into()])
        );
    }
}

//! Edits of a folder's files by the tools (`review approve`, the language
//! server's "approve" action): the front matter is edited as TOML by
//! toml_edit, which keeps every comment, key order and byte it is not asked
//! to change; the body is never touched.

use toml_edit::{DocumentMut, Item, Value};

use super::findings::split_front_matter;

/// The text of a finding file with `review = "approved"` and `reviewed_by`
/// set in its front matter: values that are there replaced in place (their
/// comments kept), missing keys added at the end of its keys, a missing
/// front matter added at the top. An error (a message) when its front
/// matter is never closed or is not TOML: `check` says where.
pub fn approved(text: &str, by: &str) -> Result<String, String> {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let Some(((start, end), _)) = split_front_matter(body) else {
        if body.starts_with("+++") {
            return Err("its front matter is never closed".into());
        }
        let front = format!("review = \"approved\"\nreviewed_by = {}\n", quoted(by));
        return Ok(format!(
            "{bom}+++{eol}{}+++{eol}{body}",
            front.replace('\n', eol)
        ));
    };
    let mut doc: DocumentMut = body[start..end]
        .parse()
        .map_err(|e: toml_edit::TomlError| {
            format!("its front matter is not TOML ({})", e.message())
        })?;
    set(&mut doc, "review", "approved");
    set(&mut doc, "reviewed_by", by);
    let mut front = doc.to_string();
    if eol == "\r\n" {
        front = front.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    Ok(format!("{bom}{}{front}{}", &body[..start], &body[end..]))
}

/// Sets a key to a string, keeping the spaces and comment around a value
/// that is there.
fn set(doc: &mut DocumentMut, key: &str, text: &str) {
    match doc.get_mut(key).and_then(Item::as_value_mut) {
        Some(value) => {
            let decor = value.decor().clone();
            *value = Value::from(text);
            *value.decor_mut() = decor;
        }
        None => doc[key] = toml_edit::value(text),
    }
}

/// A TOML string, quoted as toml_edit writes it.
fn quoted(text: &str) -> String {
    Value::from(text).to_string().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::approved;

    #[test]
    fn only_the_review_values_change() {
        let text = "+++\n# why: see the ticket\ntitle = \"A\"\nreview = \"ready\"   # was draft\n\n[extra]\nx = 1\n+++\n\n## Description\nreview = x\n";
        assert_eq!(
            approved(text, "Ana \"QA\" Lee").unwrap(),
            "+++\n# why: see the ticket\ntitle = \"A\"\nreview = \"approved\"   # was draft\nreviewed_by = 'Ana \"QA\" Lee'\n\n[extra]\nx = 1\n+++\n\n## Description\nreview = x\n"
        );
        let crlf = "+++\r\nreview = \"draft\"\r\nreviewed_by = \"B\"\r\n+++\r\nbody\r\n";
        assert_eq!(
            approved(crlf, "C").unwrap(),
            "+++\r\nreview = \"approved\"\r\nreviewed_by = \"C\"\r\n+++\r\nbody\r\n"
        );
        assert_eq!(
            approved("## Description\n", "D").unwrap(),
            "+++\nreview = \"approved\"\nreviewed_by = \"D\"\n+++\n## Description\n"
        );
        assert_eq!(
            approved("\u{feff}+++\nreview = 'draft'\n+++\n", "E").unwrap(),
            "\u{feff}+++\nreview = \"approved\"\nreviewed_by = \"E\"\n+++\n"
        );
        assert!(approved("+++\nreview = \"draft\"\n", "F").is_err());
        assert!(approved("+++\nreview = \n+++\n", "F").is_err());
    }
}

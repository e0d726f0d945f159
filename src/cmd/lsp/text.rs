//! Positions and URIs as the Language Server Protocol has them: lines and
//! UTF-16 code units, `file://` URIs with percent-encoding.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The LSP position (line, UTF-16 column) of a byte offset of a text.
pub fn position(text: &str, offset: usize) -> Value {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// The LSP range of a byte range of a text.
pub fn range(text: &str, bytes: std::ops::Range<usize>) -> Value {
    json!({"start": position(text, bytes.start), "end": position(text, bytes.end)})
}

/// The byte offset of an LSP position in a text (clamped to its line).
pub fn offset(text: &str, position: &Value) -> usize {
    let line = position.get("line").and_then(Value::as_u64).unwrap_or(0) as usize;
    let character = position
        .get("character")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize;
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        if units >= character {
            return start + i;
        }
        units += c.len_utf16();
    }
    end
}

/// The path of a `file://` URI.
pub fn uri_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let path = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?;
    Some(PathBuf::from(path.as_ref()))
}

/// The bytes a `file://` URI's path keeps as they are: letters, digits and `/-._~`.
const PATH_KEEPS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The `file://` URI of a path, percent-encoded.
pub fn path_uri(path: &Path) -> String {
    let path = path.to_string_lossy();
    format!(
        "file://{}",
        percent_encoding::utf8_percent_encode(&path, PATH_KEEPS)
    )
}

/// The word around a byte offset: letters, digits, `-`, `_`, `.`, `:`, `/`.
pub fn word_at(text: &str, offset: usize) -> (usize, &str) {
    let part = |c: char| c.is_alphanumeric() || "-_.:/".contains(c);
    let offset = offset.min(text.len());
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| part(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !part(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    let word = text[start..end].trim_end_matches(['.', ':']);
    (start, word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "a\nüé😀x\n";
        let p = position(text, text.find('x').unwrap());
        assert_eq!(p, json!({"line": 1, "character": 4}));
        assert_eq!(offset(text, &p), text.find('x').unwrap());
        let path = Path::new("/tmp/a b/ü.md");
        assert_eq!(uri_path(&path_uri(path)).unwrap(), path);
    }
}

//! Positions and URIs as the Language Server Protocol has them: lines and
//! UTF-16 code units, `file://` URIs with percent-encoding.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::{Position, Range, Uri};

/// The LSP position (line, UTF-16 column) of a byte offset of a text.
pub fn position(text: &str, offset: usize) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character: usize = before[start..].chars().map(char::len_utf16).sum();
    Position::new(count(line), count(character))
}

/// A count as the protocol's `uinteger`, saturated (no text of ours is
/// four billion lines long).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The LSP range of a byte range of a text.
pub fn range(text: &str, bytes: std::ops::Range<usize>) -> Range {
    Range::new(position(text, bytes.start), position(text, bytes.end))
}

/// The empty range at the start of a line.
pub fn line_start(line: usize) -> Range {
    let at = Position::new(count(line), 0);
    Range::new(at, at)
}

/// The byte offset of an LSP position in a text (clamped to its line).
pub fn offset(text: &str, position: Position) -> usize {
    let mut start = 0;
    for _ in 0..position.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, c) in text[start..end].char_indices() {
        if units >= position.character as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    end
}

/// The path of a `file://` URI.
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
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
pub fn path_uri(path: &Path) -> Uri {
    let path = path.to_string_lossy();
    let text = format!(
        "file://{}",
        percent_encoding::utf8_percent_encode(&path, PATH_KEEPS)
    );
    // Every byte but the kept ones is percent-encoded: always a valid URI.
    Uri::from_str(&text).expect("a percent-encoded file URI is a URI")
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
        assert_eq!(p, Position::new(1, 4));
        assert_eq!(offset(text, p), text.find('x').unwrap());
        let path = Path::new("/tmp/a b/ü.md");
        assert_eq!(uri_path(&path_uri(path)).unwrap(), path);
    }
}

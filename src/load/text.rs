//! Reading text files: UTF-8 with or without a byte-order mark, LF or CRLF.
//!
//! Files in other encodings are refused with a message that says how to
//! re-save them, since a silently mis-decoded name would go into the report.

/// Why a file's bytes are not acceptable text: a message and a hint.
pub type EncodingError = (String, String);

/// Decodes a file's bytes as UTF-8, dropping a byte-order mark.
pub fn decode(bytes: Vec<u8>) -> Result<String, EncodingError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || looks_utf16(&bytes) {
        return Err((
            "file is UTF-16, not UTF-8".into(),
            "re-save it as UTF-8 (in Excel: \"CSV UTF-8\"; in an editor: encoding UTF-8)".into(),
        ));
    }
    let bytes = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let byte = e.as_bytes()[valid.len()];
        (
            format!("file is not UTF-8 (byte 0x{byte:02X} on line {line})"),
            "it looks like Windows-1252 or Latin-1; re-save it as UTF-8 (in Excel: \"CSV UTF-8\")"
                .into(),
        )
    })
}

/// Tells whether bytes look like UTF-16 without a byte-order mark (many NUL bytes).
fn looks_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(512)];
    sample.len() >= 4 && sample.iter().filter(|&&b| b == 0).count() * 4 >= sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bom_is_dropped_and_utf16_and_latin1_are_refused() {
        assert_eq!(decode(b"\xEF\xBB\xBFid".to_vec()).unwrap(), "id");
        assert!(
            decode(b"\xFF\xFEi\0d\0".to_vec())
                .unwrap_err()
                .0
                .contains("UTF-16")
        );
        let (msg, hint) = decode(b"a\nb\xE9".to_vec()).unwrap_err();
        assert_eq!(msg, "file is not UTF-8 (byte 0xE9 on line 2)");
        assert!(hint.contains("Windows-1252"));
    }
}

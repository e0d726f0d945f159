//! Placeholders of library write-ups (FORMAT 1.2, "Write-up library"): a
//! `{{name}}` left in a finding, section or appendix is found here, with its
//! byte range. Pure functions, no IO.

use std::ops::Range;

/// Whether a character may be part of a placeholder's name.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The placeholders of a text: each `{{name}}` (a name of letters, digits,
/// `_` and `-`, starting with a letter or `_`), with its byte range. In a
/// fenced code block, where `{{user}}` may be a template language's own
/// syntax, only the names `known` says are placeholders count.
pub fn find(text: &str, known: &dyn Fn(&str) -> bool) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            _ => {}
        }
        let mut from = 0;
        while let Some(at) = line[from..].find("{{") {
            let open = from + at;
            let rest = &line[open + 2..];
            let name_len = rest.find(|c: char| !name_char(c)).unwrap_or(rest.len());
            let name = &rest[..name_len];
            let closed = rest[name_len..].starts_with("}}");
            let starts_well = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            if closed && starts_well && (fence.is_none() || known(name)) {
                let end = open + 2 + name_len + 2;
                out.push((start + open..start + end, name.to_string()));
                from = end;
            } else {
                from = open + 2;
            }
        }
        start += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn placeholders_are_found_with_their_ranges_and_code_is_left_alone() {
        let text = "The `{{endpoint}}` handler of {{ service }}\n```jinja\n{{user}} {{endpoint}}\n```\n{{7*7}} {{a}}";
        let known = |n: &str| n == "endpoint";
        let found: Vec<(String, &str)> = find(text, &known)
            .into_iter()
            .map(|(r, n)| (n, &text[r]))
            .collect();
        assert_eq!(
            found,
            [
                ("endpoint".to_string(), "{{endpoint}}"),
                ("endpoint".to_string(), "{{endpoint}}"),
                ("a".to_string(), "{{a}}"),
            ]
        );
    }
}

//! `auditpress review approve`: sets a finding's review state in its front
//! matter (FORMAT 1.2, "Review"), changing no other byte of the file.

use std::fs;
use std::path::Path;

use super::{Config, fail};
use crate::output::write_atomic;
use crate::pipeline::Outcome;

/// Approves each finding by `by`; checks every id before writing any file.
pub fn approve(dir: &Path, ids: &[String], by: &str, config: &Config) -> Outcome {
    let mut edits = Vec::new();
    for id in ids {
        let plain = !id.is_empty() && !id.starts_with('.') && !id.contains(['/', '\\', '\0']);
        let path = dir.join("findings").join(format!("{id}.md"));
        match fs::read_to_string(&path) {
            Ok(text) if plain => edits.push((path, approved(&text, by))),
            _ => {
                let in_csv = fs::read_to_string(dir.join("findings.csv"))
                    .is_ok_and(|csv| csv.lines().any(|l| l.split(',').next() == Some(id)));
                let hint = if in_csv {
                    format!(
                        "{id} is written only in findings.csv, and a finding without front matter is approved already"
                    )
                } else {
                    "give the id of a finding of the folder (--in DIR names the folder)".into()
                };
                return fail(
                    config,
                    Outcome::Errors,
                    format!(
                        "no findings/{id}.md in {}; nothing was changed",
                        dir.display()
                    ),
                    Some(hint),
                );
            }
        }
    }
    for (path, text) in &edits {
        if let Err(e) = write_atomic(path, text.as_bytes()) {
            return fail(config, Outcome::Io, e.to_string(), None);
        }
        if config.chatty() {
            eprintln!("approved {} (reviewed by {by})", path.display());
        }
    }
    Outcome::Ok
}

/// The text of a finding file with `review = "approved"` and `reviewed_by`
/// set in its front matter: lines that give them are replaced in place,
/// missing ones added before the closing `+++`, a missing front matter added
/// at the top. Every other byte stays.
pub(super) fn approved(text: &str, by: &str) -> String {
    let by = toml::Value::String(by.to_string()).to_string();
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let opened = body.starts_with("+++\n") || body.starts_with("+++\r\n");
    if !opened {
        return format!(
            "{bom}+++{eol}review = \"approved\"{eol}reviewed_by = {by}{eol}+++{eol}{body}"
        );
    }
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(bom);
    let mut lines = body.split_inclusive('\n');
    out.push_str(lines.next().unwrap_or_default());
    let (mut review, mut reviewer) = (false, false);
    let key = |line: &str, name: &str| {
        line.trim_start()
            .strip_prefix(name)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    for line in lines.by_ref() {
        let end = if line.ends_with("\r\n") {
            "\r\n"
        } else if line.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        if line.trim_end() == "+++" {
            if !review {
                out.push_str(&format!("review = \"approved\"{eol}"));
            }
            if !reviewer {
                out.push_str(&format!("reviewed_by = {by}{eol}"));
            }
            out.push_str(line);
            break;
        } else if key(line, "review") {
            out.push_str(&format!("review = \"approved\"{end}"));
            review = true;
        } else if key(line, "reviewed_by") {
            out.push_str(&format!("reviewed_by = {by}{end}"));
            reviewer = true;
        } else {
            out.push_str(line);
        }
    }
    for line in lines {
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::approved;

    #[test]
    fn only_the_review_lines_change() {
        let text = "+++\ntitle = \"A\"\nreview = \"ready\"   \n+++\n\n## Description\nreview = x\n";
        assert_eq!(
            approved(text, "Ana \"QA\" Lee"),
            "+++\ntitle = \"A\"\nreview = \"approved\"\nreviewed_by = 'Ana \"QA\" Lee'\n+++\n\n## Description\nreview = x\n"
        );
        let crlf = "+++\r\nreview = \"draft\"\r\nreviewed_by = \"B\"\r\n+++\r\nbody\r\n";
        assert_eq!(
            approved(crlf, "C"),
            "+++\r\nreview = \"approved\"\r\nreviewed_by = \"C\"\r\n+++\r\nbody\r\n"
        );
        assert_eq!(
            approved("## Description\n", "D"),
            "+++\nreview = \"approved\"\nreviewed_by = \"D\"\n+++\n## Description\n"
        );
    }
}

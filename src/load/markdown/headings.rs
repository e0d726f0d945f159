//! Headings read by pulldown-cmark and their levels rewritten, for the importers.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// A heading of a Markdown text as pulldown-cmark reads it: never a `#`
/// line inside code, and setext headings (`Title` over `---`) as well.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeadingAt {
    /// 1 to 6.
    pub level: u8,
    /// Its text as written (inline Markdown), without the markers.
    pub title: String,
    /// Its bytes in the text, markers and underline included.
    pub range: Range<usize>,
    /// Whether it is underlined rather than `#`-marked.
    pub setext: bool,
}

/// The headings of a Markdown text, in order.
pub fn headings(text: &str) -> Vec<HeadingAt> {
    let options = super::OPTIONS;
    let mut out = Vec::new();
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        let Event::Start(Tag::Heading { level, .. }) = event else {
            continue;
        };
        let raw = &text[range.clone()];
        let first = raw.lines().next().unwrap_or("").trim_start();
        let setext = !first.starts_with('#');
        let title = if setext {
            let lines: Vec<&str> = raw.trim_end().lines().collect();
            lines[..lines.len().saturating_sub(1)]
                .iter()
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            let t = first.trim_start_matches('#').trim();
            // A closing sequence of `#` after a space is not part of the title.
            match t.trim_end_matches('#') {
                rest if rest.len() < t.len() && (rest.is_empty() || rest.ends_with(' ')) => {
                    rest.trim_end().to_string()
                }
                _ => t.to_string(),
            }
        };
        out.push(HeadingAt {
            level: level as u8,
            title,
            range,
            setext,
        });
    }
    out
}

/// Rewrites every heading of a Markdown text at the level `level_of` gives
/// it (from its level and title), as a `#` heading; nothing else changes,
/// and a `#` line inside code is never touched.
pub fn set_heading_levels(text: &str, level_of: impl Fn(u8, &str) -> u8) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for h in headings(text) {
        let level = level_of(h.level, &h.title).clamp(1, 6);
        if level == h.level && !h.setext {
            continue;
        }
        out.push_str(&text[at..h.range.start]);
        out.push_str(&"#".repeat(level as usize));
        if !h.title.is_empty() {
            out.push(' ');
            out.push_str(&h.title);
        }
        if text[h.range.clone()].ends_with('\n') {
            out.push('\n');
        }
        at = h.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod heading_tests {
    use super::*;

    #[test]
    fn levels_change_for_atx_and_setext_headings_and_never_in_code() {
        let text = "Intro\n\n    # a shell comment\n\n```sh\n# another\n```\n\nSummary\n-------\n\n# Steps #\n\ntext\n";
        let found: Vec<(u8, String, bool)> = headings(text)
            .into_iter()
            .map(|h| (h.level, h.title, h.setext))
            .collect();
        assert_eq!(
            found,
            [(2, "Summary".into(), true), (1, "Steps".into(), false)]
        );
        assert_eq!(
            set_heading_levels(text, |l, _| (l + 1).max(3)),
            "Intro\n\n    # a shell comment\n\n```sh\n# another\n```\n\n### Summary\n\n### Steps\n\ntext\n"
        );
    }
}

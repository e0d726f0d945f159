//! Code blocks: their info string and line numbers. Long lines stay whole
//! in the model; the PDF's templates wrap them to its page (markdown.typ).

/// What a code block's info string says.
pub(super) struct CodeInfo {
    pub(super) lang: Option<String>,
    pub(super) start: u32,
    /// Whether the first line's number is known: `start` or `linenos="inline"`.
    pub(super) numbered: bool,
    pub(super) highlight: Vec<u32>,
    pub(super) inline_numbers: bool,
}

/// Takes the line numbers written at the start of lines (`158<TAB>static ...`),
/// as `linenos="inline"` asks; lines without one are unnumbered.
pub(super) fn take_line_numbers(text: &str) -> (String, Vec<Option<u32>>) {
    let mut numbers = Vec::new();
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| {
            let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let rest = &line[digits..];
            match (
                line[..digits].parse::<u32>(),
                rest.strip_prefix(['\t', ' ']),
            ) {
                (Ok(n), Some(code)) => {
                    numbers.push(Some(n));
                    code
                }
                _ => {
                    numbers.push(None);
                    line
                }
            }
        })
        .collect();
    (lines.join("\n"), numbers)
}

/// The first line of the range a figure's caption names for its code:
/// `lines 148 through 152`, `line 148`, `url.c#148-152`, `paths.go#L41-L58`.
pub(super) fn caption_first_line(caption: &str) -> Option<u32> {
    let number = |s: &str| -> Option<u32> {
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok().filter(|n| *n > 0)
    };
    // A path's fragment: `#` right after a name, not `#12` after a space.
    let fragment = caption.match_indices('#').find_map(|(i, _)| {
        let after_name = caption[..i]
            .chars()
            .next_back()
            .is_some_and(|c| !c.is_whitespace());
        let rest = &caption[i + 1..];
        after_name
            .then(|| number(rest.strip_prefix('L').unwrap_or(rest)))
            .flatten()
    });
    // ASCII lower case keeps the byte offsets of the text.
    let lower = caption.to_ascii_lowercase();
    fragment.or_else(|| {
        ["lines ", "line "].iter().find_map(|word| {
            lower.match_indices(word).find_map(|(i, _)| {
                let starts_word = lower[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
                starts_word
                    .then(|| number(&caption[i + word.len()..]))
                    .flatten()
            })
        })
    })
}

/// Splits `start=163 highlight="165,170"` into key-value pairs.
pub(super) fn attributes(text: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start();
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            }
        } else {
            match after.find(char::is_whitespace) {
                Some(end) => (&after[..end], &after[end..]),
                None => (after, ""),
            }
        };
        out.push((key, value));
        rest = tail.trim_start();
    }
    out
}

/// Parses `165,170` or `3-5,9` into line numbers.
pub(super) fn parse_lines(text: &str) -> Option<Vec<u32>> {
    let mut lines = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once(['-', '–']) {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || b - a > 10_000 {
                    return None;
                }
                lines.extend(a..=b);
            }
            None => lines.push(part.parse().ok()?),
        }
    }
    Some(lines)
}

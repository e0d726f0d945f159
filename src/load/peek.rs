//! A folder's files read without loading the folder, for the tools that
//! need one value of them (`new finding`, `review approve`, the importers,
//! `library diff`, the language server): through the loader's own readers
//! (the CSV reader, the front-matter splitter, the heading reader), so that
//! every tool reads a file as `check` does. Tolerant: what does not parse
//! gives nothing here, and `check` says why.

use std::ops::Range;

use super::findings::split_front_matter;
use super::table::{self, Record};
use crate::model::front::{BuiltinKey, FrontMatter};

/// The front matter of a finding file or a write-up, when it has one that
/// parses.
pub fn front_matter(text: &str) -> Option<FrontMatter> {
    let ((start, end), _) = split_front_matter(text)?;
    toml::from_str(&text[start..end]).ok()
}

/// Where the body of a Markdown file starts: after its front matter.
pub fn body_offset(text: &str) -> usize {
    split_front_matter(text).map_or(0, |(_, body)| body)
}

/// Whether a byte offset of a Markdown file lies in its front matter (one
/// still being written, not yet closed, runs to the end).
pub fn in_front_matter(text: &str, offset: usize) -> bool {
    match split_front_matter(text) {
        Some(((start, end), _)) => (start..=end).contains(&offset),
        None => {
            let first = text.lines().next().unwrap_or("");
            first.trim_end() == "+++" && offset > first.len()
        }
    }
}

/// The column names of findings.csv text as the loader names them.
pub fn csv_header(text: &str) -> Vec<String> {
    let (records, _) = table::parse(text);
    records.first().map(columns).unwrap_or_default()
}

/// The names of a header record, normalised as the loader normalises them.
fn columns(header: &Record) -> Vec<String> {
    header
        .cells
        .iter()
        .map(|c| table::normalise(c.value.trim_start_matches('\u{feff}')))
        .collect()
}

/// A data row of a CSV file, as a tool shows it.
pub struct Row {
    /// Its first line, 0-based.
    pub line: usize,
    /// Its bytes in the file.
    pub range: Range<usize>,
    /// Its `id` cell.
    pub id: String,
    /// Its `title` cell, when the file has that column.
    pub title: String,
}

/// The data rows of a CSV file with an `id` column (columns in any order,
/// cells quoted or not); none without one.
pub fn csv_rows(text: &str) -> Vec<Row> {
    let (records, _) = table::parse(text);
    let Some((header, rows)) = records.split_first() else {
        return Vec::new();
    };
    let names = columns(header);
    let at = |key: BuiltinKey| names.iter().position(|c| c == key.as_str());
    let Some(id) = at(BuiltinKey::Id) else {
        return Vec::new();
    };
    let title = at(BuiltinKey::Title);
    let cell = |r: &Record, i: Option<usize>| {
        i.and_then(|i| r.cells.get(i))
            .map_or_else(String::new, |c| c.value.clone())
    };
    // Lines counted as the rows go (they come in order): linear in the file.
    let (mut line, mut counted) = (0, 0);
    let mut out = Vec::new();
    for r in rows {
        line += text[counted..r.range.start].matches('\n').count();
        counted = r.range.start;
        let id = cell(r, Some(id));
        if !id.is_empty() {
            out.push(Row {
                line,
                range: r.range.clone(),
                id,
                title: cell(r, title),
            });
        }
    }
    out
}

/// The values of the `id` column of findings.csv text.
pub fn csv_ids(text: &str) -> Vec<String> {
    csv_rows(text).into_iter().map(|r| r.id).collect()
}

/// The name of the column a byte offset of a CSV file is in (as the loader
/// names it); `None` in the header or past the columns.
pub fn csv_column_at(text: &str, offset: usize) -> Option<String> {
    let (records, _) = table::parse(text);
    let (header, rows) = records.split_first()?;
    let row = rows.iter().rfind(|r| r.range.start <= offset)?;
    let index = row
        .cells
        .iter()
        .filter(|c| c.range.start <= offset)
        .count()
        .max(1)
        - 1;
    // Past the last cell's end and a comma: the next column.
    let past = row
        .cells
        .last()
        .is_some_and(|c| c.range.end < offset && text[c.range.end..offset].contains(','));
    columns(header)
        .get(index + usize::from(past && index + 1 == row.cells.len()))
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_columns_are_found_by_name_whatever_their_order_and_quotes() {
        let text = "title,ID,severity\n\"A, quoted\",EX-2,High\nB,EX-3,\n";
        let rows = csv_rows(text);
        let ids: Vec<(&str, &str, usize)> = rows
            .iter()
            .map(|r| (r.id.as_str(), r.title.as_str(), r.line))
            .collect();
        assert_eq!(ids, [("EX-2", "A, quoted", 1), ("EX-3", "B", 2)]);
        // The cursor after the quoted comma is in `id`, not in `severity`.
        let at = text.find("EX-2").unwrap() + 1;
        assert_eq!(csv_column_at(text, at).as_deref(), Some("id"));
        let end = text.find("EX-3,").unwrap() + 5;
        assert_eq!(csv_column_at(text, end).as_deref(), Some("severity"));
        assert_eq!(csv_column_at(text, 3), None);
    }

    #[test]
    fn front_matter_runs_between_its_fences_or_to_the_end_while_unclosed() {
        let text = "+++\ntitle = \"A\"\n+++\n## Description\n";
        assert!(in_front_matter(text, text.find("title").unwrap()));
        assert!(!in_front_matter(text, text.find("## ").unwrap()));
        assert!(in_front_matter("+++\nsev", 7));
        assert!(!in_front_matter("## A\n+++\n", 2));
        assert_eq!(
            front_matter(text).and_then(|f| f.title).as_deref(),
            Some("A")
        );
    }
}

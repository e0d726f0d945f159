//! CSV tables with the place of every cell.
//!
//! A small RFC 4180 reader of our own rather than the csv crate: diagnostics
//! need the byte range of each cell, and quoting mistakes (a quote closed in
//! the middle of a cell, a quote never closed) must be errors at the line where
//! the quote opened instead of silently swallowed rows.

use std::collections::HashMap;
use std::ops::Range;

use crate::diag;
use crate::diag::{Diagnostics, FileRef, Place};

/// Largest CSV cell accepted, in bytes; longer prose belongs in a Markdown file.
pub const MAX_CELL_BYTES: usize = 256 * 1024;

/// One cell: its value (unquoted, trimmed) and where it is.
#[derive(Clone, Debug)]
pub struct Cell {
    /// The value, with quotes undone and surrounding spaces trimmed.
    pub value: String,
    /// Byte range of the cell in the file.
    pub range: Range<usize>,
}

/// One record (line) of a CSV file.
#[derive(Clone, Debug)]
pub struct Record {
    /// Position among the file's records: 0 for the header, 1 for the first data row.
    pub number: usize,
    /// Byte range of the whole record.
    pub range: Range<usize>,
    /// Its cells.
    pub cells: Vec<Cell>,
}

/// A column a table may have.
pub struct Column {
    /// Canonical name, lowercase with `_`.
    pub name: &'static str,
    /// Whether the table is refused without it.
    pub required: bool,
}

impl Column {
    /// A column the table must have.
    pub const fn required(name: &'static str) -> Self {
        Self {
            name,
            required: true,
        }
    }

    /// A column the table may have.
    pub const fn optional(name: &'static str) -> Self {
        Self {
            name,
            required: false,
        }
    }
}

/// A CSV file read against its expected columns.
pub struct Table {
    /// The file the table came from.
    pub file: FileRef,
    /// Data rows, in file order.
    pub rows: Vec<Record>,
    columns: HashMap<&'static str, usize>,
}

impl Table {
    /// Returns a row's cell of a column, if the column exists and the cell is not empty.
    pub fn cell<'r>(&self, row: &'r Record, column: &str) -> Option<&'r Cell> {
        let index = *self.columns.get(column)?;
        row.cells.get(index).filter(|c| !c.value.is_empty())
    }

    /// Returns the place of a cell.
    pub fn place(&self, cell: &Cell) -> Place {
        Place::new(self.file, cell.range.clone())
    }

    /// Returns the place of a whole row.
    pub fn row_place(&self, row: &Record) -> Place {
        Place::new(self.file, row.range.clone())
    }
}

/// Normalises a column name: no case, no surrounding spaces, `-` and spaces as `_`.
fn normalise(name: &str) -> String {
    name.trim().to_lowercase().replace(['-', ' '], "_")
}

/// Reads a CSV file against its expected columns, reporting every problem.
pub fn read(
    file: FileRef,
    text: &str,
    columns: &[Column],
    diags: &mut Diagnostics,
) -> Option<Table> {
    let (mut records, errors) = parse(text);
    // A record with a quoting error is reported once, not again cell by cell.
    let overlaps = |a: &Range<usize>, b: &Range<usize>| a.start <= b.end && b.start <= a.end;
    let broken = |r: &Record| errors.iter().any(|(e, _, _)| overlaps(e, &r.range));
    let header_broken = records.first().is_some_and(broken);
    records.retain(|r| !broken(r));
    for (range, message, hint) in errors {
        diags
            .error(Some(Place::new(file, range)), message)
            .add_hint(hint);
    }
    if header_broken {
        return None;
    }
    if records.is_empty() {
        diags
            .error(Some(Place::new(file, 0..0)), "file has no header row")
            .add_hint(format!(
                "the first line names the columns, e.g. {}",
                columns
                    .iter()
                    .filter(|c| c.required)
                    .map(|c| c.name)
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        return None;
    }
    let header = records.remove(0);
    if header.cells.len() == 1 && header.cells[0].value.to_lowercase().starts_with("sep=") {
        diags
            .error(
                Some(Place::new(file, header.range.clone())),
                "unsupported `sep=` line",
            )
            .add_hint("remove the line; columns must be separated by commas");
        return None;
    }
    let known: Vec<&str> = columns.iter().map(|c| c.name).collect();
    let mut map = HashMap::new();
    let mut ok = true;
    for (i, cell) in header.cells.iter().enumerate() {
        let place = Place::new(file, cell.range.clone());
        let name = normalise(&cell.value);
        if name.is_empty() {
            diags
                .error(Some(place), format!("column {} has no name", i + 1))
                .add_hint(format!("expected columns: {}", known.join(", ")));
            ok = false;
            continue;
        }
        match columns.iter().find(|c| c.name == name) {
            Some(col) => {
                if let Some(&first) = map.get(col.name) {
                    let first: &Cell = &header.cells[first];
                    diags
                        .error(Some(place), format!("duplicate column \"{}\"", cell.value))
                        .add_related(Place::new(file, first.range.clone()), "first defined here")
                        .add_hint("remove one of the two columns");
                    ok = false;
                } else {
                    map.insert(col.name, i);
                }
            }
            None => {
                let d = diags.warning(
                    Some(place),
                    format!("unknown column \"{}\" is ignored", cell.value),
                );
                match diag::did_you_mean(&name, &known, diag::quoted) {
                    Some(c) => d.add_hint(c),
                    None => d.add_hint(format!("known columns: {}", known.join(", "))),
                };
            }
        }
    }
    for col in columns
        .iter()
        .filter(|c| c.required && !map.contains_key(c.name))
    {
        diags
            .error(
                Some(Place::new(file, header.range.clone())),
                format!("missing required column \"{}\"", col.name),
            )
            .add_hint(format!("add a \"{}\" column to the header", col.name));
        ok = false;
    }
    let (ragged, records): (Vec<Record>, Vec<Record>) = records
        .into_iter()
        .partition(|r| r.cells.len() != header.cells.len());
    for cell in records.iter().flat_map(|r| &r.cells) {
        if cell.value.len() > MAX_CELL_BYTES {
            diags
                .error(
                    Some(Place::new(file, cell.range.start..cell.range.start)),
                    format!(
                        "cell of {} bytes is larger than the {MAX_CELL_BYTES} bytes allowed",
                        cell.value.len()
                    ),
                )
                .add_hint("move long prose to a findings/<ID>.md file");
        }
    }
    for row in &ragged {
        diags
            .error(
                Some(Place::new(file, row.range.clone())),
                format!(
                    "row has {} cells but the header has {}",
                    row.cells.len(),
                    header.cells.len()
                ),
            )
            .add_hint("put cells that contain commas in double quotes");
    }
    // A quote left open swallows the rows after it into one cell, silently if it
    // happens to close at a cell boundary; warn where a quoted cell runs through
    // lines shaped like rows (files of four columns or more, to stay quiet on prose).
    if header.cells.len() >= 4 {
        for cell in records.iter().chain(&ragged).flat_map(|r| &r.cells) {
            let raw = &text[cell.range.clone()];
            let row_like = raw
                .lines()
                .skip(1)
                .filter(|l| l.matches(',').count() + 1 == header.cells.len())
                .count();
            if row_like > 0 {
                diags
                    .warning(
                        Some(Place::new(file, cell.range.start..cell.range.start + 1)),
                        format!(
                            "quote opened here runs over {} lines, through {row_like} that look like rows",
                            raw.lines().count()
                        ),
                    )
                    .add_hint("close the quote at the end of its cell; write a quote inside a cell as \"\"");
            }
        }
    }
    ok.then_some(Table {
        file,
        rows: records,
        columns: map,
    })
}

/// A CSV syntax error: its range, message and hint.
type SyntaxError = (Range<usize>, String, String);

/// Splits CSV text into records of cells, skipping blank lines.
pub fn parse(text: &str) -> (Vec<Record>, Vec<SyntaxError>) {
    let bytes = text.as_bytes();
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let mut pos = 0;
    while pos < bytes.len() {
        let record_start = pos;
        let mut cells = Vec::new();
        loop {
            let (cell, next, error) = parse_cell(text, pos);
            if let Some(e) = error {
                errors.push(e);
            }
            cells.push(cell);
            pos = next;
            match bytes.get(pos) {
                Some(b',') => pos += 1,
                _ => break,
            }
        }
        let mut end = pos;
        if bytes.get(pos) == Some(&b'\r') {
            pos += 1;
        }
        if bytes.get(pos) == Some(&b'\n') {
            pos += 1;
        }
        if text[record_start..end].ends_with('\r') {
            end -= 1;
        }
        let blank = cells.len() == 1 && cells[0].value.is_empty() && cells[0].range.is_empty();
        if !blank {
            records.push(Record {
                number: records.len(),
                range: record_start..end,
                cells,
            });
        }
        if pos == end && pos < bytes.len() {
            // A stray character the cell parser did not consume; never loop forever.
            pos += 1;
        }
    }
    (records, errors)
}

/// Reads one cell starting at `pos`; returns it, the position after it, and any error.
fn parse_cell(text: &str, pos: usize) -> (Cell, usize, Option<SyntaxError>) {
    let bytes = text.as_bytes();
    let mut start = pos;
    while matches!(bytes.get(start), Some(b' ' | b'\t')) {
        start += 1;
    }
    if bytes.get(start) != Some(&b'"') {
        let mut end = pos;
        while !matches!(bytes.get(end), None | Some(b',' | b'\n' | b'\r')) {
            end += 1;
        }
        let raw = &text[pos..end];
        let value = raw.trim();
        let lead = raw.len() - raw.trim_start().len();
        let range = pos + lead..pos + lead + value.len();
        return (
            Cell {
                value: value.to_string(),
                range,
            },
            end,
            None,
        );
    }
    let mut value = String::new();
    let mut i = start + 1;
    loop {
        match bytes.get(i) {
            None => {
                let line_end = text[start..].find('\n').map_or(text.len(), |n| start + n);
                let error = (
                    start..line_end,
                    "quote opened here is never closed".to_string(),
                    "close the quoted cell with \"; write a quote inside it as \"\"".to_string(),
                );
                let cell = Cell {
                    value: value.trim().to_string(),
                    range: start..text.len(),
                };
                return (cell, text.len(), Some(error));
            }
            Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                value.push('"');
                i += 2;
            }
            Some(b'"') => {
                i += 1;
                let mut after = i;
                while matches!(bytes.get(after), Some(b' ' | b'\t')) {
                    after += 1;
                }
                let cell = Cell {
                    value: value.trim().to_string(),
                    range: start..i,
                };
                if matches!(bytes.get(after), None | Some(b',' | b'\n' | b'\r')) {
                    return (cell, after, None);
                }
                let mut end = after;
                while !matches!(bytes.get(end), None | Some(b',' | b'\n' | b'\r')) {
                    end += 1;
                }
                let error = (
                    start..end,
                    format!(
                        "text after the closing quote of a cell (`{}`)",
                        &text[start..end]
                    ),
                    "quote the whole cell and write quotes inside it as \"\"".to_string(),
                );
                return (cell, end, Some(error));
            }
            Some(_) => {
                let ch = text[i..].chars().next().expect("in bounds");
                value.push(ch);
                i += ch.len_utf8();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<Vec<String>> {
        let (records, errors) = parse(text);
        assert!(errors.is_empty(), "{errors:?}");
        records
            .into_iter()
            .map(|r| r.cells.into_iter().map(|c| c.value).collect())
            .collect()
    }

    #[test]
    fn quoted_cells_hold_commas_quotes_and_newlines() {
        assert_eq!(
            values("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\r\n\r\n"),
            [vec!["a", "b"], vec!["x, \"y\"", "two\nlines"]]
        );
    }

    #[test]
    fn an_unclosed_quote_is_reported_where_it_opened() {
        let (_, errors) = parse("id,title\n1,\"open\n2,b\n");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0.start, 11);
        assert!(errors[0].1.contains("never closed"));
    }

    #[test]
    fn a_quote_that_swallows_rows_is_shown_where_it_opened() {
        let mut diags = Diagnostics::default();
        let text = "id,title,severity,type\n1,\"open,High,x\n2,b,Low,y\n3,c,Low,z\n4,d\",Low,w\n";
        let columns = ["id", "title", "severity", "type"].map(Column::optional);
        read(0, text, &columns, &mut diags);
        let d = diags.iter().next().expect("a warning");
        assert_eq!(d.place.as_ref().unwrap().range.start, 25);
        assert_eq!(
            d.message,
            "quote opened here runs over 4 lines, through 2 that look like rows"
        );
    }

    #[test]
    fn text_after_a_closing_quote_is_an_error() {
        let (_, errors) = parse("\"abc\"def,x\n");
        assert!(errors[0].1.contains("`\"abc\"def`"));
    }
}

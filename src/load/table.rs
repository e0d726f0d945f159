//! CSV tables with the place of every cell.
//!
//! Fields are split by csv-core, which reports the input bytes each field
//! consumed: diagnostics get the byte range of each cell. Quoting mistakes that
//! csv-core accepts (a quote closed in the middle of a cell, a quote never
//! closed) are checked on those bytes and are errors at the line where the
//! quote opened, instead of silently swallowed rows.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::diag::{self, Diagnostics, FileRef, Place};
use crate::unicode;

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
    pub name: std::borrow::Cow<'static, str>,
    /// Whether the table is refused without it.
    pub required: bool,
}

impl Column {
    /// A column the table must have.
    pub const fn required(name: &'static str) -> Self {
        Self {
            name: std::borrow::Cow::Borrowed(name),
            required: true,
        }
    }

    /// A column the table may have.
    pub const fn optional(name: &'static str) -> Self {
        Self {
            name: std::borrow::Cow::Borrowed(name),
            required: false,
        }
    }

    /// A column named at run time (a field or section of a house style).
    pub fn named(name: String, required: bool) -> Self {
        Self {
            name: std::borrow::Cow::Owned(name),
            required,
        }
    }
}

/// What a column of no expected name is.
#[derive(Clone, Copy)]
pub enum Unknown<'h> {
    /// A warning: the column is ignored.
    Ignored,
    /// An error, with a hint that says what the columns may be.
    Refused(&'h str),
}

/// A CSV file read against its expected columns.
pub struct Table {
    /// The file the table came from.
    pub file: FileRef,
    /// Data rows, in file order.
    pub rows: Vec<Record>,
    columns: HashMap<String, usize>,
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
pub fn normalise(name: &str) -> String {
    name.trim().to_lowercase().replace(['-', ' '], "_")
}

/// Reads a CSV file against its expected columns, reporting every problem.
pub fn read(
    file: FileRef,
    text: &str,
    columns: &[Column],
    diags: &mut Diagnostics,
) -> Option<Table> {
    read_with(file, text, columns, Unknown::Ignored, diags)
}

/// Reads a CSV file as [`read`] does, saying what an unknown column is.
pub fn read_with(
    file: FileRef,
    text: &str,
    columns: &[Column],
    unknown: Unknown,
    diags: &mut Diagnostics,
) -> Option<Table> {
    let (mut records, errors) = parse(text);
    // A record with a quoting error is reported once, not again cell by cell.
    let broken = broken_records(&records, &errors);
    let header_broken = broken.first().copied().unwrap_or(false);
    let mut flags = broken.into_iter();
    records.retain(|_| !flags.next().unwrap_or(false));
    report_capped(
        diags,
        errors
            .into_iter()
            .map(|(range, message, hint)| {
                let mut d = diag::Diagnostic::error(Some(Place::new(file, range)), message);
                d.add_hint(hint);
                d
            })
            .collect(),
        "quoting errors",
    );
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
                    .map(|c| c.name.as_ref())
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
    let (map, ok) = header_columns(file, &header, columns, unknown, diags);
    let (ragged, records): (Vec<Record>, Vec<Record>) = records
        .into_iter()
        .partition(|r| r.cells.len() != header.cells.len());
    check_rows(file, text, &header, &records, &ragged, diags);
    ok.then_some(Table {
        file,
        rows: records,
        columns: map,
    })
}

/// Maps the header's columns to their index; an unnamed, duplicate or
/// unknown column and a missing required one are reported. Says whether the
/// header is fit to read the rows by.
fn header_columns(
    file: FileRef,
    header: &Record,
    columns: &[Column],
    unknown: Unknown,
    diags: &mut Diagnostics,
) -> (HashMap<String, usize>, bool) {
    let known: Vec<&str> = columns.iter().map(|c| c.name.as_ref()).collect();
    let by_name: HashMap<&str, &Column> = columns.iter().map(|c| (c.name.as_ref(), c)).collect();
    let mut map = HashMap::new();
    let mut ok = true;
    let mut strangers: Vec<(usize, String)> = Vec::new();
    for (i, cell) in header.cells.iter().enumerate() {
        let place = Place::new(file, cell.range.clone());
        // An invisible character (a byte-order mark an editor left in the
        // middle of the file, a zero-width space) is not part of the name.
        let (shown, hidden) = unicode::make_visible(&cell.value);
        let shown = clip(&shown, NAME_SHOWN);
        let name = normalise(&cell.value.replace(unicode::may_hide, ""));
        if name.is_empty() {
            diags
                .error(Some(place), format!("column {} has no name", i + 1))
                .add_hint(format!("expected columns: {}", known.join(", ")));
            ok = false;
            continue;
        }
        let Some(col) = by_name.get(name.as_str()) else {
            strangers.push((i, name));
            continue;
        };
        if let Some(&first) = map.get(col.name.as_ref()) {
            let first: &Cell = &header.cells[first];
            diags
                .error(Some(place), format!("duplicate column \"{shown}\""))
                .add_related(Place::new(file, first.range.clone()), "first defined here")
                .add_hint("remove one of the two columns");
            ok = false;
            continue;
        }
        map.insert(col.name.to_string(), i);
        if let Some(found) = hidden {
            diags
                .warning(
                    Some(place),
                    format!(
                        "column name \"{shown}\" holds an {}; it is read as \"{}\"",
                        unicode::describe(found.first),
                        col.name
                    ),
                )
                .add_hint("remove the invisible character from the header line");
        }
    }
    unknown_columns(file, header, &strangers, &known, unknown, diags);
    for col in columns
        .iter()
        .filter(|c| c.required && !map.contains_key(c.name.as_ref()))
    {
        diags
            .error(
                Some(Place::new(file, header.range.clone())),
                format!("missing required column \"{}\"", col.name),
            )
            .add_hint(format!("add a \"{}\" column to the header", col.name));
        ok = false;
    }
    (map, ok)
}

/// Most unknown column names a diagnostic lists.
const UNKNOWN_LISTED: usize = 5;

/// Most characters of a name or cell a message quotes.
const NAME_SHOWN: usize = 60;

/// Reports the header's unknown columns (index, normalised name) in one
/// diagnostic at the first: one mistake, one diagnostic, however wide the header.
fn unknown_columns(
    file: FileRef,
    header: &Record,
    strangers: &[(usize, String)],
    known: &[&str],
    unknown: Unknown,
    diags: &mut Diagnostics,
) {
    let Some((first, first_name)) = strangers.first() else {
        return;
    };
    let shown = |i: usize| {
        let value = &header.cells[i].value;
        format!("\"{}\"", clip(&unicode::make_visible(value).0, NAME_SHOWN))
    };
    let message = match strangers.len() {
        1 => format!("unknown column {}", shown(*first)),
        n => {
            let mut names: Vec<String> = strangers
                .iter()
                .take(UNKNOWN_LISTED)
                .map(|(i, _)| shown(*i))
                .collect();
            if n > UNKNOWN_LISTED {
                names.push(format!("and {} more", n - UNKNOWN_LISTED));
            }
            format!("{n} unknown columns: {}", names.join(", "))
        }
    };
    let place = Some(Place::new(file, header.cells[*first].range.clone()));
    let d = match unknown {
        Unknown::Ignored if strangers.len() == 1 => {
            diags.warning(place, format!("{message} is ignored"))
        }
        Unknown::Ignored => diags.warning(place, format!("{message}; they are ignored")),
        // The columns are left out; the rest of the table is read.
        Unknown::Refused(_) => diags.error(place, message),
    };
    let guess = match strangers {
        [_] => {
            d.fix_to_closest(first_name, known);
            diag::did_you_mean(first_name, known, diag::quoted)
        }
        _ => None,
    };
    match (guess, unknown) {
        (Some(c), _) => d.add_hint(c),
        (None, Unknown::Refused(hint)) => d.add_hint(hint.to_string()),
        (None, Unknown::Ignored) => d.add_hint(format!("known columns: {}", known.join(", "))),
    };
}

/// A text cut to at most `max` characters, with `…` where it was cut.
fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]).into(),
        None => text.into(),
    }
}

/// Most diagnostics of one kind a file gets; the rest are counted in one more.
const MAX_REPORTED: usize = 20;

/// Records diagnostics of one kind, at most [`MAX_REPORTED`] of them; the
/// rest are summed up in one more at the first left out, so that a file
/// with a mistake on every line gives a screenful, not one per line.
fn report_capped(diags: &mut Diagnostics, found: Vec<diag::Diagnostic>, kind: &str) {
    let total = found.len();
    let mut found = found.into_iter();
    for d in found.by_ref().take(MAX_REPORTED) {
        diags.push(d);
    }
    if let Some(next) = found.next() {
        let more = total - MAX_REPORTED;
        let d = diag::Diagnostic {
            message: format!("{more} more {kind} in this file are not shown"),
            related: Vec::new(),
            hints: vec![format!(
                "fix the first {MAX_REPORTED}, which are likely the same mistake, and check again"
            )],
            fixes: Vec::new(),
            ..next
        };
        diags.push(d);
    }
}

/// For each record, whether a syntax error overlaps it. Both lists are in
/// the order of the text: each record looks up the errors that start before
/// it ends (a binary search), and whether the farthest of them reaches it.
fn broken_records(records: &[Record], errors: &[SyntaxError]) -> Vec<bool> {
    let mut reach = Vec::with_capacity(errors.len());
    let mut farthest = 0;
    for (range, _, _) in errors {
        farthest = farthest.max(range.end);
        reach.push(farthest);
    }
    records
        .iter()
        .map(|r| {
            let before = errors.partition_point(|(e, _, _)| e.start <= r.range.end);
            before > 0 && reach[before - 1] >= r.range.start
        })
        .collect()
}

/// Reports rows whose cells do not match the header, cells too large, and
/// quotes that run over lines shaped like rows.
fn check_rows(
    file: FileRef,
    text: &str,
    header: &Record,
    records: &[Record],
    ragged_rows: &[Record],
    diags: &mut Diagnostics,
) {
    let mut large = Vec::new();
    for cell in records.iter().flat_map(|r| &r.cells) {
        if cell.value.len() > MAX_CELL_BYTES {
            let mut d = diag::Diagnostic::error(
                Some(Place::new(file, cell.range.start..cell.range.start)),
                format!(
                    "cell of {} bytes is larger than the {MAX_CELL_BYTES} bytes allowed",
                    cell.value.len()
                ),
            );
            d.add_hint("move long prose to a findings/<ID>.md file");
            large.push(d);
        }
    }
    report_capped(diags, large, "cells too large");
    let ragged = ragged_rows
        .iter()
        .map(|row| {
            let mut d = diag::Diagnostic::error(
                Some(Place::new(file, row.range.clone())),
                format!(
                    "row has {} cells but the header has {}",
                    row.cells.len(),
                    header.cells.len()
                ),
            );
            d.add_hint("put cells that contain commas in double quotes");
            d
        })
        .collect();
    report_capped(diags, ragged, "rows of the wrong length");
    // A quote left open swallows the rows after it into one cell, silently if it
    // happens to close at a cell boundary; warn where a quoted cell runs away
    // (files of four columns or more, to stay quiet on prose).
    if header.cells.len() < 4 {
        return;
    }
    // What the first cell of a row looks like: `A-0` for `NWS-LUMEN-3`.
    let starts: HashSet<String> = records
        .iter()
        .filter_map(|r| r.cells.first())
        .map(|c| shape(&c.value))
        .collect();
    let mut swallowed = Vec::new();
    for record in records.iter().chain(ragged_rows) {
        for (i, cell) in record.cells.iter().enumerate() {
            let raw = &text[cell.range.clone()];
            let Some(row_like) = runaway(raw, i, header.cells.len(), &starts) else {
                continue;
            };
            let mut d = diag::Diagnostic::warning(
                Some(Place::new(file, cell.range.start..cell.range.start + 1)),
                format!(
                    "quote opened here runs over {} lines, through {row_like} that look like rows",
                    raw.lines().count()
                ),
            );
            d.add_hint(
                "close the quote at the end of its cell; write a quote inside a cell as \"\"",
            );
            swallowed.push(d);
        }
    }
    report_capped(diags, swallowed, "quotes that run over rows");
}

/// Whether a quoted cell, the `index`th of its row in a table of `columns`
/// columns, is a quote that ran away, and if so how many of its lines look
/// like rows. A quote ran away when its cell ends its row in the middle of
/// the quoted text: the cell's first line holds as many commas as there
/// are columns after it (the rest of the row, the quote never closed), and
/// the line after it is a row of the table. A quoted cell of several lines
/// of prose (RFC 4180) whose lines happen to hold as many commas as the
/// header is no runaway. A line is a row when it holds as many commas as
/// the header and its first cell has the shape of the rows' first cells
/// (`starts`).
fn runaway(raw: &str, index: usize, columns: usize, starts: &HashSet<String>) -> Option<usize> {
    let looks_like_row = |line: &str| line.matches(',').count() + 1 == columns;
    let quoted = raw.trim_start().strip_prefix('"')?;
    let mut lines = quoted.lines();
    let first = lines.next()?;
    let second = lines.next()?;
    let rest_of_row = columns.saturating_sub(index + 1);
    let starts_a_row = starts.contains(&shape(second.split(',').next().unwrap_or("")));
    if first.matches(',').count() != rest_of_row || !looks_like_row(second) || !starts_a_row {
        return None;
    }
    Some(1 + lines.filter(|l| looks_like_row(l)).count())
}

/// The shape of a cell's text: each run of capitals `A`, of small letters
/// `a`, of digits `0`, other characters as they are (`NWS-LUMEN-3` is
/// `A-A-0`, `1` is `0`, `The function` is `Aa a`).
fn shape(value: &str) -> String {
    let mut out = String::new();
    for c in value.trim().trim_matches('"').chars() {
        let class = match c {
            c if c.is_uppercase() => 'A',
            c if c.is_alphabetic() => 'a',
            c if c.is_ascii_digit() => '0',
            c => c,
        };
        if !out.ends_with(class) || !"Aa0".contains(class) {
            out.push(class);
        }
    }
    out
}

/// A CSV syntax error: its range, message and hint.
type SyntaxError = (Range<usize>, String, String);

/// Splits CSV text into records of cells, skipping blank lines.
///
/// csv-core splits the fields (RFC 4180: quotes, doubled quotes, CRLF) and
/// says how many input bytes each consumed, which gives every cell its exact
/// place. Two things it accepts silently are checked here on each field's
/// bytes, as errors where the quote opened: a quote never closed, and text
/// after a closing quote. Spaces between a comma and an opening quote are
/// skipped, as people write them by hand.
pub fn parse(text: &str) -> (Vec<Record>, Vec<SyntaxError>) {
    let bytes = text.as_bytes();
    let mut reader = csv_core::Reader::new();
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let mut output = vec![0u8; 4096];
    let mut pos = 0;
    let mut cells: Vec<Cell> = Vec::new();
    let mut record_start = 0;
    let mut fed = false;
    loop {
        if cells.is_empty() {
            // Blank lines between records are not records.
            while matches!(bytes.get(pos), Some(b'\n' | b'\r')) {
                pos += 1;
            }
            if pos >= bytes.len() {
                break;
            }
            record_start = pos;
        }
        let lead = bytes[pos..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let start = if bytes.get(pos + lead) == Some(&b'"') {
            pos + lead
        } else {
            pos
        };
        let mut at = start;
        let record_end = loop {
            // The unquoted value is taken from the field's bytes below; csv-core's
            // copy is not needed, only where the field ends.
            // csv-core drops a byte-order mark at the start of its first input;
            // the text was decoded already, so a U+FEFF here is content: the
            // first input is one byte, too short to be taken for a mark.
            let input = if fed {
                &bytes[at..]
            } else {
                &bytes[at..(at + 1).min(bytes.len())]
            };
            fed = true;
            let (result, nin, _) = reader.read_field(input, &mut output);
            at += nin;
            // All input given is consumed; the next call, with no input left,
            // tells csv-core the text ended, which ends the field and record.
            match result {
                csv_core::ReadFieldResult::InputEmpty => {}
                csv_core::ReadFieldResult::OutputFull => output.resize(output.len() * 2, 0),
                csv_core::ReadFieldResult::Field { record_end } => break record_end,
                csv_core::ReadFieldResult::End => break true,
            }
        };
        // The field's own bytes: without the comma or line end that closed it
        // (a quote never closed runs to the end of the text, delimiters and all).
        let mut end = at.min(bytes.len());
        let unclosed =
            text[start..end].starts_with('"') && closing_quote(&text[start..end]).is_none();
        if !unclosed && end > start && matches!(bytes[end - 1], b',' | b'\n' | b'\r') {
            end -= 1;
        }
        let (cell, error) = cell(text, start, end);
        errors.extend(error);
        cells.push(cell);
        pos = at;
        if record_end {
            let mut record_end = end;
            if text[record_start..record_end].ends_with('\r') {
                record_end -= 1;
            }
            let blank = cells.len() == 1 && text[record_start..record_end].trim().is_empty();
            if !blank {
                records.push(Record {
                    number: records.len(),
                    range: record_start..record_end,
                    cells: std::mem::take(&mut cells),
                });
            }
            cells.clear();
            if pos >= bytes.len() {
                break;
            }
        }
    }
    (records, errors)
}

/// Returns where the quote that opens a field closes, as csv-core reads it:
/// `""` inside is one quote.
fn closing_quote(raw: &str) -> Option<usize> {
    let mut i = 1;
    loop {
        let k = raw.get(i..)?.find('"')?;
        if raw[i + k + 1..].starts_with('"') {
            i += k + 2;
        } else {
            return Some(i + k);
        }
    }
}

/// Makes a cell of a field's bytes `start..end`, checking its quotes.
fn cell(text: &str, start: usize, end: usize) -> (Cell, Option<SyntaxError>) {
    let raw = &text[start..end];
    if !raw.starts_with('"') {
        let trimmed = raw.trim();
        let lead = raw.len() - raw.trim_start().len();
        let range = start + lead..start + lead + trimmed.len();
        let cell = Cell {
            value: trimmed.to_string(),
            range,
        };
        return (cell, None);
    }
    let close = closing_quote(raw);
    let unquote = |inner: &str| inner.replace("\"\"", "\"").trim().to_string();
    let Some(close) = close else {
        let line_end = text[start..].find('\n').map_or(text.len(), |n| start + n);
        let error = (
            start..line_end,
            "quote opened here is never closed".to_string(),
            "close the quoted cell with \"; write a quote inside it as \"\"".to_string(),
        );
        return (
            Cell {
                value: unquote(&raw[1..]),
                range: start..text.len(),
            },
            Some(error),
        );
    };
    let cell_end = start + close + 1;
    let value = unquote(&raw[1..close]);
    if raw[close + 1..].trim().is_empty() {
        return (
            Cell {
                value,
                range: start..cell_end,
            },
            None,
        );
    }
    let error = (
        start..end,
        format!(
            "text after the closing quote of a cell (`{}`)",
            clip(raw, NAME_SHOWN)
        ),
        "quote the whole cell and write quotes inside it as \"\"".to_string(),
    );
    (
        Cell {
            value,
            range: start..cell_end,
        },
        Some(error),
    )
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
    fn a_cell_has_a_shape() {
        assert_eq!(shape("NWS-LUMEN-3"), "A-A-0");
        assert_eq!(shape("H-01"), "A-0");
        assert_eq!(shape(" 12"), "0");
        assert_eq!(shape("The owner"), "Aa a");
    }

    #[test]
    fn a_quoted_cell_of_several_lines_of_prose_is_no_runaway() {
        // RFC 4180: a quoted cell may hold line breaks; one of its lines
        // holds as many commas as the header (three) by chance.
        let text = "id,title,severity,description\n\
                    1,Title,High,\"The function reads the value\n\
                    from storage and returns it.\n\
                    It checks the owner, the amount, and the deadline\n\
                    before it writes.\"\n\
                    2,Other,Low,\"One line, with a comma\n\
                    and a, b, c, d on the next\"\n\
                    3,Third,Low,\"The next line holds three commas\n\
                    the owner, the amount, the deadline, as a row does\"\n";
        let columns = ["id", "title", "severity", "description"].map(Column::optional);
        let mut diags = Diagnostics::default();
        let table = read(0, text, &columns, &mut diags).expect("a table");
        let found: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(table.rows.len(), 3);
        // The quote of the first row never closes: the rest of its line
        // ends the row, and the rows after it are swallowed.
        let text = "id,title,severity,description\n\
                    1,Title,High,\"The function reads\n\
                    2,Other,Low,Second\n\
                    3,Third,Low,Third\"\n";
        let mut diags = Diagnostics::default();
        read(0, text, &columns, &mut diags);
        let d = diags.iter().next().expect("a warning");
        assert_eq!(
            d.message,
            "quote opened here runs over 3 lines, through 2 that look like rows"
        );
    }

    #[test]
    fn text_after_a_closing_quote_is_an_error() {
        let (_, errors) = parse("\"abc\"def,x\n");
        assert!(errors[0].1.contains("`\"abc\"def`"));
    }
}

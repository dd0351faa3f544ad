//! CSV bytes -> [`Table`], with column types inferred and errors that name the line.

use super::{Column, ColumnData, Table, is_missing, parse_number};
use crate::limits::MAX_COLUMNS;
use crate::{Error, Result};

impl Table {
    /// Parses a CSV with a header row. Every row must have as many fields as the header;
    /// a column is numeric when every non-missing cell parses as a finite number.
    pub fn from_csv_bytes(bytes: &[u8]) -> Result<Self> {
        Self::from_csv_bytes_with_progress(bytes, &mut |_| {})
    }

    /// [`Table::from_csv_bytes`], calling `progress` with the fraction read so far
    /// (0 to 1) about every [`PROGRESS_EVERY`] bytes.
    pub fn from_csv_bytes_with_progress(bytes: &[u8], progress: &mut dyn FnMut(f64)) -> Result<Self> {
        let (bytes, delimiter) = prepare(bytes)?;
        let reader =
            || csv::ReaderBuilder::new().has_headers(true).flexible(false).delimiter(delimiter).from_reader(bytes);
        let mut records = reader();
        // A second byte-order mark (files concatenated or re-saved) is trimmed like spaces.
        let trim = |h: &str| h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_string();
        let header: Vec<String> = records.headers().map_err(|e| csv_error(bytes, e))?.iter().map(trim).collect();
        check_header(&header)?;

        // One pass, no text kept for numbers: a column stays numeric while every cell is a
        // number or missing; at its first text cell it becomes text from there on.
        let mut columns: Vec<Building> = (0..header.len()).map(|_| Building::Numbers(Vec::new())).collect();
        let mut record = csv::ByteRecord::new();
        let mut rows = 0usize;
        let mut reported = 0;
        let total = bytes.len().max(1) as f64;
        while records.read_byte_record(&mut record).map_err(|e| csv_error(bytes, e))? {
            for (column, field) in columns.iter_mut().zip(record.iter()) {
                // The whole file was checked as UTF-8 above.
                let text = std::str::from_utf8(field).expect("checked UTF-8");
                column.push(rows, text);
            }
            rows += 1;
            let at = records.position().byte() as usize;
            if at - reported >= PROGRESS_EVERY {
                reported = at;
                progress(at as f64 / total);
            }
        }
        if rows == 0 {
            return Err(Error::NoRows);
        }
        // Columns that turned to text after some numbers: their early cells, as written.
        let late: Vec<usize> =
            columns.iter().enumerate().filter(|(_, c)| c.needs_first_rows()).map(|(i, _)| i).collect();
        if !late.is_empty() {
            let mut records = reader();
            let mut row = 0;
            while records.read_byte_record(&mut record).map_err(|e| csv_error(bytes, e))? {
                for &i in &late {
                    let text = std::str::from_utf8(&record[i]).expect("checked UTF-8");
                    columns[i].set_early(row, text);
                }
                row += 1;
            }
        }
        progress(1.0);
        let columns =
            header.into_iter().zip(columns).map(|(name, building)| Column { name, data: building.finish() }).collect();
        Table::new(columns)
    }
}

/// How often, in bytes, parsing reports its progress.
pub const PROGRESS_EVERY: usize = 1 << 20;

/// The bytes without a byte-order mark, checked to be UTF-8 text, and their delimiter.
pub(super) fn prepare(bytes: &[u8]) -> Result<(&[u8], u8)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::EmptyCsv);
    }
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64;
        return Err(Error::Csv {
            line,
            msg: format!("the file is not UTF-8 text (invalid byte at offset {})", e.valid_up_to()),
        });
    }
    Ok((bytes, sniff_delimiter(bytes)))
}

/// A column while it is read.
enum Building {
    Numbers(Vec<Option<f64>>),
    /// Text from row `from` on; the rows before it held numbers or nothing, and are
    /// filled from a second pass when any held a number.
    Texts {
        values: Vec<Option<String>>,
        from: usize,
        had_numbers: bool,
    },
}

impl Building {
    fn push(&mut self, row: usize, text: &str) {
        match self {
            Building::Numbers(numbers) => {
                if is_missing(text) {
                    numbers.push(None);
                } else if let Some(x) = parse_number(text) {
                    numbers.push(Some(x));
                } else {
                    let had_numbers = numbers.iter().any(Option::is_some);
                    let mut values: Vec<Option<String>> = vec![None; row];
                    values.push(Some(text.trim().to_string()));
                    *self = Building::Texts { values, from: row, had_numbers };
                }
            }
            Building::Texts { values, .. } => {
                values.push(if is_missing(text) { None } else { Some(text.trim().to_string()) });
            }
        }
    }

    fn needs_first_rows(&self) -> bool {
        matches!(self, Building::Texts { had_numbers: true, .. })
    }

    fn set_early(&mut self, row: usize, text: &str) {
        if let Building::Texts { values, from, .. } = self
            && row < *from
            && !is_missing(text)
        {
            values[row] = Some(text.trim().to_string());
        }
    }

    fn finish(self) -> ColumnData {
        match self {
            Building::Numbers(numbers) => ColumnData::Numeric(numbers),
            Building::Texts { values, .. } => ColumnData::Categorical(values),
        }
    }
}

/// Comma, tab or semicolon: whichever splits the first line into the most fields
/// (outside quotes). Comma when none appears.
fn sniff_delimiter(bytes: &[u8]) -> u8 {
    let line_end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len());
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in &bytes[..line_end] {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b'\t' if !quoted => counts[1] += 1,
            b';' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).expect("three candidates");
    if counts[best] == 0 { b',' } else { [b',', b'\t', b';'][best] }
}

fn check_header(header: &[String]) -> Result<()> {
    // Possible after byte-order marks only (the csv crate strips one more itself).
    if header.is_empty() {
        return Err(Error::EmptyCsv);
    }
    if header.len() > MAX_COLUMNS {
        return Err(Error::Csv {
            line: 1,
            msg: format!("the header has {} columns; Fornax reads at most {MAX_COLUMNS}", header.len()),
        });
    }
    for (i, name) in header.iter().enumerate() {
        if name.is_empty() {
            return Err(Error::Csv { line: 1, msg: format!("column {} has an empty name in the header", i + 1) });
        }
        if header[..i].contains(name) {
            return Err(Error::Csv { line: 1, msg: format!("the header names column `{name}` twice") });
        }
    }
    Ok(())
}

pub(super) fn csv_error(bytes: &[u8], e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| {
        let mut lines = LineCounter::default();
        lines.advance(bytes, p.byte() as usize);
        lines.line
    });
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} field{} but the header has {expected_len}", if *len == 1 { "" } else { "s" })
        }
        _ => e.to_string(),
    };
    Error::Csv { line, msg }
}

/// The first byte of the row the csv reader places at `position`: the reader may place
/// it before the `\n` (or blank lines) that end the row above.
pub(super) fn row_start(bytes: &[u8], position: usize) -> usize {
    let mut start = position.min(bytes.len());
    while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
        start += 1;
    }
    start
}

/// The line (from 1) a row starts on, counted from its byte offset: the csv crate's own
/// count is one short after `\r\n` endings. Moves forward only, so many lookups in one
/// file cost one pass.
#[derive(Default)]
pub(super) struct LineCounter {
    at: usize,
    newlines: u64,
    /// The line the last row passed to [`Self::advance`] starts on, from 1.
    pub line: u64,
}

impl LineCounter {
    /// Moves on to the row the csv reader places at `position`, and sets `line` to its line.
    pub fn advance(&mut self, bytes: &[u8], position: usize) {
        let start = row_start(bytes, position).max(self.at);
        self.newlines += bytes[self.at..start].iter().filter(|&&b| b == b'\n').count() as u64;
        self.at = start;
        self.line = self.newlines + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Cell, ColumnKind};

    #[test]
    fn infers_types_and_missing_markers() {
        let t = Table::from_csv_bytes(b"age,city,score\n31,Paris,NA\n?,Lyon,2.5\n40,,\n").unwrap();
        assert_eq!(t.rows(), 3);
        let kinds: Vec<_> = t.columns().iter().map(|c| c.kind()).collect();
        assert_eq!(kinds, [ColumnKind::Numeric, ColumnKind::Categorical, ColumnKind::Numeric]);
        assert_eq!(t.columns()[0].cell(1), Cell::Missing);
        assert_eq!(t.columns()[1].cell(2), Cell::Missing);
        assert_eq!(t.columns()[2].cell(1), Cell::Number(2.5));
    }

    #[test]
    fn ragged_row_names_its_line() {
        let err = Table::from_csv_bytes(b"a,b\n1,2\n3\n").unwrap_err().to_string();
        assert_eq!(err, "line 3: this row has 1 field but the header has 2");
    }

    #[test]
    fn lines_are_counted_right_after_windows_line_endings() {
        let err = Table::from_csv_bytes(b"a,b\r\n1,2\r\n\"x\r\ny\",2\r\n3\r\n").unwrap_err().to_string();
        assert_eq!(err, "line 5: this row has 1 field but the header has 2");
    }

    #[test]
    fn non_utf8_names_its_line() {
        let err = Table::from_csv_bytes(b"a,b\n1,2\n3,\xff\n").unwrap_err().to_string();
        assert!(err.starts_with("line 3: the file is not UTF-8"), "{err}");
    }

    #[test]
    fn empty_and_header_only_files_are_refused() {
        assert!(matches!(Table::from_csv_bytes(b""), Err(Error::EmptyCsv)));
        assert!(matches!(Table::from_csv_bytes(b"a,b\n"), Err(Error::NoRows)));
        let dup = Table::from_csv_bytes(b"a,a\n1,2\n").unwrap_err().to_string();
        assert_eq!(dup, "line 1: the header names column `a` twice");
    }

    #[test]
    fn text_after_numbers_keeps_the_numbers_as_written_and_tabs_are_sniffed() {
        let t = Table::from_csv_bytes(b"zip\tn\n007\t1\n1.50\t2\nabc\t3\n").unwrap();
        let zip = t.column("zip").unwrap();
        assert_eq!(zip.kind(), ColumnKind::Categorical);
        assert_eq!((0..3).map(|r| zip.text(r).unwrap()).collect::<Vec<_>>(), ["007", "1.50", "abc"]);
        assert_eq!(t.column("n").unwrap().cell(2), Cell::Number(3.0));
        let semicolons = Table::from_csv_bytes(b"a;b\n1,5;x\n").unwrap();
        assert_eq!(semicolons.column_names(), ["a", "b"]);
    }

    #[test]
    fn nan_and_infinity_text_do_not_become_numbers() {
        let t = Table::from_csv_bytes(b"a\n1\nNaN\ninf\n").unwrap();
        // `inf` is not a finite number, so the column is text, not silently infinite.
        assert_eq!(t.columns()[0].kind(), ColumnKind::Categorical);
    }
}

//! Ragged rows (more or fewer fields than the header): found, counted, and cut out of
//! the file when the user chooses to load the rest, so what is kept is still the CSV
//! it came from, minus those rows, byte for byte.

use serde::{Deserialize, Serialize};

use super::csv_import::{LineCounter, csv_error, prepare, row_start};
use crate::Result;

/// How many ragged rows a file has, and where the first ones are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RaggedRows {
    /// Fields in the header.
    pub expected: usize,
    /// Ragged rows in the whole file; `first` lists at most [`FIRST_SHOWN`] of them.
    pub count: usize,
    /// The first [`FIRST_SHOWN`] ragged rows: (line, fields).
    pub first: Vec<(u64, usize)>,
}

/// How many ragged rows are named one by one.
pub const FIRST_SHOWN: usize = 10;

impl RaggedRows {
    /// `3 rows (lines 4, 9 and 12) have a field count other than the header's 5`.
    pub fn describe(&self) -> String {
        let mut lines: Vec<String> = self.first.iter().map(|(line, _)| line.to_string()).collect();
        if self.count > lines.len() {
            lines.push("...".into());
        } else if lines.len() > 1 {
            let last = lines.pop().unwrap_or_default();
            let head = lines.join(", ");
            lines = vec![format!("{head} and {last}")];
        }
        let (rows, have) = if self.count == 1 { ("row", "has") } else { ("rows", "have") };
        format!(
            "{} {rows} (line{} {}) {have} a field count other than the header's {}",
            self.count,
            if self.count == 1 { "" } else { "s" },
            lines.join(", "),
            self.expected
        )
    }
}

/// The file without its ragged rows (the header and every other row as they were),
/// and which rows those were. `None` when no row is ragged.
pub fn without_ragged_rows(bytes: &[u8]) -> Result<Option<(Vec<u8>, RaggedRows)>> {
    let (bytes, delimiter) = prepare(bytes)?;
    let mut records =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).delimiter(delimiter).from_reader(bytes);
    let expected = records.byte_headers().map_err(|e| csv_error(bytes, e))?.len();
    let mut ragged = RaggedRows { expected, count: 0, first: Vec::new() };
    let mut record = csv::ByteRecord::new();
    // Each row runs from its first byte to the next one's (line endings and all); the header
    // up to the first row. `previous` is the start of the last row kept.
    let mut kept = Vec::with_capacity(bytes.len());
    let mut previous = Some(0);
    let mut lines = LineCounter::default();
    while records.read_byte_record(&mut record).map_err(|e| csv_error(bytes, e))? {
        let start = row_start(bytes, record.position().map_or(0, |p| p.byte() as usize));
        if let Some(from) = previous {
            kept.extend_from_slice(&bytes[from..start]);
        }
        previous = (record.len() == expected).then_some(start);
        if previous.is_none() {
            ragged.count += 1;
            if ragged.first.len() < FIRST_SHOWN {
                lines.advance(bytes, start);
                ragged.first.push((lines.line, record.len()));
            }
        }
    }
    if let Some(from) = previous {
        kept.extend_from_slice(&bytes[from..]);
    }
    Ok((ragged.count > 0).then_some((kept, ragged)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Table;

    #[test]
    fn ragged_rows_are_cut_and_the_rest_is_byte_for_byte() {
        let csv = b"a,b\n1,2\n3\n\"x\ny\",5\n6,7,8\n9,10";
        let (kept, ragged) = without_ragged_rows(csv).unwrap().unwrap();
        assert_eq!(kept, b"a,b\n1,2\n\"x\ny\",5\n9,10");
        assert_eq!(ragged, RaggedRows { expected: 2, count: 2, first: vec![(3, 1), (6, 3)] });
        assert_eq!(ragged.describe(), "2 rows (lines 3 and 6) have a field count other than the header's 2");
        assert_eq!(Table::from_csv_bytes(&kept).unwrap().rows(), 3);
    }

    #[test]
    fn a_clean_file_has_none_and_semicolons_are_sniffed() {
        assert_eq!(without_ragged_rows(b"a;b\n1;2\n").unwrap(), None);
        let (kept, ragged) = without_ragged_rows(b"\xEF\xBB\xBFa;b\r\n1;2\r\n3\r\n").unwrap().unwrap();
        assert_eq!(kept, b"a;b\r\n1;2\r\n");
        assert_eq!(ragged.describe(), "1 row (line 3) has a field count other than the header's 2");
    }
}

//! CSV bytes -> [`Table`], with column types inferred and errors that name the line.

use super::{Column, ColumnData, Table, is_missing};
use crate::limits::MAX_COLUMNS;
use crate::{Error, Result};

impl Table {
    /// Parses a CSV with a header row. Every row must have as many fields as the header;
    /// a column is numeric when every non-missing cell parses as a finite number.
    pub fn from_csv_bytes(bytes: &[u8]) -> Result<Self> {
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
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(bytes);
        // A second byte-order mark (files concatenated or re-saved) is trimmed like spaces.
        let trim = |h: &str| h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}').to_string();
        let header: Vec<String> = reader.headers().map_err(csv_error)?.iter().map(trim).collect();
        check_header(&header)?;

        let mut cells: Vec<Vec<String>> = vec![Vec::new(); header.len()];
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            for (column, field) in cells.iter_mut().zip(record.iter()) {
                column.push(field.to_string());
            }
        }
        if cells[0].is_empty() {
            return Err(Error::NoRows);
        }
        let columns = header.into_iter().zip(cells).map(|(name, values)| infer_column(name, values)).collect();
        Table::new(columns)
    }
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

fn csv_error(e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    let msg = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} fields but the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    Error::Csv { line, msg }
}

fn infer_column(name: String, values: Vec<String>) -> Column {
    let parse = |v: &String| -> Option<Option<f64>> {
        if is_missing(v) {
            return Some(None);
        }
        v.trim().parse::<f64>().ok().filter(|x| x.is_finite()).map(Some)
    };
    let numbers: Option<Vec<Option<f64>>> = values.iter().map(parse).collect();
    let data = match numbers {
        Some(numbers) => ColumnData::Numeric(numbers),
        None => ColumnData::Categorical(
            values.into_iter().map(|v| if is_missing(&v) { None } else { Some(v.trim().to_string()) }).collect(),
        ),
    };
    Column { name, data }
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
        assert_eq!(err, "line 3: this row has 1 fields but the header has 2");
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
    fn nan_and_infinity_text_do_not_become_numbers() {
        let t = Table::from_csv_bytes(b"a\n1\nNaN\ninf\n").unwrap();
        // `inf` is not a finite number, so the column is text, not silently infinite.
        assert_eq!(t.columns()[0].kind(), ColumnKind::Categorical);
    }
}

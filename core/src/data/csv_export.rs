//! [`Table`] -> CSV bytes, safe to open in a spreadsheet.

use super::{ColumnData, Table, format_number};

impl Table {
    /// The table as CSV with a header row; missing cells are empty. Text that a
    /// spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first)
    /// gets a leading `'`, as OWASP advises against CSV injection; numbers are written
    /// exactly (shortest text that reads back as the same f64).
    pub fn to_csv_bytes(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::with_capacity(self.rows() * self.columns().len() * 8));
        let header: Vec<String> = self.column_names().iter().map(|n| escape_formula(n)).collect();
        writer.write_record(&header).expect("writing to memory cannot fail");
        let mut record: Vec<String> = vec![String::new(); self.columns().len()];
        for r in 0..self.rows() {
            for (cell, column) in record.iter_mut().zip(self.columns()) {
                cell.clear();
                match &column.data {
                    ColumnData::Numeric(v) => {
                        if let Some(x) = v[r] {
                            cell.push_str(&format_number(x));
                        }
                    }
                    ColumnData::Categorical(v) => {
                        if let Some(t) = &v[r] {
                            cell.push_str(&escape_formula(t));
                        }
                    }
                }
            }
            writer.write_record(&record).expect("writing to memory cannot fail");
        }
        writer.into_inner().expect("writing to memory cannot fail")
    }
}

fn escape_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_escapes_formulas() {
        let t = Table::from_csv_bytes(b"x,c\n0.1,\"=cmd|' /C calc'!A0\"\n,\"a,b\"\n-3,@x\n").unwrap();
        let csv = String::from_utf8(t.to_csv_bytes()).unwrap();
        assert_eq!(csv, "x,c\n0.1,'=cmd|' /C calc'!A0\n,\"a,b\"\n-3,'@x\n");
        let back = Table::from_csv_bytes(csv.as_bytes()).unwrap();
        assert_eq!(back.column("x").unwrap(), t.column("x").unwrap());
    }
}

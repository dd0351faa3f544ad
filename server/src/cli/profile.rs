//! `fornax data profile FILE [--json]`.

use std::path::Path;

use fornax_core::data::ColumnKind;

pub fn run(path: &Path, json: bool) -> Result<(), String> {
    let table = super::read_table(path)?;
    let columns = table.summaries();
    if json {
        let out = serde_json::json!({ "rows": table.rows(), "columns": columns });
        println!("{}", serde_json::to_string_pretty(&out).expect("profile serializes"));
        return Ok(());
    }
    println!("{} rows, {} columns", table.rows(), columns.len());
    println!("{:<28} {:<12} {:>8} {:>8}  examples", "column", "type", "missing", "unique");
    for c in columns {
        let kind = match c.kind {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
        };
        println!("{:<28} {:<12} {:>8} {:>8}  {}", c.name, kind, c.missing, c.unique, c.examples.join(", "));
    }
    Ok(())
}

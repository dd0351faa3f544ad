//! `fornax data clean FILE --recipe R.json --out OUT.csv`: the studio's cleaning steps,
//! natively. Steps exported fitted (with their fill values and bounds) are applied as
//! they are; unfitted ones are fitted on every row of FILE.

use std::path::Path;

use fornax_core::data::{Prep, Split, clean};

use crate::atomic_file;

pub fn run(path: &Path, recipe: &Path, out: &Path, skip_ragged: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(recipe).map_err(|e| format!("cannot read {}: {e}", recipe.display()))?;
    let prep: Prep = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", recipe.display()))?;
    prep.validate().map_err(|e| format!("{}: {e}", recipe.display()))?;
    let table = super::read_table(path, skip_ragged)?;
    let all = Split { train: (0..table.rows()).collect(), valid: Vec::new(), test: Vec::new() };
    let cleaned = clean(&table, &prep.steps, &all).map_err(|e| e.to_string())?;
    for r in &cleaned.reports {
        println!(
            "{}: rows {} -> {}, missing cells {} -> {}",
            r.step, r.rows_before, r.rows_after, r.missing_before, r.missing_after
        );
    }
    atomic_file::write(out, &cleaned.table.to_csv_bytes())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    println!("wrote {} ({} rows, {} columns)", out.display(), cleaned.table.rows(), cleaned.table.columns().len());
    Ok(())
}

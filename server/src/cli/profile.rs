//! `fornax data profile FILE [--target COL] [--json]`: what the studio's data page
//! shows, for a terminal.

use std::path::Path;

use fornax_core::data::DatasetProfile;

pub fn run(path: &Path, target: Option<&str>, json: bool, skip_ragged: bool) -> Result<(), String> {
    let table = super::read_table(path, skip_ragged)?;
    if let Some(target) = target {
        table.column(target).map_err(|e| e.to_string())?;
    }
    let profile = DatasetProfile::of(&table, target);
    if json {
        println!("{}", serde_json::to_string_pretty(&profile).expect("profile serializes"));
        return Ok(());
    }
    println!(
        "{} rows, {} columns, {} duplicate rows, {} missing cells, {:.1} MiB in memory",
        profile.rows,
        profile.columns.len(),
        profile.duplicate_rows,
        profile.missing_cells(),
        profile.memory_bytes as f64 / (1024.0 * 1024.0)
    );
    println!("{:<24} {:<12} {:>8} {:>7} {:>8}  summary", "column", "type", "missing", "%", "unique");
    for c in &profile.columns {
        let summary = match &c.numeric {
            Some(s) => s.summary(),
            None => c.top.iter().take(5).map(|(v, n)| format!("{v} ({n})")).collect::<Vec<_>>().join(", "),
        };
        let percent = 100.0 * c.missing as f64 / profile.rows.max(1) as f64;
        let detected = serde_json::to_value(c.detected).expect("serializes");
        println!(
            "{:<24} {:<12} {:>8} {:>6.1}% {:>8}  {summary}",
            c.name,
            detected.as_str().unwrap_or_default(),
            c.missing,
            percent,
            c.unique
        );
    }
    if let Some(balance) = &profile.target_balance {
        let total: usize = balance.iter().map(|(_, n)| n).sum();
        let classes: Vec<String> = balance
            .iter()
            .map(|(class, n)| format!("{class} {n} ({:.1}%)", 100.0 * *n as f64 / total.max(1) as f64))
            .collect();
        println!("target classes: {}", classes.join(", "));
    }
    Ok(())
}

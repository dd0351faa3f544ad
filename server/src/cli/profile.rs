//! `fornax data profile FILE [--target COL] [--json]`: what the studio's data page
//! shows, for a terminal.

use std::path::Path;

use fornax_core::data::DatasetProfile;
use fornax_core::data::images::ImageProfile;

use super::images::{ImageArgs, read_images};

/// A folder (or .zip) of images: classes with counts, the sizes pictures came in (with
/// a histogram of their longer sides when they differ), and
/// each channel's mean and standard deviation (values in [0, 1]).
pub fn run_images(path: &Path, args: &ImageArgs, json: bool) -> Result<(), String> {
    let (set, bad) = read_images(path, args)?;
    let profile = ImageProfile::new(&set);
    if json {
        let out = serde_json::json!({ "profile": profile, "left_out": bad });
        println!("{}", serde_json::to_string_pretty(&out).expect("profile serializes"));
        return Ok(());
    }
    let [min_w, max_w, min_h, max_h] = profile.sizes;
    println!(
        "{} images in {} classes, {}, widths {min_w}-{max_w} px, heights {min_h}-{max_h} px, fitted to {} x {} ({})",
        profile.images,
        profile.classes.len(),
        if profile.channels == 3 { "RGB" } else { "grey" },
        profile.side,
        profile.side,
        set.aspect.name()
    );
    for (class, n) in &profile.classes {
        println!("{class:<24} {n:>8}  {:>5.1}%", 100.0 * *n as f64 / profile.images.max(1) as f64);
    }
    if profile.size_histogram.len() > 1 {
        println!("longer side as they came:");
        for bin in &profile.size_histogram {
            println!("  {:>5}-{:<5} px {:>8}", bin.low, bin.high, bin.images);
        }
    }
    let names: &[&str] = if profile.channels == 3 { &["red", "green", "blue"] } else { &["grey"] };
    for (c, name) in names.iter().enumerate() {
        println!("{name:<6} mean {:.6}  std {:.6}", profile.stats.mean[c], profile.stats.std[c]);
    }
    Ok(())
}

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

//! Writes a starting corpus for each fuzz target into `DIR/TARGET/`: a real CSV, a real
//! fitted recipe with its data, a real trained bundle, real prediction requests and a
//! project file.
//! `cargo xtask fuzz` runs it before fuzzing; the fuzzers mutate from there.
//!
//! Usage: cargo run -p fornax-core --example fuzz_seeds -- DIR

use std::path::Path;

use fornax_core::data::{Dataset, Table};
use fornax_core::device;
use fornax_core::recipe::Recipe;
use fornax_core::task::Task;
use fornax_core::train::{Quiet, TrainConfig, train};

/// 40 rows: a number, a category with a missing value, a class to predict.
fn mixed_csv() -> String {
    let mut csv = String::from("size,color,kind\n");
    for i in 0..40 {
        let color = ["red", "blue", "\"green, light\"", ""][i % 4];
        csv.push_str(&format!("{},{color},{}\n", i as f64 * 0.5, ["a", "b"][i % 2]));
    }
    csv
}

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) {
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
}

fn main() {
    let dir = std::env::args().nth(1).expect("usage: fuzz_seeds DIR");
    let dir = Path::new(&dir);
    let csv = mixed_csv();
    let wine = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../public/demo/wine.csv")).unwrap();
    let wine_head: String = wine.lines().take(12).map(|l| format!("{l}\n")).collect();

    write(dir, "csv_import", "mixed.csv", csv.as_bytes());
    write(dir, "csv_import", "wine_head.csv", wine_head.as_bytes());

    let table = Table::from_csv_bytes(csv.as_bytes()).unwrap();
    let rows: Vec<usize> = (0..table.rows()).collect();
    for (task, target) in [(Task::Classification, "kind"), (Task::Regression, "size")] {
        let recipe = Recipe::fit(&table, target, task, &rows).unwrap();
        let seed = [serde_json::to_vec(&recipe).unwrap(), vec![0], csv.as_bytes()[..200].to_vec()].concat();
        write(dir, "recipe_json", &format!("{target}.bin"), &seed);
    }

    let config = TrainConfig { epochs: 2, hidden: vec![4], ..TrainConfig::default() };
    let outcome = futures_lite::future::block_on(train(
        &device::cpu(),
        Dataset::Tabular(&table),
        "kind",
        None,
        &config,
        &mut Quiet,
    ));
    let bundle = outcome.unwrap().bundle.to_bytes();
    write(dir, "bundle_load", "raw.fornax", &bundle);
    // An odd first byte tells the target to append the checksum itself.
    write(dir, "bundle_load", "body.bin", &[&[1u8][..], &bundle[..bundle.len() - 32]].concat());

    let requests = [
        r#"{"rows": [{"size": 1.5, "color": "red"}]}"#,
        r#"{"rows": [{"size": null, "color": "blue"}, {"size": 3, "color": "purple"}, {"size": "x"}]}"#,
        r#"{"rows": [{"size": 1e300, "color": ["red"]}, 5, {}]}"#,
    ];
    for (i, body) in requests.iter().enumerate() {
        write(dir, "predict_body", &format!("request{i}.json"), body.as_bytes());
    }
    // A project file as the reader expects it (written by make_handwritten.py with
    // Python's zipfile, which the reader accepts like the studio's own).
    let regressions = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/project_import");
    let project = std::fs::read(regressions.join("valid.fornax-project")).unwrap();
    write(dir, "project_import", "valid.fornax-project", &project);
    // Real pictures in each format, and a folder of them as a zip.
    let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images");
    for name in ["warm/0.png", "warm/2.bmp", "warm/3.gif", "cool/2.webp"] {
        let bytes = std::fs::read(images.join("colours").join(name)).unwrap();
        write(dir, "image_import", &name.replace('/', "_"), &bytes);
    }
    write(dir, "image_import", "photo.jpg", &std::fs::read(images.join("photo.jpg")).unwrap());
    let folder = std::fs::read(regressions.join("../image_import/two_classes.zip")).unwrap();
    write(dir, "image_import", "two_classes.zip", &folder);
    println!("fuzz seeds written to {}", dir.display());
}

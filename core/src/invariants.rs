//! What must hold for any input, however hostile: the checks the fuzz targets in
//! `fuzz/` run on every generated input, and that `core/tests/fuzz_regressions.rs`
//! replays on every input a fuzzer ever found a bug with. Each function panics when
//! an invariant is broken; a clear `Err` is a correct answer to bad input.

use crate::data::{ColumnData, Table};
use crate::recipe::Recipe;

/// CSV import: a table that parses is rectangular, named, within limits, holds only
/// finite numbers, and reads back identically after being written out as CSV.
pub fn csv_import(bytes: &[u8]) {
    let Ok(table) = Table::from_csv_bytes(bytes) else { return };
    check_table(&table);
    let again = Table::from_csv_bytes(&to_csv(&table)).expect("a table written as CSV reads back");
    assert_eq!(again, table, "CSV round trip changed the table");
}

fn check_table(table: &Table) {
    assert!(table.rows() >= 1, "a parsed table has rows");
    assert!(table.columns().len() <= crate::limits::MAX_COLUMNS);
    let mut names: Vec<&str> = table.column_names();
    assert!(names.iter().all(|n| !n.is_empty() && n.trim() == *n), "names are trimmed and non-empty");
    names.sort_unstable();
    assert!(names.windows(2).all(|w| w[0] != w[1]), "column names are unique");
    for column in table.columns() {
        assert_eq!(column.len(), table.rows(), "column `{}` has every row", column.name);
        if let ColumnData::Numeric(values) = &column.data {
            assert!(values.iter().flatten().all(|x| x.is_finite()), "numbers are finite");
        }
        let summary = column.summary();
        assert!(summary.missing <= table.rows() && summary.unique <= table.rows() - summary.missing);
    }
}

/// The table as CSV text, cells written as the table holds them.
fn to_csv(table: &Table) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(table.column_names()).expect("writing to memory");
    for row in 0..table.rows() {
        writer
            .write_record(table.columns().iter().map(|c| c.text(row).unwrap_or_default()))
            .expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// Image import: the input is one file, decoded alone and, read as a `.zip`, imported
/// as a folder of class folders. A picture that decodes is within the size limits and
/// has `width x height x channels` bytes, and fits to any square; a folder that imports
/// keeps only classes with enough images, each item's pixels and a label in range, and
/// names every file it left out.
pub fn image_import(bytes: &[u8]) {
    use crate::data::images::{Aspect, ImageOptions, MAX_SIDE, MIN_PER_CLASS, decode, fit, import, zip_files};
    if let Ok(picture) = decode(bytes) {
        assert!(picture.width <= MAX_SIDE && picture.height <= MAX_SIDE, "decoded past the size limit");
        let expected = picture.width as usize * picture.height as usize * picture.channels as usize;
        assert_eq!(picture.pixels.len(), expected, "a picture has width x height x channels bytes");
        for aspect in [Aspect::CenterCrop, Aspect::Pad] {
            assert_eq!(fit(&picture, 5, 3, aspect).len(), 75);
            assert_eq!(fit(&picture, 2, 1, aspect).len(), 4);
        }
    }
    let Ok(files) = zip_files(bytes) else { return };
    let total = files.len();
    let Ok(imported) = import(files, ImageOptions { side: 4, aspect: Aspect::Pad }, &mut |_, _| {}) else { return };
    let set = &imported.set;
    assert!(set.classes.len() >= 2 && set.classes.is_sorted(), "classes are sorted, two at least");
    assert_eq!(set.pixels.len(), set.items.len() * set.values(), "every item has its pixels");
    let labels = set.labels();
    assert!(labels.iter().all(|&l| l < set.classes.len()), "labels are in range");
    for class in 0..set.classes.len() {
        assert!(labels.iter().filter(|&&l| l == class).count() >= MIN_PER_CLASS, "a thin class was kept");
    }
    assert!(set.items.len() + imported.bad.len() <= total, "no file counted twice");
}

/// Recipe load and apply: the input is a recipe's JSON, a zero byte, then a CSV. A
/// recipe that loads and validates survives a JSON round trip, and applying it to the
/// table twice gives the same finite numbers, `width` per row.
pub fn recipe_json(bytes: &[u8]) {
    let (json, csv) = bytes.split_at(bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len()));
    let Ok(recipe) = serde_json::from_slice::<Recipe>(json) else { return };
    let text = serde_json::to_string(&recipe).expect("a recipe serializes");
    assert_eq!(serde_json::from_str::<Recipe>(&text).expect("its own JSON loads"), recipe, "JSON round trip");
    if recipe.validate().is_err() {
        return;
    }
    assert_eq!(recipe.schema().len(), recipe.features.len());
    let Ok(table) = Table::from_csv_bytes(csv.get(1..).unwrap_or_default()) else { return };
    let rows: Vec<usize> = (0..table.rows()).collect();
    let first = recipe.encode_table::<f32>(&table, &rows);
    let second = recipe.encode_table::<f32>(&table, &rows);
    match (first, second) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "applying a recipe twice gives the same output");
            assert_eq!(a.len(), rows.len() * recipe.width());
            assert!(a.iter().all(|x| x.is_finite()), "encoded values are finite");
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!("applying a recipe twice gave one success and one error"),
    }
    // Any single row, whatever its cells, encodes to finite values or names a column.
    let mut out = Vec::new();
    let cell = |name: &str| table.column(name).ok().map(|c| c.cell(0));
    match recipe.encode_row(cell, &mut out) {
        Ok(()) => assert!(out.len() == recipe.width() && out.iter().all(|x: &f32| x.is_finite())),
        Err(errors) => assert!(errors.iter().all(|(column, msg, _)| !column.is_empty() && !msg.is_empty())),
    }
}

#[cfg(feature = "compute")]
pub use with_models::{bundle_load, predict_body};

#[cfg(feature = "compute")]
mod with_models {
    use serde_json::Value;
    use sha2::{Digest, Sha256};

    use crate::Error;
    use crate::bundle::Bundle;
    use crate::predict::{Prediction, Predictor, parse_rows};

    /// Bundle load. When the first byte is odd, the rest gets a correct checksum
    /// appended, so the fuzzer explores what lies behind the checksum too. A bundle
    /// that loads passes its checksum, writes back to bytes that load to the same
    /// bundle, and its model answers a row of missing values with finite outputs.
    pub fn bundle_load(bytes: &[u8]) {
        let owned;
        let bytes = match bytes.split_first() {
            Some((first, rest)) if first & 1 == 1 => {
                owned = [rest, Sha256::digest(rest).as_slice()].concat();
                &owned[..]
            }
            _ => bytes,
        };
        let Ok(bundle) = Bundle::from_bytes(bytes) else { return };
        let (body, checksum) = bytes.split_at(bytes.len() - 32);
        assert_eq!(Sha256::digest(body).as_slice(), checksum, "a loaded bundle passed its checksum");
        let again = Bundle::from_bytes(&bundle.to_bytes()).expect("a bundle's own bytes load");
        assert_eq!(again, bundle, "bundle round trip");
        let Ok(predictor) = Predictor::new(&bundle) else { return };
        let row: serde_json::Map<String, Value> =
            bundle.manifest.inputs.iter().map(|f| (f.name.clone(), Value::Null)).collect();
        match block_on_ready(predictor.predict_json(&[Value::Object(row)])) {
            Ok(predictions) => check_predictions(&predictions, 1),
            // Finite but extreme weights can overflow: refused, never answered with NaN.
            Err(Error::Validation(errors)) => assert_eq!(errors[0].kind, "finite_number", "{errors:?}"),
            Err(other) => panic!("a row of missing values is always valid, got: {other}"),
        }
    }

    /// The predict request body, from bytes to decoded predictions, on a model whose
    /// recipe has a numeric and a categorical input: either every row is answered with
    /// finite outputs, or each problem is located inside the request.
    pub fn predict_body(bytes: &[u8]) {
        thread_local! {
            static PREDICTOR: Predictor = demo_predictor();
        }
        let rows = match parse_rows(bytes) {
            Ok(rows) => rows,
            Err(problem) => {
                assert_eq!(problem.loc.first(), Some(&Value::from("body")));
                return;
            }
        };
        PREDICTOR.with(|predictor| match block_on_ready(predictor.predict_json(&rows)) {
            Ok(predictions) => check_predictions(&predictions, rows.len()),
            Err(Error::Validation(errors)) => {
                assert!(!errors.is_empty());
                for e in errors {
                    assert_eq!(&e.loc[..2], &[Value::from("body"), Value::from("rows")], "located in rows");
                    let row = e.loc[2].as_u64().expect("a row index") as usize;
                    assert!(row < rows.len(), "the row exists");
                }
            }
            Err(other) => panic!("a request can only fail validation, got: {other}"),
        });
    }

    fn check_predictions(predictions: &[Prediction], rows: usize) {
        assert_eq!(predictions.len(), rows, "one prediction per row");
        for p in predictions {
            match p {
                Prediction::Class { label, probabilities } => {
                    assert!(probabilities.contains_key(label));
                    let sum: f64 = probabilities.values().sum();
                    assert!(probabilities.values().all(|p| p.is_finite()) && (sum - 1.0).abs() < 1e-3, "{sum}");
                }
                Prediction::Value { value } => assert!(value.is_finite()),
            }
        }
    }

    /// A small untrained classifier: what matters here is the request path, not accuracy.
    fn demo_predictor() -> Predictor {
        use crate::bundle::{FORMAT_VERSION, Manifest};
        use crate::model::ModelSpec;
        use crate::recipe::{Feature, Recipe, TargetEncoding};
        use crate::task::Task;

        let recipe = Recipe {
            steps: Vec::new(),
            target: "kind".into(),
            task: Task::Classification,
            features: vec![
                Feature::Standardize { name: "size".into(), mean: 10.0, std: 2.0 },
                Feature::OneHot { name: "color".into(), categories: vec!["blue".into(), "red".into()], other: false },
            ],
            target_encoding: TargetEncoding::Classes { classes: vec!["a".into(), "b".into(), "c".into()] },
        };
        let spec = ModelSpec::new(recipe.width(), vec![8], recipe.outputs());
        let device = crate::device::cpu();
        let metrics = crate::metrics::classification_metrics(&[0], &[0], &["a".into(), "b".into(), "c".into()], None);
        let manifest = Manifest {
            format_version: FORMAT_VERSION,
            data_kind: crate::data::DataKind::Tabular,
            family: Some(spec.family()),
            fornax_version: crate::VERSION.into(),
            task: recipe.task,
            target: recipe.target.clone(),
            inputs: recipe.schema(),
            model: spec.clone(),
            preprocessing: crate::recipe::Preprocessing::Table(recipe),
            metrics: metrics.clone(),
            baseline_metrics: metrics,
            epochs_run: 0,
        };
        let bundle = block_on_ready(Bundle::new(manifest, &spec.init(&device))).expect("a fresh model records");
        Predictor::new(&bundle).expect("the demo bundle loads")
    }

    /// Prediction on the CPU (Flex) never waits on anything, so polling it until it is
    /// ready takes one or two polls (a fuzzer's timeout would catch a hang).
    fn block_on_ready<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}
/// Project import: a `.fornax-project` that reads has a valid record and, for every file
/// it names, bytes of the stated size and checksum; written out again, it reads back
/// the same.
pub fn project_import(bytes: &[u8]) {
    use crate::project::{archive, sha256_hex};
    let Ok((project, blobs)) = archive::read(bytes) else { return };
    project.validate().expect("an imported project is valid");
    for blob in project.blobs() {
        let data = blobs.get(&blob.sha256).expect("every file the project names was read");
        assert_eq!(data.len() as u64, blob.bytes, "{} has its stated size", blob.name);
        assert_eq!(sha256_hex(data), blob.sha256, "{} matches its checksum", blob.name);
    }
    let again = archive::write(&project, &blobs).expect("a project that was read can be written");
    let (project_again, blobs_again) = archive::read(&again).expect("a written project reads back");
    assert_eq!(project_again, project, "the project record survives a round trip");
    assert_eq!(blobs_again, blobs, "the files survive a round trip");
}

//! The data studio's numbers against pandas, scikit-learn and scipy on the same real
//! CSVs (`fixtures/peer/make_peer.py` wrote their outputs): profiles, imputation,
//! scaling, encoding, the train-vs-test tests and stratified split sizes.

use fornax_core::data::clean::{Fill, FillValue};
use fornax_core::data::drift::{DriftTest, compare};
use fornax_core::data::{DatasetProfile, Encoding, Prep, Scaling, Split, Step, Table, clean, split_rows};
use fornax_core::recipe::Recipe;
use fornax_core::task::Task;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/peer");

fn expected() -> Value {
    serde_json::from_slice(&std::fs::read(format!("{FIXTURES}/expected.json")).unwrap()).unwrap()
}

fn penguins() -> Table {
    Table::from_csv_bytes(&std::fs::read(format!("{FIXTURES}/penguins.csv")).unwrap()).unwrap()
}

fn close(what: &str, ours: f64, theirs: f64) {
    let tolerance = 1e-9 * theirs.abs().max(1.0);
    assert!((ours - theirs).abs() <= tolerance, "{what}: Fornax {ours}, peer {theirs}");
}

fn rows(v: &Value) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect()
}

fn check_profile(table: &Table, expected: &Value) {
    let profile = DatasetProfile::of(table, None);
    assert_eq!(profile.rows as u64, expected["rows"].as_u64().unwrap());
    assert_eq!(profile.duplicate_rows as u64, expected["duplicate_rows"].as_u64().unwrap());
    for column in &profile.columns {
        let e = &expected["columns"][&column.name];
        let what = |stat: &str| format!("{}.{stat}", column.name);
        assert_eq!(column.count as u64, e["count"].as_u64().unwrap(), "{}", what("count"));
        assert_eq!(column.missing as u64, e["missing"].as_u64().unwrap(), "{}", what("missing"));
        assert_eq!(column.unique as u64, e["unique"].as_u64().unwrap(), "{}", what("unique"));
        match &column.numeric {
            Some(s) => {
                for (name, ours) in [
                    ("mean", s.mean),
                    ("std", s.std.unwrap()),
                    ("min", s.min),
                    ("q1", s.q1),
                    ("median", s.median),
                    ("q3", s.q3),
                    ("max", s.max),
                ] {
                    close(&what(name), ours, e[name].as_f64().unwrap());
                }
                let histogram: Vec<u64> = s.histogram.counts.iter().map(|&c| c as u64).collect();
                assert_eq!(histogram, rows(&e["histogram"]).iter().map(|&c| c as u64).collect::<Vec<_>>());
            }
            None => {
                let counts = e["value_counts"].as_object().unwrap();
                assert_eq!(column.top.len(), counts.len().min(10));
                for (value, count) in &column.top {
                    assert_eq!(counts[value].as_u64(), Some(*count as u64), "{}", what(value));
                }
            }
        }
    }
}

#[test]
fn profiles_equal_pandas_describe_and_value_counts() {
    let expected = expected();
    check_profile(&penguins(), &expected["penguins"]["profile"]);
    let wine =
        Table::from_csv_bytes(&std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/demo/wine.csv")).unwrap())
            .unwrap();
    check_profile(&wine, &expected["wine"]["profile"]);
}

/// Every numeric feature filled by `numeric`, every categorical one by `categorical`,
/// as the peer's per-column SimpleImputer does.
fn fills(table: &Table, numeric: Fill, categorical: Fill, constants: (f64, &str)) -> Vec<Step> {
    table
        .columns()
        .iter()
        .filter(|c| c.name != "species")
        .map(|c| {
            let is_numeric = c.kind() == fornax_core::data::ColumnKind::Numeric;
            let with = if is_numeric { numeric } else { categorical };
            let value = (with == Fill::Constant).then(|| match is_numeric {
                true => FillValue::Number(constants.0),
                false => FillValue::Text(constants.1.into()),
            });
            Step::FillMissing { column: c.name.clone(), with, value }
        })
        .collect()
}

#[test]
fn imputed_scaled_and_encoded_values_equal_scikit_learn() {
    let expected = expected();
    let e = &expected["penguins"];
    let table = penguins();
    let split = Split { train: rows(&e["train"]), valid: Vec::new(), test: rows(&e["test"]) };
    let cases = [
        ("mean_standard_onehot", Fill::Mean, Scaling::Standard, Encoding::OneHot, None),
        ("median_minmax_onehot_capped", Fill::Median, Scaling::MinMax, Encoding::OneHot, Some(2)),
        ("constant_unscaled_ordinal", Fill::Constant, Scaling::None, Encoding::Ordinal, None),
    ];
    for (name, numeric_fill, scaling, encoding, max_categories) in cases {
        let categorical_fill = if numeric_fill == Fill::Constant { Fill::Constant } else { Fill::Mode };
        let steps = fills(&table, numeric_fill, categorical_fill, (0.0, "unknown"));
        let prep = Prep { steps: steps.clone(), scaling, encoding, max_categories, order_by: None };
        let cleaned = clean(&table, &prep.steps, &split).unwrap();
        let recipe = Recipe::fit_with(
            &cleaned.table,
            "species",
            Task::Classification,
            &cleaned.split.train,
            &prep,
            cleaned.steps,
        )
        .unwrap();
        // The recipe applied to the raw test rows: its fitted fills clean them itself.
        let ours: Vec<f64> = recipe.encode_table(&table, &split.test).unwrap();
        let theirs: Vec<f64> = e["pipelines"][name]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap().clone())
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(ours.len(), theirs.len(), "{name}: width {} per row", recipe.width());
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            close(&format!("{name}: row {} input {}", i / recipe.width(), i % recipe.width()), *a, *b);
        }
    }
}

#[test]
fn train_versus_test_tests_equal_scipy() {
    let expected = expected();
    let e = &expected["penguins"];
    let table = penguins();
    let drift = compare(&table, &rows(&e["train"]), &rows(&e["test"]), Some("species"));
    assert_eq!(drift.len(), e["drift"].as_object().unwrap().len());
    for d in drift {
        let peer = &e["drift"][&d.column];
        let test = if d.test == DriftTest::KolmogorovSmirnov { "ks" } else { "chi_square" };
        assert_eq!(peer["test"], test);
        close(&format!("{} statistic", d.column), d.statistic, peer["statistic"].as_f64().unwrap());
        // statrs and scipy compute the exact KS p-value by different recursions.
        let (ours, theirs) = (d.p_value, peer["p_value"].as_f64().unwrap());
        assert!((ours - theirs).abs() < 1e-9, "{} p-value: Fornax {ours}, scipy {theirs}", d.column);
    }
}

#[test]
fn stratified_split_sizes_per_class_equal_train_test_split() {
    let expected = expected();
    let table = penguins();
    let species = table.column("species").unwrap();
    let classes = ["Adelie", "Chinstrap", "Gentoo"];
    let labels: Vec<usize> = (0..table.rows())
        .map(|r| classes.iter().position(|c| Some(*c) == species.text(r).as_deref()).unwrap())
        .collect();
    let split = split_rows(table.rows(), 0.0, 0.2, Some(&labels), 7);
    for (i, class) in classes.iter().enumerate() {
        let ours = split.test.iter().filter(|&&r| labels[r] == i).count() as u64;
        assert_eq!(Some(ours), expected["penguins"]["stratified_test_counts"][class].as_u64(), "{class}");
    }
}

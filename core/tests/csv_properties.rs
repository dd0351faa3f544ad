//! Properties of CSV import and the recipe over generated tables: whatever the cells,
//! parsing either fails with a located error or gives a rectangular table, and the
//! fitted recipe always encodes `rows x width` finite numbers.

use fornax_core::data::Table;
use fornax_core::recipe::Recipe;
use fornax_core::task::Task;
use proptest::prelude::*;

/// A cell: a number, a missing marker, or a short word (possibly with a comma or quote).
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1e6f64..1e6).prop_map(|x| format!("{x}")),
        Just(String::new()),
        Just("NA".to_string()),
        "[a-z ,\"]{1,6}",
    ]
}

fn write_csv(rows: &[Vec<String>], columns: usize) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    writer.write_record((0..columns).map(|i| format!("c{i}"))).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    writer.into_inner().unwrap()
}

proptest! {
    #[test]
    fn parsed_tables_are_rectangular(columns in 1usize..6, rows in prop::collection::vec(prop::collection::vec(cell(), 6), 1..40)) {
        let rows: Vec<Vec<String>> = rows.into_iter().map(|r| r[..columns].to_vec()).collect();
        let table = Table::from_csv_bytes(&write_csv(&rows, columns)).unwrap();
        prop_assert_eq!(table.rows(), rows.len());
        prop_assert_eq!(table.columns().len(), columns);
        for column in table.columns() {
            prop_assert_eq!(column.len(), rows.len());
        }
    }

    #[test]
    fn recipe_encodes_finite_rectangles(rows in prop::collection::vec(prop::collection::vec(cell(), 4), 4..40)) {
        let table = Table::from_csv_bytes(&write_csv(&rows, 4)).unwrap();
        let all: Vec<usize> = (0..table.rows()).collect();
        // Any column works as a classification target once it has two classes.
        if let Ok(recipe) = Recipe::fit(&table, "c3", Task::Classification, &all) {
            let x: Vec<f32> = recipe.encode_table(&table, &all).unwrap();
            prop_assert_eq!(x.len(), table.rows() * recipe.width());
            prop_assert!(x.iter().all(|v| v.is_finite()));
            // Applying the same recipe twice gives the same numbers.
            prop_assert_eq!(x, recipe.encode_table::<f32>(&table, &all).unwrap());
        }
    }

    /// Cleaning fitted on the training rows never reads the test rows (changing every
    /// test cell leaves the fitted steps as they were), and the parts always add up to
    /// the rows that are left.
    #[test]
    fn cleaning_fits_on_train_only_and_counts_add_up(
        rows in prop::collection::vec(prop::collection::vec(cell(), 3), 6..40),
        scrambled in prop::collection::vec(cell(), 3),
    ) {
        use fornax_core::data::clean::{Fill, OutlierAction, OutlierMethod};
        use fornax_core::data::{Split, Step, clean};
        let table = Table::from_csv_bytes(&write_csv(&rows, 3)).unwrap();
        let n = table.rows();
        let split = Split { train: (0..n / 2).collect(), valid: Vec::new(), test: (n / 2..n).collect() };
        let steps = vec![
            Step::FillMissing { column: "c0".into(), with: Fill::Mode, value: None },
            Step::Outliers { column: "c1".into(), method: OutlierMethod::Iqr, threshold: None, action: OutlierAction::Clip, bounds: None },
            Step::DropDuplicates,
            Step::DropMissing { columns: vec!["c2".into()] },
        ];
        let mut changed = rows.clone();
        for row in &mut changed[n / 2..] {
            row.clone_from(&scrambled);
        }
        let other = Table::from_csv_bytes(&write_csv(&changed, 3)).unwrap();
        // Same column types, or the steps mean different things.
        let kinds = |t: &Table| t.columns().iter().map(|c| c.kind()).collect::<Vec<_>>();
        if let (Ok(a), Ok(b)) = (clean(&table, &steps, &split), clean(&other, &steps, &split))
            && kinds(&table) == kinds(&other)
        {
            prop_assert_eq!(&a.steps[..2], &b.steps[..2]);
            prop_assert_eq!(a.split.train.len() + a.split.valid.len() + a.split.test.len(), a.table.rows());
            for r in &a.reports {
                prop_assert!(r.rows_after <= r.rows_before && r.missing_after <= r.missing_before);
            }
        }
    }

    /// Rows of any width under a 3-column header: cutting the ragged ones keeps every
    /// other row, and what is kept loads without a ragged-row error.
    #[test]
    fn ragged_rows_are_cut_and_the_rest_is_kept(
        rows in prop::collection::vec(prop::collection::vec(cell(), 1..5), 1..30),
    ) {
        use fornax_core::data::without_ragged_rows;
        let bytes = write_csv(&rows, 3);
        let whole = rows.iter().filter(|r| r.len() == 3).count();
        match without_ragged_rows(&bytes).unwrap() {
            None => prop_assert_eq!(whole, rows.len()),
            Some((kept, ragged)) => {
                prop_assert_eq!(ragged.count, rows.len() - whole);
                prop_assert!(without_ragged_rows(&kept).unwrap().is_none());
                match Table::from_csv_bytes(&kept) {
                    Ok(table) => prop_assert_eq!(table.rows(), whole),
                    Err(e) => prop_assert!(whole == 0, "{e}"),
                }
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Table::from_csv_bytes(&bytes);
        let _ = fornax_core::data::without_ragged_rows(&bytes);
    }
}

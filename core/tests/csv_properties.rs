//! Properties of CSV import and the recipe over generated tables: whatever the cells,
//! parsing either fails with a located error or gives a rectangular table, and the
//! fitted recipe always encodes `rows x width` finite numbers.

use fornax_core::data::Table;
use fornax_core::recipe::{Recipe, Task};
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
    let mut writer = csv::Writer::from_writer(Vec::new());
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
            let x = recipe.encode_table(&table, &all).unwrap();
            prop_assert_eq!(x.len(), table.rows() * recipe.width());
            prop_assert!(x.iter().all(|v| v.is_finite()));
            // Applying the same recipe twice gives the same numbers.
            prop_assert_eq!(x, recipe.encode_table(&table, &all).unwrap());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = Table::from_csv_bytes(&bytes);
    }
}

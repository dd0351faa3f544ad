//! Applying a fitted step to a whole table, carrying the split through dropped rows.

use super::step::{is_marker, numeric_markers};
use super::{OutlierAction, Step};
use crate::data::{Cell, Column, ColumnData, Split, Table, format_number, parse_number};
use crate::{Error, Result};

pub(super) fn apply(step: &Step, table: &mut Table, split: &mut Split) -> Result<()> {
    match step {
        Step::DropDuplicates => {
            let duplicates = crate::data::profile::duplicate_rows(table);
            let mut keep = vec![true; table.rows()];
            for r in duplicates {
                keep[r] = false;
            }
            keep_rows(table, split, &keep)
        }
        Step::DropColumns { columns } => {
            let kept: Vec<Column> = table.columns().iter().filter(|c| !columns.contains(&c.name)).cloned().collect();
            if kept.is_empty() {
                return Err(Error::InvalidConfig("dropping these columns would leave none".into()));
            }
            *table = Table::new(kept)?;
            Ok(())
        }
        Step::DropMissing { columns } => {
            let checked: Vec<&Column> =
                table.columns().iter().filter(|c| columns.is_empty() || columns.contains(&c.name)).collect();
            let keep: Vec<bool> =
                (0..table.rows()).map(|r| checked.iter().all(|c| c.cell(r) != Cell::Missing)).collect();
            keep_rows(table, split, &keep)
        }
        Step::FillMissing { column, .. } => {
            map_column(table, column, |name, data| match data {
                ColumnData::Numeric(v) => v.iter_mut().for_each(|x| {
                    if x.is_none()
                        && let Cell::Number(filled) = step.clean_cell(name, Cell::Missing)
                    {
                        *x = Some(filled);
                    }
                }),
                ColumnData::Categorical(v) => v.iter_mut().for_each(|x| {
                    if x.is_none()
                        && let Cell::Text(filled) = step.clean_cell(name, Cell::Missing)
                    {
                        *x = Some(filled.to_string());
                    }
                }),
            });
            Ok(())
        }
        Step::Outliers { column, action, bounds, .. } => {
            let [lo, hi] = bounds.expect("fitted before applied");
            match action {
                OutlierAction::Clip => {
                    map_column(table, column, |_, data| {
                        if let ColumnData::Numeric(v) = data {
                            v.iter_mut().flatten().for_each(|x| *x = x.clamp(lo, hi));
                        }
                    });
                    Ok(())
                }
                OutlierAction::Drop => {
                    let c = table.column(column)?;
                    let keep: Vec<bool> =
                        (0..table.rows()).map(|r| !matches!(c.cell(r), Cell::Number(x) if x < lo || x > hi)).collect();
                    keep_rows(table, split, &keep)
                }
            }
        }
        Step::AsCategory { column } => {
            map_column(table, column, |_, data| {
                if let ColumnData::Numeric(v) = data {
                    *data = ColumnData::Categorical(v.iter().map(|x| x.map(format_number)).collect());
                }
            });
            Ok(())
        }
        Step::AsNumber { column } => {
            map_column(table, column, |_, data| {
                if let ColumnData::Categorical(v) = data {
                    *data = numbers_of(v);
                }
            });
            Ok(())
        }
        Step::MissingMarkers { markers } => {
            let numbers: Vec<f64> = numeric_markers(markers).collect();
            for column in table.columns_mut() {
                match &mut column.data {
                    ColumnData::Numeric(v) => {
                        v.iter_mut().filter(|x| x.is_some_and(|x| numbers.contains(&x))).for_each(|x| *x = None)
                    }
                    ColumnData::Categorical(v) => {
                        v.iter_mut().filter(|x| x.as_deref().is_some_and(|t| is_marker(t, markers))).for_each(|x| {
                            *x = None;
                        });
                        let mut known = v.iter().flatten().peekable();
                        if known.peek().is_some() && known.all(|t| parse_number(t).is_some()) {
                            column.data = numbers_of(v);
                        }
                    }
                }
            }
            Ok(())
        }
    }
}

/// Text cells read as numbers; those that are not numbers become missing.
fn numbers_of(texts: &[Option<String>]) -> ColumnData {
    ColumnData::Numeric(texts.iter().map(|x| x.as_deref().and_then(parse_number)).collect())
}

/// Changes one column's values in place (same length).
fn map_column(table: &mut Table, name: &str, f: impl FnOnce(&str, &mut ColumnData)) {
    if let Some(c) = table.columns_mut().iter_mut().find(|c| c.name == name) {
        f(&c.name, &mut c.data);
    }
}

/// Keeps the rows where `keep` is true, renumbering the split's rows.
fn keep_rows(table: &mut Table, split: &mut Split, keep: &[bool]) -> Result<()> {
    let mut new_index = vec![usize::MAX; keep.len()];
    let mut next = 0;
    for (r, &k) in keep.iter().enumerate() {
        if k {
            new_index[r] = next;
            next += 1;
        }
    }
    if next == 0 {
        return Err(Error::InvalidConfig("this step would drop every row".into()));
    }
    let columns = table
        .columns()
        .iter()
        .map(|c| Column {
            name: c.name.clone(),
            data: match &c.data {
                ColumnData::Numeric(v) => ColumnData::Numeric(select(v, keep)),
                ColumnData::Categorical(v) => ColumnData::Categorical(select(v, keep)),
            },
        })
        .collect();
    *table = Table::new(columns)?;
    for part in [&mut split.train, &mut split.valid, &mut split.test] {
        *part = part.iter().filter(|&&r| keep[r]).map(|&r| new_index[r]).collect();
    }
    Ok(())
}

fn select<T: Clone>(values: &[T], keep: &[bool]) -> Vec<T> {
    values.iter().zip(keep).filter(|(_, k)| **k).map(|(v, _)| v.clone()).collect()
}

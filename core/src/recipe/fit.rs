//! Fitting a recipe on the training rows: each column's scale or categories, and the
//! target's classes or scale.

use std::collections::HashSet;

use super::{Feature, Recipe, TargetEncoding};
use crate::data::{Column, ColumnData, Encoding, Prep, Scaling, Step, Table, format_number};
use crate::limits::{MAX_CATEGORIES, MAX_CLASSES};
use crate::task::Task;
use crate::{Error, Result};

impl Recipe {
    /// Fits the default recipe (standardize, one-hot) on `train_rows` of `table`, using
    /// every column but the target.
    pub fn fit(table: &Table, target: &str, task: Task, train_rows: &[usize]) -> Result<Recipe> {
        Recipe::fit_with(table, target, task, train_rows, &Prep::default(), Vec::new())
    }

    /// Fits the recipe `prep` describes on `train_rows` of a table already cleaned by
    /// `steps` (fitted), which the recipe keeps to clean what it is later given.
    pub fn fit_with(
        table: &Table,
        target: &str,
        task: Task,
        train_rows: &[usize],
        prep: &Prep,
        steps: Vec<Step>,
    ) -> Result<Recipe> {
        prep.validate()?;
        let target_column = table.column(target)?;
        let features = table
            .columns()
            .iter()
            .filter(|c| c.name != target)
            .map(|c| fit_feature(c, train_rows, prep))
            .collect::<Result<Vec<_>>>()?;
        if features.is_empty() {
            return Err(Error::InvalidTarget(format!(
                "`{target}` is the only column: there is nothing to predict it from"
            )));
        }
        let target_encoding = match task {
            Task::Classification => {
                let classes = distinct_texts(target_column, train_rows);
                if classes.len() < 2 {
                    return Err(Error::InvalidTarget(format!(
                        "target `{target}` has only one class ({}): a classifier needs at least two",
                        classes.first().map_or("none".to_string(), |c| format!("`{c}`"))
                    )));
                }
                if classes.len() > MAX_CLASSES {
                    return Err(Error::Limit(format!(
                        "target `{target}` has {} classes; Fornax trains at most {MAX_CLASSES}: \
                         is it a numeric target that should be a regression?",
                        classes.len()
                    )));
                }
                TargetEncoding::Classes { classes }
            }
            Task::Regression => {
                let ColumnData::Numeric(values) = &target_column.data else {
                    return Err(Error::InvalidTarget(format!(
                        "target `{target}` holds text, so it cannot be a regression target; choose classification"
                    )));
                };
                let (mean, std) = mean_std(train_rows.iter().filter_map(|&r| values[r]));
                TargetEncoding::Standardize { mean, std }
            }
        };
        Ok(Recipe { steps, target: target.to_string(), task, features, target_encoding })
    }
}

fn fit_feature(column: &Column, train_rows: &[usize], prep: &Prep) -> Result<Feature> {
    let name = column.name.clone();
    Ok(match &column.data {
        ColumnData::Numeric(values) => {
            let known = train_rows.iter().filter_map(|&r| values[r]);
            let (mean, std) = mean_std(known.clone());
            match prep.scaling {
                Scaling::Standard => Feature::Standardize { name, mean, std },
                Scaling::MinMax => {
                    let min = known.clone().fold(f64::INFINITY, f64::min);
                    let max = known.fold(f64::NEG_INFINITY, f64::max);
                    let (min, max) = if min <= max { (min, max) } else { (0.0, 0.0) };
                    Feature::MinMax { name, min, max, mean }
                }
                Scaling::None => Feature::Unscaled { name, mean },
            }
        }
        ColumnData::Categorical(_) => {
            let categories = distinct_texts(column, train_rows);
            let capped = prep.encoding == Encoding::OneHot && prep.max_categories.is_some();
            if categories.len() > MAX_CATEGORIES && !capped {
                return Err(Error::Limit(format!(
                    "column `{}` has {} distinct values in the training rows (at most {MAX_CATEGORIES} are \
                     one-hot encoded): it looks like an identifier or free text; remove it from the CSV",
                    column.name,
                    categories.len()
                )));
            }
            match (prep.encoding, prep.max_categories) {
                (Encoding::Ordinal, _) => Feature::Ordinal { name, categories },
                (Encoding::OneHot, Some(cap)) if categories.len() > cap => Feature::OneHot {
                    name,
                    categories: most_frequent(column, train_rows, categories, cap - 1),
                    other: true,
                },
                (Encoding::OneHot, _) => Feature::OneHot { name, categories, other: false },
            }
        }
    })
}

/// The `keep` most frequent of sorted `categories` in `rows`, sorted. Equally frequent
/// ones are kept from the end of the sorted list, as scikit-learn's `max_categories`.
fn most_frequent(column: &Column, rows: &[usize], categories: Vec<String>, keep: usize) -> Vec<String> {
    let mut counts = vec![0usize; categories.len()];
    for text in rows.iter().filter_map(|&r| column.text(r)) {
        if let Ok(i) = categories.binary_search(&text) {
            counts[i] += 1;
        }
    }
    let mut order: Vec<usize> = (0..categories.len()).collect();
    // Stable: among equal counts the earlier categories are the rarer, as numpy's mergesort.
    order.sort_by_key(|&i| counts[i]);
    let mut kept: Vec<usize> = order[categories.len() - keep..].to_vec();
    kept.sort_unstable();
    kept.into_iter().map(|i| categories[i].clone()).collect()
}

/// Sorted distinct non-missing texts of `rows` (sorted so lookups can binary-search).
fn distinct_texts(column: &Column, rows: &[usize]) -> Vec<String> {
    let mut texts: Vec<String> = match &column.data {
        // Distinct first, then text: formatting every row's number would cost far more.
        ColumnData::Numeric(v) => {
            let distinct: HashSet<u64> = rows.iter().filter_map(|&r| v[r]).map(|x| (x + 0.0).to_bits()).collect();
            distinct.into_iter().map(|bits| format_number(f64::from_bits(bits))).collect()
        }
        ColumnData::Categorical(v) => {
            let distinct: HashSet<&str> = rows.iter().filter_map(|&r| v[r].as_deref()).collect();
            distinct.into_iter().map(str::to_string).collect()
        }
    };
    texts.sort_unstable();
    texts.dedup();
    texts
}

/// Mean and population standard deviation (StandardScaler semantics); a zero or
/// undefined spread becomes 1 so constant columns encode as 0 rather than NaN.
fn mean_std(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count();
    if n == 0 {
        return (0.0, 1.0);
    }
    let mean = values.clone().sum::<f64>() / n as f64;
    let var = values.map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
    let std = var.sqrt();
    (mean, if std > 1e-12 { std } else { 1.0 })
}

//! Fitting a step on the training rows: fill values and outlier bounds.

use std::collections::HashMap;

use super::{Fill, FillValue, OutlierMethod, Step};
use crate::data::profile::quantile;
use crate::data::{ColumnData, Table, format_number};
use crate::{Error, Result};

/// The step with its numbers computed from `train` rows, unless it has them already.
pub(super) fn fit(step: &Step, table: &Table, train: &[usize]) -> Result<Step> {
    let mut step = step.clone();
    match &mut step {
        Step::FillMissing { column, with, value } => {
            let data = &table.column(column)?.data;
            match (with, &value, data) {
                (Fill::Constant, None, _) => {
                    return Err(Error::InvalidConfig(format!("filling `{column}` with a constant needs its value")));
                }
                (Fill::Constant, Some(FillValue::Text(t)), ColumnData::Numeric(_)) => {
                    // A number typed as text in a JSON recipe is still a number.
                    let x = t.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                        Error::InvalidConfig(format!("`{column}` is numeric: fill it with a number, not `{t}`"))
                    })?;
                    *value = Some(FillValue::Number(x));
                }
                (Fill::Constant, Some(FillValue::Number(x)), ColumnData::Categorical(_)) => {
                    *value = Some(FillValue::Text(format_number(*x)));
                }
                // Fitted already, or a constant given as the column's type.
                (_, Some(_), _) => {}
                (Fill::Mean | Fill::Median, None, ColumnData::Categorical(_)) => {
                    return Err(Error::InvalidConfig(format!(
                        "`{column}` holds categories: fill it with the most frequent value or a constant"
                    )));
                }
                (Fill::Mean, None, ColumnData::Numeric(v)) => {
                    let known: Vec<f64> = train.iter().filter_map(|&r| v[r]).collect();
                    *value =
                        Some(FillValue::Number(nonempty(&known, column)?.iter().sum::<f64>() / known.len() as f64));
                }
                (Fill::Median, None, ColumnData::Numeric(v)) => {
                    let mut known: Vec<f64> = train.iter().filter_map(|&r| v[r]).collect();
                    known.sort_unstable_by(f64::total_cmp);
                    *value = Some(FillValue::Number(quantile(nonempty(&known, column)?, 0.5)));
                }
                (Fill::Mode, None, ColumnData::Numeric(v)) => {
                    let mut known: Vec<f64> = train.iter().filter_map(|&r| v[r]).collect();
                    known.sort_unstable_by(f64::total_cmp);
                    nonempty(&known, column)?;
                    *value = Some(FillValue::Number(*most_frequent(&known)));
                }
                (Fill::Mode, None, ColumnData::Categorical(v)) => {
                    let mut counts: HashMap<&str, usize> = HashMap::new();
                    for text in train.iter().filter_map(|&r| v[r].as_deref()) {
                        *counts.entry(text).or_default() += 1;
                    }
                    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
                    counts.sort_unstable();
                    nonempty(&counts, column)?;
                    // The first (smallest) of the most frequent.
                    let mode = counts.iter().fold(counts[0], |best, &c| if c.1 > best.1 { c } else { best });
                    *value = Some(FillValue::Text(mode.0.to_string()));
                }
            }
        }
        // Compared with trimmed cells, so trimmed too (a recipe written by hand may pad them).
        Step::MissingMarkers { markers } => markers.iter_mut().for_each(|m| *m = m.trim().to_string()),
        Step::Outliers { column, method, threshold, bounds, .. } if bounds.is_none() => {
            let ColumnData::Numeric(v) = &table.column(column)?.data else {
                return Err(Error::InvalidConfig(format!("`{column}` holds categories: it has no numeric outliers")));
            };
            let mut known: Vec<f64> = train.iter().filter_map(|&r| v[r]).collect();
            nonempty(&known, column)?;
            let k = threshold.unwrap_or(match method {
                OutlierMethod::Iqr => 1.5,
                OutlierMethod::Zscore => 3.0,
            });
            if !(k.is_finite() && k > 0.0) {
                return Err(Error::InvalidConfig(format!("the outlier threshold for `{column}` must be above 0")));
            }
            *threshold = Some(k);
            *bounds = Some(match method {
                OutlierMethod::Iqr => {
                    known.sort_unstable_by(f64::total_cmp);
                    let (q1, q3) = (quantile(&known, 0.25), quantile(&known, 0.75));
                    [q1 - k * (q3 - q1), q3 + k * (q3 - q1)]
                }
                OutlierMethod::Zscore => {
                    let n = known.len() as f64;
                    let mean = known.iter().sum::<f64>() / n;
                    let std = (known.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
                    [mean - k * std, mean + k * std]
                }
            });
        }
        _ => {}
    }
    Ok(step)
}

/// The most frequent of sorted values; the first (smallest) of equally frequent ones.
fn most_frequent<T: PartialEq>(sorted: &[T]) -> &T {
    let (mut best, mut best_count) = (&sorted[0], 0);
    for run in sorted.chunk_by(|a, b| a == b) {
        if run.len() > best_count {
            (best, best_count) = (&run[0], run.len());
        }
    }
    best
}

fn nonempty<'a, T>(values: &'a [T], column: &str) -> Result<&'a [T]> {
    if values.is_empty() {
        return Err(Error::InvalidConfig(format!("`{column}` has no values in the training rows to fit this step on")));
    }
    Ok(values)
}

//! The fitted preprocessing that travels with a model: the cleaning steps as fitted,
//! then numeric columns mean-filled and scaled (standardized by default), categorical
//! ones one-hot (or ordinal) encoded, the target label-encoded (or standardized for
//! regression). Fitted on the training rows only.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::data::{Cell, Column, ColumnData, ColumnKind, Encoding, Prep, Scaling, Step, Table, format_number};
use crate::limits::{MAX_CATEGORIES, MAX_CLASSES};
use crate::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Classification,
    Regression,
}

/// A numeric target with at most this many distinct integer values is taken as classes.
const MAX_INTEGER_CLASSES: usize = 20;

impl Task {
    /// Text targets are classes; integer targets with few values are classes; other
    /// numbers are a regression.
    pub fn infer(target: &Column) -> Task {
        match &target.data {
            ColumnData::Categorical(_) => Task::Classification,
            ColumnData::Numeric(values) => {
                let mut distinct: Vec<i64> = Vec::new();
                for x in values.iter().flatten() {
                    if x.fract() != 0.0 {
                        return Task::Regression;
                    }
                    if !distinct.contains(&(*x as i64)) {
                        distinct.push(*x as i64);
                        if distinct.len() > MAX_INTEGER_CLASSES {
                            return Task::Regression;
                        }
                    }
                }
                Task::Classification
            }
        }
    }

    pub fn parse(text: &str) -> Result<Task> {
        match text {
            "classification" => Ok(Task::Classification),
            "regression" => Ok(Task::Regression),
            other => Err(Error::InvalidConfig(format!("unknown task `{other}`: use `classification` or `regression`"))),
        }
    }
}

/// How one input column becomes model inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Feature {
    /// Missing -> the training mean; then `(x - mean) / std` (population std; 1 when zero).
    Standardize { name: String, mean: f64, std: f64 },
    /// Missing -> the training mean; then `(x - min) / (max - min)` (`x - min` when
    /// every training value is the same, as scikit-learn's MinMaxScaler).
    MinMax { name: String, min: f64, max: f64, mean: f64 },
    /// Missing -> the training mean; otherwise the value as it is.
    Unscaled { name: String, mean: f64 },
    /// One input per known category; missing or unseen categories give all zeros. With
    /// `other`, one more input, last, for the categories too rare to keep and for
    /// unseen ones (scikit-learn's `max_categories`).
    OneHot {
        name: String,
        categories: Vec<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        other: bool,
    },
    /// One input: the category's index in `categories`; -1 when missing or unseen.
    Ordinal { name: String, categories: Vec<String> },
}

impl Feature {
    pub fn name(&self) -> &str {
        match self {
            Feature::Standardize { name, .. }
            | Feature::MinMax { name, .. }
            | Feature::Unscaled { name, .. }
            | Feature::OneHot { name, .. }
            | Feature::Ordinal { name, .. } => name,
        }
    }

    /// How many model inputs the feature becomes.
    pub fn width(&self) -> usize {
        match self {
            Feature::OneHot { categories, other, .. } => categories.len() + usize::from(*other),
            _ => 1,
        }
    }

    /// Writes the inputs for one (cleaned) cell into `out`, which is [`Feature::width`]
    /// long and zeroed; `Err((message, error type))` when the cell cannot be encoded.
    fn encode<T: Scalar>(&self, cell: Cell<'_>, out: &mut [T]) -> std::result::Result<(), (String, &'static str)> {
        let (fill, offset, scale) = match self {
            Feature::Standardize { mean, std, .. } => (*mean, *mean, *std),
            Feature::MinMax { min, max, mean, .. } => (*mean, *min, if max > min { max - min } else { 1.0 }),
            Feature::Unscaled { mean, .. } => (*mean, 0.0, 1.0),
            Feature::OneHot { categories, other, .. } => {
                match category_index(categories, cell) {
                    Some(Ok(i)) => out[i] = T::from_f64(1.0),
                    // Rare and unseen categories go to "other"; without it they encode
                    // as all zeros, like a missing value.
                    Some(Err(())) if *other => out[categories.len()] = T::from_f64(1.0),
                    _ => {}
                }
                return Ok(());
            }
            Feature::Ordinal { categories, .. } => {
                out[0] = T::from_f64(match category_index(categories, cell) {
                    Some(Ok(i)) => i as f64,
                    _ => -1.0,
                });
                return Ok(());
            }
        };
        match cell {
            Cell::Missing => out[0] = T::from_f64((fill - offset) / scale),
            Cell::Number(x) => {
                let scaled = T::from_f64((x - offset) / scale);
                if !scaled.is_finite() {
                    return Err((
                        format!("input should be a finite number within the training range, got {x}"),
                        "finite_number",
                    ));
                }
                out[0] = scaled;
            }
            Cell::Text(t) => {
                return Err((format!("input should be a number, got `{}`", truncate(t)), "float_parsing"));
            }
        }
        Ok(())
    }
}

/// Where a cell falls among sorted categories: `None` when missing, `Err` when unseen.
fn category_index(categories: &[String], cell: Cell<'_>) -> Option<std::result::Result<usize, ()>> {
    let found = match cell {
        Cell::Missing => return None,
        Cell::Number(x) => categories.binary_search(&format_number(x)),
        Cell::Text(t) => categories.binary_search_by(|c| c.as_str().cmp(t)),
    };
    Some(found.map_err(|_| ()))
}

/// How the target becomes the training label, and back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetEncoding {
    Classes { classes: Vec<String> },
    Standardize { mean: f64, std: f64 },
}

impl TargetEncoding {
    /// A regression model's standardized output back in the target's own units;
    /// `None` for classes, which are not a scale.
    pub fn unscale(&self, output: f32) -> Option<f64> {
        match self {
            TargetEncoding::Standardize { mean, std } => Some(output as f64 * std + mean),
            TargetEncoding::Classes { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    /// The cleaning steps as fitted: fills and clips apply to every row predicted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    pub target: String,
    pub task: Task,
    pub features: Vec<Feature>,
    pub target_encoding: TargetEncoding,
}

/// Labels ready for training: class ids or standardized values.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    Classes(Vec<i64>),
    Values(Vec<f32>),
}

/// One input column as a client must send it (published with each served model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputField {
    pub name: String,
    pub kind: ColumnKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
}

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

    /// Checks a recipe that came from outside (a bundle, a JSON file) is one that
    /// [`Recipe::fit`] could have made, so applying it can neither divide by zero nor
    /// look categories up in an unsorted list.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidConfig(format!("the recipe is not valid: {msg}")));
        if self.features.is_empty() {
            return bad("it has no features".into());
        }
        let scale_ok = |mean: f64, std: f64| mean.is_finite() && std.is_finite() && std > 0.0;
        let mut names: Vec<&str> = Vec::with_capacity(self.features.len());
        for feature in &self.features {
            let name = match feature {
                Feature::Standardize { name, mean, std } => {
                    if !scale_ok(*mean, *std) {
                        return bad(format!("feature `{name}` has mean {mean} and std {std}"));
                    }
                    name
                }
                Feature::MinMax { name, min, max, mean } => {
                    if ![min, max, mean].iter().all(|x| x.is_finite()) || min > max {
                        return bad(format!("feature `{name}` has min {min}, max {max} and mean {mean}"));
                    }
                    name
                }
                Feature::Unscaled { name, mean } => {
                    if !mean.is_finite() {
                        return bad(format!("feature `{name}` has mean {mean}"));
                    }
                    name
                }
                Feature::OneHot { name, categories, .. } | Feature::Ordinal { name, categories } => {
                    if categories.len() > MAX_CATEGORIES || !strictly_sorted(categories) {
                        return bad(format!(
                            "feature `{name}` needs at most {MAX_CATEGORIES} sorted, distinct categories"
                        ));
                    }
                    name
                }
            };
            if name.is_empty() || *name == self.target || names.contains(&name.as_str()) {
                return bad(format!("feature name `{name}` is empty, the target, or repeated"));
            }
            names.push(name);
        }
        for step in &self.steps {
            let unfitted = match step {
                Step::FillMissing { value, .. } => value.is_none(),
                Step::Outliers { bounds, .. } => {
                    bounds.is_none_or(|[lo, hi]| !(lo.is_finite() && hi.is_finite() && lo <= hi))
                }
                _ => false,
            };
            if unfitted {
                return bad(format!("its step \"{}\" was never fitted", step.label()));
            }
        }
        match (&self.task, &self.target_encoding) {
            (Task::Classification, TargetEncoding::Classes { classes }) => {
                if classes.len() < 2 || classes.len() > MAX_CLASSES || !strictly_sorted(classes) {
                    return bad(format!("a classifier needs 2 to {MAX_CLASSES} sorted, distinct classes"));
                }
            }
            (Task::Regression, TargetEncoding::Standardize { mean, std }) => {
                if !scale_ok(*mean, *std) {
                    return bad(format!("the target has mean {mean} and std {std}"));
                }
            }
            _ => return bad("its task and its target encoding disagree".into()),
        }
        Ok(())
    }

    /// Number of model inputs this recipe produces per row.
    pub fn width(&self) -> usize {
        self.features.iter().map(Feature::width).sum()
    }

    /// Number of model outputs: one per class, or one value.
    pub fn outputs(&self) -> usize {
        match &self.target_encoding {
            TargetEncoding::Classes { classes } => classes.len(),
            TargetEncoding::Standardize { .. } => 1,
        }
    }

    pub fn schema(&self) -> Vec<InputField> {
        self.features
            .iter()
            .map(|f| match f {
                Feature::Standardize { name, .. } | Feature::MinMax { name, .. } | Feature::Unscaled { name, .. } => {
                    InputField { name: name.clone(), kind: ColumnKind::Numeric, categories: None }
                }
                Feature::OneHot { name, categories, .. } | Feature::Ordinal { name, categories } => InputField {
                    name: name.clone(),
                    kind: ColumnKind::Categorical,
                    categories: Some(categories.clone()),
                },
            })
            .collect()
    }

    /// A typical input row: each numeric column at its training mean, each categorical
    /// one at its first category. A served model answers it before it goes live, and
    /// the docs and the deploy page show it as the example request.
    pub fn example_row(&self) -> serde_json::Map<String, serde_json::Value> {
        self.features
            .iter()
            .map(|f| match f {
                Feature::Standardize { name, mean, .. }
                | Feature::MinMax { name, mean, .. }
                | Feature::Unscaled { name, mean } => (name.clone(), serde_json::Value::from(*mean)),
                Feature::OneHot { name, categories, .. } | Feature::Ordinal { name, categories } => {
                    (name.clone(), categories.first().map_or(serde_json::Value::Null, |c| c.clone().into()))
                }
            })
            .collect()
    }

    /// Encodes one row; `cell(name)` gives the row's value for a column, `None` when the
    /// column is absent. Appends to `out`. Errors are `(column, message, type)`.
    pub fn encode_row<'a, T: Scalar>(
        &'a self,
        cell: impl Fn(&str) -> Option<Cell<'a>>,
        out: &mut Vec<T>,
    ) -> std::result::Result<(), Vec<(String, String, &'static str)>> {
        // The fitted cleaning first: fills and clips, in the order they were added.
        let cell = |name: &str| cell(name).map(|c| self.steps.iter().fold(c, |c, step| step.clean_cell(name, c)));
        let mut errors = Vec::new();
        for feature in &self.features {
            let start = out.len();
            out.resize(start + feature.width(), T::from_f64(0.0));
            match cell(feature.name()) {
                None => errors.push((feature.name().to_string(), "field required".into(), "missing")),
                Some(c) => {
                    if let Err((msg, kind)) = feature.encode(c, &mut out[start..]) {
                        errors.push((feature.name().to_string(), msg, kind));
                    }
                }
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Encodes `rows` of a table into a row-major `rows x width` matrix. Errors name the
    /// CSV line (row index + 2: one for the header, one because lines count from 1).
    /// Each feature's column and cleaning steps are looked up once, not per row.
    pub fn encode_table<T: Scalar>(&self, table: &Table, rows: &[usize]) -> Result<Vec<T>> {
        let width = self.width();
        let mut out = vec![T::from_f64(0.0); rows.len() * width];
        let mut plan = Vec::with_capacity(self.features.len());
        let mut offset = 0;
        for feature in &self.features {
            let name = feature.name();
            let steps: Vec<&Step> = self.steps.iter().filter(|s| s.touches(name)).collect();
            plan.push((feature, table.column(name)?, steps, offset));
            offset += feature.width();
        }
        for (i, &row) in rows.iter().enumerate() {
            let out_row = &mut out[i * width..(i + 1) * width];
            for (feature, column, steps, offset) in &plan {
                let cell = steps.iter().fold(column.cell(row), |c, step| step.clean_cell(&column.name, c));
                if let Err((msg, _)) = feature.encode(cell, &mut out_row[*offset..*offset + feature.width()]) {
                    let msg = format!("column `{}`: {msg}", column.name);
                    return Err(Error::Csv { line: row as u64 + 2, msg });
                }
            }
        }
        Ok(out)
    }

    /// The training labels of `rows`; rows must have a target value.
    pub fn encode_targets(&self, table: &Table, rows: &[usize]) -> Result<Targets> {
        let column = table.column(&self.target)?;
        match &self.target_encoding {
            TargetEncoding::Classes { classes } => rows
                .iter()
                .map(|&r| {
                    let text = column.text(r).unwrap_or_default();
                    classes.binary_search(&text).map(|i| i as i64).map_err(|_| {
                        Error::InvalidTarget(format!(
                            "line {}: class `{text}` of `{}` was not in the training rows",
                            r + 2,
                            self.target
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()
                .map(Targets::Classes),
            TargetEncoding::Standardize { mean, std } => rows
                .iter()
                .map(|&r| match column.cell(r) {
                    Cell::Number(x) => Ok(((x - mean) / std) as f32),
                    _ => Err(Error::InvalidTarget(format!("line {}: target `{}` is not a number", r + 2, self.target))),
                })
                .collect::<Result<Vec<_>>>()
                .map(Targets::Values),
        }
    }
}

/// What encoded rows are made of: f32 for models, f64 to check against other tools.
pub trait Scalar: Copy {
    fn from_f64(x: f64) -> Self;
    fn is_finite(self) -> bool;
}

impl Scalar for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}

impl Scalar for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
    fn is_finite(self) -> bool {
        f64::is_finite(self)
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

fn strictly_sorted(values: &[String]) -> bool {
    values.windows(2).all(|w| w[0] < w[1])
}

fn truncate(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table::from_csv_bytes(b"x,color,y\n1,red,a\n3,blue,b\n,red,a\n5,green,b\n").unwrap()
    }

    #[test]
    fn fit_uses_training_rows_only() {
        let recipe = Recipe::fit(&table(), "y", Task::Classification, &[0, 1, 2]).unwrap();
        assert_eq!(recipe.features[0], Feature::Standardize { name: "x".into(), mean: 2.0, std: 1.0 });
        assert_eq!(
            recipe.features[1],
            Feature::OneHot { name: "color".into(), categories: vec!["blue".into(), "red".into()], other: false }
        );
        assert_eq!(recipe.width(), 3);
        assert_eq!(recipe.outputs(), 2);
    }

    #[test]
    fn apply_fills_missing_and_ignores_unseen_categories() {
        let t = table();
        let recipe = Recipe::fit(&t, "y", Task::Classification, &[0, 1, 2]).unwrap();
        let x: Vec<f32> = recipe.encode_table(&t, &[2, 3]).unwrap();
        // row 2: x missing -> mean -> 0; red. row 3: x=5 -> 3; green unseen -> zeros.
        assert_eq!(x, vec![0.0, 0.0, 1.0, 3.0, 0.0, 0.0]);
        assert_eq!(recipe.encode_targets(&t, &[0, 1]).unwrap(), Targets::Classes(vec![0, 1]));
    }

    #[test]
    fn recipe_round_trips_through_json() {
        let recipe = Recipe::fit(&table(), "x", Task::Regression, &[0, 1, 3]).unwrap();
        let json = serde_json::to_string(&recipe).unwrap();
        assert_eq!(serde_json::from_str::<Recipe>(&json).unwrap(), recipe);
    }

    #[test]
    fn single_class_target_is_refused() {
        let err = Recipe::fit(&table(), "y", Task::Classification, &[0, 2]).unwrap_err();
        assert!(err.to_string().contains("only one class (`a`)"), "{err}");
    }

    #[test]
    fn wrong_type_names_the_column() {
        let recipe = Recipe::fit(&table(), "y", Task::Classification, &[0, 1]).unwrap();
        let mut out = Vec::<f32>::new();
        let errors = recipe
            .encode_row(|name| Some(if name == "x" { Cell::Text("old") } else { Cell::Missing }), &mut out)
            .unwrap_err();
        assert_eq!(errors[0].0, "x");
        assert_eq!(errors[0].2, "float_parsing");
    }

    #[test]
    fn small_integer_targets_are_classes() {
        let t = Table::from_csv_bytes(b"a,b\n1,0.5\n2,1.5\n1,2\n").unwrap();
        assert_eq!(Task::infer(&t.columns()[0]), Task::Classification);
        assert_eq!(Task::infer(&t.columns()[1]), Task::Regression);
    }
}

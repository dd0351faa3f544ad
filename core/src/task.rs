//! What a model predicts: a class or a number.

use serde::{Deserialize, Serialize};

use crate::data::{Column, ColumnData};
use crate::{Error, Result};

/// What a model is trained to predict, chosen from (or inferred from) the target column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Predict one of a set of classes.
    Classification,
    /// Predict a number.
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

    /// The task a name (`classification` or `regression`) stands for.
    pub fn parse(text: &str) -> Result<Task> {
        match text {
            "classification" => Ok(Task::Classification),
            "regression" => Ok(Task::Regression),
            other => Err(Error::InvalidConfig(format!("unknown task `{other}`: use `classification` or `regression`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Table;

    #[test]
    fn small_integer_targets_are_classes() {
        let t = Table::from_csv_bytes(b"a,b\n1,0.5\n2,1.5\n1,2\n").unwrap();
        assert_eq!(Task::infer(&t.columns()[0]), Task::Classification);
        assert_eq!(Task::infer(&t.columns()[1]), Task::Regression);
    }
}

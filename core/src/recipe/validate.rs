//! Checking a recipe that came from outside before anything applies it.

use super::{Feature, Recipe, TargetEncoding};
use crate::data::Step;
use crate::limits::{MAX_CATEGORIES, MAX_CLASSES};
use crate::task::Task;
use crate::{Error, Result};

impl Recipe {
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
}

fn strictly_sorted(values: &[String]) -> bool {
    values.windows(2).all(|w| w[0] < w[1])
}

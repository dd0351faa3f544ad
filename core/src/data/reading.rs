//! How columns are read, as the studio's column table sets it: extra missing markers,
//! a type per column, and columns to ignore. Each is a step at the head of the plan,
//! before any cleaning, so it is kept in the recipe and replayed like the others.

use super::{ColumnKind, Prep, Step};

impl Prep {
    /// The extra texts read as missing.
    pub fn missing_markers(&self) -> Vec<String> {
        self.steps
            .iter()
            .find_map(|s| match s {
                Step::MissingMarkers { markers } => Some(markers.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Reads `markers` (trimmed; empty ones dropped) as missing, first of all steps.
    pub fn set_missing_markers(&mut self, markers: &[String]) {
        self.steps.retain(|s| !matches!(s, Step::MissingMarkers { .. }));
        let markers: Vec<String> = markers.iter().map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).collect();
        if !markers.is_empty() {
            self.steps.insert(0, Step::MissingMarkers { markers });
        }
    }

    /// The type the user chose for `column`, if any.
    pub fn type_override(&self, column: &str) -> Option<ColumnKind> {
        self.steps.iter().find_map(|s| match s {
            Step::AsCategory { column: c } if c == column => Some(ColumnKind::Categorical),
            Step::AsNumber { column: c } if c == column => Some(ColumnKind::Numeric),
            _ => None,
        })
    }

    /// Reads `column` as `kind`; `imported` is how the file itself reads it. The step
    /// is left out when it would change nothing (no missing markers can change the
    /// column's type first).
    pub fn set_type(&mut self, column: &str, kind: ColumnKind, imported: ColumnKind) {
        self.steps
            .retain(|s| !matches!(s, Step::AsCategory { column: c } | Step::AsNumber { column: c } if c == column));
        if kind == imported && self.missing_markers().is_empty() {
            return;
        }
        let column = column.to_string();
        self.insert_reading(match kind {
            ColumnKind::Numeric => Step::AsNumber { column },
            ColumnKind::Categorical => Step::AsCategory { column },
        });
    }

    /// Whether a [`Step::DropColumns`] leaves `column` out (its role is "ignore").
    pub fn is_ignored(&self, column: &str) -> bool {
        self.steps.iter().any(|s| matches!(s, Step::DropColumns { columns } if columns.iter().any(|c| c == column)))
    }

    /// Leaves `column` out of the data (its role is "ignore"), or brings it back.
    pub fn set_ignored(&mut self, column: &str, ignored: bool) {
        for step in &mut self.steps {
            if let Step::DropColumns { columns } = step {
                columns.retain(|c| c != column);
            }
        }
        self.steps.retain(|s| !matches!(s, Step::DropColumns { columns } if columns.is_empty()));
        if ignored {
            self.insert_reading(Step::DropColumns { columns: vec![column.to_string()] });
        }
    }

    /// Adds a step after the reading steps at the head of the plan, before cleaning.
    fn insert_reading(&mut self, step: Step) {
        let at = self
            .steps
            .iter()
            .take_while(|s| {
                matches!(
                    s,
                    Step::MissingMarkers { .. }
                        | Step::AsCategory { .. }
                        | Step::AsNumber { .. }
                        | Step::DropColumns { .. }
                )
            })
            .count();
        self.steps.insert(at, step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::clean::Fill;

    #[test]
    fn reading_steps_stay_ahead_of_cleaning_and_undo_cleanly() {
        let mut prep = Prep::default();
        prep.steps.push(Step::FillMissing { column: "a".into(), with: Fill::Mean, value: None });
        prep.set_ignored("id", true);
        prep.set_type("zip", ColumnKind::Categorical, ColumnKind::Numeric);
        prep.set_missing_markers(&[" -999 ".into(), "".into()]);
        let labels: Vec<String> = prep.steps.iter().map(Step::label).collect();
        assert_eq!(
            labels,
            [
                "read `-999` as missing",
                "drop column `id`",
                "read `zip` as categories",
                "fill missing `a` with the mean"
            ]
        );
        assert!(prep.is_ignored("id"));
        assert_eq!(prep.type_override("zip"), Some(ColumnKind::Categorical));
        assert_eq!(prep.missing_markers(), ["-999"]);
        prep.set_ignored("id", false);
        prep.set_missing_markers(&[]);
        // Back to how the file reads it: no step, as there are no markers now.
        prep.set_type("zip", ColumnKind::Numeric, ColumnKind::Numeric);
        assert_eq!(prep.steps, [Step::FillMissing { column: "a".into(), with: Fill::Mean, value: None }]);
    }
}

//! The index of a row's largest value: the class a model predicts.

/// Index of the largest value (the first one on ties): the predicted class.
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

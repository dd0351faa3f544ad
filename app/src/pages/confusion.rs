//! The confusion matrix, drawn as a table whose cells darken with their share of the
//! true class, and the per-class scores beside it.

use fornax_core::metrics::ClassScore;
use leptos::prelude::*;

#[component]
pub fn ConfusionMatrix(
    /// `confusion[true][predicted]` counts.
    confusion: Vec<Vec<u64>>,
    /// Per-class scores, in the same class order (their labels name the rows).
    per_class: Vec<ClassScore>,
) -> impl IntoView {
    let labels: Vec<String> = per_class.iter().map(|c| c.label.clone()).collect();
    view! {
        <div class="confusion-wrap">
            <table class="confusion" data-testid="confusion-matrix">
                <caption>"Rows: true class · columns: predicted class"</caption>
                <thead>
                    <tr><th></th>{labels.iter().map(|l| view! { <th>{l.clone()}</th> }).collect::<Vec<_>>()}</tr>
                </thead>
                <tbody>
                    {confusion.iter().zip(&labels).enumerate().map(|(t, (row, label))| {
                        let total = row.iter().sum::<u64>().max(1) as f64;
                        view! {
                            <tr>
                                <th>{label.clone()}</th>
                                {row.iter().enumerate().map(|(p, &n)| {
                                    let share = n as f64 / total;
                                    let (hue, light) = if t == p { (160, 96.0 - 50.0 * share) } else { (8, 98.0 - 40.0 * share) };
                                    let style = format!("background: hsl({hue} 55% {light:.0}%)");
                                    view! { <td class="num" style=style>{n}</td> }
                                }).collect::<Vec<_>>()}
                            </tr>
                        }
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
            <table class="per-class" data-testid="per-class">
                <thead><tr><th>"Class"</th><th>"Precision"</th><th>"Recall"</th><th>"F1"</th><th>"Rows"</th></tr></thead>
                <tbody>
                    {per_class.into_iter().map(|c| view! {
                        <tr>
                            <td>{c.label}</td>
                            <td class="num">{format!("{:.3}", c.precision)}</td>
                            <td class="num">{format!("{:.3}", c.recall)}</td>
                            <td class="num">{format!("{:.3}", c.f1)}</td>
                            <td class="num">{c.support}</td>
                        </tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
        </div>
    }
}

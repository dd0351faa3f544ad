//! The learning-rate curve: the schedule's plan before training, and the rates the run
//! actually used (reduce-on-plateau decides as it goes) drawn over it.

use fornax_core::train::EpochReport;
use leptos::prelude::*;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 110.0;
const PAD: f64 = 28.0;

#[component]
pub fn LrCurve(
    /// The planned rate of every epoch.
    planned: Signal<Vec<f64>>,
    /// Epochs trained so far (their `learning_rate`), if any.
    #[prop(optional)]
    used: Option<Signal<Vec<EpochReport>>>,
) -> impl IntoView {
    let scale = move || {
        let plan = planned.get();
        let top = plan.iter().copied().fold(1e-12, f64::max);
        (plan.len().max(1) as f64, top)
    };
    let line = move |values: Vec<(usize, f64)>| {
        let (epochs, top) = scale();
        values
            .into_iter()
            .map(|(epoch, lr)| {
                let x = PAD + (epoch as f64 / epochs) * (WIDTH - 2.0 * PAD);
                let y = HEIGHT - PAD - (lr / top).min(1.0) * (HEIGHT - 2.0 * PAD);
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let plan_points = move || line(planned.get().into_iter().enumerate().map(|(e, lr)| (e + 1, lr)).collect());
    let used_points =
        move || used.map(|u| line(u.get().iter().map(|r| (r.epoch, r.learning_rate)).collect())).unwrap_or_default();
    view! {
        <svg class="curve lr" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label="learning rate per epoch" data-testid="lr-curve">
            <line x1=PAD y1=HEIGHT - PAD x2=WIDTH - PAD y2=HEIGHT - PAD class="axis"/>
            <line x1=PAD y1=PAD x2=PAD y2=HEIGHT - PAD class="axis"/>
            <text x=PAD - 4.0 y=PAD + 4.0 class="tick" text-anchor="end">{move || format!("{:.0e}", scale().1)}</text>
            <text x=PAD - 4.0 y=HEIGHT - PAD class="tick" text-anchor="end">"0"</text>
            <text x=WIDTH - PAD y=HEIGHT - 8.0 class="tick" text-anchor="end">{move || format!("epoch {}", scale().0)}</text>
            <polyline class="planned" points=plan_points/>
            <polyline class="used" points=used_points/>
        </svg>
    }
}

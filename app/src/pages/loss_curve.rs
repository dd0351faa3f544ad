//! The live loss curve: training and validation loss per epoch, as SVG.

use fornax_core::train::EpochReport;
use leptos::prelude::*;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 180.0;
const PAD: f64 = 28.0;

/// Draws the epochs of one model; the y axis starts at 0 and ends at the largest loss.
#[component]
pub fn LossCurve(
    /// Epoch reports of the model to draw, in order.
    epochs: Signal<Vec<EpochReport>>,
) -> impl IntoView {
    let scale = move || {
        epochs.with(|e| {
            let max_epoch = e.last().map_or(1, |r| r.epochs.max(1)) as f64;
            let max_loss = e.iter().flat_map(|r| [r.train_loss, r.valid_loss]).fold(1e-9, f64::max);
            (max_epoch, max_loss)
        })
    };
    let points = move |pick: fn(&EpochReport) -> f64| {
        let (max_epoch, max_loss) = scale();
        epochs.with(|e| {
            e.iter()
                .map(|r| {
                    let x = PAD + (r.epoch as f64 / max_epoch) * (WIDTH - 2.0 * PAD);
                    let y = HEIGHT - PAD - (pick(r) / max_loss) * (HEIGHT - 2.0 * PAD);
                    format!("{x:.1},{y:.1}")
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
    };
    view! {
        <svg class="curve" viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label="training and validation loss per epoch">
            <line x1=PAD y1=HEIGHT - PAD x2=WIDTH - PAD y2=HEIGHT - PAD class="axis"/>
            <line x1=PAD y1=PAD x2=PAD y2=HEIGHT - PAD class="axis"/>
            <text x=PAD - 4.0 y=PAD + 4.0 class="tick" text-anchor="end">{move || format!("{:.2}", scale().1)}</text>
            <text x=PAD - 4.0 y=HEIGHT - PAD class="tick" text-anchor="end">"0"</text>
            <text x=WIDTH - PAD y=HEIGHT - 8.0 class="tick" text-anchor="end">{move || format!("epoch {}", scale().0)}</text>
            <polyline class="train" points=move || points(|r| r.train_loss)/>
            <polyline class="valid" points=move || points(|r| r.valid_loss)/>
            <text x=WIDTH - PAD y=PAD class="legend train-text" text-anchor="end">"training loss"</text>
            <text x=WIDTH - PAD y=PAD + 14.0 class="legend valid-text" text-anchor="end">"validation loss"</text>
        </svg>
    }
}

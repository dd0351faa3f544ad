//! Predicted against actual values on the test rows; points on the diagonal are exact.

use leptos::prelude::*;

const SIZE: f64 = 260.0;
const PAD: f64 = 30.0;

#[component]
pub fn PredictedVsActual(
    /// `[actual, predicted]` pairs.
    points: Vec<[f64; 2]>,
) -> impl IntoView {
    let lo = points.iter().flatten().copied().fold(f64::INFINITY, f64::min);
    let hi = points.iter().flatten().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = (hi - lo).max(1e-12);
    let at = move |v: f64| PAD + (v - lo) / span * (SIZE - 2.0 * PAD);
    view! {
        <svg class="scatter" viewBox=format!("0 0 {SIZE} {SIZE}") role="img" aria-label="predicted against actual values" data-testid="predicted-vs-actual">
            <line x1=PAD y1=SIZE - PAD x2=SIZE - PAD y2=SIZE - PAD class="axis"/>
            <line x1=PAD y1=PAD x2=PAD y2=SIZE - PAD class="axis"/>
            <line x1=PAD y1=SIZE - PAD x2=SIZE - PAD y2=PAD class="diagonal"/>
            {points.iter().map(|&[actual, predicted]| view! {
                <circle cx=format!("{:.1}", at(actual)) cy=format!("{:.1}", SIZE - at(predicted)) r="2.5"/>
            }).collect::<Vec<_>>()}
            <text x=SIZE / 2.0 y=SIZE - 6.0 class="tick" text-anchor="middle">"actual"</text>
            <text x=10.0 y=SIZE / 2.0 class="tick" text-anchor="middle" transform=format!("rotate(-90 10 {})", SIZE / 2.0)>"predicted"</text>
            <text x=PAD y=SIZE - PAD + 12.0 class="tick">{format!("{lo:.3}")}</text>
            <text x=SIZE - PAD y=SIZE - PAD + 12.0 class="tick" text-anchor="end">{format!("{hi:.3}")}</text>
        </svg>
    }
}

//! Small SVG bar charts, drawn by us: a column's histogram or its top categories, and
//! two distributions over the same bins, one over the other.

use leptos::prelude::*;

const WIDTH: f64 = 160.0;
const HEIGHT: f64 = 36.0;

/// Bars of `values` (any scale), `title` on hover.
#[component]
pub fn Bars(values: Vec<f64>, title: String) -> impl IntoView {
    let max = values.iter().copied().fold(0.0, f64::max).max(1e-12);
    let step = WIDTH / values.len().max(1) as f64;
    let bars = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = (v / max * HEIGHT).max(if *v > 0.0 { 1.0 } else { 0.0 });
            view! { <rect x=i as f64 * step y=HEIGHT - h width=(step - 1.0).max(1.0) height=h/> }
        })
        .collect::<Vec<_>>();
    view! {
        <svg class="bars" data-testid="histogram" viewBox=format!("0 0 {WIDTH} {HEIGHT}") width=WIDTH height=HEIGHT>
            <title>{title}</title>
            {bars}
        </svg>
    }
}

/// Two distributions (fractions over the same bins): train filled, test outlined.
#[component]
pub fn Overlay(first: Vec<f64>, second: Vec<f64>, labels: Vec<String>) -> impl IntoView {
    let (w, h) = (320.0, 80.0);
    let max = first.iter().chain(&second).copied().fold(0.0, f64::max).max(1e-12);
    let step = w / first.len().max(1) as f64;
    let rects = |values: &[f64], class: &'static str| {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let bh = v / max * h;
                view! { <rect class=class x=i as f64 * step y=h - bh width=(step - 1.0).max(1.0) height=bh/> }
            })
            .collect::<Vec<_>>()
    };
    let (train, test) = (rects(&first, "train"), rects(&second, "test"));
    let range = match (labels.first(), labels.last()) {
        (Some(a), Some(b)) => format!("{a} ... {b}"),
        _ => String::new(),
    };
    view! {
        <figure class="overlay" data-testid="drift-overlay">
            <svg viewBox=format!("0 0 {w} {h}") width=w height=h>{train}{test}</svg>
            <figcaption class="muted">
                <span class="key train"></span>"train "<span class="key test"></span>"test · "{range}
            </figcaption>
        </figure>
    }
}

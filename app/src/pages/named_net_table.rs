//! A named network's blocks as they will be built (a ResNet's, an EfficientNet's): each
//! with the shapes it takes and puts out and its parameters (core's `network::stack`,
//! the check training runs), the first problem in words, and the total, before anything
//! trains.

use fornax_core::model::network;
use leptos::prelude::*;

use crate::studio::Studio;

#[component]
pub fn NamedNetTable(
    /// The test ids' prefix: `resnet` gives `resnet-blocks`, `resnet-problem`, `resnet-total`.
    prefix: &'static str,
    /// Values per row the network reads: channels x height x width of the pictures.
    #[prop(into)]
    inputs: Signal<usize>,
    /// Outputs of the last layer: one per class.
    #[prop(into)]
    outputs: Signal<usize>,
) -> impl IntoView {
    let config = expect_context::<Studio>().config;
    let model = move || config.with(|c| c.model_spec(inputs.get(), outputs.get()));
    let stacked = move || {
        let model = model();
        let named = model.named()?;
        Some(named.validate().and_then(|()| network::stack(model.inputs, &named.blocks())))
    };
    let rows = move || match stacked() {
        Some(Ok(rows)) => rows
            .into_iter()
            .map(|s| {
                view! {
                    <tr>
                        <td class="num">{s.place}</td>
                        <td>{s.block}</td>
                        <td>{format!("{} → {}", s.input, s.output)}</td>
                        <td class="num">{s.parameters.to_string()}</td>
                    </tr>
                }
            })
            .collect_view()
            .into_any(),
        _ => ().into_any(),
    };
    let problem = move || match stacked() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    };
    let total = move || {
        let model = model();
        let named = model.named()?;
        let parameters = model.parameters()?;
        model.validate().ok()?;
        let [h, w] = named.image();
        Some(format!(
            "{} on {h}x{w} pictures: {parameters} parameters in all, the output layer's {} included.",
            named.describe(),
            model.outputs
        ))
    };
    view! {
        <table class="network" data-testid=format!("{prefix}-blocks")>
            <thead><tr><th>"#"</th><th>"Block"</th><th>"Shape in → out"</th><th>"Parameters"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        {move || problem().map(|p| view! { <p class="problem" data-testid=format!("{prefix}-problem")>{p}</p> })}
        <p class="muted" data-testid=format!("{prefix}-total")>{total}</p>
    }
}

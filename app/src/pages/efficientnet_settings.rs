//! The EfficientNet family's settings: a preset (a small B0, EfficientNet-B0 or
//! MobileNetV2), the layout whose stages it scales, the width and depth multipliers, and
//! the network as it will be built ([`NamedNetTable`]).

use fornax_core::model::{EFFICIENTNET_PRESETS, EfficientNetSpec, Layout};
use leptos::prelude::*;

use super::named_net_table::NamedNetTable;
use crate::studio::Studio;

#[component]
pub fn EfficientNetSettings(
    /// Values per row the network reads: channels x height x width of the pictures.
    #[prop(into)]
    inputs: Signal<usize>,
    /// Outputs of the last layer: one per class.
    #[prop(into)]
    outputs: Signal<usize>,
) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let config = studio.config;
    let disabled = move || studio.training.get();
    let edit = move |change: &dyn Fn(&mut EfficientNetSpec)| {
        config.update(|c| {
            if let Some(spec) = c.efficientnet.as_mut() {
                change(spec)
            }
        })
    };
    let spec = move || config.with(|c| c.efficientnet.clone());
    let preset = move || spec().and_then(|s| s.preset_name()).unwrap_or("custom").to_string();
    let choose_preset = move |name: String| {
        edit(&|e| {
            if let Some(preset) = EfficientNetSpec::preset(&name, e.image) {
                *e = preset;
            }
        })
    };
    // A multiplier that does not read as a number is left as it was; one out of range
    // reads, and the table says why it cannot be built.
    let multiplier = move |text: String, set: fn(&mut EfficientNetSpec, f64)| {
        if let Ok(value) = text.trim().parse::<f64>() {
            edit(&|e| set(e, value));
        }
    };
    view! {
        <div class="network" data-testid="efficientnet-settings">
            <div class="form">
                <label>"Preset"
                    <select data-testid="efficientnet-preset" disabled=disabled prop:value=preset
                        on:change=move |ev| choose_preset(event_target_value(&ev))>
                        {EFFICIENTNET_PRESETS.map(|p| view! { <option value=p>{label(p)}</option> }).collect_view()}
                        <option value="custom" disabled=true>"Custom multipliers"</option>
                    </select>
                </label>
                <label>"Layout"
                    <select data-testid="efficientnet-layout" disabled=disabled
                        prop:value=move || match spec().map(|s| s.layout) { Some(Layout::MobilenetV2) => "mobilenet_v2", _ => "b0" }
                        on:change=move |ev| {
                            let layout = if event_target_value(&ev) == "mobilenet_v2" { Layout::MobilenetV2 } else { Layout::B0 };
                            edit(&|e| e.layout = layout);
                        }>
                        <option value="b0">"EfficientNet-B0 (squeeze-excite, swish)"</option>
                        <option value="mobilenet_v2">"MobileNetV2 (ReLU6)"</option>
                    </select>
                </label>
                <label>"Width multiplier"
                    <input type="number" step="0.05" min="0.1" max="4" data-testid="efficientnet-width" disabled=disabled
                        prop:value=move || spec().map(|s| s.width.to_string()).unwrap_or_default()
                        on:change=move |ev| multiplier(event_target_value(&ev), |e, v| e.width = v)/>
                </label>
                <label>"Depth multiplier"
                    <input type="number" step="0.05" min="0.1" max="4" data-testid="efficientnet-depth" disabled=disabled
                        prop:value=move || spec().map(|s| s.depth.to_string()).unwrap_or_default()
                        on:change=move |ev| multiplier(event_target_value(&ev), |e, v| e.depth = v)/>
                </label>
            </div>
            <NamedNetTable prefix="efficientnet" inputs=inputs outputs=outputs/>
        </div>
    }
}

fn label(preset: &str) -> &'static str {
    match preset {
        "b0" => "EfficientNet-B0 (torchvision's layout)",
        "mobilenet_v2" => "MobileNetV2 (torchvision's layout)",
        _ => "Small (B0 at a quarter of its width and depth)",
    }
}

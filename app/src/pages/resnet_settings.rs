//! The ResNet family's settings: a preset (the small one, or torchvision's ResNet-18
//! layout), the stem, each stage's width and number of blocks, and the network as it will be
//! built ([`NamedNetTable`]).

use fornax_core::model::{RESNET_PRESETS, ResNetSpec, Stem};
use leptos::prelude::*;

use super::named_net_table::NamedNetTable;
use crate::studio::Studio;

#[component]
pub fn ResNetSettings(
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
    let edit = move |change: &dyn Fn(&mut ResNetSpec)| {
        config.update(|c| {
            if let Some(resnet) = c.resnet.as_mut() {
                change(resnet)
            }
        })
    };
    let spec = move || config.with(|c| c.resnet.clone());
    let preset = move || spec().and_then(|s| s.preset_name()).unwrap_or("custom").to_string();
    let choose_preset = move |name: String| {
        edit(&|r| {
            if let Some(preset) = ResNetSpec::preset(&name, r.image) {
                *r = preset;
            }
        })
    };
    view! {
        <div class="network" data-testid="resnet-settings">
            <div class="form">
                <label>"Preset"
                    <select data-testid="resnet-preset" disabled=disabled prop:value=preset
                        on:change=move |ev| choose_preset(event_target_value(&ev))>
                        {RESNET_PRESETS.map(|p| view! { <option value=p>{label(p)}</option> }).collect_view()}
                        <option value="custom" disabled=true>"Custom stages"</option>
                    </select>
                </label>
                <label>"Stem"
                    <select data-testid="resnet-stem" disabled=disabled
                        prop:value=move || match spec().map(|s| s.stem) { Some(Stem::Imagenet) => "imagenet", _ => "small" }
                        on:change=move |ev| {
                            let stem = if event_target_value(&ev) == "imagenet" { Stem::Imagenet } else { Stem::Small };
                            edit(&|r| r.stem = stem);
                        }>
                        <option value="small">"3x3 (small pictures)"</option>
                        <option value="imagenet">"7x7 + pool (ImageNet)"</option>
                    </select>
                </label>
                <label>"Stage widths (channels)"
                    <input type="text" data-testid="resnet-widths" disabled=disabled placeholder="16, 32, 64"
                        prop:value=move || spec().map(|s| join(&s.widths)).unwrap_or_default()
                        on:change=move |ev| if let Some(widths) = parse(&event_target_value(&ev)) {
                            edit(&|r| r.widths = widths.clone());
                        }/>
                </label>
                <label>"Blocks per stage"
                    <input type="text" data-testid="resnet-depths" disabled=disabled placeholder="1, 1, 1"
                        prop:value=move || spec().map(|s| join(&s.depths)).unwrap_or_default()
                        on:change=move |ev| if let Some(depths) = parse(&event_target_value(&ev)) {
                            edit(&|r| r.depths = depths.clone());
                        }/>
                </label>
            </div>
            <NamedNetTable prefix="resnet" inputs=inputs outputs=outputs/>
        </div>
    }
}

fn label(preset: &str) -> &'static str {
    match preset {
        "resnet18" => "ResNet-18 (ImageNet stem, 64-512 channels)",
        _ => "Small (16-32-64, one block each)",
    }
}

fn parse(text: &str) -> Option<Vec<usize>> {
    text.split(',').map(str::trim).filter(|w| !w.is_empty()).map(|w| w.parse().ok()).collect()
}

fn join(values: &[usize]) -> String {
    values.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
}

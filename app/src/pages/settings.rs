//! The training settings: every control of the training config, the learning-rate
//! curve they give, and "copy as config" (the same JSON `fornax train --config` reads).

use fornax_core::data::{ColumnKind, ColumnSummary, DataKind};
use fornax_core::model::{Activation, ConvSpec, EfficientNetSpec, ModelFamily, ResNetSpec};
use fornax_core::train::{
    AdamParams, Balanced, ClassWeights, CrossEntropy, Loss, OptimizerKind, Schedule, TrainConfig,
};
use leptos::prelude::*;

use super::efficientnet_settings::EfficientNetSettings;
use super::lr_curve::LrCurve;
use super::network_builder::{NetworkBuilder, starter};
use super::resnet_settings::ResNetSettings;
use crate::studio::Studio;

#[component]
pub fn TrainSettings() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let config = studio.config;
    let copied = RwSignal::new(false);
    let edit = move |change: &dyn Fn(&mut TrainConfig)| config.update(|c| change(c));
    let json = move || config.with(|c| serde_json::to_string_pretty(c).expect("a config serializes"));
    let problem = move || config.with(|c| c.validate().err().map(|e| e.to_string()));
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            // Where the page may not write the clipboard (no permission), the JSON shown
            // below is there to select and copy by hand.
            let _ = window.navigator().clipboard().write_text(&json());
        }
        copied.set(true);
    };
    let lr_preview = Signal::derive(move || config.with(|c| c.schedule.preview(c.learning_rate, c.epochs)));
    let disabled = move || studio.training.get();
    // The recipe's width, roughly (one input per number, one per category), the outputs
    // and the training rows, for the checks below that need the data's shape.
    let shape = move || {
        let target = studio.target.get();
        studio.dataset.with(|d| {
            let d = d.as_ref()?;
            let train_share = config.with(|c| 1.0 - c.valid_fraction - c.test_fraction);
            if let Some(images) = &d.images {
                let p = &images.profile;
                let inputs = p.channels as usize * (p.side * p.side) as usize;
                return Some((inputs, p.classes.len(), (d.rows as f64 * train_share) as usize));
            }
            let width = |c: &ColumnSummary| if c.kind == ColumnKind::Numeric { 1 } else { c.unique.max(1) };
            let inputs = d.columns.iter().filter(|c| c.name != target).map(width).sum::<usize>();
            let outputs = d.columns.iter().find(|c| c.name == target).map_or(1, |c| width(c).max(2));
            Some((inputs, outputs, (d.rows as f64 * train_share) as usize))
        })
    };
    // The loaded pictures' side and kind: a CNN reads them as they are fitted.
    let images = move || studio.dataset.with(|d| d.as_ref()?.images.as_ref().map(|i| i.profile.side as usize));
    let kind = move || if images().is_some() { DataKind::Images } else { DataKind::Tabular };
    // A CNN reads each row as an image: said here, before training, when they do not fit.
    let image_problem = move || {
        images().is_none().then_some(())?;
        let (inputs, _, _) = shape()?;
        config.with(|c| c.conv.as_ref()?.validate(inputs).err().map(|e| e.to_string()))
    };
    let family = move || config.with(TrainConfig::family);
    let choose_family = move |name: String| {
        let Some(chosen) = ModelFamily::from_name(&name) else { return };
        let inputs = shape().map_or(0, |(inputs, _, _)| inputs);
        let side = images();
        edit(&|c| {
            set_family(c, chosen, inputs);
            if let Some(side) = side {
                c.set_image_side(side);
            }
        });
    };
    let memory = move || {
        let limit = studio.backend.with(|b| {
            let limits = &b.as_ref()?.limits;
            limits.iter().find(|(k, _)| k == "maxStorageBufferBindingSize").map(|(_, v)| *v as u64)
        })?;
        let (inputs, outputs, rows) = shape()?;
        let (bytes, what) = config.with(|c| c.largest_buffer(inputs, outputs, rows))?;
        (bytes > limit).then(|| {
            format!(
                "{what} take {} MiB, more than this WebGPU adapter binds in one buffer ({} MiB): training would \
                 fail. Use a smaller batch or narrower layers, or the CPU.",
                bytes >> 20,
                limit >> 20
            )
        })
    };

    view! {
        <details class="settings" data-testid="train-settings">
            <summary>{move || config.with(summary)}</summary>
            <div class="form">
                <NumberField label="Epochs" id="setting-epochs" get={|c| c.epochs.to_string()}
                    set={|c, v| if let Ok(n) = v.parse::<usize>() { c.epochs = n.clamp(1, 10_000) }}/>
                <label>"Model"
                    <select data-testid="setting-model" disabled=disabled
                        on:change=move |ev| choose_family(event_target_value(&ev))
                        prop:value=move || family().name()>
                        {move || ModelFamily::for_kind(kind()).map(|f| view! { <option value=f.name()>{f.info().label}</option> }).collect_view()}
                    </select>
                </label>
                <Show when=move || family() == ModelFamily::Cnn>
                    <Show when=move || images().is_none()>
                    <label>"Image (height x width)"
                        <input type="text" data-testid="setting-image" disabled=disabled placeholder="8 x 8"
                            prop:value=move || config.with(|c| c.conv.as_ref().map(|v| format!("{} x {}", v.image[0], v.image[1])).unwrap_or_default())
                            on:change=move |ev| {
                                if let Some(image) = parse_image(&event_target_value(&ev)) {
                                    edit(&|c| if let Some(conv) = c.conv.as_mut() { conv.image = image });
                                }
                            }/>
                    </label>
                    </Show>
                    <label>"Convolution channels (per block)"
                        <input type="text" data-testid="setting-channels" disabled=disabled placeholder="8, 16"
                            prop:value=move || config.with(|c| c.conv.as_ref().map(|v| join(&v.channels)).unwrap_or_default())
                            on:change=move |ev| {
                                if let Some(channels) = parse_widths(&event_target_value(&ev)) {
                                    edit(&|c| if let Some(conv) = c.conv.as_mut() { conv.channels = channels.clone() });
                                }
                            }/>
                    </label>
                </Show>
                <label>"Hidden layers (widths)"
                    <input type="text" data-testid="setting-hidden" disabled=disabled placeholder="none: linear only"
                        prop:value=move || config.with(|c| join(&c.hidden))
                        on:change=move |ev| {
                            if let Some(widths) = parse_widths(&event_target_value(&ev)) {
                                edit(&|c| { c.hidden = widths.clone(); c.dropout.truncate(1); });
                            }
                        }/>
                </label>
                <label>"Activation"
                    <select disabled=disabled on:change=move |ev| {
                            let a = Activation::from_name(&event_target_value(&ev)).unwrap_or_default();
                            edit(&|c| c.activation = a);
                        }
                        prop:value=move || config.with(|c| c.activation.name())>
                        {Activation::ALL.map(|a| view! { <option value=a.name()>{a.label()}</option> }).collect_view()}
                    </select>
                </label>
                <NumberField label="Dropout" step="0.05" get={|c| c.dropout.first().copied().unwrap_or(0.0).to_string()}
                    set={|c, v| if let Ok(p) = v.parse::<f64>() { c.dropout = if p > 0.0 { vec![p] } else { Vec::new() } }}/>
                <label class="check">
                    <input type="checkbox" disabled=disabled prop:checked=move || config.with(|c| c.batch_norm)
                        on:change=move |ev| { let on = event_target_checked(&ev); edit(&|c| c.batch_norm = on); }/>
                    "Batch normalization"
                </label>
                <label>"Optimizer"
                    <select data-testid="setting-optimizer" disabled=disabled
                        on:change=move |ev| { let o = optimizer(&event_target_value(&ev)); edit(&|c| c.optimizer = o.clone()); }
                        prop:value=move || config.with(|c| optimizer_name(&c.optimizer).to_string())>
                        <option value="adam">"Adam"</option>
                        <option value="adamw">"AdamW"</option>
                        <option value="sgd">"SGD + Nesterov 0.9"</option>
                    </select>
                </label>
                <NumberField label="Learning rate" id="setting-learning-rate" step="0.0001" get={|c| c.learning_rate.to_string()}
                    set={|c, v| if let Ok(lr) = v.parse::<f64>() { c.learning_rate = lr }}/>
                <label>"Schedule"
                    <select data-testid="setting-schedule" disabled=disabled
                        on:change=move |ev| { let name = event_target_value(&ev); edit(&|c| c.schedule = schedule(&name, c.epochs)); }
                        prop:value=move || config.with(|c| schedule_name(&c.schedule).to_string())>
                        <option value="constant">"Constant"</option>
                        <option value="step">"Step (halve each third)"</option>
                        <option value="exponential">"Exponential (x0.97)"</option>
                        <option value="cosine">"Cosine"</option>
                        <option value="warmup_cosine">"Warmup + cosine"</option>
                        <option value="reduce_on_plateau">"Reduce on plateau"</option>
                    </select>
                </label>
                <NumberField label="Batch size" placeholder="auto" get={|c| c.batch_size.map(|b| b.to_string()).unwrap_or_default()}
                    set={|c, v| c.batch_size = v.parse::<usize>().ok()}/>
                <NumberField label="Weight decay" step="0.0001" get={|c| c.weight_decay.to_string()}
                    set={|c, v| if let Ok(w) = v.parse::<f64>() { c.weight_decay = w }}/>
                <label>"Loss"
                    <select data-testid="setting-loss" disabled=disabled
                        on:change=move |ev| { let l = loss(&event_target_value(&ev)); edit(&|c| c.loss = l.clone()); }
                        prop:value=move || config.with(|c| loss_name(&c.loss).to_string())>
                        <option value="auto">"Auto (CE or MSE)"</option>
                        <option value="balanced">"CE, balanced weights"</option>
                        <option value="smoothed">"CE, smoothing 0.1"</option>
                        <option value="bce">"Binary CE (2 classes)"</option>
                        <option value="mae">"MAE"</option>
                        <option value="huber">"Huber (delta 1)"</option>
                    </select>
                </label>
                <NumberField label="Early stopping patience (0: off)" id="setting-patience" get={|c| c.early_stopping.patience.to_string()}
                    set={|c, v| if let Ok(p) = v.parse::<usize>() { c.early_stopping.patience = p }}/>
            </div>
            <Show when=move || family() == ModelFamily::Efficientnet>
                <EfficientNetSettings inputs=Signal::derive(move || shape().map_or(0, |(inputs, _, _)| inputs))
                    outputs=Signal::derive(move || shape().map_or(1, |(_, outputs, _)| outputs))/>
            </Show>
            <Show when=move || family() == ModelFamily::Resnet>
                <ResNetSettings inputs=Signal::derive(move || shape().map_or(0, |(inputs, _, _)| inputs))
                    outputs=Signal::derive(move || shape().map_or(1, |(_, outputs, _)| outputs))/>
            </Show>
            <Show when=move || family() == ModelFamily::Custom>
                <NetworkBuilder inputs=Signal::derive(move || shape().map_or(0, |(inputs, _, _)| inputs))/>
            </Show>
            {move || problem().map(|p| view! { <p class="problem" data-testid="settings-problem">{p}</p> })}
            {move || image_problem().map(|p| view! { <p class="problem" data-testid="settings-image-problem">{p}</p> })}
            {move || memory().map(|m| view! { <p class="problem" data-testid="settings-memory">{m}</p> })}
            <p class="curve-title">"Learning rate per epoch"</p>
            <LrCurve planned=lr_preview/>
            <div class="row">
                <button on:click=copy data-testid="copy-config">"Copy as config"</button>
                <span class="muted">"The same JSON works with "<code>"fornax train --config FILE"</code>"."</span>
            </div>
            <Show when=move || copied.get()>
                <pre class="config" data-testid="config-json">{json}</pre>
            </Show>
        </details>
    }
}

/// Switches the config to `family`, keeping what it can: hidden layers stay (the MLP's
/// default when there were none). A CNN starts from the square image `inputs` make (8 x 8
/// for 64 pixel columns) with blocks of 8 and 16 channels; a ResNet from the small
/// preset on that image, and an EfficientNet likewise, each with its output layer as its
/// only dense one (as torchvision's); a custom network from the builder's starter blocks.
fn set_family(c: &mut TrainConfig, family: ModelFamily, inputs: usize) {
    c.conv = None;
    c.network = None;
    c.resnet = None;
    c.efficientnet = None;
    let side = inputs.isqrt();
    let image = if side * side == inputs { [side, side] } else { [inputs, 1] };
    if matches!(family, ModelFamily::Linear | ModelFamily::Resnet | ModelFamily::Efficientnet) {
        c.hidden.clear();
        c.dropout.clear();
        c.resnet = (family == ModelFamily::Resnet).then(|| ResNetSpec::preset("small", image)).flatten();
        c.efficientnet =
            (family == ModelFamily::Efficientnet).then(|| EfficientNetSpec::preset("small", image)).flatten();
        return;
    }
    if c.hidden.is_empty() {
        c.hidden = TrainConfig::default().hidden;
    }
    match family {
        ModelFamily::Cnn => c.conv = Some(ConvSpec { image, channels: vec![8, 16] }),
        ModelFamily::Custom => c.network = Some(starter(inputs)),
        ModelFamily::Linear | ModelFamily::Mlp | ModelFamily::Resnet | ModelFamily::Efficientnet => {}
    }
}

/// `64, 32` as widths; `None` when a part is not a whole number.
fn parse_widths(text: &str) -> Option<Vec<usize>> {
    text.split(',').map(str::trim).filter(|w| !w.is_empty()).map(|w| w.parse().ok()).collect()
}

/// `28 x 28` (or `28x28`, `28, 28`) as height and width.
fn parse_image(text: &str) -> Option<[usize; 2]> {
    let mut sides = text.split(['x', 'X', ',', '*']).map(str::trim);
    let image = [sides.next()?.parse().ok()?, sides.next()?.parse().ok()?];
    sides.next().is_none().then_some(image)
}

fn join(widths: &[usize]) -> String {
    widths.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
}

/// A number input bound to one value of the studio's config: shows `get`, and hands
/// what the user typed to `set` (which ignores what does not parse).
#[component]
fn NumberField(
    label: &'static str,
    get: fn(&TrainConfig) -> String,
    set: fn(&mut TrainConfig, &str),
    #[prop(optional)] id: Option<&'static str>,
    #[prop(default = "1")] step: &'static str,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let studio = expect_context::<Studio>();
    view! {
        <label>{label}
            <input type="number" min="0" step=step placeholder=placeholder data-testid=id
                disabled=move || studio.training.get()
                prop:value=move || studio.config.with(get)
                on:change=move |ev| { let text = event_target_value(&ev); studio.config.update(|c| set(c, text.trim())); }/>
        </label>
    }
}

/// One line that says what will train, shown while the settings are folded.
fn summary(c: &TrainConfig) -> String {
    let model = model_summary(c);
    format!(
        "Settings: {model}, {}, lr {}, {}, {} epochs, batch {}",
        optimizer_name(&c.optimizer),
        c.learning_rate,
        schedule_name(&c.schedule).replace('_', " "),
        c.epochs,
        c.batch_size.map_or("auto".to_string(), |b| b.to_string())
    )
}

/// The model a run trains besides the baseline (`MLP 64-32`, `CNN conv8-conv16 128`).
pub(super) fn model_summary(c: &TrainConfig) -> String {
    let widths = c.hidden.iter().map(|w| w.to_string()).collect::<Vec<_>>().join("-");
    if let Some(named) = c.model_spec(0, 1).named() {
        return format!("{} {widths}", named.describe()).trim_end().to_string();
    }
    if let Some(blocks) = &c.network {
        return format!("custom network of {} blocks {widths}", blocks.len()).trim_end().to_string();
    }
    match &c.conv {
        Some(conv) => {
            let blocks = conv.channels.iter().map(|c| format!("conv{c}")).collect::<Vec<_>>().join("-");
            format!("CNN {blocks} {widths}").trim_end().to_string()
        }
        None if c.hidden.is_empty() => "linear model only".to_string(),
        None => format!("MLP {widths}"),
    }
}

fn optimizer_name(o: &OptimizerKind) -> &'static str {
    match o {
        OptimizerKind::Sgd { .. } => "sgd",
        OptimizerKind::Adam(_) => "adam",
        OptimizerKind::Adamw(_) => "adamw",
    }
}

fn optimizer(name: &str) -> OptimizerKind {
    match name {
        "sgd" => OptimizerKind::Sgd { momentum: 0.9, nesterov: true },
        "adamw" => OptimizerKind::Adamw(AdamParams::default()),
        _ => OptimizerKind::default(),
    }
}

fn schedule_name(s: &Schedule) -> &'static str {
    match s {
        Schedule::Constant => "constant",
        Schedule::Step { .. } => "step",
        Schedule::Exponential { .. } => "exponential",
        Schedule::Cosine { .. } => "cosine",
        Schedule::WarmupCosine { .. } => "warmup_cosine",
        Schedule::ReduceOnPlateau { .. } => "reduce_on_plateau",
    }
}

/// Each schedule with settings that suit a run of `epochs` epochs.
fn schedule(name: &str, epochs: usize) -> Schedule {
    match name {
        "step" => Schedule::Step { step_size: (epochs / 3).max(1), gamma: 0.5 },
        "exponential" => Schedule::Exponential { gamma: 0.97 },
        "cosine" => Schedule::Cosine { t_max: None, eta_min: 0.0 },
        "warmup_cosine" => Schedule::WarmupCosine {
            warmup_epochs: (epochs / 10).clamp(1, epochs.max(2) - 1),
            start_factor: 0.1,
            eta_min: 0.0,
        },
        "reduce_on_plateau" => Schedule::ReduceOnPlateau { factor: 0.5, patience: 5, threshold: 1e-4, min_lr: 1e-6 },
        _ => Schedule::Constant,
    }
}

fn loss_name(l: &Option<Loss>) -> &'static str {
    match l {
        None => "auto",
        Some(Loss::CrossEntropy(ce)) if ce.class_weights.is_some() => "balanced",
        Some(Loss::CrossEntropy(_)) => "smoothed",
        Some(Loss::BinaryCrossEntropy) => "bce",
        Some(Loss::Mae) => "mae",
        Some(Loss::Huber { .. }) => "huber",
        Some(Loss::Mse) => "auto",
    }
}

fn loss(name: &str) -> Option<Loss> {
    match name {
        "balanced" => Some(Loss::CrossEntropy(CrossEntropy {
            class_weights: Some(ClassWeights::Named(Balanced::Balanced)),
            label_smoothing: 0.0,
        })),
        "smoothed" => Some(Loss::CrossEntropy(CrossEntropy { class_weights: None, label_smoothing: 0.1 })),
        "bce" => Some(Loss::BinaryCrossEntropy),
        "mae" => Some(Loss::Mae),
        "huber" => Some(Loss::Huber { delta: 1.0 }),
        _ => None,
    }
}

//! The custom family's block builder: the network's blocks in order, each with the shape
//! it takes and puts out and its parameters (core's `network::stack_so_far`, the check
//! training runs), the error that names the first block that does not fit, and controls
//! to add a block from the registry (at the end or inside a residual), move it and
//! remove it. The blocks live in the studio's config, so "copy as config" and
//! `fornax train --config` see the same network.

use fornax_core::model::block_place::{self, Place};
use fornax_core::model::network::{self, BLOCKS, Block};
use fornax_core::model::{Activation, BlockInfo};
use leptos::prelude::*;

use crate::studio::Studio;

#[component]
pub fn NetworkBuilder(
    /// Values per row the network reads (the recipe's width, estimated from the columns).
    #[prop(into)]
    inputs: Signal<usize>,
) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let config = studio.config;
    let disabled = move || studio.training.get();
    let kind = RwSignal::new(BLOCKS[0].name.to_string());
    let settings = RwSignal::new(String::new());
    let inside = RwSignal::new(String::new());
    let add_problem = RwSignal::new(None::<String>);

    let edit = move |change: &dyn Fn(&mut Vec<Block>)| {
        config.update(|c| {
            if let Some(blocks) = c.network.as_mut() {
                change(blocks)
            }
        })
    };
    let stacking =
        move || config.with(|c| network::stack_so_far(inputs.get(), c.network.as_deref().unwrap_or_default()));
    let residuals = move || {
        config.with(|c| {
            let blocks = c.network.as_deref().unwrap_or_default();
            block_place::places(blocks)
                .into_iter()
                .filter(|(_, b)| matches!(b, Block::Residual { .. }))
                .map(|(p, _)| p.to_string())
                .collect::<Vec<_>>()
        })
    };
    let add = move |_| match parse_block(&kind.get(), &settings.get(), inputs.get_untracked()) {
        Ok(block) => {
            let into = Place::parse(&inside.get());
            edit(&|blocks| {
                block_place::push(blocks, into.as_ref(), block.clone());
            });
            settings.set(String::new());
            add_problem.set(None);
        }
        Err(why) => add_problem.set(Some(why)),
    };
    let info = move || BLOCKS.iter().find(|b| b.name == kind.get()).copied().unwrap_or(BLOCKS[0]);

    let rows = move || {
        let (stacked, _) = stacking();
        config.with(|c| {
            let blocks = c.network.as_deref().unwrap_or_default();
            block_place::places(blocks)
                .into_iter()
                .enumerate()
                .map(|(i, (place, block))| {
                    let fitted = stacked.get(i);
                    let shapes = fitted.map_or("—".to_string(), |s| format!("{} → {}", s.input, s.output));
                    let parameters = fitted.map_or(String::new(), |s| s.parameters.to_string());
                    let indent = format!("padding-left: {}rem", 0.4 + 1.2 * place.depth() as f64);
                    let (up, down, gone) = (place.clone(), place.clone(), place.clone());
                    view! {
                        <tr class:unfit=fitted.is_none()>
                            <td class="num">{place.to_string()}</td>
                            <td style=indent>{block.describe()}</td>
                            <td>{shapes}</td>
                            <td class="num">{parameters}</td>
                            <td class="actions">
                                <button title="Move up" disabled=disabled on:click=move |_| edit(&|b| { block_place::shift(b, &up, true); })>"↑"</button>
                                <button title="Move down" disabled=disabled on:click=move |_| edit(&|b| { block_place::shift(b, &down, false); })>"↓"</button>
                                <button title="Remove" data-testid="block-remove" disabled=disabled
                                    on:click=move |_| edit(&|b| { block_place::remove(b, &gone); })>"✕"</button>
                            </td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let total = move || {
        let (stacked, problem) = stacking();
        let parameters: usize = stacked.iter().map(|s| s.parameters).sum();
        let output = stacked.iter().rev().find(|s| !s.place.contains('.')).map(|s| s.output);
        match (problem, output) {
            (None, Some(out)) => format!(
                "{parameters} parameters in the blocks; their {out} go on to the hidden layers (if any) and the output layer."
            ),
            _ => String::new(),
        }
    };

    view! {
        <div class="network" data-testid="network-builder">
            <p class="curve-title">{move || format!("Custom network: each row comes in as {} values", inputs.get())}</p>
            <table class="network" data-testid="network-blocks">
                <thead><tr><th>"#"</th><th>"Block"</th><th>"Shape in → out"</th><th>"Parameters"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {move || stacking().1.map(|p| view! { <p class="problem" data-testid="network-problem">{p.to_string()}</p> })}
            <p class="muted" data-testid="network-total">{total}</p>
            <div class="row add-block">
                <select data-testid="block-kind" disabled=disabled prop:value=move || kind.get()
                    on:change=move |ev| { kind.set(event_target_value(&ev)); add_problem.set(None); }>
                    {BLOCKS.iter().map(|b| view! { <option value=b.name>{b.name}</option> }).collect_view()}
                </select>
                <input type="text" data-testid="block-settings" disabled=disabled
                    placeholder=move || hint(&info()) prop:value=move || settings.get()
                    on:input=move |ev| settings.set(event_target_value(&ev))/>
                <select data-testid="block-inside" disabled=disabled prop:value=move || inside.get()
                    on:change=move |ev| inside.set(event_target_value(&ev))>
                    <option value="">"at the end"</option>
                    {move || residuals().into_iter().map(|p| {
                        let label = format!("inside residual {p}");
                        view! { <option value=p>{label}</option> }
                    }).collect_view()}
                </select>
                <button data-testid="block-add" disabled=disabled on:click=add>"Add block"</button>
                <span class="muted">{move || info().what.replace('`', "")}</span>
            </div>
            {move || add_problem.get().map(|p| view! { <p class="problem" data-testid="block-problem">{p}</p> })}
        </div>
    }
}

/// The network a user starts from: for rows that make a square image (64 pixels: 8 x 8),
/// one convolution block and a pool; otherwise a dense layer. Both train as they stand.
pub fn starter(inputs: usize) -> Vec<Block> {
    let side = inputs.isqrt();
    if side >= 2 && side * side == inputs {
        vec![
            Block::Image { height: side, width: side },
            Block::Conv2d { channels: 8, kernel: 3, stride: 1, bias: true },
            Block::Activation { function: Activation::Relu },
            Block::MaxPool2d { size: 2, stride: None, padding: 0 },
            Block::Flatten,
        ]
    } else {
        vec![Block::Linear { units: 64 }, Block::Activation { function: Activation::Relu }]
    }
}

/// What the settings field takes for a block, with the default an empty field gives.
fn hint(block: &BlockInfo) -> String {
    match block.name {
        "linear" => "units (32)",
        "image" => "height x width (square)",
        "conv2d" => "channels, kernel, stride (8, 3, 1)",
        "basic_block" => "channels, stride (16, 1)",
        "max_pool2d" | "avg_pool2d" => "window size (2)",
        "mb_conv" => "channels, kernel, stride, expansion (16, 3, 1, 6)",
        "activation" => "relu, gelu, tanh, swish or relu6 (relu)",
        "dropout" => "probability (0.1)",
        _ => "no settings",
    }
    .to_string()
}

/// The block `name` with the settings typed for it (defaults for an empty field), or why
/// they do not read. Whether it fits the blocks around it is `network::stack`'s to say.
fn parse_block(name: &str, settings: &str, inputs: usize) -> Result<Block, String> {
    let text = settings.trim();
    let numbers = || -> Result<Vec<usize>, String> {
        text.split([',', 'x', 'X', ' '])
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().map_err(|_| format!("{name}: `{n}` is not a whole number")))
            .collect()
    };
    let one = |default: usize| -> Result<usize, String> {
        match numbers()?.as_slice() {
            [] => Ok(default),
            [n] => Ok(*n),
            _ => Err(format!("{name} takes one number, got `{text}`")),
        }
    };
    Ok(match name {
        "linear" => Block::Linear { units: one(32)? },
        "image" => match numbers()?.as_slice() {
            [h, w] => Block::Image { height: *h, width: *w },
            [] if inputs.isqrt().pow(2) == inputs => Block::Image { height: inputs.isqrt(), width: inputs.isqrt() },
            [] => return Err(format!("image: rows of {inputs} values are not square; give height x width")),
            _ => return Err(format!("image takes height x width, got `{text}`")),
        },
        "conv2d" => {
            let (channels, kernel, stride) = match numbers()?.as_slice() {
                [] => (8, 3, 1),
                [c] => (*c, 3, 1),
                [c, k] => (*c, *k, 1),
                [c, k, s] => (*c, *k, *s),
                _ => return Err(format!("conv2d takes channels, a kernel size and a stride, got `{text}`")),
            };
            Block::Conv2d { channels, kernel, stride, bias: true }
        }
        "basic_block" => match numbers()?.as_slice() {
            [] => Block::BasicBlock { channels: 16, stride: 1 },
            [c] => Block::BasicBlock { channels: *c, stride: 1 },
            [c, s] => Block::BasicBlock { channels: *c, stride: *s },
            _ => return Err(format!("basic_block takes channels and a stride, got `{text}`")),
        },
        "mb_conv" => {
            let (channels, kernel, stride, expand) = match numbers()?.as_slice() {
                [] => (16, 3, 1, 6),
                [c] => (*c, 3, 1, 6),
                [c, k] => (*c, *k, 1, 6),
                [c, k, s] => (*c, *k, *s, 6),
                [c, k, s, e] => (*c, *k, *s, *e),
                _ => {
                    return Err(format!(
                        "mb_conv takes channels, a kernel size, a stride and an expansion, got `{text}`"
                    ));
                }
            };
            Block::MbConv { channels, kernel, stride, expand, squeeze_excite: true, activation: Activation::Swish }
        }
        "global_avg_pool" => Block::GlobalAvgPool,
        "max_pool2d" => Block::MaxPool2d { size: one(2)?, stride: None, padding: 0 },
        "avg_pool2d" => Block::AvgPool2d { size: one(2)? },
        "flatten" => Block::Flatten,
        "batch_norm" => Block::BatchNorm,
        "layer_norm" => Block::LayerNorm,
        "activation" => Block::Activation {
            function: match text {
                "" => Activation::Relu,
                name => Activation::from_name(name)
                    .ok_or_else(|| format!("activation: `{name}` is not relu, gelu, tanh, swish or relu6"))?,
            },
        },
        "dropout" => Block::Dropout {
            p: if text.is_empty() {
                0.1
            } else {
                text.parse().map_err(|_| format!("dropout: `{text}` is not a probability"))?
            },
        },
        "residual" => Block::Residual { blocks: Vec::new() },
        other => return Err(format!("`{other}` is not a block Fornax has")),
    })
}

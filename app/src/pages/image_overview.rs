//! What the data page shows of a folder of pictures: how they are fitted (and a way to
//! fit them again), each class with its count, a balance bar and its first images as
//! the model sees them, each channel's mean and deviation, and the files left out.

use fornax_core::data::images::{Aspect, ImageOptions, SHIFT_WARNING};
use fornax_wire::worker::{ImageSummary, Thumbnail};
use leptos::prelude::*;

use super::augment_settings::AugmentSettings;
use crate::studio::Studio;

/// Sides offered for fitting pictures, in pixels.
const SIDES: [u32; 8] = [8, 16, 24, 32, 48, 64, 96, 128];

#[component]
pub fn ImageOverview(name: String, summary: ImageSummary) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let ImageSummary { profile, skipped, thumbnails } = summary;
    let colour = if profile.channels == 1 { "grey" } else { "colour (RGB)" };
    let [min_w, max_w, min_h, max_h] = profile.sizes;
    let sizes = if (min_w, min_h) == (max_w, max_h) {
        format!("all {min_w} x {min_h} px")
    } else {
        format!("{min_w} to {max_w} px wide, {min_h} to {max_h} px high")
    };
    let class_names: Vec<String> = profile.classes.iter().map(|(name, _)| name.clone()).collect();
    let most = profile.classes.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1);
    let channel_names: &[&str] = if profile.channels == 1 { &["grey"] } else { &["red", "green", "blue"] };
    let refit = move |options: ImageOptions| {
        studio.image_options.set(options);
        studio.refit_images();
    };
    let side_changed = move |ev: web_sys::Event| {
        if let Ok(side) = event_target_value(&ev).parse() {
            refit(ImageOptions { side, ..studio.image_options.get_untracked() });
        }
    };
    let aspect_changed = move |ev: web_sys::Event| {
        let aspect = if event_target_value(&ev) == "pad" { Aspect::Pad } else { Aspect::CenterCrop };
        refit(ImageOptions { aspect, ..studio.image_options.get_untracked() });
    };
    let disabled = move || studio.training.get() || studio.loading.with(Option::is_some);
    view! {
        <p class="muted" data-testid="dataset-summary">
            {format!("{name}: {} images in {} classes, {colour}; the pictures came {sizes}.", profile.images, profile.classes.len())}
        </p>
        <div class="row">
            <label>"Fit each picture to "
                <select data-testid="image-side" on:change=side_changed disabled=disabled
                    prop:value=move || studio.image_options.with(|o| o.side.to_string())>
                    {SIDES.iter().map(|s| view! { <option value=s.to_string()>{format!("{s} x {s} px")}</option> }).collect_view()}
                </select>
            </label>
            <label>" by "
                <select data-testid="image-aspect" on:change=aspect_changed disabled=disabled
                    prop:value=move || studio.image_options.with(|o| if o.aspect == Aspect::Pad { "pad" } else { "crop" })>
                    <option value="crop">"cropping the centre"</option>
                    <option value="pad">"padding to a square"</option>
                </select>
            </label>
        </div>
        {(profile.size_histogram.len() > 1).then(|| {
            let most = profile.size_histogram.iter().map(|b| b.images).max().unwrap_or(1).max(1);
            view! {
                <table class="metrics" data-testid="size-histogram">
                    <thead><tr><th>"Longer side, as they came"</th><th>"Pictures"</th><th></th></tr></thead>
                    <tbody>{profile.size_histogram.iter().map(|bin| view! {
                        <tr><td>{if bin.low == bin.high { format!("{} px", bin.low) } else { format!("{} to {} px", bin.low, bin.high) }}</td>
                            <td class="num">{bin.images}</td>
                            <td><div class="balance"><div style=format!("width: {:.0}%", 100.0 * bin.images as f64 / most as f64)></div></div></td></tr>
                    }).collect_view()}</tbody>
                </table>
            }
        })}
        <div class="scroll">
        <table class="columns image-classes" data-testid="image-classes">
            <thead><tr><th>"Class"</th><th>"Images"</th><th>"Balance"</th><th>"First images, as the model sees them"</th></tr></thead>
            <tbody>
                {profile.classes.iter().enumerate().map(|(class, (label, count))| {
                    let share = 100.0 * *count as f64 / most as f64;
                    let shown: Vec<&Thumbnail> = thumbnails.iter().filter(|t| t.class == class).collect();
                    view! {
                        <tr data-testid="image-class">
                            <td class="name">{label.clone()}</td>
                            <td class="num">{*count}</td>
                            <td><div class="balance"><div style=format!("width: {share:.0}%")></div></div></td>
                            <td class="thumbs">{shown.into_iter().map(|t| view! {
                                <img class="thumb" data-testid="thumbnail" src=data_url(&t.png) alt=t.file.clone() title=t.file.clone()/>
                            }).collect_view()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <table class="metrics" data-testid="channel-stats">
            <thead><tr><th>"Channel"</th><th>"Mean"</th><th>"Standard deviation"</th>
                <th>"Training images: mean, deviation"</th><th>"Test images: mean, deviation"</th></tr></thead>
            <tbody>
                {channel_names.iter().enumerate().map(|(c, channel)| {
                    let part = move |test: bool| move || studio.image_split.with(|s| s.as_ref().map(|s| {
                        let stats = if test { &s.test } else { &s.train };
                        format!("{:.4}, {:.4}", stats.mean[c], stats.std[c])
                    }));
                    let shifted = move || studio.image_split.with(|s| s.as_ref().is_some_and(|s| s.shifted.contains(&c)));
                    view! {
                        <tr class:shifted=shifted><td>{*channel}</td>
                            <td class="num">{format!("{:.4}", profile.stats.mean[c])}</td>
                            <td class="num">{format!("{:.4}", profile.stats.std[c])}</td>
                            <td class="num" data-testid="train-stats">{part(false)}</td>
                            <td class="num" data-testid="test-stats">{part(true)}</td></tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {move || studio.image_split.with(|s| s.as_ref().filter(|s| !s.shifted.is_empty()).map(|s| {
            let names: Vec<&str> = s.shifted.iter().map(|&c| channel_names[c]).collect();
            view! {
                <p class="problem" data-testid="image-shift-warning">{format!(
                    "The test images differ from the training images in {}: their mean is more than {} training standard deviations away. Scores on them may not say how the model does on pictures like the training ones.",
                    names.join(", "), SHIFT_WARNING
                )}</p>
            }
        }))}
        <p class="muted">"Over the fitted images, values scaled to 0-1 (NumPy's np.mean(images, axis=(0, 1, 2))); the split is the one training uses. Training standardizes each channel with the training images' own statistics."</p>
        <AugmentSettings classes=class_names/>
        {(!skipped.is_empty()).then(|| view! {
            <details data-testid="skipped-images">
                <summary>{format!("{} file{} left out", skipped.len(), if skipped.len() == 1 { "" } else { "s" })}</summary>
                <ul>{skipped.into_iter().map(|b| view! { <li><code>{b.file}</code>": "{b.reason}</li> }).collect_view()}</ul>
            </details>
        })}
    }
}

/// Some files of a folder cannot be used: each one with why, then skip them or stop.
#[component]
pub fn BadImagesOffer() -> impl IntoView {
    let studio = expect_context::<Studio>();
    move || {
        studio.bad_images.get().map(|(name, bad)| {
            let these = if bad.len() == 1 { "this file".to_string() } else { format!("these {} files", bad.len()) };
            view! {
                <div class="resume" data-testid="bad-images-offer">
                    <span>{format!("{name}: {} cannot be used.", if bad.len() == 1 { "1 file".into() } else { format!("{} files", bad.len()) })}</span>
                    <ul data-testid="bad-images">{bad.into_iter().map(|b| view! { <li><code>{b.file}</code>": "{b.reason}</li> }).collect_view()}</ul>
                    <button class="primary" data-testid="bad-images-skip" on:click=move |_| studio.choose_skip(true)>
                        {format!("Skip {these} and load the rest")}
                    </button>
                    <button data-testid="bad-images-stop" on:click=move |_| studio.choose_skip(false)>"Stop"</button>
                </div>
            }
        })
    }
}

/// A PNG's bytes as a `data:` URL an `<img>` shows.
pub fn data_url(png: &[u8]) -> String {
    format!("data:image/png;base64,{}", base64(png))
}

/// Bytes in base64, by the browser's own `btoa`.
pub fn base64(bytes: &[u8]) -> String {
    // btoa reads each character as one byte (code points below 256).
    let binary: String = bytes.iter().map(|&b| b as char).collect();
    web_sys::window().and_then(|w| w.btoa(&binary).ok()).unwrap_or_default()
}

//! The data page's augmentation settings for pictures (training images only) and the
//! preview they give: the first picture of each class as the model sees it, then a few
//! draws of the augmentation from the run's seed (the same seed, the same preview).

use fornax_core::recipe::Augment;
use fornax_wire::worker::AugmentedImage;
use leptos::prelude::*;

use super::image_overview::data_url;
use crate::studio::Studio;

#[component]
pub fn AugmentSettings(classes: Vec<String>) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let config = studio.config;
    let augment = move || config.with(|c| c.augment.clone());
    let edit = move |change: &dyn Fn(&mut Augment)| config.update(|c| change(&mut c.augment));
    let disabled = move || studio.training.get();
    // Every change of the settings (or the seed) shows its preview; nothing on, or a
    // setting out of range (said below), none.
    let settings = Memo::new(move |_| config.with(|c| (c.augment.clone(), c.seed)));
    Effect::new(move |_| match settings.with(|(a, _)| a.is_none() || a.validate().is_err()) {
        false => studio.preview_augment(),
        true => studio.augment_preview.set(None),
    });
    let number = move |label: &'static str,
                       id: &'static str,
                       step: &'static str,
                       get: fn(&Augment) -> f64,
                       set: fn(&mut Augment, f64)| {
        view! {
            <label>{label}
                <input type="number" min="0" step=step data-testid=id disabled=disabled
                    prop:value=move || config.with(|c| get(&c.augment).to_string())
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<f64>() {
                            edit(&|a| set(a, v));
                        }
                    }/>
            </label>
        }
    };
    let check = move |label: &'static str, id: &'static str, get: fn(&Augment) -> bool, set: fn(&mut Augment, bool)| {
        view! {
            <label class="check">
                <input type="checkbox" data-testid=id disabled=disabled prop:checked=move || config.with(|c| get(&c.augment))
                    on:change=move |ev| { let on = event_target_checked(&ev); edit(&|a| set(a, on)); }/>
                {label}
            </label>
        }
    };
    let problem = move || augment().validate().err().map(|e| e.to_string());
    view! {
        <h3>"Augmentation (training images only)"</h3>
        <p class="muted">"Each batch of training images is varied anew: the model sees every picture a little differently each epoch. Validation, test and predicted pictures are never augmented."</p>
        <div class="form" data-testid="augment-settings">
            {number("Rotate up to (degrees, 0: off)", "augment-rotation", "5", |a| a.rotation, |a, v| a.rotation = v)}
            {number("Crop: smallest share of the area kept (1: off)", "augment-crop", "0.05",
                |a| a.crop_scale.map_or(1.0, |[low, _]| low),
                |a, v| a.crop_scale = (v < 1.0).then_some([v, 1.0]))}
            {check("Flip left to right", "augment-flip-horizontal", |a| a.flip_horizontal, |a, on| a.flip_horizontal = on)}
            {check("Flip top to bottom", "augment-flip-vertical", |a| a.flip_vertical, |a, on| a.flip_vertical = on)}
            {number("Brightness jitter (0-1)", "augment-brightness", "0.05", |a| a.brightness, |a, v| a.brightness = v)}
            {number("Contrast jitter (0-1)", "augment-contrast", "0.05", |a| a.contrast, |a, v| a.contrast = v)}
        </div>
        {move || problem().map(|p| view! { <p class="problem" data-testid="augment-problem">{p}</p> })}
        {move || studio.augment_preview.get().map(|images| preview(images, classes.clone()))}
    }
}

/// The preview grid: one row per class.
fn preview(images: Vec<AugmentedImage>, classes: Vec<String>) -> impl IntoView {
    view! {
        <table class="columns" data-testid="augment-preview">
            <thead><tr><th>"Class"</th><th>"As the model sees it"</th><th>"Augmented, as training may see it"</th></tr></thead>
            <tbody>
                {images.into_iter().map(|image| {
                    let class = classes.get(image.original.class).cloned().unwrap_or_default();
                    view! {
                        <tr>
                            <td class="name">{class}</td>
                            <td class="thumbs"><img class="thumb large" src=data_url(&image.original.png)
                                alt=image.original.file.clone() title=image.original.file.clone()/></td>
                            <td class="thumbs">{image.draws.iter().map(|png| view! {
                                <img class="thumb large" data-testid="augment-draw" src=data_url(png) alt="augmented"/>
                            }).collect_view()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

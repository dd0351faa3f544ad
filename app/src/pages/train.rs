//! Step 2: choose the target and train, watching the loss go down.

use leptos::prelude::*;

use super::loss_curve::LossCurve;
use super::lr_curve::LrCurve;
use super::settings::TrainSettings;
use crate::studio::{Studio, Unfinished, model_label};

#[component]
pub fn TrainPage() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let start = move |_| studio.train();
    let cancel = move |_| studio.cancel_run();
    let on_server = move |_| studio.train_on_server();
    let remote = move || studio.remote.with(Option::is_some);
    let pause = move |_| studio.toggle_pause();
    // The curve shows the model being trained now (the baseline first, then the chosen model).
    let current = Signal::derive(move || {
        studio.history.with(|h| {
            let model = h.last().map(|r| r.model.clone()).unwrap_or_default();
            h.iter().filter(|r| r.model == model).cloned().collect::<Vec<_>>()
        })
    });
    let planned = Signal::derive(move || studio.config.with(|c| c.schedule.preview(c.learning_rate, c.epochs)));
    let ready = move || studio.dataset.with(Option::is_some) && studio.backend.with(Option::is_some);
    let images = move || studio.dataset.with(|d| d.as_ref().is_some_and(|d| d.images.is_some()));

    view! {
        <section class="card" class:disabled=move || !ready()>
            <h2><span class="step">"2"</span>"Train"</h2>
            <div class="row">
                <label>"Predict "
                    <select data-testid="target-column" disabled=move || !ready() || studio.training.get()
                        on:change=move |ev| studio.choose_target(event_target_value(&ev))
                        prop:value=move || studio.target.get()>
                        {move || studio.dataset.get().map(|d| match d.images {
                            Some(_) => view! { <option value=d.suggested_target.clone()>"the class (each picture's folder)"</option> }.into_any(),
                            None => d.columns.into_iter().map(|c| {
                                let (value, label) = (c.name.clone(), c.name);
                                view! { <option value=value>{label}</option> }
                            }).collect::<Vec<_>>().into_any(),
                        })}
                    </select>
                </label>
                <button class="primary" data-testid="train-start" on:click=start
                    disabled=move || !ready() || studio.training.get() || studio.config.with(|c| c.validate().is_err())>"Train"</button>
                <Show when=move || studio.training.get()>
                    <Show when=move || !remote()>
                        <button data-testid="train-pause" on:click=pause>
                            {move || if studio.paused.get() { "Continue" } else { "Pause" }}
                        </button>
                    </Show>
                    <button data-testid="train-cancel" on:click=cancel>"Cancel"</button>
                </Show>
            </div>
            <Show when=move || !images()>
            <details class="remote" data-testid="train-remote-panel">
                <summary>"Train on a server instead"</summary>
                <p class="muted">"Sends the dataset and these settings to a "<code>"fornax serve"</code>" (this studio's own, or one with a GPU started with "<code>"--device cuda"</code>"), which trains there and registers the model; progress shows here as if it trained in the tab."</p>
                <div class="form">
                    <label>"Server"<input type="url" data-testid="remote-server" prop:value=move || studio.server_url.get() on:input=move |ev| studio.server_url.set(event_target_value(&ev))/></label>
                    <label>"Admin token"<input type="password" autocomplete="off" data-testid="remote-token" prop:value=move || studio.server_token.get() on:input=move |ev| studio.server_token.set(event_target_value(&ev))/></label>
                </div>
                <button data-testid="train-remote" on:click=on_server
                    disabled=move || !ready() || studio.training.get() || studio.config.with(|c| c.validate().is_err())>"Train on server"</button>
            </details>
            </Show>
            <p class="muted">{move || if images() {
                "A linear baseline trains first, then the model the settings describe, with 15% of the images of each class for validation and 15% held out for testing. Pictures train in the tab: servers train tables so far."
            } else {
                "A linear baseline trains first, then the model the settings describe, with 15% of rows for validation and 15% held out for testing."
            }}</p>
            <TrainSettings/>
            <p class="status" data-testid="train-status">{move || studio.status.get()}</p>
            {move || studio.checkpoint_note.get().map(|note| view! { <p class="muted" data-testid="checkpoint-status">{note}</p> })}
            <Show when=move || studio.history.with(|h| !h.is_empty())>
                <p class="curve-title">{move || current.with(|c| c.first().map(|r| model_label(&r.model)).unwrap_or_default())}</p>
                <LossCurve epochs=current/>
                <p class="curve-title">"Learning rate (planned, and used so far)"</p>
                <LrCurve planned=planned used=current/>
            </Show>
        </section>
    }
}

/// Offers the run a reload or a crashed tab interrupted, stored in this browser.
#[component]
pub fn ResumeOffer() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let resume = move |_| studio.resume_unfinished();
    let discard = move |_| studio.discard_unfinished();
    move || {
        studio.unfinished.get().map(|found| {
            let text = match found {
                Unfinished::Resumable { dataset, target, description, optimizer_restarts } => {
                    let restart = if optimizer_restarts {
                        " The optimizer's moments restart: the browser cannot restore them yet."
                    } else {
                        ""
                    };
                    format!("An unfinished run was saved in this browser: {target} from {dataset}, at {description}.{restart}")
                }
                Unfinished::Unreadable(e) => format!("A run saved in this browser cannot be resumed: {e}"),
            };
            let resumable = studio.unfinished.with(|u| matches!(u, Some(Unfinished::Resumable { .. })));
            view! {
                <div class="resume" data-testid="resume-offer">
                    <span>{text}</span>
                    <Show when=move || resumable>
                        <button class="primary" data-testid="resume-run" on:click=resume
                            disabled=move || studio.backend.with(Option::is_none) || studio.training.get()>"Resume"</button>
                    </Show>
                    <button data-testid="resume-discard" on:click=discard>"Discard"</button>
                </div>
            }
        })
    }
}

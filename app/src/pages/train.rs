//! Step 2: choose the target and train, watching the loss go down.

use leptos::prelude::*;

use super::loss_curve::LossCurve;
use super::lr_curve::LrCurve;
use super::settings::TrainSettings;
use crate::protocol::ToWorker;
use crate::studio::{Studio, model_label};

#[component]
pub fn TrainPage() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let start = move |_| {
        studio.error.set(None);
        studio.history.set(Vec::new());
        studio.trained.set(None);
        studio.prediction.set(None);
        studio.training.set(true);
        studio.status.set("Starting...".into());
        let config = studio.config.get_untracked();
        studio.send(&ToWorker::Train { target: studio.target.get_untracked(), config });
    };
    let cancel = move |_| studio.send(&ToWorker::Cancel);
    // The curve shows the model being trained now (the baseline first, then the MLP).
    let current = Signal::derive(move || {
        studio.history.with(|h| {
            let model = h.last().map(|r| r.model.clone()).unwrap_or_default();
            h.iter().filter(|r| r.model == model).cloned().collect::<Vec<_>>()
        })
    });
    let planned = Signal::derive(move || studio.config.with(|c| c.schedule.preview(c.learning_rate, c.epochs)));
    let ready = move || studio.dataset.with(Option::is_some) && studio.backend.with(Option::is_some);

    view! {
        <section class="card" class:disabled=move || !ready()>
            <h2><span class="step">"2"</span>"Train"</h2>
            <div class="row">
                <label>"Predict "
                    <select data-testid="target-column" disabled=move || !ready() || studio.training.get()
                        on:change=move |ev| studio.target.set(event_target_value(&ev))
                        prop:value=move || studio.target.get()>
                        {move || studio.dataset.get().map(|d| d.columns.into_iter().map(|c| {
                            let (value, label) = (c.name.clone(), c.name);
                            view! { <option value=value>{label}</option> }
                        }).collect::<Vec<_>>())}
                    </select>
                </label>
                <button class="primary" data-testid="train-start" on:click=start
                    disabled=move || !ready() || studio.training.get() || studio.config.with(|c| c.validate().is_err())>"Train"</button>
                <Show when=move || studio.training.get()>
                    <button on:click=cancel>"Cancel"</button>
                </Show>
            </div>
            <p class="muted">"A linear baseline trains first, then the model the settings describe, with 15% of rows for validation and 15% held out for testing."</p>
            <TrainSettings/>
            <p class="status" data-testid="train-status">{move || studio.status.get()}</p>
            <Show when=move || studio.history.with(|h| !h.is_empty())>
                <p class="curve-title">{move || current.with(|c| c.first().map(|r| model_label(&r.model)).unwrap_or_default())}</p>
                <LossCurve epochs=current/>
                <p class="curve-title">"Learning rate (planned, and used so far)"</p>
                <LrCurve planned=planned used=current/>
            </Show>
        </section>
    }
}

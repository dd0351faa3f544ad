//! Which compute backend runs training, and why.

use leptos::prelude::*;

use crate::studio::Studio;

#[component]
pub fn EnvironmentPage() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let title = move || {
        studio.backend.with(|b| match b {
            Some(b) => {
                let limits = b.limits.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
                format!("{}\n{}", b.reason, limits)
            }
            None => "the training engine is loading".into(),
        })
    };
    view! {
        <div class="environment" title=title>
            <span class="label">"Backend"</span>
            <span class="backend" data-testid="backend-name">
                {move || studio.backend.with(|b| b.as_ref().map_or("starting...".to_string(), |b| b.name.clone()))}
            </span>
            <span class="version">{format!("v{}", fornax_core::VERSION)}</span>
        </div>
    }
}

//! Which compute backend runs training, and why.

use leptos::prelude::*;

use crate::offline::Offline;
use crate::studio::Studio;

#[component]
pub fn EnvironmentPage() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let offline = expect_context::<Offline>();
    let title = move || {
        studio.backend.with(|b| match b {
            Some(b) => {
                let limits = b.limits.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
                format!("{}\n{}", b.reason, limits)
            }
            None => "the training engine is loading".into(),
        })
    };
    // The device is chosen when the worker starts, so switching reloads the page with or
    // without `?backend=cpu`. Offered only when there is something to switch to.
    let switch = move || {
        let forced_cpu = !crate::studio::webgpu_wanted();
        let on_webgpu = studio.backend.with(|b| b.as_ref().is_some_and(fornax_wire::worker::Backend::is_webgpu));
        let (href, text) = match (forced_cpu, on_webgpu) {
            (true, _) => ("?", "try WebGPU"),
            (false, true) => ("?backend=cpu", "use the CPU"),
            (false, false) => return None,
        };
        Some(view! { <a class="switch" href=href data-testid="backend-switch">{text}</a> })
    };
    view! {
        <div class="environment" title=title>
            <span class="label">"Backend"</span>
            <span class="backend" data-testid="backend-name">
                {move || studio.backend.with(|b| b.as_ref().map_or("starting...".to_string(), |b| b.name.clone()))}
            </span>
            {switch}
            {move || offline.ready.get().then(|| view! {
                <span class="offline-ready" data-testid="offline-ready"
                    title="Every file of the studio is stored in this browser: it loads and trains with no network.">
                    "works offline"
                </span>
            })}
            <span class="version">{format!("v{}", fornax_core::VERSION)}</span>
        </div>
    }
}

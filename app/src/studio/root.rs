//! The page: every step in the order a user works, the error banner, and how the
//! studio starts (the worker, the stored run, the project, the offline cache).

use leptos::prelude::*;

use super::Studio;
use crate::offline::{self, Offline, UpdateBanner};
use crate::pages::{
    DataPage, DeployPage, EnvironmentPage, EvaluatePage, NetworkLedger, ProjectsPage, ResumeOffer, TrainPage,
};
use crate::worker_bridge;
use fornax_wire::worker::ToWorker;

/// The whole studio, in the order a user works: environment, data, train, evaluate, deploy.
#[component]
pub fn App() -> impl IntoView {
    let studio = Studio::new();
    provide_context(studio);
    studio.inspect_on_change();
    let started = worker_bridge::spawn(move |m, bytes| studio.on_message(m, bytes), move |e| studio.worker_crashed(e));
    match started {
        Ok(()) => studio.send(&ToWorker::Init { webgpu: webgpu_wanted(), cpu_reason: None }),
        Err(e) => studio.error.set(Some(e)),
    }
    leptos::task::spawn_local(studio.find_unfinished());
    studio.projects.start();
    leptos::task::spawn_local(crate::ledger::load());
    let offline = Offline { ready: RwSignal::new(false), update_waiting: RwSignal::new(false) };
    provide_context(offline);
    offline::start(offline);
    view! {
        <header class="top">
            <div class="brand">"Fornax"<span class="tagline">"machine learning in your browser"</span></div>
            <EnvironmentPage/>
        </header>
        <UpdateBanner/>
        <ErrorBanner/>
        <main>
            <ResumeOffer/>
            <ProjectsPage/>
            <DataPage/>
            <TrainPage/>
            <EvaluatePage/>
            <DeployPage/>
            <NetworkLedger/>
        </main>
    }
}

/// The address this studio was loaded from: its own `fornax serve`.
pub fn own_origin() -> String {
    web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default()
}

/// `?backend=cpu` in the URL switches WebGPU off.
pub fn webgpu_wanted() -> bool {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    !search.contains("backend=cpu")
}

#[component]
fn ErrorBanner() -> impl IntoView {
    let studio = expect_context::<Studio>();
    move || {
        studio.error.get().map(|message| {
            view! {
                <div class="error" role="alert" data-testid="error-banner">
                    <span>{message}</span>
                    <button class="link" on:click=move |_| studio.error.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}

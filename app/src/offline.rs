//! The service worker (`sw.js`, written into each build by trunk's post_build hook):
//! registers it, says when the studio is ready to work offline, and offers a new build
//! when one was deployed. The new build takes over only when the user says so; the page
//! then reloads, so a page never runs on a mix of two builds' files.

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState};

/// What the page shows about offline use.
#[derive(Clone, Copy)]
pub struct Offline {
    /// This build is cached: the studio loads and trains with no network.
    pub ready: RwSignal<bool>,
    /// A newer build is installed and waits for "reload to update".
    pub update_waiting: RwSignal<bool>,
}

thread_local! {
    static REGISTRATION: RefCell<Option<ServiceWorkerRegistration>> = const { RefCell::new(None) };
    /// The user asked for the new build: reload when it takes control.
    static RELOAD_ON_CHANGE: Cell<bool> = const { Cell::new(false) };
}

/// Registers the service worker. Browsers offer service workers only on secure origins
/// (https, or loopback); elsewhere the studio works online only, and says nothing.
pub fn start(offline: Offline) {
    let Some(container) = container() else { return };
    let on_controller_change = Closure::<dyn FnMut()>::new(|| {
        if RELOAD_ON_CHANGE.get() {
            let _ = web_sys::window().map(|w| w.location().reload());
        }
    });
    container.set_oncontrollerchange(Some(on_controller_change.as_ref().unchecked_ref()));
    on_controller_change.forget();
    leptos::task::spawn_local(async move {
        let registration = match JsFuture::from(container.register("/sw.js")).await {
            Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
            Err(e) => {
                web_sys::console::warn_1(&format!("offline use is unavailable: {e:?}").into());
                return;
            }
        };
        let controlled = container.controller().is_some();
        if controlled && registration.waiting().is_some() {
            offline.update_waiting.set(true);
        }
        let watched = registration.clone();
        let on_update_found = Closure::<dyn FnMut()>::new(move || {
            if let Some(installing) = watched.installing() {
                watch_install(&installing, controlled, offline);
            }
        });
        registration.set_onupdatefound(Some(on_update_found.as_ref().unchecked_ref()));
        on_update_found.forget();
        if let Some(installing) = registration.installing() {
            watch_install(&installing, controlled, offline);
        }
        REGISTRATION.with(|r| *r.borrow_mut() = Some(registration));
        // Resolves once a worker is active: every file of the build is cached by then.
        if JsFuture::from(container.ready().unwrap_or_else(|_| js_sys::Promise::resolve(&JsValue::NULL))).await.is_ok()
        {
            offline.ready.set(true);
        }
    });
}

/// A worker being installed: a new build when the page already had a worker.
fn watch_install(worker: &ServiceWorker, page_had_worker: bool, offline: Offline) {
    let installing = worker.clone();
    let on_state = Closure::<dyn FnMut()>::new(move || {
        if installing.state() == ServiceWorkerState::Installed && page_had_worker {
            offline.update_waiting.set(true);
        }
    });
    worker.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
    on_state.forget();
}

/// Lets the waiting build take over; the page reloads when it has.
pub fn apply_update() {
    let waiting = REGISTRATION.with(|r| r.borrow().as_ref().and_then(|r| r.waiting()));
    match waiting {
        Some(worker) => {
            RELOAD_ON_CHANGE.set(true);
            let _ = worker.post_message(&JsValue::from_str("skip-waiting"));
        }
        // Already active (another tab accepted it): a reload picks it up.
        None => {
            let _ = web_sys::window().map(|w| w.location().reload());
        }
    }
}

fn container() -> Option<ServiceWorkerContainer> {
    let navigator = web_sys::window()?.navigator();
    let present = js_sys::Reflect::get(&navigator, &JsValue::from_str("serviceWorker")).ok()?;
    (!present.is_undefined()).then(|| present.unchecked_into())
}

/// The prompt shown when a new build waits.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let offline = expect_context::<Offline>();
    move || {
        offline.update_waiting.get().then(|| {
            view! {
                <div class="update" role="status" data-testid="update-ready">
                    <span>"A new version of Fornax is ready."</span>
                    <button class="primary" data-testid="update-reload" on:click=move |_| apply_update()>
                        "Reload to update"
                    </button>
                </div>
            }
        })
    }
}

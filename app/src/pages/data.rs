//! Step 1: bring in a dataset (the demo or a local CSV), look at its columns, and
//! prepare it ([`DataStudio`]).

use fornax_core::data::ColumnKind;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::HtmlInputElement;

use super::data_studio::DataStudio;
use crate::studio::Studio;

/// The demo dataset shipped in `public/demo/`.
const DEMO: &str = "demo/wine.csv";
/// Larger files are refused before reading, so the tab never runs out of memory.
const MAX_FILE_BYTES: f64 = fornax_core::limits::MAX_TAB_CSV_BYTES as f64;
const MIB: f64 = 1024.0 * 1024.0;

#[component]
pub fn DataPage() -> impl IntoView {
    let studio = expect_context::<Studio>();

    let load_demo = move |_| {
        studio.loading.set(Some("wine.csv".into()));
        spawn_local(async move {
            match fetch_bytes(DEMO).await {
                Ok(bytes) => studio.load_csv("wine.csv", bytes),
                Err(e) => {
                    studio.loading.set(None);
                    studio.error.set(Some(format!("could not load the demo dataset: {e}")));
                }
            }
        });
    };

    let pick_file = move |ev: web_sys::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        if file.size() > MAX_FILE_BYTES {
            studio.error.set(Some(format!(
                "{} is {:.0} MiB; the tab takes files up to {:.0} MiB",
                file.name(),
                file.size() / MIB,
                MAX_FILE_BYTES / MIB
            )));
            return;
        }
        studio.loading.set(Some(file.name()));
        spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => studio.load_csv(&file.name(), buffer.unchecked_into()),
                Err(e) => {
                    studio.loading.set(None);
                    studio.error.set(Some(format!("could not read {}: {e:?}", file.name())));
                }
            }
        });
    };

    view! {
        <section class="card">
            <h2><span class="step">"1"</span>"Data"</h2>
            <div class="row">
                <button data-testid="dataset-demo" on:click=load_demo disabled=move || studio.training.get()>
                    "Use the demo dataset (wine)"
                </button>
                <span class="or">"or"</span>
                <label class="file">
                    "Open a CSV file..."
                    <input type="file" accept=".csv,text/csv" data-testid="dataset-file" on:change=pick_file
                        disabled=move || studio.training.get()/>
                </label>
                {move || studio.loading.get().map(|name| view! { <span class="muted">{format!("reading {name}...")}</span> })}
            </div>
            {move || studio.dataset.get().map(|d| view! {
                <p class="muted">{format!("{}: {} rows, {} columns", d.name, d.rows, d.columns.len())}</p>
                <div class="scroll">
                <table class="columns" data-testid="column-table">
                    <thead><tr><th>"Column"</th><th>"Type"</th><th>"Missing"</th><th>"Distinct"</th><th>"Examples"</th></tr></thead>
                    <tbody>
                        {d.columns.into_iter().map(|c| view! {
                            <tr>
                                <td class="name">{c.name}</td>
                                <td>{match c.kind { ColumnKind::Numeric => "numeric", ColumnKind::Categorical => "categorical" }}</td>
                                <td class="num">{c.missing}</td>
                                <td class="num">{c.unique}</td>
                                <td class="muted">{c.examples.join(", ")}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
                </div>
            })}
            <DataStudio/>
        </section>
    }
}

async fn fetch_bytes(url: &str) -> Result<js_sys::ArrayBuffer, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.map_err(|e| format!("{e:?}"))?.unchecked_into();
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let buffer =
        JsFuture::from(response.array_buffer().map_err(|e| format!("{e:?}"))?).await.map_err(|e| format!("{e:?}"))?;
    Ok(buffer.unchecked_into())
}

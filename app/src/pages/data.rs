//! Step 1: bring in a dataset (a demo, a local CSV, or a folder or `.zip` of pictures),
//! look at its columns or its images ([`ImageOverview`]), and prepare it ([`DataStudio`]).

use fornax_core::data::{ColumnKind, MISSING_MARKERS};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::HtmlInputElement;

use super::data_studio::DataStudio;
use super::image_overview::{BadImagesOffer, ImageOverview};
use crate::studio::Studio;

/// The demo datasets shipped in `public/demo/`.
const DEMOS: [&str; 3] = ["wine.csv", "penguins.csv", "digits-images.zip"];
/// Larger files are refused before reading, so the tab never runs out of memory.
const MAX_FILE_BYTES: f64 = fornax_core::limits::MAX_TAB_CSV_BYTES as f64;
const MIB: f64 = 1024.0 * 1024.0;

#[component]
pub fn DataPage() -> impl IntoView {
    let studio = expect_context::<Studio>();

    let load_demo = move |name: &'static str| {
        studio.reading(name.into());
        spawn_local(async move {
            match fetch_bytes(&format!("demo/{name}")).await {
                Ok(bytes) => studio.load_file(name, bytes),
                Err(e) => studio.read_failed(format!("could not load the demo dataset: {e}")),
            }
        });
    };

    let pick_file = move |ev: web_sys::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        open_file(studio, file);
    };
    // `webkitdirectory` makes the picker choose folders; the view macro knows no such
    // attribute, so it is set once the input exists.
    let folder_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder_input.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    let pick_folder = move |ev: web_sys::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) else { return };
        let Some(list) = input.files() else { return };
        let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        input.set_value("");
        open_folder(studio, files);
    };
    // A file dropped anywhere on this card opens as if picked.
    let dragging = RwSignal::new(false);
    let drag_over = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(!studio.training.get_untracked());
    };
    let drop_file = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if studio.training.get_untracked() {
            return;
        }
        if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            open_file(studio, file);
        }
    };

    view! {
        <section class="card" class:dragging=move || dragging.get() data-testid="data-card"
            on:dragover=drag_over on:dragleave=move |_| dragging.set(false) on:drop=drop_file>
            <h2><span class="step">"1"</span>"Data"</h2>
            <div class="row">
                <span>"Demo data:"</span>
                <button data-testid="dataset-demo" title="UCI wine: 178 rows, 13 measurements, 3 cultivars"
                    on:click=move |_| load_demo(DEMOS[0]) disabled=move || studio.training.get()>"wine"</button>
                <button data-testid="dataset-demo-penguins" title="Palmer penguins: 344 rows, with missing values and categories"
                    on:click=move |_| load_demo(DEMOS[1]) disabled=move || studio.training.get()>"penguins"</button>
                <button data-testid="dataset-demo-digits" title="scikit-learn's digits: 1,797 8x8 pictures of handwritten digits, a folder per digit"
                    on:click=move |_| load_demo(DEMOS[2]) disabled=move || studio.training.get()>"digits (images)"</button>
                <span class="or">"or"</span>
                <label class="file" title="A CSV, or a .zip whose subfolders are the classes of its pictures">
                    "Open a CSV or .zip..."
                    <input type="file" accept=".csv,.tsv,.zip,text/csv,text/tab-separated-values,application/zip" data-testid="dataset-file" on:change=pick_file
                        disabled=move || studio.training.get()/>
                </label>
                <label class="file" title="A folder whose subfolders are the classes: PNG, JPEG, WebP, BMP or GIF">
                    "Open a folder of pictures..."
                    <input type="file" node_ref=folder_input multiple=true data-testid="dataset-folder" on:change=pick_folder
                        disabled=move || studio.training.get()/>
                </label>
                <span class="muted">"or drop one here"</span>
                {move || studio.loading.get().map(|name| view! {
                    <span class="muted" data-testid="load-progress">
                        <progress max="1" prop:value=move || studio.load_fraction.get()></progress>
                        {move || format!(" reading {name}... {:.0}%", 100.0 * studio.load_fraction.get())}
                    </span>
                })}
            </div>
            <RaggedOffer/>
            <BadImagesOffer/>
            {move || studio.dataset.get().and_then(|d| Some((d.name.clone(), d.images?))).map(|(name, summary)| view! {
                <ImageOverview name=name summary=summary/>
            })}
            {move || studio.dataset.get().filter(|d| d.images.is_none()).map(|d| view! {
                <p class="muted" data-testid="dataset-summary">
                    {format!("{}: {} rows, {} columns", d.name, d.rows, d.columns.len())}
                    {d.skipped.map(|r| format!(" ({} ragged row{} left out)", r.count, if r.count == 1 { "" } else { "s" }))}
                </p>
                <div class="scroll">
                <table class="columns" data-testid="column-table">
                    <thead><tr><th>"Column"</th><th>"Role"</th><th>"Read as"</th><th>"Missing"</th><th>"Distinct"</th><th>"Examples"</th></tr></thead>
                    <tbody>
                        {d.columns.into_iter().map(|c| view! {
                            <tr>
                                <td class="name">{c.name.clone()}</td>
                                <td><RoleSelect column=c.name.clone()/></td>
                                <td><TypeSelect column=c.name.clone() imported=c.kind/></td>
                                <td class="num">{c.missing}</td>
                                <td class="num">{c.unique}</td>
                                <td class="muted">{c.examples.join(", ")}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
                </div>
                <MissingMarkers/>
            })}
            <DataStudio/>
        </section>
    }
}

/// Reads a picked or dropped file and sends it to the worker; larger files than the tab
/// takes are refused before reading, with the limit.
fn open_file(studio: Studio, file: web_sys::File) {
    if file.size() > MAX_FILE_BYTES {
        studio.show_error(format!(
            "{} is {:.0} MiB; the tab takes files up to {:.0} MiB",
            file.name(),
            file.size() / MIB,
            MAX_FILE_BYTES / MIB
        ));
        return;
    }
    studio.reading(file.name());
    spawn_local(async move {
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => studio.load_file(&file.name(), buffer.unchecked_into()),
            Err(e) => studio.read_failed(format!("could not read {}: {e:?}", file.name())),
        }
    });
}

/// Reads every file of a picked folder (each knows its path inside it) into one buffer
/// and sends them to the worker; a folder larger than the tab takes is refused first.
fn open_folder(studio: Studio, files: Vec<web_sys::File>) {
    let Some(first) = files.first() else { return };
    let path = relative_path(first);
    let folder = path.split('/').next().unwrap_or("folder").to_string();
    let total: f64 = files.iter().map(|f| f.size()).sum();
    if total > MAX_FILE_BYTES {
        return studio.show_error(format!(
            "{folder} holds {:.0} MiB; the tab takes folders up to {:.0} MiB",
            total / MIB,
            MAX_FILE_BYTES / MIB
        ));
    }
    studio.reading(folder.clone());
    spawn_local(async move {
        let all = js_sys::Uint8Array::new_with_length(total as u32);
        let mut listed = Vec::with_capacity(files.len());
        let mut at = 0u32;
        for file in &files {
            let buffer = match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => js_sys::Uint8Array::new(&buffer),
                Err(e) => return studio.read_failed(format!("could not read {}: {e:?}", relative_path(file))),
            };
            all.set(&buffer, at);
            at += buffer.length();
            // The path inside the picked folder: `digits/3/7.png` -> `3/7.png`.
            let path = relative_path(file);
            let inside = path.split_once('/').map_or(path.as_str(), |(_, rest)| rest).to_string();
            listed.push((inside, buffer.length() as usize));
        }
        studio.load_folder(&folder, listed, all.buffer());
    });
}

/// A picked folder's file's path from the folder (`digits/3/7.png`): read through
/// `Reflect`, as web-sys does not bind `webkitRelativePath`.
fn relative_path(file: &web_sys::File) -> String {
    js_sys::Reflect::get(file, &"webkitRelativePath".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| file.name())
}

/// A file had ragged rows: skip them and load the rest, or stop.
#[component]
fn RaggedOffer() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let choose = move |skip: bool| studio.choose_skip(skip);
    move || {
        studio.ragged.get().map(|(name, rows)| {
            let these = if rows.count == 1 { "this row".to_string() } else { format!("these {} rows", rows.count) };
            view! {
                <div class="resume" data-testid="ragged-offer">
                    <span>{format!("{name}: {}.", rows.describe())}</span>
                    <button class="primary" data-testid="ragged-skip" on:click=move |_| choose(true)>
                        {format!("Skip {these} and load the rest")}
                    </button>
                    <button data-testid="ragged-stop" on:click=move |_| choose(false)>"Stop"</button>
                </div>
            }
        })
    }
}

/// Feature, target or ignored. Ignoring a column is a step of the plan; the target is
/// the one the run predicts (pick another column's role to change it).
#[component]
fn RoleSelect(column: String) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let name = column.clone();
    let role = Memo::new(move |_| {
        if studio.target.get() == name {
            "target"
        } else if studio.config.with(|c| c.prep.is_ignored(&name)) {
            "ignore"
        } else {
            "feature"
        }
    });
    let change = move |ev: web_sys::Event| {
        let value = event_target_value(&ev);
        if value == "target" {
            studio.choose_target(column.clone());
        } else {
            studio.config.update(|c| c.prep.set_ignored(&column, value == "ignore"));
        }
    };
    view! {
        <select data-testid="column-role" prop:value=move || role.get() on:change=change
            disabled=move || role.get() == "target" || studio.training.get()>
            <option value="feature">"feature"</option>
            <option value="target">"target"</option>
            <option value="ignore">"ignore"</option>
        </select>
    }
}

/// Numbers or categories: as the file reads, or as the user says (a step of the plan).
#[component]
fn TypeSelect(column: String, imported: ColumnKind) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let name = column.clone();
    // The type the data page's report sees, after missing markers; else the file's.
    let kind = Memo::new(move |_| {
        studio.config.with(|c| c.prep.type_override(&name)).unwrap_or_else(|| {
            studio
                .report
                .with(|r| {
                    r.as_ref()?.profile.columns.iter().find(|p| p.name == name).map(|p| match p.numeric {
                        Some(_) => ColumnKind::Numeric,
                        None => ColumnKind::Categorical,
                    })
                })
                .unwrap_or(imported)
        })
    });
    let change = move |ev: web_sys::Event| {
        let kind = if event_target_value(&ev) == "number" { ColumnKind::Numeric } else { ColumnKind::Categorical };
        studio.config.update(|c| c.prep.set_type(&column, kind, imported));
    };
    view! {
        <select data-testid="column-type" on:change=change disabled=move || studio.training.get()
            prop:value=move || if kind.get() == ColumnKind::Numeric { "number" } else { "category" }>
            <option value="number">"numbers"</option>
            <option value="category">"categories"</option>
        </select>
    }
}

/// Texts read as missing beyond the built-in ones, in every column.
#[component]
fn MissingMarkers() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let builtin: Vec<&str> = MISSING_MARKERS.iter().map(|m| if m.is_empty() { "empty" } else { m }).collect();
    view! {
        <div class="row markers">
            <label>{format!("Read as missing: {} and ", builtin.join(", "))}
                <input data-testid="missing-markers" placeholder="e.g. -999, unknown"
                    prop:value=move || studio.config.with(|c| c.prep.missing_markers().join(", "))
                    on:change=move |ev| {
                        let markers: Vec<String> = event_target_value(&ev).split(',').map(str::to_string).collect();
                        studio.config.update(|c| c.prep.set_missing_markers(&markers));
                    }
                    disabled=move || studio.training.get()/>
            </label>
            <span class="muted">"(comma-separated; any case)"</span>
        </div>
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

//! The open project: its runs (each can be opened again: model, curves and metrics),
//! and the projects kept in this browser, with rename, duplicate, delete, export and
//! import, and how much of the browser's storage they use.

use fornax_core::metrics::Metrics;
use fornax_core::project::Project;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::settings::model_summary;
use super::size;
use crate::studio::Studio;

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let projects = studio.projects;
    let renaming = RwSignal::new(None::<String>);
    let confirm_delete = RwSignal::new(false);
    let current = move || projects.current.get();
    let busy = move || studio.training.get();

    let pick_import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        leptos::task::spawn_local(async move {
            match JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => projects.import(file.name(), js_sys::Uint8Array::new(&buffer).to_vec()),
                Err(e) => studio.show_error(format!("{} cannot be read: {e:?}", file.name())),
            }
        });
    };

    let header = move || {
        current().map(|p| {
            let id = p.id.clone();
            let (dup_id, export_id, delete_id) = (id.clone(), id.clone(), id.clone());
            let name = p.name.clone();
            view! {
                <div class="project-head">
                    {move || match renaming.get() {
                        Some(text) => view! {
                            <form class="rename" on:submit=move |ev| {
                                ev.prevent_default();
                                projects.rename(renaming.get_untracked().unwrap_or_default());
                                renaming.set(None);
                            }>
                                <input data-testid="project-rename-input" prop:value=text maxlength="120"
                                    on:input=move |ev| renaming.set(Some(event_target_value(&ev)))/>
                                <button class="primary" type="submit" data-testid="project-rename-save">"Save"</button>
                                <button type="button" on:click=move |_| renaming.set(None)>"Cancel"</button>
                            </form>
                        }.into_any(),
                        None => view! { <strong class="project-name" data-testid="project-name">{name.clone()}</strong> }.into_any(),
                    }}
                    <span class="muted" data-testid="project-size">{describe(&p)}</span>
                    <span class="actions">
                        <button class="link" data-testid="project-rename" on:click={
                            let name = p.name.clone();
                            move |_| renaming.set(Some(name.clone()))
                        }>"Rename"</button>
                        <button class="link" data-testid="project-duplicate" disabled=busy on:click=move |_| projects.duplicate(dup_id.clone())>"Duplicate"</button>
                        <button class="link" data-testid="project-export" on:click=move |_| projects.export(export_id.clone())>"Export"</button>
                        {move || if confirm_delete.get() {
                            let id = delete_id.clone();
                            view! {
                                <span class="confirm">"Delete it and everything in it?"
                                    <button class="link danger" data-testid="project-delete-confirm" on:click=move |_| {
                                        confirm_delete.set(false);
                                        projects.delete(id.clone());
                                    }>"Delete"</button>
                                    <button class="link" on:click=move |_| confirm_delete.set(false)>"Keep"</button>
                                </span>
                            }.into_any()
                        } else {
                            view! { <button class="link" data-testid="project-delete" disabled=busy on:click=move |_| confirm_delete.set(true)>"Delete"</button> }.into_any()
                        }}
                    </span>
                </div>
            }
        })
    };

    let runs = move || {
        let Some(p) = current() else { return view! { <p class="muted">"Opening the project..."</p> }.into_any() };
        if p.runs.is_empty() {
            return view! { <p class="muted" data-testid="project-no-runs">"No runs yet: each run you train is kept here with its model, curves and metrics."</p> }.into_any();
        }
        let rows = p.runs.iter().rev().map(|run| {
            let dataset = p.dataset(&run.dataset).map_or("?".into(), |d| d.name.clone());
            let open = run.clone();
            view! {
                <tr data-testid="project-run">
                    <td class="num">{run.id}</td>
                    <td>{format!("{} from {dataset}", run.target)}</td>
                    <td>{model_summary(&run.config)}</td>
                    <td data-testid="project-run-metric">{metric(&run.test)}</td>
                    <td class="num">{run.epochs_run}</td>
                    <td>{run.trained_on.clone()}</td>
                    <td>{when(run.created_ms)}</td>
                    <td><button class="link" data-testid="project-run-open" disabled=busy on:click=move |_| studio.open_run(open.clone())>"Open"</button></td>
                </tr>
            }
        }).collect::<Vec<_>>();
        view! {
            <table data-testid="project-runs">
                <thead><tr><th>"#"</th><th>"Target"</th><th>"Model"</th><th>"Test score"</th><th>"Epochs"</th><th>"Trained on"</th><th>"When"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }.into_any()
    };

    let others = move || {
        let open_id = projects.current.with(|p| p.as_ref().map(|p| p.id.clone()));
        projects.all.get().into_iter().filter(|p| Some(&p.id) != open_id.as_ref()).map(|p| {
            let id = p.id.clone();
            view! {
                <li data-testid="project-list-item">
                    <button class="link" disabled=busy on:click=move |_| projects.switch_to(id.clone())>{p.name.clone()}</button>
                    <span class="muted">{format!(" {} · changed {}", describe(&p), when(p.updated_ms))}</span>
                </li>
            }
        }).collect::<Vec<_>>()
    };

    let storage = move || {
        projects.storage.get().map(|s| {
            let kept = if s.persisted {
                "the browser keeps it until you delete it."
            } else {
                "this browser did not grant persistent storage, so it may delete this data when space runs low: export projects you want to keep."
            };
            let full = s.nearly_full().then_some(" Storage is nearly full: new datasets and runs may not fit.");
            view! {
                <p class=move || if s.nearly_full() { "storage warn" } else { "storage muted" } data-testid="storage-status">
                    {format!("Stored in this browser: {} used of {} available; {kept}{}", size(s.usage as usize), size(s.quota as usize), full.unwrap_or(""))}
                </p>
            }
        })
    };

    view! {
        <section class="card projects" data-testid="project">
            <h2>"Project"</h2>
            {header}
            {runs}
            <details class="project-list" data-testid="project-list">
                <summary>{move || format!("All projects in this browser ({})", projects.all.with(|a| a.len()))}</summary>
                <ul>{others}</ul>
                <div class="row">
                    <button data-testid="project-new" disabled=busy on:click=move |_| projects.create("Untitled project".into())>"New project"</button>
                    <label class="file">"Import a project file..."
                        <input type="file" accept=".fornax-project,application/zip" data-testid="project-import" on:change=pick_import/>
                    </label>
                </div>
            </details>
            {storage}
        </section>
    }
}

fn describe(p: &Project) -> String {
    let runs = p.runs.len();
    format!(
        "{} run{} · {} dataset{} · {}",
        runs,
        if runs == 1 { "" } else { "s" },
        p.datasets.len(),
        if p.datasets.len() == 1 { "" } else { "s" },
        size(p.bytes() as usize)
    )
}

/// The run's headline test score.
fn metric(m: &Metrics) -> String {
    match m {
        Metrics::Classification { accuracy, .. } => format!("accuracy {accuracy:.3}"),
        Metrics::Regression { r2, .. } => format!("R² {r2:.3}"),
    }
}

/// A time as `2026-11-28 01:30` in the user's time zone.
fn when(ms: u64) -> String {
    let d = js_sys::Date::new(&(ms as f64).into());
    format!(
        "{}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

fn event_target<T: JsCast>(ev: &leptos::ev::Event) -> T {
    ev.target().expect("an event target").unchecked_into()
}

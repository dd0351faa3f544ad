//! The data studio under step 1: the profile of the data as it will be trained on,
//! cleaning steps (each with what it did, undoable), encoding and scaling, the split,
//! the train-versus-test check, and exports. The worker computes the report
//! ([`fornax_core::train::DataReport`]) whenever these settings change.

use fornax_core::data::clean::{Fill, FillValue, OutlierAction, OutlierMethod};
use fornax_core::data::drift::DriftTest;
use fornax_core::data::profile::ColumnProfile;
use fornax_core::data::{DetectedType, Encoding, Prep, Scaling, Step};
use fornax_core::train::DataReport;
use leptos::prelude::*;

use super::bars::{Bars, Overlay};
use super::{download, size};
use crate::studio::Studio;
use fornax_wire::worker::ToWorker;

/// The add-a-step form's choices: kept across reports, which redraw the page below.
#[derive(Clone, Copy)]
struct StepForm {
    kind: RwSignal<String>,
    column: RwSignal<String>,
    fill: RwSignal<String>,
    constant: RwSignal<String>,
}

#[component]
pub fn DataStudio() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let form = StepForm {
        kind: RwSignal::new("fill_missing".to_string()),
        column: RwSignal::new(String::new()),
        fill: RwSignal::new("mean".to_string()),
        constant: RwSignal::new(String::new()),
    };
    provide_context(form);
    view! {
        {move || studio.report.get().map(|report| view! {
            <Summary report=report.clone()/>
            <ProfileTable report=report.clone()/>
            <Cleaning report=report.clone()/>
            <EncodeAndSplit report=report.clone()/>
            <TrainTestCheck report=report.clone()/>
            <Exports report=report/>
        })}
    }
}

/// The most frequent classes named in the summary line; the rest are counted.
const SHOWN_CLASSES: usize = 8;

#[component]
fn Summary(report: DataReport) -> impl IntoView {
    let p = &report.profile;
    let balance = p.target_balance.as_ref().map(|b| {
        let total: usize = b.iter().map(|(_, n)| n).sum();
        let mut parts: Vec<String> = b
            .iter()
            .take(SHOWN_CLASSES)
            .map(|(c, n)| format!("{c} {:.0}%", 100.0 * *n as f64 / total.max(1) as f64))
            .collect();
        if b.len() > SHOWN_CLASSES {
            parts.push(format!("and {} more", b.len() - SHOWN_CLASSES));
        }
        format!(" · {} class{}: {}", b.len(), if b.len() == 1 { "" } else { "es" }, parts.join(", "))
    });
    view! {
        <p class="muted" data-testid="data-summary">
            {format!(
                "As prepared: {} rows, {} columns, {} duplicate rows, {} missing cells, {} in memory{}",
                p.rows, p.columns.len(), p.duplicate_rows, p.missing_cells(), size(p.memory_bytes), balance.unwrap_or_default()
            )}
        </p>
    }
}

fn type_label(t: DetectedType) -> &'static str {
    match t {
        DetectedType::Integer => "integer",
        DetectedType::Float => "float",
        DetectedType::Boolean => "boolean",
        DetectedType::DateTime => "date/time",
        DetectedType::Categorical => "categorical",
        DetectedType::Text => "free text",
        DetectedType::Identifier => "identifier",
        DetectedType::Empty => "empty",
    }
}

#[component]
fn ProfileTable(report: DataReport) -> impl IntoView {
    let rows = report.profile.rows.max(1) as f64;
    let row = move |c: ColumnProfile| {
        let (summary, chart) = match &c.numeric {
            Some(s) => (s.summary(), {
                let counts: Vec<f64> = s.histogram.counts.iter().map(|&n| n as f64).collect();
                let title = format!("{}: {} to {}", c.name, s.min, s.max);
                view! { <Bars values=counts title=title/> }.into_any()
            }),
            None => (c.top.iter().take(4).map(|(v, n)| format!("{v} ({n})")).collect::<Vec<_>>().join(", "), {
                let counts: Vec<f64> = c.top.iter().map(|(_, n)| *n as f64).collect();
                let title = format!("{}: top {} values", c.name, c.top.len());
                view! { <Bars values=counts title=title/> }.into_any()
            }),
        };
        let warn = matches!(c.detected, DetectedType::Identifier | DetectedType::Text | DetectedType::Empty);
        view! {
            <tr class:warn=warn>
                <td class="name">{c.name.clone()}</td>
                <td>{type_label(c.detected)}</td>
                <td class="num">{format!("{} ({:.1}%)", c.missing, 100.0 * c.missing as f64 / rows)}</td>
                <td class="num">{c.unique}</td>
                <td>{chart}</td>
                <td class="muted summary">{summary}</td>
            </tr>
        }
    };
    view! {
        <div class="scroll">
            <table class="columns profile" data-testid="profile-table">
                <thead><tr><th>"Column"</th><th>"Type"</th><th>"Missing"</th><th>"Distinct"</th><th>"Distribution"</th><th>"Summary"</th></tr></thead>
                <tbody>{report.profile.columns.into_iter().map(row).collect::<Vec<_>>()}</tbody>
            </table>
        </div>
    }
}

/// Adds a step to the plan (the report follows).
fn add_step(studio: Studio, step: Step) {
    studio.config.update(|c| c.prep.steps.push(step));
}

#[component]
fn Cleaning(report: DataReport) -> impl IntoView {
    let studio = expect_context::<Studio>();
    // The target is not offered: rows missing it are left out of every run already.
    let target = studio.target.get_untracked();
    let columns: Vec<String> =
        report.profile.columns.iter().filter(|c| c.name != target).map(|c| c.name.clone()).collect();
    let StepForm { kind, column, fill, constant } = expect_context::<StepForm>();
    if !columns.contains(&column.get_untracked()) {
        column.set(columns.first().cloned().unwrap_or_default());
    }
    let add = move |_| {
        let column = column.get_untracked();
        let step = match kind.get_untracked().as_str() {
            "drop_duplicates" => Step::DropDuplicates,
            "drop_missing" => Step::DropMissing { columns: vec![column] },
            "clip_iqr" | "drop_iqr" | "clip_zscore" | "drop_zscore" => {
                let k = kind.get_untracked();
                Step::Outliers {
                    column,
                    method: if k.ends_with("iqr") { OutlierMethod::Iqr } else { OutlierMethod::Zscore },
                    threshold: None,
                    action: if k.starts_with("clip") { OutlierAction::Clip } else { OutlierAction::Drop },
                    bounds: None,
                }
            }
            _ => {
                let with = match fill.get_untracked().as_str() {
                    "median" => Fill::Median,
                    "mode" => Fill::Mode,
                    "constant" => Fill::Constant,
                    _ => Fill::Mean,
                };
                let value = (with == Fill::Constant).then(|| FillValue::Text(constant.get_untracked()));
                Step::FillMissing { column, with, value }
            }
        };
        add_step(studio, step);
    };
    let undo = move |_| studio.config.update(|c| drop(c.prep.steps.pop()));
    let needs_column = move || kind.get() != "drop_duplicates";
    let column_options =
        columns.iter().map(|name| view! { <option value=name.clone()>{name.clone()}</option> }).collect::<Vec<_>>();
    let steps = report.steps.clone();
    view! {
        <div class="panel" data-testid="clean-panel">
            <h3>"Clean"</h3>
            <div class="row">
                <select data-testid="step-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="fill_missing">"Fill missing values of"</option>
                    <option value="drop_missing">"Drop rows missing"</option>
                    <option value="drop_duplicates">"Drop duplicate rows"</option>
                    <option value="clip_iqr">"Clip outliers (IQR) of"</option>
                    <option value="drop_iqr">"Drop outlier rows (IQR) of"</option>
                    <option value="clip_zscore">"Clip outliers (z-score) of"</option>
                    <option value="drop_zscore">"Drop outlier rows (z-score) of"</option>
                </select>
                <Show when=needs_column>
                    <select data-testid="step-column" prop:value=move || column.get() on:change=move |ev| column.set(event_target_value(&ev))>
                        {column_options.clone()}
                    </select>
                </Show>
                <Show when=move || kind.get() == "fill_missing">
                    <select data-testid="step-fill" prop:value=move || fill.get() on:change=move |ev| fill.set(event_target_value(&ev))>
                        <option value="mean">"with the mean"</option>
                        <option value="median">"with the median"</option>
                        <option value="mode">"with the most frequent value"</option>
                        <option value="constant">"with a constant"</option>
                    </select>
                    <Show when=move || fill.get() == "constant">
                        <input data-testid="step-constant" placeholder="value" prop:value=move || constant.get()
                            on:input=move |ev| constant.set(event_target_value(&ev))/>
                    </Show>
                </Show>
                <button data-testid="add-step" on:click=add disabled=move || studio.training.get()>"Add step"</button>
                <button data-testid="undo-step" on:click=undo
                    disabled=move || studio.training.get() || studio.config.with(|c| c.prep.steps.is_empty())>"Undo"</button>
            </div>
            <ol class="steps" data-testid="clean-steps">
                {steps.into_iter().map(|r| view! {
                    <li data-testid="step-report">
                        {r.step.clone()}
                        <span class="muted">{format!(
                            " · rows {} → {} · missing cells {} → {}",
                            r.rows_before, r.rows_after, r.missing_before, r.missing_after
                        )}</span>
                    </li>
                }).collect::<Vec<_>>()}
            </ol>
            <Show when=move || studio.config.with(|c| c.prep.steps.is_empty())>
                <p class="muted">"No cleaning steps yet. Each step shows the rows and missing cells before and after it; Undo removes the last."</p>
            </Show>
        </div>
    }
}

#[component]
fn EncodeAndSplit(report: DataReport) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let set_prep = move |f: Box<dyn FnOnce(&mut Prep)>| studio.config.update(|c| f(&mut c.prep));
    let order_options: Vec<String> = report.profile.columns.iter().map(|c| c.name.clone()).collect();
    view! {
        <div class="panel">
            <h3>"Encode, scale and split"</h3>
            <div class="row">
                <label>"Numbers "
                    <select data-testid="scaling" prop:value=move || studio.config.with(|c| scaling_value(c.prep.scaling))
                        on:change=move |ev| {
                            let scaling = match event_target_value(&ev).as_str() {
                                "min_max" => Scaling::MinMax,
                                "none" => Scaling::None,
                                _ => Scaling::Standard,
                            };
                            set_prep(Box::new(move |p| p.scaling = scaling));
                        }>
                        <option value="standard">"standardize (mean 0, std 1)"</option>
                        <option value="min_max">"min-max to [0, 1]"</option>
                        <option value="none">"as they are"</option>
                    </select>
                </label>
                <label>"Categories "
                    <select data-testid="encoding" prop:value=move || studio.config.with(|c| if c.prep.encoding == Encoding::Ordinal { "ordinal" } else { "one_hot" })
                        on:change=move |ev| {
                            let encoding = if event_target_value(&ev) == "ordinal" { Encoding::Ordinal } else { Encoding::OneHot };
                            set_prep(Box::new(move |p| p.encoding = encoding));
                        }>
                        <option value="one_hot">"one-hot"</option>
                        <option value="ordinal">"ordinal (label)"</option>
                    </select>
                </label>
                <label>"at most "
                    <input type="number" min="2" class="short" data-testid="max-categories" placeholder="all"
                        prop:value=move || studio.config.with(|c| c.prep.max_categories.map_or(String::new(), |m| m.to_string()))
                        on:change=move |ev| {
                            let cap = event_target_value(&ev).trim().parse::<usize>().ok();
                            set_prep(Box::new(move |p| p.max_categories = cap));
                        }/>
                    " one-hot columns each (the last is \"other\")"
                </label>
            </div>
            <div class="row">
                <label>"Split "
                    <select data-testid="order-by" prop:value=move || studio.config.with(|c| c.prep.order_by.clone().unwrap_or_default())
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            set_prep(Box::new(move |p| p.order_by = (!value.is_empty()).then_some(value)));
                        }>
                        <option value="">"at random (seeded, stratified by class)"</option>
                        {order_options.into_iter().map(|name| view! {
                            <option value=name.clone()>{format!("in order of {name} (latest rows for testing)")}</option>
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
                <span class="muted" data-testid="split-sizes">{format!(
                    "train {} · validation {} · test {} rows (fractions and seed in the training settings)",
                    report.train_rows, report.valid_rows, report.test_rows
                )}</span>
            </div>
        </div>
    }
}

fn scaling_value(s: Scaling) -> &'static str {
    match s {
        Scaling::Standard => "standard",
        Scaling::MinMax => "min_max",
        Scaling::None => "none",
    }
}

#[component]
fn TrainTestCheck(report: DataReport) -> impl IntoView {
    let shifted: Vec<_> = report.drift.iter().filter(|d| d.shifted).cloned().collect();
    let verdict = if shifted.is_empty() {
        "Train and test follow the same distributions: no feature differs (p < 0.01).".to_string()
    } else {
        format!(
            "{} feature{} distributed differently in train and test (p < 0.01): {}. The test score may not reflect new data.",
            shifted.len(),
            if shifted.len() == 1 { " is" } else { "s are" },
            shifted.iter().map(|d| d.column.as_str()).collect::<Vec<_>>().join(", ")
        )
    };
    view! {
        <div class="panel">
            <h3>"Train versus test"</h3>
            <p class:warning=!shifted.is_empty() data-testid="drift-verdict">{verdict}</p>
            <div class="scroll">
                <table class="columns" data-testid="drift-table">
                    <thead><tr><th>"Feature"</th><th>"Test"</th><th>"Statistic"</th><th>"p-value"</th><th></th></tr></thead>
                    <tbody>
                        {report.drift.iter().map(|d| view! {
                            <tr class:shifted=d.shifted>
                                <td class="name">{d.column.clone()}</td>
                                <td>{if d.test == DriftTest::KolmogorovSmirnov { "Kolmogorov-Smirnov" } else { "chi-square" }}</td>
                                <td class="num">{format!("{:.4}", d.statistic)}</td>
                                <td class="num">{format!("{:.3e}", d.p_value)}</td>
                                <td>{if d.shifted { "differs" } else { "" }}</td>
                            </tr>
                        }).collect::<Vec<_>>()}
                    </tbody>
                </table>
            </div>
            {shifted.into_iter().take(4).map(|d| view! {
                <div class="overlay-block">
                    <span class="name">{d.column.clone()}</span>
                    <Overlay first=d.first second=d.second labels=d.labels/>
                </div>
            }).collect::<Vec<_>>()}
        </div>
    }
}

#[component]
fn Exports(report: DataReport) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let fitted = report.fitted.clone();
    let export_recipe = move |_| {
        let mut prep = studio.config.with_untracked(|c| c.prep.clone());
        prep.steps = fitted.clone();
        let json = serde_json::to_string_pretty(&prep).unwrap_or_default();
        download(&js_sys::Array::of1(&json.into()), "recipe.json", "application/json");
    };
    let export_csv = move |_| {
        let (target, config) = (studio.target.get_untracked(), studio.config.get_untracked());
        studio.send(&ToWorker::ExportCsv { target, config });
    };
    view! {
        <div class="row">
            <button data-testid="export-csv" on:click=export_csv>"Download the cleaned CSV"</button>
            <button data-testid="export-recipe" on:click=export_recipe>"Download the recipe (JSON)"</button>
            <span class="muted">"The recipe's steps are fitted on the training rows; "<code>"fornax data clean"</code>" applies it natively."</span>
        </div>
    }
}

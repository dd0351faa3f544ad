//! Step 3: test metrics of the trained model next to the linear baseline, and one
//! prediction.

use fornax_core::data::{ColumnKind, DataKind, format_number};
use fornax_core::metrics::Metrics;
use fornax_core::predict::Prediction;
use leptos::prelude::*;
use serde_json::{Map, Value};

use super::confusion::ConfusionMatrix;
use super::image_overview::data_url;
use super::scatter::PredictedVsActual;
use crate::studio::Studio;
use fornax_wire::worker::{ToWorker, TrainedModel};

#[component]
pub fn EvaluatePage() -> impl IntoView {
    let studio = expect_context::<Studio>();
    move || studio.trained.get().map(|model| view! { <Evaluation model=model/> })
}

#[component]
fn Evaluation(
    /// The model that just finished training.
    model: TrainedModel,
) -> impl IntoView {
    let studio = expect_context::<Studio>();
    let form = studio.predict_row;
    let inputs = model.inputs.clone();
    let predict = move |_| {
        let row: Map<String, Value> = form.get_untracked();
        studio.send(&ToWorker::Predict { row });
    };
    let rows = metric_rows(&model.metrics, &model.baseline);
    let download_name =
        model.target.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect::<String>();
    let bundle_kb = model.bundle_bytes as f64 / 1024.0;
    let images = model.kind == DataKind::Images;
    let (held_out, use_it) = if images {
        ("test images", "fornax predict --model FILE --data PICTURE_OR_FOLDER")
    } else {
        ("test rows", "fornax predict --model FILE --data rows.csv")
    };
    view! {
        <section class="card">
            <h2><span class="step">"3"</span>"Evaluate"</h2>
            <p class="muted">{format!("Scores on the held-out {held_out}, predicting `{}`. The baseline is what a simpler model gets: more complex is not always better.", model.target)}</p>
            <table class="metrics">
                <thead><tr><th>"Metric"</th><th data-testid="metric-model">{model.family.info().label}</th><th>"Linear baseline"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(name, id, mlp, base)| view! {
                        <tr><td>{name}</td><td class="num strong" data-testid=id>{format!("{mlp:.3}")}</td><td class="num">{format!("{base:.3}")}</td></tr>
                    }).collect::<Vec<_>>()}
                </tbody>
            </table>
            {details(&model.metrics, held_out)}
            {(!model.mistakes.is_empty()).then(|| view! {
                <h3>"Test images it got wrong"</h3>
                <p class="muted">{format!("The first {} (true class -> predicted, with its probability):", model.mistakes.len())}</p>
                <div class="mistakes" data-testid="mistakes">
                    {model.mistakes.iter().map(|m| view! {
                        <figure class="mistake" data-testid="mistake">
                            <img class="thumb large" src=data_url(&m.png) alt=m.file.clone() title=m.file.clone()/>
                            <figcaption>{format!("{} -> {} ({:.2})", m.actual, m.predicted, m.probability)}</figcaption>
                        </figure>
                    }).collect_view()}
                </div>
            })}
            <p class="row">
                {move || studio.bundle_url.get().map(|url| view! {
                    <a class="button" href=url download=format!("{}.fornax", download_name) data-testid="bundle-download">
                        {format!("Download the model (.fornax, {:.0} KB)", bundle_kb)}
                    </a>
                })}
                <span class="muted">"Use it with "<code>{use_it}</code>{(!images).then_some(" or serve it with ")}{(!images).then(|| view! { <code>"fornax serve"</code> })}"."</span>
            </p>
            {images.then(|| view! { <PredictPicture/> })}
            {(!images).then(|| view! {
            <h3>"Try a prediction"</h3>
            <div class="form">
                {inputs.into_iter().map(|field| {
                    let name = field.name.clone();
                    let value = {
                        let name = name.clone();
                        move || form.with(|f| match f.get(&name) {
                            Some(Value::Number(n)) => n.as_f64().map(format_number).unwrap_or_default(),
                            Some(Value::String(s)) => s.clone(),
                            _ => String::new(),
                        })
                    };
                    let set = {
                        let name = name.clone();
                        let numeric = field.kind == ColumnKind::Numeric;
                        move |ev| {
                            let text = event_target_value(&ev);
                            form.update(|f| { f.insert(name.clone(), parse_input(&text, numeric)); });
                        }
                    };
                    match field.categories {
                        Some(categories) => view! {
                            <label>{name.clone()}
                                <select on:change=set prop:value=value>
                                    <option value="">"(missing)"</option>
                                    {categories.into_iter().map(|c| { let label = c.clone(); view! { <option value=c>{label}</option> } }).collect::<Vec<_>>()}
                                </select>
                            </label>
                        }.into_any(),
                        None => view! {
                            <label>{name.clone()}<input type="text" inputmode="decimal" prop:value=value on:input=set/></label>
                        }.into_any(),
                    }
                }).collect::<Vec<_>>()}
            </div>
            <div class="row">
                <button class="primary" on:click=predict>"Predict"</button>
                <span class="prediction" data-testid="predict-result">{move || studio.prediction.get().map(describe)}</span>
            </div>
            })}
        </section>
    }
}

/// Predicts a picked picture with the image model: the picture, and its top classes.
#[component]
fn PredictPicture() -> impl IntoView {
    use wasm_bindgen::JsCast;
    let studio = expect_context::<Studio>();
    let shown = RwSignal::new(None::<String>);
    let pick = move |ev: web_sys::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        input.set_value("");
        studio.prediction.set(None);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => {
                    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                    shown.set(Some(data_url(&bytes)));
                    // Kept for the deploy step, which can send the same picture to a server.
                    studio.predict_picture.set(Some(bytes));
                    studio.send_bytes(&ToWorker::PredictImage { name: file.name() }, buffer.unchecked_into());
                }
                Err(e) => studio.show_error(format!("could not read {}: {e:?}", file.name())),
            }
        });
    };
    view! {
        <h3>"Try a prediction"</h3>
        <div class="row">
            <label class="file">"Predict a picture..."
                <input type="file" accept="image/png,image/jpeg,image/webp,image/bmp,image/gif" data-testid="predict-image" on:change=pick/>
            </label>
            {move || shown.get().map(|src| view! { <img class="thumb large" src=src alt="the picture predicted"/> })}
            <span class="prediction" data-testid="predict-result">{move || studio.prediction.get().map(describe_top)}</span>
        </div>
    }
}

/// The three likeliest classes with their probabilities, or why there is no prediction.
fn describe_top(result: Result<Prediction, String>) -> String {
    match result {
        Ok(Prediction::Class { probabilities, .. }) => {
            let mut ranked: Vec<(String, f64)> = probabilities.into_iter().collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let top: Vec<String> = ranked.iter().take(3).map(|(label, p)| format!("{label} {p:.3}")).collect();
            top.join(", ")
        }
        other => describe(other),
    }
}

/// The model's confusion matrix and per-class scores, or its predicted-vs-actual plot.
fn details(metrics: &Metrics, held_out: &'static str) -> AnyView {
    match metrics.clone() {
        Metrics::Classification { per_class, confusion, .. } if !confusion.is_empty() => view! {
            <h3>{format!("Confusion matrix and per-class scores ({held_out})")}</h3>
            <ConfusionMatrix confusion=confusion per_class=per_class/>
        }
        .into_any(),
        Metrics::Regression { points, .. } if !points.is_empty() => view! {
            <h3>{format!("Predicted against actual ({held_out})")}</h3>
            <PredictedVsActual points=points/>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// Empty is missing; numbers parse for numeric fields; anything else is sent as typed,
/// so the recipe's validation can say what is wrong with it.
fn parse_input(text: &str, numeric: bool) -> Value {
    let text = text.trim();
    if text.is_empty() {
        Value::Null
    } else if numeric {
        text.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map_or_else(|| Value::from(text), Value::Number)
    } else {
        Value::from(text)
    }
}

pub(super) fn describe(result: Result<Prediction, String>) -> String {
    match result {
        Ok(Prediction::Class { label, probabilities }) => {
            let p = probabilities.get(&label).copied().unwrap_or_default();
            format!("{label} (probability {p:.3})")
        }
        Ok(Prediction::Value { value }) => format!("{value:.4}"),
        Err(problems) => format!("Cannot predict: {problems}"),
    }
}

/// (label, test id, model value, baseline value) for each metric of the task.
fn metric_rows(model: &Metrics, baseline: &Metrics) -> Vec<(&'static str, &'static str, f64, f64)> {
    match (model, baseline) {
        (
            Metrics::Classification { accuracy, f1_macro, precision_macro, recall_macro, roc_auc, .. },
            Metrics::Classification {
                accuracy: a, f1_macro: f, precision_macro: p, recall_macro: r, roc_auc: auc, ..
            },
        ) => {
            let mut rows = vec![
                ("Accuracy", "metric-accuracy", *accuracy, *a),
                ("F1 (macro)", "metric-f1", *f1_macro, *f),
                ("Precision (macro)", "metric-precision", *precision_macro, *p),
                ("Recall (macro)", "metric-recall", *recall_macro, *r),
            ];
            if let (Some(model), Some(base)) = (roc_auc, auc) {
                rows.push(("ROC-AUC", "metric-roc-auc", *model, *base));
            }
            rows
        }
        (Metrics::Regression { mae, rmse, r2, .. }, Metrics::Regression { mae: m, rmse: e, r2: r, .. }) => {
            vec![("R²", "metric-r2", *r2, *r), ("MAE", "metric-mae", *mae, *m), ("RMSE", "metric-rmse", *rmse, *e)]
        }
        _ => Vec::new(),
    }
}

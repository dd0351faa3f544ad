//! Step 4: upload the trained model to a `fornax serve` (this one or another), then
//! use it there: the endpoint, a `curl` line to copy, and a prediction from the server,
//! of the prediction form's row or, for an image model, of the picture last predicted.

use fornax_core::data::DataKind;
use fornax_wire::http::{ImagesRequest, ModelInfo, PredictRequest, PredictResponse};
use leptos::prelude::*;
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::evaluate::describe;
use super::image_overview::base64;
use crate::net::{self, Body};
use crate::studio::{Studio, model_name};

/// Where a model was deployed.
#[derive(Clone, PartialEq)]
struct Deployed {
    base: String,
    name: String,
    version: u32,
}

#[derive(Clone, PartialEq)]
enum DeployState {
    Idle,
    Uploading,
    Done(Deployed),
    Failed(String),
}

#[component]
pub fn DeployPage() -> impl IntoView {
    let studio = expect_context::<Studio>();
    move || studio.trained.get().map(|_| view! { <Deploy/> })
}

#[component]
fn Deploy() -> impl IntoView {
    let studio = expect_context::<Studio>();
    let (server, token) = (studio.server_url, studio.server_token);
    let file = studio.dataset.with_untracked(|d| d.as_ref().map(|d| d.name.clone())).unwrap_or_default();
    let name = RwSignal::new(model_name(&file));
    let state = RwSignal::new(DeployState::Idle);
    let answer = RwSignal::new(None::<String>);

    let deploy = move |_| {
        let base = server.get_untracked().trim().trim_end_matches('/').to_string();
        let model = name.get_untracked().trim().to_string();
        let token = token.get_untracked().trim().to_string();
        if let Err(problem) = net::check_server(&base, &token).and_then(|()| check_name(&model)) {
            state.set(DeployState::Failed(problem));
            return;
        }
        let Some(bundle_url) = studio.bundle_url.get_untracked() else { return };
        state.set(DeployState::Uploading);
        answer.set(None);
        leptos::task::spawn_local(async move {
            state.set(match upload(&bundle_url, &base, &model, &token).await {
                Ok(version) => DeployState::Done(Deployed { base, name: model, version }),
                Err(problem) => DeployState::Failed(problem),
            });
        });
    };

    let images = studio.trained.with_untracked(|m| m.as_ref().is_some_and(|m| m.kind == DataKind::Images));
    let predict_on_server = move |deployed: Deployed| {
        let body = if images {
            let Some(picture) = studio.predict_picture.get_untracked() else {
                return answer
                    .set(Some("Pick a picture under \"Try a prediction\" first: that picture is sent.".into()));
            };
            Body::json(&ImagesRequest { images: vec![base64(&picture)] })
        } else {
            Body::json(&PredictRequest { rows: vec![studio.predict_row.get_untracked()] })
        };
        answer.set(Some("Asking the server...".into()));
        leptos::task::spawn_local(async move {
            let url = format!("{}/v1/models/{}/predict", deployed.base, deployed.name);
            let text = match net::send("POST", &url, None, body, "predict on the server").await {
                Ok(a) if a.status == 200 => match a.json::<PredictResponse>() {
                    Ok(PredictResponse { mut predictions, version, latency_ms, .. }) if predictions.len() == 1 => {
                        format!(
                            "{} · version {version} · {latency_ms:.2} ms on the server",
                            describe(Ok(predictions.remove(0)))
                        )
                    }
                    Ok(other) => format!("The server answered {} predictions for one input", other.predictions.len()),
                    Err(problem) => problem,
                },
                Ok(a) => format!("The server could not predict (HTTP {}): {}", a.status, a.detail()),
                Err(e) => e,
            };
            answer.set(Some(text));
        });
    };

    let result = move || match state.get() {
        DeployState::Idle => ().into_any(),
        DeployState::Uploading => {
            view! { <p class="muted" data-testid="deploy-status">"Uploading the model..."</p> }.into_any()
        }
        DeployState::Failed(problem) => {
            view! { <p class="problem" data-testid="deploy-status">{problem}</p> }.into_any()
        }
        DeployState::Done(deployed) => {
            let endpoint = format!("{}/v1/models/{}/predict", deployed.base, deployed.name);
            let docs = format!("{}/docs", deployed.base);
            let curl = {
                let endpoint = endpoint.clone();
                move || {
                    if images { curl_images_line(&endpoint) } else { curl_line(&endpoint, studio.predict_row.get()) }
                }
            };
            let copy = {
                let curl = curl.clone();
                move |_| {
                    if let Some(window) = web_sys::window() {
                        let _ = window.navigator().clipboard().write_text(&curl());
                    }
                }
            };
            let ask = {
                let deployed = deployed.clone();
                move |_| predict_on_server(deployed.clone())
            };
            view! {
                <p data-testid="deploy-status">
                    {format!("Deployed `{}` as version {} on {}.", deployed.name, deployed.version, deployed.base)}
                    " "<a href=docs target="_blank">"API docs"</a>
                </p>
                <p>"Endpoint: "<code data-testid="deploy-endpoint">{format!("POST {endpoint}")}</code></p>
                <pre class="config" data-testid="deploy-curl">{curl}</pre>
                <div class="row">
                    <button on:click=copy>"Copy the curl line"</button>
                    <button class="primary" data-testid="deploy-predict" on:click=ask>"Predict on the server"</button>
                    <span class="prediction" data-testid="deploy-predict-result">{move || answer.get()}</span>
                </div>
                <p class="muted">{if images {
                    "The button sends the picture last predicted above; the curl line sends picture.png from the current directory."
                } else {
                    "Both use the row in the prediction form above."
                }}</p>
            }
            .into_any()
        }
    };

    view! {
        <section class="card">
            <h2><span class="step">"4"</span>"Deploy"</h2>
            <p class="muted">"Upload the model to a "<code>"fornax serve"</code>" (this studio's own server, or one you run elsewhere: start it with "<code>"FORNAX_TOKEN"</code>" set, and "<code>"--cors-origin"</code>" naming this studio's address). The model is sent to that server and nowhere else."</p>
            <div class="form">
                <label>"Server"<input type="url" data-testid="deploy-server" prop:value=move || server.get() on:input=move |ev| server.set(event_target_value(&ev))/></label>
                <label>"Model name"<input type="text" data-testid="deploy-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
                <label>"Admin token"<input type="password" autocomplete="off" data-testid="deploy-token" prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev))/></label>
            </div>
            <div class="row">
                <button class="primary" data-testid="deploy-start" on:click=deploy disabled=move || state.get() == DeployState::Uploading>"Deploy"</button>
            </div>
            {result}
        </section>
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if fornax_core::limits::valid_name(name) {
        Ok(())
    } else {
        Err("the model name must be 1-64 letters, digits, `-` or `_`".into())
    }
}

/// Uploads the bundle; the version the server gave it, or why not.
async fn upload(bundle_url: &str, base: &str, name: &str, token: &str) -> Result<u32, String> {
    let bytes = bundle_bytes(bundle_url).await?;
    let url = format!("{base}/v1/models/{name}");
    let answer = net::send("PUT", &url, Some(token), Body::Bytes(bytes), "deploy the model")
        .await
        .map_err(|e| net::unreachable(&e))?;
    match answer.status {
        201 => answer.json::<ModelInfo>().map(|info| info.version),
        _ => Err(net::refusal("the model", &answer)),
    }
}

/// The bytes behind the download link (an object URL in this page).
async fn bundle_bytes(bundle_url: &str) -> Result<js_sys::ArrayBuffer, String> {
    let failed = |e: wasm_bindgen::JsValue| format!("cannot read the trained model: {e:?}");
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(bundle_url)).await.map_err(failed)?.into();
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?).await.map_err(failed)?;
    buffer.dyn_into().map_err(failed)
}

/// A shell line that predicts `row` at `endpoint` (single quotes escaped for the shell).
fn curl_line(endpoint: &str, row: Map<String, Value>) -> String {
    let body = serde_json::to_string(&PredictRequest { rows: vec![row] }).expect("rows serialize");
    let body = body.replace('\'', "'\\''");
    format!("curl -s {endpoint} \\\n  -H 'content-type: application/json' \\\n  -d '{body}'")
}

/// A shell line that uploads `picture.png` to `endpoint` as a multipart file (the JSON
/// body with base64 pictures works as well).
fn curl_images_line(endpoint: &str) -> String {
    format!("curl -s {endpoint} \\\n  -F images=@picture.png")
}

//! Every request the studio makes beyond its own files goes through here (a deploy, a
//! prediction on a server), so what leaves the device is decided in one place.

use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// What a server answered: its status and its JSON body (`Null` if it sent none).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

pub enum Body {
    Json(Value),
    Bytes(js_sys::ArrayBuffer),
}

/// Sends one request. `Err` means no answer came (server down, refused by CORS, bad
/// URL); an answer with an error status is `Ok`, for the caller to explain.
pub async fn send(method: &str, url: &str, token: Option<&str>, body: Body) -> Result<Answer, String> {
    let no_answer = |e: wasm_bindgen::JsValue| {
        let why = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"));
        format!("no answer from {url} ({why})")
    };
    let headers = Headers::new().map_err(no_answer)?;
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}")).map_err(no_answer)?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    match body {
        Body::Json(value) => {
            headers.set("Content-Type", "application/json").map_err(no_answer)?;
            init.set_body(&value.to_string().into());
        }
        Body::Bytes(bytes) => {
            headers.set("Content-Type", "application/octet-stream").map_err(no_answer)?;
            init.set_body(&bytes);
        }
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init).map_err(no_answer)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request)).await.map_err(no_answer)?.into();
    let text = JsFuture::from(response.text().map_err(no_answer)?).await.map_err(no_answer)?;
    let body = serde_json::from_str(&text.as_string().unwrap_or_default()).unwrap_or(Value::Null);
    Ok(Answer { status: response.status(), body })
}

/// The `detail` of a FastAPI-shaped error, as one sentence.
pub fn detail(body: &Value) -> String {
    match &body["detail"] {
        Value::String(text) => text.clone(),
        Value::Array(problems) => problems
            .iter()
            .map(|p| {
                let field = p["loc"].as_array().and_then(|l| l.last()).map(|l| l.to_string()).unwrap_or_default();
                format!("{}: {}", field.trim_matches('"'), p["msg"].as_str().unwrap_or(""))
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => "no explanation given".into(),
    }
}

//! Every request the studio makes beyond its own files goes through here (a deploy, a
//! prediction on a server), so what leaves the device is decided in one place, and
//! each is written in the [`crate::ledger`].

use fornax_wire::http::ErrorBody;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, Response};

/// What a server answered: its status and its body's text.
pub struct Answer {
    pub status: u16,
    pub text: String,
}

impl Answer {
    /// The body as the wire type `T`, or what it held instead.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_str(&self.text).map_err(|e| format!("the server answered something else ({e}): {}", self.text))
    }

    /// The error the body says, as one sentence.
    pub fn detail(&self) -> String {
        detail(&self.text)
    }
}

pub enum Body {
    /// JSON text (see [`Body::json`]).
    Json(String),
    Bytes(js_sys::ArrayBuffer),
    /// No body.
    Empty,
}

impl Body {
    /// The JSON of a wire type.
    pub fn json(value: &impl Serialize) -> Body {
        Body::Json(serde_json::to_string(value).expect("wire types serialize"))
    }
}

/// Sends one request, `why` the user makes it (for the ledger). `Err` means no answer
/// came (server down, refused by CORS, bad URL); an answer with an error status is
/// `Ok`, for the caller to explain.
pub async fn send(method: &str, url: &str, token: Option<&str>, body: Body, why: &str) -> Result<Answer, String> {
    let up = match &body {
        Body::Json(text) => text.len(),
        Body::Bytes(bytes) => bytes.byte_length() as usize,
        Body::Empty => 0,
    };
    let result = send_unrecorded(method, url, token, body).await;
    // With no answer there is no telling whether the body left (a refused connection
    // sends nothing): the ledger counts only what a server acknowledged.
    let (up, down, outcome) = match &result {
        Ok((answer, down)) => (up, *down, format!("HTTP {}", answer.status)),
        Err(e) => (0, 0, e.clone()),
    };
    crate::ledger::record(method, url, up, down, why, outcome);
    result.map(|(answer, _)| answer)
}

/// One `fetch` with the token and body set; the response, whatever its status.
async fn fetch(method: &str, url: &str, token: Option<&str>, body: Option<Body>) -> Result<Response, JsValue> {
    let headers = Headers::new()?;
    if let Some(token) = token {
        headers.set("Authorization", &format!("Bearer {token}"))?;
    }
    let init = RequestInit::new();
    init.set_method(method);
    match body {
        None | Some(Body::Empty) => {}
        Some(Body::Json(text)) => {
            headers.set("Content-Type", "application/json")?;
            init.set_body(&text.into());
        }
        Some(Body::Bytes(bytes)) => {
            headers.set("Content-Type", "application/octet-stream")?;
            init.set_body(&bytes);
        }
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(url, &init)?;
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    Ok(JsFuture::from(window.fetch_with_request(&request)).await?.into())
}

/// A response's body as text.
async fn text(response: &Response) -> Result<String, JsValue> {
    Ok(JsFuture::from(response.text()?).await?.as_string().unwrap_or_default())
}

async fn send_unrecorded(method: &str, url: &str, token: Option<&str>, body: Body) -> Result<(Answer, usize), String> {
    let no_answer = |e: JsValue| {
        let why = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).unwrap_or_else(|| format!("{e:?}"));
        format!("no answer from {url} ({why})")
    };
    let response = fetch(method, url, token, Some(body)).await.map_err(no_answer)?;
    let text = text(&response).await.map_err(no_answer)?;
    let size = text.len();
    Ok((Answer { status: response.status(), text }, size))
}

/// Downloads bytes (a bundle), `why` the user does (for the ledger); a non-200 answer
/// is an error with the server's words.
pub async fn download(url: &str, token: Option<&str>, why: &str) -> Result<js_sys::ArrayBuffer, String> {
    let result = download_unrecorded(url, token).await;
    let (down, outcome) = match &result {
        Ok(bytes) => (bytes.byte_length() as usize, "HTTP 200".to_string()),
        Err(e) => (0, e.clone()),
    };
    crate::ledger::record("GET", url, 0, down, why, outcome);
    result
}

async fn download_unrecorded(url: &str, token: Option<&str>) -> Result<js_sys::ArrayBuffer, String> {
    let failed = |e: JsValue| format!("the download from {url} failed: {e:?}");
    let response = fetch("GET", url, token, None).await.map_err(failed)?;
    if response.status() != 200 {
        let body = text(&response).await.map_err(failed)?;
        return Err(format!("the download from {url} failed (HTTP {}): {}", response.status(), detail(&body)));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(failed)?).await.map_err(failed)?;
    buffer.dyn_into().map_err(failed)
}

/// The `detail` of a FastAPI-shaped error body, as one sentence.
fn detail(body: &str) -> String {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(error) => error.sentence(),
        Err(_) => "no explanation given".into(),
    }
}

/// What the server's refusal of `what` (`the model`, `the dataset upload`) means, in words.
pub fn refusal(what: &str, answer: &Answer) -> String {
    let detail = answer.detail();
    match answer.status {
        401 => "the server refused the token: check it against the server's FORNAX_TOKEN".into(),
        403 => format!("the server does not accept uploads: {detail}"),
        413 => format!("{what} is larger than the server accepts: {detail}"),
        422 => format!("the server refused {what}: {detail}"),
        status => format!("{what} failed (HTTP {status}): {detail}"),
    }
}

/// `no answer from URL (why)`, with what usually causes it.
pub fn unreachable(no_answer: &str) -> String {
    let origin = crate::studio::own_origin();
    format!(
        "{no_answer}. Is `fornax serve` running there, and does it allow this studio's address ({origin})? Start it with `--cors-origin {origin}`."
    )
}

/// What a server would refuse, said before anything is sent.
pub fn check_server(base: &str, token: &str) -> Result<(), String> {
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(format!("the server address must start with http:// or https://, got `{base}`"));
    }
    if token.is_empty() {
        return Err("enter the server's admin token (its FORNAX_TOKEN)".into());
    }
    Ok(())
}

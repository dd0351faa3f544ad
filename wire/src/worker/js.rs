//! Messages as JS objects for `postMessage`: `{json, bytes?}`.

use js_sys::{Array, ArrayBuffer, Object, Reflect};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

/// Packs a message for `postMessage`: the object `{json, bytes?}` and its transfer list.
pub fn pack(message: &impl Serialize, bytes: Option<ArrayBuffer>) -> (Object, Array) {
    let object = Object::new();
    let json = serde_json::to_string(message).expect("messages serialize");
    let _ = Reflect::set(&object, &"json".into(), &json.into());
    let transfer = Array::new();
    if let Some(bytes) = bytes {
        let _ = Reflect::set(&object, &"bytes".into(), &bytes);
        transfer.push(&bytes);
    }
    (object, transfer)
}

/// Reads what [`pack`] made: the message and its bytes, if any.
pub fn unpack<T: DeserializeOwned>(data: &JsValue) -> (serde_json::Result<T>, Option<ArrayBuffer>) {
    let json = Reflect::get(data, &"json".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let bytes = Reflect::get(data, &"bytes".into()).ok().and_then(|v| v.dyn_into::<ArrayBuffer>().ok());
    (serde_json::from_str(&json), bytes)
}

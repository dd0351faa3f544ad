//! The body a model that reads images is sent: `{"images": ["<base64 of an image file>"]}`,
//! each picture decoded here and every problem located (`["body", "images", 2]`), all
//! at once, as a row's fields are.

use base64::Engine;
use fornax_core::FieldError;
use fornax_core::data::images::{Picture, decode};
use serde_json::Value;

/// Most pictures one request may carry.
pub const MAX_IMAGES: usize = 64;

/// The pictures of `body`, or every problem with it.
pub fn parse_images(body: &[u8]) -> Result<Vec<Picture>, Vec<FieldError>> {
    let problem = |loc: Vec<Value>, msg: String, kind: &str| FieldError { loc, msg, kind: kind.into() };
    let at = |parts: &[&str]| parts.iter().map(|&p| Value::from(p)).collect::<Vec<_>>();
    let body: Value = serde_json::from_slice(body)
        .map_err(|e| vec![problem(at(&["body"]), format!("JSON decode error: {e}"), "json_invalid")])?;
    let images = match body.get("images") {
        Some(Value::Array(images)) => images,
        Some(_) => return Err(vec![problem(at(&["body", "images"]), "input should be a list".into(), "list_type")]),
        None if body.is_object() => {
            let msg = "field required: this model reads images, sent as {\"images\": [\"<base64 of a PNG, JPEG, \
                       WebP, BMP or GIF file>\"]}";
            return Err(vec![problem(at(&["body", "images"]), msg.into(), "missing")]);
        }
        None => {
            return Err(vec![problem(
                at(&["body"]),
                "input should be an object with an `images` list".into(),
                "dict_type",
            )]);
        }
    };
    if images.is_empty() || images.len() > MAX_IMAGES {
        let msg = format!("1 to {MAX_IMAGES} images per request, got {}", images.len());
        return Err(vec![problem(at(&["body", "images"]), msg, "too_long")]);
    }
    let mut pictures = Vec::with_capacity(images.len());
    let mut errors = Vec::new();
    for (i, image) in images.iter().enumerate() {
        let loc = || vec![Value::from("body"), Value::from("images"), Value::from(i)];
        let Some(text) = image.as_str() else {
            errors.push(problem(loc(), "input should be a base64 string".into(), "string_type"));
            continue;
        };
        // `data:image/png;base64,...` as a browser's FileReader writes it is taken too.
        let text = text.split_once(";base64,").map_or(text, |(_, data)| data);
        let bytes = match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
            Ok(bytes) => bytes,
            Err(e) => {
                errors.push(problem(loc(), format!("not valid base64: {e}"), "base64_invalid"));
                continue;
            }
        };
        match decode(&bytes) {
            Ok(picture) => pictures.push(picture),
            Err(reason) => errors.push(problem(loc(), reason, "image_invalid")),
        }
    }
    if errors.is_empty() { Ok(pictures) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::parse_images;

    #[test]
    fn every_bad_image_is_located_at_once() {
        let body = br#"{"images": ["%%%", 3, "aGVsbG8="]}"#;
        let errors = parse_images(body).unwrap_err();
        let located: Vec<(String, &str)> =
            errors.iter().map(|e| (serde_json::to_string(&e.loc).unwrap(), e.kind.as_str())).collect();
        assert_eq!(
            located,
            [
                (r#"["body","images",0]"#.to_string(), "base64_invalid"),
                (r#"["body","images",1]"#.to_string(), "string_type"),
                (r#"["body","images",2]"#.to_string(), "image_invalid"),
            ]
        );
        assert!(errors[2].msg.contains("not an image"), "{}", errors[2].msg);
        let rows = parse_images(br#"{"rows": [{"a": 1}]}"#).unwrap_err();
        assert!(rows[0].msg.contains("this model reads images"), "{}", rows[0].msg);
        assert_eq!(parse_images(br#"{"images": []}"#).unwrap_err()[0].kind, "too_long");
    }
}

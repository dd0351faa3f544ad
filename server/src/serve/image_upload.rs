//! The other way to send pictures: `multipart/form-data`, one file per part, as
//! FastAPI's `List[UploadFile]` takes them (`curl -F images=@cat.jpg -F images=@dog.png`).
//! Each part is decoded and every problem located by the part's place and file name.

use std::convert::Infallible;

use axum::body::Bytes;
use fornax_core::FieldError;
use fornax_core::data::images::{Picture, decode};
use serde_json::Value;

use super::image_request::MAX_IMAGES;

fn problem(loc: Vec<Value>, msg: String, kind: &str) -> FieldError {
    FieldError { loc, msg, kind: kind.into() }
}

/// `None` for a body that is not `multipart/form-data`; else its boundary, or why the
/// content type has none.
pub fn upload_boundary(content_type: &str) -> Option<Result<String, FieldError>> {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    Some(multer::parse_boundary(content_type).map_err(|e| {
        let msg = format!("the multipart/form-data content type has no usable boundary: {e}");
        problem(vec![Value::from("body")], msg, "multipart_invalid")
    }))
}

/// The pictures of a multipart `body`, or every problem with it.
pub async fn parse_upload(body: Bytes, boundary: String) -> Result<Vec<Picture>, Vec<FieldError>> {
    let mut parts = multer::Multipart::new(futures_lite::stream::once(Ok::<_, Infallible>(body)), boundary);
    let (mut pictures, mut errors) = (Vec::new(), Vec::new());
    for i in 0.. {
        let loc = || vec![Value::from("body"), Value::from("images"), Value::from(i)];
        let unreadable = |e: multer::Error| {
            problem(vec![Value::from("body")], format!("the multipart body cannot be read: {e}"), "multipart_invalid")
        };
        let field = match parts.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => {
                errors.push(unreadable(e));
                break;
            }
        };
        if i == MAX_IMAGES {
            let msg = format!("1 to {MAX_IMAGES} images per request, got more");
            errors.push(problem(vec![Value::from("body"), Value::from("images")], msg, "too_long"));
            break;
        }
        let file = match (field.file_name(), field.name()) {
            (Some(file), _) => format!("`{file}`"),
            (None, Some(name)) => format!("part `{name}`"),
            (None, None) => format!("part {}", i + 1),
        };
        match field.bytes().await {
            Ok(bytes) => match decode(&bytes) {
                Ok(picture) => pictures.push(picture),
                Err(reason) => errors.push(problem(loc(), format!("{file}: {reason}"), "image_invalid")),
            },
            Err(e) => {
                errors.push(unreadable(e));
                break;
            }
        }
    }
    if pictures.is_empty() && errors.is_empty() {
        let msg = format!("no pictures: send 1 to {MAX_IMAGES} image files, one per part (`-F images=@cat.jpg`)");
        errors.push(problem(vec![Value::from("body"), Value::from("images")], msg, "missing"));
    }
    if errors.is_empty() { Ok(pictures) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Bytes {
        let mut body = Vec::new();
        for (name, file, bytes) in parts {
            body.extend_from_slice(b"--XyZ\r\n");
            let file = file.map(|f| format!("; filename=\"{f}\"")).unwrap_or_default();
            body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"{file}\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        Bytes::from(body)
    }

    fn png() -> Vec<u8> {
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures/images/colours/cool/0.png");
        std::fs::read(fixture).unwrap()
    }

    #[test]
    fn only_multipart_form_data_has_a_boundary() {
        assert_eq!(upload_boundary("multipart/form-data; boundary=XyZ").unwrap().unwrap(), "XyZ");
        assert!(upload_boundary("application/json").is_none());
        assert_eq!(upload_boundary("Multipart/Form-Data").unwrap().unwrap_err().kind, "multipart_invalid");
    }

    #[test]
    fn every_part_is_a_picture_and_each_bad_one_is_named() {
        let png = png();
        let body = multipart(&[
            ("images", Some("a.png"), &png),
            ("images", Some("notes.txt"), b"hello"),
            ("note", None, b"x"),
        ]);
        let errors = futures_lite::future::block_on(parse_upload(body, "XyZ".into())).unwrap_err();
        let located: Vec<(String, &str)> =
            errors.iter().map(|e| (serde_json::to_string(&e.loc).unwrap(), e.msg.as_str())).collect();
        assert_eq!(located.len(), 2, "{located:?}");
        assert_eq!(located[0].0, r#"["body","images",1]"#);
        assert!(located[0].1.starts_with("`notes.txt`: not an image"), "{}", located[0].1);
        assert!(located[1].1.starts_with("part `note`: "), "{}", located[1].1);

        let body = multipart(&[("images", Some("a.png"), &png), ("images", Some("b.png"), &png)]);
        let pictures = futures_lite::future::block_on(parse_upload(body, "XyZ".into())).unwrap();
        assert_eq!(pictures.len(), 2);
        assert_eq!((pictures[0].width, pictures[0].channels), (6, 1));

        let empty = futures_lite::future::block_on(parse_upload(Bytes::from_static(b"--XyZ--\r\n"), "XyZ".into()));
        assert_eq!(empty.unwrap_err()[0].kind, "missing");
        let cut =
            futures_lite::future::block_on(parse_upload(Bytes::from_static(b"--XyZ\r\nContent-Disp"), "XyZ".into()));
        assert_eq!(cut.unwrap_err()[0].kind, "multipart_invalid");
    }
}

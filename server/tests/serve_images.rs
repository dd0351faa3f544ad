//! Serving a model that reads images, as a client would call it: `fornax train` on the
//! digits zip, `fornax serve`, then `POST /v1/models/digits/predict` with
//! `{"images": [base64, ...]}` (or the files as multipart/form-data, `curl -F`) answers
//! what `fornax predict` answers for the same files;
//! bad pictures are located one by one, rows sent to it and pictures sent to a table
//! model are refused in words, and the model's info says how it takes images.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use common::{request, serve, temp_dir, train_wine};
use serde_json::{Value, json};

const FORNAX: &str = env!("CARGO_BIN_EXE_fornax");

fn digits_zip() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/images/digits.zip")
}

/// Every 200th picture of the digits zip: (path, bytes).
fn some_digits() -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(digits_zip()).unwrap()).unwrap();
    (0..archive.len())
        .step_by(200)
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

fn post(server: &common::Server, model: &str, body: &Value) -> (u16, Value) {
    let path = format!("/v1/models/{model}/predict");
    request(server, "POST", &path, &[("Content-Type", "application/json")], body.to_string().as_bytes())
}

#[test]
fn a_served_image_model_answers_base64_pictures_as_the_cli_does() {
    let dir = temp_dir("serve-images");
    let models = dir.join("models");
    let bundle = models.join("digits.fornax");
    let trained = Command::new(FORNAX)
        .args(["train", "--data"])
        .arg(digits_zip())
        .args(["--model", "cnn", "--image-size", "8", "--epochs", "10", "--out"])
        .arg(&bundle)
        .output()
        .unwrap();
    assert!(trained.status.success(), "{}", String::from_utf8_lossy(&trained.stderr));
    train_wine(&models.join("wine.fornax"), "linear");

    // What the CLI answers for the same pictures, from files.
    let digits = some_digits();
    let pictures = dir.join("pictures");
    std::fs::create_dir_all(&pictures).unwrap();
    for (i, (_, bytes)) in digits.iter().enumerate() {
        std::fs::write(pictures.join(format!("{i:02}.png")), bytes).unwrap();
    }
    let cli =
        Command::new(FORNAX).args(["predict", "--model"]).arg(&bundle).arg("--data").arg(&pictures).output().unwrap();
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let cli = String::from_utf8(cli.stdout).unwrap();
    let header: Vec<&str> = cli.lines().next().unwrap().split(',').collect();
    let cli_rows: Vec<Vec<String>> = cli.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect();

    let server = serve(dir);
    let (status, info) = request(&server, "GET", "/v1/models/digits", &[], b"");
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["images"], json!({"side": 8, "channels": 1, "aspect": "center_crop"}));
    assert_eq!(info["inputs"], json!([]));

    let encoded: Vec<String> =
        digits.iter().map(|(_, bytes)| base64::engine::general_purpose::STANDARD.encode(bytes)).collect();
    let (status, body) = post(&server, "digits", &json!({ "images": encoded }));
    assert_eq!(status, 200, "{body}");
    let predictions = body["predictions"].as_array().unwrap();
    assert_eq!(predictions.len(), digits.len());
    for (i, (prediction, row)) in predictions.iter().zip(&cli_rows).enumerate() {
        let label = prediction["label"].as_str().unwrap();
        assert_eq!(label, row[header.iter().position(|h| *h == "prediction").unwrap()], "picture {i}");
        let column = header.iter().position(|h| *h == format!("probability_{label}")).unwrap();
        let served = prediction["probabilities"][label].as_f64().unwrap();
        assert!((served - row[column].parse::<f64>().unwrap()).abs() < 1e-5, "picture {i}");
    }
    // The model learned: most of these pictures get their folder's digit.
    let right = predictions.iter().zip(&digits).filter(|(p, (path, _))| path.split('/').nth(1) == p["label"].as_str());
    assert!(right.count() + 2 >= digits.len());
    // A browser's data URL is taken as well.
    let data_url = format!("data:image/png;base64,{}", encoded[0]);
    let (status, body) = post(&server, "digits", &json!({ "images": [data_url] }));
    assert_eq!((status, &body["predictions"][0]), (200, &predictions[0]), "{body}");

    // The same pictures as multipart/form-data file uploads: as `curl -F` sends them,
    // and as a client writes the parts by hand.
    let mut curl = Command::new("curl");
    curl.args(["-s", "-H", "Expect:", &format!("http://{}/v1/models/digits/predict", server.addr)]);
    for i in 0..digits.len() {
        curl.args(["-F", &format!("images=@{}", pictures.join(format!("{i:02}.png")).display())]);
    }
    let uploaded: Value = serde_json::from_slice(&curl.output().unwrap().stdout).unwrap();
    assert_eq!(uploaded["predictions"].as_array(), Some(predictions), "{uploaded}");
    let boundary = "fornax-test-boundary";
    let part = |name: &str, bytes: &[u8]| {
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n"
        );
        [head.as_bytes(), bytes, b"\r\n"].concat()
    };
    let form = [
        part("00.png", &digits[0].1),
        part("notes.png", b"label,value\n1,2\n"),
        format!("--{boundary}--\r\n").into_bytes(),
    ]
    .concat();
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let upload = |model: &str, form: &[u8]| {
        request(&server, "POST", &format!("/v1/models/{model}/predict"), &[("Content-Type", &content_type)], form)
    };
    let (status, body) = upload("digits", &form);
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "images", 1]));
    assert!(body["detail"][0]["msg"].as_str().unwrap().starts_with("`notes.png`: not an image"), "{body}");
    let (status, body) = upload("wine", &form);
    assert_eq!(status, 422, "{body}");
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("file uploads are for models that read images"));

    // Bad pictures: each located, all at once, in FastAPI's shape.
    let not_an_image = base64::engine::general_purpose::STANDARD.encode(b"label,value\n1,2\n");
    let (status, body) = post(&server, "digits", &json!({ "images": [encoded[0], "%%%", 7, not_an_image] }));
    assert_eq!(status, 422, "{body}");
    let located: Vec<(Value, &str)> =
        body["detail"].as_array().unwrap().iter().map(|d| (d["loc"].clone(), d["type"].as_str().unwrap())).collect();
    assert_eq!(
        located,
        [
            (json!(["body", "images", 1]), "base64_invalid"),
            (json!(["body", "images", 2]), "string_type"),
            (json!(["body", "images", 3]), "image_invalid"),
        ]
    );
    assert!(body["detail"][2]["msg"].as_str().unwrap().contains("not an image"), "{body}");

    // Rows for the image model, and pictures for the table model, are refused in words.
    let (status, body) = post(&server, "digits", &json!({"rows": [{"alcohol": 13.2}]}));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "images"]));
    assert!(body["detail"][0]["msg"].as_str().unwrap().contains("this model reads images"), "{body}");
    let (status, body) = post(&server, "wine", &json!({ "images": [encoded[0]] }));
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["detail"][0]["loc"], json!(["body", "rows"]));
}

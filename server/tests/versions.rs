//! The versioned registry over real HTTP: every upload is a new version, `latest` moves
//! only to a bundle that answers, old versions stay reachable, and a second server on
//! the same directory (a replica) sees uploads made through the first.

mod common;

use common::{TOKEN, request, serve, temp_dir, train_wine};
use fornax_core::bundle::Bundle;
use serde_json::{Value, json};

fn auth() -> String {
    format!("Bearer {TOKEN}")
}

fn example(server: &common::Server, name: &str) -> Value {
    let (status, body) = request(server, "GET", &format!("/v1/models/{name}"), &[], b"");
    assert_eq!(status, 200, "{body}");
    json!({ "rows": [body["example"]] })
}

fn predict(server: &common::Server, path: &str, body: &Value) -> (u16, Value) {
    request(server, "POST", path, &[("Content-Type", "application/json")], body.to_string().as_bytes())
}

#[test]
fn uploads_are_new_versions_and_old_ones_stay_reachable() {
    let dir = temp_dir("versions");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    train_wine(&dir.join("mlp.fornax"), "mlp");
    let mlp = std::fs::read(dir.join("mlp.fornax")).unwrap();
    let server = serve(dir);

    let (status, body) = request(&server, "GET", "/v1/models/wine", &[], b"");
    assert_eq!((status, body["version"].as_u64(), body["versions"].clone()), (200, Some(1), json!([1])));
    let (status, body) = request(&server, "PUT", "/v1/models/wine", &[("Authorization", &auth())], &mlp);
    assert_eq!((status, body["version"].as_u64()), (201, Some(2)), "{body}");
    assert_eq!(body["versions"], json!([1, 2]));
    assert_eq!(std::fs::read_to_string(server.dir.join("models/wine/latest")).unwrap(), "2\n");
    assert!(server.dir.join("models/wine.fornax").is_file(), "the hand-placed bundle stays as version 1");

    let row = example(&server, "wine");
    let (status, latest) = predict(&server, "/v1/models/wine/predict", &row);
    assert_eq!((status, latest["version"].as_u64()), (200, Some(2)), "{latest}");
    let (status, first) = predict(&server, "/v1/models/wine/versions/1/predict", &row);
    assert_eq!((status, first["version"].as_u64()), (200, Some(1)), "{first}");
    assert_ne!(latest["predictions"], first["predictions"], "two different models answered");
    let (status, body) = request(&server, "GET", "/v1/models/wine/versions/1", &[], b"");
    assert_eq!((status, body["model"]["hidden"].clone()), (200, json!([])));
    let (status, body) = predict(&server, "/v1/models/wine/versions/7/predict", &row);
    assert_eq!((status, body["detail"].as_str()), (404, Some("model `wine` has no version 7")));

    // A brand-new name starts at version 1, inside its own directory.
    let (status, body) = request(&server, "PUT", "/v1/models/fresh", &[("Authorization", &auth())], &mlp);
    assert_eq!((status, body["version"].as_u64()), (201, Some(1)), "{body}");
    assert!(server.dir.join("models/fresh/1.fornax").is_file());
}

#[test]
fn a_replica_on_the_same_directory_sees_uploads() {
    let dir = temp_dir("replica");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    train_wine(&dir.join("mlp.fornax"), "mlp");
    let mlp = std::fs::read(dir.join("mlp.fornax")).unwrap();
    let first = serve(dir.clone());
    let second = common::serve_shared(&dir);
    let row = example(&second, "wine");
    assert_eq!(predict(&second, "/v1/models/wine/predict", &row).1["version"], 1);

    let (status, _) = request(&first, "PUT", "/v1/models/wine", &[("Authorization", &auth())], &mlp);
    assert_eq!(status, 201);
    // A replica re-reads `latest` at most once a second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (status, body) = predict(&second, "/v1/models/wine/predict", &row);
    assert_eq!((status, body["version"].as_u64()), (200, Some(2)), "{body}");
}

#[test]
fn a_bundle_that_cannot_answer_never_becomes_latest() {
    let dir = temp_dir("smoke");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    train_wine(&dir.join("mlp.fornax"), "mlp");
    let mut bundle = Bundle::from_bytes(&std::fs::read(dir.join("mlp.fornax")).unwrap()).unwrap();
    // Every parameter at f32::MAX: each is finite, so the bundle loads, but the second
    // layer's sums overflow to infinity and the softmax of infinities is NaN.
    let spec = &bundle.manifest.model;
    let widths: Vec<usize> =
        [spec.inputs].into_iter().chain(spec.hidden.iter().copied()).chain([spec.outputs]).collect();
    let parameters: usize = widths.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
    let n = bundle.weights.len();
    for float in bundle.weights[n - 4 * parameters..].chunks_mut(4) {
        float.copy_from_slice(&f32::MAX.to_le_bytes());
    }
    let server = serve(dir);
    let (status, body) = request(&server, "PUT", "/v1/models/wine", &[("Authorization", &auth())], &bundle.to_bytes());
    assert_eq!((status, body["detail"][0]["type"].as_str()), (422, Some("bundle_invalid")), "{body}");
    let msg = body["detail"][0]["msg"].as_str().unwrap();
    assert!(msg.contains("smoke prediction"), "{msg}");
    let (status, body) = request(&server, "GET", "/v1/models/wine", &[], b"");
    assert_eq!((status, body["versions"].clone()), (200, json!([1])), "nothing was stored");
    assert!(!server.dir.join("models/wine").exists());
}

#[test]
fn a_deleted_model_is_gone_from_every_replica() {
    let dir = temp_dir("delete");
    train_wine(&dir.join("models/wine.fornax"), "linear");
    train_wine(&dir.join("mlp.fornax"), "mlp");
    let mlp = std::fs::read(dir.join("mlp.fornax")).unwrap();
    let first = serve(dir.clone());
    let second = common::serve_shared(&dir);
    let (status, _) = request(&first, "PUT", "/v1/models/wine", &[("Authorization", &auth())], &mlp);
    assert_eq!(status, 201);
    let row = example(&second, "wine");
    let (status, _) = predict(&second, "/v1/models/wine/versions/1/predict", &row);
    assert_eq!(status, 200);

    let (status, _) = request(&first, "DELETE", "/v1/models/wine", &[], b"");
    assert_eq!(status, 401);
    let (status, _) = request(&first, "DELETE", "/v1/models/wine", &[("Authorization", &auth())], b"");
    assert_eq!(status, 204);
    assert!(!first.dir.join("models/wine").exists() && !first.dir.join("models/wine.fornax").exists());
    let (status, _) = request(&first, "DELETE", "/v1/models/wine", &[("Authorization", &auth())], b"");
    assert_eq!(status, 404);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    for path in ["/v1/models/wine/predict", "/v1/models/wine/versions/1/predict", "/v1/models/wine/versions/2/predict"]
    {
        let (status, body) = predict(&second, path, &row);
        assert_eq!(status, 404, "{path}: {body}");
    }
}

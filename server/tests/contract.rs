//! The API against its own contract: schemathesis generates requests from the running
//! server's openapi.json, with and without the admin token, and every check must pass
//! (no server error, no status code or body the document does not declare). The script
//! `contract/schemathesis.sh` says which check is left out and why. `cargo xtask test`
//! installs schemathesis from PyPI.

mod common;

use std::process::Command;

use common::{TOKEN, start};

#[test]
fn schemathesis_finds_nothing_the_openapi_document_does_not_declare() {
    let server = start();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/contract/schemathesis.sh");
    let output = Command::new("bash")
        .arg(script)
        .arg(format!("http://{}", server.addr))
        .arg(TOKEN)
        .arg("100")
        .current_dir(&server.dir)
        .output()
        .expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "schemathesis found problems (is it installed? `cargo xtask test` installs it):\n{text}"
    );
    assert_eq!(text.matches("No issues found").count(), 2, "{text}");
}

//! What Fornax's programs say to each other, typed once: the bodies of the companion
//! server's HTTP API ([`http`]) and the messages between the studio's UI and its training
//! worker ([`worker`]). The server, the UI and the worker all build and read these types,
//! so a renamed field fails to compile on every side instead of going missing at run time.
//!
//! ```
//! use fornax_wire::http::{ErrorBody, PredictRequest};
//! let request: PredictRequest = serde_json::from_str(r#"{"rows": [{"alcohol": 13.2}]}"#).unwrap();
//! assert_eq!(request.rows[0]["alcohol"], 13.2);
//! let error: ErrorBody = serde_json::from_str(r#"{"detail": "no model `wine`"}"#).unwrap();
//! assert_eq!(error.sentence(), "no model `wine`");
//! ```

#![warn(missing_docs)]

pub mod http;
pub mod worker;

//! Path parameters that do not parse answer as FastAPI does: 422 with the parameter
//! located (`{"detail":[{"loc":["path","version"],...}]}`), not axum's plain-text 400.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::api_error::ApiError;

/// The path of a model: `/v1/models/{name}...` (and of a dataset, `/v1/datasets/{name}`).
#[derive(serde::Deserialize)]
pub struct NamePath {
    /// The model's (or dataset's) name.
    pub name: String,
}

/// The path of a job: `/v1/jobs/{id}...`.
#[derive(serde::Deserialize)]
pub struct JobPath {
    /// The job's id.
    pub id: String,
}

/// The path of one version of a model: `/v1/models/{name}/versions/{version}...`.
#[derive(serde::Deserialize)]
pub struct VersionPath {
    /// The model's name.
    pub name: String,
    /// The version number.
    pub version: u32,
}

/// Axum's [`Path`], with its rejections turned into [`ApiError`]s. Deserialize into a
/// struct with named fields, so an error can name the parameter.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state).await.map(|Path(value)| ApiPath(value)).map_err(rejected)
    }
}

fn rejected(rejection: PathRejection) -> ApiError {
    let PathRejection::FailedToDeserializePathParams(failed) = &rejection else {
        return ApiError::Internal(rejection.body_text());
    };
    match failed.kind() {
        ErrorKind::ParseErrorAtKey { key, value, expected_type } => {
            let (msg, kind) = unparsed(value, expected_type);
            ApiError::field(&["path", key], msg, kind)
        }
        ErrorKind::InvalidUtf8InPathParam { key } => {
            ApiError::field(&["path", key], "Input should be a valid string: it is not UTF-8", "string_unicode")
        }
        _ => ApiError::field(&["path"], rejection.body_text(), "path_invalid"),
    }
}

/// Pydantic's words and error type for a value that is not the integer a path wants.
fn unparsed(value: &str, expected_type: &str) -> (String, &'static str) {
    let unsigned = expected_type.starts_with('u');
    match value.trim().parse::<i128>() {
        Ok(n) if unsigned && n < 0 => ("Input should be greater than or equal to 0".into(), "greater_than_equal"),
        Ok(_) => (format!("Input should fit in a {expected_type}"), "less_than_equal"),
        Err(_) => ("Input should be a valid integer, unable to parse string as an integer".into(), "int_parsing"),
    }
}

#[cfg(test)]
mod tests {
    use super::unparsed;

    #[test]
    fn integers_out_of_range_and_words_are_told_apart() {
        assert_eq!(unparsed("-1", "u32").1, "greater_than_equal");
        assert_eq!(unparsed("99999999999", "u32").1, "less_than_equal");
        assert_eq!(unparsed("two", "u32").1, "int_parsing");
    }
}

//! `/openapi.json` and `/docs`: the API described like FastAPI describes its own, with
//! Swagger UI compiled into the binary (no CDN, so the docs work offline).

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::{api, jobs_api};

#[derive(OpenApi)]
#[openapi(
    info(title = "Fornax", description = "Predictions from models trained in the Fornax studio. \
        Each model's input columns are at `GET /v1/models/{name}`; admin routes need \
        `Authorization: Bearer TOKEN` (the server's FORNAX_TOKEN). Training jobs run the \
        studio's training on the server's device and register the result as a model version."),
    paths(
        api::healthz,
        api::readyz,
        api::metrics,
        api::list_models,
        api::model_info,
        api::version_info,
        api::upload_model,
        api::delete_model,
        api::predict,
        api::predict_version,
        jobs_api::upload_dataset,
        jobs_api::submit_job,
        jobs_api::list_jobs,
        jobs_api::job_info,
        jobs_api::cancel_job,
        jobs_api::job_events,
        jobs_api::download_bundle,
    ),
    components(schemas(fornax_wire::http::PredictionSchema, fornax_wire::http::LocItem, fornax_wire::http::ValidationError)),
    modifiers(&BearerToken),
)]
struct ApiDoc;

/// Declares the `bearer` scheme the admin routes name.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `/docs` (Swagger UI) and `/openapi.json`.
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    SwaggerUi::new("/docs").url("/openapi.json", document()).into()
}

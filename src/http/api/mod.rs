//! The JSON API under `/api/v1`. Clients sign in with `POST /auth/login` and send the token as
//! `Authorization: Bearer …` (or the session cookie plus `X-CSRF-Token` from a browser). Every
//! error is `{"error": {"code", "message", "fields"}}` in the request's language.

pub mod accounts;
pub mod applications;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod catalog;
pub mod counter;
pub mod files;
pub mod licences;
pub mod ops;
pub mod ops_desk;
pub mod org;
pub mod performance;
pub mod performance_report;
pub mod performance_request;
pub mod performance_scheme;
pub mod print;
pub mod reports;
pub mod stats;
pub mod workflow;

use utoipa_axum::router::OpenApiRouter;

use super::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .route(
            "/openapi.json",
            axum::routing::get(super::openapi::document),
        )
        .merge(auth::router())
        .merge(org::router())
        .merge(accounts::router())
        .merge(catalog::router())
        .merge(workflow::router())
        .merge(calendar::router())
        .merge(approvals::router())
        .merge(files::router())
        .merge(ops::router())
        .merge(ops_desk::router())
        .merge(print::router())
        .merge(counter::router())
        .merge(applications::router())
        .merge(licences::router())
        .merge(audit::router())
        .merge(performance::router())
        .merge(performance_report::router())
        .merge(performance_request::router())
        .merge(stats::router())
        .merge(reports::router())
        .merge(performance_scheme::router())
}

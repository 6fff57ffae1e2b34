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
pub mod print;
pub mod workflow;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post, put};

use super::AppState;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download (an export), named `name`.
pub fn download(mime: &str, name: &str, body: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let headers = [
        (axum::http::header::CONTENT_TYPE, mime.to_string()),
        (
            axum::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
    ];
    (headers, body).into_response()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(super::openapi::document))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/me/password", post(auth::change_password))
        .route("/org/units", get(org::list).post(org::create))
        .route("/org/units/{id}", get(org::get).patch(org::patch))
        .route("/org/units/{id}/retire", post(org::retire))
        .route("/accounts", get(accounts::list).post(accounts::create))
        .route(
            "/accounts/import",
            post(accounts::import).layer(DefaultBodyLimit::max(20 << 20)),
        )
        .route("/accounts/{id}", get(accounts::get).patch(accounts::patch))
        .route("/accounts/{id}/password", post(accounts::reset_password))
        .route("/accounts/{id}/grants", post(accounts::add_grant))
        .route(
            "/accounts/{id}/grants/{gid}",
            delete(accounts::remove_grant),
        )
        .route("/matters", get(catalog::list).post(catalog::create))
        .route("/matters/search", get(catalog::search))
        .route("/matters/{code}", get(catalog::public))
        .route("/matters/{code}/admin", get(catalog::detail))
        .route("/matters/{code}/draft", put(catalog::save_draft))
        .route("/matters/{code}/versions", get(catalog::versions))
        .route("/matters/{code}/versions/{n}", get(catalog::version))
        .route("/matters/{code}/diff", get(catalog::diff_versions))
        .route("/matters/{code}/units", put(catalog::set_unit))
        .route("/matters/{code}/validate", post(catalog::validate))
        .route("/matters/{code}/workflow", get(workflow::current))
        .route("/matters/{code}/workflow.svg", get(workflow::svg))
        .route(
            "/matters/{code}/workflow/draft",
            get(workflow::draft).put(workflow::save_draft),
        )
        .route("/matters/{code}/workflow/publish", post(workflow::publish))
        .route("/matters/{code}/workflow/versions", get(workflow::versions))
        .route(
            "/matters/{code}/workflow/versions/{n}",
            get(workflow::version),
        )
        .route("/matters/{code}/{action}", post(catalog::act))
        .route("/catalog/export", get(catalog::export))
        .route(
            "/catalog/import",
            post(catalog::import).layer(DefaultBodyLimit::max(50 << 20)),
        )
        .route(
            "/calendar/add-working-days",
            get(calendar::add_working_days),
        )
        .route("/calendar/days/{date}", put(calendar::set_day))
        .route(
            "/calendar/hours/{unit_id}",
            get(calendar::hours).put(calendar::set_hours),
        )
        .route("/calendar/{year}", get(calendar::year))
        .route(
            "/approvals",
            get(approvals::supervise).post(approvals::start),
        )
        .route("/approvals/inbox", get(approvals::inbox))
        .route("/approvals/{id}", get(approvals::get))
        .route("/approvals/{id}/resume", post(approvals::resume))
        .route("/approvals/tasks/{id}/claim", post(approvals::claim))
        .route("/approvals/tasks/{id}/release", post(approvals::release))
        .route("/approvals/tasks/{id}/act", post(approvals::act))
        .route("/approvals/{id}/files/{file}", get(files::attachment))
        .route(
            "/files",
            post(files::upload).layer(DefaultBodyLimit::max(files::BODY_LIMIT)),
        )
        .route("/files/{id}", get(files::get))
        .route("/ops/tickets", get(ops::list).post(ops::create))
        .route(
            "/ops/tickets/import",
            post(ops::import).layer(DefaultBodyLimit::max(50 << 20)),
        )
        .route("/ops/tickets/export", get(ops::export))
        .route("/ops/tickets/{id}", get(ops::get))
        .route("/ops/tickets/{id}/act", post(ops::act))
        .route("/ops/tickets/{id}/escalate", post(ops::escalate))
        .route("/ops/stats", get(ops::stats))
        .route("/ops/duty", get(ops_desk::rota).post(ops_desk::add_duty))
        .route("/ops/duty/{id}", delete(ops_desk::remove_duty))
        .route(
            "/ops/assurance",
            get(ops_desk::assurances).post(ops_desk::save_assurance),
        )
        .route(
            "/ops/checks",
            get(ops_desk::inspections).post(ops_desk::add_check),
        )
        .route("/ops/checks/run", post(ops_desk::run_checks))
        .route("/ops/tickets/{id}/duplicate", post(ops_desk::duplicate))
        .route(
            "/ops/known-errors",
            get(ops_desk::known_errors).post(ops_desk::add_known_error),
        )
        .route(
            "/ops/tickets/{id}/known-error",
            post(ops_desk::link_known_error),
        )
        .route("/ops/tickets/{id}/vendor", post(ops_desk::vendor))
        .route(
            "/ops/tickets/{id}/files",
            post(ops_desk::attach).layer(DefaultBodyLimit::max(files::BODY_LIMIT * 5)),
        )
        .route("/ops/tickets/{id}/files/{file}", get(ops_desk::ticket_file))
        .route("/ops/sla", get(ops_desk::sla))
        .route("/ops/sla/{priority}", put(ops_desk::set_sla))
        .route("/ops/reports/weekly", get(ops::weekly))
        .route("/ops/reports/weekly.xlsx", get(ops::weekly_xlsx))
        .route("/ops/reports/weekly/send", post(ops::weekly_send))
        .route("/ops/reports/recipients", put(ops::set_recipients))
        .route("/print/templates/{kind}", get(print::get).put(print::save))
        .route("/print/templates/{kind}/preview", post(print::preview))
        .route("/halls/{code}/windows", get(counter::hall_windows))
        .route("/halls/{code}/tickets", post(counter::take))
        .route("/halls/{code}/display", get(counter::display))
        .route("/windows", post(counter::create_window))
        .route("/windows/mine", get(counter::my_windows))
        .route("/windows/{id}", put(counter::update_window))
        .route("/windows/{id}/state", get(counter::state))
        .route("/windows/{id}/call", post(counter::call))
        .route("/windows/{id}/recall", post(counter::recall))
        .route("/windows/{id}/close", post(counter::close))
        .route("/applicants/find", post(counter::find))
        .route("/applicants/verify", post(counter::verify))
        .route("/applications/counter", post(counter::file))
        .route("/applications/{id}/checks", post(counter::checks))
        .route(
            "/applications/{id}/counter-resubmit",
            post(counter::resubmit),
        )
        .route(
            "/applications/{id}/notices/{kind}",
            get(counter::notice_pdf),
        )
        .route("/register", post(applications::register))
        .route("/applications", post(applications::create))
        .route("/applications/mine", get(applications::mine))
        .route("/applications/queue", get(applications::queue))
        .route(
            "/applications/{id}",
            get(applications::get).put(applications::update),
        )
        .route("/applications/{id}/decision", post(applications::decide))
        .route(
            "/applications/{id}/files/{file}",
            get(applications::material_file),
        )
        .route("/applications/{id}/rating", post(applications::rate))
        .route(
            "/applications/{id}/complaints",
            post(applications::complain),
        )
        .route("/applications/{id}/followups", get(applications::followups))
        .route("/followups", get(applications::open_followups))
        .route("/messages", get(applications::messages))
        .route("/messages/{id}/read", post(applications::read_message))
        .route("/licences/mine", get(applications::my_licences))
        .route("/followups/{id}/answer", post(applications::answer))
        .route("/licences", get(licences::of_holder).post(licences::issue))
        .route("/licences/verify", post(licences::verify))
        .route("/licences/{number}/status", get(licences::status))
        .route("/licences/{number}/revoke", post(licences::revoke))
        .route("/licence-keys/{unit_id}/rotate", post(licences::rotate))
        .route("/audit", get(audit::list))
        .route("/audit/export", get(audit::export))
}

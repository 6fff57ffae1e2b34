//! The OpenAPI document at `/api/v1/openapi.json`, generated from the handlers' annotations and
//! the request/response types, so it cannot drift from the code.

use axum::Json;
use utoipa::OpenApi;

use super::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhengwu API",
        description = "Internet+ government services platform"
    ),
    paths(
        api::auth::login,
        api::auth::logout,
        api::auth::me,
        api::auth::change_password,
        api::org::list,
        api::org::get,
        api::org::create,
        api::org::patch,
        api::org::retire,
        api::accounts::list,
        api::accounts::create,
        api::accounts::get,
        api::accounts::patch,
        api::accounts::reset_password,
        api::accounts::add_grant,
        api::accounts::remove_grant,
        api::accounts::import,
        api::audit::list,
        api::audit::export,
        api::catalog::search,
        api::catalog::public,
        api::catalog::list,
        api::catalog::create,
        api::catalog::detail,
        api::catalog::save_draft,
        api::catalog::act,
        api::catalog::versions,
        api::catalog::version,
        api::catalog::diff_versions,
        api::catalog::set_unit,
        api::catalog::validate,
        api::catalog::export,
        api::catalog::import,
        api::calendar::add_working_days,
        api::calendar::year,
        api::calendar::set_day,
        api::calendar::hours,
        api::calendar::set_hours,
        api::workflow::current,
        api::workflow::draft,
        api::workflow::save_draft,
        api::workflow::publish,
        api::workflow::versions,
        api::workflow::version,
        api::workflow::svg,
        api::approvals::start,
        api::approvals::supervise,
        api::approvals::inbox,
        api::approvals::get,
        api::approvals::claim,
        api::approvals::release,
        api::approvals::act,
        api::approvals::resume,
        api::files::attachment,
        api::files::upload,
        api::files::get,
        api::ops::create,
        api::ops::list,
        api::ops::get,
        api::ops::act,
        api::ops::escalate,
        api::ops::stats,
        api::ops::import,
        api::ops::export,
        api::ops::weekly,
        api::ops::weekly_xlsx,
        api::ops::weekly_send,
        api::ops::set_recipients,
        api::ops_desk::rota,
        api::ops_desk::add_duty,
        api::ops_desk::remove_duty,
        api::ops_desk::assurances,
        api::ops_desk::save_assurance,
        api::ops_desk::inspections,
        api::ops_desk::add_check,
        api::ops_desk::run_checks,
    )
)]
pub struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

//! The catalog over JSON: public search and guides; drafting, review and publication for matter
//! editors; per-unit switches; form validation; catalog export and import.

use crate::http::query::Query;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

use crate::auth::Perm;
use crate::catalog::diff::{Difference, diff};
use crate::catalog::exchange::{self, CatalogFile, ImportReport};
use crate::catalog::repo::{self, Detail, ListQuery, Summary, VersionInfo};
use crate::catalog::search::{Hits, SearchQuery};
use crate::catalog::{Matter, form};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{MaybeSession, Session};
use crate::org;

/// Search the matters in service. Public.
#[utoipa::path(get, path = "/matters/search", tag = "catalog", params(SearchQuery),
    responses((status = 200, body = Hits)))]
pub async fn search(State(s): State<AppState>, Query(q): Query<SearchQuery>) -> Result<Json<Hits>> {
    s.search.refresh(&s.db).await?;
    Ok(Json(
        s.search.search(&q).map_err(|e| Error::Internal(e.into()))?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublicMatter {
    pub version: i64,
    /// 1 即办件 (on the spot), 2 承诺件 (promised).
    pub case_type: u8,
    pub matter: Matter,
    /// Halls that serve it.
    pub halls: Vec<org::Unit>,
}

/// A matter's published guide and form, and where it is served. Public.
#[utoipa::path(get, path = "/matters/{code}", tag = "catalog",
    responses((status = 200, body = PublicMatter), (status = 404)))]
pub async fn public(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<PublicMatter>> {
    let (version, matter) = repo::public(&s.db, &code).await?;
    let halls = repo::halls(&s.db, &code, &matter).await?;
    Ok(Json(PublicMatter {
        version,
        case_type: matter.case_type(),
        matter,
        halls,
    }))
}

/// Matters of the departments the caller edits or reviews.
#[utoipa::path(get, path = "/matters", tag = "catalog", params(ListQuery),
    responses((status = 200, body = Vec<Summary>), (status = 403)))]
pub async fn list(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Summary>>> {
    Ok(Json(repo::list(&s.db, &session.principal, &q).await?))
}

/// Start a new matter as a draft.
#[utoipa::path(post, path = "/matters", tag = "catalog", request_body = Matter,
    responses((status = 201, body = Summary), (status = 403), (status = 409)))]
pub async fn create(
    State(s): State<AppState>,
    session: Session,
    Json(m): Json<Matter>,
) -> Result<(StatusCode, Json<Summary>)> {
    Ok((
        StatusCode::CREATED,
        Json(repo::create(&s.db, &session.principal, m).await?),
    ))
}

/// State, draft and published content, for editors and reviewers.
#[utoipa::path(get, path = "/matters/{code}/admin", tag = "catalog",
    responses((status = 200, body = Detail), (status = 404)))]
pub async fn detail(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
) -> Result<Json<Detail>> {
    Ok(Json(repo::detail(&s.db, &session.principal, &code).await?))
}

/// The version an editor loaded, to save over only that one.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Base {
    /// The `updated_at` the editor read: when someone saved since, the save is refused (409,
    /// naming who and when) instead of overwriting their change. Omitted: saved regardless.
    pub base: Option<String>,
}

/// Replace the draft.
#[utoipa::path(put, path = "/matters/{code}/draft", tag = "catalog", request_body = Matter,
    params(Base),
    responses((status = 200, body = Summary), (status = 403), (status = 404), (status = 409)))]
pub async fn save_draft(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Query(b): Query<Base>,
    Json(m): Json<Matter>,
) -> Result<Json<Summary>> {
    Ok(Json(
        repo::save_draft(&s.db, &session.principal, &code, m, b.base.as_deref()).await?,
    ))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ActionBody {
    /// Why, for `reject`.
    #[serde(default)]
    pub reason: String,
}

/// `submit` (editors; runs the consistency rules), `publish`, `reject`, `suspend`, `resume`,
/// `retire` (reviewers).
#[utoipa::path(post, path = "/matters/{code}/{action}", tag = "catalog", request_body = ActionBody,
    responses((status = 200, body = Summary), (status = 403), (status = 409), (status = 422)))]
pub async fn act(
    State(s): State<AppState>,
    session: Session,
    Path((code, action)): Path<(String, String)>,
    body: Option<Json<ActionBody>>,
) -> Result<Json<Summary>> {
    let p = &session.principal;
    let body = body.map(|b| b.0).unwrap_or_default();
    let r = match action.as_str() {
        "submit" => repo::submit(&s.db, p, &code).await?,
        "publish" => repo::publish(&s.db, p, &code).await?,
        "reject" => repo::reject(&s.db, p, &code, &body.reason).await?,
        "suspend" | "resume" | "retire" => repo::set_status(&s.db, p, &code, &action).await?,
        _ => return Err(Error::NotFound),
    };
    Ok(Json(r))
}

#[utoipa::path(get, path = "/matters/{code}/versions", tag = "catalog",
    responses((status = 200, body = Vec<VersionInfo>)))]
pub async fn versions(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(code): Path<String>,
) -> Result<Json<Vec<VersionInfo>>> {
    crate::catalog::lookup::readable(&s.db, &code, session.as_ref().map(|x| &x.principal)).await?;
    Ok(Json(repo::versions(&s.db, &code).await?))
}

/// One published version exactly as it was published. Public.
#[utoipa::path(get, path = "/matters/{code}/versions/{n}", tag = "catalog",
    responses((status = 200, body = Matter), (status = 404)))]
pub async fn version(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path((code, n)): Path<(String, i64)>,
) -> Result<Json<Matter>> {
    crate::catalog::lookup::readable(&s.db, &code, session.as_ref().map(|x| &x.principal)).await?;
    Ok(Json(repo::version(&s.db, &code, n).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    pub from: i64,
    /// A version number, or `draft` (editors only).
    pub to: String,
}

/// Field-by-field differences between two versions (or a version and the draft).
#[utoipa::path(get, path = "/matters/{code}/diff", tag = "catalog", params(DiffQuery),
    responses((status = 200, body = Vec<Difference>)))]
pub async fn diff_versions(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(code): Path<String>,
    Query(q): Query<DiffQuery>,
) -> Result<Json<Vec<Difference>>> {
    crate::catalog::lookup::readable(&s.db, &code, session.as_ref().map(|x| &x.principal)).await?;
    let a = repo::version(&s.db, &code, q.from).await?;
    let b = match q.to.as_str() {
        "draft" => {
            let session = session.ok_or(Error::Unauthenticated)?;
            repo::detail(&s.db, &session.principal, &code)
                .await?
                .draft
                .ok_or(Error::NotFound)?
        }
        n => repo::version(&s.db, &code, n.parse().map_err(|_| Error::NotFound)?).await?,
    };
    Ok(Json(diff(&json!(a), &json!(b))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UnitSwitch {
    pub unit_id: i64,
    pub enabled: bool,
}

/// Switch a matter on or off for a district, street or community.
#[utoipa::path(put, path = "/matters/{code}/units", tag = "catalog", request_body = UnitSwitch,
    responses((status = 204), (status = 403)))]
pub async fn set_unit(
    State(s): State<AppState>,
    session: Session,
    Path(code): Path<String>,
    Json(b): Json<UnitSwitch>,
) -> Result<StatusCode> {
    repo::set_unit(&s.db, &session.principal, &code, b.unit_id, b.enabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct Submission {
    /// The form version the values were entered against; the current one when absent.
    pub version: Option<i64>,
    pub values: Map<String, Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Validated {
    pub version: i64,
    /// The cleaned values: only visible fields, normalised.
    pub values: Map<String, Value>,
}

/// Check form values against the schema of the version they claim. Public.
#[utoipa::path(post, path = "/matters/{code}/validate", tag = "catalog", request_body = Submission,
    responses((status = 200, body = Validated), (status = 422)))]
pub async fn validate(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Json(sub): Json<Submission>,
) -> Result<Json<Validated>> {
    let (current, _) = repo::public(&s.db, &code).await?;
    let version = sub.version.unwrap_or(current);
    let matter = repo::version(&s.db, &code, version).await?;
    let units = org::list(&s.db).await?;
    let exists = |c: &str| units.iter().any(|u| u.code == c && !u.is_retired());
    let values = form::FormSchema::validate(&matter.form, &sub.values, &exists)
        .map_err(Error::Validation)?;
    Ok(Json(Validated { version, values }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default, lossless) or `xlsx`.
    pub format: Option<String>,
}

/// The whole catalog, for reporting upward (JSON) or for people (XLSX).
#[utoipa::path(get, path = "/catalog/export", tag = "catalog", params(ExportQuery),
    responses((status = 200, body = CatalogFile)))]
pub async fn export(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<ExportQuery>,
) -> Result<Response> {
    if !session.principal.has(Perm::EditMatters) && !session.principal.has(Perm::ReviewMatters) {
        return Err(Error::Forbidden);
    }
    let file = exchange::export(&s.db).await?;
    if q.format.as_deref() == Some("xlsx") {
        let units = org::list(&s.db).await?;
        let bytes = crate::blocking::run(move || exchange::to_xlsx(&file, &units)).await?;
        let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        let disp = "attachment; filename=\"catalog.xlsx\"";
        return Ok((
            [
                (header::CONTENT_TYPE, xlsx),
                (header::CONTENT_DISPOSITION, disp),
            ],
            bytes,
        )
            .into_response());
    }
    Ok(Json(file).into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    #[serde(default)]
    pub dry_run: bool,
}

/// Import a catalog file — the JSON format, or the XLSX sheet of `export?format=xlsx` (which changes
/// the basic facts of existing matters) — reporting the differences; all or nothing.
#[utoipa::path(post, path = "/catalog/import", tag = "catalog", params(ImportQuery), request_body = CatalogFile,
    responses((status = 200, body = ImportReport), (status = 422, body = ImportReport)))]
pub async fn import(
    State(s): State<AppState>,
    session: Session,
    Query(q): Query<ImportQuery>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ImportReport>)> {
    if !session.principal.has(Perm::ReviewMatters) {
        return Err(Error::Forbidden);
    }
    let r = if body.starts_with(b"PK") {
        exchange::import_xlsx(&s.db, &session.principal, &body, q.dry_run).await?
    } else {
        let file: CatalogFile = serde_json::from_slice(&body).map_err(|e| {
            Error::Validation(vec![crate::error::FieldError::with(
                "file",
                "field.file_format",
                e.to_string(),
            )])
        })?;
        exchange::import(&s.db, &session.principal, file, q.dry_run).await?
    };
    let status = if r.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(r)))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(search))
        .routes(routes!(public))
        .routes(routes!(detail))
        .routes(routes!(save_draft))
        .routes(routes!(versions))
        .routes(routes!(version))
        .routes(routes!(diff_versions))
        .routes(routes!(set_unit))
        .routes(routes!(validate))
        .routes(routes!(act))
        .routes(routes!(export))
        .routes(routes!(import).layer(axum::extract::DefaultBodyLimit::max(50 << 20)))
}

//! E-licences over the API: issue (the department), the public check by number, checking a
//! presented licence document, revocation, a holder's licences, key rotation.

use crate::http::query::Query;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::Session;
use crate::licence::Licence;
use crate::licence::keys::{self, KeyInfo};
use crate::licence::repo::{self, Issue, PublicStatus, Status};

#[utoipa::path(post, path = "/licences", tag = "licences", request_body = Issue,
    responses((status = 201, body = Licence), (status = 403), (status = 422)))]
pub async fn issue(
    State(s): State<AppState>,
    session: Session,
    Json(i): Json<Issue>,
) -> Result<(StatusCode, Json<Licence>)> {
    Ok((
        StatusCode::CREATED,
        Json(repo::issue(&s.db, &session.principal, &i).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Code {
    /// The licence's verification code, printed beside its QR code.
    #[serde(default)]
    pub code: String,
}

/// The public check: valid, expired, revoked (with the reason) or tampered, with the minimum a
/// verifier needs. Needs the licence's verification code (404 without it, as for no licence).
/// No sign-in.
#[utoipa::path(get, path = "/licences/{number}/status", tag = "licences",
    params(("number" = String, Path, description = "Licence number"), Code),
    responses((status = 200, body = PublicStatus), (status = 404), (status = 429)))]
pub async fn status(
    State(s): State<AppState>,
    Path(number): Path<String>,
    Query(c): Query<Code>,
) -> Result<Json<PublicStatus>> {
    Ok(Json(repo::status(&s.db, &number, &c.code).await?))
}

/// A licence document as presented, and optionally the ID number the verifier was shown.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Presented {
    #[serde(flatten)]
    pub licence: Licence,
    /// The ID number the presenter showed: the answer says whether it is the holder's.
    #[serde(default)]
    pub holder_id: Option<String>,
}

/// Checks a licence document as exported; a changed field is refused (422). With `holder_id`,
/// also whether that is the holder's ID number. No sign-in.
#[utoipa::path(post, path = "/licences/verify", tag = "licences", request_body = Presented,
    responses((status = 200, body = PublicStatus), (status = 404), (status = 422), (status = 429)))]
pub async fn verify(
    State(s): State<AppState>,
    Json(p): Json<Presented>,
) -> Result<Json<PublicStatus>> {
    // A few holder checks a minute per licence, from wherever they come: the masked ID leaves
    // about 3,300 candidates, which must not be tried through this door.
    if p.holder_id.as_deref().is_some_and(|h| !h.trim().is_empty())
        && let Err(seconds) = s.limiter.check_key(
            crate::http::limits::Class::HolderCheck,
            p.licence.number.trim(),
            std::time::Instant::now(),
        )
    {
        return Err(Error::RateLimited {
            seconds: seconds as i64,
        });
    }
    Ok(Json(
        repo::verify_document(&s.db, &p.licence, p.holder_id.as_deref()).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Revoke {
    pub reason: String,
}

#[utoipa::path(post, path = "/licences/{number}/revoke", tag = "licences", request_body = Revoke,
    responses((status = 200, body = Status), (status = 404), (status = 409), (status = 422)))]
pub async fn revoke(
    State(s): State<AppState>,
    session: Session,
    Path(number): Path<String>,
    Json(r): Json<Revoke>,
) -> Result<Json<Status>> {
    Ok(Json(
        repo::revoke(&s.db, &session.principal, &number, &r.reason).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Holder {
    /// The holder's resident ID number or credit code.
    pub holder_id: String,
}

/// A holder's licences, of the units where the caller issues licences.
#[utoipa::path(get, path = "/licences", tag = "licences", params(Holder),
    responses((status = 200, body = Vec<Status>), (status = 403)))]
pub async fn of_holder(
    State(s): State<AppState>,
    session: Session,
    Query(h): Query<Holder>,
) -> Result<Json<Vec<Status>>> {
    if !session.principal.has(crate::auth::Perm::IssueLicences) {
        return Err(Error::Forbidden);
    }
    Ok(Json(
        repo::of_holder(&s.db, &h.holder_id, Some(&session.principal)).await?,
    ))
}

/// Retires a department's signing key and makes a new one (Ed25519 or SM2); its licences
/// still verify.
#[utoipa::path(post, path = "/licence-keys/{unit_id}/rotate", tag = "licences",
    params(("unit_id" = i64, Path, description = "The issuing department")),
    request_body = keys::Rotate,
    responses((status = 200, body = KeyInfo), (status = 403), (status = 404), (status = 422)))]
pub async fn rotate(
    State(s): State<AppState>,
    session: Session,
    Path(unit_id): Path<i64>,
    body: Option<Json<keys::Rotate>>,
) -> Result<Json<KeyInfo>> {
    let r = body.map(|b| b.0).unwrap_or_default();
    Ok(Json(
        keys::rotate(&s.db, &session.principal, unit_id, &r).await?,
    ))
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(of_holder, issue))
        .routes(routes!(verify))
        .routes(routes!(status))
        .routes(routes!(revoke))
        .routes(routes!(rotate))
}

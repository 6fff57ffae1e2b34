//! Sign-in for machine clients, sign-out, who am I, change my password.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, Grant, SESSION_HOURS};
use crate::error::Result;
use crate::http::AppState;
use crate::http::context::{Ctx, SESSION_COOKIE, Session};
use crate::http::cookies::cookie_header;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// For browser clients using the cookie: send back as `X-CSRF-Token` on changes.
    pub csrf_token: String,
    pub me: Me,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: Option<i64>,
    pub username: String,
    pub name: String,
    pub grants: Vec<Grant>,
}

fn me_of(p: &auth::Principal) -> Me {
    Me {
        id: p.user_id,
        username: p.username.clone(),
        name: p.name.clone(),
        grants: p.grants.clone(),
    }
}

/// Sign in; sets the session cookie and answers the bearer token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401), (status = 429)))]
pub async fn login(
    State(s): State<AppState>,
    ctx: Ctx,
    Json(req): Json<LoginRequest>,
) -> Result<Response> {
    let (token, p) = auth::login(&s.db, &req.username, &req.password, ctx.ip).await?;
    let cookie = cookie_header(
        SESSION_COOKIE,
        &token,
        SESSION_HOURS * 3600,
        s.secure_cookies,
    );
    let body = LoginResponse {
        csrf_token: p.csrf.clone(),
        me: me_of(&p),
        token,
    };
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// End this session (the token stops working).
#[utoipa::path(post, path = "/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(State(s): State<AppState>, session: Session) -> Result<Response> {
    auth::logout(&s.db, &session.principal, &session.token).await?;
    let cookie = cookie_header(SESSION_COOKIE, "", 0, s.secure_cookies);
    Ok((
        [(header::SET_COOKIE, cookie)],
        axum::http::StatusCode::NO_CONTENT,
    )
        .into_response())
}

/// The signed-in account and its role grants.
#[utoipa::path(get, path = "/me", tag = "auth", responses((status = 200, body = Me)))]
pub async fn me(session: Session) -> Json<Me> {
    Json(me_of(&session.principal))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Change one's own password; other sessions of the account end.
#[utoipa::path(post, path = "/me/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 422)))]
pub async fn change_password(
    State(s): State<AppState>,
    session: Session,
    Json(req): Json<PasswordChange>,
) -> Result<axum::http::StatusCode> {
    auth::change_password(
        &s.db,
        &session.principal,
        &req.current_password,
        &req.new_password,
        &session.token,
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// This area's endpoints, each documented where it is written.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
}

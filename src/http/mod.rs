//! The HTTP layer: the JSON API under `/api/v1` ([`api`]), the server-rendered pages ([`web`]),
//! and the operational endpoints (`/healthz`, `/metrics`). Handlers are thin: they parse, call
//! the domain, and render; authorisation lives in the domain functions they call.

pub mod api;
pub mod context;
pub mod cookies;
pub mod error;
pub mod limits;
mod metrics;
mod openapi;
pub mod pages;
pub mod query;
pub mod server;
pub mod transfer;
pub mod web;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::storage::Db;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub pages: Arc<pages::Pages>,
    pub secure_cookies: bool,
    pub search: Arc<crate::catalog::search::SearchIndex>,
    pub smtp: Option<crate::mail::Smtp>,
    pub data_dir: std::path::PathBuf,
    pub limiter: Arc<limits::Limiter>,
    pub metrics_token: Option<String>,
    /// The address people reach the platform at (for printed links), when configured.
    pub public_url: Option<String>,
    /// The longest a request may take, body included.
    pub request_timeout: std::time::Duration,
}

impl AppState {
    /// What the inspections probe on this server: its own address (from the request) and data dir.
    pub fn probe(&self, host: Option<&str>) -> crate::ops::checks::Probe {
        crate::ops::checks::Probe {
            self_url: format!("http://{}", host.unwrap_or("127.0.0.1:8080")),
            data_dir: self.data_dir.clone(),
        }
    }

    pub fn new(db: Db, config: &Config) -> AppState {
        AppState {
            db,
            pages: Arc::new(pages::Pages::new()),
            secure_cookies: config.secure_cookies,
            search: Arc::new(crate::catalog::search::SearchIndex::new()),
            smtp: config.smtp.clone(),
            data_dir: config.data_dir.clone(),
            limiter: Arc::new(limits::Limiter::new(config.rate_limits)),
            metrics_token: config.metrics_token.clone(),
            public_url: config.public_url.clone(),
            request_timeout: config.request_timeout,
        }
    }
}

/// The JSON API with its OpenAPI document: each area's API router, under `/api/v1`.
pub fn api_router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa::OpenApi;
    utoipa_axum::router::OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest("/api/v1", api::router())
}

pub fn router(state: AppState) -> Router {
    let (api, _) = api_router().split_for_parts();
    Router::new()
        .merge(web::router())
        .merge(api)
        // API handlers that pages link to as they are.
        .route("/approvals/{id}/files/{file}", get(api::files::attachment))
        .route("/audit/export", get(api::audit::export))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .layer(middleware::from_fn_with_state(state.clone(), limits::limit))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            context::authenticate,
        ))
        // Inside `localize`, so a panic's 500 is written like every other error.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panicked,
        ))
        // And so is a request that took too long (408).
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::localize,
        ))
        .layer(middleware::from_fn(metrics::track))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn healthz(axum::extract::State(s): axum::extract::State<AppState>) -> impl IntoResponse {
    let ok = s.db.ping().await;
    let code = if ok { 200 } else { 503 };
    (
        axum::http::StatusCode::from_u16(code).expect("valid"),
        axum::Json(serde_json::json!({"status": if ok {"ok"} else {"degraded"}, "database": ok})),
    )
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        include_str!("../../static/app.js"),
    )
}

async fn security_headers(
    axum::extract::State(s): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    // Served over https (the cookies are `Secure`): browsers keep to https from now on.
    if s.secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'",
        ),
    );
    resp
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests and returns.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let jobs = spawn_jobs(state.db.clone(), std::time::Duration::from_secs(60));
    let mail = match &state.smtp {
        Some(smtp) => Some(crate::mail::spawn_sender(
            state.db.clone(),
            smtp.clone(),
            std::time::Duration::from_secs(5),
        )),
        None => {
            tracing::warn!("no smtp_url configured: mail stays queued until one is");
            None
        }
    };
    let checks = crate::ops::checks::spawn(
        state.db.clone(),
        crate::ops::checks::Probe {
            self_url: format!("http://{}", listener.local_addr()?),
            data_dir: state.data_dir.clone(),
        },
        std::time::Duration::from_secs(60),
    );
    let header_timeout = server::HEADER_TIMEOUT.min(state.request_timeout);
    let r = server::serve_on(listener, router(state), header_timeout, shutdown_signal()).await;
    jobs.abort();
    checks.abort();
    if let Some(m) = mail {
        m.abort();
    }
    r
}

/// Scheduled work while serving (every minute in `serve`): record the tasks that have passed
/// their deadline, build last week's O&M report on Monday morning, sweep the tickets' clocks.
/// Abort the handle to stop it.
pub fn spawn_jobs(db: Db, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            // Once an hour (the first time at start-up): uploads left unattached for a week.
            if n.is_multiple_of(60) {
                match crate::files::sweep(&db, 7).await {
                    Ok((0, _)) => {}
                    Ok((files, blobs)) => {
                        tracing::info!(files, blobs, "unattached uploads removed")
                    }
                    Err(e) => tracing::warn!(error = %e, "upload sweep failed"),
                }
            }
            n += 1;
            match crate::approval::engine::record_overdue(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(tasks = n, "overdue tasks recorded"),
                Err(e) => tracing::warn!(error = %e, "overdue sweep failed"),
            }
            match crate::ops::report::weekly_job(&db).await {
                Ok(false) => {}
                Ok(true) => tracing::info!("weekly problem-handling report built and queued"),
                Err(e) => tracing::warn!(error = %e, "weekly report failed"),
            }
            match crate::applications::accept::issue_missing(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(licences = n, "licences issued after a missed step"),
                Err(e) => tracing::warn!(error = %e, "licence catch-up failed"),
            }
            match crate::audit::chain::anchor_today(&db).await {
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "audit anchor failed"),
            }
            match crate::auth::purge_expired(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(
                    rows = n,
                    "expired sessions and old sign-in failures removed"
                ),
                Err(e) => tracing::warn!(error = %e, "session clean-up failed"),
            }
            match crate::approval::calendar_notice::remind_next_year(&db).await {
                Ok(false) => {}
                Ok(true) => tracing::info!("reminded the bureau to enter next year's holidays"),
                Err(e) => tracing::warn!(error = %e, "calendar reminder failed"),
            }
            match crate::ops::sweep(&db).await {
                Ok((0, 0)) => {}
                Ok((escalated, breaches)) => {
                    tracing::info!(escalated, breaches, "ticket clocks swept")
                }
                Err(e) => tracing::warn!(error = %e, "ticket sweep failed"),
            }
        }
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// This server's public address, for links printed on paper (a licence's check, a rating code)
/// that must work when typed in or scanned: the configured `public_url` — set it in production,
/// it is the only way to be sure a printed link names this site; without one, the host the
/// request named, only when it is a plain host name or address with an optional port (so a
/// forged `Host` cannot put a path or markup into a printed link, though it can name another
/// host in the caller's own printout) — over https when the server is (its cookies are `Secure`).
pub fn base_url(s: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = &s.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| plain_host(h))
        .unwrap_or("localhost");
    let scheme = if s.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// `host`, `host:port`, `1.2.3.4:port` or `[::1]:port`: letters, digits, `.-:[]`, nothing else.
fn plain_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() <= 255
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

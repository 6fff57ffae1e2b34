//! Prometheus metrics: request counts and latencies by route and status, rendered at `/metrics`.
//! One recorder per process (tests start many apps in one process, so it is installed once).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

fn handle() -> &'static PrometheusHandle {
    static H: OnceLock<PrometheusHandle> = OnceLock::new();
    H.get_or_init(|| {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

pub async fn track(req: Request, next: Next) -> Response {
    let _ = handle();
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let start = Instant::now();
    let resp = next.run(req).await;
    let labels = [
        ("method", method),
        ("path", path),
        ("status", resp.status().as_u16().to_string()),
    ];
    metrics::counter!("zhengwu_http_requests_total", &labels).increment(1);
    metrics::histogram!("zhengwu_http_request_duration_seconds", &labels[..2])
        .record(start.elapsed().as_secs_f64());
    resp
}

/// The metrics, to the monitoring system only: with the configured bearer token, or — when no
/// token is configured — to a caller on this machine that no proxy forwarded. Anyone else gets
/// a 404, as for an address that does not exist.
pub async fn render(
    axum::extract::State(s): axum::extract::State<super::AppState>,
    ctx: super::context::Ctx,
    headers: axum::http::HeaderMap,
) -> Response {
    let allowed = match &s.metrics_token {
        Some(token) => headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                use subtle::ConstantTimeEq;
                bool::from(given.as_bytes().ct_eq(token.as_bytes()))
            }),
        None => {
            ctx.ip
                .as_deref()
                .and_then(|ip| ip.parse::<std::net::IpAddr>().ok())
                .is_some_and(|ip| ip.is_loopback())
                // Any sign of a proxy in between: the caller is not this machine.
                && ![
                    "x-forwarded-for",
                    "forwarded",
                    "x-real-ip",
                    "true-client-ip",
                    "cf-connecting-ip",
                    "x-client-ip",
                    "x-forwarded-host",
                    "via",
                ]
                .iter()
                .any(|h| headers.contains_key(*h))
        }
    };
    if !allowed {
        return crate::error::Error::NotFound.into_response();
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        handle().render(),
    )
        .into_response()
}

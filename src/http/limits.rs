//! Rate limits on what anyone may call without signing in: the kiosk's queue tickets,
//! registration, sign-in, the licence check, search and rating codes — each a class with its own
//! burst and sustained rate, counted per client address. Past its limit a caller gets 429 with
//! `Retry-After` and a message in their language, and the refusal is counted in the metrics.
//!
//! Written here rather than taken from `governor`/`tower_governor`: the limiter is a few lines of
//! GCRA (one "theoretical arrival time" per key), it must key on the same client address the
//! audit trail records (a later step takes it from a trusted proxy header), and each class maps
//! from routes of both the API and the pages. The table is bounded: entries whose time has passed
//! are dropped when it grows. Each node counts for itself (a cluster of N nodes lets N times
//! through), which bounds floods without a shared store on the hot path.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::Error;

/// A class of public endpoints with its limits per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    Kiosk,
    Register,
    Login,
    Verify,
    Search,
    Rating,
    /// Queue tickets of one hall, from all addresses together: a flood from many addresses
    /// cannot bury a hall's queue.
    KioskHall,
    /// Confirming a licence holder's ID number: per licence, so guesses at the masked digits
    /// cannot be spread over many addresses.
    HolderCheck,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Kiosk => "kiosk",
            Class::Register => "register",
            Class::Login => "login",
            Class::Verify => "verify",
            Class::Search => "search",
            Class::Rating => "rating",
            Class::HolderCheck => "holder_check",
            Class::KioskHall => "kiosk_hall",
        }
    }

    /// (burst, per minute).
    fn limits(self) -> (u32, u32) {
        match self {
            Class::Kiosk => (20, 20),
            Class::Register => (10, 10),
            Class::Login => (30, 30),
            Class::Verify => (60, 60),
            Class::Search => (120, 240),
            Class::Rating => (30, 30),
            Class::HolderCheck => (5, 1),
            // A busy hall hands out a few hundred tickets an hour.
            Class::KioskHall => (120, 60),
        }
    }

    /// The class of a request, if it is one of the limited ones.
    pub fn of(method: &Method, path: &str) -> Option<Class> {
        let post = method == Method::POST;
        let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (post, seg.as_slice()) {
            (true, ["api", "v1", "halls", _, "tickets"]) | (true, ["halls", _, "kiosk"]) => {
                Some(Class::Kiosk)
            }
            (true, ["api", "v1", "register"]) | (true, ["register"]) => Some(Class::Register),
            (true, ["api", "v1", "auth", "login"]) | (true, ["login"]) => Some(Class::Login),
            (_, ["api", "v1", "licences", "verify"])
            | (_, ["api", "v1", "licences", _, "status"])
            | (_, ["verify", ..]) => Some(Class::Verify),
            (false, ["api", "v1", "matters", "search"])
            | (false, ["hall", "search"])
            | (true, ["api", "v1", "matters", _, "validate"]) => Some(Class::Search),
            (_, ["rate", ..]) => Some(Class::Rating),
            _ => None,
        }
    }
}

/// Per-address counters of every class.
pub struct Limiter {
    enabled: bool,
    table: Mutex<HashMap<(Class, String), Instant>>,
}

const MAX_KEYS: usize = 100_000;

impl Limiter {
    /// `enabled: false` lets everything through (load benchmarks from one address).
    pub fn new(enabled: bool) -> Limiter {
        Limiter {
            enabled,
            table: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `ip`; `Err(seconds)` to wait when it is one too many.
    pub fn check(&self, class: Class, ip: IpAddr, now: Instant) -> Result<(), u64> {
        self.check_key(class, &ip.to_string(), now)
    }

    /// Counts one use of `key` (an address, a licence number) in `class`.
    pub fn check_key(&self, class: Class, key: &str, now: Instant) -> Result<(), u64> {
        if !self.enabled {
            return Ok(());
        }
        let (burst, per_minute) = class.limits();
        let interval = Duration::from_secs(60) / per_minute.max(1);
        let tolerance = interval * burst.saturating_sub(1);
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if table.len() >= MAX_KEYS {
            table.retain(|_, tat| *tat > now);
        }
        let k = (class, key.to_string());
        let tat = table.get(&k).copied().unwrap_or(now).max(now);
        if tat - now > tolerance {
            let wait = (tat - now - tolerance).as_secs_f64().ceil() as u64;
            return Err(wait.max(1));
        }
        table.insert(k, tat + interval);
        Ok(())
    }
}

/// The middleware: refuses a limited request past its class's limit with 429.
pub async fn limit(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(class) = Class::of(req.method(), req.uri().path()) {
        let ip = req
            .extensions()
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let now = Instant::now();
        let hall = match req
            .uri()
            .path()
            .trim_start_matches('/')
            .split('/')
            .collect::<Vec<_>>()[..]
        {
            ["api", "v1", "halls", code, "tickets"] | ["halls", code, "kiosk"] => {
                Some(code.to_string())
            }
            _ => None,
        };
        // The address first: a flooder's refused requests do not use up the hall's share.
        if let Err(seconds) = ip
            .map_or(Ok(()), |ip| s.limiter.check(class, ip, now))
            .and_then(|()| match (class, &hall) {
                (Class::Kiosk, Some(code)) => s.limiter.check_key(Class::KioskHall, code, now),
                _ => Ok(()),
            })
        {
            metrics::counter!("zhengwu_rate_limited_total", "class" => class.name()).increment(1);
            return Error::RateLimited {
                seconds: seconds as i64,
            }
            .into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_rate_holds_per_address() {
        let l = Limiter::new(true);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for _ in 0..10 {
            assert!(l.check(Class::Register, a, t0).is_ok());
        }
        let wait = l.check(Class::Register, a, t0).unwrap_err();
        assert!((1..=6).contains(&wait), "{wait}");
        // Another address, another class: unaffected.
        assert!(l.check(Class::Register, b, t0).is_ok());
        assert!(l.check(Class::Search, a, t0).is_ok());
        // Six seconds on (10 a minute), one more passes, and only one.
        let t1 = t0 + Duration::from_secs(6);
        assert!(l.check(Class::Register, a, t1).is_ok());
        assert!(l.check(Class::Register, a, t1).is_err());
        // Off: everything passes.
        let off = Limiter::new(false);
        for _ in 0..1000 {
            assert!(off.check(Class::Register, a, t0).is_ok());
        }
    }

    #[test]
    fn routes_map_to_their_class() {
        let p = Method::POST;
        let g = Method::GET;
        assert_eq!(
            Class::of(&p, "/api/v1/halls/440309004-H/tickets"),
            Some(Class::Kiosk)
        );
        assert_eq!(Class::of(&p, "/register"), Some(Class::Register));
        assert_eq!(Class::of(&p, "/api/v1/auth/login"), Some(Class::Login));
        assert_eq!(
            Class::of(&g, "/api/v1/licences/X/status"),
            Some(Class::Verify)
        );
        assert_eq!(Class::of(&g, "/verify/X/licence.pdf"), Some(Class::Verify));
        assert_eq!(Class::of(&g, "/api/v1/matters/search"), Some(Class::Search));
        assert_eq!(Class::of(&p, "/rate/abc"), Some(Class::Rating));
        assert_eq!(Class::of(&g, "/api/v1/halls/X/display"), None);
        assert_eq!(Class::of(&g, "/register"), None);
    }
}

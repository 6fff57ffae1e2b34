//! Load generator for the operations desk: ticket create + resolve pairs through a help desk's
//! HTTP API, WORKERS clients at once for SECONDS; prints pairs per second and request latencies.
//!
//! ```text
//! cargo run --release --example ops_load -- zhengwu URL [WORKERS] [SECONDS]
//! cargo run --release --example ops_load -- rt URL [WORKERS] [SECONDS]
//! ```
//!
//! `zhengwu`: the demo's window clerk reports (`POST /api/v1/ops/tickets`), the demo's district
//! O&M engineer resolves (`POST …/act` with `resolve`). `rt`: Request Tracker 5's REST2 API as
//! root with a session cookie (`POST /REST/2.0/ticket`, `PUT /REST/2.0/ticket/{id}` with
//! `Status: resolved`), URL being RT's web path (e.g. `http://127.0.0.1:8080/rt`).

mod common;
use common::login;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[derive(Clone)]
enum Desk {
    Zhengwu { reporter: String, engineer: String },
    Rt,
}

async fn pair(http: &reqwest::Client, url: &str, desk: &Desk, n: u64) -> [Duration; 2] {
    let t0 = Instant::now();
    match desk {
        Desk::Zhengwu { reporter, engineer } => {
            let r = http
                .post(format!("{url}/api/v1/ops/tickets"))
                .bearer_auth(reporter)
                .json(&json!({"system": "window", "category": "print_template",
                              "title": format!("回执打印错位 {n}"), "description": "负载测试"}))
                .send()
                .await
                .expect("create");
            assert!(r.status().is_success(), "create: {}", r.status());
            let id = r.json::<Value>().await.expect("json")["id"]
                .as_i64()
                .expect("id");
            let t1 = Instant::now();
            let r = http
                .post(format!("{url}/api/v1/ops/tickets/{id}/act"))
                .bearer_auth(engineer)
                .json(&json!({"move": "resolve", "note": "已调整模板"}))
                .send()
                .await
                .expect("resolve");
            assert!(r.status().is_success(), "resolve: {}", r.status());
            [t1 - t0, t1.elapsed()]
        }
        Desk::Rt => {
            let r = http
                .post(format!("{url}/REST/2.0/ticket"))
                .json(&json!({"Queue": "General", "Subject": format!("回执打印错位 {n}"), "Content": "负载测试"}))
                .send()
                .await
                .expect("create");
            assert!(r.status().is_success(), "create: {}", r.status());
            let v = r.json::<Value>().await.expect("json");
            let id = v["id"]
                .as_str()
                .map(String::from)
                .or_else(|| v["id"].as_i64().map(|i| i.to_string()))
                .expect("id");
            let t1 = Instant::now();
            let r = http
                .put(format!("{url}/REST/2.0/ticket/{id}"))
                .json(&json!({"Status": "resolved"}))
                .send()
                .await
                .expect("resolve");
            assert!(r.status().is_success(), "resolve: {}", r.status());
            [t1 - t0, t1.elapsed()]
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map(String::as_str).unwrap_or("zhengwu");
    let url = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let workers: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(16);
    let secs: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(10);
    let (desk, http) = if kind == "rt" {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = http
            .post(format!("{url}/NoAuth/Login.html"))
            .form(&[("user", "root"), ("pass", "benchroot")])
            .send()
            .await
            .expect("RT login");
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "RT login: {}",
            r.status()
        );
        (Desk::Rt, http)
    } else {
        let http = reqwest::Client::new();
        let reporter = login(&http, &url, "clerk").await;
        let engineer = login(&http, &url, "om.engineer").await;
        (Desk::Zhengwu { reporter, engineer }, http)
    };
    let desk = Arc::new(desk);
    let until = Instant::now() + Duration::from_secs(secs);
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (http, url, desk) = (http.clone(), url.clone(), desk.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut n = 0u64;
            while Instant::now() < until {
                lat.extend(pair(&http, &url, &desk, w as u64 * 1_000_000 + n).await);
                n += 1;
            }
            (n, lat)
        }));
    }
    let (mut pairs, mut lat) = (0u64, Vec::new());
    for t in tasks {
        let (n, l) = t.await.unwrap();
        pairs += n;
        lat.extend(l);
    }
    let elapsed = t0.elapsed().as_secs_f64();
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "desk={kind} pairs={pairs} seconds={elapsed:.2} pairs_per_s={:.1} requests_per_s={:.0} p50_ms={:.2} p99_ms={:.2} workers={workers}",
        pairs as f64 / elapsed,
        (pairs * 2) as f64 / elapsed,
        pct(0.5),
        pct(0.99)
    );
}

//! Load generator: complete four-step approvals (accept → review → decide → certify) through the
//! HTTP API of a running zhengwu demo, as a window clerk and a department approver would, and
//! report complete approvals per second with request latencies.
//!
//! ```text
//! cargo run --release --example approval_load -- URL [WORKERS] [SECONDS] [BACKLOG]
//! ```
//!
//! With BACKLOG, it then leaves that many more applications accepted and waiting for review in
//! the approver's inbox, for measuring the inbox against a large backlog.
//!
//! It first publishes a four-step workflow for one of the health department's matters (as the
//! demo's matter admin), then runs WORKERS concurrent clients, each starting an application and
//! passing its four tasks, each request using the task ids the previous answer named.

mod common;
use common::login;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Applications are received at the 民治 street hall, where the demo clerk works.
const UNIT: &str = "440309002-H";

async fn call(http: &reqwest::Client, tok: &str, url: String, body: Value) -> (Value, Duration) {
    let t0 = Instant::now();
    let r = http
        .post(url)
        .bearer_auth(tok)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    let v: Value = r.json().await.expect("json answer");
    assert!(status.is_success(), "{status}: {v}");
    (v, t0.elapsed())
}

/// Publishes accept (street clerk) → review → decide → certify (department approvers).
async fn publish_four_steps(http: &reqwest::Client, url: &str) -> String {
    let admin = login(http, url, "matter.admin").await;
    let list: Value = http
        .get(format!(
            "{url}/api/v1/matters?department=440309-D02&status=published"
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = list[0]["code"]
        .as_str()
        .expect("a health matter")
        .to_string();
    let step = |key: &str, name: &str, role: &str, at: &str| {
        json!({"key": key, "name": name, "limit_days": 1, "actions": ["pass", "reject", "send_back"],
               "actors": [{"type": "role", "role": role, "at": {"kind": at}}]})
    };
    let mut accept = step("accept", "受理", "window_clerk", "application_street");
    accept["actions"] = json!(["pass", "reject"]);
    let def = json!({"steps": [accept,
        step("review", "审查", "approver", "owning_department"),
        step("decide", "决定", "approver", "owning_department"),
        step("certify", "制证", "approver", "owning_department")]});
    let r = http
        .put(format!("{url}/api/v1/matters/{code}/workflow/draft"))
        .bearer_auth(&admin)
        .json(&def)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "draft: {}",
        r.text().await.unwrap()
    );
    let r = http
        .post(format!("{url}/api/v1/matters/{code}/workflow/publish"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert!(
        r.status().is_success(),
        "publish: {}",
        r.text().await.unwrap()
    );
    code
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let workers: usize = args.next().map_or(16, |s| s.parse().expect("workers"));
    let seconds: u64 = args.next().map_or(10, |s| s.parse().expect("seconds"));
    let backlog: usize = args.next().map_or(0, |s| s.parse().expect("backlog"));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(workers * 2)
        .build()
        .unwrap();
    let code = publish_four_steps(&http, &url).await;
    let clerk = login(&http, &url, "clerk").await;
    let approver = login(&http, &url, "approver").await;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let began = Instant::now();
    let mut handles = Vec::new();
    for w in 0..workers {
        let (http, url, code, clerk, approver) = (
            http.clone(),
            url.clone(),
            code.clone(),
            clerk.clone(),
            approver.clone(),
        );
        handles.push(tokio::spawn(async move {
            let mut done = 0u64;
            let mut lat = Vec::new();
            let mut n = 0;
            while Instant::now() < deadline {
                n += 1;
                let start = json!({"matter_code": code, "unit_code": UNIT,
                                   "reference": format!("BENCH-{w}-{n}")});
                let (mut p, d) =
                    call(&http, &clerk, format!("{url}/api/v1/approvals"), start).await;
                lat.push(d);
                for i in 0..4 {
                    let tok = if i == 0 { &clerk } else { &approver };
                    let task = p["open_tasks"][0]["id"].as_i64().expect("an open task");
                    let (next, d) = call(
                        &http,
                        tok,
                        format!("{url}/api/v1/approvals/tasks/{task}/act"),
                        json!({"action": "pass", "opinion": "同意"}),
                    )
                    .await;
                    lat.push(d);
                    p = next;
                }
                assert_eq!(p["status"], "approved", "{p}");
                done += 1;
            }
            (done, lat)
        }));
    }
    let mut done = 0;
    let mut lat = Vec::new();
    for h in handles {
        let (d, l) = h.await.unwrap();
        done += d;
        lat.extend(l);
    }
    let secs = began.elapsed().as_secs_f64();
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    println!(
        "approvals={done} seconds={secs:.2} approvals_per_s={:.0} requests_per_s={:.0} p50_ms={:.2} p99_ms={:.2} workers={workers}",
        done as f64 / secs,
        lat.len() as f64 / secs,
        pct(0.5),
        pct(0.99)
    );
    if backlog > 0 {
        leave_backlog(&http, &url, &code, &clerk, backlog, workers).await;
        println!("backlog={backlog}");
    }
}

/// Starts `n` applications and accepts them, so they wait in the approver's inbox.
async fn leave_backlog(
    http: &reqwest::Client,
    url: &str,
    code: &str,
    clerk: &str,
    n: usize,
    workers: usize,
) {
    let mut handles = Vec::new();
    for w in 0..workers {
        let (http, url, code, clerk) = (
            http.clone(),
            url.to_string(),
            code.to_string(),
            clerk.to_string(),
        );
        handles.push(tokio::spawn(async move {
            for i in (w..n).step_by(workers) {
                let start = json!({"matter_code": code, "unit_code": UNIT, "reference": format!("BACKLOG-{i}")});
                let (p, _) = call(&http, &clerk, format!("{url}/api/v1/approvals"), start).await;
                let task = p["open_tasks"][0]["id"].as_i64().expect("an open task");
                call(
                    &http,
                    &clerk,
                    format!("{url}/api/v1/approvals/tasks/{task}/act"),
                    json!({"action": "pass", "opinion": "受理"}),
                )
                .await;
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
}

//! Load generator: online applications submitted through the HTTP API of a running zhengwu
//! demo, as many applicants at once would, every one answered only once it is on disk; reports
//! submissions per second with latencies, and the time from sending a submission until the
//! window clerk's acceptance queue shows it (every tenth of one worker's submissions).
//!
//! ```text
//! cargo run --release --example apply_load -- URL [WORKERS] [SECONDS] [plain|upload] [NUMBERS_FILE]
//! ```
//!
//! `plain`: the form with materials uploaded beforehand (the submission carries no file).
//! `upload`: each submission first uploads a fresh 200 KB PDF (its own content, so the store
//! keeps it rather than finding it already there) and files it as the water-quality report.
//! With NUMBERS_FILE, the number of every application the server answered is written there (one
//! per line), to check afterwards that each of them is in the store.
//! The applicant is the demo's citizen; the matter is the demo's 饮用水供水单位卫生许可, filed at
//! 民治街道行政服务大厅, whose clerk watches the queue.

mod common;
use common::login;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

const MATTER: &str = "440309002004000";
const HALL: &str = "440309002-H";

/// A PDF of `size` bytes whose content no other has (the seed goes into it).
fn pdf(size: usize, seed: u64) -> Vec<u8> {
    let mut b = format!("%PDF-1.4\n% report {seed}\n").into_bytes();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while b.len() < size - 8 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b.extend_from_slice(&x.to_le_bytes());
    }
    b.extend_from_slice(b"\n%%EOF\n");
    b
}

async fn upload(http: &reqwest::Client, url: &str, tok: &str, name: &str, body: Vec<u8>) -> i64 {
    try_upload(http, url, tok, name, body)
        .await
        .expect("upload")
}

/// An upload's file id, or none when the server is gone.
async fn try_upload(
    http: &reqwest::Client,
    url: &str,
    tok: &str,
    name: &str,
    body: Vec<u8>,
) -> Option<i64> {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(body)
            .file_name(name.to_string())
            .mime_str("application/pdf")
            .unwrap(),
    );
    let r = http
        .post(format!("{url}/api/v1/files"))
        .bearer_auth(tok)
        .multipart(form)
        .send()
        .await
        .ok()?;
    let status = r.status();
    let v: Value = r.json().await.ok()?;
    assert!(status.is_success(), "{status}: {v}");
    v["id"].as_i64()
}

fn pct(v: &[Duration], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v[((v.len() as f64 * p) as usize).min(v.len() - 1)].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    let workers: usize = args.next().map_or(32, |s| s.parse().expect("workers"));
    let seconds: u64 = args.next().map_or(10, |s| s.parse().expect("seconds"));
    let mode = args.next().unwrap_or_else(|| "plain".into());
    let numbers_file = args.next();
    let with_upload = mode == "upload";
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(workers * 2)
        .build()
        .unwrap();
    let me = login(&http, &url, "citizen").await;
    let clerk = login(&http, &url, "clerk").await;
    // The materials filed with every application (the report too, unless uploaded each time).
    let licence = upload(&http, &url, &me, "营业执照.pdf", pdf(20_000, 1)).await;
    let form_file = upload(&http, &url, &me, "申请表.pdf", pdf(20_000, 2)).await;
    let report = upload(&http, &url, &me, "水质检测报告.pdf", pdf(20_000, 3)).await;

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut handles = Vec::new();
    for w in 0..workers {
        let (http, url, me, clerk) = (http.clone(), url.clone(), me.clone(), clerk.clone());
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut numbers = Vec::new();
            let mut seen = Vec::new();
            let mut i = 0u64;
            while Instant::now() < deadline {
                i += 1;
                let t0 = Instant::now();
                let special = if with_upload {
                    match try_upload(&http, &url, &me, "水质检测报告.pdf", pdf(200 * 1024, (w as u64) << 32 | i)).await {
                        Some(id) => id,
                        None => break,
                    }
                } else {
                    report
                };
                let body = json!({"matter_code": MATTER, "unit_code": HALL, "submit": true,
                    "form": {"company_name": "深圳市龙华区清泉水务有限公司", "credit_code": "91440300MA5F000007",
                             "legal_rep": "陈清泉", "contact_phone": "13800138000", "upload_special": special.to_string()},
                    "materials": {"m_licence": [licence], "m_form": [form_file], "m_special": [special]}});
                // A server gone (the crash check kills it) ends the run; what it answered counts.
                let Ok(r) = http.post(format!("{url}/api/v1/applications")).bearer_auth(&me).json(&body).send().await else {
                    break;
                };
                let status = r.status();
                let Ok(v) = r.json::<Value>().await else {
                    break;
                };
                assert!(status.is_success(), "{status}: {v}");
                lat.push(t0.elapsed());
                let number = v["number"].as_str().expect("number").to_string();
                // Every tenth of the first worker's: how soon the clerk's queue shows it.
                if w == 0 && i.is_multiple_of(10) {
                    while Instant::now() < deadline {
                        let Ok(r) = http
                            .get(format!("{url}/api/v1/applications/queue?q={number}"))
                            .bearer_auth(&clerk)
                            .send()
                            .await
                        else {
                            break;
                        };
                        if r.json::<Value>().await.is_ok_and(|q| q["total"] == 1) {
                            seen.push(t0.elapsed());
                            break;
                        }
                    }
                }
                numbers.push(number);
            }
            (lat, numbers, seen)
        }));
    }
    let mut lat = Vec::new();
    let mut numbers = Vec::new();
    let mut seen = Vec::new();
    for h in handles {
        let (l, n, s) = h.await.unwrap();
        lat.extend(l);
        numbers.extend(n);
        seen.extend(s);
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort();
    seen.sort();
    let done = lat.len();
    if let Some(path) = numbers_file {
        std::fs::write(path, numbers.join("\n")).expect("numbers file");
    }
    println!(
        "mode={mode} submissions={done} seconds={secs:.2} submissions_per_s={:.0} p50_ms={:.2} p99_ms={:.2} \
         to_queue_p50_ms={:.2} to_queue_p99_ms={:.2} to_queue_samples={} workers={workers}",
        done as f64 / secs,
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        pct(&seen, 0.5),
        pct(&seen, 0.99),
        seen.len(),
    );
}

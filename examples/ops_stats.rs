//! The desk's figures over a million tickets: fills a fresh SQLite store with N tickets (default
//! 1,000,000) opened over a year in a small district, then times the year's figures
//! (`ops::stats`, as the O&M manager's API answers them) against a bare scan of the same rows
//! (`SELECT COUNT(*)` over the year), five runs each; prints the medians.
//!
//! ```text
//! cargo run --release --example ops_stats -- [N] [DATA_DIR]
//! ```

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use zhengwu::auth::Principal;
use zhengwu::ops::codes::{Category, Channel, Level, Priority, Status, System};
use zhengwu::ops::exchange::{Row, insert};
use zhengwu::org::{self, NewUnit};
use zhengwu::storage::Db;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = match args.get(2) {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("zw-ops-stats-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = Db::open(&zhengwu::storage::sqlite_url(&dir)).await?;
    let system = Principal::system();
    let mut units = Vec::new();
    if org::list(&db).await?.is_empty() {
        let d = org::create(
            &db,
            &system,
            NewUnit {
                code: "440309".into(),
                name: "龙华区".into(),
                kind: "district".into(),
                parent_id: None,
            },
        )
        .await?;
        for s in 0..6 {
            let st = org::create(
                &db,
                &system,
                NewUnit {
                    code: format!("4403090{s:02}"),
                    name: format!("街道{s}"),
                    kind: "street".into(),
                    parent_id: Some(d.id),
                },
            )
            .await?;
            for c in 0..8 {
                org::create(
                    &db,
                    &system,
                    NewUnit {
                        code: format!("4403090{s:02}{c:03}"),
                        name: format!("社区{s}-{c}"),
                        kind: "community".into(),
                        parent_id: Some(st.id),
                    },
                )
                .await?;
            }
            units.push(st);
        }
    }
    let all = org::list(&db).await?;
    let have: i64 = zhengwu::storage::query_scalar("SELECT COUNT(*) FROM ops_tickets")
        .fetch_one(&db)
        .await?;
    let start = NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    if (have as usize) < n {
        let t = Instant::now();
        let chunk = 50_000;
        let mut i = have as usize;
        while i < n {
            let rows: Vec<Row> = (i..(i + chunk).min(n))
                .map(|k| {
                    let opened =
                        start + Duration::seconds(((k as u64 * 7919) % (365 * 86_400)) as i64);
                    let unit = all[1 + k % (all.len() - 1)].clone();
                    Row {
                        number: format!("YW-B{k:08}"),
                        system: System::ALL[k % System::ALL.len()],
                        category: Category::ALL[k % Category::ALL.len()],
                        priority: Priority::ALL[k % Priority::ALL.len()],
                        channel: Channel::ALL[k % Channel::ALL.len()],
                        unit,
                        reporter: format!("user{}", k % 881),
                        opened_at: opened,
                        first_response_at: Some(opened + Duration::seconds(30 + (k % 300) as i64)),
                        resolved_at: (k % 50 != 0)
                            .then(|| opened + Duration::minutes(20 + (k % 600) as i64)),
                        status: if k % 50 == 0 {
                            Status::InProgress
                        } else {
                            Status::Closed
                        },
                        escalated_to: (k % 73 == 0).then_some(Level::Developers),
                        title: "负载".into(),
                        description: String::new(),
                    }
                })
                .collect();
            let mut tx = db.begin().await?;
            insert(&db, &mut tx, "bench", &all, &rows).await?;
            tx.commit().await?;
            i += rows.len();
            eprint!("\rfilled {i}/{n}");
        }
        eprintln!(" in {:.1} s", t.elapsed().as_secs_f64());
    }
    let period = zhengwu::ops::Period {
        from: Some("2026-01-01".into()),
        to: Some("2026-12-31".into()),
    };
    let (mut stats_ms, mut scan_ms) = (Vec::new(), Vec::new());
    let mut total = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let s = zhengwu::ops::stats(&db, &system, &period).await?;
        stats_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        total = s.all.total;
        let t = Instant::now();
        let c: i64 = zhengwu::storage::query_scalar(
            "SELECT COUNT(*) FROM ops_tickets WHERE opened_at >= '2025-12-31T16:00:00' AND opened_at < '2026-12-31T16:00:00'",
        )
        .fetch_one(&db)
        .await?;
        scan_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(c, total);
    }
    println!(
        "tickets={total} stats_ms={:.0} count_scan_ms={:.0} ratio={:.1}",
        median(stats_ms.clone()),
        median(scan_ms.clone()),
        median(stats_ms) / median(scan_ms)
    );
    Ok(())
}

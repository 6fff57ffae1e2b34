//! The performance evaluation at scale: a SQLite store holding the demo district, its 2018
//! project, N applications (default 10,000,000) filed over 2018–2022 with their approval
//! instances and a rating for one in ten, and M O&M tickets (default 1,000,000) over 2018; then
//! times the 2018 project-year's evaluation (`performance::repo::evaluate`: every computed source,
//! the ops figures, the score and the cross-checks) against a bare `COUNT(*)` of the year's
//! applications — the same rows the evaluation counts — five runs each; prints the medians.
//!
//! ```text
//! cargo run --release --example perf_eval -- [APPLICATIONS] [TICKETS] [DATA_DIR]
//! ```
//!
//! The rows are made by SQL (a recursive CTE, a million per transaction): the benchmark is about
//! reading them, and the API would take hours to file ten million applications.

use std::time::Instant;

use zhengwu::auth::Principal;
use zhengwu::storage::{Db, query_scalar};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// A timestamp as stored, `secs` seconds into year `year_expr` (SQL expressions).
fn ts(year_expr: &str, secs: &str) -> String {
    format!(
        "(strftime('%Y-%m-%dT%H:%M:%S', ({year_expr}) || '-01-01', '+' || ({secs}) || ' seconds') || '.000000Z')"
    )
}

async fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(query_scalar::<i64>(sql.to_string()).fetch_one(db).await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let apps: i64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let tickets: i64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = match args.get(3) {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("zw-perf-eval-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let db = Db::open(&zhengwu::storage::sqlite_url(&dir)).await?;
    zhengwu::demo::ensure(&db, Some("Bench2026!x")).await?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS bench_units (k INTEGER PRIMARY KEY, id BIGINT, path TEXT); \
         INSERT INTO bench_units (k, id, path) SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id, path \
         FROM org_units WHERE kind IN ('street', 'community') \
         AND NOT EXISTS (SELECT 1 FROM bench_units)",
    )
    .await?;
    let units = count(&db, "SELECT COUNT(*) FROM bench_units").await?;
    // Ids far above the demo's own rows.
    let base: i64 = 100_000_000;
    let chunk: i64 = 1_000_000;
    let t = Instant::now();
    let mut have = count(
        &db,
        "SELECT COUNT(*) FROM applications WHERE matter_code = 'BENCH'",
    )
    .await?;
    while have < apps {
        let (lo, hi) = (have, (have + chunk).min(apps) - 1);
        let year = "2018 + n.i % 5";
        let secs = "(n.i * 7919) % 31536000";
        let at = ts(year, secs);
        let due = ts(year, &format!("{secs} + 864000"));
        let done = ts(year, &format!("{secs} + (n.i % 15) * 86400"));
        db.execute_batch(&format!(
            "BEGIN; \
             WITH RECURSIVE n(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM n WHERE i < {hi}) \
             INSERT INTO approval_instances (id, matter_code, matter_version, workflow_version, \
             reference, unit_id, status, step, started_at, due_at, finished_at, created_by, updated_at) \
             SELECT {base} + n.i, 'BENCH', 1, 1, 'B' || n.i, b.id, 'approved', 1, {at}, {due}, {done}, 'bench', {at} \
             FROM n JOIN bench_units b ON b.k = n.i % {units}; \
             WITH RECURSIVE n(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM n WHERE i < {hi}) \
             INSERT INTO applications (id, number, matter_code, matter_version, applicant, applicant_name, \
             applicant_id, unit_id, channel, status, form_json, instance_id, created_at, submitted_at, \
             decided_at, updated_at) \
             SELECT {base} + n.i, 'B' || n.i, 'BENCH', 1, 'bench', '测试', '', b.id, \
             CASE WHEN n.i % 3 = 0 THEN 'counter' ELSE 'online' END, 'approved', '{{}}', {base} + n.i, \
             {at}, {at}, {done}, {done} FROM n JOIN bench_units b ON b.k = n.i % {units}; \
             WITH RECURSIVE n(i) AS (SELECT {lo} UNION ALL SELECT i + 10 FROM n WHERE i + 10 <= {hi}) \
             INSERT INTO followups (application_id, kind, score, body, channel, department_id, filed_by, filed_at) \
             SELECT {base} + n.i, CASE WHEN n.i % 170 = 0 THEN 'complaint' ELSE 'rating' END, \
             CASE WHEN n.i % 170 = 0 THEN NULL ELSE 1 + n.i % 5 END, '', 'online', b.id, 'bench', {done} \
             FROM n JOIN bench_units b ON b.k = n.i % {units}; \
             COMMIT;"
        ))
        .await?;
        have = hi + 1;
        eprint!(
            "\rapplications {have}/{apps} ({:.0} s)",
            t.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    let mut have = count(
        &db,
        "SELECT COUNT(*) FROM ops_tickets WHERE number LIKE 'YW-B%'",
    )
    .await?;
    while have < tickets {
        let (lo, hi) = (have, (have + chunk).min(tickets) - 1);
        let secs = "(n.i * 7919) % 31536000";
        let at = ts("2018", secs);
        let answered = ts("2018", &format!("{secs} + 30 + n.i % 300"));
        let solved = ts("2018", &format!("{secs} + 1200 + (n.i % 600) * 60"));
        let resp_due = ts("2018", &format!("{secs} + 3600"));
        let res_due = ts("2018", &format!("{secs} + 86400"));
        db.execute_batch(&format!(
            "BEGIN; \
             WITH RECURSIVE n(i) AS (SELECT {lo} UNION ALL SELECT i + 1 FROM n WHERE i < {hi}) \
             INSERT INTO ops_tickets (number, system, category, priority, channel, status, home_level, \
             level, escalated_to, unit_id, unit_path, reporter, title, description, off_hours, opened_at, \
             first_response_at, resolved_at, response_due_at, resolution_warn_at, resolution_due_at, \
             first_response_seconds, response_met, resolution_met, created_by, updated_at) \
             SELECT 'YW-B' || n.i, 'hall', 'fault', 'normal', 'phone', \
             CASE WHEN n.i % 50 = 0 THEN 'in_progress' ELSE 'closed' END, 'community', 'community', \
             CASE WHEN n.i % 73 = 0 THEN 'developers' ELSE NULL END, b.id, b.path, 'bench', '负载', '', 0, \
             {at}, {answered}, CASE WHEN n.i % 50 = 0 THEN NULL ELSE {solved} END, {resp_due}, {res_due}, {res_due}, \
             30 + n.i % 300, 1, CASE WHEN n.i % 50 = 0 THEN NULL ELSE (n.i % 600) * 60 + 1200 <= 86400 END, \
             'bench', {at} FROM n JOIN bench_units b ON b.k = n.i % {units}; \
             COMMIT;"
        ))
        .await?;
        have = hi + 1;
        eprint!(
            "\rtickets {have}/{tickets} ({:.0} s)",
            t.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    db.execute_batch("ANALYZE").await?;
    let system = Principal::system();
    let (from, to) = zhengwu::performance::sources::year_bounds(2018);
    let bare = format!(
        "SELECT COUNT(*) FROM applications WHERE submitted_at >= '{from}' AND submitted_at < '{to}'"
    );
    let (mut eval_ms, mut count_ms) = (Vec::new(), Vec::new());
    let mut submitted = None;
    let mut year_rows = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let e = zhengwu::performance::repo::evaluate(&db, &system, "LH-2018-ZWYW").await?;
        eval_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        submitted = e.computed.get("applications.submitted").copied().flatten();
        let t = Instant::now();
        year_rows = count(&db, &bare).await?;
        count_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let all = count(&db, "SELECT COUNT(*) FROM applications").await?;
    let all_tickets = count(&db, "SELECT COUNT(*) FROM ops_tickets").await?;
    println!(
        "applications={all} tickets={all_tickets} year_applications={year_rows} \
         evaluated_submitted={submitted:?} evaluate_ms={:.0} count_ms={:.0} ratio={:.1}",
        median(eval_ms.clone()),
        median(count_ms.clone()),
        median(eval_ms) / median(count_ms)
    );
    Ok(())
}

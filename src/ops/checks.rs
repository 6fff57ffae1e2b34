//! Daily inspections (日常巡检): scheduled checks of the platform's own components — its HTTP
//! service, the database, free space on the data disk, the mail queue, the backlog of overdue
//! approval tasks — and of any configured URL. Every run is recorded; a failed check opens a
//! ticket for the district desk (one at a time: while that ticket is open, further failures are
//! recorded against it instead of opening more).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::codes::{Priority, Status};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::storage::{Db, query, query_as, query_scalar};

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
#[schema(as = Inspection)]
pub struct Check {
    pub id: i64,
    pub name: String,
    /// `http` (`self` or a URL), `url`, `database`, `disk`, `mail_queue`, `overdue_backlog`.
    pub kind: String,
    pub target: String,
    /// Milliseconds for `http`, `url` and `database`; MB free for `disk`; a count for the queues.
    pub threshold: i64,
    pub every_minutes: i64,
    pub enabled: bool,
    pub last_run_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, crate::storage::FromRow, utoipa::ToSchema)]
#[schema(as = InspectionRun)]
pub struct Run {
    pub id: i64,
    pub check_id: i64,
    pub at: String,
    pub ok: bool,
    pub detail: String,
    pub duration_ms: i64,
    pub ticket_id: Option<i64>,
}

/// Where the checks look: the server's own address and its data dir.
#[derive(Debug, Clone)]
pub struct Probe {
    pub self_url: String,
    pub data_dir: PathBuf,
}

const CHECK_COLS: &str = "id, name, kind, target, threshold, every_minutes, enabled, last_run_at";

pub async fn list(db: &Db) -> Result<Vec<Check>> {
    Ok(
        query_as::<Check>(format!("SELECT {CHECK_COLS} FROM ops_checks ORDER BY id"))
            .fetch_all(db)
            .await?,
    )
}

/// The latest runs, newest first.
pub async fn runs(db: &Db, limit: i64) -> Result<Vec<Run>> {
    Ok(query_as::<Run>(
        "SELECT id, check_id, at, ok, detail, duration_ms, ticket_id FROM ops_check_runs ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db)
    .await?)
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewCheck {
    pub name: String,
    /// A URL to watch (`url`), answered with 2xx within `threshold` ms.
    pub target: String,
    #[serde(default = "default_threshold")]
    pub threshold: i64,
    #[serde(default = "default_every")]
    pub every_minutes: i64,
}

fn default_threshold() -> i64 {
    3000
}
fn default_every() -> i64 {
    15
}

/// Adds a URL to watch (O&M managers).
pub async fn add_url(db: &Db, who: &Principal, n: &NewCheck) -> Result<Check> {
    if !who.has(Perm::ManageOps) {
        return Err(Error::Forbidden);
    }
    let mut errs = Vec::new();
    if n.name.trim().is_empty() {
        errs.push(FieldError::new("name", "field.required"));
    }
    let url = n.target.trim();
    // Plain HTTP only: the probe has no TLS stack of its own (internal health endpoints, or a
    // TLS-terminating proxy's plain side).
    if !url.starts_with("http://") || url.parse::<reqwest::Url>().is_err() {
        errs.push(FieldError::with("target", "field.url", url));
    }
    if !(1..=1440).contains(&n.every_minutes) {
        errs.push(FieldError::with("every_minutes", "field.range", "1–1440"));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let mut tx = db.begin().await?;
    let c = query_as::<Check>(format!(
        "INSERT INTO ops_checks (name, kind, target, threshold, every_minutes, enabled, created_by, updated_at) \
         VALUES ($1, 'url', $2, $3, $4, 1, $5, $6) RETURNING {CHECK_COLS}"
    ))
    .bind(n.name.trim())
    .bind(url)
    .bind(n.threshold.max(100))
    .bind(n.every_minutes)
    .bind(&who.username)
    .bind(db.now())
    .fetch_one(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "check.add",
            entity: "check",
            entity_id: c.id.to_string(),
            scope_path: "/",
            summary: format!("{} {}", c.name, c.target),
            before: None,
            after: Some(json!({"name": c.name, "target": c.target})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(c)
}

async fn get_ok(url: &str, limit_ms: i64) -> (bool, String) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_millis(limit_ms.max(100) as u64 * 2))
        .build()
    {
        Ok(c) => c,
        Err(e) => return (false, e.to_string()),
    };
    let t = Instant::now();
    match client.get(url).send().await {
        Ok(r) => {
            let ms = t.elapsed().as_millis() as i64;
            let ok = r.status().is_success() && ms <= limit_ms;
            (ok, format!("HTTP {} · {ms} 毫秒", r.status().as_u16()))
        }
        Err(e) => (false, e.to_string()),
    }
}

/// Megabytes as a person reads them: `79.3 GB`, `512 MB`.
fn human_size(mb: i64) -> String {
    if mb >= 1024 {
        format!("{:.1} GB", mb as f64 / 1024.0)
    } else {
        format!("{mb} MB")
    }
}

fn free_mb(dir: &Path) -> std::io::Result<i64> {
    let s = rustix::fs::statvfs(dir)?;
    Ok((s.f_bavail * s.f_frsize / (1024 * 1024)) as i64)
}

/// Runs one check now.
async fn probe(db: &Db, p: &Probe, c: &Check) -> (bool, String) {
    match c.kind.as_str() {
        "http" | "url" => {
            let url = if c.target == "self" {
                format!("{}/healthz", p.self_url.trim_end_matches('/'))
            } else {
                c.target.clone()
            };
            get_ok(&url, c.threshold).await
        }
        "database" => {
            let t = Instant::now();
            let ok = db.ping().await;
            let ms = t.elapsed().as_millis() as i64;
            (
                ok && ms <= c.threshold,
                if ok {
                    format!("响应 {ms} 毫秒")
                } else {
                    "无法连接".to_string()
                },
            )
        }
        "disk" => match free_mb(&p.data_dir) {
            Ok(mb) => (mb >= c.threshold, format!("可用 {}", human_size(mb))),
            Err(e) => (false, e.to_string()),
        },
        "mail_queue" => match crate::mail::backlog(db).await {
            Ok(n) => (n <= c.threshold, format!("待发 {n} 封")),
            Err(e) => (false, e.to_string()),
        },
        "overdue_backlog" => {
            let n: Result<i64> = query_scalar(
                "SELECT COUNT(*) FROM approval_tasks WHERE status = 'open' AND due_at < $1",
            )
            .bind(db.now())
            .fetch_one(db)
            .await
            .map_err(Error::from);
            match n {
                Ok(n) => (n <= c.threshold, format!("超期 {n} 件")),
                Err(e) => (false, e.to_string()),
            }
        }
        other => (false, format!("未知的巡检类型 {other}")),
    }
}

/// Runs every enabled check that is due (or all with `force`); records each run; a failure
/// opens a ticket unless the check's last ticket is still open. Answers the runs made.
pub async fn run_due(db: &Db, p: &Probe, force: bool) -> Result<Vec<Run>> {
    let now = db.clock().now_utc();
    let mut out = Vec::new();
    for c in list(db).await?.into_iter().filter(|c| c.enabled) {
        let due = force
            || c.last_run_at
                .as_deref()
                .and_then(clock::from_db)
                .is_none_or(|t| now - t >= chrono::Duration::minutes(c.every_minutes));
        if !due {
            continue;
        }
        let t = Instant::now();
        let (ok, detail) = probe(db, p, &c).await;
        let ms = t.elapsed().as_millis() as i64;
        let mut ticket = None;
        if !ok {
            let open: Option<i64> = query_scalar(
                "SELECT r.ticket_id FROM ops_check_runs r JOIN ops_tickets t ON t.id = r.ticket_id \
                 WHERE r.check_id = $1 AND t.status NOT IN ('resolved', 'closed') ORDER BY r.id DESC LIMIT 1",
            )
            .bind(c.id)
            .fetch_optional(db)
            .await?;
            ticket = match open {
                Some(id) => Some(id),
                None => Some(open_ticket(db, &c, &detail).await?),
            };
        }
        let stamp = db.now();
        let mut tx = db.begin().await?;
        let run = query_as::<Run>(
            "INSERT INTO ops_check_runs (check_id, at, ok, detail, duration_ms, ticket_id) VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, check_id, at, ok, detail, duration_ms, ticket_id",
        )
        .bind(c.id)
        .bind(&stamp)
        .bind(i64::from(ok))
        .bind(detail.chars().take(500).collect::<String>())
        .bind(ms)
        .bind(ticket)
        .fetch_one(&mut tx)
        .await?;
        query("UPDATE ops_checks SET last_run_at = $1 WHERE id = $2")
            .bind(&stamp)
            .bind(c.id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        out.push(run);
    }
    Ok(out)
}

async fn open_ticket(db: &Db, c: &Check, detail: &str) -> Result<i64> {
    let root = crate::org::root(db).await?.id;
    let t = super::repo::create(
        db,
        &Principal::system(),
        &super::NewTicket {
            system: "platform".into(),
            category: "fault".into(),
            priority: Some(Priority::High.as_str().into()),
            channel: Some("web".into()),
            title: format!("巡检未通过：{}", c.name),
            description: format!("{}\n{}", c.target, detail),
            page_url: None,
            reporter: Some("巡检".into()),
            unit_id: Some(root),
        },
    )
    .await?;
    debug_assert_eq!(t.status(), Status::New);
    Ok(t.id)
}

/// Runs due checks every `every` until aborted.
pub fn spawn(db: Db, p: Probe, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_due(&db, &p, false).await {
                Ok(runs) if runs.iter().any(|r| !r.ok) => {
                    tracing::warn!(
                        failed = runs.iter().filter(|r| !r.ok).count(),
                        "inspection found problems"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "inspection failed to run"),
            }
        }
    })
}

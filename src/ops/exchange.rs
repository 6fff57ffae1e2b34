//! The ticket ledger in and out: CSV (UTF-8, BOM for Excel) and XLSX with the columns
//! `number, system, category, priority, channel, unit, reporter, opened_at, first_response_at,
//! resolved_at, status, escalated_to` (and optionally `title`, `description`), times as
//! `YYYY-MM-DD HH:MM:SS` China time, units by code or path of names, coded columns by code or
//! Chinese name. Import brings an older system's ledger in: all or nothing, every bad row
//! reported; imported tickets get their clocks from the service levels like any other and count
//! in the figures. The demo district's year of tickets comes in through the same door.

use std::collections::HashSet;

use chrono::{NaiveDateTime, Utc};
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;
use serde_json::json;

use super::codes::{Category, Channel, Level, Priority, Status, System};
use super::repo::policy;
use super::sla::{self, Policy};
use super::ticket::{COLS, Ticket, level_of};
use crate::accounts::{RowError, read_sheet, row_error};
use crate::approval::calendar::Hours;
use crate::approval::calendar_repo;
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::org;
use crate::storage::{Db, Sql, Tx};

/// Columns, each with the header names accepted for it; the first twelve are required.
const COLUMNS: [(&str, &[&str]); 14] = [
    ("number", &["number", "工单编号", "编号"]),
    ("system", &["system", "系统"]),
    ("category", &["category", "类别", "问题类别"]),
    ("priority", &["priority", "优先级"]),
    ("channel", &["channel", "渠道", "受理渠道"]),
    ("unit", &["unit", "单位", "报告单位"]),
    ("reporter", &["reporter", "报告人"]),
    ("opened_at", &["opened_at", "报告时间"]),
    ("first_response_at", &["first_response_at", "首次响应时间"]),
    ("resolved_at", &["resolved_at", "解决时间"]),
    ("status", &["status", "状态"]),
    ("escalated_to", &["escalated_to", "最高升级层级", "升级至"]),
    ("title", &["title", "标题"]),
    ("description", &["description", "描述"]),
];
const REQUIRED: usize = 12;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = LedgerImportReport)]
pub struct ImportReport {
    pub rows: usize,
    pub imported: usize,
    pub dry_run: bool,
    pub errors: Vec<RowError>,
}

/// One ledger row, checked.
#[derive(Debug, Clone)]
pub struct Row {
    pub number: String,
    pub system: System,
    pub category: Category,
    pub priority: Priority,
    pub channel: Channel,
    pub unit: org::Unit,
    pub reporter: String,
    pub opened_at: NaiveDateTime,
    pub first_response_at: Option<NaiveDateTime>,
    pub resolved_at: Option<NaiveDateTime>,
    pub status: Status,
    pub escalated_to: Option<Level>,
    pub title: String,
    pub description: String,
}

fn time(field: &str, s: &str) -> Result<Option<NaiveDateTime>, FieldError> {
    if s.is_empty() {
        return Ok(None);
    }
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .map(Some)
    .ok_or_else(|| FieldError::with(field, "field.datetime", s))
}

fn stored(t: NaiveDateTime) -> String {
    let local = t
        .and_local_timezone(clock::cst())
        .single()
        .expect("fixed offset");
    clock::to_db(local.with_timezone(&Utc))
}

fn check_row(cell: &dyn Fn(usize) -> String, units: &[org::Unit]) -> Result<Row, Vec<FieldError>> {
    let mut errs = Vec::new();
    let mut coded = |i: usize, parse: &dyn Fn(&str) -> bool| {
        let v = cell(i);
        if v.is_empty() {
            errs.push(FieldError::new(COLUMNS[i].0, "field.required"));
        } else if !parse(&v) {
            errs.push(FieldError::with(COLUMNS[i].0, "field.code_unknown", v));
        }
    };
    coded(1, &|v| System::parse(v).is_some());
    coded(2, &|v| Category::parse(v).is_some());
    coded(3, &|v| Priority::parse(v).is_some());
    coded(4, &|v| Channel::parse(v).is_some());
    coded(10, &|v| Status::parse(v).is_some());
    let number = cell(0);
    if number.is_empty() {
        errs.push(FieldError::new("number", "field.required"));
    } else if number.chars().count() > 32 {
        errs.push(FieldError::with("number", "field.too_long", "32"));
    }
    let unit = org::resolve(units, &cell(5)).cloned();
    if unit.is_none() {
        errs.push(FieldError::with("unit", "field.unit_unknown", cell(5)));
    }
    let reporter = cell(6);
    if reporter.is_empty() {
        errs.push(FieldError::new("reporter", "field.required"));
    }
    let mut at = |i: usize| {
        time(COLUMNS[i].0, &cell(i))
            .map_err(|e| errs.push(e))
            .ok()
            .flatten()
    };
    let (opened, responded, resolved) = (at(7), at(8), at(9));
    if opened.is_none() && cell(7).is_empty() {
        errs.push(FieldError::new("opened_at", "field.required"));
    }
    if let Some(o) = opened {
        for (f, t) in [("first_response_at", responded), ("resolved_at", resolved)] {
            if t.is_some_and(|t| t < o) {
                errs.push(FieldError::new(f, "field.before_opened"));
            }
        }
    }
    let status = Status::parse(&cell(10));
    if let Some(s) = status {
        if !s.is_open() && resolved.is_none() && cell(9).is_empty() {
            errs.push(FieldError::new("resolved_at", "field.required"));
        }
        if s.is_open() && resolved.is_some() {
            errs.push(FieldError::new("resolved_at", "field.resolved_but_open"));
        }
    }
    let esc = cell(11);
    let escalated_to = if esc.is_empty() {
        None
    } else {
        let l = Level::parse(&esc);
        if l.is_none() {
            errs.push(FieldError::with("escalated_to", "field.code_unknown", esc));
        }
        l
    };
    let (Some(unit), Some(opened), Some(status), true) = (unit, opened, status, errs.is_empty())
    else {
        return Err(errs);
    };
    let (system, category) = (
        System::parse(&cell(1)).unwrap_or(System::Platform),
        Category::parse(&cell(2)).unwrap_or(Category::Fault),
    );
    let title = Some(cell(12))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| format!("{}·{}", system.zh(), category.zh()));
    Ok(Row {
        number,
        system,
        category,
        priority: Priority::parse(&cell(3)).unwrap_or(Priority::Normal),
        channel: Channel::parse(&cell(4)).unwrap_or(Channel::Phone),
        unit,
        reporter,
        opened_at: opened,
        first_response_at: responded,
        resolved_at: resolved,
        status,
        escalated_to,
        title: title.chars().take(120).collect(),
        description: cell(13),
    })
}

/// Checks every row of a ledger and, unless `dry_run` or any row is bad, imports all of them in
/// one transaction. Needs the O&M manager's right over every row's unit.
pub async fn import(db: &Db, who: &Principal, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    if !who.has(Perm::ManageOps) {
        return Err(Error::Forbidden);
    }
    let mut report = ImportReport {
        rows: 0,
        imported: 0,
        dry_run,
        errors: vec![],
    };
    let (idx, rows) = match read_sheet(bytes, &COLUMNS, REQUIRED).await {
        Ok(sheet) => sheet,
        Err(errors) => {
            report.errors = errors;
            return Ok(report);
        }
    };
    let units = org::list(db).await?;
    let existing: HashSet<String> =
        crate::storage::query_scalar::<String>("SELECT number FROM ops_tickets")
            .fetch_all(db)
            .await?
            .into_iter()
            .collect();
    let mut seen = HashSet::new();
    let mut checked = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        let n = i + 2;
        let cell = |c: usize| {
            idx[c]
                .and_then(|i| r.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        match check_row(&cell, &units) {
            Ok(row) => {
                let mut errs = Vec::new();
                if existing.contains(&row.number) {
                    errs.push(FieldError::with(
                        "number",
                        "field.number_taken",
                        &row.number,
                    ));
                } else if !seen.insert(row.number.clone()) {
                    errs.push(FieldError::with(
                        "number",
                        "field.duplicate_in_file",
                        &row.number,
                    ));
                }
                if !who.can(Perm::ManageOps, &row.unit.path) {
                    errs.push(FieldError::with(
                        "unit",
                        "field.unit_out_of_scope",
                        &row.unit.name,
                    ));
                }
                if errs.is_empty() {
                    checked.push(row);
                }
                report.errors.extend(errs.iter().map(|e| row_error(n, e)));
            }
            Err(errs) => report.errors.extend(errs.iter().map(|e| row_error(n, e))),
        }
    }
    if report.rows == 0 {
        report
            .errors
            .push(row_error(0, &FieldError::new("file", "field.empty_file")));
    }
    if !report.errors.is_empty() || dry_run {
        return Ok(report);
    }
    let mut tx = db.begin().await?;
    insert(db, &mut tx, &who.username, &units, &checked).await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "ticket.import",
            entity: "ticket",
            entity_id: String::new(),
            scope_path: &units
                .iter()
                .find(|u| u.parent_id.is_none())
                .map(|u| u.path.clone())
                .unwrap_or_else(|| "/".into()),
            summary: format!("{} tickets", checked.len()),
            before: None,
            after: Some(json!({"rows": checked.len()})),
        },
    )
    .await?;
    tx.commit().await?;
    report.imported = checked.len();
    Ok(report)
}

/// Writes checked rows as tickets in `tx`, their clocks computed from the service levels.
pub async fn insert(
    db: &Db,
    tx: &mut Tx,
    actor: &str,
    units: &[org::Unit],
    rows: &[Row],
) -> Result<()> {
    let cal = calendar_repo::calendar(db).await?;
    let hours = Hours::default();
    let mut policies: Vec<Policy> = Vec::new();
    for p in Priority::ALL {
        policies.push(policy(db, *p).await?);
    }
    let now = db.now();
    for r in rows {
        let opened = r
            .opened_at
            .and_local_timezone(clock::cst())
            .single()
            .expect("fixed offset");
        let c = sla::clocks(&cal, &hours, &policies[r.priority.index()], opened);
        let home = level_of(units, &r.unit);
        let level = r.escalated_to.map_or(home, |e| e.max(home));
        let resp = r.first_response_at.map(stored);
        let res = r.resolved_at.map(stored);
        let secs = r.first_response_at.map(|t| (t - r.opened_at).num_seconds());
        let resp_met = resp
            .as_ref()
            .map(|t| i64::from(*t <= clock::to_db(c.response_due.with_timezone(&Utc))));
        let res_met = res
            .as_ref()
            .map(|t| i64::from(*t <= clock::to_db(c.resolution_due.with_timezone(&Utc))));
        let closed = (r.status == Status::Closed).then(|| res.clone()).flatten();
        let at = |t: chrono::DateTime<chrono::FixedOffset>| clock::to_db(t.with_timezone(&Utc));
        let id: i64 = crate::storage::query_scalar(
            "INSERT INTO ops_tickets (number, system, category, priority, channel, status, home_level, level, \
             escalated_to, vendor_status, unit_id, unit_path, reporter, title, description, off_hours, opened_at, \
             first_response_at, resolved_at, closed_at, response_due_at, resolution_warn_at, resolution_due_at, \
             first_response_seconds, response_met, resolution_met, created_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
             $21, $22, $23, $24, $25, $26, $27, $28) RETURNING id",
        )
        .bind(&r.number)
        .bind(r.system.as_str())
        .bind(r.category.as_str())
        .bind(r.priority.as_str())
        .bind(r.channel.as_str())
        .bind(r.status.as_str())
        .bind(home.as_str())
        .bind(level.as_str())
        .bind(r.escalated_to.filter(|e| *e > home).map(Level::as_str))
        .bind((level == Level::Developers).then_some(if r.status.is_open() { "处理中" } else { "已关闭" }))
        .bind(r.unit.id)
        .bind(&r.unit.path)
        .bind(&r.reporter)
        .bind(&r.title)
        .bind(&r.description)
        .bind(i64::from(c.off_hours))
        .bind(stored(r.opened_at))
        .bind(resp)
        .bind(res)
        .bind(closed)
        .bind(at(c.response_due))
        .bind(at(c.resolution_warn))
        .bind(at(c.resolution_due))
        .bind(secs)
        .bind(resp_met)
        .bind(res_met)
        .bind(actor)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        super::repo::event(
            tx,
            id,
            &now,
            actor,
            "imported",
            None,
            Some(r.status),
            Some(level),
            "",
        )
        .await?;
    }
    Ok(())
}

fn header() -> [&'static str; 14] {
    COLUMNS.map(|(c, _)| c)
}

fn cells(t: &Ticket, units: &std::collections::HashMap<i64, String>) -> [String; 14] {
    let time = |s: &Option<String>| s.as_deref().map(clock::display).unwrap_or_default();
    [
        t.number.clone(),
        t.system.clone(),
        t.category.clone(),
        t.priority.clone(),
        t.channel.clone(),
        units.get(&t.unit_id).cloned().unwrap_or_default(),
        t.reporter.clone(),
        clock::display(&t.opened_at),
        time(&t.first_response_at),
        time(&t.resolved_at),
        t.status.clone(),
        t.escalated_to.clone().unwrap_or_default(),
        t.title.clone(),
        t.description.clone(),
    ]
}

/// The tickets opened in a period (all when not given) in the units the caller oversees.
pub async fn export_rows(
    db: &Db,
    who: &Principal,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<Ticket>> {
    let mut scopes = who.scopes(Perm::ManageOps);
    scopes.extend(who.scopes(Perm::ViewAudit));
    if scopes.is_empty() {
        return Err(Error::Forbidden);
    }
    let day =
        |k: &str, v: Option<&str>| clock::filter_day(k, v).map_err(|e| Error::Validation(vec![e]));
    let from = day("from", from)?.and_then(|d| clock::day_start_db(&d.to_string()));
    let to = day("to", to)?
        .and_then(|d| clock::day_start_db(&(d + chrono::Duration::days(1)).to_string()));
    let select = |head: &str| {
        let mut s = Sql::new(format!("{head} FROM ops_tickets WHERE "));
        s.any_subtree("unit_path", &scopes);
        if let Some(d) = &from {
            s.push(" AND opened_at >= ").bind(d.clone());
        }
        if let Some(end) = &to {
            s.push(" AND opened_at < ").bind(end.clone());
        }
        s
    };
    let n: i64 = select("SELECT COUNT(*)").scalar().fetch_one(db).await?;
    if n > crate::sheets::MAX_EXPORT_ROWS {
        return Err(crate::sheets::export_too_large("from"));
    }
    let mut s = select(&format!("SELECT {COLS}"));
    s.push(" ORDER BY opened_at, id");
    Ok(s.query_as::<Ticket>().fetch_all(db).await?)
}

pub fn to_csv(db_units: &[org::Unit], tickets: &[Ticket]) -> anyhow::Result<Vec<u8>> {
    let units = db_units.iter().map(|u| (u.id, u.code.clone())).collect();
    crate::sheets::csv_bytes(header(), tickets.iter().map(|t| cells(t, &units)))
}

pub fn to_xlsx(db_units: &[org::Unit], tickets: &[Ticket]) -> anyhow::Result<Vec<u8>> {
    let units = db_units.iter().map(|u| (u.id, u.code.clone())).collect();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("运维工单")?;
    let bold = Format::new().set_bold();
    for (c, h) in header().iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, t) in tickets.iter().enumerate() {
        for (c, v) in cells(t, &units).iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, crate::sheets::xlsx_cell(v).as_ref())?;
        }
    }
    ws.set_column_width(0, 16)?;
    for c in 7..10 {
        ws.set_column_width(c, 20)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}

//! The weekly problem-handling report (每周问题处理记录): for a week (Monday to Sunday, China
//! time) the desk's figures and every ticket opened in it; shown as a page, downloaded as XLSX,
//! and e-mailed to the bureau's addresses by a scheduled job every Monday morning (once a week,
//! recorded), or on demand for any week.

use chrono::{Datelike, Duration, NaiveDate, Timelike};
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;
use serde_json::json;

use super::codes::{Category, Level, System};
use super::stats::{Figures, Period, Stats, stats};
use super::ticket::Ticket;
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::clock;
use crate::error::{Error, Result};
use crate::mail::{self, Mail};
use crate::storage::{Db, query, query_scalar};

const RECIPIENTS: &str = "weekly_report.recipients";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WeeklyReport {
    /// Monday of the week, `YYYY-MM-DD`.
    pub week_start: String,
    pub week_end: String,
    pub stats: Stats,
    /// Tickets opened in the week, oldest first.
    pub tickets: Vec<Ticket>,
}

/// The Monday of the week holding `day`.
pub fn monday(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The report for the week holding `day`, over the units `who` oversees.
pub async fn weekly(db: &Db, who: &Principal, day: NaiveDate) -> Result<WeeklyReport> {
    let start = monday(day);
    let end = start + Duration::days(6);
    let stats = stats(
        db,
        who,
        &Period {
            from: Some(start.to_string()),
            to: Some(end.to_string()),
        },
    )
    .await?;
    let tickets =
        super::exchange::export_rows(db, who, Some(&start.to_string()), Some(&end.to_string()))
            .await?;
    Ok(WeeklyReport {
        week_start: start.to_string(),
        week_end: end.to_string(),
        stats,
        tickets,
    })
}

fn pct(f: f64) -> String {
    format!("{:.1}%", f * 100.0)
}

fn figure_row(name: &str, f: &Figures) -> [String; 7] {
    [
        name.to_string(),
        f.total.to_string(),
        f.resolved.to_string(),
        pct(f.resolution_rate),
        f.escalated_to_developers.to_string(),
        f.median_first_response_seconds
            .map(|s| format!("{s:.0}"))
            .unwrap_or_default(),
        pct(f.response_sla_met_rate),
    ]
}

type Breakdown = std::collections::BTreeMap<String, Figures>;
type ZhName = fn(&str) -> Option<&'static str>;

/// Rows of the summary: the week, then each system, category and level that had tickets.
pub fn summary(r: &WeeklyReport) -> Vec<[String; 7]> {
    let mut rows = vec![figure_row("合计", &r.stats.all)];
    let groups: [(&Breakdown, ZhName); 3] = [
        (&r.stats.by_system, |c| System::parse(c).map(System::zh)),
        (&r.stats.by_category, |c| {
            Category::parse(c).map(Category::zh)
        }),
        (&r.stats.by_level, |c| Level::parse(c).map(Level::zh)),
    ];
    for (map, zh) in groups {
        for (code, f) in map.iter().filter(|(_, f)| f.total > 0) {
            rows.push(figure_row(zh(code).unwrap_or(code), f));
        }
    }
    rows
}

pub const SUMMARY_HEAD: [&str; 7] = [
    "分组",
    "工单数",
    "已解决",
    "解决率",
    "转开发商",
    "首次响应中位数（秒）",
    "响应达标率",
];
pub const DETAIL_HEAD: [&str; 10] = [
    "工单编号",
    "报告时间",
    "系统",
    "类别",
    "优先级",
    "层级",
    "状态",
    "报告人",
    "标题",
    "解决时间",
];

pub fn detail(t: &Ticket) -> [String; 10] {
    let zh = |v: Option<&'static str>, raw: &str| {
        v.map(str::to_string).unwrap_or_else(|| raw.to_string())
    };
    [
        t.number.clone(),
        clock::display(&t.opened_at),
        zh(System::parse(&t.system).map(System::zh), &t.system),
        zh(Category::parse(&t.category).map(Category::zh), &t.category),
        zh(
            super::codes::Priority::parse(&t.priority).map(|p| p.zh()),
            &t.priority,
        ),
        zh(Level::parse(&t.level).map(Level::zh), &t.level),
        zh(
            super::codes::Status::parse(&t.status).map(|s| s.zh()),
            &t.status,
        ),
        t.reporter.clone(),
        t.title.clone(),
        t.resolved_at
            .as_deref()
            .map(clock::display)
            .unwrap_or_default(),
    ]
}

/// The report as a workbook: 汇总 (figures) and 明细 (tickets).
pub fn to_xlsx(r: &WeeklyReport) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("汇总")?;
    ws.write_string_with_format(
        0,
        0,
        format!("每周问题处理记录 {} 至 {}", r.week_start, r.week_end),
        &bold,
    )?;
    for (c, h) in SUMMARY_HEAD.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    for (i, row) in summary(r).iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(i as u32 + 3, c as u16, crate::sheets::xlsx_cell(v).as_ref())?;
        }
    }
    ws.set_column_width(0, 16)?;
    ws.set_column_width(5, 20)?;
    let ws = wb.add_worksheet();
    ws.set_name("明细")?;
    for (c, h) in DETAIL_HEAD.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, t) in r.tickets.iter().enumerate() {
        for (c, v) in detail(t).iter().enumerate() {
            ws.write_string(i as u32 + 1, c as u16, crate::sheets::xlsx_cell(v).as_ref())?;
        }
    }
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 20)?;
    ws.set_column_width(8, 40)?;
    ws.set_column_width(9, 20)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}

/// The mail's text: the week's figures in a few lines.
pub fn mail_text(r: &WeeklyReport) -> String {
    let a = &r.stats.all;
    let mut s = format!(
        "每周问题处理记录（{} 至 {}）\n\n本周受理运维工单 {} 张，已解决 {} 张，解决率 {}；转开发商处理 {} 张；\
         首次响应中位数 {} 秒，响应达标率 {}，解决达标率 {}。\n\n分组情况：\n",
        r.week_start,
        r.week_end,
        a.total,
        a.resolved,
        pct(a.resolution_rate),
        a.escalated_to_developers,
        a.median_first_response_seconds
            .map(|s| format!("{s:.0}"))
            .unwrap_or_else(|| "—".into()),
        pct(a.response_sla_met_rate),
        pct(a.resolution_sla_met_rate),
    );
    for row in summary(r).iter().skip(1) {
        s.push_str(&format!("  {}：{} 张，已解决 {}\n", row[0], row[1], row[2]));
    }
    s.push_str("\n明细见附件。本邮件由政务服务平台运维台自动发送。\n");
    s
}

/// The addresses the weekly report goes to: the list an O&M manager set (which may be empty on
/// purpose) or, until one is set, the active O&M managers who gave an e-mail address.
pub async fn recipients(db: &Db) -> Result<Vec<String>> {
    let v: Option<String> = query_scalar("SELECT value FROM settings WHERE key = $1")
        .bind(RECIPIENTS)
        .fetch_optional(db)
        .await?;
    match v {
        Some(v) => Ok(v
            .split(", ")
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()),
        None => Ok(query_scalar(
            "SELECT DISTINCT u.email FROM users u JOIN role_grants g ON g.user_id = u.id \
             WHERE g.role = 'om_manager' AND u.active = 1 AND u.email IS NOT NULL AND u.email <> '' \
             ORDER BY u.email",
        )
        .fetch_all(db)
        .await?),
    }
}

/// Sets the addresses (O&M managers); audited.
pub async fn set_recipients(db: &Db, who: &Principal, list: &str) -> Result<Vec<String>> {
    if !who.has(Perm::ManageOps) {
        return Err(Error::Forbidden);
    }
    let addrs = mail::addresses("recipients", list)?;
    let before = recipients(db).await?;
    let mut tx = db.begin().await?;
    query(
        "INSERT INTO settings (key, value, updated_by, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (key) DO UPDATE SET value = $2, updated_by = $3, updated_at = $4",
    )
    .bind(RECIPIENTS)
    .bind(addrs.join(", "))
    .bind(&who.username)
    .bind(db.now())
    .execute(&mut tx)
    .await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "settings.report_recipients",
            entity: "settings",
            entity_id: RECIPIENTS.into(),
            scope_path: "/",
            summary: addrs.join(", "),
            before: Some(json!(before)),
            after: Some(json!(addrs)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(addrs)
}

/// Builds the report for the week holding `day` and queues it to the recipients; answers the
/// mail's id (none when no address is set).
pub async fn send(db: &Db, who: &Principal, day: NaiveDate) -> Result<Option<i64>> {
    let r = weekly(db, who, day).await?;
    let to = recipients(db).await?;
    let xlsx = to_xlsx(&r)?;
    let mut tx = db.begin().await?;
    let mail_id = if to.is_empty() {
        None
    } else {
        Some(
            mail::queue(
                &mut tx,
                &Mail {
                    to: to.clone(),
                    subject: format!("每周问题处理记录 {} 至 {}", r.week_start, r.week_end),
                    body: mail_text(&r),
                    attachment: Some((
                        format!("每周问题处理记录-{}.xlsx", r.week_start),
                        crate::files::XLSX.to_string(),
                        xlsx,
                    )),
                },
            )
            .await?,
        )
    };
    query(
        "INSERT INTO ops_weekly_reports (week_start, built_at, mailed_to, mail_id) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (week_start) DO UPDATE SET built_at = $2, mailed_to = $3, mail_id = $4",
    )
    .bind(&r.week_start)
    .bind(db.now())
    .bind(to.join(", "))
    .bind(mail_id)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(mail_id)
}

/// The scheduled part: from Monday 08:00 China time, last week's report, once.
pub async fn weekly_job(db: &Db) -> Result<bool> {
    let now = db.clock().now_utc().with_timezone(&clock::cst());
    let this_monday = monday(now.date_naive());
    if now.date_naive() == this_monday && now.hour() < 8 {
        return Ok(false);
    }
    let last = this_monday - Duration::days(7);
    let done: i64 = query_scalar("SELECT COUNT(*) FROM ops_weekly_reports WHERE week_start = $1")
        .bind(last.to_string())
        .fetch_one(db)
        .await?;
    if done > 0 {
        return Ok(false);
    }
    send(db, &Principal::system(), last).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(monday(d("2026-11-28")), d("2026-11-23"));
        assert_eq!(monday(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(monday(d("2026-11-29")), d("2026-11-23"));
    }
}

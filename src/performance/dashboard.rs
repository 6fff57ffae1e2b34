//! The performance dashboard (绩效看板) of a project-year: budget execution month by month
//! against the payment plan (each installment in the month it falls due: its due date, or the
//! contract's signing date moved by the months its condition names — "合同签订六个月内" — and
//! none this year for "次年"), the desk's tickets per month with how many were resolved, and the
//! year's rates. The figures behind each chart are the same rows the workbook downloads.

use chrono::{Datelike, Months, NaiveDate};
use rust_xlsxwriter::{Format, Workbook};
use serde::Serialize;

use super::document::{Doc, Money};
use super::evaluation::Evaluation;
use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::storage::{Db, query_as};

/// One month of the year.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Month {
    pub month: u32,
    /// Paid up to this month's end, and planned by it, in fen.
    pub paid: i64,
    pub planned: i64,
    pub tickets: i64,
    pub resolved: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    pub code: String,
    pub name: String,
    pub year: i32,
    pub adjusted: i64,
    pub months: Vec<Month>,
    /// The year's rates (fractions): response and resolution SLA met, satisfaction.
    pub rates: Vec<(String, Option<f64>)>,
}

/// A number written in Chinese or Arabic digits up to 99 ("六", "十二", "3").
fn cn_number(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32)
    };
    let cs: Vec<char> = s.chars().collect();
    match cs.as_slice() {
        ['十'] => Some(10),
        [d] => digit(*d),
        ['十', u] => digit(*u).map(|u| 10 + u),
        [t, '十'] => digit(*t).map(|t| t * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// When an installment falls due: its date, or the signing date moved by the months its
/// condition names; `None` for "次年" or when nothing says.
pub fn due(condition: &str, due: Option<&str>, signed: Option<NaiveDate>) -> Option<NaiveDate> {
    if let Some(d) = due.and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()) {
        return Some(d);
    }
    if condition.contains("次年") || condition.contains("下一年") {
        return None;
    }
    let signed = signed?;
    if let Some(i) = condition.find("个月") {
        let before: String = condition[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || "零一二三四五六七八九十".contains(*c))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        return cn_number(&before).and_then(|n| signed.checked_add_months(Months::new(n)));
    }
    Some(signed)
}

/// The months of `d`'s year: cumulative paid and planned, and the tickets of `ticket_rows`
/// (month, opened, resolved).
pub fn months(d: &Doc, m: &Money, tickets: &[(u32, i64, i64)]) -> Vec<Month> {
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let signed = d
        .contract
        .as_ref()
        .and_then(|c| c.signed.as_deref())
        .and_then(day);
    let mut plan = [0i64; 13];
    if let Some(c) = &d.contract {
        for (x, amount) in c.installments.iter().zip(&m.installments) {
            if let Some(at) = due(&x.condition, x.due.as_deref(), signed)
                && at.year() == d.year
            {
                plan[at.month() as usize] += amount.0;
            }
        }
    }
    let mut paid = [0i64; 13];
    for (p, f) in d.payments.iter().zip(&m.payments) {
        if let Some(at) = day(&p.date).filter(|a| a.year() == d.year) {
            paid[at.month() as usize] += f.0;
        }
    }
    let (mut cp, mut cq) = (0, 0);
    (1..=12u32)
        .map(|month| {
            cp += paid[month as usize];
            cq += plan[month as usize];
            let (t, r) = tickets
                .iter()
                .find(|(mm, _, _)| *mm == month)
                .map_or((0, 0), |(_, t, r)| (*t, *r));
            Month {
                month,
                paid: cp,
                planned: cq,
                tickets: t,
                resolved: r,
            }
        })
        .collect()
}

/// The desk's tickets per month of `year` in the unit subtree `scope`: (month, opened, resolved).
async fn tickets(db: &Db, year: i32, scope: &str) -> Result<Vec<(u32, i64, i64)>> {
    let mut out = Vec::new();
    for month in 1..=12u32 {
        let start = NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default();
        let end = start.checked_add_months(Months::new(1)).unwrap_or_default();
        let from = crate::clock::day_start_db(&start.to_string()).unwrap_or_default();
        let to = crate::clock::day_start_db(&end.to_string()).unwrap_or_default();
        let (t, r): (i64, Option<i64>) = query_as(
            "SELECT COUNT(*), SUM(CASE WHEN resolved_at IS NULL THEN 0 ELSE 1 END) \
             FROM ops_tickets WHERE opened_at >= $1 AND opened_at < $2 AND unit_path LIKE $3",
        )
        .bind(from)
        .bind(to)
        .bind(crate::storage::subtree_pattern(scope))
        .fetch_one(db)
        .await?;
        out.push((month, t, r.unwrap_or(0)));
    }
    Ok(out)
}

/// Project-year `code`'s dashboard, as `who` may read it.
pub async fn build(db: &Db, who: &Principal, code: &str) -> Result<(Dashboard, Evaluation)> {
    let (d, m, e) = super::repo::evaluated(db, who, code).await?;
    let scope = super::repo::scope_path(db, &d).await?;
    let t = tickets(db, d.year, &scope).await?;
    let rate = |k: &str| e.computed.get(k).copied().flatten();
    let rates = [
        "ops.response_sla_met_rate",
        "ops.resolution_sla_met_rate",
        "ops.resolution_rate",
        "ratings.satisfaction_rate",
        "applications.on_time_rate",
    ]
    .iter()
    .map(|k| (k.to_string(), rate(k)))
    .collect();
    Ok((
        Dashboard {
            code: d.code.clone(),
            name: d.name.clone(),
            year: d.year,
            adjusted: m.adjusted(),
            months: months(&d, &m, &t),
            rates,
        },
        e,
    ))
}

/// The figures behind the charts as a workbook: one sheet per chart.
pub fn xlsx(b: &Dashboard) -> Result<Vec<u8>> {
    let run = || -> anyhow::Result<Vec<u8>> {
        let mut wb = Workbook::new();
        let head = Format::new().set_bold();
        let ws = wb.add_worksheet();
        ws.set_name("预算执行")?;
        for (c, h) in ["月份", "累计支付（万元）", "累计计划（万元）", "执行率"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
        }
        for (i, x) in b.months.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, format!("{}年{}月", b.year, x.month))?;
            // 万元 as numbers, to four decimals (exact: fen ÷ 1,000,000).
            ws.write_number(r, 1, x.paid as f64 / 1_000_000.0)?;
            ws.write_number(r, 2, x.planned as f64 / 1_000_000.0)?;
            let rate = (b.adjusted > 0)
                .then(|| format!("{:.2}%", x.paid as f64 * 100.0 / b.adjusted as f64));
            ws.write_string(r, 3, rate.unwrap_or_default())?;
        }
        ws.set_column_width(0, 12)?;
        ws.set_column_width(1, 18)?;
        ws.set_column_width(2, 18)?;
        let ws = wb.add_worksheet();
        ws.set_name("运维工单")?;
        for (c, h) in ["月份", "请求数", "已解决", "解决率"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &head)?;
        }
        for (i, x) in b.months.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, format!("{}年{}月", b.year, x.month))?;
            ws.write_number(r, 1, x.tickets as f64)?;
            ws.write_number(r, 2, x.resolved as f64)?;
            let rate = (x.tickets > 0)
                .then(|| format!("{:.2}%", x.resolved as f64 * 100.0 / x.tickets as f64));
            ws.write_string(r, 3, rate.unwrap_or_default())?;
        }
        ws.set_column_width(0, 12)?;
        Ok(wb.save_to_buffer()?)
    };
    run().map_err(Error::Internal)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A column chart (SVG) of two series over the same labels, side by side: `a` light, `b` dark,
/// each value written on hover (title) and in the table the page gives beside it.
pub fn columns(
    id: &str,
    title: &str,
    labels: &[String],
    a: (&str, &[f64]),
    b: (&str, &[f64]),
) -> String {
    let (w, h, left, bottom, top) = (640.0, 240.0, 48.0, 28.0, 26.0);
    let max =
        a.1.iter()
            .chain(b.1)
            .copied()
            .fold(0.0f64, f64::max)
            .max(1e-9);
    let plot = h - bottom - top;
    let slot = (w - left - 8.0) / labels.len().max(1) as f64;
    // Two series side by side; one series as a single, narrower column centred in its slot.
    let single = b.1.is_empty();
    let bar = if single {
        ((slot - 6.0) * 0.6).min(90.0)
    } else {
        (slot - 6.0) / 2.0
    };
    let mut s = format!(
        "<svg class=\"chart cols\" id=\"{id}\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        t = esc(title)
    );
    for k in 0..=4 {
        let y = top + plot - plot * k as f64 / 4.0;
        let v = max * k as f64 / 4.0;
        s += &format!(
            "<line x1=\"{left}\" x2=\"{w}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" class=\"chart-value\">{}</text>",
            left - 4.0,
            y + 4.0,
            if v >= 100.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        );
    }
    for (i, l) in labels.iter().enumerate() {
        let x = if single {
            left + slot * i as f64 + (slot - bar) / 2.0
        } else {
            left + slot * i as f64 + 3.0
        };
        // A chart of one series (no `b` values) draws only `a`.
        for (j, (name, vals)) in [a, b]
            .iter()
            .enumerate()
            .filter(|(j, _)| *j == 0 || !b.1.is_empty())
        {
            let v = vals.get(i).copied().unwrap_or(0.0);
            let bh = plot * v / max;
            s += &format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\" class=\"{}\"><title>{} {}: {}</title></rect>",
                x + bar * j as f64,
                top + plot - bh,
                if j == 0 { "chart-bar" } else { "chart-part" },
                esc(l),
                esc(name),
                if v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.2}")
                }
            );
        }
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" class=\"chart-label\">{}</text>",
            if single { x + bar / 2.0 } else { x + bar },
            h - 10.0,
            esc(l)
        );
    }
    s += &format!(
        "<rect x=\"{left}\" y=\"4\" width=\"12\" height=\"12\" class=\"chart-bar\"/><text x=\"{:.1}\" y=\"14\" class=\"chart-label\">{}</text>",
        left + 16.0,
        esc(a.0),
    );
    if !b.1.is_empty() {
        s += &format!(
            "<rect x=\"{:.1}\" y=\"4\" width=\"12\" height=\"12\" class=\"chart-part\"/><text x=\"{:.1}\" y=\"14\" class=\"chart-label\">{}</text>",
            left + 160.0,
            left + 176.0,
            esc(b.0)
        );
    }
    s + "</svg>"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installments_fall_due_when_their_conditions_say() {
        let signed = NaiveDate::from_ymd_opt(2018, 5, 20);
        let on = |c: &str, d: Option<&str>| due(c, d, signed).map(|d| d.to_string());
        assert_eq!(on("合同签订生效后", None).as_deref(), Some("2018-05-20"));
        assert_eq!(on("合同签订六个月内", None).as_deref(), Some("2018-11-20"));
        assert_eq!(on("签订后12个月内", None).as_deref(), Some("2019-05-20"));
        assert_eq!(on("次年支付", None), None);
        assert_eq!(
            on("次年支付", Some("2019-03-01")).as_deref(),
            Some("2019-03-01")
        );
        assert_eq!(cn_number("十二"), Some(12));
        assert_eq!(cn_number("二十"), Some(20));
        assert_eq!(cn_number("二十三"), Some(23));
    }

    #[test]
    fn the_seeds_year_pays_as_planned_month_by_month() {
        let d = super::super::demo::project_2018();
        let m = super::super::document::check(&d).unwrap();
        let ms = months(&d, &m, &[(3, 800, 790)]);
        let at = |n: usize| &ms[n - 1];
        assert_eq!((at(5).paid, at(5).planned), (0, 111_840_000));
        assert_eq!((at(6).paid, at(6).planned), (111_840_000, 111_840_000));
        assert_eq!((at(11).paid, at(11).planned), (223_680_000, 223_680_000));
        assert_eq!(at(12).paid, 223_680_000);
        assert_eq!((at(3).tickets, at(3).resolved), (800, 790));
        assert_eq!(at(4).tickets, 0);
    }
}

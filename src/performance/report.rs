//! The annual evaluation report (绩效评价报告) in the seed's outline — 一、项目概况 (背景与立项依据;
//! 组织架构和职责分工; 资金管理情况; 绩效目标及实现情况) 二、绩效评价结论和分析 三、取得的成效 四、存在的问题
//! 五、相关建议和整改措施, then the self-evaluation table and the cross-checks. Every figure is
//! filled from the project-year and its evaluation (万元 as the seed writes them); the narrative
//! paragraphs are the latest saved version of each section or, before anyone wrote one, a first
//! draft made from the data. The report is print-markup blocks built here (never parsed from
//! text, so a narrative line cannot become a heading or a table), so the page, the PDF and the
//! DOCX say the same thing.

use std::collections::BTreeMap;

use super::document::{Doc, signed_yuan};
use super::evaluation::{Evaluation, wan};
use super::sheet::{FUNDS_HEAD, INDICATOR_HEAD, funds_row, indicator_row};
use crate::print::markup::Block;

/// The narrative sections a person writes, in the order they print, with their headings.
pub const SECTIONS: [(&str, &str); 8] = [
    ("background", "（一）项目背景、立项依据"),
    ("organisation", "（二）项目管理的组织架构和职责分工"),
    ("management", "2. 项目资金管理和使用情况"),
    ("conclusion", "（一）项目绩效评价结论"),
    ("analysis", "（二）项目绩效分析"),
    ("achievements", "三、取得的成效"),
    ("problems", "四、存在的问题"),
    ("suggestions", "五、相关建议和整改措施"),
];

/// Longest narrative section accepted, in characters.
pub const MAX_SECTION: usize = 20_000;

pub fn is_section(key: &str) -> bool {
    SECTIONS.iter().any(|(k, _)| *k == key)
}

pub fn heading(key: &str) -> &'static str {
    SECTIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, h)| h)
}

/// The report's title.
pub fn title(e: &Evaluation) -> String {
    format!("{} 年度项目支出绩效评价报告", e.year)
}

/// "2018-01-16" as 2018年1月16日 (anything else as written).
pub fn cn_date(s: &str) -> String {
    match chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => {
            use chrono::Datelike;
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        }
        Err(_) => s.to_string(),
    }
}

fn wan_of(yuan: &str) -> String {
    wan(super::evaluation::fen_text(yuan))
}

fn percent(r: Option<f64>) -> String {
    r.map_or_else(|| "—".into(), |r| format!("{:.2}%", r * 100.0))
}

/// A count computed from the platform, as a whole number.
fn count(e: &Evaluation, source: &str) -> Option<String> {
    e.computed
        .get(source)
        .copied()
        .flatten()
        .map(|v| format!("{v:.0}"))
}

/// The first draft of section `key`, made from the data, before anyone has written it.
pub fn draft(key: &str, d: &Doc, e: &Evaluation) -> String {
    let unit = if d.implementing_unit.trim().is_empty() {
        e.department.clone()
    } else {
        d.implementing_unit.trim().to_string()
    };
    match key {
        "background" => {
            let mut t = d.background.trim().to_string();
            let basis: Vec<String> = d
                .basis
                .iter()
                .map(|b| format!("《{}》（{}）", b.title.trim(), b.number.trim()))
                .collect();
            if !basis.is_empty() {
                t += &format!("\n立项依据：{}。", basis.join("、"));
            }
            t
        }
        "organisation" => format!(
            "项目由{}负责组织实施，指定专人负责项目的协调和监督；服务单位按合同约定驻场提供运行维护服务，\
             按区、街道、社区三级响应机制分块管理、分工明确，每周报告运维处理情况。"
        , unit),
        "management" => format!(
            "{unit}财务管理制度健全，项目经费的管理和使用按预算管理、采购管理和收支管理制度执行；\
             资金按合同约定分期支付，经办人收到服务单位开具的合法票据后提出付款申请，按支付审批流程审批后支付。"
        ),
        "conclusion" => "项目立项依据充分，采购符合公开、公平、公正的原则；资金预算审批、预算调整和资金使用按制度执行。"
            .to_string(),
        "analysis" => "1. 从项目决策角度分析：项目目标设置明确、细化、相对量化，决策程序合规。\n\
             2. 从项目管理角度分析：资金到位及时，按合同约定分期付款；项目管理机构健全、分工明确，管理制度健全并严格执行。\n\
             3. 从项目绩效角度分析：见上文绩效目标及实现情况。"
            .to_string(),
        "achievements" => {
            let met: Vec<String> = e
                .indicators
                .iter()
                .filter(|i| i.applicable && i.score.is_some_and(|s| s + 1e-9 >= i.weight))
                .map(|i| format!("{}（{}）", i.name, i.actual_text()))
                .collect();
            if met.is_empty() {
                String::new()
            } else {
                format!("全年完成的绩效目标：{}。", met.join("；"))
            }
        }
        "problems" => {
            let short: Vec<String> = e
                .indicators
                .iter()
                .filter(|i| i.applicable && i.score.is_some_and(|s| s + 1e-9 < i.weight))
                .map(|i| {
                    format!(
                        "{}目标 {}，实际 {}",
                        i.name,
                        i.target_text().unwrap_or_default(),
                        i.actual_text()
                    )
                })
                .collect();
            if short.is_empty() {
                String::new()
            } else {
                format!("未完全达成的指标：{}。", short.join("；"))
            }
        }
        _ => String::new(),
    }
}

fn paras(out: &mut Vec<Block>, text: &str) {
    out.extend(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| Block::Para(l.to_string())),
    );
}

/// 1. 项目资金预算和分配情况, every figure from the document.
fn funds(d: &Doc, e: &Evaluation) -> Vec<String> {
    let mut t = format!(
        "该项目 {} 年预算金额为 {} 万元",
        e.year,
        wan_of(&d.budget.initial)
    );
    if let Some(day) = d.budget.initial_date.as_deref().filter(|s| !s.is_empty()) {
        t += &format!("（{}下达）", cn_date(day));
    }
    for a in &d.budget.adjustments {
        let fen = signed_yuan(&a.amount).unwrap_or(0);
        let how = if fen < 0 { "调减" } else { "调增" };
        t += &format!(
            "，{}按预算调整规定程序申请{}了 {} 万元（{}）",
            cn_date(&a.date),
            how,
            wan(fen.abs()),
            a.reason.trim()
        );
    }
    t += &format!(
        "，调整后该项目的预算指标为 {} 万元。",
        wan_of(&e.adjusted_budget)
    );
    let mut out = vec![t];
    if let Some(p) = &d.procurement {
        out.push(format!(
            "项目采用{}的方式实施采购，招标项目编号为 {}，中标单位为{}，中标金额为 {} 万元。",
            p.method.trim(),
            p.number.trim(),
            p.vendor.trim(),
            wan_of(&p.amount)
        ));
    }
    if let Some(c) = &d.contract {
        let amount = signed_yuan(&c.amount).unwrap_or(0);
        let mut t = format!("合同（编号 {}）金额 {} 万元", c.number.trim(), wan(amount));
        if let Some(day) = c.signed.as_deref().filter(|s| !s.is_empty()) {
            t += &format!("，于{}签订", cn_date(day));
        }
        let parts = super::document::installment_amounts(
            crate::money::Fen(amount.max(0)),
            &c.installments.iter().map(|i| i.percent).collect::<Vec<_>>(),
        );
        let steps: Vec<String> = c
            .installments
            .iter()
            .zip(&parts)
            .enumerate()
            .map(|(n, (i, f))| {
                let when = i.condition.trim().trim_end_matches("支付");
                format!(
                    "第 {} 期{}支付合同总价的 {}%，即 {} 万元",
                    n + 1,
                    when,
                    i.percent,
                    wan(f.0)
                )
            })
            .collect();
        if !steps.is_empty() {
            t += &format!("，按进度分期付款：{}", steps.join("；"));
        }
        out.push(t + "。");
    }
    let pays: Vec<String> = d
        .payments
        .iter()
        .map(|p| {
            format!(
                "{}支付 {} 万元（支付凭证号 {}）",
                cn_date(&p.date),
                wan_of(&p.amount),
                p.voucher.trim()
            )
        })
        .collect();
    let mut t = format!(
        "{} 年度共支付 {} 笔，合计 {} 万元",
        e.year,
        d.payments.len(),
        wan_of(&e.paid)
    );
    if !pays.is_empty() {
        t += &format!("：{}", pays.join("；"));
    }
    if let Some(o) = e.contract_outstanding.as_deref() {
        let left = super::evaluation::fen_text(o);
        if left > 0 {
            t += &format!("。合同尚余 {} 万元，于以后年度支付", wan(left));
        }
    }
    out.push(t + "。");
    out
}

/// （四）项目绩效目标及实现情况: the input target, then each indicator by level, then the
/// desk's figures for the year when the platform has them.
fn targets(e: &Evaluation) -> Vec<String> {
    let mut out = vec![format!(
        "1. 投入目标：该项目 {} 年预算指标为 {} 万元，{} 年度已完成支付 {} 万元，完成率为 {}。",
        e.year,
        wan_of(&e.adjusted_budget),
        e.year,
        wan_of(&e.paid),
        percent(e.execution_rate)
    )];
    let mut n = 2;
    for level in ["产出", "效益", "满意度"] {
        let items: Vec<String> = e
            .indicators
            .iter()
            .filter(|i| i.level1 == level)
            .map(|i| {
                if !i.applicable {
                    format!("{}（不适用）", i.name)
                } else if i.nature == "qualitative" {
                    format!("{}：{}", i.name, i.actual_text())
                } else {
                    let target = i
                        .target_text()
                        .map(|t| format!("目标 {t}，"))
                        .unwrap_or_default();
                    format!("{}{}实际完成 {}", i.name, target, i.actual_text())
                }
            })
            .collect();
        if !items.is_empty() {
            out.push(format!("{n}. {level}目标：{}。", items.join("；")));
            n += 1;
        }
    }
    if let (Some(total), Some(resolved)) = (count(e, "ops.total"), count(e, "ops.resolved")) {
        let mut t = format!(
            "{} 年度平台共受理运维服务请求 {} 次，已解决 {} 次",
            e.year, total, resolved
        );
        if let Some(u) = count(e, "ops.unresolved") {
            t += &format!("，未解决 {u} 次");
        }
        t += &format!(
            "，解决率 {}。",
            percent(e.computed.get("ops.resolution_rate").copied().flatten())
        );
        out.push(t);
    }
    out
}

/// The whole report: `texts` holds each narrative section's saved text (a missing one is
/// drafted from the data).
pub fn blocks(d: &Doc, e: &Evaluation, texts: &BTreeMap<String, String>) -> Vec<Block> {
    let text = |k: &str| texts.get(k).cloned().unwrap_or_else(|| draft(k, d, e));
    let mut b = vec![
        Block::Title(title(e)),
        Block::Para(format!("项目名称：{}", e.name)),
        Block::Para(format!("主管部门：{}", e.department)),
        Block::Para(format!("项目编号：{}", e.code)),
        Block::Rule,
        Block::Heading("一、项目概况".into()),
    ];
    for key in ["background", "organisation"] {
        b.push(Block::Heading(heading(key).into()));
        paras(&mut b, &text(key));
    }
    b.push(Block::Heading("（三）项目资金管理情况".into()));
    b.push(Block::Para("1. 项目资金预算和分配情况".into()));
    b.extend(funds(d, e).into_iter().map(Block::Para));
    b.push(Block::Para(heading("management").into()));
    paras(&mut b, &text("management"));
    b.push(Block::Heading("（四）项目绩效目标及实现情况".into()));
    b.extend(targets(e).into_iter().map(Block::Para));
    b.push(Block::Heading("二、项目绩效评价结论和分析".into()));
    b.push(Block::Heading(heading("conclusion").into()));
    b.push(Block::Para(format!(
        "该项目 {} 年度绩效自评得分 {:.2} 分，评价等级为“{}”。",
        e.year, e.score, e.grade
    )));
    paras(&mut b, &text("conclusion"));
    b.push(Block::Heading(heading("analysis").into()));
    paras(&mut b, &text("analysis"));
    if e.execution_rate.is_some_and(|r| r < 1.0)
        && let Some(note) = d
            .budget
            .execution_note
            .as_deref()
            .filter(|n| !n.trim().is_empty())
    {
        b.push(Block::Para(format!(
            "项目投入目标未完成的原因：{}",
            note.trim()
        )));
    }
    for key in ["achievements", "problems", "suggestions"] {
        b.push(Block::Heading(heading(key).into()));
        paras(&mut b, &text(key));
    }
    b.push(Block::Heading("附表：项目支出绩效自评表".into()));
    b.push(Block::Table(vec![
        FUNDS_HEAD.iter().map(|s| s.to_string()).collect(),
        funds_row(e).to_vec(),
    ]));
    let mut rows: Vec<Vec<String>> = vec![INDICATOR_HEAD.iter().map(|s| s.to_string()).collect()];
    rows.extend(e.indicators.iter().map(|i| indicator_row(i).to_vec()));
    rows.push(vec![
        "总分".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        "100".into(),
        format!("{:.2}", e.score),
        format!("自评等级：{}", e.grade),
    ]);
    b.push(Block::Table(rows));
    b.push(Block::Heading("附：数据一致性校验".into()));
    if e.findings.is_empty() {
        b.push(Block::Para(
            "报告中的数据与平台数据一致，未发现问题。".into(),
        ));
    } else {
        let mut rows = vec![vec![
            "问题".to_string(),
            "报告所列".to_string(),
            "平台计算".to_string(),
        ]];
        rows.extend(e.findings.iter().map(|f| {
            vec![
                f.message.clone(),
                f.declared.clone().unwrap_or_default(),
                f.computed.clone().unwrap_or_default(),
            ]
        }));
        b.push(Block::Table(rows));
    }
    b
}

//! The self-evaluation table (项目支出绩效自评表) as a workbook in the standard layout: the
//! project, the funds row (年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分, in 万元), the
//! indicators (一级 / 二级 / 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及改进措施) and the
//! total with its grade.

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};

use super::evaluation::{Evaluation, IndicatorScore, wan};
use crate::sheets::xlsx_cell;

/// The funds row's heads, in 万元.
pub const FUNDS_HEAD: [&str; 7] = [
    "项目资金（万元）",
    "年初预算数",
    "全年预算数",
    "全年执行数",
    "分值",
    "执行率",
    "得分",
];

/// The funds row (年度资金总额): budgets and execution in 万元, the execution indicator's weight
/// and score.
pub fn funds_row(e: &Evaluation) -> [String; 7] {
    let fen = super::evaluation::fen_text;
    let exec = e
        .indicators
        .iter()
        .find(|i| i.source.as_deref() == Some("budget.execution_rate"));
    [
        "年度资金总额".to_string(),
        wan(fen(&e.initial_budget)),
        wan(fen(&e.adjusted_budget)),
        wan(fen(&e.paid)),
        exec.map(|i| format!("{}", i.weight)).unwrap_or_default(),
        e.execution_rate
            .map(|r| format!("{:.2}%", r * 100.0))
            .unwrap_or_default(),
        exec.and_then(|i| i.score)
            .map(|s| format!("{s:.2}"))
            .unwrap_or_default(),
    ]
}

/// One indicator's row of the table.
pub fn indicator_row(i: &IndicatorScore) -> [String; 8] {
    [
        i.level1.clone(),
        i.level2.clone(),
        i.name.clone(),
        i.target_text().unwrap_or_default(),
        i.actual_text(),
        format!("{}", i.weight),
        i.score
            .map(|s| format!("{s:.2}"))
            .unwrap_or_else(|| "—".into()),
        i.deviation.clone().unwrap_or_default(),
    ]
}

/// The indicator table's heads.
pub const INDICATOR_HEAD: [&str; 8] = [
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
];

/// The workbook's bytes.
pub fn self_evaluation_xlsx(e: &Evaluation) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let ws = wb.add_worksheet();
    ws.set_name("绩效自评表")?;
    ws.merge_range(
        0,
        0,
        0,
        7,
        &format!("项目支出绩效自评表（{} 年度）", e.year),
        &title,
    )?;
    let text = |s: &str| xlsx_cell(s).into_owned();
    ws.write_string_with_format(1, 0, "项目名称", &head)?;
    ws.merge_range(1, 1, 1, 4, &text(&e.name), &cell)?;
    ws.write_string_with_format(1, 5, "主管部门", &head)?;
    ws.merge_range(1, 6, 1, 7, &text(&e.department), &cell)?;
    // Funds, in 万元 as the table writes them.
    for (c, h) in FUNDS_HEAD.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &head)?;
    }
    let funds = funds_row(e);
    for (c, v) in funds.iter().enumerate() {
        ws.write_string_with_format(4, c as u16, v, &cell)?;
    }
    for (c, h) in INDICATOR_HEAD.iter().enumerate() {
        ws.write_string_with_format(6, c as u16, *h, &head)?;
    }
    let mut row = 7u32;
    for i in &e.indicators {
        let cells = indicator_row(i);
        for (c, v) in cells.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, text(v), &cell)?;
        }
        row += 1;
    }
    ws.merge_range(row, 0, row, 4, "总分", &head)?;
    ws.write_string_with_format(row, 5, "100", &cell)?;
    ws.write_string_with_format(row, 6, format!("{:.2}", e.score), &cell)?;
    ws.write_string_with_format(row, 7, format!("自评等级：{}", e.grade), &cell)?;
    for (c, w) in [
        (0, 14),
        (1, 14),
        (2, 28),
        (3, 16),
        (4, 16),
        (5, 8),
        (6, 8),
        (7, 36),
    ] {
        ws.set_column_width(c, w)?;
    }
    Ok(wb.save_to_buffer()?)
}

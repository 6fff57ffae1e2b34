//! Audit trail export for auditors: CSV (UTF-8 with BOM, so Excel opens it in Chinese) and XLSX.

use rust_xlsxwriter::{Format, Workbook};

use super::Entry;
use crate::clock;
use crate::i18n::{Lang, tr};

fn header(lang: Lang) -> [&'static str; 9] {
    match lang {
        Lang::Zh => [
            "时间",
            "操作人",
            "来源地址",
            "操作",
            "对象",
            "对象编号",
            "摘要",
            "修改前",
            "修改后",
        ],
        Lang::En => [
            "Time",
            "Actor",
            "From",
            "Action",
            "Entity",
            "Entity id",
            "Summary",
            "Before",
            "After",
        ],
    }
}

fn row(e: &Entry, lang: Lang) -> [String; 9] {
    [
        clock::display(&e.at),
        e.actor.clone(),
        e.ip.clone().unwrap_or_default(),
        tr(lang, &format!("audit.{}", e.action)).to_string(),
        e.entity.clone(),
        e.entity_id.clone().unwrap_or_default(),
        e.summary.clone(),
        e.before_json.clone().unwrap_or_default(),
        e.after_json.clone().unwrap_or_default(),
    ]
}

pub fn to_csv(entries: &[Entry], lang: Lang) -> anyhow::Result<Vec<u8>> {
    crate::sheets::csv_bytes(header(lang), entries.iter().map(|e| row(e, lang)))
}

pub fn to_xlsx(entries: &[Entry], lang: Lang) -> anyhow::Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(if lang == Lang::Zh {
        "审计日志"
    } else {
        "Audit trail"
    })?;
    let bold = Format::new().set_bold();
    for (c, h) in header(lang).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, e) in entries.iter().enumerate() {
        for (c, v) in row(e, lang).iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, crate::sheets::xlsx_cell(v).as_ref())?;
        }
    }
    ws.set_column_width(0, 20)?;
    ws.set_column_width(6, 40)?;
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}

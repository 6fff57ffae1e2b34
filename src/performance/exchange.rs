//! A project-year as a workbook for people (one sheet, 绩效项目): each row names its section in
//! the first column — 项目, 立项依据, 预算, 资金来源, 预算调整, 采购, 合同, 分期, 支付, 指标, 填报数 — and
//! rows starting with `#` are headings a person reads and the import skips. Export writes every
//! field of the document; import reads the sheet within the sheet reader's bounds into the same
//! JSON document and hands it to the document's own parse and checks, so a workbook and a JSON
//! file are refused for the same faults, named by the same paths.

use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Map, Value, json};

use super::document::Doc;
use crate::error::{Error, FieldError, Result};
use crate::sheets::{Limits, xlsx_cell};

/// The fields of each key–value section, as the document names them.
const PROJECT: [&str; 11] = [
    "format",
    "code",
    "name",
    "year",
    "department",
    "scope",
    "scheme",
    "implementing_unit",
    "category",
    "period",
    "background",
];
const BUDGET: [&str; 3] = ["initial", "initial_date", "execution_note"];
const PROCUREMENT: [&str; 5] = ["method", "number", "vendor", "amount", "date"];
const CONTRACT: [&str; 4] = ["number", "amount", "signed", "service_period"];

const INDICATOR: [&str; 14] = [
    "level1",
    "level2",
    "name",
    "nature",
    "unit",
    "target",
    "weight",
    "source",
    "actual",
    "evidence",
    "band",
    "applicable",
    "reason",
    "deviation",
];

fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(t) => t.clone(),
        other => other.to_string(),
    }
}

/// The workbook of `d`.
pub fn export(d: &Doc) -> Result<Vec<u8>> {
    let v = serde_json::to_value(d).map_err(|e| Error::Internal(e.into()))?;
    let mut rows: Vec<Vec<String>> = vec![vec![
        "# 绩效项目（zhengwu.performance/1）：第一列为分区，以 # 开头的行为说明，导入时跳过".into(),
    ]];
    let mut head = |cells: &[&str]| rows.push(cells.iter().map(|c| c.to_string()).collect());
    head(&["# 项目", "字段", "值"]);
    let mut out = rows;
    for k in PROJECT {
        if let Some(x) = v.get(k).filter(|x| !x.is_null()) {
            out.push(vec!["项目".into(), k.into(), s(x)]);
        }
    }
    let table = |out: &mut Vec<Vec<String>>, section: &str, cols: &[&str], items: &Value| {
        let mut h = vec![format!("# {section}")];
        h.extend(cols.iter().map(|c| c.to_string()));
        out.push(h);
        for it in items.as_array().into_iter().flatten() {
            let mut r = vec![section.to_string()];
            r.extend(cols.iter().map(|c| s(it.get(*c).unwrap_or(&Value::Null))));
            out.push(r);
        }
    };
    let pairs = |out: &mut Vec<Vec<String>>, section: &str, obj: Option<&Value>, skip: &[&str]| {
        out.push(vec![format!("# {section}"), "字段".into(), "值".into()]);
        for (k, x) in obj.and_then(Value::as_object).into_iter().flatten() {
            if !skip.contains(&k.as_str()) && !x.is_null() {
                out.push(vec![section.to_string(), k.clone(), s(x)]);
            }
        }
    };
    table(&mut out, "立项依据", &["number", "title"], &v["basis"]);
    pairs(
        &mut out,
        "预算",
        v.get("budget"),
        &["adjustments", "sources"],
    );
    pairs(&mut out, "资金来源", v["budget"].get("sources"), &[]);
    table(
        &mut out,
        "预算调整",
        &["date", "amount", "reason", "document"],
        &v["budget"]["adjustments"],
    );
    pairs(&mut out, "采购", v.get("procurement"), &[]);
    pairs(&mut out, "合同", v.get("contract"), &["installments"]);
    table(
        &mut out,
        "分期",
        &["percent", "condition", "due"],
        &v["contract"]["installments"],
    );
    table(
        &mut out,
        "支付",
        &["date", "amount", "voucher", "installment"],
        &v["payments"],
    );
    table(&mut out, "指标", &INDICATOR, &v["indicators"]);
    pairs(&mut out, "填报数", v.get("declared"), &[]);
    let run = || -> anyhow::Result<Vec<u8>> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = wb.add_worksheet();
        ws.set_name("绩效项目")?;
        for (r, row) in out.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let text = xlsx_cell(cell);
                if row[0].starts_with('#') {
                    ws.write_string_with_format(r as u32, c as u16, text.as_ref(), &bold)?;
                } else {
                    ws.write_string(r as u32, c as u16, text.as_ref())?;
                }
            }
        }
        ws.set_column_width(0, 10)?;
        ws.set_column_width(1, 18)?;
        ws.set_column_width(2, 40)?;
        Ok(wb.save_to_buffer()?)
    };
    run().map_err(Error::Internal)
}

fn bad(row: usize, key: &'static str, value: impl ToString) -> Error {
    Error::Validation(vec![FieldError::with(
        format!("row {}", row + 1),
        key,
        value.to_string(),
    )])
}

/// A cell as JSON: a whole number or `true`/`false` where the field takes one, else text.
fn typed(field: &str, cell: &str) -> Value {
    let t = cell.trim();
    match field {
        "year" | "percent" | "installment" | "weight" => t
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| t.parse::<f64>().map(Value::from))
            .unwrap_or_else(|_| Value::from(t)),
        "applicable" => match t {
            "true" | "是" | "TRUE" => Value::Bool(true),
            "false" | "否" | "FALSE" => Value::Bool(false),
            _ => Value::from(t),
        },
        _ if t.is_empty() => Value::Null,
        _ => Value::from(t),
    }
}

/// The document a workbook holds (or a CSV with the same rows), read within bounds.
pub fn import(bytes: &[u8]) -> Result<Doc> {
    let limits = Limits {
        rows: 5_000,
        cols: 20,
        grid: 100_000,
        cell_bytes: 64 * 1024,
        text_bytes: 8 << 20,
        inflated_bytes: 16 << 20,
    };
    let rows = crate::sheets::read_table(bytes, limits).map_err(|e| Error::Validation(vec![e]))?;
    let mut doc = Map::new();
    let mut budget = Map::new();
    let mut sources = Map::new();
    let mut adjustments = Vec::new();
    let mut procurement = Map::new();
    let mut contract = Map::new();
    let mut installments = Vec::new();
    let mut lists: Map<String, Value> = Map::new();
    let mut declared = Map::new();
    let object = |cols: &[&str], r: &[String]| -> Value {
        let mut o = Map::new();
        for (i, c) in cols.iter().enumerate() {
            let v = typed(c, r.get(i + 1).map_or("", String::as_str));
            if !v.is_null() {
                o.insert(c.to_string(), v);
            }
        }
        Value::Object(o)
    };
    for (n, r) in rows.iter().enumerate() {
        let section = r.first().map_or("", |c| c.trim());
        if section.is_empty() || section.starts_with('#') {
            continue;
        }
        let key = r.get(1).map_or("", |c| c.trim()).to_string();
        let value = r.get(2).map_or("", String::as_str);
        let pair = |m: &mut Map<String, Value>| {
            if key.is_empty() {
                return Err(bad(n, "perf.xlsx_row", section));
            }
            let known: &[&str] = match section {
                "项目" => &PROJECT,
                "预算" => &BUDGET,
                "采购" => &PROCUREMENT,
                "合同" => &CONTRACT,
                _ => &[],
            };
            if !known.is_empty() && !known.contains(&key.as_str()) {
                return Err(bad(n, "perf.xlsx_field", &key));
            }
            if m.contains_key(&key) {
                return Err(bad(n, "perf.xlsx_twice", &key));
            }
            let v = typed(&key, value);
            if !v.is_null() {
                m.insert(key.clone(), v);
            }
            Ok(())
        };
        match section {
            "项目" => pair(&mut doc)?,
            "预算" => pair(&mut budget)?,
            "资金来源" => pair(&mut sources)?,
            "采购" => pair(&mut procurement)?,
            "合同" => pair(&mut contract)?,
            "填报数" => {
                if key.is_empty() {
                    return Err(bad(n, "perf.xlsx_row", section));
                }
                if declared.contains_key(&key) {
                    return Err(bad(n, "perf.xlsx_twice", &key));
                }
                let v = value.trim();
                declared.insert(
                    key,
                    v.parse::<f64>()
                        .ok()
                        .filter(|x| x.fract() == 0.0)
                        .map_or_else(|| Value::from(v), |x| Value::from(x as i64)),
                );
            }
            "立项依据" => push(&mut lists, "basis", object(&["number", "title"], r)),
            "预算调整" => {
                adjustments.push(object(&["date", "amount", "reason", "document"], r))
            }
            "分期" => installments.push(object(&["percent", "condition", "due"], r)),
            "支付" => push(
                &mut lists,
                "payments",
                object(&["date", "amount", "voucher", "installment"], r),
            ),
            "指标" => push(&mut lists, "indicators", object(&INDICATOR, r)),
            other => return Err(bad(n, "perf.xlsx_section", other)),
        }
    }
    if !sources.is_empty() {
        budget.insert("sources".into(), Value::Object(sources));
    }
    if !adjustments.is_empty() {
        budget.insert("adjustments".into(), Value::Array(adjustments));
    }
    doc.insert("budget".into(), Value::Object(budget));
    if !procurement.is_empty() {
        doc.insert("procurement".into(), Value::Object(procurement));
    }
    if !contract.is_empty() || !installments.is_empty() {
        contract.insert("installments".into(), Value::Array(installments));
        doc.insert("contract".into(), Value::Object(contract));
    }
    for (k, v) in lists {
        doc.insert(k, v);
    }
    if !declared.is_empty() {
        doc.insert("declared".into(), Value::Object(declared));
    }
    super::document::parse(json!(doc))
}

/// A project-year from a JSON document or a workbook (told apart by content).
pub fn read_any(bytes: &[u8]) -> Result<Doc> {
    let text = std::str::from_utf8(bytes).ok().map(str::trim_start);
    match text {
        Some(t) if t.starts_with('{') => {
            let v: Value = serde_json::from_str(t).map_err(|e| {
                Error::Validation(vec![FieldError::with(
                    "document",
                    "perf.shape",
                    e.to_string(),
                )])
            })?;
            super::document::parse(v)
        }
        _ => import(bytes),
    }
}

fn push(lists: &mut Map<String, Value>, key: &str, v: Value) {
    if let Some(Value::Array(a)) = lists.get_mut(key) {
        a.push(v);
    } else {
        lists.insert(key.to_string(), Value::Array(vec![v]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_year_goes_out_and_comes_back_the_same() {
        let d = super::super::demo::project_2018();
        let back = import(&export(&d).unwrap()).unwrap();
        assert_eq!(
            serde_json::to_value(&back).unwrap(),
            serde_json::to_value(&d).unwrap()
        );
    }

    #[test]
    fn a_bad_workbook_is_named_by_row_or_by_field() {
        let d = super::super::demo::project_2018();
        let mut v = serde_json::to_value(&d).unwrap();
        v["payments"][0]["amount"] = json!("一百万");
        let bad: Doc = serde_json::from_value(v).unwrap();
        let bytes = export(&bad).unwrap();
        let doc = import(&bytes).unwrap();
        let errs = super::super::document::check(&doc).unwrap_err();
        assert!(
            errs.iter().any(|e| e.field == "payments[0].amount"),
            "{errs:?}"
        );
        let csv = "项目,code,X\n杂项,a,b\n";
        match import(csv.as_bytes()) {
            Err(Error::Validation(e)) => assert_eq!(e[0].field, "row 2"),
            other => panic!("{other:?}"),
        }
    }
}

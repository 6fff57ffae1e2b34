//! A form's stored values as people read them on a page, in the page's language: 是/否 for a
//! yes-no, "2026-01-05 至 2026-01-09" for a date range, an address as its street and community
//! names with the detail, a multi-select joined with 、, a table as one line per row, a resident
//! ID number masked (a clerk reveals it on purpose, audited, elsewhere) — never JSON or `true`.

use std::collections::HashMap;

use serde_json::Value;

use super::{Field, FieldKind};
use crate::i18n::{Lang, tr};

/// What the form's values refer to that is not in them: unit names by code.
pub struct Names<'a> {
    /// A unit's code → its name as an address reads (street and community, without the district).
    pub units: &'a HashMap<String, String>,
    pub lang: Lang,
    /// Show resident ID numbers whole (an audited reveal); masked otherwise.
    pub reveal: bool,
}

/// `v`, the value of field `f`, as text a person reads; empty when not given.
pub fn readable(f: &Field, v: Option<&Value>, n: &Names) -> String {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return String::new();
    };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => yes_no(*b, n.lang).to_string(),
        Value::Number(x) => x.to_string(),
        other => other.to_string(),
    };
    match f.kind {
        FieldKind::File => tr(n.lang, "app.see_materials").to_string(),
        FieldKind::YesNo => match v {
            Value::Bool(b) => yes_no(*b, n.lang).to_string(),
            other => text(other),
        },
        FieldKind::DateRange => {
            let from = v.get("from").map(text).unwrap_or_default();
            let to = v.get("to").map(text).unwrap_or_default();
            format!("{from} {} {to}", tr(n.lang, "ui.range_to"))
        }
        FieldKind::MultiSelect => match v {
            Value::Array(items) => items
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(if n.lang == Lang::Zh { "、" } else { ", " }),
            other => text(other),
        },
        FieldKind::Address => {
            let unit = v.get("unit").and_then(Value::as_str).unwrap_or("");
            let detail = v.get("detail").map(text).unwrap_or_default();
            let place = n.units.get(unit).cloned().unwrap_or_default();
            format!("{place}{detail}")
        }
        FieldKind::ResidentId => {
            let s = text(v);
            match crate::ids::ResidentId::parse(&s) {
                Ok(id) if !n.reveal => id.masked(),
                _ => s,
            }
        }
        FieldKind::Table => match v {
            Value::Array(rows) => rows
                .iter()
                .map(|row| {
                    f.columns
                        .iter()
                        .map(|c| format!("{}：{}", c.label, readable(c, row.get(&c.key), n)))
                        .collect::<Vec<_>>()
                        .join("；")
                })
                .collect::<Vec<_>>()
                .join("\n"),
            other => text(other),
        },
        _ => text(v),
    }
}

fn yes_no(b: bool, lang: Lang) -> &'static str {
    tr(lang, if b { "ui.yes" } else { "ui.no" })
}

/// Unit names for addresses: each unit's name after its ancestors' below the root (a community
/// reads "民治街道北站社区"), by code.
pub fn unit_names(units: &[crate::org::Unit]) -> HashMap<String, String> {
    let by_id: HashMap<i64, &crate::org::Unit> = units.iter().map(|u| (u.id, u)).collect();
    units
        .iter()
        .map(|u| {
            let mut parts = vec![u.name.as_str()];
            let mut at = u.parent_id.and_then(|p| by_id.get(&p));
            while let Some(p) = at {
                if p.parent_id.is_none() {
                    break;
                }
                parts.push(p.name.as_str());
                at = p.parent_id.and_then(|q| by_id.get(&q));
            }
            parts.reverse();
            (u.code.clone(), parts.concat())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(kind: FieldKind) -> Field {
        serde_json::from_value(json!({"key": "k", "label": "项", "kind": kind})).unwrap()
    }

    #[test]
    fn values_read_as_people_read_them() {
        let units = HashMap::from([("440309002011".to_string(), "民治街道北站社区".to_string())]);
        let n = Names {
            units: &units,
            lang: Lang::Zh,
            reveal: false,
        };
        let r = |k, v: Value| readable(&field(k), Some(&v), &n);
        assert_eq!(r(FieldKind::YesNo, json!(true)), "是");
        assert_eq!(r(FieldKind::YesNo, json!(false)), "否");
        assert_eq!(
            r(
                FieldKind::Address,
                json!({"unit": "440309002011", "detail": "留仙大道 1 号"})
            ),
            "民治街道北站社区留仙大道 1 号"
        );
        assert_eq!(
            r(
                FieldKind::DateRange,
                json!({"from": "2026-01-05", "to": "2026-01-09"})
            ),
            "2026-01-05 至 2026-01-09"
        );
        assert_eq!(r(FieldKind::MultiSelect, json!(["甲", "乙"])), "甲、乙");
        assert_eq!(
            r(FieldKind::ResidentId, json!("11010519491231002X")),
            "110105********002X"
        );
        assert_eq!(r(FieldKind::Number, json!(3)), "3");
        assert_eq!(readable(&field(FieldKind::Text), None, &n), "");
        let shown = Names { reveal: true, ..n };
        assert_eq!(
            readable(
                &field(FieldKind::ResidentId),
                Some(&json!("11010519491231002X")),
                &shown
            ),
            "11010519491231002X"
        );
    }
}

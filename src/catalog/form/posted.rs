//! A form as a browser posts it (name/value pairs, no script needed) turned into the JSON values
//! the schema validates: `key` for one value, repeated `key` for a multiple choice, `key.from` /
//! `key.to` for a date range, `key.unit` / `key.detail` for an address, `key.<row>.<column>`
//! for a table. Empty inputs are left out, as the script in the page does.

use serde_json::{Map, Value, json};

use super::{FieldKind, FormSchema};

impl FormSchema {
    /// The values of this form among posted pairs; other names are ignored.
    pub fn from_pairs(&self, pairs: &[(String, String)]) -> Map<String, Value> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let mut out = Map::new();
        for f in &self.fields {
            let k = f.key.as_str();
            let v = match f.kind {
                FieldKind::File => None,
                FieldKind::YesNo => get(k).map(|v| Value::Bool(v == "true")),
                FieldKind::MultiSelect => {
                    let all: Vec<Value> = pairs
                        .iter()
                        .filter(|(n, v)| n == k && !v.trim().is_empty())
                        .map(|(_, v)| Value::String(v.trim().into()))
                        .collect();
                    (!all.is_empty()).then_some(Value::Array(all))
                }
                FieldKind::DateRange => {
                    let (a, b) = (get(&format!("{k}.from")), get(&format!("{k}.to")));
                    (a.is_some() || b.is_some())
                        .then(|| json!({"from": a.unwrap_or(""), "to": b.unwrap_or("")}))
                }
                FieldKind::Address => {
                    let (u, d) = (get(&format!("{k}.unit")), get(&format!("{k}.detail")));
                    (u.is_some() || d.is_some())
                        .then(|| json!({"unit": u.unwrap_or(""), "detail": d.unwrap_or("")}))
                }
                FieldKind::Table => {
                    let mut rows = Vec::new();
                    for r in 0.. {
                        let prefix = format!("{k}.{r}.");
                        if !pairs.iter().any(|(n, _)| n.starts_with(&prefix)) {
                            break;
                        }
                        let row: Map<String, Value> = f
                            .columns
                            .iter()
                            .filter_map(|c| {
                                get(&format!("{prefix}{}", c.key))
                                    .map(|v| (c.key.clone(), Value::String(v.into())))
                            })
                            .collect();
                        if !row.is_empty() {
                            rows.push(Value::Object(row));
                        }
                    }
                    (!rows.is_empty()).then_some(Value::Array(rows))
                }
                _ => get(k).map(|v| Value::String(v.into())),
            };
            if let Some(v) = v {
                out.insert(f.key.clone(), v);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Field, FieldKind, FormSchema};
    use serde_json::json;

    #[test]
    fn posted_pairs_become_the_values_the_schema_checks() {
        let mut table = Field::new("staff", "人员", FieldKind::Table);
        table.columns = vec![Field::new("name", "姓名", FieldKind::Text)];
        let form = FormSchema {
            fields: vec![
                Field::new("company", "单位", FieldKind::Text),
                Field::new("chain", "连锁", FieldKind::YesNo),
                Field::new("scope", "范围", FieldKind::MultiSelect),
                Field::new("period", "期间", FieldKind::DateRange),
                Field::new("addr", "地址", FieldKind::Address),
                table,
                Field::new("photo", "照片", FieldKind::File),
                Field::new("empty", "空", FieldKind::Text),
            ],
        };
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        let pairs = vec![
            p("company", " 清泉水务 "),
            p("chain", "false"),
            p("scope", "零售"),
            p("scope", "批发"),
            p("period.from", "2026-01-01"),
            p("period.to", "2026-12-31"),
            p("addr.unit", "440309004001"),
            p("addr.detail", "1号"),
            p("staff.0.name", "张三"),
            p("photo", "1"),
            p("empty", " "),
            p("csrf", "x"),
        ];
        let v = serde_json::Value::Object(form.from_pairs(&pairs));
        assert_eq!(
            v,
            json!({"company": "清泉水务", "chain": false, "scope": ["零售", "批发"],
                   "period": {"from": "2026-01-01", "to": "2026-12-31"},
                   "addr": {"unit": "440309004001", "detail": "1号"}, "staff": [{"name": "张三"}]})
        );
    }
}

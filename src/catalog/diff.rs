//! Field-by-field differences between two versions of a matter (or any two JSON documents):
//! each changed leaf with its path (`guide.materials[2].name`) and both values, in document
//! order (`faq[2]` before `faq[10]`), and the path as people read it
//! (办事指南 › 申请材料 第 3 项 › 名称).

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Difference {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

fn flatten(v: &Value, path: String, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, x) in o {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(x, p, out);
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                flatten(x, format!("{path}[{i}]"), out);
            }
        }
        other => out.push((path, other.clone())),
    }
}

/// What changed from `a` to `b`, in path order.
pub fn diff(a: &Value, b: &Value) -> Vec<Difference> {
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    flatten(a, String::new(), &mut fa);
    flatten(b, String::new(), &mut fb);
    let ma: std::collections::BTreeMap<_, _> = fa.into_iter().collect();
    let mb: std::collections::BTreeMap<_, _> = fb.into_iter().collect();
    let mut keys: Vec<&String> = ma.keys().chain(mb.keys()).collect();
    keys.sort_by_key(|k| order(k));
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (x, y) = (ma.get(k), mb.get(k));
            (x != y).then(|| Difference {
                path: k.clone(),
                before: x.cloned(),
                after: y.cloned(),
            })
        })
        .collect()
}

/// A path's sort key: its names, and its indices as numbers.
fn order(path: &str) -> Vec<(String, usize)> {
    path.split(['.', '['])
        .map(|part| match part.strip_suffix(']') {
            Some(i) => (String::new(), i.parse().unwrap_or(usize::MAX)),
            None => (part.to_string(), 0),
        })
        .collect()
}

/// What a matter's keys are called in the guide editor, in Chinese and English.
const NAMES: &[(&str, &str, &str)] = &[
    ("name", "名称", "Name"),
    ("kind", "类型", "Kind"),
    ("class", "类别", "Class"),
    ("legal_basis", "设定依据", "Legal basis"),
    ("department", "实施部门", "Department"),
    ("levels", "办理层级", "Levels"),
    ("audience", "服务对象", "Audience"),
    ("themes", "主题", "Themes"),
    ("guide", "办事指南", "Guide"),
    ("conditions", "受理条件", "Conditions"),
    ("materials", "申请材料", "Materials"),
    ("id", "编号", "Id"),
    ("copies", "份数", "Copies"),
    ("required", "必需", "Required"),
    ("template", "空白表格", "Blank form"),
    ("condition", "适用情形", "When needed"),
    ("steps", "办理流程", "Steps"),
    (
        "legal_limit_days",
        "法定时限（工作日）",
        "Legal limit (working days)",
    ),
    (
        "promised_limit_days",
        "承诺时限（工作日）",
        "Promised limit (working days)",
    ),
    ("fees", "收费", "Fees"),
    ("item", "收费项目", "Item"),
    ("amount", "金额", "Amount"),
    ("basis", "依据", "Basis"),
    ("channels", "办理渠道", "Channels"),
    ("online_depth", "网办深度", "Online depth"),
    ("onsite_visits", "到现场次数", "On-site visits"),
    ("onsite_reason", "到现场原因", "Why on site"),
    ("counters", "办理窗口", "Counters"),
    ("hours", "办理时间", "Hours"),
    ("consult_phone", "咨询电话", "Enquiries"),
    ("complaint_phone", "投诉电话", "Complaints"),
    ("faq", "常见问题", "FAQ"),
    ("q", "问题", "Question"),
    ("a", "解答", "Answer"),
    ("result_name", "办理结果", "Result"),
    ("fields", "字段", "Fields"),
    ("key", "字段标识", "Key"),
    ("label", "字段名称", "Label"),
    ("hint", "填写提示", "Hint"),
    ("options", "选项", "Options"),
    ("show_if", "显示条件", "Shown when"),
    ("field", "依据字段", "Field"),
    ("equals", "取值", "Value"),
    ("pattern", "格式", "Pattern"),
    ("min", "最小值", "Minimum"),
    ("max", "最大值", "Maximum"),
    ("max_len", "最大长度", "Maximum length"),
    ("columns", "表格列", "Columns"),
    ("material", "对应材料", "Material"),
];

/// A path as people read it: `guide.materials[2].name` → 办事指南 › 申请材料 第 3 项 › 名称.
/// A key it does not know is shown as it is.
pub fn readable(path: &str, lang: crate::i18n::Lang) -> String {
    let zh = lang == crate::i18n::Lang::Zh;
    let mut out: Vec<String> = Vec::new();
    let mut parent = "";
    for seg in path.split('.') {
        let (key, rest) = seg.split_once('[').unwrap_or((seg, ""));
        // A material's `form` is how it is handed in; the matter's is its application form.
        let name = match (key, parent) {
            ("form", "materials") => (if zh { "材料形式" } else { "Form" }).to_string(),
            ("form", _) => (if zh { "申请表" } else { "Application form" }).to_string(),
            _ => NAMES
                .iter()
                .find(|(k, ..)| *k == key)
                .map_or(key.to_string(), |(_, z, e)| {
                    if zh { z } else { e }.to_string()
                }),
        };
        let mut part = name;
        for i in rest.split('[').filter(|s| !s.is_empty()) {
            let n = i
                .trim_end_matches(']')
                .parse::<usize>()
                .map_or(0, |n| n + 1);
            part.push_str(&if zh {
                format!(" 第 {n} 项")
            } else {
                format!(" #{n}")
            });
        }
        out.push(part);
        parent = key;
    }
    out.join(" › ")
}

/// A changed value as people read it: 是/否, lists joined, nothing as —.
pub fn readable_value(v: Option<&Value>, lang: crate::i18n::Lang) -> String {
    let zh = lang == crate::i18n::Lang::Zh;
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::Bool(b)) => match (b, zh) {
            (true, true) => "是".into(),
            (false, true) => "否".into(),
            (true, false) => "yes".into(),
            (false, false) => "no".into(),
        },
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) if a.is_empty() => "—".into(),
        Some(Value::Object(o)) if o.is_empty() => "—".into(),
        Some(other) => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_changed_added_and_removed_leaves() {
        let a = json!({"name": "生育登记", "guide": {"materials": [{"name": "身份证"}, {"name": "户口簿"}], "fees": []}});
        let b = json!({"name": "生育登记", "guide": {"materials": [{"name": "居民身份证"}], "fees": [], "faq": "x"}});
        let d = diff(&a, &b);
        let paths: Vec<&str> = d.iter().map(|x| x.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "guide.faq",
                "guide.materials[0].name",
                "guide.materials[1].name"
            ]
        );
        assert_eq!(d[1].before, Some(json!("身份证")));
        assert_eq!(d[2].after, None);
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn in_document_order_and_read_as_people_do() {
        let faq = |n: usize| {
            (0..n)
                .map(|i| json!({"q": format!("问{i}"), "a": "答"}))
                .collect::<Vec<_>>()
        };
        let a = json!({"guide": {"faq": faq(2)}});
        let b = json!({"guide": {"faq": faq(11)}});
        let paths: Vec<String> = diff(&a, &b).into_iter().map(|d| d.path).collect();
        assert_eq!(paths[0], "guide.faq[2].a");
        assert_eq!(paths.last().unwrap(), "guide.faq[10].q");
        use crate::i18n::Lang;
        assert_eq!(
            readable("guide.materials[2].form", Lang::Zh),
            "办事指南 › 申请材料 第 3 项 › 材料形式"
        );
        assert_eq!(
            readable("form.fields[0].show_if.equals", Lang::Zh),
            "申请表 › 字段 第 1 项 › 显示条件 › 取值"
        );
        assert_eq!(readable_value(Some(&json!(true)), Lang::Zh), "是");
        assert_eq!(readable_value(None, Lang::Zh), "—");
    }
}

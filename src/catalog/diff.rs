//! Field-by-field differences between two versions of a matter (or any two JSON documents):
//! each changed leaf with its path (`guide.materials[2].name`) and both values.

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
    keys.sort();
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
}

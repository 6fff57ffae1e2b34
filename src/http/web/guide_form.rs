//! The service guide (办事指南) as a form a matter admin fills in — lists one item per line,
//! materials, fees and questions as rows of a table (blank rows to add one, a blanked name to
//! remove one) — read back into a [`Guide`]. The API takes the same guide as JSON; the page never
//! shows JSON or field names.

use crate::catalog::matter::{Faq, Fee, Guide, Material, MaterialForm};
use crate::days::WorkingDays;
use crate::error::FieldError;

/// Blank rows offered for new materials, fees and questions.
pub const SPARE_ROWS: usize = 3;

/// At most this many rows of each table are read (a posted form is hostile input).
const MAX_ROWS: usize = 200;

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Reads the guide from the posted `pairs` over `g` (kept where the form has no such input).
/// Answers every value that does not read, by the guide's field path.
pub fn read(pairs: &[(String, String)], g: &mut Guide) -> Vec<FieldError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let mut errs = Vec::new();
    let days = |k: &str, errs: &mut Vec<FieldError>| -> Option<Option<WorkingDays>> {
        let v = get(k).trim();
        if v.is_empty() {
            return Some(None);
        }
        match v.parse::<u32>().ok().and_then(WorkingDays::new) {
            Some(d) => Some(Some(d)),
            None => {
                errs.push(FieldError::with(
                    format!("guide.{k}"),
                    "field.range",
                    format!("0–{}", WorkingDays::MAX),
                ));
                None
            }
        }
    };
    g.conditions = lines(get("conditions"));
    g.steps = lines(get("steps"));
    g.channels = lines(get("channels"));
    if let Some(d) = days("legal_limit_days", &mut errs) {
        g.legal_limit_days = d;
    }
    match days("promised_limit_days", &mut errs) {
        Some(Some(d)) => g.promised_limit_days = d,
        Some(None) => errs.push(FieldError::new(
            "guide.promised_limit_days",
            "field.required",
        )),
        None => {}
    }
    match get("online_depth").trim().parse::<u8>() {
        Ok(d @ 1..=4) => g.online_depth = d,
        _ => errs.push(FieldError::with("guide.online_depth", "field.range", "1–4")),
    }
    match get("onsite_visits").trim().parse::<u8>() {
        Ok(n @ 0..=9) => g.onsite_visits = n,
        _ => errs.push(FieldError::with(
            "guide.onsite_visits",
            "field.range",
            "0–9",
        )),
    }
    g.onsite_reason = opt(get("onsite_reason"));
    for (k, slot) in [
        ("counters", &mut g.counters),
        ("hours", &mut g.hours),
        ("consult_phone", &mut g.consult_phone),
        ("complaint_phone", &mut g.complaint_phone),
        ("result_name", &mut g.result_name),
    ] {
        *slot = get(k).trim().to_string();
    }

    // Materials: existing rows keep their id (the form's upload slots refer to it).
    let mut materials = Vec::new();
    for i in 0..MAX_ROWS {
        let at = |f: &str| format!("mat.{i}.{f}");
        if !pairs
            .iter()
            .any(|(n, _)| n.starts_with(&format!("mat.{i}.")))
        {
            break;
        }
        let name = get(&at("name")).trim();
        if name.is_empty() {
            continue;
        }
        let form = match get(&at("form")) {
            "copy" => MaterialForm::Copy,
            "original_and_copy" => MaterialForm::OriginalAndCopy,
            "electronic" => MaterialForm::Electronic,
            _ => MaterialForm::Original,
        };
        let copies = match get(&at("copies")).trim() {
            "" => 1,
            c => match c.parse::<u32>() {
                Ok(n @ 1..=99) => n,
                _ => {
                    errs.push(FieldError::with(
                        format!("guide.materials[{i}].copies"),
                        "field.range",
                        "1–99",
                    ));
                    1
                }
            },
        };
        materials.push(Material {
            id: get(&at("id")).trim().to_string(),
            name: name.to_string(),
            form,
            copies,
            required: !get(&at("required")).is_empty(),
            condition: opt(get(&at("condition"))),
            template: opt(get(&at("template"))),
        });
    }
    // New rows get the next free id `m_<n>`.
    let mut n = 1;
    for i in 0..materials.len() {
        if materials[i].id.is_empty() {
            while materials.iter().any(|m| m.id == format!("m_{n}")) {
                n += 1;
            }
            materials[i].id = format!("m_{n}");
        }
    }
    g.materials = materials;

    g.fees = rows(pairs, "fee", |get| {
        let item = get("item").trim().to_string();
        (!item.is_empty()).then(|| Fee {
            item,
            amount: get("amount").trim().to_string(),
            basis: get("basis").trim().to_string(),
        })
    });
    g.faq = rows(pairs, "faq", |get| {
        let q = get("q").trim().to_string();
        (!q.is_empty()).then(|| Faq {
            q,
            a: get("a").trim().to_string(),
        })
    });
    errs
}

/// The rows `<prefix>.<i>.<field>` of a table, in order, those `make` keeps.
fn rows<T>(
    pairs: &[(String, String)],
    prefix: &str,
    make: impl Fn(&dyn Fn(&str) -> String) -> Option<T>,
) -> Vec<T> {
    let mut out = Vec::new();
    for i in 0..MAX_ROWS {
        let head = format!("{prefix}.{i}.");
        if !pairs.iter().any(|(n, _)| n.starts_with(&head)) {
            break;
        }
        let get = |f: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == format!("{head}{f}"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        out.extend(make(&get));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn the_guide_reads_from_lines_and_rows() {
        let mut g = Guide {
            materials: vec![Material {
                id: "m_1".into(),
                name: "身份证".into(),
                form: MaterialForm::Original,
                copies: 1,
                required: true,
                condition: None,
                template: None,
            }],
            ..Guide::default()
        };
        let posted = p(&[
            ("conditions", "年满十八周岁\n\n 本区户籍 "),
            ("promised_limit_days", "5"),
            ("legal_limit_days", ""),
            ("online_depth", "3"),
            ("onsite_visits", "1"),
            ("mat.0.id", "m_1"),
            ("mat.0.name", "居民身份证"),
            ("mat.0.form", "copy"),
            ("mat.0.copies", "2"),
            ("mat.0.required", "1"),
            ("mat.1.id", ""),
            ("mat.1.name", "户口簿"),
            ("mat.1.form", "original"),
            ("mat.2.id", ""),
            ("mat.2.name", ""),
            ("fee.0.item", "工本费"),
            ("fee.0.amount", "10.00"),
            ("fee.1.item", ""),
            ("faq.0.q", "可以代办吗？"),
            ("faq.0.a", "可以，须携带委托书。"),
        ]);
        assert!(read(&posted, &mut g).is_empty());
        assert_eq!(g.conditions, ["年满十八周岁", "本区户籍"]);
        assert_eq!(g.promised_limit_days.get(), 5);
        assert_eq!(g.legal_limit_days, None);
        assert_eq!(g.materials.len(), 2);
        assert_eq!(
            (g.materials[0].id.as_str(), g.materials[0].copies),
            ("m_1", 2)
        );
        assert_eq!(g.materials[1].id, "m_2", "a new row gets the next free id");
        assert!(!g.materials[1].required);
        assert_eq!(g.fees.len(), 1);
        assert_eq!(g.faq[0].a, "可以，须携带委托书。");
        let bad = p(&[
            ("promised_limit_days", "x"),
            ("online_depth", "7"),
            ("onsite_visits", "1"),
        ]);
        let fields: Vec<String> = read(&bad, &mut g).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["guide.promised_limit_days", "guide.online_depth"]);
    }
}

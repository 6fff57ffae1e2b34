//! A filing as a posted application form gives it: the form's values read by field kind, the
//! files kept from before (`keep.<material>` ids) and those just uploaded, each file field filled
//! from its material, the form version the page was built on and the hall chosen.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::Save;
use crate::catalog::Matter;
use crate::catalog::form::FieldKind;

/// The filing of `m` (published as version `current`) that `pairs` and `uploaded` (material →
/// new file ids) describe; submitted when `submit`.
pub fn filing(
    code: &str,
    current: i64,
    m: &Matter,
    pairs: &[(String, String)],
    uploaded: BTreeMap<String, Vec<i64>>,
    submit: bool,
) -> Save {
    let all = |name: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .collect()
    };
    let first = |name: &str| all(name).first().copied();
    let mut materials: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for x in &m.guide.materials {
        for id in all(&format!("keep.{}", x.id)) {
            if let Ok(id) = id.parse::<i64>() {
                materials.entry(x.id.clone()).or_default().push(id);
            }
        }
    }
    for (mid, ids) in uploaded {
        materials.entry(mid).or_default().extend(ids);
    }
    let mut form: Map<String, Value> = m.form.from_pairs(pairs);
    for f in m.form.fields.iter().filter(|f| f.kind == FieldKind::File) {
        if let Some(first) = f
            .material
            .as_ref()
            .and_then(|mid| materials.get(mid))
            .and_then(|v| v.first())
        {
            form.insert(f.key.clone(), Value::String(first.to_string()));
        }
    }
    Save {
        matter_code: code.to_string(),
        version: Some(
            first("version")
                .and_then(|v| v.parse().ok())
                .unwrap_or(current),
        ),
        unit_code: first("unit_code")
            .filter(|c| !c.is_empty())
            .map(String::from),
        form,
        materials,
        submit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_and_new_files_join_and_fill_their_file_field() {
        let m = crate::demo::catalog::all()
            .into_iter()
            .find(|m| {
                m.form
                    .fields
                    .iter()
                    .any(|f| f.kind == FieldKind::File && f.material.is_some())
            })
            .expect("a sample matter with a file field");
        let file_field = m
            .form
            .fields
            .iter()
            .find(|f| f.kind == FieldKind::File && f.material.is_some())
            .unwrap();
        let mid = file_field.material.clone().unwrap();
        let pairs = vec![
            (format!("keep.{mid}"), "7".to_string()),
            (format!("keep.{mid}"), "not-a-number".to_string()),
            ("version".to_string(), "3".to_string()),
            ("unit_code".to_string(), "".to_string()),
        ];
        let uploaded = BTreeMap::from([(mid.clone(), vec![9])]);
        let s = filing(&m.code, 5, &m, &pairs, uploaded, true);
        assert_eq!(s.materials[&mid], vec![7, 9]);
        assert_eq!(s.form[&file_field.key], Value::String("7".into()));
        assert_eq!(s.version, Some(3));
        assert_eq!(s.unit_code, None);
        assert!(s.submit);
        let s = filing(&m.code, 5, &m, &[], BTreeMap::new(), false);
        assert_eq!(s.version, Some(5));
        assert!(s.materials.is_empty());
    }
}

use super::*;
use crate::demo::catalog as samples;

fn units() -> Vec<Unit> {
    crate::demo::catalog::departments()
        .into_iter()
        .enumerate()
        .map(|(i, name)| Unit {
            id: i as i64 + 2,
            code: format!("440309-D{:02}", i + 1),
            name: name.to_string(),
            kind: Kind::Department,
            parent_id: Some(1),
            path: format!("/1/{}/", i + 2),
            depth: 1,
            retired_at: None,
        })
        .collect()
}

#[test]
fn the_demo_catalog_passes_every_rule() {
    let all = samples::all();
    assert_eq!(all.len(), 55);
    for name in samples::REPORT_MATTERS {
        assert!(all.iter().any(|m| m.name == name), "{name}");
    }
    let units = units();
    for m in &all {
        assert!(
            m.violations(&units).is_empty(),
            "{}: {:?}",
            m.name,
            m.violations(&units)
        );
    }
    let codes: std::collections::HashSet<_> = all.iter().map(|m| &m.code).collect();
    assert_eq!(codes.len(), 55);
}

fn keys(m: &Matter) -> Vec<(String, &'static str)> {
    m.violations(&units())
        .into_iter()
        .map(|e| (e.field, e.key))
        .collect()
}

#[test]
fn each_consistency_rule_names_its_field() {
    let base = samples::matter(3); // 饮用水供水单位卫生许可: licensing, promised 10 of 20
    assert_eq!(base.case_type(), 2);
    let mut m = base.clone();
    m.guide.promised_limit_days = crate::days::WorkingDays::of(25);
    assert_eq!(
        keys(&m),
        [(
            "guide.promised_limit_days".to_string(),
            "rule.promised_over_legal"
        )]
    );
    let mut m = base.clone();
    m.guide.online_depth = 4;
    assert_eq!(
        keys(&m),
        [("guide.onsite_visits".to_string(), "rule.depth4_visits")]
    );
    let mut m = base.clone();
    m.guide.onsite_reason = None;
    assert_eq!(
        keys(&m),
        [("guide.onsite_reason".to_string(), "rule.visit_reason")]
    );
    let mut m = base.clone();
    m.guide.fees = vec![Fee {
        item: "工本费".into(),
        amount: "10.00".into(),
        basis: " ".into(),
    }];
    assert_eq!(
        keys(&m),
        [("guide.fees[0].basis".to_string(), "rule.fee_basis")]
    );
    let mut m = base.clone();
    m.guide
        .steps
        .retain(|s| !s.starts_with("送达") && !s.starts_with("审查"));
    assert_eq!(
        keys(&m),
        [("guide.steps".to_string(), "rule.licensing_steps")]
    );
    let msg = m.violations(&units())[0].message(crate::i18n::Lang::Zh);
    assert!(msg.contains("审查、送达"), "{msg}");
    let mut m = base.clone();
    m.department = "440309".into();
    m.legal_basis.clear();
    m.class = "E".into();
    assert_eq!(
        keys(&m).iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
        ["class", "department", "legal_basis"]
    );
    // An upload slot must point at a material of the guide.
    let mut m = base;
    m.guide.materials.retain(|x| x.id != "m_special");
    assert!(keys(&m).iter().any(|(_, k)| *k == "form.no_material"));
    // 即办: case type 1.
    assert_eq!(samples::matter(0).case_type(), 1);
}

#[test]
fn a_fee_is_money_in_yuan_not_any_float() {
    let mut m = samples::matter(3);
    for bad in ["NaN", "inf", "1e3", "-5", "0", "0.001"] {
        m.guide.fees = vec![Fee {
            item: "工本费".into(),
            amount: bad.into(),
            basis: "深价〔2018〕1号".into(),
        }];
        assert_eq!(
            keys(&m),
            [("guide.fees[0].amount".to_string(), "field.fee")],
            "{bad}"
        );
    }
    m.guide.fees[0].amount = "10.50".into();
    assert!(keys(&m).is_empty(), "{:?}", keys(&m));
}

use serde_json::{Value, json};

use super::*;

fn schema() -> FormSchema {
    let mut married = Field::new("spouse_id", "配偶身份证号", FieldKind::ResidentId).required();
    married.show_if = Some(ShowIf {
        field: "married".into(),
        equals: json!(true),
    });
    let mut kind = Field::new("kind", "类型", FieldKind::Select).required();
    kind.options = vec!["一孩".into(), "二孩".into()];
    let mut tags = Field::new("tags", "情形", FieldKind::MultiSelect);
    tags.options = vec!["流动人口".into(), "户籍人口".into()];
    let mut family = Field::new("family", "家庭成员", FieldKind::Table);
    family.columns = vec![
        Field::new("name", "姓名", FieldKind::Text).required(),
        Field::new("id", "身份证号", FieldKind::ResidentId).required(),
    ];
    family.max = Some(3.0);
    let mut code = Field::new("zip", "邮编", FieldKind::Text);
    code.pattern = Some("[0-9]{6}".into());
    let mut age = Field::new("age", "年龄", FieldKind::Number);
    age.min = Some(18.0);
    age.max = Some(60.0);
    let mut photo = Field::new("photo", "照片", FieldKind::File);
    photo.material = Some("m1".into());
    FormSchema {
        fields: vec![
            Field::new("name", "姓名", FieldKind::Text).required(),
            Field::new("married", "已婚", FieldKind::YesNo).required(),
            married,
            kind,
            tags,
            family,
            code,
            age,
            Field::new("fee", "金额", FieldKind::Money),
            Field::new("born", "出生日期", FieldKind::Date),
            Field::new("period", "期间", FieldKind::DateRange),
            Field::new("phone", "电话", FieldKind::Phone),
            Field::new("mail", "邮箱", FieldKind::Email),
            Field::new("company", "信用代码", FieldKind::CreditCode),
            Field::new("addr", "地址", FieldKind::Address),
            Field::new("note", "备注", FieldKind::LongText),
            photo,
        ],
    }
}

fn units(code: &str) -> bool {
    code == "440309004001"
}

fn fields_of(r: Result<Map<String, Value>, Vec<FieldError>>) -> Vec<(String, &'static str)> {
    r.err()
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.field, e.key))
        .collect()
}

#[test]
fn a_good_submission_is_cleaned_and_hidden_fields_dropped() {
    let s = schema();
    assert!(
        s.check(&["m1".into()]).is_empty(),
        "{:?}",
        s.check(&["m1".into()])
    );
    let input = json!({
        "name": " 张三 ", "married": false, "spouse_id": "garbage-but-hidden", "kind": "二孩",
        "tags": ["流动人口", "流动人口"], "family": [{"name": "张小", "id": "11010519491231002X"}],
        "zip": "518109", "age": "30", "fee": 12.5, "born": "1990-01-02",
        "period": {"from": "2026-01-01", "to": "2026-02-01"}, "phone": "13800138000",
        "mail": "a@b.cn", "company": "91350100M000100Y43",
        "addr": {"unit": "440309004001", "detail": "北站路 1 号"}, "photo": "sha256:abc",
        "extra": "not in the schema"
    });
    let out = s.validate(input.as_object().unwrap(), &units).unwrap();
    assert_eq!(out["name"], "张三");
    assert!(out.get("spouse_id").is_none(), "hidden field dropped");
    assert!(out.get("extra").is_none(), "unknown field dropped");
    assert_eq!(out["tags"], json!(["流动人口"]));
    assert_eq!(out["fee"], "12.50");
    assert_eq!(out["age"], json!(30.0));
}

#[test]
fn every_kind_answers_its_own_error() {
    let s = schema();
    let input = json!({
        "married": true, "spouse_id": "110105194912310021", "kind": "三孩", "tags": ["外星人"],
        "family": [{"name": "", "id": "123"}, {"name": "a", "id": "11010519491231002X"}, {}, {}],
        "zip": "51810", "age": 70, "fee": 1.234, "born": "1990-02-30",
        "period": {"from": "2026-02-01", "to": "2026-01-01"}, "phone": "12345", "mail": "x@",
        "company": "91350100M000100Y44", "addr": {"unit": "nowhere", "detail": "x"}, "note": 5
    });
    let got = fields_of(s.validate(input.as_object().unwrap(), &units));
    let want: Vec<(String, &str)> = vec![
        ("name".into(), "field.required"),
        ("spouse_id".into(), "field.id_check"),
        ("kind".into(), "field.option"),
        ("tags".into(), "field.option"),
        ("family".into(), "field.max_rows"),
        ("zip".into(), "field.pattern"),
        ("age".into(), "field.max"),
        ("fee".into(), "field.money"),
        ("born".into(), "field.date"),
        ("period".into(), "field.date_order"),
        ("phone".into(), "field.phone"),
        ("mail".into(), "field.email"),
        ("company".into(), "field.id_check"),
        ("addr".into(), "field.unit_unknown"),
        ("note".into(), "field.type"),
    ];
    assert_eq!(got, want);
    // Rows are checked cell by cell.
    let input = json!({"name": "x", "married": false, "kind": "一孩",
                       "family": [{"name": "", "id": "123"}, {"name": "ok", "id": "11010519491231002X"}]});
    let got = fields_of(s.validate(input.as_object().unwrap(), &units));
    assert_eq!(
        got,
        vec![
            ("family[0].name".into(), "field.required"),
            ("family[0].id".into(), "field.id_length")
        ]
    );
}

#[test]
fn show_if_makes_a_field_required_only_when_shown() {
    let s = schema();
    let base = json!({"name": "x", "kind": "一孩"});
    let mut single = base.clone();
    single["married"] = json!(false);
    assert!(s.validate(single.as_object().unwrap(), &units).is_ok());
    let mut married = base;
    married["married"] = json!(true);
    assert_eq!(
        fields_of(s.validate(married.as_object().unwrap(), &units)),
        vec![("spouse_id".into(), "field.required")]
    );
}

#[test]
fn the_designer_cannot_save_a_broken_schema() {
    let mut s = schema();
    s.fields.push(Field::new("name", "重复", FieldKind::Text));
    s.fields.push(Field::new("Bad Key", "x", FieldKind::Text));
    let mut sel = Field::new("sel", "", FieldKind::Select);
    sel.show_if = Some(ShowIf {
        field: "later".into(),
        equals: json!(1),
    });
    s.fields.push(sel);
    let mut p = Field::new("p", "p", FieldKind::Text);
    p.pattern = Some("(".into());
    p.min_len = Some(5);
    p.max_len = Some(2);
    s.fields.push(p);
    let keys: Vec<&str> = s.check(&[]).iter().map(|e| e.key).collect();
    assert_eq!(
        keys,
        [
            "form.no_material",
            "form.duplicate_key",
            "form.bad_key",
            "form.no_label",
            "form.no_options",
            "form.bad_show_if",
            "form.bad_pattern",
            "form.min_over_max"
        ]
    );
}

#[test]
fn a_show_if_value_the_field_cannot_take_is_refused() {
    let mut married = Field::new("married", "是否已婚", FieldKind::YesNo);
    married.required = true;
    let mut parity = Field::new("parity", "生育孩次", FieldKind::Select);
    parity.options = vec!["一孩".into(), "二孩".into()];
    let photo = Field::new("photo", "照片", FieldKind::Text);
    let shown = |field: &str, equals: Value| {
        let mut f = Field::new("spouse", "配偶姓名", FieldKind::Text);
        f.show_if = Some(ShowIf {
            field: field.into(),
            equals,
        });
        let s = FormSchema {
            fields: vec![married.clone(), parity.clone(), photo.clone(), f],
        };
        s.check(&[]).iter().map(|e| e.key).collect::<Vec<_>>()
    };
    assert!(shown("married", json!(true)).is_empty());
    assert!(shown("parity", json!("二孩")).is_empty());
    assert!(shown("photo", json!("有")).is_empty());
    for (field, bad) in [
        ("married", json!("也许")),
        ("married", json!("")),
        ("parity", json!("四孩")),
        ("photo", json!("")),
    ] {
        assert_eq!(
            shown(field, bad.clone()),
            ["form.show_if_value"],
            "{field} = {bad}"
        );
    }
}

//! Scoring schemes kept with versions: the district saves a province's scheme (bands and grades
//! of its own), a project names it and is scored on it, the evaluation says which version; a
//! stale or bad save is refused with nothing stored; a street cannot change the district's
//! schemes; a project whose first-level points differ from its scheme's is a finding.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    json_of(app.put(token, path, body).await).await
}

#[tokio::test]
async fn a_provinces_scheme_is_versioned_and_scores_the_projects_that_name_it() {
    let app = TestApp::spawn().await;
    let admin = app.token("district_bureau_admin").await;
    let (s, list) = json_of(app.get(&admin, "/api/v1/performance/schemes").await).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list[0]["code"], "CY-2020-10");
    assert_eq!(list[0]["version"], 0);
    let mut scheme = list[0]["scheme"].clone();
    scheme["name"] = json!("广东省项目支出绩效自评（示例）");
    scheme["bands"]["基本达成"] = json!(70);
    scheme["grades"][0]["min"] = json!(96);
    let path = "/api/v1/performance/schemes/GD-2021";
    let (s, r) = put(
        &app,
        &admin,
        path,
        json!({"scheme": scheme, "base_version": 0}),
    )
    .await;
    assert_eq!((s, &r["version"]), (StatusCode::OK, &json!(1)), "{r}");
    let (s, _) = put(
        &app,
        &admin,
        path,
        json!({"scheme": scheme, "base_version": 0}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a save on a version someone replaced"
    );
    // Bad: levels that do not make the total, a band missing; nothing stored.
    let mut bad = scheme.clone();
    bad["levels"]["投入"] = json!(20);
    bad["bands"].as_object_mut().unwrap().remove("未达成");
    let (s, r) = put(
        &app,
        &admin,
        path,
        json!({"scheme": bad, "base_version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let fields: Vec<&str> = r["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["bands", "levels"], "{r}");
    let (_, v) = json_of(app.get(&admin, &format!("{path}/versions")).await).await;
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    // A street's bureau admin reads schemes and changes none; an auditor reads.
    let street = app.token("bureau_admin").await;
    let (s, _) = put(
        &app,
        &street,
        path,
        json!({"scheme": scheme, "base_version": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let auditor = app.token("district_auditor").await;
    assert_eq!(
        app.get(&auditor, "/api/v1/performance/schemes")
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'performance.scheme'")
            .await,
        1
    );

    // A project naming an unknown scheme is refused; one naming GD-2021 is scored on it.
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    d["department"] = json!("440309-D02");
    d["code"] = json!("GD-TEST");
    d["scheme"] = json!("NOPE");
    d["indicators"][5]["band"] = json!("基本达成");
    let (s, r) = json_of(
        app.post(&admin, "/api/v1/performance/projects", d.clone())
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(r.to_string().contains("\"scheme\""), "{r}");
    let score_on = |scheme: Option<&str>| {
        let mut d = d.clone();
        let app = &app;
        let admin = admin.clone();
        d["scheme"] = scheme.map_or(Value::Null, |s| json!(s));
        async move {
            let (s, r) = json_of(app.post(&admin, "/api/v1/performance/projects", d).await).await;
            assert!(s.is_success(), "{r}");
            let (_, e) = json_of(
                app.get(&admin, "/api/v1/performance/projects/GD-TEST/evaluation")
                    .await,
            )
            .await;
            e
        }
    };
    let central = score_on(None).await;
    let gd = score_on(Some("GD-2021")).await;
    let band = |e: &Value| e["indicators"][5]["score"].as_f64().unwrap();
    assert_eq!(
        (band(&central), band(&gd)),
        (12.0, 10.5),
        "80% and 70% of 15 points"
    );
    assert!(
        gd["scheme"].as_str().unwrap().contains("GD-2021 第 1 版"),
        "{gd}"
    );
    assert!(
        central["scheme"]
            .as_str()
            .unwrap()
            .contains("CY-2020-10 第 0 版")
    );
    // Above 90 is 优 on the central scheme, 良 on one that asks 96.
    let total = gd["score"].as_f64().unwrap();
    assert!((90.0..96.0).contains(&total), "{total}");
    assert_eq!(
        (central["grade"].as_str(), gd["grade"].as_str()),
        (Some("优"), Some("良"))
    );

    // First-level points that differ from the scheme's: a finding.
    let mut off = d.clone();
    off["scheme"] = Value::Null;
    off["indicators"][1]["level1"] = json!("效益");
    let (s, r) = json_of(app.post(&admin, "/api/v1/performance/projects", off).await).await;
    assert!(s.is_success(), "{r}");
    let (_, e) = json_of(
        app.get(&admin, "/api/v1/performance/projects/GD-TEST/evaluation")
            .await,
    )
    .await;
    let levels: Vec<&Value> = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "scheme.levels")
        .collect();
    assert_eq!(
        levels.len(),
        2,
        "产出 35 against 50, 效益 45 against 30: {e}"
    );
}

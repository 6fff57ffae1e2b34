//! Performance management over the API, on the demo district: the seed's 2018 project evaluated
//! (money exact to the fen, the contract's tail, the report's own 127 caught as a finding), a
//! bad document refused whole, and who may read and write which department's projects.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::crawl::demo_app;
use crate::support::{PASSWORD, TestApp, json_of};

async fn evaluation(app: &TestApp, token: &str, code: &str) -> (StatusCode, Value) {
    json_of(
        app.get(
            token,
            &format!("/api/v1/performance/projects/{code}/evaluation"),
        )
        .await,
    )
    .await
}

#[tokio::test]
async fn the_seed_project_is_evaluated_and_its_127_is_caught() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let (s, e) = evaluation(&app, &admin, "LH-2018-ZWYW").await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["initial_budget"], "2270000.00");
    assert_eq!(e["adjusted_budget"], "2240000.00");
    assert_eq!(e["paid"], "2236800.00");
    assert_eq!(e["execution_rate"], 0.9986);
    assert_eq!(e["contract_amount"], "2796000.00");
    assert_eq!(e["contract_outstanding"], "559200.00");
    let findings = e["findings"].as_array().unwrap();
    let arithmetic = findings
        .iter()
        .find(|f| f["code"] == "arithmetic.ops_unresolved")
        .unwrap_or_else(|| panic!("{e}"));
    assert_eq!(
        (&arithmetic["declared"], &arithmetic["computed"]),
        (&json!("127"), &json!("137"))
    );
    assert!(
        arithmetic["message"].as_str().unwrap().contains("9287"),
        "{arithmetic}"
    );
    // The desk holds the seed's 2018 (9,287 requests, 9,150 resolved): the resolution rate is the
    // platform's own and agrees with the report's 98.52%; the platform holds no accounts of 2018,
    // so the report's 881 raises no false alarm of an empty store.
    let c = &e["computed"];
    assert_eq!(
        (&c["ops.total"], &c["ops.resolved"], &c["ops.unresolved"]),
        (&json!(9287.0), &json!(9150.0), &json!(137.0)),
        "{c}"
    );
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["arithmetic.ops_unresolved", "ops.unresolved.declared"],
        "{e}"
    );
    let resolution = e["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "ops.resolution_rate")
        .unwrap();
    assert_eq!(
        (&resolution["actual"], &resolution["score"]),
        (&json!("98.52"), &json!(15.0)),
        "{resolution}"
    );
    // A year the platform holds nothing of: the declared figure stands in, said so.
    let mut y2017 = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    y2017["code"] = json!("LH-2017-ZWYW");
    y2017["year"] = json!(2017);
    y2017["payments"][0]["date"] = json!("2017-06-26");
    y2017["payments"][1]["date"] = json!("2017-10-24");
    y2017["contract"]["number"] = json!("LH-ZWYW-2017（示例）");
    let (s, r) = json_of(
        app.post(&admin, "/api/v1/performance/projects", y2017.clone())
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (_, e17) = evaluation(&app, &admin, "LH-2017-ZWYW").await;
    assert!(
        e17["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "ops.resolution_rate.no_data"
                && f["message"].as_str().unwrap().contains("按填报值计")),
        "{e17}"
    );
    // The execution indicator scores weight × rate; the total is graded.
    let exec = e["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "budget.execution_rate")
        .unwrap();
    assert_eq!(exec["score"], 9.99);
    assert!(e["score"].as_f64().unwrap() > 0.0);
    assert!(["优", "良", "中", "差"].contains(&e["grade"].as_str().unwrap()));
    // The self-evaluation table as a workbook, in the standard layout.
    let r = app
        .get(
            &admin,
            "/api/v1/performance/projects/LH-2018-ZWYW/self-evaluation.xlsx",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range("绩效自评表").unwrap();
    let cells: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    for want in [
        "项目支出绩效自评表（2018 年度）",
        "区政务服务局",
        "227",
        "224",
        "223.68",
        "99.86%",
        "故障解决率",
        "总分",
    ] {
        assert!(
            cells.iter().any(|c| c.contains(want)),
            "{want} in {cells:?}"
        );
    }
    // The 2019 project-year pays the tail: the contract is paid off.
    let (s, e) = evaluation(&app, &admin, "LH-2019-ZWYW").await;
    assert_eq!(s, StatusCode::OK, "{e}");
    assert_eq!(e["contract_outstanding"], "0.00");
    assert_eq!(e["paid"], "559200.00");
    assert!(
        !e["findings"].to_string().contains("contract.overpaid"),
        "{e}"
    );
    // Had 2017 paid on the same contract, 2019 would pay it beyond its amount: said.
    y2017["contract"]["number"] = json!("LH-ZWYW-2018（示例）");
    let (s, _) = json_of(
        app.post(&admin, "/api/v1/performance/projects", y2017)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, e) = evaluation(&app, &admin, "LH-2019-ZWYW").await;
    let over = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "contract.overpaid")
        .unwrap_or_else(|| panic!("{e}"));
    assert_eq!(over["computed"], "5032800.00", "{over}");
}

#[tokio::test]
async fn a_bad_document_is_refused_whole_with_every_problem_named() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let before = app.count("SELECT COUNT(*) FROM perf_projects").await;
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    d["code"] = json!("LH-BAD");
    d["budget"]["initial"] = json!("2,270,000");
    d["payments"][0]["date"] = json!("2018-13-01");
    d["payments"][1]["installment"] = json!(7);
    d["indicators"][0]["nature"] = json!(">");
    d["indicators"][1]["applicable"] = json!(false);
    d["declared"]["ops.everything"] = json!(1);
    let (s, e) = json_of(app.post(&admin, "/api/v1/performance/projects", d).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for want in [
        "budget.initial",
        "payments[0].date",
        "payments[1].installment",
        "indicators[0].nature",
        "indicators[1].reason",
        "declared.ops.everything",
    ] {
        assert!(fields.contains(&want), "{want} in {fields:?}");
    }
    assert!(
        e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "said in Chinese: {e}"
    );
    // Weights that are not the scheme's 100 points; codes that are not codes; a budget adjusted
    // below nothing; text too long; a declared count with a fraction; an unknown department.
    let base = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    let mut cases = Vec::new();
    let mut w = base.clone();
    w["code"] = json!("LH-W");
    for i in w["indicators"].as_array_mut().unwrap() {
        i["weight"] = json!(100);
    }
    cases.push((w, "indicators"));
    for code in [
        "../x",
        "a/b",
        "LH 2018",
        "LH-2018\u{200b}-X",
        "ＬＨ-2018",
        "<b>x</b>",
        "",
    ] {
        let mut c = base.clone();
        c["code"] = json!(code);
        cases.push((c, "code"));
    }
    let mut n = base.clone();
    n["code"] = json!("LH-NEG");
    n["budget"]["adjustments"][0]["amount"] = json!("-3270000.00");
    cases.push((n, "budget.adjustments"));
    let mut l = base.clone();
    l["code"] = json!("LH-LONG");
    l["name"] = json!("长".repeat(201));
    cases.push((l, "name"));
    let mut dc = base.clone();
    dc["code"] = json!("LH-DECL");
    dc["declared"]["ops.total"] = json!(9287.5);
    cases.push((dc, "declared.ops.total"));
    let mut dep = base.clone();
    dep["code"] = json!("LH-DEP");
    dep["department"] = json!("999");
    cases.push((dep, "department"));
    for (doc, field) in cases {
        let (s, e) = json_of(
            app.post(&admin, "/api/v1/performance/projects", doc.clone())
                .await,
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {e}");
        assert!(
            e["error"]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["field"] == field),
            "{field}: {e}"
        );
        assert!(!e.to_string().contains("{value}"), "{e}");
    }
    // A missing field is named as that field.
    let mut m = base.clone();
    m.as_object_mut().unwrap().remove("name");
    let (s, e) = json_of(app.post(&admin, "/api/v1/performance/projects", m).await).await;
    assert_eq!(
        (s, &e["error"]["fields"][0]["field"]),
        (StatusCode::UNPROCESSABLE_ENTITY, &json!("name")),
        "{e}"
    );
    // A document of the wrong shape is refused too, saying where.
    let (s, e) = json_of(
        app.post(
            &admin,
            "/api/v1/performance/projects",
            json!({"format": "zhengwu.performance/1", "code": "X"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM perf_projects").await,
        before,
        "nothing stored"
    );
    // Under 90% execution, the reason is required.
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    d["code"] = json!("LH-LOW");
    d["payments"] = json!([{"date": "2018-06-26", "amount": "100.00", "installment": 1}]);
    d["budget"]["execution_note"] = Value::Null;
    let (s, e) = json_of(app.post(&admin, "/api/v1/performance/projects", d).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "budget.execution_note");
}

#[tokio::test]
async fn finance_keeps_its_departments_projects_and_an_auditor_only_reads() {
    let app = demo_app().await;
    let admin = app.token("admin").await;
    let health: i64 =
        zhengwu::storage::query_scalar("SELECT id FROM org_units WHERE code = '440309-D02'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let body = json!({"username": "fin.health", "name": "卫健财务", "org_unit_id": health,
                      "password": PASSWORD, "roles": [{"role": "finance"}]});
    let (s, r) = json_of(app.post(&admin, "/api/v1/accounts", body).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let fin = app.token("fin.health").await;
    // Another department's project is not there for them.
    let (s, _) = evaluation(&app, &fin, "LH-2018-ZWYW").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = json_of(app.get(&fin, "/api/v1/performance/projects").await).await;
    assert_eq!(list, json!([]));
    // A clerk has no part in performance at all.
    let clerk = app.token("clerk").await;
    let r = app.get(&clerk, "/api/v1/performance/projects").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Nor may they write one there; their own department's they may.
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2019()).unwrap();
    d["code"] = json!("LH-2019-WJ");
    let (s, _) = json_of(
        app.post(&fin, "/api/v1/performance/projects", d.clone())
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Nor overwrite D01's project by writing its code in other letters.
    let mut copy = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    copy["code"] = json!("lh-2018-zwyw");
    copy["department"] = json!("440309-D02");
    let (s, _) = json_of(app.post(&fin, "/api/v1/performance/projects", copy).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    d["department"] = json!("440309-D02");
    let (s, r) = json_of(
        app.post(&fin, "/api/v1/performance/projects", d.clone())
            .await,
    )
    .await;
    assert_eq!(
        (s, &r["created"]),
        (StatusCode::CREATED, &json!(true)),
        "{r}"
    );
    let (s, r) = json_of(
        app.post(&fin, "/api/v1/performance/projects", d.clone())
            .await,
    )
    .await;
    assert_eq!((s, &r["created"]), (StatusCode::OK, &json!(false)), "{r}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'performance.import' AND actor = 'fin.health'")
            .await,
        2
    );
    // The district's auditor reads every project and writes none.
    let auditor = app.token("auditor").await;
    let (_, list) = json_of(app.get(&auditor, "/api/v1/performance/projects").await).await;
    assert_eq!(list.as_array().unwrap().len(), 3, "{list}");
    let (s, _) = evaluation(&app, &auditor, "LH-2019-WJ").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = json_of(app.post(&auditor, "/api/v1/performance/projects", d).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A citizen sees nothing.
    let citizen = app.token("citizen").await;
    let (s, _) = evaluation(&app, &citizen, "LH-2018-ZWYW").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// The computed figures are the store's own: tickets reported and resolved this year, accounts,
/// and a declared figure that disagrees is named.
#[tokio::test]
async fn computed_sources_are_the_stores_own_figures() {
    let app = TestApp::spawn().await;
    let clerk = app.token("window_clerk").await;
    let eng = app.token("om_engineer").await;
    let mut ids = Vec::new();
    for title in ["受理页面打不开", "打印回执乱码", "账号无法登录"] {
        let (s, t) = json_of(
            app.post(
                &clerk,
                "/api/v1/ops/tickets",
                json!({"system": "approval", "category": "fault", "title": title, "description": "见截图"}),
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        ids.push(t["id"].as_i64().unwrap());
    }
    for id in &ids[..2] {
        let (s, r) = json_of(
            app.post(
                &eng,
                &format!("/api/v1/ops/tickets/{id}/act"),
                json!({"move": "resolve", "note": "已处理"}),
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
    }
    let year = zhengwu::clock::display(&app.db.now())[..4]
        .parse::<i32>()
        .unwrap();
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2019()).unwrap();
    d["code"] = json!("WJ-OPS");
    d["year"] = json!(year);
    d["payments"][0]["date"] = json!(format!("{year}-06-20"));
    d["department"] = json!("440309-D02");
    d["declared"] = json!({"ops.total": 5, "ops.resolved": 2});
    let admin = app.token("district_bureau_admin").await;
    let (s, r) = json_of(app.post(&admin, "/api/v1/performance/projects", d).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, e) = evaluation(&app, &admin, "WJ-OPS").await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let c = &e["computed"];
    assert_eq!(
        (&c["ops.total"], &c["ops.resolved"], &c["ops.unresolved"]),
        (&json!(3.0), &json!(2.0), &json!(1.0)),
        "{c}"
    );
    let rate = c["ops.resolution_rate"].as_f64().unwrap();
    assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{rate}");
    let accounts = app
        .count("SELECT COUNT(*) FROM users WHERE active = 1")
        .await;
    assert_eq!(c["accounts.active"], json!(accounts as f64));
    // The same figures as the desk's own statistics for the year.
    let (_, stats) = json_of(
        app.get(
            &admin,
            &format!("/api/v1/ops/stats?from={year}-01-01&to={year}-12-31"),
        )
        .await,
    )
    .await;
    assert_eq!(stats["total"], json!(3), "{stats}");
    let findings: Vec<&str> = e["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(findings.contains(&"ops.total.declared"), "{findings:?}");
    assert!(!findings.contains(&"ops.resolved.declared"), "{findings:?}");
    // A project scoped to a street counts only that street's tickets: 民治's three, 龙华's none.
    for (code, scope, total) in [
        ("WJ-MZ", "440309004", json!(3.0)),
        ("WJ-LH", "440309003", Value::Null),
    ] {
        let mut d = serde_json::to_value(zhengwu::performance::demo::project_2019()).unwrap();
        d["code"] = json!(code);
        d["year"] = json!(year);
        d["payments"][0]["date"] = json!(format!("{year}-06-20"));
        d["department"] = json!("440309-D02");
        d["scope"] = json!(scope);
        let (s, r) = json_of(app.post(&admin, "/api/v1/performance/projects", d).await).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let (_, e) = evaluation(&app, &admin, code).await;
        assert_eq!(e["computed"]["ops.total"], total, "{code}: {e}");
    }
}

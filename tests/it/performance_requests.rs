//! Payment requests on the approval engine: the 经办人 asks, the request passes 财务初核, 部门负责人,
//! 办公室负责人, 局领导 and 局长办公会 — each only by the people of its step, never by the one who
//! asked — and once approved a finance officer records it as paid with its voucher, the payment
//! joining the year with the request's files. Bad requests store nothing; a rejected request is
//! never paid; the workflow's internal matter stays out of the hall. And entered indicators keep
//! their evidence file and who entered them.

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhengwu::storage::query_scalar;

use crate::crawl::demo_app;
use crate::performance_payments::fields;
use crate::support::approval::act;
use crate::support::filing::{PDF, upload};
use crate::support::{TestApp, json_of};

const CODE: &str = "LH-2018-REQ";

/// The demo district with the seed's 2018 project under `CODE`, no payment made yet.
async fn project() -> (TestApp, String) {
    let app = demo_app().await;
    let fin = app.token("finance").await;
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    d["code"] = json!(CODE);
    d["contract"]["number"] = json!("REQ-TEST");
    d["payments"] = json!([]);
    let (s, r) = json_of(app.post(&fin, "/api/v1/performance/projects", d).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    (app, fin)
}

/// The district's code.
async fn district(app: &TestApp) -> String {
    query_scalar("SELECT code FROM org_units WHERE kind = 'district'")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The first account holding `role` at the unit coded `unit`, other than `except`.
async fn holder(app: &TestApp, role: &str, unit: &str, except: &str) -> String {
    query_scalar(
        "SELECT u.username FROM users u JOIN role_grants g ON g.user_id = u.id \
         JOIN org_units o ON o.id = g.org_unit_id WHERE g.role = $1 AND o.code = $2 \
         AND u.username <> $3 ORDER BY u.username LIMIT 1",
    )
    .bind(role)
    .bind(unit)
    .bind(except)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

async fn request(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    json_of(
        app.post(
            token,
            &format!("/api/v1/performance/projects/{CODE}/payment-requests"),
            body,
        )
        .await,
    )
    .await
}

/// The open task of approval `instance`, as its case shows it to `token`.
async fn open_task(app: &TestApp, token: &str, instance: i64) -> (i64, String) {
    let (s, c) = json_of(
        app.get(token, &format!("/api/v1/approvals/{instance}"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let t = c["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["status"] == "open")
        .unwrap_or_else(|| panic!("no open task: {c}"));
    (
        t["id"].as_i64().unwrap(),
        t["step_name"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_payment_request_passes_the_five_steps_and_is_paid_with_its_voucher() {
    let (app, fin) = project().await;
    let dept = "440309-D01";
    let district = district(&app).await;
    let form = upload(&app, &fin, "付款申请表.pdf", PDF).await;
    let (s, r) = request(
        &app,
        &fin,
        json!({"amount": "1118400.00", "installment": 1, "payee": "深圳市某科技有限公司",
               "purpose": "运维服务费第一期（合同签订后支付 40%）",
               "files": [{"kind": "付款申请", "file_id": form}]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(r["number"], format!("FK-{CODE}-001"));
    assert_eq!(
        (&r["approval"], &r["step_name"]),
        (&json!("running"), &json!("财务初核"))
    );
    assert_eq!(r["amount"], "1118400.00");
    let number = r["number"].as_str().unwrap().to_string();
    let instance = r["instance_id"].as_i64().unwrap();

    // The workflow's matter is the department's own and nobody's to apply for.
    let matter = format!("ZW-FK-{dept}");
    let anon = app
        .client
        .get(app.url(&format!("/api/v1/matters/{matter}")));
    assert_eq!(anon.send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let madmin = app.token("matter.admin").await;
    let (_, list) = json_of(app.get(&madmin, "/api/v1/matters?q=ZW-FK").await).await;
    assert!(!list.to_string().contains(&matter), "{list}");

    // Not paid before it is approved.
    let paid = format!("/api/v1/performance/payment-requests/{number}/paid");
    let (s, _) = json_of(
        app.post(
            &fin,
            &paid,
            json!({"date": "2018-06-26", "voucher": "0100014480"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);

    // The 经办人 never decides her own request, even holding the step's role, nor holds it up.
    let (task, _) = open_task(&app, &fin, instance).await;
    let (s, r) = act(&app, &fin, task, json!({"action": "pass"})).await;
    assert!(!s.is_success(), "{r}");
    let claim = format!("/api/v1/approvals/tasks/{task}/claim");
    assert_eq!(
        app.post(&fin, &claim, json!({})).await.status(),
        StatusCode::CONFLICT
    );
    // Its step goes only to those who could hold it: not a citizen, not another department's
    // approver, not back to the requester; a long or garbled opinion is refused.
    let checker = app
        .token(&holder(&app, "finance", &district, "finance").await)
        .await;
    for to in ["citizen", "approver", "finance", "nobody"] {
        let (s, r) = act(
            &app,
            &checker,
            task,
            json!({"action": "transfer", "to": to}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{to}: {r}");
        assert_eq!(r["error"]["fields"][0]["field"], "to", "{r}");
    }
    for opinion in ["很".repeat(2001), "同意\u{202e}".to_string()] {
        let (s, _) = act(
            &app,
            &checker,
            task,
            json!({"action": "pass", "opinion": opinion}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The workflow's internal matter shows nothing to the public, and its diagram to staff.
    for path in [
        "versions/1",
        "versions",
        "workflow",
        "workflow/versions",
        "workflow.svg",
    ] {
        let url = app.url(&format!("/api/v1/matters/{matter}/{path}"));
        let r = app.client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let svg = app
        .get(&fin, &format!("/api/v1/matters/{matter}/workflow.svg"))
        .await;
    assert_eq!(svg.status(), StatusCode::OK);

    let steps = [
        (
            "财务初核",
            holder(&app, "finance", &district, "finance").await,
        ),
        (
            "部门负责人审核",
            holder(&app, "department_admin", dept, "").await,
        ),
        ("办公室负责人审核", holder(&app, "approver", dept, "").await),
        ("局领导审批", "admin".to_string()),
        (
            "局长办公会审议",
            holder(&app, "bureau_admin", &district, "admin").await,
        ),
    ];
    // Someone of another department reads nothing of it.
    let outsider = app.token("approver").await;
    let read = format!("/api/v1/performance/payment-requests/{number}");
    assert_eq!(
        app.get(&outsider, &read).await.status(),
        StatusCode::NOT_FOUND
    );
    for (i, (step, who)) in steps.iter().enumerate() {
        let t = app.token(who).await;
        let (task, name) = open_task(&app, &t, instance).await;
        assert_eq!(&name, step);
        // The next step's people may not act on this one (where they hold another role); the
        // leader who approved does not also record the meeting.
        if i == 4 {
            let (s, r) = act(
                &app,
                &app.token("admin").await,
                task,
                json!({"action": "pass"}),
            )
            .await;
            assert_eq!(s, StatusCode::CONFLICT, "{r}");
        }
        if let Some((_, next)) = steps.get(i + 1).filter(|_| i < 3) {
            let other = app.token(next).await;
            let (s, r) = act(&app, &other, task, json!({"action": "pass"})).await;
            assert!(!s.is_success(), "{next} acted on {step}: {r}");
        }
        // Whoever acts on it reads the request and its files.
        let (s, r) = json_of(app.get(&t, &read).await).await;
        assert_eq!((s, &r["step_name"]), (StatusCode::OK, &json!(step)), "{r}");
        let f = app
            .get(&t, &format!("{read}/files/{form}"))
            .await
            .bytes()
            .await
            .unwrap();
        assert_eq!(&f[..], PDF);
        let (s, r) = act(&app, &t, task, json!({"action": "pass", "opinion": "同意"})).await;
        assert_eq!(s, StatusCode::OK, "{step}: {r}");
    }
    let (_, r) = json_of(app.get(&fin, &read).await).await;
    assert_eq!(
        (&r["approval"], &r["step_name"]),
        (&json!("approved"), &Value::Null)
    );

    // Recorded as paid: the payment joins the year with the request's file, once.
    let (s, r) = json_of(
        app.post(
            &fin,
            &paid,
            json!({"date": "2018-06-26", "voucher": "0100014480"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (&r["paid_voucher"], &r["paid_on"]),
        (&json!("0100014480"), &json!("2018-06-26"))
    );
    let (_, e) = json_of(
        app.get(
            &fin,
            &format!("/api/v1/performance/projects/{CODE}/evaluation"),
        )
        .await,
    )
    .await;
    assert_eq!(e["paid"], "1118400.00", "{e}");
    let (_, files) = json_of(
        app.get(
            &fin,
            &format!("/api/v1/performance/projects/{CODE}/payments/files"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            &files[0]["voucher"],
            &files[0]["kind"],
            &files[0]["file_id"]
        ),
        (&json!("0100014480"), &json!("付款申请"), &json!(form)),
        "{files}"
    );
    let (s, _) = json_of(
        app.post(
            &fin,
            &paid,
            json!({"date": "2018-06-27", "voucher": "0100099999"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'performance.payment' \
                 AND entity_id = 'LH-2018-REQ'"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'performance.payment_request' \
                 AND entity_id = 'LH-2018-REQ'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn bad_or_refused_requests_store_nothing_and_a_rejected_one_is_never_paid() {
    let (app, fin) = project().await;
    let count = "SELECT COUNT(*) FROM perf_payment_requests WHERE code = 'LH-2018-REQ'";
    let instances = "SELECT COUNT(*) FROM approval_instances";
    let before = app.count(instances).await;
    let ok = json!({"amount": "100.00", "payee": "某公司", "purpose": "服务费"});
    let long = "很".repeat(2001);
    for (change, field) in [
        (json!({"amount": "0"}), "amount"),
        (json!({"amount": "1e3"}), "amount"),
        (json!({"amount": "1118400.01", "installment": 1}), "amount"),
        (json!({"amount": "2240000.01"}), "amount"),
        (json!({"payee": "某\u{0}公司"}), "payee"),
        (json!({"payee": "某\n公司"}), "payee"),
        (json!({"installment": 9}), "installment"),
        (json!({"payee": "  "}), "payee"),
        (json!({"purpose": long}), "purpose"),
        (
            json!({"files": [{"kind": "照片", "file_id": 1}]}),
            "files[0].kind",
        ),
    ] {
        let mut body = ok.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, r) = request(&app, &fin, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{change} → {r}");
        assert!(fields(&r).contains(&field.to_string()), "{change} → {r}");
    }
    // Readers and strangers ask for nothing.
    for who in ["auditor", "approver", "clerk", "citizen"] {
        let t = app.token(who).await;
        let (s, _) = request(&app, &t, ok.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(app.count(count).await, 0);
    assert_eq!(app.count(instances).await, before);

    // What other requests ask for counts: the installment's room is gone after the first.
    let first =
        json!({"amount": "1118300.00", "installment": 1, "payee": "某公司", "purpose": "第一期"});
    let (s, r) = request(&app, &fin, first).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, r) = request(
        &app,
        &fin,
        json!({"amount": "100.01", "installment": 1, "payee": "某公司", "purpose": "第一期余额"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(
        r.to_string().contains("100.00"),
        "the room left is named: {r}"
    );

    // Rejected at the first step: never paid.
    let (s, r) = request(&app, &fin, ok.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let district = district(&app).await;
    let checker = app
        .token(&holder(&app, "finance", &district, "finance").await)
        .await;
    let (task, _) = open_task(&app, &checker, r["instance_id"].as_i64().unwrap()).await;
    let (s, a) = act(
        &app,
        &checker,
        task,
        json!({"action": "reject", "opinion": "无发票"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let n = r["number"].as_str().unwrap();
    let (s, _) = json_of(
        app.post(
            &fin,
            &format!("/api/v1/performance/payment-requests/{n}/paid"),
            json!({"date": "2018-06-26", "voucher": "X1"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, list) = json_of(
        app.get(
            &fin,
            &format!("/api/v1/performance/projects/{CODE}/payment-requests"),
        )
        .await,
    )
    .await;
    assert_eq!(list[1]["approval"], "rejected", "{list}");
    assert_eq!(list[1]["paid_voucher"], Value::Null);
}

#[tokio::test]
async fn an_entered_indicator_keeps_its_evidence_file_and_who_entered_it() {
    let (app, fin) = project().await;
    let (_, d) = json_of(
        app.get(&fin, &format!("/api/v1/performance/projects/{CODE}"))
            .await,
    )
    .await;
    let list = d["indicators"].as_array().unwrap();
    let entered = 1 + list
        .iter()
        .position(|i| i["source"].is_null() && i["nature"] != "qualitative")
        .unwrap();
    let computed = 1 + list.iter().position(|i| !i["source"].is_null()).unwrap();
    let log = upload(&app, &fin, "巡检记录.pdf", PDF).await;
    let url = |n: usize| format!("/api/v1/performance/projects/{CODE}/indicators/{n}");
    let (s, r) = json_of(
        app.post(
            &fin,
            &url(entered),
            json!({"actual": "6", "evidence": "全年巡检记录 6 份\r\n另附签到表", "file_id": log}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (&r["entered_by"], &r["actual"], &r["file_name"]),
        (&json!("finance"), &json!("6"), &json!("巡检记录.pdf"))
    );
    let (_, d) = json_of(
        app.get(&fin, &format!("/api/v1/performance/projects/{CODE}"))
            .await,
    )
    .await;
    assert_eq!(d["indicators"][entered - 1]["actual"], "6");
    assert_eq!(
        d["indicators"][entered - 1]["evidence"],
        "全年巡检记录 6 份\r\n另附签到表"
    );
    // An auditor reads the entries and the evidence file.
    let aud = app.token("auditor").await;
    let (s, all) = json_of(
        app.get(
            &aud,
            &format!("/api/v1/performance/projects/{CODE}/indicators/entries"),
        )
        .await,
    )
    .await;
    assert_eq!((s, all.as_array().unwrap().len()), (StatusCode::OK, 1));
    let f = app
        .get(
            &aud,
            &format!("/api/v1/performance/projects/{CODE}/files/{log}"),
        )
        .await;
    assert_eq!(f.status(), StatusCode::OK);
    // Refused, with nothing changed.
    let other = upload(&app, &app.token("admin").await, "x.pdf", PDF).await;
    for (n, body, want) in [
        (computed, json!({"actual": "1"}), StatusCode::CONFLICT),
        (99, json!({"actual": "1"}), StatusCode::NOT_FOUND),
        (
            entered,
            json!({"actual": "很多"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            entered,
            json!({"actual": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            entered,
            json!({"actual": "1e3"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            entered,
            json!({"actual": "7", "file_id": other}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let (s, r) = json_of(app.post(&fin, &url(n), body.clone()).await).await;
        assert_eq!(s, want, "{n} {body} → {r}");
    }
    let (s, _) = json_of(app.post(&aud, &url(entered), json!({"actual": "1"})).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, d) = json_of(
        app.get(&fin, &format!("/api/v1/performance/projects/{CODE}"))
            .await,
    )
    .await;
    assert_eq!(d["indicators"][entered - 1]["actual"], "6");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM perf_indicator_entries")
            .await,
        1
    );
}

#[tokio::test]
async fn the_project_page_asks_shows_and_enters_and_the_approver_sees_the_request() {
    use crate::support::pages::{browser, sign_in};
    use reqwest::multipart::{Form, Part};
    let (app, _) = project().await;
    let c = browser();
    let csrf = sign_in(&app, &c, "finance").await;
    let page = format!("/performance/{CODE}");
    let form = |amount: &str| {
        Form::new()
            .text("amount", amount.to_string())
            .text("installment", "1")
            .text("payee", "深圳市某科技有限公司")
            .text("purpose", "第一期运维服务费")
            .text("kind1", "付款申请")
            .part(
                "file1",
                Part::bytes(crate::support::filing::PDF.to_vec()).file_name("付款申请表.pdf"),
            )
    };
    let post = |f: Form| {
        c.post(app.url(&format!("{page}/payment-requests?csrf={csrf}")))
            .multipart(f)
            .send()
    };
    // Refused: said beside the amount, the rest of the form kept, nothing stored.
    let r = post(form("1118400.01")).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("1118400.00 元"),
        "the installment's amount is named"
    );
    assert!(html.contains("第一期运维服务费"));
    let r = post(form("1118400.00")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = c
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let number = format!("FK-{CODE}-001");
    assert!(html.contains(&number) && html.contains("财务初核"));
    assert!(html.contains("付款申请表.pdf"));

    // The district's finance officer finds it in the inbox and decides on what it asks.
    let instance: i64 =
        query_scalar("SELECT instance_id FROM perf_payment_requests WHERE number = $1")
            .bind(&number)
            .fetch_one(&app.db)
            .await
            .unwrap();
    let district = district(&app).await;
    let checker = holder(&app, "finance", &district, "finance").await;
    let c2 = browser();
    sign_in(&app, &c2, &checker).await;
    let inbox = c2
        .get(app.url("/inbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(inbox.contains(&number), "the request waits in the inbox");
    let r = c2
        .get(app.url(&format!("/approvals/{instance}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"payment-request\""));
    assert!(html.contains("1118400.00") && html.contains("深圳市某科技有限公司"));

    // An entered indicator with its evidence file, and who entered it shown beside it.
    let (_, d) = json_of(
        app.get(
            &app.token("finance").await,
            &format!("/api/v1/performance/projects/{CODE}"),
        )
        .await,
    )
    .await;
    let n = 1 + d["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .position(|i| i["source"].is_null() && i["nature"] != "qualitative")
        .unwrap();
    let entry = Form::new()
        .text("actual", "6")
        .text("evidence", "巡检记录 6 份")
        .part(
            "file1",
            Part::bytes(crate::support::filing::PDF.to_vec()).file_name("巡检记录.pdf"),
        );
    let r = c
        .post(app.url(&format!("{page}/indicators/{n}?csrf={csrf}")))
        .multipart(entry)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = c
        .get(app.url(&page))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = html
        .split(&format!("id=\"indicator-{n}\""))
        .nth(1)
        .unwrap_or("");
    let row = row.split("</tr>").next().unwrap_or("");
    assert!(row.contains("钱会（区政务服务局） 填报于"), "{row}");
    assert!(row.contains("巡检记录.pdf"), "{row}");
}

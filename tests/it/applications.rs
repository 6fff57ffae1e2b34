//! Applications online: an applicant registers, saves a draft with uploads, submits (bad input
//! refused by field, nothing half-stored), the hall's clerk asks for a supplement, the applicant
//! adds it online, the clerk accepts — the approval workflow starts — and the application's
//! status follows the approval to the end.

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhengwu::approval::definition::Action;
use zhengwu::approval::engine::{self, Act};
use zhengwu::auth::Principal;

use crate::support::approval::{Setup, setup};
use crate::support::filing::{HALL, PDF, form, upload};
use crate::support::{TestApp, json_of};

/// Registration refuses a credit code with a wrong check character and an applicant with no
/// way to reach them (neither phone nor e-mail), each beside its field.
#[tokio::test]
async fn a_registration_needs_a_valid_number_and_a_way_to_reach_the_applicant() {
    let Setup { app, .. } = setup().await;
    let anon = reqwest::Client::new();
    let reg = |body: Value| anon.post(app.url("/api/v1/register")).json(&body).send();
    let (s, e) = json_of(
        reg(
            json!({"username": "qingquan", "name": "清泉水务", "id_number": "91440300MA5F000002",
                                    "email": "qq@example.cn", "password": "Qingquan2026!", "consent": true}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("id_number"))
    );
    let (s, e) = json_of(
        reg(
            json!({"username": "qingquan", "name": "清泉水务", "id_number": "91440300MA5F000007",
                                    "password": "Qingquan2026!", "consent": true}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("phone"))
    );
    // A name with a text-direction override, a birth date in the future: refused by field.
    let (s, e) = json_of(
        reg(json!({"username": "qingquan", "name": "清泉\u{202E}水务", "id_number": "91440300MA5F000007",
                   "email": "qq@example.cn", "password": "Qingquan2026!", "consent": true}))
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("name")),
        "{e}"
    );
    let future = format!(
        "44030930000101123{}",
        zhengwu::ids::ResidentId::check_char("44030930000101123")
    );
    let (s, e) = json_of(
        reg(
            json!({"username": "zhangsan", "name": "张三", "id_number": future,
                   "email": "zs@example.cn", "password": "Qingquan2026!", "consent": true}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("id_number")),
        "{e}"
    );
    // Without agreeing to the privacy notice: refused beside the box.
    let (s, e) = json_of(
        reg(
            json!({"username": "qingquan", "name": "清泉水务", "id_number": "91440300MA5F000007",
                   "email": "qq@example.cn", "password": "Qingquan2026!"}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("consent"))
    );
    assert!(
        e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("个人信息保护告知"),
        "{e}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'qingquan'")
            .await,
        0
    );
    // Agreed: the account keeps the time of consent, and the audit names the applicant (not
    // the command line) as the one who registered.
    let (s, _) = json_of(
        reg(
            json!({"username": "qingquan", "name": "清泉水务", "id_number": "91440300MA5F000007",
                   "email": "qq@example.cn", "password": "Qingquan2026!", "consent": true}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE username = 'qingquan' AND consented_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'user.register' \
             AND actor = 'qingquan' AND ip IS NOT NULL"
        )
        .await,
        1
    );
    // `QingQuan` is not another account beside `qingquan`.
    let (s, e) = json_of(
        reg(
            json!({"username": "QingQuan", "name": "清泉水务", "id_number": "91440300MA5F000007",
                   "email": "qq2@example.cn", "password": "Qingquan2026!", "consent": true}),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("username_taken")),
        "{e}"
    );
}

/// Registers `qingquan` (the water company, reached by e-mail at qq@example.cn) and signs them
/// in; answers their token.
async fn register(app: &TestApp) -> String {
    let anon = reqwest::Client::new();
    let reg = |body: Value| anon.post(app.url("/api/v1/register")).json(&body).send();
    let (s, _) = json_of(reg(json!({"username": "qingquan", "name": "深圳市龙华区清泉水务有限公司", "id_number": "91440300MA5F000007",
                                    "email": "qq@example.cn", "password": "Qingquan2026!", "consent": true})).await.unwrap()).await;
    assert_eq!(s, StatusCode::CREATED);
    let r: Value = anon
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "qingquan", "password": "Qingquan2026!"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().unwrap().to_string()
}

/// The applicant saves a draft: a form half filled, one material (the business licence);
/// answers the licence's file id and the draft.
async fn draft(app: &TestApp, me: &str, code: &str) -> (i64, Value) {
    let licence = upload(app, me, "营业执照.pdf", PDF).await;
    let (s, d) = json_of(
        app.post(
            me,
            "/api/v1/applications",
            json!({"matter_code": code, "unit_code": HALL,
                   "form": {"company_name": "清泉"}, "materials": {"m_licence": [licence]}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    (licence, d)
}

/// The applicant saves application `id` (with `"submit": true`, submits it).
async fn put(app: &TestApp, me: &str, id: i64, body: Value) -> (StatusCode, Value) {
    json_of(
        app.client
            .put(app.url(&format!("/api/v1/applications/{id}")))
            .bearer_auth(me)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// Nothing of a refused submission stuck: the application is still the draft [`draft`] saved.
async fn assert_still_draft(app: &TestApp, me: &str, id: i64) {
    let (_, still) = json_of(app.get(me, &format!("/api/v1/applications/{id}")).await).await;
    assert_eq!(
        (
            still["status"].as_str(),
            still["form"]["company_name"].as_str()
        ),
        (Some("draft"), Some("清泉"))
    );
}

/// An application submitted online by an applicant who registered with an e-mail address.
struct Online {
    /// The applicant's token.
    me: String,
    id: i64,
    number: String,
    /// The file ids of its business licence and application form.
    licence: i64,
    form_pdf: i64,
}

/// [`register`], [`draft`], and the draft completed with the water report and the application
/// form and submitted.
async fn submitted_online(app: &TestApp, code: &str) -> Online {
    let me = register(app).await;
    let (licence, d) = draft(app, &me, code).await;
    let id = d["id"].as_i64().unwrap();
    let report = upload(app, &me, "水质检测报告.pdf", b"%PDF-1.4\nreport\n%%EOF\n").await;
    let form_pdf = upload(app, &me, "申请表.pdf", b"%PDF-1.4\nform\n%%EOF\n").await;
    let all = json!({"m_licence": [licence], "m_special": [report], "m_form": [form_pdf]});
    let (s, sub) = put(app, &me, id, json!({"matter_code": code, "unit_code": HALL, "form": form(report), "materials": all, "submit": true})).await;
    assert_eq!(
        (s, sub["status"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{sub}"
    );
    Online {
        me,
        id,
        number: d["number"].as_str().unwrap().to_string(),
        licence,
        form_pdf,
    }
}

/// The street's window clerk decides on application `id`.
async fn decide(app: &TestApp, id: i64, body: Value) -> (StatusCode, Value) {
    let clerk = app.token("window_clerk").await;
    json_of(
        app.post(&clerk, &format!("/api/v1/applications/{id}/decision"), body)
            .await,
    )
    .await
}

/// The clerk asks for the water report stamped by the testing body.
async fn ask_supplement(app: &TestApp, id: i64) {
    let (s, sp) = decide(
        app,
        id,
        json!({"decision": "supplement", "missing": "水质检测报告需加盖检测机构公章"}),
    )
    .await;
    assert_eq!(
        (s, sp["status"].as_str()),
        (StatusCode::OK, Some("supplement"))
    );
}

/// The applicant adds the stamped report online and submits again.
async fn add_stamped_report(app: &TestApp, code: &str, o: &Online) -> (StatusCode, Value) {
    let stamped = upload(
        app,
        &o.me,
        "水质检测报告（盖章）.pdf",
        b"%PDF-1.4\nstamped\n%%EOF\n",
    )
    .await;
    let all = json!({"m_licence": [o.licence], "m_special": [stamped], "m_form": [o.form_pdf]});
    put(app, &o.me, o.id, json!({"matter_code": code, "unit_code": HALL, "form": form(stamped), "materials": all, "submit": true})).await
}

/// The clerk accepts the application: it is in approval; answers the approval's instance.
async fn accept(app: &TestApp, o: &Online) -> i64 {
    let (s, a) = decide(app, o.id, json!({"decision": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (_, now) = json_of(
        app.get(&o.me, &format!("/api/v1/applications/{}", o.id))
            .await,
    )
    .await;
    assert_eq!(now["status"], "in_approval");
    now["instance_id"].as_i64().unwrap()
}

/// Every open task of approval `inst` passed, until none is left.
async fn run_to_end(app: &TestApp, inst: i64) {
    let system = Principal::system();
    for _ in 0..10 {
        let c = engine::case(&app.db, &system, inst).await.unwrap();
        let Some(t) = c
            .tasks
            .iter()
            .find(|t| t.status == zhengwu::approval::machine::TaskStatus::Open)
        else {
            break;
        };
        let pass = Act {
            action: Action::Pass,
            opinion: "同意".into(),
            to: None,
            procedure: None,
            attachments: vec![],
        };
        engine::act(&app.db, &system, t.id, &pass).await.unwrap();
    }
}

/// [`submitted_online`], [`accept`]ed and its approval run to its end; answers it and the
/// approval's instance.
async fn approved_online(app: &TestApp, code: &str) -> (Online, i64) {
    let o = submitted_online(app, code).await;
    let inst = accept(app, &o).await;
    run_to_end(app, inst).await;
    (o, inst)
}

/// The licence issued at the end of approval `inst`: its number and its check code.
async fn licence_of(app: &TestApp, inst: i64) -> (String, String) {
    zhengwu::storage::query_as("SELECT number, verify_code FROM licences WHERE instance_id = $1")
        .bind(inst)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// A draft is saved half filled, numbered LH, the year, 16 characters in all, the applicant's
/// credit code masked.
#[tokio::test]
async fn a_draft_is_saved_numbered_with_the_applicants_number_masked() {
    let Setup { app, code } = setup().await;
    let me = register(&app).await;
    let (_, d) = draft(&app, &me, &code).await;
    assert_eq!(d["status"], "draft");
    // A draft is the applicant's alone: the hall's clerk does not read it before it is filed.
    let clerk = app.token("window_clerk").await;
    assert_eq!(
        app.get(&clerk, &format!("/api/v1/applications/{}", d["id"]))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let number = d["number"].as_str().unwrap();
    assert!(number.starts_with("LH20") && number.len() == 16, "{number}");
    assert_eq!(d["applicant_id_masked"], "91440300********07");
}

/// Submitting with forged values and materials missing names every problem by its field, and
/// changes nothing.
#[tokio::test]
async fn a_submission_with_forged_values_and_missing_materials_names_every_problem() {
    let Setup { app, code } = setup().await;
    let me = register(&app).await;
    let (licence, d) = draft(&app, &me, &code).await;
    let id = d["id"].as_i64().unwrap();
    let report = upload(&app, &me, "水质检测报告.pdf", b"%PDF-1.4\nreport\n%%EOF\n").await;
    let mut bad = form(report);
    bad["credit_code"] = json!("91440300MA5F000002");
    bad["contact_phone"] = json!("12345");
    let (s, e) = put(&app, &me, id, json!({"matter_code": code, "unit_code": HALL, "form": bad, "materials": {"m_licence": [licence]}, "submit": true})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "materials.m_form",
        "materials.m_special",
        "credit_code",
        "contact_phone",
    ] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    assert_still_draft(&app, &me, id).await;
}

/// A form of another version than the matter's is refused as outdated; the draft is kept.
#[tokio::test]
async fn a_submission_on_an_outdated_form_is_refused() {
    let Setup { app, code } = setup().await;
    let me = register(&app).await;
    let (_, d) = draft(&app, &me, &code).await;
    let id = d["id"].as_i64().unwrap();
    let report = upload(&app, &me, "水质检测报告.pdf", b"%PDF-1.4\nreport\n%%EOF\n").await;
    let (s, e) = put(
        &app,
        &me,
        id,
        json!({"matter_code": code, "version": 99, "form": form(report), "submit": true}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("form_version_outdated"))
    );
    assert_still_draft(&app, &me, id).await;
}

/// Someone else's upload cannot be attached to an application; the draft is kept.
#[tokio::test]
async fn someone_elses_file_cannot_be_attached() {
    let Setup { app, code } = setup().await;
    let me = register(&app).await;
    let (_, d) = draft(&app, &me, &code).await;
    let id = d["id"].as_i64().unwrap();
    let report = upload(&app, &me, "水质检测报告.pdf", b"%PDF-1.4\nreport\n%%EOF\n").await;
    let theirs = upload(&app, &app.token("health.a").await, "别人的.pdf", PDF).await;
    let (s, e) = put(&app, &me, id, json!({"matter_code": code, "form": form(report), "materials": {"m_licence": [theirs]}, "submit": true})).await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("attachments"))
    );
    assert_still_draft(&app, &me, id).await;
}

/// An application is submitted only with every required material: without the application
/// form it is refused; with it, submitted.
#[tokio::test]
async fn an_application_is_submitted_only_with_every_required_material() {
    let Setup { app, code } = setup().await;
    let me = register(&app).await;
    let (licence, d) = draft(&app, &me, &code).await;
    let id = d["id"].as_i64().unwrap();
    let report = upload(&app, &me, "水质检测报告.pdf", b"%PDF-1.4\nreport\n%%EOF\n").await;
    let materials = json!({"m_licence": [licence], "m_special": [report]});
    let (s, sub) = put(&app, &me, id, json!({"matter_code": code, "unit_code": HALL, "form": form(report), "materials": materials, "submit": true})).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the application form is required too: {sub}"
    );
    let form_pdf = upload(&app, &me, "申请表.pdf", b"%PDF-1.4\nform\n%%EOF\n").await;
    let all = json!({"m_licence": [licence], "m_special": [report], "m_form": [form_pdf]});
    let (s, sub) = put(&app, &me, id, json!({"matter_code": code, "unit_code": HALL, "form": form(report), "materials": all, "submit": true})).await;
    assert_eq!(
        (s, sub["status"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{sub}"
    );
}

/// A submitted application waits in its street's acceptance queue, found by its number in any
/// case; another street's clerk does not see it.
#[tokio::test]
async fn a_submitted_application_waits_in_its_streets_queue_found_by_number() {
    let Setup { app, code } = setup().await;
    let (_, _, number) = submitted(&app, &code).await;
    let clerk = app.token("window_clerk").await;
    let (_, q) = json_of(app.get(&clerk, "/api/v1/applications/queue").await).await;
    assert_eq!(q["items"][0]["number"], number);
    assert_eq!(q["total"], 1);
    let (_, q) = json_of(
        app.get(
            &clerk,
            &format!("/api/v1/applications/queue?q={}", number.to_lowercase()),
        )
        .await,
    )
    .await;
    assert_eq!(q["total"], 1, "found by its number");
    let (_, q) = json_of(
        app.get(&clerk, "/api/v1/applications/queue?q=LH19990101000001")
            .await,
    )
    .await;
    assert_eq!(q["total"], 0);
    let other = app.token("lh_staff").await;
    let (_, q) = json_of(app.get(&other, "/api/v1/applications/queue").await).await;
    assert_eq!(q["total"], 0, "another street's clerk");
}

/// The clerk's request for a supplement is mailed to the applicant, and the application no
/// longer waits for acceptance.
#[tokio::test]
async fn a_supplement_request_is_mailed_and_holds_back_acceptance() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    ask_supplement(&app, o.id).await;
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM mail_outbox WHERE to_addrs = 'qq@example.cn' AND subject LIKE '%需要补正材料%'"
        )
        .await,
        1,
        "told by mail"
    );
    let (s, _) = decide(&app, o.id, json!({"decision": "accept"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "not waiting for acceptance now");
}

/// The applicant adds what a supplement asked for online and submits again.
#[tokio::test]
async fn the_applicant_adds_a_supplement_online_and_submits_again() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    ask_supplement(&app, o.id).await;
    let (s, sub) = add_stamped_report(&app, &code, &o).await;
    assert_eq!(
        (s, sub["status"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{sub}"
    );
}

/// Two clerks deciding at once: one decision wins, the other is refused, and the application
/// shows the winner's (a rejection with its reason, or the approval under way).
#[tokio::test]
async fn two_clerks_deciding_at_once_one_decision_wins() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    let admin = app.token("district_bureau_admin").await;
    let body = json!({"username": "mz.clerk2", "name": "窗口二", "org_unit_id": app.unit_id("minzhi"),
                      "password": crate::support::PASSWORD, "roles": [{"role": "window_clerk"}]});
    assert_eq!(
        app.post(&admin, "/api/v1/accounts", body).await.status(),
        StatusCode::CREATED
    );
    let clerk = app.token("window_clerk").await;
    let clerk2 = app.token("mz.clerk2").await;
    let decision_path = format!("/api/v1/applications/{}/decision", o.id);
    let (a, b) = tokio::join!(
        app.post(&clerk, &decision_path, json!({"decision": "accept"})),
        app.post(
            &clerk2,
            &decision_path,
            json!({"decision": "reject", "reason": "不符合条件"})
        )
    );
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409]);
    let (_, now) = json_of(
        app.get(&o.me, &format!("/api/v1/applications/{}", o.id))
            .await,
    )
    .await;
    if now["status"] == "rejected" {
        assert_eq!(
            now["note"], "不符合条件",
            "the rejection won, with its reason"
        );
    } else {
        assert_eq!(now["status"], "in_approval");
    }
}

/// The clerk's acceptance passes the workflow's own acceptance step (受理), in the clerk's name.
#[tokio::test]
async fn the_clerks_acceptance_passes_the_workflows_acceptance_step() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    let inst = accept(&app, &o).await;
    let c = engine::case(&app.db, &Principal::system(), inst)
        .await
        .unwrap();
    assert_eq!(c.instance.step, 1, "on to the joint review");
    assert_eq!(c.tasks[0].acted_by.as_deref(), Some("window_clerk"));
}

/// When the approval runs to its end, the applicant's list says approved.
#[tokio::test]
async fn the_application_follows_its_approval_to_approved() {
    let Setup { app, code } = setup().await;
    let (o, _) = approved_online(&app, &code).await;
    let (_, mine) = json_of(app.get(&o.me, "/api/v1/applications/mine").await).await;
    assert_eq!(
        (mine[0]["number"].as_str(), mine[0]["status"].as_str()),
        (Some(o.number.as_str()), Some("approved"))
    );
}

/// An approved licensing matter issues the department's e-licence, whose public check shows
/// the minimum and nothing of the form.
#[tokio::test]
async fn an_approved_licensing_matter_issues_a_licence_checked_publicly_with_the_minimum() {
    let Setup { app, code } = setup().await;
    let (_, inst) = approved_online(&app, &code).await;
    let (issued, verify) = licence_of(&app, inst).await;
    let st: Value =
        reqwest::get(app.url(&format!("/api/v1/licences/{issued}/status?code={verify}")))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(st["state"], "valid", "{st}");
    assert!(
        st.get("licence").is_none() && st.get("content").is_none(),
        "{st}"
    );
}

/// The holder lists their licence; it carries the matter's licence fields only (the legal
/// representative, not the credit code, phone or e-mail of the form), their number masked.
#[tokio::test]
async fn the_holder_lists_their_licence_with_the_matters_licence_fields_only() {
    let Setup { app, code } = setup().await;
    let (o, inst) = approved_online(&app, &code).await;
    let (issued, _) = licence_of(&app, inst).await;
    let (_, held) = json_of(app.get(&o.me, "/api/v1/licences/mine").await).await;
    assert_eq!(held[0]["licence"]["number"].as_str(), Some(issued.as_str()));
    assert_eq!(
        held[0]["licence"]["content"],
        serde_json::json!({"法定代表人": "陈清泉"}),
        "{held}"
    );
    assert_eq!(held[0]["licence"]["holder_id_masked"], "91440300********07");
}

/// The applicant is told of each step — the supplement asked for, the acceptance, the licence
/// — by mail and by an in-app message, newest first.
#[tokio::test]
async fn the_applicant_is_told_of_each_step_by_mail_and_in_app_message() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    ask_supplement(&app, o.id).await;
    let (s, sub) = add_stamped_report(&app, &code, &o).await;
    assert_eq!(s, StatusCode::OK, "{sub}");
    let inst = accept(&app, &o).await;
    run_to_end(&app, inst).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM mail_outbox WHERE to_addrs = 'qq@example.cn'")
            .await,
        5,
        "submitted, supplement asked, supplement submitted, accepted, licence"
    );
    let (_, msgs) = json_of(app.get(&o.me, "/api/v1/messages").await).await;
    let subjects: Vec<&str> = msgs
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 5, "{subjects:?}");
    assert!(
        subjects[0].contains("电子证照")
            && subjects[1].contains("已受理")
            && subjects[2].contains("补正材料已提交")
            && subjects[3].contains("需要补正材料")
            && subjects[4].ends_with("已提交"),
        "{subjects:?}"
    );
}

/// The applicant is told once when the department starts a special procedure (which, why, and
/// that it does not count against the limit) and when it ends, and when the licence is
/// revoked, with the reason.
#[tokio::test]
async fn the_applicant_is_told_of_special_procedures_and_a_revocation() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    let inst = accept(&app, &o).await;
    let system = Principal::system();
    let c = engine::case(&app.db, &system, inst).await.unwrap();
    let open = c
        .tasks
        .iter()
        .find(|t| t.status == zhengwu::approval::machine::TaskStatus::Open)
        .unwrap();
    let special = Act {
        action: Action::Special,
        opinion: "需现场核查供水设施".into(),
        to: None,
        procedure: Some(zhengwu::approval::machine::Procedure::Inspection),
        attachments: vec![],
    };
    engine::act(&app.db, &system, open.id, &special)
        .await
        .unwrap();
    let subjects = |msgs: &Value| -> Vec<(String, String)> {
        msgs.as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["subject"].as_str().unwrap().to_string(),
                    m["body"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let (_, msgs) = json_of(app.get(&o.me, "/api/v1/messages").await).await;
    let (subject, body) = &subjects(&msgs)[0];
    assert!(subject.contains("进入特别程序"), "{msgs}");
    assert!(
        body.contains("检验检测鉴定")
            && body.contains("需现场核查供水设施")
            && body.contains("不计入办理时限"),
        "{body}"
    );
    let (_, a) = json_of(
        app.get(&o.me, &format!("/api/v1/applications/{}", o.id))
            .await,
    )
    .await;
    assert!(
        a["note"].as_str().unwrap_or_default().contains("特别程序"),
        "{a}"
    );
    engine::resume(&app.db, &system, inst).await.unwrap();
    let (_, msgs) = json_of(app.get(&o.me, "/api/v1/messages").await).await;
    assert!(subjects(&msgs)[0].0.contains("特别程序结束"), "{msgs}");
    let (_, a) = json_of(
        app.get(&o.me, &format!("/api/v1/applications/{}", o.id))
            .await,
    )
    .await;
    assert!(a["note"].is_null(), "the procedure's note is gone: {a}");

    run_to_end(&app, inst).await;
    let (number, verify) = licence_of(&app, inst).await;
    let dept = app.token("health.a").await;
    let (s, r) = json_of(
        app.post(
            &dept,
            &format!("/api/v1/licences/{number}/revoke"),
            json!({"reason": "以欺骗手段取得许可"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, msgs) = json_of(app.get(&o.me, "/api/v1/messages").await).await;
    let all = subjects(&msgs);
    let revoked: Vec<_> = all
        .iter()
        .filter(|(s, _)| s.contains("证照已撤销"))
        .collect();
    assert_eq!(revoked.len(), 1, "{all:?}");
    assert!(revoked[0].1.contains("以欺骗手段取得许可") && revoked[0].1.contains(&number));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM mail_outbox WHERE to_addrs = 'qq@example.cn' AND subject LIKE '%证照已撤销%'"
        )
        .await,
        1,
        "and by mail"
    );
    // The application no longer reads as simply approved: its licence is marked revoked.
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in_with(&app, &c, "qingquan", "Qingquan2026!").await;
    let page = c
        .get(app.url(&format!("/applications/{}", o.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("已批准 · 证照已撤销") && page.contains("以欺骗手段取得许可"),
        "{page}"
    );
    // Printed, the revoked licence says so first, on paper and in the PDF.
    let print = c
        .get(app.url(&format!("/verify/{number}/print?code={verify}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(print.contains("撤销，不再有效"), "{print}");
    let pdf = c
        .get(app.url(&format!("/verify/{number}/licence.pdf?code={verify}")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = crate::support::pdf::pdf_text(&pdf).replace('\n', "");
    assert!(
        text.contains("不再有效") && text.contains("以欺骗手段取得许可"),
        "{text}"
    );
}

/// Only its recipient marks an in-app message read; to a clerk it is not found.
#[tokio::test]
async fn only_its_recipient_marks_a_message_read() {
    let Setup { app, code } = setup().await;
    let (o, _) = approved_online(&app, &code).await;
    let (_, msgs) = json_of(app.get(&o.me, "/api/v1/messages").await).await;
    let read = format!("/api/v1/messages/{}/read", msgs[0]["id"]);
    assert_eq!(
        app.post(&o.me, &read, json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    let clerk = app.token("window_clerk").await;
    assert_eq!(
        app.post(&clerk, &read, json!({})).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// A completed application is rated once; a poor rating is followed up by the department,
/// and the applicant sees the answer (see [`rate_and_follow_up`]).
#[tokio::test]
async fn a_completed_application_is_rated_and_a_poor_rating_followed_up() {
    let Setup { app, code } = setup().await;
    let (o, _) = approved_online(&app, &code).await;
    rate_and_follow_up(&app, &o.me, o.id).await;
}

/// The applicant rates the completed application 2: a follow-up for the department, due in five
/// working days; the department answers; the applicant sees it. A second rating is refused.
async fn rate_and_follow_up(app: &TestApp, me: &str, id: i64) {
    let path = format!("/api/v1/applications/{id}/rating");
    let (s, e) = json_of(app.post(me, &path, json!({"score": 6})).await).await;
    assert_eq!(
        (s, e["error"]["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("score"))
    );
    let (s, f) = json_of(
        app.post(me, &path, json!({"score": 2, "comment": "等待时间太长"}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    assert!(f["due_at"].is_string(), "a poor rating is followed up");
    assert_eq!(
        app.post(me, &path, json!({"score": 5})).await.status(),
        StatusCode::CONFLICT
    );
    let dept = app.token("health.a").await;
    let (_, open) = json_of(app.get(&dept, "/api/v1/followups").await).await;
    assert_eq!(open[0]["id"], f["id"]);
    let answer = format!("/api/v1/followups/{}/answer", f["id"]);
    let other = app.token("market.a").await;
    assert_eq!(
        app.post(&other, &answer, json!({"answer": "x"}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let (s, a) = json_of(
        app.post(
            &dept,
            &answer,
            json!({"answer": "已增加周二下午专窗，缩短等待"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (_, seen) = json_of(
        app.get(me, &format!("/api/v1/applications/{id}/followups"))
            .await,
    )
    .await;
    assert_eq!(seen[0]["answer"], "已增加周二下午专窗，缩短等待");
    // … and is told of it, with the answer, once.
    let (_, msgs) = json_of(app.get(me, "/api/v1/messages").await).await;
    let told: Vec<&Value> = msgs
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["subject"].as_str().unwrap().contains("评价已回复"))
        .collect();
    assert_eq!(told.len(), 1, "{msgs}");
    assert!(
        told[0]["body"]
            .as_str()
            .unwrap()
            .contains("已增加周二下午专窗"),
        "{msgs}"
    );
    let (s, c) = json_of(
        app.post(
            me,
            &format!("/api/v1/applications/{id}/complaints"),
            json!({"body": "窗口人员态度不好"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, c["kind"].as_str()),
        (StatusCode::CREATED, Some("complaint"))
    );
    let (_, open) = json_of(app.get(&dept, "/api/v1/followups").await).await;
    assert_eq!(
        open.as_array().unwrap().len(),
        1,
        "the complaint waits for its answer"
    );
}

/// An applicant with a submitted application: (their token, its id, its number).
async fn submitted(app: &TestApp, code: &str) -> (String, i64, String) {
    let anon = reqwest::Client::new();
    let r = anon
        .post(app.url("/api/v1/register"))
        .json(&json!({"username": "qingquan", "name": "深圳市龙华区清泉水务有限公司", "id_number": "91440300MA5F000007",
                      "phone": "13800138000", "password": crate::support::PASSWORD, "consent": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r: Value = anon
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "qingquan", "password": crate::support::PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let me = r["token"].as_str().unwrap().to_string();
    let mut materials = serde_json::Map::new();
    for m in ["m_licence", "m_form", "m_special"] {
        materials.insert(
            m.into(),
            json!([upload(
                app,
                &me,
                &format!("{m}.pdf"),
                format!("%PDF-1.4\n{m}\n%%EOF\n").as_bytes()
            )
            .await]),
        );
    }
    let special = materials["m_special"][0].as_i64().unwrap();
    let (s, a) = json_of(
        app.post(
            &me,
            "/api/v1/applications",
            json!({"matter_code": code, "unit_code": HALL, "form": form(special),
                                                     "materials": materials, "submit": true}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    (
        me,
        a["id"].as_i64().unwrap(),
        a["number"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn the_clerks_pages_list_show_and_accept_an_application() {
    use crate::support::pages::{browser, hidden, sign_in};
    let Setup { app, code } = setup().await;
    let (_, id, number) = submitted(&app, &code).await;
    let c = browser();
    sign_in(&app, &c, "window_clerk").await;
    let queue = c
        .get(app.url("/applications/queue"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        queue.contains(&number) && queue.contains("待受理") && queue.contains("91440300********07"),
        "{queue}"
    );
    // The same queue as an Excel sheet, the ID number masked there too.
    let r = c
        .get(app.url("/applications/queue.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    {
        use calamine::Reader;
        let bytes = r.bytes().await.unwrap().to_vec();
        let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0][0], "办件编号");
        assert_eq!(rows[1][0], number);
        assert_eq!(rows[1][3], "91440300********07");
        assert_eq!(rows.len(), 2);
    }
    let page = c
        .get(app.url(&format!("/applications/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("陈清泉") && page.contains("水质检测报告") && page.contains("一次性告知补正"),
        "{page}"
    );
    let csrf = hidden(&page, "csrf");
    // A rejection needs its reason, shown beside the form.
    let r = c
        .post(app.url(&format!("/applications/{id}/decision")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("decision", "reject"),
            ("reason", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("必填"));
    let r = c
        .post(app.url(&format!("/applications/{id}/decision")))
        .form(&[("csrf", csrf.as_str()), ("decision", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = c
        .get(app.url(&format!("/applications/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("审批中") && page.contains("查看审批过程"),
        "{page}"
    );
    // The applicant's own list shows it in approval.
    let a = browser();
    sign_in(&app, &a, "qingquan").await;
    let mine = a
        .get(app.url("/my/applications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains(&number) && mine.contains("审批中"), "{mine}");
}

/// 不予许可 is not silent: the decision — the approver's reason and the applicant's remedies
/// (复议, 诉讼) — is the application's note, in the 不予许可决定书 the applicant can print, and in
/// a message and a mail to them.
#[tokio::test]
async fn a_refusal_tells_the_applicant_why_and_what_they_may_do() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    let inst = accept(&app, &o).await;
    let system = Principal::system();
    let c = engine::case(&app.db, &system, inst).await.unwrap();
    let open = c
        .tasks
        .iter()
        .find(|t| t.status == zhengwu::approval::machine::TaskStatus::Open)
        .unwrap();
    let refuse = Act {
        action: Action::Reject,
        opinion: "供水设施卫生条件不符合规范要求".into(),
        to: None,
        procedure: None,
        attachments: vec![],
    };
    engine::act(&app.db, &system, open.id, &refuse)
        .await
        .unwrap();
    let (_, a) = json_of(
        app.get(&o.me, &format!("/api/v1/applications/{}", o.id))
            .await,
    )
    .await;
    assert_eq!(a["status"], "refused", "{a}");
    let note = a["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("不予许可的理由：供水设施卫生条件不符合规范要求")
            && note.contains("向龙华区人民政府申请行政复议")
            && note.contains("向龙华区人民法院提起行政诉讼"),
        "{a}"
    );
    let (_, msgs) = json_of(app.get(&o.me, "/api/v1/messages").await).await;
    assert!(
        msgs.as_array().unwrap().iter().any(|m| m["subject"]
            .as_str()
            .unwrap()
            .contains("不予批准")
            && m["body"].as_str().unwrap_or_default().contains("行政复议")),
        "{msgs}"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM mail_outbox WHERE to_addrs = 'qq@example.cn' AND subject LIKE '%不予批准%'"
        )
        .await,
        1
    );
    let r = app
        .get(
            &o.me,
            &format!("/api/v1/applications/{}/notices/refusal.pdf", o.id),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Lines wrap anywhere in Chinese: read the text as one line.
    let text = crate::support::pdf::pdf_text(&r.bytes().await.unwrap()).replace('\n', "");
    for want in [
        "不予许可决定书",
        "供水设施卫生条件不符合规范要求",
        "向龙华区人民政府申请行政复议",
        &o.number,
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

/// A supplement the department asks for during approval does not strand the applicant: they
/// see what is asked and by whom (and are told), add it online, and their submission resumes
/// the approval, its deadline moved on by the working time it waited.
#[tokio::test]
async fn a_supplement_asked_in_approval_is_answered_online_and_the_approval_resumes() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    let inst = accept(&app, &o).await;
    let ha = app.token("health.a").await;
    let task = crate::support::approval::inbox(&app, &ha).await[0]["task"]["id"]
        .as_i64()
        .unwrap();
    let (_, before) = json_of(
        app.get(&o.me, &format!("/api/v1/applications/{}", o.id))
            .await,
    )
    .await;
    let (s, r) = crate::support::approval::act(
        &app,
        &ha,
        task,
        json!({"action": "supplement", "opinion": "请补充水质检测报告原件扫描件"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, a) = json_of(
        app.get(&o.me, &format!("/api/v1/applications/{}", o.id))
            .await,
    )
    .await;
    assert_eq!(a["status"], "supplement", "{a}");
    let note = a["note"].as_str().unwrap_or_default();
    assert!(
        note.contains("请补充水质检测报告原件扫描件") && note.contains("区卫生健康局"),
        "{a}"
    );
    let (_, msgs) = json_of(app.get(&o.me, "/api/v1/messages").await).await;
    assert!(
        msgs.as_array()
            .unwrap()
            .iter()
            .any(|m| m["subject"].as_str().unwrap().contains("需要补正材料")),
        "{msgs}"
    );
    // While it waits, the approver's page offers no action on it (only the API would refuse).
    let browser = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &browser, "health.a").await;
    let page = browser
        .get(app.url(&format!("/approvals/{inst}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("请补充水质检测报告原件扫描件"),
        "the pause shows its reason"
    );
    assert!(!page.contains("class=\"form act-form\""), "{page}");
    // Two working days pass before the applicant answers (a Monday to a Wednesday).
    app.db.clock().advance(chrono::Duration::days(2));
    let mut o = o;
    let login = app.login("qingquan", "Qingquan2026!").await;
    o.me = login.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, r) = add_stamped_report(&app, &code, &o).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], "in_approval", "{r}");
    assert!(r["note"].is_null(), "{r}");
    let c = engine::case(&app.db, &Principal::system(), inst)
        .await
        .unwrap();
    assert_eq!(
        c.instance.status,
        zhengwu::approval::machine::Status::Running
    );
    assert!(
        c.instance.due_at.as_str() > before["due_at"].as_str().unwrap(),
        "the deadline moved on: {} → {}",
        before["due_at"],
        c.instance.due_at
    );
    // The department acts on it again, with the added report.
    let ha = app.token("health.a").await;
    assert_eq!(crate::support::approval::inbox(&app, &ha).await.len(), 1);
}

/// The approver decides from the application itself: the approval page shows the applicant,
/// the form's values and the materials with their files, and names people (name and unit),
/// not usernames; the application page and its files open to the approver too. A full ID
/// number is shown only when a member of staff asks for it, and each time is audited.
#[tokio::test]
async fn the_approver_decides_from_the_application_and_reveals_a_number_only_on_purpose() {
    let Setup { app, code } = setup().await;
    let o = submitted_online(&app, &code).await;
    let inst = accept(&app, &o).await;
    let browser = crate::support::pages::browser();
    let csrf = crate::support::pages::sign_in(&app, &browser, "health.a").await;
    let get = |path: String| {
        let b = browser.clone();
        let url = app.url(&path);
        async move {
            let r = b.get(url).send().await.unwrap();
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s, page) = get(format!("/approvals/{inst}")).await;
    assert_eq!(s, StatusCode::OK);
    for seen in [
        "深圳市龙华区清泉水务有限公司",
        "91440300********07",
        "陈清泉",
        "13800138000",
        "水质检测报告.pdf",
        "申请表.pdf",
    ] {
        assert!(page.contains(seen), "{seen} on the approver's page");
    }
    let clerk: String =
        zhengwu::storage::query_scalar("SELECT name FROM users WHERE username = 'window_clerk'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(
        page.contains(&format!("{clerk}（")),
        "the clerk by name and unit"
    );
    assert!(
        !page.contains(">window_clerk<") && !page.contains(" window_clerk "),
        "no usernames"
    );
    // The application page and a material open to the approver.
    let (s, _) = get(format!("/applications/{}", o.id)).await;
    assert_eq!(s, StatusCode::OK);
    let token = app.token("health.a").await;
    let file = app
        .get(
            &token,
            &format!("/api/v1/applications/{}/files/{}", o.id, o.form_pdf),
        )
        .await;
    assert_eq!(file.status(), StatusCode::OK);
    // A clerk of another street sees neither.
    let other = app.token("lh_staff").await;
    assert_eq!(
        app.get(&other, &format!("/api/v1/applications/{}", o.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The number is masked until revealed; the reveal is audited.
    let audited =
        || app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'application.reveal_ids'");
    assert_eq!(audited().await, 0);
    let r = browser
        .post(app.url(&format!("/applications/{}/reveal", o.id)))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<span id=\"app-id\">91440300MA5F000007</span>"),
        "shown whole on purpose"
    );
    assert_eq!(audited().await, 1);
    let (_, page) = get(format!("/applications/{}", o.id)).await;
    assert!(
        page.contains("<span id=\"app-id\">91440300********07</span>"),
        "masked again on the next visit"
    );
}

/// A save that leaves out the form (or the materials) keeps what the draft has: an API client
/// that only changes the hall, or only submits, wipes nothing.
#[tokio::test]
async fn a_save_without_the_form_keeps_what_was_filled_in() {
    let Setup { app, code } = setup().await;
    let me = register(&app).await;
    let (licence, d) = draft(&app, &me, &code).await;
    let id = d["id"].as_i64().unwrap();
    let (s, a) = put(
        &app,
        &me,
        id,
        json!({"matter_code": code, "unit_code": HALL}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["form"]["company_name"], "清泉", "{a}");
    assert_eq!(a["materials"]["m_licence"], json!([licence]), "{a}");
    // Given, they replace it.
    let (_, a) = put(
        &app,
        &me,
        id,
        json!({"matter_code": code, "unit_code": HALL, "form": {"company_name": "清泉水务"}}),
    )
    .await;
    assert_eq!(a["form"]["company_name"], "清泉水务");
    assert_eq!(
        a["materials"]["m_licence"],
        json!([licence]),
        "materials left out: kept"
    );
}

/// A file field tied to a material is that material: an API caller names the file once, under
/// `materials`; left out, it is reported once, beside the material.
#[tokio::test]
async fn a_file_field_tied_to_a_material_is_named_once() {
    let Setup { app, code } = setup().await;
    let me = register(&app).await;
    let (licence, d) = draft(&app, &me, &code).await;
    let id = d["id"].as_i64().unwrap();
    let form_pdf = upload(&app, &me, "申请表.pdf", PDF).await;
    let mut f = form(0);
    f.as_object_mut().unwrap().remove("upload_special");
    let body = |materials: Value| {
        json!({"matter_code": code, "unit_code": HALL, "form": f.clone(), "materials": materials,
               "submit": true})
    };
    let (s, e) = put(
        &app,
        &me,
        id,
        body(json!({"m_licence": [licence], "m_form": [form_pdf]})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["materials.m_special"], "{e}");
    let report = upload(&app, &me, "水质检测报告.pdf", PDF).await;
    let all = json!({"m_licence": [licence], "m_form": [form_pdf], "m_special": [report]});
    // Named, it must be one of the application's files: not text, not a file outside it.
    let other = upload(&app, &me, "其他.pdf", PDF).await;
    for bad in [
        json!("abc"),
        json!(other.to_string()),
        json!("<img src=x>"),
        json!([report]),
    ] {
        let mut b = body(all.clone());
        b["form"]["upload_special"] = bad.clone();
        let (s, e) = put(&app, &me, id, b).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {e}");
        assert_eq!(e["error"]["fields"][0]["field"], "upload_special", "{e}");
    }
    // Null is left out.
    let mut b = body(all.clone());
    b["form"]["upload_special"] = Value::Null;
    let (s, a) = put(&app, &me, id, b).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["status"], "submitted", "{a}");
    assert_eq!(a["form"]["upload_special"], report.to_string(), "{a}");
}

//! The counter: windows with their matters and clerks, queue tickets taken at the kiosk and
//! called to the right window, the hall display; receiving an applicant in person (found by ID
//! number, earlier materials reused, the form filed on their behalf, each material checked);
//! notices printed as PDF from admin-edited templates.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::approval::{Setup, setup};
use crate::support::filing::{HALL, PDF, form, upload};
use crate::support::pdf::pdf_text;
use crate::support::{TestApp, json_of};

/// A valid resident ID number (its check character computed) for a walk-in applicant.
fn resident_id(body17: &str) -> String {
    format!("{body17}{}", zhengwu::ids::ResidentId::check_char(body17))
}

fn fields(e: &Value) -> Vec<String> {
    e["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    json_of(
        app.client
            .put(app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// A second window clerk of 民治街道, `mz.clerk2`.
async fn clerk2(app: &TestApp) -> String {
    let admin = app.token("district_bureau_admin").await;
    let body = json!({"username": "mz.clerk2", "name": "窗口二", "org_unit_id": app.unit_id("minzhi"),
                      "password": crate::support::PASSWORD, "roles": [{"role": "window_clerk"}]});
    assert_eq!(
        app.post(&admin, "/api/v1/accounts", body).await.status(),
        StatusCode::CREATED
    );
    app.token("mz.clerk2").await
}

#[tokio::test]
async fn windows_take_their_matters_and_tickets_are_called_in_order() {
    let Setup { app, code } = setup().await;
    let other = app.publish_sample(4).await;
    let admin = app.token("bureau_admin").await;
    clerk2(&app).await;
    let clerk = app.token("window_clerk").await;
    let w = |body: Value| app.post(&admin, "/api/v1/windows", body);
    // Refused: a clerk of another street, a specific window without matters, an unknown matter.
    let (s, e) = json_of(
        w(
            json!({"unit_code": HALL, "number": "1", "name": "综合窗口", "comprehensive": true,
        "clerks": ["window_clerk", "lh_staff"]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(fields(&e), ["clerks"]);
    let (s, e) = json_of(
        w(json!({"unit_code": HALL, "number": "2", "name": "卫生窗口", "matters": ["NOPE"]})).await,
    )
    .await;
    assert_eq!(
        (s, fields(&e)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["matters".to_string()]
        )
    );
    // A clerk does not set up windows.
    let r = app
        .post(
            &clerk,
            "/api/v1/windows",
            json!({"unit_code": HALL, "number": "9", "name": "x", "comprehensive": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM hall_windows").await,
        0,
        "nothing stored"
    );

    let (s, w1) = json_of(
        w(
            json!({"unit_code": HALL, "number": "1", "name": "综合窗口", "comprehensive": true,
        "clerks": ["window_clerk"]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{w1}");
    let (s, w2) = json_of(
        w(
            json!({"unit_code": HALL, "number": "2", "name": "卫生许可窗口", "matters": [code],
        "clerks": ["mz.clerk2"]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{w2}");
    let (s, _) = json_of(
        w(json!({"unit_code": HALL, "number": "2", "name": "重复", "comprehensive": true})).await,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "window numbers are unique in a hall"
    );
    let (w1, w2) = (w1["id"].as_i64().unwrap(), w2["id"].as_i64().unwrap());

    // The kiosk: no sign-in. A001 for the other matter, A002 for the health matter.
    let kiosk = reqwest::Client::new();
    let take = |m: &str| {
        kiosk
            .post(app.url(&format!("/api/v1/halls/{HALL}/tickets")))
            .json(&json!({"matter_code": m}))
            .send()
    };
    let (s, t1) = json_of(take(&other).await.unwrap()).await;
    assert_eq!(
        (s, t1["number"].as_str()),
        (StatusCode::CREATED, Some("A001")),
        "{t1}"
    );
    let (_, t2) = json_of(take(&code).await.unwrap()).await;
    assert_eq!(
        (t2["number"].as_str(), t2["ahead"].as_i64()),
        (Some("A002"), Some(1))
    );
    let (s, _) = json_of(take("NO-SUCH").await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // mz.clerk2's window takes only the health matter: it calls A002, passing A001 by.
    let staff = app.token("mz.clerk2").await;
    let (s, c) = json_of(
        app.post(&staff, &format!("/api/v1/windows/{w2}/call"), json!({}))
            .await,
    )
    .await;
    assert_eq!(
        (s, c["number"].as_str()),
        (StatusCode::OK, Some("A002")),
        "{c}"
    );
    // The clerk's page follows its window: A002 called, A001 (not its matter) not counted.
    let (s, st) = json_of(
        app.get(&staff, &format!("/api/v1/windows/{w2}/state"))
            .await,
    )
    .await;
    assert_eq!(
        (s, st["current"]["number"].as_str(), st["waiting"].as_i64()),
        (StatusCode::OK, Some("A002"), Some(0)),
        "{st}"
    );
    // Not assigned to window 1: refused.
    let r = app
        .post(&staff, &format!("/api/v1/windows/{w1}/call"), json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .get(&staff, &format!("/api/v1/windows/{w1}/state"))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, c) = json_of(
        app.post(&clerk, &format!("/api/v1/windows/{w1}/call"), json!({}))
            .await,
    )
    .await;
    assert_eq!(c["number"], "A001");
    // Nobody waits for window 2 any more; its A002 is done.
    let (_, c) = json_of(
        app.post(&staff, &format!("/api/v1/windows/{w2}/call"), json!({}))
            .await,
    )
    .await;
    assert!(c.is_null(), "{c}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM queue_tickets WHERE number = 'A002' AND status = 'done'")
            .await,
        1
    );

    // The display: newest call first, with its window; a recall brings A001 back to the top.
    take(&code).await.unwrap();
    let (_, d) = json_of(
        kiosk
            .get(app.url(&format!("/api/v1/halls/{HALL}/display")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(d["waiting"], 1);
    assert_eq!(d["calls"][0]["number"], "A001");
    assert_eq!(d["calls"][0]["window_number"], "1");
    let (_, c) = json_of(
        app.post(&clerk, &format!("/api/v1/windows/{w1}/recall"), json!({}))
            .await,
    )
    .await;
    assert_eq!(c["number"], "A001");
    // Nobody came: passed over (过号).
    let r = app
        .post(
            &clerk,
            &format!("/api/v1/windows/{w1}/close"),
            json!({"status": "no_show"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM queue_tickets WHERE number = 'A001' AND status = 'no_show'"
        )
        .await,
        1
    );
    let (_, mine) = json_of(app.get(&clerk, "/api/v1/windows/mine").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    // Changing a window keeps its history in the audit trail.
    let (s, _) = put(
        &app,
        &admin,
        &format!("/api/v1/windows/{w2}"),
        json!({"unit_code": HALL, "number": "2",
        "name": "卫生许可窗口", "matters": [code, other], "clerks": ["mz.clerk2", "window_clerk"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'window.update'")
            .await,
        1
    );
}

/// At the street's window: `window_clerk`'s token, a walk-in's ID number, and the three
/// materials the clerk scanned for them.
struct Desk {
    clerk: String,
    id: String,
    lic: i64,
    app_form: i64,
    special: i64,
}

/// The fixture's window clerk scans a walk-in's business licence, application form and water
/// quality report.
async fn desk(app: &TestApp) -> Desk {
    let clerk = app.token("window_clerk").await;
    let id = resident_id("44030919850615123");
    let lic = upload(app, &clerk, "营业执照.pdf", PDF).await;
    let app_form = upload(app, &clerk, "申请书.pdf", b"%PDF-1.4\nform\n%%EOF\n").await;
    let special = upload(app, &clerk, "水质报告.pdf", b"%PDF-1.4\nwater\n%%EOF\n").await;
    Desk {
        clerk,
        id,
        lic,
        app_form,
        special,
    }
}

impl Desk {
    /// The three materials as scanned.
    fn all(&self) -> Value {
        json!({"m_licence": [self.lic], "m_form": [self.app_form], "m_special": [self.special]})
    }

    /// A counter filing for matter `code` at the hall.
    fn filing(&self, code: &str, materials: Value, checks: Value, name: &str, id: &str) -> Value {
        json!({"id_number": id, "name": name, "matter_code": code, "unit_code": HALL,
               "form": form(self.special), "materials": materials, "checks": checks})
    }
}

/// Checks at the window: the licence and the form pass, the report has expired.
fn failed_check() -> Value {
    json!({"m_licence": {"ok": true}, "m_form": {"ok": true}, "m_special": {"ok": false, "note": "报告超过有效期"}})
}

/// The clerk files for the walk-in, 王大伟, with the three materials and these checks;
/// answers the application.
async fn file(app: &TestApp, code: &str, d: &Desk, checks: Value) -> Value {
    let (s, a) = json_of(
        app.post(
            &d.clerk,
            "/api/v1/applications/counter",
            d.filing(code, d.all(), checks, "王大伟", &d.id),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a
}

/// The clerk accepts application `aid`.
async fn accept(app: &TestApp, clerk: &str, aid: i64) -> (StatusCode, Value) {
    json_of(
        app.post(
            clerk,
            &format!("/api/v1/applications/{aid}/decision"),
            json!({"decision": "accept"}),
        )
        .await,
    )
    .await
}

/// The applicant brings a current report: the clerk checks it again (it passes) and accepts
/// the application; answers it, in approval.
async fn recheck_and_accept(app: &TestApp, clerk: &str, aid: i64) -> Value {
    let (s, c) = json_of(
        app.post(
            clerk,
            &format!("/api/v1/applications/{aid}/checks"),
            json!({"m_special": {"ok": true}}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, c["m_special"]["ok"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (s, a) = accept(app, clerk, aid).await;
    assert_eq!(
        (s, a["status"].as_str()),
        (StatusCode::OK, Some("in_approval")),
        "{a}"
    );
    a
}

/// [`file`] with the report's check failed, then [`recheck_and_accept`]: the accepted
/// application.
async fn accepted(app: &TestApp, code: &str, d: &Desk) -> Value {
    let a = file(app, code, d, failed_check()).await;
    recheck_and_accept(app, &d.clerk, a["id"].as_i64().unwrap()).await
}

/// The clerk looks the applicant up by ID number; answers what the counter knows of them.
async fn look_up(app: &TestApp, clerk: &str, id: &str) -> Value {
    let (s, found) = json_of(
        app.post(clerk, "/api/v1/applicants/find", json!({"id_number": id}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{found}");
    found
}

/// The applicant's earlier files, by material.
fn files_of(found: &Value) -> BTreeMap<String, i64> {
    found["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["material"].as_str().unwrap().to_string(),
                f["file_id"].as_i64().unwrap(),
            )
        })
        .collect()
}

/// The clerk asks for a supplement of two documents.
async fn ask_supplement(app: &TestApp, clerk: &str, aid: i64) {
    let (s, _) = json_of(app.post(clerk, &format!("/api/v1/applications/{aid}/decision"),
        json!({"decision": "supplement", "missing": "法定代表人身份证复印件；水质检测报告原件"})).await).await;
    assert_eq!(s, StatusCode::OK);
}

/// The walk-in brings the original report: the clerk scans it and submits the application
/// again, the report checked; answers the application.
async fn resubmit_original(app: &TestApp, clerk: &str, aid: i64) -> Value {
    let original = upload(
        app,
        clerk,
        "水质检测报告原件.pdf",
        b"%PDF-1.4\noriginal\n%%EOF\n",
    )
    .await;
    let (s, again) = json_of(
        app.post(
            clerk,
            &format!("/api/v1/applications/{aid}/counter-resubmit"),
            json!({"materials": {"m_special": [original]}, "checks": {"m_special": {"ok": true}}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    again
}

/// A counter filing is refused by field for a bad ID number or a walk-in without a name, and
/// refused for someone else's upload; nothing is stored.
#[tokio::test]
async fn a_counter_filing_with_bad_input_is_refused_and_nothing_is_stored() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let (s, e) = json_of(
        app.post(
            &d.clerk,
            "/api/v1/applications/counter",
            d.filing(&code, d.all(), json!({}), "王大伟", "440309198506151230"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, fields(&e)),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            vec!["id_number".to_string()]
        ),
        "{e}"
    );
    let (s, e) = json_of(
        app.post(
            &d.clerk,
            "/api/v1/applications/counter",
            d.filing(&code, d.all(), json!({}), " ", &d.id),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, fields(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["name".to_string()])
    );
    // Someone else's upload is not the clerk's to file.
    let theirs = upload(&app, &app.token("mz_staff").await, "别人的.pdf", PDF).await;
    let (s, _) = json_of(
        app.post(
            &d.clerk,
            "/api/v1/applications/counter",
            d.filing(
                &code,
                json!({"m_licence": [theirs], "m_form": [d.app_form], "m_special": [d.special]}),
                json!({}),
                "王大伟",
                &d.id,
            ),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications").await,
        0,
        "nothing stored"
    );
}

/// A counter filing is submitted through the counter channel in the walk-in's name, their ID
/// number masked in the answer.
#[tokio::test]
async fn a_counter_filing_is_submitted_in_the_walk_ins_name_with_the_id_masked() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let a = file(&app, &code, &d, failed_check()).await;
    assert_eq!(
        (a["channel"].as_str(), a["status"].as_str()),
        (Some("counter"), Some("submitted"))
    );
    assert_eq!(a["applicant_name"], "王大伟");
    assert!(
        !a.to_string().contains(&d.id),
        "the ID number is masked: {a}"
    );
}

/// A material that failed its check holds back acceptance until it is checked again and
/// passes.
#[tokio::test]
async fn a_failed_check_holds_back_acceptance_until_checked_again() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let aid = file(&app, &code, &d, failed_check()).await["id"]
        .as_i64()
        .unwrap();
    let (s, e) = accept(&app, &d.clerk, aid).await;
    assert_eq!(
        (s, fields(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec!["checks".to_string()]),
        "{e}"
    );
    recheck_and_accept(&app, &d.clerk, aid).await;
}

/// The receipt as PDF: the applicant's name, the application's number, the materials' checks,
/// the clerk and the rating code; the ID number masked on paper too.
#[tokio::test]
async fn the_receipt_pdf_shows_the_applicant_number_checks_and_clerk_with_the_id_masked() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let a = accepted(&app, &code, &d).await;
    let aid = a["id"].as_i64().unwrap();
    let r = app
        .get(
            &d.clerk,
            &format!("/api/v1/applications/{aid}/notices/receipt.pdf"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let text = pdf_text(&r.bytes().await.unwrap());
    for want in [
        "受理回执",
        "王大伟",
        a["number"].as_str().unwrap(),
        "核验通过",
        "测试window_clerk",
        "请扫描二维码",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
    assert!(!text.contains(&d.id), "the ID is masked on paper too");
}

/// A rejection notice is not for an accepted application.
#[tokio::test]
async fn a_rejection_notice_is_refused_for_an_accepted_application() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let aid = accepted(&app, &code, &d).await["id"].as_i64().unwrap();
    let r = app
        .get(
            &d.clerk,
            &format!("/api/v1/applications/{aid}/notices/rejection.pdf"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

/// A clerk outside the hall gets no notice of its applications.
#[tokio::test]
async fn a_clerk_outside_the_hall_gets_no_notice() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let aid = accepted(&app, &code, &d).await["id"].as_i64().unwrap();
    let r = app
        .get(
            &app.token("lh_staff").await,
            &format!("/api/v1/applications/{aid}/notices/receipt.pdf"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// On a later visit a walk-in is found by ID number with what they filed; the look-up is
/// audited, the number masked there too.
#[tokio::test]
async fn a_walk_in_is_found_by_id_number_with_their_files_and_the_look_up_audited_masked() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    file(&app, &code, &d, json!({})).await;
    let found = look_up(&app, &d.clerk, &d.id).await;
    assert_eq!(found["name"], "王大伟");
    assert!(found["username"].is_null(), "a walk-in without an account");
    assert_eq!(found["applications"].as_array().unwrap().len(), 1);
    assert_eq!(files_of(&found).len(), 3, "{found}");
    assert!(!found.to_string().contains(&d.id));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'applicant.lookup'")
            .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%{}%'",
            d.id
        ))
        .await,
        0
    );
}

/// A citizen cannot look applicants up by ID number.
#[tokio::test]
async fn a_citizen_cannot_look_applicants_up() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    file(&app, &code, &d, json!({})).await;
    let r = app
        .post(
            &app.token("citizen").await,
            "/api/v1/applicants/find",
            json!({"id_number": d.id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

/// Filed again at another window, the walk-in's earlier materials are reused (though another
/// clerk scanned them); they are not another applicant's to reuse.
#[tokio::test]
async fn earlier_materials_are_reused_for_the_same_walk_in_only() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    file(&app, &code, &d, json!({})).await;
    let files = files_of(&look_up(&app, &d.clerk, &d.id).await);
    let clerk = clerk2(&app).await;
    let (s, b) = json_of(app.post(&clerk, "/api/v1/applications/counter",
        d.filing(&code, json!({"m_licence": [files["m_licence"]], "m_form": [files["m_form"]], "m_special": [files["m_special"]]}),
        json!({}), "王大伟", &d.id)).await).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let (s, _) = json_of(app.post(&clerk, "/api/v1/applications/counter",
        d.filing(&code, json!({"m_licence": [files["m_licence"]], "m_form": [d.app_form], "m_special": [d.special]}),
        json!({}), "李四", &resident_id("44030919900101002"))).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The supplement notice as PDF names the applicant and lists what is missing.
#[tokio::test]
async fn the_supplement_notice_pdf_lists_what_is_missing() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let bid = file(&app, &code, &d, json!({})).await["id"]
        .as_i64()
        .unwrap();
    ask_supplement(&app, &d.clerk, bid).await;
    let r = app
        .get(
            &d.clerk,
            &format!("/api/v1/applications/{bid}/notices/supplement.pdf"),
        )
        .await;
    let text = pdf_text(&r.bytes().await.unwrap());
    for want in [
        "补正材料通知书",
        "王大伟",
        "法定代表人身份证复印件",
        "水质检测报告原件",
    ] {
        assert!(text.contains(want), "{want} in {text}");
    }
}

/// The walk-in comes back with what the supplement asked for: scanned, checked and submitted
/// again at the window, the earlier material kept beside it; then accepted.
#[tokio::test]
async fn a_supplement_brought_to_the_window_is_added_and_the_application_accepted() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let bid = file(&app, &code, &d, json!({})).await["id"]
        .as_i64()
        .unwrap();
    ask_supplement(&app, &d.clerk, bid).await;
    let (_, page) = json_of(
        app.get(&d.clerk, &format!("/api/v1/applications/{bid}"))
            .await,
    )
    .await;
    assert_eq!(page["status"], "supplement");
    let again = resubmit_original(&app, &d.clerk, bid).await;
    assert_eq!(again["status"], "submitted");
    assert_eq!(
        again["materials"]["m_special"].as_array().unwrap().len(),
        2,
        "kept and added: {again}"
    );
    let (s, a) = accept(&app, &d.clerk, bid).await;
    assert_eq!(
        (s, a["status"].as_str()),
        (StatusCode::OK, Some("in_approval")),
        "{a}"
    );
}

/// A counter resubmission is taken once: after it, the application no longer waits for a
/// supplement.
#[tokio::test]
async fn a_counter_resubmission_is_refused_once_no_supplement_is_awaited() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let bid = file(&app, &code, &d, json!({})).await["id"]
        .as_i64()
        .unwrap();
    ask_supplement(&app, &d.clerk, bid).await;
    resubmit_original(&app, &d.clerk, bid).await;
    let (s, _) = json_of(
        app.post(
            &d.clerk,
            &format!("/api/v1/applications/{bid}/counter-resubmit"),
            json!({"materials": {}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

/// A supplement at the window hands something in, and only what was scanned for this case: an
/// empty resubmission is refused, and so is a scan the clerk made for another applicant.
#[tokio::test]
async fn a_window_supplement_takes_a_new_scan_of_this_case_only() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let bid = file(&app, &code, &d, json!({})).await["id"]
        .as_i64()
        .unwrap();
    ask_supplement(&app, &d.clerk, bid).await;
    // Another walk-in's case, scanned by the same clerk.
    let scan = upload(
        &app,
        &d.clerk,
        "李四营业执照.pdf",
        b"%PDF-1.4\nlisi\n%%EOF\n",
    )
    .await;
    let materials = json!({"m_licence": [scan], "m_form": [scan], "m_special": [scan]});
    let filing = |name: &str, id: &str| {
        let mut f = d.filing(&code, materials.clone(), json!({}), name, id);
        f["form"]["upload_special"] = json!(scan.to_string());
        f
    };
    let lisi = filing("李四", &resident_id("44030919900101002"));
    let (s, other) = json_of(
        app.post(&d.clerk, "/api/v1/applications/counter", lisi)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let url = format!("/api/v1/applications/{bid}/counter-resubmit");
    let resubmit = |materials: Value| app.post(&d.clerk, &url, json!({"materials": materials}));
    let (s, e) = json_of(resubmit(json!({})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "materials", "{e}");
    let (s, e) = json_of(resubmit(json!({"m_special": [scan]})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (_, a) = json_of(
        app.get(&d.clerk, &format!("/api/v1/applications/{bid}"))
            .await,
    )
    .await;
    assert_eq!(a["status"], "supplement", "nothing changed: {a}");
    // Nor may the scan be filed again for a third walk-in.
    let zhang = filing("张三", &resident_id("44030919880808123"));
    let (s, e) = json_of(
        app.post(&d.clerk, "/api/v1/applications/counter", zhang)
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    resubmit_original(&app, &d.clerk, bid).await;
}

#[tokio::test]
async fn admins_edit_print_templates_with_preview_history_and_a_sandbox() {
    let Setup { app, code } = setup().await;
    let admin = app.token("district_bureau_admin").await;
    let clerk = app.token("window_clerk").await;
    let (s, t) = json_of(app.get(&admin, "/api/v1/print/templates/receipt").await).await;
    assert_eq!(
        (s, t["version"].as_i64()),
        (StatusCode::OK, Some(0)),
        "the platform's default"
    );
    assert!(t["body"].as_str().unwrap().contains("受理回执"));
    // Clerks print; they do not edit.
    let r = app.get(&clerk, "/api/v1/print/templates/receipt").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A broken template says where; an include finds no file; nothing saved.
    let (s, e) = put(
        &app,
        &admin,
        "/api/v1/print/templates/receipt",
        json!({"body": "# 回执\n{% for x in %}"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("第 2 行"),
        "{e}"
    );
    let (s, _) = put(
        &app,
        &admin,
        "/api/v1/print/templates/receipt",
        json!({"body": "{% include '/etc/passwd' %}"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT COUNT(*) FROM print_templates").await, 0);
    // Preview on sample data, escaped.
    let (s, p) = json_of(app.post(&admin, "/api/v1/print/templates/receipt/preview",
        json!({"body": "# 受理凭证\n申请人 {{ app.applicant_name }} <script>alert(1)</script>"})).await).await;
    assert_eq!(s, StatusCode::OK);
    let html = p["html"].as_str().unwrap();
    assert!(
        html.contains("张晓明") && html.contains("&lt;script&gt;") && !html.contains("<script>"),
        "{html}"
    );
    // Saved: version 1, and the next receipt prints from it.
    let body = "# 受理凭证\n办件 {{ app.number }} 申请人 {{ app.applicant_name }}\n> {{ today }}\n";
    let (s, t) = put(
        &app,
        &admin,
        "/api/v1/print/templates/receipt",
        json!({"body": body}),
    )
    .await;
    assert_eq!((s, t["version"].as_i64()), (StatusCode::OK, Some(1)), "{t}");
    assert_eq!(t["history"][0]["created_by"], "district_bureau_admin");
    let special = upload(&app, &clerk, "水质报告.pdf", PDF).await;
    let (_, a) = json_of(
        app.post(
            &clerk,
            "/api/v1/applications/counter",
            json!({"id_number": resident_id("44030919850615123"),
        "name": "王大伟", "matter_code": code, "unit_code": HALL, "form": form(special),
        "materials": {"m_licence": [special], "m_form": [special], "m_special": [special]}}),
        )
        .await,
    )
    .await;
    let aid = a["id"].as_i64().unwrap();
    app.post(
        &clerk,
        &format!("/api/v1/applications/{aid}/decision"),
        json!({"decision": "accept"}),
    )
    .await;
    let r = app
        .get(
            &clerk,
            &format!("/api/v1/applications/{aid}/notices/receipt.pdf"),
        )
        .await;
    let text = pdf_text(&r.bytes().await.unwrap());
    assert!(
        text.contains("受理凭证") && text.contains("王大伟"),
        "{text}"
    );
    // The old text stays in the audit trail for going back.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'print_template.save'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_licence_missed_after_approval_is_issued_by_the_job_once() {
    use zhengwu::approval::definition::Action;
    use zhengwu::approval::engine::{self, Act};
    use zhengwu::auth::Principal;
    let Setup { app, code } = setup().await;
    // 150 earlier approvals of a matter that issues no licence (流动人口婚育证明): the job must
    // look past them to the licensing one.
    let other = app.publish_sample(0).await;
    let earlier = zhengwu::clock::to_db(chrono::Utc::now() - chrono::Duration::minutes(2));
    let hall = app.unit_id("minzhi_hall");
    app.db
        .execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150) \
             INSERT INTO approval_instances (matter_code, matter_version, workflow_version, reference, \
             unit_id, status, step, started_at, due_at, finished_at, created_by, updated_at) \
             SELECT '{other}', 1, 1, 'BULK-' || CAST(i AS TEXT), {hall}, 'approved', 0, '{earlier}', \
             '{earlier}', '{earlier}', 'system', '{earlier}' FROM n; \
             INSERT INTO applications (number, matter_code, matter_version, applicant, applicant_name, \
             applicant_id, unit_id, channel, status, form_json, instance_id, created_at, updated_at) \
             SELECT reference, matter_code, 1, 'nobody', '某某', '', unit_id, 'online', 'in_approval', \
             '{{}}', id, '{earlier}', '{earlier}' FROM approval_instances WHERE reference LIKE 'BULK-%'"
        ))
        .await
        .unwrap();
    let clerk = app.token("window_clerk").await;
    let f = upload(&app, &clerk, "材料.pdf", PDF).await;
    let (_, a) = json_of(
        app.post(
            &clerk,
            "/api/v1/applications/counter",
            json!({"id_number": resident_id("44030919850615123"),
        "name": "王大伟", "matter_code": code, "unit_code": HALL, "form": form(f),
        "materials": {"m_licence": [f], "m_form": [f], "m_special": [f]}}),
        )
        .await,
    )
    .await;
    let (_, a) = json_of(
        app.post(
            &clerk,
            &format!("/api/v1/applications/{}/decision", a["id"]),
            json!({"decision": "accept"}),
        )
        .await,
    )
    .await;
    let inst = a["instance_id"]
        .as_i64()
        .expect("accepted and started in one go");
    // The clerk's acceptance passed 受理: the application says where it is and when it is due.
    assert_eq!(a["current_step"], "联合审查", "{a}");
    assert!(
        a["due_at"]
            .as_str()
            .is_some_and(|d| d > a["submitted_at"].as_str().unwrap()),
        "{a}"
    );
    let system = Principal::system();
    while let Some(t) = engine::case(&app.db, &system, inst)
        .await
        .unwrap()
        .tasks
        .into_iter()
        .find(|t| t.status == zhengwu::approval::machine::TaskStatus::Open)
    {
        let pass = Act {
            action: Action::Pass,
            opinion: "同意".into(),
            to: None,
            procedure: None,
            attachments: vec![],
        };
        engine::act(&app.db, &system, t.id, &pass).await.unwrap();
    }
    let count_sql = format!("SELECT COUNT(*) FROM licences WHERE instance_id = {inst}");
    let licences = || app.count(&count_sql);
    assert_eq!(licences().await, 1, "issued when the approval finished");
    let job = zhengwu::applications::accept::issue_missing;
    assert_eq!(job(&app.db).await.unwrap(), 0, "nothing missing");
    // As if the server had stopped between the approval and its licence, two minutes ago.
    app.db
        .execute_batch(&format!("DELETE FROM licences WHERE instance_id = {inst}"))
        .await
        .unwrap();
    app.db
        .execute_batch(&format!(
            "UPDATE approval_instances SET finished_at = '{earlier}' WHERE id = {inst}"
        ))
        .await
        .unwrap();
    assert_eq!(job(&app.db).await.unwrap(), 1);
    assert_eq!(licences().await, 1);
    assert_eq!(job(&app.db).await.unwrap(), 0, "once");
    // Issuing it again by hand is refused: one licence per application.
    let again = zhengwu::licence::Issue {
        instance_id: Some(inst),
        matter_code: code.clone(),
        holder_name: "王大伟".into(),
        holder_id: resident_id("44030919850615123"),
        content: json!({}),
        valid_years: None,
    };
    let e = zhengwu::licence::issue(&app.db, &system, &again)
        .await
        .unwrap_err();
    assert!(
        matches!(e, zhengwu::error::Error::Conflict("err.licence_issued")),
        "{e:?}"
    );
}

#[tokio::test]
async fn id_numbers_are_sealed_at_rest_and_still_found() {
    let Setup { app, code } = setup().await;
    let clerk = app.token("window_clerk").await;
    let id = resident_id("44030919850615123");
    let f = upload(&app, &clerk, "材料.pdf", PDF).await;
    let (s, a) = json_of(
        app.post(
            &clerk,
            "/api/v1/applications/counter",
            json!({"id_number": id,
        "name": "王大伟", "matter_code": code, "unit_code": HALL, "form": form(f),
        "materials": {"m_licence": [f], "m_form": [f], "m_special": [f]}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let licence = zhengwu::licence::Issue {
        instance_id: None,
        matter_code: code.clone(),
        holder_name: "王大伟".into(),
        holder_id: id.clone(),
        content: json!({}),
        valid_years: None,
    };
    zhengwu::licence::issue(&app.db, &zhengwu::auth::Principal::system(), &licence)
        .await
        .unwrap();
    // Nothing in the store shows the number; the birth date is not there either.
    for (table, col) in [("applications", "applicant_id"), ("licences", "holder_id")] {
        let sql = format!("SELECT {col} FROM {table}");
        let stored: Vec<String> = zhengwu::storage::query_scalar(sql)
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert!(!stored.is_empty());
        assert!(
            stored
                .iter()
                .all(|v| v.starts_with("v1:") && !v.contains("19850615")),
            "{table}: {stored:?}"
        );
    }
    // Nor does the form kept with the application hold the company's credit code in clear …
    let forms: Vec<String> = zhengwu::storage::query_scalar("SELECT form_json FROM applications")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(
        forms
            .iter()
            .all(|f| !f.contains("MA5F000007") && f.contains("陈清泉")),
        "{forms:?}"
    );
    // … while the clerk still reads it whole.
    let (_, shown) = json_of(
        app.get(&clerk, &format!("/api/v1/applications/{}", a["id"]))
            .await,
    )
    .await;
    assert_eq!(
        shown["form"]["credit_code"], "91440300MA5F000007",
        "{shown}"
    );
    // Yet the clerk finds the applicant, the holder's licences are found, the screen masks it.
    let (_, found) = json_of(
        app.post(&clerk, "/api/v1/applicants/find", json!({"id_number": id}))
            .await,
    )
    .await;
    assert_eq!(
        found["applications"].as_array().unwrap().len(),
        1,
        "{found}"
    );
    assert_eq!(found["id_masked"], zhengwu::ids::mask_any(&id));
    let held = zhengwu::licence::repo::of_holder(&app.db, &id, None)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        held[0].state, "valid",
        "the signature checks against the opened number"
    );
    // The department's signing key is sealed too.
    let secrets: Vec<String> =
        zhengwu::storage::query_scalar("SELECT secret_key FROM licence_keys")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(!secrets.is_empty() && secrets.iter().all(|k| k.starts_with("v1:")));
    // A store from before sealing existed (an applicant's number and a signing key in plain
    // text, not yet marked sealed) is sealed at start-up; the number is found the same way and
    // the key still signs the same.
    let plain = zhengwu::vault::open(&secrets[0]);
    app.db
        .execute_batch(&format!(
            "UPDATE applications SET applicant_id = '{id}', applicant_tag = NULL; \
             UPDATE licence_keys SET secret_key = '{plain}'; DELETE FROM settings WHERE key = 'vault.sealed'"
        ))
        .await
        .unwrap();
    assert_eq!(zhengwu::vault::seal_existing(&app.db).await.unwrap(), 2);
    let resealed: Vec<String> =
        zhengwu::storage::query_scalar("SELECT secret_key FROM licence_keys")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert!(resealed.iter().all(|k| k.starts_with("v1:")));
    let held = zhengwu::licence::repo::of_holder(&app.db, &id, None)
        .await
        .unwrap();
    assert_eq!(held[0].state, "valid");
    let again = zhengwu::licence::issue(&app.db, &zhengwu::auth::Principal::system(), &licence)
        .await
        .unwrap();
    assert_eq!(
        zhengwu::licence::repo::status(&app.db, &again.number, &again.verify_code)
            .await
            .unwrap()
            .state,
        "valid",
        "signed with the resealed key"
    );
    assert_eq!(
        zhengwu::vault::seal_existing(&app.db).await.unwrap(),
        0,
        "once"
    );
    let (_, found) = json_of(
        app.post(&clerk, "/api/v1/applicants/find", json!({"id_number": id}))
            .await,
    )
    .await;
    assert_eq!(found["applications"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn uploads_left_unattached_for_a_week_are_swept_and_attached_ones_kept() {
    let Setup { app, code } = setup().await;
    let clerk = app.token("window_clerk").await;
    let shared = b"%PDF-1.4\nshared content\n%%EOF\n";
    let lost = upload(&app, &clerk, "没用上的.pdf", shared).await;
    let lonely = upload(
        &app,
        &clerk,
        "草稿附件.pdf",
        b"%PDF-1.4\nnobody else\n%%EOF\n",
    )
    .await;
    let kept = upload(&app, &clerk, "营业执照.pdf", shared).await;
    let own = upload(&app, &clerk, "申请表.pdf", b"%PDF-1.4\nown\n%%EOF\n").await;
    let (s, _) = json_of(
        app.post(
            &clerk,
            "/api/v1/applications/counter",
            json!({"id_number": resident_id("44030919850615123"),
        "name": "王大伟", "matter_code": code, "unit_code": HALL, "form": form(own),
        "materials": {"m_licence": [kept], "m_form": [own], "m_special": [own]}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    // A week and a day later; one more upload made just now.
    let earlier = zhengwu::clock::to_db(chrono::Utc::now() - chrono::Duration::days(8));
    app.db
        .execute_batch(&format!(
            "UPDATE files SET created_at = '{earlier}'; UPDATE blobs SET created_at = '{earlier}'"
        ))
        .await
        .unwrap();
    let fresh = upload(&app, &clerk, "刚传的.pdf", b"%PDF-1.4\nfresh\n%%EOF\n").await;
    let (files, blobs) = zhengwu::files::sweep(&app.db, 7).await.unwrap();
    assert_eq!(
        (files, blobs),
        (2, 1),
        "the two lost uploads; the content one of them shares with a material stays"
    );
    for f in [lost, lonely] {
        let gone = app.get(&clerk, &format!("/api/v1/files/{f}")).await;
        assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    }
    for f in [kept, own, fresh] {
        let r = app.get(&clerk, &format!("/api/v1/files/{f}")).await;
        assert_eq!(r.status(), StatusCode::OK, "file {f} kept");
    }
    assert_eq!(zhengwu::files::sweep(&app.db, 7).await.unwrap(), (0, 0));
}

/// A supplement the department asks for during approval can be brought to the window: the
/// clerk adds it, and the approval resumes where it paused (not back to acceptance).
#[tokio::test]
async fn a_supplement_asked_in_approval_brought_to_the_window_resumes_the_approval() {
    let Setup { app, code } = setup().await;
    let d = desk(&app).await;
    let a = accepted(&app, &code, &d).await;
    let aid = a["id"].as_i64().unwrap();
    let inst = a["instance_id"].as_i64().unwrap();
    let ha = app.token("health.a").await;
    let task = crate::support::approval::inbox(&app, &ha).await[0]["task"]["id"]
        .as_i64()
        .unwrap();
    let (s, r) = crate::support::approval::act(
        &app,
        &ha,
        task,
        json!({"action": "supplement", "opinion": "请提供水质检测报告原件"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, page) = json_of(
        app.get(&d.clerk, &format!("/api/v1/applications/{aid}"))
            .await,
    )
    .await;
    assert_eq!(page["status"], "supplement", "{page}");
    let again = resubmit_original(&app, &d.clerk, aid).await;
    assert_eq!(again["status"], "in_approval", "{again}");
    assert_eq!(again["instance_id"].as_i64(), Some(inst));
    let c = zhengwu::approval::engine::case(&app.db, &zhengwu::auth::Principal::system(), inst)
        .await
        .unwrap();
    assert_eq!(
        c.instance.status,
        zhengwu::approval::machine::Status::Running
    );
    assert_eq!(crate::support::approval::inbox(&app, &ha).await.len(), 1);
}

/// Forty kiosk tickets asked for at the same moment (a morning rush on the hall's kiosks, a
/// busy PostgreSQL) all get a number: forty different ones, A001 to A040, nobody refused. (The
/// numbering itself, below the per-address rate limit one kiosk's API has.)
#[tokio::test]
async fn forty_tickets_at_once_each_get_their_own_number() {
    let Setup { app, code } = setup().await;
    let mut all = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let (db, code) = (app.db.clone(), code.clone());
        all.spawn(async move { zhengwu::counter::queue::take(&db, HALL, Some(&code)).await });
    }
    let mut numbers = Vec::new();
    while let Some(r) = all.join_next().await {
        let t = r.unwrap().expect("every ticket is numbered");
        numbers.push(t.number);
    }
    numbers.sort();
    let expected: Vec<String> = (1..=40).map(|i| format!("A{i:03}")).collect();
    assert_eq!(numbers, expected);
}

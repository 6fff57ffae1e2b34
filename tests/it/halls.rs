//! Halls of every level: an application filed online at the district hall or at a community
//! centre is accepted there by that hall's own clerk on the standard flow and approved to the
//! end; a hall that does not serve the matter is refused on submission; a workflow that a serving
//! hall could not run is refused when it is published, naming the step and the hall.

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhengwu::auth::Principal;
use zhengwu::org::{self, NewUnit};

use crate::support::approval::{Setup, act, inbox, people, try_publish, workflow_draft};
use crate::support::filing::{PDF, form, register_company, upload};
use crate::support::{PASSWORD, TestApp, json_of};

const DISTRICT_HALL: &str = "440309-H";
const COMMUNITY_HALL: &str = "440309004001-H";

/// [`people`], a district hall and a community centre (北站社区) each with a clerk of its own,
/// the water-supply matter switched on for 北站社区 too, on the standard flow as published.
async fn halls() -> (TestApp, String) {
    let Setup { app, code } = people().await;
    let bureau = app.token("district_bureau_admin").await;
    for (hall, name, parent, clerk) in [
        (
            DISTRICT_HALL,
            "龙华区行政服务大厅",
            "district",
            "district.clerk",
        ),
        (
            COMMUNITY_HALL,
            "北站社区党群服务中心",
            "beizhan",
            "beizhan.clerk",
        ),
    ] {
        let h = org::create(
            &app.db,
            &Principal::system(),
            NewUnit {
                code: hall.into(),
                name: name.into(),
                kind: "hall".into(),
                parent_id: Some(app.unit_id(parent)),
            },
        )
        .await
        .unwrap();
        let body = json!({"username": clerk, "name": clerk, "org_unit_id": h.id,
                          "password": PASSWORD, "roles": [{"role": "window_clerk"}]});
        assert_eq!(
            app.post(&bureau, "/api/v1/accounts", body).await.status(),
            StatusCode::CREATED
        );
    }
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/units")))
        .bearer_auth(&bureau)
        .json(&json!({"unit_id": app.unit_id("beizhan"), "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let def = workflow_draft(&app, &code).await;
    crate::support::approval::publish_flow(&app, &code, def).await;
    (app, code)
}

/// A company registers and files the matter online at `hall`; answers its token and the reply.
async fn file_at(app: &TestApp, code: &str, hall: &str) -> (String, StatusCode, Value) {
    let me = register_company(app, json!({"email": "qq@example.cn"})).await;
    let (s, a) = file_as(app, &me, code, hall).await;
    (me, s, a)
}

/// `me` files the matter online at `hall` with every material.
async fn file_as(app: &TestApp, me: &str, code: &str, hall: &str) -> (StatusCode, Value) {
    let licence = upload(app, me, "营业执照.pdf", PDF).await;
    let report = upload(app, me, "水质检测报告.pdf", PDF).await;
    let form_pdf = upload(app, me, "申请表.pdf", PDF).await;
    let body = json!({"matter_code": code, "unit_code": hall, "form": form(report), "submit": true,
                      "materials": {"m_licence": [licence], "m_special": [report], "m_form": [form_pdf]}});
    json_of(app.post(me, "/api/v1/applications", body).await).await
}

/// Filed at `hall`, accepted by `clerk` and approved to the end by the department.
async fn accepted_and_approved_at(hall: &str, clerk: &str) {
    let (app, code) = halls().await;
    let (me, s, a) = file_at(&app, &code, hall).await;
    assert_eq!(
        (s, a["status"].as_str()),
        (StatusCode::CREATED, Some("submitted")),
        "{a}"
    );
    let id = a["id"].as_i64().unwrap();
    // Another street's clerk cannot accept it; this hall's clerk does.
    let other = app.token("lh_staff").await;
    let (s, _) = json_of(
        app.post(
            &other,
            &format!("/api/v1/applications/{id}/decision"),
            json!({"decision": "accept"}),
        )
        .await,
    )
    .await;
    assert!(
        s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN,
        "{s}"
    );
    let t = app.token(clerk).await;
    let (s, d) = json_of(
        app.post(
            &t,
            &format!("/api/v1/applications/{id}/decision"),
            json!({"decision": "accept"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (_, now) = json_of(app.get(&me, &format!("/api/v1/applications/{id}")).await).await;
    assert_eq!(now["status"], "in_approval", "{now}");
    // The department's approvers take it from there to the end: who reviewed does not also
    // decide (the standard flow separates 审查 and 决定), so health.b decides.
    let (a, b) = (app.token("health.a").await, app.token("health.b").await);
    for _ in 0..6 {
        let Some(task) = inbox(&app, &a).await.first().cloned() else {
            break;
        };
        let id = task["task"]["id"].as_i64().unwrap();
        let (s, r) = act(&app, &a, id, json!({"action": "pass", "opinion": "同意"})).await;
        if task["task"]["step_name"] == "决定" {
            assert_eq!(
                (s, r["error"]["code"].as_str()),
                (StatusCode::CONFLICT, Some("four_eyes_step")),
                "{r}"
            );
            // Nor may they hold it (claim) and keep a colleague from it.
            let (s, r) = json_of(
                app.post(
                    &a,
                    &format!("/api/v1/approvals/tasks/{id}/claim"),
                    json!({}),
                )
                .await,
            )
            .await;
            assert_eq!(
                (s, r["error"]["code"].as_str()),
                (StatusCode::CONFLICT, Some("four_eyes_step")),
                "{r}"
            );
            let (s, r) = act(&app, &b, id, json!({"action": "pass", "opinion": "同意"})).await;
            assert_eq!(s, StatusCode::OK, "{r}");
        } else {
            assert_eq!(s, StatusCode::OK, "{r}");
        }
    }
    // The last step (办结) is the hall's again.
    let mine = inbox(&app, &t).await;
    assert_eq!(mine[0]["task"]["step_name"], "办结", "{mine:?}");
    let last = mine[0]["task"]["id"].as_i64().unwrap();
    let (s, r) = act(&app, &t, last, json!({"action": "pass", "opinion": "办结"})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, done) = json_of(app.get(&me, &format!("/api/v1/applications/{id}")).await).await;
    assert_eq!(done["status"], "approved", "{done}");
}

#[tokio::test]
async fn a_filing_at_the_district_hall_is_accepted_by_its_clerk_and_approved() {
    accepted_and_approved_at(DISTRICT_HALL, "district.clerk").await;
}

#[tokio::test]
async fn a_filing_at_a_community_centre_is_accepted_by_its_clerk_and_approved() {
    accepted_and_approved_at(COMMUNITY_HALL, "beizhan.clerk").await;
}

/// 清湖社区 (龙华街道) was never switched on for the matter: its hall is refused on submission,
/// named, and nothing is filed.
#[tokio::test]
async fn a_hall_that_does_not_serve_the_matter_is_refused_on_submission() {
    let (app, code) = halls().await;
    org::create(
        &app.db,
        &Principal::system(),
        NewUnit {
            code: "440309003002-H".into(),
            name: "清湖社区党群服务中心".into(),
            kind: "hall".into(),
            parent_id: Some(app.unit_id("qinghu")),
        },
    )
    .await
    .unwrap();
    let before = app.count("SELECT COUNT(*) FROM applications").await;
    let (_, s, e) = file_at(&app, &code, "440309003002-H").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "unit_code", "{e}");
    assert!(
        e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("不受理此事项"),
        "{e}"
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, before);
}

/// A workflow whose acceptance is the clerks' of the hall of filing cannot be published while a
/// serving hall has no clerk: the step and the hall are named, and nothing is published.
#[tokio::test]
async fn a_workflow_a_serving_hall_cannot_run_is_refused_when_published() {
    let (app, code) = halls().await;
    let mut def = workflow_draft(&app, &code).await;
    def["steps"][0]["actors"] =
        json!([{"type": "role", "role": "window_clerk", "at": {"kind": "application_hall"}}]);
    let (s, e) = try_publish(&app, &code, def).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let msg = e["error"]["fields"][0]["message"].as_str().unwrap();
    // 民治街道's hall has no clerk of its own (the fixture's clerk is at the street).
    assert!(msg.contains("受理 @ 民治街道行政服务大厅"), "{msg}");
    assert_eq!(e["error"]["fields"][0]["field"], "steps[0].actors");
    let (_, versions) = json_of(
        app.get(
            &app.token("district_bureau_admin").await,
            &format!("/api/v1/matters/{code}/workflow/versions"),
        )
        .await,
    )
    .await;
    assert_eq!(
        versions
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["status"] == "published")
            .count(),
        1,
        "{versions}"
    );
}

/// A matter switched on for a street whose hall nobody could run its workflow at is refused at
/// the switch, naming the step and the unit; once a clerk works there, the switch is made.
#[tokio::test]
async fn switching_a_matter_on_where_its_workflow_cannot_run_is_refused() {
    let (app, code) = halls().await;
    let street = org::create(
        &app.db,
        &Principal::system(),
        NewUnit {
            code: "440309009".into(),
            name: "观澜街道".into(),
            kind: "street".into(),
            parent_id: Some(app.unit_id("district")),
        },
    )
    .await
    .unwrap();
    let hall = org::create(
        &app.db,
        &Principal::system(),
        NewUnit {
            code: "440309009-H".into(),
            name: "观澜街道行政服务大厅".into(),
            kind: "hall".into(),
            parent_id: Some(street.id),
        },
    )
    .await
    .unwrap();
    let bureau = app.token("district_bureau_admin").await;
    let switch = || {
        app.client
            .put(app.url(&format!("/api/v1/matters/{code}/units")))
            .bearer_auth(&bureau)
            .json(&json!({"unit_id": street.id, "enabled": true}))
            .send()
    };
    let (s, e) = json_of(switch().await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let msg = e["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(msg.contains("受理 @ 观澜街道"), "{msg}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM matter_units WHERE unit_id = {}",
            street.id
        ))
        .await,
        0,
        "nothing switched"
    );
    let body = json!({"username": "guanlan.clerk", "name": "观澜窗口", "org_unit_id": hall.id,
                      "password": PASSWORD, "roles": [{"role": "window_clerk"}]});
    assert_eq!(
        app.post(&bureau, "/api/v1/accounts", body).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(switch().await.unwrap().status(), StatusCode::NO_CONTENT);
    let (_, s, a) = file_at(&app, &code, "440309009-H").await;
    assert_eq!(
        (s, a["status"].as_str()),
        (StatusCode::CREATED, Some("submitted")),
        "{a}"
    );
}

/// A workflow may name as its actors only approvers or window clerks: a citizen named at a step
/// is refused at publishing (otherwise they could decide their own application).
#[tokio::test]
async fn a_workflow_naming_a_citizen_as_approver_is_refused() {
    let (app, code) = halls().await;
    let mut def = workflow_draft(&app, &code).await;
    def["steps"][1]["actors"] = json!([{"type": "users", "usernames": ["citizen"]}]);
    let (s, e) = try_publish(&app, &code, def).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "steps[1].actors", "{e}");
}

/// Once submitted, an application stays at its hall: a save that would move it (while a
/// supplement is asked for) is refused and nothing changes.
#[tokio::test]
async fn a_submitted_application_cannot_move_to_another_hall() {
    let (app, code) = halls().await;
    let (me, s, a) = file_at(&app, &code, DISTRICT_HALL).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = a["id"].as_i64().unwrap();
    let t = app.token("district.clerk").await;
    let (s, r) = json_of(
        app.post(
            &t,
            &format!("/api/v1/applications/{id}/decision"),
            json!({"decision": "supplement", "missing": "营业执照需加盖公章"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (s, e) = json_of(
        app.client
            .put(app.url(&format!("/api/v1/applications/{id}")))
            .bearer_auth(&me)
            .json(
                &json!({"matter_code": code, "unit_code": "440309004-H", "form": a["form"],
                          "materials": a["materials"], "submit": false}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "unit_code", "{e}");
    let (_, now) = json_of(app.get(&me, &format!("/api/v1/applications/{id}")).await).await;
    assert_eq!(now["unit_id"], a["unit_id"], "{now}");
}

/// Nobody decides their own application: a clerk who filed one cannot accept it; a colleague of
/// the same hall can.
#[tokio::test]
async fn a_clerk_cannot_accept_their_own_application() {
    let (app, code) = halls().await;
    let me = app.token("window_clerk").await;
    let (s, a) = file_as(&app, &me, &code, "440309004-H").await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let id = a["id"].as_i64().unwrap();
    let decide = |t: String| {
        let url = format!("/api/v1/applications/{id}/decision");
        let app = &app;
        async move { json_of(app.post(&t, &url, json!({"decision": "accept"})).await).await }
    };
    let (s, e) = decide(me.clone()).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("own_application")),
        "{e}"
    );
    let bureau = app.token("district_bureau_admin").await;
    let body = json!({"username": "mz.clerk2", "name": "窗口二", "org_unit_id": app.unit_id("minzhi"),
                      "password": PASSWORD, "roles": [{"role": "window_clerk"}]});
    assert_eq!(
        app.post(&bureau, "/api/v1/accounts", body).await.status(),
        StatusCode::CREATED
    );
    let (s, e) = decide(app.token("mz.clerk2").await).await;
    assert_eq!(s, StatusCode::OK, "{e}");
}

/// The online form as a person meets it: the halls grouped by street with none chosen for them,
/// their phone filled in; a submission's problems all at once — a refused upload among them —
/// each naming its field and linking to its input, which says it is invalid; then, filled in,
/// the submission confirmed on the application's page.
#[tokio::test]
async fn the_online_form_groups_halls_and_names_every_problem_at_once() {
    let (app, code) = halls().await;
    register_company(&app, json!({"phone": "13800138000"})).await;
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &c, "qingquan").await;
    let page = c
        .get(app.url(&format!("/apply/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<optgroup label=\"区级\">")
            && page.contains("<optgroup label=\"民治街道\">")
    );
    assert!(
        page.contains("<option value=\"\">请选择办理大厅</option>"),
        "no hall chosen for them"
    );
    assert!(
        page.contains("value=\"13800138000\""),
        "their phone filled in"
    );
    let input = &page[page.find("id=\"ff-company_name\"").unwrap()..];
    let input = &input[..input.find('>').unwrap()];
    assert!(
        input.contains("required aria-required=\"true\""),
        "required fields say so: {input}"
    );
    let action = {
        let i = page.find("id=\"apply-form\"").unwrap();
        let head = &page[..i];
        let a = head.rfind("action=\"").unwrap() + 8;
        head[a..]
            .split('"')
            .next()
            .unwrap()
            .replace("&amp;", "&")
            .replace("&#x2f;", "/")
    };
    let version = crate::support::pages::hidden(&page, "version");
    let post = |form: reqwest::multipart::Form| c.post(app.url(&action)).multipart(form).send();
    let text = reqwest::multipart::Part::bytes(b"just a note".to_vec()).file_name("说明.txt");
    let form = reqwest::multipart::Form::new()
        .text("version", version.clone())
        .text("unit_code", "")
        .text("company_name", "")
        .text("submit", "1")
        .part("m.m_licence", text);
    let r = post(form).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let summary = &html[html.find("error-summary").unwrap()..html.find("</ul>").unwrap()];
    assert!(
        summary.contains("不是可接受的文件类型"),
        "the upload: {summary}"
    );
    assert!(
        summary.contains("href=\"#ff-company_name\">单位名称：")
            && summary.contains("href=\"#f-unit_code\">受理大厅："),
        "and every other problem, named and linked: {summary}"
    );
    assert!(html.contains("aria-invalid=\"true\" aria-describedby=\"err-company_name\""));
    assert_eq!(app.count("SELECT COUNT(*) FROM applications").await, 0);

    // Filled in, with the hall chosen: submitted, and the page says what happens next.
    let pdf = |n: &str| reqwest::multipart::Part::bytes(PDF.to_vec()).file_name(n.to_string());
    let f = crate::support::filing::form(0);
    let mut form = reqwest::multipart::Form::new()
        .text("version", version)
        .text("unit_code", DISTRICT_HALL)
        .text("submit", "1")
        .part("m.m_licence", pdf("营业执照.pdf"))
        .part("m.m_form", pdf("申请表.pdf"))
        .part("m.m_special", pdf("水质检测报告.pdf"));
    for k in ["company_name", "credit_code", "legal_rep", "contact_phone"] {
        form = form.text(k, f[k].as_str().unwrap().to_string());
    }
    let r = post(form).await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("?submitted=1"), "{to}");
    let page = c
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("申请已提交"), "confirmed");
}

/// A hall with nobody to accept an application is refused on submission (not discovered by a
/// citizen's waiting), and a hall with applications under way cannot be retired.
#[tokio::test]
async fn an_unstaffed_hall_takes_no_filing_and_a_busy_hall_is_not_retired() {
    let (app, code) = halls().await;
    // The matter is switched on for 龙华街道; then the street opens a hall where no clerk works
    // yet (清湖社区's clerk serves the community's hall only).
    let bureau = app.token("district_bureau_admin").await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/units")))
        .bearer_auth(&bureau)
        .json(&json!({"unit_id": app.unit_id("longhua"), "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let lh_hall = org::create(
        &app.db,
        &Principal::system(),
        NewUnit {
            code: "440309003-H".into(),
            name: "龙华街道行政服务大厅".into(),
            kind: "hall".into(),
            parent_id: Some(app.unit_id("longhua")),
        },
    )
    .await
    .unwrap();
    let (me, s, e) = file_at(&app, &code, &lh_hall.code).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "unit_code");
    assert!(
        e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("暂无窗口工作人员"),
        "{e}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM applications WHERE status = 'submitted'")
            .await,
        0
    );

    // Filed at the district hall; its clerk leaves; the hall still has the application.
    let (s, a) = file_as(&app, &me, &code, DISTRICT_HALL).await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    zhengwu::storage::query("UPDATE users SET active = 0 WHERE username = 'district.clerk'")
        .execute(&app.db)
        .await
        .unwrap();
    let hall: i64 = zhengwu::storage::query_scalar("SELECT id FROM org_units WHERE code = $1")
        .bind(DISTRICT_HALL)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (s, e) = json_of(
        app.post(
            &bureau,
            &format!("/api/v1/org/units/{hall}/retire"),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("unit_has_open_applications")),
        "{e}"
    );
}

/// A window clerk serves the hall they work at (or the halls below them): a community centre's
/// clerk neither reads nor concludes an application filed at its street's hall, though both
/// belong to the street — as they could not accept it either.
#[tokio::test]
async fn a_community_clerk_has_no_part_in_the_street_halls_applications() {
    let app = crate::crawl::demo_app().await;
    let (id, instance): (i64, i64) = zhengwu::storage::query_as(
        "SELECT a.id, a.instance_id FROM applications a JOIN org_units o ON o.id = a.unit_id \
         JOIN approval_instances i ON i.id = a.instance_id \
         WHERE o.code = '440309002-H' AND i.status = 'approved' ORDER BY a.id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let community: String = zhengwu::storage::query_scalar(
        "SELECT u.username FROM users u JOIN role_grants g ON g.user_id = u.id \
         JOIN org_units o ON o.id = g.org_unit_id WHERE g.role = 'window_clerk' \
         AND o.code = '440309002001-H' ORDER BY u.id LIMIT 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let theirs = app.token(&community).await;
    for path in [
        format!("/api/v1/applications/{id}"),
        format!("/api/v1/approvals/{instance}"),
    ] {
        let r = app.get(&theirs, &path).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{community} {path}");
    }
    let (_, inbox) = json_of(app.get(&theirs, "/api/v1/approvals/inbox").await).await;
    assert!(
        !inbox
            .to_string()
            .contains(&format!("\"instance_id\":{instance}")),
        "{inbox}"
    );
    // The street hall's own clerk does.
    let clerk = app.token("clerk").await;
    let r = app.get(&clerk, &format!("/api/v1/applications/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    // An approval started at a community itself (not at a hall; the demo's oldest) is not bound
    // to a hall: the street's clerks still take its 受理.
    let (_, inbox) = json_of(app.get(&clerk, "/api/v1/approvals/inbox").await).await;
    assert!(inbox["total"].as_i64().unwrap() > 0, "{inbox}");
}

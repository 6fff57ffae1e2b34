//! Issue 11's findings, each reproduced as an attacker or a careless page would meet it: a
//! hostile spreadsheet, parallel password guesses, an account holding grants above its unit's
//! admin, a multibyte ID number, an open redirect, formulas in CSV exports.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{PASSWORD, TestApp, json_of};

/// A client whose requests come from another loopback address (another machine to the server).
fn client_from(addr: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(addr.parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn login_from(app: &TestApp, client: &reqwest::Client, user: &str, pw: &str) -> StatusCode {
    client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": user, "password": pw}))
        .send()
        .await
        .unwrap()
        .status()
}

/// The 1.5 KB sheet naming A1 and XFD1048576 that aborted the server.
fn corner_sheet() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "username").unwrap();
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_hostile_sheet_is_refused_and_the_server_lives() {
    let app = TestApp::spawn().await;
    let sheet = corner_sheet();
    assert!(sheet.len() < 8 * 1024);
    // A citizen may not import at all: refused before the file is read.
    let citizen = app.token("citizen").await;
    let r = app
        .client
        .post(app.url("/api/v1/accounts/import?dry_run=true"))
        .bearer_auth(&citizen)
        .body(sheet.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Nor learns from a file which usernames exist.
    let r = app
        .client
        .post(app.url("/api/v1/accounts/import?dry_run=true"))
        .bearer_auth(&citizen)
        .body("username,name,org_unit,roles\napprover,张三,440309004,window_clerk\n")
        .send()
        .await
        .unwrap();
    let (s, body) = json_of(r).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(!body.to_string().contains("username_taken"));
    // An admin who may import gets a clear report naming the bound, in Chinese.
    let admin = app.token("department_admin").await;
    let r = app
        .client
        .post(app.url("/api/v1/accounts/import?dry_run=true"))
        .bearer_auth(&admin)
        .body(sheet.clone())
        .send()
        .await
        .unwrap();
    let (s, body) = json_of(r).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["errors"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("列数超过上限"),
        "{body}"
    );
    // The ticket ledger and the catalog imports read through the same bounds.
    let ops = app.token("om_manager").await;
    let r = app
        .client
        .post(app.url("/api/v1/ops/tickets/import?dry_run=true"))
        .bearer_auth(&ops)
        .body(sheet.clone())
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let matters = app.token("district_matter_admin").await;
    let r = app
        .client
        .post(app.url("/api/v1/catalog/import?dry_run=true"))
        .bearer_auth(&matters)
        .body(sheet)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    // Still serving.
    assert_eq!(app.get(&admin, "/api/v1/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn parallel_guesses_are_counted_before_they_are_checked() {
    let app = TestApp::spawn().await;
    let guesses = (0..20).map(|i| {
        let app = &app;
        async move {
            app.login("approver", &format!("wrong-guess-{i}"))
                .await
                .status()
        }
    });
    let answers = join_all(guesses.collect()).await;
    assert!(answers.iter().all(|s| s.is_client_error()));
    // Exactly the free attempts reached the password check; every other was turned away.
    let checked = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login_failed'")
        .await;
    assert_eq!(checked, zhengwu::auth::FREE_ATTEMPTS);
    assert_eq!(
        answers
            .iter()
            .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
            .count(),
        20 - 4
    );
}

/// Polls the futures together: each is an HTTP round trip on its own connection.
async fn join_all<F: std::future::Future>(fs: Vec<F>) -> Vec<F::Output> {
    use std::pin::Pin;
    use std::task::Poll;
    let mut fs: Vec<Pin<Box<F>>> = fs.into_iter().map(Box::pin).collect();
    let mut out: Vec<Option<F::Output>> = fs.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        let mut pending = false;
        for (i, f) in fs.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => out[i] = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(out.iter_mut().map(|o| o.take().unwrap()).collect())
        }
    })
    .await
}

#[tokio::test]
async fn a_flood_of_guesses_locks_the_guesser_out_not_the_owner() {
    let app = TestApp::spawn().await;
    let attacker = client_from("127.0.0.2");
    let owner = client_from("127.0.0.3");
    for _ in 0..8 {
        login_from(&app, &attacker, "approver", "wrong-guess-1").await;
    }
    // From the guesser's address even the right password waits for the lock …
    assert_eq!(
        login_from(&app, &attacker, "approver", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // … while the owner, elsewhere, signs in.
    assert_eq!(
        login_from(&app, &owner, "approver", PASSWORD).await,
        StatusCode::OK
    );
    // An address that fails over many accounts is turned away for all of them, with a reason.
    let sprayer = client_from("127.0.0.4");
    for u in [
        "auditor",
        "window_clerk",
        "department_admin",
        "citizen",
        "om_engineer",
        "om_manager",
        "matter_admin",
    ] {
        for _ in 0..5 {
            login_from(&app, &sprayer, u, "spray-guess-1").await;
        }
    }
    let r = sprayer
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "district_auditor", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let (s, body) = json_of(r).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(
        login_from(&app, &owner, "district_auditor", PASSWORD).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_unit_admin_cannot_take_over_an_account_holding_higher_grants() {
    let app = TestApp::spawn().await;
    // An account homed in 北站社区 (under 民治) holding a district-wide auditor grant.
    let root = app.token("district_bureau_admin").await;
    let (s, u) = json_of(
        app.post(
            &root,
            "/api/v1/accounts",
            json!({"username": "bz_auditor", "name": "区审计员", "org_unit_id": app.unit_id("beizhan"),
                   "password": "Welcome2026", "roles": [{"role": "auditor", "org_unit_id": app.unit_id("district")}]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    let id = u["id"].as_i64().unwrap();
    // 民治's admin sees the account but may not reset its password, disable it or change it.
    let admin = app.token("department_admin").await;
    let r = app
        .post(
            &admin,
            &format!("/api/v1/accounts/{id}/password"),
            json!({"password": "Taken2026ok"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .patch(
            &admin,
            &format!("/api/v1/accounts/{id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.login("bz_auditor", "Welcome2026").await.status(),
        StatusCode::OK
    );
    // An account with grants within the admin's reach is still theirs.
    let id = app.users["mz_staff"];
    let r = app
        .post(
            &admin,
            &format!("/api/v1/accounts/{id}/password"),
            json!({"password": "Reset2026ok"}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
}

#[tokio::test]
async fn a_multibyte_id_number_is_a_clear_error_not_a_crash() {
    let app = TestApp::spawn().await;
    for id in [
        "11010519491231002中",
        "1101051949123100é2",
        "１１０１０５１９４９１２３１００２X",
    ] {
        let r = app
            .client
            .post(app.url("/api/v1/register"))
            .json(&json!({"username": "zhangsan", "id_number": id, "name": "张三", "password": "Welcome2026", "consent": true}))
            .send()
            .await
            .unwrap();
        let (s, body) = json_of(r).await;
        assert!(s.is_client_error(), "{id}: {s} {body}");
    }
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn sign_in_never_redirects_to_another_site() {
    let app = TestApp::spawn().await;
    for next in [
        "/%09/evil.example/",
        "/%0A/evil.example/",
        "//evil.example/",
        "/%0D%0A/x",
    ] {
        let r = app
            .client
            .get(app.url(&format!("/login?next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{next}");
        let page = r.text().await.unwrap();
        assert!(!page.contains("evil.example"), "{next}");
    }
}

#[tokio::test]
async fn exported_csv_cells_are_never_formulas() {
    let app = TestApp::spawn().await;
    let citizen = app.token("citizen").await;
    let title = "=HYPERLINK(\"http://evil.example\",\"点我\")";
    let (s, t) = json_of(
        app.post(
            &citizen,
            "/api/v1/ops/tickets",
            json!({"title": title, "description": "-2+3", "system": "approval", "category": "fault"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let ops = app.token("om_manager").await;
    let csv = app
        .get(&ops, "/api/v1/ops/tickets/export?format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("'=HYPERLINK"), "{csv}");
    for cell in csv.split([',', '\n']) {
        let c = cell.trim_start_matches('"');
        assert!(!c.starts_with(['=', '+', '@']), "formula cell {c:?}");
    }
    let audit = app.token("district_auditor").await;
    let csv = app
        .get(&audit, "/api/v1/audit/export?format=csv")
        .await
        .text()
        .await
        .unwrap();
    assert!(!csv.contains(",=") && !csv.contains(",\"="), "{csv}");
}

#[tokio::test]
async fn licences_of_the_first_format_are_reissued_without_personal_content() {
    let crate::support::approval::Setup { app, code } = crate::support::approval::people().await;
    let ha = app.token("health.a").await;
    let (s, l) = json_of(
        app.post(
            &ha,
            "/api/v1/licences",
            json!({"matter_code": code, "holder_name": "张小明", "holder_id": "11010519491231002X",
                   "content": {"许可范围": "集中式供水"}, "valid_years": 3}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{l}");
    let number = l["number"].as_str().unwrap();
    // As main stored it before: the whole form as content, no code, no keyed binding.
    app.db
        .execute_batch(&format!(
            "UPDATE licences SET format = 1, verify_code = '', holder_binding = '', \
             content = '{{\"许可范围\":\"集中式供水\",\"spouse_id\":\"11010519491231002X\",\"phone\":\"13800138000\",\"files\":[1,2]}}' \
             WHERE number = '{number}'"
        ))
        .await
        .unwrap();
    assert_eq!(
        zhengwu::licence::repo::reissue_old(&app.db).await.unwrap(),
        1
    );
    assert_eq!(
        zhengwu::licence::repo::reissue_old(&app.db).await.unwrap(),
        0,
        "once"
    );
    let (content, code, until): (String, String, String) = zhengwu::storage::query_as(
        "SELECT content, verify_code, valid_until FROM licences WHERE number = $1",
    )
    .bind(number)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(content, r#"{"许可范围":"集中式供水"}"#);
    assert_eq!(until, l["valid_until"].as_str().unwrap(), "validity kept");
    // It verifies under the new rules, and the public check masks the person's name.
    let (s, st) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/licences/{number}/status?code={code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (st["state"].as_str(), st["holder_name"].as_str()),
        (Some("valid"), Some("张*明"))
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'licence.reissue'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_licence_template_naming_personal_fields_is_refused() {
    let mut m = zhengwu::demo::catalog::all()
        .into_iter()
        .find(|m| m.name == "饮用水供水单位卫生许可")
        .unwrap();
    let units = vec![];
    let base = m.violations(&units).len();
    m.licence_fields = vec![
        "credit_code".into(),
        "contact_phone".into(),
        "upload_special".into(),
        "nope".into(),
        "legal_rep".into(),
    ];
    let v = m.violations(&units);
    let keys: Vec<&str> = v.iter().skip(base).map(|e| e.key).collect();
    assert_eq!(
        keys,
        [
            "rule.licence_field_personal",
            "rule.licence_field_personal",
            "rule.licence_field_personal",
            "rule.licence_field_unknown"
        ]
    );
    // The content of a licence is the named fields only, by label.
    m.licence_fields = vec!["legal_rep".into()];
    let c = m.licence_content(&json!({"legal_rep": "陈清泉", "credit_code": "91440300MA5F000007"}));
    assert_eq!(c, json!({"法定代表人": "陈清泉"}));
}

/// A valid resident ID number for body17.
fn resident_id(body17: &str) -> String {
    format!("{body17}{}", zhengwu::ids::ResidentId::check_char(body17))
}

/// The victim walks in at 民治's hall without an account and files; answers the application.
async fn walk_in(app: &TestApp, code: &str, id: &str) -> serde_json::Value {
    use crate::support::filing::{HALL, PDF, form, upload};
    let clerk = app.token("window_clerk").await;
    let f = upload(app, &clerk, "材料.pdf", PDF).await;
    let (s, a) = json_of(
        app.post(
            &clerk,
            "/api/v1/applications/counter",
            json!({"id_number": id, "name": "王大伟", "matter_code": code, "unit_code": HALL,
                   "form": form(f), "materials": {"m_licence": [f], "m_form": [f], "m_special": [f]}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    a
}

async fn register(app: &TestApp, username: &str, id: &str) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/register"))
        .json(
            &json!({"username": username, "name": "王大伟", "id_number": id,
                      "password": "Welcome2026", "phone": "13800138000", "consent": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let r = app.login(username, "Welcome2026").await;
    r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn registering_with_someone_elses_id_number_takes_over_nothing() {
    let crate::support::approval::Setup { app, code } = crate::support::approval::setup().await;
    let id = resident_id("44030919850615123");
    let first = walk_in(&app, &code, &id).await;
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
    // A stranger registers online with the victim's number: accepted (nothing revealed) …
    let squatter = register(&app, "squatter", &id).await;
    // … but sees none of the victim's licences or applications …
    let (_, held) = json_of(app.get(&squatter, "/api/v1/licences/mine").await).await;
    assert_eq!(held, json!([]));
    let r = app
        .get(&squatter, &format!("/api/v1/applications/{}", first["id"]))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // … and the victim's next filing at the window is not attached to the stranger.
    let second = walk_in(&app, &code, &id).await;
    assert_eq!(second["applicant"], "", "{second}");
    let (_, mine) = json_of(app.get(&squatter, "/api/v1/applications/mine").await).await;
    assert_eq!(mine, json!([]));
    // The owner registers too; at the window, with the document, the clerk binds the owner's account.
    let owner = register(&app, "wangdawei", &id).await;
    let clerk = app.token("window_clerk").await;
    let (_, found) = json_of(
        app.post(
            &clerk,
            "/api/v1/applicants/find",
            json!({"id_number": id, "consent": true}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            found["username"].clone(),
            found["unverified_claims"].clone()
        ),
        (json!(null), json!(2))
    );
    let r = app
        .post(
            &clerk,
            "/api/v1/applicants/verify",
            json!({"id_number": id, "username": "wangdawei", "consent": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, held) = json_of(app.get(&owner, "/api/v1/licences/mine").await).await;
    assert_eq!(held.as_array().unwrap().len(), 1, "{held}");
    // One number, one applicant: the stranger cannot be bound as well.
    let (s, e) = json_of(
        app.post(
            &clerk,
            "/api/v1/applicants/verify",
            json!({"id_number": id, "username": "squatter", "consent": true}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    // A name that did not claim this number is refused as such.
    let (s, _) = json_of(
        app.post(
            &clerk,
            "/api/v1/applicants/verify",
            json!({"id_number": id, "username": "approver", "consent": true}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A citizen cannot bind anything.
    let r = app
        .post(
            &squatter,
            "/api/v1/applicants/verify",
            json!({"id_number": id, "username": "squatter", "consent": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // From now on the owner's walk-in filings are theirs.
    let third = walk_in(&app, &code, &id).await;
    assert_eq!(third["applicant"], "wangdawei");
    // One person, one applicant: the bound number is not registered a second time.
    let (s, e) = json_of(
        reqwest::Client::new()
            .post(app.url("/api/v1/register"))
            .json(
                &json!({"username": "wangdawei2", "name": "王大伟", "id_number": id,
                          "phone": "13900139000", "password": PASSWORD, "consent": true}),
            )
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "id_number", "{e}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'wangdawei2'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_clerk_finds_only_what_their_halls_may_see() {
    let crate::support::approval::Setup { app, code } = crate::support::approval::setup().await;
    let id = resident_id("44030919850615123");
    walk_in(&app, &code, &id).await;
    let mine = app.token("window_clerk").await;
    let (_, found) = json_of(
        app.post(
            &mine,
            "/api/v1/applicants/find",
            json!({"id_number": id, "consent": true}),
        )
        .await,
    )
    .await;
    assert_eq!(found["applications"].as_array().unwrap().len(), 1);
    assert!(!found["files"].as_array().unwrap().is_empty());
    // A clerk of another street finds the person, but none of 民治's applications or files.
    let other = app.token("lh_staff").await;
    let (s, found) = json_of(
        app.post(
            &other,
            "/api/v1/applicants/find",
            json!({"id_number": id, "consent": true}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{found}");
    assert_eq!(found["applications"], json!([]));
    assert_eq!(found["files"], json!([]));
    // The look-up is audited either way, where each clerk works: 民治's auditor reads 民治's
    // look-up, the district's auditor both.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'applicant.lookup'")
            .await,
        2
    );
    for (who, n) in [("auditor", 1), ("district_auditor", 2)] {
        let t = app.token(who).await;
        let (_, page) = json_of(app.get(&t, "/api/v1/audit?action=applicant.lookup").await).await;
        assert_eq!(page["total"], n, "{who}: {page}");
    }
}

#[tokio::test]
async fn a_kiosk_flood_is_limited_and_cannot_starve_a_window() {
    let crate::support::approval::Setup { app, code } = crate::support::approval::setup().await;
    let other = app.publish_sample(4).await;
    let admin = app.token("bureau_admin").await;
    let hall = crate::support::filing::HALL;
    let (s, w) = json_of(
        app.post(
            &admin,
            "/api/v1/windows",
            json!({"unit_code": hall, "number": "2", "name": "卫生许可窗口", "matters": [code],
                   "clerks": ["window_clerk"]}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let take = |c: reqwest::Client, m: String| {
        let url = app.url(&format!("/api/v1/halls/{hall}/tickets"));
        async move {
            c.post(url)
                .json(&json!({"matter_code": m}))
                .send()
                .await
                .unwrap()
        }
    };
    // One address floods the kiosk: a burst is served, the rest refused with a reason.
    let flooder = client_from("127.0.0.5");
    let mut created = 0;
    let mut refused = None;
    for _ in 0..40 {
        let r = take(flooder.clone(), other.clone()).await;
        match r.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::TOO_MANY_REQUESTS => refused = Some(r),
            s => panic!("{s}"),
        }
    }
    assert_eq!(created, 20);
    let r = refused.unwrap();
    assert!(r.headers().contains_key("retry-after"));
    let (_, e) = json_of(r).await;
    assert_eq!(e["error"]["code"], "rate_limited");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("请求过于频繁")
    );
    // Many addresses together: the hall's own share runs out, whoever asks.
    let mut hall_limited = false;
    'flood: for i in 1..=12 {
        let c = client_from(&format!("127.0.1.{i}"));
        for _ in 0..20 {
            let r = take(c.clone(), other.clone()).await;
            if r.status() == StatusCode::TOO_MANY_REQUESTS {
                hall_limited = true;
                break 'flood;
            }
            assert_eq!(r.status(), StatusCode::CREATED);
        }
    }
    assert!(hall_limited, "a hall's kiosk has a share of its own");
    let waiting = app
        .count("SELECT COUNT(*) FROM queue_tickets WHERE status = 'waiting'")
        .await;
    assert!(waiting <= 20 + 120 + 5, "{waiting}");
    // However many tickets for another matter wait ahead (taken at the kiosk's side directly),
    // the health window still calls the one for health.
    for _ in 0..250 {
        zhengwu::counter::queue::take(&app.db, hall, Some(other.as_str()))
            .await
            .unwrap();
    }
    let mine = zhengwu::counter::queue::take(&app.db, hall, Some(code.as_str()))
        .await
        .unwrap();
    let mine = serde_json::to_value(&mine).unwrap();
    // … and the health window still calls it.
    let clerk = app.token("window_clerk").await;
    let (s, c) = json_of(
        app.post(
            &clerk,
            &format!("/api/v1/windows/{}/call", w["id"]),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["number"], mine["number"], "{c}");
    // The hall's windows: a citizen sees them, not the clerks' usernames; the hall's staff do.
    let citizen = app.token("citizen").await;
    let (_, ws) = json_of(
        app.get(&citizen, &format!("/api/v1/halls/{hall}/windows"))
            .await,
    )
    .await;
    assert_eq!(ws[0]["clerks"], json!([]), "{ws}");
    let (_, ws) = json_of(
        app.get(&clerk, &format!("/api/v1/halls/{hall}/windows"))
            .await,
    )
    .await;
    assert_eq!(ws[0]["clerks"], json!(["window_clerk"]), "{ws}");
}

#[tokio::test]
async fn every_api_error_is_json_in_the_callers_language() {
    let app = TestApp::spawn().await;
    let t = app.token("department_admin").await;
    let send = |req: reqwest::RequestBuilder, lang: &'static str| async move {
        let r = req.header("accept-language", lang).send().await.unwrap();
        let s = r.status();
        let ct = r.headers()["content-type"].to_str().unwrap().to_string();
        let body: serde_json::Value = r.json().await.unwrap_or(json!(null));
        (s, ct, body)
    };
    let cases = [
        // A body that is not JSON, a missing field, the wrong content type, a path that is not
        // a number, a query that does not parse, an unknown address, a method not allowed.
        app.client
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(&t)
            .header("content-type", "application/json")
            .body("{not json"),
        app.client
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(&t)
            .json(&json!({"username": "x"})),
        app.client
            .post(app.url("/api/v1/accounts"))
            .bearer_auth(&t)
            .header("content-type", "text/plain")
            .body("x"),
        app.client
            .get(app.url("/api/v1/accounts/abc"))
            .bearer_auth(&t),
        app.client
            .get(app.url("/api/v1/accounts?page=-x"))
            .bearer_auth(&t),
        app.client
            .get(app.url("/api/v1/no-such-thing"))
            .bearer_auth(&t),
        app.client.delete(app.url("/api/v1/me")).bearer_auth(&t),
    ];
    for req in cases {
        let en = req.try_clone().unwrap();
        let (s, ct, body) = send(req, "zh-CN").await;
        assert!(s.is_client_error(), "{s}");
        assert!(ct.starts_with("application/json"), "{s} {ct}");
        let msg = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !body["error"]["code"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
                && msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{s} {body}"
        );
        let (_, _, body) = send(en, "en").await;
        let msg = body["error"]["message"].as_str().unwrap_or_default();
        assert!(msg.is_ascii() && !msg.is_empty(), "{body}");
    }
    // A body over the limit.
    let big = vec![b'a'; 21 << 20];
    let (s, ct, body) = send(
        app.client
            .post(app.url("/api/v1/accounts/import"))
            .bearer_auth(&t)
            .body(big),
        "zh-CN",
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(ct.starts_with("application/json"));
    assert_eq!(body["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn metrics_are_for_the_monitoring_system_and_sessions_expire_from_the_store() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "a proxied caller");
    for h in ["x-real-ip", "true-client-ip", "via"] {
        let r = app
            .client
            .get(app.url("/metrics"))
            .header(h, "203.0.113.9")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{h}");
    }
    let r = client_from("127.0.0.1")
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "this machine");
    // An expired session is gone after the clean-up, a live one stays.
    let _old = app.token("auditor").await;
    let live = app.token("approver").await;
    app.db
        .execute_batch(
            "UPDATE sessions SET expires_at = '2020-01-01T00:00:00.000000Z' \
             WHERE user_id = (SELECT id FROM users WHERE username = 'auditor')",
        )
        .await
        .unwrap();
    assert!(zhengwu::auth::purge_expired(&app.db).await.unwrap() >= 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'auditor')"
        )
        .await,
        0
    );
    assert_eq!(app.get(&live, "/api/v1/me").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_forged_host_never_reaches_a_printed_link() {
    let crate::support::approval::Setup { app, code } = crate::support::approval::people().await;
    let l = zhengwu::licence::issue(
        &app.db,
        &zhengwu::auth::Principal::system(),
        &zhengwu::licence::Issue {
            instance_id: None,
            matter_code: code,
            holder_name: "深圳市民治二次供水管理站".into(),
            holder_id: "91440300MA5F00001A".into(),
            content: json!({}),
            valid_years: Some(4),
        },
    )
    .await
    .unwrap();
    let page = app
        .client
        .get(app.url(&format!(
            "/verify/{}/print?code={}",
            l.number, l.verify_code
        )))
        .header("host", "evil.example/\"><script>x</script>")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("evil.example"), "{page}");
    assert!(page.contains("http://localhost/verify/"), "{page}");
}

#[tokio::test]
async fn the_public_workflow_names_no_accounts() {
    let crate::support::approval::Setup { app, code } = crate::support::approval::setup().await;
    for path in [
        format!("/api/v1/matters/{code}/workflow"),
        format!("/api/v1/matters/{code}/workflow/versions/1"),
        format!("/api/v1/matters/{code}/workflow.svg"),
    ] {
        let r = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let body = r.text().await.unwrap();
        assert!(!body.contains("health.b"), "{path}: {body}");
    }
    // The editors still see whom they named.
    let admin = app.token("district_bureau_admin").await;
    let body = app
        .get(&admin, &format!("/api/v1/matters/{code}/workflow/draft"))
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains("health.b"), "{body}");
}

#[tokio::test]
async fn an_admin_cannot_remove_their_own_last_admin_grant() {
    let app = TestApp::spawn().await;
    let t = app.token("district_bureau_admin").await;
    let id = app.users["district_bureau_admin"];
    let (_, me) = json_of(app.get(&t, &format!("/api/v1/accounts/{id}")).await).await;
    let gid = me["grants"][0]["id"].as_i64().unwrap();
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/accounts/{id}/grants/{gid}")))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["error"]["code"], "own_last_admin_grant");
    // Still an admin.
    assert_eq!(
        app.get(&t, "/api/v1/accounts").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_resident_id_in_a_form_is_whole_to_its_applicant_and_masked_to_staff() {
    use crate::support::filing::{HALL, PDF, form, upload};
    let crate::support::approval::Setup { app, code } = crate::support::approval::setup().await;
    let id = resident_id("44030919850615123");
    let owner = register(&app, "form.owner", &resident_id("44030919900101123")).await;
    let f = upload(&app, &owner, "材料.pdf", PDF).await;
    let mut values = form(f);
    // An ID number typed into a text field is an ID number all the same.
    values["legal_rep"] = json!(id);
    let (s, a) = json_of(
        app.post(
            &owner,
            "/api/v1/applications",
            json!({"matter_code": code, "unit_code": HALL, "form": values, "submit": true,
                   "materials": {"m_licence": [f], "m_form": [f], "m_special": [f]}}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    let path = format!("/api/v1/applications/{}", a["id"]);
    let (_, mine) = json_of(app.get(&owner, &path).await).await;
    assert_eq!(mine["form"]["legal_rep"], id);
    let clerk = app.token("window_clerk").await;
    let (_, seen) = json_of(app.get(&clerk, &path).await).await;
    assert_eq!(
        seen["form"]["legal_rep"],
        zhengwu::ids::ResidentId::parse(&id).unwrap().masked()
    );
    let (_, queue) = json_of(app.get(&clerk, "/api/v1/applications/queue").await).await;
    assert!(!queue.to_string().contains(&id[6..14]), "{queue}");
}

/// A client that trickles a body in (a slow-loris) holds its connection only until the request
/// timeout, then gets a 408 in the error format; one that never finishes its headers is dropped.
#[tokio::test]
async fn a_slow_client_is_cut_off_at_the_deadlines() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::empty().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = zhengwu::config::Config::load(&zhengwu::config::Overrides {
        data_dir: Some(dir.path().into()),
        ..Default::default()
    })
    .unwrap();
    config.request_timeout = std::time::Duration::from_secs(1);
    let addr = crate::support::serve(zhengwu::http::AppState::new(app.db.clone(), &config)).await;
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{\"username\"",
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let mut buf = vec![0; 8192];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), sock.read(&mut buf))
        .await
        .expect("the server answers before the client gives up")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"code\":\"timeout\""), "{text}");
    assert!(text.contains("请求处理超时"), "{text}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    // A client that never finishes its headers is dropped too, not held for ever.
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(b"GET /hall HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), sock.read(&mut buf))
        .await
        .expect("the server closes the connection");
    assert!(
        matches!(n, Ok(0) | Err(_)) || String::from_utf8_lossy(&buf[..n.unwrap()]).contains("408")
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// A query value that does not parse is refused with the field named, in the user's language
/// — a date filter is never silently dropped (which returned everything), a negative page size
/// never lifts the page limit, and a page past any store's reach is empty rather than page 1.
#[tokio::test]
async fn query_values_that_do_not_parse_are_refused_by_name() {
    let app = TestApp::spawn().await;
    let auditor = app.token("district_auditor").await;
    let admin = app.token("district_bureau_admin").await;
    let field = |v: &serde_json::Value| {
        v["error"]["fields"][0]["field"]
            .as_str()
            .map(str::to_string)
    };
    for (who, url, name) in [
        (&auditor, "/api/v1/audit?from=abc", "from"),
        (
            &auditor,
            "/api/v1/audit?from=2026-01-01&to=2026-13-45",
            "to",
        ),
        (&auditor, "/api/v1/audit/export?from=abc", "from"),
        (
            &auditor,
            "/api/v1/ops/tickets/export?from=2026-13-01",
            "from",
        ),
        (
            &admin,
            "/api/v1/calendar/add-working-days?from=2026-11-30&days=abc",
            "days",
        ),
        (
            &admin,
            "/api/v1/calendar/add-working-days?from=2026-11-30",
            "days",
        ),
        (&admin, "/api/v1/accounts?page=abc", "page"),
    ] {
        let (s, e) = json_of(app.get(who, url).await).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {e}");
        assert_eq!(field(&e).as_deref(), Some(name), "{url}: {e}");
    }
    let (s, e) = json_of(
        app.get(
            &admin,
            "/api/v1/calendar/add-working-days?from=2026-11-30&days=-1",
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("0–3650"),
        "{e}"
    );
    let (_, page) = json_of(app.get(&auditor, "/api/v1/audit?per_page=-1").await).await;
    assert!(page["items"].as_array().unwrap().len() <= 1, "{page}");
    let (s, page) = json_of(
        app.get(
            &admin,
            "/api/v1/accounts?page=36893488147419104&per_page=500",
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(page["items"].as_array().unwrap().is_empty(), "{page}");
}

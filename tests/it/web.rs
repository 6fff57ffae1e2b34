//! The pages through a cookie-holding client, as a browser would use them.

use reqwest::StatusCode;

use crate::support::pages::{browser, hidden, sign_in};
use crate::support::{PASSWORD, TestApp};

#[tokio::test]
async fn pages_need_sign_in_and_speak_chinese_by_default() {
    let app = TestApp::spawn().await;
    let c = browser();
    let r = c.get(app.url("/accounts?q=x")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=/accounts%3Fq%3Dx");
    let page = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"zh-CN\">") && page.contains("<h1>登录</h1>"));
    // A log-in form posted without its CSRF token is refused.
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "auditor"),
            ("password", PASSWORD),
            ("csrf", "forged"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Wrong password: the form again, with the message, in Chinese.
    let csrf = hidden(&page, "csrf");
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", "auditor"),
            ("password", "nope-1234"),
            ("csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("用户名或密码错误"));
    // The English switch.
    let r = c
        .get(app.url("/lang/en"))
        .header("referer", app.url("/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login");
    let page = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("<html lang=\"en\">") && page.contains("<h1>Sign in</h1>"));
}

#[tokio::test]
async fn home_shows_each_role_what_it_can_do() {
    let app = TestApp::spawn().await;
    for (user, has, lacks) in [
        ("department_admin", "新建账号", "运维工单"),
        ("auditor", "审计日志", "新建账号"),
        ("window_clerk", "一窗受理", "账号与角色"),
        ("citizen", "我的办件", "组织机构"),
    ] {
        let c = browser();
        sign_in(&app, &c, user).await;
        let home = c
            .get(app.url("/"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(home.contains(has), "{user} should see {has}");
        assert!(!home.contains(lacks), "{user} should not see {lacks}");
    }
}

#[tokio::test]
async fn forms_post_with_csrf_and_show_errors_beside_fields() {
    let app = TestApp::spawn().await;
    let c = browser();
    let csrf = sign_in(&app, &c, "department_admin").await;
    let unit = app.unit_id("beizhan").to_string();
    // Without the token: refused.
    let r = c
        .post(app.url("/accounts"))
        .form(&[
            ("username", "web.user"),
            ("name", "网页"),
            ("org_unit_id", &unit),
            ("password", "Welcome2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Bad fields: the form comes back with a summary and the values kept.
    let r = c
        .post(app.url("/accounts"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "web.user"),
            ("name", "网页"),
            ("org_unit_id", &unit),
            ("password", "weak"),
            ("email", "nope"),
            ("roles", "window_clerk"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary") && html.contains("href=\"#f-email\""));
    assert!(html.contains("value=\"web.user\""));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'web.user'")
            .await,
        0
    );
    // Good: redirected to the new account's page.
    let r = c
        .post(app.url("/accounts"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "web.user"),
            ("name", "网页"),
            ("org_unit_id", &unit),
            ("password", "Welcome2026"),
            ("roles", "window_clerk"),
            ("roles", "approver"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let page = c
        .get(app.url(&loc))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("网页") && page.contains("审批人员") && page.contains("窗口工作人员"));
    // The list finds it; the export is a spreadsheet.
    let list = c
        .get(app.url("/accounts?q=web"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains("web.user"));
    let x = c
        .get(app.url("/accounts/export?q=web"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(x.starts_with(b"PK"));
    // Another street's account page is not there.
    let r = c
        .get(app.url(&format!("/accounts/{}", app.users["lh_staff"])))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("未找到"));
    // Sign out ends the session.
    let r = c
        .post(app.url("/logout"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        c.get(app.url("/accounts")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn every_staff_page_renders() {
    let app = TestApp::spawn().await;
    let c = browser();
    sign_in(&app, &c, "district_bureau_admin").await;
    let id = app.users["mz_staff"];
    for (path, text) in [
        ("/", "工作台"),
        ("/org", "民治街道"),
        ("/accounts", "mz_staff"),
        // The search form as a browser sends it, with the unit left at "any".
        ("/accounts?q=mz_&unit_id=&role=", "mz_staff"),
        ("/accounts/new", "初始密码"),
        (&format!("/accounts/{id}") as &str, "授予角色"),
        ("/accounts/import", "仅试导入"),
        ("/audit", "新建账号"),
        ("/password", "当前密码"),
        ("/audit/export?format=csv&action=user.", "新建账号"),
    ] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains(text), "{path} lacks {text}");
        assert!(
            !html.contains("nav.") && !html.contains("ui.") && !html.contains("col."),
            "{path} shows a raw key"
        );
    }
}

#[tokio::test]
async fn import_from_the_page_reports_bad_rows_then_imports() {
    let app = TestApp::spawn().await;
    let c = browser();
    let csrf = sign_in(&app, &c, "department_admin").await;
    let upload = |body: &'static str, dry: bool| {
        let part = reqwest::multipart::Part::bytes(body.as_bytes()).file_name("staff.csv");
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if dry {
            form = form.text("dry_run", "1");
        }
        c.post(app.url(&format!("/accounts/import?csrf={csrf}")))
            .multipart(form)
            .send()
    };
    let bad = "username,name,org_unit,roles,email,phone\nweb.a,甲,440309004001,window_clerk,,\nweb.b,乙,440309003002,window_clerk,,\n";
    let r = upload(bad, false).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("未导入任何账号") && html.contains("<td>3</td>") && html.contains("清湖社区")
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username LIKE 'web.%'")
            .await,
        0
    );
    let good = "username,name,org_unit,roles,email,phone\nweb.a,甲,440309004001,window_clerk,,\n";
    let html = upload(good, true).await.unwrap().text().await.unwrap();
    assert!(html.contains("试导入通过"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username LIKE 'web.%'")
            .await,
        0
    );
    let html = upload(good, false).await.unwrap().text().await.unwrap();
    assert!(html.contains("已导入 1 个账号") && html.contains("web.a"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username LIKE 'web.%'")
            .await,
        1
    );
    // Without the CSRF token the upload is refused.
    let part = reqwest::multipart::Part::bytes(good.as_bytes()).file_name("x.csv");
    let r = c
        .post(app.url("/accounts/import"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn org_page_adds_renames_and_moves_units() {
    let app = TestApp::spawn().await;
    let c = browser();
    let csrf = sign_in(&app, &c, "department_admin").await;
    let mz = app.unit_id("minzhi").to_string();
    let page = c
        .get(app.url(&format!("/org?parent={mz}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("<option value=\"{mz}\" selected>")));
    let r = c
        .post(app.url("/org"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("parent_id", &mz),
            ("kind", "community"),
            ("code", "MZ-900"),
            ("name", "试点社区"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id: i64 = app
        .count("SELECT id FROM org_units WHERE code = 'MZ-900'")
        .await;
    let r = c
        .post(app.url(&format!("/org/{id}/rename")))
        .form(&[("csrf", csrf.as_str()), ("name", "示范社区")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Moving it out of the street is refused (403 page), moving within works.
    let lh = app.unit_id("longhua").to_string();
    let r = c
        .post(app.url("/org/move"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("unit_id", &id.to_string()),
            ("parent_id", &lh),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A community cannot sit under a community: the form shows why.
    let bz = app.unit_id("beizhan").to_string();
    let r = c
        .post(app.url("/org/move"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("unit_id", &id.to_string()),
            ("parent_id", &bz),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("该类型的机构不能设在所选上级之下")
    );
    let page = c
        .get(app.url("/org"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("示范社区") && !page.contains("试点社区"));
}

/// The language choice is a cookie like the others: the whole site, HttpOnly, SameSite=Lax.
#[tokio::test]
async fn the_language_cookie_is_set_like_the_others() {
    let app = TestApp::spawn().await;
    let r = browser().get(app.url("/lang/en")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let c = r.headers()["set-cookie"].to_str().unwrap().to_string();
    for part in [
        "lang=en",
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
        "Max-Age=31536000",
    ] {
        assert!(c.contains(part), "{c} lacks {part}");
    }
}

/// Granting a role answers with a redirect to the account (post/redirect/get): a refresh of
/// the page shows the account again rather than granting twice; the page says it was saved.
#[tokio::test]
async fn granting_a_role_redirects_so_a_refresh_repeats_nothing() {
    let app = TestApp::spawn().await;
    let c = browser();
    let csrf = sign_in(&app, &c, "department_admin").await;
    let id = app.users["mz_staff"];
    let unit = app.unit_id("beizhan").to_string();
    let r = c
        .post(app.url(&format!("/accounts/{id}/grants")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("role", "approver"),
            ("org_unit_id", &unit),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(back, format!("/accounts/{id}?done=saved"));
    let page = c
        .get(app.url(&back))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("已保存"), "the page says so");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM role_grants WHERE user_id = {id} AND role = 'approver'"
        ))
        .await,
        1
    );
}

//! The counter's and printing's pages through a cookie-holding client, as a browser without
//! script would use them: windows set up, a kiosk ticket called to the window, a walk-in found
//! by ID number and filed for with scanned materials and checks, the receipt printed; print
//! templates edited with preview and history; a licence printed and downloaded as PDF.

use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use zhengwu::auth::Principal;

use crate::support::TestApp;
use crate::support::approval::{Setup, setup};
use crate::support::filing::HALL;
use crate::support::pages::{browser, hidden, sign_in};
use crate::support::pdf::pdf_text;

async fn text(r: reqwest::Response) -> (StatusCode, String) {
    (r.status(), r.text().await.unwrap())
}

/// The form that sets up the hall's comprehensive window 1 with these clerks.
fn window_form(csrf: &str, clerks: &str) -> [(&'static str, String); 6] {
    [
        ("csrf", csrf.to_string()),
        ("unit_code", HALL.into()),
        ("number", "1".into()),
        ("name", "综合受理窗口".into()),
        ("comprehensive", "1".into()),
        ("clerks", clerks.into()),
    ]
}

/// The hall's admin, signed in on `admin`, sets up the comprehensive window 1 with
/// `window_clerk` at it; answers the window's id.
async fn open_window(app: &TestApp, admin: &Client) -> i64 {
    let csrf = sign_in(app, admin, "bureau_admin").await;
    let r = admin
        .post(app.url("/counter/windows"))
        .form(&window_form(&csrf, "window_clerk"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    app.count("SELECT MAX(id) FROM hall_windows").await
}

/// [`open_window`], and `window_clerk` signed in on a browser of their own: the window's id,
/// the clerk's browser and its form token.
async fn at_the_window(app: &TestApp) -> (i64, Client, String) {
    let w = open_window(app, &browser()).await;
    let clerk = browser();
    let csrf = sign_in(app, &clerk, "window_clerk").await;
    (w, clerk, csrf)
}

/// Takes a number for matter `code` at the hall's kiosk on browser `kiosk`: the kiosk's form
/// token and the ticket's page.
async fn take_number(app: &TestApp, kiosk: &Client, code: &str) -> (String, String) {
    let (_, page) = text(
        kiosk
            .get(app.url(&format!("/halls/{HALL}/kiosk")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = hidden(&page, "csrf");
    let (s, page) = text(
        kiosk
            .post(app.url(&format!("/halls/{HALL}/kiosk")))
            .form(&[("csrf", token.as_str()), ("matter_code", code)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    (token, page)
}

/// The walk-in's resident ID number (its check character computed).
fn walk_in_id() -> String {
    let body = "44030919850615123";
    format!("{body}{}", zhengwu::ids::ResidentId::check_char(body))
}

/// A walk-in filed for at window 1 by `window_clerk`.
struct Filed {
    /// The clerk's browser and its form token.
    clerk: Client,
    csrf: String,
    /// The application's id, and its page the filing led to.
    aid: String,
    page: String,
}

/// [`at_the_window`], and the clerk files for the walk-in with three scanned materials, the
/// special report's check failed ("报告已过期").
async fn file_walk_in(app: &TestApp, code: &str) -> Filed {
    let (w, clerk, csrf) = at_the_window(app).await;
    let pdf = |b: &'static [u8], n: &'static str| {
        Part::bytes(b.to_vec())
            .file_name(n)
            .mime_str("application/pdf")
            .unwrap()
    };
    let filing = Form::new()
        .text("version", "1")
        .text("id_number", walk_in_id())
        .text("unit_code", HALL)
        .text("name", "王大伟")
        .text("company_name", "深圳市龙华区清泉水务有限公司")
        .text("credit_code", "91440300MA5F000007")
        .text("legal_rep", "王大伟")
        .text("contact_phone", "13800138000")
        .part("m.m_licence", pdf(b"%PDF-1.4\nl\n%%EOF\n", "营业执照.pdf"))
        .part("m.m_form", pdf(b"%PDF-1.4\nf\n%%EOF\n", "申请表.pdf"))
        .part("m.m_special", pdf(b"%PDF-1.4\ns\n%%EOF\n", "水质报告.pdf"))
        .text("check.m_licence", "ok")
        .text("check.m_form", "ok")
        .text("check.m_special", "bad")
        .text("note.m_special", "报告已过期")
        .text("submit", "1");
    let r = clerk
        .post(app.url(&format!("/counter/{w}/file/{code}?csrf={csrf}")))
        .multipart(filing)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let (_, page) = text(clerk.get(app.url(&to)).send().await.unwrap()).await;
    let aid = to.rsplit('/').next().unwrap().to_string();
    Filed {
        clerk,
        csrf,
        aid,
        page,
    }
}

/// The clerk accepts the filing on its page; `checks`, when given, is the special report's
/// check made again.
async fn accept(app: &TestApp, f: &Filed, checks: &str) -> reqwest::Response {
    let mut form = vec![("csrf", f.csrf.clone()), ("decision", "accept".to_string())];
    if !checks.is_empty() {
        form.extend([
            ("check.m_special", checks.to_string()),
            ("note.m_special", String::new()),
        ]);
    }
    f.clerk
        .post(app.url(&format!("/applications/{}/decision", f.aid)))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// [`file_walk_in`], the special report checked again and the filing accepted.
async fn accepted_walk_in(app: &TestApp, code: &str) -> Filed {
    let f = file_walk_in(app, code).await;
    let r = accept(app, &f, "ok").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    f
}

/// The rating code printed on the application's notices.
async fn rating_token(app: &TestApp, aid: &str) -> String {
    zhengwu::storage::query_scalar("SELECT rating_token FROM applications WHERE id = $1")
        .bind(aid.parse::<i64>().unwrap())
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// The applicant, on browser `phone`, opens the rating page of code `token` and rates the
/// window `score` with a comment.
async fn rate(app: &TestApp, phone: &Client, token: &str, score: &str) -> (StatusCode, String) {
    let url = app.url(&format!("/rate/{token}"));
    let (_, page) = text(phone.get(&url).send().await.unwrap()).await;
    let csrf = hidden(&page, "csrf");
    text(
        phone
            .post(&url)
            .form(&[
                ("csrf", csrf.as_str()),
                ("score", score),
                ("comment", "等候时间太长"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await
}

/// The hall's admin sets up a window only with the hall's own clerks: a clerk of another
/// street is refused by name.
#[tokio::test]
async fn a_hall_admin_sets_up_a_window_with_the_halls_own_clerks_only() {
    let Setup { app, .. } = setup().await;
    let admin = browser();
    let csrf = sign_in(&app, &admin, "bureau_admin").await;
    let (s, page) = text(admin.get(app.url("/counter/windows")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("民治街道行政服务大厅"),
        "the hall they manage"
    );
    let (s, page) = text(
        admin
            .post(app.url("/counter/windows"))
            .form(&window_form(&csrf, "window_clerk, lh_staff"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("lh_staff 不是本大厅的窗口工作人员"), "{page}");
    let r = admin
        .post(app.url("/counter/windows"))
        .form(&window_form(&csrf, "window_clerk"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        back,
        format!("/counter/windows?hall={HALL}"),
        "back to that hall"
    );
    let (_, page) = text(admin.get(app.url(&back)).send().await.unwrap()).await;
    assert_eq!(
        page.matches("<table class=\"data\" id=\"windows-").count(),
        1,
        "one hall at a time, chosen in a filter"
    );
    assert!(page.contains(&format!("id=\"windows-{HALL}\"")));
    assert!(page.contains("综合受理窗口"), "the window just set up");
}

/// The kiosk (no sign-in) offers the matters its windows take and numbers tickets in order,
/// for a browser someone is signed in on too.
#[tokio::test]
async fn the_kiosk_offers_its_windows_matters_and_numbers_tickets_in_order() {
    let Setup { app, code } = setup().await;
    let admin = browser();
    open_window(&app, &admin).await;
    let kiosk = browser();
    let (_, page) = text(
        kiosk
            .get(app.url(&format!("/halls/{HALL}/kiosk")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("饮用水供水单位卫生许可"),
        "the matters its windows take"
    );
    let (_, page) = take_number(&app, &kiosk, &code).await;
    assert!(
        page.contains("A001") && page.contains("前面还有 0 人等候"),
        "{page}"
    );
    // Someone signed in on the same browser (a clerk trying the kiosk) takes a number too.
    let (_, page) = take_number(&app, &admin, &code).await;
    assert!(page.contains("A002"), "{page}");
}

/// A ticket is taken only with the kiosk's own form token: another browser is refused.
#[tokio::test]
async fn a_kiosk_ticket_needs_the_kiosks_own_form_token() {
    let Setup { app, code } = setup().await;
    open_window(&app, &browser()).await;
    let (token, _) = take_number(&app, &browser(), &code).await;
    let r = browser()
        .post(app.url(&format!("/halls/{HALL}/kiosk")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "another browser without the kiosk's token"
    );
}

/// The clerk calls the next ticket to their window: their desk and the hall's display show it.
#[tokio::test]
async fn a_called_ticket_shows_at_the_clerks_desk_and_on_the_hall_display() {
    let Setup { app, code } = setup().await;
    let (w, clerk, csrf) = at_the_window(&app).await;
    let kiosk = browser();
    take_number(&app, &kiosk, &code).await;
    let r = clerk
        .post(app.url(&format!("/counter/{w}/call/next")))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, desk) = text(clerk.get(app.url("/counter")).send().await.unwrap()).await;
    assert!(desk.contains("A001") && desk.contains("1 号窗口"), "{desk}");
    let (_, display) = text(
        kiosk
            .get(app.url(&format!("/halls/{HALL}/display")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        display.contains("A001") && display.contains("1 号窗口"),
        "{display}"
    );
}

/// An ID number with a wrong check character is refused beside its field.
#[tokio::test]
async fn the_counter_refuses_an_invalid_id_number_beside_its_field() {
    let Setup { app, .. } = setup().await;
    let (w, clerk, csrf) = at_the_window(&app).await;
    let (s, page) = text(
        clerk
            .post(app.url("/counter/find"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("window", &w.to_string()),
                ("id_number", "440309198506151230"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("请填写有效的居民身份证号"), "{page}");
}

/// A walk-in found by ID number is new, shown masked; the number itself travels only in the
/// hidden field of the form that carries it on.
#[tokio::test]
async fn a_walk_in_found_by_id_number_is_shown_masked() {
    let Setup { app, .. } = setup().await;
    let (w, clerk, csrf) = at_the_window(&app).await;
    let id = walk_in_id();
    let (s, page) = text(
        clerk
            .post(app.url("/counter/find"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("window", &w.to_string()),
                ("id_number", &id),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("新申请人") && page.contains(&zhengwu::ids::mask_any(&id)),
        "{page}"
    );
    assert_eq!(page.matches(&id).count(), 1, "only in the hidden field");
}

/// The form the clerk fills in for a walk-in has a check for each material.
#[tokio::test]
async fn the_counter_form_has_a_check_for_each_material() {
    let Setup { app, code } = setup().await;
    let (w, clerk, csrf) = at_the_window(&app).await;
    let (s, form) = text(
        clerk
            .post(app.url("/counter/start"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("window", &w.to_string()),
                ("id_number", &walk_in_id()),
                ("matter_code", &code),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        form.contains("name=\"check.m_special\""),
        "each material has its check"
    );
}

/// A material that failed its check is shown on the filing, and the filing is not accepted
/// until the material passes a check made again.
#[tokio::test]
async fn a_failed_check_holds_back_acceptance_until_the_material_passes() {
    let Setup { app, code } = setup().await;
    let f = file_walk_in(&app, &code).await;
    assert!(
        f.page.contains("报告已过期") && f.page.contains("窗口申请"),
        "{}",
        f.page
    );
    let (s, page) = text(accept(&app, &f, "").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("核验未通过"), "{page}");
    let r = accept(&app, &f, "ok").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// The rating code printed on a filing's notices rates nothing before the window has decided.
#[tokio::test]
async fn a_walk_in_cannot_rate_before_the_window_has_decided() {
    let Setup { app, code } = setup().await;
    let f = file_walk_in(&app, &code).await;
    let token = rating_token(&app, &f.aid).await;
    let (s, page) = rate(&app, &browser(), &token, "2").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("尚未作出受理决定"), "{page}");
}

/// The receipt of an accepted walk-in names the applicant and the window, links its PDF, and
/// carries the rating code as a QR image.
#[tokio::test]
async fn the_receipt_names_the_applicant_and_carries_the_rating_code() {
    let Setup { app, code } = setup().await;
    let f = accepted_walk_in(&app, &code).await;
    let token = rating_token(&app, &f.aid).await;
    let (s, sheet) = text(
        f.clerk
            .get(app.url(&format!("/applications/{}/notices/receipt", f.aid)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        sheet.contains("受理回执") && sheet.contains("王大伟") && sheet.contains("窗口受理"),
        "{sheet}"
    );
    assert!(sheet.contains(".pdf"), "the PDF beside it");
    assert!(
        sheet.contains("请扫描二维码") && sheet.contains(&format!("/rate/{token}/qr.svg")),
        "the rating code"
    );
    let r = browser()
        .get(app.url(&format!("/rate/{token}/qr.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
}

/// The applicant scans the receipt's code and rates the window 2: the department must answer
/// by a date; the code rates once only.
#[tokio::test]
async fn a_poor_rating_by_qr_code_is_followed_up_and_given_once() {
    let Setup { app, code } = setup().await;
    let f = accepted_walk_in(&app, &code).await;
    let token = rating_token(&app, &f.aid).await;
    let phone = browser();
    let (s, page) = rate(&app, &phone, &token, "2").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("感谢您的评价") && page.contains("前答复"),
        "{page}"
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM followups WHERE application_id = {} AND channel = 'qr_code' AND score = 2 AND due_at IS NOT NULL", f.aid)).await,
        1
    );
    let (_, page) = text(
        phone
            .get(app.url(&format!("/rate/{token}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(!page.contains("rate-form"), "rated: no form any more");
}

/// A rating code that was never printed is not found.
#[tokio::test]
async fn an_unknown_rating_code_is_not_found() {
    let app = TestApp::spawn().await;
    let r = browser()
        .get(app.url("/rate/not-a-code"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn print_templates_are_edited_with_preview_and_history_and_licences_print() {
    let Setup { app, code } = setup().await;
    let admin = browser();
    let csrf = sign_in(&app, &admin, "district_bureau_admin").await;
    let (s, page) = text(
        admin
            .get(app.url("/print/templates/supplement"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("补正材料通知书") && page.contains("张晓明"),
        "the default, previewed on sample data"
    );
    let post = |action: &'static str, body: &'static str| {
        admin
            .post(app.url("/print/templates/supplement"))
            .form(&[("csrf", csrf.as_str()), ("action", action), ("body", body)])
            .send()
    };
    let (s, page) = text(
        post("preview", "# 补正\n{% for m in missing %}")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("模板有误") && page.contains("# 补正"),
        "the error, and the text kept"
    );
    let (s, page) = text(
        post(
            "preview",
            "# 补正告知\n{{ app.applicant_name }} 请补：{{ missing | join('、') }}",
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("张晓明 请补：营业执照复印件不清晰、缺少卫生管理制度"),
        "{page}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM print_templates").await,
        0,
        "a preview saves nothing"
    );
    let r = post(
        "save",
        "# 补正告知\n{{ app.applicant_name }} 请补：{{ missing | join('、') }}",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = text(
        admin
            .get(app.url("/print/templates/supplement"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("第 1 版") && page.contains("district_bureau_admin"),
        "history"
    );
    // Back to the platform's default: saved as version 2.
    let r = admin
        .post(app.url("/print/templates/supplement"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "restore"),
            ("version", "0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (v, body): (i64, String) =
        zhengwu::print::repo::current(&app.db, zhengwu::print::Kind::Supplement)
            .await
            .unwrap();
    assert_eq!(v, 2);
    assert_eq!(
        body,
        zhengwu::print::defaults::body(zhengwu::print::Kind::Supplement)
    );
    // A clerk does not edit templates.
    let clerk = browser();
    sign_in(&app, &clerk, "window_clerk").await;
    let r = clerk
        .get(app.url("/print/templates/receipt"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A licence prints from its public check, with its QR code, and as PDF.
    let issue = zhengwu::licence::Issue {
        instance_id: None,
        matter_code: code.clone(),
        holder_name: "深圳市民治二次供水管理站".into(),
        holder_id: "91440300MA5F00001A".into(),
        content: serde_json::json!({"company_name": "深圳市民治二次供水管理站"}),
        valid_years: Some(4),
    };
    let l = zhengwu::licence::issue(&app.db, &Principal::system(), &issue)
        .await
        .unwrap();
    let anyone = browser();
    let (s, page) = text(
        anyone
            .get(app.url(&format!(
                "/verify/{}/print?code={}",
                l.number, l.verify_code
            )))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("深圳市民治二次供水管理站")
            && page.contains("qr.svg")
            && page.contains("单位名称"),
        "{page}"
    );
    let r = anyone
        .get(app.url(&format!(
            "/verify/{}/licence.pdf?code={}",
            l.number, l.verify_code
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let t = pdf_text(&r.bytes().await.unwrap());
    assert!(
        t.contains("深圳市民治二次供水管理站")
            && t.contains(&l.number)
            && t.contains("91440300********1A"),
        "{t}"
    );
    let r = anyone
        .get(app.url("/verify/NO-SUCH/licence.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

//! The counter's and printing's pages through a cookie-holding client, as a browser without
//! script would use them: windows set up, a kiosk ticket called to the window, a walk-in found
//! by ID number and filed for with scanned materials and checks, the receipt printed; print
//! templates edited with preview and history; a licence printed and downloaded as PDF.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use zhengwu::auth::Principal;

use crate::support::approval::{Setup, setup};
use crate::support::filing::HALL;
use crate::support::pages::{browser, hidden, sign_in};
use crate::support::pdf::pdf_text;

async fn text(r: reqwest::Response) -> (StatusCode, String) {
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn a_walk_in_takes_a_number_is_called_filed_for_and_gets_a_receipt() {
    let Setup { app, code } = setup().await;
    // The hall's admin sets up the comprehensive window; a clerk of another street is refused.
    let admin = browser();
    let csrf = sign_in(&app, &admin, "bureau_admin").await;
    let (s, page) = text(admin.get(app.url("/counter/windows")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("民治街道行政服务大厅"),
        "the hall they manage"
    );
    let window = |clerks: &'static str| {
        [
            ("csrf", csrf.clone()),
            ("unit_code", HALL.into()),
            ("number", "1".into()),
            ("name", "综合受理窗口".into()),
            ("comprehensive", "1".into()),
            ("clerks", clerks.into()),
        ]
    };
    let (s, page) = text(
        admin
            .post(app.url("/counter/windows"))
            .form(&window("window_clerk, lh_staff"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("lh_staff 不是本大厅的窗口工作人员"), "{page}");
    let r = admin
        .post(app.url("/counter/windows"))
        .form(&window("window_clerk"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let w: i64 = app.count("SELECT MAX(id) FROM hall_windows").await;

    // The kiosk: no sign-in, but its own form token.
    let kiosk = browser();
    let (_, page) = text(
        kiosk
            .get(app.url(&format!("/halls/{HALL}/kiosk")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let token = hidden(&page, "csrf");
    assert!(
        page.contains("饮用水供水单位卫生许可"),
        "the matters its windows take"
    );
    let (s, page) = text(
        kiosk
            .post(app.url(&format!("/halls/{HALL}/kiosk")))
            .form(&[("csrf", token.as_str()), ("matter_code", code.as_str())])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains("A001") && page.contains("前面还有 0 人等候"),
        "{page}"
    );
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
    // Someone signed in on the same browser (a clerk trying the kiosk) takes a number too.
    let (_, page) = text(
        admin
            .get(app.url(&format!("/halls/{HALL}/kiosk")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (s, page) = text(
        admin
            .post(app.url(&format!("/halls/{HALL}/kiosk")))
            .form(&[
                ("csrf", hidden(&page, "csrf").as_str()),
                ("matter_code", code.as_str()),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("A002"), "{page}");

    // The clerk calls it; the display shows it.
    let clerk = browser();
    let ccsrf = sign_in(&app, &clerk, "window_clerk").await;
    let r = clerk
        .post(app.url(&format!("/counter/{w}/call/next")))
        .form(&[("csrf", ccsrf.as_str())])
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

    // The applicant's ID card: a bad number is refused by its field; a walk-in is new.
    let (s, page) = text(
        clerk
            .post(app.url("/counter/find"))
            .form(&[
                ("csrf", ccsrf.as_str()),
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
    let body = "44030919850615123";
    let id = format!("{body}{}", zhengwu::ids::ResidentId::check_char(body));
    let (s, page) = text(
        clerk
            .post(app.url("/counter/find"))
            .form(&[
                ("csrf", ccsrf.as_str()),
                ("window", &w.to_string()),
                ("id_number", &id),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Shown masked; the number itself travels only in the form that carries it on.
    assert!(
        page.contains("新申请人") && page.contains(&zhengwu::ids::mask_any(&id)),
        "{page}"
    );
    assert_eq!(page.matches(&id).count(), 1, "only in the hidden field");
    let (s, form) = text(
        clerk
            .post(app.url("/counter/start"))
            .form(&[
                ("csrf", ccsrf.as_str()),
                ("window", &w.to_string()),
                ("id_number", &id),
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

    // Filed with scans and checks; the special report fails its check, so acceptance waits.
    let pdf = |b: &'static [u8], n: &'static str| {
        Part::bytes(b.to_vec())
            .file_name(n)
            .mime_str("application/pdf")
            .unwrap()
    };
    let filing = Form::new()
        .text("version", "1")
        .text("id_number", id.clone())
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
        .post(app.url(&format!("/counter/{w}/file/{code}?csrf={ccsrf}")))
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
    assert!(
        page.contains("报告已过期") && page.contains("窗口申请"),
        "{page}"
    );
    let aid = to.rsplit('/').next().unwrap().to_string();
    // Its rating code, printed on its notices, rates nothing before the window has decided.
    let token: String =
        zhengwu::storage::query_scalar("SELECT rating_token FROM applications WHERE id = $1")
            .bind(aid.parse::<i64>().unwrap())
            .fetch_one(&app.db)
            .await
            .unwrap();
    let phone = browser();
    let rate = |score: &'static str| {
        let (phone, url) = (&phone, app.url(&format!("/rate/{token}")));
        async move {
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
    };
    let (s, page) = rate("2").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("尚未作出受理决定"), "{page}");
    let accept = |checks: &'static str| {
        let mut f = vec![("csrf", ccsrf.clone()), ("decision", "accept".to_string())];
        if !checks.is_empty() {
            f.extend([
                ("check.m_special", checks.to_string()),
                ("note.m_special", String::new()),
            ]);
        }
        clerk
            .post(app.url(&format!("/applications/{aid}/decision")))
            .form(&f)
            .send()
    };
    let (s, page) = text(accept("").await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("核验未通过"), "{page}");
    let r = accept("ok").await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (s, sheet) = text(
        clerk
            .get(app.url(&format!("/applications/{aid}/notices/receipt")))
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
    let r = phone
        .get(app.url(&format!("/rate/{token}/qr.svg")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/svg+xml");

    // The applicant scans it and rates the window 2: the department must answer; once only.
    let (s, page) = rate("2").await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("感谢您的评价") && page.contains("前答复"),
        "{page}"
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM followups WHERE application_id = {aid} AND channel = 'qr_code' AND score = 2 AND due_at IS NOT NULL")).await,
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
    let r = phone.get(app.url("/rate/not-a-code")).send().await.unwrap();
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

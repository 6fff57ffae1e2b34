//! The evaluation report (绩效评价报告): generated from the demo's 2018 project in the seed's
//! outline, read back from its PDF and DOCX with the seed's figures and the 127-vs-137 finding;
//! narrative sections saved as versions (a stale save refused); issuing refused until the open
//! findings are explained, then frozen — later tickets change the live evaluation, never the
//! issued report — and who may edit, issue and read it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::crawl::demo_app;
use crate::support::pdf::pdf_text;
use crate::support::{TestApp, json_of};

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    json_of(app.put(token, path, body).await).await
}

async fn bytes(app: &TestApp, token: &str, path: &str) -> Vec<u8> {
    let r = app.get(token, path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.bytes().await.unwrap().to_vec()
}

/// The text of a DOCX's body, tags dropped.
fn docx_text(b: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(b)).expect("a DOCX is a zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn the_seeds_report_reads_back_from_pdf_and_docx_with_its_figures_and_the_127() {
    let app = demo_app().await;
    let fin = app.token("finance").await;
    let base = "/api/v1/performance/projects/LH-2018-ZWYW";
    let (s, r) = json_of(app.get(&fin, &format!("{base}/report")).await).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["title"], "2018 年度项目支出绩效评价报告");
    assert_eq!(r["issue"], Value::Null);
    assert_eq!(r["sections"].as_array().unwrap().len(), 8, "{r}");
    assert!(
        r["sections"][0]["text"]
            .as_str()
            .unwrap()
            .contains("深府办〔2015〕39号"),
        "the background is drafted from the basis documents: {r}"
    );
    let pdf = pdf_text(&bytes(&app, &fin, &format!("{base}/report.pdf")).await);
    let docx = docx_text(&bytes(&app, &fin, &format!("{base}/report.docx")).await);
    for text in [&pdf, &docx] {
        // pdftotext may break a line anywhere: compare without whitespace.
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for want in [
            "一、项目概况",
            "五、相关建议和整改措施",
            "预算金额为227万元",
            "调整后该项目的预算指标为224万元",
            "中标金额为279.6万元",
            "即111.84万元",
            "0100014480",
            "0100024174",
            "合计223.68万元",
            "合同尚余55.92万元",
            "完成率为99.86%",
            "中标金额不可提前确定",
            "项目支出绩效自评表",
            "9287",
            "127",
            "137",
            // The demo's narrative is the seed report's own.
            "在全市十个区排名第一",
            "配备相应数量的程序开发人员",
        ] {
            assert!(flat.contains(want), "{want} missing from:\n{text}");
        }
    }
}

#[tokio::test]
async fn the_narrative_keeps_versions_and_the_issued_report_is_frozen() {
    let app = TestApp::spawn().await;
    let admin = app.token("district_bureau_admin").await;
    let year = zhengwu::clock::display(&app.db.now())[..4]
        .parse::<i32>()
        .unwrap();
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2019()).unwrap();
    d["code"] = json!("WJ-REPORT");
    d["year"] = json!(year);
    d["payments"][0]["date"] = json!(format!("{year}-06-20"));
    d["department"] = json!("440309-D02");
    d["declared"] = json!({"ops.total": 0});
    let (s, r) = json_of(app.post(&admin, "/api/v1/performance/projects", d).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let base = "/api/v1/performance/projects/WJ-REPORT";
    let section = format!("{base}/report/sections/problems");
    // A save names the version it was written on; a second writer on the same one is stale.
    let (s, r) = put(
        &app,
        &admin,
        &section,
        json!({"text": "第一稿：响应偏慢。", "base_version": 0}),
    )
    .await;
    assert_eq!((s, &r["version"]), (StatusCode::OK, &json!(1)), "{r}");
    let (s, r) = put(
        &app,
        &admin,
        &section,
        json!({"text": "另一人的稿", "base_version": 0}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{r}");
    let (s, r) = put(
        &app,
        &admin,
        &section,
        json!({"text": "第二稿：市平台开发人员不足。", "base_version": 1}),
    )
    .await;
    assert_eq!((s, &r["version"]), (StatusCode::OK, &json!(2)), "{r}");
    let (_, v) = json_of(app.get(&admin, &format!("{section}/versions")).await).await;
    let texts: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        ["第二稿：市平台开发人员不足。", "第一稿：响应偏慢。"]
    );
    // Bad text and unknown sections are refused, nothing stored.
    let (s, r) = put(
        &app,
        &admin,
        &section,
        json!({"text": "x\u{202e}y", "base_version": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let (s, _) = put(
        &app,
        &admin,
        &format!("{base}/report/sections/nope"),
        json!({"text": "x", "base_version": 0}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, r) = put(
        &app,
        &admin,
        &section,
        json!({"text": "x", "base_version": 7}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a version that never was: {r}"
    );
    let (s, r) = put(&app, &admin, &section, json!({"text": 5})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    // An auditor reads the report and writes none of it; a clerk does not see it.
    let auditor = app.token("district_auditor").await;
    let (s, _) = json_of(app.get(&auditor, &format!("{base}/report")).await).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = put(
        &app,
        &auditor,
        &section,
        json!({"text": "x", "base_version": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = json_of(
        app.post(
            &auditor,
            &format!("{base}/report/finalise"),
            json!({"explanation": "x"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let clerk = app.token("window_clerk").await;
    let (s, _) = json_of(app.get(&clerk, &format!("{base}/report")).await).await;
    assert!(
        s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN,
        "{s}"
    );
    // A ticket makes the declared 0 disagree: issuing then needs an explanation.
    let eng_clerk = app.token("window_clerk").await;
    let ticket = json!({"system": "approval", "category": "fault", "title": "受理页面打不开", "description": "见截图"});
    let (s, _) = json_of(
        app.post(&eng_clerk, "/api/v1/ops/tickets", ticket.clone())
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let finalise = format!("{base}/report/finalise");
    let (s, r) = json_of(app.post(&admin, &finalise, json!({})).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    assert!(r.to_string().contains("explanation"), "{r}");
    let docx_before = docx_text(&bytes(&app, &admin, &format!("{base}/report.docx")).await);
    let (s, issue) = json_of(
        app.post(
            &admin,
            &finalise,
            json!({"explanation": "年初申报数为估算，以平台数据为准。"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{issue}");
    let hash = issue["content_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'performance.finalise'")
            .await,
        1
    );
    let (_, r) = json_of(app.get(&admin, &format!("{base}/report")).await).await;
    assert_eq!(r["issue"]["content_hash"], hash);
    let sections_issued = r["sections"].clone();
    assert_eq!(
        r["issue"]["explanation"],
        "年初申报数为估算，以平台数据为准。"
    );
    // Later tickets change the live evaluation, never the issued report.
    for _ in 0..2 {
        let (s, _) = json_of(
            app.post(&eng_clerk, "/api/v1/ops/tickets", ticket.clone())
                .await,
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, e) = json_of(app.get(&admin, &format!("{base}/evaluation")).await).await;
    assert_eq!(e["computed"]["ops.total"], json!(3.0), "{e}");
    let docx_after = docx_text(&bytes(&app, &admin, &format!("{base}/report.docx")).await);
    assert_eq!(docx_before, docx_after);
    assert!(docx_after.contains("第二稿：市平台开发人员不足。"));
    let pdf = pdf_text(&bytes(&app, &admin, &format!("{base}/report.pdf")).await);
    assert!(pdf.contains("受理运维服务请求 1 次"), "{pdf}");
    // The issued report's sections read as issued, drafts included.
    let (_, r) = json_of(app.get(&admin, &format!("{base}/report")).await).await;
    assert_eq!(r["sections"], sections_issued);
    // Frozen: no more edits, no second issue, and the year behind it no longer changes.
    let (s, _) = json_of(
        app.post(
            &admin,
            &format!("{base}/payments"),
            json!({"date": format!("{year}-07-01"), "amount": "1.00", "voucher": "LATE-1"}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, mut doc) = json_of(app.get(&admin, base).await).await;
    doc["payments"] = json!([]);
    let (s, _) = json_of(app.post(&admin, "/api/v1/performance/projects", doc).await).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = put(
        &app,
        &admin,
        &section,
        json!({"text": "改", "base_version": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = json_of(
        app.post(&admin, &finalise, json!({"explanation": "再次"}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

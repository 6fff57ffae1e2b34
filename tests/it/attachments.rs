//! Files on approvers' actions: uploads checked by content, name and size; stored once per
//! content; attached to an action in its transaction; served to those who may see the case and
//! to no one else; a changed byte in the store is never served.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::support::approval::{Setup, act, inbox, setup, start};
use crate::support::{TestApp, json_of};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let form = Form::new().part(
        "file",
        Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    );
    json_of(
        app.client
            .post(app.url("/api/v1/files"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn an_approver_attaches_a_report_and_only_those_on_the_case_can_open_it() {
    let Setup { app, code } = setup().await;
    let clerk = app.token("window_clerk").await;
    let inst = start(&app, &code, "LH2026-0900").await;
    let id = inst["id"].as_i64().unwrap();
    let accept = inbox(&app, &clerk).await[0]["task"]["id"].as_i64().unwrap();

    // Checked by content, not by name; file names cannot climb folders.
    let (s, e) = upload(&app, &clerk, "报告.pdf", b"#!/bin/sh\nrm -rf /\n").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("文件类型"),
        "{e}"
    );
    let (s, e) = upload(&app, &clerk, "../../etc/passwd.pdf", PDF).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("文件名"),
        "{e}"
    );
    let (s, _) = upload(&app, &clerk, "空.pdf", b"").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM files").await,
        0,
        "nothing kept of refused uploads"
    );

    // The same content twice is kept once.
    let (s, f1) = upload(&app, &clerk, "现场核查记录.pdf", PDF).await;
    assert_eq!(s, StatusCode::CREATED, "{f1}");
    assert_eq!(f1["content_type"], "application/pdf");
    let (_, f2) = upload(&app, &clerk, "核查记录副本.pdf", PDF).await;
    assert_eq!(f1["sha256"], f2["sha256"]);
    assert_eq!(app.count("SELECT COUNT(*) FROM blobs").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM files").await, 2);

    // Someone else's upload cannot be attached; nothing of the refused action is applied.
    let (ha, ma) = (app.token("health.a").await, app.token("market.a").await);
    let (_, theirs) = upload(&app, &ha, "卫健意见.pdf", PDF).await;
    let (s, e) = act(
        &app,
        &clerk,
        accept,
        json!({"action": "pass", "attachments": [theirs["id"]]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["error"]["fields"][0]["field"], "attachments");
    assert_eq!(inbox(&app, &clerk).await.len(), 1, "the task is still open");

    let (s, p) = act(
        &app,
        &clerk,
        accept,
        json!({"action": "pass", "opinion": "材料齐全，附核查记录", "attachments": [f1["id"]]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");

    // The case lists it and the history names it.
    let (_, case) = json_of(app.get(&clerk, &format!("/api/v1/approvals/{id}")).await).await;
    let files = case["attachments"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["name"], "现场核查记录.pdf");
    assert_eq!(files[0]["actor"], "window_clerk");
    let last = case["history"].as_array().unwrap().last().unwrap();
    assert!(
        last["after_json"]
            .as_str()
            .unwrap()
            .contains("现场核查记录.pdf"),
        "{last}"
    );

    // Those on the case open it; the market approver (next step's countersign) is on it too,
    // a clerk of another street is not.
    let fid = f1["id"].as_i64().unwrap();
    let path = format!("/api/v1/approvals/{id}/files/{fid}");
    let r = app.get(&ha, &path).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline; filename*=UTF-8''")
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(app.get(&ma, &path).await.status(), StatusCode::OK);
    let other = app.token("lh_staff").await;
    assert_eq!(app.get(&other, &path).await.status(), StatusCode::NOT_FOUND);
    // A file of this case under another case's number is not found either.
    let other_case = start(&app, &code, "LH2026-0901").await["id"]
        .as_i64()
        .unwrap();
    let wrong = format!("/api/v1/approvals/{other_case}/files/{fid}");
    assert_eq!(
        app.get(&clerk, &wrong).await.status(),
        StatusCode::NOT_FOUND
    );
    // Uploads are private to their uploader until attached.
    let own = format!("/api/v1/files/{}", f2["id"]);
    assert_eq!(app.get(&clerk, &own).await.status(), StatusCode::OK);
    assert_eq!(app.get(&ha, &own).await.status(), StatusCode::NOT_FOUND);

    // One changed byte in the store: refused, never served.
    let mut bad = PDF.to_vec();
    bad[10] ^= 1;
    zhengwu::storage::query("UPDATE blobs SET content = $1")
        .bind(bad)
        .execute(&app.db)
        .await
        .unwrap();
    assert_eq!(
        app.get(&ha, &path).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

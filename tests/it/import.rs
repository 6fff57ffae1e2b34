//! Bulk import of accounts: CSV with and without BOM, XLSX, bad rows, dry run, scope.

use reqwest::StatusCode;
use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::support::{TestApp, json_of};

const GOOD: &str = "username,name,org_unit,roles,email,phone\n\
    imp.one,赵一,440309004001,window_clerk,imp1@longhua.example.cn,13800000001\n\
    imp.two,钱二,龙华区/民治街道/北站社区,审批人员;window_clerk,,\n\
    imp.three,孙三,440309004-H,window_clerk,,0755-23336001\n";

async fn import(app: &TestApp, token: &str, body: Vec<u8>, dry_run: bool) -> (StatusCode, Value) {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/accounts/import?dry_run={dry_run}")))
        .bearer_auth(token)
        .body(body)
        .send()
        .await
        .unwrap();
    json_of(r).await
}

#[tokio::test]
async fn a_good_csv_imports_every_row_with_roles() {
    let app = TestApp::spawn().await;
    let t = app.token("department_admin").await;
    let (s, r) = import(&app, &t, GOOD.as_bytes().to_vec(), false).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["created"], 3);
    assert_eq!(r["generated_passwords"].as_array().unwrap().len(), 3);
    let pw = r["generated_passwords"][1][1].as_str().unwrap();
    assert_eq!(app.login("imp.two", pw).await.status(), StatusCode::OK);
    let grants = app.count("SELECT COUNT(*) FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'imp.two'").await;
    assert_eq!(grants, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.import'")
            .await,
        3
    );
}

#[tokio::test]
async fn a_csv_with_bom_as_excel_saves_it_imports_the_same() {
    let app = TestApp::spawn().await;
    let t = app.token("department_admin").await;
    let mut body = "\u{feff}".as_bytes().to_vec();
    body.extend(GOOD.replace('\n', "\r\n").as_bytes());
    let (s, r) = import(&app, &t, body, false).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["created"], 3);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'imp.one'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_xlsx_with_chinese_headers_imports() {
    let app = TestApp::spawn().await;
    let t = app.token("department_admin").await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let rows = [
        [
            "用户名",
            "姓名",
            "所属机构",
            "角色",
            "邮箱",
            "电话",
            "初始密码",
        ],
        [
            "xl.one",
            "周一",
            "440309004001",
            "窗口工作人员",
            "",
            "13900000001",
            "Start2026a",
        ],
        [
            "xl.two",
            "吴二",
            "龙华区/民治街道",
            "approver",
            "xl2@longhua.example.cn",
            "",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    ws.write_number(1, 5, 13900000001.0).unwrap(); // Excel turns phone numbers into numbers
    let (s, r) = import(&app, &t, wb.save_to_buffer().unwrap(), false).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["created"], 2);
    assert_eq!(r["generated_passwords"].as_array().unwrap().len(), 1);
    assert_eq!(
        app.login("xl.one", "Start2026a").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn any_bad_row_imports_nothing_and_every_bad_row_is_reported() {
    let app = TestApp::spawn().await;
    let t = app.token("department_admin").await;
    let before = app.count("SELECT COUNT(*) FROM users").await;
    let file = "username,name,org_unit,roles,email,phone\n\
        ok.one,好人,440309004001,window_clerk,,\n\
        mz_staff,重名,440309004001,window_clerk,,\n\
        ok.two,越权,440309003002,window_clerk,,\n\
        ok.three,坏角色,440309004001,emperor,,\n\
        ok.one,重复,440309004001,window_clerk,,\n\
        ok.four,坏邮箱,不存在的机构,window_clerk,bad-mail,12\n\
        ok.five,提权,440309004001,bureau_admin,,\n";
    let (s, r) = import(&app, &t, file.as_bytes().to_vec(), false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r["created"], 0);
    let errs = r["errors"].as_array().unwrap();
    let pairs: Vec<(i64, &str)> = errs
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        [
            (3, "username"),
            (4, "org_unit"),
            (4, "roles"),
            (5, "roles"),
            (6, "username"),
            (7, "email"),
            (7, "phone"),
            (7, "org_unit"),
            (8, "roles")
        ]
    );
    assert_eq!(errs[0]["message_zh"], "该用户名已被使用。");
    assert_eq!(errs[0]["message_en"], "That username is already taken.");
    assert_eq!(
        errs[1]["message_en"],
        "Unit 清湖社区 is outside what you administer."
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await,
        before,
        "nothing written"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'user.import'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_dry_run_reports_without_writing_and_missing_columns_are_named() {
    let app = TestApp::spawn().await;
    let t = app.token("department_admin").await;
    let before = app.count("SELECT COUNT(*) FROM users").await;
    let (s, r) = import(&app, &t, GOOD.as_bytes().to_vec(), true).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (
            r["rows"].as_i64(),
            r["created"].as_i64(),
            r["dry_run"].as_bool()
        ),
        (Some(3), Some(0), Some(true))
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, before);
    let (s, r) = import(&app, &t, b"username,name\nx,y\n".to_vec(), false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let missing: Vec<&str> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["column"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["org_unit", "roles", "email", "phone"]);
    let (s, r) = import(&app, &t, vec![0xff, 0xfe, 0x41], false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r["errors"][0]["message_zh"]
            .as_str()
            .unwrap()
            .starts_with("无法读取文件")
    );
}

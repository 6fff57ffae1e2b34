//! The ticket ledger in and out: an older system's ledger imported (codes or Chinese names, units
//! by code or path), all or nothing with every bad row reported, counted in the figures like any
//! other ticket; exported in the same columns, over the API and the command line.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

const HEADER: &str = "number,system,category,priority,channel,unit,reporter,opened_at,first_response_at,resolved_at,status,escalated_to\n";

async fn manager(app: &TestApp) -> String {
    let admin = app.token("district_bureau_admin").await;
    let body = json!({"username": "district.mgr", "name": "运维经理", "org_unit_id": app.unit_id("district"),
                      "password": crate::support::PASSWORD, "roles": [{"role": "om_manager"}]});
    assert_eq!(
        app.post(&admin, "/api/v1/accounts", body).await.status(),
        StatusCode::CREATED
    );
    app.token("district.mgr").await
}

async fn import(app: &TestApp, token: &str, csv: &str) -> (StatusCode, Value) {
    json_of(
        app.client
            .post(app.url("/api/v1/ops/tickets/import"))
            .bearer_auth(token)
            .body(csv.to_string())
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn a_ledger_comes_in_whole_or_not_at_all_and_goes_out_the_same() {
    let app = TestApp::spawn().await;
    let mgr = manager(&app).await;
    let good = format!(
        "{HEADER}\
         YW2018-0001,approval,fault,normal,phone,440309004001,张三,2018-03-05 10:00:00,2018-03-05 10:01:00,2018-03-05 15:00:00,closed,\n\
         YW2018-0002,网上办事大厅,账号与权限,紧急,现场,龙华区/民治街道,李四,2018-10-01 09:30:00,2018-10-01 09:40:00,,in_progress,district\n\
         YW2018-0003,window,print_template,low,remote,440309003002,王五,2018-03-06 20:00:00,2018-03-06 20:05:00,2018-03-08 11:00:00,resolved,developers\n"
    );
    // Bad rows: every one reported with its row and column, nothing written.
    let bad = format!(
        "{good}\
         YW2018-0004,mainframe,fault,normal,phone,440309004001,赵六,2018-03-05 10:00:00,,,new,\n\
         YW2018-0005,approval,fault,normal,phone,NOWHERE,赵六,2018-03-05 10:00,,,new,\n\
         YW2018-0006,approval,fault,normal,phone,440309004001,赵六,2018-03-05 10:00:00,2018-03-05 09:00:00,,responded,\n\
         YW2018-0001,approval,fault,normal,phone,440309004001,,昨天,,,resolved,\n"
    );
    let (s, r) = import(&app, &mgr, &bad).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{r}");
    let got: Vec<(i64, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (5, "system"),
            (6, "unit"),
            (7, "first_response_at"),
            (8, "reporter"),
            (8, "opened_at"),
            (8, "resolved_at")
        ],
        "{r}"
    );
    assert!(
        r["errors"][0]["message_zh"]
            .as_str()
            .unwrap()
            .contains("mainframe")
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM ops_tickets").await, 0);
    // A clerk may not import at all.
    let clerk = app.token("window_clerk").await;
    assert_eq!(import(&app, &clerk, &good).await.0, StatusCode::FORBIDDEN);

    let (s, r) = import(&app, &mgr, &good).await;
    assert_eq!(
        (s, r["imported"].as_i64()),
        (StatusCode::OK, Some(3)),
        "{r}"
    );
    // The same again: every number is taken.
    let (s, r) = import(&app, &mgr, &good).await;
    assert_eq!(
        (s, r["errors"].as_array().unwrap().len()),
        (StatusCode::UNPROCESSABLE_ENTITY, 3)
    );

    // Counted in the figures of 2018, with their service levels judged on that year's calendar:
    // the first answered in a minute, the third (a Tuesday evening) within the duty engineer's hour.
    let (s, st) = json_of(
        app.get(&mgr, "/api/v1/ops/stats?from=2018-01-01&to=2018-12-31")
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{st}");
    assert_eq!(
        (st["total"].as_i64(), st["resolved"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(st["escalated_to_developers"], 1);
    assert_eq!(st["median_first_response_seconds"], 300.0);
    assert_eq!(st["response_sla_met_rate"], 1.0);
    assert_eq!(st["by_level"]["district"]["total"], 1);
    assert_eq!(
        st["by_system"]["hall"]["total"], 1,
        "Chinese names were read as codes"
    );

    // Out again in the same columns, China time.
    let r = app
        .get(
            &mgr,
            "/api/v1/ops/tickets/export?format=csv&from=2018-03-01&to=2018-03-31",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with(HEADER.trim_end()), "{}", lines[0]);
    assert_eq!(lines.len(), 3, "March only: {text}");
    assert!(lines[1].starts_with("YW2018-0001,approval,fault,normal,phone,440309004001,张三,2018-03-05 10:00:00,2018-03-05 10:01:00,2018-03-05 15:00:00,closed,"), "{}", lines[1]);
    let xlsx = app
        .get(&mgr, "/api/v1/ops/tickets/export")
        .await
        .bytes()
        .await
        .unwrap();
    assert!(xlsx.starts_with(b"PK\x03\x04"));
}

#[tokio::test]
async fn the_command_line_imports_and_exports_the_ledger() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ledger.csv");
    std::fs::write(
        &file,
        format!("{HEADER}YW2018-0100,platform,security,high,email,440309,赵六,2018-06-01 10:00:00,2018-06-01 10:00:30,2018-06-01 11:00:00,closed,\n"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_zhengwu"))
            .arg("--data-dir")
            .arg(dir.path())
            .arg("--database-url")
            .arg(app.database_url.as_str())
            .args(args)
            .env("ZHENGWU_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = run(&["tickets", "import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已导入 1 张工单"));
    let back = dir.path().join("out.xlsx");
    let out = run(&["tickets", "export", back.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The exported workbook imports as the same ledger: its number is now taken.
    let out = run(&["tickets", "import", back.to_str().unwrap(), "--dry-run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YW2018-0100"));
}

/// The ledger export refuses a period past 100,000 tickets before reading them, and says how to
/// narrow it; a narrower period exports.
#[tokio::test]
async fn a_ledger_export_too_large_is_refused_until_the_period_is_narrowed() {
    let app = TestApp::spawn().await;
    let mgr = manager(&app).await;
    let one = format!(
        "{HEADER}YW2018-0001,approval,fault,normal,phone,440309004001,张三,2018-03-05 10:00:00,,,new,\n"
    );
    assert_eq!(import(&app, &mgr, &one).await.0, StatusCode::OK);
    let cols = "system, category, priority, channel, status, home_level, level, unit_id, \
                unit_path, reporter, title, description, off_hours, opened_at, response_due_at, \
                resolution_warn_at, resolution_due_at, created_by, updated_at";
    zhengwu::storage::query(format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100001) \
         INSERT INTO ops_tickets (number, {cols}) \
         SELECT 'BULK-' || CAST(n.i AS TEXT), {cols} FROM ops_tickets, n \
         WHERE ops_tickets.number = 'YW2018-0001'"
    ))
    .execute(&app.db)
    .await
    .unwrap();
    let (s, e) = json_of(app.get(&mgr, "/api/v1/ops/tickets/export?format=csv").await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let msg = e["error"]["fields"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("100000") && msg.contains("缩小时间范围"),
        "{msg}"
    );
    let r = app
        .get(
            &mgr,
            "/api/v1/ops/tickets/export?format=csv&from=2019-01-01",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

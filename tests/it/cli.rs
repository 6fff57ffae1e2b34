//! The command line on the same store as a server: migrate, add-admin, users import.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{TestApp, fresh_database_url};

fn zhengwu(dir: &std::path::Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhengwu"));
    c.arg("--data-dir")
        .arg(dir)
        .arg("--database-url")
        .arg(url)
        .args(args);
    c.env("ZHENGWU_LOG", "warn");
    c
}

#[tokio::test]
async fn add_admin_on_an_empty_store_then_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let out = zhengwu(dir.path(), &url, &["migrate"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Password from stdin.
    let mut child = zhengwu(dir.path(), &url, &["users", "add-admin", "chief"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"FirstAdmin2026\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("created bureau admin chief"));
    // A weak password is refused with a reason in both languages.
    let out = zhengwu(
        dir.path(),
        &url,
        &["users", "add-admin", "second", "--password", "weak"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("密码至少 8 位") && err.contains("at least 8 characters"),
        "{err}"
    );

    let db = zhengwu::storage::Db::open(&url).await.unwrap();
    let (_, p) = zhengwu::auth::login(&db, "chief", "FirstAdmin2026", None)
        .await
        .unwrap();
    assert!(p.has_role(zhengwu::auth::Role::BureauAdmin));
}

#[tokio::test]
async fn users_import_from_the_command_line() {
    let app = TestApp::spawn().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("staff.csv");
    std::fs::write(&file, "username,name,org_unit,roles,email,phone\ncli.one,命令,龙华区/龙华街道/清湖社区,window_clerk,,\n").unwrap();
    let f = file.to_str().unwrap();
    let out = zhengwu(
        dir.path(),
        &app.database_url,
        &["users", "import", f, "--dry-run"],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("dry run: 1 rows OK"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'cli.one'")
            .await,
        0
    );
    let out = zhengwu(dir.path(), &app.database_url, &["users", "import", f])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'cli.one'")
            .await,
        1
    );
    // The same file again: every row is now a duplicate; exit code 2, reasons printed.
    let out = zhengwu(dir.path(), &app.database_url, &["users", "import", f])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 2: [username] 该用户名已被使用。"));
}

#[tokio::test]
async fn audit_verify_names_the_first_entry_that_breaks_the_chain() {
    let app = TestApp::spawn().await;
    // A few audited changes: sign-ins, an account.
    let admin = app.token("district_bureau_admin").await;
    let _ = app.token("auditor").await;
    let r = app
        .post(
            &admin,
            "/api/v1/accounts",
            serde_json::json!({"username": "chain.user", "name": "链", "org_unit_id": app.unit_id("beizhan"),
                               "password": "Welcome2026"}),
        )
        .await;
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let dir = tempfile::tempdir().unwrap();
    let verify = || {
        zhengwu(dir.path(), &app.database_url, &["audit", "verify"])
            .output()
            .unwrap()
    };
    let out = verify();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("intact"), "{text}");
    // Today's anchor is kept once, however many nodes try.
    assert!(zhengwu::audit::chain::anchor_today(&app.db).await.unwrap());
    assert!(!zhengwu::audit::chain::anchor_today(&app.db).await.unwrap());
    let ids: Vec<i64> = zhengwu::storage::query_scalar("SELECT id FROM audit_log ORDER BY id")
        .fetch_all(&app.db)
        .await
        .unwrap();
    assert!(ids.len() >= 3);
    // Someone with database access rewrites an entry's summary: named.
    app.db
        .execute_batch(&format!(
            "UPDATE audit_log SET summary = 'nothing happened' WHERE id = {}",
            ids[1]
        ))
        .await
        .unwrap();
    let out = verify();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!("BROKEN at entry {}", ids[1])),
        "{text}"
    );
    // Or removes one: the next entry is named.
    let r = zhengwu::audit::chain::verify(&app.db).await.unwrap();
    assert_eq!(r.broken.as_ref().unwrap().0, ids[1]);
    app.db
        .execute_batch(&format!("DELETE FROM audit_log WHERE id = {}", ids[1]))
        .await
        .unwrap();
    let r = zhengwu::audit::chain::verify(&app.db).await.unwrap();
    assert_eq!(r.broken.unwrap().0, ids[2]);
    // Or cuts the trail short after the anchor: the anchor no longer matches.
    app.db
        .execute_batch(&format!("DELETE FROM audit_log WHERE id >= {}", ids[1]))
        .await
        .unwrap();
    assert!(
        zhengwu::audit::chain::verify(&app.db)
            .await
            .unwrap()
            .broken
            .is_none()
    );
    let out = verify();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("anchor"), "{text}");
}

#[tokio::test]
async fn performance_import_from_the_command_line() {
    let app = crate::crawl::demo_app().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("project.json");
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2019()).unwrap();
    d["code"] = "LH-CLI-2019".into();
    std::fs::write(&file, d.to_string()).unwrap();
    let f = file.to_str().unwrap();
    let count = || app.count("SELECT COUNT(*) FROM perf_projects WHERE code = 'LH-CLI-2019'");
    let run = |args: &[&str]| {
        zhengwu(dir.path(), &app.database_url, args)
            .output()
            .unwrap()
    };
    let out = run(&["performance", "import", f, "--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(count().await, 0, "a dry run writes nothing");
    let out = run(&["performance", "import", f]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(count().await, 1);
    // A bad document: every problem named in both languages, exit code 2, nothing changed.
    d["budget"]["initial"] = "两百万".into();
    d["name"] = "改过的名字".into();
    std::fs::write(&file, d.to_string()).unwrap();
    let out = run(&["performance", "import", f]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("budget.initial"), "{err}");
    let name: String =
        zhengwu::storage::query_scalar("SELECT name FROM perf_projects WHERE code = 'LH-CLI-2019'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_ne!(name, "改过的名字");
    // The same project-year as a workbook, exported by the platform: imported as well.
    let mut doc: zhengwu::performance::Doc = serde_json::from_value(
        serde_json::to_value(zhengwu::performance::demo::project_2019()).unwrap(),
    )
    .unwrap();
    doc.code = "LH-CLI-XLSX".into();
    let book = dir.path().join("project.xlsx");
    std::fs::write(&book, zhengwu::performance::exchange::export(&doc).unwrap()).unwrap();
    let out = run(&["performance", "import", book.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM perf_projects WHERE code = 'LH-CLI-XLSX'")
            .await,
        1
    );
}

//! The demo district through the real binary: built once with the report's 881 accounts,
//! reopened as it is, its sign-ins' password settable; clean shutdown on SIGTERM; logs carry no
//! passwords.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{fresh_database_url, json_of};

struct Running {
    child: Child,
    _stdout: BufReader<std::process::ChildStdout>,
    /// Drains stderr while the server runs, so a full pipe never blocks its logging.
    logs: Option<std::thread::JoinHandle<String>>,
    url: String,
    banner: String,
}

impl Drop for Running {
    /// A test that fails before [`stop`] still leaves no server running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn start(dir: &std::path::Path, db: &str, extra: &[&str]) -> Running {
    start_with(dir, db, extra, &[])
}

fn start_with(dir: &std::path::Path, db: &str, extra: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhengwu"))
        .envs(env.iter().copied())
        .arg("--data-dir")
        .arg(dir)
        .arg("--database-url")
        .arg(db)
        .args(["demo", "--listen", "127.0.0.1:0"])
        .args(extra)
        .env("ZHENGWU_LOG_FORMAT", "json")
        .env("ZHENGWU_LOG", "info,tower_http=debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut url, mut banner, mut line) = (String::new(), String::new(), String::new());
    while out.read_line(&mut line).unwrap() > 0 {
        if let Some(u) = line.trim().strip_prefix("zhengwu listening on ") {
            url = u.trim_end_matches('/').to_string();
        }
        banner.push_str(&line);
        // The banner ends with the last demo sign-in.
        if line.contains(zhengwu::demo::LOGINS[zhengwu::demo::LOGINS.len() - 1].0) {
            break;
        }
        line.clear();
    }
    assert!(!url.is_empty(), "no URL printed: {banner}");
    let mut err = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    Running {
        child,
        _stdout: out,
        logs: Some(logs),
        url,
        banner,
    }
}

/// SIGTERM, then the exit status and everything logged.
fn stop(mut r: Running) -> (bool, String) {
    Command::new("kill")
        .arg("-TERM")
        .arg(r.child.id().to_string())
        .status()
        .unwrap();
    let status = r.child.wait().unwrap();
    let logs = r.logs.take().map(|h| h.join().unwrap()).unwrap_or_default();
    (status.success(), logs)
}

async fn token(url: &str, user: &str, pw: &str) -> (StatusCode, String) {
    let r = reqwest::Client::new()
        .post(format!("{url}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": user, "password": pw}))
        .send()
        .await
        .unwrap();
    let s = r.status();
    let v: Value = r.json().await.unwrap();
    (s, v["token"].as_str().unwrap_or_default().to_string())
}

async fn get(url: &str, token: &str, path: &str) -> Value {
    let r = reqwest::Client::new()
        .get(format!("{url}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    json_of(r).await.1
}

#[tokio::test]
async fn demo_district_is_built_once_reopened_and_shut_down_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database_url(dir.path()).await;
    let run = start(dir.path(), &db, &[]);
    for user in crate::crawl::ROLES {
        assert!(run.banner.contains(user), "banner lacks {user}");
    }
    let (s, t) = token(&run.url, "admin", zhengwu::demo::DEFAULT_PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    let accounts = get(&run.url, &t, "/api/v1/accounts?per_page=1").await;
    assert_eq!(accounts["total"], 881);
    let units = get(&run.url, &t, "/api/v1/org/units").await;
    let units = units.as_array().unwrap();
    let count = |k: &str| units.iter().filter(|u| u["kind"] == k).count();
    assert_eq!(count("district"), 1);
    assert_eq!(count("street"), 6);
    assert!(
        (45..=60).contains(&count("community")),
        "{}",
        count("community")
    );
    assert_eq!(count("department"), 12);
    assert_eq!(count("hall"), 1 + 6 + count("community"));
    for street in [
        "观湖街道",
        "民治街道",
        "龙华街道",
        "大浪街道",
        "福城街道",
        "观澜街道",
    ] {
        assert!(units.iter().any(|u| u["name"] == street), "{street}");
    }
    // Every role has accounts.
    for role in zhengwu::auth::Role::ALL {
        let r = get(
            &run.url,
            &t,
            &format!("/api/v1/accounts?per_page=1&role={}", role.as_str()),
        )
        .await;
        assert!(r["total"].as_i64().unwrap() > 0, "{role:?}");
    }
    // The street admin sees only 民治街道's accounts.
    let (_, st) = token(&run.url, "minzhi.admin", zhengwu::demo::DEFAULT_PASSWORD).await;
    let mine = get(&run.url, &st, "/api/v1/accounts?per_page=1").await["total"]
        .as_i64()
        .unwrap();
    assert!(mine > 20 && mine < 881, "{mine}");
    let (_, _) = token(&run.url, "clerk", "a-wrong-password-1").await;

    let (clean, logs) = stop(run);
    assert!(clean, "SIGTERM ends the server cleanly");
    assert!(logs.contains("shutting down"));
    for line in logs.lines().filter(|l| !l.trim().is_empty()) {
        serde_json::from_str::<Value>(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
    }
    assert!(logs.contains("/api/v1/auth/login"), "requests are logged");
    assert!(
        !logs.contains(zhengwu::demo::DEFAULT_PASSWORD) && !logs.contains("a-wrong-password-1")
    );

    // Reopened: nothing rebuilt, password unchanged.
    let run = start(dir.path(), &db, &[]);
    assert!(run.banner.contains("unchanged"));
    let (s, t) = token(&run.url, "admin", zhengwu::demo::DEFAULT_PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        get(&run.url, &t, "/api/v1/accounts?per_page=1").await["total"],
        881
    );
    assert!(stop(run).0);

    // --demo-password resets the sign-ins.
    let run = start(dir.path(), &db, &["--demo-password", "Another2026"]);
    assert_eq!(
        token(&run.url, "clerk", "Another2026").await.0,
        StatusCode::OK
    );
    assert_eq!(
        token(&run.url, "clerk", zhengwu::demo::DEFAULT_PASSWORD)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert!(stop(run).0);
}

#[tokio::test]
async fn the_demo_runs_on_national_cryptography_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_database_url(dir.path()).await;
    let run = start_with(
        dir.path(),
        &db,
        &[],
        &[
            ("ZHENGWU_HASH", "sm3"),
            ("ZHENGWU_VAULT_CIPHER", "sm4-gcm"),
            ("ZHENGWU_LICENCE_ALGORITHM", "sm2"),
        ],
    );
    let (s, t) = token(&run.url, "citizen", zhengwu::demo::DEFAULT_PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    let me = get(&run.url, &t, "/api/v1/me").await;
    assert_eq!(me["username"], "citizen");
    let store = zhengwu::storage::Db::open(&db).await.unwrap();
    // The session is kept as its SM3 digest; the citizen's ID number sealed with SM4-GCM.
    let hashes: Vec<String> = zhengwu::storage::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&store)
        .await
        .unwrap();
    assert!(hashes.contains(&zhengwu::crypto::Hash::Sm3.hex(t.as_bytes())));
    let id: String =
        zhengwu::storage::query_scalar("SELECT id_number FROM users WHERE username = 'citizen'")
            .fetch_one(&store)
            .await
            .unwrap();
    assert!(id.starts_with("v2:"), "{id}");
    // The departments sign with SM2; the demo's licences verify.
    let algs: Vec<String> =
        zhengwu::storage::query_scalar("SELECT DISTINCT algorithm FROM licence_keys")
            .fetch_all(&store)
            .await
            .unwrap();
    assert_eq!(algs, ["sm2"]);
    assert_first_licence_valid(&store, &run.url, &t).await;
    // The audit chain is SM3.
    let h: String = zhengwu::storage::query_scalar(
        "SELECT hash FROM audit_log WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&store)
    .await
    .unwrap();
    assert!(h.starts_with("sm3:"), "{h}");
    let (ok, _) = stop(run);
    assert!(ok);
}

fn cli(dir: &std::path::Path, db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zhengwu"))
        .arg("--data-dir")
        .arg(dir)
        .arg("--database-url")
        .arg(db)
        .args(args)
        .env("ZHENGWU_LOG", "warn")
        .output()
        .unwrap()
}

async fn counts(url: &str) -> Vec<i64> {
    let db = zhengwu::storage::Db::open(url).await.unwrap();
    let mut out = vec![];
    for t in ["applications", "licences", "ops_tickets", "users", "files"] {
        out.push(
            zhengwu::storage::query_scalar::<i64>(format!("SELECT COUNT(*) FROM {t}"))
                .fetch_one(&db)
                .await
                .unwrap(),
        );
    }
    out
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_whole_under_its_data_key_only() {
    let a = tempfile::tempdir().unwrap();
    let db_a = fresh_database_url(a.path()).await;
    let run = start(a.path(), &db_a, &[]);
    let archive = a.path().join("backup.zip");
    // Taken while the demo serves (and signs people in).
    let (s, _) = token(&run.url, "clerk", zhengwu::demo::DEFAULT_PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    let out = cli(a.path(), &db_a, &["backup", archive.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("backed up"));
    let (ok, _) = stop(run);
    assert!(ok);
    let before = counts(&db_a).await;
    assert!(before.iter().all(|n| *n > 0), "{before:?}");

    let b = tempfile::tempdir().unwrap();
    let db_b = fresh_database_url(b.path()).await;
    let restore =
        |dir: &std::path::Path, db: &str| cli(dir, db, &["restore", archive.to_str().unwrap()]);
    // Without a data key: refused, nothing written.
    let out = restore(b.path(), &db_b);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("vault.key"));
    // With another key: refused.
    std::fs::write(b.path().join("vault.key"), "11".repeat(32)).unwrap();
    let out = restore(b.path(), &db_b);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not the one"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // With the backup's key: everything back.
    std::fs::copy(a.path().join("vault.key"), b.path().join("vault.key")).unwrap();
    let out = restore(b.path(), &db_b);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counts(&db_b).await, before);
    // Not over a store that has data.
    let out = restore(b.path(), &db_b);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    // A damaged archive is refused before anything is written.
    let mut bytes = std::fs::read(&archive).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 0xff;
    let broken = b.path().join("broken.zip");
    std::fs::write(&broken, bytes).unwrap();
    let c = tempfile::tempdir().unwrap();
    let db_c = fresh_database_url(c.path()).await;
    std::fs::copy(a.path().join("vault.key"), c.path().join("vault.key")).unwrap();
    let out = cli(c.path(), &db_c, &["restore", broken.to_str().unwrap()]);
    assert!(!out.status.success());
    // The restored platform serves: sign-in, a licence still verifying, the audit chain intact.
    let run = start(b.path(), &db_b, &[]);
    let (s, t) = token(&run.url, "admin", zhengwu::demo::DEFAULT_PASSWORD).await;
    assert_eq!(s, StatusCode::OK);
    let store = zhengwu::storage::Db::open(&db_b).await.unwrap();
    assert_first_licence_valid(&store, &run.url, &t).await;
    let (ok, _) = stop(run);
    assert!(ok);
    let out = cli(b.path(), &db_b, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A replaced data key is refused before anything is read or sealed under it …
    std::fs::write(b.path().join("vault.key"), "22".repeat(32)).unwrap();
    let out = cli(b.path(), &db_b, &["audit", "verify"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("another data key"));
    // … and a lost one is not made anew.
    std::fs::remove_file(b.path().join("vault.key")).unwrap();
    let out = cli(b.path(), &db_b, &["audit", "verify"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no data key"));
    assert!(!b.path().join("vault.key").exists());
}

/// The store's first licence, checked publicly through the running server: still valid.
async fn assert_first_licence_valid(store: &zhengwu::storage::Db, url: &str, token: &str) {
    let (number, code): (String, String) =
        zhengwu::storage::query_as("SELECT number, verify_code FROM licences ORDER BY id LIMIT 1")
            .fetch_one(store)
            .await
            .unwrap();
    let st = get(
        url,
        token,
        &format!("/api/v1/licences/{number}/status?code={code}"),
    )
    .await;
    assert_eq!(st["state"], "valid", "{st}");
}

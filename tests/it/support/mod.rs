//! `TestApp`: a running server with a small Longhua-like fixture, and helpers to call it; the
//! helpers scenario files share, by area: approvals, filings, pages, PDFs.

pub mod approval;
pub mod filing;
pub mod pages;
pub mod pdf;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::LazyLock;

use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use zhengwu::accounts::{CheckedUser, insert};
use zhengwu::audit::Actor;
use zhengwu::auth::{Principal, Role, hash_password};
use zhengwu::config::Config;
use zhengwu::http::{self, AppState};
use zhengwu::org::{self, NewUnit, Unit};
use zhengwu::storage::Db;

pub const PASSWORD: &str = "Fixture2026";
static HASH: LazyLock<String> = LazyLock::new(|| hash_password(PASSWORD).unwrap());

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: Db,
    pub units: HashMap<&'static str, Unit>,
    pub users: HashMap<String, i64>,
    pub client: Client,
    pub database_url: TestDb,
    _dir: tempfile::TempDir,
}

/// The store for this test: a fresh SQLite file, or a fresh PostgreSQL database that is
/// dropped (its connections ended) when the guard goes, so a run leaves no databases behind.
pub struct TestDb {
    url: String,
    /// The PostgreSQL server's admin URL and the database's name.
    pg: Option<(String, String)>,
}

impl std::ops::Deref for TestDb {
    type Target = String;
    fn deref(&self) -> &String {
        &self.url
    }
}

impl std::fmt::Display for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.url)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else {
            return;
        };
        // Drop runs inside the test's runtime: a thread of its own with its own runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(db) = Db::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(e) = zhengwu::storage::query(sql).execute(&db).await {
                        eprintln!("could not drop test database {name}: {e}");
                    }
                }
            });
        })
        .join();
    }
}

pub async fn fresh_database_url(dir: &std::path::Path) -> TestDb {
    match std::env::var("ZHENGWU_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    {
        Some(base) => {
            let name = format!("zw_{}", &zhengwu::auth::random_token()[..16]);
            let admin = Db::connect(&base)
                .await
                .expect("connect to test PostgreSQL");
            zhengwu::storage::query(format!("CREATE DATABASE {name}"))
                .execute(&admin)
                .await
                .unwrap();
            // postgres://user@host/db?params → same with the new db name
            let (head, query) = base.split_once('?').unwrap_or((&base, ""));
            let root = head.rsplit_once('/').map_or(head, |(r, _)| r);
            let url = if query.is_empty() {
                format!("{root}/{name}")
            } else {
                format!("{root}/{name}?{query}")
            };
            TestDb {
                url,
                pg: Some((base, name)),
            }
        }
        None => TestDb {
            url: zhengwu::storage::sqlite_url(dir),
            pg: None,
        },
    }
}

async fn unit(db: &Db, code: &str, name: &str, kind: &str, parent: Option<&Unit>) -> Unit {
    let new = NewUnit {
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        parent_id: parent.map(|p| p.id),
    };
    org::create(db, &Principal::system(), new).await.unwrap()
}

/// Serves the router over `state` on a free loopback port.
pub async fn serve(state: AppState) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The production connection loop, header deadline and all.
    let header_timeout = http::server::HEADER_TIMEOUT.min(state.request_timeout);
    tokio::spawn(async move {
        http::server::serve_on(
            listener,
            http::router(state),
            header_timeout,
            std::future::pending(),
        )
        .await
        .unwrap();
    });
    addr
}

impl TestApp {
    /// A server over an empty store (migrated).
    pub async fn empty() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = fresh_database_url(dir.path()).await;
        let db = Db::open(&url).await.unwrap();
        let config = Config {
            data_dir: dir.path().into(),
            database_url: url.to_string(),
            listen: "127.0.0.1:0".parse().unwrap(),
            secure_cookies: false,
            smtp: None,
            rate_limits: true,
            metrics_token: None,
            public_url: None,
            hash: zhengwu::crypto::Hash::Sha256,
            vault_sm4: false,
            licence_algorithm: zhengwu::crypto::SignAlg::Ed25519,
            request_timeout: std::time::Duration::from_secs(120),
        };
        let addr = serve(AppState::new(db.clone(), &config)).await;
        TestApp {
            addr,
            db,
            units: HashMap::new(),
            users: HashMap::new(),
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            database_url: url,
            _dir: dir,
        }
    }

    /// A server with the fixture: 龙华区 → 民治街道 (→ 北站社区, hall) and 龙华街道 (→ 清湖社区),
    /// a department, and one account per role at 民治街道 named `<role>` (bureau admin and
    /// auditor also at the district as `district_<role>`), plus plain accounts `mz_staff`
    /// (北站社区) and `lh_staff` (清湖社区).
    pub async fn spawn() -> TestApp {
        let mut app = TestApp::empty().await;
        let db = app.db.clone();
        let d = unit(&db, "440309", "龙华区", "district", None).await;
        let mz = unit(&db, "440309004", "民治街道", "street", Some(&d)).await;
        let bz = unit(&db, "440309004001", "北站社区", "community", Some(&mz)).await;
        let mzh = unit(
            &db,
            "440309004-H",
            "民治街道行政服务大厅",
            "hall",
            Some(&mz),
        )
        .await;
        let lh = unit(&db, "440309003", "龙华街道", "street", Some(&d)).await;
        let qh = unit(&db, "440309003002", "清湖社区", "community", Some(&lh)).await;
        let dept = unit(&db, "440309-D02", "区卫生健康局", "department", Some(&d)).await;
        for (k, u) in [
            ("district", d),
            ("minzhi", mz),
            ("beizhan", bz),
            ("minzhi_hall", mzh),
            ("longhua", lh),
            ("qinghu", qh),
            ("health", dept),
        ] {
            app.units.insert(k, u);
        }
        let mut plan: Vec<(String, &str, Vec<Role>)> = Role::ALL
            .iter()
            .map(|r| (r.as_str().to_string(), "minzhi", vec![*r]))
            .collect();
        plan.push((
            "district_bureau_admin".into(),
            "district",
            vec![Role::BureauAdmin],
        ));
        plan.push(("district_auditor".into(), "district", vec![Role::Auditor]));
        plan.push((
            "district_matter_admin".into(),
            "district",
            vec![Role::MatterAdmin],
        ));
        plan.push(("mz_staff".into(), "beizhan", vec![Role::WindowClerk]));
        plan.push(("lh_staff".into(), "qinghu", vec![Role::WindowClerk]));
        let mut tx = db.begin().await.unwrap();
        for (username, at, roles) in plan {
            let unit = app.units[at].clone();
            let u = CheckedUser {
                username: username.clone(),
                name: format!("测试{username}"),
                unit: unit.clone(),
                email: None,
                phone: None,
                grants: roles.into_iter().map(|r| (r, unit.clone())).collect(),
            };
            let id = insert(&mut tx, &Actor::cli(), &u, &HASH, "user.create")
                .await
                .unwrap();
            app.users.insert(username, id);
        }
        tx.commit().await.unwrap();
        app
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Signs in through the API and answers the bearer token.
    pub async fn token(&self, username: &str) -> String {
        let r = self.login(username, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::OK, "login {username}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.client
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, token: &str, path: &str, body: Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn count(&self, sql: &str) -> i64 {
        zhengwu::storage::query_scalar::<i64>(sql.to_string())
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// Publishes demo sample matter `i` (see `demo::catalog`) through the catalog import, as
    /// the district's bureau admin, also served at street halls (the fixture's one hall is
    /// 民治街道's: a district matter is accepted there too, 一窗通办); answers its code.
    pub async fn publish_sample(&self, i: usize) -> String {
        let mut m = zhengwu::demo::catalog::matter(i);
        if !m.levels.contains(&zhengwu::catalog::Level::Street) {
            m.levels.push(zhengwu::catalog::Level::Street);
        }
        let admin = self.token("district_bureau_admin").await;
        let r = self
            .post(
                &admin,
                "/api/v1/catalog/import",
                catalog_file(std::slice::from_ref(&m)),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        // The import is a draft under review (four eyes): the district's matter admin publishes.
        let reviewer = self.token("district_matter_admin").await;
        let r = self
            .post(
                &reviewer,
                &format!("/api/v1/matters/{}/publish", m.code),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
        m.code
    }

    pub fn unit_id(&self, key: &str) -> i64 {
        self.units[key].id
    }
}

/// Status and JSON body of a response.
pub async fn json_of(r: Response) -> (StatusCode, Value) {
    let s = r.status();
    let text = r.text().await.unwrap();
    (
        s,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A catalog exchange file holding these matters as published version 1.
pub fn catalog_file(matters: &[zhengwu::catalog::Matter]) -> Value {
    let entries: Vec<Value> = matters
        .iter()
        .map(|m| json!({"version": 1, "status": "published", "matter": m}))
        .collect();
    json!({"format": "zhengwu.catalog/1", "exported_at": "2026-11-28T00:00:00Z", "matters": entries})
}

//! The browser test: headless Chromium driven over WebDriver. A street admin signs in, opens the
//! org tree, creates an account, finds it in the audit trail, and signs out. Screenshots land in
//! `target/screenshots/`.
//!
//! The WebDriver calls are a few plain HTTP requests made with the test's own HTTP client; a
//! WebDriver crate would add a TLS stack to the build for no gain on loopback.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::Client;
use serde_json::{Value, json};

use crate::support::TestApp;

pub struct Driver {
    child: Child,
    base: String,
    session: String,
    http: Client,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    /// Ends the WebDriver session first — chromedriver then quits the browser it started (killing
    /// the driver alone leaves Chromium running, hundreds of them after a few test runs) — then
    /// the driver, then the browser profile. Drop cannot wait on async, so the DELETE is a plain
    /// blocking HTTP/1.1 request.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Some(addr) = self.base.strip_prefix("http://")
            && let Ok(mut s) = std::net::TcpStream::connect(addr)
        {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                s,
                "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            let mut answer = Vec::new();
            let _ = s.read_to_end(&mut answer);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

impl Driver {
    pub async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian package chromium-driver) must be installed");
        let base = format!("http://127.0.0.1:{port}");
        let http = Client::new();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = http.get(format!("{base}/status")).send().await
                && r.json::<Value>()
                    .await
                    .is_ok_and(|v| v["value"]["ready"] == true)
            {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap().keep();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--no-first-run", "--window-size=1366,768", "--lang=zh-CN",
                         format!("--user-data-dir={}", profile.display())],
                "prefs": {"intl.accept_languages": "zh-CN,zh"}
            }
        }}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        Driver {
            child,
            base,
            session,
            http,
            profile,
        }
    }

    async fn try_cmd(&self, method: &str, path: &str, body: &Value) -> Result<Value, Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let req = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(body),
        };
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        if v["value"].get("error").is_some() {
            Err(v)
        } else {
            Ok(v["value"].clone())
        }
    }

    async fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        self.try_cmd(method, path, &body)
            .await
            .unwrap_or_else(|v| panic!("{method} {path}: {v}"))
    }

    /// Finds `css` and applies an element command, retrying while the page is still settling
    /// (a stale, covered or not yet interactable element), for up to ten seconds.
    async fn on_element(&self, css: &str, command: &str, body: Value) -> Value {
        self.element_cmd("POST", css, command, body).await
    }

    async fn element_cmd(&self, method: &str, css: &str, command: &str, body: Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let el = self.find(css).await;
            match self
                .try_cmd(method, &format!("/element/{el}/{command}"), &body)
                .await
            {
                Ok(v) => return v,
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(v) => panic!("{command} {css}: {v}"),
            }
        }
    }

    /// A cookie of the current page's site (HttpOnly ones too), to fetch with its session.
    pub async fn cookie(&self, name: &str) -> String {
        let v = self.cmd("GET", &format!("/cookie/{name}"), json!({})).await;
        v["value"].as_str().unwrap_or_default().to_string()
    }

    pub async fn go(&self, url: &str) {
        self.cmd("POST", "/url", json!({"url": url})).await;
    }

    pub async fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = format!("{}/session/{}/element", self.base, self.session);
            let v: Value = self
                .http
                .post(url)
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(obj) = v["value"].as_object()
                && obj.get("error").is_none()
                && let Some(id) = obj.values().next().and_then(|x| x.as_str())
            {
                return id.to_string();
            }
            assert!(Instant::now() < deadline, "no element {css}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        self.on_element(css, "clear", json!({})).await;
        self.on_element(css, "value", json!({"text": text})).await;
    }

    pub async fn send_file(&self, css: &str, path: &str) {
        let el = self.find(css).await;
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            json!({"text": path}),
        )
        .await;
    }

    pub async fn click(&self, css: &str) {
        self.on_element(css, "click", json!({})).await;
    }

    /// Clicks something that loads a new page (a link, a form's submit button) and waits until
    /// the new document has replaced the old one and finished loading, so the next step never
    /// races the navigation.
    pub async fn click_and_load(&self, css: &str) {
        self.script("window.__zwOld = true; return null;").await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let fresh = self
                .try_cmd(
                    "POST",
                    "/execute/sync",
                    &json!({"script": "return window.__zwOld === undefined && document.readyState === 'complete';", "args": []}),
                )
                .await;
            if fresh.is_ok_and(|v| v == json!(true)) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "clicking {css} loaded no new page, at {}",
                self.current_path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn script(&self, js: &str) -> Value {
        self.cmd("POST", "/execute/sync", json!({"script": js, "args": []}))
            .await
    }

    /// Runs `js` as an async script: it ends by calling its last argument with the answer.
    pub async fn script_async(&self, js: &str) -> Value {
        self.cmd("POST", "/execute/async", json!({"script": js, "args": []}))
            .await
    }

    /// A Chrome DevTools command (e.g. a script to run on every new document).
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            json!({"cmd": cmd, "params": params}),
        )
        .await
    }

    /// Forgets every cookie of the current site: the next page is a stranger's.
    pub async fn clear_cookies(&self) {
        self.cmd("DELETE", "/cookie", json!({})).await;
    }

    /// Signs in through the login form.
    pub async fn sign_in(&self, app: &TestApp, user: &str) {
        self.go(&app.url("/login")).await;
        self.type_into("#username", user).await;
        self.type_into("#password", crate::support::PASSWORD).await;
        self.click_and_load("#login-submit").await;
    }

    pub async fn text(&self, css: &str) -> String {
        self.element_cmd("GET", css, "text", json!({}))
            .await
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn count(&self, css: &str) -> usize {
        let url = format!("{}/session/{}/elements", self.base, self.session);
        let v: Value = self
            .http
            .post(url)
            .json(&json!({"using": "css selector", "value": css}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["value"].as_array().map_or(0, |a| a.len())
    }

    pub async fn displayed(&self, css: &str) -> bool {
        self.element_cmd("GET", css, "displayed", json!({}))
            .await
            .as_bool()
            .unwrap()
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value='{value}']")).await;
    }

    pub async fn current_path(&self) -> String {
        let url = self
            .cmd("GET", "/url", json!({}))
            .await
            .as_str()
            .unwrap()
            .to_string();
        url.splitn(4, '/')
            .nth(3)
            .map(|p| format!("/{p}"))
            .unwrap_or_default()
    }

    pub async fn wait_path(&self, prefix: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.current_path().await.starts_with(prefix) {
            assert!(
                Instant::now() < deadline,
                "never reached {prefix}, at {}",
                self.current_path().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Resizes the window (a phone: 390 × 844).
    pub async fn window(&self, width: u32, height: u32) {
        self.cmd(
            "POST",
            "/window/rect",
            json!({"width": width, "height": height}),
        )
        .await;
    }

    /// The elements that stick out past the right edge of the viewport (what makes a page scroll
    /// sideways), as `tag#id.class` with their right edge; empty when the page fits.
    pub async fn overflowing(&self) -> Vec<String> {
        let js = r#"
          const w = document.documentElement.clientWidth;
          const out = [];
          if (document.documentElement.scrollWidth > w + 1) {
            for (const el of document.querySelectorAll('body *')) {
              const r = el.getBoundingClientRect();
              if (r.width > 0 && r.right > w + 1) {
                let inScroller = false;
                for (let p = el.parentElement; p; p = p.parentElement) {
                  const o = getComputedStyle(p).overflowX;
                  if (o === 'auto' || o === 'scroll' || o === 'hidden') { inScroller = true; break; }
                }
                if (!inScroller) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                  (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') +
                  ' → ' + Math.round(r.right));
              }
            }
            out.unshift('page ' + document.documentElement.scrollWidth + ' > ' + w);
          }
          return out.slice(0, 12);
        "#;
        self.script(js)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    pub async fn screenshot(&self, name: &str) {
        let b64 = self.cmd("GET", "/screenshot", json!({})).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/target/screenshots");
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(format!("{dir}/{name}.png"), png).unwrap();
    }
}

#[tokio::test]
async fn street_admin_creates_an_account_and_finds_it_in_the_audit_trail() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        eprintln!("browser test skipped by ZHENGWU_SKIP_BROWSER");
        return;
    }
    let app = TestApp::spawn().await;
    let d = Driver::start().await;

    d.go(&app.url("/login")).await;
    d.screenshot("login").await;
    d.type_into("#username", "department_admin").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click_and_load("#login-submit").await;
    assert_eq!(d.current_path().await, "/");
    assert!(d.text("h1").await.contains("您好"));
    d.screenshot("home").await;

    d.click_and_load("nav.main-nav a[href='/org']").await;
    d.wait_path("/org").await;
    let tree = d.text("#org-tree").await;
    assert!(tree.contains("民治街道") && tree.contains("北站社区"));
    d.screenshot("org").await;

    d.go(&app.url("/accounts/new")).await;
    d.type_into("#f-username", "browser.clerk").await;
    d.type_into("#f-name", "浏览器测试").await;
    d.type_into("#f-password", "Browser2026").await;
    d.type_into("#f-phone", "13712345678").await;
    d.click("input[name=roles][value=window_clerk]").await;
    d.screenshot("account-new").await;
    d.click_and_load("#create-account").await;
    d.wait_path("/accounts/").await;
    assert!(d.text("h1").await.contains("浏览器测试"));
    d.screenshot("account").await;

    d.click_and_load("nav.main-nav a[href='/audit']").await;
    d.wait_path("/audit").await;
    let audit = d.text("#audit-table").await;
    assert!(
        audit.contains("browser.clerk")
            && audit.contains("新建账号")
            && audit.contains("department_admin"),
        "{audit}"
    );
    d.screenshot("audit").await;

    // The list, and an import with a bad row: its report names the row.
    d.go(&app.url("/accounts?q=browser")).await;
    assert!(d.text("table.data").await.contains("browser.clerk"));
    d.screenshot("accounts").await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("staff.csv");
    std::fs::write(&csv, "username,name,org_unit,roles,email,phone\nok.one,好,440309004001,window_clerk,,\nbad.one,坏,440309003002,window_clerk,bad-mail,\n").unwrap();
    d.go(&app.url("/accounts/import")).await;
    d.send_file("#f-file", csv.to_str().unwrap()).await;
    d.click_and_load("#import-form button.primary").await;
    let report = d.text("#import-report").await;
    assert!(
        report.contains("未导入任何账号") && report.contains("清湖社区"),
        "{report}"
    );
    d.screenshot("import-report").await;

    d.click_and_load("#logout").await;
    d.wait_path("/login").await;
    d.go(&app.url("/accounts")).await;
    d.wait_path("/login").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username = 'browser.clerk'")
            .await,
        1
    );
}

#[tokio::test]
async fn matter_admin_adds_a_conditional_field_and_a_visitor_finds_the_new_guide() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let app = TestApp::spawn().await;
    let code = app.publish_sample(1).await;

    let d = Driver::start().await;
    d.go(&app.url("/login")).await;
    d.type_into("#username", "district_matter_admin").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click_and_load("#login-submit").await;
    assert_eq!(d.current_path().await, "/");
    d.click_and_load("nav.main-nav a[href='/catalog']").await;
    d.wait_path("/catalog").await;
    d.click_and_load(&format!("a[href='/catalog/{code}']"))
        .await;
    d.wait_path(&format!("/catalog/{code}")).await;
    d.click_and_load("#design-form").await;
    d.wait_path(&format!("/catalog/{code}/form")).await;
    // A yes/no question, and a field shown only when it is answered yes.
    d.type_into("#f-label", "是否委托代办人").await;
    d.type_into("#f-key", "has_agent").await;
    d.select("#f-kind", "yes_no").await;
    d.click("#f-required").await;
    d.click_and_load("#add-field-submit").await;
    d.wait_path(&format!("/catalog/{code}/form")).await;
    d.type_into("#f-label", "代办人姓名").await;
    d.type_into("#f-key", "agent_name").await;
    d.select("#f-kind", "text").await;
    d.click("#f-required").await;
    d.select("#f-show-field", "has_agent").await;
    d.type_into("#f-show-value", "是").await;
    d.click_and_load("#add-field-submit").await;
    let fields = d.text("#designer-fields").await;
    assert!(
        fields.contains("代办人姓名") && fields.contains("当「是否委托代办人」为「是」时显示"),
        "{fields}"
    );
    // The preview follows the condition.
    assert!(!d.displayed("#ff-agent_name").await);
    d.click("#preview input[name=has_agent][value=true]").await;
    assert!(d.displayed("#ff-agent_name").await);
    d.screenshot("form-designer").await;
    d.go(&app.url(&format!("/catalog/{code}"))).await;
    d.click_and_load("#submit-review").await;
    // Who drafted does not publish (four eyes): the district's bureau admin reviews it.
    d.click_and_load("#logout").await;
    d.wait_path("/login").await;
    d.type_into("#username", "district_bureau_admin").await;
    d.type_into("#password", crate::support::PASSWORD).await;
    d.click_and_load("#login-submit").await;
    d.go(&app.url(&format!("/catalog/{code}"))).await;
    d.click_and_load("#publish").await;
    assert!(d.text("body").await.contains("第 2 版"));
    d.screenshot("matter-admin").await;
    d.click_and_load("#logout").await;
    d.wait_path("/login").await;

    // A visitor, signed out, searches by pinyin initials and reads the new guide.
    d.go(&app.url("/hall")).await;
    d.type_into("input[name=q]", "sydj").await;
    d.click_and_load(".bigsearch button").await;
    d.wait_path("/hall/search").await;
    assert!(d.text("#results").await.contains("生育登记"));
    d.screenshot("hall-search").await;
    d.click_and_load("#results li:first-child a").await;
    d.wait_path(&format!("/hall/matters/{code}")).await;
    let page = d.text("main").await;
    assert!(
        page.contains("第 2 版") && page.contains("是否委托代办人"),
        "{page}"
    );
    assert!(!d.displayed("#ff-agent_name").await);
    d.click("#apply input[name=has_agent][value=true]").await;
    assert!(d.displayed("#ff-agent_name").await);
    // The browser shows the server's own errors inline, field by field.
    d.type_into("#ff-applicant_id", "110105194912310021").await;
    d.click("#check-form").await;
    let err = d.text(".field-error[data-error-for=applicant_id]").await;
    assert_eq!(err, "校验位不正确，请核对号码。");
    assert_eq!(
        d.text(".field-error[data-error-for=agent_name]").await,
        "必填。"
    );
    d.screenshot("hall-guide").await;
}

#[tokio::test]
async fn design_a_countersign_flow_and_walk_an_application_through_it() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let crate::support::approval::Setup { app, code } = crate::support::approval::people().await;
    let dir = tempfile::tempdir().unwrap();

    let d = Driver::start().await;
    let sign_in = |user: &'static str| {
        let d = &d;
        let url = app.url("/login");
        async move {
            d.go(&url).await;
            d.type_into("#username", user).await;
            d.type_into("#password", crate::support::PASSWORD).await;
            d.click_and_load("#login-submit").await;
            assert_eq!(d.current_path().await, "/");
        }
    };
    // The matter admin designs: keep 受理, add a countersign of two departments, then a decision.
    sign_in("district_matter_admin").await;
    d.go(&app.url(&format!("/catalog/{code}/workflow"))).await;
    for left in (1..=4).rev() {
        d.click_and_load("#wf-steps tbody tr:nth-child(2) button.danger")
            .await;
        // Wait for the page to come back with one step fewer.
        let deadline = Instant::now() + Duration::from_secs(10);
        while d.count("#wf-steps tbody tr").await != left {
            if Instant::now() > deadline {
                d.screenshot("workflow-fail").await;
                panic!(
                    "step not removed: {} rows",
                    d.count("#wf-steps tbody tr").await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(d.text("#wf-steps tbody").await.lines().count(), 1);
    d.type_into("#w-name", "联合审查").await;
    d.type_into("#w-key", "joint").await;
    d.type_into("#w-limit", "5").await;
    d.select("#w-role1", "approver").await;
    d.select("#w-at1", "owning_department").await;
    d.select("#w-role2", "approver").await;
    d.select("#w-at2", "unit:440309-D07").await;
    d.click("#w-countersign").await;
    d.click_and_load("#add-step-submit").await;
    d.type_into("#w-name", "决定").await;
    d.type_into("#w-key", "decide").await;
    d.type_into("#w-limit", "3").await;
    d.type_into("#w-users", "health.b").await;
    d.click_and_load("#add-step-submit").await;
    let steps = d.text("#wf-steps").await;
    assert!(
        steps.contains("联合审查") && steps.contains("会签") && steps.contains("health.b"),
        "{steps}"
    );
    d.screenshot("workflow-designer").await;
    // The designer does not publish their own flow (four eyes); the bureau's admin does.
    d.click_and_load("#publish-workflow").await;
    assert!(d.text("main").await.contains("四眼原则"));
    d.click_and_load("#logout").await;
    d.wait_path("/login").await;
    sign_in("district_bureau_admin").await;
    d.go(&app.url(&format!("/catalog/{code}/workflow"))).await;
    d.click_and_load("#publish-workflow").await;
    d.wait_path(&format!("/catalog/{code}")).await;
    d.click_and_load("#logout").await;
    d.wait_path("/login").await;

    // An application arrives and is accepted at the street.
    let clerk = app.token("window_clerk").await;
    let (_, inst) = crate::support::json_of(
        app.post(
            &clerk,
            "/api/v1/approvals",
            json!({"matter_code": code, "unit_code": "440309004001", "reference": "LH2026-7001"}),
        )
        .await,
    )
    .await;
    let id = inst["id"].as_i64().unwrap();
    let accept = inst["open_tasks"][0]["id"].as_i64().unwrap();
    app.post(
        &clerk,
        &format!("/api/v1/approvals/tasks/{accept}/act"),
        json!({"action": "pass", "opinion": "材料齐全"}),
    )
    .await;

    // Three approvers act from their inboxes.
    for user in ["health.a", "market.a", "health.b"] {
        sign_in(user).await;
        d.go(&app.url("/inbox")).await;
        assert!(d.text("#inbox").await.contains("LH2026-7001"), "{user}");
        d.click_and_load("#inbox tbody a").await;
        d.wait_path(&format!("/approvals/{id}")).await;
        d.type_into("form.act-form textarea", &format!("{user} 同意"))
            .await;
        if user == "market.a" {
            // The market approver attaches the inspection report from the form.
            let report = dir.path().join("抽检报告.pdf");
            std::fs::write(&report, b"%PDF-1.4\n%%EOF\n").unwrap();
            d.send_file("form.act-form input[type=file]", report.to_str().unwrap())
                .await;
        }
        d.click_and_load("form.act-form button.primary").await;
        d.wait_path(&format!("/approvals/{id}")).await;
        d.click_and_load("#logout").await;
        d.wait_path("/login").await;
    }
    sign_in("window_clerk").await;
    d.go(&app.url(&format!("/approvals/{id}"))).await;
    let page = d.text("main").await;
    assert!(page.contains("已批准"), "{page}");
    assert!(
        page.contains("health.a 同意")
            && page.contains("market.a 同意")
            && page.contains("health.b 同意")
    );
    assert!(page.contains("承诺办结时间"));
    let files = d.text("#attachments").await;
    assert!(
        files.contains("抽检报告.pdf") && files.contains("market.a"),
        "{files}"
    );
    assert_eq!(
        d.text("ol.history").await.lines().count(),
        5,
        "start + 4 passes"
    );
    d.screenshot("approval-case").await;
}

//! The catalog through HTTP: life cycle and versions, consistency rules, per-unit switches, form
//! validation against the claimed version, export/import round trip, search.

use reqwest::StatusCode;
use serde_json::{Value, json};
use zhengwu::demo::catalog as samples;

use crate::support::{TestApp, json_of};

/// The fixture plus the health department (区卫生健康局, 440309-D02 in the samples) and a
/// district-level matter admin.
async fn app() -> TestApp {
    let app = TestApp::spawn().await;
    // The fixture's department already has code 440309-D02.
    crate::support::approval::add_market_department(&app).await;
    app
}

/// Turns the four-eyes rule for publishing off, as the district's bureau admin may: the tests
/// of the catalog file's format import and publish in one step (the rule's effect on an import
/// is [`an_import_under_four_eyes_is_a_draft_another_person_publishes`]).
async fn one_person_imports(app: &TestApp) {
    let admin = app.token("district_bureau_admin").await;
    let r = app
        .client
        .put(app.url("/api/v1/settings/four-eyes"))
        .bearer_auth(admin)
        .json(&json!({"publish": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

fn sample(i: usize) -> Value {
    serde_json::to_value(samples::matter(i)).unwrap()
}

#[tokio::test]
async fn draft_review_publish_versions_and_diff() {
    let app = app().await;
    let admin = app.token("district_bureau_admin").await; // edits and reviews everywhere
    // Who publishes is not who drafted (four eyes): the district's matter admin reviews.
    let reviewer = app.token("district_matter_admin").await;
    let mut m = sample(1); // 生育登记
    let code = m["code"].as_str().unwrap().to_string();
    let (s, r) = json_of(app.post(&admin, "/api/v1/matters", m.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    assert_eq!(
        (r["status"].as_str(), r["draft_state"].as_str()),
        (Some("unpublished"), Some("editing"))
    );
    // Not public yet, and not searchable.
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    // Publishing needs a review first.
    let (s, e) = json_of(
        app.post(
            &admin,
            &format!("/api/v1/matters/{code}/publish"),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("matter_state"))
    );
    // A draft that breaks a rule cannot be submitted; each violation names its field.
    m["guide"]["online_depth"] = json!(4);
    m["guide"]["onsite_visits"] = json!(1);
    m["guide"]["onsite_reason"] = Value::Null;
    app.client
        .put(app.url(&format!("/api/v1/matters/{code}/draft")))
        .bearer_auth(&admin)
        .json(&m)
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(
        app.post(&admin, &format!("/api/v1/matters/{code}/submit"), json!({}))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["guide.onsite_visits", "guide.onsite_reason"]);
    // Fixed, submitted, published: version 1.
    let m = sample(1);
    app.client
        .put(app.url(&format!("/api/v1/matters/{code}/draft")))
        .bearer_auth(&admin)
        .json(&m)
        .send()
        .await
        .unwrap();
    assert_eq!(
        app.post(&admin, &format!("/api/v1/matters/{code}/submit"), json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    // Whoever drafted does not publish it (four eyes, on by default).
    let (s, e) = json_of(
        app.post(
            &admin,
            &format!("/api/v1/matters/{code}/publish"),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("four_eyes_publish")),
        "{e}"
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("四眼原则"));
    let (s, r) = json_of(
        app.post(
            &reviewer,
            &format!("/api/v1/matters/{code}/publish"),
            json!({}),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["published_version"], 1);
    let (s, p) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p["version"], 1);
    assert_eq!(p["case_type"], 1);
    // Edit again: the public guide stays at version 1 until version 2 is published.
    let mut m2 = sample(1);
    m2["guide"]["materials"][2]["name"] = json!("结婚证或婚姻状况证明");
    m2["guide"]["promised_limit_days"] = json!(1);
    app.client
        .put(app.url(&format!("/api/v1/matters/{code}/draft")))
        .bearer_auth(&admin)
        .json(&m2)
        .send()
        .await
        .unwrap();
    let (_, p) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(p["matter"]["guide"]["materials"][2]["name"], "结婚证");
    let (_, d) = json_of(
        app.get(
            &admin,
            &format!("/api/v1/matters/{code}/diff?from=1&to=draft"),
        )
        .await,
    )
    .await;
    let paths: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        ["guide.materials[2].name", "guide.promised_limit_days"]
    );
    app.post(&admin, &format!("/api/v1/matters/{code}/submit"), json!({}))
        .await;
    // Two reviewers publishing at once: exactly one succeeds.
    let publish = format!("/api/v1/matters/{code}/publish");
    let a = app.post(&reviewer, &publish, json!({}));
    let b = app.post(&reviewer, &publish, json!({}));
    let (a, b) = tokio::join!(a, b);
    let mut codes = [a.status().as_u16(), b.status().as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409]);
    let (_, v) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}/versions")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v.as_array().unwrap().len(), 2);
    // Version 1 is kept exactly as published.
    let (_, v1) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}/versions/1")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v1["guide"]["materials"][2]["name"], "结婚证");
    let (_, diff) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}/diff?from=1&to=2")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(diff.as_array().unwrap().len(), 2);
    // Suspend hides it from the public; resume shows it; retire ends it.
    app.post(
        &admin,
        &format!("/api/v1/matters/{code}/suspend"),
        json!({}),
    )
    .await;
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    app.post(&admin, &format!("/api/v1/matters/{code}/resume"), json!({}))
        .await;
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    app.post(&admin, &format!("/api/v1/matters/{code}/retire"), json!({}))
        .await;
    let s = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/draft")))
        .bearer_auth(&admin)
        .json(&m2)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(s, StatusCode::CONFLICT);
    // create, 3 edits, 2 submits, 2 publishes, suspend, resume, retire
    let actions = app
        .count("SELECT COUNT(*) FROM audit_log WHERE entity = 'matter'")
        .await;
    assert_eq!(actions, 11);
}

#[tokio::test]
async fn editors_and_reviewers_act_only_on_their_departments() {
    let app = app().await;
    let admin = app.token("district_bureau_admin").await;
    let m = sample(34); // 食品经营许可, 市场监管 (440309-D07)
    let code = m["code"].as_str().unwrap().to_string();
    app.post(&admin, "/api/v1/matters", m.clone()).await;
    // The street's matter admin does not cover a district department.
    let street = app.token("matter_admin").await;
    assert_eq!(
        app.get(&street, &format!("/api/v1/matters/{code}/admin"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&street, "/api/v1/matters", sample(3))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    // A window clerk has no catalog rights at all.
    let clerk = app.token("window_clerk").await;
    assert_eq!(
        app.get(&clerk, "/api/v1/matters").await.status(),
        StatusCode::FORBIDDEN
    );
    // Configuring halls belongs to the bureau.
    let (s, _) = json_of(
        app.client
            .put(app.url(&format!("/api/v1/matters/{code}/units")))
            .bearer_auth(&street)
            .json(&json!({"unit_id": app.unit_id("minzhi"), "enabled": false}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn halls_follow_levels_and_switches() {
    let app = app().await;
    let admin = app.token("district_bureau_admin").await;
    let reviewer = app.token("district_matter_admin").await;
    let m = sample(1); // 生育登记: district, street and community
    let code = m["code"].as_str().unwrap().to_string();
    app.post(&admin, "/api/v1/matters", m).await;
    app.post(&admin, &format!("/api/v1/matters/{code}/submit"), json!({}))
        .await;
    app.post(
        &reviewer,
        &format!("/api/v1/matters/{code}/publish"),
        json!({}),
    )
    .await;
    let halls = |app: &TestApp| {
        let url = app.url(&format!("/api/v1/matters/{code}"));
        let c = app.client.clone();
        async move {
            let v: Value = c.get(url).send().await.unwrap().json().await.unwrap();
            v["halls"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(halls(&app).await, ["民治街道行政服务大厅"]);
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/units")))
        .bearer_auth(&admin)
        .json(&json!({"unit_id": app.unit_id("minzhi"), "enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(halls(&app).await.is_empty());
    // Halls are not levels.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/units")))
        .bearer_auth(&admin)
        .json(&json!({"unit_id": app.unit_id("minzhi_hall"), "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn submissions_are_validated_against_the_version_they_claim() {
    let app = app().await;
    let admin = app.token("district_bureau_admin").await;
    let reviewer = app.token("district_matter_admin").await;
    let m = sample(1);
    let code = m["code"].as_str().unwrap().to_string();
    app.post(&admin, "/api/v1/matters", m.clone()).await;
    app.post(&admin, &format!("/api/v1/matters/{code}/submit"), json!({}))
        .await;
    app.post(
        &reviewer,
        &format!("/api/v1/matters/{code}/publish"),
        json!({}),
    )
    .await;
    // Version 2 adds a required field.
    let mut m2 = m.clone();
    m2["form"]["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"key": "work_unit", "label": "工作单位", "kind": "text", "required": true}));
    app.client
        .put(app.url(&format!("/api/v1/matters/{code}/draft")))
        .bearer_auth(&admin)
        .json(&m2)
        .send()
        .await
        .unwrap();
    app.post(&admin, &format!("/api/v1/matters/{code}/submit"), json!({}))
        .await;
    app.post(
        &reviewer,
        &format!("/api/v1/matters/{code}/publish"),
        json!({}),
    )
    .await;
    let values = json!({
        "applicant_name": "李四", "applicant_id": "11010519491231002X", "phone": "13800138000",
        "address": {"unit": "440309004001", "detail": "北站路 8 号"}, "married": true,
        "spouse_id": "110105194912310021", "parity": "二孩", "upload_special": "sha256:1"
    });
    let url = app.url(&format!("/api/v1/matters/{code}/validate"));
    let r = app
        .client
        .post(&url)
        .header("accept-language", "en")
        .json(&json!({"version": 1, "values": values}))
        .send()
        .await
        .unwrap();
    let (s, e) = json_of(r).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "spouse_id");
    assert_eq!(
        e["error"]["fields"][0]["message"],
        "The check digit is wrong; please check the number."
    );
    let mut ok = values.clone();
    ok["spouse_id"] = json!("11010519491231002X");
    let (s, v) = json_of(
        app.client
            .post(&url)
            .json(&json!({"version": 1, "values": ok}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // The same values fail version 2, which asks for the work unit.
    let (s, e) = json_of(
        app.client
            .post(&url)
            .json(&json!({"version": 2, "values": ok}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["error"]["fields"][0]["field"], "work_unit");
    assert_eq!(e["error"]["fields"][0]["message"], "必填。");
}

#[tokio::test]
async fn export_import_round_trip_and_all_or_nothing() {
    let app = app().await;
    one_person_imports(&app).await;
    let admin = app.token("district_bureau_admin").await;
    // Import the health and market matters of the demo catalog.
    let picks: Vec<zhengwu::catalog::Matter> = samples::all()
        .into_iter()
        .filter(|m| m.department == "440309-D02" || m.department == "440309-D07")
        .collect();
    let n = picks.len();
    let file = crate::support::catalog_file(&picks);
    let (s, r) = json_of(
        app.post(&admin, "/api/v1/catalog/import?dry_run=true", file.clone())
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(!r["applied"].as_bool().unwrap());
    assert_eq!(app.count("SELECT COUNT(*) FROM matters").await, 0);
    let (s, r) = json_of(
        app.post(&admin, "/api/v1/catalog/import", file.clone())
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(r["applied"].as_bool().unwrap());
    assert_eq!(app.count("SELECT COUNT(*) FROM matters").await, n as i64);
    // Export equals what went in.
    let (_, out) = json_of(app.get(&admin, "/api/v1/catalog/export").await).await;
    assert_eq!(out["matters"], file["matters"]);
    // Importing the export again changes nothing.
    let (_, r) = json_of(
        app.post(&admin, "/api/v1/catalog/import", out.clone())
            .await,
    )
    .await;
    assert!(
        r["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["change"] == "unchanged")
    );
    // One good change and two bad matters: nothing applied, both bad ones named.
    let mut bad = out.clone();
    bad["matters"][0]["matter"]["guide"]["online_depth"] = json!(9);
    bad["matters"][1]["matter"]["name"] = json!("改了名字");
    bad["matters"][2]["matter"]["department"] = json!("440309-D99");
    let (s, r) = json_of(app.post(&admin, "/api/v1/catalog/import", bad).await).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let errs: Vec<(i64, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        errs.iter()
            .map(|e| e.0)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>(),
        [1, 3]
    );
    assert_eq!(r["changes"][1]["change"], "changed");
    assert_eq!(r["changes"][1]["differences"][0]["path"], "name");
    let versions = app.count("SELECT MAX(version) FROM matter_versions").await;
    assert_eq!(versions, 1, "nothing applied");
    // The XLSX export is a spreadsheet with a header and one row per matter.
    let bytes = app
        .get(&admin, "/api/v1/catalog/export?format=xlsx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    use calamine::Reader;
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(range.height(), n + 1);
    assert_eq!(range.get((0, 1)).unwrap().to_string(), "事项名称");
}

#[tokio::test]
async fn public_search_ranks_names_and_knows_pinyin() {
    let app = app().await;
    one_person_imports(&app).await;
    zhengwu::demo::seed_catalog(&app.db).await.unwrap_err(); // departments of the samples are missing here
    let admin = app.token("district_bureau_admin").await;
    let picks: Vec<zhengwu::catalog::Matter> = samples::all()
        .into_iter()
        .filter(|m| m.department == "440309-D02" || m.department == "440309-D07")
        .collect();
    let file = crate::support::catalog_file(&picks);
    app.post(&admin, "/api/v1/catalog/import", file).await;
    let search = |q: &str| {
        let url = app.url(&format!("/api/v1/matters/search?{q}"));
        let c = app.client.clone();
        async move {
            let v: Value = c.get(url).send().await.unwrap().json().await.unwrap();
            v["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(search("q=sydj").await[0], "生育登记");
    assert_eq!(search("q=生育登记").await[0], "生育登记");
    let s = search("q=卫生许可").await;
    assert!(s[0].contains("卫生许可"), "{s:?}");
    assert!(
        search("q=许可&audience=personal")
            .await
            .iter()
            .all(|n| !n.contains("食品"))
    );
    // A suspended matter drops out of search at once.
    let code = samples::matter(1).code;
    app.post(
        &admin,
        &format!("/api/v1/matters/{code}/suspend"),
        json!({}),
    )
    .await;
    assert!(!search("q=sydj").await.contains(&"生育登记".to_string()));
}

#[tokio::test]
async fn catalog_pages_switch_halls_and_import_with_a_diff() {
    use crate::support::pages::{browser, sign_in};
    let app = app().await;
    one_person_imports(&app).await;
    let c = browser();
    let csrf = sign_in(&app, &c, "district_bureau_admin").await;
    let m = samples::matter(1);
    let code = m.code.clone();
    let file = json!({"format": "zhengwu.catalog/1", "exported_at": "2026-11-28T00:00:00Z",
                      "matters": [{"version": 1, "status": "published", "matter": m}]});
    let upload = |body: String, dry: bool| {
        let part = reqwest::multipart::Part::bytes(body.into_bytes()).file_name("catalog.json");
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if dry {
            form = form.text("dry_run", "1");
        }
        c.post(app.url(&format!("/catalog/import?csrf={csrf}")))
            .multipart(form)
            .send()
    };
    let html = upload(file.to_string(), true)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("试导入通过") && html.contains("新增"));
    assert_eq!(app.count("SELECT COUNT(*) FROM matters").await, 0);
    let html = upload(file.to_string(), false)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已导入"));
    // A changed name shows as a difference.
    let mut changed = file.clone();
    changed["matters"][0]["matter"]["name"] = json!("生育登记（新）");
    let html = upload(changed.to_string(), true)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("修改") && html.contains("生育登记（新）"),
        "{html}"
    );
    // Pages render.
    for path in [
        "/catalog",
        &format!("/catalog/{code}") as &str,
        &format!("/catalog/{code}/form"),
        &format!("/catalog/{code}/edit"),
        "/hall",
        &format!("/hall/matters/{code}"),
        "/hall/search?q=生育",
        // The filter form as a browser sends it, with the depth left at "any".
        "/hall/search?q=生育&audience=&depth=",
    ] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    // Switch the street off from the matter page: its hall no longer serves it.
    let mz = app.unit_id("minzhi");
    let r = c
        .post(app.url(&format!("/catalog/{code}/units/{mz}")))
        .form(&[("csrf", csrf.as_str()), ("enabled", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let guide = c
        .get(app.url(&format!("/hall/matters/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!guide.contains("民治街道行政服务大厅") && guide.contains("暂无可办理的大厅"));
    // The guide editor is a form, not JSON: a limit that is not a number is refused beside its
    // field, with nothing stored.
    let edit = c
        .get(app.url(&format!("/catalog/{code}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !edit.contains("guide_json") && edit.contains("id=\"materials\""),
        "a form, not JSON"
    );
    let base = crate::support::pages::hidden(&edit, "base");
    let post = |extra: Vec<(&'static str, String)>| {
        let mut f: Vec<(&str, String)> = vec![
            ("csrf", csrf.clone()),
            ("base", base.clone()),
            ("name", "生育登记".into()),
            ("kind", "public_service".into()),
            ("class", "D".into()),
            ("online_depth", "3".into()),
            ("onsite_visits", "0".into()),
            (
                "conditions",
                "夫妻双方或一方为本区户籍\n符合法律法规规定生育".into(),
            ),
            ("mat.0.id", "".into()),
            ("mat.0.name", "结婚证".into()),
            ("mat.0.form", "copy".into()),
            ("mat.0.required", "1".into()),
        ];
        f.extend(extra);
        c.post(app.url(&format!("/catalog/{code}/edit")))
            .form(&f)
            .send()
    };
    let r = post(vec![("promised_limit_days", "三天".into())])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("error-summary") && html.contains("结婚证"),
        "kept as typed"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM matters WHERE draft_json IS NOT NULL")
            .await,
        0
    );
    // Filled in properly: the draft holds the lines and the row as the guide's content.
    let r = post(vec![("promised_limit_days", "3".into())])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let admin = app.token("district_bureau_admin").await;
    let (_, d) = json_of(
        app.get(&admin, &format!("/api/v1/matters/{code}/admin"))
            .await,
    )
    .await;
    assert_eq!(d["draft"]["guide"]["promised_limit_days"], 3);
    assert_eq!(d["draft"]["guide"]["conditions"][1], "符合法律法规规定生育");
    assert_eq!(d["draft"]["guide"]["materials"][0]["name"], "结婚证");
    assert_eq!(d["draft"]["guide"]["materials"][0]["id"], "m_1");
}

#[tokio::test]
async fn the_excel_sheet_round_trips_and_changes_basic_facts() {
    use calamine::Reader;
    let app = app().await;
    one_person_imports(&app).await;
    let admin = app.token("district_bureau_admin").await;
    let picks: Vec<zhengwu::catalog::Matter> = samples::all()
        .into_iter()
        .filter(|m| m.department == "440309-D02")
        .collect();
    let file = crate::support::catalog_file(&picks);
    app.post(&admin, "/api/v1/catalog/import", file).await;
    let bytes = app
        .get(&admin, "/api/v1/catalog/export?format=xlsx")
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let mut wb = calamine::Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let rows: Vec<Vec<String>> = wb
        .worksheet_range_at(0)
        .unwrap()
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let write = |rows: &[Vec<String>]| {
        let mut out = rust_xlsxwriter::Workbook::new();
        let ws = out.add_worksheet();
        for (i, r) in rows.iter().enumerate() {
            for (j, v) in r.iter().enumerate() {
                ws.write_string(i as u32, j as u16, v).unwrap();
            }
        }
        out.save_to_buffer().unwrap()
    };
    let post = |body: Vec<u8>, dry: bool| {
        app.client
            .post(app.url(&format!("/api/v1/catalog/import?dry_run={dry}")))
            .bearer_auth(&admin)
            .body(body)
            .send()
    };
    // Unchanged sheet: nothing changes.
    let (s, r) = json_of(post(bytes, true).await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert!(
        r["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["change"] == "unchanged"),
        "{r}"
    );
    // Row 5 (饮用水供水单位卫生许可): promised limit 10 → 8 working days.
    let mut edited = rows.clone();
    assert_eq!(edited[4][1], "饮用水供水单位卫生许可");
    edited[4][8] = "8".into();
    let (s, r) = json_of(post(write(&edited), false).await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let changed: Vec<&Value> = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == "changed")
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        changed[0]["differences"][0]["path"],
        "guide.promised_limit_days"
    );
    let code = edited[4][0].clone();
    let (_, p) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (
            p["version"].as_i64(),
            p["matter"]["guide"]["promised_limit_days"].as_i64()
        ),
        (Some(2), Some(8))
    );
    // Bad cells and unknown codes: reported by row, nothing applied.
    let mut bad = rows.clone();
    bad[2][10] = "全程".into();
    bad[3][0] = "NO-SUCH-CODE".into();
    let (s, r) = json_of(post(write(&bad), false).await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let errs: Vec<(i64, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["index"].as_i64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(errs, [(3, "guide.online_depth"), (4, "code")]);
    assert_eq!(
        app.count("SELECT MAX(version) FROM matter_versions").await,
        2
    );
}

/// Two editors of one matter's draft: the second save, made over the version both loaded, is
/// refused with who changed it and when (409) instead of silently overwriting the first; after
/// reloading, it goes through. The guide page's form carries the version it loaded.
#[tokio::test]
async fn a_save_over_someone_elses_change_is_refused_naming_them() {
    let app = app().await;
    let admin = app.token("district_bureau_admin").await;
    let m = sample(1);
    let code = m["code"].as_str().unwrap().to_string();
    let (s, r) = json_of(app.post(&admin, "/api/v1/matters", m.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let loaded = r["updated_at"].as_str().unwrap().to_string();
    let put = |base: &str, name: &str| {
        let mut m = m.clone();
        m["name"] = json!(name);
        app.client
            .put(app.url(&format!("/api/v1/matters/{code}/draft?base={base}")))
            .bearer_auth(&admin)
            .json(&m)
            .send()
    };
    // Both loaded `loaded`; the first saves.
    let (s, first) = json_of(put(&loaded, "生育登记（甲）").await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    // The second, over the same version: refused, naming the first and the time.
    let (s, e) = json_of(put(&loaded, "生育登记（乙）").await.unwrap()).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let name: String = zhengwu::storage::query_scalar(
        "SELECT name FROM users WHERE username = 'district_bureau_admin'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains(&name) && msg.contains("请重新载入"), "{msg}");
    assert_eq!(e["error"]["code"], "changed");
    let (_, d) = json_of(
        app.get(&admin, &format!("/api/v1/matters/{code}/admin"))
            .await,
    )
    .await;
    assert_eq!(d["draft"]["name"], "生育登记（甲）", "the first save kept");
    // Reloaded: the second editor's save goes through.
    let now = first["updated_at"].as_str().unwrap().to_string();
    let (s, r) = json_of(put(&now, "生育登记（乙）").await.unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    // The guide page's form holds the version it loaded.
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &c, "district_bureau_admin").await;
    let page = c
        .get(app.url(&format!("/catalog/{code}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let base = format!(
        "name=\"base\" value=\"{}\"",
        r["updated_at"].as_str().unwrap()
    );
    assert!(page.contains(&base), "{base}");
}

/// Under the four-eyes rule (the default) an import does not publish: each matter it brings is
/// a draft under review, which the importer may not publish and another reviewer does.
#[tokio::test]
async fn an_import_under_four_eyes_is_a_draft_another_person_publishes() {
    let app = app().await;
    let admin = app.token("district_bureau_admin").await;
    let m = samples::matter(1);
    let code = m.code.clone();
    let r = app
        .post(
            &admin,
            "/api/v1/catalog/import",
            crate::support::catalog_file(std::slice::from_ref(&m)),
        )
        .await;
    let (s, report) = json_of(r).await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(
        (report["applied"].as_bool(), report["for_review"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(
        app.client
            .get(app.url(&format!("/api/v1/matters/{code}")))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND,
        "not public yet"
    );
    let publish = format!("/api/v1/matters/{code}/publish");
    let (s, e) = json_of(app.post(&admin, &publish, json!({})).await).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("four_eyes_publish"))
    );
    // A colleague's trivial re-save does not make it the importer's to publish either.
    let other = app.token("district_matter_admin").await;
    let (_, d) = json_of(
        app.get(&other, &format!("/api/v1/matters/{code}/admin"))
            .await,
    )
    .await;
    let mut draft = d["draft"].clone();
    draft["guide"]["hours"] = json!("周一至周五 9:00-17:00");
    let r = app
        .client
        .put(app.url(&format!("/api/v1/matters/{code}/draft")))
        .bearer_auth(&other)
        .json(&draft)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.post(&other, &format!("/api/v1/matters/{code}/submit"), json!({}))
        .await;
    let (s, e) = json_of(app.post(&admin, &publish, json!({})).await).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("four_eyes_publish")),
        "{e}"
    );
    // Nor the colleague who edited it: a third reviewer publishes.
    let (s, _) = json_of(app.post(&other, &publish, json!({})).await).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let body = json!({"username": "third.reviewer", "name": "第三审核人", "org_unit_id": app.unit_id("district"),
                      "password": crate::support::PASSWORD, "roles": [{"role": "matter_admin"}]});
    assert_eq!(
        app.post(&admin, "/api/v1/accounts", body).await.status(),
        StatusCode::CREATED
    );
    let third = app.token("third.reviewer").await;
    let (s, r) = json_of(app.post(&third, &publish, json!({})).await).await;
    assert_eq!(s, StatusCode::OK, "{r}");
}

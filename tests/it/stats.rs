//! The assessment indicators on data the test makes, on either store: applications filed online
//! and at the counter in two streets, approvals finished on time and late, one across a holiday
//! weekend, one running past its deadline and one paused past it (not overdue: its clock
//! stopped), ratings and complaints answered in time or not; a period with nothing to divide;
//! a street's figures against the district's; the catalog's rates against the published
//! catalog counted independently; who may read them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{TestApp, json_of};

/// A past application and its approval, written as the store keeps them.
struct Case<'a> {
    unit: &'a str,
    channel: &'a str,
    submitted: &'a str,
    started: &'a str,
    due: &'a str,
    finished: Option<&'a str>,
    status: &'a str,
}

/// Stores `c` (times as China-time `YYYY-MM-DD HH:MM`); answers the application's id.
async fn file(app: &TestApp, code: &str, n: usize, c: Case<'_>) -> i64 {
    let at = |t: &str| {
        let local = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M").unwrap();
        zhengwu::clock::to_db(
            local
                .and_local_timezone(zhengwu::clock::cst())
                .unwrap()
                .with_timezone(&chrono::Utc),
        )
    };
    let unit = app.unit_id(c.unit);
    let inst: i64 = zhengwu::storage::query_scalar(
        "INSERT INTO approval_instances (matter_code, matter_version, workflow_version, reference, \
         unit_id, status, step, started_at, warn_at, due_at, finished_at, created_by, updated_at) \
         VALUES ($1, 1, 1, $2, $3, $4, 0, $5, $6, $6, $7, 'window_clerk', $5) RETURNING id",
    )
    .bind(code)
    .bind(format!("T{n:04}"))
    .bind(unit)
    .bind(c.status)
    .bind(at(c.started))
    .bind(at(c.due))
    .bind(c.finished.map(at))
    .fetch_one(&app.db)
    .await
    .unwrap();
    zhengwu::storage::query_scalar(
        "INSERT INTO applications (number, matter_code, matter_version, applicant, applicant_name, \
         applicant_id, unit_id, channel, status, form_json, instance_id, created_at, submitted_at, \
         updated_at) VALUES ($1, $2, 1, 'cit.a', '测试', '', $3, $4, 'in_approval', '{}', $5, $6, $6, $6) \
         RETURNING id",
    )
    .bind(format!("T{n:04}"))
    .bind(code)
    .bind(unit)
    .bind(c.channel)
    .bind(inst)
    .bind(at(c.submitted))
    .fetch_one(&app.db)
    .await
    .unwrap()
}

/// A rating (`score`) or a complaint (`None`) on application `id`, filed, due and answered at
/// China-time `YYYY-MM-DD HH:MM`s.
async fn follow(app: &TestApp, id: i64, score: Option<i64>, due: &str, answered: Option<&str>) {
    let at = |t: &str| {
        format!(
            "{}:00.000000Z",
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M")
                .unwrap()
                .checked_sub_signed(chrono::Duration::hours(8))
                .unwrap()
                .format("%Y-%m-%dT%H:%M")
        )
    };
    zhengwu::storage::query(
        "INSERT INTO followups (application_id, kind, score, body, channel, department_id, \
         filed_by, filed_at, due_at, answer, answered_at) \
         VALUES ($1, $2, $3, '—', 'online', $4, 'cit.a', $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(if score.is_some() {
        "rating"
    } else {
        "complaint"
    })
    .bind(score)
    .bind(app.unit_id("health"))
    .bind(at("2026-03-05 10:00"))
    .bind(at(due))
    .bind(answered.map(|_| "已整改"))
    .bind(answered.map(at))
    .execute(&app.db)
    .await
    .unwrap();
}

async fn assessment(app: &TestApp, who: &str, query: &str) -> (StatusCode, Value) {
    let t = app.token(who).await;
    json_of(
        app.get(&t, &format!("/api/v1/stats/assessment?{query}"))
            .await,
    )
    .await
}

const MARCH: &str = "from=2026-03-01&to=2026-03-31";

/// The fixture with March 2026's applications (see the cases), a holiday on 9 March, and their
/// ratings and complaints; answers the app.
pub async fn march() -> TestApp {
    let app = TestApp::spawn().await;
    let code = app.publish_sample(3).await;
    let admin = app.token("district_bureau_admin").await;
    // Monday 9 March 2026 is a holiday: a Friday-to-Tuesday approval took one working day.
    let r = app
        .client
        .put(app.url("/api/v1/calendar/days/2026-03-09"))
        .bearer_auth(&admin)
        .json(&json!({"kind": "holiday", "name": "测试假日"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let done = |d: &'static str| Some(d);
    let cases = [
        // Filed online in 民治 (北站社区), finished on time across the holiday weekend.
        Case {
            unit: "beizhan",
            channel: "online",
            submitted: "2026-03-06 08:30",
            started: "2026-03-06 09:00",
            due: "2026-03-20 18:00",
            finished: done("2026-03-10 09:00"),
            status: "approved",
        },
        // At 民治's counter, finished late.
        Case {
            unit: "minzhi_hall",
            channel: "counter",
            submitted: "2026-03-02 10:00",
            started: "2026-03-02 10:00",
            due: "2026-03-12 18:00",
            finished: done("2026-03-16 10:00"),
            status: "approved",
        },
        // By QR code in 龙华 (清湖社区), running past its deadline now.
        Case {
            unit: "qinghu",
            channel: "qr_code",
            submitted: "2026-03-03 09:00",
            started: "2026-03-03 09:00",
            due: "2026-03-13 18:00",
            finished: None,
            status: "running",
        },
        // At 民治's counter, paused for a supplement past its deadline: its clock stopped.
        Case {
            unit: "minzhi_hall",
            channel: "counter",
            submitted: "2026-03-04 09:00",
            started: "2026-03-04 09:00",
            due: "2026-03-14 18:00",
            finished: None,
            status: "paused",
        },
        // Filed in February, started and finished in March: counted among March's finished only.
        Case {
            unit: "beizhan",
            channel: "online",
            submitted: "2026-02-27 09:00",
            started: "2026-03-02 09:00",
            due: "2026-03-31 18:00",
            finished: done("2026-03-05 09:00"),
            status: "approved",
        },
    ];
    let mut ids = Vec::new();
    for (n, c) in cases.into_iter().enumerate() {
        ids.push(file(&app, &code, n, c).await);
    }
    follow(&app, ids[0], Some(5), "2026-03-12 18:00", None).await;
    follow(
        &app,
        ids[1],
        Some(1),
        "2026-03-12 18:00",
        Some("2026-03-08 10:00"),
    )
    .await;
    follow(&app, ids[2], None, "2026-03-12 18:00", None).await;
    follow(
        &app,
        ids[3],
        Some(2),
        "2026-03-06 18:00",
        Some("2026-03-07 10:00"),
    )
    .await;
    app
}

#[tokio::test]
async fn the_indicators_count_what_was_filed_finished_and_rated() {
    let app = march().await;
    let admin = app.token("district_bureau_admin").await;
    let (s, a) = assessment(
        &app,
        "district_bureau_admin",
        &format!("{MARCH}&unit=440309"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["applications"], 4, "{a}");
    assert_eq!(
        a["online_filing_rate"], 0.5,
        "online and QR code of four: {a}"
    );
    assert_eq!(a["finished"], 3);
    assert_eq!(a["on_time_rate"], json!(2.0 / 3.0));
    // One finished late in March, one running past its deadline; the paused one is not.
    assert_eq!(a["overdue"], 2);
    // Fri 09:00 → Tue 09:00 over a weekend and a holiday: one working day; 2 → 16 March at
    // 10:00: nine (the holiday again); 2 → 5 March at 09:00: three.
    let days = a["average_working_days"].as_f64().unwrap();
    assert!((days - 13.0 / 3.0).abs() < 1e-9, "{a}");
    assert_eq!(
        a["positive_rating_rate"],
        json!(1.0 / 3.0),
        "a 5, a 1 and a 2: {a}"
    );
    // Poor ones: the 1 (answered in time), the complaint (not answered), the 2 (answered late).
    assert_eq!(a["poor_rating_rectified_rate"], json!(1.0 / 3.0), "{a}");
    assert_eq!(
        a["by_channel"],
        json!({"counter": 2, "online": 1, "qr_code": 1})
    );

    // A street sees what its own halls took in; the other street the rest.
    let (_, mz) = assessment(
        &app,
        "district_bureau_admin",
        &format!("{MARCH}&unit=440309004"),
    )
    .await;
    assert_eq!(
        (&mz["applications"], &mz["finished"], &mz["overdue"]),
        (&json!(3), &json!(3), &json!(1))
    );
    let (_, lh) = assessment(
        &app,
        "district_bureau_admin",
        &format!("{MARCH}&unit=440309003"),
    )
    .await;
    assert_eq!(
        (&lh["applications"], &lh["finished"], &lh["overdue"]),
        (&json!(1), &json!(0), &json!(1))
    );
    assert_eq!(lh["on_time_rate"], Value::Null);
    // The department owning the matter sees all of it.
    let (_, dept) = assessment(
        &app,
        "district_bureau_admin",
        &format!("{MARCH}&unit=440309-D02"),
    )
    .await;
    assert_eq!(dept["applications"], 4);

    // Nothing to divide: rates are null, counts zero.
    let (_, empty) = assessment(
        &app,
        "district_bureau_admin",
        "from=2025-01-01&to=2025-01-31",
    )
    .await;
    for k in [
        "online_filing_rate",
        "on_time_rate",
        "positive_rating_rate",
        "poor_rating_rectified_rate",
        "average_working_days",
    ] {
        assert_eq!(empty[k], Value::Null, "{k}: {empty}");
    }
    assert_eq!(
        (&empty["applications"], &empty["overdue"]),
        (&json!(0), &json!(1)),
        "the running one is overdue now"
    );

    // The ranking puts 民治 and 龙华 side by side; the warnings name the overdue approval.
    let (s, ranked) = json_of(
        app.get(&admin, &format!("/api/v1/stats/ranking?{MARCH}"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{ranked}");
    let street = |c: &str| {
        ranked
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == c)
            .cloned()
            .unwrap()
    };
    assert_eq!(street("440309004")["assessment"]["applications"], 3);
    assert_eq!(street("440309003")["assessment"]["applications"], 1);
    let (_, w) = json_of(
        app.get(&admin, &format!("/api/v1/stats/warnings?{MARCH}"))
            .await,
    )
    .await;
    let overdue: Vec<&Value> = w
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "overdue")
        .collect();
    assert_eq!(overdue.len(), 1, "{w}");
    assert_eq!(overdue[0]["subject"], "T0002");
    assert!(
        w.as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "followup_due" && x["subject"] == "T0002"),
        "{w}"
    );
    assert!(
        w.as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "indicator" && x["subject"] == "on_time_rate"),
        "{w}"
    );
}

#[tokio::test]
async fn catalog_rates_agree_with_the_published_catalog_and_readers_stay_in_scope() {
    let app = TestApp::spawn().await;
    for i in [0, 1, 3, 5, 8] {
        app.publish_sample(i).await;
    }
    let admin = app.token("district_bureau_admin").await;
    let (_, list) = json_of(app.get(&admin, "/api/v1/matters").await).await;
    let (mut n, mut capable, mut full, mut once, mut now, mut promised, mut legal) =
        (0, 0, 0, 0, 0, 0, 0);
    for m in list
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["status"] == "published")
    {
        let (_, p) = json_of(
            app.client
                .get(app.url(&format!("/api/v1/matters/{}", m["code"].as_str().unwrap())))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let g = &p["matter"]["guide"];
        n += 1;
        capable += i64::from(g["online_depth"].as_i64().unwrap() >= 3);
        full += i64::from(g["online_depth"].as_i64().unwrap() == 4);
        once += i64::from(g["onsite_visits"].as_i64().unwrap() <= 1);
        now += i64::from(g["promised_limit_days"].as_i64().unwrap() == 0);
        if let Some(l) = g["legal_limit_days"].as_i64() {
            promised += g["promised_limit_days"].as_i64().unwrap();
            legal += l;
        }
    }
    assert_eq!(n, 5);
    let (s, a) = assessment(&app, "district_bureau_admin", "").await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let r = |a: i64, b: i64| json!(a as f64 / b as f64);
    assert_eq!(a["published_matters"], n);
    assert_eq!(a["online_capable_rate"], r(capable, n));
    assert_eq!(a["fully_online_rate"], r(full, n));
    assert_eq!(a["at_most_one_visit_rate"], r(once, n));
    assert_eq!(a["immediate_rate"], r(now, n));
    let compression = a["time_compression_rate"].as_f64().unwrap();
    assert!(
        (compression - (1.0 - promised as f64 / legal as f64)).abs() < 1e-12,
        "{a}"
    );
    // A street (no department of its own) is served by the district's catalog.
    let (_, mz) = assessment(&app, "district_bureau_admin", "unit=440309004").await;
    assert_eq!(mz["published_matters"], n);

    // Who may read: a street's admin its street, not the district; a clerk nothing.
    let (s, own) = assessment(&app, "department_admin", "").await;
    assert_eq!(
        (s, &own["unit"]),
        (StatusCode::OK, &json!("440309004")),
        "{own}"
    );
    let (s, _) = assessment(&app, "department_admin", "unit=440309").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = assessment(&app, "department_admin", "unit=440309003").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = assessment(&app, "window_clerk", "").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let r = app
        .client
        .get(app.url("/api/v1/stats/assessment"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A bad period says which day is wrong.
    for (q, field) in [
        ("from=2026-02-30", "from"),
        ("from=2026-03-02&to=2026-03-01", "from"),
        ("from=2020-01-01&to=2026-01-01", "to"),
    ] {
        let (s, e) = assessment(&app, "district_bureau_admin", q).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{q}: {e}");
    }
}

#[tokio::test]
async fn a_saved_report_runs_by_street_and_month_into_rows_totals_and_a_workbook() {
    use calamine::Reader;
    let app = march().await;
    let admin = app.token("district_bureau_admin").await;
    let def = json!({"name": "街道月报", "rows": ["street", "month"],
        "measures": ["submitted", "accepted", "finished", "on_time_rate", "overdue", "online_capable_rate"],
        "period": {"from": "2026-03-01", "to": "2026-03-31"}});
    let (s, r) = json_of(app.post(&admin, "/api/v1/reports", def.clone()).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let id = r["id"].as_i64().unwrap();
    let (s, run) = json_of(app.get(&admin, &format!("/api/v1/reports/{id}/run")).await).await;
    assert_eq!(s, StatusCode::OK, "{run}");
    let row = |street: &str| {
        run["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["labels"][0] == street)
            .cloned()
            .unwrap_or_else(|| panic!("no {street}: {run}"))
    };
    let mz = row("民治街道");
    assert_eq!(mz["labels"][1], "2026-03");
    // Submitted 3, accepted (started in March) 4, finished 3 of which 2 on time; overdue: the
    // late one; catalog rates only by department or street alone: none by street × month.
    assert_eq!(
        mz["values"],
        json!([3.0, 4.0, 3.0, 2.0 / 3.0, 1.0, null]),
        "{run}"
    );
    let lh = row("龙华街道");
    assert_eq!(lh["values"][0], 1.0);
    assert_eq!(run["totals"][0], 4.0);
    assert_eq!(run["totals"][4], 2.0);
    assert_eq!(
        run["totals"][5], 1.0,
        "the district's catalog in the totals"
    );
    // The workbook reads back with the same figures.
    let x = app
        .get(&admin, &format!("/api/v1/reports/{id}/run.xlsx"))
        .await;
    assert_eq!(x.status(), StatusCode::OK);
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.bytes().await.unwrap().to_vec()))
            .unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let text: Vec<String> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        text.iter()
            .any(|l| l.starts_with("民治街道|2026-03|3|4|3|")),
        "{text:?}"
    );
    assert!(text.iter().any(|l| l.starts_with("合计")), "{text:?}");

    // Another period asked for; a bad one refused.
    let (_, feb) = json_of(
        app.get(
            &admin,
            &format!("/api/v1/reports/{id}/run?from=2026-02-01&to=2026-02-28"),
        )
        .await,
    )
    .await;
    assert_eq!(feb["totals"][0], 1.0, "the one filed in February: {feb}");
    let (s, _) = json_of(
        app.get(
            &admin,
            &format!("/api/v1/reports/{id}/run?from=2026-03-02&to=2026-03-01"),
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

    // Not shared: the street's admin does not see it; shared, they see it counted in their own
    // street only; the shipped quarterly sheet is theirs to open too.
    let street = app.token("department_admin").await;
    assert_eq!(
        app.get(&street, &format!("/api/v1/reports/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let mut shared = def.clone();
    shared["shared"] = json!(true);
    let r = app
        .client
        .put(app.url(&format!("/api/v1/reports/{id}")))
        .bearer_auth(&street)
        .json(&shared)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "not theirs to change");
    let r = app
        .client
        .put(app.url(&format!("/api/v1/reports/{id}")))
        .bearer_auth(&admin)
        .json(&shared)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, theirs) = json_of(app.get(&street, &format!("/api/v1/reports/{id}/run")).await).await;
    assert_eq!(s, StatusCode::OK, "{theirs}");
    assert_eq!(theirs["totals"][0], 3.0, "民治 only: {theirs}");
    let (_, list) = json_of(app.get(&street, "/api/v1/reports").await).await;
    assert!(list.to_string().contains("市政务服务考核季度表"), "{list}");
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/reports/{id}")))
        .bearer_auth(&street)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'report.save'")
            .await,
        2
    );

    // Bad definitions name their field; a clerk builds none.
    for (change, field) in [
        (json!({"rows": []}), "rows"),
        (json!({"rows": ["street", "street"]}), "rows[1]"),
        (json!({"rows": ["colour"]}), "rows[0]"),
        (json!({"measures": ["profit"]}), "measures[0]"),
        (json!({"name": " "}), "name"),
        (json!({"period": {"rolling": "someday"}}), "period.rolling"),
        (
            json!({"period": {"from": "2026-03-02", "to": "2026-03-01"}}),
            "period.from",
        ),
        (
            json!({"period": {"from": "1926-01-01", "to": "2026-01-01"}}),
            "period.to",
        ),
        (
            json!({"measures": ["submitted", "submitted"]}),
            "measures[1]",
        ),
        (
            json!({"filters": {"channels": ["pigeon"]}}),
            "filters.channels[0]",
        ),
        (json!({"filters": {"unit": "NOPE"}}), "filters.unit"),
        (
            json!({"period": {"from": "2026-13-01", "to": "2026-03-31"}}),
            "period.from",
        ),
    ] {
        let mut body = def.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, e) = json_of(app.post(&admin, "/api/v1/reports", body).await).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{change}");
        let fields: Vec<&str> = e["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["field"].as_str())
            .collect();
        assert!(fields.contains(&field), "{change}: {e}");
    }
    let clerk = app.token("window_clerk").await;
    let (s, _) = json_of(app.post(&clerk, "/api/v1/reports", def).await).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_report_builder_saves_a_report_and_its_page_shows_the_table_and_the_chart() {
    use crate::support::pages::{browser, sign_in};
    let app = march().await;
    let c = browser();
    let csrf = sign_in(&app, &c, "district_bureau_admin").await;
    let page = c
        .get(app.url("/reports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("市政务服务考核季度表"),
        "the shipped sheet is listed"
    );
    let form = |measures: &[&str]| {
        let mut f: Vec<(&str, String)> = vec![
            ("csrf", csrf.clone()),
            ("name", "部门月报".into()),
            ("row1", "department".into()),
            ("row2", "month".into()),
            ("rolling", "fixed".into()),
            ("from", "2026-03-01".into()),
            ("to", "2026-03-31".into()),
            ("unit", "440309".into()),
        ];
        f.extend(measures.iter().map(|m| ("measures", m.to_string())));
        f
    };
    // No measure chosen: said beside the measures, the name kept.
    let r = c
        .post(app.url("/reports"))
        .form(&form(&[]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("请选择 1 至 20 个指标") && html.contains("部门月报"));
    let r = c
        .post(app.url("/reports"))
        .form(&form(&["submitted", "on_time_rate"]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let html = c
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let table = html.split("id=\"report-table\"").nth(1).unwrap_or("");
    assert!(
        table.contains("区卫生健康局") && table.contains("2026-03"),
        "{table}"
    );
    assert!(table.contains("66.67%"), "the on-time rate: {table}");
    assert!(
        html.contains("id=\"report-chart\""),
        "a chart of the first measure"
    );
    assert!(html.contains("run.xlsx"));
}

#[tokio::test]
async fn targets_are_kept_with_versions_and_the_warnings_follow_them() {
    let app = march().await;
    let admin = app.token("district_bureau_admin").await;
    let put = |token: String, body: Value| {
        let app = &app;
        async move {
            json_of(
                app.client
                    .put(app.url("/api/v1/stats/targets"))
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    let (_, v) = json_of(app.get(&admin, "/api/v1/stats/targets").await).await;
    assert_eq!(v[0]["version"], 0, "the built-in set: {v}");
    let warned = |w: &Value, key: &str| {
        w.as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "indicator" && x["subject"] == key)
    };
    let (_, w) = json_of(
        app.get(&admin, &format!("/api/v1/stats/warnings?{MARCH}"))
            .await,
    )
    .await;
    assert!(warned(&w, "on_time_rate") && warned(&w, "overdue"), "{w}");
    // The city's new scheme: on time from 50%, worth 4 points; overdue no longer counted.
    let rules = json!([{"key": "on_time_rate", "target": 0.5, "points": 4}]);
    let (s, t) = put(admin.clone(), json!({"base_version": 0, "rules": rules})).await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(t["version"], 1);
    let (_, w) = json_of(
        app.get(&admin, &format!("/api/v1/stats/warnings?{MARCH}"))
            .await,
    )
    .await;
    assert!(!warned(&w, "on_time_rate") && !warned(&w, "overdue"), "{w}");
    // Written on an old version: refused; by a street's admin: refused; bad rules: each named.
    let (s, _) = put(admin.clone(), json!({"base_version": 0, "rules": rules})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = put(
        app.token("department_admin").await,
        json!({"base_version": 1, "rules": rules}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for (bad, field) in [
        (
            json!([{"key": "on_time_rate", "target": 1.5, "points": 1}]),
            "rules[0].target",
        ),
        (
            json!([{"key": "profit_rate", "target": 0.5, "points": 1}]),
            "rules[0].key",
        ),
        (
            json!([{"key": "overdue", "target": 0, "points": 1}, {"key": "overdue", "target": 1, "points": 1}]),
            "rules[1].key",
        ),
        (
            json!([{"key": "overdue", "target": 0, "points": 101}]),
            "rules[0].points",
        ),
    ] {
        let (s, e) = put(admin.clone(), json!({"base_version": 1, "rules": bad})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(e["error"]["fields"][0]["field"], field, "{e}");
    }
    let (_, v) = json_of(app.get(&admin, "/api/v1/stats/targets").await).await;
    let versions: Vec<i64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 0]);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'stats.targets'")
            .await,
        1
    );
}

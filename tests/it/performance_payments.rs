//! Payments entered one by one: a finance officer records the seed's two payments on a project
//! with its invoice, and the execution rate follows to the fen; a payment outside the year, a
//! voucher twice, a bad amount or someone else's file is refused with nothing stored; who may
//! record and who may read the files.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::crawl::demo_app;
use crate::support::filing::{PDF, upload};
use crate::support::{TestApp, json_of};

async fn pay(app: &TestApp, token: &str, code: &str, body: Value) -> (StatusCode, Value) {
    json_of(
        app.post(
            token,
            &format!("/api/v1/performance/projects/{code}/payments"),
            body,
        )
        .await,
    )
    .await
}

pub fn fields(v: &Value) -> Vec<String> {
    v["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn payments_recorded_one_by_one_move_the_execution_rate_to_the_fen() {
    let app = demo_app().await;
    let fin = app.token("finance").await;
    let mut d = serde_json::to_value(zhengwu::performance::demo::project_2018()).unwrap();
    d["code"] = json!("LH-2018-PAY");
    d["contract"]["number"] = json!("PAY-TEST");
    d["payments"] = json!([]);
    let (s, r) = json_of(app.post(&fin, "/api/v1/performance/projects", d).await).await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let invoice = upload(&app, &fin, "发票.pdf", PDF).await;
    let (s, r) = pay(
        &app,
        &fin,
        "LH-2018-PAY",
        json!({"date": "2018-06-26", "amount": "1118400.00", "voucher": "0100014480",
               "installment": 1, "files": [{"kind": "发票", "file_id": invoice}]}),
    )
    .await;
    assert_eq!((s, &r["payments"]), (StatusCode::CREATED, &json!(1)), "{r}");
    let audits = "SELECT COUNT(*) FROM audit_log WHERE action = 'performance.payment' \
                  AND entity_id = 'LH-2018-PAY'";
    assert_eq!(app.count(audits).await, 1);
    // Refused, each naming its field, and nothing stored.
    let other = upload(&app, &app.token("admin").await, "x.pdf", PDF).await;
    for (body, field) in [
        (
            json!({"date": "2019-01-02", "amount": "1.00", "voucher": "A1"}),
            "date",
        ),
        (
            json!({"date": "2018-10-24", "amount": "1.00", "voucher": "0100014480"}),
            "voucher",
        ),
        (
            json!({"date": "2018-10-24", "amount": "1,118,400", "voucher": "A2"}),
            "amount",
        ),
        (
            json!({"date": "2018-10-24", "amount": "0.00", "voucher": "A3"}),
            "amount",
        ),
        (
            json!({"date": "2018-10-24", "amount": "1.00", "voucher": ""}),
            "voucher",
        ),
        (
            json!({"date": "2018-10-24", "amount": "1.00", "voucher": "A4", "installment": 9}),
            "installment",
        ),
        (
            json!({"date": "2018-10-24", "amount": "1.00", "voucher": "A5",
                "files": [{"kind": "发票", "file_id": other}]}),
            "files[0].file_id",
        ),
        (
            json!({"date": "2018-10-24", "amount": "1.00", "voucher": "A6",
                "files": [{"kind": "照片", "file_id": invoice}]}),
            "files[0].kind",
        ),
        (
            json!({"date": "2018-10-24", "amount": 5, "voucher": "A7"}),
            "amount",
        ),
    ] {
        let (s, r) = pay(&app, &fin, "LH-2018-PAY", body.clone()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {r}");
        assert!(fields(&r).contains(&field.to_string()), "{body} → {r}");
    }
    assert_eq!(app.count(audits).await, 1);
    let (s, r) = pay(
        &app,
        &fin,
        "LH-2018-PAY",
        json!({"date": "2018-10-24", "amount": "1118400.00", "voucher": "0100024174", "installment": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (_, e) = json_of(
        app.get(&fin, "/api/v1/performance/projects/LH-2018-PAY/evaluation")
            .await,
    )
    .await;
    assert_eq!(e["paid"], "2236800.00", "{e}");
    assert_eq!(e["execution_rate"], 0.9986);
    assert_eq!(e["contract_outstanding"], "559200.00");
    // The dashboard's figures follow, month by month, beside the desk's 2018.
    let r = app
        .get(
            &fin,
            "/api/v1/performance/projects/LH-2018-PAY/dashboard.xlsx",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(r.bytes().await.unwrap().to_vec()))
            .unwrap();
    let budget = wb.worksheet_range("预算执行").unwrap();
    let row = |r: &calamine::Range<calamine::Data>, n: u32| -> Vec<String> {
        (0..4)
            .map(|c| {
                r.get_value((n, c))
                    .map(|v| v.to_string())
                    .unwrap_or_default()
            })
            .collect()
    };
    assert_eq!(row(&budget, 6), ["2018年6月", "111.84", "111.84", "49.93%"]);
    assert_eq!(
        row(&budget, 10),
        ["2018年10月", "223.68", "111.84", "99.86%"]
    );
    let tickets = wb.worksheet_range("运维工单").unwrap();
    let total: f64 = (1..=12)
        .map(|n| {
            tickets
                .get_value((n, 1))
                .and_then(calamine::DataType::get_float)
                .unwrap_or(0.0)
        })
        .sum();
    assert_eq!(total, 9287.0);
    // The files: listed and served to those who read the project, not to another department.
    let (_, files) = json_of(
        app.get(
            &fin,
            "/api/v1/performance/projects/LH-2018-PAY/payments/files",
        )
        .await,
    )
    .await;
    assert_eq!(files[0]["voucher"], "0100014480", "{files}");
    assert_eq!(files[0]["kind"], "发票");
    let path = format!("/api/v1/performance/projects/LH-2018-PAY/files/{invoice}");
    let auditor = app.token("auditor").await;
    let r = app.get(&auditor, &path).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
    let r = app
        .get(
            &auditor,
            &format!("/api/v1/performance/projects/LH-2018-PAY/files/{other}"),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "a file not on the project"
    );
    let (s, _) = pay(
        &app,
        &auditor,
        "LH-2018-PAY",
        json!({"date": "2018-11-01", "amount": "1.00", "voucher": "X"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let citizen = app.token("citizen").await;
    assert_eq!(
        app.get(&citizen, &path).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// A project-year goes out as a workbook and comes back through the web form (checked first,
/// then imported) and the command line; a bad workbook is refused whole with its faults named.
#[tokio::test]
async fn a_project_year_round_trips_through_a_workbook() {
    use crate::support::pages::{browser, sign_in};
    use reqwest::multipart::{Form, Part};

    let app = demo_app().await;
    let fin = app.token("finance").await;
    let r = app
        .get(
            &fin,
            "/api/v1/performance/projects/LH-2018-ZWYW/export.xlsx",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let original = r.bytes().await.unwrap().to_vec();
    // Someone renames the code in the workbook, as people do, and imports it as a new project.
    let d = zhengwu::performance::exchange::import(&original).unwrap();
    let mut copy = d.clone();
    copy.code = "LH-2018-XLSX".into();
    copy.contract.as_mut().unwrap().number = "XLSX-TEST".into();
    let workbook = zhengwu::performance::exchange::export(&copy).unwrap();
    let c = browser();
    let csrf = sign_in(&app, &c, "finance").await;
    let send = |bytes: Vec<u8>, dry: bool| {
        let c = c.clone();
        let url = app.url(&format!("/performance/import?csrf={csrf}"));
        let base = app.url("");
        async move {
            let mut form = Form::new().part(
                "file",
                Part::bytes(bytes).file_name("项目.xlsx".to_string()),
            );
            if dry {
                form = form.text("dry_run", "1");
            }
            let r = c.post(url).multipart(form).send().await.unwrap();
            // Done: back to the list (a refresh does not import again), which says what was done.
            if r.status().is_redirection() {
                let to = r.headers()["location"].to_str().unwrap().to_string();
                let page = c.get(format!("{base}{to}")).send().await.unwrap();
                return (page.status(), page.text().await.unwrap());
            }
            (r.status(), r.text().await.unwrap())
        }
    };
    let count = || app.count("SELECT COUNT(*) FROM perf_projects WHERE code = 'LH-2018-XLSX'");
    let (s, page) = send(workbook.clone(), true).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("检查无误"), "{page}");
    assert_eq!(count().await, 0, "a check writes nothing");
    // The check runs the import's every check: another department's project is not theirs.
    let mut theirs = copy.clone();
    theirs.department = "440309-D02".into();
    let (s, page) = send(
        zhengwu::performance::exchange::export(&theirs).unwrap(),
        true,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("不在您的管理范围内"), "{page}");
    let (_, page) = send(workbook.clone(), false).await;
    assert!(page.contains("LH-2018-XLSX（2018 年度）已导入"), "{page}");
    assert_eq!(count().await, 1);
    let (_, e) = json_of(
        app.get(&fin, "/api/v1/performance/projects/LH-2018-XLSX/evaluation")
            .await,
    )
    .await;
    assert_eq!(e["paid"], "2236800.00", "{e}");
    // A workbook with a bad amount and an unknown section: refused whole, both named.
    let mut bad = serde_json::to_value(&copy).unwrap();
    bad["name"] = json!("改过的名字");
    bad["budget"]["initial"] = json!("两百万");
    let bad: zhengwu::performance::Doc = serde_json::from_value(bad).unwrap();
    let (s, page) = send(zhengwu::performance::exchange::export(&bad).unwrap(), false).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("budget.initial："),
        "the fault's path beside its message: {page}"
    );
    let name: String = zhengwu::storage::query_scalar(
        "SELECT name FROM perf_projects WHERE code = 'LH-2018-XLSX'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_ne!(name, "改过的名字");
    let (_, page) = send("项目,code,X\n杂项,a,b\n".as_bytes().to_vec(), false).await;
    assert!(page.contains("无法识别的分区"), "{page}");
    // The auditor has no import form and cannot post one.
    let a = browser();
    let token = sign_in(&app, &a, "auditor").await;
    let list = a
        .get(app.url("/performance"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("import-form"));
    let r = a
        .post(app.url(&format!("/performance/import?csrf={token}")))
        .multipart(Form::new().part(
            "file",
            Part::bytes(workbook).file_name("x.xlsx".to_string()),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

//! The approver's inbox and the supervisor's list over HTTP: tasks found through their candidates
//! (a role at a unit covers the units inside it), filtered by deadline state and by text, sorted
//! and paged, in the API and on the pages.

use reqwest::StatusCode;
use serde_json::Value;

use crate::support::approval::{Setup, setup, start};
use crate::support::{TestApp, json_of};

/// Starts LH2026-1101 (turned yellow), -1102 (overdue) and -1103 (on time) at 北站社区.
async fn three_applications(app: &TestApp, code: &str) {
    for (n, warn, due) in [
        (
            1101,
            "2026-01-05T01:00:00.000000Z",
            "2099-01-05T01:00:00.000000Z",
        ),
        (
            1102,
            "2026-01-04T01:00:00.000000Z",
            "2026-01-05T01:00:00.000000Z",
        ),
        (
            1103,
            "2099-01-04T01:00:00.000000Z",
            "2099-01-05T01:00:00.000000Z",
        ),
    ] {
        let p = start(app, code, &format!("LH2026-{n}")).await;
        let id = p["id"].as_i64().unwrap();
        for table in ["approval_tasks", "approval_instances"] {
            let key = if table == "approval_tasks" {
                "instance_id"
            } else {
                "id"
            };
            zhengwu::storage::query(format!(
                "UPDATE {table} SET warn_at = $1, due_at = $2 WHERE {key} = $3"
            ))
            .bind(warn)
            .bind(due)
            .bind(id)
            .execute(&app.db)
            .await
            .unwrap();
        }
    }
}

async fn refs(app: &TestApp, user: &str, path: &str) -> (i64, Vec<String>) {
    let (s, v) = json_of(app.get(&app.token(user).await, path).await).await;
    assert_eq!(s, StatusCode::OK, "{path}: {v}");
    let refs = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["instance"]["reference"].as_str().unwrap().to_string())
        .collect();
    (v["total"].as_i64().unwrap(), refs)
}

#[tokio::test]
async fn the_inbox_filters_by_deadline_state_and_text_sorts_and_pages() {
    let Setup { app, code } = setup().await;
    three_applications(&app, &code).await;
    let inbox = "/api/v1/approvals/inbox";
    let all = ["LH2026-1102", "LH2026-1101", "LH2026-1103"];
    assert_eq!(
        refs(&app, "window_clerk", inbox).await,
        (3, all.map(String::from).to_vec()),
        "oldest deadline first"
    );
    // A clerk of a community inside the street is a candidate too; another street's is not.
    assert_eq!(refs(&app, "mz_staff", inbox).await.0, 3);
    assert_eq!(refs(&app, "lh_staff", inbox).await, (0, vec![]));
    assert_eq!(
        refs(&app, "health.a", inbox).await.0,
        0,
        "not at its step yet"
    );

    for (timing, want) in [
        ("warning", "LH2026-1101"),
        ("overdue", "LH2026-1102"),
        ("ok", "LH2026-1103"),
    ] {
        let (total, got) = refs(&app, "window_clerk", &format!("{inbox}?timing={timing}")).await;
        assert_eq!((total, got), (1, vec![want.to_string()]), "{timing}");
    }
    let (_, v) = json_of(
        app.get(
            &app.token("window_clerk").await,
            &format!("{inbox}?timing=warning"),
        )
        .await,
    )
    .await;
    assert_eq!(v["items"][0]["timing"], "warning");
    assert!(!v["items"][0]["matter_name"].as_str().unwrap().is_empty());
    assert_eq!(
        refs(&app, "window_clerk", &format!("{inbox}?q=1103"))
            .await
            .1,
        ["LH2026-1103"]
    );
    assert_eq!(
        refs(
            &app,
            "window_clerk",
            &format!("{inbox}?sort=-reference&per_page=2&page=1")
        )
        .await,
        (
            3,
            vec!["LH2026-1103".to_string(), "LH2026-1102".to_string()]
        )
    );
    assert_eq!(
        refs(
            &app,
            "window_clerk",
            &format!("{inbox}?sort=-reference&per_page=2&page=2")
        )
        .await,
        (3, vec!["LH2026-1101".to_string()])
    );

    // The page: filters, a sortable header and a pager.
    let c = crate::support::pages::browser();
    crate::support::pages::sign_in(&app, &c, "window_clerk").await;
    let get = |path: String| {
        let c = c.clone();
        async move { c.get(path).send().await.unwrap().text().await.unwrap() }
    };
    let page = get(app.url("/inbox?timing=overdue")).await;
    assert!(
        page.contains("LH2026-1102") && !page.contains("LH2026-1101"),
        "{page}"
    );
    assert!(page.contains("共 1 条"));
    let page = get(app.url("/inbox?per_page=2&sort=-reference")).await;
    assert!(
        page.contains("rel=\"next\"")
            && page.contains("LH2026-1103")
            && !page.contains("LH2026-1101")
    );
    assert!(page.contains("办件编号 ▼"), "the sorted column says so");
    // The pager keeps the page size and the sort.
    let links = page.replace("&amp;", "&").replace("&#x2f;", "/");
    assert!(
        links.contains("/inbox?q=&timing=&per_page=2&sort=-reference&page=2"),
        "{links}"
    );
}

#[tokio::test]
async fn supervisors_filter_sort_and_page_their_units_applications() {
    let Setup { app, code } = setup().await;
    three_applications(&app, &code).await;
    let list = "/api/v1/approvals";
    assert_eq!(refs(&app, "department_admin", list).await.0, 3);
    assert_eq!(
        refs(&app, "department_admin", &format!("{list}?timing=overdue"))
            .await
            .1,
        ["LH2026-1102"]
    );
    assert_eq!(
        refs(
            &app,
            "department_admin",
            &format!("{list}?q=1101&status=running")
        )
        .await
        .1,
        ["LH2026-1101"]
    );
    assert_eq!(
        refs(&app, "department_admin", &format!("{list}?status=approved"))
            .await
            .0,
        0
    );
    let (_, v): (_, Value) = json_of(
        app.get(
            &app.token("department_admin").await,
            &format!("{list}?per_page=1&sort=reference"),
        )
        .await,
    )
    .await;
    assert_eq!(
        (v["total"].as_i64(), v["items"].as_array().unwrap().len()),
        (Some(3), 1)
    );
    assert_eq!(v["items"][0]["instance"]["reference"], "LH2026-1101");
    assert_eq!(v["items"][0]["unit_name"], "北站社区");
    assert_eq!(v["items"][0]["timing"], "warning");
    // Without the supervision permission (an auditor) the list is refused.
    let other = app.token("district_auditor").await;
    assert_eq!(app.get(&other, list).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn tasks_opened_before_candidate_rows_are_filled_in_at_start_up() {
    let Setup { app, code } = setup().await;
    three_applications(&app, &code).await;
    // As a store migrated from before migration 0009: open tasks without candidate rows.
    zhengwu::storage::query("DELETE FROM approval_task_candidates")
        .execute(&app.db)
        .await
        .unwrap();
    let inbox = "/api/v1/approvals/inbox";
    assert_eq!(refs(&app, "window_clerk", inbox).await.0, 0);
    let filled = zhengwu::approval::engine::backfill_candidates(&app.db)
        .await
        .unwrap();
    assert_eq!(filled, 3);
    assert_eq!(refs(&app, "window_clerk", inbox).await.0, 3);
    assert_eq!(
        zhengwu::approval::engine::backfill_candidates(&app.db)
            .await
            .unwrap(),
        0,
        "nothing to do the next time"
    );
}

//! The demo hall's counter: three windows at 民治街道行政服务大厅 (a comprehensive one, a health
//! window, a closed market window) with the demo clerk, and this morning's queue tickets, two
//! of them already called.

use super::{WindowSave, queue, windows};
use crate::auth::Principal;
use crate::storage::{Db, query_as, query_scalar};

const HALL: &str = "440309002-H";

/// Seeds the counter once (when the hall has no windows yet).
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let Some(hall) = crate::org::by_code(db, HALL).await? else {
        return Ok(());
    };
    let have: i64 = query_scalar("SELECT COUNT(*) FROM hall_windows WHERE unit_id = $1")
        .bind(hall.id)
        .fetch_one(db)
        .await?;
    if have > 0 {
        return Ok(());
    }
    let by_dept = |dept: &'static str| async move {
        let codes: Vec<(String,)> = query_as(
            "SELECT code FROM matters WHERE status = 'published' AND department_code = $1 ORDER BY code",
        )
        .bind(dept)
        .fetch_all(db)
        .await?;
        anyhow::Ok(codes.into_iter().map(|c| c.0).collect::<Vec<_>>())
    };
    let system = Principal::system();
    let health = by_dept("440309-D02").await?;
    let market = by_dept("440309-D07").await?;
    let plan = [
        ("1", "综合受理窗口", true, Vec::new(), true),
        ("2", "卫生健康专窗", health.is_empty(), health.clone(), true),
        (
            "3",
            "市场监管专窗",
            market.is_empty(),
            market.clone(),
            false,
        ),
    ];
    let mut first = None;
    for (number, name, comprehensive, matters, active) in plan {
        let w = windows::save(
            db,
            &system,
            None,
            &WindowSave {
                unit_code: HALL.into(),
                number: number.into(),
                name: name.into(),
                comprehensive,
                matters,
                clerks: vec!["clerk".into()],
                active,
            },
        )
        .await?;
        first.get_or_insert(w.id);
    }
    // This morning's queue: six tickets, two called.
    let water = health.first().cloned();
    for i in 0..6 {
        let m = if i % 2 == 0 { water.as_deref() } else { None };
        queue::take(db, HALL, m).await?;
    }
    if let Some(w) = first {
        queue::call_next(db, &system, w).await?;
        queue::call_next(db, &system, w).await?;
    }
    Ok(())
}

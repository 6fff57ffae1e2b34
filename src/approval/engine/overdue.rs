//! Overdue events: each open task of a running application that passes its deadline is recorded
//! once in the audit trail (and so in the application's history). The server runs this every
//! minute.

use serde_json::json;

use crate::audit::{self, Change};
use crate::error::Result;
use crate::storage::Db;

/// Records every open task of a running application that has passed its deadline and was not
/// recorded yet: one `approval.overdue` audit entry each. Answers how many were recorded.
pub async fn record_overdue(db: &Db) -> Result<usize> {
    let now = db.now();
    let late: Vec<(i64, i64, String, String, String)> = crate::storage::query_as(
        "SELECT t.id, i.id, i.reference, t.step_name, o.path FROM approval_tasks t \
         JOIN approval_instances i ON i.id = t.instance_id JOIN org_units o ON o.id = i.unit_id \
         WHERE t.status = 'open' AND t.overdue_at IS NULL AND t.due_at < $1 AND i.status = 'running'",
    )
    .bind(&now)
    .fetch_all(&db)
    .await?;
    let mut n = 0;
    for (task, inst, reference, step, path) in late {
        let mut tx = db.begin().await?;
        let marked = crate::storage::query(
            "UPDATE approval_tasks SET overdue_at = $1 WHERE id = $2 AND overdue_at IS NULL",
        )
        .bind(&now)
        .bind(task)
        .execute(&mut tx)
        .await?
        .rows_affected();
        if marked == 1 {
            audit::record(
                &mut tx,
                &audit::Actor {
                    user_id: None,
                    name: "system".into(),
                    ip: None,
                },
                Change {
                    action: "approval.overdue",
                    entity: "approval",
                    entity_id: inst.to_string(),
                    scope_path: &path,
                    summary: format!("{reference} {step}"),
                    before: None,
                    after: Some(json!({"task": task})),
                },
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
    }
    Ok(n)
}

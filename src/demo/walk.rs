//! Moving an accepted application along its workflow as the demo district's people would: each
//! open step acted on by someone active who holds the step's role and has not acted on it yet
//! (separation of duties: nobody acts twice on one application), passing until a chosen step, where a chosen action ends the walk. The demo
//! uses it for the citizen's decided cases; the demo-matrix test for every hall and matter.

use crate::approval::definition::Action;
use crate::approval::engine::{self, Act, Candidate};
use crate::approval::machine::TaskStatus;
use crate::auth::principal_of;
use crate::storage::{Db, query_as};

/// Someone active who may act on `c` and is not in `acted`.
pub async fn actor(db: &Db, c: &[Candidate], acted: &[String]) -> anyhow::Result<Option<String>> {
    for cand in c {
        let names: Vec<String> = match cand {
            Candidate::User { username } => vec![username.clone()],
            Candidate::Role {
                role,
                unit_path,
                hall_path,
                ..
            } => {
                let held: Vec<(String, String)> = query_as(
                    "SELECT u.username, o.path FROM users u JOIN role_grants g ON g.user_id = u.id \
                     JOIN org_units o ON o.id = g.org_unit_id WHERE u.active = 1 AND g.role = $1 \
                     AND substr(o.path, 1, length(CAST($2 AS TEXT))) = $2 ORDER BY u.id",
                )
                .bind(role.as_str())
                .bind(unit_path.as_str())
                .fetch_all(db)
                .await?;
                held.into_iter()
                    .filter(|(_, p)| engine::serves(p, unit_path, hall_path.as_deref()))
                    .map(|(u, _)| u)
                    .collect()
            }
        };
        if let Some(n) = names.into_iter().find(|n| !acted.contains(n)) {
            return Ok(Some(n));
        }
    }
    Ok(None)
}

/// Acts on approval `instance` step by step: at the step named `end.0` (if any) with `end.1`,
/// which ends the walk; every other step passes. Stops when nothing is open. An error names the
/// step that could not go on.
pub async fn walk(db: &Db, instance: i64, end: Option<(&str, Act)>) -> anyhow::Result<()> {
    for _ in 0..20 {
        let tasks = engine::tasks(db, instance).await?;
        let Some(t) = tasks.iter().find(|t| t.status == TaskStatus::Open) else {
            return Ok(());
        };
        let acted: Vec<String> = tasks.iter().filter_map(|t| t.acted_by.clone()).collect();
        let Some(who) = actor(db, &t.candidates(), &acted).await? else {
            anyhow::bail!("nobody for {}", t.step_name);
        };
        let p = principal_of(db, &who).await?;
        let last = end.as_ref().filter(|(step, _)| *step == t.step_name);
        let act = match last {
            Some((_, act)) => act.clone(),
            None => Act {
                action: Action::Pass,
                opinion: "同意".into(),
                to: None,
                procedure: None,
                attachments: vec![],
            },
        };
        engine::act(db, &p, t.id, &act)
            .await
            .map_err(|e| anyhow::anyhow!("{} by {who}: {e:?}", t.step_name))?;
        if last.is_some() {
            return Ok(());
        }
    }
    anyhow::bail!("more than 20 steps")
}

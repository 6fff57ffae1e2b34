//! Whether a workflow can run at every hall that serves its matter: each step's actors resolve to
//! a unit for that hall and someone active holds the role there (or inside it, and a window
//! clerk at the hall or above it: the rule the inbox and the engine use, `engine::serves`), or
//! the named
//! accounts exist and are active. Checked when a workflow is published and when a matter is
//! switched on for a unit (with the halls it would then serve), so no citizen's
//! application is the first to find a step nobody can act on.

use super::definition::{ActorSpec, WorkflowDef};
use crate::error::{FieldError, Result};
use crate::org;
use crate::storage::Db;

/// Every step that some serving hall could not run, by field (`steps[i].actors`), naming the step
/// and the hall.
pub async fn problems(db: &Db, code: &str, def: &WorkflowDef) -> Result<Vec<FieldError>> {
    let m = crate::catalog::repo::current_or_draft(db, code).await?;
    let halls = crate::catalog::repo::halls(db, code, &m).await?;
    at_halls(db, &m, def, &halls).await
}

/// What the matter's published workflow could not run at `halls` (none when it has no
/// published workflow yet: publishing it checks then). Used before switching a matter on for a
/// unit, with the halls it would then serve.
pub async fn problems_at(
    db: &Db,
    code: &str,
    halls: &[crate::org::Unit],
) -> Result<Vec<FieldError>> {
    let def = match super::workflow_repo::current(db, code).await {
        Ok((_, def)) => def,
        Err(crate::error::Error::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let m = crate::catalog::repo::current_or_draft(db, code).await?;
    at_halls(db, &m, &def, halls).await
}

async fn at_halls(
    db: &Db,
    m: &crate::catalog::Matter,
    def: &WorkflowDef,
    halls: &[crate::org::Unit],
) -> Result<Vec<FieldError>> {
    let units = org::list(db).await?;
    let held = crate::accounts::lookup::active_role_paths(db).await?;
    let named: Vec<String> = def
        .steps
        .iter()
        .flat_map(|s| &s.actors)
        .filter_map(|a| match a {
            ActorSpec::Users { usernames } => Some(usernames.iter().cloned()),
            _ => None,
        })
        .flatten()
        .collect();
    let active = crate::accounts::lookup::active_usernames(db, &named).await?;
    let mut out = Vec::new();
    for (i, s) in def.steps.iter().enumerate() {
        let field = format!("steps[{i}].actors");
        for a in &s.actors {
            match a {
                ActorSpec::Role { role, at } => {
                    for h in halls.iter() {
                        let Some(u) = at.resolve(h, &m.department, &units) else {
                            let what = format!("{} @ {}", s.name, h.name);
                            out.push(FieldError::with(&field, "wf.unresolved", what));
                            break;
                        };
                        // The engine's rule: inside the unit, and a clerk at the hall or above.
                        let hall =
                            (*role == crate::auth::Role::WindowClerk).then_some(h.path.as_str());
                        if !held.iter().any(|(r, p)| {
                            r == role.as_str() && super::engine::serves(p, &u.path, hall)
                        }) {
                            // A clerk is missing at the hall; anyone else at the unit.
                            let at = if hall.is_some() { &h.name } else { &u.name };
                            let what = format!("{} @ {at}", s.name);
                            out.push(FieldError::with(&field, "wf.no_holder", what));
                            break;
                        }
                    }
                }
                ActorSpec::Users { usernames } => {
                    for n in usernames.iter().filter(|n| !active.contains(n)) {
                        out.push(FieldError::with(&field, "wf.no_user", n.clone()));
                    }
                }
            }
        }
    }
    Ok(out)
}

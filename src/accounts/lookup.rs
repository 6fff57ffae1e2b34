//! Read-only look-ups about accounts that pages and the API need beside the account itself.

use crate::error::Result;
use crate::storage::{Db, query_as};

/// The resident ID an account is bound to, opened — only once a window has verified it
/// (a registration alone only claims a number).
pub async fn verified_id(db: &Db, username: &str) -> Result<Option<String>> {
    let row: Option<(Option<String>, Option<String>)> =
        query_as("SELECT id_number, id_verified_at FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(db)
            .await?;
    Ok(match row {
        Some((Some(id), Some(_))) if !id.is_empty() => Some(crate::vault::open(&id)),
        _ => None,
    })
}

/// How many active accounts each org unit has, by unit id.
pub async fn active_per_unit(db: &Db) -> Result<Vec<(i64, i64)>> {
    Ok(
        query_as("SELECT org_unit_id, COUNT(*) FROM users WHERE active = 1 GROUP BY org_unit_id")
            .fetch_all(db)
            .await?,
    )
}

/// Every role an active account holds, with the path of the unit it is held at.
pub async fn active_role_paths(db: &Db) -> Result<Vec<(String, String)>> {
    Ok(query_as(
        "SELECT g.role, o.path FROM role_grants g JOIN users u ON u.id = g.user_id \
         JOIN org_units o ON o.id = g.org_unit_id WHERE u.active = 1",
    )
    .fetch_all(db)
    .await?)
}

/// Of `names`, those that are active accounts holding a role that approves or accepts
/// (approver, window clerk): a workflow may name only those.
pub async fn active_usernames(db: &Db, names: &[String]) -> Result<Vec<String>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::storage::Sql::new(
        "SELECT DISTINCT u.username FROM users u JOIN role_grants g ON g.user_id = u.id \
         WHERE u.active = 1 AND g.role IN ('approver', 'window_clerk') AND u.username IN (",
    );
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(n.clone());
    }
    q.push(")");
    Ok(q.scalar().fetch_all(db).await?)
}

/// People as pages name them — "王芳（区卫生健康局）" — by username, for the usernames given
/// (one query). A username with no account (the command line, `system`) is not in the map.
pub async fn display_names(
    db: &Db,
    usernames: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    if usernames.is_empty() {
        return Ok(Default::default());
    }
    let mut q = crate::storage::Sql::new(
        "SELECT u.username, u.name, o.name FROM users u JOIN org_units o ON o.id = u.org_unit_id \
         WHERE u.username IN (",
    );
    for (i, n) in usernames.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(n.as_str());
    }
    q.push(")");
    let rows: Vec<(String, String, String)> = q.query_as().fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(u, name, unit)| (u, format!("{name}（{unit}）")))
        .collect())
}

/// An account's name, phone and e-mail (what a form may be filled in with).
pub async fn contact(
    db: &Db,
    username: &str,
) -> Result<Option<(String, Option<String>, Option<String>)>> {
    Ok(
        query_as("SELECT name, phone, email FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(db)
            .await?,
    )
}

/// Whether an active window clerk may accept applications at the hall at `path` (granted at
/// the hall or at a unit it belongs to).
pub async fn hall_staffed(db: &Db, path: &str) -> Result<bool> {
    let n: i64 = crate::storage::query_scalar(
        "SELECT COUNT(*) FROM role_grants g JOIN users u ON u.id = g.user_id \
         JOIN org_units o ON o.id = g.org_unit_id \
         WHERE g.role = 'window_clerk' AND u.active = 1 AND substr(CAST($1 AS TEXT), 1, length(o.path)) = o.path",
    )
    .bind(path)
    .fetch_one(db)
    .await?;
    Ok(n > 0)
}

/// The refusal of a save over someone else's newer change: `username` changed it at `at`
/// (stored time), named as pages name people.
pub async fn changed_by(db: &Db, username: &str, at: &str) -> Result<crate::error::Error> {
    let names = display_names(db, &[username.to_string()]).await?;
    Ok(crate::error::Error::Stale {
        by: names
            .get(username)
            .cloned()
            .unwrap_or_else(|| username.to_string()),
        at: crate::clock::display(at),
    })
}

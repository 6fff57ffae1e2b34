//! Small read-only look-ups the pages need beside a matter: names by code, what the hall
//! offers per department, which units a matter is switched on or off for.

use std::collections::HashMap;

use crate::error::Result;
use crate::storage::{Db, query_as, query_scalar};

/// Every matter's name by its code.
pub async fn names(db: &Db) -> Result<HashMap<String, String>> {
    let rows: Vec<(String, String)> = query_as("SELECT code, name FROM matters")
        .fetch_all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// One matter's name, if the code is in the catalog.
pub async fn name_of(db: &Db, code: &str) -> Result<Option<String>> {
    Ok(query_scalar("SELECT name FROM matters WHERE code = $1")
        .bind(code)
        .fetch_optional(db)
        .await?)
}

/// Refuses (404) a matter the public does not see to someone who is not staff: an internal
/// matter (a department's payment workflow) is the platform's own business.
pub async fn readable(db: &Db, code: &str, who: Option<&crate::auth::Principal>) -> Result<()> {
    let staff = who.is_some_and(|p| {
        p.system
            || p.grants
                .iter()
                .any(|g| g.role != crate::auth::Role::Citizen)
    });
    if !staff && status_of(db, code).await?.as_deref() == Some(super::repo::INTERNAL) {
        return Err(crate::error::Error::NotFound);
    }
    Ok(())
}

/// A matter's status (`published`, `internal`, …), if it exists.
pub async fn status_of(db: &Db, code: &str) -> Result<Option<String>> {
    Ok(query_scalar("SELECT status FROM matters WHERE code = $1")
        .bind(code)
        .fetch_optional(db)
        .await?)
}

/// Every published matter as (code, name), by name.
pub async fn published_names(db: &Db) -> Result<Vec<(String, String)>> {
    Ok(
        query_as("SELECT code, name FROM matters WHERE status = 'published' ORDER BY name")
            .fetch_all(db)
            .await?,
    )
}

/// How many published matters each department owns, by department code.
pub async fn published_per_department(db: &Db) -> Result<Vec<(String, i64)>> {
    Ok(query_as(
        "SELECT department_code, COUNT(*) FROM matters WHERE status = 'published' \
         GROUP BY department_code ORDER BY department_code",
    )
    .fetch_all(db)
    .await?)
}

/// The units a matter was switched on (true) or off (false) for explicitly; the others follow
/// the matter's levels.
pub async fn unit_switches(db: &Db, code: &str) -> Result<Vec<(i64, bool)>> {
    let rows: Vec<(i64, i64)> = query_as(
        "SELECT mu.unit_id, mu.enabled FROM matter_units mu JOIN matters m ON m.id = mu.matter_id \
         WHERE m.code = $1",
    )
    .bind(code)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(u, e)| (u, e == 1)).collect())
}

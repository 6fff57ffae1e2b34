//! A hall's windows: number, name, the matters they take, the clerks at each. Managed by those
//! who manage the hall's unit; a clerk sees the windows they are assigned to.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Change};
use crate::auth::{Perm, Principal, Role};
use crate::error::{Error, FieldError, Result};
use crate::org::{self, Kind, Unit};
use crate::storage::{Db, Sql, query, query_as, query_scalar};

/// One window of a hall.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Window {
    pub id: i64,
    pub unit_id: i64,
    pub hall_name: String,
    /// As shown above the window, e.g. "3".
    pub number: String,
    pub name: String,
    /// 综合窗口: takes every matter of the hall.
    pub comprehensive: bool,
    /// Codes of the matters it takes (when not comprehensive).
    pub matters: Vec<String>,
    pub active: bool,
    /// Usernames of the clerks assigned to it.
    pub clerks: Vec<String>,
}

impl Window {
    /// Whether this window takes a matter (a ticket without a matter goes to any window).
    pub fn takes(&self, matter: Option<&str>) -> bool {
        self.comprehensive || matter.is_none_or(|m| self.matters.iter().any(|x| x == m))
    }
}

/// A new window or changes to one.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WindowSave {
    /// The hall, by code.
    pub unit_code: String,
    pub number: String,
    pub name: String,
    #[serde(default)]
    pub comprehensive: bool,
    #[serde(default)]
    pub matters: Vec<String>,
    #[serde(default)]
    pub clerks: Vec<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

type Row = (i64, i64, String, String, String, bool, String, bool);
const COLS: &str =
    "w.id, w.unit_id, o.name, w.number, w.name, w.comprehensive, w.matters_json, w.active";

/// Windows with their clerks, read in one query for the whole list.
async fn shown(db: &Db, rows: Vec<Row>) -> Result<Vec<Window>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut q = Sql::new("SELECT window_id, username FROM window_clerks WHERE ");
    q.any_of("window_id", &ids).push(" ORDER BY username");
    let mut clerks_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (w, u) in q.query_as::<(i64, String)>().fetch_all(db).await? {
        clerks_of.entry(w).or_default().push(u);
    }
    let mut out = Vec::with_capacity(rows.len());
    for (id, unit_id, hall_name, number, name, comprehensive, matters, active) in rows {
        let clerks = clerks_of.remove(&id).unwrap_or_default();
        out.push(Window {
            id,
            unit_id,
            hall_name,
            number,
            name,
            comprehensive,
            matters: serde_json::from_str(&matters).unwrap_or_default(),
            active,
            clerks,
        });
    }
    Ok(out)
}

/// The windows of one hall, by number.
pub async fn of_hall(db: &Db, unit_id: i64) -> Result<Vec<Window>> {
    let rows: Vec<Row> = query_as(format!(
        "SELECT {COLS} FROM hall_windows w JOIN org_units o ON o.id = w.unit_id \
         WHERE w.unit_id = $1 ORDER BY LENGTH(w.number), w.number"
    ))
    .bind(unit_id)
    .fetch_all(db)
    .await?;
    shown(db, rows).await
}

/// A hall's windows as `who` may see them: the clerks' usernames only to the hall's own staff
/// (who accept there, or manage its accounts); to anyone else the windows and their matters.
pub async fn of_hall_for(db: &Db, who: &Principal, hall: &crate::org::Unit) -> Result<Vec<Window>> {
    let mut ws = of_hall(db, hall.id).await?;
    if !(who.can(Perm::StartApprovals, &hall.path) || who.can(Perm::ManageAccounts, &hall.path)) {
        for w in &mut ws {
            w.clerks.clear();
        }
    }
    Ok(ws)
}

/// One window.
pub async fn get(db: &Db, id: i64) -> Result<Window> {
    let rows: Vec<Row> = query_as(format!(
        "SELECT {COLS} FROM hall_windows w JOIN org_units o ON o.id = w.unit_id WHERE w.id = $1"
    ))
    .bind(id)
    .fetch_all(db)
    .await?;
    shown(db, rows).await?.pop().ok_or(Error::NotFound)
}

/// The active windows a clerk is assigned to.
pub async fn of_clerk(db: &Db, username: &str) -> Result<Vec<Window>> {
    let rows: Vec<Row> = query_as(format!(
        "SELECT {COLS} FROM hall_windows w JOIN org_units o ON o.id = w.unit_id \
         JOIN window_clerks c ON c.window_id = w.id WHERE c.username = $1 AND w.active \
         ORDER BY w.unit_id, LENGTH(w.number), w.number"
    ))
    .bind(username)
    .fetch_all(db)
    .await?;
    shown(db, rows).await
}

/// The halls whose windows `who` may manage.
pub async fn managed_halls(db: &Db, who: &Principal) -> Result<Vec<Unit>> {
    Ok(org::list(db)
        .await?
        .iter()
        .filter(|u| u.kind == Kind::Hall && !u.is_retired() && who.can(Perm::ManageOrg, &u.path))
        .cloned()
        .collect())
}

/// Creates (`id` none) or changes a window; every problem answered at once.
pub async fn save(db: &Db, who: &Principal, id: Option<i64>, s: &WindowSave) -> Result<Window> {
    let hall = org::by_code(db, s.unit_code.trim())
        .await?
        .filter(|u| u.kind == Kind::Hall && !u.is_retired())
        .ok_or_else(|| Error::field("unit_code", "field.hall_unknown"))?;
    if !who.can(Perm::ManageOrg, &hall.path) {
        return Err(Error::Forbidden);
    }
    let before = match id {
        Some(id) => {
            let w = get(db, id).await?;
            if w.unit_id != hall.id {
                return Err(Error::NotFound);
            }
            Some(w)
        }
        None => None,
    };
    let (number, name) = (s.number.trim(), s.name.trim());
    let mut errs = Vec::new();
    if number.is_empty() || number.chars().count() > 8 {
        errs.push(FieldError::new("number", "field.required"));
    }
    if name.is_empty() {
        errs.push(FieldError::new("name", "field.required"));
    }
    let mut matters: Vec<String> = s
        .matters
        .iter()
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    matters.sort();
    matters.dedup();
    if !s.comprehensive && matters.is_empty() {
        errs.push(FieldError::new("matters", "field.window_matters"));
    }
    for m in &matters {
        let known: Option<i64> = query_scalar("SELECT 1 FROM matters WHERE code = $1")
            .bind(m)
            .fetch_optional(db)
            .await?;
        if known.is_none() {
            errs.push(FieldError::with("matters", "field.matter_unknown", m));
        }
    }
    let mut clerks: Vec<String> = s
        .clerks
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    clerks.sort();
    clerks.dedup();
    for c in &clerks {
        let grants: Vec<(String, String)> = query_as(
            "SELECT g.role, o.path FROM role_grants g JOIN users u ON u.id = g.user_id \
             JOIN org_units o ON o.id = g.org_unit_id WHERE u.username = $1 AND u.active = 1",
        )
        .bind(c)
        .fetch_all(db)
        .await?;
        let clerk_here = grants.iter().any(|(role, path)| {
            Role::parse(role) == Some(Role::WindowClerk) && hall.path.starts_with(path.as_str())
        });
        if !clerk_here {
            errs.push(FieldError::with("clerks", "field.not_clerk_here", c));
        }
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let matters_json = serde_json::to_string(&matters).unwrap_or_default();
    let now = db.now();
    let mut tx = db.begin().await?;
    let wid = match id {
        Some(id) => {
            query(
                "UPDATE hall_windows SET number = $1, name = $2, comprehensive = $3, matters_json = $4, \
                 active = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(number)
            .bind(name)
            .bind(s.comprehensive)
            .bind(&matters_json)
            .bind(s.active)
            .bind(&now)
            .bind(id)
            .execute(&mut tx)
            .await
            .map_err(|e| Error::on_unique(e, "err.window_number_taken"))?;
            query("DELETE FROM window_clerks WHERE window_id = $1")
                .bind(id)
                .execute(&mut tx)
                .await?;
            id
        }
        None => query_scalar(
            "INSERT INTO hall_windows (unit_id, number, name, comprehensive, matters_json, active, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(hall.id)
        .bind(number)
        .bind(name)
        .bind(s.comprehensive)
        .bind(&matters_json)
        .bind(s.active)
        .bind(&now)
        .fetch_one(&mut tx)
        .await
        .map_err(|e| Error::on_unique(e, "err.window_number_taken"))?,
    };
    for c in &clerks {
        query("INSERT INTO window_clerks (window_id, username) VALUES ($1, $2)")
            .bind(wid)
            .bind(c)
            .execute(&mut tx)
            .await?;
    }
    let after = json!({"number": number, "name": name, "comprehensive": s.comprehensive,
        "matters": matters, "clerks": clerks, "active": s.active});
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: if before.is_some() {
                "window.update"
            } else {
                "window.create"
            },
            entity: "hall_window",
            entity_id: wid.to_string(),
            scope_path: &hall.path,
            summary: format!("{} {number} {name}", hall.name),
            before: before.map(|w| serde_json::to_value(w).unwrap_or_default()),
            after: Some(after),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, wid).await
}

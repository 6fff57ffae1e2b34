//! Org tree queries and changes. Every change checks the principal's grants and writes its audit
//! entry in the same transaction.

use std::collections::HashMap;
use std::sync::Arc;

use crate::storage::FromRow;
use serde::Deserialize;
use serde_json::json;

use super::{Kind, Unit, check_code, check_name};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::storage::{Db, StoreCache, subtree_pattern};

#[derive(FromRow)]
struct Row {
    id: i64,
    code: String,
    name: String,
    kind: String,
    parent_id: Option<i64>,
    path: String,
    depth: i64,
    retired_at: Option<String>,
}

impl From<Row> for Unit {
    fn from(r: Row) -> Unit {
        Unit {
            id: r.id,
            code: r.code,
            name: r.name,
            kind: Kind::parse(&r.kind).unwrap_or(Kind::Department),
            parent_id: r.parent_id,
            path: r.path,
            depth: r.depth,
            retired_at: r.retired_at,
        }
    }
}

const COLS: &str = "id, code, name, kind, parent_id, path, depth, retired_at";

static TREE: StoreCache<Vec<Unit>> =
    StoreCache::new("SELECT COUNT(*), MAX(updated_at) FROM org_units");

/// The whole tree, ordered by path. Read on nearly every staff page and every approval step and
/// changed rarely, so it is kept in memory (see [`StoreCache`]).
pub async fn list(db: &Db) -> Result<Arc<Vec<Unit>>> {
    TREE.get(db, || async {
        let rows: Vec<Row> =
            crate::storage::query_as(format!("SELECT {COLS} FROM org_units ORDER BY path"))
                .fetch_all(&db)
                .await?;
        Ok(rows.into_iter().map(Unit::from).collect())
    })
    .await
}

/// The top of the tree (the district): where district-wide rights are held and district-wide
/// records are scoped.
pub async fn root(db: &Db) -> Result<Unit> {
    list(db)
        .await?
        .iter()
        .find(|u| u.parent_id.is_none())
        .cloned()
        .ok_or(Error::NotFound)
}

pub async fn get(db: &Db, id: i64) -> Result<Unit> {
    let row: Option<Row> =
        crate::storage::query_as(format!("SELECT {COLS} FROM org_units WHERE id = $1"))
            .bind(id)
            .fetch_optional(&db)
            .await?;
    row.map(Unit::from).ok_or(Error::NotFound)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Unit>> {
    let row: Option<Row> =
        crate::storage::query_as(format!("SELECT {COLS} FROM org_units WHERE code = $1"))
            .bind(code)
            .fetch_optional(&db)
            .await?;
    Ok(row.map(Unit::from))
}

/// Finds a unit by code, or by a path of names from the root such as `龙华区/民治街道/北站社区`,
/// among `units` (so bulk callers load the tree once).
pub fn resolve<'a>(units: &'a [Unit], key: &str) -> Option<&'a Unit> {
    let key = key.trim();
    if let Some(u) = units.iter().find(|u| u.code == key) {
        return Some(u);
    }
    let mut parent: Option<i64> = None;
    let mut found = None;
    for name in key.split('/').map(str::trim).filter(|s| !s.is_empty()) {
        let u = units
            .iter()
            .find(|u| u.parent_id == parent && u.name == name)?;
        parent = Some(u.id);
        found = Some(u);
    }
    found
}

/// Every unit's path of names, computed in one pass over the tree.
pub fn name_paths(units: &[Unit]) -> HashMap<i64, String> {
    let names: HashMap<i64, &str> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    units
        .iter()
        .map(|u| {
            let p = u
                .path
                .split('/')
                .filter_map(|s| s.parse::<i64>().ok())
                .filter_map(|id| names.get(&id).copied())
                .collect::<Vec<_>>()
                .join("/");
            (u.id, p)
        })
        .collect()
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_id: Option<i64>,
}

fn snapshot(u: &Unit) -> serde_json::Value {
    json!({"code": u.code, "name": u.name, "kind": u.kind, "parent_id": u.parent_id, "path": u.path})
}

/// Creates a unit. Only a principal who may manage the parent may add under it; only the
/// system (CLI, demo) may create a root.
pub async fn create(db: &Db, who: &Principal, new: NewUnit) -> Result<Unit> {
    let mut errs = Vec::new();
    let code = new.code.trim().to_string();
    let name = new.name.trim().to_string();
    if let Err(e) = check_code(&code) {
        errs.push(e);
    }
    if let Err(e) = check_name(&name) {
        errs.push(e);
    }
    let kind = Kind::parse(&new.kind);
    if kind.is_none() {
        errs.push(FieldError::with("kind", "field.kind_unknown", &new.kind));
    }
    let parent = match new.parent_id {
        Some(p) => Some(get(db, p).await.map_err(|_| {
            Error::Validation(vec![FieldError::with(
                "parent_id",
                "field.unit_unknown",
                p.to_string(),
            )])
        })?),
        None => None,
    };
    match &parent {
        Some(p) if !who.can(Perm::ManageOrg, &p.path) => return Err(Error::Forbidden),
        None if !who.system => return Err(Error::Forbidden),
        Some(p) if p.is_retired() => return Err(Error::Conflict("err.unit_retired")),
        _ => {}
    }
    if let Some(k) = kind
        && !k.fits_under(parent.as_ref().map(|p| p.kind))
    {
        errs.push(FieldError::new("kind", "field.kind_parent"));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let kind = kind.expect("checked");
    let now = db.now();
    let mut tx = db.begin().await?;
    let id: i64 = crate::storage::query_scalar(
        "INSERT INTO org_units (code, name, kind, parent_id, path, depth, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, '', $5, $6, $6) RETURNING id",
    )
    .bind(&code)
    .bind(&name)
    .bind(kind.as_str())
    .bind(new.parent_id)
    .bind(parent.as_ref().map_or(0, |p| p.depth + 1))
    .bind(&now)
    .fetch_one(&mut tx)
    .await
    .map_err(|e| Error::on_unique(e, "err.code_taken"))?;
    let path = format!("{}{id}/", parent.as_ref().map_or("/", |p| p.path.as_str()));
    crate::storage::query("UPDATE org_units SET path = $1 WHERE id = $2")
        .bind(&path)
        .bind(id)
        .execute(&mut tx)
        .await?;
    let unit = Unit {
        id,
        code,
        name,
        kind,
        parent_id: new.parent_id,
        depth: parent.as_ref().map_or(0, |p| p.depth + 1),
        path,
        retired_at: None,
    };
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "unit.create",
            entity: "org_unit",
            entity_id: id.to_string(),
            scope_path: &unit.path,
            summary: format!("{} {}", unit.code, unit.name),
            before: None,
            after: Some(snapshot(&unit)),
        },
    )
    .await?;
    tx.commit().await?;
    TREE.invalidate();
    Ok(unit)
}

/// Loads a unit the principal may manage: not visible → 404, visible but not theirs → 403.
async fn managed(db: &Db, who: &Principal, id: i64) -> Result<Unit> {
    let u = get(db, id).await?;
    if !who.can(Perm::ViewOrg, &u.path) {
        return Err(Error::NotFound);
    }
    if !who.can(Perm::ManageOrg, &u.path) {
        return Err(Error::Forbidden);
    }
    Ok(u)
}

pub async fn rename(db: &Db, who: &Principal, id: i64, name: &str) -> Result<Unit> {
    let name = name.trim();
    check_name(name).map_err(|e| Error::Validation(vec![e]))?;
    let before = managed(db, who, id).await?;
    let mut tx = db.begin().await?;
    crate::storage::query("UPDATE org_units SET name = $1, updated_at = $2 WHERE id = $3")
        .bind(name)
        .bind(db.now())
        .bind(id)
        .execute(&mut tx)
        .await?;
    let after = Unit {
        name: name.to_string(),
        ..before.clone()
    };
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "unit.rename",
            entity: "org_unit",
            entity_id: id.to_string(),
            scope_path: &before.path,
            summary: format!("{} → {}", before.name, after.name),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    TREE.invalidate();
    Ok(after)
}

/// Moves a unit (with everything below it) under a new parent. The principal must manage both
/// the unit and the new parent.
pub async fn move_to(db: &Db, who: &Principal, id: i64, new_parent_id: i64) -> Result<Unit> {
    let before = managed(db, who, id).await?;
    let parent = get(db, new_parent_id).await.map_err(|_| {
        Error::Validation(vec![FieldError::with(
            "parent_id",
            "field.unit_unknown",
            new_parent_id.to_string(),
        )])
    })?;
    if !who.can(Perm::ManageOrg, &parent.path) {
        return Err(Error::Forbidden);
    }
    if parent.path.starts_with(&before.path) {
        return Err(Error::Conflict("err.move_into_self"));
    }
    if parent.is_retired() {
        return Err(Error::Conflict("err.unit_retired"));
    }
    if !before.kind.fits_under(Some(parent.kind)) {
        return Err(Error::field("parent_id", "field.kind_parent"));
    }
    let new_path = format!("{}{}/", parent.path, before.id);
    let delta = parent.depth + 1 - before.depth;
    let mut tx = db.begin().await?;
    crate::storage::query(
        "UPDATE org_units SET path = $1 || substr(path, CAST($2 AS INTEGER)), \
         depth = depth + $3, updated_at = $4 WHERE path LIKE $5",
    )
    .bind(&new_path)
    .bind(before.path.len() as i64 + 1)
    .bind(delta)
    .bind(db.now())
    .bind(subtree_pattern(&before.path))
    .execute(&mut tx)
    .await?;
    crate::storage::query("UPDATE org_units SET parent_id = $1 WHERE id = $2")
        .bind(parent.id)
        .bind(id)
        .execute(&mut tx)
        .await?;
    // Paths copied elsewhere for scoping move with the unit, in the same transaction: who may
    // act on open approval tasks (the candidate rows and the task's own copy) and the tickets'
    // scope. The audit trail keeps the path an entry was written under: its entries are
    // hash-chained over it.
    for (table, col) in [
        ("approval_task_candidates", "unit_path"),
        ("approval_task_candidates", "hall_path"),
        ("ops_tickets", "unit_path"),
    ] {
        crate::storage::query(format!(
            "UPDATE {table} SET {col} = $1 || substr({col}, CAST($2 AS INTEGER)) \
             WHERE {col} LIKE $3"
        ))
        .bind(&new_path)
        .bind(before.path.len() as i64 + 1)
        .bind(subtree_pattern(&before.path))
        .execute(&mut tx)
        .await?;
    }
    crate::storage::query(
        "UPDATE approval_tasks SET candidates = REPLACE(candidates, $1, $2) \
         WHERE status = 'open' AND candidates LIKE $3",
    )
    .bind(format!("\"{}", before.path))
    .bind(format!("\"{}", new_path))
    .bind(format!("%\"{}%", before.path))
    .execute(&mut tx)
    .await?;
    let after = Unit {
        parent_id: Some(parent.id),
        path: new_path,
        depth: parent.depth + 1,
        ..before.clone()
    };
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "unit.move",
            entity: "org_unit",
            entity_id: id.to_string(),
            scope_path: &after.path,
            summary: format!("{} → {}", before.name, parent.name),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    TREE.invalidate();
    Ok(after)
}

/// Retires a unit that has no active sub-units and no active accounts. It stays in the tree,
/// marked, with its history.
pub async fn retire(db: &Db, who: &Principal, id: i64) -> Result<Unit> {
    let before = managed(db, who, id).await?;
    if before.is_retired() {
        return Err(Error::Conflict("err.unit_retired"));
    }
    let busy: i64 = crate::storage::query_scalar(
        "SELECT (SELECT COUNT(*) FROM org_units WHERE parent_id = $1 AND retired_at IS NULL) + \
         (SELECT COUNT(*) FROM users WHERE org_unit_id = $1 AND active = 1)",
    )
    .bind(id)
    .fetch_one(&db)
    .await?;
    if busy > 0 {
        return Err(Error::Conflict("err.unit_has_children"));
    }
    // A hall (or any unit) with applications still under way keeps them to the end.
    let open: i64 = crate::storage::query_scalar(
        "SELECT (SELECT COUNT(*) FROM applications WHERE unit_id = $1 AND status IN ('submitted', 'supplement')) + \
         (SELECT COUNT(*) FROM approval_instances WHERE unit_id = $1 AND status IN ('running', 'paused'))",
    )
    .bind(id)
    .fetch_one(&db)
    .await?;
    if open > 0 {
        return Err(Error::Conflict("err.unit_has_open_applications"));
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    crate::storage::query("UPDATE org_units SET retired_at = $1, updated_at = $1 WHERE id = $2")
        .bind(&now)
        .bind(id)
        .execute(&mut tx)
        .await?;
    let after = Unit {
        retired_at: Some(now),
        ..before.clone()
    };
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "unit.retire",
            entity: "org_unit",
            entity_id: id.to_string(),
            scope_path: &before.path,
            summary: format!("{} {}", before.code, before.name),
            before: Some(snapshot(&before)),
            after: Some(snapshot(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    TREE.invalidate();
    Ok(after)
}

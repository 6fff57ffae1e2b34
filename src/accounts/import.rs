//! Bulk import of accounts with their role grants, from CSV (UTF-8, with or without the BOM that
//! Excel writes) or XLSX. All or nothing: every row is checked first, and a file with any bad row
//! writes nothing and reports each bad row by number with its reason in Chinese and English.

use serde::Serialize;
use std::collections::HashSet;

use super::{CheckedUser, check_fields, check_scope, insert};
use crate::auth::{Principal, Role, check_password_policy, hash_password, random_token};
use crate::error::{Error, FieldError, Result};
use crate::i18n::Lang;
use crate::org;
use crate::storage::Db;

/// Columns, each with the header names accepted for it.
const COLUMNS: [(&str, &[&str]); 7] = [
    ("username", &["username", "用户名", "账号"]),
    ("name", &["name", "姓名"]),
    ("org_unit", &["org_unit", "所属机构", "机构"]),
    ("roles", &["roles", "角色"]),
    ("email", &["email", "邮箱", "电子邮箱"]),
    ("phone", &["phone", "电话", "手机"]),
    ("password", &["password", "初始密码", "密码"]),
];
const REQUIRED: usize = 6;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// Row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub column: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = AccountImportReport)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub dry_run: bool,
    pub errors: Vec<RowError>,
    /// Initial passwords generated for rows without one: (username, password). Shown once.
    pub generated_passwords: Vec<(String, String)>,
}

/// A field error as a report row, in both languages.
pub fn row_error(row: usize, e: &FieldError) -> RowError {
    RowError {
        row,
        column: e.field.clone(),
        message_zh: e.message(Lang::Zh),
        message_en: e.message(Lang::En),
    }
}

/// Where each column of `columns` (each with the header names accepted for it) is in a header.
type Columns = Vec<Option<usize>>;

/// Reads a CSV or XLSX table and finds `columns` in its header row; the first `required` must be
/// there. Answers the columns' positions and the rows after the header, or the problems as report
/// rows (an unreadable or empty file, each missing column).
pub async fn read_sheet(
    bytes: &[u8],
    columns: &[(&str, &[&str])],
    required: usize,
) -> std::result::Result<(Columns, Vec<Vec<String>>), Vec<RowError>> {
    let mut table = crate::sheets::read_table_blocking(bytes, crate::sheets::Limits::default())
        .await
        .map_err(|e| vec![row_error(0, &e)])?;
    if table.is_empty() {
        return Err(vec![row_error(
            0,
            &FieldError::new("file", "field.empty_file"),
        )]);
    }
    let header = table.remove(0);
    let idx: Columns = columns
        .iter()
        .map(|(_, names)| {
            header
                .iter()
                .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
        })
        .collect();
    let missing: Vec<RowError> = columns
        .iter()
        .zip(&idx)
        .take(required)
        .filter(|(_, i)| i.is_none())
        .map(|((col, _), _)| row_error(1, &FieldError::with(*col, "field.missing_column", *col)))
        .collect();
    if missing.is_empty() {
        Ok((idx, table))
    } else {
        Err(missing)
    }
}

/// Checks every row of `bytes` and, unless `dry_run` or any row is bad, creates all accounts in
/// one transaction. Someone who may manage no account is refused before the file is read (and so
/// learns nothing from it, such as which usernames are taken).
pub async fn import(db: &Db, who: &Principal, bytes: &[u8], dry_run: bool) -> Result<ImportReport> {
    if !who.has(crate::auth::Perm::ManageAccounts) {
        return Err(Error::Forbidden);
    }
    let mut report = ImportReport {
        rows: 0,
        created: 0,
        dry_run,
        errors: vec![],
        generated_passwords: vec![],
    };
    let (idx, rows) = match read_sheet(bytes, &COLUMNS, REQUIRED).await {
        Ok(sheet) => sheet,
        Err(errors) => {
            report.errors = errors;
            return Ok(report);
        }
    };
    let rows: Vec<(usize, &Vec<String>)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i + 2, r))
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .collect();
    report.rows = rows.len();
    if rows.is_empty() {
        report
            .errors
            .push(row_error(0, &FieldError::new("file", "field.empty_file")));
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }

    let units = org::list(db).await?;
    let existing: HashSet<String> =
        crate::storage::query_scalar::<String>("SELECT username FROM users")
            .fetch_all(&db)
            .await?
            .into_iter()
            .collect();
    let mut seen = HashSet::new();
    let mut checked: Vec<(CheckedUser, Option<String>)> = Vec::new();
    for (n, r) in rows {
        let cell = |c: usize| -> String {
            idx[c]
                .and_then(|i| r.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let (username, name, unit_key) = (cell(0), cell(1), cell(2));
        let opt = |s: String| (!s.is_empty()).then_some(s);
        let (email, phone, password) = (opt(cell(4)), opt(cell(5)), opt(cell(6)));
        let mut errs = check_fields(&username, &name, email.as_deref(), phone.as_deref());
        if existing.contains(&username) {
            errs.push(FieldError::new("username", "err.username_taken"));
        } else if !username.is_empty() && !seen.insert(username.clone()) {
            errs.push(FieldError::with(
                "username",
                "field.duplicate_in_file",
                &username,
            ));
        }
        if let Some(p) = &password {
            errs.extend(check_password_policy("password", p).err());
        }
        let mut grants = Vec::new();
        for role in cell(3)
            .split([';', '；'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match Role::parse(role) {
                Some(r) => grants.push(r),
                None => errs.push(FieldError::with("roles", "field.role_unknown", role)),
            }
        }
        let unit = match org::resolve(&units, &unit_key) {
            Some(u) => Some(u.clone()),
            None => {
                errs.push(FieldError::with(
                    "org_unit",
                    "field.unit_unknown",
                    &unit_key,
                ));
                None
            }
        };
        if let Some(unit) = unit {
            let grants: Vec<_> = grants.into_iter().map(|r| (r, unit.clone())).collect();
            let u = CheckedUser {
                username,
                name,
                unit,
                email,
                phone,
                grants,
            };
            errs.extend(check_scope(who, &u.unit, &u.grants));
            if errs.is_empty() {
                checked.push((u, password));
            }
        }
        report.errors.extend(errs.iter().map(|e| row_error(n, e)));
    }
    if !report.errors.is_empty() || dry_run {
        return Ok(report);
    }

    let mut to_hash = Vec::with_capacity(checked.len());
    for (u, pw) in &checked {
        let pw = pw.clone().unwrap_or_else(|| {
            let p = format!("Zw{}", &random_token()[..10]);
            report
                .generated_passwords
                .push((u.username.clone(), p.clone()));
            p
        });
        to_hash.push(pw);
    }
    let hashes = crate::blocking::run(move || hash_all(&to_hash)).await?;
    let actor = who.actor();
    let mut tx = db.begin().await?;
    for ((u, _), h) in checked.iter().zip(&hashes) {
        insert(&mut tx, &actor, u, h, "user.import")
            .await
            .map_err(|e| match e {
                Error::Conflict(_) => Error::Conflict("err.username_taken"),
                other => other,
            })?;
    }
    tx.commit().await?;
    report.created = checked.len();
    Ok(report)
}

/// Argon2 is deliberately slow; spread a large import over the cores.
fn hash_all(passwords: &[String]) -> anyhow::Result<Vec<String>> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(1);
    let chunk = passwords.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = passwords
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(|p| hash_password(p)).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::with_capacity(passwords.len());
        for h in handles {
            for r in h
                .join()
                .map_err(|_| anyhow::anyhow!("hash thread panicked"))?
            {
                out.push(r?);
            }
        }
        Ok(out)
    })
}

//! Exchange of the whole catalog: lossless JSON (the format used to report matters upward, 事项上报;
//! documented in `docs/catalog-format.md`) and an XLSX sheet for people. Import compares each matter
//! with what is published, reports the differences, and applies all or nothing: a file with any bad
//! matter changes nothing and names every bad one.

use crate::days::WorkingDays;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::diff::{Difference, diff};
use super::{Matter, repo};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::error::{Error, FieldError, Result};
use crate::i18n::Lang;
use crate::org;
use crate::storage::Db;

pub const FORMAT: &str = "zhengwu.catalog/1";

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = CatalogEntry)]
pub struct Entry {
    pub version: i64,
    pub status: String,
    pub matter: Matter,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CatalogFile {
    pub format: String,
    pub exported_at: String,
    pub matters: Vec<Entry>,
}

/// Every published, suspended or retired matter at its current version.
pub async fn export(db: &Db) -> Result<CatalogFile> {
    let rows: Vec<(String, i64, String)> = crate::storage::query_as(
        "SELECT m.status, v.version, v.content_json FROM matters m JOIN matter_versions v \
         ON v.matter_id = m.id AND v.version = m.published_version \
         WHERE m.status <> 'internal' ORDER BY m.code",
    )
    .fetch_all(&db)
    .await?;
    let mut matters = Vec::with_capacity(rows.len());
    for (status, version, text) in rows {
        let matter = serde_json::from_str(&text).map_err(|e| Error::Internal(e.into()))?;
        matters.push(Entry {
            version,
            status,
            matter,
        });
    }
    Ok(CatalogFile {
        format: FORMAT.into(),
        exported_at: db.now(),
        matters,
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatterChange {
    pub code: String,
    pub name: String,
    /// `added`, `changed` or `unchanged`.
    pub change: String,
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BadMatter {
    /// Position in the file, from 1.
    pub index: usize,
    pub code: String,
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CatalogImportReport)]
pub struct ImportReport {
    pub dry_run: bool,
    pub applied: bool,
    /// Applied as drafts awaiting another person's review and publication (the four-eyes
    /// rule), not published.
    #[serde(default)]
    pub for_review: bool,
    pub changes: Vec<MatterChange>,
    pub errors: Vec<BadMatter>,
}

fn bad(index: usize, code: &str, e: &FieldError) -> BadMatter {
    BadMatter {
        index,
        code: code.into(),
        field: e.field.clone(),
        message_zh: e.message(Lang::Zh),
        message_en: e.message(Lang::En),
    }
}

/// Checks every matter of `file`, reports what would change, and (unless `dry_run` or any
/// matter is bad) publishes each added or changed matter as its next version, in one transaction.
pub async fn import(
    db: &Db,
    who: &Principal,
    file: CatalogFile,
    dry_run: bool,
) -> Result<ImportReport> {
    let mut report = ImportReport {
        dry_run,
        applied: false,
        for_review: false,
        changes: vec![],
        errors: vec![],
    };
    if file.format != FORMAT {
        report.errors.push(bad(
            0,
            "",
            &FieldError::with("format", "err.catalog_format", FORMAT),
        ));
        return Ok(report);
    }
    let units = org::list(db).await?;
    let mut seen = std::collections::HashSet::new();
    let mut plan = Vec::new();
    for (i, e) in file.matters.iter().enumerate() {
        let m = &e.matter;
        let n = i + 1;
        let mut errs = m.violations(&units);
        if !seen.insert(m.code.clone()) {
            errs.push(FieldError::with("code", "field.duplicate_in_file", &m.code));
        }
        let path = units
            .iter()
            .find(|u| u.code == m.department)
            .map(|u| u.path.clone());
        if path
            .as_deref()
            .is_some_and(|p| !who.can(Perm::ReviewMatters, p))
        {
            errs.push(FieldError::with(
                "department",
                "field.unit_out_of_scope",
                &m.department,
            ));
        }
        report
            .errors
            .extend(errs.iter().map(|x| bad(n, &m.code, x)));
        let current = repo::current(db, &m.code).await?;
        let (change, differences) = match &current {
            None => ("added", vec![]),
            Some(old) => {
                let d = diff(&json!(old), &json!(m));
                (if d.is_empty() { "unchanged" } else { "changed" }, d)
            }
        };
        report.changes.push(MatterChange {
            code: m.code.clone(),
            name: m.name.clone(),
            change: change.into(),
            differences,
        });
        if change != "unchanged" {
            plan.push((m.clone(), path.unwrap_or_else(|| "/".into())));
        }
    }
    if dry_run || !report.errors.is_empty() {
        return Ok(report);
    }
    let now = db.now();
    // Under the four-eyes rule a person's import is a draft for someone else to publish.
    let review = !who.system && crate::approval::four_eyes::publishing(db).await?;
    let mut tx = db.begin().await?;
    for (m, path) in &plan {
        let text = serde_json::to_string(m).map_err(anyhow::Error::from)?;
        if review {
            let n = crate::storage::query(
                "UPDATE matters SET draft_json = $1, draft_state = 'in_review', draft_by = $2, updated_at = $3 \
                 WHERE code = $4",
            )
            .bind(&text)
            .bind(&who.username)
            .bind(&now)
            .bind(&m.code)
            .execute(&mut tx)
            .await?
            .rows_affected();
            if n == 0 {
                crate::storage::query(
                    "INSERT INTO matters (code, name, department_code, status, draft_json, draft_state, draft_by, \
                     created_at, updated_at) VALUES ($1, $2, $3, 'unpublished', $4, 'in_review', $5, $6, $6)",
                )
                .bind(&m.code)
                .bind(&m.name)
                .bind(&m.department)
                .bind(&text)
                .bind(&who.username)
                .bind(&now)
                .execute(&mut tx)
                .await?;
            }
            audit::record(
                &mut tx,
                &who.actor(),
                Change {
                    action: "matter.import",
                    entity: "matter",
                    entity_id: m.code.clone(),
                    scope_path: path,
                    summary: format!("{} {}（待审核）", m.code, m.name),
                    before: None,
                    after: Some(json!({"draft": "in_review"})),
                },
            )
            .await?;
            continue;
        }
        let existing: Option<(i64, Option<i64>)> =
            crate::storage::query_as("SELECT id, published_version FROM matters WHERE code = $1")
                .bind(&m.code)
                .fetch_optional(&mut tx)
                .await?;
        let (id, next) = match existing {
            Some((id, v)) => (id, v.unwrap_or(0) + 1),
            None => {
                let id: i64 = crate::storage::query_scalar(
                    "INSERT INTO matters (code, name, department_code, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'published', $4, $4) RETURNING id",
                )
                .bind(&m.code)
                .bind(&m.name)
                .bind(&m.department)
                .bind(&now)
                .fetch_one(&mut tx)
                .await?;
                (id, 1)
            }
        };
        crate::storage::query(
            "INSERT INTO matter_versions (matter_id, version, content_json, published_at, published_by) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(next)
        .bind(&text)
        .bind(&now)
        .bind(&who.username)
        .execute(&mut tx)
        .await?;
        crate::storage::query(
            "UPDATE matters SET name = $1, department_code = $2, published_version = $3, \
             status = CASE WHEN status = 'unpublished' THEN 'published' ELSE status END, updated_at = $4 \
             WHERE id = $5",
        )
        .bind(&m.name)
        .bind(&m.department)
        .bind(next)
        .bind(&now)
        .bind(id)
        .execute(&mut tx)
        .await?;
        audit::record(
            &mut tx,
            &who.actor(),
            Change {
                action: "matter.import",
                entity: "matter",
                entity_id: m.code.clone(),
                scope_path: path,
                summary: format!("{} {} v{next}", m.code, m.name),
                before: None,
                after: Some(json!({"version": next})),
            },
        )
        .await?;
    }
    tx.commit().await?;
    report.applied = true;
    report.for_review = review;
    Ok(report)
}

/// The catalog as a sheet for people: one row per matter with its main facts.
pub fn to_xlsx(file: &CatalogFile, units: &[org::Unit]) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("事项目录")?;
    let head = [
        "事项编码",
        "事项名称",
        "事项类型",
        "分类",
        "实施部门",
        "行使层级",
        "服务对象",
        "法定时限（工作日）",
        "承诺时限（工作日）",
        "办件类型",
        "网办深度",
        "到现场次数",
        "收费",
        "申请材料",
        "状态",
        "版本",
    ];
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, e) in file.matters.iter().enumerate() {
        let m = &e.matter;
        let g = &m.guide;
        let dept = units
            .iter()
            .find(|u| u.code == m.department)
            .map_or(m.department.as_str(), |u| u.name.as_str());
        let levels: Vec<&str> = m
            .levels
            .iter()
            .map(|l| match l {
                super::Level::District => "区",
                super::Level::Street => "街道",
                super::Level::Community => "社区",
            })
            .collect();
        let audience: Vec<&str> = m
            .audience
            .iter()
            .map(|a| match a {
                super::Audience::Personal => "个人",
                super::Audience::Enterprise => "法人",
            })
            .collect();
        let fees = if g.fees.is_empty() {
            "不收费".to_string()
        } else {
            g.fees
                .iter()
                .map(|f| format!("{} {}元（{}）", f.item, f.amount, f.basis))
                .collect::<Vec<_>>()
                .join("；")
        };
        let row = [
            m.code.clone(),
            m.name.clone(),
            m.kind.zh().into(),
            m.class.clone(),
            dept.into(),
            levels.join("、"),
            audience.join("、"),
            g.legal_limit_days
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
            if g.promised_limit_days.is_zero() {
                "即办".into()
            } else {
                g.promised_limit_days.to_string()
            },
            if m.case_type() == 1 {
                "即办件".into()
            } else {
                "承诺件".into()
            },
            g.online_depth.to_string(),
            g.onsite_visits.to_string(),
            fees,
            g.materials
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join("；"),
            e.status.clone(),
            e.version.to_string(),
        ];
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, crate::sheets::xlsx_cell(v).as_ref())?;
        }
    }
    ws.set_freeze_panes(1, 2)?;
    ws.set_column_width(1, 36)?;
    ws.set_column_width(13, 60)?;
    Ok(wb.save_to_buffer()?)
}

/// Reads the people's sheet (as `to_xlsx` writes it, edited in Excel) back into a catalog file:
/// each row updates the basic facts of a matter already in the catalog — name, type, class,
/// department, levels, audience, time limits, online depth, visits. The fee and material columns
/// are for reading only (their full structure lives in the JSON format); a row whose code is not in
/// the catalog is reported, as is every unreadable cell, with its row number.
pub async fn from_xlsx(db: &Db, bytes: &[u8]) -> Result<(CatalogFile, Vec<BadMatter>)> {
    use super::{Audience, Level, MatterType};
    let table = crate::sheets::read_table_blocking(bytes, crate::sheets::Limits::default())
        .await
        .map_err(|e| Error::Validation(vec![e]))?;
    let units = org::list(db).await?;
    let mut errors = Vec::new();
    let mut matters = Vec::new();
    let bad_cell = |row: usize, code: &str, field: &str, key: &'static str, arg: &str| {
        bad(row, code, &FieldError::with(field, key, arg))
    };
    for (i, r) in table.iter().enumerate().skip(1) {
        let n = i + 1;
        let cell = |c: usize| r.get(c).map(|s| s.trim().to_string()).unwrap_or_default();
        let code = cell(0);
        if code.is_empty() {
            continue;
        }
        let Some(mut m) = repo::current(db, &code).await? else {
            errors.push(bad_cell(n, &code, "code", "err.matter_unknown", &code));
            continue;
        };
        m.name = cell(1);
        match MatterType::parse(&cell(2)) {
            Some(k) => m.kind = k,
            None => errors.push(bad_cell(n, &code, "kind", "field.option", &cell(2))),
        }
        m.class = cell(3);
        match units
            .iter()
            .find(|u| u.name == cell(4) || u.code == cell(4))
        {
            Some(u) => m.department = u.code.clone(),
            None => errors.push(bad_cell(
                n,
                &code,
                "department",
                "field.unit_unknown",
                &cell(4),
            )),
        }
        let split = |s: String| {
            s.split(['、', ',', '，', ';', '；'])
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
        };
        m.levels = split(cell(5))
            .iter()
            .filter_map(|l| match l.as_str() {
                "区" | "district" => Some(Level::District),
                "街道" | "street" => Some(Level::Street),
                "社区" | "community" => Some(Level::Community),
                other => {
                    errors.push(bad_cell(n, &code, "levels", "field.option", other));
                    None
                }
            })
            .collect();
        m.audience = split(cell(6))
            .iter()
            .filter_map(|a| match a.as_str() {
                "个人" | "personal" => Some(Audience::Personal),
                "法人" | "enterprise" => Some(Audience::Enterprise),
                other => {
                    errors.push(bad_cell(n, &code, "audience", "field.option", other));
                    None
                }
            })
            .collect();
        let days = |s: String, field: &str, errors: &mut Vec<BadMatter>| -> Option<WorkingDays> {
            match s.as_str() {
                "" | "—" | "-" => None,
                "即办" => Some(WorkingDays::ZERO),
                t => t
                    .parse()
                    .map_err(|_| errors.push(bad_cell(n, &code, field, "field.number", t)))
                    .ok(),
            }
        };
        m.guide.legal_limit_days = days(cell(7), "guide.legal_limit_days", &mut errors);
        m.guide.promised_limit_days =
            days(cell(8), "guide.promised_limit_days", &mut errors).unwrap_or_default();
        match cell(10).parse() {
            Ok(d) => m.guide.online_depth = d,
            Err(_) => errors.push(bad_cell(
                n,
                &code,
                "guide.online_depth",
                "field.number",
                &cell(10),
            )),
        }
        match cell(11).parse() {
            Ok(v) => m.guide.onsite_visits = v,
            Err(_) => errors.push(bad_cell(
                n,
                &code,
                "guide.onsite_visits",
                "field.number",
                &cell(11),
            )),
        }
        let status = cell(14);
        matters.push(Entry {
            version: cell(15).parse().unwrap_or(1),
            status,
            matter: m,
        });
    }
    Ok((
        CatalogFile {
            format: FORMAT.into(),
            exported_at: db.now(),
            matters,
        },
        errors,
    ))
}

/// Import from the people's sheet: its own cell errors first, then the same checks, differences
/// and all-or-nothing application as the JSON import.
pub async fn import_xlsx(
    db: &Db,
    who: &Principal,
    bytes: &[u8],
    dry_run: bool,
) -> Result<ImportReport> {
    // Permission before parsing: only a reviewer of matters somewhere reads the file at all.
    if !who.has(Perm::ReviewMatters) {
        return Err(Error::Forbidden);
    }
    let (file, cell_errors) = from_xlsx(db, bytes).await?;
    if !cell_errors.is_empty() {
        return Ok(ImportReport {
            dry_run,
            applied: false,
            for_review: false,
            changes: vec![],
            errors: cell_errors,
        });
    }
    import(db, who, file, dry_run).await
}

//! Payment requests (付款申请): the 经办人 (a finance officer of the project's scope) asks for one
//! payment — amount, the installment it settles, payee, purpose, supporting files — and the
//! request runs through the competent department's payment workflow on the approval engine. The
//! workflow is an internal matter's (`ZW-FK-<department>`, kept out of the hall, the search and
//! the catalog's lists), made on the department's first request with the seed's steps — 财务初核 →
//! 部门负责人 → 办公室负责人 → 局领导 → 局长办公会 — and configured afterwards in the workflow designer
//! like any other. Once approved, a finance officer records it as paid with its voucher: the
//! payment joins the project-year (checked whole, as one entered by hand) with the request's files,
//! and the request is marked paid in the same transaction. A request's status is its approval's:
//! nothing here copies what the engine already knows.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::document::{self, Doc, Payment};
use super::payments::{self, Attach};
use crate::approval::definition::{Action, ActorSpec, StepDef, UnitSel, WorkflowDef};
use crate::approval::engine;
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal, Role};
use crate::catalog::matter::{Audience, Guide, Level, Matter, MatterType};
use crate::days::WorkingDays;
use crate::error::{Error, FieldError, Result};
use crate::files::{self, FileMeta};
use crate::money::Fen;
use crate::org::{self, Kind, Unit};
use crate::storage::{Db, FromRow, query, query_as, query_scalar};

/// The internal matter that carries department `dept`'s payment workflow.
pub fn matter_code(dept: &str) -> String {
    format!("ZW-FK-{dept}")
}

/// The seed's payment workflow: the 经办人 starts it (and never acts on it); then 财务初核 (the
/// district's finance officers), 部门负责人 (the department's admins), 办公室负责人 (its approvers),
/// 局领导 and 局长办公会 (the district's bureau admins, the meeting's minutes attached to its
/// decision).
pub fn default_workflow(district: &str) -> WorkflowDef {
    let step = |key: &str, name: &str, role: Role, at: UnitSel, days: u16, first: bool| {
        let mut actions = vec![Action::Pass, Action::Reject, Action::Transfer];
        if !first {
            actions.push(Action::SendBack);
        }
        StepDef {
            key: key.into(),
            name: name.into(),
            actors: vec![ActorSpec::Role { role, at }],
            countersign: false,
            limit_days: WorkingDays::of(days),
            actions,
        }
    };
    let bureau = || UnitSel::Unit {
        code: district.to_string(),
    };
    WorkflowDef {
        steps: vec![
            step("finance", "财务初核", Role::Finance, bureau(), 2, true),
            step(
                "department",
                "部门负责人审核",
                Role::DepartmentAdmin,
                UnitSel::OwningDepartment,
                2,
                false,
            ),
            step(
                "office",
                "办公室负责人审核",
                Role::Approver,
                UnitSel::OwningDepartment,
                2,
                false,
            ),
            step(
                "leader",
                "局领导审批",
                Role::BureauAdmin,
                bureau(),
                3,
                false,
            ),
            step(
                "meeting",
                "局长办公会审议",
                Role::BureauAdmin,
                bureau(),
                5,
                false,
            ),
        ],
        // The leader who approved does not also record the meeting's decision.
        separate: vec!["leader".into(), "meeting".into()],
    }
}

/// The working days a payment request is promised in: the default steps' limits.
const PROMISED_DAYS: u16 = 14;

/// Makes department `dept`'s internal payment matter and its first workflow when it has none
/// (idempotent, safe when two first requests race); answers its code.
pub async fn ensure_matter(db: &Db, dept: &Unit) -> Result<String> {
    let code = matter_code(&dept.code);
    let known: Option<i64> = query_scalar("SELECT id FROM matters WHERE code = $1")
        .bind(&code)
        .fetch_optional(db)
        .await?;
    if known.is_some() {
        return Ok(code);
    }
    let units = org::list(db).await?;
    let district = units
        .iter()
        .find(|u| u.kind == Kind::District && dept.path.starts_with(&u.path))
        .unwrap_or(dept);
    let matter = Matter {
        code: code.clone(),
        name: "付款申请审批".into(),
        kind: MatterType::OtherPower,
        class: "D".into(),
        legal_basis: Vec::new(),
        department: dept.code.clone(),
        levels: vec![Level::District],
        audience: vec![Audience::Enterprise],
        themes: Vec::new(),
        guide: Guide {
            promised_limit_days: WorkingDays::of(PROMISED_DAYS),
            ..Guide::default()
        },
        form: Default::default(),
        licence_fields: Vec::new(),
    };
    let content = serde_json::to_string(&matter).map_err(|e| Error::Internal(e.into()))?;
    let def = serde_json::to_string(&default_workflow(&district.code))
        .map_err(|e| Error::Internal(e.into()))?;
    let now = db.now();
    let mut tx = db.begin().await?;
    query(
        "INSERT INTO matters (code, name, department_code, status, published_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 1, $5, $5) ON CONFLICT (code) DO NOTHING",
    )
    .bind(&code)
    .bind(&matter.name)
    .bind(&dept.code)
    .bind(crate::catalog::repo::INTERNAL)
    .bind(&now)
    .execute(&mut tx)
    .await?;
    let id: i64 = query_scalar("SELECT id FROM matters WHERE code = $1")
        .bind(&code)
        .fetch_one(&mut tx)
        .await?;
    query(
        "INSERT INTO matter_versions (matter_id, version, content_json, published_at, published_by) \
         VALUES ($1, 1, $2, $3, 'system') ON CONFLICT (matter_id, version) DO NOTHING",
    )
    .bind(id)
    .bind(&content)
    .bind(&now)
    .execute(&mut tx)
    .await?;
    query(
        "INSERT INTO workflow_defs (matter_code, version, status, def_json, created_by, created_at, published_at) \
         VALUES ($1, 1, 'published', $2, 'system', $3, $3) ON CONFLICT (matter_code, version) DO NOTHING",
    )
    .bind(&code)
    .bind(&def)
    .bind(&now)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(code)
}

/// A new request as sent: the files uploaded before (`POST /api/v1/files`), each with its kind.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PerformancePaymentRequestNew)]
pub struct NewRequest {
    /// 元, two decimals at most.
    pub amount: String,
    /// The contract installment it settles, counted from 1.
    #[serde(default)]
    pub installment: Option<usize>,
    pub payee: String,
    pub purpose: String,
    #[serde(default)]
    pub files: Vec<RequestFileRef>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceRequestFileRef)]
pub struct RequestFileRef {
    pub kind: String,
    pub file_id: i64,
}

/// A payment request as its readers see it: what was asked, where its approval stands, and
/// whether and how it was paid.
#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = PerformancePaymentRequest)]
pub struct Request {
    #[serde(skip)]
    pub id: i64,
    /// The request number (FK-<project>-001).
    pub number: String,
    /// The project-year.
    pub code: String,
    #[serde(skip)]
    pub unit_path: String,
    /// The approval it runs through (`/api/v1/approvals/{id}`).
    pub instance_id: i64,
    /// 元 with two decimals.
    #[row(skip)]
    pub amount: String,
    #[serde(skip)]
    pub amount_fen: i64,
    pub installment: Option<i64>,
    pub payee: String,
    pub purpose: String,
    pub requested_by: String,
    pub requested_at: String,
    /// The approval's status: running, paused, approved, rejected.
    pub approval: String,
    /// The step waiting, while it runs.
    pub step_name: Option<String>,
    pub paid_voucher: Option<String>,
    pub paid_on: Option<String>,
    pub paid_by: Option<String>,
    pub paid_at: Option<String>,
    #[row(skip)]
    pub files: Vec<RequestFile>,
}

#[derive(Debug, Clone, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = PerformanceRequestFile)]
pub struct RequestFile {
    pub kind: String,
    pub file_id: i64,
    pub name: String,
}

const COLS: &str = "r.id, r.number, r.code, r.unit_path, r.instance_id, r.amount_fen, r.installment, \
     r.payee, r.purpose, r.requested_by, r.requested_at, i.status AS approval, \
     (SELECT MIN(t.step_name) FROM approval_tasks t WHERE t.instance_id = r.instance_id \
      AND t.status = 'open') AS step_name, r.paid_voucher, r.paid_on, r.paid_by, r.paid_at \
     FROM perf_payment_requests r JOIN approval_instances i ON i.id = r.instance_id";

async fn complete(db: &Db, mut rows: Vec<Request>) -> Result<Vec<Request>> {
    for r in &mut rows {
        r.amount = Fen(r.amount_fen).to_string();
        r.files = query_as(
            "SELECT x.kind, x.file_id, f.name FROM perf_request_files x \
             JOIN files f ON f.id = x.file_id WHERE x.request_id = $1 ORDER BY x.id",
        )
        .bind(r.id)
        .fetch_all(db)
        .await?;
    }
    Ok(rows)
}

/// Longest payee and purpose kept.
const MAX_PAYEE: usize = 200;
const MAX_PURPOSE: usize = 2000;

/// What the year still has room for: per installment, and in the budget — the installment's
/// amount or the adjusted budget, less what is paid and what other requests still ask for.
struct Room {
    installments: Vec<i64>,
    budget: i64,
}

impl Room {
    /// `pending`: the installment and amount of each request neither paid nor rejected.
    fn of(d: &Doc, pending: &[(Option<i64>, i64)]) -> Option<Room> {
        let money = document::check(d).ok()?;
        let mut installments: Vec<i64> = money.installments.iter().map(|f| f.0).collect();
        let mut settle = |n: Option<usize>, amount: i64| {
            if let Some(x) = n.and_then(|n| installments.get_mut(n.wrapping_sub(1))) {
                *x -= amount;
            }
        };
        for (p, f) in d.payments.iter().zip(&money.payments) {
            settle(p.installment, f.0);
        }
        for (n, amount) in pending {
            settle(n.and_then(|n| usize::try_from(n).ok()), *amount);
        }
        let asked: i64 = pending.iter().map(|(_, a)| a).sum();
        Some(Room {
            installments,
            budget: money.adjusted() - money.paid() - asked,
        })
    }
}

/// What is wrong with request `r` on document `d`, beside `pending` requests.
fn problems(d: &Doc, r: &NewRequest, pending: &[(Option<i64>, i64)]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match Fen::parse_yuan(&r.amount) {
        None => errs.push(FieldError::new("amount", "field.money")),
        Some(Fen(0)) => errs.push(FieldError::new("amount", "perf.payment_zero")),
        Some(amount) => {
            let room = Room::of(d, pending);
            let left = room
                .as_ref()
                .zip(r.installment)
                .and_then(|(m, n)| m.installments.get(n.wrapping_sub(1)).copied());
            if let (Some(n), None) = (r.installment, left) {
                errs.push(FieldError::with(
                    "installment",
                    "perf.installment_unknown",
                    n.to_string(),
                ));
            }
            let over = |left: i64| amount.0 > left;
            if let Some(left) = left.filter(|l| over(*l)) {
                errs.push(FieldError::with(
                    "amount",
                    "perf.request_over_installment",
                    Fen(left.max(0)).to_string(),
                ));
            } else if let Some(room) = room.as_ref().filter(|m| over(m.budget)) {
                errs.push(FieldError::with(
                    "amount",
                    "perf.request_over_budget",
                    Fen(room.budget.max(0)).to_string(),
                ));
            }
        }
    }
    for (field, text, max) in [
        ("payee", &r.payee, MAX_PAYEE),
        ("purpose", &r.purpose, MAX_PURPOSE),
    ] {
        if text.trim().is_empty() {
            errs.push(FieldError::new(field, "field.required"));
        } else if field == "payee" && text.contains(['\n', '\r']) {
            errs.push(FieldError::new(field, "field.name_chars"));
        } else {
            document::text(field, text, max, &mut errs);
        }
    }
    errs
}

/// Files as the JSON API names them: uploaded before by the caller.
pub fn uploaded(files: &[RequestFileRef]) -> Vec<(String, Attach<'static>)> {
    files
        .iter()
        .map(|f| (f.kind.clone(), Attach::Uploaded(f.file_id)))
        .collect()
}

/// Opens a payment request on project-year `code` and starts its approval, in one transaction.
pub async fn create(
    db: &Db,
    who: &Principal,
    code: &str,
    r: &NewRequest,
    attach: Vec<(String, Attach<'_>)>,
) -> Result<Request> {
    let (path, d, _) = super::repo::writable(db, who, code).await?;
    let pending: Vec<(Option<i64>, i64)> = query_as(
        "SELECT r.installment, r.amount_fen FROM perf_payment_requests r \
         JOIN approval_instances i ON i.id = r.instance_id \
         WHERE r.code = $1 AND r.paid_voucher IS NULL AND i.status <> 'rejected'",
    )
    .bind(code)
    .fetch_all(db)
    .await?;
    let mut errs = problems(&d, r, &pending);
    errs.extend(payments::check_files(db, who, &attach).await);
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let dept = super::repo::department(db, &d).await?;
    let matter = ensure_matter(db, &dept).await?;
    let amount = Fen::parse_yuan(&r.amount).unwrap_or_default();
    let n: i64 = query_scalar("SELECT COUNT(*) FROM perf_payment_requests WHERE code = $1")
        .bind(code)
        .fetch_one(db)
        .await?;
    let number = format!("FK-{code}-{:03}", n + 1);
    let now = db.now();
    let mut tx = db.begin().await?;
    let progress = engine::start_internal(
        db,
        &mut tx,
        who,
        &engine::Start {
            matter_code: matter,
            unit_code: dept.code.clone(),
            reference: number.clone(),
        },
    )
    .await?;
    let id: i64 = query_scalar(
        "INSERT INTO perf_payment_requests (number, code, unit_path, instance_id, amount_fen, \
         installment, payee, purpose, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&number)
    .bind(code)
    .bind(&path)
    .bind(progress.instance.id)
    .bind(amount.0)
    .bind(r.installment.map(|n| n as i64))
    .bind(r.payee.trim())
    .bind(r.purpose.trim())
    .bind(&who.username)
    .bind(&now)
    .fetch_one(&mut tx)
    .await
    // Two requests numbered at once: the second tries again.
    .map_err(|e| Error::on_unique(e, "err.perf_changed"))?;
    for (kind, a) in &attach {
        let file = match a {
            Attach::Uploaded(id) | Attach::Kept(id) => *id,
            Attach::New(c) => files::put(&mut tx, who, c).await?.id,
        };
        query("INSERT INTO perf_request_files (request_id, kind, file_id) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(kind)
            .bind(file)
            .execute(&mut tx)
            .await?;
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "performance.payment_request",
            entity: "performance_project",
            entity_id: code.to_string(),
            scope_path: &path,
            summary: format!("{number} {amount} 元 {}", r.payee.trim()),
            before: None,
            after: Some(json!({"number": number, "amount": amount.to_string(),
                "installment": r.installment, "payee": r.payee.trim(), "purpose": r.purpose.trim(),
                "approval": progress.instance.id})),
        },
    )
    .await?;
    tx.commit().await?;
    get(db, who, &number).await
}

/// Project-year `code`'s requests, oldest first, for those who may read the project.
pub async fn list(db: &Db, who: &Principal, code: &str) -> Result<Vec<Request>> {
    super::narrative::may_write(db, who, code).await?;
    let rows = query_as(format!("SELECT {COLS} WHERE r.code = $1 ORDER BY r.id"))
        .bind(code)
        .fetch_all(db)
        .await?;
    complete(db, rows).await
}

async fn load(db: &Db, number: &str) -> Result<Request> {
    let row: Option<Request> = query_as(format!("SELECT {COLS} WHERE r.number = $1"))
        .bind(number)
        .fetch_optional(db)
        .await?;
    let row = row.ok_or(Error::NotFound)?;
    Ok(complete(db, vec![row]).await?.remove(0))
}

/// Whether `who` may read request `r`: readers of its project, and whoever may see its
/// approval (those who act or acted on it).
async fn may_read(db: &Db, who: &Principal, r: &Request) -> bool {
    who.can(Perm::ViewPerformance, &r.unit_path)
        || engine::case(db, who, r.instance_id).await.is_ok()
}

/// One request, for those who may read it (404 for everyone else).
pub async fn get(db: &Db, who: &Principal, number: &str) -> Result<Request> {
    let r = load(db, number).await?;
    if !may_read(db, who, &r).await {
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// The request an approval runs, if it runs one (the approval page shows it to its approvers,
/// who have already been let in).
pub async fn of_instance(db: &Db, instance: i64) -> Result<Option<Request>> {
    let row: Option<Request> = query_as(format!("SELECT {COLS} WHERE r.instance_id = $1"))
        .bind(instance)
        .fetch_optional(db)
        .await?;
    Ok(match row {
        Some(r) => complete(db, vec![r]).await?.pop(),
        None => None,
    })
}

/// One of a request's files, for those who may read the request.
pub async fn file(db: &Db, who: &Principal, number: &str, id: i64) -> Result<(FileMeta, Vec<u8>)> {
    let r = get(db, who, number).await?;
    if !r.files.iter().any(|f| f.file_id == id) {
        return Err(Error::NotFound);
    }
    let meta = files::meta(db, id).await?;
    let bytes = files::content(db, &meta).await?;
    Ok((meta, bytes))
}

/// The payment as made: its date and voucher (the amount and installment are the request's).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceRequestPaid)]
pub struct Paid {
    pub date: String,
    pub voucher: String,
}

/// Records approved request `number` as paid: the payment joins its project-year with the
/// request's files, and the request is marked paid, in one transaction.
pub async fn pay(db: &Db, who: &Principal, number: &str, p: &Paid) -> Result<Request> {
    let r = get(db, who, number).await?;
    super::repo::writable(db, who, &r.code).await?;
    if r.paid_voucher.is_some() {
        return Err(Error::Conflict("err.perf_request_paid"));
    }
    if r.approval != "approved" {
        return Err(Error::Conflict("err.perf_request_not_approved"));
    }
    let payment = Payment {
        date: p.date.trim().to_string(),
        amount: r.amount.clone(),
        voucher: p.voucher.clone(),
        installment: r.installment.and_then(|n| usize::try_from(n).ok()),
    };
    let kept = r
        .files
        .iter()
        .map(|f| (f.kind.clone(), Attach::Kept(f.file_id)))
        .collect();
    payments::add_paying(db, who, &r.code, payment, kept, Some(r.id)).await?;
    get(db, who, number).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_payment_workflow_is_one_the_designer_accepts() {
        let def = default_workflow("440309");
        assert_eq!(
            def.steps
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>(),
            [
                "财务初核",
                "部门负责人审核",
                "办公室负责人审核",
                "局领导审批",
                "局长办公会审议"
            ]
        );
        assert!(
            def.check(WorkingDays::of(PROMISED_DAYS)).is_empty(),
            "{:?}",
            def.check(WorkingDays::of(PROMISED_DAYS))
        );
        let total: u32 = def.steps.iter().map(|s| s.limit_days.get()).sum();
        assert_eq!(total, u32::from(PROMISED_DAYS));
    }
}

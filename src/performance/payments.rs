//! Payments entered one by one (支付登记): a finance officer records a payment — date, amount,
//! voucher number (支付凭证号), the installment it settles — with its supporting files (invoice,
//! award notice, contract, payment list, request, meeting minutes). The payment joins the
//! project-year's document, which is checked whole again (a payment outside the year, a voucher
//! twice, an installment the contract does not have are refused); the document, the files and
//! the audit row are written in one transaction, or nothing is.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::document::{self, Payment};
use crate::audit::{self, Change};
use crate::auth::Principal;
use crate::error::{Error, FieldError, Result};
use crate::files::{self, Checked, FileMeta};
use crate::storage::{Db, FromRow, query, query_as};

/// The kinds of supporting file a payment carries.
pub const KINDS: [&str; 6] = [
    "发票",
    "中标通知书",
    "合同",
    "付款清单",
    "付款申请",
    "会议纪要",
];

/// Most supporting files on one payment.
pub const MAX_FILES: usize = 20;

/// A supporting file: one uploaded before (by the same person), one sent with the payment, or
/// one already on record (a paid request's files).
pub enum Attach<'a> {
    Uploaded(i64),
    New(Checked<'a>),
    Kept(i64),
}

/// What is wrong with a payment's or a request's files: too many, one twice, a kind not in
/// [`KINDS`], a file the caller did not upload.
pub async fn check_files(
    db: &Db,
    who: &Principal,
    attach: &[(String, Attach<'_>)],
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if attach.len() > MAX_FILES {
        errs.push(FieldError::with(
            "files",
            "perf.too_many_files",
            MAX_FILES.to_string(),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, (kind, a)) in attach.iter().enumerate() {
        if let Attach::Uploaded(id) | Attach::Kept(id) = a
            && !seen.insert(*id)
        {
            errs.push(FieldError::with(
                format!("files[{i}].file_id"),
                "perf.file_twice",
                id.to_string(),
            ));
        }
        if !KINDS.contains(&kind.as_str()) {
            errs.push(FieldError::with(
                format!("files[{i}].kind"),
                "field.option",
                KINDS.join("、"),
            ));
        }
        if let Attach::Uploaded(id) = a {
            let mine = files::meta(db, *id)
                .await
                .ok()
                .is_some_and(|m| m.uploaded_by == who.username);
            if !mine {
                errs.push(FieldError::with(
                    format!("files[{i}].file_id"),
                    "field.file_unknown",
                    id.to_string(),
                ));
            }
        }
    }
    errs
}

/// A file on record for a payment.
#[derive(Debug, Clone, Serialize, Deserialize, FromRow, utoipa::ToSchema)]
#[schema(as = PerformancePaymentFile)]
pub struct PaymentFile {
    pub voucher: String,
    pub kind: String,
    pub file_id: i64,
    pub name: String,
    pub added_by: String,
    pub added_at: String,
}

/// Records payment `p` on project-year `code` with its files (`kind`, file); answers how many
/// payments the year now has.
pub async fn add(
    db: &Db,
    who: &Principal,
    code: &str,
    p: Payment,
    attach: Vec<(String, Attach<'_>)>,
) -> Result<usize> {
    add_paying(db, who, code, p, attach, None).await
}

/// As [`add`]; with `request`, the payment settles that approved payment request, which is
/// marked paid in the same transaction (a request paid meanwhile makes it a conflict).
pub async fn add_paying(
    db: &Db,
    who: &Principal,
    code: &str,
    p: Payment,
    attach: Vec<(String, Attach<'_>)>,
    request: Option<i64>,
) -> Result<usize> {
    let (path, mut d, stamp) = super::repo::writable(db, who, code).await?;
    let at = d.payments.len();
    let voucher = p.voucher.trim().to_string();
    let mut errs = Vec::new();
    if voucher.is_empty() {
        errs.push(FieldError::new("voucher", "field.required"));
    }
    errs.extend(check_files(db, who, &attach).await);
    d.payments.push(Payment { voucher, ..p });
    document::tidy(&mut d);
    if let Err(e) = document::check(&d) {
        // The new payment's problems under its own names (date, amount, …).
        errs.extend(document::own_fields(e, &format!("payments[{at}].")));
    }
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let now = db.now();
    let mut tx = db.begin().await?;
    super::repo::write_back(&mut tx, who, code, &d, &stamp).await?;
    let p = &d.payments[at];
    if let Some(id) = request {
        let done = query(
            "UPDATE perf_payment_requests SET paid_voucher = $1, paid_on = $2, paid_by = $3, \
             paid_at = $4 WHERE id = $5 AND paid_voucher IS NULL",
        )
        .bind(&p.voucher)
        .bind(&p.date)
        .bind(&who.username)
        .bind(&now)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict("err.perf_request_paid"));
        }
    }
    let mut names = Vec::new();
    for (kind, a) in &attach {
        let id = match a {
            Attach::Uploaded(id) | Attach::Kept(id) => *id,
            Attach::New(c) => files::put(&mut tx, who, c).await?.id,
        };
        query(
            "INSERT INTO perf_payment_files (code, voucher, kind, file_id, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(code)
        .bind(&p.voucher)
        .bind(kind)
        .bind(id)
        .bind(&who.username)
        .bind(&now)
        .execute(&mut tx)
        .await?;
        names.push(json!({"kind": kind, "file_id": id}));
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: "performance.payment",
            entity: "performance_project",
            entity_id: code.to_string(),
            scope_path: &path,
            summary: format!("{code} {} {} 元 {}", p.date, p.amount, p.voucher),
            before: None,
            after: Some(json!({"payment": p, "files": names})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(d.payments.len())
}

/// Every payment file of project-year `code`, for those who may read it.
pub async fn list(db: &Db, who: &Principal, code: &str) -> Result<Vec<PaymentFile>> {
    super::narrative::may_write(db, who, code).await?;
    Ok(query_as(
        "SELECT p.voucher, p.kind, p.file_id, f.name, p.added_by, p.added_at \
         FROM perf_payment_files p JOIN files f ON f.id = p.file_id \
         WHERE p.code = $1 ORDER BY p.id",
    )
    .bind(code)
    .fetch_all(db)
    .await?)
}

/// One of project-year `code`'s payment files or indicator evidence files, for those who may
/// read it.
pub async fn file(db: &Db, who: &Principal, code: &str, id: i64) -> Result<(FileMeta, Vec<u8>)> {
    if !list(db, who, code).await?.iter().any(|f| f.file_id == id)
        && !super::entries::holds_file(db, code, id).await?
    {
        return Err(Error::NotFound);
    }
    let meta = files::meta(db, id).await?;
    let bytes = files::content(db, &meta).await?;
    Ok((meta, bytes))
}

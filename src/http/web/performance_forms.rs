//! The project page's forms: a payment entered by hand, a payment request (its approval starts
//! at once), an approved request recorded as paid, and an entered indicator with its evidence
//! file. Each goes back to the page saying what it did, or shows the page again with the refused
//! form kept and every fault named beside its field (422).

use std::collections::BTreeMap;

use axum::Form;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;

use super::form_errors;
use super::performance::{PageState, render, segment};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::performance::document::Payment;
use crate::performance::payments::{self, Attach};
use crate::performance::{entries, requests};

/// A form's faults, as (field, message).
type Faults = Vec<(String, String)>;

/// Files with their kinds, ready to store.
type Attached<'a> = Vec<(String, Attach<'a>)>;

/// Most files one form sends (each with its kind).
const SLOTS: usize = 3;

/// A multipart form as sent: its text fields, and the files of slots `file1`…`file3` (with
/// `kind1`… beside them), each as (kind, file name, bytes).
struct Sent {
    values: BTreeMap<String, String>,
    files: Vec<(String, String, Vec<u8>)>,
}

async fn read(mut form: Multipart) -> Result<Sent> {
    let mut values = BTreeMap::new();
    let mut uploads: [(String, Vec<u8>); SLOTS] = Default::default();
    let bad = |e| crate::http::transfer::upload_error("file1", e);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let slot = name
            .strip_prefix("file")
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=SLOTS).contains(n));
        if let Some(i) = slot {
            let file = field.file_name().unwrap_or_default().to_string();
            uploads[i - 1] = (file, field.bytes().await.map_err(bad)?.to_vec());
        } else if values.len() < 32 {
            // A browser sends a line break as CR LF: kept as one.
            let text = field.text().await.map_err(bad)?.replace("\r\n", "\n");
            values.insert(name, text);
        }
    }
    let files = uploads
        .into_iter()
        .enumerate()
        .filter(|(_, (name, bytes))| !(name.is_empty() && bytes.is_empty()))
        .map(|(i, (name, bytes))| {
            let kind = values
                .get(&format!("kind{}", i + 1))
                .cloned()
                .unwrap_or_default();
            (kind, name, bytes)
        })
        .collect();
    Ok(Sent { values, files })
}

impl Sent {
    fn get(&self, key: &str) -> String {
        self.values
            .get(key)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }
    /// The files checked, each with its kind; what is wrong with them as form errors.
    fn checked(&self, ctx: &Ctx) -> Result<(Attached<'_>, Faults)> {
        let mut ok = Vec::new();
        let mut errs = Vec::new();
        for (kind, name, bytes) in &self.files {
            match crate::files::check(name, bytes) {
                Ok(c) => ok.push((kind.clone(), Attach::New(c))),
                Err(e) => errs.extend(form_errors(e, ctx.lang)?),
            }
        }
        Ok((ok, errs))
    }
    /// The installment named, when one is; a form error when it is not a number.
    fn installment(&self, ctx: &Ctx, errs: &mut Faults) -> Result<Option<usize>> {
        let t = self.get("installment");
        let n = t.parse().ok();
        if !t.is_empty() && n.is_none() {
            errs.extend(form_errors(
                Error::field("installment", "field.number"),
                ctx.lang,
            )?);
        }
        Ok(n)
    }
}

/// Back to the page at `anchor` saying what was done.
fn done(code: &str, query: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/performance/{}?{query}#{anchor}", segment(code))).into_response()
}

/// The page again with the refused form `failed` and why.
async fn refused(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    failed: String,
    errors: Vec<(String, String)>,
    values: BTreeMap<String, String>,
) -> Result<Response> {
    let st = PageState {
        errors,
        failed,
        values,
        ..PageState::default()
    };
    render(s, ctx, session, code, st).await
}

/// Records a payment from the page's form (multipart: the payment and up to three files, each
/// with its kind).
pub async fn add_payment(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let sent = read(form).await?;
    let (files, mut errs) = sent.checked(&ctx)?;
    let p = Payment {
        date: sent.get("date"),
        amount: sent.get("amount"),
        voucher: sent.get("voucher"),
        installment: sent.installment(&ctx, &mut errs)?,
    };
    if errs.is_empty() {
        match payments::add(&s.db, &session.principal, &code, p, files).await {
            Ok(_) => return Ok(done(&code, "recorded=1", "payments")),
            Err(e) => errs = form_errors(e, ctx.lang)?,
        }
    }
    let values = sent.values.clone();
    refused(&s, &ctx, &session, &code, "pay".into(), errs, values).await
}

/// Opens a payment request from the page's form; its approval starts at once.
pub async fn add_request(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let sent = read(form).await?;
    let (files, mut errs) = sent.checked(&ctx)?;
    let r = requests::NewRequest {
        amount: sent.get("amount"),
        installment: sent.installment(&ctx, &mut errs)?,
        payee: sent.get("payee"),
        purpose: sent.get("purpose"),
        files: Vec::new(),
    };
    if errs.is_empty() {
        match requests::create(&s.db, &session.principal, &code, &r, files).await {
            Ok(_) => return Ok(done(&code, "done=requested", "requests")),
            Err(e) => errs = form_errors(e, ctx.lang)?,
        }
    }
    let values = sent.values.clone();
    refused(&s, &ctx, &session, &code, "request".into(), errs, values).await
}

/// Records approved request `number` as paid (date and voucher).
pub async fn pay_request(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(number): Path<String>,
    Form(values): Form<BTreeMap<String, String>>,
) -> Result<Response> {
    let r = requests::get(&s.db, &session.principal, &number).await?;
    let field = |k: &str| values.get(k).cloned().unwrap_or_default();
    let p = requests::Paid {
        date: field("date"),
        voucher: field("voucher"),
    };
    let errs = match requests::pay(&s.db, &session.principal, &number, &p).await {
        Ok(_) => return Ok(done(&r.code, "done=paid", "requests")),
        Err(e) => form_errors(e, ctx.lang)?,
    };
    let failed = format!("paid-{number}");
    refused(&s, &ctx, &session, &r.code, failed, errs, values).await
}

/// Enters indicator `n` from the page's form: its actual or band, evidence and one file.
pub async fn enter_indicator(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((code, n)): Path<(String, usize)>,
    form: Multipart,
) -> Result<Response> {
    let sent = read(form).await?;
    let (mut files, mut errs) = sent.checked(&ctx)?;
    let e = entries::Entry {
        actual: Some(sent.get("actual")),
        band: Some(sent.get("band")),
        evidence: Some(sent.get("evidence")),
        file_id: None,
    };
    if errs.is_empty() {
        let file = files.pop().map(|(_, a)| a);
        match entries::enter(&s.db, &session.principal, &code, n, &e, file).await {
            Ok(_) => return Ok(done(&code, "done=entered", &format!("indicator-{n}"))),
            Err(e) => errs = form_errors(e, ctx.lang)?,
        }
    }
    let values = sent.values.clone();
    let failed = format!("entry-{n}");
    refused(&s, &ctx, &session, &code, failed, errs, values).await
}

/// The forms' routes (multipart ones take up to three files).
pub fn router() -> Router<AppState> {
    let files = || DefaultBodyLimit::max(crate::http::transfer::BODY_LIMIT * SLOTS);
    Router::new()
        .route(
            "/performance/{code}/payments",
            routing::post(add_payment).layer(files()),
        )
        .route(
            "/performance/{code}/payment-requests",
            routing::post(add_request).layer(files()),
        )
        .route(
            "/performance/payment-requests/{number}/paid",
            routing::post(pay_request),
        )
        .route(
            "/performance/{code}/indicators/{n}",
            routing::post(enter_indicator).layer(files()),
        )
}

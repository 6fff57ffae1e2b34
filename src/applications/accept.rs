//! What happens to a submitted application: the clerk's decision (accept — the approval
//! workflow starts in the same transaction, then its own acceptance step passes — reject with a
//! reason, or ask for a supplement), telling the applicant (in-app message and mail), and what
//! follows the approval (the e-licence of a licensing matter; a minute job issues any that a
//! stopped server missed, once: the store keeps one licence per application).

use serde::Deserialize;
use serde_json::json;

use super::repo::{Application, COLS, FROM, Row, row, shown};
use crate::approval::engine::{self, Start};
use crate::audit::{self, Change};
use crate::auth::{Perm, Principal};
use crate::catalog::repo as catalog;
use crate::clock;
use crate::error::{Error, Result};
use crate::mail::{self, Mail};
use crate::org;
use crate::storage::{Db, Tx, query, query_as, query_scalar};

/// A clerk's decision on a submitted application.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    /// 受理: its approval workflow starts.
    Accept,
    /// 不予受理, with the reason.
    Reject { reason: String },
    /// 补正: what is missing; the applicant adds it online and submits again.
    Supplement { missing: String },
}

/// Decides on an application; the applicant is told by mail when they gave an address.
pub async fn decide(db: &Db, who: &Principal, id: i64, d: &Decision) -> Result<Application> {
    let r = row(db, id).await?;
    let hall = org::get(db, r.unit_id).await?;
    if !who.can(Perm::StartApprovals, &hall.path) {
        return Err(Error::NotFound);
    }
    if r.status() != super::Status::Submitted {
        return Err(Error::Conflict("err.application_not_submitted"));
    }
    // Nobody decides their own application (the approval engine refuses the same later on).
    if !who.system && r.applicant == who.username {
        return Err(Error::Conflict("err.own_application"));
    }
    let (status, note, subject) = match d {
        Decision::Accept => ("in_approval", None, "已受理"),
        Decision::Reject { reason } => ("rejected", Some(reason.trim()), "不予受理"),
        Decision::Supplement { missing } => ("supplement", Some(missing.trim()), "需要补正材料"),
    };
    if note.is_some_and(str::is_empty) {
        let field = if matches!(d, Decision::Reject { .. }) {
            "reason"
        } else {
            "missing"
        };
        return Err(Error::field(field, "field.required"));
    }
    if matches!(d, Decision::Accept) {
        // A material the clerk found wanting is supplemented first, not accepted.
        let failed: Vec<String> = super::counter::checks_of(db, id)
            .await?
            .into_iter()
            .filter(|(_, c)| !c.ok)
            .map(|(m, _)| m)
            .collect();
        if !failed.is_empty() {
            return Err(Error::Validation(vec![crate::error::FieldError::with(
                "checks",
                "field.check_failed",
                failed.join("、"),
            )]));
        }
    }
    let now = db.now();
    // The guarded change first: of two clerks deciding at once, one wins.
    let mut tx = db.begin().await?;
    let n = query(
        "UPDATE applications SET status = $1, note = $2, decided_at = $3, decided_by = $4, updated_at = $3 \
         WHERE id = $5 AND status = 'submitted'",
    )
    .bind(status)
    .bind(note)
    .bind(&now)
    .bind(&who.username)
    .bind(id)
    .execute(&mut tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(Error::Conflict("err.application_not_submitted"));
    }
    // Accepted: the approval workflow starts in the same transaction — both or neither.
    let progress = match d {
        Decision::Accept => {
            let start = Start {
                matter_code: r.matter_code.clone(),
                unit_code: hall.code.clone(),
                reference: r.number.clone(),
            };
            let p = engine::start_in(db, &mut tx, who, &start).await?;
            query("UPDATE applications SET instance_id = $1 WHERE id = $2")
                .bind(p.instance.id)
                .bind(id)
                .execute(&mut tx)
                .await?;
            Some(p)
        }
        _ => None,
    };
    notify(&mut tx, &r, subject, note).await?;
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: &format!("application.{status}"),
            entity: "application",
            entity_id: id.to_string(),
            scope_path: &hall.path,
            summary: format!("{} {}", r.number, note.unwrap_or("")),
            before: Some(json!({"status": "submitted"})),
            after: Some(json!({"status": status, "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    // The clerk's acceptance is the workflow's acceptance step (受理) when they act on it.
    if let Some(t) = progress
        .iter()
        .flat_map(|p| &p.open_tasks)
        .find(|t| t.step == 0)
    {
        let pass = engine::Act {
            action: crate::approval::definition::Action::Pass,
            opinion: "窗口受理".into(),
            to: None,
            procedure: None,
            attachments: Vec::new(),
        };
        if let Err(e) = engine::act(db, who, t.id, &pass).await {
            tracing::info!(task = t.id, error = %e, "acceptance step left to its actors");
        }
    }
    shown(db, row(db, id).await?).await
}

/// Tells the applicant of a step: an in-app message always, a mail when they gave an address.
async fn notify(tx: &mut Tx, r: &Row, what: &str, note: Option<&str>) -> Result<()> {
    tell(tx, &r.applicant, &r.number, r.id, what, note).await
}

/// Tells `applicant` (a username; empty for a walk-in without an account, told in person)
/// that their application `number` (id `id`) `what`, with an optional explanation: an in-app
/// message always, a mail too when they gave an address. In the caller's transaction, so the
/// message goes out exactly when the change it reports is stored.
pub(crate) async fn tell(
    tx: &mut Tx,
    applicant: &str,
    number: &str,
    id: i64,
    what: &str,
    note: Option<&str>,
) -> Result<()> {
    if applicant.is_empty() {
        return Ok(());
    }
    let subject = format!("办件 {number} {what}");
    let text = format!(
        "您的办件 {number} {what}。{}",
        note.map(|n| format!("说明：{n}")).unwrap_or_default()
    );
    // The page people open; the API has the same application at /api/v1/applications/{id}.
    let link = format!("/applications/{id}");
    crate::mail::messages::post(tx, applicant, &subject, &text, Some(&link)).await?;
    // Read in the transaction: on PostgreSQL a second connection could be one too many.
    let email: Option<String> = query_scalar("SELECT email FROM users WHERE username = $1")
        .bind(applicant)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
    if let Some(to) = email.filter(|e| !e.is_empty()) {
        let mail = Mail {
            to: vec![to],
            subject,
            body: format!("{text}\n"),
            attachment: None,
        };
        mail::queue(tx, &mail).await?;
    }
    Ok(())
}

/// The application an approval belongs to (none for an approval started without one).
async fn of_instance(db: &Db, instance: i64) -> Result<Option<Row>> {
    Ok(query_as::<Row>(format!(
        "SELECT {COLS} FROM {FROM} WHERE a.instance_id = $1"
    ))
    .bind(instance)
    .fetch_optional(db)
    .await?)
}

/// Sets the application's note (and its decision time, for a decision) and tells the
/// applicant, in one transaction.
async fn note_and_tell(db: &Db, r: &Row, what: &str, note: &str, decided: bool) -> Result<()> {
    let mut tx = db.begin().await?;
    query("UPDATE applications SET note = $1, decided_at = COALESCE($2, decided_at) WHERE id = $3")
        .bind(note)
        .bind(decided.then(|| db.now()))
        .bind(r.id)
        .execute(&mut tx)
        .await?;
    notify(&mut tx, r, what, Some(note)).await?;
    tx.commit().await?;
    Ok(())
}

/// What follows an application's approval: for a licensing matter (行政许可) the department's
/// e-licence, issued to the applicant with the form's values as its content; and a mail to the
/// applicant. Runs after the approval's own transaction; answers the licence number, if any.
pub async fn on_approved(db: &Db, instance: i64) -> Result<Option<String>> {
    let Some(r) = of_instance(db, instance).await? else {
        return Ok(None);
    };
    let matter = catalog::version(db, &r.matter_code, r.matter_version).await?;
    let mut number = None;
    if matter.kind == crate::catalog::matter::MatterType::Licensing {
        let issue = crate::licence::Issue {
            instance_id: Some(instance),
            matter_code: r.matter_code.clone(),
            holder_name: r.applicant_name.clone(),
            holder_id: crate::vault::open(&r.applicant_id),
            content: matter.licence_content(&crate::vault::open_form(&r.form_json)),
            valid_years: None,
        };
        number = Some(
            crate::licence::issue(db, &Principal::system(), &issue)
                .await?
                .number,
        );
    }
    let mut tx = db.begin().await?;
    let what = match &number {
        Some(n) => format!("已批准，电子证照 {n} 已签发"),
        None => "已批准".to_string(),
    };
    notify(&mut tx, &r, &what, None).await?;
    tx.commit().await?;
    Ok(number)
}

/// What the applicant may do about a refusal (复议 or 诉讼), printed under its reason.
/// The applicant's remedies against a decision of a department of `district` (区): review by
/// the district's people's government (行政复议法 2023: the government of the level takes all
/// reviews), or a suit at the district's people's court.
pub fn remedy(district: &str) -> String {
    format!(
        "如不服本决定，可以自收到本决定之日起六十日内依法向{district}人民政府申请行政复议，\
         或者自收到本决定之日起六个月内依法向{district}人民法院提起行政诉讼。"
    )
}

/// What follows a refusal in approval (不予许可): the decision — the approver's reason and the
/// applicant's remedies — becomes the application's note (shown, printed in the 不予许可决定书),
/// and the applicant is told in-app and by mail. Runs after the approval's own transaction.
pub async fn on_refused(db: &Db, instance: i64, reason: &str) -> Result<()> {
    let Some(r) = of_instance(db, instance).await? else {
        return Ok(());
    };
    let matter = catalog::version(db, &r.matter_code, r.matter_version).await?;
    let what = refusal_word(&matter);
    let district = org::root(db).await?.name;
    let note = format!("{what}的理由：{}\n{}", reason.trim(), remedy(&district));
    note_and_tell(db, &r, "不予批准", &note, true).await
}

/// The decision a refusal is: a licensing matter is refused a licence (不予许可); any other is
/// not done (不予办理).
pub fn refusal_word(matter: &crate::catalog::Matter) -> &'static str {
    if matter.kind == crate::catalog::matter::MatterType::Licensing {
        "不予许可"
    } else {
        "不予办理"
    }
}

/// A supplement asked for during approval: what is asked and by whom becomes the application's
/// note, and the applicant is told in-app and by mail; they add it online (or at the window) and
/// their submission resumes the approval.
pub async fn on_supplement_asked(
    db: &Db,
    instance: i64,
    who: &Principal,
    asked: &str,
) -> Result<()> {
    let Some(r) = of_instance(db, instance).await? else {
        return Ok(());
    };
    let by = crate::accounts::lookup::display_names(db, std::slice::from_ref(&who.username))
        .await?
        .remove(&who.username)
        .unwrap_or_else(|| "审批部门".to_string());
    let note = format!("{by}要求补正：{}", asked.trim());
    note_and_tell(db, &r, "需要补正材料", &note, false).await
}

/// The department started a special procedure (特别程序: hearing, expert review, inspection,
/// public notice): the applicant is told which, why, and that its time does not count against
/// the limit.
pub async fn on_special_started(
    db: &Db,
    instance: i64,
    procedure: crate::approval::machine::Procedure,
    reason: &str,
) -> Result<()> {
    let Some(r) = of_instance(db, instance).await? else {
        return Ok(());
    };
    let key = format!("ap.proc.{}", procedure.as_str());
    let name = crate::i18n::tr(crate::i18n::Lang::Zh, &key);
    let note = format!(
        "进入特别程序（{name}）：{}。特别程序所需时间不计入办理时限。",
        reason.trim()
    );
    note_and_tell(db, &r, "进入特别程序", &note, false).await
}

/// A special procedure is over and the approval goes on: the applicant is told, and the note
/// about the procedure is cleared.
pub async fn on_special_ended(db: &Db, instance: i64) -> Result<()> {
    let Some(r) = of_instance(db, instance).await? else {
        return Ok(());
    };
    let mut tx = db.begin().await?;
    query("UPDATE applications SET note = NULL WHERE id = $1")
        .bind(r.id)
        .execute(&mut tx)
        .await?;
    notify(
        &mut tx,
        &r,
        "特别程序结束",
        Some("办理继续进行，办结时限相应顺延。"),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Catches up on after-approval steps that did not happen (the server stopped, the store
/// refused): licensing applications approved more than a minute ago without their licence get it
/// now, and the applicant is told. Run by the minute job; answers how many it issued.
pub async fn issue_missing(db: &Db) -> Result<usize> {
    let now = db.clock().now_utc();
    let before = clock::to_db(now - chrono::Duration::minutes(1));
    // Approvals of the last 30 days, in pages by id: approved applications of other kinds never
    // get a licence, so a page of them must not hide a licensing one behind it.
    let since = clock::to_db(now - chrono::Duration::days(30));
    let mut rows: Vec<(i64, String, i64)> = Vec::new();
    let mut after = 0i64;
    loop {
        let page: Vec<(i64, String, i64)> = query_as(
            "SELECT i.id, a.matter_code, a.matter_version FROM applications a \
             JOIN approval_instances i ON i.id = a.instance_id \
             WHERE i.status = 'approved' AND i.finished_at < $1 AND i.finished_at >= $2 \
             AND i.id > $3 \
             AND NOT EXISTS (SELECT 1 FROM licences l WHERE l.instance_id = i.id) ORDER BY i.id LIMIT 500",
        )
        .bind(&before)
        .bind(&since)
        .bind(after)
        .fetch_all(db)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        rows.extend(page);
    }
    let mut issued = 0;
    let mut licensing = std::collections::HashMap::new();
    for (instance, code, version) in rows {
        let key = (code, version);
        if !licensing.contains_key(&key) {
            let m = catalog::version(db, &key.0, key.1).await?;
            licensing.insert(
                key.clone(),
                m.kind == crate::catalog::matter::MatterType::Licensing,
            );
        }
        if !licensing[&key] {
            continue;
        }
        match on_approved(db, instance).await {
            Ok(Some(_)) => issued += 1,
            Ok(None) => {}
            // Another server issued it meanwhile.
            Err(Error::Conflict(_)) => {}
            Err(e) => tracing::warn!(instance, error = %e, "licence still not issued"),
        }
    }
    Ok(issued)
}

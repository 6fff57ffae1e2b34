//! What each notice's template sees: the application (applicant's ID masked), its matter, hall,
//! clerk, materials with their checks, what is missing; or the licence with its fields and the
//! address of its public check. [`sample`] is the preview's made-up case.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Kind;
use crate::applications::{self, counter};
use crate::auth::Principal;
use crate::catalog::repo as catalog;
use crate::clock;
use crate::error::{Error, Result};
use crate::licence::repo::Status;
use crate::org;
use crate::storage::{Db, query_scalar};

/// A stored time as a Chinese date, e.g. `2026年11月28日` (the store's today when there is none).
pub fn cn_date(db: &Db, db_time: Option<&str>) -> String {
    let t: DateTime<Utc> = db_time
        .and_then(clock::from_db)
        .unwrap_or_else(|| db.clock().now_utc());
    t.with_timezone(&clock::cst())
        .format("%Y年%-m月%-d日")
        .to_string()
}

fn channel_name(c: &str) -> &'static str {
    if c == "counter" {
        "窗口受理"
    } else {
        "网上申请"
    }
}

/// Whether an application in this status has this notice.
fn applies(kind: Kind, status: applications::Status) -> bool {
    use applications::Status as S;
    match kind {
        Kind::Receipt => matches!(status, S::InApproval | S::Approved | S::Refused),
        Kind::Rejection => status == S::Rejected,
        Kind::Supplement => status == S::Supplement,
        Kind::Refusal => status == S::Refused,
        Kind::Licence => false,
    }
}

/// The data of an application's notice, for those who may see the application; `base` is this
/// server's address, for the rating code's link (counter applications carry one).
pub async fn application(
    db: &Db,
    who: &Principal,
    id: i64,
    kind: Kind,
    base: &str,
) -> Result<Value> {
    let a = applications::get(db, who, id).await?;
    if !applies(kind, a.status) {
        return Err(Error::Conflict("err.notice_not_applicable"));
    }
    let m = catalog::version(db, &a.matter_code, a.matter_version).await?;
    let hall = org::get(db, a.unit_id).await?;
    // The department that decides (and stamps a 不予许可决定书).
    let department = org::by_code(db, &m.department)
        .await?
        .map_or_else(|| hall.name.clone(), |u| u.name);
    let clerk: Option<String> = query_scalar(
        "SELECT u.name FROM applications a JOIN users u ON u.username = a.decided_by WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let token: Option<String> = query_scalar("SELECT rating_token FROM applications WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await?;
    let rating_url = token.map(|t| format!("{base}/rate/{t}"));
    let checks = counter::checks_of(db, id).await?;
    let materials: Vec<Value> = m
        .guide
        .materials
        .iter()
        .filter_map(|x| {
            let files = a.materials.get(&x.id).map_or(0, Vec::len);
            let check = match checks.get(&x.id) {
                Some(c) if c.ok => "核验通过".to_string(),
                Some(c) => format!("不符：{}", c.note.clone().unwrap_or_default()),
                None if files > 0 => "已收".to_string(),
                None => return None,
            };
            Some(json!({"name": x.name, "files": files, "check": check}))
        })
        .collect();
    let missing: Vec<String> = a
        .note
        .as_deref()
        .unwrap_or("")
        .split(['\n', '；', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let mut app = serde_json::to_value(&a).map_err(|e| Error::Internal(e.into()))?;
    app["channel_name"] = json!(channel_name(&a.channel));
    Ok(json!({
        "app": app,
        "matter": {"name": m.name, "code": m.code, "promised_days": m.guide.promised_limit_days,
                   "consult_phone": m.guide.consult_phone, "complaint_phone": m.guide.complaint_phone,
                   "result_name": m.guide.result_name,
                   "refusal": crate::applications::refusal_word(&m)},
        "hall": {"name": hall.name},
        "department": {"name": department},
        "clerk": clerk.unwrap_or_default(),
        "materials": materials,
        "missing": missing,
        "rating_url": rating_url,
        "submitted_date": cn_date(db, a.submitted_at.as_deref()),
        "decided_date": cn_date(db, a.decided_at.as_deref()),
        "today": cn_date(db, None),
    }))
}

/// The data of a licence's print: its fields labelled by the matter's form.
pub async fn licence(db: &Db, st: &Status, verify_url: &str) -> Result<Value> {
    let l = &st.licence;
    let labels: Vec<(String, String)> = match catalog::public(db, &l.matter_code).await {
        Ok((_, m)) => m
            .form
            .fields
            .iter()
            .map(|f| (f.key.clone(), f.label.clone()))
            .collect(),
        Err(_) => Vec::new(),
    };
    let fields: Vec<Value> = l
        .content
        .as_object()
        .map(|o| {
            o.iter()
                .filter(|(_, v)| !v.is_null() && !v.is_object())
                .map(|(k, v)| {
                    let label = labels
                        .iter()
                        .find(|(key, _)| key == k)
                        .map_or(k.clone(), |x| x.1.clone());
                    let value = v.as_str().map_or_else(|| v.to_string(), String::from);
                    json!({"label": label, "value": value})
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(json!({
        "licence": l,
        "state": st.state,
        "fields": fields,
        "verify_url": verify_url,
        "issued_date": cn_date(db, Some(&l.issued_at)),
        "today": cn_date(db, None),
    }))
}

/// Made-up data for previewing a template.
pub fn sample(kind: Kind) -> Value {
    if kind == Kind::Licence {
        return json!({
            "licence": {"number": "440309-D02-2026-000123", "matter_name": "饮用水供水单位卫生许可",
                "holder_name": "张晓明", "holder_id_masked": "440309********123X", "verify_code": "7K3M9QXA2R",
                "unit_name": "深圳市龙华区卫生健康局", "valid_from": "2026-11-28", "valid_until": "2030-11-27",
                "issued_at": "2026-11-28T02:00:00Z"},
            "state": "valid",
            "fields": [{"label": "许可范围", "value": "集中式供水"},
                       {"label": "法定代表人", "value": "王建国"}],
            "verify_url": "http://localhost:8080/verify/440309-D02-2026-000123?code=7K3M9QXA2R",
            "issued_date": "2026年11月28日",
            "today": "2026年11月28日",
        });
    }
    json!({
        "app": {"number": "LH20261128000123", "applicant_name": "张晓明", "applicant_id_masked": "440309********123X",
                "channel": "counter", "channel_name": "窗口受理", "status": "in_approval",
                "note": "营业执照复印件不清晰；缺少卫生管理制度"},
        "matter": {"name": "饮用水供水单位卫生许可", "code": "440309-WJ-001", "promised_days": 10,
                   "consult_phone": "0755-23333333", "complaint_phone": "12345", "result_name": "卫生许可证",
                   "refusal": "不予许可"},
        "hall": {"name": "龙华区政务服务中心"},
        "department": {"name": "深圳市龙华区卫生健康局"},
        "clerk": "李窗口",
        "materials": [{"name": "营业执照", "files": 1, "check": "核验通过"},
                      {"name": "卫生许可申请书", "files": 1, "check": "核验通过"}],
        "missing": ["营业执照复印件不清晰", "缺少卫生管理制度"],
        "rating_url": "http://localhost:8080/rate/0123456789abcdef",
        "submitted_date": "2026年11月27日",
        "decided_date": "2026年11月28日",
        "today": "2026年11月28日",
    })
}

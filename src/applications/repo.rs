//! Applications in the store: save a draft or submit it (checked against the matter's current
//! version, its required materials and the applicant's own uploads), the applicant's list and
//! the clerks' acceptance queue. The decision on a submitted one is in [`super::accept`].

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::audit::{self, Change};
use crate::auth::{Perm, Principal, Role};
use crate::catalog::repo as catalog;
use crate::clock;
use crate::error::{Error, FieldError, Result};
use crate::files;
use crate::org::{self, Kind};
use crate::storage::{Db, Page, Sql, query, query_as, query_scalar};

/// Most files one application carries (its id list is refused beyond this, before any look-up).
pub const MAX_APPLICATION_FILES: usize = 100;

/// Most bytes of materials one application carries.
pub const MAX_APPLICATION_BYTES: i64 = 50 * 1024 * 1024;

/// An application as its applicant and the clerks see it; the applicant's ID number masked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Application {
    pub id: i64,
    /// 办件编号, e.g. `LH20261128000012`.
    pub number: String,
    pub matter_code: String,
    pub matter_version: i64,
    pub applicant: String,
    pub applicant_name: String,
    pub applicant_id_masked: String,
    /// The hall it is filed at.
    pub unit_id: i64,
    pub channel: String,
    pub status: super::Status,
    #[schema(value_type = Object)]
    pub form: Value,
    /// The clerk's reason (rejection) or list of what is missing (supplement).
    pub note: Option<String>,
    pub instance_id: Option<i64>,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    /// Material id → the files filed for it.
    #[schema(value_type = Object)]
    pub materials: BTreeMap<String, Vec<i64>>,
    /// In approval: the step it is at and when the whole approval is due.
    pub current_step: Option<String>,
    pub due_at: Option<String>,
}

#[derive(crate::storage::FromRow)]
pub(super) struct Row {
    pub(super) id: i64,
    pub(super) number: String,
    pub(super) matter_code: String,
    pub(super) matter_version: i64,
    pub(super) applicant: String,
    pub(super) applicant_name: String,
    pub(super) applicant_id: String,
    pub(super) unit_id: i64,
    pub(super) channel: String,
    pub(super) status: String,
    pub(super) form_json: String,
    pub(super) note: Option<String>,
    pub(super) instance_id: Option<i64>,
    pub(super) created_at: String,
    pub(super) submitted_at: Option<String>,
    pub(super) decided_at: Option<String>,
    pub(super) instance_status: Option<String>,
}

impl Row {
    /// Where it stands, its approval's outcome included.
    pub(super) fn status(&self) -> super::Status {
        super::Status::of(&self.status, self.instance_status.as_deref())
    }
}

pub(super) const COLS: &str = "a.id, a.number, a.matter_code, a.matter_version, a.applicant, a.applicant_name, a.applicant_id, \
    a.unit_id, a.channel, a.status, a.form_json, a.note, a.instance_id, a.created_at, a.submitted_at, a.decided_at, \
    CASE WHEN i.status = 'paused' AND i.pause_kind = 'supplement' THEN 'supplement' ELSE i.status END \
    AS instance_status";
pub(super) const FROM: &str =
    "applications a LEFT JOIN approval_instances i ON i.id = a.instance_id";

pub(super) async fn materials(db: &Db, id: i64) -> Result<BTreeMap<String, Vec<i64>>> {
    Ok(materials_of(db, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default())
}

/// The filed materials of several applications in one query: application → material → files.
async fn materials_of(db: &Db, ids: &[i64]) -> Result<HashMap<i64, BTreeMap<String, Vec<i64>>>> {
    let mut out: HashMap<i64, BTreeMap<String, Vec<i64>>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut q =
        Sql::new("SELECT application_id, material, file_id FROM application_materials WHERE ");
    q.any_of("application_id", ids);
    q.push(" ORDER BY file_id");
    let rows: Vec<(i64, String, i64)> = q.query_as().fetch_all(db).await?;
    for (a, m, f) in rows {
        out.entry(a).or_default().entry(m).or_default().push(f);
    }
    Ok(out)
}

/// An application's status as shown: in approval, it follows its instance to the end.
pub(super) fn status_of(status: &str, instance: Option<&str>) -> super::Status {
    super::Status::of(status, instance)
}

pub(super) async fn shown(db: &Db, r: Row) -> Result<Application> {
    Ok(shown_all(db, vec![r])
        .await?
        .pop()
        .expect("one row, one application"))
}

/// Applications as shown, for a list: their materials and the open steps of those in approval
/// read in one query each, whatever the list's length.
pub(super) async fn shown_all(db: &Db, rows: Vec<Row>) -> Result<Vec<Application>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut materials = materials_of(db, &ids).await?;
    let running: Vec<i64> = rows
        .iter()
        .filter(|r| status_of(&r.status, r.instance_status.as_deref()) == super::Status::InApproval)
        .filter_map(|r| r.instance_id)
        .collect();
    // The step each one in approval is at (its first open task) and when the approval is due.
    let mut steps: HashMap<i64, (String, String)> = HashMap::new();
    if !running.is_empty() {
        let mut q = Sql::new(
            "SELECT t.instance_id, t.step_name, i.due_at FROM approval_tasks t \
             JOIN approval_instances i ON i.id = t.instance_id WHERE t.status = 'open' AND ",
        );
        q.any_of("t.instance_id", &running);
        q.push(" ORDER BY t.id");
        let open: Vec<(i64, String, String)> = q.query_as().fetch_all(db).await?;
        for (inst, step, due) in open {
            steps.entry(inst).or_insert((step, due));
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = status_of(&r.status, r.instance_status.as_deref());
            let (current_step, due_at) = r
                .instance_id
                .and_then(|i| steps.remove(&i))
                .map_or((None, None), |(s, d)| (Some(s), Some(d)));
            Application {
                current_step,
                due_at,
                materials: materials.remove(&r.id).unwrap_or_default(),
                id: r.id,
                number: r.number,
                matter_code: r.matter_code,
                matter_version: r.matter_version,
                applicant: r.applicant,
                applicant_name: r.applicant_name,
                applicant_id_masked: crate::ids::mask_any(&crate::vault::open(&r.applicant_id)),
                unit_id: r.unit_id,
                channel: r.channel,
                status,
                // Others see ID numbers masked; the applicant reads their own whole (`get`, `mine`).
                form: {
                    let mut f = crate::vault::open_form(&r.form_json);
                    crate::vault::mask_form_ids(&mut f);
                    f
                },
                note: r.note,
                instance_id: r.instance_id,
                created_at: r.created_at,
                submitted_at: r.submitted_at,
                decided_at: r.decided_at,
            }
        })
        .collect())
}

pub(super) async fn row(db: &Db, id: i64) -> Result<Row> {
    query_as::<Row>(format!("SELECT {COLS} FROM {FROM} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or(Error::NotFound)
}

/// A new application or changes to one still in the applicant's hands.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct Save {
    pub matter_code: String,
    /// The version of the form the applicant filled (the current one unless given).
    #[serde(default)]
    pub version: Option<i64>,
    /// The hall it is filed at (by code); the district's hall unless given.
    #[serde(default)]
    pub unit_code: Option<String>,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub form: Map<String, Value>,
    /// Material id → ids of files the applicant uploaded (`POST /api/v1/files`).
    #[serde(default)]
    pub materials: BTreeMap<String, Vec<i64>>,
    /// Submit now (otherwise a draft is kept).
    #[serde(default)]
    pub submit: bool,
}

/// Who files an application and for whom: the applicant online, or a clerk at the counter on
/// an applicant's behalf (who may have no account: `applicant` is then empty).
pub(super) struct Filer<'a> {
    pub(super) actor: &'a Principal,
    pub(super) applicant: String,
    pub(super) name: String,
    pub(super) id_number: String,
    pub(super) channel: &'static str,
    /// Files filed before with this applicant's applications, which a clerk may reuse.
    pub(super) reusable: Vec<i64>,
    /// The code printed on its notices for rating it without an account (counter filings).
    pub(super) rating_token: Option<String>,
}

/// Saves a draft or submits: `id` none for a new application. Submitting checks everything and
/// answers every problem at once; nothing is stored when anything is wrong.
pub async fn save(db: &Db, who: &Principal, id: Option<i64>, s: &Save) -> Result<Application> {
    let existing = match id {
        Some(id) => {
            let r = row(db, id).await?;
            if r.applicant != who.username {
                return Err(Error::NotFound);
            }
            if !r.status().editable() {
                return Err(Error::Conflict("err.application_locked"));
            }
            Some(r)
        }
        None => None,
    };
    let published = catalog::public(db, s.matter_code.trim()).await?;
    if published.1.guide.online_depth < 2 {
        return Err(Error::Conflict("err.not_online"));
    }
    let units = org::list(db).await?;
    let hall = match s
        .unit_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(c) => units
            .iter()
            .find(|u| u.code == c && u.kind == Kind::Hall && !u.is_retired()),
        // Else where it was filed before; else the district's own hall (which the submission
        // checks serves the matter: the applicant chooses a hall the guide lists).
        None => match &existing {
            Some(r) => units.iter().find(|u| u.id == r.unit_id),
            None => units.iter().find(|u| u.kind == Kind::Hall && u.depth == 1),
        },
    }
    .cloned()
    .ok_or_else(|| Error::field("unit_code", "field.hall_unknown"))?;
    // Once submitted, an application stays at its hall (a supplement is added where it was filed).
    if let Some(r) = &existing
        && r.status() != super::Status::Draft
        && r.unit_id != hall.id
    {
        return Err(Error::field("unit_code", "field.hall_fixed"));
    }
    let (name, id_number): (String, Option<String>) =
        query_as("SELECT name, id_number FROM users WHERE username = $1")
            .bind(&who.username)
            .fetch_one(db)
            .await?;
    let filer = Filer {
        actor: who,
        applicant: who.username.clone(),
        name,
        id_number: crate::vault::open(&id_number.unwrap_or_default()),
        channel: "online",
        reusable: Vec::new(),
        rating_token: None,
    };
    store(db, &filer, existing.as_ref(), &hall, &published, s).await
}

/// The form with each file field tied to a material filled from that material's first file
/// when the caller left it out (an API caller names the file once, under `materials`).
fn with_material_files(matter: &crate::catalog::Matter, s: &Save) -> Map<String, Value> {
    let mut form = s.form.clone();
    for f in &matter.form.fields {
        if f.kind == crate::catalog::form::FieldKind::File
            && form.get(&f.key).is_none_or(Value::is_null)
            && let Some(first) = f
                .material
                .as_ref()
                .and_then(|m| s.materials.get(m))
                .and_then(|v| v.first())
        {
            form.insert(f.key.clone(), Value::String(first.to_string()));
        }
    }
    form
}

/// The material form field `key` is tied to, when it is a file field tied to one.
fn tied_material<'m>(matter: &'m crate::catalog::Matter, key: &str) -> Option<&'m str> {
    matter
        .form
        .fields
        .iter()
        .find(|f| f.key == key && f.kind == crate::catalog::form::FieldKind::File)
        .and_then(|f| f.material.as_deref())
}

/// Checks and stores a filing (see [`save`]) against the matter's published version as the
/// caller read it (`catalog::public`); the hall is already resolved and allowed.
pub(super) async fn store(
    db: &Db,
    filer: &Filer<'_>,
    existing: Option<&Row>,
    hall: &org::Unit,
    (current, matter): &(i64, crate::catalog::Matter),
    s: &Save,
) -> Result<Application> {
    let who = filer.actor;
    let current = *current;
    let version = s.version.unwrap_or(current);
    if version != current {
        return Err(Error::Conflict("err.form_version_outdated"));
    }
    let units = org::list(db).await?;
    let mut errs = Vec::new();
    // A hall files the matters it serves (the matter's levels and per-unit switches): checked
    // on a first submission; a resubmission stays where it was filed.
    let first_submission = s.submit && existing.is_none_or(|r| r.status() == super::Status::Draft);
    if first_submission
        && !catalog::halls(db, &matter.code, matter)
            .await?
            .iter()
            .any(|h| h.id == hall.id)
    {
        errs.push(FieldError::new("unit_code", "field.hall_not_serving"));
    } else if first_submission && !crate::accounts::lookup::hall_staffed(db, &hall.path).await? {
        // Nobody could accept it there: said now, not discovered by a citizen's waiting.
        errs.push(FieldError::new("unit_code", "field.hall_unstaffed"));
    }
    // Uploads must be the filer's own (or, at the counter, the applicant's earlier ones), for
    // materials the guide names, within the size limit.
    let ids: Vec<i64> = s.materials.values().flatten().copied().collect();
    if ids.len() > MAX_APPLICATION_FILES {
        return Err(Error::Validation(vec![FieldError::with(
            "materials",
            "field.too_many_files",
            MAX_APPLICATION_FILES.to_string(),
        )]));
    }
    let fresh: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|i| !filer.reusable.contains(i))
        .collect();
    let mut owned = files::own(db, who, &fresh).await?;
    // A clerk's scans belong to the application they were scanned for: one applicant's document
    // is never handed into another's case.
    if filer.channel == "counter" && !fresh.is_empty() {
        let mut q =
            Sql::new("SELECT DISTINCT file_id FROM application_materials WHERE application_id <> ");
        q.bind(existing.map_or(0, |r| r.id)).push(" AND ");
        q.any_of("file_id", &fresh);
        let elsewhere: Vec<i64> = q.scalar().fetch_all(db).await?;
        for f in elsewhere {
            errs.push(FieldError::with(
                "materials",
                "field.file_unknown",
                f.to_string(),
            ));
        }
    }
    for i in ids.iter().filter(|i| filer.reusable.contains(i)) {
        owned.push(files::meta(db, *i).await?);
    }
    let total: i64 = owned.iter().map(|f| f.size).sum();
    if total > MAX_APPLICATION_BYTES {
        errs.push(FieldError::with(
            "materials",
            "field.application_too_large",
            (MAX_APPLICATION_BYTES >> 20).to_string(),
        ));
    }
    for key in s.materials.keys() {
        if !matter.guide.materials.iter().any(|m| &m.id == key) {
            errs.push(FieldError::with("materials", "field.material_unknown", key));
        }
    }
    let exists = |c: &str| units.iter().any(|u| u.code == c && !u.is_retired());
    let form = if s.submit {
        for m in matter.guide.materials.iter().filter(|m| m.required) {
            if s.materials.get(&m.id).is_none_or(|v| v.is_empty()) {
                errs.push(FieldError::with(
                    format!("materials.{}", m.id),
                    "field.material_missing",
                    &m.name,
                ));
            }
        }
        let form_in = with_material_files(matter, s);
        // A file field names one of the files filed with the application, nothing else.
        for f in matter
            .form
            .fields
            .iter()
            .filter(|f| f.kind == crate::catalog::form::FieldKind::File)
        {
            if let Some(v) = form_in.get(&f.key).filter(|v| !v.is_null()) {
                let id = v
                    .as_str()
                    .map(str::trim)
                    .and_then(|t| t.parse::<i64>().ok());
                if !id.is_some_and(|id| ids.contains(&id)) {
                    let shown: String = v.to_string().chars().take(40).collect();
                    errs.push(FieldError::with(&f.key, "field.file_unknown", shown));
                }
            }
        }
        match matter.form.validate(&form_in, &exists) {
            Ok(clean) => clean,
            Err(e) => {
                // A file field tied to a material is that material: missing, it is said once,
                // beside the material (already reported above).
                let reported = |e: &FieldError| {
                    e.key == "field.required"
                        && tied_material(matter, &e.field).is_some_and(|m| {
                            errs.iter().any(|x| x.field == format!("materials.{m}"))
                        })
                };
                let e: Vec<FieldError> = e.into_iter().filter(|e| !reported(e)).collect();
                errs.extend(e);
                Map::new()
            }
        }
    } else {
        s.form.clone()
    };
    if !errs.is_empty() {
        return Err(Error::Validation(errs));
    }
    let now = db.now();
    // A supplement asked for during approval: the application stays in approval, and its
    // submission resumes the approval (deadlines move on by the working time it waited).
    let resumes = existing
        .filter(|r| r.status == "in_approval")
        .and_then(|r| r.instance_id);
    let status = match (resumes, s.submit) {
        (Some(_), _) => "in_approval",
        (None, true) => "submitted",
        (None, false) => "draft",
    };
    let mut tx = db.begin().await?;
    let app_id = match existing {
        Some(r) => {
            let n = query(
                "UPDATE applications SET form_json = $1, status = $2, unit_id = $3, updated_at = $4, \
                 submitted_at = CASE WHEN $2 = 'submitted' THEN $4 ELSE submitted_at END WHERE id = $5 AND status = $6",
            )
            .bind(crate::vault::seal_form(&Value::Object(form)))
            .bind(status)
            .bind(hall.id)
            .bind(&now)
            .bind(r.id)
            .bind(&r.status)
            .execute(&mut tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(Error::Conflict("err.application_locked"));
            }
            query("DELETE FROM application_materials WHERE application_id = $1")
                .bind(r.id)
                .execute(&mut tx)
                .await?;
            r.id
        }
        None => {
            let id: i64 = query_scalar(
                "INSERT INTO applications (number, matter_code, matter_version, applicant, applicant_name, applicant_id, \
                 unit_id, channel, status, form_json, created_at, submitted_at, updated_at, filed_by, rating_token, applicant_tag) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $13, $14, $15) RETURNING id",
            )
            .bind(format!("new-{}", crate::auth::random_token()))
            .bind(&matter.code)
            .bind(version)
            .bind(&filer.applicant)
            .bind(&filer.name)
            .bind(crate::vault::seal(&filer.id_number))
            .bind(hall.id)
            .bind(filer.channel)
            .bind(status)
            .bind(crate::vault::seal_form(&Value::Object(form)))
            .bind(&now)
            .bind(s.submit.then_some(now.clone()))
            .bind(&who.username)
            .bind(&filer.rating_token)
            .bind(crate::vault::tag(&filer.id_number))
            .fetch_one(&mut tx)
            .await?;
            let day = db
                .clock()
                .now_utc()
                .with_timezone(&clock::cst())
                .format("%Y%m%d");
            query("UPDATE applications SET number = $1 WHERE id = $2")
                .bind(format!("LH{day}{id:06}"))
                .bind(id)
                .execute(&mut tx)
                .await?;
            id
        }
    };
    for (material, files) in &s.materials {
        for f in files {
            query("INSERT INTO application_materials (application_id, material, file_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(app_id)
                .bind(material)
                .bind(*f)
                .execute(&mut tx)
                .await?;
        }
    }
    audit::record(
        &mut tx,
        &who.actor(),
        Change {
            action: if s.submit {
                "application.submit"
            } else {
                "application.draft"
            },
            entity: "application",
            entity_id: app_id.to_string(),
            scope_path: &hall.path,
            summary: format!("{} {}", matter.name, filer.name),
            before: None,
            after: Some(json!({"status": status, "version": version, "channel": filer.channel})),
        },
    )
    .await?;
    if let (Some(_), true) = (resumes, s.submit) {
        query("UPDATE applications SET note = NULL WHERE id = $1")
            .bind(app_id)
            .execute(&mut tx)
            .await?;
    }
    // Told once per submission: the first, and each one answering a supplement.
    if s.submit {
        let number: String = query_scalar("SELECT number FROM applications WHERE id = $1")
            .bind(app_id)
            .fetch_one(&mut tx)
            .await?;
        let (what, note) = if first_submission {
            ("已提交", "请等待窗口受理，受理后开始计算办理时限。")
        } else {
            ("补正材料已提交", "补正材料已收到，办理继续进行。")
        };
        super::accept::tell(&mut tx, &filer.applicant, &number, app_id, what, Some(note)).await?;
    }
    tx.commit().await?;
    if let (Some(instance), true) = (resumes, s.submit) {
        crate::approval::engine::resume(db, &Principal::system(), instance).await?;
    }
    shown(db, row(db, app_id).await?).await
}

/// One application, for its applicant, the clerks of its hall (and auditors), and whoever
/// acts or acted on its approval (they decide on its content).
pub async fn get(db: &Db, who: &Principal, id: i64) -> Result<Application> {
    let r = row(db, id).await?;
    let path = org::get(db, r.unit_id).await?.path;
    if r.applicant != who.username
        && !who.can(Perm::StartApprovals, &path)
        && !who.can(Perm::ViewAudit, &path)
    {
        let approver = match r.instance_id {
            Some(i) => crate::approval::engine::involved(db, who, i).await?,
            None => false,
        };
        if !approver {
            return Err(Error::NotFound);
        }
    }
    // A draft is the applicant's alone until they submit it.
    if r.applicant != who.username && r.status == "draft" {
        return Err(Error::NotFound);
    }
    let own = (r.applicant == who.username).then(|| r.form_json.clone());
    let mut a = shown(db, r).await?;
    if let Some(raw) = own {
        a.form = crate::vault::open_form(&raw);
    }
    Ok(a)
}

/// The applicant's own applications, newest first.
pub async fn mine(db: &Db, who: &Principal) -> Result<Vec<Application>> {
    let rows = query_as::<Row>(format!(
        "SELECT {COLS} FROM {FROM} WHERE a.applicant = $1 ORDER BY a.id DESC"
    ))
    .bind(&who.username)
    .fetch_all(db)
    .await?;
    let raw: Vec<String> = rows.iter().map(|r| r.form_json.clone()).collect();
    let mut apps = shown_all(db, rows).await?;
    for (a, f) in apps.iter_mut().zip(raw) {
        a.form = crate::vault::open_form(&f);
    }
    Ok(apps)
}

/// An application with its ID numbers whole (the applicant's and any in the form), for staff
/// who may see it and must read a number (a document checked against the form): each reveal
/// is audited as `application.reveal_ids`. Answers the application and the applicant's number.
pub async fn reveal(db: &Db, who: &Principal, id: i64) -> Result<(Application, String)> {
    let mut a = get(db, who, id).await?;
    let r = row(db, id).await?;
    a.form = crate::vault::open_form(&r.form_json);
    let full = crate::vault::open(&r.applicant_id);
    if r.applicant != who.username {
        let path = org::get(db, r.unit_id).await?.path;
        let mut tx = db.begin().await?;
        audit::record(
            &mut tx,
            &who.actor(),
            Change {
                action: "application.reveal_ids",
                entity: "application",
                entity_id: id.to_string(),
                scope_path: &path,
                summary: r.number.clone(),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
    }
    Ok((a, full))
}

/// The application approval `instance` belongs to, if `who` may see it.
pub async fn of_approval(db: &Db, who: &Principal, instance: i64) -> Result<Option<Application>> {
    let id: Option<i64> = query_scalar("SELECT id FROM applications WHERE instance_id = $1")
        .bind(instance)
        .fetch_optional(db)
        .await?;
    match id {
        None => Ok(None),
        Some(id) => match get(db, who, id).await {
            Ok(a) => Ok(Some(a)),
            Err(Error::NotFound) => Ok(None),
            Err(e) => Err(e),
        },
    }
}

/// What a clerk looks for in the acceptance queue.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// An application number, or part of the applicant's name, or a matter code.
    #[serde(default)]
    pub q: Option<String>,
    #[serde(default)]
    pub page: Option<i64>,
    #[serde(default)]
    pub per_page: Option<i64>,
}

/// Submitted applications waiting for acceptance at the halls the clerk works at, oldest first.
pub async fn queue(db: &Db, who: &Principal, f: &QueueQuery) -> Result<Page<Application>> {
    let scopes: Vec<String> = who
        .grants
        .iter()
        .filter(|g| g.role == Role::WindowClerk)
        .map(|g| g.unit_path.clone())
        .collect();
    if scopes.is_empty() && !who.system {
        return Err(Error::Forbidden);
    }
    let from = "FROM applications a LEFT JOIN approval_instances i ON i.id = a.instance_id \
        JOIN org_units o ON o.id = a.unit_id WHERE a.status = 'submitted'";
    let mut s = Sql::new(format!("SELECT {COLS} {from}"));
    let mut c = Sql::new(format!("SELECT COUNT(*) {from}"));
    for x in [&mut s, &mut c] {
        if !who.system {
            x.push(" AND ").any_subtree("o.path", &scopes);
        }
        let q = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        // An application number finds that one application by its unique key.
        if let Some(n) = q.map(str::to_ascii_uppercase).filter(|n| {
            n.len() == 16 && n.starts_with("LH") && n[2..].bytes().all(|b| b.is_ascii_digit())
        }) {
            x.push(" AND a.number = ").bind(n);
        } else if let Some(q) = q {
            x.push(" AND (a.number = ")
                .bind(q.to_ascii_uppercase())
                .push(" OR a.matter_code = ")
                .bind(q)
                .push(" OR ")
                .contains_any(&["a.applicant_name"], q)
                .push(")");
        }
    }
    s.push(" ORDER BY a.submitted_at, a.id");
    let (page, per_page) = s.paged(f.page, f.per_page);
    let total: i64 = c.scalar().fetch_one(db).await?;
    let rows = s.query_as::<Row>().fetch_all(db).await?;
    let items = shown_all(db, rows).await?;
    Ok(Page {
        items,
        total,
        page,
        per_page,
    })
}

/// One filed material's file, for those who may see the application.
pub async fn material_file(
    db: &Db,
    who: &Principal,
    id: i64,
    file: i64,
) -> Result<(files::FileMeta, Vec<u8>)> {
    let app = get(db, who, id).await?;
    if !app.materials.values().flatten().any(|f| *f == file) {
        return Err(Error::NotFound);
    }
    let meta = files::meta(db, file).await?;
    let bytes = files::content(db, &meta).await?;
    Ok((meta, bytes))
}

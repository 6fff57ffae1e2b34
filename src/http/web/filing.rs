//! The application form as a page and as a post, shared by the applicant's pages
//! ([`super::apply`]) and the counter ([`super::counter`]): the matter's current form by field kind
//! with one upload per material of the guide, filled in again after a refused save; a posted
//! multipart form read into a [`Save`] (uploads stored as the poster's files, kept and reused files
//! by id, each file field filled from its material).

use std::collections::BTreeMap;

use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};

use crate::applications::{Check, Save};
use crate::catalog::repo as catalog;
use crate::error::{Error, FieldError, Result};
use crate::files;
use crate::http::AppState;
use crate::http::context::{Ctx, Session};
use crate::http::pages::{ser, with_status};

/// What a multipart form posted: its text fields and its files (`m.<material>` parts).
#[derive(Default)]
pub struct Posted {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl Posted {
    pub async fn read(mut form: Multipart) -> Result<Posted> {
        let bad = |e| crate::http::transfer::upload_error("materials", e);
        let mut p = Posted::default();
        while let Some(field) = form.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_string();
            if let Some(file_name) = field.file_name().map(str::to_string) {
                let bytes = field.bytes().await.map_err(bad)?;
                // An empty file input still sends a part without a name or content.
                if !(file_name.is_empty() && bytes.is_empty()) {
                    p.files.push((name, file_name, bytes.to_vec()));
                }
                continue;
            }
            let text = field.text().await.map_err(bad)?;
            p.pairs.push((name, text));
        }
        Ok(p)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
    }

    /// Stores the files posted as `m.<material>` as `who`'s uploads: material → file ids, and a
    /// problem (too large, not an accepted type) per material, beside its field.
    pub async fn uploads(
        &self,
        s: &AppState,
        who: &crate::auth::Principal,
    ) -> Result<(BTreeMap<String, Vec<i64>>, Vec<FieldError>)> {
        let mut out: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut errs = Vec::new();
        let posted: Vec<_> = self
            .files
            .iter()
            .filter_map(|(n, f, b)| n.strip_prefix("m.").map(|mid| (mid, f, b)))
            .collect();
        // All or none: every file is checked before any is kept, so a refused form leaves
        // nothing behind.
        if posted.len() > crate::applications::repo::MAX_APPLICATION_FILES {
            errs.push(FieldError::with(
                "materials",
                "field.too_many_files",
                crate::applications::repo::MAX_APPLICATION_FILES.to_string(),
            ));
        }
        let mut checked = Vec::new();
        for (mid, file_name, bytes) in &posted {
            match files::check(file_name, bytes) {
                Ok(c) => checked.push((*mid, c)),
                Err(Error::Validation(fe)) => errs.extend(fe.into_iter().map(|e| FieldError {
                    field: format!("materials.{mid}"),
                    ..e
                })),
                Err(e) => return Err(e),
            }
        }
        if !errs.is_empty() {
            return Ok((out, errs));
        }
        // Checked once, kept together.
        let mut tx = s.db.begin().await?;
        for (mid, c) in &checked {
            let f = files::put(&mut tx, who, c).await?;
            out.entry(mid.to_string()).or_default().push(f.id);
        }
        tx.commit().await?;
        Ok((out, errs))
    }

    /// The clerk's material checks in a posted form: `check.<material>` is `ok` or `bad`,
    /// `note.<material>` says why.
    pub fn checks(&self) -> BTreeMap<String, Check> {
        checks_in(&self.pairs)
    }
}

/// Builds a filing from a posted form: uploads stored as `who`'s files first (problems by
/// material), then the rest as the domain reads a posted form ([`crate::applications::posted`]).
pub async fn to_save(
    s: &AppState,
    who: &crate::auth::Principal,
    code: &str,
    p: &Posted,
    submit: bool,
) -> Result<(Save, Vec<FieldError>)> {
    let (current, m) = catalog::public(&s.db, code).await?;
    let (uploaded, errs) = p.uploads(s, who).await?;
    let save = crate::applications::posted::filing(code, current, &m, &p.pairs, uploaded, submit);
    Ok((save, errs))
}

/// The material checks among posted pairs (see [`Posted::checks`]); unticked ones are left out.
pub fn checks_in(pairs: &[(String, String)]) -> BTreeMap<String, Check> {
    let note = |m: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == format!("note.{m}"))
            .map(|(_, v)| v.trim())
            .filter(|n| !n.is_empty())
            .map(String::from)
    };
    pairs
        .iter()
        .filter_map(|(k, v)| {
            let m = k.strip_prefix("check.").filter(|_| !v.is_empty())?;
            Some((
                m.to_string(),
                Check {
                    ok: v == "ok",
                    note: note(m),
                },
            ))
        })
        .collect()
}

/// What the form page shows besides the matter: who it is for (counter), what is filled in.
#[derive(Default)]
pub struct FormPage {
    pub action: String,
    pub values: serde_json::Value,
    pub unit_code: Option<String>,
    pub materials: BTreeMap<String, Vec<i64>>,
    /// Counter only: the applicant and the files they filed before, by material.
    pub counter: Option<Value>,
    pub errors: Vec<(String, String)>,
    pub note: Option<String>,
}

/// The application form of a matter, filled with `page`'s values.
pub async fn form_page(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    page: FormPage,
) -> Result<Response> {
    let (version, m) = catalog::public(&s.db, code).await?;
    let mut serving = catalog::halls(&s.db, code, &m).await?;
    // Where it was filed before stays a choice; with no hall set up for the matter, any hall.
    let units = crate::org::list(&s.db).await?;
    let hall_units = units
        .iter()
        .filter(|u| u.kind == crate::org::Kind::Hall && !u.is_retired());
    if serving.is_empty() {
        serving = hall_units.clone().cloned().collect();
    } else if let Some(c) = &page.unit_code
        && !serving.iter().any(|h| &h.code == c)
    {
        serving.extend(hall_units.filter(|u| &u.code == c).cloned());
    }
    let hall_groups = hall_groups(&units, &serving, ctx.lang);
    let errors = labelled(&m, &page.errors, ctx.lang);
    let mut kept: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (mid, ids) in &page.materials {
        for id in ids {
            if let Ok(f) = files::meta(&s.db, *id).await {
                kept.entry(mid.clone())
                    .or_default()
                    .push(context! { id, name => f.name, size => f.size });
            }
        }
    }
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "apply.html",
        ctx,
        Some(session),
        context! { m => ser(&m), version, hall_groups, one_hall => (serving.len() == 1).then(|| serving[0].code.clone()),
        action => page.action, values => ser(&page.values),
        unit_code => page.unit_code, kept, counter => page.counter, note => page.note,
        communities => super::hall::communities(s).await?, errors },
    );
    Ok(with_status(html, status))
}

/// The halls serving a matter as a person looks for one: the district's halls first, then each
/// street's hall followed by its communities' centres, grouped under the street's name.
fn hall_groups(
    units: &[crate::org::Unit],
    serving: &[crate::org::Unit],
    lang: crate::i18n::Lang,
) -> Vec<Value> {
    use crate::org::Kind;
    let by_id = |id: Option<i64>| id.and_then(|i| units.iter().find(|u| u.id == i));
    // (group order, group label, street hall before community centres, the hall)
    let mut rows: Vec<(String, String, u8, &crate::org::Unit)> = serving
        .iter()
        .map(|h| {
            let parent = by_id(h.parent_id);
            match parent.map(|p| p.kind) {
                Some(Kind::Street) => {
                    let p = parent.expect("a parent");
                    (p.code.clone(), p.name.clone(), 0, h)
                }
                Some(Kind::Community) => {
                    let street = parent.and_then(|c| by_id(c.parent_id));
                    match street {
                        Some(st) => (st.code.clone(), st.name.clone(), 1, h),
                        None => (String::new(), String::new(), 1, h),
                    }
                }
                _ => (
                    String::new(),
                    crate::i18n::tr(lang, "apply.district_halls").to_string(),
                    0,
                    h,
                ),
            }
        })
        .collect();
    rows.sort_by(|a, b| (&a.0, a.2, &a.3.code).cmp(&(&b.0, b.2, &b.3.code)));
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    for (_, label, _, h) in rows {
        let hall = context! { code => h.code.clone(), name => h.name.clone() };
        match groups.last_mut() {
            Some((l, v)) if *l == label => v.push(hall),
            _ => groups.push((label, vec![hall])),
        }
    }
    groups
        .into_iter()
        .map(|(label, halls)| context! { label, halls })
        .collect()
}

/// The form's problems with what each is about, for the summary at the top: the field's label
/// and the id of its input (a form field's `ff-<key>`, a material's box, the hall list).
fn labelled(
    m: &crate::catalog::Matter,
    errors: &[(String, String)],
    lang: crate::i18n::Lang,
) -> Value {
    errors
        .iter()
        .map(|(field, message)| {
            let top = field.split(['.', '[']).next().unwrap_or(field);
            let (label, anchor) = if field == "unit_code" {
                (
                    Some(crate::i18n::tr(lang, "apply.hall").to_string()),
                    "f-unit_code".to_string(),
                )
            } else if let Some(id) = field.strip_prefix("materials.") {
                // The message names the material already; the link lands on its file input.
                (None, format!("f-materials.{id}"))
            } else if let Some(f) = m.form.fields.iter().find(|f| f.key == top) {
                (Some(f.label.clone()), format!("ff-{}", f.key))
            } else {
                (None, format!("f-{field}"))
            };
            context! { field, message, label, anchor }
        })
        .collect::<Vec<_>>()
        .into()
}

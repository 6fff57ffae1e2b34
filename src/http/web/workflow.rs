//! The workflow designer (事项审批流程定制) for matter editors: the draft as a diagram and a table of
//! steps; add a step (one or two parties, or named people; countersign; actions; time limit),
//! reorder or remove steps; publish. Every save goes through the same checks as the API.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing;
use minijinja::context;

use super::{errors_value, form_errors};
use crate::approval::definition::{Action, ActorSpec, StepDef, UnitSel, WorkflowDef};
use crate::approval::{diagram, workflow_repo};
use crate::auth::{Perm, Role};
use crate::error::{Error, Result};
use crate::http::AppState;
use crate::http::context::{Ctx, Session, form_urlencoded_pairs};
use crate::org;

fn actor_text(a: &ActorSpec, lang: crate::i18n::Lang) -> String {
    use crate::i18n::tr;
    match a {
        ActorSpec::Role { role, at } => {
            let unit = match at {
                UnitSel::ApplicationHall => tr(lang, "wf.at.application_hall").to_string(),
                UnitSel::ApplicationStreet => tr(lang, "wf.at.application_street").to_string(),
                UnitSel::ApplicationCommunity => {
                    tr(lang, "wf.at.application_community").to_string()
                }
                UnitSel::OwningDepartment => tr(lang, "wf.at.owning_department").to_string(),
                UnitSel::Unit { code } => code.clone(),
            };
            format!("{unit}·{}", tr(lang, &format!("role.{}", role.as_str())))
        }
        ActorSpec::Users { usernames } => usernames.join("、"),
    }
}

async fn render(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    errors: Vec<(String, String)>,
) -> Result<Response> {
    let p = &session.principal;
    let (version, def) = workflow_repo::draft(&s.db, p, code).await?;
    let is_draft = workflow_repo::versions(&s.db, code)
        .await?
        .iter()
        .any(|v| v.status == "draft");
    let m = crate::catalog::repo::current_or_draft(&s.db, code).await?;
    let units = org::list(&s.db).await?;
    let path = units
        .iter()
        .find(|u| u.code == m.department)
        .map_or("/".to_string(), |u| u.path.clone());
    let depts: Vec<_> = units
        .iter()
        .filter(|u| u.kind == org::Kind::Department && !u.is_retired())
        .map(|u| context! { code => u.code.clone(), name => u.name.clone() })
        .collect();
    let steps: Vec<_> = def
        .steps
        .iter()
        .map(|st| {
            let actions: Vec<String> = st
                .actions
                .iter()
                .filter_map(|a| serde_json::to_value(a).ok()?.as_str().map(String::from))
                .collect();
            context! { name => st.name.clone(), key => st.key.clone(), countersign => st.countersign,
                       separated => def.separate.contains(&st.key),
                       limit_days => st.limit_days.get(), actions,
                       actors => st.actors.iter().map(|a| actor_text(a, ctx.lang)).collect::<Vec<_>>() }
        })
        .collect();
    // An internal matter (a department's payment workflow) has no catalog page: back to the
    // performance projects instead.
    let back = match crate::catalog::lookup::status_of(&s.db, code)
        .await?
        .as_deref()
    {
        Some(crate::catalog::repo::INTERNAL) => "/performance".to_string(),
        _ => format!("/catalog/{code}"),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let html = s.pages.render(
        "workflow_designer.html",
        ctx,
        Some(session),
        context! {
            code, back, name => m.name, version, is_draft, steps, depts, svg => diagram::svg(&def, ctx.lang, &crate::org::list(&s.db).await?),
            roles => Role::ALL.iter().filter(|r| !matches!(r, Role::Citizen)).map(|r| r.as_str()).collect::<Vec<_>>(),
            can_publish => is_draft && p.can(Perm::ReviewMatters, &path), errors => errors_value(&errors),
        },
    );
    Ok(crate::http::pages::with_status(html, status))
}

pub async fn page(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response> {
    render(&s, &ctx, &session, &code, vec![]).await
}

async fn save(
    s: &AppState,
    ctx: &Ctx,
    session: &Session,
    code: &str,
    def: WorkflowDef,
) -> Result<Response> {
    match workflow_repo::save_draft(&s.db, &session.principal, code, &def).await {
        Ok(_) => Ok(Redirect::to(&format!("/catalog/{code}/workflow")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(s, ctx, session, code, errs).await
        }
    }
}

fn party(role: &str, at: &str) -> Option<ActorSpec> {
    let role = Role::parse(role)?;
    let at = match at {
        "application_hall" => UnitSel::ApplicationHall,
        "application_street" => UnitSel::ApplicationStreet,
        "application_community" => UnitSel::ApplicationCommunity,
        "owning_department" => UnitSel::OwningDepartment,
        other => UnitSel::Unit {
            code: other.strip_prefix("unit:")?.to_string(),
        },
    };
    Some(ActorSpec::Role { role, at })
}

pub async fn add_step(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let pairs = form_urlencoded_pairs(&body);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (_, mut def) = workflow_repo::draft(&s.db, &session.principal, &code).await?;
    let mut actors: Vec<ActorSpec> = [1, 2]
        .iter()
        .filter_map(|n| party(&get(&format!("role{n}")), &get(&format!("at{n}"))))
        .collect();
    let users: Vec<String> = get("users")
        .split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(String::from)
        .collect();
    if !users.is_empty() {
        actors.push(ActorSpec::Users { usernames: users });
    }
    let actions: Vec<Action> = pairs
        .iter()
        .filter(|(k, _)| k == "actions")
        .filter_map(|(_, v)| serde_json::from_value(serde_json::Value::String(v.clone())).ok())
        .collect();
    def.steps.push(StepDef {
        key: get("key"),
        name: get("name"),
        actors,
        countersign: !get("countersign").is_empty(),
        limit_days: crate::days::WorkingDays::from_field("limit_days", &get("limit_days"))
            .map_err(|e| Error::Validation(vec![e]))?,
        actions,
    });
    save(&s, &ctx, &session, &code, def).await
}

pub async fn step_action(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path((code, i, action)): Path<(String, usize, String)>,
) -> Result<Response> {
    let (_, mut def) = workflow_repo::draft(&s.db, &session.principal, &code).await?;
    if i >= def.steps.len() {
        return Err(Error::NotFound);
    }
    match action.as_str() {
        "up" if i > 0 => def.steps.swap(i, i - 1),
        "down" if i + 1 < def.steps.len() => def.steps.swap(i, i + 1),
        "delete" => {
            let gone = def.steps.remove(i);
            def.separate.retain(|k| *k != gone.key);
        }
        // A step joins or leaves the separated ones (four eyes).
        "separate" => {
            let key = def.steps[i].key.clone();
            if def.separate.contains(&key) {
                def.separate.retain(|k| *k != key);
            } else {
                def.separate.push(key);
            }
        }
        "up" | "down" => {}
        _ => return Err(Error::NotFound),
    }
    save(&s, &ctx, &session, &code, def).await
}

pub async fn publish(
    State(s): State<AppState>,
    ctx: Ctx,
    session: Session,
    Path(code): Path<String>,
) -> Result<Response> {
    match workflow_repo::publish(&s.db, &session.principal, &code).await {
        Ok(_) => Ok(Redirect::to(&format!("/catalog/{code}")).into_response()),
        Err(e) => {
            let errs = form_errors(e, ctx.lang)?;
            render(&s, &ctx, &session, &code, errs).await
        }
    }
}

/// This area's pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/catalog/{code}/workflow", routing::get(page))
        .route("/catalog/{code}/workflow/steps", routing::post(add_step))
        .route(
            "/catalog/{code}/workflow/steps/{i}/{action}",
            routing::post(step_action),
        )
        .route("/catalog/{code}/workflow/publish", routing::post(publish))
}

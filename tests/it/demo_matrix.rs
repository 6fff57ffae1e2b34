//! The whole demo matrix: for every hall of the demo district and every matter it serves, an
//! application the demo citizen files there is accepted by a clerk of that hall and approved to
//! its end by people who hold the steps' roles — nobody stuck, at any hall of any level, with
//! separation of duties kept (nobody acts twice on one application).

use serde_json::{Map, Value, json};
use zhengwu::applications::{self, Decision, Save};
use zhengwu::approval::engine::Candidate;
use zhengwu::auth::principal_of;
use zhengwu::catalog::form::{Field, FieldKind};
use zhengwu::demo::walk::{actor, walk};
use zhengwu::storage::query_scalar;

use crate::support::TestApp;
use crate::support::filing::PDF;

/// A value of `f` the form takes.
fn value(f: &Field, id: &str, file: i64) -> Value {
    match f.kind {
        FieldKind::Text | FieldKind::LongText => json!("龙华测试"),
        FieldKind::Number => json!(f.min.unwrap_or(1.0).max(1.0)),
        FieldKind::Money => json!("10.00"),
        FieldKind::Date => json!("2026-12-01"),
        FieldKind::DateRange => json!({"from": "2026-12-01", "to": "2026-12-31"}),
        FieldKind::Select => json!(f.options.first().cloned().unwrap_or_default()),
        FieldKind::MultiSelect => json!([f.options.first().cloned().unwrap_or_default()]),
        FieldKind::YesNo => json!(false),
        FieldKind::Phone => json!("13800138000"),
        FieldKind::Email => json!("citizen@longhua.example.cn"),
        FieldKind::ResidentId => json!(id),
        FieldKind::CreditCode => json!("91440300MA5F000007"),
        FieldKind::Address => json!({"unit": "440309002001", "detail": "留仙大道 1 号"}),
        FieldKind::File => json!(file.to_string()),
        FieldKind::Table => json!([]),
    }
}

#[tokio::test]
async fn every_hall_accepts_and_approves_every_matter_it_serves() {
    let app = TestApp::empty().await;
    zhengwu::demo::ensure(&app.db, Some(crate::support::PASSWORD))
        .await
        .unwrap();
    let db = &app.db;
    let citizen = principal_of(db, "citizen").await.unwrap();
    let id = zhengwu::accounts::lookup::verified_id(db, "citizen")
        .await
        .unwrap()
        .unwrap();
    let file = zhengwu::files::store(db, &citizen, "材料.pdf", PDF)
        .await
        .unwrap()
        .id;
    let mut stuck = Vec::new();
    let mut approved = 0;
    for (version, m) in zhengwu::catalog::repo::all_public(db).await.unwrap() {
        let halls = zhengwu::catalog::repo::halls(db, &m.code, &m)
            .await
            .unwrap();
        assert!(!halls.is_empty(), "{} is served nowhere", m.name);
        for hall in halls {
            let form: Map<String, Value> = m
                .form
                .fields
                .iter()
                .filter(|f| f.show_if.is_none())
                .map(|f| (f.key.clone(), value(f, &id, file)))
                .collect();
            let save = Save {
                matter_code: m.code.clone(),
                version: Some(version),
                unit_code: Some(hall.code.clone()),
                form,
                materials: m
                    .guide
                    .materials
                    .iter()
                    .map(|x| (x.id.clone(), vec![file]))
                    .collect(),
                submit: true,
            };
            let where_ = format!("{} @ {}", m.name, hall.name);
            let a = match applications::save(db, &citizen, None, &save).await {
                Ok(a) => a,
                Err(e) => {
                    stuck.push(format!("{where_}: not filed: {e:?}"));
                    continue;
                }
            };
            // A clerk of that hall accepts it.
            let clerk = actor(
                db,
                &[Candidate::Role {
                    role: zhengwu::auth::Role::WindowClerk,
                    unit_path: hall.path.clone(),
                    unit_name: hall.name.clone(),
                    hall_path: Some(hall.path.clone()),
                }],
                &[],
            )
            .await
            .unwrap();
            let clerk = match clerk {
                Some(c) => c,
                None => {
                    // A clerk of the street (or district) the hall belongs to.
                    let up: Option<String> = query_scalar(
                        "SELECT u.username FROM users u JOIN role_grants g ON g.user_id = u.id \
                         JOIN org_units o ON o.id = g.org_unit_id WHERE u.active = 1 AND \
                         g.role = 'window_clerk' AND substr(CAST($1 AS TEXT), 1, length(o.path)) = o.path \
                         ORDER BY length(o.path) DESC LIMIT 1",
                    )
                    .bind(&hall.path)
                    .fetch_optional(db)
                    .await
                    .unwrap();
                    match up {
                        Some(c) => c,
                        None => {
                            stuck.push(format!("{where_}: no clerk"));
                            continue;
                        }
                    }
                }
            };
            let p = principal_of(db, &clerk).await.unwrap();
            let a = match applications::decide(db, &p, a.id, &Decision::Accept).await {
                Ok(a) => a,
                Err(e) => {
                    stuck.push(format!("{where_}: not accepted by {clerk}: {e:?}"));
                    continue;
                }
            };
            let inst = a.instance_id.expect("accepted: in approval");
            if let Err(e) = walk(db, inst, None).await {
                stuck.push(format!("{where_}: {e}"));
                continue;
            }
            let status: String =
                query_scalar("SELECT status FROM approval_instances WHERE id = $1")
                    .bind(inst)
                    .fetch_one(db)
                    .await
                    .unwrap();
            if status == "approved" {
                approved += 1;
            } else if !stuck.iter().any(|s| s.starts_with(&where_)) {
                stuck.push(format!("{where_}: ended {status}"));
            }
        }
    }
    assert!(
        stuck.is_empty(),
        "{} of {} stuck:\n{}",
        stuck.len(),
        stuck.len() + approved,
        stuck.join("\n")
    );
    eprintln!("demo matrix: {approved} applications approved");
    assert!(approved > 500, "the whole matrix: {approved}");
}

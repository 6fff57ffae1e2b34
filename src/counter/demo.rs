//! The demo hall's counter: three windows at 民治街道行政服务大厅 (a comprehensive one, a health
//! window, a closed market window) with the demo clerk, this morning's queue tickets (two of them
//! already called), and the demo citizen's online applications for the water-supply licence: two
//! waiting in the clerk's acceptance queue, one accepted and in approval, one draft, and three
//! decided or waiting on the applicant — approved with its e-licence (not yet rated), refused
//! with its reason, and paused for a supplement the department asked for.

use super::{WindowSave, queue, windows};
use crate::auth::Principal;
use crate::storage::{Db, query_as, query_scalar};

const HALL: &str = "440309002-H";

/// Seeds the counter once (when the hall has no windows yet).
pub async fn seed(db: &Db) -> anyhow::Result<()> {
    let Some(hall) = crate::org::by_code(db, HALL).await? else {
        return Ok(());
    };
    let have: i64 = query_scalar("SELECT COUNT(*) FROM hall_windows WHERE unit_id = $1")
        .bind(hall.id)
        .fetch_one(db)
        .await?;
    if have > 0 {
        return Ok(());
    }
    let by_dept = |dept: &'static str| async move {
        let codes: Vec<(String,)> = query_as(
            "SELECT code FROM matters WHERE status = 'published' AND department_code = $1 ORDER BY code",
        )
        .bind(dept)
        .fetch_all(db)
        .await?;
        anyhow::Ok(codes.into_iter().map(|c| c.0).collect::<Vec<_>>())
    };
    let system = Principal::system();
    let health = by_dept("440309-D02").await?;
    let market = by_dept("440309-D07").await?;
    let plan = [
        ("1", "综合受理窗口", true, Vec::new(), true),
        ("2", "卫生健康专窗", health.is_empty(), health.clone(), true),
        (
            "3",
            "市场监管专窗",
            market.is_empty(),
            market.clone(),
            false,
        ),
    ];
    let mut first = None;
    for (number, name, comprehensive, matters, active) in plan {
        let w = windows::save(
            db,
            &system,
            None,
            &WindowSave {
                unit_code: HALL.into(),
                number: number.into(),
                name: name.into(),
                comprehensive,
                matters,
                clerks: vec!["clerk".into()],
                active,
            },
        )
        .await?;
        first.get_or_insert(w.id);
    }
    // This morning's queue: six tickets, two called.
    let water = health.first().cloned();
    for i in 0..6 {
        let m = if i % 2 == 0 { water.as_deref() } else { None };
        queue::take(db, HALL, m).await?;
    }
    if let Some(w) = first {
        queue::call_next(db, &system, w).await?;
        queue::call_next(db, &system, w).await?;
    }
    applications(db).await
}

/// The demo citizen's applications (when the water-supply matter and both accounts are there).
async fn applications(db: &Db) -> anyhow::Result<()> {
    use crate::applications::{self as apps, Decision, Save};
    use crate::approval::definition::Action;
    use crate::approval::engine::Act;
    use crate::demo::walk::walk;
    let Ok(citizen) = crate::auth::principal_of(db, "citizen").await else {
        return Ok(());
    };
    let Ok(clerk) = crate::auth::principal_of(db, "clerk").await else {
        return Ok(());
    };
    let code: Option<String> = query_scalar(
        "SELECT code FROM matters WHERE name = '饮用水供水单位卫生许可' AND status = 'published'",
    )
    .fetch_optional(db)
    .await?;
    let Some(code) = code else {
        return Ok(());
    };
    let companies = [
        (
            "深圳市龙华区清泉水务有限公司",
            "91440300MA5F000007",
            "陈清泉",
        ),
        ("深圳市民治二次供水管理站", "91440300MA5F00001A", "林晓东"),
        (
            "深圳市龙华区北站花园物业管理有限公司",
            "91440300MA5F000007",
            "黄建华",
        ),
        ("深圳市龙华区润泉纯净水厂", "91440300MA5F00001A", "周润"),
        (
            "深圳市龙华区观澜清源供水有限公司",
            "91440300MA5F000007",
            "吴清源",
        ),
        ("深圳市龙华区大浪山泉水厂", "91440300MA5F00001A", "郑山"),
        (
            "深圳市龙华区民康物业服务有限公司",
            "91440300MA5F000007",
            "许民康",
        ),
    ];
    for (i, (company, credit, rep)) in companies.iter().enumerate() {
        let (form, materials) = filled(db, &citizen, company, credit, rep).await?;
        let save = Save {
            matter_code: code.clone(),
            version: None,
            unit_code: Some(HALL.into()),
            form,
            materials,
            submit: i != 3,
        };
        let a = apps::save(db, &citizen, None, &save).await?;
        if i == 0 || i > 3 {
            let a = apps::decide(db, &clerk, a.id, &Decision::Accept).await?;
            let inst = a.instance_id.unwrap_or_default();
            let end = |step: &'static str, action, opinion: &str| {
                Some((
                    step,
                    Act {
                        action,
                        opinion: opinion.into(),
                        to: None,
                        procedure: None,
                        attachments: vec![],
                    },
                ))
            };
            match i {
                4 => walk(db, inst, None).await?,
                5 => {
                    let why =
                        "经现场核查，供水设施与卫生防护距离不符合《生活饮用水卫生标准》要求。";
                    walk(db, inst, end("决定", Action::Reject, why)).await?
                }
                6 => {
                    let what = "请补充近三个月的水质检测报告（须由具备资质的检测机构出具）。";
                    walk(db, inst, end("审查", Action::Supplement, what)).await?
                }
                _ => {}
            }
        }
    }
    // A walk-in company filed at the counter and approved: its receipt's QR code asks for a
    // rating, which nobody has given yet.
    let walk_in = ("深圳市龙华区福城净水站", "91440300MA5F00001A", "钱福");
    let (form, materials) = filled(db, &clerk, walk_in.0, walk_in.1, walk_in.2).await?;
    let filing = apps::CounterFiling {
        id_number: walk_in.1.into(),
        name: walk_in.0.into(),
        save: Save {
            matter_code: code.clone(),
            version: None,
            unit_code: Some(HALL.into()),
            form,
            materials,
            submit: true,
        },
        checks: Default::default(),
    };
    let a = apps::counter::file(db, &clerk, &filing).await?;
    let a = apps::decide(db, &clerk, a.id, &Decision::Accept).await?;
    walk(db, a.instance_id.unwrap_or_default(), None).await?;
    Ok(())
}

/// The water-supply form of `company` with its three materials, stored as `owner`'s files.
async fn filled(
    db: &Db,
    owner: &Principal,
    company: &str,
    credit: &str,
    rep: &str,
) -> anyhow::Result<(
    serde_json::Map<String, serde_json::Value>,
    std::collections::BTreeMap<String, Vec<i64>>,
)> {
    let mut materials = std::collections::BTreeMap::new();
    for (m, name) in [
        ("m_licence", "营业执照.pdf"),
        ("m_form", "申请表.pdf"),
        ("m_special", "水质检测报告.pdf"),
    ] {
        let body = format!("%PDF-1.4\n% {company} {name}\n%%EOF\n");
        let f = crate::files::store(db, owner, name, body.as_bytes()).await?;
        materials.insert(m.to_string(), vec![f.id]);
    }
    let mut form = serde_json::Map::new();
    for (k, v) in [
        ("company_name", company),
        ("credit_code", credit),
        ("legal_rep", rep),
        ("contact_phone", "13800138000"),
    ] {
        form.insert(k.into(), v.into());
    }
    form.insert(
        "upload_special".into(),
        materials["m_special"][0].to_string().into(),
    );
    Ok((form, materials))
}

//! The demo district: a Longhua-like tree (the six real streets, their communities, a dozen
//! district departments, a service hall at every level) and 881 accounts spread over units and
//! roles as in the 2018 report, with one sign-in per role; its catalog is data ([`catalog`])
//! loaded through the real catalog import. Built once; reopened as it is.

pub mod catalog;
pub mod walk;

use crate::accounts::{CheckedUser, insert};
use crate::audit::Actor;
use crate::auth::{Principal, Role, hash_password};
use crate::catalog::exchange;
use crate::clock;
use crate::org::{self, NewUnit, Unit};
use crate::storage::Db;

pub const DEFAULT_PASSWORD: &str = "zhengwu2026";
pub const TOTAL_ACCOUNTS: usize = 881;

/// Streets with their communities.
pub const STREETS: [(&str, &[&str]); 6] = [
    (
        "观湖街道",
        &[
            "鹭湖社区",
            "樟坑径社区",
            "松元厦社区",
            "观城社区",
            "大和社区",
            "新田社区",
            "君子布社区",
            "润城社区",
        ],
    ),
    (
        "民治街道",
        &[
            "民治社区",
            "大岭社区",
            "民强社区",
            "民泰社区",
            "龙塘社区",
            "上芬社区",
            "白石龙社区",
            "新牛社区",
            "民乐社区",
            "北站社区",
            "民康社区",
        ],
    ),
    (
        "龙华街道",
        &[
            "龙华社区",
            "清湖社区",
            "油松社区",
            "三联社区",
            "富康社区",
            "景龙社区",
            "松和社区",
            "龙园社区",
            "华联社区",
        ],
    ),
    (
        "大浪街道",
        &[
            "大浪社区",
            "浪口社区",
            "龙胜社区",
            "陶元社区",
            "横朗社区",
            "高峰社区",
            "同胜社区",
            "新石社区",
        ],
    ),
    (
        "福城街道",
        &[
            "福民社区",
            "章阁社区",
            "茜坑社区",
            "新和社区",
            "桔塘社区",
            "大水坑社区",
        ],
    ),
    (
        "观澜街道",
        &[
            "观澜社区",
            "桂花社区",
            "库坑社区",
            "新澜社区",
            "大富社区",
            "牛湖社区",
            "黎光社区",
        ],
    ),
];

/// The sign-ins printed at start: (username, name, role, unit name).
pub const LOGINS: [(&str, &str, Role, &str); 10] = [
    ("admin", "王政", Role::BureauAdmin, "龙华区"),
    ("minzhi.admin", "陈民", Role::DepartmentAdmin, "民治街道"),
    ("auditor", "赵审", Role::Auditor, "龙华区"),
    ("clerk", "李窗", Role::WindowClerk, "民治街道行政服务大厅"),
    ("approver", "周批", Role::Approver, "区卫生健康局"),
    ("matter.admin", "孙项", Role::MatterAdmin, "龙华区"),
    ("om.engineer", "吴维", Role::OmEngineer, "龙华区"),
    ("om.manager", "郑经", Role::OmManager, "龙华区"),
    ("citizen", "刘群", Role::Citizen, "龙华区"),
    ("finance", "钱会", Role::Finance, "区政务服务局"),
];

const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭',
    '何', '林', '罗', '郑', '梁', '谢', '宋', '唐', '邓', '冯', '曾', '彭', '蔡', '潘',
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "华", "慧", "建国", "晓东", "嘉怡", "子轩", "思远", "雨桐", "志强", "海燕",
    "文博", "佳琪",
];

fn person(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i / SURNAMES.len() + i * 7) % GIVEN.len()]
    )
}

/// Makes sure the demo district exists; sets the demo sign-ins' password when given. Answers the
/// text to print: the sign-ins.
pub async fn ensure(db: &Db, password: Option<&str>) -> anyhow::Result<String> {
    let fresh = org::list(db).await?.is_empty();
    if fresh {
        build(db, password.unwrap_or(DEFAULT_PASSWORD)).await?;
    } else if let Some(pw) = password {
        let hash = hash_password(pw)?;
        for (u, ..) in LOGINS {
            crate::storage::query(
                "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL \
                 WHERE username = $2",
            )
            .bind(&hash)
            .bind(u)
            .execute(&db)
            .await?;
        }
    }
    let matters: i64 = crate::storage::query_scalar("SELECT COUNT(*) FROM matters")
        .fetch_one(&db)
        .await?;
    if matters == 0 {
        seed_catalog(db).await?;
        seed_applications(db).await?;
    }
    crate::ops::demo::seed_year(db).await?;
    crate::ops::demo::seed_2018(db).await?;
    crate::counter::demo::seed(db).await?;
    if matters == 0 {
        seed_licences(db).await?;
    }
    crate::performance::demo::seed(db).await?;
    let shown = if fresh || password.is_some() {
        password.unwrap_or(DEFAULT_PASSWORD).to_string()
    } else {
        "(unchanged / 未更改)".to_string()
    };
    let mut out = String::from("Demo sign-ins / 演示账号 (password / 密码: ");
    out.push_str(&shown);
    out.push_str(")\n");
    for (u, name, role, unit) in LOGINS {
        out.push_str(&format!(
            "  {u:<14} {name}  {} @ {unit}\n",
            crate::i18n::tr(crate::i18n::Lang::Zh, &format!("role.{}", role.as_str()))
        ));
    }
    Ok(out)
}

async fn unit(
    db: &Db,
    code: String,
    name: &str,
    kind: &str,
    parent: Option<&Unit>,
) -> anyhow::Result<Unit> {
    let new = NewUnit {
        code,
        name: name.into(),
        kind: kind.into(),
        parent_id: parent.map(|p| p.id),
    };
    Ok(org::create(db, &Principal::system(), new).await?)
}

/// Publishes the demo catalog (55 matters) through the catalog import.
pub async fn seed_catalog(db: &Db) -> anyhow::Result<()> {
    let mut file = catalog::file();
    file.exported_at = db.now();
    let r = exchange::import(db, &Principal::system(), file, false).await?;
    if !r.errors.is_empty() {
        anyhow::bail!("demo catalog rejected: {:?}", r.errors);
    }
    // Every demo matter runs on the standard flow, fitted to its promised limit.
    let system = Principal::system();
    for m in catalog::all() {
        let def = crate::approval::definition::WorkflowDef::standard(m.guide.promised_limit_days);
        crate::approval::workflow_repo::save_draft(db, &system, &m.code, &def).await?;
        crate::approval::workflow_repo::publish(db, &system, &m.code).await?;
    }
    Ok(())
}

/// A dozen applications in 民治街道's communities at different steps, so the demo's inboxes
/// (clerk at the street hall, approver at the health department) have work in them.
pub async fn seed_applications(db: &Db) -> anyhow::Result<()> {
    use crate::approval::definition::Action;
    use crate::approval::engine::{self, Act, Start};
    let system = Principal::system();
    let health: Vec<_> = catalog::all()
        .into_iter()
        .filter(|m| m.department == "440309-D02")
        .collect();
    let communities = [
        "440309002001",
        "440309002002",
        "440309002003",
        "440309002010",
    ];
    for i in 0..12usize {
        let m = &health[i % health.len()];
        let start = Start {
            matter_code: m.code.clone(),
            unit_code: communities[i % communities.len()].into(),
            reference: format!("LH{}{:05}", &clock::display(&db.now())[..4], 101 + i),
        };
        let mut progress = engine::start(db, &system, &start).await?;
        // Move some along: accepted (now with the department), or accepted and reviewed.
        for _ in 0..(i % 3) {
            if let Some(t) = progress.open_tasks.first() {
                let act = Act {
                    attachments: Vec::new(),
                    action: Action::Pass,
                    opinion: "同意".into(),
                    to: None,
                    procedure: None,
                };
                progress = engine::act(db, &system, t.id, &act).await?;
            }
        }
    }
    Ok(())
}

/// A few e-licences of the health department, so the public check has something to show.
pub async fn seed_licences(db: &Db) -> anyhow::Result<()> {
    let system = Principal::system();
    let health: Vec<_> = catalog::all()
        .into_iter()
        .filter(|m| m.department == "440309-D02")
        .collect();
    let water = health
        .iter()
        .find(|m| m.name.contains("供水"))
        .or(health.first());
    let Some(m) = water else {
        return Ok(());
    };
    for (holder, id, scope) in [
        (
            "深圳市龙华区清泉水务有限公司",
            "91440300MA5F000007",
            "集中式供水",
        ),
        ("深圳市民治二次供水管理站", "91440300MA5F00001A", "二次供水"),
    ] {
        let i = crate::licence::Issue {
            instance_id: None,
            matter_code: m.code.clone(),
            holder_name: holder.into(),
            holder_id: id.into(),
            content: serde_json::json!({"许可范围": scope, "地址": "深圳市龙华区民治街道"}),
            valid_years: Some(4),
        };
        crate::licence::issue(db, &system, &i).await?;
    }
    Ok(())
}

/// Builds the tree and the accounts.
pub async fn build(db: &Db, password: &str) -> anyhow::Result<()> {
    let district = unit(db, "440309".into(), "龙华区", "district", None).await?;
    let mut units = vec![district.clone()];
    units.push(
        unit(
            db,
            "440309-H".into(),
            "龙华区行政服务大厅",
            "hall",
            Some(&district),
        )
        .await?,
    );
    let mut depts = Vec::new();
    for (i, d) in catalog::departments().into_iter().enumerate() {
        let u = unit(
            db,
            format!("440309-D{:02}", i + 1),
            d,
            "department",
            Some(&district),
        )
        .await?;
        depts.push(u.clone());
        units.push(u);
    }
    let mut streets = Vec::new();
    let mut communities = Vec::new();
    for (si, (street, comms)) in STREETS.iter().enumerate() {
        let scode = format!("440309{:03}", si + 1);
        let s = unit(db, scode.clone(), street, "street", Some(&district)).await?;
        let hall_name = format!("{street}行政服务大厅");
        units.push(unit(db, format!("{scode}-H"), &hall_name, "hall", Some(&s)).await?);
        for (ci, c) in comms.iter().enumerate() {
            let ccode = format!("{scode}{:03}", ci + 1);
            let cu = unit(db, ccode.clone(), c, "community", Some(&s)).await?;
            let h = format!("{}党群服务中心", c.trim_end_matches("社区"));
            units.push(unit(db, format!("{ccode}-H"), &h, "hall", Some(&cu)).await?);
            communities.push(cu.clone());
            units.push(cu);
        }
        streets.push(s.clone());
        units.push(s);
    }
    let find = |name: &str| units.iter().find(|u| u.name == name).cloned();
    let halls: Vec<Unit> = units
        .iter()
        .filter(|u| u.kind == org::Kind::Hall)
        .cloned()
        .collect();

    // (username, name, unit, roles)
    let mut plan: Vec<(String, String, Unit, Vec<Role>)> = Vec::new();
    for (u, name, role, at) in LOGINS {
        let at = find(at).ok_or_else(|| anyhow::anyhow!("demo unit {at}"))?;
        plan.push((u.into(), name.into(), at, vec![role]));
    }
    let mut n = 0usize;
    let mut add = |plan: &mut Vec<_>, at: &Unit, roles: Vec<Role>| {
        n += 1;
        plan.push((format!("lh{n:04}"), person(n), at.clone(), roles));
    };
    for _ in 0..2 {
        add(&mut plan, &district, vec![Role::BureauAdmin]);
    }
    for _ in 0..9 {
        add(&mut plan, &district, vec![Role::OmEngineer]);
    }
    add(
        &mut plan,
        &district,
        vec![Role::OmEngineer, Role::OmManager],
    );
    // A finance officer for the bureau as a whole.
    add(&mut plan, &district, vec![Role::Finance]);
    for s in &streets {
        add(&mut plan, s, vec![Role::DepartmentAdmin]);
        add(&mut plan, s, vec![Role::Auditor]);
        for _ in 0..8 {
            add(&mut plan, s, vec![Role::Approver]);
        }
    }
    for d in &depts {
        add(&mut plan, d, vec![Role::DepartmentAdmin]);
        add(&mut plan, d, vec![Role::MatterAdmin]);
        for _ in 0..16 {
            add(&mut plan, d, vec![Role::Approver]);
        }
    }
    for h in &halls {
        let clerks = match h.depth {
            1 => 30,
            2 => 14,
            _ => 4,
        };
        for _ in 0..clerks {
            add(&mut plan, h, vec![Role::WindowClerk]);
        }
    }
    let mut i = 0;
    while plan.len() < TOTAL_ACCOUNTS {
        let c = &communities[i % communities.len()];
        add(&mut plan, c, vec![Role::Citizen]);
        i += 1;
    }
    plan.truncate(TOTAL_ACCOUNTS);

    // One hash for all demo accounts: hashing 881 passwords would take most of a minute and the
    // demo shares one password anyway.
    let hash = hash_password(password)?;
    let actor = Actor::cli();
    let mut tx = db.begin().await?;
    for (k, (username, name, at, roles)) in plan.iter().enumerate() {
        let u = CheckedUser {
            username: username.clone(),
            name: name.clone(),
            unit: at.clone(),
            email: Some(format!("{}@longhua.example.cn", username.replace('.', "_"))),
            phone: Some(format!(
                "13{}{:08}",
                5 + k % 5,
                10_000_000 + k * 7919 % 89_999_999
            )),
            grants: roles.iter().map(|r| (*r, at.clone())).collect(),
        };
        insert(&mut tx, &actor, &u, &hash, "user.create").await?;
    }
    // The demo citizen applies online with a (made-up) resident ID number.
    let body = "44030919900101123";
    let id = format!("{body}{}", crate::ids::ResidentId::check_char(body));
    crate::storage::query(
        "UPDATE users SET id_number = $1, id_tag = $2, id_verified_at = $3 WHERE username = 'citizen'",
    )
    .bind(crate::vault::seal(&id))
    .bind(crate::vault::tag(&id))
    .bind(db.now())
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    tracing::info!(units = units.len(), accounts = plan.len(), at = %db.now(), "demo district built");
    Ok(())
}

//! The demo district's year of O&M tickets (about 9,300, as the 2018 report counted): spread over
//! the year's working days and the units that report them, weighted by system, category, priority
//! and channel as a district desk sees them; answered in about a minute, 98.5% solved, a few
//! hundred escalated and 127 taken to the developers. Generated with a fixed seed and brought in
//! through the ledger import's own insert, so every report and chart has data. Beside it, the
//! seed report's own 2018 (9,287 requests, 9,150 resolved) for the 2018 performance project.

use chrono::{Duration, NaiveDateTime, Timelike};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::codes::{Category, Channel, Level, Priority, Status, System};
use super::exchange::{Row, insert};
use crate::clock;
use crate::error::Result;
use crate::org;
use crate::storage::Db;

fn pick<T: Copy>(rng: &mut StdRng, weighted: &[(T, u32)]) -> T {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut n = rng.random_range(0..total);
    for (v, w) in weighted {
        if n < *w {
            return *v;
        }
        n -= w;
    }
    weighted[0].0
}

fn title(rng: &mut StdRng, c: Category) -> &'static str {
    let options: &[&str] = match c {
        Category::Account => &[
            "忘记密码无法登录",
            "新入职人员需要开通账号",
            "调岗后角色权限未更新",
            "账号被锁定",
        ],
        Category::MatterConfig => &[
            "事项办理时限显示错误",
            "办事指南材料清单需要更新",
            "事项在本街道大厅未开通",
        ],
        Category::WorkflowConfig => &[
            "审批流程缺少会签环节",
            "流程环节办理人设置错误",
            "新版流程需要发布",
        ],
        Category::PrintTemplate => &[
            "受理回执打印错位",
            "不予受理通知书缺少印章",
            "证照打印字体不对",
        ],
        Category::Fault => &[
            "办件提交后页面报错",
            "待办列表加载很慢",
            "上传材料失败",
            "叫号屏不刷新",
        ],
        Category::ELicence => &["电子证照验证失败", "证照二维码无法识别", "证照签章失败"],
        Category::DataFix => &[
            "申请人身份证号录入错误需更正",
            "办件状态与实际不符",
            "重复办件需要作废",
        ],
        Category::Security => &["发现可疑登录", "弱口令账号整改", "安全漏洞通报处置"],
        Category::Consultation => &[
            "咨询事项办理流程",
            "咨询如何查看办件进度",
            "咨询报表导出方法",
        ],
    };
    options[rng.random_range(0..options.len())]
}

/// What to generate: `n` tickets opened between `start` and `end` (China time); `unsolved`,
/// when given, is exactly how many stay open (else a few, and those of the last three days).
struct Plan {
    n: usize,
    start: NaiveDateTime,
    end: NaiveDateTime,
    unsolved: Option<usize>,
    /// The first ticket's number (so two plans never share one).
    base: usize,
    seed: u64,
}

/// Adds `n` tickets opened over the year before `end` (China time), unless the desk has some.
pub async fn seed(db: &Db, n: usize, end: NaiveDateTime) -> Result<usize> {
    let have: i64 = crate::storage::query_scalar("SELECT COUNT(*) FROM ops_tickets")
        .fetch_one(db)
        .await?;
    if have > 0 {
        return Ok(0);
    }
    let plan = Plan {
        n,
        start: end - Duration::days(365),
        end,
        unsolved: None,
        base: 900_000,
        seed: 2018,
    };
    generate(db, &plan).await
}

/// The seed report's 2018 as the desk would have recorded it: 9,287 requests, 9,150 resolved
/// (137 open at the year's end — the report wrote 127), unless the desk has tickets of 2018.
pub async fn seed_2018(db: &Db) -> Result<usize> {
    let (from, to) = crate::performance::sources::year_bounds(2018);
    let have: i64 = crate::storage::query_scalar(
        "SELECT COUNT(*) FROM ops_tickets WHERE opened_at >= $1 AND opened_at < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db)
    .await?;
    if have > 0 {
        return Ok(0);
    }
    let day = |y, m, d| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default()
    };
    let plan = Plan {
        n: 9_287,
        start: day(2018, 1, 1),
        end: day(2019, 1, 1),
        unsolved: Some(137),
        base: 500_000,
        seed: 2017,
    };
    generate(db, &plan).await
}

async fn generate(db: &Db, plan: &Plan) -> Result<usize> {
    let (n, end) = (plan.n, plan.end);
    let units = org::list(db).await?;
    // Reporters: staff accounts, each with their unit.
    let people: Vec<(String, i64)> = crate::storage::query_as(
        "SELECT username, org_unit_id FROM users WHERE username NOT LIKE '%.%' ORDER BY id LIMIT 600",
    )
    .fetch_all(db)
    .await?;
    if people.is_empty() {
        return Ok(0);
    }
    let cal = crate::approval::calendar_repo::calendar(db).await?;
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let start = plan.start;
    let span = (end - start).num_seconds().max(1);
    let mut rows = Vec::with_capacity(n);
    let developers_every = n / 127;
    for i in 0..n {
        // Mostly in working hours on working days; some in the evening or on holidays.
        let mut opened;
        loop {
            opened = start + Duration::seconds(rng.random_range(0..span));
            let working = cal.is_working_day(opened.date());
            let hour = opened.hour();
            let in_hours = (9..12).contains(&hour) || (14..18).contains(&hour);
            if (working && in_hours) || rng.random_ratio(1, 12) {
                break;
            }
        }
        let (reporter, unit_id) = people[rng.random_range(0..people.len())].clone();
        let Some(unit) = units.iter().find(|u| u.id == unit_id).cloned() else {
            continue;
        };
        let system = pick(
            &mut rng,
            &[
                (System::Hall, 30),
                (System::Window, 25),
                (System::Approval, 25),
                (System::Catalog, 10),
                (System::Platform, 10),
            ],
        );
        let category = pick(
            &mut rng,
            &[
                (Category::Account, 25),
                (Category::Consultation, 20),
                (Category::Fault, 15),
                (Category::MatterConfig, 10),
                (Category::WorkflowConfig, 8),
                (Category::PrintTemplate, 8),
                (Category::DataFix, 6),
                (Category::ELicence, 5),
                (Category::Security, 3),
            ],
        );
        let priority = pick(
            &mut rng,
            &[
                (Priority::Normal, 70),
                (Priority::High, 18),
                (Priority::Low, 8),
                (Priority::Urgent, 4),
            ],
        );
        let channel = pick(
            &mut rng,
            &[
                (Channel::Phone, 40),
                (Channel::Web, 30),
                (Channel::Remote, 15),
                (Channel::Onsite, 10),
                (Channel::Email, 5),
            ],
        );
        // About a minute to answer, a few an hour or more.
        let answer = if rng.random_ratio(1, 25) {
            rng.random_range(600..5400)
        } else {
            rng.random_range(15..150)
        };
        let responded = opened + Duration::seconds(answer);
        let to_developers = developers_every > 0 && i % developers_every == developers_every / 2;
        let escalated_to = if to_developers {
            Some(Level::Developers)
        } else if rng.random_ratio(1, 8) {
            Some(pick(&mut rng, &[(Level::Street, 3), (Level::District, 2)]))
        } else {
            None
        };
        let hours = if to_developers {
            rng.random_range(24..240)
        } else {
            rng.random_range(0..10)
        };
        let resolved = responded + Duration::minutes(rng.random_range(5..60) + hours * 60);
        let unsolved = match plan.unsolved {
            // Exactly `k` of the `n`, spread evenly.
            Some(k) => (i + 1) * k / n != i * k / n,
            None => end - opened < Duration::days(3) || rng.random_ratio(1, 80),
        };
        let status = if unsolved {
            pick(
                &mut rng,
                &[
                    (Status::Responded, 2),
                    (Status::InProgress, 3),
                    (Status::Waiting, 1),
                ],
            )
        } else if resolved + Duration::days(3) < end {
            Status::Closed
        } else {
            Status::Resolved
        };
        rows.push(Row {
            number: format!("YW{}-{:06}", opened.format("%Y"), plan.base + i),
            system,
            category,
            priority,
            channel,
            unit,
            reporter,
            opened_at: opened,
            first_response_at: Some(responded).filter(|r| *r < end),
            resolved_at: Some(resolved).filter(|_| !status.is_open()),
            status,
            escalated_to,
            title: title(&mut rng, category).to_string(),
            description: String::new(),
        });
    }
    let mut tx = db.begin().await?;
    insert(db, &mut tx, "演示数据", &units, &rows).await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// The demo's year: up to now; with two weeks of duty rota, the year's holiday assurance plan and
/// drill, and a few known errors.
pub async fn seed_year(db: &Db) -> Result<usize> {
    let now = db
        .clock()
        .now_utc()
        .with_timezone(&clock::cst())
        .naive_local();
    let n = seed(db, 9_300, now).await?;
    if n == 0 {
        return Ok(0);
    }
    let system = crate::auth::Principal::system();
    for d in 0..14 {
        let day = (now.date() + Duration::days(d)).to_string();
        let note = if d % 7 == 5 || d % 7 == 6 {
            "周末值班"
        } else {
            ""
        };
        let n = super::duty::NewDuty {
            day,
            engineer: "om.engineer".into(),
            note: note.into(),
        };
        super::duty::add(db, &system, &n).await?;
    }
    for (kind, title, from, to, plan, findings) in [
        (
            "holiday",
            "2026年国庆节、中秋节安全保障",
            "2026-10-01",
            "2026-10-08",
            "每日两人值班，9:00、15:00 各巡检一次；证照库、网办大厅重点监控。",
            "10月3日证照库连接数偏高，已扩容；保障期间无服务中断。",
        ),
        (
            "drill",
            "数据库故障切换演练",
            "2026-06-18",
            "2026-06-18",
            "模拟主库宕机，检验备份恢复与切换流程。",
            "切换用时 6 分钟，优于 15 分钟目标；补充了恢复检查清单。",
        ),
    ] {
        let a = super::duty::Assurance {
            id: 0,
            kind: kind.into(),
            title: title.into(),
            starts_on: from.into(),
            ends_on: to.into(),
            plan: plan.into(),
            findings: findings.into(),
        };
        super::duty::save_assurance(db, &system, &a).await?;
    }
    for (title, symptom, fix) in [
        (
            "证照二维码过密无法识别",
            "扫码验证失败",
            "在打印模板中把二维码尺寸调为 4 厘米以上。",
        ),
        (
            "浏览器缓存导致页面空白",
            "升级后部分页面空白或报脚本错误",
            "指导用户按 Ctrl+F5 强制刷新或清理缓存。",
        ),
        (
            "调岗后权限未同步",
            "调岗人员看不到新单位待办",
            "账号管理中移除旧单位授权并在新单位重新授权。",
        ),
    ] {
        let k = super::links::KnownError {
            id: 0,
            title: title.into(),
            symptom: symptom.into(),
            fix: fix.into(),
        };
        super::links::add_known_error(db, &system, &k).await?;
    }
    Ok(n)
}

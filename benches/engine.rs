//! The approval engine completing four-step approvals (accept → review → decide → certify) in
//! process, two ways: the storage-free rules alone (`approval::machine`, an application held in
//! memory, as SpiffWorkflow holds its workflows), and the whole engine persisting every transition
//! with its audit entry in a SQLite file through the same code the server runs.
//! Run: `cargo bench --bench engine -- [N_CORE] [N_STORED]`; `scripts/bench_engine.sh` runs it
//! beside SpiffWorkflow.

use std::time::Instant;

use zhengwu::approval::definition::{Action, ActorSpec, StepDef, UnitSel, WorkflowDef};
use zhengwu::approval::engine::{self, Act, Start};
use zhengwu::approval::machine::{Outcome, Run, Status};
use zhengwu::approval::workflow_repo;
use zhengwu::auth::{Principal, Role};
use zhengwu::storage::{Db, sqlite_url};

fn four_steps() -> WorkflowDef {
    let step = |key: &str, name: &str, role: Role, at: UnitSel| StepDef {
        key: key.into(),
        name: name.into(),
        actors: vec![ActorSpec::Role { role, at }],
        countersign: false,
        limit_days: zhengwu::days::WorkingDays::of(1),
        actions: vec![Action::Pass, Action::Reject],
    };
    WorkflowDef {
        steps: vec![
            step(
                "accept",
                "受理",
                Role::WindowClerk,
                UnitSel::ApplicationStreet,
            ),
            step("review", "审查", Role::Approver, UnitSel::OwningDepartment),
            step("decide", "决定", Role::Approver, UnitSel::OwningDepartment),
            step("certify", "制证", Role::Approver, UnitSel::OwningDepartment),
        ],
        separate: vec![],
    }
}

fn core(n: usize) -> f64 {
    let def = four_steps();
    let t0 = Instant::now();
    let mut approved = 0;
    for _ in 0..n {
        let mut r = Run::start(&def);
        while r.status == Status::Running {
            let t = r.open_tasks().next().expect("an open task");
            let out = r.act(t, Action::Pass, "同意", None).expect("pass");
            if out == Outcome::Approved {
                approved += 1;
            }
        }
    }
    assert_eq!(approved, n);
    n as f64 / t0.elapsed().as_secs_f64()
}

async fn stored(n: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&sqlite_url(dir.path())).await.unwrap();
    zhengwu::demo::ensure(&db, Some("bench-2026"))
        .await
        .unwrap();
    let system = Principal::system();
    let (code,): (String,) = zhengwu::storage::query_as(
        "SELECT code FROM matters WHERE department_code = '440309-D02' AND status = 'published' ORDER BY code",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    workflow_repo::save_draft(&db, &system, &code, &four_steps())
        .await
        .unwrap();
    workflow_repo::publish(&db, &system, &code).await.unwrap();
    let pass = Act {
        action: Action::Pass,
        opinion: "同意".into(),
        to: None,
        procedure: None,
        attachments: Vec::new(),
    };
    let t0 = Instant::now();
    for i in 0..n {
        let start = Start {
            matter_code: code.clone(),
            unit_code: "440309002-H".into(),
            reference: format!("BENCH{i:06}"),
        };
        let mut p = engine::start(&db, &system, &start).await.unwrap();
        while let Some(t) = p.open_tasks.first() {
            p = engine::act(&db, &system, t.id, &pass).await.unwrap();
        }
        assert_eq!(p.instance.status.as_str(), "approved");
    }
    n as f64 / t0.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n_core = args.first().copied().unwrap_or(200_000);
    let n_stored = args.get(1).copied().unwrap_or(1_000);
    let core_rate = core(n_core);
    println!("core approvals={n_core} approvals_per_s={core_rate:.0}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stored_rate = rt.block_on(stored(n_stored));
    println!("stored approvals={n_stored} approvals_per_s={stored_rate:.0}");
}

//! The rules of the approval engine, free of storage and clocks: given a workflow definition, where
//! an application stands and an action on one of its open tasks, what happens next. The engine
//! applies an [`Outcome`] in one transaction; [`Run`] applies it to an application held in memory
//! (for the property tests and the in-process benchmark, which so exercise the very same rules).

use serde::{Deserialize, Serialize};

use super::definition::{Action, WorkflowDef};

/// The state of an application as a whole (serialised as the stored word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = InstanceStatus)]
pub enum Status {
    Running,
    /// The clock is stopped: a supplement or a special procedure is under way.
    Paused,
    Approved,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Running,
            Status::Paused,
            Status::Approved,
            Status::Rejected,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Decided, one way or the other.
    pub fn finished(self) -> bool {
        matches!(self, Status::Approved | Status::Rejected)
    }
}

/// The state of one task (serialised as the stored word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Waiting for its party to act.
    Open,
    /// Acted on.
    Done,
    /// Closed without an action (the step moved on, the application ended).
    Cancelled,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        [TaskStatus::Open, TaskStatus::Done, TaskStatus::Cancelled]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A stored status word as its type; an unknown word is a damaged row, reported as a decode
/// error rather than guessed at.
pub fn decode<T>(word: String, parse: fn(&str) -> Option<T>) -> sqlx::Result<T> {
    parse(&word).ok_or_else(|| sqlx::Error::Decode(format!("unknown status {word:?}").into()))
}

/// Special procedures (特别程序) whose time does not count against the limits: hearings,
/// expert review, inspection and testing, public notice, and others the law provides for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// 听证
    Hearing,
    /// 专家评审
    ExpertReview,
    /// 检验、检测、检疫、鉴定
    Inspection,
    /// 公示
    PublicNotice,
    /// 其他法定特别程序
    Other,
}

impl Procedure {
    pub fn as_str(self) -> &'static str {
        match self {
            Procedure::Hearing => "hearing",
            Procedure::ExpertReview => "expert_review",
            Procedure::Inspection => "inspection",
            Procedure::PublicNotice => "public_notice",
            Procedure::Other => "other",
        }
    }
}

/// Why the clock stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pause {
    Supplement,
    Special(Procedure),
}

impl Pause {
    /// As stored in `approval_instances.pause_kind`: `supplement` or `special:<procedure>`.
    pub fn kind(self) -> String {
        match self {
            Pause::Supplement => "supplement".into(),
            Pause::Special(p) => format!("special:{}", p.as_str()),
        }
    }
}

/// Where an application stands when someone acts on one of its open tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub status: Status,
    pub step: usize,
    /// Open tasks of the current step besides the one acted on (other countersigning parties).
    pub others_open: usize,
}

/// What an action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The task is done; other countersigning parties have still to pass.
    Waiting,
    /// The step is complete: the tasks of `step` open.
    Advance { step: usize },
    /// The last step passed.
    Approved,
    /// The task is done and every other open task is cancelled.
    Rejected,
    /// Open tasks are cancelled; the tasks of the previous `step` open again.
    SentBack { step: usize },
    /// The clock stops; the task stays open.
    Paused(Pause),
    /// The task goes to a colleague and stays open.
    Transferred,
}

impl Outcome {
    /// The status an application ends in, for the outcomes that end it.
    pub fn finished(self) -> Option<Status> {
        match self {
            Outcome::Approved => Some(Status::Approved),
            Outcome::Rejected => Some(Status::Rejected),
            _ => None,
        }
    }
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The application is paused or finished, or has moved on from the task's step.
    NotRunning,
    /// The step does not allow the action.
    NotAllowed,
    /// Rejections, supplement requests and special procedures need a reason.
    OpinionRequired,
    /// A special procedure names which one.
    ProcedureRequired,
}

/// Checks what does not depend on the application's state: the step allows the action, and
/// the action carries what it needs.
pub fn check(
    def: &WorkflowDef,
    task_step: usize,
    action: Action,
    opinion: &str,
    procedure: Option<Procedure>,
) -> Result<(), Refusal> {
    let step = def.steps.get(task_step).ok_or(Refusal::NotAllowed)?;
    if !step.actions.contains(&action) || (action == Action::SendBack && task_step == 0) {
        return Err(Refusal::NotAllowed);
    }
    let needs_reason = matches!(
        action,
        Action::Reject | Action::Supplement | Action::Special
    );
    if needs_reason && opinion.trim().is_empty() {
        return Err(Refusal::OpinionRequired);
    }
    if action == Action::Special && procedure.is_none() {
        return Err(Refusal::ProcedureRequired);
    }
    Ok(())
}

/// Decides what `action` on an open task of `task_step` does.
pub fn decide(
    def: &WorkflowDef,
    st: &Standing,
    task_step: usize,
    action: Action,
    opinion: &str,
    procedure: Option<Procedure>,
) -> Result<Outcome, Refusal> {
    if st.status != Status::Running || st.step != task_step {
        return Err(Refusal::NotRunning);
    }
    check(def, task_step, action, opinion, procedure)?;
    Ok(match action {
        Action::Pass if st.others_open > 0 => Outcome::Waiting,
        Action::Pass if task_step + 1 < def.steps.len() => Outcome::Advance {
            step: task_step + 1,
        },
        Action::Pass => Outcome::Approved,
        Action::Reject => Outcome::Rejected,
        Action::SendBack => Outcome::SentBack {
            step: task_step - 1,
        },
        Action::Supplement => Outcome::Paused(Pause::Supplement),
        Action::Special => Outcome::Paused(Pause::Special(procedure.unwrap_or(Procedure::Other))),
        Action::Transfer => Outcome::Transferred,
    })
}

/// How many tasks a step opens: one per countersigning party, else one shared task.
pub fn tasks_of_step(def: &WorkflowDef, step: usize) -> usize {
    let s = &def.steps[step];
    if s.countersign { s.actors.len() } else { 1 }
}

/// One task of an in-memory application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunTask {
    pub step: usize,
    pub open: bool,
}

/// An application held in memory and moved by the same rules as the engine.
#[derive(Debug, Clone)]
pub struct Run<'a> {
    def: &'a WorkflowDef,
    pub status: Status,
    pub step: usize,
    pub tasks: Vec<RunTask>,
}

impl<'a> Run<'a> {
    pub fn start(def: &'a WorkflowDef) -> Run<'a> {
        let mut r = Run {
            def,
            status: Status::Running,
            step: 0,
            tasks: Vec::new(),
        };
        r.open(0);
        r
    }

    fn open(&mut self, step: usize) {
        self.step = step;
        for _ in 0..tasks_of_step(self.def, step) {
            self.tasks.push(RunTask { step, open: true });
        }
    }

    /// Indexes of the open tasks.
    pub fn open_tasks(&self) -> impl Iterator<Item = usize> + '_ {
        self.tasks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.open)
            .map(|(i, _)| i)
    }

    /// Acts on task `task`, as the engine would; a closed or unknown task is `NotRunning`.
    pub fn act(
        &mut self,
        task: usize,
        action: Action,
        opinion: &str,
        procedure: Option<Procedure>,
    ) -> Result<Outcome, Refusal> {
        let t = *self
            .tasks
            .get(task)
            .filter(|t| t.open)
            .ok_or(Refusal::NotRunning)?;
        let others_open = self
            .open_tasks()
            .filter(|&i| i != task && self.tasks[i].step == t.step)
            .count();
        let st = Standing {
            status: self.status,
            step: self.step,
            others_open,
        };
        let out = decide(self.def, &st, t.step, action, opinion, procedure)?;
        match out {
            Outcome::Waiting => self.tasks[task].open = false,
            Outcome::Advance { step } => {
                self.tasks[task].open = false;
                self.open(step);
            }
            Outcome::Approved => {
                self.tasks[task].open = false;
                self.status = Status::Approved;
            }
            Outcome::Rejected => {
                self.close_all();
                self.status = Status::Rejected;
            }
            Outcome::SentBack { step } => {
                self.close_all();
                self.open(step);
            }
            Outcome::Paused(_) => self.status = Status::Paused,
            Outcome::Transferred => {}
        }
        Ok(out)
    }

    fn close_all(&mut self) {
        for t in &mut self.tasks {
            t.open = false;
        }
    }

    /// The supplement arrived or the special procedure ended.
    pub fn resume(&mut self) -> Result<(), Refusal> {
        if self.status != Status::Paused {
            return Err(Refusal::NotRunning);
        }
        self.status = Status::Running;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::definition::{ActorSpec, StepDef};
    use proptest::prelude::*;

    fn def(steps: &[(bool, Vec<Action>)]) -> WorkflowDef {
        WorkflowDef {
            steps: steps
                .iter()
                .enumerate()
                .map(|(i, (countersign, actions))| StepDef {
                    key: format!("s{i}"),
                    name: format!("第{i}步"),
                    actors: vec![
                        ActorSpec::Users {
                            usernames: vec!["a".into()],
                        };
                        if *countersign { 2 } else { 1 }
                    ],
                    countersign: *countersign,
                    limit_days: crate::days::WorkingDays::of(1),
                    actions: actions.clone(),
                })
                .collect(),
            separate: vec![],
        }
    }

    #[test]
    fn a_countersign_waits_for_every_party_then_advances() {
        let all = vec![Action::Pass, Action::Reject];
        let d = def(&[(false, all.clone()), (true, all.clone()), (false, all)]);
        let mut r = Run::start(&d);
        assert_eq!(
            r.act(0, Action::Pass, "", None),
            Ok(Outcome::Advance { step: 1 })
        );
        assert_eq!(r.open_tasks().count(), 2);
        assert_eq!(r.act(1, Action::Pass, "", None), Ok(Outcome::Waiting));
        assert_eq!(r.act(1, Action::Pass, "", None), Err(Refusal::NotRunning));
        assert_eq!(
            r.act(2, Action::Pass, "", None),
            Ok(Outcome::Advance { step: 2 })
        );
        assert_eq!(r.act(3, Action::Pass, "", None), Ok(Outcome::Approved));
        assert_eq!(r.status, Status::Approved);
    }

    #[test]
    fn a_special_procedure_pauses_and_needs_its_kind_and_reason() {
        let d = def(&[(false, vec![Action::Pass, Action::Special])]);
        let mut r = Run::start(&d);
        assert_eq!(
            r.act(0, Action::Special, "", Some(Procedure::Hearing)),
            Err(Refusal::OpinionRequired)
        );
        assert_eq!(
            r.act(0, Action::Special, "需听证", None),
            Err(Refusal::ProcedureRequired)
        );
        assert_eq!(
            r.act(0, Action::Special, "需听证", Some(Procedure::Hearing)),
            Ok(Outcome::Paused(Pause::Special(Procedure::Hearing)))
        );
        assert_eq!(r.act(0, Action::Pass, "", None), Err(Refusal::NotRunning));
        r.resume().unwrap();
        assert_eq!(r.act(0, Action::Pass, "", None), Ok(Outcome::Approved));
        assert_eq!(r.resume(), Err(Refusal::NotRunning));
    }

    #[test]
    fn the_first_step_cannot_send_back_and_disallowed_actions_are_refused() {
        let d = def(&[(false, vec![Action::Pass, Action::SendBack])]);
        let mut r = Run::start(&d);
        assert_eq!(
            r.act(0, Action::SendBack, "退回", None),
            Err(Refusal::NotAllowed)
        );
        assert_eq!(
            r.act(0, Action::Reject, "不符", None),
            Err(Refusal::NotAllowed)
        );
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            4 => Just(Action::Pass),
            1 => Just(Action::Reject),
            1 => Just(Action::SendBack),
            1 => Just(Action::Supplement),
            1 => Just(Action::Special),
            1 => Just(Action::Transfer),
        ]
    }

    fn any_def() -> impl Strategy<Value = WorkflowDef> {
        let step = (
            any::<bool>(),
            proptest::sample::subsequence(
                vec![
                    Action::Reject,
                    Action::SendBack,
                    Action::Supplement,
                    Action::Special,
                    Action::Transfer,
                ],
                0..=5,
            ),
        )
            .prop_map(|(c, mut a)| {
                a.push(Action::Pass);
                (c, a)
            });
        proptest::collection::vec(step, 1..6).prop_map(|s| def(&s))
    }

    proptest! {
        /// Whatever people do, in any order: the open tasks all belong to the current step, a
        /// running or paused application has some, a finished one has none and never moves
        /// again, and approval needs every step passed in order.
        #[test]
        fn random_actions_keep_the_invariants(
            d in any_def(),
            moves in proptest::collection::vec((0usize..12, any_action(), any::<bool>(), any::<bool>()), 1..60),
        ) {
            let mut r = Run::start(&d);
            let mut highest_passed: Option<usize> = None;
            for (task, action, resume, with_reason) in moves {
                if resume {
                    let was = r.status;
                    prop_assert_eq!(r.resume().is_ok(), was == Status::Paused);
                }
                let before = r.clone();
                let opinion = if with_reason { "理由" } else { "" };
                let out = r.act(task % (r.tasks.len() + 1), action, opinion, Some(Procedure::Inspection));
                match out {
                    Err(_) => {
                        prop_assert_eq!(r.status, before.status);
                        prop_assert_eq!(&r.tasks, &before.tasks);
                    }
                    Ok(Outcome::Advance { step }) => {
                        prop_assert_eq!(step, before.step + 1);
                        highest_passed = highest_passed.max(Some(before.step));
                    }
                    Ok(Outcome::Approved) => {
                        prop_assert_eq!(before.step, d.steps.len() - 1);
                        prop_assert!(d.steps.len() == 1 || highest_passed == Some(d.steps.len() - 2));
                    }
                    Ok(_) => {}
                }
                let open: Vec<usize> = r.open_tasks().collect();
                prop_assert!(open.iter().all(|&i| r.tasks[i].step == r.step));
                prop_assert!(r.step < d.steps.len());
                match r.status {
                    Status::Running | Status::Paused => {
                        prop_assert!(!open.is_empty());
                        prop_assert!(open.len() <= tasks_of_step(&d, r.step));
                    }
                    Status::Approved | Status::Rejected => prop_assert!(open.is_empty()),
                }
                if matches!(before.status, Status::Approved | Status::Rejected) {
                    prop_assert!(out.is_err());
                }
            }
        }
    }
}

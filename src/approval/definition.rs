//! Approval workflow definitions (事项审批流程定制): per matter, numbered versions of a sequence of
//! steps — who acts at each (a role at a unit relative to the application, or named people), which
//! actions are allowed, whether several parties countersign in parallel, and the step's time limit
//! in working days. Published versions are immutable; running applications stay on theirs.

use crate::days::WorkingDays;
use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::error::FieldError;
use crate::org::{Kind, Unit};

/// Where a role is looked up, relative to the application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum UnitSel {
    /// The hall the application was filed at (its clerks, or those of a unit above it).
    ApplicationHall,
    /// The street the application belongs to.
    ApplicationStreet,
    /// The community the application belongs to.
    ApplicationCommunity,
    /// The department that owns the matter.
    OwningDepartment,
    /// A fixed unit, by code (e.g. another department for a countersign).
    Unit { code: String },
}

impl UnitSel {
    /// The unit this points at for an application filed at the hall `hall`. A hall of any level
    /// resolves "the application's street" and "community": a community centre to its community,
    /// a street hall to its street, and a district hall (which has neither) to itself, so the
    /// district hall's own clerks accept what is filed there.
    pub fn resolve(&self, hall: &Unit, dept_code: &str, units: &[Unit]) -> Option<Unit> {
        let ancestor = |kind: Kind| {
            units
                .iter()
                .find(|u| u.kind == kind && hall.path.starts_with(&u.path))
                .cloned()
        };
        match self {
            UnitSel::ApplicationHall => Some(hall.clone()),
            UnitSel::ApplicationStreet => ancestor(Kind::Street).or_else(|| Some(hall.clone())),
            UnitSel::ApplicationCommunity => ancestor(Kind::Community)
                .or_else(|| ancestor(Kind::Street))
                .or_else(|| Some(hall.clone())),
            UnitSel::OwningDepartment => units.iter().find(|u| u.code == dept_code).cloned(),
            UnitSel::Unit { code } => units.iter().find(|u| u.code == *code).cloned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ActorSpec {
    /// Anyone holding `role` at the selected unit (or above it).
    Role { role: Role, at: UnitSel },
    /// Named accounts.
    Users { usernames: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Pass,
    Reject,
    /// Return to the applicant for supplement (补正); the clock pauses.
    Supplement,
    /// Send back to the previous step.
    SendBack,
    /// Hand the task to a colleague.
    Transfer,
    /// Start a special procedure (特别程序: hearing, expert review, inspection, public notice);
    /// the clock pauses until it ends.
    Special,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StepDef {
    pub key: String,
    pub name: String,
    pub actors: Vec<ActorSpec>,
    /// All actors must pass (parallel countersign); otherwise any one of them acts.
    #[serde(default)]
    pub countersign: bool,
    /// Time limit of the step in working days.
    pub limit_days: WorkingDays,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkflowDef {
    pub steps: Vec<StepDef>,
    /// Separation of duties (四眼原则): keys of steps of which one person acts on at most one
    /// in an application (the standard flow separates 审查 from 决定). Empty: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub separate: Vec<String>,
}

impl WorkflowDef {
    /// The definition as the public reads it: the steps and who acts by role, but named
    /// accounts only as how many (a username is half a sign-in).
    pub fn public(&self) -> WorkflowDef {
        let mut d = self.clone();
        for s in &mut d.steps {
            for a in &mut s.actors {
                if let ActorSpec::Users { usernames } = a {
                    *usernames = vec!["*".to_string(); usernames.len()];
                }
            }
        }
        d
    }
}

impl WorkflowDef {
    /// Every problem, by field. `promised_days` is the matter's promised limit (0: on the spot).
    pub fn check(&self, promised: WorkingDays) -> Vec<FieldError> {
        let mut v = Vec::new();
        if self.steps.is_empty() {
            v.push(FieldError::new("steps", "wf.no_steps"));
        }
        let mut keys = HashSet::new();
        for (i, s) in self.steps.iter().enumerate() {
            let at = |f: &str| format!("steps[{i}].{f}");
            let ok_key = !s.key.is_empty()
                && s.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok_key || !keys.insert(s.key.as_str()) {
                v.push(FieldError::with(at("key"), "wf.bad_key", &s.key));
            }
            if s.name.trim().is_empty() {
                v.push(FieldError::new(at("name"), "field.required"));
            }
            if s.actors.is_empty() {
                v.push(FieldError::with(at("actors"), "wf.no_actors", &s.name));
            }
            for a in &s.actors {
                if let ActorSpec::Users { usernames } = a
                    && usernames.is_empty()
                {
                    v.push(FieldError::with(at("actors"), "wf.no_actors", &s.name));
                }
            }
            if s.countersign && s.actors.len() < 2 {
                v.push(FieldError::with(
                    at("countersign"),
                    "wf.countersign_two",
                    &s.name,
                ));
            }
            if !s.actions.contains(&Action::Pass) {
                v.push(FieldError::with(at("actions"), "wf.needs_pass", &s.name));
            }
            if i == 0 && s.actions.contains(&Action::SendBack) {
                v.push(FieldError::with(
                    at("actions"),
                    "wf.first_send_back",
                    &s.name,
                ));
            }
        }
        for k in &self.separate {
            if !self.steps.iter().any(|s| &s.key == k) {
                v.push(FieldError::with("separate", "wf.unknown_step", k));
            }
        }
        let total: u32 = self.steps.iter().map(|s| s.limit_days.get()).sum();
        if !promised.is_zero() && total > promised.get() {
            v.push(FieldError::with(
                "steps",
                "wf.over_promised",
                promised.to_string(),
            ));
        }
        v
    }

    /// The five-step licensing flow a new definition starts from: 受理 → 审查 → 决定 → 制证 → 办结,
    /// with the step limits spread over the promised limit; the clerks of the application's
    /// street accept and conclude it (a district hall's own clerks at the district hall).
    pub fn standard(promised: WorkingDays) -> WorkflowDef {
        let promised_days = promised.get();
        let days = |share: u32| {
            WorkingDays::saturating(if promised_days == 0 {
                0
            } else {
                (promised_days * share / 10).max(1)
            })
        };
        let role = |role, at| ActorSpec::Role { role, at };
        let step = |key: &str, name: &str, actor: ActorSpec, limit, actions: &[Action]| StepDef {
            key: key.into(),
            name: name.into(),
            actors: vec![actor],
            countersign: false,
            limit_days: limit,
            actions: actions.to_vec(),
        };
        use Action::*;
        let mut s = vec![
            step(
                "accept",
                "受理",
                role(Role::WindowClerk, UnitSel::ApplicationStreet),
                days(1),
                &[Pass, Reject, Supplement],
            ),
            step(
                "review",
                "审查",
                role(Role::Approver, UnitSel::OwningDepartment),
                days(4),
                &[Pass, Reject, SendBack, Transfer, Supplement, Special],
            ),
            step(
                "decide",
                "决定",
                role(Role::Approver, UnitSel::OwningDepartment),
                days(3),
                &[Pass, Reject, SendBack, Transfer, Special],
            ),
            step(
                "certify",
                "制证",
                role(Role::Approver, UnitSel::OwningDepartment),
                days(1),
                &[Pass, SendBack, Transfer],
            ),
            step(
                "conclude",
                "办结",
                role(Role::WindowClerk, UnitSel::ApplicationStreet),
                WorkingDays::ZERO,
                &[Pass],
            ),
        ];
        // Keep the total within the promised limit after rounding up.
        while promised_days > 0 && s.iter().map(|x| x.limit_days.get()).sum::<u32>() > promised_days
        {
            if let Some(x) = s
                .iter_mut()
                .filter(|x| !x.limit_days.is_zero())
                .max_by_key(|x| x.limit_days)
            {
                x.limit_days = WorkingDays::saturating(x.limit_days.get() - 1);
            } else {
                break;
            }
        }
        WorkflowDef {
            steps: s,
            separate: vec!["review".into(), "decide".into()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_flow_is_valid_for_any_promised_limit() {
        for promised in [0, 1, 2, 3, 5, 10, 20, 60, WorkingDays::MAX].map(WorkingDays::of) {
            let d = WorkflowDef::standard(promised);
            assert!(
                d.check(promised).is_empty(),
                "{promised}: {:?}",
                d.check(promised)
            );
            let names: Vec<&str> = d.steps.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(names, ["受理", "审查", "决定", "制证", "办结"]);
        }
    }

    #[test]
    fn problems_are_named_by_field() {
        let mut d = WorkflowDef::standard(WorkingDays::of(10));
        d.steps[0].actions.push(Action::SendBack);
        d.steps[1].countersign = true;
        d.steps[2].actions.retain(|a| *a != Action::Pass);
        d.steps[3].key = "review".into();
        d.steps[4].actors = vec![ActorSpec::Users { usernames: vec![] }];
        d.steps[4].limit_days = WorkingDays::of(30);
        let got: Vec<(String, &str)> = d
            .check(WorkingDays::of(10))
            .into_iter()
            .map(|e| (e.field, e.key))
            .collect();
        assert_eq!(
            got,
            [
                ("steps[0].actions".to_string(), "wf.first_send_back"),
                ("steps[1].countersign".to_string(), "wf.countersign_two"),
                ("steps[2].actions".to_string(), "wf.needs_pass"),
                ("steps[3].key".to_string(), "wf.bad_key"),
                ("steps[4].actors".to_string(), "wf.no_actors"),
                ("steps".to_string(), "wf.over_promised"),
            ]
        );
        assert_eq!(
            WorkflowDef::default().check(WorkingDays::ZERO)[0].key,
            "wf.no_steps"
        );
    }
}

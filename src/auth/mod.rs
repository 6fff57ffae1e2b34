//! Who is acting and what they may do. A role is granted at an org unit and covers that unit and
//! everything below it; [`Principal::can`] is the one check every read and write goes through.

mod password;
mod session;

pub use password::{MIN_PASSWORD_CHARS, check_password_policy, hash_password, verify_password};
pub use session::*;

use serde::Serialize;

use crate::audit::Actor;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Citizen,
    WindowClerk,
    Approver,
    DepartmentAdmin,
    MatterAdmin,
    OmEngineer,
    OmManager,
    BureauAdmin,
    Auditor,
    /// The bureau's finance officer: keeps performance projects' money and targets.
    Finance,
}

/// What a role allows, each within the subtree of the unit it is granted at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    /// See the org tree.
    ViewOrg,
    /// Create, rename, move and retire units.
    ManageOrg,
    /// List and read accounts and their grants.
    ViewAccounts,
    /// Create and change accounts and grant roles.
    ManageAccounts,
    /// Read and export the audit trail.
    ViewAudit,
    /// Draft matters of the departments in scope and submit them for review.
    EditMatters,
    /// Review, publish, suspend and retire matters.
    ReviewMatters,
    /// Switch matters on or off for the halls of the units in scope.
    ConfigureMatters,
    /// Edit the working-day calendar (holidays and make-up days).
    ManageCalendar,
    /// Start applications on their approval workflow (until the applications system does it).
    StartApprovals,
    /// See all applications of the units in scope, with their deadlines.
    SuperviseApprovals,
    /// Take, work on, escalate and resolve O&M tickets of the units in scope.
    HandleTickets,
    /// See every queue, set service levels and the duty rota, read the desk's reports.
    ManageOps,
    /// Issue and revoke e-licences for the departments in scope.
    IssueLicences,
    /// Read performance projects, their evaluation and report, of the departments in scope.
    ViewPerformance,
    /// Create, import and change performance projects of the departments in scope.
    ManagePerformance,
    /// Read the statistics and assessment indicators of the units in scope.
    ViewStats,
    /// Set the assessment's targets and deductions (at the district).
    ManageStats,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Citizen,
        Role::WindowClerk,
        Role::Approver,
        Role::DepartmentAdmin,
        Role::MatterAdmin,
        Role::OmEngineer,
        Role::OmManager,
        Role::BureauAdmin,
        Role::Auditor,
        Role::Finance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::WindowClerk => "window_clerk",
            Role::Approver => "approver",
            Role::DepartmentAdmin => "department_admin",
            Role::MatterAdmin => "matter_admin",
            Role::OmEngineer => "om_engineer",
            Role::OmManager => "om_manager",
            Role::BureauAdmin => "bureau_admin",
            Role::Auditor => "auditor",
            Role::Finance => "finance",
        }
    }

    /// By code (`window_clerk`) or by its Chinese or English name (`窗口工作人员`).
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim();
        Role::ALL.into_iter().find(|r| {
            let key = format!("role.{}", r.as_str());
            r.as_str() == s
                || crate::i18n::tr(crate::i18n::Lang::Zh, &key) == s
                || crate::i18n::tr(crate::i18n::Lang::En, &key).eq_ignore_ascii_case(s)
        })
    }

    pub fn perms(self) -> &'static [Perm] {
        use Perm::*;
        match self {
            Role::Citizen => &[],
            Role::WindowClerk => &[ViewOrg, StartApprovals],
            Role::Approver => &[ViewOrg, IssueLicences],
            Role::MatterAdmin => &[ViewOrg, EditMatters, ReviewMatters],
            Role::OmEngineer => &[ViewOrg, ViewAccounts, HandleTickets],
            Role::OmManager => &[ViewOrg, ViewAccounts, HandleTickets, ManageOps],
            Role::DepartmentAdmin => &[
                ViewOrg,
                ManageOrg,
                ViewAccounts,
                ManageAccounts,
                ViewAudit,
                EditMatters,
                SuperviseApprovals,
                IssueLicences,
                ViewStats,
            ],
            Role::BureauAdmin => &[
                ViewOrg,
                ManageOrg,
                ViewAccounts,
                ManageAccounts,
                ViewAudit,
                EditMatters,
                ReviewMatters,
                ConfigureMatters,
                ManageCalendar,
                StartApprovals,
                SuperviseApprovals,
                IssueLicences,
                ViewPerformance,
                ManagePerformance,
                ViewStats,
                ManageStats,
            ],
            Role::Auditor => &[ViewOrg, ViewAccounts, ViewAudit, ViewPerformance, ViewStats],
            Role::Finance => &[ViewOrg, ViewPerformance, ManagePerformance],
        }
    }

    /// Roles a holder of `self` may grant to others (within their scope). Unit admins may not
    /// create bureau admins or auditors: that would let them escape their scope or their audit.
    pub fn may_grant(self, other: Role) -> bool {
        match self {
            Role::BureauAdmin => true,
            Role::DepartmentAdmin => !matches!(other, Role::BureauAdmin | Role::Auditor),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Grant {
    pub id: i64,
    pub role: Role,
    pub unit_id: i64,
    pub unit_path: String,
    pub unit_name: String,
}

/// The signed-in user (or the system itself, for the CLI and the demo builder) with their grants.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Option<i64>,
    pub username: String,
    pub name: String,
    pub org_unit_id: Option<i64>,
    pub grants: Vec<Grant>,
    pub ip: Option<String>,
    pub csrf: String,
    /// The command line and the demo builder: allowed everything, audited as `cli`.
    pub system: bool,
}

impl Principal {
    pub fn system() -> Principal {
        Principal {
            user_id: None,
            username: "cli".into(),
            name: "cli".into(),
            org_unit_id: None,
            grants: vec![],
            ip: None,
            csrf: String::new(),
            system: true,
        }
    }

    /// Someone acting without an account (a rating code's holder): no grants, audited by name.
    pub fn without_account(username: &str) -> Principal {
        Principal {
            username: username.into(),
            name: username.into(),
            system: false,
            ..Principal::system()
        }
    }

    pub fn actor(&self) -> Actor {
        if self.system {
            return Actor::cli();
        }
        Actor {
            user_id: self.user_id,
            name: self.username.clone(),
            ip: self.ip.clone(),
        }
    }

    /// Whether the principal holds `perm` over the unit at `path`.
    pub fn can(&self, perm: Perm, path: &str) -> bool {
        self.system
            || self
                .grants
                .iter()
                .any(|g| g.role.perms().contains(&perm) && path.starts_with(&g.unit_path))
    }

    /// Whether the principal holds `perm` anywhere.
    pub fn has(&self, perm: Perm) -> bool {
        self.system || self.grants.iter().any(|g| g.role.perms().contains(&perm))
    }

    /// Whether `perm` holds at the top of the tree (a grant at the district itself): what
    /// district-wide settings — print templates, the calendar — need.
    pub fn has_at_root(&self, perm: Perm) -> bool {
        self.system
            || self.grants.iter().any(|g| {
                g.role.perms().contains(&perm)
                    && g.unit_path.trim_matches('/').split('/').count() == 1
            })
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The org paths under which `perm` holds (the root `/` for the system).
    pub fn scopes(&self, perm: Perm) -> Vec<String> {
        if self.system {
            return vec!["/".into()];
        }
        let mut v: Vec<String> = self
            .grants
            .iter()
            .filter(|g| g.role.perms().contains(&perm))
            .map(|g| g.unit_path.clone())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Whether the principal may grant `role` at the unit at `path`.
    pub fn may_grant(&self, role: Role, path: &str) -> bool {
        self.system
            || self.grants.iter().any(|g| {
                g.role.perms().contains(&Perm::ManageAccounts)
                    && path.starts_with(&g.unit_path)
                    && g.role.may_grant(role)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(role: Role, path: &str) -> Principal {
        Principal {
            grants: vec![Grant {
                id: 1,
                role,
                unit_id: 1,
                unit_path: path.into(),
                unit_name: "x".into(),
            }],
            system: false,
            ..Principal::system()
        }
    }

    #[test]
    fn grants_cover_their_subtree_only() {
        let p = with(Role::DepartmentAdmin, "/1/2/");
        assert!(p.can(Perm::ManageAccounts, "/1/2/"));
        assert!(p.can(Perm::ManageAccounts, "/1/2/9/"));
        assert!(!p.can(Perm::ManageAccounts, "/1/"));
        assert!(!p.can(Perm::ManageAccounts, "/1/3/"));
        assert!(p.can(Perm::ViewAudit, "/1/2/9/"));
        assert!(!p.can(Perm::ViewAudit, "/1/"));
        assert!(!p.may_grant(Role::BureauAdmin, "/1/2/9/"));
        assert!(p.may_grant(Role::WindowClerk, "/1/2/9/"));
    }

    #[test]
    fn roles_parse_from_code_and_names() {
        assert_eq!(Role::parse("window_clerk"), Some(Role::WindowClerk));
        assert_eq!(Role::parse("窗口工作人员"), Some(Role::WindowClerk));
        assert_eq!(Role::parse("auditor"), Some(Role::Auditor));
        assert_eq!(Role::parse("Auditor"), Some(Role::Auditor));
        assert_eq!(Role::parse("king"), None);
    }
}

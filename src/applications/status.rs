//! Where an application stands, as a type: the stored `status` column, completed by its
//! approval's outcome (an application in approval whose instance is approved *is* approved).
//! Serialised as the same snake_case words the API and the pages have always shown.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ApplicationStatus)]
pub enum Status {
    /// Saved by the applicant, not yet submitted.
    Draft,
    /// Submitted, waiting for a window clerk.
    Submitted,
    /// Returned to the applicant for a supplement (补正).
    Supplement,
    /// Not accepted by the window (不予受理).
    Rejected,
    /// Accepted; its approval runs.
    InApproval,
    /// Approved (准予许可).
    Approved,
    /// Refused in approval (不予许可).
    Refused,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Draft,
        Status::Submitted,
        Status::Supplement,
        Status::Rejected,
        Status::InApproval,
        Status::Approved,
        Status::Refused,
    ];

    /// The word stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Supplement => "supplement",
            Status::Rejected => "rejected",
            Status::InApproval => "in_approval",
            Status::Approved => "approved",
            Status::Refused => "refused",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// The status shown: the stored one, completed by the approval's outcome.
    pub fn of(stored: &str, instance: Option<&str>) -> Status {
        match (Status::parse(stored), instance) {
            (Some(Status::InApproval), Some("approved")) => Status::Approved,
            (Some(Status::InApproval), Some("rejected")) => Status::Refused,
            // Its approval waits for a supplement the department asked for.
            (Some(Status::InApproval), Some("supplement")) => Status::Supplement,
            (Some(s), _) => s,
            // Only the statuses above are ever written; an unknown word is a damaged row.
            (None, _) => Status::Draft,
        }
    }

    /// The applicant may still change it (a draft, or a supplement asked for).
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Supplement)
    }

    /// A decision has been made: it can be rated.
    pub fn decided(self) -> bool {
        matches!(self, Status::Approved | Status::Refused | Status::Rejected)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn words_round_trip_and_approval_completes_the_status() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(
            Status::of("in_approval", Some("approved")),
            Status::Approved
        );
        assert_eq!(Status::of("in_approval", Some("rejected")), Status::Refused);
        assert_eq!(
            Status::of("in_approval", Some("running")),
            Status::InApproval
        );
        assert_eq!(Status::of("supplement", None), Status::Supplement);
    }
}

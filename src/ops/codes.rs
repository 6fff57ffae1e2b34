//! The coded fields of a ticket, each with its stable code (stored, and used by the API and the
//! ledger exchange). Their names live once, in the message catalogue under `ops.<field>.<code>`
//! (`messages/ops.toml`): shown on screen, and the Chinese one accepted on import.

use serde::{Deserialize, Serialize};

macro_rules! coded {
    ($(#[$m:meta])* $name:ident, $field:literal { $($var:ident = $code:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($var,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var,)*];
            /// The field's name in the ledger's columns and in messages.
            pub const FIELD: &'static str = $field;

            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $code,)* }
            }

            /// Its Chinese name, from the message catalogue (looked up once per field, on
            /// first use: a ledger import asks for every cell).
            pub fn zh(self) -> &'static str {
                static NAMES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
                NAMES.get_or_init(|| {
                    Self::ALL
                        .iter()
                        .map(|v| {
                            let key = format!("ops.{}.{}", $field, v.as_str());
                            crate::i18n::lookup(crate::i18n::Lang::Zh, &key).unwrap_or(v.as_str())
                        })
                        .collect()
                })[self.index()]
            }

            /// From its code or its Chinese name.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s) || v.zh() == s)
            }

            /// Position in `ALL`, for tables indexed by the code.
            pub fn index(self) -> usize {
                self as usize
            }
        }
    };
}

coded!(
    /// Which system the problem is about.
    System, "system" {
        Catalog = "catalog",
        Hall = "hall",
        Window = "window",
        Approval = "approval",
        Platform = "platform",
    }
);

coded!(
    Category, "category" {
        Account = "account",
        MatterConfig = "matter_config",
        WorkflowConfig = "workflow_config",
        PrintTemplate = "print_template",
        Fault = "fault",
        ELicence = "e_licence",
        DataFix = "data_fix",
        Security = "security",
        Consultation = "consultation",
    }
);

coded!(
    Priority, "priority" {
        Urgent = "urgent",
        High = "high",
        Normal = "normal",
        Low = "low",
    }
);

coded!(
    /// How the problem reached the desk.
    Channel, "channel" {
        Phone = "phone",
        Remote = "remote",
        Onsite = "onsite",
        Web = "web",
        Email = "email",
    }
);

coded!(
    Status, "status" {
        New = "new",
        Responded = "responded",
        InProgress = "in_progress",
        Waiting = "waiting",
        Resolved = "resolved",
        Closed = "closed",
    }
);

coded!(
    /// The three levels of response, and the platform's developers above them.
    Level, "level" {
        Community = "community",
        Street = "street",
        District = "district",
        Developers = "developers",
    }
);

impl Level {
    /// The level above, if any.
    pub fn up(self) -> Option<Level> {
        match self {
            Level::Community => Some(Level::Street),
            Level::Street => Some(Level::District),
            Level::District => Some(Level::Developers),
            Level::Developers => None,
        }
    }
}

impl Status {
    /// Still needs work from the desk (its clocks run, except while waiting).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_chinese_names_both_parse() {
        assert_eq!(System::parse("approval"), Some(System::Approval));
        assert_eq!(System::parse("公共审批平台"), Some(System::Approval));
        assert_eq!(Category::parse(" 电子证照 "), Some(Category::ELicence));
        assert_eq!(Status::parse("IN_PROGRESS"), Some(Status::InProgress));
        assert_eq!(Level::parse("开发商"), Some(Level::Developers));
        assert_eq!(Priority::parse("critical"), None);
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(*c));
            assert_eq!(Category::parse(c.zh()), Some(*c));
        }
        assert_eq!(Level::Street.up(), Some(Level::District));
        assert_eq!(Level::Developers.up(), None);
    }

    /// Every code has its name in both languages in the message catalogue, and no two codes of
    /// one field share a Chinese name (the import could not tell them apart).
    #[test]
    fn every_code_has_its_names() {
        use crate::i18n::{Lang, lookup};
        fn check<T: Copy>(field: &str, all: &[T], code: fn(T) -> &'static str) {
            let mut seen = std::collections::HashSet::new();
            for v in all {
                let key = format!("ops.{field}.{}", code(*v));
                let zh = lookup(Lang::Zh, &key).unwrap_or_else(|| panic!("{key}: no zh"));
                assert!(lookup(Lang::En, &key).is_some(), "{key}: no en");
                assert!(seen.insert(zh), "{key}: {zh} named twice");
            }
        }
        check(System::FIELD, System::ALL, System::as_str);
        check(Category::FIELD, Category::ALL, Category::as_str);
        check(Priority::FIELD, Priority::ALL, Priority::as_str);
        check(Channel::FIELD, Channel::ALL, Channel::as_str);
        check(Status::FIELD, Status::ALL, Status::as_str);
        check(Level::FIELD, Level::ALL, Level::as_str);
    }
}

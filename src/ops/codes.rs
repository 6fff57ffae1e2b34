//! The coded fields of a ticket, each with its stable code (stored, and used by the API and the
//! ledger exchange) and its Chinese name (accepted on import, shown on screen through i18n keys
//! `ops.<field>.<code>`).

use serde::{Deserialize, Serialize};

macro_rules! coded {
    ($(#[$m:meta])* $name:ident, $field:literal { $($var:ident = $code:literal / $zh:literal,)* }) => {
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

            pub fn zh(self) -> &'static str {
                match self { $($name::$var => $zh,)* }
            }

            /// From its code or its Chinese name.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s) || v.zh() == s)
            }

            /// Position in `ALL`, for tables indexed by the code.
            pub fn index(self) -> usize {
                Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
            }
        }
    };
}

coded!(
    /// Which system the problem is about.
    System, "system" {
        Catalog = "catalog" / "权责清单系统",
        Hall = "hall" / "网上办事大厅",
        Window = "window" / "一窗综合服务",
        Approval = "approval" / "公共审批平台",
        Platform = "platform" / "平台",
    }
);

coded!(
    Category, "category" {
        Account = "account" / "账号与权限",
        MatterConfig = "matter_config" / "事项配置",
        WorkflowConfig = "workflow_config" / "流程配置",
        PrintTemplate = "print_template" / "打印模板",
        Fault = "fault" / "故障",
        ELicence = "e_licence" / "电子证照",
        DataFix = "data_fix" / "数据修正",
        Security = "security" / "安全",
        Consultation = "consultation" / "咨询",
    }
);

coded!(
    Priority, "priority" {
        Urgent = "urgent" / "紧急",
        High = "high" / "高",
        Normal = "normal" / "普通",
        Low = "low" / "低",
    }
);

coded!(
    /// How the problem reached the desk.
    Channel, "channel" {
        Phone = "phone" / "电话",
        Remote = "remote" / "远程",
        Onsite = "onsite" / "现场",
        Web = "web" / "网页",
        Email = "email" / "邮件",
    }
);

coded!(
    Status, "status" {
        New = "new" / "新建",
        Responded = "responded" / "已响应",
        InProgress = "in_progress" / "处理中",
        Waiting = "waiting" / "等待报告人",
        Resolved = "resolved" / "已解决",
        Closed = "closed" / "已关闭",
    }
);

coded!(
    /// The three levels of response, and the platform's developers above them.
    Level, "level" {
        Community = "community" / "社区",
        Street = "street" / "街道",
        District = "district" / "区",
        Developers = "developers" / "开发商",
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
}

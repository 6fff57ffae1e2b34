//! A matter (事项) as one version of the catalog holds it: identity, legal basis, owner, levels,
//! audience, themes, the service guide (办事指南) and the application form — and the consistency
//! rules a province audits catalogs with (DOMAIN.md, "Rules of the field"). A matter that breaks a
//! rule cannot be published; each violation names its field.

use crate::days::WorkingDays;
use serde::{Deserialize, Serialize};

use super::form::{FieldKind, FormSchema};
use crate::error::FieldError;
use crate::org::{Kind, Unit};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatterType {
    Licensing,
    Confirmation,
    Adjudication,
    Benefit,
    Reward,
    Filing,
    Inspection,
    OtherPower,
    PublicService,
}

impl MatterType {
    pub const ALL: [MatterType; 9] = [
        MatterType::Licensing,
        MatterType::Confirmation,
        MatterType::Adjudication,
        MatterType::Benefit,
        MatterType::Reward,
        MatterType::Filing,
        MatterType::Inspection,
        MatterType::OtherPower,
        MatterType::PublicService,
    ];
    pub fn zh(self) -> &'static str {
        match self {
            MatterType::Licensing => "行政许可",
            MatterType::Confirmation => "行政确认",
            MatterType::Adjudication => "行政裁决",
            MatterType::Benefit => "行政给付",
            MatterType::Reward => "行政奖励",
            MatterType::Filing => "行政备案",
            MatterType::Inspection => "行政检查",
            MatterType::OtherPower => "其他行政权力",
            MatterType::PublicService => "公共服务",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            MatterType::Licensing => "licensing",
            MatterType::Confirmation => "confirmation",
            MatterType::Adjudication => "adjudication",
            MatterType::Benefit => "benefit",
            MatterType::Reward => "reward",
            MatterType::Filing => "filing",
            MatterType::Inspection => "inspection",
            MatterType::OtherPower => "other_power",
            MatterType::PublicService => "public_service",
        }
    }
    /// By code or Chinese name.
    pub fn parse(s: &str) -> Option<MatterType> {
        let s = s.trim();
        MatterType::ALL
            .into_iter()
            .find(|t| t.code() == s || t.zh() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    District,
    Street,
    Community,
}

impl Level {
    pub fn of(kind: Kind) -> Option<Level> {
        match kind {
            Kind::District => Some(Level::District),
            Kind::Street => Some(Level::Street),
            Kind::Community => Some(Level::Community),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Level::District => "district",
            Level::Street => "street",
            Level::Community => "community",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Personal,
    Enterprise,
}

impl Audience {
    pub fn code(self) -> &'static str {
        match self {
            Audience::Personal => "personal",
            Audience::Enterprise => "enterprise",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LegalBasis {
    /// The law or regulation, e.g. 《中华人民共和国人口与计划生育法》.
    pub title: String,
    /// The article and its text.
    pub article: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
    Electronic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Material {
    /// Stable id the form's upload slots refer to.
    pub id: String,
    pub name: String,
    pub form: MaterialForm,
    pub copies: u32,
    pub required: bool,
    /// When the material is needed, for conditional ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Name of a blank template or sample the applicant can download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fee {
    pub item: String,
    /// Yuan, as text with two decimals (no floating-point money).
    pub amount: String,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Faq {
    pub q: String,
    pub a: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Guide {
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub materials: Vec<Material>,
    #[serde(default)]
    pub steps: Vec<String>,
    /// Legal time limit (法定时限) in working days.
    #[serde(default)]
    pub legal_limit_days: Option<WorkingDays>,
    /// Promised time limit (承诺时限) in working days; 0 means on the spot (即办).
    #[serde(default)]
    pub promised_limit_days: WorkingDays,
    /// Fee items; none means free of charge.
    #[serde(default)]
    pub fees: Vec<Fee>,
    #[serde(default)]
    pub channels: Vec<String>,
    /// 网上办理深度, 1 (guide only) … 4 (fully online).
    #[serde(default = "one")]
    pub online_depth: u8,
    /// How many times the applicant must come in person.
    #[serde(default)]
    pub onsite_visits: u8,
    #[serde(default)]
    pub onsite_reason: Option<String>,
    #[serde(default)]
    pub counters: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub consult_phone: String,
    #[serde(default)]
    pub complaint_phone: String,
    #[serde(default)]
    pub faq: Vec<Faq>,
    /// The result the applicant receives (证照/批文名称).
    #[serde(default)]
    pub result_name: String,
}

fn one() -> u8 {
    1
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Matter {
    pub code: String,
    pub name: String,
    pub kind: MatterType,
    /// The district's class, A to D; D-class matters are the district's own.
    pub class: String,
    #[serde(default)]
    pub legal_basis: Vec<LegalBasis>,
    /// Org unit code of the owning department.
    pub department: String,
    pub levels: Vec<Level>,
    pub audience: Vec<Audience>,
    #[serde(default)]
    pub themes: Vec<String>,
    pub guide: Guide,
    #[serde(default)]
    pub form: FormSchema,
    /// The form fields (by key) an e-licence of this matter carries as its content (许可范围,
    /// 地址 …): the licence template of the matter. Never an ID number, phone, e-mail, file or
    /// table: a licence is shown to anyone who checks it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licence_fields: Vec<String>,
}

/// Field kinds a licence never carries: personal or internal data.
pub const NOT_ON_LICENCES: [FieldKind; 6] = [
    FieldKind::ResidentId,
    FieldKind::CreditCode,
    FieldKind::Phone,
    FieldKind::Email,
    FieldKind::File,
    FieldKind::Table,
];

/// Steps a licensing matter must have, in this order.
pub const LICENSING_STEPS: [&str; 5] = ["受理", "审查", "决定", "办结", "送达"];

impl Matter {
    /// 即办件 (1) or 承诺件 (2), as GB/T 39046 codes the case type.
    pub fn case_type(&self) -> u8 {
        if self.guide.promised_limit_days.is_zero() {
            1
        } else {
            2
        }
    }

    pub fn is_free(&self) -> bool {
        self.guide.fees.is_empty()
    }

    /// Everything that stops this matter from being published, by field. `units` is the org tree.
    pub fn violations(&self, units: &[Unit]) -> Vec<FieldError> {
        let mut v = Vec::new();
        let g = &self.guide;
        let ok_code = (6..=50).contains(&self.code.len())
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !ok_code {
            v.push(FieldError::new("code", "rule.code"));
        }
        if self.name.trim().is_empty() {
            v.push(FieldError::new("name", "field.required"));
        }
        if !matches!(self.class.as_str(), "A" | "B" | "C" | "D") {
            v.push(FieldError::new("class", "rule.class"));
        }
        if !units
            .iter()
            .any(|u| u.code == self.department && u.kind == Kind::Department && !u.is_retired())
        {
            v.push(FieldError::with(
                "department",
                "rule.department",
                &self.department,
            ));
        }
        if self.levels.is_empty() {
            v.push(FieldError::new("levels", "field.required"));
        }
        if self.audience.is_empty() {
            v.push(FieldError::new("audience", "field.required"));
        }
        if self.kind != MatterType::PublicService && self.legal_basis.is_empty() {
            v.push(FieldError::new("legal_basis", "rule.legal_basis"));
        }
        if let Some(legal) = g.legal_limit_days
            && g.promised_limit_days > legal
        {
            v.push(FieldError::with(
                "guide.promised_limit_days",
                "rule.promised_over_legal",
                legal.to_string(),
            ));
        }
        if !(1..=4).contains(&g.online_depth) {
            v.push(FieldError::new("guide.online_depth", "rule.depth"));
        }
        if g.online_depth == 4 && g.onsite_visits > 0 {
            v.push(FieldError::new("guide.onsite_visits", "rule.depth4_visits"));
        }
        if g.onsite_visits > 0
            && g.onsite_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            v.push(FieldError::new("guide.onsite_reason", "rule.visit_reason"));
        }
        for (i, f) in g.fees.iter().enumerate() {
            if f.item.trim().is_empty() {
                v.push(FieldError::new(
                    format!("guide.fees[{i}].item"),
                    "field.required",
                ));
            }
            if crate::money::Fen::parse_yuan(&f.amount).is_none_or(|a| a.0 <= 0) {
                v.push(FieldError::new(
                    format!("guide.fees[{i}].amount"),
                    "field.fee",
                ));
            }
            if f.basis.trim().is_empty() {
                v.push(FieldError::new(
                    format!("guide.fees[{i}].basis"),
                    "rule.fee_basis",
                ));
            }
        }
        if self.kind == MatterType::Licensing {
            let missing: Vec<&str> = LICENSING_STEPS
                .iter()
                .filter(|s| !g.steps.iter().any(|step| step.contains(*s)))
                .copied()
                .collect();
            if !missing.is_empty() {
                v.push(FieldError::with(
                    "guide.steps",
                    "rule.licensing_steps",
                    missing.join("、"),
                ));
            }
        }
        if g.materials.is_empty() {
            v.push(FieldError::new("guide.materials", "rule.materials"));
        }
        let mut ids = std::collections::HashSet::new();
        for (i, m) in g.materials.iter().enumerate() {
            if m.id.trim().is_empty() || !ids.insert(m.id.as_str()) {
                v.push(FieldError::with(
                    format!("guide.materials[{i}].id"),
                    "rule.material_id",
                    &m.id,
                ));
            }
            if m.name.trim().is_empty() {
                v.push(FieldError::new(
                    format!("guide.materials[{i}].name"),
                    "field.required",
                ));
            }
        }
        let ids: Vec<String> = g.materials.iter().map(|m| m.id.clone()).collect();
        v.extend(self.form.check(&ids));
        for (i, key) in self.licence_fields.iter().enumerate() {
            let field = format!("licence_fields[{i}]");
            match self.form.fields.iter().find(|f| &f.key == key) {
                None => v.push(FieldError::with(field, "rule.licence_field_unknown", key)),
                Some(f) if NOT_ON_LICENCES.contains(&f.kind) => v.push(FieldError::with(
                    field,
                    "rule.licence_field_personal",
                    &f.label,
                )),
                Some(_) => {}
            }
        }
        v
    }

    /// A licence's content from an application's form: the licence fields, by label, each value
    /// as text; nothing else of the form.
    pub fn licence_content(&self, form: &serde_json::Value) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for key in &self.licence_fields {
            let Some(f) = self.form.fields.iter().find(|f| &f.key == key) else {
                continue;
            };
            if NOT_ON_LICENCES.contains(&f.kind) {
                continue;
            }
            let text = match form.get(key) {
                None | Some(serde_json::Value::Null) => continue,
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Bool(b)) => (if *b { "是" } else { "否" }).to_string(),
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), String::from))
                    .collect::<Vec<_>>()
                    .join("、"),
                Some(other) => other.to_string(),
            };
            out.insert(f.label.clone(), serde_json::Value::String(text));
        }
        serde_json::Value::Object(out)
    }
}

#[cfg(test)]
mod tests;

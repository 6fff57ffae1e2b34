//! The templates the platform starts with, in the style of the district's paper notices.

use super::Kind;

const RECEIPT: &str = r#"# {{ hall.name }}
# 受理回执
办件编号：{{ app.number }}
申请人：{{ app.applicant_name }}（证件号码：{{ app.applicant_id_masked }}）
申请事项：{{ matter.name }}（事项编码 {{ matter.code }}）
受理方式：{{ app.channel_name }}　　受理日期：{{ decided_date }}
承诺办结时限：{% if matter.promised_days == 0 %}即办{% else %}{{ matter.promised_days }} 个工作日{% endif %}
## 已收材料
| 序号 | 材料名称 | 份数 | 核验 |
{% for m in materials %}| {{ loop.index }} | {{ m.name }} | {{ m.files }} | {{ m.check }} |
{% endfor %}
{% if rating_url %}[qr]
> 请扫描二维码，对本次窗口服务作出评价
{% endif %}
---
您的申请已受理。可凭办件编号在网上办事大厅“我的办件”查询办理进度；咨询电话 {{ matter.consult_phone }}，投诉电话 {{ matter.complaint_phone }}。
> 受理人：{{ clerk }}
> {{ hall.name }}（盖章）
> {{ today }}
"#;

const REJECTION: &str = r#"# {{ hall.name }}
# 不予受理通知书
{{ app.applicant_name }}：
您于 {{ submitted_date }} 提交的“{{ matter.name }}”申请（办件编号 {{ app.number }}），经审查，决定不予受理。
理由：{{ app.note }}
如对本决定不服，可自收到本通知书之日起六十日内依法申请行政复议，或者六个月内依法提起行政诉讼。
{% if rating_url %}[qr]
> 请扫描二维码，对本次窗口服务作出评价
{% endif %}
---
> 经办人：{{ clerk }}
> {{ hall.name }}（盖章）
> {{ today }}
"#;

const SUPPLEMENT: &str = r#"# {{ hall.name }}
# 补正材料通知书
{{ app.applicant_name }}：
您于 {{ submitted_date }} 提交的“{{ matter.name }}”申请（办件编号 {{ app.number }}）材料不齐全或者不符合法定形式，请补正以下材料：
| 序号 | 需补正的内容 |
{% for m in missing %}| {{ loop.index }} | {{ m }} |
{% endfor %}
请补正后通过网上办事大厅“我的办件”重新提交，或携带材料到窗口办理。补正期间不计入办理时限。
{% if rating_url %}[qr]
> 请扫描二维码，对本次窗口服务作出评价
{% endif %}
---
> 经办人：{{ clerk }}
> {{ hall.name }}（盖章）
> {{ today }}
"#;

const LICENCE: &str = r#"# {{ licence.matter_name }}
## 证照编号：{{ licence.number }}
| 项目 | 内容 |
| 持证主体 | {{ licence.holder_name }} |
| 证件号码 | {{ licence.holder_id_masked }} |
{% for f in fields %}| {{ f.label }} | {{ f.value }} |
{% endfor %}| 有效期 | {{ licence.valid_from }} 至 {{ licence.valid_until }} |
| 发证机关 | {{ licence.unit_name }} |
[qr]
本证照由发证机关以电子签名签发，扫描二维码或访问 {{ verify_url }} 核验真伪（证照编号与验证码 {{ licence.verify_code }}）。
> {{ licence.unit_name }}
> {{ issued_date }}
"#;

const REFUSAL: &str = r#"# {{ department.name }}
# {{ matter.refusal }}决定书
{{ app.applicant_name }}：
您于 {{ submitted_date }} 在{{ hall.name }}提出的“{{ matter.name }}”申请（办件编号 {{ app.number }}），经审查，决定{{ matter.refusal }}。
{{ app.note }}
---
> {{ department.name }}（盖章）
> {{ decided_date }}
"#;

/// The template a kind starts with.
pub fn body(kind: Kind) -> &'static str {
    match kind {
        Kind::Receipt => RECEIPT,
        Kind::Rejection => REJECTION,
        Kind::Supplement => SUPPLEMENT,
        Kind::Refusal => REFUSAL,
        Kind::Licence => LICENCE,
    }
}

//! The demo catalog: 55 matters of a Longhua-like district, among them the seven the 2018 report
//! names, with believable guides, materials and forms. Generated from a compact table so the
//! demo, the tests and the benchmarks share one source.

use serde_json::json;

use super::form::{Field, FieldKind, FormSchema, ShowIf};
use super::matter::{
    Audience, Faq, Fee, Guide, LegalBasis, Level, Material, MaterialForm, Matter, MatterType,
};

use MatterType::*;

/// The demo district's departments, in the order the sample matters name them (1-based).
pub const DEPARTMENTS: [&str; 12] = [
    "区政务服务局",
    "区卫生健康局",
    "区民政局",
    "区人力资源局",
    "区教育局",
    "区住房和建设局",
    "区市场监督管理局",
    "区发展和改革局",
    "区司法局",
    "区城市管理和综合执法局",
    "区文化广电旅游体育局",
    "区医疗保障局",
];

/// (name, type, department index 1–12, audience is enterprise, levels d/s/c, promised days,
/// legal days, online depth, special material, themes)
type Row = (
    &'static str,
    MatterType,
    u8,
    bool,
    &'static str,
    u32,
    u32,
    u8,
    &'static str,
    &'static str,
);

pub const REPORT_MATTERS: [&str; 7] = [
    "流动人口婚育证明",
    "生育登记",
    "深圳市计划生育证明办理",
    "饮用水供水单位卫生许可",
    "医疗机构执业许可（注销）",
    "病残儿医学鉴定",
    "新建、扩建、改建放射诊疗建设项目卫生审查",
];

const ROWS: [Row; 55] = [
    (
        "流动人口婚育证明",
        PublicService,
        2,
        false,
        "sc",
        0,
        0,
        3,
        "户口簿",
        "生育",
    ),
    (
        "生育登记",
        PublicService,
        2,
        false,
        "dsc",
        0,
        0,
        4,
        "结婚证",
        "生育",
    ),
    (
        "深圳市计划生育证明办理",
        PublicService,
        2,
        false,
        "sc",
        3,
        0,
        3,
        "户口簿",
        "生育",
    ),
    (
        "饮用水供水单位卫生许可",
        Licensing,
        2,
        true,
        "d",
        10,
        20,
        3,
        "水质检测报告",
        "开办企业",
    ),
    (
        "医疗机构执业许可（注销）",
        Licensing,
        2,
        true,
        "d",
        5,
        20,
        3,
        "医疗机构执业许可证正副本",
        "开办企业",
    ),
    (
        "病残儿医学鉴定",
        Confirmation,
        2,
        false,
        "d",
        30,
        60,
        2,
        "病历资料",
        "生育",
    ),
    (
        "新建、扩建、改建放射诊疗建设项目卫生审查",
        Licensing,
        2,
        true,
        "d",
        15,
        20,
        3,
        "放射防护预评价报告",
        "开办企业",
    ),
    (
        "公共场所卫生许可",
        Licensing,
        2,
        true,
        "d",
        10,
        20,
        4,
        "卫生管理制度",
        "开办企业",
    ),
    (
        "母婴保健技术服务执业许可",
        Licensing,
        2,
        true,
        "d",
        15,
        20,
        3,
        "技术人员资格证明",
        "",
    ),
    (
        "护士执业注册",
        Licensing,
        2,
        false,
        "d",
        10,
        20,
        4,
        "护士执业资格考试成绩合格证明",
        "就业",
    ),
    (
        "医师执业注册",
        Licensing,
        2,
        false,
        "d",
        10,
        20,
        4,
        "医师资格证书",
        "就业",
    ),
    (
        "计划生育家庭特别扶助金申请",
        Benefit,
        2,
        false,
        "sc",
        20,
        0,
        3,
        "独生子女证",
        "养老",
    ),
    (
        "结婚登记",
        Confirmation,
        3,
        false,
        "d",
        0,
        0,
        2,
        "本人无配偶及与对方无直系血亲关系的签字声明",
        "婚育",
    ),
    (
        "最低生活保障",
        Benefit,
        3,
        false,
        "sc",
        20,
        30,
        3,
        "家庭收入证明",
        "社会救助",
    ),
    (
        "临时救助",
        Benefit,
        3,
        false,
        "sc",
        10,
        15,
        3,
        "困难情况说明",
        "社会救助",
    ),
    (
        "困难残疾人生活补贴和重度残疾人护理补贴",
        Benefit,
        3,
        false,
        "sc",
        15,
        20,
        4,
        "残疾人证",
        "残疾人",
    ),
    (
        "高龄津贴申领",
        Benefit,
        3,
        false,
        "sc",
        10,
        20,
        4,
        "户口簿",
        "养老",
    ),
    (
        "社会团体成立登记",
        Licensing,
        3,
        true,
        "d",
        30,
        60,
        3,
        "章程草案",
        "",
    ),
    (
        "民办非企业单位成立登记",
        Licensing,
        3,
        true,
        "d",
        30,
        60,
        3,
        "验资报告",
        "",
    ),
    (
        "殡葬补贴申领",
        Benefit,
        3,
        false,
        "s",
        10,
        20,
        3,
        "火化证明",
        "身后事",
    ),
    (
        "就业登记",
        PublicService,
        4,
        false,
        "sc",
        0,
        0,
        4,
        "劳动合同",
        "就业",
    ),
    (
        "失业登记",
        PublicService,
        4,
        false,
        "sc",
        0,
        0,
        4,
        "解除劳动关系证明",
        "就业",
    ),
    (
        "职业技能培训补贴申领",
        Benefit,
        4,
        false,
        "s",
        15,
        0,
        4,
        "职业资格证书",
        "就业",
    ),
    (
        "一次性创业资助",
        Benefit,
        4,
        false,
        "ds",
        20,
        0,
        3,
        "营业执照",
        "开办企业",
    ),
    (
        "劳务派遣经营许可",
        Licensing,
        4,
        true,
        "d",
        15,
        20,
        3,
        "劳务派遣管理制度",
        "开办企业",
    ),
    (
        "民办职业培训学校设立",
        Licensing,
        4,
        true,
        "d",
        30,
        60,
        2,
        "办学章程",
        "",
    ),
    (
        "义务教育阶段学位申请",
        PublicService,
        5,
        false,
        "d",
        20,
        0,
        4,
        "房产证明或租赁凭证",
        "教育",
    ),
    (
        "民办学校办学许可",
        Licensing,
        5,
        true,
        "d",
        30,
        60,
        2,
        "举办者资格证明",
        "",
    ),
    (
        "教师资格认定",
        Confirmation,
        5,
        false,
        "d",
        20,
        30,
        3,
        "普通话水平测试等级证书",
        "就业",
    ),
    (
        "校外培训机构设立审批",
        Licensing,
        5,
        true,
        "d",
        20,
        30,
        3,
        "培训场所证明",
        "开办企业",
    ),
    (
        "建筑工程施工许可",
        Licensing,
        6,
        true,
        "d",
        5,
        7,
        4,
        "施工合同",
        "工程建设",
    ),
    (
        "房屋租赁登记备案",
        Filing,
        6,
        false,
        "sc",
        0,
        0,
        4,
        "房屋租赁合同",
        "住房",
    ),
    (
        "公共租赁住房申请",
        Benefit,
        6,
        false,
        "s",
        30,
        0,
        3,
        "家庭成员住房情况证明",
        "住房",
    ),
    (
        "城镇污水排入排水管网许可",
        Licensing,
        6,
        true,
        "d",
        10,
        20,
        3,
        "排水户内部排水管网图",
        "工程建设",
    ),
    (
        "食品经营许可",
        Licensing,
        7,
        true,
        "d",
        10,
        20,
        4,
        "食品安全管理制度",
        "开办企业",
    ),
    (
        "个体工商户登记",
        Licensing,
        7,
        false,
        "ds",
        1,
        15,
        4,
        "经营场所证明",
        "开办企业",
    ),
    (
        "企业设立登记",
        Licensing,
        7,
        true,
        "d",
        1,
        15,
        4,
        "公司章程",
        "开办企业",
    ),
    (
        "药品零售企业经营许可",
        Licensing,
        7,
        true,
        "d",
        15,
        30,
        3,
        "执业药师注册证",
        "开办企业",
    ),
    (
        "小餐饮经营备案",
        Filing,
        7,
        false,
        "s",
        0,
        0,
        4,
        "从业人员健康证明",
        "开办企业",
    ),
    (
        "企业投资项目备案",
        Filing,
        8,
        true,
        "d",
        2,
        0,
        4,
        "项目基本情况",
        "工程建设",
    ),
    (
        "固定资产投资项目节能审查",
        Licensing,
        8,
        true,
        "d",
        10,
        20,
        3,
        "节能报告",
        "工程建设",
    ),
    (
        "价格认定",
        OtherPower,
        8,
        true,
        "d",
        7,
        0,
        2,
        "价格认定协助书",
        "",
    ),
    (
        "法律援助申请",
        PublicService,
        9,
        false,
        "dsc",
        7,
        7,
        3,
        "经济困难状况说明表",
        "法律服务",
    ),
    (
        "人民调解申请",
        PublicService,
        9,
        false,
        "sc",
        0,
        0,
        2,
        "纠纷情况说明",
        "法律服务",
    ),
    (
        "基层法律服务工作者执业核准",
        Licensing,
        9,
        false,
        "d",
        20,
        30,
        2,
        "法律专业学历证明",
        "就业",
    ),
    (
        "户外广告设施设置许可",
        Licensing,
        10,
        true,
        "d",
        10,
        20,
        3,
        "设置效果图",
        "",
    ),
    (
        "临时占用城市道路许可",
        Licensing,
        10,
        true,
        "ds",
        5,
        20,
        3,
        "占道位置平面图",
        "工程建设",
    ),
    (
        "建筑垃圾处置核准",
        Licensing,
        10,
        true,
        "d",
        10,
        20,
        3,
        "建筑垃圾处置方案",
        "工程建设",
    ),
    (
        "城市绿地树木砍伐迁移许可",
        Licensing,
        10,
        true,
        "d",
        10,
        20,
        2,
        "树木现状图",
        "",
    ),
    (
        "娱乐场所经营许可",
        Licensing,
        11,
        true,
        "d",
        15,
        20,
        3,
        "消防安全检查合格证明",
        "开办企业",
    ),
    (
        "营业性演出许可",
        Licensing,
        11,
        true,
        "d",
        3,
        20,
        4,
        "演出节目内容材料",
        "",
    ),
    (
        "互联网上网服务营业场所经营许可",
        Licensing,
        11,
        true,
        "d",
        15,
        20,
        3,
        "信息网络安全审核意见",
        "开办企业",
    ),
    (
        "基本医疗保险参保登记",
        PublicService,
        12,
        false,
        "dsc",
        0,
        0,
        4,
        "户口簿",
        "医疗",
    ),
    (
        "生育医疗费用报销",
        Benefit,
        12,
        false,
        "s",
        10,
        20,
        4,
        "医疗费用发票",
        "生育",
    ),
    (
        "异地就医备案",
        Filing,
        12,
        false,
        "dsc",
        0,
        0,
        4,
        "异地居住证明",
        "医疗",
    ),
];

fn material(id: &str, name: &str, form: MaterialForm, required: bool) -> Material {
    Material {
        id: id.into(),
        name: name.into(),
        form,
        copies: 1,
        required,
        condition: None,
        template: None,
    }
}

fn personal_form() -> Vec<Field> {
    let mut addr = Field::new("address", "现居住地址", FieldKind::Address).required();
    addr.hint = Some("选择所在社区并填写门牌号".into());
    vec![
        Field::new("applicant_name", "申请人姓名", FieldKind::Text).required(),
        Field::new("applicant_id", "申请人身份证号", FieldKind::ResidentId).required(),
        Field::new("phone", "联系电话", FieldKind::Phone).required(),
        addr,
    ]
}

fn enterprise_form() -> Vec<Field> {
    vec![
        Field::new("company_name", "单位名称", FieldKind::Text).required(),
        Field::new("credit_code", "统一社会信用代码", FieldKind::CreditCode).required(),
        Field::new("legal_rep", "法定代表人", FieldKind::Text).required(),
        Field::new("contact_phone", "联系电话", FieldKind::Phone).required(),
        Field::new("contact_email", "电子邮箱", FieldKind::Email),
    ]
}

/// Matter `i` (0-based) of the demo catalog.
pub fn matter(i: usize) -> Matter {
    let (name, kind, dept, enterprise, levels, promised, legal, depth, special, themes) = ROWS[i];
    let seq = i + 1;
    let mut materials = vec![
        if enterprise {
            material(
                "m_licence",
                "营业执照或法人登记证书",
                MaterialForm::Copy,
                true,
            )
        } else {
            material(
                "m_id",
                "申请人居民身份证",
                MaterialForm::OriginalAndCopy,
                true,
            )
        },
        Material {
            template: Some(format!("{name}申请表.docx")),
            ..material(
                "m_form",
                &format!("《{name}申请表》"),
                MaterialForm::Original,
                true,
            )
        },
        material("m_special", special, MaterialForm::Copy, true),
    ];
    if !enterprise {
        materials.push(Material {
            condition: Some("委托他人办理的".into()),
            ..material(
                "m_proxy",
                "授权委托书及受托人身份证",
                MaterialForm::Original,
                false,
            )
        });
    }
    let steps: Vec<String> = if kind == Licensing {
        [
            "受理：窗口核对材料，符合要求的当场受理",
            "审查：审批科室对申请材料进行审查，必要时现场核查",
            "决定：作出准予或不予许可的决定",
            "办结：制作许可证件或决定书",
            "送达：窗口领取或邮寄送达",
        ]
    } else {
        [
            "受理：窗口或网上核对材料",
            "审核：经办人员审核申请材料",
            "决定：作出办理决定",
            "办结：出具办理结果",
            "送达：当场领取、邮寄或电子送达",
        ]
    }
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut fields = if enterprise {
        enterprise_form()
    } else {
        personal_form()
    };
    if name == "生育登记" {
        fields.push(Field::new("married", "是否已婚", FieldKind::YesNo).required());
        let mut spouse = Field::new("spouse_id", "配偶身份证号", FieldKind::ResidentId).required();
        spouse.show_if = Some(ShowIf {
            field: "married".into(),
            equals: json!(true),
        });
        fields.push(spouse);
        let mut children = Field::new("children", "现有子女", FieldKind::Table);
        children.columns = vec![
            Field::new("name", "姓名", FieldKind::Text).required(),
            Field::new("born", "出生日期", FieldKind::Date).required(),
        ];
        children.max = Some(10.0);
        fields.push(children);
        let mut parity = Field::new("parity", "本次登记孩次", FieldKind::Select).required();
        parity.options = vec!["一孩".into(), "二孩".into(), "三孩".into()];
        fields.push(parity);
    }
    let mut upload = Field::new("upload_special", special, FieldKind::File).required();
    upload.material = Some("m_special".into());
    fields.push(upload);
    let fees = match name {
        "户外广告设施设置许可" => vec![Fee {
            item: "户外广告设施设置使用费".into(),
            amount: "1200.00".into(),
            basis: "《深圳市户外广告管理办法》第十五条".into(),
        }],
        _ => vec![],
    };
    let visits = if depth == 4 { 0 } else { 1 };
    let dept_name = DEPARTMENTS[dept as usize - 1];
    Matter {
        code: format!("4403090{:02}{:03}000", dept, seq),
        name: name.into(),
        kind,
        class: if matches!(kind, PublicService | Filing) {
            "D".into()
        } else {
            ["A", "B", "C"][i % 3].into()
        },
        legal_basis: if kind == PublicService {
            vec![]
        } else {
            vec![LegalBasis {
                title: format!(
                    "《广东省{}管理规定》",
                    name.trim_end_matches("申请").trim_end_matches("许可")
                ),
                article: format!(
                    "第十二条 申请{name}的，应当向所在地县级以上人民政府有关部门提出申请，并提交相关材料。"
                ),
            }]
        },
        department: format!("440309-D{dept:02}"),
        levels: levels
            .chars()
            .map(|c| match c {
                'd' => Level::District,
                's' => Level::Street,
                _ => Level::Community,
            })
            .collect(),
        audience: vec![if enterprise {
            Audience::Enterprise
        } else {
            Audience::Personal
        }],
        themes: themes
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        guide: Guide {
            conditions: vec![
                if enterprise {
                    "申请单位依法设立，具有独立承担法律责任的能力".into()
                } else {
                    "申请人具有本区户籍或持有本区有效居住证".into()
                },
                format!("符合{name}的有关法定条件"),
            ],
            materials,
            steps,
            legal_limit_days: (legal > 0).then_some(legal),
            promised_limit_days: promised,
            fees,
            channels: vec!["窗口办理".into(), "网上办理".into(), "邮寄送达".into()],
            online_depth: depth,
            onsite_visits: visits,
            onsite_reason: (visits > 0).then(|| "需现场核验材料原件".into()),
            counters: format!("龙华区行政服务大厅综合窗口（{dept_name}事项）"),
            hours: "周一至周五 9:00-12:00，14:00-18:00（法定节假日除外）".into(),
            consult_phone: format!("0755-2333{:04}", 1000 + dept as u32 * 11),
            complaint_phone: "0755-12345".into(),
            faq: vec![Faq {
                q: format!("{name}可以委托他人办理吗？"),
                a: "可以，受托人须携带授权委托书及本人身份证。".into(),
            }],
            result_name: if kind == Licensing {
                format!("{}证", name.trim_end_matches("许可"))
            } else {
                format!("{name}结果通知")
            },
        },
        form: FormSchema { fields },
        // What a licence of the matter states beside the holder: for a company its legal
        // representative; for a person nothing of the form.
        licence_fields: if kind == Licensing && enterprise {
            vec!["legal_rep".into()]
        } else {
            vec![]
        },
    }
}

/// The whole demo catalog.
pub fn all() -> Vec<Matter> {
    (0..ROWS.len()).map(matter).collect()
}

//! The demo's performance projects: the seed report's 2018 project exactly as the report gives it
//! (227 → 224 万元, a 279.6 万元 contract paid 40% + 40% by vouchers 0100014480 and 0100024174,
//! the 20% tail in 2019, 881 accounts, 55 matters, 9,287 requests of which 9,150 resolved — and
//! the report's own 127 that should read 137), and a 2019 project-year paying the tail. Dates and
//! numbers the report does not give are invented and marked 示例.

use serde_json::json;

use super::document::Doc;
use crate::auth::Principal;
use crate::storage::Db;

/// The 2018 project-year as the seed report states it.
pub fn project_2018() -> Doc {
    serde_json::from_value(json!({
        "format": super::document::FORMAT,
        "code": "LH-2018-ZWYW",
        "name": "龙华区公共服务综合信息系统运行维护项目",
        "year": 2018,
        "department": "440309-D01",
        "implementing_unit": "区政务服务局",
        "category": "运行维护",
        "period": "2018年1月—2018年12月",
        "basis": [{"number": "深府办〔2015〕39号", "title": "深圳市人民政府办公厅关于印发深圳市推进“互联网+政务服务”工作方案的通知"}],
        "background": "保障我区公共服务综合信息系统（权责清单系统、一窗综合服务受理平台、公共审批平台、网上办事大厅龙华分厅）稳定运行，支撑“一门式一网式”政务服务模式在区、街道和社区三级推广。",
        "budget": {
            "initial": "2270000.00", "initial_date": "2018-01-16",
            "adjustments": [{"date": "2018-08-01", "amount": "-30000.00", "reason": "中标金额低于预算，申请调减（日期为示例）"}],
            "sources": {"当年财政拨款": "2240000.00"},
            "execution_note": "中标金额不可提前确定，实际中标金额比预算低，因此执行率无法达到 100%。"
        },
        "procurement": {"method": "公开招标", "number": "LHQCG2018015973", "vendor": "浪潮软件股份有限公司",
                        "amount": "2796000.00", "date": "2018-05-01"},
        "contract": {"number": "LH-ZWYW-2018（示例）", "amount": "2796000.00", "signed": "2018-05-20",
                     "service_period": "2018年6月—2019年5月（示例）",
                     "installments": [
                         {"percent": 40, "condition": "合同签订生效后"},
                         {"percent": 40, "condition": "合同签订六个月内"},
                         {"percent": 20, "condition": "次年支付"}]},
        "payments": [
            {"date": "2018-06-26", "amount": "1118400.00", "voucher": "0100014480", "installment": 1},
            {"date": "2018-10-24", "amount": "1118400.00", "voucher": "0100024174", "installment": 2}
        ],
        "indicators": [
            {"level1": "投入", "level2": "预算执行", "name": "预算执行率", "nature": ">=", "unit": "%",
             "target": "100", "weight": 10, "source": "budget.execution_rate"},
            {"level1": "产出", "level2": "数量", "name": "正常运行系统数", "nature": "=", "unit": "个",
             "target": "4", "weight": 15, "actual": "4", "evidence": "系统巡检记录"},
            {"level1": "产出", "level2": "数量", "name": "账号及角色管理", "nature": ">=", "unit": "人次",
             "target": "800", "weight": 10, "actual": "881", "evidence": "账号管理台账"},
            {"level1": "产出", "level2": "质量", "name": "故障解决率", "nature": ">=", "unit": "%",
             "target": "95", "weight": 15, "source": "ops.resolution_rate"},
            {"level1": "产出", "level2": "时效", "name": "系统故障响应时间", "nature": "<=", "unit": "分钟",
             "target": "10", "weight": 10, "actual": "1", "evidence": "由原来至少 10 分钟缩短到 1 分钟"},
            {"level1": "效益", "level2": "社会效益", "name": "三级极速响应机制建立", "nature": "qualitative",
             "weight": 15, "band": "达成"},
            {"level1": "效益", "level2": "可持续影响", "name": "“一门式一网式”模式推广", "nature": "qualitative",
             "weight": 15, "band": "达成"},
            {"level1": "满意度", "level2": "服务对象满意度", "name": "工作人员及群众满意度", "nature": ">=", "unit": "%",
             "target": "90", "weight": 10, "actual": "100", "evidence": "全年投诉为零"}
        ],
        "declared": {"ops.total": 9287, "ops.resolved": 9150, "ops.unresolved": 127,
                     "ops.resolution_rate": "98.52", "accounts.active": 881,
                     "catalog.published_matters": 55, "budget.execution_rate": "99.86"}
    }))
    .expect("the demo project is a valid document")
}

/// The 2019 project-year: the contract's 20% tail (its date, voucher and budget are invented).
pub fn project_2019() -> Doc {
    let mut d = project_2018();
    d.code = "LH-2019-ZWYW".into();
    d.year = 2019;
    d.period = "2019年1月—2019年12月".into();
    d.budget = serde_json::from_value(json!({
        "initial": "559200.00", "initial_date": "2019-01-15",
        "sources": {"当年财政拨款": "559200.00"}
    }))
    .expect("budget");
    d.payments = serde_json::from_value(json!([
        {"date": "2019-06-20", "amount": "559200.00", "voucher": "示例-2019-0001", "installment": 3}
    ]))
    .expect("payments");
    d.declared.clear();
    d
}

/// The 2018 report's own narrative, section by section, as the seed writes it (its figures are
/// in the generated parts around them).
pub fn narrative_2018() -> [(&'static str, &'static str); 8] {
    [
        (
            "background",
            "为贯彻落实全省战略部署和省、市领导指示精神，并根据深圳电子政务自身发展的需要，根据《深圳市人民政府办公厅关于印发深圳市基层公共服务综合平台实施方案的通知》（深府办〔2015〕39号）及《市政政务服务管理办公室关于市公共服务综合信息系统部署运行有关工作的通知》（深政务办函〔2017〕25号）文件要求，按照“机构人员统一、场所标识统一、流程内容统一、信息系统统一、经费保障统一”的要求，通过深圳市公共服务综合信息系统（网上办事大厅系统、深圳市权责清单系统、深圳市一窗综合服务受理平台和深圳市公共审批平台）的现场人员运维服务，加强服务内容、服务质量、服务渠道和传播能力建设，保证我区“一门式一网式”政府服务模式改革在区、街道和社区三个层级的推广和深化应用。",
        ),
        (
            "organisation",
            "公共服务综合信息系统运维项目采用三级响应机制，分块管理，分工明确，响应时间由原来至少 10 分钟缩短到 1 分钟，保证了工作人员及群众的办事效率。\n运维服务单位选派十名专职工程师驻场负责系统的运行维护服务工作，安排两名后台开发人员协助支持，其中 1 人为项目经理，按合同服务范围及要求完成各系统日常运维内容，每周将运维处理情况记录，通过邮件方式报告给我局；我局指派专人负责对运维工作进行协调和监督，以及负责按合同要求支付运维项目款。",
        ),
        (
            "management",
            "我局财务管理制度健全，内控管理制度也相对较完善，项目经费的管理和使用均按《深圳市龙华区政务服务局预算管理制度（试行）》、《龙华区政务服务局采购管理制度（试行）》、《龙华区政务服务局收支管理制度（试行）》等相关管理制度规定执行。项目属于采购服务，未发生资产采购、配置、使用、处置及其收益情况。",
        ),
        (
            "conclusion",
            "公共服务综合信息系统运维项目立项政策依据充分。该项目采用公开招标形式采购，符合公开、公平、公正的政府采购原则，最大限度择优选择了项目服务单位。项目资金预算审批、预算调整、资金使用均严格按照我局预算、支出制度规定执行，该项目已完成了预先设定的绩效目标。",
        ),
        (
            "analysis",
            "1. 从项目决策角度分析：该项目目标设置明确、细化、相对量化；项目决策依据符合经济社会发展规划和我局部门年度工作计划；项目决策程序合规并履行相应手续；资金分配合理，已按合同约定条款和我局支付审批流程完成了款项支付。\n2. 从项目管理角度分析：由于实际中标金额比预算低，我局已按区财政要求对该项目申请了预算调整，资金到位率 100%，到位及时。资金使用按合同约定分期付款，经办人在收到服务商开具的合法票据后提出付款请示，经财务初核、部门负责人、办公室负责人、局领导审核及局长办公会审议后支付。项目组织实施建立了快速响应团队，构建区、街道、社区三级响应机制，项目管理机构健全、分工明确，项目管理制度健全并已严格执行。\n3. 从项目绩效角度分析：服务单位按合同完成了四个系统的驻场运行维护服务，系统平稳运行，用户及群众对本项目的投诉为零，系统故障响应时间由原来至少 10 分钟缩短到 1 分钟。",
        ),
        (
            "achievements",
            "（一）有效保障我区“互联网+政务服务”绩效考核工作顺利推进：2018 年度我区“互联网+政务服务”绩效考核工作均未出现考核指标扣分情况，其中第二、三季度绩效考核成绩在全市十个区排名第一。\n（二）不断完善我区公共服务综合信息平台各项功能，为我区政务服务提速提效：对群众在网上办事大厅、窗口人员在受理、审批人员在审批中遇到的问题快速响应，并将系统优化问题如实记录、主动反馈到市平台开发人员。\n（三）建立快速响应团队，构建三级极速响应机制：响应速度由原来至少需十分钟缩减到一分钟内。\n（四）纵横向发展，有效推广了“互联网+政务服务”服务模式：纵向让“互联网+政务服务”模式向街道、向社区深入发展；横向让各区直审批部门在事项标准化、审批流程配置以及业务审批过程中流转更顺畅。",
        ),
        (
            "problems",
            "针对群众、受理人员以及审批人员在使用系统过程中提出的系统优化问题，我区运维人员已如实记录、主动反馈到市平台开发人员，按照急优缓后的原则，不断完善平台的各项功能，但由于受市平台开发人员数量限制，处理时效往往相对较慢，这在一定程度上直接影响了系统使用者的工作效率。",
        ),
        (
            "suggestions",
            "建议市里政务服务部门要求第三方软件系统开发商配备相应数量的程序开发人员，以满足各区对系统优化功能的应急需求。",
        ),
    ]
}

/// Stores the demo's project-years once (when there are none).
pub async fn seed(db: &Db) -> crate::error::Result<()> {
    let have: i64 = crate::storage::query_scalar("SELECT COUNT(*) FROM perf_projects")
        .fetch_one(db)
        .await?;
    if have > 0 || crate::org::by_code(db, "440309-D01").await?.is_none() {
        return Ok(());
    }
    let system = Principal::system();
    // 2019's tail is paid the way a payment is made: requested, approved, recorded as paid.
    let mut tail = project_2019();
    let paid = tail.payments.pop();
    tail.budget.execution_note = Some("尾款经付款申请审批后支付".into());
    for d in [project_2018(), tail] {
        super::repo::import(db, &system, &d).await?;
    }
    if let Some(p) = paid {
        request_2019(db, p).await?;
    }
    for (key, text) in narrative_2018() {
        super::narrative::save(db, &system, "LH-2018-ZWYW", key, text, 0).await?;
    }
    Ok(())
}

/// The 2019 tail's payment request, made by the demo's finance officer, passed by the demo's
/// people at each step of the default payment workflow, and recorded as paid with `p`'s voucher.
async fn request_2019(db: &Db, p: super::document::Payment) -> crate::error::Result<()> {
    use crate::approval::definition::Action;
    use crate::approval::engine;
    let fin = crate::auth::principal_of(db, "finance").await?;
    let r = super::requests::NewRequest {
        amount: p.amount.clone(),
        installment: p.installment,
        payee: "示例：深圳市某信息技术有限公司".into(),
        purpose: "政务服务系统运维服务费尾款（合同金额的 20%，验收合格后支付）".into(),
        files: Vec::new(),
    };
    let req = super::requests::create(db, &fin, "LH-2019-ZWYW", &r, Vec::new()).await?;
    let opinions = [
        "资料齐全，同意",
        "同意",
        "同意",
        "同意支付",
        "经局长办公会审议，同意支付",
    ];
    for opinion in opinions {
        let open: Option<i64> = crate::storage::query_scalar(
            "SELECT id FROM approval_tasks WHERE instance_id = $1 AND status = 'open' \
             ORDER BY id LIMIT 1",
        )
        .bind(req.instance_id)
        .fetch_optional(db)
        .await?;
        let Some(task) = open else { break };
        // Someone the task names, other than the one who asked and than whoever acted already.
        let acted: Vec<String> = crate::storage::query_scalar(
            "SELECT acted_by FROM approval_tasks WHERE instance_id = $1 AND acted_by IS NOT NULL",
        )
        .bind(req.instance_id)
        .fetch_all(db)
        .await?;
        let candidates: Vec<String> = crate::storage::query_scalar(
            "SELECT u.username FROM users u JOIN role_grants g ON g.user_id = u.id \
             JOIN org_units o ON o.id = g.org_unit_id JOIN approval_task_candidates c \
             ON c.role = g.role AND o.path LIKE c.unit_path || '%' WHERE c.task_id = $1 \
             ORDER BY u.username",
        )
        .bind(task)
        .fetch_all(db)
        .await?;
        let Some(who) = candidates
            .iter()
            .find(|u| *u != "finance" && !acted.contains(u))
        else {
            break;
        };
        let who = crate::auth::principal_of(db, who).await?;
        let a = engine::Act {
            action: Action::Pass,
            opinion: opinion.into(),
            to: None,
            procedure: None,
            attachments: Vec::new(),
        };
        engine::act(db, &who, task, &a).await?;
    }
    let paid = super::requests::Paid {
        date: p.date,
        voucher: p.voucher,
    };
    super::requests::pay(db, &fin, &req.number, &paid).await?;
    Ok(())
}

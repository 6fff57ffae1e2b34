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

/// Stores the demo's project-years once (when there are none).
pub async fn seed(db: &Db) -> crate::error::Result<()> {
    let have: i64 = crate::storage::query_scalar("SELECT COUNT(*) FROM perf_projects")
        .fetch_one(db)
        .await?;
    if have > 0 || crate::org::by_code(db, "440309-D01").await?.is_none() {
        return Ok(());
    }
    let system = Principal::system();
    for d in [project_2018(), project_2019()] {
        super::repo::import(db, &system, &d).await?;
    }
    Ok(())
}

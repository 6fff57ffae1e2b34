//! What the computed sources are called in Chinese, for findings and reports.

/// A source's name as a report writes it; the source itself when unknown.
pub fn source_name(source: &str) -> &str {
    match source {
        "ops.total" => "运维服务请求总数",
        "ops.resolved" => "已解决请求数",
        "ops.unresolved" => "未解决请求数",
        "ops.resolution_rate" => "故障解决率",
        "ops.escalated_to_developers" => "转研发处理数",
        "ops.median_first_response_seconds" => "首次响应时间中位数（秒）",
        "ops.response_sla_met_rate" => "响应及时率",
        "ops.resolution_sla_met_rate" => "解决及时率",
        "accounts.active" => "在用账号数",
        "catalog.published_matters" => "发布事项数",
        "applications.submitted" => "办件量",
        "applications.on_time_rate" => "按时办结率",
        "ratings.satisfaction_rate" => "好评率",
        "ratings.complaints" => "投诉件数",
        "inspections.pass_rate" => "巡检通过率",
        "budget.execution_rate" => "预算执行率",
        other => other,
    }
}

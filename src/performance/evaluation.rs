//! A project-year evaluated: its money (adjusted budget, paid, execution, what the contract still
//! owes), each indicator's actual (computed or entered) and score, the total and grade, and the
//! cross-checks (数据一致性校验) — every figure that does not add up is a named finding with the
//! declared and the computed value, in Chinese.

use std::collections::BTreeMap;

use serde::Serialize;

use super::document::{Doc, Money, number};
use super::score::{self, Line, Nature, Scheme};
use super::sources::is_rate;

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct IndicatorScore {
    pub level1: String,
    pub level2: String,
    pub name: String,
    pub nature: String,
    pub unit: String,
    pub source: Option<String>,
    /// In the indicator's unit (a rate as a percentage).
    pub target: Option<String>,
    pub actual: Option<String>,
    pub weight: f64,
    /// Null when not applicable.
    pub score: Option<f64>,
    pub applicable: bool,
    /// 偏差原因分析及改进措施, as entered.
    pub deviation: Option<String>,
}

impl IndicatorScore {
    /// The target as the self-evaluation table writes it: "≥ 95%", "= 4个".
    pub fn target_text(&self) -> Option<String> {
        let sign = match self.nature.as_str() {
            ">=" => "≥",
            "<=" => "≤",
            "=" => "=",
            _ => "",
        };
        self.target
            .as_ref()
            .map(|t| format!("{sign} {t}{}", self.unit_shown()))
    }

    /// The actual with its unit; 不适用 when not applicable, — when nothing is known.
    pub fn actual_text(&self) -> String {
        if !self.applicable {
            return "不适用".into();
        }
        self.actual
            .as_ref()
            .map_or_else(|| "—".into(), |a| format!("{a}{}", self.unit_shown()))
    }

    fn unit_shown(&self) -> &str {
        if self.nature == "qualitative" {
            ""
        } else {
            &self.unit
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Finding {
    pub code: String,
    pub message: String,
    pub declared: Option<String>,
    pub computed: Option<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Evaluation {
    pub code: String,
    pub name: String,
    pub year: i32,
    /// The competent department (its name once stored; the code as written before).
    pub department: String,
    /// Money as decimal yuan.
    pub initial_budget: String,
    pub adjusted_budget: String,
    pub paid: String,
    /// paid ÷ adjusted budget, a fraction.
    pub execution_rate: Option<f64>,
    pub contract_amount: Option<String>,
    /// The contract's paid to date (this year's payments) and what it still owes.
    pub contract_outstanding: Option<String>,
    pub indicators: Vec<IndicatorScore>,
    pub score: f64,
    pub grade: String,
    pub findings: Vec<Finding>,
    /// The scoring scheme it was scored on, with its version.
    #[serde(default)]
    pub scheme: String,
    /// Every computed figure, by source (rates as fractions).
    pub computed: BTreeMap<String, Option<f64>>,
}

/// Yuan with two decimals from signed fen.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    format!("{sign}{}", crate::money::Fen(fen.abs()))
}

/// Fen of a signed yuan figure the evaluation wrote (a total may pass the largest single amount a
/// document may carry, so no cap here); 0 for anything else.
pub fn fen_text(s: &str) -> i64 {
    let t = s.trim();
    let (neg, t) = t.strip_prefix('-').map_or((false, t), |r| (true, r));
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let ok = |x: &str| !x.is_empty() && x.len() <= 16 && x.bytes().all(|b| b.is_ascii_digit());
    if !ok(whole) || frac.len() > 2 || (!frac.is_empty() && !ok(frac)) {
        return 0;
    }
    let v =
        whole.parse::<i64>().unwrap_or(0) * 100 + format!("{frac:0<2}").parse::<i64>().unwrap_or(0);
    if neg { -v } else { v }
}

/// 万元 as the report writes it: four decimals cut to the last non-zero (227, 279.6, 111.84).
pub fn wan(fen: i64) -> String {
    let s = format!("{:.4}", fen as f64 / 1_000_000.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A computed value as the figure is written: a count as a whole number, a rate as a percentage
/// with two decimals.
fn shown(source: &str, v: f64) -> String {
    if is_rate(source) {
        format!("{:.2}%", v * 100.0)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A declared figure as a number (a rate as a fraction: "98.52" is 0.9852).
fn declared_value(d: &Doc, k: &str) -> Option<f64> {
    d.declared.get(k).and_then(|v| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(number))
            .map(|x| if is_rate(k) && x > 1.0 { x / 100.0 } else { x })
    })
}

/// What the cross-checks find in `d` against `computed`.
pub fn findings(d: &Doc, m: &Money, computed: &BTreeMap<String, Option<f64>>) -> Vec<Finding> {
    let mut out = Vec::new();
    let declared = |k: &str| declared_value(d, k);
    // Arithmetic between declared figures: resolved + unresolved = total.
    if let (Some(t), Some(r), Some(u)) = (
        declared("ops.total"),
        declared("ops.resolved"),
        declared("ops.unresolved"),
    ) && (t - r - u).abs() > 0.5
    {
        out.push(Finding {
            code: "arithmetic.ops_unresolved".into(),
            message: format!(
                "运维请求总数 {t:.0} 减已解决 {r:.0} 为 {:.0}，与填报的未解决数 {u:.0} 不符。",
                t - r
            ),
            declared: Some(format!("{u:.0}")),
            computed: Some(format!("{:.0}", t - r)),
        });
    }
    // Each declared figure against the data.
    for (k, _) in d.declared.iter() {
        let (Some(dv), Some(Some(cv))) = (declared(k), computed.get(k)) else {
            continue;
        };
        let same = if is_rate(k) {
            (dv - cv).abs() < 0.00005
        } else {
            (dv - cv).abs() < 0.5
        };
        if !same {
            out.push(Finding {
                code: format!("{k}.declared"),
                message: format!(
                    "填报的 {} 为 {}，平台数据为 {}。",
                    super::names::source_name(k),
                    shown(k, dv),
                    shown(k, *cv)
                ),
                declared: Some(shown(k, dv)),
                computed: Some(shown(k, *cv)),
            });
        }
    }
    // The contract's installments make 100% of it.
    if let Some(c) = &d.contract
        && !c.installments.is_empty()
    {
        let sum: u32 = c.installments.iter().map(|x| x.percent).sum();
        if sum != 100 {
            out.push(Finding {
                code: "contract.installments".into(),
                message: format!("合同分期付款比例合计 {sum}%，应为 100%。"),
                declared: Some(format!("{sum}%")),
                computed: Some("100%".into()),
            });
        }
    }
    // No installment paid beyond its amount.
    let mut per: BTreeMap<usize, i64> = BTreeMap::new();
    for (p, amount) in d.payments.iter().zip(&m.payments) {
        if let Some(n) = p.installment {
            *per.entry(n).or_default() += amount.0;
        }
    }
    for (n, paid) in per {
        if let Some(due) = m.installments.get(n - 1)
            && paid > due.0
        {
            out.push(Finding {
                code: format!("payments.installment{n}"),
                message: format!(
                    "第 {n} 期已付 {} 元，超过该期应付 {} 元。",
                    yuan(paid),
                    yuan(due.0)
                ),
                declared: Some(yuan(paid)),
                computed: Some(yuan(due.0)),
            });
        }
    }
    // Paid within the adjusted budget.
    if m.paid() > m.adjusted() {
        out.push(Finding {
            code: "budget.overspent".into(),
            message: format!(
                "全年支付 {} 元，超过调整后预算 {} 元。",
                yuan(m.paid()),
                yuan(m.adjusted())
            ),
            declared: Some(yuan(m.paid())),
            computed: Some(yuan(m.adjusted())),
        });
    }
    out
}

/// Evaluates `d` (already checked into `m`) with the computed figures; `paid_before`: what
/// earlier project-years paid on the same contract.
pub fn evaluate(
    d: &Doc,
    m: &Money,
    computed: BTreeMap<String, Option<f64>>,
    scheme: &Scheme,
    paid_before: i64,
) -> Evaluation {
    let execution = computed.get("budget.execution_rate").copied().flatten();
    let mut lines = Vec::new();
    let mut shown_rows = Vec::new();
    for x in &d.indicators {
        let nature = Nature::parse(&x.nature).unwrap_or(Nature::Qualitative);
        // The platform's figure; where it has none for the year, the figure people declared.
        let computed_actual = x.source.as_deref().and_then(|s| {
            computed
                .get(s)
                .copied()
                .flatten()
                .or_else(|| declared_value(d, s))
                .map(|v| (s, v))
        });
        let is_execution = x.source.as_deref() == Some("budget.execution_rate");
        // A `%` indicator's computed fraction is compared as a percentage.
        let actual = match computed_actual {
            Some((s, v)) if is_rate(s) && !is_execution && x.unit.trim() == "%" => Some(v * 100.0),
            Some((_, v)) => Some(v),
            None => x.actual.as_deref().and_then(number),
        };
        lines.push(Line {
            nature,
            weight: x.weight,
            target: x.target.as_deref().and_then(number),
            actual,
            band: x.band.clone(),
            applicable: x.applicable,
            execution: is_execution,
        });
        let actual_text = match (computed_actual, &x.actual) {
            (Some((s, v)), _) if is_rate(s) => Some(format!("{:.2}", v * 100.0)),
            (Some((_, v)), _) => Some(if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.2}")
            }),
            (None, Some(a)) => Some(a.clone()),
            (None, None) => x.band.clone(),
        };
        shown_rows.push((x, actual_text));
    }
    let (per, total) = score::score(&lines, scheme);
    // An indicator whose source has nothing for the year scores nothing: said, not hidden.
    let mut no_data = Vec::new();
    for x in d.indicators.iter().filter(|x| x.applicable) {
        if let Some(src) = x.source.as_deref()
            && computed.get(src).copied().flatten().is_none()
        {
            let then = if declared_value(d, src).is_some() {
                "按填报值计"
            } else {
                "按 0 分计"
            };
            no_data.push(Finding {
                code: format!("{src}.no_data"),
                message: format!(
                    "指标“{}”的数据来源（{}）在 {} 年度没有平台数据，{then}。",
                    x.name,
                    super::names::source_name(src),
                    d.year
                ),
                declared: None,
                computed: None,
            });
        }
    }
    let indicators = shown_rows
        .into_iter()
        .zip(per)
        .map(|((x, actual), score)| IndicatorScore {
            level1: x.level1.clone(),
            level2: x.level2.clone(),
            name: x.name.clone(),
            nature: x.nature.clone(),
            unit: x.unit.clone(),
            source: x.source.clone(),
            target: x.target.clone(),
            actual,
            weight: x.weight,
            score,
            applicable: x.applicable,
            deviation: x.deviation.clone(),
        })
        .collect();
    // The points each first-level indicator carries, against the scheme's.
    let mut levels: BTreeMap<&str, f64> = BTreeMap::new();
    for x in &d.indicators {
        *levels.entry(x.level1.trim()).or_default() += x.weight;
    }
    let level_findings: Vec<Finding> = if scheme.levels.is_empty() {
        Vec::new()
    } else {
        let names: std::collections::BTreeSet<&str> = levels
            .keys()
            .copied()
            .chain(scheme.levels.keys().map(String::as_str))
            .collect();
        names
            .into_iter()
            .filter_map(|n| {
                let have = levels.get(n).copied().unwrap_or(0.0);
                let want = scheme.levels.get(n).copied().unwrap_or(0.0);
                ((have - want).abs() > 1e-6).then(|| Finding {
                    code: "scheme.levels".into(),
                    message: format!(
                        "一级指标“{n}”分值合计 {}，评分方案“{}”规定 {}。",
                        score::round2(have),
                        scheme.name,
                        score::round2(want)
                    ),
                    declared: Some(format!("{}", score::round2(have))),
                    computed: Some(format!("{}", score::round2(want))),
                })
            })
            .collect()
    };
    let paid_to_contract = paid_before + m.paid();
    // Paid on the contract over all its years beyond its amount.
    let overpaid = m
        .contract
        .filter(|c| paid_to_contract > c.0)
        .map(|c| Finding {
            code: "contract.overpaid".into(),
            message: format!(
                "合同累计支付 {} 元（含以前年度 {} 元），超过合同金额 {} 元。",
                yuan(paid_to_contract),
                yuan(paid_before),
                yuan(c.0)
            ),
            declared: Some(yuan(c.0)),
            computed: Some(yuan(paid_to_contract)),
        });
    Evaluation {
        code: d.code.clone(),
        name: d.name.clone(),
        year: d.year,
        department: d.department.clone(),
        initial_budget: yuan(m.initial.0),
        adjusted_budget: yuan(m.adjusted()),
        paid: yuan(m.paid()),
        execution_rate: execution.map(|r| (r * 10_000.0).round() / 10_000.0),
        contract_amount: m.contract.map(|c| yuan(c.0)),
        contract_outstanding: m.contract.map(|c| yuan(c.0 - paid_to_contract)),
        indicators,
        score: total,
        grade: score::grade(total, scheme).to_string(),
        findings: findings(d, m, &computed)
            .into_iter()
            .chain(no_data)
            .chain(overpaid)
            .chain(level_findings)
            .collect(),
        scheme: scheme.name.clone(),
        computed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_the_report_writes_it() {
        assert_eq!(wan(227_000_000), "227");
        assert_eq!(wan(279_600_000), "279.6");
        assert_eq!(wan(111_840_000), "111.84");
        assert_eq!(yuan(-3_000_000), "-30000.00");
        assert_eq!(yuan(111_840_000), "1118400.00");
    }
}

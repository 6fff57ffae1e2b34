//! A project-year as exchanged (`format: "zhengwu.performance/1"`): its money, procurement,
//! contract, payments, indicators and the figures people declared; read whole and checked
//! whole — every bad field named by its path, nothing kept of a bad document. Money is decimal
//! yuan in text ("1118400.00"), read into exact fen.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::money::Fen;

pub const FORMAT: &str = "zhengwu.performance/1";

/// The document as written (the API's and the file's shape).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceProject)]
pub struct Doc {
    pub format: String,
    pub code: String,
    pub name: String,
    pub year: i32,
    /// The competent department: an org unit's code.
    pub department: String,
    /// The org unit whose subtree the computed figures cover; the district when not given.
    #[serde(default)]
    pub scope: Option<String>,
    /// The scoring scheme's code (评分方案); the built-in central 2020 rules when not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(default)]
    pub implementing_unit: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub period: String,
    /// Basis documents: number and title (深府办〔2015〕39号 …).
    #[serde(default)]
    pub basis: Vec<Basis>,
    #[serde(default)]
    pub background: String,
    pub budget: Budget,
    #[serde(default)]
    pub procurement: Option<Procurement>,
    #[serde(default)]
    pub contract: Option<Contract>,
    #[serde(default)]
    pub payments: Vec<Payment>,
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Figures people wrote down (a narrative, an old report), by source name.
    #[serde(default)]
    pub declared: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Basis {
    pub number: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Budget {
    pub initial: String,
    #[serde(default)]
    pub initial_date: Option<String>,
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
    /// Where the money comes from: 当年财政拨款 / 上年结转 / 其他, with amounts.
    #[serde(default)]
    pub sources: BTreeMap<String, String>,
    /// Why execution stayed under 90% (required then).
    #[serde(default)]
    pub execution_note: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Adjustment {
    pub date: String,
    /// Signed: "-30000.00" lowers the budget.
    pub amount: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub document: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Procurement {
    pub method: String,
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub vendor: String,
    pub amount: String,
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contract {
    #[serde(default)]
    pub number: String,
    pub amount: String,
    #[serde(default)]
    pub signed: Option<String>,
    #[serde(default)]
    pub service_period: String,
    #[serde(default)]
    pub installments: Vec<Installment>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Installment {
    pub percent: u32,
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub due: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Payment {
    pub date: String,
    pub amount: String,
    #[serde(default)]
    pub voucher: String,
    /// The installment it settles, counted from 1.
    #[serde(default)]
    pub installment: Option<usize>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Indicator {
    pub level1: String,
    #[serde(default)]
    pub level2: String,
    pub name: String,
    /// `>=`, `<=`, `=` or `qualitative`.
    pub nature: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub target: Option<String>,
    /// Points.
    pub weight: f64,
    /// A computed source (`ops.resolution_rate` …); else the actual is entered.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub actual: Option<String>,
    #[serde(default)]
    pub evidence: Option<String>,
    /// A qualitative indicator's band: 达成, 基本达成, 部分达成, 未达成.
    #[serde(default)]
    pub band: Option<String>,
    #[serde(default = "yes")]
    pub applicable: bool,
    #[serde(default)]
    pub reason: Option<String>,
    /// Why the actual misses the target, and what will be done (偏差原因分析及改进措施).
    #[serde(default)]
    pub deviation: Option<String>,
}

fn yes() -> bool {
    true
}

/// The sources the platform computes for a year.
pub const SOURCES: [&str; 16] = [
    "ops.total",
    "ops.resolved",
    "ops.unresolved",
    "ops.resolution_rate",
    "ops.escalated_to_developers",
    "ops.median_first_response_seconds",
    "ops.response_sla_met_rate",
    "ops.resolution_sla_met_rate",
    "accounts.active",
    "catalog.published_matters",
    "applications.submitted",
    "applications.on_time_rate",
    "ratings.satisfaction_rate",
    "ratings.complaints",
    "inspections.pass_rate",
    "budget.execution_rate",
];

pub const METHODS: [&str; 6] = [
    "公开招标",
    "邀请招标",
    "竞争性谈判",
    "单一来源",
    "询价",
    "其他",
];
pub const BANDS: [(&str, f64); 4] = [
    ("达成", 1.0),
    ("基本达成", 0.8),
    ("部分达成", 0.6),
    ("未达成", 0.0),
];

/// The money of a checked document, in fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    pub initial: Fen,
    /// Signed adjustments.
    pub adjustments: Vec<i64>,
    pub contract: Option<Fen>,
    /// Each installment's amount: the contract × its percent, the last taking the remainder so
    /// they add up to the contract exactly.
    pub installments: Vec<Fen>,
    pub payments: Vec<Fen>,
}

impl Money {
    /// 调整后预算: the initial budget after every adjustment.
    pub fn adjusted(&self) -> i64 {
        self.initial.0 + self.adjustments.iter().sum::<i64>()
    }
    pub fn paid(&self) -> i64 {
        self.payments.iter().map(|p| p.0).sum()
    }
}

/// A document's problems with those of the one entry at `prefix` (`payments[3].`) under the
/// entry's own field names, as the form that changed only that entry names them.
pub fn own_fields(errs: Vec<FieldError>, prefix: &str) -> Vec<FieldError> {
    errs.into_iter()
        .map(|mut f| {
            if let Some(rest) = f.field.strip_prefix(prefix) {
                f.field = rest.to_string();
            }
            f
        })
        .collect()
}

/// Signed yuan ("-30000.00") into fen.
pub fn signed_yuan(s: &str) -> Option<i64> {
    let t = s.trim();
    match t.strip_prefix('-') {
        Some(rest) => Fen::parse_yuan(rest).map(|f| -f.0).filter(|v| *v != 0),
        None => Fen::parse_yuan(t).map(|f| f.0),
    }
}

/// Each installment's share of `contract`, exact to the fen: percents of the contract rounded
/// down, the last one taking what is left when the percents make 100.
pub fn installment_amounts(contract: Fen, percents: &[u32]) -> Vec<Fen> {
    let mut out: Vec<Fen> = percents
        .iter()
        .map(|p| Fen(contract.0 * i64::from(*p) / 100))
        .collect();
    if percents.iter().sum::<u32>() == 100 && !out.is_empty() {
        let n = out.len() - 1;
        let before: i64 = out[..n].iter().map(|f| f.0).sum();
        out[n] = Fen(contract.0 - before);
    }
    out
}

/// A project code: 1–64 ASCII letters, digits and hyphens, starting with a letter or digit
/// (compared and kept in upper case, so `lh-2018` is `LH-2018`).
pub fn code_ok(code: &str) -> bool {
    let c = code.trim();
    (1..=64).contains(&c.len())
        && c.chars()
            .next()
            .is_some_and(|ch| ch.is_ascii_alphanumeric())
        && c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
}

/// A free text of at most `max` characters (see [`crate::text::check`]).
pub fn text(path: &str, t: &str, max: usize, errs: &mut Vec<FieldError>) {
    crate::text::check(path, t, max, errs);
}

fn date(path: &str, s: &str, errs: &mut Vec<FieldError>) {
    if NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").is_err() {
        errs.push(FieldError::with(path, "field.date", s));
    }
}

fn money(path: &str, s: &str, errs: &mut Vec<FieldError>) -> Fen {
    Fen::parse_yuan(s).unwrap_or_else(|| {
        errs.push(FieldError::with(path, "field.money", s));
        Fen(0)
    })
}

fn required(path: &str, s: &str, errs: &mut Vec<FieldError>) {
    if s.trim().is_empty() {
        errs.push(FieldError::new(path, "field.required"));
    }
}

/// A number as an indicator's target or actual is written ("95", "99.86").
pub fn number(s: &str) -> Option<f64> {
    let t = s.trim().trim_end_matches('%');
    // A figure a person could mean: finite and within a trillion either way.
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= 1e12)
}

/// Reads a document, naming where its shape is wrong (a missing field, text for a number).
pub fn parse(v: serde_json::Value) -> crate::error::Result<Doc> {
    let mut d: Doc = serde_json::from_value(v).map_err(|e| {
        let msg = e.to_string();
        // serde names a missing field; say it as the field's own problem.
        let missing = msg
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next());
        crate::error::Error::Validation(vec![match missing {
            Some(f) => FieldError::new(f, "field.required"),
            None => FieldError::with("document", "perf.shape", shape_message(&msg)),
        }])
    })?;
    d.code = d.code.trim().to_ascii_uppercase();
    tidy(&mut d);
    Ok(d)
}

/// Writes what a person typed loosely in its one form — money as yuan with two decimals
/// (" 12 ", "00012" → "12.00"), dates as YYYY-MM-DD ("2019-7-1" → "2019-07-01") — leaving
/// anything that does not read for the checks to name.
pub fn tidy(d: &mut Doc) {
    let money = |s: &mut String| {
        if let Some(f) = signed_yuan(s) {
            *s = super::evaluation::yuan(f);
        }
    };
    let day = |s: &mut String| {
        if let Ok(x) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            *s = x.format("%Y-%m-%d").to_string();
        }
    };
    let opt_day = |s: &mut Option<String>| {
        if let Some(x) = s.as_mut() {
            day(x);
        }
    };
    money(&mut d.budget.initial);
    opt_day(&mut d.budget.initial_date);
    for a in &mut d.budget.adjustments {
        money(&mut a.amount);
        day(&mut a.date);
    }
    for v in d.budget.sources.values_mut() {
        money(v);
    }
    if let Some(p) = &mut d.procurement {
        money(&mut p.amount);
        opt_day(&mut p.date);
    }
    if let Some(c) = &mut d.contract {
        money(&mut c.amount);
        opt_day(&mut c.signed);
        for i in &mut c.installments {
            opt_day(&mut i.due);
        }
    }
    for p in &mut d.payments {
        money(&mut p.amount);
        day(&mut p.date);
        p.voucher = p.voucher.trim().to_string();
    }
}

/// serde's words for a wrong type, in Chinese: "invalid type: integer `2270000`, expected a
/// string" → 类型不符（应为文本）：integer `2270000`.
fn shape_message(msg: &str) -> String {
    let expected = msg.split("expected ").nth(1).unwrap_or("");
    let want = if expected.contains("string") {
        "应为文本"
    } else if expected.contains("i32") || expected.contains("u32") || expected.contains("usize") {
        "应为整数"
    } else if expected.contains("f64") {
        "应为数字"
    } else if expected.contains("bool") {
        "应为是或否"
    } else if expected.contains("sequence") {
        "应为列表"
    } else if expected.contains("map") || expected.contains("struct") {
        "应为对象"
    } else {
        "格式不符"
    };
    let got = msg
        .strip_prefix("invalid type: ")
        .or_else(|| msg.strip_prefix("invalid value: "))
        .and_then(|r| r.split(", expected").next())
        .unwrap_or("");
    format!("类型不符（{want}）{got}")
}

/// Checks the whole document; answers its money in fen, or every problem by path.
pub fn check(d: &Doc) -> Result<Money, Vec<FieldError>> {
    let mut e = Vec::new();
    if d.format != FORMAT {
        e.push(FieldError::with("format", "perf.format", FORMAT));
    }
    if !code_ok(&d.code) {
        e.push(FieldError::new("code", "perf.bad_code"));
    }
    required("name", &d.name, &mut e);
    // Text people read: bounded, without control or direction characters.
    let texts = [
        ("name", d.name.as_str(), 200),
        ("implementing_unit", d.implementing_unit.as_str(), 200),
        ("category", d.category.as_str(), 100),
        ("period", d.period.as_str(), 100),
        ("background", d.background.as_str(), 20_000),
    ];
    for (path, t, max) in texts {
        text(path, t, max, &mut e);
    }
    for (i, b) in d.basis.iter().enumerate() {
        text(&format!("basis[{i}].number"), &b.number, 100, &mut e);
        text(&format!("basis[{i}].title"), &b.title, 500, &mut e);
    }
    if !(2000..=2100).contains(&d.year) {
        e.push(FieldError::with("year", "field.range", "2000–2100"));
    }
    required("department", &d.department, &mut e);
    let initial = money("budget.initial", &d.budget.initial, &mut e);
    if let Some(s) = &d.budget.initial_date {
        date("budget.initial_date", s, &mut e);
    }
    let mut adjustments = Vec::new();
    for (i, a) in d.budget.adjustments.iter().enumerate() {
        let p = format!("budget.adjustments[{i}]");
        date(&format!("{p}.date"), &a.date, &mut e);
        match signed_yuan(&a.amount) {
            Some(v) => adjustments.push(v),
            None => e.push(FieldError::with(
                format!("{p}.amount"),
                "field.money",
                &a.amount,
            )),
        }
    }
    for (k, v) in &d.budget.sources {
        money(&format!("budget.sources.{k}"), v, &mut e);
    }
    if let Some(p) = &d.procurement {
        if !METHODS.contains(&p.method.as_str()) {
            e.push(FieldError::with(
                "procurement.method",
                "field.option",
                METHODS.join("、"),
            ));
        }
        money("procurement.amount", &p.amount, &mut e);
        if let Some(s) = &p.date {
            date("procurement.date", s, &mut e);
        }
    }
    let mut contract = None;
    let mut installments = Vec::new();
    if let Some(c) = &d.contract {
        let amount = money("contract.amount", &c.amount, &mut e);
        contract = Some(amount);
        if let Some(s) = &c.signed {
            date("contract.signed", s, &mut e);
        }
        for (i, x) in c.installments.iter().enumerate() {
            if x.percent == 0 || x.percent > 100 {
                e.push(FieldError::with(
                    format!("contract.installments[{i}].percent"),
                    "field.range",
                    "1–100",
                ));
            }
        }
        let percents: Vec<u32> = c.installments.iter().map(|x| x.percent).collect();
        installments = installment_amounts(amount, &percents);
    }
    let mut payments = Vec::new();
    for (i, p) in d.payments.iter().enumerate() {
        let path = format!("payments[{i}]");
        date(&format!("{path}.date"), &p.date, &mut e);
        let fen = money(&format!("{path}.amount"), &p.amount, &mut e);
        if fen.0 == 0 && Fen::parse_yuan(&p.amount).is_some() {
            e.push(FieldError::new(
                format!("{path}.amount"),
                "perf.payment_zero",
            ));
        }
        payments.push(fen);
        // Paid in the project's year (a later year's payment belongs to that year's project).
        if NaiveDate::parse_from_str(p.date.trim(), "%Y-%m-%d")
            .is_ok_and(|day| day.format("%Y").to_string() != d.year.to_string())
        {
            e.push(FieldError::with(
                format!("{path}.date"),
                "perf.payment_year",
                d.year.to_string(),
            ));
        }
        text(&format!("{path}.voucher"), &p.voucher, 64, &mut e);
        if p.voucher.contains(['\n', '\t']) {
            e.push(FieldError::new(
                format!("{path}.voucher"),
                "field.text_chars",
            ));
        }
        if !p.voucher.trim().is_empty()
            && d.payments[..i]
                .iter()
                .any(|q| q.voucher.trim() == p.voucher.trim())
        {
            e.push(FieldError::with(
                format!("{path}.voucher"),
                "perf.voucher_twice",
                p.voucher.trim(),
            ));
        }
        if let Some(n) = p.installment
            && (n == 0 || n > installments.len())
        {
            e.push(FieldError::with(
                format!("{path}.installment"),
                "perf.installment_unknown",
                n.to_string(),
            ));
        }
    }
    for (i, x) in d.indicators.iter().enumerate() {
        let p = format!("indicators[{i}]");
        required(&format!("{p}.name"), &x.name, &mut e);
        required(&format!("{p}.level1"), &x.level1, &mut e);
        if !(0.0..=100.0).contains(&x.weight) || !x.weight.is_finite() {
            e.push(FieldError::with(
                format!("{p}.weight"),
                "field.range",
                "0–100",
            ));
        }
        match x.nature.as_str() {
            ">=" | "<=" | "=" => {
                if x.target.as_deref().and_then(number).is_none() {
                    e.push(FieldError::new(format!("{p}.target"), "field.number"));
                }
                match (&x.source, &x.actual) {
                    (Some(s), _) if !SOURCES.contains(&s.as_str()) => e.push(FieldError::with(
                        format!("{p}.source"),
                        "perf.source",
                        s.clone(),
                    )),
                    (None, Some(a)) if number(a).is_none() => {
                        e.push(FieldError::new(format!("{p}.actual"), "field.number"))
                    }
                    _ => {}
                }
            }
            "qualitative" => {
                if x.applicable
                    && !x
                        .band
                        .as_deref()
                        .is_some_and(|b| BANDS.iter().any(|(n, _)| *n == b))
                {
                    let names: Vec<&str> = BANDS.iter().map(|(n, _)| *n).collect();
                    e.push(FieldError::with(
                        format!("{p}.band"),
                        "field.option",
                        names.join("、"),
                    ));
                }
            }
            _ => e.push(FieldError::with(
                format!("{p}.nature"),
                "field.option",
                ">=、<=、=、qualitative",
            )),
        }
        if !x.applicable && x.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            e.push(FieldError::new(format!("{p}.reason"), "field.required"));
        }
    }
    for (k, v) in &d.declared {
        if !SOURCES.contains(&k.as_str()) {
            e.push(FieldError::with(
                format!("declared.{k}"),
                "perf.source",
                k.clone(),
            ));
        } else {
            let x = v.as_f64().or_else(|| v.as_str().and_then(number));
            let whole = super::sources::is_rate(k) || x.is_some_and(|x| x.fract() == 0.0);
            if !x.is_some_and(|x| (0.0..1e12).contains(&x)) || !whole {
                e.push(FieldError::new(format!("declared.{k}"), "field.number"));
            }
        }
    }
    for (i, x) in d.indicators.iter().enumerate() {
        let p = format!("indicators[{i}]");
        for (f, t, max) in [
            ("name", x.name.as_str(), 200),
            ("level1", x.level1.as_str(), 50),
            ("level2", x.level2.as_str(), 50),
            ("unit", x.unit.as_str(), 20),
        ] {
            text(&format!("{p}.{f}"), t, max, &mut e);
        }
        for (f, t) in [
            ("evidence", &x.evidence),
            ("reason", &x.reason),
            ("deviation", &x.deviation),
        ] {
            if let Some(t) = t {
                text(&format!("{p}.{f}"), t, 2_000, &mut e);
            }
        }
    }
    // The weights are the scheme's 100 points (those not applicable are shared out).
    let weights: f64 = d.indicators.iter().map(|x| x.weight).sum();
    if !d.indicators.is_empty() && (weights - 100.0).abs() > 0.005 {
        e.push(FieldError::with(
            "indicators",
            "perf.weights",
            format!("{weights:.2}"),
        ));
    }
    let m = Money {
        initial,
        adjustments,
        contract,
        installments,
        payments,
    };
    let adjusted = m.adjusted();
    if adjusted < 0 {
        e.push(FieldError::with(
            "budget.adjustments",
            "perf.budget_negative",
            super::evaluation::yuan(adjusted),
        ));
    }
    if m.contract.is_some_and(|c| c.0 == 0) {
        e.push(FieldError::new("contract.amount", "field.money"));
    }
    // Under 90% execution the reason is written down.
    if e.is_empty()
        && adjusted > 0
        && (m.paid() as i128) * 10 < (adjusted as i128) * 9
        && d.budget
            .execution_note
            .as_deref()
            .is_none_or(|n| n.trim().is_empty())
    {
        e.push(FieldError::new(
            "budget.execution_note",
            "perf.execution_note",
        ));
    }
    if e.is_empty() { Ok(m) } else { Err(e) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn installments_add_up_to_the_contract_to_the_fen() {
        let parts = installment_amounts(Fen(279_600_000), &[40, 40, 20]);
        assert_eq!(parts, [Fen(111_840_000), Fen(111_840_000), Fen(55_920_000)]);
        let odd = installment_amounts(Fen(100_001), &[33, 33, 34]);
        assert_eq!(odd.iter().map(|f| f.0).sum::<i64>(), 100_001);
        assert_eq!(signed_yuan("-30000.00"), Some(-3_000_000));
        assert_eq!(signed_yuan("-0"), None);
        assert_eq!(signed_yuan("1e3"), None);
    }

    #[test]
    fn loosely_typed_money_and_dates_are_written_one_way() {
        let mut d = super::super::demo::project_2018();
        d.payments[0].amount = " 001118400 ".into();
        d.payments[0].date = "2018-6-26".into();
        d.budget.adjustments[0].amount = "-30000".into();
        d.budget.initial = "abc".into();
        tidy(&mut d);
        assert_eq!(d.payments[0].amount, "1118400.00");
        assert_eq!(d.payments[0].date, "2018-06-26");
        assert_eq!(d.budget.adjustments[0].amount, "-30000.00");
        assert_eq!(d.budget.initial, "abc", "left for the checks to name");
    }

    proptest! {
        /// Many payments add up exactly: the fen sum equals a decimal reference computed on the
        /// written strings digit by digit.
        #[test]
        fn payments_sum_exactly(amounts in proptest::collection::vec((0u64..10_000_000, 0u8..100), 1..200)) {
            let texts: Vec<String> = amounts.iter().map(|(y, f)| format!("{y}.{f:02}")).collect();
            let fen: i64 = texts.iter().map(|t| Fen::parse_yuan(t).unwrap().0).sum();
            // The reference: whole yuan and fen added separately, as a person would.
            let yuan: u64 = amounts.iter().map(|(y, _)| *y).sum();
            let cents: u64 = amounts.iter().map(|(_, f)| u64::from(*f)).sum();
            let reference = format!("{}.{:02}", yuan + cents / 100, cents % 100);
            prop_assert_eq!(Fen(fen).to_string(), reference);
        }
    }
}

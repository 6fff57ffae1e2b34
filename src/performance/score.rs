//! Self-evaluation scoring (自评), storage-free: each indicator's score from its nature, target
//! and actual; indicators marked not applicable drop out and the others are scaled up so the
//! weights again make the scheme's total; the grade from the total. The default scheme follows
//! the 2020 central rules for self-evaluation (财预〔2020〕10号): 100 points, 优 ≥ 90, 良 ≥ 80,
//! 中 ≥ 60, else 差. Scores are kept to two decimals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::document::BANDS;
use crate::error::FieldError;

/// How an indicator is judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nature {
    AtLeast,
    AtMost,
    Exactly,
    Qualitative,
}

impl Nature {
    pub fn parse(s: &str) -> Option<Nature> {
        match s {
            ">=" => Some(Nature::AtLeast),
            "<=" => Some(Nature::AtMost),
            "=" => Some(Nature::Exactly),
            "qualitative" => Some(Nature::Qualitative),
            _ => None,
        }
    }
}

/// One indicator as scored.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub nature: Nature,
    pub weight: f64,
    pub target: Option<f64>,
    pub actual: Option<f64>,
    pub band: Option<String>,
    pub applicable: bool,
    /// The budget execution indicator: weight × min(1, rate).
    pub execution: bool,
}

/// A grade and the lowest total that earns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceGrade)]
pub struct Grade {
    pub min: f64,
    pub grade: String,
}

/// A scoring scheme (评分方案): its total, grades, the share of its weight each qualitative band
/// earns (percent), and optionally the points each first-level indicator must carry. Provinces
/// keep their own, with versions (`schemes`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = PerformanceScheme)]
pub struct Scheme {
    pub name: String,
    pub total: f64,
    /// Best first.
    pub grades: Vec<Grade>,
    /// Band → percent of the weight, for 达成, 基本达成, 部分达成 and 未达成.
    pub bands: BTreeMap<String, f64>,
    /// First-level indicator → its points (投入 10, 产出 50, …); empty: not checked.
    #[serde(default)]
    pub levels: BTreeMap<String, f64>,
}

/// The built-in scheme's code (财预〔2020〕10号).
pub const CENTRAL_2020: &str = "CY-2020-10";

impl Default for Scheme {
    fn default() -> Self {
        Scheme {
            name: "项目支出绩效自评（财预〔2020〕10号）".into(),
            total: 100.0,
            grades: [(90.0, "优"), (80.0, "良"), (60.0, "中"), (0.0, "差")]
                .iter()
                .map(|(min, g)| Grade {
                    min: *min,
                    grade: g.to_string(),
                })
                .collect(),
            bands: BANDS
                .iter()
                .map(|(n, s)| (n.to_string(), s * 100.0))
                .collect(),
            levels: [
                ("投入", 10.0),
                ("产出", 50.0),
                ("效益", 30.0),
                ("满意度", 10.0),
            ]
            .iter()
            .map(|(n, p)| (n.to_string(), *p))
            .collect(),
        }
    }
}

impl Scheme {
    /// Every problem with the scheme, by field.
    pub fn check(&self) -> Vec<FieldError> {
        let mut e = Vec::new();
        super::document::text("name", &self.name, 200, &mut e);
        if self.name.trim().is_empty() {
            e.push(FieldError::new("name", "field.required"));
        }
        if !(self.total.is_finite() && (1.0..=1000.0).contains(&self.total)) {
            e.push(FieldError::with("total", "field.range", "1–1000"));
        }
        let mins: Vec<f64> = self.grades.iter().map(|g| g.min).collect();
        let names: std::collections::BTreeSet<&str> =
            self.grades.iter().map(|g| g.grade.trim()).collect();
        if self.grades.len() > 10 {
            e.push(FieldError::new("grades", "perf.scheme_grades_count"));
        } else if self.grades.is_empty()
            || names.len() != self.grades.len()
            || self.grades.iter().any(|g| {
                g.grade.trim().is_empty()
                    || g.grade.chars().count() > 20
                    || !g.min.is_finite()
                    || g.min < 0.0
                    || g.min > self.total
            })
            || mins.windows(2).any(|w| w[0] <= w[1])
            || mins.last() != Some(&0.0)
        {
            e.push(FieldError::new("grades", "perf.scheme_grades"));
        }
        for (i, g) in self.grades.iter().enumerate() {
            super::document::text(&format!("grades[{i}].grade"), &g.grade, 20, &mut e);
        }
        let names: Vec<&str> = BANDS.iter().map(|(n, _)| *n).collect();
        if self.bands.len() != names.len()
            || !names.iter().all(|n| {
                self.bands
                    .get(*n)
                    .is_some_and(|p| p.is_finite() && (0.0..=100.0).contains(p))
            })
        {
            e.push(FieldError::with(
                "bands",
                "perf.scheme_bands",
                names.join("、"),
            ));
        }
        if !self.levels.is_empty() && self.total.is_finite() {
            let sum: f64 = self.levels.values().sum();
            if self.levels.values().any(|p| !p.is_finite() || *p < 0.0)
                || (sum - self.total).abs() > 1e-6
                || self
                    .levels
                    .keys()
                    .any(|k| k.trim().is_empty() || k.chars().count() > 20)
            {
                e.push(FieldError::with(
                    "levels",
                    "perf.scheme_levels",
                    format!("{}", self.total),
                ));
            }
        }
        e
    }
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The share of its weight an indicator earns, in [0, 1]; `None` when it cannot be judged
/// (no actual).
pub fn share(l: &Line, scheme: &Scheme) -> Option<f64> {
    if l.execution {
        return l.actual.map(|r| r.clamp(0.0, 1.0));
    }
    match l.nature {
        Nature::Qualitative => {
            let b = l.band.as_deref()?;
            scheme.bands.get(b).map(|p| (p / 100.0).clamp(0.0, 1.0))
        }
        Nature::AtLeast => {
            let (t, a) = (l.target?, l.actual?);
            Some(if a >= t || t <= 0.0 {
                1.0
            } else {
                (a / t).max(0.0)
            })
        }
        Nature::AtMost => {
            let (t, a) = (l.target?, l.actual?);
            Some(if a <= t {
                1.0
            } else if a <= 0.0 {
                0.0
            } else {
                (t / a).max(0.0)
            })
        }
        Nature::Exactly => {
            let (t, a) = (l.target?, l.actual?);
            Some(if (a - t).abs() < 1e-9 { 1.0 } else { 0.0 })
        }
    }
}

/// Each line's score (none for one not applicable) and the total, both to two decimals.
pub fn score(lines: &[Line], scheme: &Scheme) -> (Vec<Option<f64>>, f64) {
    let applicable: f64 = lines
        .iter()
        .filter(|l| l.applicable)
        .map(|l| l.weight)
        .sum();
    let declared: f64 = lines.iter().map(|l| l.weight).sum();
    // The weights as the scheme counts them: what is not applicable is shared out by proportion.
    let scale = if applicable > 0.0 && declared > applicable {
        declared.min(scheme.total) / applicable
    } else {
        1.0
    };
    let mut total = 0.0;
    let per = lines
        .iter()
        .map(|l| {
            l.applicable.then(|| {
                let s = round2(l.weight * scale * share(l, scheme).unwrap_or(0.0));
                total += s;
                s
            })
        })
        .collect();
    (per, round2(total))
}

pub fn grade(score: f64, scheme: &Scheme) -> &str {
    scheme
        .grades
        .iter()
        .find(|g| score >= g.min)
        .map_or("", |g| g.grade.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(nature: Nature, weight: f64, target: f64, actual: f64) -> Line {
        Line {
            nature,
            weight,
            target: Some(target),
            actual: Some(actual),
            band: None,
            applicable: true,
            execution: false,
        }
    }

    #[test]
    fn each_nature_scores_as_the_rules_say() {
        let s = Scheme::default();
        let one = |l: Line| score(&[l], &s).1;
        assert_eq!(one(line(Nature::AtLeast, 20.0, 95.0, 98.52)), 20.0);
        assert_eq!(one(line(Nature::AtLeast, 20.0, 95.0, 85.5)), 18.0);
        assert_eq!(one(line(Nature::AtMost, 10.0, 2.0, 4.0)), 5.0);
        assert_eq!(one(line(Nature::AtMost, 10.0, 2.0, 1.0)), 10.0);
        assert_eq!(one(line(Nature::Exactly, 10.0, 4.0, 4.0)), 10.0);
        assert_eq!(one(line(Nature::Exactly, 10.0, 4.0, 3.0)), 0.0);
        for (band, points) in [
            ("达成", 30.0),
            ("基本达成", 24.0),
            ("部分达成", 18.0),
            ("未达成", 0.0),
        ] {
            let l = Line {
                band: Some(band.into()),
                ..line(Nature::Qualitative, 30.0, 0.0, 0.0)
            };
            assert_eq!(one(l), points, "{band}");
        }
        let exec = Line {
            execution: true,
            ..line(Nature::AtLeast, 10.0, 100.0, 0.9986)
        };
        assert_eq!(one(exec.clone()), 9.99);
        assert_eq!(
            one(Line {
                actual: Some(1.2),
                ..exec
            }),
            10.0
        );
    }

    #[test]
    fn not_applicable_is_shared_out_and_grades_have_edges() {
        let s = Scheme::default();
        let mut lines = vec![
            line(Nature::AtLeast, 10.0, 100.0, 100.0),
            line(Nature::AtLeast, 50.0, 100.0, 100.0),
            line(Nature::AtLeast, 30.0, 100.0, 50.0),
            line(Nature::AtLeast, 10.0, 100.0, 100.0),
        ];
        lines[3].applicable = false;
        let (per, total) = score(&lines, &s);
        // 90 points applicable, scaled to 100: 11.11 + 55.56 + 16.67.
        assert_eq!(per, [Some(11.11), Some(55.56), Some(16.67), None]);
        assert_eq!(total, 83.34);
        assert_eq!(grade(89.99, &s), "良");
        assert_eq!(grade(90.0, &s), "优");
        assert_eq!(grade(79.99, &s), "中");
        assert_eq!(grade(59.99, &s), "差");
    }

    #[test]
    fn a_provinces_scheme_changes_bands_and_grades_and_is_checked() {
        let mut s = Scheme::default();
        assert!(s.check().is_empty());
        s.bands.insert("基本达成".into(), 70.0);
        s.grades[0].min = 95.0;
        let l = Line {
            band: Some("基本达成".into()),
            ..line(Nature::Qualitative, 30.0, 0.0, 0.0)
        };
        assert_eq!(score(&[l], &s).1, 21.0);
        assert_eq!(grade(94.0, &s), "良");
        let mut bad = s.clone();
        bad.grades.swap(0, 1);
        bad.bands.remove("未达成");
        bad.levels.insert("投入".into(), 20.0);
        let fields: Vec<String> = bad.check().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["grades", "bands", "levels"]);
    }
}

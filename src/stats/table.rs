//! A report's table (报表): the period's facts inside a unit's subtree, narrowed by the
//! report's filters, grouped by one or two dimensions (department, street, community, hall,
//! matter, channel, month, week), each row carrying the report's measures — counts (submitted,
//! accepted, rejected, supplements, approved, refused, finished, overdue, ratings) and the
//! assessment's rates — with the totals beneath. Catalog rates need a unit to count the catalog
//! of, so they have values only in rows by department or street, and in the totals.

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use serde::Serialize;

use super::Basis;
use super::assessment::{self, Tree};
use super::facts::{Cell, Key};
use crate::i18n::{Lang, tr};
use crate::org::{Kind, Unit};

/// The dimensions a report groups by.
pub const DIMENSIONS: [&str; 8] = [
    "department",
    "street",
    "community",
    "hall",
    "matter",
    "channel",
    "month",
    "week",
];

/// The counts a report may show.
pub const COUNTS: [&str; 9] = [
    "submitted",
    "accepted",
    "rejected",
    "supplements",
    "approved",
    "refused",
    "finished",
    "overdue",
    "ratings",
];

/// Whether `m` is a measure a report may show: a count or an assessment indicator.
pub fn is_measure(m: &str) -> bool {
    COUNTS.contains(&m) || assessment::INDICATORS.contains(&m)
}

/// The catalog's rates: counted over a unit's catalog.
const CATALOG: [&str; 5] = [
    "online_capable_rate",
    "fully_online_rate",
    "at_most_one_visit_rate",
    "immediate_rate",
    "time_compression_rate",
];

/// What narrows a report's cells (empty: everything).
#[derive(Debug, Clone, Default)]
pub struct Narrow<'a> {
    pub channels: &'a [String],
    pub matters: &'a [String],
    pub departments: &'a [String],
}

/// A report's table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ReportTable)]
pub struct Table {
    /// The dimensions' and measures' keys, in order.
    pub dimensions: Vec<String>,
    pub measures: Vec<String>,
    pub rows: Vec<Row>,
    pub totals: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ReportRow)]
pub struct Row {
    /// One label per dimension.
    pub labels: Vec<String>,
    /// One value per measure (`null`: nothing to divide, or not counted for this row).
    pub values: Vec<Option<f64>>,
}

/// A measure of folded counts (and the catalog counted for the row, when there is one).
pub fn measure(
    m: &str,
    c: &Cell,
    cat: Option<&assessment::CatalogCell>,
    minutes_per_day: i64,
) -> Option<f64> {
    let n = |x: i64| Some(x as f64);
    match m {
        "submitted" => n(c.filed),
        "accepted" => n(c.accepted),
        "rejected" => n(c.rejected),
        "supplements" => n(c.supplements),
        "approved" => n(c.approved),
        "refused" => n(c.refused),
        "finished" => n(c.finished),
        "ratings" => n(c.ratings),
        _ if CATALOG.contains(&m) && cat.is_none() => None,
        _ => {
            let empty = assessment::CatalogCell::default();
            let a =
                assessment::from_cells(c, cat.unwrap_or(&empty), minutes_per_day, BTreeMap::new());
            a.value(m)
        }
    }
}

/// The label of dimension `dim` for the cell at `k`.
fn label(dim: &str, k: &Key, tree: &Tree, names: &Names, lang: Lang) -> String {
    let ancestor = |kind: Kind| {
        tree.path_of(k.unit_id).and_then(|p| {
            tree.units
                .iter()
                .find(|u| u.kind == kind && p.starts_with(&u.path))
        })
    };
    match dim {
        "department" => tree
            .department_of(&k.matter)
            .and_then(|d| names.units.get(d))
            .cloned()
            .unwrap_or_else(|| "—".into()),
        "street" => ancestor(Kind::Street)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| tr(lang, "report.district_level").into()),
        "community" => ancestor(Kind::Community)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| "—".into()),
        "hall" => ancestor(Kind::Hall)
            .map(|u| u.name.clone())
            .unwrap_or_else(|| tr(lang, "report.no_hall").into()),
        "matter" => names
            .matters
            .get(&k.matter)
            .cloned()
            .unwrap_or_else(|| k.matter.clone()),
        "channel" => tr(
            lang,
            &format!(
                "stats.ch.{}",
                if k.channel.is_empty() {
                    "api"
                } else {
                    &k.channel
                }
            ),
        )
        .into(),
        "month" => format!("{}-{:02}", k.day.year(), k.day.month()),
        _ => {
            let w = k.day.iso_week();
            format!("{}-W{:02}", w.year(), w.week())
        }
    }
}

/// Names of units (by code) and matters (by code).
pub struct Names {
    pub units: HashMap<String, String>,
    pub matters: HashMap<String, String>,
}

/// The unit a row's label names, for catalog rates: a department or a street.
fn unit_named<'a>(units: &'a [Unit], dim: &str, name: &str) -> Option<&'a Unit> {
    let kind = match dim {
        "department" => Kind::Department,
        "street" => Kind::Street,
        _ => return None,
    };
    units.iter().find(|u| u.kind == kind && u.name == name)
}

/// The table of `measures` by `dims` over `scope`, narrowed by `narrow`.
pub fn build(
    b: &Basis,
    scope: &Unit,
    dims: &[String],
    measures: &[String],
    narrow: &Narrow,
    names: &Names,
    lang: Lang,
) -> Table {
    let tree = b.tree();
    let mut groups: BTreeMap<Vec<String>, Cell> = BTreeMap::new();
    let mut total = Cell::default();
    for (k, v) in &b.facts.cells {
        if !tree.holds(&scope.path, k.unit_id, &k.matter)
            || (!narrow.channels.is_empty() && !narrow.channels.contains(&k.channel))
            || (!narrow.matters.is_empty() && !narrow.matters.contains(&k.matter))
            || (!narrow.departments.is_empty()
                && !tree
                    .department_of(&k.matter)
                    .is_some_and(|d| narrow.departments.iter().any(|x| x == d)))
        {
            continue;
        }
        let labels: Vec<String> = dims
            .iter()
            .map(|d| label(d, k, &tree, names, lang))
            .collect();
        groups.entry(labels).or_default().add(v);
        total.add(v);
    }
    let per_day = b.facts.minutes_per_day;
    let single = (dims.len() == 1).then(|| dims[0].as_str());
    let rows = groups
        .into_iter()
        .map(|(labels, c)| {
            let cat = single
                .and_then(|d| unit_named(&b.units, d, &labels[0]))
                .map(|u| assessment::catalog_of(&tree, &b.catalog, u));
            Row {
                values: measures
                    .iter()
                    .map(|m| measure(m, &c, cat.as_ref(), per_day))
                    .collect(),
                labels,
            }
        })
        .collect();
    let cat = assessment::catalog_of(&tree, &b.catalog, scope);
    Table {
        dimensions: dims.to_vec(),
        measures: measures.to_vec(),
        rows,
        totals: measures
            .iter()
            .map(|m| measure(m, &total, Some(&cat), per_day))
            .collect(),
    }
}

/// A measure's value as a page or a sheet shows it.
pub fn shown(m: &str, v: Option<f64>) -> String {
    match v {
        None => "—".into(),
        Some(x) if assessment::is_rate(m) => format!("{:.2}%", x * 100.0),
        Some(x) if m == "average_working_days" => format!("{x:.1}"),
        Some(x) => format!("{x:.0}"),
    }
}

/// A dimension's or a measure's heading.
pub fn heading(lang: Lang, key: &str) -> String {
    let k = if DIMENSIONS.contains(&key) {
        format!("report.dim.{key}")
    } else if COUNTS.contains(&key) {
        format!("report.m.{key}")
    } else {
        format!("stats.ind.{key}")
    };
    tr(lang, &k).to_string()
}

/// The table as a workbook: the headings, a row per group, the totals; rates as percentages
/// with two decimals, counts as numbers.
pub fn xlsx(title: &str, t: &Table, lang: Lang) -> crate::error::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let run = || -> anyhow::Result<Vec<u8>> {
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let pct = Format::new().set_num_format("0.00%");
        let ws = wb.add_worksheet();
        ws.write_string_with_format(0, 0, crate::sheets::xlsx_cell(title), &bold)?;
        let heads: Vec<String> = t
            .dimensions
            .iter()
            .chain(&t.measures)
            .map(|k| heading(lang, k))
            .collect();
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, h, &bold)?;
        }
        let dims = t.dimensions.len();
        let put = |ws: &mut rust_xlsxwriter::Worksheet,
                   r: u32,
                   values: &[Option<f64>]|
         -> anyhow::Result<()> {
            for (i, (m, v)) in t.measures.iter().zip(values).enumerate() {
                let c = (dims + i) as u16;
                match v {
                    Some(x) if assessment::is_rate(m) => {
                        ws.write_number_with_format(r, c, *x, &pct)?;
                    }
                    Some(x) => {
                        ws.write_number(r, c, *x)?;
                    }
                    None => {
                        ws.write_string(r, c, "—")?;
                    }
                }
            }
            Ok(())
        };
        for (i, row) in t.rows.iter().enumerate() {
            let r = i as u32 + 3;
            for (c, l) in row.labels.iter().enumerate() {
                ws.write_string(r, c as u16, crate::sheets::xlsx_cell(l))?;
            }
            put(ws, r, &row.values)?;
        }
        let r = t.rows.len() as u32 + 3;
        ws.write_string_with_format(r, 0, tr(lang, "report.total"), &bold)?;
        put(ws, r, &t.totals)?;
        ws.set_column_width(0, 18)?;
        Ok(wb.save_to_buffer()?)
    };
    run().map_err(crate::error::Error::Internal)
}

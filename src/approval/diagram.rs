//! A workflow definition drawn as SVG: one box per step, left to right, with who acts, whether it
//! is a countersign, and its time limit. Written by hand: the drawing is a row of boxes and arrows,
//! which needs no layout engine, and the output must embed in a page without scripts.

use super::definition::{ActorSpec, UnitSel, WorkflowDef};
use crate::i18n::{Lang, tr};
use crate::org::Unit;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Who acts, in words: a role at a unit relative to the application, a role at a fixed unit
/// (by its name in `units`, else its code), or named people.
fn actor_label(a: &ActorSpec, lang: Lang, units: &[Unit]) -> String {
    match a {
        ActorSpec::Role { role, at } => {
            let unit = match at {
                UnitSel::ApplicationHall => tr(lang, "wf.at_hall").to_string(),
                UnitSel::ApplicationStreet => tr(lang, "wf.at_street").to_string(),
                UnitSel::ApplicationCommunity => tr(lang, "wf.at_community").to_string(),
                UnitSel::OwningDepartment => tr(lang, "wf.at_department").to_string(),
                UnitSel::Unit { code } => units
                    .iter()
                    .find(|u| u.code == *code)
                    .map_or_else(|| code.clone(), |u| u.name.clone()),
            };
            format!("{}·{}", unit, tr(lang, &format!("role.{}", role.as_str())))
        }
        ActorSpec::Users { usernames } => usernames.join("、"),
    }
}

const W: i32 = 150;
const GAP: i32 = 40;

pub fn svg(def: &WorkflowDef, lang: Lang, units: &[Unit]) -> String {
    let rows = def
        .steps
        .iter()
        .map(|s| s.actors.len().max(1))
        .max()
        .unwrap_or(1) as i32;
    let h = 64 + rows * 18;
    let width = 20 + def.steps.len() as i32 * (W + GAP);
    let mut out = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {}" width="{width}" height="{}" role="img" font-family="Noto Sans CJK SC, sans-serif" font-size="13"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#1d4f91"/></marker></defs><title>{}</title>"##,
        h + 30,
        h + 30,
        esc(&format!(
            "{}：{}",
            tr(lang, "wf.diagram"),
            def.steps
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(" → ")
        ))
    );
    for (i, s) in def.steps.iter().enumerate() {
        let x = 10 + i as i32 * (W + GAP);
        let fill = if s.countersign { "#fff1d6" } else { "#e8f0fb" };
        out.push_str(&format!(
            r##"<g class="step"><rect x="{x}" y="10" width="{W}" height="{h}" rx="8" fill="{fill}" stroke="#1d4f91"/><text x="{}" y="32" text-anchor="middle" font-weight="bold" font-size="15">{}</text>"##,
            x + W / 2,
            esc(&format!("{}. {}", i + 1, s.name))
        ));
        for (j, a) in s.actors.iter().enumerate() {
            out.push_str(&format!(
                r##"<text x="{}" y="{}" text-anchor="middle" fill="#333">{}</text>"##,
                x + W / 2,
                52 + j as i32 * 18,
                esc(&actor_label(a, lang, units))
            ));
        }
        let foot = if s.countersign {
            format!(
                "{} · {}",
                tr(lang, "wf.countersign"),
                crate::i18n::tr_args(lang, "hall.days", &[("n", &s.limit_days.to_string())])
            )
        } else {
            crate::i18n::tr_args(lang, "hall.days", &[("n", &s.limit_days.to_string())])
        };
        out.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#5b6470" font-size="12">{}</text></g>"##,
            x + W / 2,
            h + 2,
            esc(&foot)
        ));
        if i + 1 < def.steps.len() {
            let y = 10 + h / 2;
            out.push_str(&format!(
                r##"<line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#1d4f91" stroke-width="2" marker-end="url(#arrow)"/>"##,
                x + W,
                x + W + GAP - 2
            ));
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::definition::WorkflowDef;

    #[test]
    fn draws_each_step_with_an_arrow_between() {
        let mut d = WorkflowDef::standard(crate::days::WorkingDays::of(10));
        d.steps[1].countersign = true;
        d.steps[1].actors.push(ActorSpec::Role {
            role: crate::auth::Role::Approver,
            at: UnitSel::Unit {
                code: "440309-D03".into(),
            },
        });
        let s = svg(&d, Lang::Zh, &[]);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        // Named for a screen reader: the steps in order.
        assert!(s.contains("<title>流程图：受理 → "), "{s}");
        assert_eq!(s.matches("<g class=\"step\">").count(), 5);
        assert_eq!(s.matches("<line ").count(), 4);
        assert!(s.contains("1. 受理") && s.contains("会签") && s.contains("440309-D03"));
        assert!(!svg(&WorkflowDef::default(), Lang::En, &[]).contains("<g"));
        // A fixed unit shows by its name when it is known.
        let market = Unit {
            id: 9,
            code: "440309-D03".into(),
            name: "区市场监督管理局".into(),
            kind: crate::org::Kind::Department,
            parent_id: Some(1),
            path: "/1/9/".into(),
            depth: 1,
            retired_at: None,
        };
        let named = svg(&d, Lang::Zh, &[market]);
        assert!(named.contains("区市场监督管理局·审批人员") && !named.contains("440309-D03"));
    }
}

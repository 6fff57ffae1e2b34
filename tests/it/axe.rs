//! axe-core (WCAG 2.0/2.1, levels A and AA) in headless Chromium on every page shape of the demo
//! district, as a stranger and as each demo role reaches it by following links: no serious or
//! critical violation anywhere — contrast, names of controls and images, labels, landmarks.
//!
//! axe-core is vendored as a test asset (`tests/vendor/axe.min.js`, MPL-2.0, Deque Systems) and
//! run on each new document through the DevTools protocol, which the site's CSP does not govern.

use std::collections::BTreeSet;

use serde_json::json;

use crate::browser::Driver;
use crate::crawl::{ROLES, demo_app, pages, public, shape};
use crate::support::pages::{browser, sign_in};

const AXE: &str = include_str!("../vendor/axe.min.js");

/// The serious and critical violations on the page now open, one line each with where.
const RUN: &str = r#"
  const done = arguments[arguments.length - 1];
  axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  }).then(r => done(r.violations
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(v => v.id + ' (' + v.nodes.length + '×): ' +
           v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' +
             (n.failureSummary || '').split('\n').slice(1, 2).join('')).join(' | '))))
   .catch(e => done(['axe failed: ' + e]));
"#;

#[tokio::test]
async fn axe_finds_no_serious_violation_on_any_page() {
    if std::env::var("ZHENGWU_SKIP_BROWSER").is_ok() {
        return;
    }
    let app = demo_app().await;
    let d = Driver::start().await;
    d.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": AXE}),
    )
    .await;
    let mut checked = BTreeSet::new();
    let mut problems = Vec::new();
    let mut count = 0;
    for who in std::iter::once("stranger").chain(ROLES) {
        let c = browser();
        let (reached, answered) = if who == "stranger" {
            pages(&app, &c, who, &public(&app).await, 40).await
        } else {
            sign_in(&app, &c, who).await;
            pages(&app, &c, who, &["/".into()], 120).await
        };
        problems.extend(answered);
        // The same page shape is the same markup for everyone who reaches it first.
        let todo: Vec<String> = reached
            .into_iter()
            .map(|(path, _)| path)
            .filter(|p| checked.insert(shape(p)))
            .collect();
        if todo.is_empty() {
            continue;
        }
        d.go(&app.url("/hall")).await;
        d.clear_cookies().await;
        if who != "stranger" {
            d.sign_in(&app, who).await;
        }
        for path in todo {
            d.go(&app.url(&path)).await;
            // The newest pages, kept to look at (target/screenshots/).
            if path.starts_with("/performance") {
                d.screenshot(&format!("page{}", path.replace('/', "-")))
                    .await;
            }
            let found = d.script_async(RUN).await;
            count += 1;
            for v in found.as_array().into_iter().flatten() {
                problems.push(format!("{who} {path}: {}", v.as_str().unwrap_or("?")));
            }
        }
    }
    assert!(count >= 60, "only {count} pages checked");
    assert!(
        problems.is_empty(),
        "{} violations on {count} pages:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

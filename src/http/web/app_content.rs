//! What an application says, as people read it, for every page that shows one: the
//! application page (applicant and clerks) and the approver's page. Its form's fields with
//! their values made readable (no JSON, no `true`, ID numbers masked unless revealed on
//! purpose), and its materials with their files and the clerk's checks.

use minijinja::{Value, context};

use crate::applications::{self, Application};
use crate::catalog::Matter;
use crate::catalog::form::{Names, readable, unit_names};
use crate::error::Result;
use crate::http::AppState;
use crate::http::pages::ser;
use crate::i18n::Lang;

/// The fields (label, value) and materials (name, files, check) of `a`, a form of `matter`.
pub async fn content(
    s: &AppState,
    lang: Lang,
    a: &Application,
    matter: &Matter,
    reveal: bool,
) -> Result<(Vec<Value>, Vec<Value>)> {
    let units = unit_names(&crate::org::list(&s.db).await?);
    let names = Names {
        units: &units,
        lang,
        reveal,
    };
    let fields: Vec<Value> = matter
        .form
        .fields
        .iter()
        .filter(|f| a.form.get(&f.key).is_some_and(|v| !v.is_null()))
        .map(|f| {
            let label = match (lang, &f.label_en) {
                (Lang::En, Some(en)) => en.clone(),
                _ => f.label.clone(),
            };
            context! { label, value => readable(f, a.form.get(&f.key), &names) }
        })
        .collect();
    let checks = applications::counter::checks_of(&s.db, a.id).await?;
    let mut materials = Vec::new();
    for m in &matter.guide.materials {
        let mut files = Vec::new();
        for f in a.materials.get(&m.id).cloned().unwrap_or_default() {
            if let Ok(meta) = crate::files::meta(&s.db, f).await {
                files.push(context! { id => f, name => meta.name });
            }
        }
        materials.push(
            context! { id => m.id.clone(), name => m.name.clone(), required => m.required,
            files, check => checks.get(&m.id).map(ser) },
        );
    }
    Ok((fields, materials))
}

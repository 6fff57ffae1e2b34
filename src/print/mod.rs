//! Print templates (打印模板) and the notices made from them: the acceptance receipt (受理回执),
//! the rejection notice (不予受理通知书), the supplement notice (补正材料通知书) and the licence.
//! Admins edit a template in the UI and preview it on sample data; every save is a new version
//! ([`repo`]), so an edit can be undone. A template is minijinja without a loader (no file or
//! network access, no includes) and with a fuel limit (no endless loops); it renders to the
//! plain print markup of [`markup`], never to HTML, which prints from the browser with print CSS
//! and as PDF with an embedded Chinese font ([`pdf`]). The data for each notice is in [`data`].

pub mod data;
pub mod defaults;
pub mod docx;
pub mod markup;
pub mod pdf;
pub mod repo;

use minijinja::Environment;
use serde::Serialize;

use crate::error::{Error, FieldError, Result};

/// The kinds of print template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Receipt,
    Rejection,
    Supplement,
    /// 不予许可决定书: refused in approval.
    Refusal,
    Licence,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Receipt,
        Kind::Rejection,
        Kind::Supplement,
        Kind::Refusal,
        Kind::Licence,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Kind::Receipt => "receipt",
            Kind::Rejection => "rejection",
            Kind::Supplement => "supplement",
            Kind::Refusal => "refusal",
            Kind::Licence => "licence",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == s)
    }

    /// Its name, as printed and in the file name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Receipt => "受理回执",
            Kind::Rejection => "不予受理通知书",
            Kind::Supplement => "补正材料通知书",
            Kind::Refusal => "不予批准决定书",
            Kind::Licence => "电子证照",
        }
    }
}

/// Longest template text accepted.
pub const MAX_TEMPLATE: usize = 20_000;
/// Work one rendering may do before it is stopped (a loop over a huge range, say).
const FUEL: u64 = 200_000;

/// A notice ready to print: its title, its blocks and what its QR code says.
#[derive(Debug, Clone)]
pub struct Notice {
    pub title: String,
    pub blocks: Vec<markup::Block>,
    pub qr: Option<String>,
}

impl Notice {
    pub fn html(&self, qr_image: Option<&str>) -> String {
        markup::html(&self.blocks, qr_image)
    }

    pub fn pdf(&self) -> Result<Vec<u8>> {
        pdf::render(&self.title, &self.blocks, self.qr.as_deref())
    }
}

/// Renders a template's text on `data` in the sandbox; a template error is a field error on
/// `body` with minijinja's message (line included).
pub fn render(body: &str, data: &impl Serialize) -> Result<String> {
    let bad = |msg: String| {
        Error::Validation(vec![FieldError::with("body", "field.template_error", msg)])
    };
    if body.len() > MAX_TEMPLATE {
        return Err(bad(format!("> {MAX_TEMPLATE} bytes")));
    }
    let mut env = Environment::new();
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    let describe = |e: minijinja::Error| {
        let line = e.line().map(|l| format!("第 {l} 行：")).unwrap_or_default();
        format!("{line}{}", e.detail().unwrap_or(&e.kind().to_string()))
    };
    let t = env.template_from_str(body).map_err(|e| bad(describe(e)))?;
    t.render(minijinja::Value::from(minijinja::value::Serde(data)))
        .map_err(|e| bad(describe(e)))
}

/// A notice from a template and its data.
pub fn notice(
    kind: Kind,
    body: &str,
    data: &serde_json::Value,
    qr: Option<String>,
) -> Result<Notice> {
    let text = render(body, data)?;
    // A refusal is titled by what was refused (不予许可 or 不予办理决定书).
    let title = match data["matter"]["refusal"].as_str() {
        Some(word) if kind == Kind::Refusal => format!("{word}决定书"),
        _ => kind.name().to_string(),
    };
    Ok(Notice {
        title,
        blocks: markup::parse(&text),
        qr,
    })
}

/// An application's notice (receipt, rejection, supplement) from the template in use, for those
/// who may see the application; answers it with the application number. A counter
/// application's notice carries its rating code; `base` is this server's address for it.
pub async fn for_application(
    db: &crate::storage::Db,
    who: &crate::auth::Principal,
    id: i64,
    kind: Kind,
    base: &str,
) -> Result<(Notice, String)> {
    if kind == Kind::Licence {
        return Err(Error::NotFound);
    }
    let data = data::application(db, who, id, kind, base).await?;
    let (_, body) = repo::current(db, kind).await?;
    let number = data["app"]["number"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let qr = data["rating_url"].as_str().map(String::from);
    Ok((notice(kind, &body, &data, qr)?, number))
}

/// A licence from the template in use, its QR code the address of its public check.
pub async fn for_licence(
    db: &crate::storage::Db,
    number: &str,
    code: &str,
    base: &str,
) -> Result<Notice> {
    let st = crate::licence::repo::document(db, number, code).await?;
    let url = crate::licence::check_url(base, number, &st.licence.verify_code);
    let data = data::licence(db, &st, &url).await?;
    let (_, body) = repo::current(db, Kind::Licence).await?;
    let mut n = notice(Kind::Licence, &body, &data, Some(url))?;
    // A licence no longer in force says so first, whatever the template prints.
    let banner = match st.state.as_str() {
        "revoked" => Some(format!(
            "本证照已于 {} 撤销，不再有效。撤销原因：{}",
            st.revoked_at
                .as_deref()
                .map(crate::clock::display)
                .unwrap_or_default(),
            st.revoke_reason.as_deref().unwrap_or("")
        )),
        "expired" => Some("本证照已过有效期，不再有效。".to_string()),
        _ => None,
    };
    if let Some(b) = banner {
        n.blocks
            .insert(0, markup::Block::Heading(format!("【{b}】")));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_have_no_way_out_of_the_sandbox() {
        let data = serde_json::json!({"name": "张三"});
        assert_eq!(render("申请人：{{ name }}", &data).unwrap(), "申请人：张三");
        // No loader: includes and imports find nothing.
        for t in [
            "{% include '/etc/passwd' %}",
            "{% import 'x.html' as x %}",
            "{% extends 'base.html' %}",
        ] {
            assert!(render(t, &data).is_err(), "{t}");
        }
        // An endless loop runs out of fuel.
        let e = render(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            &data,
        );
        assert!(e.is_err());
        // A syntax error says where.
        match render("第一行\n{% if %}", &data) {
            Err(Error::Validation(f)) => assert!(
                f[0].arg.as_deref().unwrap_or("").contains("第 2 行"),
                "{f:?}"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_refusal_says_what_was_refused() {
        let mut data = data::sample(Kind::Refusal);
        let html = |d: &serde_json::Value| {
            notice(Kind::Refusal, defaults::body(Kind::Refusal), d, None)
                .unwrap()
                .html(None)
        };
        assert!(html(&data).contains("不予许可决定书"));
        // A public service is not done (不予办理), not refused a licence.
        data["matter"]["refusal"] = "不予办理".into();
        let title = notice(Kind::Refusal, defaults::body(Kind::Refusal), &data, None)
            .unwrap()
            .title;
        assert_eq!(title, "不予办理决定书");
        let h = html(&data);
        assert!(
            h.contains("不予办理决定书") && h.contains("决定不予办理") && !h.contains("不予许可"),
            "{h}"
        );
    }

    #[test]
    fn sample_notices_print_as_pdf_with_their_chinese_text() {
        assert!(
            pdf::available(),
            "a CJK font is installed (scripts/test.sh installs fonts-noto-cjk)"
        );
        let dir = std::env::temp_dir().join(format!("zw-pdf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for k in Kind::ALL {
            let n = notice(
                k,
                defaults::body(k),
                &data::sample(k),
                Some("http://localhost/verify/X".into()),
            )
            .unwrap();
            let bytes = n.pdf().unwrap();
            assert!(bytes.starts_with(b"%PDF-"));
            let path = dir.join(format!("{}.pdf", k.key()));
            std::fs::write(&path, &bytes).unwrap();
            // poppler's pdftotext reads the text back through the embedded font's ToUnicode map.
            let out = std::process::Command::new("pdftotext")
                .arg(&path)
                .arg("-")
                .output()
                .expect("pdftotext (poppler-utils, installed by scripts/test.sh)");
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("张晓明"), "{k:?}: {text}");
            // A refusal is titled by what was refused (the sample: a licence).
            let title = match k {
                Kind::Refusal => "不予许可决定书",
                Kind::Licence => "",
                _ => k.name(),
            };
            assert!(text.contains(title), "{k:?}: {text}");
        }
        if std::env::var("ZHENGWU_KEEP_PDF").is_err() {
            std::fs::remove_dir_all(&dir).ok();
        }
    }

    #[test]
    fn every_default_template_renders_on_sample_data() {
        for k in Kind::ALL {
            let n = notice(k, defaults::body(k), &data::sample(k), None).unwrap();
            assert!(
                matches!(n.blocks.first(), Some(markup::Block::Title(_))),
                "{k:?}"
            );
            assert!(
                n.html(None).contains("张晓明"),
                "{k:?} shows the sample applicant"
            );
        }
    }
}

//! Filing helpers: the street hall's code, a minimal PDF, uploading it, a form that names it.

use super::{TestApp, json_of};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

pub const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

pub const HALL: &str = "440309004-H";

/// Registers the water company `qingquan` (credit code 91440300MA5F000007, the fixture's
/// password) reached at `contact` (`{"email": …}` or `{"phone": …}`); answers its token.
pub async fn register_company(app: &TestApp, contact: Value) -> String {
    let mut body = json!({"username": "qingquan", "name": "深圳市龙华区清泉水务有限公司",
                          "id_number": "91440300MA5F000007", "password": super::PASSWORD, "consent": true});
    for (k, v) in contact.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    let r = app
        .client
        .post(app.url("/api/v1/register"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    app.token("qingquan").await
}

pub async fn upload(app: &TestApp, token: &str, name: &str, body: &[u8]) -> i64 {
    let form = Form::new().part(
        "file",
        Part::bytes(body.to_vec()).file_name(name.to_string()),
    );
    let (s, f) = json_of(
        app.client
            .post(app.url("/api/v1/files"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    f["id"].as_i64().unwrap()
}

pub fn form(file: i64) -> Value {
    json!({"company_name": "深圳市龙华区清泉水务有限公司", "credit_code": "91440300MA5F000007", "legal_rep": "陈清泉",
           "contact_phone": "13800138000", "upload_special": file.to_string()})
}

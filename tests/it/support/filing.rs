//! Filing helpers: the street hall's code, a minimal PDF, uploading it, a form that names it.

use super::{TestApp, json_of};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

pub const PDF: &[u8] = b"%PDF-1.4\n%%EOF\n";

pub const HALL: &str = "440309004-H";

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

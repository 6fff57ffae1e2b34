//! What the load generators share: signing in to a running demo as one of its accounts.

use serde_json::{Value, json};

/// The demo's password (`zhengwu demo` without `--demo-password`).
pub const PASSWORD: &str = "zhengwu2026";

/// Signs in as a demo account; answers its bearer token.
pub async fn login(http: &reqwest::Client, url: &str, user: &str) -> String {
    let v: Value = http
        .post(format!("{url}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": PASSWORD}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("login answer");
    v["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token for {user}: {v}"))
        .to_string()
}

//! Pages without a browser: a cookie-keeping client, the hidden fields of a form, signing in.

use super::{PASSWORD, TestApp};
use reqwest::{Client, StatusCode};

pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let i = html
        .find(&key)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        + key.len();
    html[i..].split('"').next().unwrap().to_string()
}

pub async fn sign_in(app: &TestApp, c: &Client, user: &str) -> String {
    sign_in_with(app, c, user, PASSWORD).await
}

/// Signs in with a password of the account's own; answers the home page's CSRF token.
pub async fn sign_in_with(app: &TestApp, c: &Client, user: &str, password: &str) -> String {
    let page = c
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden(&page, "csrf");
    let r = c
        .post(app.url("/login"))
        .form(&[
            ("username", user),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/accounts"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/accounts");
    let home = c
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    hidden(&home, "csrf")
}

//! Cookies the server sets: the session, the sign-in form's CSRF token, the language. Built with
//! the `cookie` crate (HttpOnly, SameSite=Lax, Secure behind TLS).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};

/// A `Set-Cookie` value for the whole site; `max_age` 0 removes the cookie.
pub fn cookie_header(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let c = cookie::Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(max_age))
        .secure(secure)
        .build();
    HeaderValue::from_str(&c.to_string()).expect("cookie is ASCII")
}

pub fn redirect_with_cookie(to: &str, cookie: HeaderValue) -> Response {
    let mut r = Redirect::to(to).into_response();
    r.headers_mut().append(header::SET_COOKIE, cookie);
    r
}

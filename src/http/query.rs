//! The query-string extractor of every page and endpoint. Like axum's `Query`, except that:
//! - an input left blank (`unit_id=` from an empty filter box, `depth=`) is not given, for every
//!   field of every page at once (rather than field by field);
//! - a value that does not parse is refused as our own 422 naming the field, in the user's
//!   language ("取值无效"), not as the framework's English text.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{Error, FieldError};

/// The query string, decoded into `T`, blank inputs dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        parse(parts.uri.query().unwrap_or("")).map(Query)
    }
}

/// `T` from a query string, blank inputs dropped; a refusal names the input at fault (the path
/// serde was at, through `serde_path_to_error`).
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    let given: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let kept = serde_urlencoded::to_string(&given)
        .map_err(|_| Error::Validation(vec![FieldError::new("query", "field.invalid")]))?;
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(kept.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let inner = e.inner().to_string();
        // "missing field `days`": the path is the struct's, the field is in the message.
        let missing = inner
            .strip_prefix("missing field `")
            .and_then(|r| r.strip_suffix('`'));
        let field = match (missing, e.path().to_string()) {
            (Some(f), _) => f.to_string(),
            (None, p) if p != "." && !p.is_empty() => p,
            _ => "query".to_string(),
        };
        let key = if missing.is_some() {
            "field.required"
        } else {
            "field.invalid"
        };
        Error::Validation(vec![FieldError::new(field, key)])
    })
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::error::Error;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Q {
        unit_id: Option<i64>,
        page: Option<i64>,
        #[serde(default)]
        q: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct R {
        days: i64,
        page: Option<i64>,
    }

    #[test]
    fn blank_inputs_are_not_given_and_a_bad_one_is_named() {
        let q: Q = parse("unit_id=&page=&q=").unwrap();
        assert_eq!(
            q,
            Q {
                unit_id: None,
                page: None,
                q: String::new()
            }
        );
        let q: Q = parse("unit_id=7&page=2&q=%E6%B0%91").unwrap();
        assert_eq!(
            q,
            Q {
                unit_id: Some(7),
                page: Some(2),
                q: "民".into()
            }
        );
        let refused = |q: &str| match parse::<R>(q) {
            Err(Error::Validation(f)) => (f[0].field.clone(), f[0].key),
            other => panic!("{other:?}"),
        };
        assert_eq!(refused("days=7&page=abc"), ("page".into(), "field.invalid"));
        assert_eq!(refused("days=abc"), ("days".into(), "field.invalid"));
        assert_eq!(refused("days="), ("days".into(), "field.required"));
        assert_eq!(refused("page=2"), ("days".into(), "field.required"));
    }
}

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

/// `T` from a query string, blank inputs dropped.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| Error::Validation(vec![FieldError::new("query", "field.invalid")]))?;
    let given: Vec<&(String, String)> =
        pairs.iter().filter(|(_, v)| !v.trim().is_empty()).collect();
    let decode = |skip: Option<usize>| {
        let kept: Vec<_> = given
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != skip)
            .map(|(_, p)| *p)
            .collect();
        serde_urlencoded::to_string(&kept)
            .ok()
            .and_then(|q| serde_urlencoded::from_str::<T>(&q).ok())
    };
    if let Some(t) = decode(None) {
        return Ok(t);
    }
    // Name the input at fault: the one whose absence lets the rest parse (else the query).
    let field = (0..given.len())
        .find(|i| decode(Some(*i)).is_some())
        .map_or("query", |i| given[i].0.as_str());
    let key = if given.iter().any(|(k, _)| k == field) {
        "field.invalid"
    } else {
        "field.required"
    };
    Err(Error::Validation(vec![FieldError::new(field, key)]))
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
        match parse::<Q>("unit_id=7&page=abc") {
            Err(Error::Validation(f)) => {
                assert_eq!((f[0].field.as_str(), f[0].key), ("page", "field.invalid"))
            }
            other => panic!("{other:?}"),
        }
    }
}

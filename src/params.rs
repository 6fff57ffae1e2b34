//! Reading what a form or a query string sends: an input left empty (`unit_id=`, `depth=`) is
//! "not given", not a number that fails to parse. Used as
//! `#[serde(default, deserialize_with = "crate::params::empty_as_none")]`.

use serde::{Deserialize, Deserializer};

/// `None` for a missing or blank value; otherwise the value parsed, or the parse error.
pub fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Q {
        #[serde(default, deserialize_with = "super::empty_as_none")]
        unit_id: Option<i64>,
    }

    #[test]
    fn a_blank_input_is_not_given() {
        let q: Q = serde_urlencoded::from_str("unit_id=").unwrap();
        assert_eq!(q.unit_id, None);
        let q: Q = serde_urlencoded::from_str("").unwrap();
        assert_eq!(q.unit_id, None);
        let q: Q = serde_urlencoded::from_str("unit_id=+7").unwrap();
        assert_eq!(q.unit_id, Some(7));
        assert!(serde_urlencoded::from_str::<Q>("unit_id=abc").is_err());
    }
}

//! The org tree (district → streets → communities, plus departments and service halls attached
//! to units). Each unit stores its materialised path (`/1/7/23/`), so "this unit and everything
//! below it" — the scope of every role grant — is one prefix test. Units are never deleted:
//! renames and moves are audited, and a retired unit keeps its history and its references.

mod repo;

pub use repo::*;

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    District,
    Street,
    Community,
    Department,
    Hall,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::District,
        Kind::Street,
        Kind::Community,
        Kind::Department,
        Kind::Hall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::District => "district",
            Kind::Street => "street",
            Kind::Community => "community",
            Kind::Department => "department",
            Kind::Hall => "hall",
        }
    }

    /// Sibling order on screen: a unit's own hall first, then streets, communities, departments.
    pub fn rank(self) -> u8 {
        match self {
            Kind::District => 0,
            Kind::Hall => 1,
            Kind::Street => 2,
            Kind::Community => 3,
            Kind::Department => 4,
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether a unit of this kind may sit under a parent of kind `parent` (None: the root).
    pub fn fits_under(self, parent: Option<Kind>) -> bool {
        use Kind::*;
        matches!(
            (self, parent),
            (District, None)
                | (Street, Some(District))
                | (Community, Some(Street))
                | (Department, Some(District | Street | Department))
                | (Hall, Some(District | Street | Community | Department))
        )
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: Kind,
    pub parent_id: Option<i64>,
    /// Materialised path of ids, e.g. `/1/7/23/`.
    pub path: String,
    pub depth: i64,
    pub retired_at: Option<String>,
}

impl Unit {
    pub fn is_retired(&self) -> bool {
        self.retired_at.is_some()
    }
    /// Whether `other` is this unit or below it.
    pub fn covers(&self, other_path: &str) -> bool {
        other_path.starts_with(&self.path)
    }
}

/// Checks a unit code: 2–32 ASCII letters, digits or hyphens.
pub fn check_code(code: &str) -> Result<(), FieldError> {
    let ok = (2..=32).contains(&code.len())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("code", "field.code"))
    }
}

pub fn check_name(name: &str) -> Result<(), FieldError> {
    let n = name.trim().chars().count();
    if n == 0 {
        Err(FieldError::new("name", "field.required"))
    } else if n > 64 {
        Err(FieldError::with("name", "field.too_long", "64"))
    } else {
        Ok(())
    }
}

/// Units as a nested list in tree order (parents before children, siblings by code).
pub fn tree_order(units: &[Unit]) -> Vec<&Unit> {
    let mut v: Vec<&Unit> = units.iter().collect();
    // Sorting by the path of (kind, code) keys gives tree order; build it from the id path.
    let by_id: std::collections::HashMap<i64, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let key = |u: &Unit| -> Vec<String> {
        u.path
            .split('/')
            .filter(|s| !s.is_empty())
            .filter_map(|id| id.parse::<i64>().ok())
            .map(|id| {
                by_id
                    .get(&id)
                    .map(|x| format!("{}{}", x.kind.rank(), x.code))
                    .unwrap_or_default()
            })
            .collect()
    };
    v.sort_by_cached_key(|u| key(u));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_fit_the_three_levels() {
        assert!(Kind::District.fits_under(None));
        assert!(Kind::Street.fits_under(Some(Kind::District)));
        assert!(Kind::Community.fits_under(Some(Kind::Street)));
        assert!(!Kind::Community.fits_under(Some(Kind::District)));
        assert!(!Kind::Street.fits_under(None));
        assert!(Kind::Hall.fits_under(Some(Kind::Community)));
        assert!(!Kind::Street.fits_under(Some(Kind::Hall)));
    }

    #[test]
    fn codes_are_checked() {
        assert!(check_code("440309").is_ok());
        assert!(check_code("LH-MZ-01").is_ok());
        assert!(check_code("x").is_err());
        assert!(check_code("民治").is_err());
    }
}

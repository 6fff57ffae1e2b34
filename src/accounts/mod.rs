//! Staff and citizen accounts, their role grants, and bulk import. Reads are scoped to the
//! principal's `ViewAccounts` grants and writes to `ManageAccounts`: an account belongs to one
//! org unit, and only someone whose grant covers that unit sees or changes it.

mod import;
pub mod lookup;
mod repo;

pub use import::*;
pub use repo::*;

use crate::error::FieldError;

pub fn check_username(u: &str) -> Result<(), FieldError> {
    let ok = (3..=32).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("username", "field.username"))
    }
}

pub fn check_person_name(n: &str) -> Result<(), FieldError> {
    // Control characters and bidirectional overrides make a name print as something else.
    let hostile = |c: char| {
        c.is_control()
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    match n.trim().chars().count() {
        0 => Err(FieldError::new("name", "field.required")),
        c if c > 64 => Err(FieldError::with("name", "field.too_long", "64")),
        _ if n.chars().any(hostile) => Err(FieldError::new("name", "field.name_chars")),
        _ => Ok(()),
    }
}

pub fn check_email(e: &str) -> Result<(), FieldError> {
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !d.ends_with('.')
                && !e.chars().any(char::is_whitespace)
                && !d.contains('@')
        });
    if ok {
        Ok(())
    } else {
        Err(FieldError::new("email", "field.email"))
    }
}

/// A mainland mobile number (11 digits starting 1[3-9]) or a landline with area code
/// (`0755-12345678`, optional extension `-123`).
pub fn check_phone(p: &str) -> Result<(), FieldError> {
    let d: Vec<char> = p.chars().collect();
    let mobile = d.len() == 11
        && d[0] == '1'
        && ('3'..='9').contains(&d[1])
        && d.iter().all(char::is_ascii_digit);
    let landline = {
        let parts: Vec<&str> = p.split('-').collect();
        (2..=3).contains(&parts.len())
            && parts
                .iter()
                .all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
            && parts[0].starts_with('0')
            && (3..=4).contains(&parts[0].len())
            && (7..=8).contains(&parts[1].len())
    };
    if mobile || landline {
        Ok(())
    } else {
        Err(FieldError::new("phone", "field.phone"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_checks() {
        assert!(check_username("li.ming_01").is_ok());
        assert!(check_username("李明").is_err());
        assert!(check_username("ab").is_err());
        assert!(check_email("a@lhqzwfw.gov.cn").is_ok());
        assert!(check_email("a@b").is_err());
        assert!(check_email("a b@c.cn").is_err());
        assert!(check_phone("13800138000").is_ok());
        assert!(check_phone("0755-23336000").is_ok());
        assert!(check_phone("12800138000").is_err());
        assert!(check_phone("23336000").is_err());
    }
}

//! Passwords: Argon2id (the crate's defaults: 19 MiB, 2 passes) in PHC strings, and the policy.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::error::FieldError;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let h: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    Ok(h.to_string())
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

/// The fewest characters a password may have (the registration page's hint says this number).
pub const MIN_PASSWORD_CHARS: usize = 8;

/// At least [`MIN_PASSWORD_CHARS`] characters, with letters and digits, at most 128.
pub fn check_password_policy(field: &str, password: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    let letters = password.chars().any(|c| c.is_alphabetic());
    let digits = password.chars().any(|c| c.is_ascii_digit());
    if n > 128 {
        Err(FieldError::with(field, "field.too_long", "128"))
    } else if n < MIN_PASSWORD_CHARS || !letters || !digits {
        Err(FieldError::new(field, "field.password_weak"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("Zhengwu2026").unwrap();
        let b = hash_password("Zhengwu2026").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(verify_password("Zhengwu2026", &a));
        assert!(!verify_password("zhengwu2026", &a));
        assert!(!verify_password("Zhengwu2026", "not a hash"));
    }

    #[test]
    fn policy() {
        assert!(check_password_policy("p", "abc12345").is_ok());
        assert!(check_password_policy("p", "abcdefgh").is_err());
        assert!(check_password_policy("p", "1234567").is_err());
    }
}

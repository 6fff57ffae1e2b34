//! Identifiers that cannot hold a bad value: the resident ID number (居民身份证号, GB 11643-1999)
//! and the unified social credit code (统一社会信用代码, GB 32100-2015), each checked by its check
//! digit. A resident ID is sensitive personal information: its `Debug` and `Display` show it
//! masked (birth date hidden), so it cannot reach a log by accident.

use std::fmt;

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// Why an identifier was refused; each maps to a message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdError {
    Length,
    Characters,
    BirthDate,
    CheckDigit,
}

impl IdError {
    pub fn key(self) -> &'static str {
        match self {
            IdError::Length => "field.id_length",
            IdError::Characters => "field.id_chars",
            IdError::BirthDate => "field.id_birth",
            IdError::CheckDigit => "field.id_check",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct ResidentId(String);

impl ResidentId {
    /// The check character for the first 17 digits.
    pub fn check_char(first17: &str) -> char {
        let sum: u32 = first17
            .chars()
            .zip(ID_WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        ID_CHECK[(sum % 11) as usize]
    }

    pub fn parse(s: &str) -> Result<ResidentId, IdError> {
        let s = s.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdError::Length);
        }
        // Eighteen characters of which one is multibyte would split inside it below.
        if !s.is_ascii() {
            return Err(IdError::Characters);
        }
        let (body, last) = s.split_at(17);
        if !body.chars().all(|c| c.is_ascii_digit())
            || !last.chars().all(|c| c.is_ascii_digit() || c == 'X')
        {
            return Err(IdError::Characters);
        }
        // A birth date that exists, from 1900 to this year.
        let this_year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
        let born = chrono::NaiveDate::parse_from_str(&body[6..14], "%Y%m%d")
            .is_ok_and(|d| (1900..=this_year).contains(&chrono::Datelike::year(&d)));
        if !born {
            return Err(IdError::BirthDate);
        }
        if !last.starts_with(ResidentId::check_char(body)) {
            return Err(IdError::CheckDigit);
        }
        Ok(ResidentId(s))
    }

    /// The number as stored; handle with care.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Region code shown, birth date hidden: `440306********123X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

const CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CODE_WEIGHTS: [usize; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditCode(String);

impl CreditCode {
    /// The check character for the first 17 characters (which must be from the code's alphabet).
    pub fn check_char(first17: &str) -> Option<char> {
        let mut sum = 0;
        for (c, w) in first17.chars().zip(CODE_WEIGHTS) {
            sum += CODE_CHARS.find(c)? * w;
        }
        let check = (31 - sum % 31) % 31;
        CODE_CHARS.chars().nth(check)
    }

    pub fn parse(s: &str) -> Result<CreditCode, IdError> {
        let s = s.trim().to_ascii_uppercase();
        if s.chars().count() != 18 {
            return Err(IdError::Length);
        }
        if !s.is_ascii() || !s.chars().all(|c| CODE_CHARS.contains(c)) {
            return Err(IdError::Characters);
        }
        let (body, last) = s.split_at(17);
        if CreditCode::check_char(body) != last.chars().next() {
            return Err(IdError::CheckDigit);
        }
        Ok(CreditCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A resident ID number or credit code as shown on screen: a resident ID keeps its region code
/// and last four characters, a credit code its first eight and last two; anything else is hidden.
pub fn mask_any(id: &str) -> String {
    if let Ok(r) = ResidentId::parse(id) {
        return r.masked();
    }
    if let Ok(c) = CreditCode::parse(id) {
        let c = c.as_str();
        return format!("{}********{}", &c[..8], &c[16..]);
    }
    "****".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn real_shaped_numbers() {
        // GB 11643 worked example.
        assert!(ResidentId::parse("11010519491231002X").is_ok());
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(IdError::CheckDigit)
        );
        assert_eq!(
            ResidentId::parse("110105194913310029"),
            Err(IdError::BirthDate)
        );
        assert_eq!(ResidentId::parse("11010519491231002"), Err(IdError::Length));
        assert_eq!(
            ResidentId::parse("1101051949123100AX"),
            Err(IdError::Characters)
        );
        // Eighteen characters, one of them multibyte: refused, never split inside a character.
        assert_eq!(
            ResidentId::parse("11010519491231002中"),
            Err(IdError::Characters)
        );
        assert_eq!(
            ResidentId::parse("1101051949123100é2"),
            Err(IdError::Characters)
        );
        assert_eq!(
            CreditCode::parse("91350100M000100Y4中"),
            Err(IdError::Characters)
        );
        assert_eq!(mask_any("11010519491231002中"), "****");
        let id = ResidentId::parse("11010519491231002x").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert!(!format!("{id:?}").contains("19491231"));
        // A credit code in the GB 32100 format.
        assert!(CreditCode::parse("91350100M000100Y43").is_ok());
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(IdError::CheckDigit)
        );
        assert_eq!(
            CreditCode::parse("91350100M000100I43"),
            Err(IdError::Characters)
        );
    }

    fn date() -> impl Strategy<Value = String> {
        (1930i32..2025, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:04}{m:02}{d:02}"))
    }

    proptest! {
        #[test]
        fn a_computed_check_digit_always_passes_and_any_one_digit_change_fails(
            region in 110000u32..660000, birth in date(), seq in 0u32..1000, pos in 0usize..17, delta in 1u32..10,
        ) {
            let body = format!("{region:06}{birth}{seq:03}");
            let id = format!("{body}{}", ResidentId::check_char(&body));
            prop_assert!(ResidentId::parse(&id).is_ok());
            let mut chars: Vec<char> = id.chars().collect();
            chars[pos] = char::from_digit((chars[pos].to_digit(10).unwrap() + delta) % 10, 10).unwrap();
            let changed: String = chars.into_iter().collect();
            prop_assert!(ResidentId::parse(&changed).is_err());
        }

        #[test]
        fn credit_codes_catch_every_single_substitution(
            body in proptest::collection::vec(0usize..31, 17), pos in 0usize..18, delta in 1usize..31,
        ) {
            let body: String = body.iter().map(|&i| CODE_CHARS.chars().nth(i).unwrap()).collect();
            let code = format!("{body}{}", CreditCode::check_char(&body).unwrap());
            prop_assert!(CreditCode::parse(&code).is_ok());
            let mut chars: Vec<char> = code.chars().collect();
            let i = CODE_CHARS.find(chars[pos]).unwrap();
            chars[pos] = CODE_CHARS.chars().nth((i + delta) % 31).unwrap();
            let changed: String = chars.into_iter().collect();
            prop_assert!(CreditCode::parse(&changed).is_err());
        }
    }
}

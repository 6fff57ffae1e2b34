//! Money in integer fen (分), never floating point: a fee's amount is written as yuan with at most
//! two decimals ("12.50") and read into [`Fen`]; "NaN", "inf", "1e3", "-0", "0.001" and amounts past
//! a hundred million yuan are refused.

use std::fmt;

/// An amount of money in fen (1 yuan = 100 fen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fen(pub i64);

impl Fen {
    /// A hundred million yuan: more than any fee or project line the platform keeps.
    pub const MAX: Fen = Fen(100_000_000 * 100);

    /// Yuan as written (`12`, `12.5`, `12.50`; no sign, no exponent) into fen.
    pub fn parse_yuan(text: &str) -> Option<Fen> {
        let t = text.trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole)
            || (t.contains('.') && !digits(frac))
            || frac.len() > 2
            || whole.len() > 12
        {
            return None;
        }
        let yuan: i64 = whole.parse().ok()?;
        let fen: i64 = format!("{frac:0<2}").parse().ok()?;
        let v = Fen(yuan.checked_mul(100)?.checked_add(fen)?);
        (v <= Fen::MAX).then_some(v)
    }
}

impl fmt::Display for Fen {
    /// As yuan with two decimals, e.g. `12.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::Fen;

    #[test]
    fn yuan_are_read_exactly_and_anything_else_is_refused() {
        assert_eq!(Fen::parse_yuan("12.50"), Some(Fen(1250)));
        assert_eq!(Fen::parse_yuan(" 12.5 "), Some(Fen(1250)));
        assert_eq!(Fen::parse_yuan("0.01"), Some(Fen(1)));
        assert_eq!(Fen::parse_yuan("100000000"), Some(Fen::MAX));
        assert_eq!(Fen(1250).to_string(), "12.50");
        for bad in [
            "NaN",
            "inf",
            "-inf",
            "1e3",
            "-1",
            "+1",
            "0.001",
            "1.",
            ".5",
            "",
            "１２",
            "12,50",
            "100000000.01",
            "99999999999999999999",
        ] {
            assert_eq!(Fen::parse_yuan(bad), None, "{bad}");
        }
    }
}

//! Free text as people type it into a form: bounded in length, and free of what only hides or
//! garbles it — control characters and the invisible text-direction and zero-width marks
//! (a reversed file name, a hidden word). Line breaks and tabs are text; a browser sends a line
//! break as CR LF.

use crate::error::FieldError;

/// Whether `c` hides or garbles text.
pub fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t' && c != '\r')
        || ('\u{200b}'..='\u{200f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
        || c == '\u{feff}'
}

/// The faults of text `t` at field `path`: longer than `max` characters, or holding a
/// hostile character.
pub fn check(path: &str, t: &str, max: usize, errs: &mut Vec<FieldError>) {
    if t.chars().count() > max {
        errs.push(FieldError::with(path, "field.too_long", max.to_string()));
    } else if t.chars().any(is_hostile) {
        errs.push(FieldError::new(path, "field.text_chars"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_pass_and_hidden_marks_do_not() {
        let mut e = Vec::new();
        check("x", "第一行\r\n第二行\t。", 20, &mut e);
        assert!(e.is_empty());
        for bad in ["A\u{0}B", "\u{202e}fdp.exe", "\u{200b}", "a\u{7}"] {
            let mut e = Vec::new();
            check("x", bad, 20, &mut e);
            assert_eq!(e.len(), 1, "{bad:?}");
        }
        let mut e = Vec::new();
        check("x", &"很".repeat(21), 20, &mut e);
        assert_eq!(e[0].key, "field.too_long");
    }
}

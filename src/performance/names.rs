//! What the computed sources are called, in the user's language (each source's name is its
//! message key).

use crate::i18n::{Lang, tr};

/// A source's name as a report writes it (in Chinese).
pub fn source_name(source: &str) -> &str {
    source_name_in(Lang::Zh, source)
}

pub fn source_name_in(lang: Lang, source: &str) -> &str {
    tr(lang, source)
}

//! Languages and the message catalogue. zh-CN is the default; English is the switch. Every
//! user-visible string (pages, API errors, import reports) is a key in one of the message files
//! under `messages/` (one per area, compiled into the binary by `build.rs`), loaded once into a
//! hash map. A message names its arguments (`{n}`, `{value}`), filled by [`tr_args`]. Tests
//! check that every key used has both languages with the same arguments, and that no key is
//! unused; `tr` falls back to the key itself, which they catch.
//!
//! TOML rather than Fluent: the catalogue needs no plural rules for Chinese, and TOML is read by
//! the parser the configuration already uses.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of a request: the `lang` cookie if set, else the first known language in
    /// `Accept-Language`, else Chinese.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(l) = cookie.and_then(Lang::parse) {
            return l;
        }
        accept_language
            .into_iter()
            .flat_map(|h| h.split(','))
            .filter_map(|part| Lang::parse(part.split(';').next().unwrap_or("")))
            .next()
            .unwrap_or_default()
    }
}

/// The message for `key` in `lang`; the key itself when it is unknown.
pub fn tr(lang: Lang, key: &str) -> &str {
    lookup(lang, key).unwrap_or(key)
}

/// The message for `key` in `lang`, if the catalogue has it.
pub fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    CATALOGUE.get(key).map(|m| match lang {
        Lang::Zh => m.zh.as_str(),
        Lang::En => m.en.as_str(),
    })
}

pub fn is_known(key: &str) -> bool {
    CATALOGUE.contains_key(key)
}

/// The message with its named arguments filled: `tr_args(lang, "ui.total", &[("n", "3")])`.
pub fn tr_args(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = tr(lang, key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// A message of one argument with it filled, whatever the argument is called (a field's error,
/// a page's `t(key, arg=…)`).
pub fn tr_one(lang: Lang, key: &str, value: &str) -> String {
    let msg = tr(lang, key);
    match placeholders(msg).first() {
        Some(name) => msg.replace(&format!("{{{name}}}"), value),
        None => msg.to_string(),
    }
}

/// The names of a message's arguments, in order of appearance.
fn placeholders(msg: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = msg;
    while let Some(i) = rest.find('{') {
        let tail = &rest[i + 1..];
        match tail.find('}') {
            Some(j)
                if j > 0
                    && tail[..j]
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'_') =>
            {
                out.push(&tail[..j]);
                rest = &tail[j + 1..];
            }
            _ => rest = tail,
        }
    }
    out
}

#[derive(serde::Deserialize)]
struct Message {
    zh: String,
    en: String,
}

/// Every message file, parsed once. A file that does not parse, or a key in two files, stops
/// the program at its first message (the tests load it first).
static CATALOGUE: LazyLock<HashMap<String, Message>> = LazyLock::new(|| {
    let mut all = HashMap::new();
    for (file, text) in crate::embedded::MESSAGES {
        let part: HashMap<String, Message> =
            toml::from_str(text).unwrap_or_else(|e| panic!("messages/{file}: {e}"));
        for (k, m) in part {
            if all.insert(k.clone(), m).is_some() {
                panic!("messages/{file}: {k} is defined twice");
            }
        }
    }
    all
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_cookie_then_header_then_chinese() {
        assert_eq!(Lang::negotiate(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr-FR,en;q=0.8")), Lang::En);
        assert_eq!(Lang::negotiate(None, Some("fr-FR")), Lang::Zh);
        assert_eq!(Lang::negotiate(None, None), Lang::Zh);
    }

    /// Every message key written in the code or the templates has both translations.
    #[test]
    fn every_key_used_is_in_the_catalogue() {
        let root = env!("CARGO_MANIFEST_DIR");
        let re = regex::Regex::new(
            r#"["'](((err|field|form|rule|role|kind|audit|ui|nav|card|col|acc|imp|aud|org|pw|login|home|app|cat|hall|depth|mtype|mform|cat|fk|cal|wf|ap|timing|sup|ops|lic|app|reg|apply|counter|win|kiosk|display|print|pt|fu|rate|msg)\.)[a-z0-9_.]*[a-z0-9_])["']"#,
        )
        .unwrap();
        let mut missing = Vec::new();
        for dir in ["src", "templates"] {
            let mut stack = vec![std::path::PathBuf::from(format!("{root}/{dir}"))];
            while let Some(p) = stack.pop() {
                if p.is_dir() {
                    stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                for c in re.captures_iter(&text) {
                    let key = &c[1];
                    let file = [".html", ".csv", ".xlsx", ".docx"]
                        .iter()
                        .any(|x| key.ends_with(x));
                    // Home cards are named by prefix: `card.org` has `card.org.title` and `.body`.
                    let card = key.starts_with("card.") && is_known(&format!("{key}.title"));
                    // A prefix completed in the template (`'cat.f_' ~ action`).
                    let prefix = key.ends_with('_');
                    if !is_known(key) && !file && !card && !prefix {
                        missing.push(format!("{}: {key}", p.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys without messages: {missing:#?}");
    }

    #[test]
    fn every_message_is_translated_with_the_same_arguments() {
        assert!(CATALOGUE.len() > 1000, "{}", CATALOGUE.len());
        for (k, m) in CATALOGUE.iter() {
            assert!(!m.zh.is_empty() && !m.en.is_empty(), "{k}");
            let (mut zh, mut en) = (placeholders(&m.zh), placeholders(&m.en));
            zh.sort();
            en.sort();
            assert_eq!(zh, en, "{k}: arguments differ between zh and en");
            assert!(!m.zh.contains("{}"), "{k}: unnamed argument");
        }
        assert_eq!(tr_args(Lang::Zh, "ui.total", &[("n", "7")]), "共 7 条");
        assert_eq!(
            tr_one(Lang::En, "field.too_long", "20"),
            "At most 20 characters."
        );
        assert_eq!(
            tr(Lang::En, "err.not_found"),
            "Not found, or you may not see it."
        );
        assert_eq!(tr(Lang::Zh, "no.such.key"), "no.such.key");
    }

    /// Every file a message key can be written in, but this one.
    fn sources() -> String {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut text = String::new();
        let mut stack: Vec<std::path::PathBuf> = ["src", "templates", "static"]
            .iter()
            .map(|d| format!("{root}/{d}").into())
            .collect();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else if !p.ends_with("src/i18n.rs") {
                text.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
                text.push('\n');
            }
        }
        text
    }

    /// No message is left behind by a change. A key counts as used when it is written out, or
    /// completed from a prefix written in the code (`"ops.status." ~ code`, `"cat.f_" ~ a`,
    /// `format!("role.{}", …)`) with a remainder the code names (a string, a variant), or when
    /// it is a home card's `.title`/`.body` of a card named in the code.
    #[test]
    fn no_key_is_unused() {
        let text = sources();
        let re = |p: &str| regex::Regex::new(p).unwrap();
        let lits: std::collections::HashSet<&str> = re(r#"["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']"#)
            .captures_iter(&text)
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        let prefixes: Vec<&str> = re(r#"["']([a-z0-9_]+(?:\.[a-z0-9_]+)*[._])(?:["']|\{)"#)
            .captures_iter(&text)
            .map(|c| c.get(1).unwrap().as_str())
            .collect();
        let words: std::collections::HashSet<&str> = re(r"[A-Za-z0-9_]+")
            .find_iter(&text)
            .map(|m| m.as_str())
            .collect();
        let camel = |s: &str| -> String {
            s.split('_')
                .filter(|w| !w.is_empty())
                .map(|w| w[..1].to_uppercase() + &w[1..])
                .collect()
        };
        // A remainder the code names: written out, or a word of the code (a variant, a field).
        let named = |rest: &str| {
            let last = rest
                .trim_end_matches('.')
                .rsplit('.')
                .next()
                .unwrap_or(rest);
            lits.contains(rest) || words.contains(last) || words.contains(camel(last).as_str())
        };
        let completed = |key: &str| {
            prefixes.iter().any(|p| {
                let Some(rest) = key.strip_prefix(p) else {
                    return false;
                };
                // A whole area's prefix (`"audit."` + action) is too broad to trust a word: its
                // remainder is itself written out or completed (`"ticket." ~ action`).
                let broad = CATALOGUE.keys().filter(|k| k.starts_with(p)).count() > 50;
                if broad {
                    lits.contains(rest)
                        || prefixes
                            .iter()
                            .any(|p2| rest.strip_prefix(p2).is_some_and(&named))
                } else {
                    named(rest)
                }
            })
        };
        let mut unused: Vec<&String> = CATALOGUE
            .keys()
            .filter(|key| {
                let card = key
                    .strip_suffix(".title")
                    .or_else(|| key.strip_suffix(".body"))
                    .is_some_and(|base| lits.contains(base));
                !lits.contains(key.as_str()) && !card && !completed(key)
            })
            .collect();
        unused.sort();
        assert!(unused.is_empty(), "messages nothing uses: {unused:#?}");
    }
}

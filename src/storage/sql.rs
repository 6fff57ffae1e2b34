//! A small builder for queries assembled at run time (filters, sorting, paging), numbering
//! placeholders `$1, $2, …`, which both engines accept; and [`Arg`], a value bound to one.

use super::row::{FromRow, Row};
use super::{Query, query, query_as, query_scalar};

/// `text` with `LIKE`'s wildcards (and the escape character itself) escaped by `\\`.
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Null(NullKind),
    Int(i64),
    Bool(bool),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// The type of a bound NULL (PostgreSQL wants one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullKind {
    Int,
    Bool,
    Real,
    Text,
    Blob,
}

macro_rules! arg_from {
    ($($t:ty => $kind:ident, |$v:ident| $e:expr;)*) => {$(
        impl From<$t> for Arg {
            fn from($v: $t) -> Arg {
                $e
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Arg {
                match v {
                    Some(v) => v.into(),
                    None => Arg::Null(NullKind::$kind),
                }
            }
        }
    )*};
}

impl<T> From<&Option<T>> for Arg
where
    T: Clone + Into<Arg>,
    Option<T>: Into<Arg>,
{
    fn from(v: &Option<T>) -> Arg {
        v.clone().into()
    }
}

arg_from! {
    String => Text, |v| Arg::Text(v);
    &String => Text, |v| Arg::Text(v.clone());
    &str => Text, |v| Arg::Text(v.to_string());
    i64 => Int, |v| Arg::Int(v);
    i32 => Int, |v| Arg::Int(v.into());
    u32 => Int, |v| Arg::Int(v.into());
    bool => Bool, |v| Arg::Bool(v);
    f64 => Real, |v| Arg::Real(v);
    Vec<u8> => Blob, |v| Arg::Blob(v);
    &[u8] => Blob, |v| Arg::Blob(v.to_vec());
}

/// One page of a list, with the total the filters match.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    /// How many pages the total fills.
    pub fn pages(&self) -> i64 {
        (self.total + self.per_page - 1) / self.per_page
    }
}

#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Sql {
        Sql {
            text: text.into(),
            args: Vec::new(),
        }
    }

    /// Appends trusted SQL text (never user input).
    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: impl Into<Arg>) -> &mut Sql {
        self.args.push(arg.into());
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// `col IN ($a, $b, …)`; false when the list is empty.
    pub fn any_of(&mut self, col: &str, ids: &[i64]) -> &mut Sql {
        if ids.is_empty() {
            return self.push("(1 = 0)");
        }
        self.push(col).push(" IN (");
        for (k, id) in ids.iter().enumerate() {
            if k > 0 {
                self.push(", ");
            }
            self.bind(*id);
        }
        self.push(")")
    }

    /// `(LOWER(a) LIKE LOWER(…) OR …)`: any of the columns contains `text`, ignoring case the
    /// same way on both sides of the comparison (SQLite's `LIKE` and `LOWER` fold A–Z only,
    /// PostgreSQL's `LIKE` folds nothing and its `LOWER` folds every script, so the text is
    /// folded by the store, never in Rust), with `%`, `_` and `\\` in the text matching themselves.
    pub fn contains_any(&mut self, cols: &[&str], text: &str) -> &mut Sql {
        let pattern = format!("%{}%", like_escape(text));
        self.push("(");
        for (i, col) in cols.iter().enumerate() {
            if i > 0 {
                self.push(" OR ");
            }
            self.push("LOWER(")
                .push(col)
                .push(") LIKE LOWER(CAST(")
                .bind(pattern.as_str())
                .push(" AS TEXT)) ESCAPE '\\'");
        }
        self.push(")")
    }

    /// `col` starts with `text`, exactly (case and all, the same on both stores).
    pub fn starts_with(&mut self, col: &str, text: &str) -> &mut Sql {
        // The length is a number this code computed, written into the text: PostgreSQL's SUBSTR
        // takes an INTEGER, and a bound parameter would arrive as BIGINT.
        let len = text.chars().count().to_string();
        self.push("SUBSTR(")
            .push(col)
            .push(", 1, ")
            .push(&len)
            .push(") = ")
            .bind(text)
    }

    /// `(col LIKE $a OR col LIKE $b …)` for "any of these subtrees"; false when empty.
    pub fn any_subtree(&mut self, col: &str, paths: &[String]) -> &mut Sql {
        if paths.is_empty() {
            return self.push("(1 = 0)");
        }
        self.push("(");
        for (i, p) in paths.iter().enumerate() {
            if i > 0 {
                self.push(" OR ");
            }
            self.push(col)
                .push(" LIKE ")
                .bind(super::subtree_pattern(p));
        }
        self.push(")")
    }

    /// Appends `LIMIT … OFFSET …` for the requested page (from 1; 25 a page unless asked, at
    /// most 500) and answers the page and page size used.
    pub fn paged(&mut self, page: Option<i64>, per_page: Option<i64>) -> (i64, i64) {
        let per_page = per_page.unwrap_or(25).clamp(1, 500);
        // A page past any store's reach is simply empty (the offset must not wrap around).
        let page = page.unwrap_or(1).clamp(1, i64::MAX / 500);
        self.push(" LIMIT ")
            .bind(per_page)
            .push(" OFFSET ")
            .bind((page - 1) * per_page);
        (page, per_page)
    }

    /// The query, for rows decoded by hand.
    pub fn query(&self) -> Query<Row> {
        query(self.text.clone()).with_args(self.args.clone())
    }

    pub fn query_as<T>(&self) -> Query<T>
    where
        T: FromRow,
    {
        query_as(self.text.clone()).with_args(self.args.clone())
    }

    pub fn scalar<T>(&self) -> Query<T>
    where
        (T,): FromRow,
    {
        query_scalar(self.text.clone()).with_args(self.args.clone())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::like_escape("a%b_c\\d"), "a\\%b\\_c\\\\d");
        assert_eq!(super::like_escape("民治"), "民治");
    }
}

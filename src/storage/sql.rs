//! A small builder for queries assembled at run time (filters, sorting, paging). sqlx's
//! `QueryBuilder` writes `?` placeholders through the `Any` driver, which PostgreSQL rejects;
//! this one numbers them `$1, $2, …`, which both engines accept.

use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, FromRow};

#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}
impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}
impl From<i64> for Arg {
    fn from(i: i64) -> Arg {
        Arg::Int(i)
    }
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
        let page = page.unwrap_or(1).max(1);
        self.push(" LIMIT ")
            .bind(per_page)
            .push(" OFFSET ")
            .bind((page - 1) * per_page);
        (page, per_page)
    }

    /// The query, for rows decoded by hand.
    pub fn query(&self) -> sqlx::query::Query<'_, Any, sqlx::any::AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.text.clone()));
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }

    pub fn query_as<T>(&self) -> sqlx::query::QueryAs<'_, Any, T, sqlx::any::AnyArguments>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        let mut q = sqlx::query_as(AssertSqlSafe(self.text.clone()));
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }

    pub fn scalar<T>(&self) -> sqlx::query::QueryScalar<'_, Any, T, sqlx::any::AnyArguments>
    where
        (T,): for<'r> FromRow<'r, AnyRow>,
    {
        let mut q = sqlx::query_scalar(AssertSqlSafe(self.text.clone()));
        for a in &self.args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }
}

//! Running statements: `query`, `query_as` and `query_scalar`, shaped like sqlx's functions of
//! the same names, on either store. A statement runs on [`Ex`]: the store itself (`&Db`, one
//! statement on its own) or a transaction (`&mut Tx`).
//!
//! On PostgreSQL the statement goes to sqlx's driver ([`super::pg`]); on SQLite to [`super::lite`], in the
//! calling thread. Outside a transaction, SQLite statements that write wait for the process's
//! write gate like transactions do, so no writer ever meets another inside SQLite.

use std::borrow::Cow;
use std::marker::PhantomData;

use super::row::{FromRow, Row};
use super::{Arg, Db, Store, Tx, TxConn, lite, pg};

/// Where a statement runs.
pub enum Ex<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Ex<'a> {
    fn from(db: &'a Db) -> Ex<'a> {
        Ex::Db(db)
    }
}

impl<'a> From<&'a &Db> for Ex<'a> {
    fn from(db: &'a &Db) -> Ex<'a> {
        Ex::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for Ex<'a> {
    fn from(tx: &'a mut Tx) -> Ex<'a> {
        Ex::Tx(tx)
    }
}

/// A row read in place by [`Query::scan`]: its cells by position.
pub trait Cells {
    fn int(&self, i: usize) -> Option<i64>;
    fn text(&self, i: usize) -> Option<&str>;
}

/// What `execute` answers.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows
    }
}

/// A statement with its arguments; `O` is what each row decodes to.
#[must_use = "a query does nothing until it is run"]
pub struct Query<O> {
    sql: Cow<'static, str>,
    args: Vec<Arg>,
    decode: fn(Row) -> sqlx::Result<O>,
    _out: PhantomData<fn() -> O>,
}

/// A statement whose rows are read by hand (`row.try_get("col")`).
pub fn query(sql: impl Into<Cow<'static, str>>) -> Query<Row> {
    Query::new(sql.into(), Ok)
}

/// A statement whose rows decode into `T`.
pub fn query_as<T>(sql: impl Into<Cow<'static, str>>) -> Query<T>
where
    T: FromRow,
{
    Query::new(sql.into(), |mut r| T::from_row(&mut r))
}

/// A statement whose first column is the answer.
pub fn query_scalar<T>(sql: impl Into<Cow<'static, str>>) -> Query<T>
where
    (T,): FromRow,
{
    Query::new(sql.into(), |mut r| <(T,)>::from_row(&mut r).map(|(t,)| t))
}

fn writes(sql: &str) -> bool {
    let head = sql.trim_start();
    let head = &head[..head.len().min(6)];
    !head.eq_ignore_ascii_case("select")
}

impl<O> Query<O> {
    pub(super) fn new(sql: Cow<'static, str>, decode: fn(Row) -> sqlx::Result<O>) -> Query<O> {
        Query {
            sql,
            args: Vec::new(),
            decode,
            _out: PhantomData,
        }
    }

    pub(super) fn with_args(mut self, args: Vec<Arg>) -> Query<O> {
        self.args = args;
        self
    }

    /// Binds the next `$n`.
    pub fn bind(mut self, arg: impl Into<Arg>) -> Query<O> {
        self.args.push(arg.into());
        self
    }

    fn pg(&self) -> pg::Statement {
        pg::statement(&self.sql, &self.args)
    }

    async fn rows<'a>(&self, ex: Ex<'a>) -> sqlx::Result<Vec<Row>> {
        match ex {
            Ex::Db(db) => match &*db.store {
                Store::Postgres(pool) => pg::rows(self.pg().fetch_all(pool).await?),
                Store::Sqlite {
                    lite,
                    writer,
                    syncer,
                } => {
                    if writes(&self.sql) {
                        let (rows, n) = {
                            let w = writer.lock().await;
                            let rows = lite::fetch(&w, &self.sql, &self.args)?;
                            (rows, syncer.committed())
                        };
                        syncer.wait(n).await.map_err(sqlx::Error::Io)?;
                        Ok(rows)
                    } else {
                        lite.read(|c| lite::fetch(c, &self.sql, &self.args))
                    }
                }
            },
            Ex::Tx(tx) => match &mut tx.conn {
                TxConn::Postgres(t) => pg::rows(self.pg().fetch_all(&mut **t).await?),
                TxConn::Sqlite(t) => lite::fetch(&t.conn, &self.sql, &self.args),
            },
        }
    }

    pub async fn fetch_all<'a>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<Vec<O>> {
        self.rows(ex.into())
            .await?
            .into_iter()
            .map(self.decode)
            .collect()
    }

    pub async fn fetch_optional<'a>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<Option<O>> {
        match self.rows(ex.into()).await?.into_iter().next() {
            Some(r) => (self.decode)(r).map(Some),
            None => Ok(None),
        }
    }

    pub async fn fetch_one<'a>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<O> {
        self.fetch_optional(ex)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// Reads every row in place, without decoding it into a value: for aggregations over many
    /// rows (a year of tickets). On SQLite the rows are never copied.
    pub async fn scan<'a>(
        self,
        ex: impl Into<Ex<'a>>,
        mut f: impl FnMut(&dyn Cells),
    ) -> sqlx::Result<()> {
        match ex.into() {
            Ex::Db(db) => match &*db.store {
                Store::Postgres(pool) => {
                    for r in pg::rows(self.pg().fetch_all(pool).await?)? {
                        f(&r);
                    }
                    Ok(())
                }
                Store::Sqlite { lite, .. } => {
                    lite.read(|c| lite::scan(c, &self.sql, &self.args, &mut f))
                }
            },
            Ex::Tx(tx) => match &mut tx.conn {
                TxConn::Postgres(t) => {
                    for r in pg::rows(self.pg().fetch_all(&mut **t).await?)? {
                        f(&r);
                    }
                    Ok(())
                }
                TxConn::Sqlite(t) => lite::scan(&t.conn, &self.sql, &self.args, &mut f),
            },
        }
    }

    /// Runs the statement for its effect.
    pub async fn execute<'a>(self, ex: impl Into<Ex<'a>>) -> sqlx::Result<Done> {
        let rows = match ex.into() {
            Ex::Db(db) => match &*db.store {
                Store::Postgres(pool) => self.pg().execute(pool).await?.rows_affected(),
                Store::Sqlite { writer, syncer, .. } => {
                    let (rows, n) = {
                        let w = writer.lock().await;
                        (
                            lite::execute(&w, &self.sql, &self.args)?,
                            syncer.committed(),
                        )
                    };
                    syncer.wait(n).await.map_err(sqlx::Error::Io)?;
                    rows
                }
            },
            Ex::Tx(tx) => match &mut tx.conn {
                TxConn::Postgres(t) => self.pg().execute(&mut **t).await?.rows_affected(),
                TxConn::Sqlite(t) => lite::execute(&t.conn, &self.sql, &self.args)?,
            },
        };
        Ok(Done { rows })
    }
}

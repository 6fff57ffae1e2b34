//! Embedded SQLite, run in the calling thread through rusqlite.
//!
//! Why not sqlx's SQLite driver, which the rest of the layer's API is shaped after: it runs every
//! statement on a per-connection worker thread and hands statement and rows across threads, about
//! 60 µs per statement natively and 170 µs through `Any` (docs/bench.md); under load half of the
//! server's time went to those hand-offs. Here a statement costs what SQLite costs (a few µs for
//! the platform's indexed queries), so it runs inline on the async worker, like a short
//! computation. Rows come back as the layer's own [`Row`]s, as they do from PostgreSQL.
//!
//! Connections: one writer, owned by the write gate (at most one writing transaction per process,
//! and the gate queues the others without SQLite's sleeping busy handler), and a small stack of
//! readers (WAL readers never wait for the writer).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::types::{ToSqlOutput, ValueRef};

use super::Arg;
use super::row::{Row, Value};

/// Readers kept open between statements; more are opened when more threads read at once.
const IDLE_READERS: usize = 8;

pub(super) struct Lite {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
}

pub(super) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open(path)?;
    c.busy_timeout(Duration::from_secs(10))?;
    c.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
    c.set_prepared_statement_cache_capacity(256);
    Ok(c)
}

impl Lite {
    pub(super) fn new(path: PathBuf) -> Lite {
        Lite {
            path,
            readers: Mutex::new(Vec::new()),
        }
    }

    /// Runs `f` on an idle reader (opening one if none is idle).
    pub(super) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> sqlx::Result<T>,
    ) -> sqlx::Result<T> {
        let idle = self.readers.lock().expect("reader stack").pop();
        let conn = match idle {
            Some(c) => c,
            None => open(&self.path).map_err(to_sqlx)?,
        };
        let out = f(&conn);
        let mut stack = self.readers.lock().expect("reader stack");
        if stack.len() < IDLE_READERS {
            stack.push(conn);
        }
        out
    }
}

impl rusqlite::ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Arg::Null(_) => ToSqlOutput::Borrowed(ValueRef::Null),
            Arg::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Arg::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(*b as i64)),
            Arg::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Arg::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Arg::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn prepare<'c>(
    conn: &'c Connection,
    sql: &str,
    args: &[Arg],
) -> sqlx::Result<rusqlite::CachedStatement<'c>> {
    let mut st = conn.prepare_cached(sql).map_err(to_sqlx)?;
    st.clear_bindings();
    for (i, a) in args.iter().enumerate() {
        let name = format!("${}", i + 1);
        st.raw_bind_parameter(name.as_str(), a).map_err(to_sqlx)?;
    }
    Ok(st)
}

/// Runs one statement and answers its rows.
pub(super) fn fetch(conn: &Connection, sql: &str, args: &[Arg]) -> sqlx::Result<Vec<Row>> {
    let mut st = prepare(conn, sql, args)?;
    let cols = st.columns();
    let names: Arc<[Box<str>]> = cols.iter().map(|c| Box::from(c.name())).collect();
    // SQLite stores booleans as integers; the declared type says which columns are booleans.
    let bools: Vec<bool> = cols
        .iter()
        .map(|c| {
            c.decl_type()
                .is_some_and(|t| t.to_ascii_uppercase().contains("BOOL"))
        })
        .collect();
    drop(cols);
    let mut out = Vec::new();
    let mut rows = st.raw_query();
    while let Some(r) = rows.next().map_err(to_sqlx)? {
        let mut values = Vec::with_capacity(bools.len());
        for (i, is_bool) in bools.iter().enumerate() {
            values.push(match r.get_ref(i).map_err(to_sqlx)? {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(v) if *is_bool => Value::Bool(v != 0),
                ValueRef::Integer(v) => Value::Int(v),
                ValueRef::Real(v) => Value::Real(v),
                ValueRef::Text(t) => Value::Text(
                    String::from_utf8(t.to_vec()).map_err(|e| sqlx::Error::Decode(e.into()))?,
                ),
                ValueRef::Blob(b) => Value::Blob(b.to_vec()),
            });
        }
        out.push(Row::new(names.clone(), values));
    }
    Ok(out)
}

struct LiteCells<'r, 's>(&'r rusqlite::Row<'s>);

impl super::Cells for LiteCells<'_, '_> {
    fn int(&self, i: usize) -> Option<i64> {
        match self.0.get_ref(i).ok()? {
            ValueRef::Integer(v) => Some(v),
            ValueRef::Real(v) => Some(v as i64),
            _ => None,
        }
    }
    fn text(&self, i: usize) -> Option<&str> {
        match self.0.get_ref(i).ok()? {
            ValueRef::Text(t) => std::str::from_utf8(t).ok(),
            _ => None,
        }
    }
}

/// Runs one statement and hands each row to `f` in place.
pub(super) fn scan(
    conn: &Connection,
    sql: &str,
    args: &[Arg],
    f: &mut dyn FnMut(&dyn super::Cells),
) -> sqlx::Result<()> {
    let mut st = prepare(conn, sql, args)?;
    let mut rows = st.raw_query();
    while let Some(r) = rows.next().map_err(to_sqlx)? {
        f(&LiteCells(r));
    }
    Ok(())
}

/// Runs one statement to its end and answers how many rows it changed.
pub(super) fn execute(conn: &Connection, sql: &str, args: &[Arg]) -> sqlx::Result<u64> {
    let mut st = prepare(conn, sql, args)?;
    let mut rows = st.raw_query();
    while rows.next().map_err(to_sqlx)?.is_some() {}
    Ok(conn.changes())
}

/// SQLite's errors as sqlx errors, so the layer above maps one error type (unique violations
/// to conflicts, as with PostgreSQL).
pub(super) fn to_sqlx(e: rusqlite::Error) -> sqlx::Error {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) => sqlx::Error::Database(Box::new(LiteError {
            code: f.extended_code,
            message: msg.unwrap_or_else(|| f.to_string()),
        })),
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

#[derive(Debug)]
struct LiteError {
    code: std::ffi::c_int,
    message: String,
}

impl std::fmt::Display for LiteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LiteError {}

impl sqlx::error::DatabaseError for LiteError {
    fn message(&self) -> &str {
        &self.message
    }

    fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
        Some(self.code.to_string().into())
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        use rusqlite::ffi;
        match self.code {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                sqlx::error::ErrorKind::UniqueViolation
            }
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => sqlx::error::ErrorKind::ForeignKeyViolation,
            ffi::SQLITE_CONSTRAINT_NOTNULL => sqlx::error::ErrorKind::NotNullViolation,
            ffi::SQLITE_CONSTRAINT_CHECK => sqlx::error::ErrorKind::CheckViolation,
            _ => sqlx::error::ErrorKind::Other,
        }
    }
}

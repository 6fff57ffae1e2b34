//! PostgreSQL through sqlx's own driver: statements with their arguments bound by type, and the
//! rows read into the layer's [`Row`]s (the same cells SQLite's rows hold).

use std::sync::Arc;

use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{AssertSqlSafe, Column, Postgres, Row as _, TypeInfo, ValueRef};

use super::row::{Row, Value};
use super::{Arg, NullKind};

pub(super) type Statement = sqlx::query::Query<'static, Postgres, PgArguments>;

/// `sql` with `args` bound as `$1…`.
pub(super) fn statement(sql: &str, args: &[Arg]) -> Statement {
    let mut q = sqlx::query(AssertSqlSafe(sql.to_string()));
    for a in args {
        q = match a {
            Arg::Null(kind) => match kind {
                NullKind::Int => q.bind(None::<i64>),
                NullKind::Real => q.bind(None::<f64>),
                NullKind::Bool => q.bind(None::<bool>),
                NullKind::Text => q.bind(None::<String>),
                NullKind::Blob => q.bind(None::<Vec<u8>>),
            },
            Arg::Int(i) => q.bind(*i),
            Arg::Bool(b) => q.bind(*b),
            Arg::Real(f) => q.bind(*f),
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Blob(b) => q.bind(b.clone()),
        };
    }
    q
}

/// The rows of one result, their column names shared.
pub(super) fn rows(rows: Vec<PgRow>) -> sqlx::Result<Vec<Row>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let names: Arc<[Box<str>]> = first
        .columns()
        .iter()
        .map(|c| Box::from(c.name()))
        .collect();
    rows.iter()
        .map(|r| {
            let values = (0..names.len())
                .map(|i| cell(r, i))
                .collect::<sqlx::Result<_>>()?;
            Ok(Row::new(names.clone(), values))
        })
        .collect()
}

fn cell(r: &PgRow, i: usize) -> sqlx::Result<Value> {
    if r.try_get_raw(i)?.is_null() {
        return Ok(Value::Null);
    }
    let ty = r.column(i).type_info().name();
    Ok(match ty {
        "INT8" => Value::Int(r.try_get::<i64, _>(i)?),
        "INT4" => Value::Int(r.try_get::<i32, _>(i)?.into()),
        "INT2" => Value::Int(r.try_get::<i16, _>(i)?.into()),
        "BOOL" => Value::Bool(r.try_get(i)?),
        "FLOAT8" => Value::Real(r.try_get(i)?),
        "FLOAT4" => Value::Real(r.try_get::<f32, _>(i)?.into()),
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Value::Text(r.try_get(i)?),
        "BYTEA" => Value::Blob(r.try_get(i)?),
        "VOID" => Value::Null,
        other => {
            return Err(sqlx::Error::ColumnDecode {
                index: r.column(i).name().to_string(),
                source: format!("the storage layer reads no {other} values (cast it)").into(),
            });
        }
    })
}

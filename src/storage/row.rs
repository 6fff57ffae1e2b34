//! Rows as the platform reads them, from either store: a [`Row`] of [`Value`]s with its column
//! names, decoded into Rust values by [`FromValue`] and into structs by [`FromRow`] (derived with
//! `#[derive(FromRow)]` from `zhengwu-derive`; `#[row(flatten)]` nests a struct).
//!
//! Why our own rather than sqlx's `AnyRow`: building an `AnyRow` from rusqlite's cells needs
//! sqlx-core's internals (`AnyValueKind`, `UStr`), which tied every rusqlite upgrade to sqlx's.
//! These five value kinds are all the schema uses (integers, booleans, reals, text, blobs).

use std::sync::Arc;

/// One cell.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Int(i64),
    Bool(bool),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// One row: its cells by position and the result's column names (shared by its rows).
#[derive(Debug, Clone)]
pub struct Row {
    names: Arc<[Box<str>]>,
    values: Vec<Value>,
    /// Where the last name was found: fields are mostly read in column order, so the next one
    /// is usually the next column.
    cursor: usize,
}

/// A column by position or by name.
pub trait ColumnIndex {
    fn position(&self, row: &Row) -> sqlx::Result<usize>;
}

impl ColumnIndex for usize {
    fn position(&self, row: &Row) -> sqlx::Result<usize> {
        if *self < row.values.len() {
            Ok(*self)
        } else {
            Err(sqlx::Error::ColumnIndexOutOfBounds {
                index: *self,
                len: row.values.len(),
            })
        }
    }
}

impl ColumnIndex for &str {
    fn position(&self, row: &Row) -> sqlx::Result<usize> {
        let n = row.names.len();
        (0..n)
            .map(|k| (row.cursor + k) % n)
            .find(|&i| &*row.names[i] == *self)
            .ok_or_else(|| sqlx::Error::ColumnNotFound(self.to_string()))
    }
}

impl Row {
    pub(super) fn new(names: Arc<[Box<str>]>, values: Vec<Value>) -> Row {
        Row {
            names,
            values,
            cursor: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The cell at `col`, decoded (copied; the row keeps it).
    pub fn try_get<T: FromValue>(&self, col: impl ColumnIndex) -> sqlx::Result<T> {
        let i = col.position(self)?;
        T::from_value(self.values[i].clone()).map_err(|e| self.decode_error(i, e))
    }

    /// The cell at `col`, decoded and moved out of the row (what derived [`FromRow`]s use).
    pub fn take<T: FromValue>(&mut self, col: impl ColumnIndex) -> sqlx::Result<T> {
        let i = col.position(self)?;
        self.cursor = i + 1;
        T::from_value(std::mem::take(&mut self.values[i])).map_err(|e| self.decode_error(i, e))
    }

    fn decode_error(&self, i: usize, e: String) -> sqlx::Error {
        sqlx::Error::ColumnDecode {
            index: self
                .names
                .get(i)
                .map_or_else(|| i.to_string(), |n| n.to_string()),
            source: e.into(),
        }
    }
}

impl super::Cells for Row {
    fn int(&self, i: usize) -> Option<i64> {
        match self.values.get(i)? {
            Value::Int(v) => Some(*v),
            Value::Real(v) => Some(*v as i64),
            Value::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
    fn text(&self, i: usize) -> Option<&str> {
        match self.values.get(i)? {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// A Rust value read from one cell.
pub trait FromValue: Sized {
    fn from_value(v: Value) -> Result<Self, String>;
}

fn unexpected(want: &str, got: &Value) -> String {
    let got = match got {
        Value::Null => "NULL",
        Value::Int(_) => "an integer",
        Value::Bool(_) => "a boolean",
        Value::Real(_) => "a real",
        Value::Text(_) => "text",
        Value::Blob(_) => "a blob",
    };
    format!("expected {want}, found {got}")
}

impl FromValue for i64 {
    fn from_value(v: Value) -> Result<i64, String> {
        match v {
            Value::Int(i) => Ok(i),
            Value::Bool(b) => Ok(b as i64),
            other => Err(unexpected("an integer", &other)),
        }
    }
}

macro_rules! narrow_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(v: Value) -> Result<$t, String> {
                let i = i64::from_value(v)?;
                <$t>::try_from(i).map_err(|_| format!("{i} is out of range for {}", stringify!($t)))
            }
        }
    )*};
}
narrow_int!(i32, u32, u16, u8, usize, u64);

impl FromValue for bool {
    fn from_value(v: Value) -> Result<bool, String> {
        match v {
            Value::Bool(b) => Ok(b),
            Value::Int(i) => Ok(i != 0),
            other => Err(unexpected("a boolean", &other)),
        }
    }
}

impl FromValue for f64 {
    fn from_value(v: Value) -> Result<f64, String> {
        match v {
            Value::Real(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            other => Err(unexpected("a number", &other)),
        }
    }
}

impl FromValue for String {
    fn from_value(v: Value) -> Result<String, String> {
        match v {
            Value::Text(s) => Ok(s),
            other => Err(unexpected("text", &other)),
        }
    }
}

impl FromValue for Vec<u8> {
    fn from_value(v: Value) -> Result<Vec<u8>, String> {
        match v {
            Value::Blob(b) => Ok(b),
            Value::Text(s) => Ok(s.into_bytes()),
            other => Err(unexpected("a blob", &other)),
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Option<T>, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

/// A value read from a whole row.
pub trait FromRow: Sized {
    fn from_row(row: &mut Row) -> sqlx::Result<Self>;
}

impl FromRow for Row {
    fn from_row(row: &mut Row) -> sqlx::Result<Row> {
        Ok(std::mem::replace(
            row,
            Row::new(row.names.clone(), Vec::new()),
        ))
    }
}

macro_rules! tuple_row {
    ($($t:ident $i:tt),*) => {
        impl<$($t: FromValue),*> FromRow for ($($t,)*) {
            fn from_row(row: &mut Row) -> sqlx::Result<Self> {
                Ok(($(row.take::<$t>($i)?,)*))
            }
        }
    };
}
tuple_row!(A 0);
tuple_row!(A 0, B 1);
tuple_row!(A 0, B 1, C 2);
tuple_row!(A 0, B 1, C 2, D 3);
tuple_row!(A 0, B 1, C 2, D 3, E 4);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
tuple_row!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);

#[cfg(test)]
mod tests {
    use super::*;

    fn row(names: &[&str], values: Vec<Value>) -> Row {
        Row::new(names.iter().map(|n| Box::from(*n)).collect(), values)
    }

    #[test]
    fn cells_decode_by_name_and_position_and_say_what_went_wrong() {
        let r = row(
            &["id", "name", "done", "note"],
            vec![
                Value::Int(7),
                Value::Text("龙华".into()),
                Value::Int(1),
                Value::Null,
            ],
        );
        assert_eq!(r.try_get::<i64>("id").unwrap(), 7);
        assert_eq!(r.try_get::<String>(1).unwrap(), "龙华");
        assert!(r.try_get::<bool>("done").unwrap());
        assert_eq!(r.try_get::<Option<String>>("note").unwrap(), None);
        let e = r.try_get::<String>("note").unwrap_err().to_string();
        assert!(e.contains("note") && e.contains("NULL"), "{e}");
        assert!(matches!(
            r.try_get::<i64>("missing"),
            Err(sqlx::Error::ColumnNotFound(_))
        ));
        assert!(r.try_get::<i64>(9).is_err());
        assert!(row(&["n"], vec![Value::Int(300)]).try_get::<u8>(0).is_err());
    }

    #[test]
    fn tuples_read_by_position() {
        let mut r = row(&["a", "b"], vec![Value::Int(1), Value::Text("x".into())]);
        let (a, b) = <(i64, String)>::from_row(&mut r).unwrap();
        assert_eq!((a, b.as_str()), (1, "x"));
    }
}

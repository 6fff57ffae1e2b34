//! SQLite's schema migrations, applied through rusqlite on the store's writer.
//!
//! The files are sqlx's (`migrations/sqlite`, embedded by `sqlx::migrate!`), and the book is
//! sqlx's `_sqlx_migrations` table with its columns and checksums, so stores migrated by earlier
//! builds (through sqlx's SQLite driver) go on from where they were. Written here because sqlx's
//! migrator runs only on sqlx's own connections, and the platform talks to SQLite through
//! rusqlite alone. The rules are sqlx's: a half-applied migration, a changed one, or one the
//! binary does not know stops the start with a message; each migration and its book entry
//! commit together.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, bail};
use rusqlite::{Connection, OptionalExtension, params};
use sqlx::migrate::Migrator;

const BOOK: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

/// Brings the store on `conn` up to `set`.
pub(super) fn sqlite(conn: &mut Connection, set: &Migrator) -> anyhow::Result<()> {
    conn.execute_batch(BOOK)?;
    let dirty: Option<i64> = conn
        .query_row(
            "SELECT version FROM _sqlx_migrations WHERE success = false ORDER BY version LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(v) = dirty {
        bail!("migration {v} was left half-applied; repair the store before starting");
    }
    let applied: HashMap<i64, Vec<u8>> = {
        let mut st = conn.prepare("SELECT version, checksum FROM _sqlx_migrations")?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let ups: Vec<_> = set
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .collect();
    for v in applied.keys() {
        if !ups.iter().any(|m| m.version == *v) {
            bail!("the store has migration {v}, which this build does not know (a newer build?)");
        }
    }
    for m in ups {
        match applied.get(&m.version) {
            Some(sum) if sum.as_slice() == &*m.checksum => continue,
            Some(_) => bail!("migration {} was changed after it was applied", m.version),
            None => {}
        }
        let start = Instant::now();
        let apply = |c: &Connection| -> rusqlite::Result<()> {
            c.execute_batch(m.sql.as_str())?;
            c.execute(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                 execution_time) VALUES (?1, ?2, TRUE, ?3, -1)",
                params![m.version, &*m.description, &*m.checksum],
            )?;
            Ok(())
        };
        if m.no_tx {
            apply(conn)
        } else {
            let tx = conn.transaction()?;
            apply(&tx)?;
            tx.commit()
        }
        .with_context(|| format!("applying migration {} ({})", m.version, m.description))?;
        conn.execute(
            "UPDATE _sqlx_migrations SET execution_time = ?1 WHERE version = ?2",
            params![start.elapsed().as_nanos() as i64, m.version],
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    static SET: Migrator = sqlx::migrate!("migrations/sqlite");

    fn versions(c: &Connection) -> Vec<i64> {
        let mut st = c
            .prepare("SELECT version FROM _sqlx_migrations ORDER BY version")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn applies_each_migration_once_and_refuses_a_changed_or_unknown_one() {
        let mut c = Connection::open_in_memory().unwrap();
        sqlite(&mut c, &SET).unwrap();
        let all: Vec<i64> = SET.iter().map(|m| m.version).collect();
        assert_eq!(versions(&c), all);
        // A second start applies nothing and changes nothing.
        sqlite(&mut c, &SET).unwrap();
        assert_eq!(versions(&c), all);

        c.execute(
            "UPDATE _sqlx_migrations SET checksum = X'00' WHERE version = ?1",
            [all[0]],
        )
        .unwrap();
        let e = sqlite(&mut c, &SET).unwrap_err().to_string();
        assert!(e.contains("changed"), "{e}");
        c.execute(
            "UPDATE _sqlx_migrations SET checksum = ?1 WHERE version = ?2",
            params![&*SET.iter().next().unwrap().checksum, all[0]],
        )
        .unwrap();

        c.execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
             execution_time) VALUES (99999999999999, 'future', TRUE, X'00', 0)",
            [],
        )
        .unwrap();
        let e = sqlite(&mut c, &SET).unwrap_err().to_string();
        assert!(e.contains("does not know"), "{e}");
    }

    /// A store migrated by earlier builds (through sqlx's SQLite driver) has its book written by
    /// sqlx: the fixture is that book, as sqlx 0.9 wrote it. Such a store starts with nothing
    /// to apply; were sqlx's checksums to change in an upgrade, this fails before a district's
    /// store refuses to start.
    #[test]
    fn a_store_migrated_by_sqlx_goes_on_from_its_book() {
        let book = include_str!("../../tests/fixtures/sqlx_book_sqlite.tsv");
        let mut c = Connection::open_in_memory().unwrap();
        // The schema as that build left it: the migrations its book lists (later ones apply now).
        let booked: Vec<i64> = book
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').next().unwrap().parse().unwrap())
            .collect();
        for m in SET.iter().filter(|m| booked.contains(&m.version)) {
            c.execute_batch(m.sql.as_str()).unwrap();
        }
        c.execute_batch(BOOK).unwrap();
        let mut n = 0;
        for line in book.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split('\t').collect();
            let sum = hex::decode(f[3]).unwrap();
            c.execute(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, \
                 execution_time) VALUES (?1, ?2, ?3, ?4, 1)",
                params![f[0].parse::<i64>().unwrap(), f[1], f[2] == "1", sum],
            )
            .unwrap();
            n += 1;
        }
        assert!(n >= 28);
        sqlite(&mut c, &SET).unwrap();
        let times: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM _sqlx_migrations WHERE execution_time = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(times, n, "the book's migrations were not applied again");
    }

    #[test]
    fn a_failing_migration_leaves_no_half_of_itself() {
        let first = SET.iter().next().unwrap();
        let broken = sqlx::migrate::Migration::new(
            first.version + 1,
            "broken".into(),
            first.migration_type,
            sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(
                "CREATE TABLE half (x INTEGER); SELECT * FROM nowhere;",
            )),
            false,
        );
        let set = Migrator::with_migrations(vec![first.clone(), broken]);
        let mut c = Connection::open_in_memory().unwrap();
        assert!(sqlite(&mut c, &set).is_err());
        assert_eq!(versions(&c), vec![first.version]);
        let half: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(half, 0);
    }
}

//! How much the storage layer costs per query: the same account page (1, 25, 100 rows) fetched
//! through zhengwu's storage layer (rows as `storage::Row`, decoded into a struct) and through
//! rusqlite directly (the floor: the same statement, cells read in place). Run on a demo data dir:
//! `cargo run --release --example driver_overhead -- zhengwu-data/zhengwu.db`

use std::time::Instant;

use zhengwu::storage::FromRow;

const Q: &str = "SELECT u.id, u.username, u.name, u.org_unit_id, o.name AS unit_name, o.path AS unit_path, \
    u.email, u.phone, u.active, u.locked_until, u.created_at, u.updated_at FROM users u \
    JOIN org_units o ON o.id = u.org_unit_id WHERE o.path LIKE '/1/%' ORDER BY u.username LIMIT $1";

struct U {
    username: String,
}

impl FromRow for U {
    fn from_row(row: &mut zhengwu::storage::Row) -> sqlx::Result<U> {
        Ok(U {
            username: row.take("username")?,
        })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "zhengwu-data/zhengwu.db".into());
    let db = zhengwu::storage::Db::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    let bare = rusqlite::Connection::open(&path).unwrap();
    for rows in [1i64, 25, 100] {
        let n = 2000;
        let t = Instant::now();
        for _ in 0..n {
            let r = zhengwu::storage::query_as::<U>(Q)
                .bind(rows)
                .fetch_all(&db)
                .await
                .unwrap();
            assert_eq!(r.len() as i64, rows);
            assert!(!r[0].username.is_empty());
        }
        let a = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            let mut st = bare.prepare_cached(Q).unwrap();
            let mut it = st.query([rows]).unwrap();
            let mut got = 0;
            let mut first = String::new();
            while let Some(r) = it.next().unwrap() {
                if got == 0 {
                    first = r.get("username").unwrap();
                }
                got += 1;
            }
            assert_eq!(got, rows);
            assert!(!first.is_empty());
        }
        let b = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        println!("{rows:>4} rows: zhengwu {a:8.1} µs/query, bare rusqlite {b:8.1} µs/query");
    }
}

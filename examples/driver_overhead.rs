//! How much the storage path costs per query: the same account page (1, 25, 100 rows) fetched
//! through zhengwu's storage layer (rusqlite in the calling thread, rows as `AnyRow`) and through
//! sqlx's native SQLite driver (a worker thread per connection). Run on a demo data dir:
//! `cargo run --release --example driver_overhead -- zhengwu-data/zhengwu.db`

use std::time::Instant;

use sqlx::sqlite::SqlitePoolOptions;
use sqlx::{FromRow, Row};

const Q: &str = "SELECT u.id, u.username, u.name, u.org_unit_id, o.name AS unit_name, o.path AS unit_path, \
    u.email, u.phone, u.active, u.locked_until, u.created_at, u.updated_at FROM users u \
    JOIN org_units o ON o.id = u.org_unit_id WHERE o.path LIKE '/1/%' ORDER BY u.username LIMIT $1";

#[derive(FromRow)]
#[allow(dead_code)]
struct U {
    id: i64,
    username: String,
    name: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "zhengwu-data/zhengwu.db".into());
    let url = format!("sqlite://{path}");
    let any = zhengwu::storage::Db::connect(&url).await.unwrap();
    let native = SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap();
    for rows in [1i64, 25, 100] {
        let n = 2000;
        let t = Instant::now();
        for _ in 0..n {
            let r = zhengwu::storage::query(Q)
                .bind(rows)
                .fetch_all(&any)
                .await
                .unwrap();
            assert_eq!(r.len() as i64, rows);
            let _: String = r[0].get("username");
        }
        let a = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            let r = sqlx::query(Q).bind(rows).fetch_all(&native).await.unwrap();
            assert_eq!(r.len() as i64, rows);
            let _: String = r[0].get("username");
        }
        let b = t.elapsed().as_secs_f64() / n as f64 * 1e6;
        println!("{rows:>4} rows: zhengwu {a:8.1} µs/query, sqlx-sqlite {b:8.1} µs/query");
    }
}

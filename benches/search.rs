//! Search latency on a generated 10,000-matter catalog: builds the in-memory index from variants
//! of the demo catalog's matters, runs a fixed mix of queries (words, pinyin initials, filters)
//! many times, and prints p50, p99 and max per query. Run: `cargo bench --bench search`.

use std::time::Instant;

use zhengwu::catalog::search::{SearchIndex, SearchQuery};
use zhengwu::demo::catalog as samples;

const VARIANTS: [&str; 24] = [
    "新办",
    "变更",
    "延续",
    "注销",
    "补证",
    "换证",
    "年度报告",
    "迁入",
    "迁出",
    "暂停",
    "恢复",
    "备案",
    "观湖",
    "民治",
    "龙华",
    "大浪",
    "福城",
    "观澜",
    "个人",
    "单位",
    "首次",
    "再次",
    "加急",
    "预约",
];

fn main() {
    let base = samples::all();
    let n = 10_000;
    let matters: Vec<_> = (0..n)
        .map(|i| {
            let mut m = base[i % base.len()].clone();
            m.code = format!("B{i:06}");
            if i >= base.len() {
                let v = VARIANTS[(i / base.len()) % VARIANTS.len()];
                let w = VARIANTS[(i / base.len() / VARIANTS.len()) % VARIANTS.len()];
                m.name = format!("{}（{v}{w}）", m.name);
            }
            m
        })
        .collect();
    let idx = SearchIndex::new();
    let t = Instant::now();
    idx.rebuild(&matters).unwrap();
    println!("indexed {n} matters in {:.2} s", t.elapsed().as_secs_f64());

    let q = |s: &str| SearchQuery {
        q: Some(s.into()),
        ..Default::default()
    };
    let queries = vec![
        ("生育登记", q("生育登记")),
        ("sydj", q("sydj")),
        ("食品经营许可", q("食品经营许可")),
        ("营业执照 变更", q("营业执照 变更")),
        (
            "许可 + enterprise + district",
            SearchQuery {
                audience: Some("enterprise".into()),
                level: Some("district".into()),
                ..q("许可")
            },
        ),
        (
            "全程网办 depth 4",
            SearchQuery {
                depth: Some(4),
                ..q("登记")
            },
        ),
        ("no match", q("量子计算机")),
        ("all (no words)", SearchQuery::default()),
    ];
    let rounds = 400;
    println!(
        "{:<32} {:>9} {:>9} {:>9} {:>6}",
        "query", "p50 µs", "p99 µs", "max µs", "hits"
    );
    let mut all = Vec::new();
    for (name, query) in &queries {
        let mut times = Vec::with_capacity(rounds);
        let mut hits = 0;
        for _ in 0..rounds {
            let t = Instant::now();
            hits = idx.search(query).unwrap().hits.len();
            times.push(t.elapsed().as_micros() as u64);
        }
        times.sort_unstable();
        let p = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize];
        println!(
            "{:<32} {:>9} {:>9} {:>9} {:>6}",
            name,
            p(0.5),
            p(0.99),
            times[times.len() - 1],
            hits
        );
        all.extend(times);
    }
    all.sort_unstable();
    let p = |q: f64| all[((all.len() as f64 - 1.0) * q) as usize];
    println!(
        "{:<32} {:>9} {:>9} {:>9}",
        "ALL QUERIES",
        p(0.5),
        p(0.99),
        all[all.len() - 1]
    );
}

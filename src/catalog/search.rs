//! Catalog search as a Chinese user expects it: tantivy with a jieba word segmenter, hits in a
//! matter's name ranked above hits in its guide, pinyin initials (`sydj` finds 生育登记), and
//! filters by audience, level, department and online depth. The index lives in memory, built from
//! the published matters and rebuilt when the store's catalog version (matter count and latest
//! change, one cheap row) moves — so changes made by the CLI or another server are picked up too.

use std::sync::RwLock;

use pinyin::ToPinyin;
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, ReloadPolicy, Term, doc};

use super::Matter;
use crate::error::Result;
use crate::storage::Db;

#[derive(Clone, Copy)]
struct Fields {
    code: Field,
    name: Field,
    initials: Field,
    body: Field,
    audience: Field,
    level: Field,
    department: Field,
    depth: Field,
    kind: Field,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// The catalog version the index was built from.
    version: RwLock<Option<(i64, Option<String>)>>,
    rebuilding: tokio::sync::Mutex<()>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words, or pinyin initials such as `sydj`.
    pub q: Option<String>,
    /// `personal` or `enterprise`.
    pub audience: Option<String>,
    /// `district`, `street` or `community`.
    pub level: Option<String>,
    /// Owning department's unit code.
    pub department: Option<String>,
    /// Minimum online depth, 1–4.
    pub depth: Option<u64>,
    /// At most this many hits (default 20, at most 100).
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub department: String,
    pub online_depth: u64,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Hits {
    pub hits: Vec<Hit>,
}

/// Pinyin initials of the Chinese characters in `s` (other characters kept as they are).
pub fn initials(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c.to_pinyin() {
            Some(p) => p.first_letter().chars().next(),
            None if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            None => None,
        })
        .collect()
}

fn body_text(m: &Matter) -> String {
    let g = &m.guide;
    let mut parts: Vec<&str> = vec![m.kind.zh(), &g.result_name];
    parts.extend(m.themes.iter().map(String::as_str));
    parts.extend(g.conditions.iter().map(String::as_str));
    parts.extend(g.materials.iter().map(|x| x.name.as_str()));
    parts.extend(g.steps.iter().map(String::as_str));
    parts.extend(g.faq.iter().flat_map(|f| [f.q.as_str(), f.a.as_str()]));
    parts.extend(m.legal_basis.iter().map(|b| b.title.as_str()));
    parts.join("\n")
}

impl Default for SearchIndex {
    fn default() -> Self {
        Self::new()
    }
}

impl SearchIndex {
    pub fn new() -> SearchIndex {
        let mut sb = Schema::builder();
        let jieba = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("jieba")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let fields = Fields {
            code: sb.add_text_field("code", STRING | STORED),
            name: sb.add_text_field("name", jieba.clone() | STORED),
            initials: sb.add_text_field("initials", STRING),
            body: sb.add_text_field("body", jieba),
            audience: sb.add_text_field("audience", STRING),
            level: sb.add_text_field("level", STRING),
            department: sb.add_text_field("department", STRING | STORED),
            depth: sb.add_u64_field(
                "depth",
                NumericOptions::default()
                    .set_indexed()
                    .set_fast()
                    .set_stored(),
            ),
            kind: sb.add_text_field("kind", STRING | STORED),
        };
        let index = Index::create_in_ram(sb.build());
        index
            .tokenizers()
            .register("jieba", tantivy_jieba::JiebaTokenizer::new());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .expect("in-memory reader");
        SearchIndex {
            index,
            reader,
            fields,
            version: RwLock::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// Replaces the whole index with these matters.
    pub fn rebuild(&self, matters: &[Matter]) -> tantivy::Result<()> {
        fill(&self.index, &self.reader, self.fields, matters)
    }

    /// Rebuilds from the store when its catalog has changed since the last build.
    pub async fn refresh(&self, db: &Db) -> Result<()> {
        let v: (i64, Option<String>) =
            crate::storage::query_as("SELECT COUNT(*), MAX(updated_at) FROM matters")
                .fetch_one(&db)
                .await?;
        if self.version.read().expect("version").as_ref() == Some(&v) {
            return Ok(());
        }
        // One rebuild at a time, and none when another request has just done it: under load,
        // the first burst of searches after a change must not rebuild once per request.
        let _one = self.rebuilding.lock().await;
        if self.version.read().expect("version").as_ref() == Some(&v) {
            return Ok(());
        }
        let matters: Vec<Matter> = super::repo::all_public(db)
            .await?
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        let (index, reader, fields) = (self.index.clone(), self.reader.clone(), self.fields);
        crate::blocking::run(move || {
            fill(&index, &reader, fields, &matters).map_err(|e| crate::Error::Internal(e.into()))
        })
        .await?;
        *self.version.write().expect("version") = Some(v);
        Ok(())
    }

    /// Best hits first.
    pub fn search(&self, q: &SearchQuery) -> tantivy::Result<Hits> {
        let f = self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let text = q.q.as_deref().map(str::trim).unwrap_or("");
        if !text.is_empty() {
            let mut parser = QueryParser::for_index(&self.index, vec![f.name, f.body]);
            parser.set_field_boost(f.name, 4.0);
            let (words, _) = parser.parse_query_lenient(text);
            let mut should: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, words)];
            if text.len() >= 2 && text.chars().all(|c| c.is_ascii_alphabetic()) {
                let term = Term::from_field_text(f.initials, &text.to_ascii_lowercase());
                let by_initials = TermQuery::new(term, IndexRecordOption::Basic);
                should.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(by_initials), 6.0)),
                ));
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        let exact = |field: Field, v: &Option<String>| -> Option<(Occur, Box<dyn Query>)> {
            v.as_deref().filter(|s| !s.is_empty()).map(|s| {
                let t = TermQuery::new(Term::from_field_text(field, s), IndexRecordOption::Basic);
                (Occur::Must, Box::new(t) as Box<dyn Query>)
            })
        };
        must.extend(exact(f.audience, &q.audience));
        must.extend(exact(f.level, &q.level));
        must.extend(exact(f.department, &q.department));
        if let Some(d) = q.depth.filter(|d| *d > 1) {
            let lo = Term::from_field_u64(f.depth, d);
            let hi = Term::from_field_u64(f.depth, 4);
            must.push((
                Occur::Must,
                Box::new(RangeQuery::new(
                    std::ops::Bound::Included(lo),
                    std::ops::Bound::Included(hi),
                )),
            ));
        }
        let query: Box<dyn Query> = if must.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(must))
        };
        let searcher = self.reader.searcher();
        let limit = q.limit.unwrap_or(20).clamp(1, 100);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let s = |field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            hits.push(Hit {
                code: s(f.code),
                name: s(f.name),
                kind: s(f.kind),
                department: s(f.department),
                online_depth: d.get_first(f.depth).and_then(|v| v.as_u64()).unwrap_or(1),
                score,
            });
        }
        Ok(Hits { hits })
    }
}

/// Fills `index` with exactly these matters and makes them visible to `reader`.
fn fill(index: &Index, reader: &IndexReader, f: Fields, matters: &[Matter]) -> tantivy::Result<()> {
    let mut w = index.writer_with_num_threads::<TantivyDocument>(1, 30_000_000)?;
    w.delete_all_documents()?;
    for m in matters {
        let mut d = doc!(
            f.code => m.code.clone(),
            f.name => m.name.clone(),
            f.body => body_text(m),
            f.department => m.department.clone(),
            f.depth => u64::from(m.guide.online_depth),
            f.kind => m.kind.code(),
        );
        let ini = initials(&m.name);
        for n in 2..=ini.len() {
            d.add_text(f.initials, &ini[..n]);
        }
        for a in &m.audience {
            d.add_text(f.audience, a.code());
        }
        for l in &m.levels {
            d.add_text(f.level, l.code());
        }
        w.add_document(d)?;
    }
    w.commit()?;
    reader.reload()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::catalog as samples;

    fn index() -> SearchIndex {
        let idx = SearchIndex::new();
        idx.rebuild(&samples::all()).unwrap();
        idx
    }

    fn names(idx: &SearchIndex, q: SearchQuery) -> Vec<String> {
        idx.search(&q)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.name)
            .collect()
    }

    fn q(text: &str) -> SearchQuery {
        SearchQuery {
            q: Some(text.into()),
            ..Default::default()
        }
    }

    #[test]
    fn words_find_names_first() {
        let idx = index();
        let got = names(&idx, q("生育"));
        assert!(got.len() >= 3, "{got:?}");
        // Matters with 生育 in the name come before those that only mention it in the guide.
        let first_without = got
            .iter()
            .position(|n| !n.contains("生育"))
            .unwrap_or(got.len());
        assert!(got[..first_without].len() >= 2);
        assert!(got[first_without..].iter().all(|n| !n.contains("生育")));
        assert_eq!(names(&idx, q("生育登记"))[0], "生育登记");
        assert_eq!(names(&idx, q("食品经营"))[0], "食品经营许可");
        assert!(names(&idx, q("量子计算机")).is_empty());
    }

    #[test]
    fn pinyin_initials_find_the_matter() {
        assert_eq!(initials("生育登记"), "sydj");
        let idx = index();
        assert_eq!(names(&idx, q("sydj"))[0], "生育登记");
        assert_eq!(names(&idx, q("SYDJ"))[0], "生育登记");
        assert_eq!(names(&idx, q("jhdj"))[0], "结婚登记");
    }

    #[test]
    fn filters_narrow_the_results() {
        let idx = index();
        let all = SearchQuery {
            limit: Some(100),
            ..Default::default()
        };
        assert_eq!(names(&idx, all.clone()).len(), 55);
        let enterprise = SearchQuery {
            audience: Some("enterprise".into()),
            ..all.clone()
        };
        let e = names(&idx, enterprise);
        assert!(e.contains(&"食品经营许可".to_string()) && !e.contains(&"生育登记".to_string()));
        let community = SearchQuery {
            level: Some("community".into()),
            ..all.clone()
        };
        assert!(names(&idx, community).iter().all(|n| !n.contains("许可")));
        let online = SearchQuery {
            depth: Some(4),
            ..all.clone()
        };
        let hits = idx.search(&online).unwrap().hits;
        assert!(!hits.is_empty() && hits.iter().all(|h| h.online_depth == 4));
        let health = SearchQuery {
            department: Some("440309-D02".into()),
            q: Some("许可".into()),
            ..all
        };
        let hits = idx.search(&health).unwrap().hits;
        assert!(hits.len() >= 5 && hits.iter().all(|h| h.department == "440309-D02"));
        assert!(
            hits[..4].iter().all(|h| h.name.contains("许可")),
            "names first"
        );
    }
}

//! The demo district's catalog: 55 matters of its twelve departments, kept as data in the
//! catalog's own exchange format (`data/demo/catalog.json`, `zhengwu.catalog/1`) and the
//! departments' names (`data/demo/departments.txt`, the n-th is `440309-D<nn>`). The demo loads
//! the file through the real catalog import; tests and benchmarks read the same matters.

use std::sync::LazyLock;

use crate::catalog::Matter;
use crate::catalog::exchange::CatalogFile;

/// The matters the 2018 report names; the sample catalog has each of them.
pub const REPORT_MATTERS: [&str; 7] = [
    "流动人口婚育证明",
    "生育登记",
    "深圳市计划生育证明办理",
    "饮用水供水单位卫生许可",
    "医疗机构执业许可（注销）",
    "病残儿医学鉴定",
    "新建、扩建、改建放射诊疗建设项目卫生审查",
];

static CATALOG: LazyLock<CatalogFile> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../data/demo/catalog.json"))
        .expect("data/demo/catalog.json is a catalog file")
});

/// The demo catalog as an import file.
pub fn file() -> CatalogFile {
    CATALOG.clone()
}

/// The whole demo catalog.
pub fn all() -> Vec<Matter> {
    CATALOG.matters.iter().map(|e| e.matter.clone()).collect()
}

/// The `i`-th matter of the demo catalog.
pub fn matter(i: usize) -> Matter {
    CATALOG.matters[i].matter.clone()
}

/// The demo district's departments, in order: the n-th (from 1) has the code `440309-D<nn>`.
pub fn departments() -> Vec<&'static str> {
    include_str!("../../data/demo/departments.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_catalog_is_whole_and_names_only_its_departments() {
        let all = super::all();
        assert_eq!(all.len(), 55);
        let depts = super::departments();
        assert_eq!(depts.len(), 12);
        for m in &all {
            let n: usize = m.department["440309-D".len()..].parse().unwrap();
            assert!((1..=12).contains(&n), "{}: {}", m.code, m.department);
        }
        for name in super::REPORT_MATTERS {
            assert!(all.iter().any(|m| m.name == name), "{name}");
        }
    }
}

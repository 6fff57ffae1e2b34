-- Performance management (绩效管理): one row per project-year, kept as the exchanged document
-- (money as decimal yuan text, read into exact fen), with the competent department's unit for
-- scoping and the contract's number to add up payments across years.
CREATE TABLE perf_projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    unit_path TEXT NOT NULL,
    contract_number TEXT,
    doc_json TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX perf_projects_unit ON perf_projects(unit_path, year);
CREATE INDEX perf_projects_contract ON perf_projects(contract_number, year);

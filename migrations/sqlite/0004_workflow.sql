-- Approval workflow definitions: numbered versions per matter; a draft (at most one per matter)
-- becomes an immutable published version.
CREATE TABLE workflow_defs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    matter_code TEXT NOT NULL,
    version BIGINT NOT NULL,
    status TEXT NOT NULL,
    def_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_at TEXT,
    UNIQUE (matter_code, version)
);

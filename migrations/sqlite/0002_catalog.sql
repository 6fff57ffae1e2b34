-- The catalog: matters, their published versions (immutable), and per-unit switches.
CREATE TABLE matters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    department_code TEXT NOT NULL,
    status TEXT NOT NULL,
    published_version BIGINT,
    draft_json TEXT,
    draft_state TEXT,
    draft_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX matters_department ON matters(department_code);

CREATE TABLE matter_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    matter_id BIGINT NOT NULL REFERENCES matters(id),
    version BIGINT NOT NULL,
    content_json TEXT NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    UNIQUE (matter_id, version)
);

CREATE TABLE matter_units (
    matter_id BIGINT NOT NULL REFERENCES matters(id),
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    enabled BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (matter_id, unit_id)
);

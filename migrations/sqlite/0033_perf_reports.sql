-- The evaluation report's narrative, one row per saved version of a section (a save never
-- overwrites), and the issued report: its blocks and evaluation frozen as JSON with their
-- SHA-256, the explanation of any open finding, who issued it and when.
CREATE TABLE perf_narratives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    section TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_at TEXT NOT NULL,
    UNIQUE (code, section, version)
);
CREATE TABLE perf_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    explanation TEXT,
    content_hash TEXT NOT NULL,
    content_json TEXT NOT NULL
);

-- Scoring schemes (评分方案), one row per saved version: a province keeps its own and changes it
-- yearly; an evaluation names the scheme and version it was scored on.
CREATE TABLE perf_schemes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    body_json TEXT NOT NULL,
    written_by TEXT NOT NULL,
    written_at TEXT NOT NULL,
    UNIQUE (code, version)
);

-- The city's targets and point deductions per assessment indicator (考核目标与扣分), one row per
-- saved version: the city's scheme changes yearly and last year's stays readable.
CREATE TABLE stats_targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version BIGINT NOT NULL UNIQUE,
    rules_json TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL
);

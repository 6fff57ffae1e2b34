-- Saved reports (报表配置): a definition (rows, measures, filters, period) kept by its owner
-- within the unit whose subtree it counts, shared with that unit's readers when it says so.
-- The city's quarterly assessment sheet ships as a shared default (scope '/': every reader's).
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    def_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX reports_owner ON reports(owner);

INSERT INTO reports (owner, unit_path, def_json, created_at, updated_at) VALUES ('system', '/',
 '{"name":"市政务服务考核季度表","rows":["street"],"measures":["submitted","online_filing_rate","on_time_rate","overdue","average_working_days","positive_rating_rate","poor_rating_rectified_rate","online_capable_rate","fully_online_rate","at_most_one_visit_rate","immediate_rate","time_compression_rate"],"filters":{},"period":{"rolling":"this_quarter"},"shared":true}',
 '2026-12-01T00:00:00.000000Z', '2026-12-01T00:00:00.000000Z');

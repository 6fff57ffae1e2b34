-- The duty rota (值班表): who is on duty on each day; the first of a day answers off-hours tickets.
CREATE TABLE ops_duty (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    day TEXT NOT NULL,
    engineer TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (day, engineer)
);

-- Holiday assurance plans (重大节假日保障) and security drills (安全应急演练), with findings.
CREATE TABLE ops_assurance (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    plan TEXT NOT NULL,
    findings TEXT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Daily inspections (日常巡检): the platform's own components and configured URLs, each run kept.
CREATE TABLE ops_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    threshold BIGINT NOT NULL,
    every_minutes BIGINT NOT NULL,
    enabled BIGINT NOT NULL,
    last_run_at TEXT,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE ops_check_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    check_id BIGINT NOT NULL REFERENCES ops_checks(id),
    at TEXT NOT NULL,
    ok BIGINT NOT NULL,
    detail TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
    ticket_id BIGINT REFERENCES ops_tickets(id)
);
CREATE INDEX ops_check_runs_check ON ops_check_runs(check_id, id);

INSERT INTO ops_checks (name, kind, target, threshold, every_minutes, enabled, created_by, updated_at)
VALUES ('平台服务（HTTP）', 'http', 'self', 2000, 15, 1, 'system', '2026-01-01T00:00:00.000000Z');
INSERT INTO ops_checks (name, kind, target, threshold, every_minutes, enabled, created_by, updated_at)
VALUES ('数据库', 'database', '', 500, 15, 1, 'system', '2026-01-01T00:00:00.000000Z');
INSERT INTO ops_checks (name, kind, target, threshold, every_minutes, enabled, created_by, updated_at)
VALUES ('数据盘剩余空间（MB）', 'disk', '', 1024, 60, 1, 'system', '2026-01-01T00:00:00.000000Z');
INSERT INTO ops_checks (name, kind, target, threshold, every_minutes, enabled, created_by, updated_at)
VALUES ('待发邮件积压', 'mail_queue', '', 50, 15, 1, 'system', '2026-01-01T00:00:00.000000Z');
INSERT INTO ops_checks (name, kind, target, threshold, every_minutes, enabled, created_by, updated_at)
VALUES ('超期办件积压', 'overdue_backlog', '', 20, 60, 1, 'system', '2026-01-01T00:00:00.000000Z');

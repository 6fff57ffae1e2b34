-- The one-window counter (一窗受理): windows of a hall with the matters they take, the clerks at
-- each window, queue tickets (取号/叫号), per-material checks, counter filing, print templates.
CREATE TABLE hall_windows (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    comprehensive BOOLEAN NOT NULL DEFAULT FALSE,
    matters_json TEXT NOT NULL DEFAULT '[]',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TEXT NOT NULL,
    UNIQUE (unit_id, number)
);

CREATE TABLE window_clerks (
    window_id BIGINT NOT NULL REFERENCES hall_windows(id),
    username TEXT NOT NULL,
    PRIMARY KEY (window_id, username)
);
CREATE INDEX window_clerks_user ON window_clerks(username);

CREATE TABLE queue_tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    day TEXT NOT NULL,
    seq BIGINT NOT NULL,
    number TEXT NOT NULL,
    matter_code TEXT,
    status TEXT NOT NULL,
    window_id BIGINT REFERENCES hall_windows(id),
    called_by TEXT,
    created_at TEXT NOT NULL,
    called_at TEXT,
    closed_at TEXT,
    UNIQUE (unit_id, day, seq)
);
CREATE INDEX queue_tickets_waiting ON queue_tickets(unit_id, day, status, seq);

CREATE TABLE application_checks (
    application_id BIGINT NOT NULL REFERENCES applications(id),
    material TEXT NOT NULL,
    ok BOOLEAN NOT NULL,
    note TEXT,
    checked_by TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    PRIMARY KEY (application_id, material)
);

ALTER TABLE applications ADD COLUMN filed_by TEXT;
CREATE INDEX applications_applicant_id ON applications(applicant_id, id);

CREATE TABLE print_templates (
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, version)
);

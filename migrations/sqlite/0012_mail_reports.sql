-- Outgoing mail, queued in the same transaction as what caused it and delivered by the sender
-- job; a row stays until the mail server has taken it.
CREATE TABLE mail_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    to_addrs TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment BLOB,
    created_at TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    sent_at TEXT,
    last_error TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox(sent_at, next_attempt_at);

-- Settings an administrator changes in the UI (audited), by key.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The weekly problem-handling reports built by the scheduled job, one per week.
CREATE TABLE ops_weekly_reports (
    week_start TEXT PRIMARY KEY,
    built_at TEXT NOT NULL,
    mailed_to TEXT NOT NULL,
    mail_id BIGINT
);

-- The operations desk (运维): tickets with their clocks, every event on them, known errors, and
-- the service-level policy per priority.
CREATE TABLE ops_tickets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    system TEXT NOT NULL,
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    home_level TEXT NOT NULL,
    level TEXT NOT NULL,
    escalated_to TEXT,
    vendor_status TEXT,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    unit_path TEXT NOT NULL,
    reporter TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    page_url TEXT,
    assignee TEXT,
    duplicate_of BIGINT REFERENCES ops_tickets(id),
    known_error_id BIGINT,
    off_hours BIGINT NOT NULL,
    opened_at TEXT NOT NULL,
    first_response_at TEXT,
    resolved_at TEXT,
    closed_at TEXT,
    response_due_at TEXT NOT NULL,
    resolution_warn_at TEXT NOT NULL,
    resolution_due_at TEXT NOT NULL,
    waiting_since TEXT,
    first_response_seconds BIGINT,
    response_met BIGINT,
    resolution_met BIGINT,
    response_breached_at TEXT,
    resolution_breached_at TEXT,
    auto_escalated_at TEXT,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ops_tickets_opened ON ops_tickets(opened_at);
CREATE INDEX ops_tickets_queue ON ops_tickets(status, level);

CREATE TABLE ops_ticket_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id BIGINT NOT NULL REFERENCES ops_tickets(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    level TEXT,
    note TEXT NOT NULL
);
CREATE INDEX ops_ticket_events_ticket ON ops_ticket_events(ticket_id);

CREATE TABLE ops_ticket_files (
    ticket_id BIGINT NOT NULL REFERENCES ops_tickets(id),
    file_id BIGINT NOT NULL REFERENCES files(id),
    PRIMARY KEY (ticket_id, file_id)
);

CREATE TABLE ops_known_errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    symptom TEXT NOT NULL,
    fix TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Minutes: first response and resolution in working time, first response off hours in wall time.
CREATE TABLE ops_sla_policies (
    priority TEXT PRIMARY KEY,
    response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    offhours_response_minutes BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO ops_sla_policies VALUES ('urgent', 15, 210, 15, '2026-01-01T00:00:00.000000Z');
INSERT INTO ops_sla_policies VALUES ('high', 30, 420, 30, '2026-01-01T00:00:00.000000Z');
INSERT INTO ops_sla_policies VALUES ('normal', 60, 420, 60, '2026-01-01T00:00:00.000000Z');
INSERT INTO ops_sla_policies VALUES ('low', 120, 840, 120, '2026-01-01T00:00:00.000000Z');

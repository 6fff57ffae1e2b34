-- Foundation: org tree, accounts, role grants, sessions, audit trail.
-- Times are TEXT in UTC, fixed-width RFC 3339 ("2026-11-28T08:00:00.000000Z"), so they sort as text.
CREATE TABLE org_units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT REFERENCES org_units(id),
    path TEXT NOT NULL,
    depth BIGINT NOT NULL,
    retired_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX org_units_parent ON org_units(parent_id);
CREATE INDEX org_units_path ON org_units(path);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    email TEXT,
    phone TEXT,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX users_org_unit ON users(org_unit_id);

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    org_unit_id BIGINT NOT NULL REFERENCES org_units(id),
    created_at TEXT NOT NULL,
    UNIQUE (user_id, role, org_unit_id)
);
CREATE INDEX role_grants_user ON role_grants(user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    ip TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    ip TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    scope_path TEXT NOT NULL,
    summary TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_scope ON audit_log(scope_path);

-- E-licences (电子证照): each issuing department signs with its own Ed25519 key; a rotated key is
-- retired, not deleted, so the licences it signed still verify.
CREATE TABLE licence_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    public_key TEXT NOT NULL,
    secret_key TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retired_at TEXT
);
CREATE INDEX licence_keys_unit ON licence_keys(unit_id, retired_at);

CREATE TABLE licences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    matter_code TEXT NOT NULL,
    matter_name TEXT NOT NULL,
    holder_name TEXT NOT NULL,
    holder_id TEXT NOT NULL,
    content TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    unit_name TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    key_id BIGINT NOT NULL REFERENCES licence_keys(id),
    signature TEXT NOT NULL,
    instance_id BIGINT REFERENCES approval_instances(id),
    revoked_at TEXT,
    revoke_reason TEXT,
    created_by TEXT NOT NULL
);
CREATE INDEX licences_holder ON licences(holder_id);

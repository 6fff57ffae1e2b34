-- A department's licence keys are Ed25519 or SM2 (GB/T 32918, with SM3); the audit trail is a
-- hash chain (SHA-256 or SM3, tagged), and each day's head is kept as an anchor.
ALTER TABLE licence_keys ADD COLUMN algorithm TEXT NOT NULL DEFAULT 'ed25519';
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE TABLE audit_anchors (
    day TEXT PRIMARY KEY,
    head_id BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    entries BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

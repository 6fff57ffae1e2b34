-- Sign-in failures per (account, client address): counted atomically before the password is
-- checked, locking that pair with back-off; an address's sum throttles it across accounts.
-- user_id 0 stands for names that are no account.
CREATE TABLE login_failures (
    user_id BIGINT NOT NULL,
    ip TEXT NOT NULL,
    failed BIGINT NOT NULL,
    locked_until TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, ip)
);
CREATE INDEX login_failures_ip ON login_failures(ip, updated_at);

-- A payment's supporting files (invoice, award notice, contract, payment list, request, meeting
-- minutes), by the project and the payment's voucher number.
CREATE TABLE perf_payment_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    voucher TEXT NOT NULL,
    kind TEXT NOT NULL,
    file_id BIGINT NOT NULL REFERENCES files(id),
    added_by TEXT NOT NULL,
    added_at TEXT NOT NULL
);
CREATE INDEX perf_payment_files_code ON perf_payment_files(code, voucher);

-- Payment requests (付款申请): a request for one payment on a project-year, run through the
-- competent department's payment workflow on the approval engine (its internal matter
-- ZW-FK-<department>), then recorded as paid with its voucher. The request's supporting files
-- become the payment's files when it is paid.
CREATE TABLE perf_payment_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL,
    unit_path TEXT NOT NULL,
    instance_id BIGINT NOT NULL REFERENCES approval_instances(id),
    amount_fen BIGINT NOT NULL,
    installment BIGINT,
    payee TEXT NOT NULL,
    purpose TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    paid_voucher TEXT,
    paid_on TEXT,
    paid_by TEXT,
    paid_at TEXT
);
CREATE INDEX perf_payment_requests_code ON perf_payment_requests(code);
CREATE INDEX perf_payment_requests_instance ON perf_payment_requests(instance_id);

CREATE TABLE perf_request_files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id BIGINT NOT NULL REFERENCES perf_payment_requests(id),
    kind TEXT NOT NULL,
    file_id BIGINT NOT NULL REFERENCES files(id)
);
CREATE INDEX perf_request_files_request ON perf_request_files(request_id);

-- An entered indicator's evidence file and who entered its actual, by project-year and the
-- indicator's place in the document.
CREATE TABLE perf_indicator_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL,
    indicator BIGINT NOT NULL,
    actual TEXT,
    evidence TEXT,
    file_id BIGINT REFERENCES files(id),
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
CREATE INDEX perf_indicator_entries_code ON perf_indicator_entries(code, indicator);

-- Applications (办件): a citizen's or company's request for a matter, online or at a counter, from
-- draft to acceptance and the approval workflow; the materials filed with it.
ALTER TABLE users ADD COLUMN id_number TEXT;

CREATE TABLE applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT NOT NULL UNIQUE,
    matter_code TEXT NOT NULL,
    matter_version BIGINT NOT NULL,
    applicant TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    form_json TEXT NOT NULL,
    note TEXT,
    instance_id BIGINT REFERENCES approval_instances(id),
    created_at TEXT NOT NULL,
    submitted_at TEXT,
    decided_at TEXT,
    decided_by TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX applications_applicant ON applications(applicant, id);
CREATE INDEX applications_queue ON applications(status, unit_id);

CREATE TABLE application_materials (
    application_id BIGINT NOT NULL REFERENCES applications(id),
    material TEXT NOT NULL,
    file_id BIGINT NOT NULL REFERENCES files(id),
    PRIMARY KEY (application_id, material, file_id)
);

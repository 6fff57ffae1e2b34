-- Uploaded files. Content is kept once per SHA-256 (blobs); each upload is a files row naming
-- its blob, with the cleaned file name, the type found from the content, and who uploaded it.
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX files_uploader ON files(uploaded_by, id);

-- Files an approver attached to an action on a task.
CREATE TABLE approval_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id BIGINT NOT NULL REFERENCES approval_instances(id),
    task_id BIGINT NOT NULL REFERENCES approval_tasks(id),
    file_id BIGINT NOT NULL REFERENCES files(id),
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX approval_attachments_instance ON approval_attachments(instance_id);

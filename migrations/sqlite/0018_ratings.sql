-- Ratings (好差评) after completion, and complaints on any application. A rating of 1 or 2, and
-- every complaint, is a follow-up (整改) for the matter's department with a working-day deadline.
CREATE TABLE followups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications(id),
    kind TEXT NOT NULL,
    score BIGINT,
    body TEXT NOT NULL,
    channel TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES org_units(id),
    filed_by TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    due_at TEXT,
    answer TEXT,
    answered_by TEXT,
    answered_at TEXT
);
CREATE INDEX followups_application ON followups(application_id);
CREATE INDEX followups_open ON followups(department_id, answered_at);

-- Running applications through their approval workflow: one instance per application, one task
-- per party and step. History lives in the audit trail (entity 'approval').
CREATE TABLE approval_instances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    matter_code TEXT NOT NULL,
    matter_version BIGINT NOT NULL,
    workflow_version BIGINT NOT NULL,
    reference TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES org_units(id),
    status TEXT NOT NULL,
    step BIGINT NOT NULL,
    pause_reason TEXT,
    paused_at TEXT,
    started_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    finished_at TEXT,
    created_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX approval_instances_status ON approval_instances(status);

CREATE TABLE approval_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id BIGINT NOT NULL REFERENCES approval_instances(id),
    step BIGINT NOT NULL,
    step_name TEXT NOT NULL,
    candidates TEXT NOT NULL,
    claimed_by TEXT,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    due_at TEXT NOT NULL,
    done_at TEXT,
    action TEXT,
    opinion TEXT,
    acted_by TEXT
);
CREATE INDEX approval_tasks_status ON approval_tasks(status, instance_id);

-- When a task was first seen past its deadline (each overdue event is recorded once).
ALTER TABLE approval_tasks ADD COLUMN overdue_at TEXT;

-- A window clerk acts on a task at the application's hall or above it (as accepting does): the
-- candidate row keeps the hall's path. Rows written before stay unbound (NULL).
ALTER TABLE approval_task_candidates ADD COLUMN hall_path TEXT;

-- A year's figures read from indexes, not a scan of every application: submitted in a period
-- (with the unit, to filter in place), instances finished in a period (with their deadline and
-- unit, for the on-time rate) and follow-ups filed in a period.
CREATE INDEX applications_submitted ON applications(submitted_at, unit_id);
CREATE INDEX approval_instances_finished ON approval_instances(finished_at, due_at, unit_id);
CREATE INDEX followups_filed ON followups(filed_at, kind, score);
